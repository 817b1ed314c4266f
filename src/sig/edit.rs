//! `signers add`: appending signer lines to an allowed_signers file, atomically and under
//! the directory lock (two runs never lose each other's line), without repeating a line
//! that is already there. Every line is read back with the same parser OpenSSH's rules
//! are implemented by before it is written, so a line keywright writes is one OpenSSH
//! reads as meant.

use std::path::Path;

use ssh_key::public::KeyData;

use super::allowed::{Parsed, parse_line};
use super::options::{self, Options};
use crate::error::{Error, Result};
use crate::fsutil::{FileMode, Update};

/// A signer to add.
#[derive(Debug, Clone)]
pub struct NewSigner {
    /// Comma-separated principal patterns.
    pub principals: String,
    pub options: Options,
    pub key: KeyData,
    /// The key's comment, kept after it for the reader.
    pub comment: Option<Vec<u8>>,
}

/// What became of one signer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case", tag = "outcome")]
pub enum Added {
    /// The same principals, options and key are already on this line.
    Present { line: usize },
    /// Appended as this line.
    Appended { line: usize },
}

/// Adds `signers` to the file at `path` (created, mode 0644, when missing).
///
/// # Errors
/// A signer that cannot be written as a line OpenSSH reads as meant, or an I/O error;
/// the file is then unchanged.
pub fn add(path: &Path, signers: &[NewSigner]) -> Result<Vec<Added>> {
    let lines: Vec<Vec<u8>> = signers.iter().map(line_of).collect::<Result<_>>()?;
    let update = Update::begin(path)?;
    let existing =
        update.read(super::allowed::MAX_FILE_BYTES, "an allowed_signers file")?.unwrap_or_default();
    let mut entries = present(&existing);
    let mut next = existing.split_inclusive(|&b| b == b'\n').count() + 1;
    let mut appended = Vec::new();
    if !existing.is_empty() && !existing.ends_with(b"\n") {
        appended.push(b'\n');
    }
    let mut outcomes = Vec::new();
    for (signer, line) in signers.iter().zip(&lines) {
        if let Some((number, _)) = entries.iter().find(|(_, entry)| same(entry, signer)) {
            outcomes.push(Added::Present { line: *number });
            continue;
        }
        appended.extend_from_slice(line);
        entries.push((next, Signed::of(signer)));
        outcomes.push(Added::Appended { line: next });
        next += 1;
    }
    if outcomes.iter().any(|o| matches!(o, Added::Appended { .. })) {
        update.commit_parts(&[&existing, &appended], FileMode::KeepOr(0o644), false)?;
    }
    Ok(outcomes)
}

/// What makes two lines the same signer.
#[derive(Debug, Clone)]
struct Signed {
    principals: Vec<u8>,
    options: Options,
    key: KeyData,
}

impl From<super::allowed::Entry> for Signed {
    fn from(entry: super::allowed::Entry) -> Self {
        Signed { principals: entry.principals, options: entry.options, key: entry.key }
    }
}

impl Signed {
    fn of(signer: &NewSigner) -> Self {
        Signed {
            principals: signer.principals.as_bytes().to_vec(),
            options: signer.options.clone(),
            key: signer.key.clone(),
        }
    }
}

fn same(entry: &Signed, signer: &NewSigner) -> bool {
    entry.principals == signer.principals.as_bytes()
        && entry.options == signer.options
        && entry.key == signer.key
}

/// The signers already in the file, by line.
fn present(existing: &[u8]) -> Vec<(usize, Signed)> {
    let file = super::SignersFile::from_bytes(Path::new(""), existing.to_vec());
    file.lines()
        .filter_map(|(number, line)| match parse_line(number, line) {
            Parsed::Entry(entry) => Some((number, Signed::from(*entry))),
            _ => None,
        })
        .collect()
}

/// The line for a signer, checked to read back as the same signer.
fn line_of(signer: &NewSigner) -> Result<Vec<u8>> {
    let refuse = |reason: &'static str| Error::BadSigner { principals: signer.principals.clone(), reason };
    let principals = &signer.principals;
    if principals.is_empty() {
        return Err(refuse("no principal"));
    }
    if principals.contains(['"', '\n', '\r', '\0']) {
        return Err(refuse("a principal holds a quote or a line break"));
    }
    // A field with blanks (or that would read as a comment) is written in quotes, the
    // one form OpenSSH reads it back from.
    let field = match principals.contains([' ', '\t']) || principals.starts_with('#') {
        true => format!("\"{principals}\""),
        false => principals.clone(),
    };
    let mut line = field.into_bytes();
    if let Some(options) = options::format(&signer.options) {
        line.push(b' ');
        line.extend_from_slice(options.as_bytes());
    }
    line.push(b' ');
    line.extend_from_slice(&crate::key::private::public_line(&ssh_key::PublicKey::new(
        signer.key.clone(),
        "",
    )));
    trim_newline(&mut line);
    if let Some(comment) = signer.comment.as_deref().filter(|c| !c.is_empty()) {
        crate::key::text::check_one_line(comment, crate::error::CommentOf::Argument)?;
        line.push(b' ');
        line.extend_from_slice(comment);
    }
    line.push(b'\n');
    let reads_back = match parse_line(1, &line) {
        Parsed::Entry(entry) => same(&Signed::from(*entry), signer),
        _ => false,
    };
    match reads_back {
        true => Ok(line),
        false => Err(refuse("it would not read back as these principals")),
    }
}

fn trim_newline(line: &mut Vec<u8>) {
    while matches!(line.last(), Some(b'\n' | b' ')) {
        line.pop();
    }
}
