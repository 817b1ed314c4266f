//! Reading a known_hosts file without holding it: each worker reads chunks of the file
//! with positioned reads into one buffer it reuses, and works on the lines that start in
//! its chunk. Reading then overlaps the work, runs on every core, and touches no fresh
//! memory (a whole-file read into a new buffer spent a fifth of `find`'s time, and a third
//! of `audit`'s, in page faults, on one thread, before any line was looked at).

use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use super::file::{LineRef, lines_in};
use crate::error::{Error, Result};

/// Bytes of the file a chunk covers: large enough that a read costs little beside the
/// lines it brings, small enough to stay in the core's cache.
const CHUNK: usize = 256 << 10;
/// Read past a chunk's end at once, for its last line (known_hosts lines are short; a
/// longer one is read on in further steps).
const SLACK: usize = 4 << 10;

/// The chunk and slack sizes.
pub const STEPS: (usize, usize) = (CHUNK, SLACK);

/// The most a file may hold, and what it is called when it holds more.
pub type Limit = (u64, &'static str);

/// What the lines that start in one chunk gave.
struct ChunkResult<T> {
    index: usize,
    /// How many lines start in the chunk: the numbering of the next chunk's lines.
    lines: usize,
    value: T,
    /// The file ended within (or before) this chunk.
    end: bool,
}

/// Applies `f` to the text of every line of `file` (without its `\n`) and returns what it
/// gave with each line's number (from 1), in file order. See [`scan_chunks`].
///
/// # Errors
/// As [`scan_chunks`].
pub fn scan_file<T: Send>(
    file: &File,
    path: &Path,
    limit: Limit,
    workers: usize,
    f: impl Fn(&[u8]) -> Option<T> + Sync,
) -> Result<Vec<(usize, T)>> {
    let found = scan_chunks(file, path, limit, workers, |lines| {
        lines.filter_map(|line| Some((line.number, f(line.text)?))).collect::<Vec<_>>()
    })?;
    let mut first = 1;
    let mut out = Vec::new();
    for (lines, found) in found {
        out.extend(found.into_iter().map(|(number, item)| (first + number, item)));
        first += lines;
    }
    Ok(out)
}

/// Applies `f` to the lines of each chunk of `file`, and returns what it gave for each
/// chunk, in file order, with how many lines the chunk has. `f` sees each line once, in a
/// chunk of the file's lines in order, numbered from 0 within the chunk and with its start
/// in the file. `workers` threads share the chunks; the file is read to its end, as a
/// whole-file read would, and refused (as `what`) once it holds more than `max` bytes.
///
/// # Errors
/// A read fails, or the file grows beyond `max` bytes.
pub fn scan_chunks<T: Send>(
    file: &File,
    path: &Path,
    limit: Limit,
    workers: usize,
    f: impl Fn(&mut dyn Iterator<Item = LineRef<'_>>) -> T + Sync,
) -> Result<Vec<(usize, T)>> {
    scan_in_steps(file, path, limit, workers, STEPS, f)
}

/// [`scan_chunks`] with the chunk and slack sizes given (tests make them tiny).
pub(super) fn scan_in_steps<T: Send>(
    file: &File,
    path: &Path,
    (max, what): Limit,
    workers: usize,
    (chunk, slack): (usize, usize),
    f: impl Fn(&mut dyn Iterator<Item = LineRef<'_>>) -> T + Sync,
) -> Result<Vec<(usize, T)>> {
    let (next, stop) = (AtomicUsize::new(0), AtomicBool::new(false));
    let shared = Shared { file, next, stop, max, chunk, slack };
    let work = || shared.work(&f);
    let mut outcomes = Vec::with_capacity(workers);
    std::thread::scope(|scope| {
        let helpers: Vec<_> = (1..workers.max(1)).map(|_| scope.spawn(work)).collect();
        outcomes.push(work());
        for helper in helpers {
            outcomes.push(helper.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)));
        }
    });
    let mut chunks = Vec::new();
    for outcome in outcomes {
        match outcome {
            Ok(done) => chunks.extend(done),
            Err(Failure::Io(e)) => return Err(Error::io(path, e)),
            Err(Failure::TooLarge(size)) => {
                return Err(Error::TooLarge { path: path.to_path_buf(), what, size });
            }
        }
    }
    Ok(in_order(chunks))
}

/// The chunks' results in file order, up to the first chunk the file ended in (a file
/// that grew while it was read ends there).
fn in_order<T>(mut chunks: Vec<ChunkResult<T>>) -> Vec<(usize, T)> {
    chunks.sort_unstable_by_key(|c| c.index);
    let mut out = Vec::new();
    for (expected, chunk) in chunks.into_iter().enumerate() {
        // Workers stop at the end of the file, so the chunks up to it are all there.
        debug_assert_eq!(chunk.index, expected);
        out.push((chunk.lines, chunk.value));
        if chunk.end {
            break;
        }
    }
    out
}

enum Failure {
    Io(std::io::Error),
    TooLarge(u64),
}

/// What the workers share: the file, the next chunk to take, and whether to stop.
struct Shared<'f> {
    file: &'f File,
    next: AtomicUsize,
    stop: AtomicBool,
    max: u64,
    chunk: usize,
    slack: usize,
}

impl Shared<'_> {
    /// One worker: takes chunks in turn until the file ends, another worker failed, or
    /// this one does.
    fn work<T>(
        &self,
        f: &impl Fn(&mut dyn Iterator<Item = LineRef<'_>>) -> T,
    ) -> std::result::Result<Vec<ChunkResult<T>>, Failure> {
        let mut buffer = vec![0u8; 1 + self.chunk + self.slack];
        let mut done = Vec::new();
        while !self.stop.load(Ordering::Relaxed) {
            let index = self.next.fetch_add(1, Ordering::Relaxed);
            let chunk = self
                .chunk(index, &mut buffer, f)
                .inspect_err(|_| self.stop.store(true, Ordering::Relaxed))?;
            let end = chunk.end;
            done.push(chunk);
            if end {
                // Every later chunk starts past the end too; the others find that out.
                break;
            }
        }
        Ok(done)
    }

    /// Reads chunk `index` (and the byte before it, which says whether a line starts
    /// right at its start), reads on past its end to the end of the last line that starts
    /// in it, and gives `f` those lines.
    fn chunk<T>(
        &self,
        index: usize,
        buffer: &mut Vec<u8>,
        f: &impl Fn(&mut dyn Iterator<Item = LineRef<'_>>) -> T,
    ) -> std::result::Result<ChunkResult<T>, Failure> {
        let start = (index as u64).checked_mul(self.chunk as u64).ok_or(Failure::TooLarge(u64::MAX))?;
        let lead = usize::from(index > 0);
        let mut window = self.fill(&mut buffer[..lead + self.chunk + self.slack], start - lead as u64)?;
        let end = window.len <= lead + self.chunk;
        let own_end = (lead + self.chunk).min(window.len);
        let first = match lead {
            0 => 0,
            // The line in progress at the chunk's start belongs to the chunk before.
            _ => memchr::memchr(b'\n', &buffer[..window.len]).map_or(window.len, |nl| nl + 1),
        };
        // The last line that starts in the chunk is the one in progress at its last byte.
        let last_end = match first < own_end {
            true => self.line_end(own_end - 1, &mut window, buffer)?,
            false => first,
        };
        let from = window.from as usize;
        let mut lines = 0;
        let mut mine = lines_in(&buffer[..last_end], first, 0)
            .map(|line| LineRef { start: from + line.start, ..line })
            .inspect(|_| lines += 1);
        let value = f(&mut mine);
        mine.for_each(drop);
        Ok(ChunkResult { index, lines, value, end })
    }

    /// Reads the file from `from` into `buffer`, as much as it holds.
    fn fill(&self, buffer: &mut [u8], from: u64) -> std::result::Result<Window, Failure> {
        let len = read_full(self.file, buffer, from).map_err(Failure::Io)?;
        let window = Window { from, len, end: len < buffer.len() };
        // A chunk past the end reads nothing, so only a file that is too large fails here.
        match from + len as u64 > self.max {
            true => Err(Failure::TooLarge(from + len as u64)),
            false => Ok(window),
        }
    }

    /// Where the line going on at `at` ends (after its `\n`, or at the end of the file),
    /// reading on into a larger buffer when it goes on past what `window` holds.
    fn line_end(
        &self,
        at: usize,
        window: &mut Window,
        buffer: &mut Vec<u8>,
    ) -> std::result::Result<usize, Failure> {
        loop {
            if let Some(nl) = memchr::memchr(b'\n', &buffer[at..window.len]) {
                return Ok(at + nl + 1);
            }
            if window.end {
                return Ok(window.len);
            }
            let more = buffer.len().max(self.slack);
            buffer.resize(window.len + more, 0);
            let next = self.fill(&mut buffer[window.len..], window.from + window.len as u64)?;
            window.len += next.len;
            window.end = next.end;
        }
    }
}

/// What a worker's buffer holds: `len` bytes of the file from `from`, and whether the
/// file ended there.
struct Window {
    from: u64,
    len: usize,
    end: bool,
}

/// Reads from `offset` until `buffer` is full or the file ends; returns the bytes read.
pub(super) fn read_full(file: &File, buffer: &mut [u8], offset: u64) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buffer.len() {
        match file.read_at(&mut buffer[filled..], offset + filled as u64) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// Reading a line again costs a system call, and then no more than this much of a whole
/// read: more lines than the file's size over this are read with the whole file.
const LINE_READ_COST: u64 = 16 << 10;

/// Lines of a file read again by where they start, after [`scan_chunks`] went over it:
/// each line alone when they are few, else the whole file.
#[derive(Debug)]
pub enum LinesAt {
    Whole(Vec<u8>),
    Picked { starts: Vec<usize>, ends: Vec<usize>, text: Vec<u8> },
}

impl LinesAt {
    /// The line starting at `start` (one that was asked for), without its `\n`.
    pub fn get(&self, start: usize) -> Option<&[u8]> {
        match self {
            LinesAt::Whole(data) => {
                let rest = data.get(start..)?;
                Some(&rest[..memchr::memchr(b'\n', rest).unwrap_or(rest.len())])
            }
            LinesAt::Picked { starts, ends, text } => {
                let index = starts.binary_search(&start).ok()?;
                let from = index.checked_sub(1).map_or(0, |before| ends[before]);
                text.get(from..ends[index])
            }
        }
    }
}

/// Reads the lines of `file` (of `size` bytes when it was opened) that start at `starts`
/// (in order) again, through the descriptor [`scan_chunks`] read: a file replaced by
/// rename since is still the one read, and one appended to still has those lines.
///
/// # Errors
/// A read fails, or the file has grown beyond the limit.
pub fn read_lines_at(
    file: &File,
    path: &Path,
    starts: &[usize],
    size: u64,
    (max, what): Limit,
) -> Result<LinesAt> {
    let io = |e| Error::io(path, e);
    if (starts.len() as u64).saturating_mul(LINE_READ_COST) > size {
        let data = read_all(file, size, max).map_err(io)?;
        if data.len() as u64 > max {
            return Err(Error::TooLarge { path: path.to_path_buf(), what, size: data.len() as u64 });
        }
        return Ok(LinesAt::Whole(data));
    }
    let (mut text, mut ends, mut buffer) = (Vec::new(), Vec::with_capacity(starts.len()), Vec::new());
    for &start in starts {
        let len = read_line(file, start as u64, &mut buffer, max).map_err(io)?;
        text.extend_from_slice(&buffer[..len]);
        ends.push(text.len());
    }
    Ok(LinesAt::Picked { starts: starts.to_vec(), ends, text })
}

/// Reads the line at `start` into `buffer`; returns its length (without the `\n`).
fn read_line(file: &File, start: u64, buffer: &mut Vec<u8>, max: u64) -> std::io::Result<usize> {
    let mut len = 0;
    loop {
        if buffer.len() <= len {
            buffer.resize((2 * len).max(1 << 10), 0);
        }
        let asked = buffer.len() - len;
        let got = read_full(file, &mut buffer[len..], start + len as u64)?;
        if let Some(nl) = memchr::memchr(b'\n', &buffer[len..len + got]) {
            return Ok(len + nl);
        }
        len += got;
        if got < asked || start + len as u64 > max {
            return Ok(len);
        }
    }
}

/// The whole file (of about `size` bytes), up to a byte past `max`.
fn read_all(file: &File, size: u64, max: u64) -> std::io::Result<Vec<u8>> {
    let cap = usize::try_from(max).unwrap_or(usize::MAX).saturating_add(1);
    let mut data = vec![0u8; usize::try_from(size).unwrap_or(usize::MAX).saturating_add(1).min(cap)];
    let mut len = 0;
    loop {
        len += read_full(file, &mut data[len..], len as u64)?;
        if len < data.len() || len >= cap {
            data.truncate(len);
            return Ok(data);
        }
        data.resize(len.saturating_mul(2).min(cap), 0);
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;
    use crate::known_hosts::file::lines_in;

    fn scan(data: &[u8], workers: usize, steps: (usize, usize), max: u64) -> Result<Vec<(usize, Vec<u8>)>> {
        let mut file = tempfile::tempfile().unwrap();
        file.write_all(data).unwrap();
        let chunks = scan_in_steps(&file, Path::new("kh"), (max, "a file"), workers, steps, |lines| {
            lines.map(|l| (l.number, l.start, l.text.to_vec())).collect::<Vec<_>>()
        })?;
        let mut first = 1;
        let mut out = Vec::new();
        for (count, lines) in chunks {
            assert_eq!(count, lines.len());
            for (number, start, text) in lines {
                assert_eq!(&data[start..start + text.len()], &text[..]);
                if !text.starts_with(b"skip") {
                    out.push((first + number, text));
                }
            }
            first += count;
        }
        Ok(out)
    }

    /// Every line once, numbered as a whole-file read numbers it, wherever the chunks
    /// cut the lines: at a newline, just after one, inside a line, or inside a line longer
    /// than a chunk and its slack together.
    #[test]
    fn chunks_see_every_line_once_wherever_they_cut() {
        let long = "x".repeat(50);
        let texts = [
            "".to_string(),
            "a\nbb\n\nccc\nskip\nd".into(),
            "a\nbb\n\nccc\nskip\nd\n".into(),
            format!("{long}\nshort\n{long}{long}\n\n\nend"),
            "\n\n\n".into(),
            "one line without newline".into(),
            (0..300).map(|i| format!("line {i}{}\n", "y".repeat(i % 23))).collect(),
        ];
        for text in &texts {
            let data = text.as_bytes();
            let expected: Vec<_> = lines_in(data, 0, 1)
                .filter(|l| !l.text.starts_with(b"skip"))
                .map(|l| (l.number, l.text.to_vec()))
                .collect();
            for chunk in [1, 2, 3, 5, 8, 13, 64, 1 << 20] {
                for slack in [1, 4, 100] {
                    for workers in [1, 2, 3] {
                        let got = scan(data, workers, (chunk, slack), u64::MAX).unwrap();
                        assert_eq!(
                            got, expected,
                            "chunk {chunk}, slack {slack}, {workers} workers: {text:?}"
                        );
                    }
                }
            }
        }
    }

    /// Lines read again one by one are the lines read again with the whole file.
    #[test]
    fn lines_read_again_alone_or_with_the_whole_file_agree() {
        let long = "z".repeat(3000);
        let data: Vec<u8> = (0..200)
            .flat_map(|i| format!("line {i} {}\n", if i % 17 == 0 { &long[..] } else { "" }).into_bytes())
            .collect();
        let mut file = tempfile::tempfile().unwrap();
        file.write_all(&data).unwrap();
        file.write_all(b"last without newline").unwrap();
        let all: Vec<_> = lines_in(&data, 0, 1).map(|l| (l.start, l.text.to_vec())).collect();
        let starts: Vec<usize> = all.iter().map(|(start, _)| *start).filter(|s| s % 3 != 0).collect();
        let size = data.len() as u64 + 20;
        let limit = (u64::MAX, "a file");
        let picked = read_lines_at(&file, Path::new("kh"), &starts, size * LINE_READ_COST, limit).unwrap();
        let whole = read_lines_at(&file, Path::new("kh"), &starts, 0, limit).unwrap();
        assert!(matches!(picked, LinesAt::Picked { .. }) && matches!(whole, LinesAt::Whole(_)));
        for (start, text) in all.iter().filter(|(start, _)| starts.contains(start)) {
            assert_eq!(picked.get(*start), Some(&text[..]));
            assert_eq!(whole.get(*start), Some(&text[..]));
        }
        let last = data.len();
        let at_end = read_lines_at(&file, Path::new("kh"), &[last], size * LINE_READ_COST, limit).unwrap();
        assert_eq!(at_end.get(last), Some(&b"last without newline"[..]));
        assert_eq!(at_end.get(0), None);
    }

    #[test]
    fn a_file_over_the_limit_is_refused() {
        let data = b"aaaa\nbbbb\ncccc\n";
        assert!(scan(data, 2, (4, 2), data.len() as u64).is_ok());
        for (chunk, slack) in [(4, 2), (3, 1), (100, 100)] {
            let err = scan(data, 2, (chunk, slack), data.len() as u64 - 1).unwrap_err();
            assert!(matches!(err, Error::TooLarge { .. }), "{err:?}");
        }
    }
}
