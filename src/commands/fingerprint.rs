//! `keywright fingerprint`: ssh-keygen -l [-E] [-v], byte for byte, over any number of
//! files.

use std::io;
use std::path::{Path, PathBuf};

use anyhow::Result;
use ssh_key::public::KeyData;

use super::Status;
use crate::cli::fingerprint::FingerprintArgs;
use crate::context::Context;
use crate::error::{self, Error};
use crate::fsutil;
use crate::key::source::{Item, KeySource, PrivateInput, pub_beside};
use crate::key::{Fingerprint, HashKind, PrivateKeyFile, bubblebabble, describe, randomart::randomart};
use crate::print::Printer;
use crate::report::fingerprint::Fingerprinted;

pub fn run(ctx: &Context, printer: &Printer, args: FingerprintArgs) -> Result<Status> {
    let inputs = inputs(ctx, &args)?;
    let records = Records {
        printer,
        hash: args.hash.into(),
        randomart: args.randomart,
        bubblebabble: args.bubblebabble,
    };
    let mut failed = false;
    for input in &inputs {
        if let Err(err) = fingerprint_input(input, &records, &mut Tell(None)) {
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

/// Fingerprints one file (`-` is standard input), printing a record per key as it is
/// found: the ssh-keygen front's `-l`, which reads exactly one file.
///
/// # Errors
/// The file cannot be read or holds no key; records already printed stay printed.
pub fn one_file(
    printer: &Printer,
    path: &Path,
    hash: HashKind,
    randomart: bool,
    bubblebabble: bool,
    details: &mut dyn FnMut(Detail),
) -> Result<()> {
    let records = Records { printer, hash, randomart, bubblebabble };
    fingerprint_input(path, &records, &mut Tell(Some(details)))
}

/// What ssh-keygen -l tells at its debug level (`-v`) while reading a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detail {
    /// This line holds no key (`FILE:LINE: not a public key`).
    NotAKey { line: usize },
    /// A private key without a `.pub` beside it whose own public half ssh-keygen cannot
    /// read without decrypting it (legacy PEM): `load public "FILE": …`.
    NoPublicFile,
    /// An encrypted private key whose comment is inside the encryption: `load private
    /// "FILE": incorrect passphrase …`.
    Encrypted,
}

/// Fingerprints one input: every key in it, or the private key it is. `tell` hears
/// what ssh-keygen -lv would tell on the way.
fn fingerprint_input(path: &Path, records: &Records<'_>, tell: &mut Tell<'_>) -> Result<()> {
    let source = KeySource::file(path);
    let mut reader = source.open()?;
    if tell.listening() {
        reader.keep_skipped();
    }
    let name = reader.name().to_path_buf();
    loop {
        match reader.next_key()? {
            Some(Item::Key { line, found, .. }) => {
                let comments = Comments { printed: found.printed_comment, own: found.own_comment };
                records.key(&name, Some(line), &found.key, comments)?;
            }
            Some(Item::Private(private)) => return fingerprint_private(&name, private, records, tell),
            None => break,
        }
        tell.skipped(&mut reader);
    }
    tell.skipped(&mut reader);
    Ok(reader.finish()?)
}

/// Where [`Detail`]s go, if anywhere.
struct Tell<'a>(Option<&'a mut dyn FnMut(Detail)>);

impl Tell<'_> {
    fn listening(&self) -> bool {
        self.0.is_some()
    }

    fn tell(&mut self, detail: Detail) {
        if let Some(listener) = self.0.as_mut() {
            listener(detail);
        }
    }

    /// The lines the reader passed over since the last call.
    fn skipped(&mut self, reader: &mut crate::key::source::KeyReader<'_>) {
        for line in reader.take_skipped() {
            self.tell(Detail::NotAKey { line });
        }
    }
}

/// A private key file, as ssh-keygen's `fingerprint_private` reads it: the `.pub` beside
/// it wins (even if it holds another key, which we warn about); otherwise the key's own
/// public half, with its comment when the key is not encrypted. Standard input and a
/// pipe have no `.pub` beside them.
fn fingerprint_private(
    name: &Path,
    private: PrivateInput,
    records: &Records<'_>,
    tell: &mut Tell<'_>,
) -> Result<()> {
    let PrivateInput { file, path } = private;
    if let Some(path) = path
        && let Some((key, comment)) = pub_beside(&path)
    {
        warn_if_other_key(records.printer, &file, &key, &path);
        return records.key(name, None, &key, Comments::same(Some(&comment)));
    }
    let file = file?;
    if !file.is_openssh_format() {
        tell.tell(Detail::NoPublicFile);
    }
    if file.is_encrypted() {
        tell.tell(Detail::Encrypted);
    }
    if !file.is_encrypted() {
        let key = file.decrypt(None)?;
        let comment = file.is_openssh_format().then(|| key.comment().as_bytes().to_vec());
        return records.key(name, None, key.public_key().key_data(), Comments::same(comment.as_deref()));
    }
    match file.public_key() {
        Some(public) => records.key(name, None, public.key_data(), Comments::same(None)),
        None => Err(Error::PublicKeyLocked { path: name.to_path_buf() }.into()),
    }
}

fn warn_if_other_key(printer: &Printer, file: &crate::Result<PrivateKeyFile>, key: &KeyData, path: &Path) {
    let pub_path = fsutil::with_suffix(path, ".pub");
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
    /// The digest shown is SHA-1 in Bubble Babble (`-B`); the randomart keeps `hash`.
    bubblebabble: bool,
}

impl Records<'_> {
    fn key(&self, file: &Path, line: Option<usize>, key: &KeyData, comments: Comments<'_>) -> Result<()> {
        let description = describe(key).ok_or_else(|| anyhow::anyhow!("unknown key type"))?;
        let fingerprint = Fingerprint::of_key(self.hash, key);
        let randomart = self.randomart.then(|| {
            randomart(&description.type_name, description.bits, self.hash.label(), fingerprint.digest())
        });
        let shown = match self.bubblebabble {
            true => bubblebabble(Fingerprint::of_key(HashKind::Sha1, key).digest()),
            false => fingerprint.to_string(),
        };
        self.printer.record(&Fingerprinted {
            bits: description.bits,
            comment: comments.own.map(|c| String::from_utf8_lossy(c).into_owned()),
            file: file.to_path_buf(),
            fingerprint: shown,
            line,
            randomart,
            key_type: description.type_name,
            printed_comment: comments.printed.map(<[u8]>::to_vec),
        })?;
        Ok(())
    }
}
