//! `known-hosts add`: trust a host key, refusing silent replacement.

use std::io::Write;
use std::path::Path;

use anyhow::Result;
use ssh_key::public::KeyData;

use super::{default_path, path, query};
use crate::cli::known_hosts::AddArgs;
use crate::commands::Status;
use crate::context::Context;
use crate::error::Error;
use crate::fsutil::{self, FileMode, Update};
use crate::key::describe::line_type_name;
use crate::key::{Fingerprint, HashKind};
use crate::known_hosts::KnownHosts;
use crate::known_hosts::edit::{self, AddOptions, Added};
use crate::known_hosts::file::MAX_FILE;

pub fn run(ctx: &Context, args: AddArgs) -> Result<Status> {
    let query = query(&args.host)?;
    let keys = read_keys(&args.key)?;
    let path = path(ctx, &args.file);
    if path == default_path(ctx) && fsutil::ensure_private_dir(&ctx.ssh_dir())? {
        ctx.note(format!("Created directory '{}'.", ctx.ssh_dir().display()));
    }
    let update = Update::begin(&path)?;
    let data = update.read(MAX_FILE, "a known_hosts file")?.unwrap_or_default();
    let mut file = KnownHosts::from_bytes(&path, data);
    let options = AddOptions { hash: !args.no_hash, replace: args.replace };
    let mut messages = Vec::new();
    let mut changed = false;
    for key in &keys {
        let key_type = line_type_name(key);
        match edit::add(&file, &query.lookup, key, options)? {
            Added::Present(line) => messages.push(format!(
                "{} {key_type}: already trusted ({}:{line})",
                query.display,
                path.display()
            )),
            Added::Appended { content, replaced } => {
                let replacing = match replaced.is_empty() {
                    true => String::new(),
                    false => format!(", replacing the key on line {}", join(&replaced)),
                };
                messages.push(format!("Added {} {key_type} to {}{replacing}", query.display, path.display()));
                file = KnownHosts::from_bytes(&path, content);
                changed = true;
            }
            Added::Conflict(lines) => return Err(conflict(&path, &query.display, key, &lines).into()),
            Added::Revoked(line) => {
                return Err(Error::Refused {
                    what: format!(
                        "{}:{line}: this {key_type} key is @revoked for {}",
                        path.display(),
                        query.display
                    ),
                    hint: "a revoked key must not be trusted again; get the host's current key".into(),
                }
                .into());
            }
        }
    }
    if changed {
        update.commit(file.data(), FileMode::KeepOr(0o600), false)?;
    }
    if !args.quiet {
        let mut out = std::io::stdout().lock();
        for message in messages {
            writeln!(out, "{message}")?;
        }
    }
    Ok(Status::Success)
}

fn conflict(path: &Path, host: &str, key: &KeyData, lines: &[usize]) -> Error {
    let fingerprint = Fingerprint::of_key(HashKind::Sha256, key);
    Error::Refused {
        what: format!(
            "{}:{}: {host} already has a different {} key; not adding {fingerprint}",
            path.display(),
            join(lines),
            line_type_name(key)
        ),
        hint: "if the host's key really changed, check the new fingerprint out of band, then add it with --replace"
            .into(),
    }
}

fn join(numbers: &[usize]) -> String {
    numbers.iter().map(usize::to_string).collect::<Vec<_>>().join(",")
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
