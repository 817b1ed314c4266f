//! Which keys copy-id installs, chosen as ssh-copy-id chooses: every `-i`; else the
//! agent's keys; else the newest `~/.ssh/id_*.pub`.

use std::path::{Path, PathBuf};

use anyhow::Result;

use crate::context::Context;
use crate::error::{CommentOf, Error};
use crate::key::source::{Item, KeySource};
use crate::key::text::{check_one_line, read_key, skip_blanks};
use crate::remote::install::KeyToInstall;

/// The keys, and where they came from (for the "Source of key(s)" line).
pub struct Keys {
    pub keys: Vec<KeyToInstall>,
    pub comments: Vec<String>,
    pub source: String,
}

/// Chooses the keys to install.
///
/// # Errors
/// An unreadable or empty key file, or no key anywhere.
pub async fn choose(ctx: &Context, identities: &[PathBuf]) -> Result<Keys> {
    if !identities.is_empty() {
        let mut keys = Keys { keys: Vec::new(), comments: Vec::new(), source: String::new() };
        let mut sources = Vec::new();
        for identity in identities {
            let path = public_path(identity);
            read_pub(&path, &mut keys)?;
            sources.push(path.display().to_string());
        }
        keys.source = sources.join("\", \"");
        return Ok(keys);
    }
    if let Some(keys) = from_agent(ctx).await? {
        return Ok(keys);
    }
    let newest = newest_pub(&ctx.ssh_dir()).ok_or(Error::NoKeysToInstall)?;
    let mut keys = Keys { keys: Vec::new(), comments: Vec::new(), source: newest.display().to_string() };
    read_pub(&newest, &mut keys)?;
    Ok(keys)
}

/// `-i FILE` names the public key, adding `.pub` when it is missing (ssh-copy-id's rule).
fn public_path(identity: &Path) -> PathBuf {
    match identity.extension().and_then(|e| e.to_str()) {
        Some("pub") => identity.to_path_buf(),
        _ => crate::fsutil::with_suffix(identity, ".pub"),
    }
}

/// Adds the keys of public key file `path` to `keys`.
///
/// # Errors
/// An unreadable file, a key behind options, or a comment that is not one line.
pub(crate) fn read_pub(path: &Path, keys: &mut Keys) -> Result<()> {
    let source = KeySource::File(path.to_path_buf());
    let mut reader = source.open_public()?;
    while let Some(Item::Key { line, text, found }) = reader.next_key()? {
        // The scanner also finds keys behind authorized_keys options or known_hosts
        // names, and calls those the comment: installed so, a restricted key would lose
        // its restrictions.
        if read_key(skip_blanks(text)).is_none() {
            return Err(Error::KeyHasOptions { path: path.to_path_buf(), line }.into());
        }
        let comment = found.own_comment.unwrap_or_default();
        check_one_line(comment, CommentOf::KeyLine { path: path.to_path_buf(), line })?;
        push(keys, found.key, comment);
    }
    Ok(reader.finish()?)
}

fn push(keys: &mut Keys, key: ssh_key::public::KeyData, comment: &[u8]) {
    let public = ssh_key::PublicKey::new(key.clone(), "");
    let mut line = crate::key::private::public_line(&public);
    line.pop();
    if !comment.is_empty() {
        line.push(b' ');
        line.extend_from_slice(comment);
    }
    keys.comments.push(String::from_utf8_lossy(comment).into_owned());
    keys.keys.push(KeyToInstall { key, line });
}

/// Makes every key a certificate authority line (sshd(8) AUTHORIZED_KEYS FILE FORMAT:
/// `cert-authority,principals="a,b" KEY`): users holding a certificate the key signed
/// log in, for one of `principals` when given. A key already in the file (with any
/// options) still counts as present, so a run never adds a second line for it.
///
/// # Errors
/// Principals that cannot be written inside one quoted option.
pub fn as_cert_authorities(keys: &mut Keys, principals: Option<&str>) -> Result<()> {
    let mut options = b"cert-authority".to_vec();
    if let Some(list) = principals {
        let bad = list.is_empty()
            || list.split(',').any(str::is_empty)
            || list
                .bytes()
                .any(|b| b == b'"' || b == b'\\' || b.is_ascii_whitespace() || b.is_ascii_control());
        if bad {
            return Err(Error::BadCertPrincipals { principals: list.to_string() }.into());
        }
        options.extend_from_slice(format!(",principals=\"{list}\"").as_bytes());
    }
    options.push(b' ');
    for key in &mut keys.keys {
        key.line.splice(0..0, options.iter().copied());
    }
    Ok(())
}

/// The agent's keys; `Ok(None)` when there is no agent or it has none.
pub(crate) async fn from_agent(ctx: &Context) -> Result<Option<Keys>> {
    // The context names the agent's socket ($SSH_AUTH_SOCK, read once at start).
    let Some(socket) = ctx.agent_socket() else { return Ok(None) };
    let agent = russh::keys::agent::client::AgentClient::connect_uds(socket).await;
    let Ok(mut agent) = agent else { return Ok(None) };
    let Ok(identities) = agent.request_identities().await else { return Ok(None) };
    let mut keys =
        Keys { keys: Vec::new(), comments: Vec::new(), source: "ssh-add -L (the agent's keys)".into() };
    for (number, identity) in identities.iter().enumerate() {
        let key = identity.public_key().key_data().clone();
        let comment = identity.comment().as_bytes();
        check_one_line(comment, CommentOf::AgentKey { number: number + 1 })?;
        push(&mut keys, key, comment);
    }
    Ok((!keys.keys.is_empty()).then_some(keys))
}

/// The most recently changed `id_*.pub` that is not a certificate.
fn newest_pub(ssh_dir: &Path) -> Option<PathBuf> {
    std::fs::read_dir(ssh_dir)
        .ok()?
        .filter_map(|entry| entry.ok())
        .filter(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            name.starts_with("id") && name.ends_with(".pub") && !name.ends_with("-cert.pub")
        })
        .filter_map(|entry| Some((entry.metadata().ok()?.modified().ok()?, entry.path())))
        .max()
        .map(|(_, path)| path)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ED: &str = include_str!("../../../testdata/keys/id_ed25519.pub");

    fn read(text: &str) -> Result<Keys> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("k.pub");
        std::fs::write(&path, text)?;
        let mut keys = Keys { keys: Vec::new(), comments: Vec::new(), source: String::new() };
        read_pub(&path, &mut keys).map(|()| keys)
    }

    #[test]
    fn a_pub_file_gives_its_keys_and_comments() {
        let keys = read(&format!("# mine\n{ED}")).unwrap();
        assert_eq!(keys.comments, ["id_ed25519@keywright.test"]);
        assert_eq!(keys.keys[0].line, ED.trim_end().as_bytes());
    }

    /// `no-pty KEY` was installed as `KEY no-pty`: the options became the comment.
    #[test]
    fn a_key_behind_options_is_refused() {
        let error = read(&format!("no-pty {ED}")).err().unwrap();
        assert!(
            error.to_string().ends_with("k.pub:1: the key has options or host names before it"),
            "{error}"
        );
    }
}
