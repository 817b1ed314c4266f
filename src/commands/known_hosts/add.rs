//! `known-hosts add`: trust a host key, refusing silent replacement.

use std::io::Read;
use std::path::Path;

use anyhow::Result;
use ssh_key::public::KeyData;

use super::{default_path, path, query};
use crate::cli::known_hosts::AddArgs;
use crate::context::Context;
use crate::error::Error;
use crate::fsutil::{self, Accept, Expect, FileMode};
use crate::key::describe::line_type_name;
use crate::key::scan::{Line, Scanner};
use crate::key::{Fingerprint, HashKind};
use crate::known_hosts::edit::{self, AddOptions, Added};
use crate::known_hosts::transaction::{Contents, Edited, IfMissing, Write, transaction};
use crate::known_hosts::{HostQuery, KnownHosts};
use crate::print::Printer;
use crate::report::known_hosts::{AddOutcome, AddedKey, AddedKeys};

/// A key input (file or stdin) larger than this is not a list of public keys.
const MAX_KEY_INPUT: u64 = 16 * 1024 * 1024;

pub fn run(ctx: &Context, printer: &Printer, args: AddArgs) -> Result<AddedKeys> {
    let query = query(&args.host)?;
    let keys = read_keys(&args.key)?;
    let path = path(ctx, &args.file);
    if path == default_path(ctx) && fsutil::ensure_private_dir(&ctx.ssh_dir())? {
        printer.note(format!("Created directory '{}'.", ctx.ssh_dir().display()));
    }
    let options = AddOptions { hash: !args.no_hash, replace: args.replace };
    let done = transaction(&path, IfMissing::Empty, |file| add_all(file, &query, &keys, options))?;
    Ok(AddedKeys { host: query.display, file: path, keys: done.value })
}

/// Adds every key in turn, each to the file as the previous ones left it; one refusal
/// refuses them all, and nothing is written.
fn add_all<'f>(
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
    let (name, text) = if source == "-" {
        let mut data = Vec::new();
        std::io::stdin()
            .lock()
            .take(MAX_KEY_INPUT)
            .read_to_end(&mut data)
            .map_err(|e| Error::io("(stdin)", e))?;
        ("(stdin)".to_string(), data)
    } else if looks_like_key_line(source) {
        ("the KEY argument".to_string(), source.as_bytes().to_vec())
    } else {
        // A pipe is read too, for `add HOST <(ssh-keyscan HOST)`; see fsutil::Accept::Pipe.
        let expect = Expect { what: "a public key file", accept: Accept::Pipe };
        (source.to_string(), fsutil::read_capped(Path::new(source), MAX_KEY_INPUT, expect)?)
    };
    // A private key's bytes are wiped when dropped, as PrivateKeyFile::read wipes them.
    let text = zeroize::Zeroizing::new(text);
    if crate::key::scan::is_private_key_line(text.split(|&b| b == b'\n').next().unwrap_or_default()) {
        return public_half(source, &name, &text);
    }
    let mut scanner = Scanner::new();
    let mut keys: Vec<KeyData> = Vec::new();
    let mut first_bad = None;
    for (i, raw) in text.split(|&b| b == b'\n').enumerate() {
        match scanner.scan(raw, true) {
            Line::Key(found) if !keys.contains(&found.key) => keys.push(found.key),
            Line::NotAKey if first_bad.is_none() => {
                first_bad = Some((i + 1, crate::key::text::diagnose(raw)));
            }
            _ => {}
        }
    }
    if keys.is_empty() {
        return Err(Error::NoPublicKey { path: name.into(), first_bad_line: first_bad }.into());
    }
    Ok(keys)
}

/// A private key stands for its public half, as the NoPublicKey hint promises; an
/// encrypted PEM key, whose public half is inside the encryption, for the `.pub` beside
/// it (as PublicKeyLocked's hint says).
fn public_half(source: &str, name: &str, text: &[u8]) -> Result<Vec<KeyData>> {
    let file = crate::key::PrivateKeyFile::parse(Path::new(name), text)?;
    if let Some(public) = file.public_key() {
        return Ok(vec![public.key_data().clone()]);
    }
    let beside = format!("{source}.pub");
    if source != "-" && Path::new(&beside).is_file() {
        return read_keys(&beside);
    }
    Err(Error::PublicKeyLocked { path: name.into() }.into())
}

fn looks_like_key_line(text: &str) -> bool {
    text.split_whitespace().next().is_some_and(|word| crate::known_hosts::line::is_key_type(word.as_bytes()))
        && text.contains(' ')
}
