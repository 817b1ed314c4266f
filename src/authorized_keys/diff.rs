//! A unified diff of two versions of a file (`authorized-keys --diff`), by lines, with
//! three lines of context, as `diff -u` prints it.

/// Lines of context around each change.
const CONTEXT: usize = 3;
/// Above this many line pairs in the changed middle, the middle is shown as one
/// replacement instead of being matched line by line (an edit never gets there).
const MAX_CELLS: usize = 4_000_000;

/// One line of the diff.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Same(usize, usize),
    Gone(usize),
    New(usize),
}

/// The unified diff from `before` to `after`, both named `name`; empty when equal.
pub fn unified(name: &str, before: &[u8], after: &[u8]) -> String {
    let old = lines(before);
    let new = lines(after);
    let ops = script(&old, &new);
    if ops.iter().all(|op| matches!(op, Op::Same(..))) {
        return String::new();
    }
    let mut out = format!("--- {name}\n+++ {name}\n");
    for hunk in hunks(&ops) {
        render(&mut out, &ops[hunk.0..hunk.1], &old, &new);
    }
    out
}

fn lines(text: &[u8]) -> Vec<&[u8]> {
    match text.is_empty() {
        true => Vec::new(),
        false => text.strip_suffix(b"\n").unwrap_or(text).split(|&b| b == b'\n').collect(),
    }
}

/// The edit script: common prefix and suffix, and the middle by longest common
/// subsequence.
fn script(old: &[&[u8]], new: &[&[u8]]) -> Vec<Op> {
    let prefix = old.iter().zip(new).take_while(|(a, b)| a == b).count();
    let suffix =
        old[prefix..].iter().rev().zip(new[prefix..].iter().rev()).take_while(|(a, b)| a == b).count();
    let (old_mid, new_mid) = (&old[prefix..old.len() - suffix], &new[prefix..new.len() - suffix]);
    let mut ops: Vec<Op> = (0..prefix).map(|i| Op::Same(i, i)).collect();
    middle(old_mid, new_mid, prefix, &mut ops);
    let (old_end, new_end) = (old.len() - suffix, new.len() - suffix);
    ops.extend((0..suffix).map(|i| Op::Same(old_end + i, new_end + i)));
    ops
}

fn middle(old: &[&[u8]], new: &[&[u8]], offset: usize, ops: &mut Vec<Op>) {
    let (n, m) = (old.len(), new.len());
    if n.saturating_mul(m) > MAX_CELLS {
        ops.extend((0..n).map(|i| Op::Gone(offset + i)));
        ops.extend((0..m).map(|j| Op::New(offset + j)));
        return;
    }
    // lcs[i][j]: the longest common subsequence of old[i..] and new[j..].
    let mut lcs = vec![0u32; (n + 1) * (m + 1)];
    let at = |i: usize, j: usize| i * (m + 1) + j;
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[at(i, j)] = match old[i] == new[j] {
                true => lcs[at(i + 1, j + 1)] + 1,
                false => lcs[at(i + 1, j)].max(lcs[at(i, j + 1)]),
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    while i < n || j < m {
        if i < n && j < m && old[i] == new[j] {
            ops.push(Op::Same(offset + i, offset + j));
            (i, j) = (i + 1, j + 1);
        } else if i < n && (j == m || lcs[at(i + 1, j)] >= lcs[at(i, j + 1)]) {
            // Lines going before lines coming, as diff -u shows a replacement.
            ops.push(Op::Gone(offset + i));
            i += 1;
        } else {
            ops.push(Op::New(offset + j));
            j += 1;
        }
    }
}

/// The ranges of `ops` shown: each change with its context, close ones merged.
fn hunks(ops: &[Op]) -> Vec<(usize, usize)> {
    let mut hunks: Vec<(usize, usize)> = Vec::new();
    for (index, op) in ops.iter().enumerate() {
        if matches!(op, Op::Same(..)) {
            continue;
        }
        let (start, end) = (index.saturating_sub(CONTEXT), (index + CONTEXT + 1).min(ops.len()));
        match hunks.last_mut() {
            Some(last) if start <= last.1 => last.1 = end,
            _ => hunks.push((start, end)),
        }
    }
    hunks
}

fn render(out: &mut String, ops: &[Op], old: &[&[u8]], new: &[&[u8]]) {
    let old_count = ops.iter().filter(|op| !matches!(op, Op::New(_))).count();
    let new_count = ops.iter().filter(|op| !matches!(op, Op::Gone(_))).count();
    let old_start = ops.iter().find_map(|op| match op {
        Op::Same(i, _) | Op::Gone(i) => Some(*i + 1),
        Op::New(_) => None,
    });
    let new_start = ops.iter().find_map(|op| match op {
        Op::Same(_, j) | Op::New(j) => Some(*j + 1),
        Op::Gone(_) => None,
    });
    // An empty side is numbered from the line before it, as diff -u does.
    let before_first = |start: Option<usize>, other: usize| start.unwrap_or(other.saturating_sub(1));
    let (old_start, new_start) =
        (before_first(old_start, new_start.unwrap_or(1)), before_first(new_start, old_start.unwrap_or(1)));
    out.push_str(&format!("@@ -{} +{} @@\n", range(old_start, old_count), range(new_start, new_count)));
    for op in ops {
        let (mark, line) = match *op {
            Op::Same(i, _) => (' ', old[i]),
            Op::Gone(i) => ('-', old[i]),
            Op::New(j) => ('+', new[j]),
        };
        out.push(mark);
        out.push_str(&String::from_utf8_lossy(line));
        out.push('\n');
    }
}

fn range(start: usize, count: usize) -> String {
    match count {
        1 => start.to_string(),
        _ => format!("{start},{count}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_diff_reads_as_diff_u_prints_it() {
        assert_eq!(unified("f", b"a\nb\n", b"a\nb\n"), "");
        assert_eq!(unified("f", b"", b"k\n"), "--- f\n+++ f\n@@ -0,0 +1 @@\n+k\n");
        assert_eq!(
            unified("f", b"1\n2\n3\n4\n5\nold\n6\n", b"1\n2\n3\n4\n5\nnew\n6\n"),
            "--- f\n+++ f\n@@ -3,5 +3,5 @@\n 3\n 4\n 5\n-old\n+new\n 6\n"
        );
        assert_eq!(unified("f", b"a\nb\n", b"a\n"), "--- f\n+++ f\n@@ -1,2 +1 @@\n a\n-b\n");
    }
}
