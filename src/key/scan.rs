//! Finding keys in a text file the way `ssh-keygen -l` does (`do_fingerprint`): public key
//! files, authorized_keys lines with options, and known_hosts lines with host patterns.
//!
//! The rules are OpenSSH's, quirks included, because scripts compare the output:
//! a key that does not start the line is searched for after one leading field (options
//! with quoted blanks, or host names), and that field is reported as the comment unless
//! the line has a trailing comment of its own.
//!
//! One quirk needs state: ssh-keygen never resets its comment pointer between lines, and
//! reads every line into the same buffer. A key line without a comment of its own
//! therefore prints whatever the buffer holds where an earlier line's comment began (an
//! empty string, the rest of an earlier line, or this line's own text). [`Scanner`] keeps
//! a model of that buffer so the printed comment is the same byte for byte. (When glibc
//! moves the buffer to grow it, ssh-keygen reads freed memory; the model assumes the
//! buffer grew in place.)

use ssh_key::public::KeyData;

use super::text::{is_blank, read_key, skip_blanks};

/// A key found on one line.
#[derive(Debug, Clone)]
pub struct FoundKey<'a> {
    /// The key.
    pub key: KeyData,
    /// What `ssh-keygen -l` prints as the comment; `None` prints as `no comment`.
    pub printed_comment: Option<&'a [u8]>,
    /// The line's own comment (or its leading options or host names), for output that
    /// need not copy ssh-keygen's quirk.
    pub own_comment: Option<&'a [u8]>,
}

/// What one line of a key file holds.
#[derive(Debug)]
pub enum Line<'a> {
    /// A key, possibly after options or host names.
    Key(FoundKey<'a>),
    /// A blank line or a `#` comment.
    Blank,
    /// Anything else, including `@cert-authority` and `@revoked` lines, which
    /// `ssh-keygen -l` skips.
    NotAKey,
}

/// Reads lines as `ssh-keygen -l` does; see the module documentation.
#[derive(Debug, Default)]
pub struct Scanner {
    /// ssh-keygen's `getline` buffer: each line overwrites its start, the rest remains.
    buffer: Vec<u8>,
    /// Offset in `buffer` of the comment ssh-keygen would print next (its `comment`).
    comment_at: Option<usize>,
}

/// Offsets found in one line, before the buffer is borrowed for the answer.
enum Scanned {
    Key { key: KeyData, own_comment: Option<(usize, usize)> },
    Blank,
    NotAKey,
}

impl Scanner {
    /// A scanner at the start of a file.
    pub fn new() -> Self {
        Self::default()
    }

    /// Classifies the next line: `line` without its `\n`, `newline` whether it had one.
    pub fn scan(&mut self, line: &[u8], newline: bool) -> Line<'_> {
        let text_end = self.load(line, newline);
        match self.scan_loaded(text_end) {
            Scanned::Key { key, own_comment } => {
                let own_comment = own_comment.map(|(start, end)| &self.buffer[start..end]);
                let printed_comment = self.comment_at.map(|at| c_string(&self.buffer[at..]));
                Line::Key(FoundKey { key, printed_comment, own_comment })
            }
            Scanned::Blank => Line::Blank,
            Scanned::NotAKey => Line::NotAKey,
        }
    }

    /// Copies the line into the buffer as `getline` does (bytes, `\n`, NUL), then ends the
    /// text at the first `\n` as `do_fingerprint` does. Returns the end of the text.
    fn load(&mut self, line: &[u8], newline: bool) -> usize {
        let raw_len = line.len() + usize::from(newline);
        if self.buffer.len() < raw_len + 1 {
            self.buffer.resize(raw_len + 1, 0);
        }
        self.buffer[..line.len()].copy_from_slice(line);
        if newline {
            self.buffer[line.len()] = b'\n';
        }
        self.buffer[raw_len] = 0;
        let end = self.buffer.iter().position(|&b| b == 0 || b == b'\n').unwrap_or(raw_len);
        self.buffer[end] = 0;
        end
    }

    fn scan_loaded(&mut self, text_end: usize) -> Scanned {
        let text = &self.buffer[..text_end];
        let start = text_end - skip_blanks(text).len();
        if start == text_end || text[start] == b'#' {
            return Scanned::Blank;
        }
        if let Some((key, rest)) = read_key(&text[start..]) {
            return self.found(key, text_end - rest.len(), text_end, None);
        }
        if looks_like_protocol1_bits(&text[start..]) {
            return Scanned::NotAKey;
        }
        // ssh-keygen points its comment at the field before it knows a key follows.
        self.comment_at = Some(start);
        let Some(field_end) = field_end(&text[start..]).map(|len| start + len) else {
            return Scanned::NotAKey;
        };
        self.buffer[field_end] = 0;
        let after = &self.buffer[field_end + 1..text_end];
        match read_key(after) {
            Some((key, rest)) => self.found(key, text_end - rest.len(), text_end, Some((start, field_end))),
            None => Scanned::NotAKey,
        }
    }

    /// A key was read; what follows it (`rest_at..text_end`) is a comment unless empty
    /// or starting with `#`.
    fn found(
        &mut self,
        key: KeyData,
        rest_at: usize,
        text_end: usize,
        field: Option<(usize, usize)>,
    ) -> Scanned {
        let has_trailing = rest_at < text_end && self.buffer[rest_at] != b'#';
        if has_trailing {
            self.comment_at = Some(rest_at);
        }
        let own_comment = if has_trailing { Some((rest_at, text_end)) } else { field };
        Scanned::Key { key, own_comment }
    }
}

/// The text of a line as OpenSSH's C string functions see it: up to the first NUL.
pub fn c_string(line: &[u8]) -> &[u8] {
    match memchr::memchr(0, line) {
        Some(nul) => &line[..nul],
        None => line,
    }
}

/// Whether the first line of a file marks it as a private key file.
pub fn is_private_key_line(line: &[u8]) -> bool {
    let text = skip_blanks(c_string(line));
    let content = !text.is_empty() && text[0] != b'#';
    content && text.windows(b"PRIVATE KEY".len()).any(|w| w == b"PRIVATE KEY")
}

/// Length of the field before the key: options (where `"` quotes blanks and `\"` is a
/// literal quote) or host names. OpenSSH ends the field at one blank and expects the key
/// right after it; `None` when no blank ends the field.
fn field_end(text: &[u8]) -> Option<usize> {
    let mut quoted = false;
    let mut i = 0;
    while i < text.len() && (quoted || !is_blank(text[i])) {
        match text[i] {
            b'\\' if text.get(i + 1) == Some(&b'"') => i += 1,
            b'"' => quoted = !quoted,
            _ => {}
        }
        i += 1;
    }
    (i < text.len()).then_some(i)
}

/// `strtol(text) != 0` with the number ended by a blank, as `do_fingerprint` tests it:
/// such a line was taken for a protocol 1 key and is skipped.
fn looks_like_protocol1_bits(text: &[u8]) -> bool {
    let unsigned = match text.first() {
        Some(b'+' | b'-') => &text[1..],
        _ => text,
    };
    let digits = unsigned.iter().take_while(|b| b.is_ascii_digit()).count();
    let nonzero = unsigned[..digits].iter().any(|&b| b != b'0');
    nonzero && unsigned.get(digits).is_some_and(|&b| is_blank(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ED: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGIrVZlC1iPIHCa8aMN6tFuV5UtyIYE6mjoM3htErex4";

    /// The comments ssh-keygen prints for `lines`, in order (`None` for skipped lines).
    fn printed(lines: &[String]) -> Vec<Option<String>> {
        let mut scanner = Scanner::new();
        lines
            .iter()
            .map(|line| match scanner.scan(line.as_bytes(), true) {
                Line::Key(found) => Some(
                    found
                        .printed_comment
                        .map_or("no comment".into(), |c| String::from_utf8_lossy(c).into_owned()),
                ),
                _ => None,
            })
            .collect()
    }

    fn one(line: String) -> Option<String> {
        printed(&[line]).remove(0)
    }

    #[test]
    fn comments_as_ssh_keygen_reports_them() {
        assert_eq!(one(ED.into()).as_deref(), Some("no comment"));
        assert_eq!(one(format!("{ED} a b ")).as_deref(), Some("a b "));
        assert_eq!(one(format!("no-pty {ED}")).as_deref(), Some("no-pty"));
        assert_eq!(one(format!("from=\"a b,c\",no-pty {ED} x")).as_deref(), Some("x"));
        assert_eq!(one(format!("host1 {ED} # trailing")).as_deref(), Some("host1"));
        assert_eq!(one(format!("0 {ED}")).as_deref(), Some("0"));
        assert_eq!(one(format!("12a {ED}")).as_deref(), Some("12a"));
    }

    #[test]
    fn lines_ssh_keygen_skips() {
        for line in
            [format!("123 {ED}"), format!("-5 {ED}"), format!("host1  {ED}"), format!("@revoked host {ED}")]
        {
            assert_eq!(one(line.clone()), None, "{line}");
        }
        assert!(matches!(Scanner::new().scan(b"  # comment", true), Line::Blank));
    }

    /// Checked against ssh-keygen 9.2: the comment pointer outlives its line.
    #[test]
    fn a_line_without_comment_prints_what_the_buffer_holds() {
        let after_comment = printed(&[format!("{ED} alice"), ED.to_string()]);
        assert_eq!(after_comment, [Some("alice".into()), Some("".into())]);
        let after_host = printed(&[format!("host1 {ED}"), ED.to_string()]);
        assert_eq!(after_host, [Some("host1".into()), Some(ED.into())]);
        let after_bad_line = printed(&[format!("{ED} a-very-long-comment"), "short".into(), ED.into()]);
        assert_eq!(after_bad_line, [Some("a-very-long-comment".into()), None, Some(ED.into())]);
    }
}
