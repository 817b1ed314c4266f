//! What each command returns: one module per command, each with its report types and
//! their text rendering ([`crate::print::Render`]). JSON is the serialization of the same
//! types, so a field means the same thing, under the same name, in every command; the
//! names shared by several commands are defined here once. `docs/json.md` documents every
//! command's JSON and a test checks it against real output.

use serde::Serialize;
use ssh_key::public::KeyData;

use crate::key::{Fingerprint, HashKind, describe};

pub mod authorized_keys;
pub mod cert;
pub mod comment;
pub mod completions;
pub mod convert;
pub mod copy_id;
pub mod fingerprint;
pub mod generate;
pub mod host_keys;
pub mod install_links;
pub mod known_hosts;
pub mod krl;
pub mod man;
pub mod passphrase;
pub mod public;
pub mod sign;
pub mod signers;
pub mod sshfp;
pub mod verify;

/// How a command that did not fail ended; `main` maps it to the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Exit 0.
    Success,
    /// Exit 1: a clean negative answer (declined, not found, findings).
    Negative,
    /// Exit 2: errors happened and were reported as they happened.
    Failed,
}

impl Status {
    /// A search's answer (find, remove): success when something was found, otherwise a
    /// clean negative answer, as ssh-keygen -F and -R exit.
    pub fn found(anything: bool) -> Self {
        match anything {
            true => Status::Success,
            false => Status::Negative,
        }
    }
}

/// A command's whole result: rendered once, at the end (by its `Render` under `print/`),
/// and mapped to the exit status.
pub trait Report {
    /// How the command ended.
    fn status(&self) -> Status {
        Status::Success
    }
}

/// A key as every report names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyInfo {
    /// The type as ssh-keygen prints it after the fingerprint (`ED25519`, `RSA`,
    /// `ECDSA-CERT`).
    #[serde(rename = "type")]
    pub key_type: String,
    pub bits: u32,
    /// In the hash the command was asked for (SHA256 unless `-E`).
    pub fingerprint: String,
    /// The comment as the file or line has it; `null` when it has none.
    pub comment: Option<String>,
}

impl KeyInfo {
    /// Describes `key`, fingerprinted with `hash`; `None` for a key type we cannot
    /// describe (which the scanners never yield).
    pub fn of(key: &KeyData, hash: HashKind, comment: Option<&[u8]>) -> Option<Self> {
        let description = describe(key)?;
        Some(KeyInfo {
            key_type: description.type_name,
            bits: description.bits,
            fingerprint: Fingerprint::of_key(hash, key).to_string(),
            comment: comment.map(|c| String::from_utf8_lossy(c).into_owned()),
        })
    }
}

/// Serializes bytes from a file (a comment, a key line) as a string, invalid UTF-8
/// replaced: JSON strings are Unicode.
pub(crate) fn lossy<S: serde::Serializer>(bytes: &[u8], serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&String::from_utf8_lossy(bytes))
}
