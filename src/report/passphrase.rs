//! `keywright passphrase`: the key's comment, then that the key was saved.

use serde::Serialize;

use super::Report;

/// The comment of the key being re-encrypted, printed before the new passphrase is
/// asked, as ssh-keygen -p prints it (only for keys in OpenSSH's format, which hold one).
#[derive(Debug, Clone, Serialize)]
pub struct KeyComment {
    #[serde(serialize_with = "super::lossy")]
    pub comment: Vec<u8>,
}

impl Report for KeyComment {}

/// The key was saved with its new passphrase.
#[derive(Debug, Clone, Serialize)]
pub struct PassphraseChanged {
    pub file: std::path::PathBuf,
}

impl Report for PassphraseChanged {}
