//! `keywright generate`: the announcement of the new key, then where it was saved.

use std::path::PathBuf;

use serde::Serialize;

use super::KeyInfo;
use super::Report;
use super::Status;

/// Printed before anything is asked: the kind of key about to be made.
#[derive(Debug, Clone, Serialize)]
pub struct Generating {
    /// ssh-keygen's word for the type (`ed25519`, `rsa`, `ecdsa`), or the `-t` value as
    /// the ssh-keygen front was given it.
    pub key_type: String,
}

impl Report for Generating {}

/// How generation ended.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "snake_case", tag = "outcome")]
pub enum Generated {
    /// The user answered no to replacing an existing file; nothing was written.
    Declined,
    /// The key pair was written.
    Saved(SavedKey),
}

impl Report for Generated {
    fn status(&self) -> Status {
        match self {
            // A clean no: exit 1, as for any declined question.
            Generated::Declined => Status::Negative,
            Generated::Saved(_) => Status::Success,
        }
    }
}

/// A key pair just written.
#[derive(Debug, Clone, Serialize)]
pub struct SavedKey {
    pub private_key: PathBuf,
    pub public_key: PathBuf,
    /// The new key, fingerprinted with SHA256.
    pub key: KeyInfo,
    /// The randomart of that fingerprint, as ssh-keygen draws it.
    pub randomart: String,
}
