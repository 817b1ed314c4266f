//! A known_hosts file held whole in memory, read line by line (in parallel for the
//! whole-file scans) and rewritten byte for byte except where an edit changes it.

use std::path::{Path, PathBuf};

use super::line::{self, HostLine, Line, Marker};
use super::pattern::{HostsMatch, match_hosts};
use crate::error::Result;

/// known_hosts files beyond this are refused rather than read into memory.
pub const MAX_FILE: u64 = 4 << 30;
/// Below this size one thread reads faster than several start.
const PARALLEL_THRESHOLD: usize = 1 << 20;

/// One line: its number (from 1), text without the `\n`, and text with it.
#[derive(Debug, Clone, Copy)]
pub struct LineRef<'a> {
    pub number: usize,
    pub text: &'a [u8],
    pub full: &'a [u8],
}

/// A known_hosts file's path and contents.
#[derive(Debug, Clone)]
pub struct KnownHosts {
    path: PathBuf,
    data: Vec<u8>,
}

/// A line that names the host looked for.
#[derive(Debug, Clone)]
pub struct Found<'a> {
    pub number: usize,
    pub marker: Option<Marker>,
    pub text: &'a [u8],
    pub entry: HostLine<'a>,
}

impl KnownHosts {
    /// Reads a known_hosts file.
    ///
    /// # Errors
    /// The file is missing, unreadable, a directory, or absurdly large.
    pub fn read(path: &Path) -> Result<Self> {
        let data = crate::fsutil::read_capped(path, MAX_FILE, "a known_hosts file")?;
        Ok(KnownHosts { path: path.to_path_buf(), data })
    }

    /// A file's contents already in memory.
    pub fn from_bytes(path: &Path, data: Vec<u8>) -> Self {
        KnownHosts { path: path.to_path_buf(), data }
    }

    /// The path it was read from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The raw contents.
    pub fn data(&self) -> &[u8] {
        &self.data
    }

    /// Every line, in order.
    pub fn lines(&self) -> impl Iterator<Item = LineRef<'_>> {
        lines_from(&self.data, 1)
    }

    /// Every entry line naming `name` (a lower-case lookup name), in file order, as
    /// `ssh-keygen -F` finds them: by pattern or hash, markers included.
    pub fn find(&self, name: &str) -> Vec<Found<'_>> {
        par_lines(&self.data, |line| match line::parse(line.text) {
            Line::Entry(entry) if match_hosts(entry.hosts, name.as_bytes()) == HostsMatch::Yes => {
                Some(Found { number: line.number, marker: entry.marker, text: line.text, entry })
            }
            _ => None,
        })
    }
}

/// The lines of `data`, numbered from `first`.
pub fn lines_from(data: &[u8], first: usize) -> impl Iterator<Item = LineRef<'_>> {
    let mut rest = data;
    let mut number = first;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let (full, text) = match memchr::memchr(b'\n', rest) {
            Some(at) => (&rest[..=at], &rest[..at]),
            None => (rest, rest),
        };
        rest = &rest[full.len()..];
        number += 1;
        Some(LineRef { number: number - 1, text, full })
    })
}

/// Applies `f` to every line and keeps the results in file order, splitting large
/// inputs into one chunk per core.
pub fn par_lines<'a, T: Send>(data: &'a [u8], f: impl Fn(LineRef<'a>) -> Option<T> + Sync) -> Vec<T> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(8);
    if threads == 1 || data.len() < PARALLEL_THRESHOLD {
        return lines_from(data, 1).filter_map(f).collect();
    }
    let chunks = split_at_lines(data, threads);
    let firsts = first_line_numbers(&chunks);
    let f = &f;
    std::thread::scope(|scope| {
        let workers: Vec<_> = chunks
            .iter()
            .zip(firsts)
            .map(|(chunk, first)| {
                scope.spawn(move || lines_from(chunk, first).filter_map(f).collect::<Vec<T>>())
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
            .collect()
    })
}

/// `count` pieces of `data`, each ending just after a newline (the last at the end).
fn split_at_lines(data: &[u8], count: usize) -> Vec<&[u8]> {
    let mut pieces = Vec::with_capacity(count);
    let mut start = 0;
    for i in 1..count {
        let target = (data.len() * i / count).max(start);
        let end = memchr::memchr(b'\n', &data[target..]).map_or(data.len(), |at| target + at + 1);
        pieces.push(&data[start..end]);
        start = end;
    }
    pieces.push(&data[start..]);
    pieces
}

fn first_line_numbers(chunks: &[&[u8]]) -> Vec<usize> {
    let mut first = 1;
    chunks
        .iter()
        .map(|chunk| {
            let this = first;
            first += memchr::memchr_iter(b'\n', chunk).count();
            this
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_keep_their_endings() {
        let lines: Vec<_> = lines_from(b"a\nb\r\n\nlast", 1).map(|l| (l.number, l.text, l.full)).collect();
        assert_eq!(
            lines,
            [(1, &b"a"[..], &b"a\n"[..]), (2, b"b\r", b"b\r\n"), (3, b"", b"\n"), (4, b"last", b"last")]
        );
    }

    #[test]
    fn parallel_scan_numbers_lines_like_a_sequential_one() {
        let data: Vec<u8> = (0..200_000).flat_map(|i| format!("line {i}\n").into_bytes()).collect();
        let every_7th = |l: LineRef<'_>| l.number.is_multiple_of(7).then(|| (l.number, l.text.to_vec()));
        let parallel = par_lines(&data, every_7th);
        let sequential: Vec<_> = lines_from(&data, 1).filter_map(every_7th).collect();
        assert_eq!(parallel, sequential);
        assert_eq!(parallel[0], (7, b"line 6".to_vec()));
    }
}
