//! Where keys are read from, the one reader every command shares: a file (a pipe too,
//! for `<(ssh-keyscan host)`), `-` for standard input, or a key line given as the
//! argument itself. Public key lines (`.pub`, authorized_keys, known_hosts) are streamed
//! one at a time, so a file of a million lines is never held whole; a private key is
//! recognised by its first line and handed over whole. Also here: the `.pub` beside a
//! private key, as OpenSSH's `sshkey_try_load_public` reads it.

use std::io::{self, BufRead, BufReader, Read};
use std::os::unix::fs::FileTypeExt;
use std::path::{Path, PathBuf};

use ssh_key::public::KeyData;
use zeroize::Zeroizing;

use super::PrivateKeyFile;
use super::scan::{self, FoundKey, Scanned, Scanner, c_string};
use super::text::{diagnose, read_key, skip_blanks};
use crate::error::{Error, Result};
use crate::fsutil::{self, Accept};

/// The most bytes one key takes: a line read for a key, or a private key read whole. The
/// largest keys OpenSSH makes (RSA 16384 bits, a certificate with many principals) take a
/// few KiB, and OpenSSH has long refused key files over 1 MiB too; so 1 MiB is far beyond any real key while a runaway input (`/dev/zero` behind
/// a pipe, a binary file without newlines) costs at most 1 MiB of memory. A longer line is
/// cut there and its rest skipped, never buffered.
pub const MAX_KEY_BYTES: u64 = 1024 * 1024;

/// The argument that means standard input.
const STDIN_ARG: &str = "-";

/// How standard input is named in messages, as ssh-keygen names it.
pub const STDIN_NAME: &str = "(stdin)";

/// Whether a FILE argument means standard input.
pub fn is_stdin(path: &Path) -> bool {
    path == Path::new(STDIN_ARG)
}

/// Where keys are read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    /// `-`.
    Stdin,
    /// A file, or a pipe.
    File(PathBuf),
    /// A key line given as the argument.
    Inline(String),
}

impl KeySource {
    /// A FILE argument: `-` is standard input.
    pub fn file(arg: &Path) -> Self {
        match is_stdin(arg) {
            true => KeySource::Stdin,
            false => KeySource::File(arg.to_path_buf()),
        }
    }

    /// A KEY argument: `-`, a key line (`TYPE BASE64 …`) or a file.
    pub fn file_or_line(arg: &str) -> Self {
        match looks_like_key_line(arg) {
            true => KeySource::Inline(arg.to_string()),
            false => KeySource::file(Path::new(arg)),
        }
    }

    /// The source as messages name it.
    pub fn name(&self) -> PathBuf {
        match self {
            KeySource::Stdin => PathBuf::from(STDIN_NAME),
            KeySource::File(path) => path.clone(),
            KeySource::Inline(_) => PathBuf::from("the KEY argument"),
        }
    }

    /// Opens the source for reading its keys. A named file may be a pipe (a FIFO no one
    /// writes to reads as empty, never a hang); a device or directory is refused.
    ///
    /// # Errors
    /// The file cannot be opened.
    pub fn open(&self) -> Result<KeyReader<'_>> {
        self.open_for(true)
    }

    /// Opens the source for its public key lines only: a private key's lines are no key
    /// lines (where a public key file is expected, as copy-id's `-i FILE.pub`).
    ///
    /// # Errors
    /// The file cannot be opened.
    pub fn open_public(&self) -> Result<KeyReader<'_>> {
        self.open_for(false)
    }

    fn open_for(&self, private_keys: bool) -> Result<KeyReader<'_>> {
        let (input, streamed): (Box<dyn BufRead>, bool) = match self {
            KeySource::Stdin => (Box::new(io::stdin().lock()), true),
            KeySource::File(path) => {
                let (file, meta) = fsutil::open_input(path, Accept::Pipe)?;
                (Box::new(BufReader::with_capacity(64 * 1024, file)), meta.file_type().is_fifo())
            }
            KeySource::Inline(line) => (Box::new(line.as_bytes()), true),
        };
        Ok(KeyReader {
            source: self,
            name: self.name(),
            input,
            streamed,
            private_keys,
            line: Vec::new(),
            number: 0,
            scanner: Scanner::new(),
            first_bad_line: None,
            found_any: false,
            skipped: None,
        })
    }
}

/// What the reader found next.
pub enum Item<'a> {
    /// A key on line `line`; `text` is the whole line (without its `\n`).
    Key { line: usize, text: &'a [u8], found: FoundKey<'a> },
    /// The source is a private key (its first line says so). Nothing more follows.
    Private(PrivateInput),
}

/// A private key found where keys were read.
pub struct PrivateInput {
    /// The key file, read whole; or why it could not be.
    pub file: Result<PrivateKeyFile>,
    /// The file it came from, unless it came from standard input or a pipe, which have no
    /// `.pub` beside them.
    pub path: Option<PathBuf>,
}

/// Reads keys from a [`KeySource`] line by line, remembering the first bad line.
pub struct KeyReader<'a> {
    source: &'a KeySource,
    name: PathBuf,
    input: Box<dyn BufRead + 'a>,
    /// Whether the input cannot be read again (stdin, a pipe, an inline line).
    streamed: bool,
    /// Whether a private key is read as one (else its lines are bad lines).
    private_keys: bool,
    line: Vec<u8>,
    number: usize,
    scanner: Scanner,
    first_bad_line: Option<(usize, &'static str)>,
    found_any: bool,
    /// The numbers of lines that held no key, kept only when asked for.
    skipped: Option<Vec<usize>>,
}

impl KeyReader<'_> {
    /// Keeps the numbers of the lines that hold no key (blank and comment lines aside),
    /// for [`KeyReader::take_skipped`]: ssh-keygen -lv reports each.
    pub fn keep_skipped(&mut self) {
        self.skipped.get_or_insert_with(Vec::new);
    }

    /// The lines without a key read since the last call (see [`KeyReader::keep_skipped`]).
    pub fn take_skipped(&mut self) -> Vec<usize> {
        self.skipped.as_mut().map(std::mem::take).unwrap_or_default()
    }

    /// The source as messages name it.
    pub fn name(&self) -> &Path {
        &self.name
    }

    /// The next key, or the private key the source is; `None` at the end.
    ///
    /// # Errors
    /// Reading failed.
    pub fn next_key(&mut self) -> Result<Option<Item<'_>>> {
        loop {
            let Some(newline) =
                read_line(&mut self.input, &mut self.line).map_err(|e| Error::io(&self.name, e))?
            else {
                return Ok(None);
            };
            self.number += 1;
            if self.number == 1 && self.private_keys && scan::is_private_key_line(&self.line) {
                return Ok(Some(Item::Private(self.read_private()?)));
            }
            let key = match self.scanner.classify(&self.line, newline) {
                Scanned::Key(key) => key,
                Scanned::Blank => continue,
                Scanned::NotAKey => {
                    if let Some(skipped) = &mut self.skipped {
                        skipped.push(self.number);
                    }
                    if self.first_bad_line.is_none() {
                        self.first_bad_line = Some((self.number, diagnose(c_string(&self.line))));
                    }
                    continue;
                }
            };
            self.found_any = true;
            let found = self.scanner.found_key(key);
            return Ok(Some(Item::Key { line: self.number, text: &self.line, found }));
        }
    }

    /// Ends the reading: an error naming the first bad line when no key was found.
    ///
    /// # Errors
    /// [`Error::NoPublicKey`] when the source held no key.
    pub fn finish(self) -> Result<()> {
        match self.found_any {
            true => Ok(()),
            false => Err(Error::NoPublicKey { path: self.name, first_bad_line: self.first_bad_line }),
        }
    }

    /// The whole private key: a file is read again as a key file (its mode checked); a
    /// streamed input gives the rest of itself, up to [`MAX_KEY_BYTES`].
    fn read_private(&mut self) -> Result<PrivateInput> {
        let path = match (self.source, self.streamed) {
            (KeySource::File(path), false) => path,
            _ => return Ok(PrivateInput { file: self.read_rest_as_private(), path: None }),
        };
        Ok(PrivateInput { file: PrivateKeyFile::read(path), path: Some(path.clone()) })
    }

    fn read_rest_as_private(&mut self) -> Result<PrivateKeyFile> {
        // The key's bytes are wiped when dropped, as PrivateKeyFile::read wipes them.
        let mut data = Zeroizing::new(std::mem::take(&mut self.line));
        data.push(b'\n');
        let rest = (&mut self.input).take(MAX_KEY_BYTES).read_to_end(&mut data);
        rest.map_err(|e| Error::io(&self.name, e))?;
        PrivateKeyFile::parse(&self.name, &data)
    }
}

/// Whether an argument is a key line rather than a file name: a key type, then a blank.
pub fn looks_like_key_line(text: &str) -> bool {
    text.split_whitespace().next().is_some_and(|word| crate::known_hosts::line::is_key_type(word.as_bytes()))
        && text.contains(' ')
}

/// Reads one line without its `\n` into `line`: `None` at end of input, otherwise
/// whether the line had a `\n`. Overlong lines are cut at [`MAX_KEY_BYTES`] and their
/// rest discarded.
fn read_line(reader: &mut dyn BufRead, line: &mut Vec<u8>) -> io::Result<Option<bool>> {
    line.clear();
    let read = reader.take(MAX_KEY_BYTES).read_until(b'\n', line)?;
    if read == 0 {
        return Ok(None);
    }
    if line.last() == Some(&b'\n') {
        line.pop();
        return Ok(Some(true));
    }
    if line.len() as u64 >= MAX_KEY_BYTES {
        skip_to_newline(reader)?;
    }
    Ok(Some(false))
}

fn skip_to_newline(reader: &mut dyn BufRead) -> io::Result<()> {
    loop {
        let buf = reader.fill_buf()?;
        if buf.is_empty() {
            return Ok(());
        }
        match memchr::memchr(b'\n', buf) {
            Some(at) => {
                reader.consume(at + 1);
                return Ok(());
            }
            None => {
                let len = buf.len();
                reader.consume(len);
            }
        }
    }
}

/// The first key of the `.pub` beside the private key `path`, with its comment, as
/// OpenSSH's `sshkey_try_load_public` reads it: a key without a comment is named after
/// the `.pub` file. `None` when there is no such file or it holds no key.
pub fn pub_beside(path: &Path) -> Option<(KeyData, Vec<u8>)> {
    first_public_key(&fsutil::with_suffix(path, ".pub"))
}

/// The first key line of the file `pub_path`, with its comment (the file's name when the
/// line has none), as OpenSSH's `sshkey_try_load_public` reads a public key file: lines
/// that are no key are passed over, a private key's armour ends the search. `None` when
/// the file cannot be read or holds no key.
pub fn first_public_key(pub_path: &Path) -> Option<(KeyData, Vec<u8>)> {
    let data = fsutil::read_capped(pub_path, MAX_KEY_BYTES, "a public key").ok()?;
    for raw in data.split_inclusive(|&b| b == b'\n') {
        let line = c_string(raw);
        if matches!(line.first(), None | Some(b'#' | b'\n')) {
            continue;
        }
        if line.starts_with(b"-----BEGIN") {
            return None;
        }
        if let Some((key, rest)) = read_key(skip_blanks(line)) {
            let end = rest.iter().position(|&b| b == b'\r' || b == b'\n').unwrap_or(rest.len());
            let comment = match &rest[..end] {
                [] => pub_path.as_os_str().as_encoded_bytes().to_vec(),
                text => text.to_vec(),
            };
            return Some((key, comment));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_argument_is_stdin_a_key_line_or_a_file() {
        assert_eq!(KeySource::file_or_line("-"), KeySource::Stdin);
        let line = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE host";
        assert_eq!(KeySource::file_or_line(line), KeySource::Inline(line.to_string()));
        assert_eq!(KeySource::file_or_line("ssh-ed25519"), KeySource::File("ssh-ed25519".into()));
        assert_eq!(KeySource::file(Path::new("-")).name(), PathBuf::from("(stdin)"));
    }

    #[test]
    fn an_overlong_line_is_cut_and_its_rest_skipped() {
        let mut input = vec![b'x'; MAX_KEY_BYTES as usize + 10];
        input.extend_from_slice(b"\nnext\n");
        let mut reader: &[u8] = &input;
        let mut line = Vec::new();
        assert_eq!(read_line(&mut reader, &mut line).unwrap(), Some(false));
        assert_eq!(line.len() as u64, MAX_KEY_BYTES);
        assert_eq!(read_line(&mut reader, &mut line).unwrap(), Some(true));
        assert_eq!(line, b"next");
        assert_eq!(read_line(&mut reader, &mut line).unwrap(), None);
    }
}
