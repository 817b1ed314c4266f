//! `keywright fingerprint`: ssh-keygen -l [-E] [-v], byte for byte, over any number of
//! files.

use std::io::{self, BufRead, BufReader, Read};
use std::os::unix::fs::FileTypeExt;
use std::path::{Path, PathBuf};

use anyhow::Result;
use ssh_key::public::KeyData;

use super::Status;
use crate::cli::fingerprint::FingerprintArgs;
use crate::context::Context;
use crate::error::{self, Error};
use crate::fsutil::{self, Accept, read_capped};
use crate::key::private::MAX_PRIVATE_KEY_FILE;
use crate::key::scan::{self, Line, c_string};
use crate::key::text::{read_key, skip_blanks};
use crate::key::{Fingerprint, HashKind, PrivateKeyFile, describe, randomart::randomart};
use crate::print::Printer;
use crate::report::fingerprint::Fingerprinted;

/// Lines longer than this cannot hold a key (the largest certificates are a few KiB);
/// their rest is skipped instead of buffered.
const MAX_LINE: usize = 1024 * 1024;

pub fn run(ctx: &Context, printer: &Printer, args: FingerprintArgs) -> Result<Status> {
    let inputs = inputs(ctx, &args)?;
    let records = Records { printer, hash: args.hash.into(), randomart: args.randomart };
    let mut failed = false;
    for input in &inputs {
        if let Err(err) = fingerprint_input(input, &records) {
            if error::is_broken_pipe(&err) {
                return Ok(Status::Success);
            }
            printer.error(&err);
            failed = true;
        }
    }
    printer.finish()?;
    Ok(if failed { Status::Failed } else { Status::Success })
}

/// The files named on the command line, or every `~/.ssh/id_*.pub`.
fn inputs(ctx: &Context, args: &FingerprintArgs) -> Result<Vec<PathBuf>> {
    let named: Vec<PathBuf> = args.files.iter().chain(&args.file_options).cloned().collect();
    if !named.is_empty() {
        return Ok(named);
    }
    let dir = ctx.ssh_dir();
    // No ~/.ssh at all is an account without keys yet, as an empty one is.
    let entries = match std::fs::read_dir(&dir) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        other => Some(other.map_err(|e| Error::io(&dir, e))?),
    };
    let mut found: Vec<PathBuf> = entries
        .into_iter()
        .flatten()
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("id_") && n.ends_with(".pub"))
        })
        .collect();
    found.sort();
    if found.is_empty() {
        return Err(Error::NoKeysYet.into());
    }
    Ok(found)
}

/// Fingerprints one input. A named file may be a pipe, as ssh-keygen's `-lf
/// <(ssh-keyscan host)` idiom gives (a FIFO no one writes to reads as empty, never a
/// hang); a device is refused, as it would never end.
fn fingerprint_input(path: &Path, printer: &Records<'_>) -> Result<()> {
    let stdin = path == Path::new("-");
    let name = if stdin { PathBuf::from("(stdin)") } else { path.to_path_buf() };
    let (mut reader, streamed): (Box<dyn BufRead>, bool) = if stdin {
        (Box::new(io::stdin().lock()), true)
    } else {
        let (file, meta) = fsutil::open_input(path, Accept::Pipe)?;
        (Box::new(BufReader::with_capacity(64 * 1024, file)), meta.file_type().is_fifo())
    };
    let mut line = Vec::new();
    let mut scanner = scan::Scanner::new();
    let mut number = 0;
    let mut first_bad_line = None;
    let mut found_any = false;
    while let Some(newline) = read_line(&mut reader, &mut line).map_err(|e| Error::io(&name, e))? {
        number += 1;
        if number == 1 && scan::is_private_key_line(&line) {
            return fingerprint_private(path, &name, streamed, reader, line, printer);
        }
        match scanner.scan(&line, newline) {
            Line::Key(found) => {
                found_any = true;
                let comments = Comments { printed: found.printed_comment, own: found.own_comment };
                printer.key(&name, Some(number), &found.key, comments)?;
            }
            Line::Blank => {}
            Line::NotAKey => {
                first_bad_line
                    .get_or_insert_with(|| (number, crate::key::text::diagnose(scan::c_string(&line))));
            }
        }
    }
    if !found_any {
        return Err(Error::NoPublicKey { path: name, first_bad_line }.into());
    }
    Ok(())
}

/// Reads one line without its `\n` into `line`: `None` at end of input, otherwise
/// whether the line had a `\n`. Overlong lines are cut at `MAX_LINE` and their rest
/// discarded.
fn read_line(reader: &mut dyn BufRead, line: &mut Vec<u8>) -> io::Result<Option<bool>> {
    line.clear();
    let read = reader.take(MAX_LINE as u64).read_until(b'\n', line)?;
    if read == 0 {
        return Ok(None);
    }
    if line.last() == Some(&b'\n') {
        line.pop();
        return Ok(Some(true));
    }
    if line.len() >= MAX_LINE {
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
        match buf.iter().position(|&b| b == b'\n') {
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

/// A private key file, as ssh-keygen's `fingerprint_private` reads it: the `.pub` beside
/// it wins (even if it holds another key, which we warn about); otherwise the key's own
/// public half, with its comment when the key is not encrypted. A `streamed` input
/// (stdin or a pipe) cannot be read again and has no `.pub` beside it.
fn fingerprint_private(
    path: &Path,
    name: &Path,
    stdin: bool,
    reader: Box<dyn BufRead + '_>,
    first_line: Vec<u8>,
    printer: &Records<'_>,
) -> Result<()> {
    let file = if stdin {
        let mut data = first_line;
        data.push(b'\n');
        reader.take(MAX_PRIVATE_KEY_FILE).read_to_end(&mut data).map_err(|e| Error::io(name, e))?;
        PrivateKeyFile::parse(name, &data)
    } else {
        drop(reader);
        PrivateKeyFile::read(path)
    };
    let pub_path = fsutil::with_suffix(path, ".pub");
    if let Some((key, comment)) = (!stdin).then(|| read_pub_beside(&pub_path)).flatten() {
        warn_if_other_key(printer.printer, &file, &key, path, &pub_path);
        return printer.key(name, None, &key, Comments::same(Some(&comment)));
    }
    let file = file?;
    if !file.is_encrypted() {
        let key = file.decrypt(None)?;
        let comment = file.is_openssh_format().then(|| key.comment().as_bytes().to_vec());
        return printer.key(name, None, key.public_key().key_data(), Comments::same(comment.as_deref()));
    }
    match file.public_key() {
        Some(public) => printer.key(name, None, public.key_data(), Comments::same(None)),
        None => Err(Error::PublicKeyLocked { path: name.to_path_buf() }.into()),
    }
}

/// The first key of a `.pub` file with its comment, as OpenSSH's `sshkey_try_load_public`
/// reads it: a key without a comment is named after the file.
fn read_pub_beside(pub_path: &Path) -> Option<(KeyData, Vec<u8>)> {
    let data = read_capped(pub_path, MAX_PRIVATE_KEY_FILE, "a public key").ok()?;
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

fn warn_if_other_key(
    printer: &Printer,
    file: &crate::Result<PrivateKeyFile>,
    key: &KeyData,
    path: &Path,
    pub_path: &Path,
) {
    let private_public = file.as_ref().ok().and_then(PrivateKeyFile::public_key);
    if private_public.is_some_and(|public| public.key_data() != key) {
        printer.warn(format!(
            "{} holds a different key than {}; showing the .pub, as ssh-keygen does",
            pub_path.display(),
            path.display()
        ));
    }
}

/// A key's comment as ssh-keygen prints it, and as the line really has it (for JSON).
struct Comments<'a> {
    printed: Option<&'a [u8]>,
    own: Option<&'a [u8]>,
}

impl<'a> Comments<'a> {
    fn same(comment: Option<&'a [u8]>) -> Self {
        Comments { printed: comment, own: comment }
    }
}

/// Prints each key's record as it is found.
struct Records<'a> {
    printer: &'a Printer,
    hash: HashKind,
    randomart: bool,
}

impl Records<'_> {
    fn key(&self, file: &Path, line: Option<usize>, key: &KeyData, comments: Comments<'_>) -> Result<()> {
        let description = describe(key).ok_or_else(|| anyhow::anyhow!("unknown key type"))?;
        let fingerprint = Fingerprint::of_key(self.hash, key);
        let randomart = self.randomart.then(|| {
            randomart(&description.type_name, description.bits, self.hash.label(), fingerprint.digest())
        });
        self.printer.record(&Fingerprinted {
            bits: description.bits,
            comment: comments.own.map(|c| String::from_utf8_lossy(c).into_owned()),
            file: file.to_path_buf(),
            fingerprint: fingerprint.to_string(),
            line,
            randomart,
            key_type: description.type_name,
            printed_comment: comments.printed.map(<[u8]>::to_vec),
        })?;
        Ok(())
    }
}
