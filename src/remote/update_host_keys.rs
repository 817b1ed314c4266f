//! UpdateHostKeys as OpenSSH 9.2's ssh does it (clientloop.c `client_input_hostkeys`):
//! after login the server announces all its host keys (hostkeys-00@openssh.com); keys
//! the user known_hosts files do not hold for the host are learnt once the server has
//! proved it holds their private halves (hostkeys-prove-00@openssh.com, bound to this
//! session), and recorded keys it no longer announces are removed.
//!
//! Only for a host trusted by a plain key of a user known_hosts file (not a
//! @cert-authority, not the global file), and never when the host's lines are ones ssh
//! would not rewrite: markers, wildcards, more than two names on a line, or an obsolete
//! key that is also recorded under another name.

use std::path::{Path, PathBuf};

use russh::client::Handle;
use ssh_key::public::KeyData;

use super::config::{Resolved, UpdateHostKeys};
use super::session::Client;
use super::terminal::Terminal;
use crate::fsutil::FileMode;
use crate::key::{Fingerprint, HashKind, describe};
use crate::known_hosts::edit::{self, AddOptions, Added};
use crate::known_hosts::line::{self, Line};
use crate::known_hosts::transaction::{Contents, Edited, IfMissing, Write, transaction};
use crate::known_hosts::{HostQuery, KnownHosts};

/// What UpdateHostKeys changed (or, in a dry run, would change).
#[derive(Debug, Clone, Default)]
pub struct Learnt {
    /// The file keys were added to (the first UserKnownHostsFile).
    pub file: PathBuf,
    pub added: Vec<KeyData>,
    pub removed: Vec<KeyData>,
}

/// A recorded key for the host: where, and which key.
struct Old {
    file: PathBuf,
    line: usize,
    key: KeyData,
}

/// Learns the keys `connected`'s server announced, as ssh would with `resolved`'s
/// UpdateHostKeys. `Ok(None)` when there is nothing to do (or it must not be done).
///
/// # Errors
/// The server did not prove it holds the new keys, or known_hosts could not be written:
/// what to tell the user, as a warning (the login itself went fine).
pub async fn update(
    handle: &Handle<Client>,
    connected: (&super::session::Announced, bool),
    resolved: &Resolved,
    terminal: &Terminal,
    dry_run: bool,
) -> Result<Option<Learnt>, String> {
    let (announced, updatable) = connected;
    let asking = resolved.update_host_keys == UpdateHostKeys::Ask;
    if !updatable
        || resolved.update_host_keys == UpdateHostKeys::No
        || (asking && (resolved.batch_mode || !terminal.can_ask()))
        || resolved.user_known_hosts.is_empty()
    {
        return Ok(None);
    }
    let Some(keys) = announced.lock().unwrap_or_else(|p| p.into_inner()).take() else { return Ok(None) };
    let mut offered: Vec<KeyData> = Vec::new();
    for key in keys.iter().map(|k| k.key_data().clone()) {
        if matches!(key, KeyData::Certificate(_)) {
            continue;
        }
        if offered.contains(&key) {
            return Err("the server announced one host key twice; known_hosts not updated".into());
        }
        offered.push(key);
    }
    let lookup =
        HostQuery::parse(&resolved.host_name, Some(resolved.port)).map_err(|e| e.to_string())?.lookup;
    let Some((matched, old)) = recorded(&resolved.user_known_hosts, &lookup, &offered) else {
        return Ok(None);
    };
    let new: Vec<KeyData> = offered.iter().filter(|k| !matched.contains(k)).cloned().collect();
    if new.is_empty() && old.is_empty() {
        return Ok(None);
    }
    if !old.is_empty() && recorded_elsewhere(&resolved.user_known_hosts, &lookup, &old) {
        return Ok(None);
    }
    if !new.is_empty() {
        let public: Vec<ssh_key::PublicKey> =
            new.iter().map(|k| ssh_key::PublicKey::new(k.clone(), "")).collect();
        if handle.hostkeys_prove(public).await.is_err() {
            return Err(
                "the server failed to confirm ownership of its new host keys; known_hosts not updated".into(),
            );
        }
    }
    let file = resolved.user_known_hosts[0].clone();
    let learnt = Learnt { file, added: new, removed: old.iter().map(|o| o.key.clone()).collect() };
    if asking && !accepted(terminal, &learnt, &resolved.host_name).await {
        return Ok(None);
    }
    if !dry_run {
        write(&learnt, &old, &lookup, resolved.hash_known_hosts).map_err(|e| e.to_string())?;
    }
    Ok(Some(learnt))
}

/// The announced keys the user files already hold for `lookup`, and the recorded keys
/// the server no longer announces; `None` when a line is one ssh would not rewrite.
fn recorded(files: &[PathBuf], lookup: &str, offered: &[KeyData]) -> Option<(Vec<KeyData>, Vec<Old>)> {
    let (mut matched, mut old) = (Vec::new(), Vec::new());
    for path in files {
        let Ok(file) = KnownHosts::read(path) else { continue };
        for found in file.find(lookup) {
            if found.marker.is_some() || is_complex(found.entry.hosts, found.entry.is_hashed()) {
                return None;
            }
            let Ok((key, _)) = found.entry.key() else { continue };
            match offered.contains(&key) {
                true => matched.push(key),
                false => old.push(Old { file: path.clone(), line: found.number, key }),
            }
        }
    }
    Some((matched, old))
}

/// ssh's `hostspec_is_complex`: wildcards, or more than two names on one line.
fn is_complex(hosts: &[u8], hashed: bool) -> bool {
    if hashed {
        return false;
    }
    hosts.iter().any(|b| matches!(b, b'*' | b'?')) || hosts.iter().filter(|&&b| b == b',').count() > 1
}

/// Whether an obsolete key is also recorded under another name (ssh then leaves the
/// files alone, so that the other name keeps working).
fn recorded_elsewhere(files: &[PathBuf], lookup: &str, old: &[Old]) -> bool {
    for path in files {
        let Ok(file) = KnownHosts::read(path) else { continue };
        let ours: Vec<usize> = file.find(lookup).iter().map(|f| f.number).collect();
        for line_ref in file.lines() {
            if ours.contains(&line_ref.number) {
                continue;
            }
            let Line::Entry(entry) = line::parse(line_ref.text) else { continue };
            if let Ok((key, _)) = entry.key()
                && old.iter().any(|o| o.key == key)
            {
                return true;
            }
        }
    }
    false
}

/// UpdateHostKeys=ask: ssh's lines, then its question (three tries).
async fn accepted(terminal: &Terminal, learnt: &Learnt, host: &str) -> bool {
    let mut text = String::from(
        "The server has updated its host keys.\nThese changes were verified by the server's existing trusted key.\n",
    );
    for key in &learnt.added {
        text.push_str(&format!("Learned new hostkey: {}\n", describe_key(key)));
    }
    for key in &learnt.removed {
        text.push_str(&format!("Deprecating obsolete hostkey: {}\n", describe_key(key)));
    }
    terminal.print(&text);
    for _ in 0..3 {
        let Some(answer) = terminal.question("Accept updated hostkeys? (yes/no): ".into(), host.into()).await
        else {
            return false;
        };
        match answer.to_ascii_lowercase().as_str() {
            "yes" => return true,
            "no" => return false,
            _ => terminal.print("Please enter \"yes\" or \"no\"\n"),
        }
    }
    false
}

/// `TYPE SHA256:…` as ssh logs a key (`sshkey_type`: `ED25519`, `RSA`, `ECDSA`).
pub fn describe_key(key: &KeyData) -> String {
    let name = describe(key).map_or_else(|| crate::key::describe::line_type_name(key), |d| d.type_name);
    format!("{name} {}", Fingerprint::of_key(HashKind::Sha256, key))
}

/// The obsolete lines out of every user file, the new keys into the first.
fn write(learnt: &Learnt, old: &[Old], lookup: &str, hash: bool) -> crate::Result<()> {
    let mut files: Vec<&Path> = old.iter().map(|o| o.file.as_path()).collect();
    if !learnt.added.is_empty() {
        files.push(&learnt.file);
    }
    files.dedup();
    for path in files {
        let gone: Vec<usize> = old.iter().filter(|o| o.file == path).map(|o| o.line).collect();
        let adding: &[KeyData] = if path == learnt.file { &learnt.added } else { &[] };
        transaction(path, IfMissing::Empty, |file| {
            let mut content = Vec::with_capacity(file.data().len());
            for line_ref in file.lines().filter(|l| !gone.contains(&l.number)) {
                content.extend_from_slice(line_ref.full);
            }
            for key in adding {
                let current = KnownHosts::from_bytes(path, std::mem::take(&mut content));
                content = match edit::add(&current, lookup, key, AddOptions { hash, replace: false })? {
                    Added::Appended { content, .. } => content,
                    _ => current.data().to_vec(),
                };
            }
            let write =
                Write { contents: Contents::Bytes(content), mode: FileMode::KeepOr(0o600), backup: false };
            Ok(Edited::write((), write))
        })?;
    }
    Ok(())
}
