//! allowed_signers files (ssh-keygen(1) ALLOWED SIGNERS): one signer a line,
//! `principals [options] keytype base64 [comment]`, read exactly as OpenSSH 9.2's sshsig.c
//! reads them, quirks included, since a line keywright accepts and OpenSSH refuses (or
//! the reverse) would make the two disagree about who signed.
//!
//! No maintained crate parses this format: ssh-key has an authorized_keys and a
//! known_hosts parser but none for allowed_signers, and the format's rules (a principals
//! field split like a config word, then either a key or options and a key) are sshsig.c's
//! own. The key itself is read by the project's one key-line reader ([`read_key`]).
//!
//! A line is read in two steps, as sshsig.c reads it: [`head`] splits off the principals
//! (a lookup for one principal skips lines that do not name it without reading further,
//! and so without complaining about them), then [`body`] reads the options and the key.
//! Lines keep their newline: OpenSSH reads them with it, and it decides some answers (a
//! blank line lacks a key; a last line of one word without a newline is invalid).

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use ssh_key::public::KeyData;

use super::options::{OptionError, Options};
use crate::error::Result;
use crate::fsutil::{self, Accept, Expect};
use crate::key::scan::c_string;
use crate::key::text::{is_blank, read_key, skip_blanks};

/// The largest allowed_signers file read. A signer takes a line of about 100 bytes
/// (an RSA 16384 key a few KiB), so 64 MiB is hundreds of thousands of signers, while a
/// runaway input (`/dev/zero` behind a pipe) costs at most that much memory.
pub const MAX_FILE_BYTES: u64 = 64 << 20;

/// An allowed_signers file, read whole.
#[derive(Debug, Clone)]
pub struct SignersFile {
    path: PathBuf,
    data: Vec<u8>,
}

impl SignersFile {
    /// Reads `path` (a pipe too, as `<(…)` gives).
    ///
    /// # Errors
    /// The file cannot be read, is not a regular file or pipe, or is larger than
    /// [`MAX_FILE_BYTES`].
    pub fn read(path: &Path) -> Result<Self> {
        let expect = Expect { what: "an allowed_signers file", accept: Accept::Pipe };
        let data = fsutil::read_capped(path, MAX_FILE_BYTES, expect)?;
        Ok(SignersFile { path: path.to_path_buf(), data })
    }

    /// A file from bytes (tests, fuzzing).
    pub fn from_bytes(path: &Path, data: Vec<u8>) -> Self {
        SignersFile { path: path.to_path_buf(), data }
    }

    /// The file as named.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The whole contents.
    pub fn bytes(&self) -> &[u8] {
        &self.data
    }

    /// The lines, numbered from 1, each with its newline and cut at a NUL byte (C string
    /// functions end there).
    pub fn lines(&self) -> impl Iterator<Item = (usize, &[u8])> {
        self.data.split_inclusive(|&b| b == b'\n').map(c_string).enumerate().map(|(i, line)| (i + 1, line))
    }
}

/// Why a line cannot be read (sshsig.c's reasons, one each).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineProblem {
    /// Nothing after the principals, or a principal with an unclosed `"`.
    InvalidLine,
    /// Options with an unclosed `"`.
    InvalidOptions,
    /// Options without a key after them.
    MissingKey,
    /// Something after the options that is not a key.
    InvalidKey,
    /// The options themselves are wrong.
    BadOptions(OptionError),
}

impl std::fmt::Display for LineProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LineProblem::InvalidLine => f.write_str("not a signer: expected principals, options and a key"),
            LineProblem::InvalidOptions => f.write_str("options with an unclosed quote"),
            LineProblem::MissingKey => f.write_str("no key"),
            LineProblem::InvalidKey => f.write_str("the key is not a valid public key"),
            LineProblem::BadOptions(why) => write!(f, "bad options: {why}"),
        }
    }
}

/// The principals field of a line, split off as sshsig.c splits it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Head<'a> {
    /// A blank or comment line.
    Skip,
    /// A line that is not even principals and something after them.
    Invalid,
    /// The principals (quotes removed) and the rest of the line.
    Signer { principals: Cow<'a, [u8]>, rest: &'a [u8] },
}

/// What OpenSSH calls white space when it splits config words (`WHITESPACE`).
fn is_word_space(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\r' | b'\n')
}

/// Splits the principals off `line` (with its newline): misc.c `strdelimw` after leading
/// blanks. A `"` removes itself and the next `"` ends the word, wherever they are (so
/// `"a b"` is one principal, and `x"a b"y KEY` is the principal `xa b` before `y KEY`).
pub fn head(line: &[u8]) -> Head<'_> {
    let line = skip_blanks(line);
    if matches!(line.first(), None | Some(b'#')) {
        return Head::Skip;
    }
    let Some(at) = line.iter().position(|&b| is_word_space(b) || b == b'"') else {
        return Head::Invalid;
    };
    let (principals, after) = match line[at] {
        b'"' => {
            let quoted = &line[at + 1..];
            let Some(close) = quoted.iter().position(|&b| b == b'"') else { return Head::Invalid };
            let mut word = line[..at].to_vec();
            word.extend_from_slice(&quoted[..close]);
            (Cow::Owned(word), &quoted[close + 1..])
        }
        _ => (Cow::Borrowed(&line[..at]), &line[at + 1..]),
    };
    let spaces = after.iter().take_while(|&&b| is_word_space(b)).count();
    Head::Signer { principals, rest: &after[spaces..] }
}

/// The options and key of a line, after its principals.
#[derive(Debug, Clone)]
pub struct Body<'a> {
    pub options: Options,
    /// The options as written (empty when there are none).
    pub options_text: &'a [u8],
    pub key: KeyData,
    /// What follows the key (its comment), with the line's newline.
    pub comment: &'a [u8],
}

/// Reads the options and key after the principals, as sshsig.c's
/// `parse_principals_key_and_options`: a key, or else options up to the first blank
/// outside quotes, blanks, and a key.
///
/// # Errors
/// Why the line is refused, as OpenSSH words it (see [`LineProblem`]).
pub fn body(rest: &[u8]) -> std::result::Result<Body<'_>, LineProblem> {
    let (options_text, key_text) = match read_key(rest) {
        Some(_) => (&rest[..0], rest),
        None => {
            let end = options_end(rest).ok_or(LineProblem::InvalidOptions)?;
            if end == rest.len() {
                return Err(LineProblem::MissingKey);
            }
            (&rest[..end], skip_blanks(&rest[end + 1..]))
        }
    };
    let (key, comment) = read_key(key_text).ok_or(LineProblem::InvalidKey)?;
    let options = Options::parse(options_text).map_err(LineProblem::BadOptions)?;
    Ok(Body { options, options_text, key, comment })
}

/// Where options end: the first blank outside double quotes (`\"` is no quote); `None`
/// for an unclosed quote (authfile.c `sshkey_advance_past_options`).
fn options_end(text: &[u8]) -> Option<usize> {
    let mut quoted = false;
    let mut at = 0;
    while at < text.len() && (quoted || !is_blank(text[at])) {
        if text[at] == b'\\' && text.get(at + 1) == Some(&b'"') {
            at += 1;
        } else if text[at] == b'"' {
            quoted = !quoted;
        }
        at += 1;
    }
    (!(quoted && at >= text.len())).then_some(at.min(text.len()))
}

/// One signer line, read whole.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The line number, from 1.
    pub line: usize,
    /// The principals field, quotes removed: comma-separated patterns.
    pub principals: Vec<u8>,
    pub options: Options,
    pub key: KeyData,
    /// The comment after the key, without the newline; empty when there is none.
    pub comment: Vec<u8>,
}

/// What a line of the file is, read whole (for listing, auditing and editing).
#[derive(Debug, Clone)]
pub enum Parsed {
    /// A blank or comment line.
    Skip,
    Entry(Box<Entry>),
    Invalid(LineProblem),
}

/// Reads line `number` whole, for listing, auditing and editing. A line of blanks only
/// is skipped here, as a blank line: OpenSSH's lookups read it as a signer without a key
/// (find-principals complains about it), which [`head`] and [`body`] reproduce, but it
/// admits no one and is no mistake worth reporting.
pub fn parse_line(number: usize, line: &[u8]) -> Parsed {
    if line.iter().all(|&b| is_word_space(b)) {
        return Parsed::Skip;
    }
    let (principals, rest) = match head(line) {
        Head::Skip => return Parsed::Skip,
        Head::Invalid => return Parsed::Invalid(LineProblem::InvalidLine),
        Head::Signer { principals, rest } => (principals, rest),
    };
    match body(rest) {
        Ok(body) => Parsed::Entry(Box::new(Entry {
            line: number,
            principals: principals.into_owned(),
            options: body.options,
            key: body.key,
            comment: trim_newline(body.comment).to_vec(),
        })),
        Err(problem) => Parsed::Invalid(problem),
    }
}

/// Text without a trailing `\n` or `\r\n`, and without trailing blanks.
fn trim_newline(text: &[u8]) -> &[u8] {
    let end = text.iter().rposition(|&b| !is_word_space(b)).map_or(0, |at| at + 1);
    &text[..end]
}

/// Splits a principals field into its patterns as OpenSSH lists them (find-principals,
/// certificate principals): at commas, stopping at the first empty one.
pub fn split_principals(field: &[u8]) -> impl Iterator<Item = &[u8]> {
    field.split(|&b| b == b',').take_while(|part| !part.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    const ED: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGIrVZlC1iPIHCa8aMN6tFuV5UtyIYE6mjoM3htErex4";

    /// What OpenSSH's lookups make of a line: a problem, or none.
    fn problem(line: &str) -> Option<LineProblem> {
        match head(line.as_bytes()) {
            Head::Invalid => Some(LineProblem::InvalidLine),
            Head::Skip => None,
            Head::Signer { rest, .. } => body(rest).err(),
        }
    }

    /// Each line and its verdict as `ssh-keygen -Y find-principals` gave them.
    #[test]
    fn lines_like_openssh() {
        assert_eq!(problem("\n"), Some(LineProblem::MissingKey));
        assert_eq!(problem("   \n"), Some(LineProblem::MissingKey));
        assert!(matches!(parse_line(1, b"  # comment\n"), Parsed::Skip));
        assert!(matches!(parse_line(1, b""), Parsed::Skip));
        // A list or an audit passes over blank lines.
        assert!(matches!(parse_line(1, b" \t\r\n"), Parsed::Skip));
        assert_eq!(problem("alice"), Some(LineProblem::InvalidLine));
        assert_eq!(problem("alice\n"), Some(LineProblem::MissingKey));
        assert_eq!(problem("garbage line\n"), Some(LineProblem::MissingKey));
        assert_eq!(problem("\"al ice,bob ssh-ed25519 AAAA\n"), Some(LineProblem::InvalidLine));
        assert_eq!(problem("alice ssh-ed25519 AAAAbad\n"), Some(LineProblem::InvalidKey));
        assert_eq!(problem("alice \"x y\n"), Some(LineProblem::InvalidOptions));
        let quoted_then_more = format!("\"al ice\",bob {ED}\n");
        assert_eq!(problem(&quoted_then_more), Some(LineProblem::BadOptions(OptionError::Unknown)));
        let Parsed::Entry(entry) =
            parse_line(3, format!("\"al ice\"\tcert-authority {ED} a comment \n").as_bytes())
        else {
            panic!("not an entry")
        };
        assert_eq!((entry.line, &entry.principals[..]), (3, &b"al ice"[..]));
        assert!(entry.options.cert_authority);
        assert_eq!(entry.comment, b"a comment");
    }

    proptest::proptest! {
        /// Any line of the bytes that matter to the grammar is read without a panic, and
        /// a line read whole has options that write back as themselves.
        #[test]
        fn any_line_is_read(
            line in proptest::collection::vec(
                proptest::sample::select(b" \t\r\n\",=!*?#\\\0acdeilmnoprstuvyzAZ019-".to_vec()),
                0..120,
            ),
            key_at in 0..120usize,
        ) {
            let mut line = line;
            let at = key_at.min(line.len());
            line.splice(at..at, format!(" {ED} ").into_bytes());
            let _ = head(&line);
            if let Parsed::Entry(entry) = parse_line(1, &line) {
                let utf8 = entry.options.namespaces.as_deref().is_none_or(|n| std::str::from_utf8(n).is_ok());
                if let (Some(text), true) = (super::super::options::format(&entry.options), utf8) {
                    proptest::prop_assert_eq!(Options::parse(text.as_bytes()), Ok(entry.options));
                }
            }
        }
    }

    #[test]
    fn principals_list_like_openssh() {
        let parts: Vec<&[u8]> = split_principals(b"alice,,bob").collect();
        assert_eq!(parts, [&b"alice"[..]]);
        assert_eq!(split_principals(b"*,!mallory").count(), 2);
    }
}
