//! `known-hosts add`: trust a host key, refusing silent replacement.

use std::path::Path;

use anyhow::Result;
use ssh_key::public::KeyData;

use super::{default_path, path, query};
use crate::cli::known_hosts::AddArgs;
use crate::context::Context;
use crate::error::Error;
use crate::fsutil::{self, FileMode};
use crate::key::describe::line_type_name;
use crate::key::{Fingerprint, HashKind};
use crate::known_hosts::edit::{self, AddOptions, Added, AddedCa};
use crate::known_hosts::transaction::{Contents, Edited, IfMissing, Write, transaction};
use crate::known_hosts::{HostQuery, KnownHosts};
use crate::print::Printer;
use crate::report::known_hosts::{AddOutcome, AddedKey, AddedKeys};

pub fn run(ctx: &Context, printer: &Printer, args: AddArgs) -> Result<AddedKeys> {
    let keys = read_keys(&args.key)?;
    let path = path(ctx, &args.file);
    if path == default_path(ctx) && fsutil::ensure_private_dir(&ctx.ssh_dir())? {
        printer.note(format!("Created directory '{}'.", ctx.ssh_dir().display()));
    }
    if args.cert_authority {
        let patterns = match args.host.port {
            Some(port) => format!("[{}]:{port}", args.host.host),
            None => args.host.host.clone(),
        };
        let done = transaction(&path, IfMissing::Empty, |file| add_authorities(file, &patterns, &keys))?;
        return Ok(AddedKeys { host: format!("@cert-authority {patterns}"), file: path, keys: done.value });
    }
    let query = query(&args.host)?;
    let options = AddOptions { hash: !args.no_hash, replace: args.replace };
    let done = transaction(&path, IfMissing::Empty, |file| add_all(file, &query, &keys, options))?;
    Ok(AddedKeys { host: query.display, file: path, keys: done.value })
}

/// Adds every key in turn, each to the file as the previous ones left it; one refusal
/// refuses them all, and nothing is written.
pub(super) fn add_all<'f>(
    file: &'f KnownHosts,
    query: &HostQuery,
    keys: &[KeyData],
    options: AddOptions,
) -> crate::Result<Edited<'f, Vec<AddedKey>>> {
    let mut edited: Option<KnownHosts> = None;
    let mut outcomes = Vec::new();
    for key in keys {
        let current = edited.as_ref().unwrap_or(file);
        let outcome = match edit::add(current, &query.lookup, key, options)? {
            Added::Present(line) => AddOutcome::Present { line },
            Added::Appended { content, replaced } => {
                edited = Some(KnownHosts::from_bytes(file.path(), content));
                AddOutcome::Added { replaced }
            }
            Added::Conflict(lines) => return Err(conflict(file.path(), &query.display, key, lines)),
            Added::Revoked(line) => {
                return Err(Error::RevokedKeyNotAdded {
                    path: file.path().to_path_buf(),
                    line,
                    host: query.display.clone(),
                    key_type: line_type_name(key),
                });
            }
        };
        outcomes.push(AddedKey { line_type: line_type_name(key), outcome });
    }
    Ok(match edited {
        Some(edited) => {
            let contents = Contents::Bytes(edited.data().to_vec());
            Edited::write(outcomes, Write { contents, mode: FileMode::KeepOr(0o600), backup: false })
        }
        None => Edited::unchanged(outcomes),
    })
}

/// Adds every key as a CA for `patterns`, each to the file as the previous ones left it.
fn add_authorities<'f>(
    file: &'f KnownHosts,
    patterns: &str,
    keys: &[KeyData],
) -> crate::Result<Edited<'f, Vec<AddedKey>>> {
    let mut edited: Option<KnownHosts> = None;
    let mut outcomes = Vec::new();
    for key in keys {
        let current = edited.as_ref().unwrap_or(file);
        let outcome = match edit::add_cert_authority(current, patterns, key)? {
            AddedCa::Present(line) => AddOutcome::Present { line },
            AddedCa::Appended(content) => {
                edited = Some(KnownHosts::from_bytes(file.path(), content));
                AddOutcome::Added { replaced: Vec::new() }
            }
        };
        outcomes.push(AddedKey { line_type: line_type_name(key), outcome });
    }
    Ok(match edited {
        Some(edited) => {
            let contents = Contents::Bytes(edited.data().to_vec());
            Edited::write(outcomes, Write { contents, mode: FileMode::KeepOr(0o600), backup: false })
        }
        None => Edited::unchanged(outcomes),
    })
}

fn conflict(path: &Path, host: &str, key: &KeyData, lines: Vec<usize>) -> Error {
    Error::HostKeyConflict {
        path: path.to_path_buf(),
        lines,
        host: host.to_string(),
        key_type: line_type_name(key),
        fingerprint: Fingerprint::of_key(HashKind::Sha256, key).to_string(),
    }
}

/// The keys in a file, on standard input (`-`), or in a key line given as the argument.
fn read_keys(source: &str) -> Result<Vec<KeyData>> {
    use crate::key::source::{Item, KeySource};
    let source = KeySource::file_or_line(source);
    let mut reader = source.open()?;
    let mut keys: Vec<KeyData> = Vec::new();
    while let Some(item) = reader.next_key()? {
        match item {
            Item::Key { found, .. } if !keys.contains(&found.key) => keys.push(found.key),
            Item::Key { .. } => {}
            Item::Private(private) => return public_half(reader.name(), private),
        }
    }
    reader.finish()?;
    Ok(keys)
}

/// A private key stands for its public half, as the NoPublicKey hint promises; an
/// encrypted PEM key, whose public half is inside the encryption, for the `.pub` beside
/// it (as PublicKeyLocked's hint says).
fn public_half(name: &Path, private: crate::key::source::PrivateInput) -> Result<Vec<KeyData>> {
    if let Some(public) = private.file?.public_key() {
        return Ok(vec![public.key_data().clone()]);
    }
    match private.path.as_deref().and_then(crate::key::source::pub_beside) {
        Some((key, _)) => Ok(vec![key]),
        None => Err(Error::PublicKeyLocked { path: name.into() }.into()),
    }
}
