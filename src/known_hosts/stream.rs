//! Searching a known_hosts file without holding it: each worker reads chunks of the file
//! with positioned reads into one buffer it reuses, and tests the lines that start in its
//! chunk. Reading then overlaps testing, runs on every core, and touches no fresh memory
//! (a whole-file read into a new buffer spent a fifth of `find`'s time in page faults,
//! before any line could be tested).

use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use crate::error::{Error, Result};

/// Bytes of the file a chunk covers: large enough that a read costs little beside the
/// lines it brings, small enough to stay in the core's cache.
const CHUNK: usize = 256 << 10;
/// Read past a chunk's end at once, for its last line (known_hosts lines are short; a
/// longer one is read on in further steps).
const SLACK: usize = 4 << 10;

/// What the lines that start in one chunk gave.
struct ChunkResult<T> {
    index: usize,
    /// How many lines start in the chunk: the numbering of the next chunk's lines.
    lines: usize,
    /// The results, with the line's number counted from the chunk's first line (0).
    found: Vec<(usize, T)>,
    /// The file ended within (or before) this chunk.
    end: bool,
}

/// Applies `f` to the text of every line of `file` (without its `\n`) and returns what it
/// gave with each line's number (from 1), in file order. `workers` threads share the
/// chunks; the file is read to its end, as a whole-file read would, and refused (as
/// `what`) once it exceeds `max` bytes.
///
/// # Errors
/// A read fails, or the file grows beyond `max` bytes.
pub fn scan_file<T: Send>(
    file: &File,
    path: &Path,
    (max, what): (u64, &'static str),
    workers: usize,
    f: impl Fn(&[u8]) -> Option<T> + Sync,
) -> Result<Vec<(usize, T)>> {
    scan_in_steps(file, path, (max, what), workers, (CHUNK, SLACK), f)
}

/// [`scan_file`] with the chunk and slack sizes given (tests make them tiny).
fn scan_in_steps<T: Send>(
    file: &File,
    path: &Path,
    (max, what): (u64, &'static str),
    workers: usize,
    (chunk, slack): (usize, usize),
    f: impl Fn(&[u8]) -> Option<T> + Sync,
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
    Ok(assemble(chunks))
}

/// The chunks' results in file order, numbered from 1, up to the first chunk the file
/// ended in (a file that grew while it was read ends there).
fn assemble<T>(mut chunks: Vec<ChunkResult<T>>) -> Vec<(usize, T)> {
    chunks.sort_unstable_by_key(|c| c.index);
    let mut out = Vec::new();
    let mut first = 1;
    for (expected, chunk) in chunks.into_iter().enumerate() {
        // Workers stop at the end of the file, so the chunks up to it are all there.
        debug_assert_eq!(chunk.index, expected);
        out.extend(chunk.found.into_iter().map(|(number, item)| (first + number, item)));
        first += chunk.lines;
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
    fn work<T>(&self, f: &impl Fn(&[u8]) -> Option<T>) -> std::result::Result<Vec<ChunkResult<T>>, Failure> {
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
    /// right at its start) and tests the lines that start in it, reading on past its end
    /// for the last one.
    fn chunk<T>(
        &self,
        index: usize,
        buffer: &mut Vec<u8>,
        f: &impl Fn(&[u8]) -> Option<T>,
    ) -> std::result::Result<ChunkResult<T>, Failure> {
        let start = (index as u64).checked_mul(self.chunk as u64).ok_or(Failure::TooLarge(u64::MAX))?;
        let lead = usize::from(index > 0);
        let mut window = self.fill(&mut buffer[..lead + self.chunk + self.slack], start - lead as u64)?;
        let own_end = (lead + self.chunk).min(window.len);
        let mut result =
            ChunkResult { index, lines: 0, found: Vec::new(), end: window.len <= lead + self.chunk };
        let mut at = match lead {
            0 => 0,
            // The line in progress at the chunk's start belongs to the chunk before.
            _ => memchr::memchr(b'\n', &buffer[..window.len]).map_or(window.len, |nl| nl + 1),
        };
        while at < own_end {
            let line_end = self.line_end(at, &mut window, buffer)?;
            if let Some(item) = f(&buffer[at..line_end]) {
                result.found.push((result.lines, item));
            }
            result.lines += 1;
            at = line_end + 1;
        }
        Ok(result)
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

    /// Where the line starting at `at` ends (its `\n`, or the end of the file), reading on
    /// into a larger buffer when it goes on past what `window` holds.
    fn line_end(
        &self,
        at: usize,
        window: &mut Window,
        buffer: &mut Vec<u8>,
    ) -> std::result::Result<usize, Failure> {
        loop {
            if let Some(nl) = memchr::memchr(b'\n', &buffer[at..window.len]) {
                return Ok(at + nl);
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
fn read_full(file: &File, buffer: &mut [u8], offset: u64) -> std::io::Result<usize> {
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

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;
    use crate::known_hosts::file::lines_in;

    fn scan(data: &[u8], workers: usize, steps: (usize, usize), max: u64) -> Result<Vec<(usize, Vec<u8>)>> {
        let mut file = tempfile::tempfile().unwrap();
        file.write_all(data).unwrap();
        scan_in_steps(&file, Path::new("kh"), (max, "a file"), workers, steps, |text| {
            (!text.starts_with(b"skip")).then(|| text.to_vec())
        })
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
