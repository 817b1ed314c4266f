//! A known_hosts file held whole in memory, read line by line (in parallel for the
//! whole-file scans) and rewritten byte for byte except where an edit changes it.

use std::path::{Path, PathBuf};

use super::line::{self, HostLine, Line, Marker};
use super::pattern::{HostsMatch, match_hosts};
use crate::error::{Error, Result};
use crate::fsutil::{Accept, Expect};

/// known_hosts files beyond this are refused rather than read into memory.
pub const MAX_FILE: u64 = 4 << 30;
/// What a known_hosts file is called in errors.
const KNOWN_HOSTS: &str = "a known_hosts file";
/// Below this size one thread reads faster than several start.
const PARALLEL_THRESHOLD: usize = 1 << 20;

/// One line: its number (from 1), where it starts in the file, its text without the
/// `\n`, and its text with it.
#[derive(Debug, Clone, Copy)]
pub struct LineRef<'a> {
    pub number: usize,
    pub start: usize,
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
    /// Reads a known_hosts file. A character device is read as ssh reads one, so
    /// `/dev/null` (`-o UserKnownHostsFile=/dev/null`) is an empty file; a FIFO is refused
    /// rather than waited on.
    ///
    /// # Errors
    /// The file is missing, unreadable, a directory, a FIFO or socket, or absurdly large.
    pub fn read(path: &Path) -> Result<Self> {
        let expect = Expect { what: KNOWN_HOSTS, accept: Accept::CharDevice };
        let data = crate::fsutil::read_capped(path, MAX_FILE, expect)?;
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
        lines_in(&self.data, 0, 1)
    }

    /// Every entry line naming `name` (a lower-case lookup name), in file order, as
    /// `ssh-keygen -F` finds them: by pattern or hash, markers included.
    pub fn find(&self, name: &str) -> Vec<Found<'_>> {
        par_lines(&self.data, |line| {
            let entry = entry_naming(line.text, name)?;
            Some(Found { number: line.number, marker: entry.marker, text: line.text, entry })
        })
    }
}

/// The entry of `line` if it names `name`: the host field is tested first, and only a
/// line that matches is parsed whole.
fn entry_naming<'a>(line: &'a [u8], name: &str) -> Option<HostLine<'a>> {
    if match_hosts(line::host_field(line)?, name.as_bytes()) != HostsMatch::Yes {
        return None;
    }
    match line::parse(line) {
        Line::Entry(entry) => Some(entry),
        _ => None,
    }
}

/// A line [`find_in_file`] found, copied out of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundLine {
    pub number: usize,
    pub text: Vec<u8>,
}

impl FoundLine {
    /// The line's fields (a found line is an entry).
    pub fn entry(&self) -> Option<HostLine<'_>> {
        match line::parse(&self.text) {
            Line::Entry(entry) => Some(entry),
            _ => None,
        }
    }
}

/// [`KnownHosts::read`] and [`KnownHosts::find`] in one, without holding the file: a
/// regular file is read in chunks by every core at once (see [`super::stream`]); a
/// character device (`/dev/null`) is read as [`KnownHosts::read`] reads it.
///
/// # Errors
/// As [`KnownHosts::read`].
pub fn find_in_file(path: &Path, name: &str) -> Result<Vec<FoundLine>> {
    let Some((file, size)) = open_regular(path)? else {
        let file = KnownHosts::read(path)?;
        let found =
            file.find(name).into_iter().map(|f| FoundLine { number: f.number, text: f.text.to_vec() });
        return Ok(found.collect());
    };
    let workers = workers(usize::try_from(size).unwrap_or(usize::MAX));
    let found = super::stream::scan_file(&file, path, LIMIT, workers, |text| {
        entry_naming(text, name).map(|_| text.to_vec())
    })?;
    Ok(found.into_iter().map(|(number, text)| FoundLine { number, text }).collect())
}

/// The limit on a known_hosts file read in chunks.
pub const LIMIT: super::stream::Limit = (MAX_FILE, KNOWN_HOSTS);

/// A known_hosts file opened to be read in chunks ([`super::stream`]) and its size, or
/// `None` for a character device, which only [`KnownHosts::read`] reads (as ssh does).
///
/// # Errors
/// As [`KnownHosts::read`].
pub fn open_regular(path: &Path) -> Result<Option<(std::fs::File, u64)>> {
    let (file, meta) = crate::fsutil::open_input(path, Accept::CharDevice)?;
    if !meta.is_file() {
        return Ok(None);
    }
    if meta.len() > MAX_FILE {
        return Err(Error::TooLarge { path: path.to_path_buf(), what: KNOWN_HOSTS, size: meta.len() });
    }
    Ok(Some((file, meta.len())))
}

/// The lines of `data` from byte `start` (a line start) on, numbered from `first`.
pub fn lines_in(data: &[u8], start: usize, first: usize) -> impl Iterator<Item = LineRef<'_>> {
    let mut at = start;
    let mut number = first;
    std::iter::from_fn(move || {
        let rest = data.get(at..).filter(|rest| !rest.is_empty())?;
        let (full, text) = match memchr::memchr(b'\n', rest) {
            Some(end) => (&rest[..=end], &rest[..end]),
            None => (rest, rest),
        };
        let line = LineRef { number, start: at, text, full };
        at += full.len();
        number += 1;
        Some(line)
    })
}

/// Applies `f` to every line and keeps the results in file order, splitting large
/// inputs into one chunk per core.
pub fn par_lines<'a, T: Send>(data: &'a [u8], f: impl Fn(LineRef<'a>) -> Option<T> + Sync) -> Vec<T> {
    par_chunks(data, |lines| lines.filter_map(&f).collect::<Vec<T>>()).into_iter().flatten().collect()
}

/// Applies `f` to the lines of each chunk of `data` (one chunk per core for large
/// inputs, else one) and returns the chunks' results in file order.
pub fn par_chunks<'a, T: Send>(
    data: &'a [u8],
    f: impl Fn(&mut dyn Iterator<Item = LineRef<'a>>) -> T + Sync,
) -> Vec<T> {
    let threads = workers(data.len());
    if threads == 1 {
        return vec![f(&mut lines_in(data, 0, 1))];
    }
    let bounds = split_at_lines(data, threads);
    let firsts = first_line_numbers(data, &bounds);
    let f = &f;
    std::thread::scope(|scope| {
        let workers: Vec<_> = bounds
            .iter()
            .zip(firsts)
            .map(|(&(start, end), first)| scope.spawn(move || f(&mut lines_in(&data[..end], start, first))))
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
            .collect()
    })
}

/// [`par_chunks`] in `threads` chunks without numbering the lines first: each chunk's
/// lines are numbered from 0, and its result comes with how many lines it has, for the
/// caller to number them afterwards. (Numbering first counts the lines before each chunk,
/// a pass over most of the file on one thread before any work starts.)
pub fn par_chunks_counted<'a, T: Send>(
    data: &'a [u8],
    threads: usize,
    f: impl Fn(&mut dyn Iterator<Item = LineRef<'a>>) -> T + Sync,
) -> Vec<(usize, T)> {
    let counted = |start: usize, end: usize| {
        let mut lines = 0;
        let mut chunk = lines_in(&data[..end], start, 0).inspect(|_| lines += 1);
        let result = f(&mut chunk);
        chunk.for_each(drop);
        (lines, result)
    };
    if threads <= 1 {
        return vec![counted(0, data.len())];
    }
    let counted = &counted;
    std::thread::scope(|scope| {
        let workers: Vec<_> = split_at_lines(data, threads)
            .into_iter()
            .map(|(start, end)| scope.spawn(move || counted(start, end)))
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
            .collect()
    })
}

/// How many workers share the work on `len` bytes: one per core (up to 8), or one below
/// the size where starting threads costs more than it saves.
pub fn workers(len: usize) -> usize {
    match len < PARALLEL_THRESHOLD {
        true => 1,
        false => std::thread::available_parallelism().map_or(1, |n| n.get()).min(8),
    }
}

/// `count` byte ranges of `data`, each ending just after a newline (the last at the end).
fn split_at_lines(data: &[u8], count: usize) -> Vec<(usize, usize)> {
    let mut bounds = Vec::with_capacity(count);
    let mut start = 0;
    for i in 1..count {
        let target = (data.len() * i / count).max(start);
        let end = memchr::memchr(b'\n', &data[target..]).map_or(data.len(), |at| target + at + 1);
        bounds.push((start, end));
        start = end;
    }
    bounds.push((start, data.len()));
    bounds
}

fn first_line_numbers(data: &[u8], bounds: &[(usize, usize)]) -> Vec<usize> {
    let mut first = 1;
    bounds
        .iter()
        .map(|&(start, end)| {
            let this = first;
            first += memchr::memchr_iter(b'\n', &data[start..end]).count();
            this
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_keep_their_endings() {
        let lines: Vec<_> = lines_in(b"a\nb\r\n\nlast", 0, 1).map(|l| (l.number, l.text, l.full)).collect();
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
        let sequential: Vec<_> = lines_in(&data, 0, 1).filter_map(every_7th).collect();
        assert_eq!(parallel, sequential);
        assert_eq!(parallel[0], (7, b"line 6".to_vec()));
    }
}
