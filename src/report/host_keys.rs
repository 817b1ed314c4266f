//! `keywright host-keys`: what became of each host key type, or (`--check`) what sshd
//! would refuse or warn about.

use std::path::PathBuf;

use serde::Serialize;

use super::{Report, Status};
use crate::known_hosts::audit::Severity;

/// The host keys made or kept under a prefix.
#[derive(Debug, Clone, Serialize)]
pub struct HostKeys {
    /// One entry per type, in ssh-keygen -A's order (RSA, ECDSA, ED25519).
    pub keys: Vec<HostKeyEntry>,
    /// Whether a type could not be made (reported as it happened).
    #[serde(skip)]
    pub failed: bool,
}

/// One host key type.
#[derive(Debug, Clone, Serialize)]
pub struct HostKeyEntry {
    /// `RSA`, `ECDSA`, `ED25519`.
    #[serde(rename = "type")]
    pub key_type: String,
    /// The private key's path (its public key is this path with `.pub`).
    #[serde(serialize_with = "display_path")]
    pub file: PathBuf,
    /// `made`, `kept` (it existed and was not empty) or `failed`.
    pub outcome: &'static str,
    /// The new key's SHA256 fingerprint; `null` unless made.
    pub fingerprint: Option<String>,
    /// Why making it failed; `null` unless failed.
    pub error: Option<String>,
}

impl Report for HostKeys {
    fn status(&self) -> Status {
        match self.failed {
            true => Status::Failed,
            false => Status::Success,
        }
    }
}

/// `host-keys --check`: the findings, file by file.
#[derive(Debug, Clone, Serialize)]
pub struct HostKeyCheck {
    /// The private key files checked.
    #[serde(serialize_with = "display_paths")]
    pub files: Vec<PathBuf>,
    pub findings: Vec<HostKeyFinding>,
}

/// One thing sshd would refuse or warn about.
#[derive(Debug, Clone, Serialize)]
pub struct HostKeyFinding {
    #[serde(serialize_with = "display_path")]
    pub file: PathBuf,
    /// `missing`, `unreadable`, `too-open`, `weak-key`, `public-mismatch` or
    /// `no-usable-host-key`.
    pub rule: &'static str,
    pub severity: Severity,
    pub message: String,
}

impl Report for HostKeyCheck {
    /// Any finding is a negative answer (exit 1), as audits exit.
    fn status(&self) -> Status {
        Status::found(self.findings.is_empty())
    }
}

fn display_paths<S: serde::Serializer>(paths: &[PathBuf], serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_seq(paths.iter().map(|p| p.display().to_string()))
}

fn display_path<S: serde::Serializer>(path: &std::path::Path, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(&path.display())
}
