//! `keywright public`: the public key line of a private key.

use serde::Serialize;

use super::Report;

/// The public key, as one authorized_keys line.
#[derive(Debug, Clone, Serialize)]
pub struct PublicKey {
    /// `TYPE BASE64 [COMMENT]\n`, as ssh-keygen -y prints it.
    #[serde(serialize_with = "super::lossy")]
    pub line: Vec<u8>,
}

impl Report for PublicKey {}
