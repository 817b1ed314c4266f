//! `keywright sshfp`: SSHFP records, per host key read.

use std::path::PathBuf;

use serde::Serialize;

use super::{Report, Status};

/// The records of every key read.
#[derive(Debug, Clone, Serialize)]
pub struct Sshfp {
    /// The records' owner name, as given.
    pub host: String,
    pub records: Vec<SshfpEntry>,
    /// RFC 3597's notation in the text (`-g`).
    #[serde(skip)]
    pub generic: bool,
    /// Whether a key had no SSHFP type or a file could not be read (reported as it was).
    #[serde(skip)]
    pub failed: bool,
}

/// One SSHFP record.
#[derive(Debug, Clone, Serialize)]
pub struct SshfpEntry {
    /// The file the key was read from.
    #[serde(serialize_with = "display_path")]
    pub file: PathBuf,
    /// 1 RSA, 2 DSA, 3 ECDSA, 4 Ed25519.
    pub algorithm: u8,
    /// 1 SHA-1, 2 SHA-256.
    pub digest_type: u8,
    /// Lower-case hex.
    pub fingerprint: String,
}

impl Report for Sshfp {
    fn status(&self) -> Status {
        match self.failed {
            true => Status::Failed,
            false => Status::Success,
        }
    }
}

fn display_path<S: serde::Serializer>(path: &std::path::Path, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(&path.display())
}
