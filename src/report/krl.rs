//! `keywright krl`: what a list was written with, what it holds, and what a query found.

use std::path::PathBuf;

use serde::Serialize;

use super::{Report, Status};
use crate::krl::Revocation;

/// A KRL written by create or update.
#[derive(Debug, Clone, Serialize)]
pub struct KrlWritten {
    #[serde(serialize_with = "display_path")]
    pub file: PathBuf,
    /// The spec files read, in order (`-` for standard input).
    pub specs: Vec<String>,
    pub version: u64,
    /// Whether an existing list was added to.
    pub updated: bool,
}

impl Report for KrlWritten {}

/// A KRL's contents (ssh-keygen -Q -l).
#[derive(Debug, Clone, Serialize)]
pub struct KrlContents {
    pub version: u64,
    /// Seconds since 1970 (UTC).
    pub generated: u64,
    /// `generated` in local time as ssh-keygen prints it (`20261203T015806`).
    pub generated_at: String,
    /// The comment (may be empty).
    pub comment: String,
    /// Plain keys revoked outright.
    pub keys: Vec<RevokedKey>,
    /// SHA-256 digests of revoked keys, lower-case hex.
    pub sha256: Vec<String>,
    /// SHA-1 digests of revoked keys, lower-case hex.
    pub sha1: Vec<String>,
    pub certificates: Vec<RevokedCertificates>,
    /// The keys whose signatures over the list were checked (empty: unsigned).
    pub signed_by: Vec<RevokedKey>,
    /// Lines krl.c logs for keys of the list it cannot read (dump continues).
    #[serde(skip)]
    pub problems: Vec<String>,
}

/// A key named by the list.
#[derive(Debug, Clone, Serialize)]
pub struct RevokedKey {
    /// The key type as OpenSSH names it (`ssh-ed25519`).
    #[serde(rename = "type")]
    pub key_type: String,
    /// SHA256:…
    pub fingerprint: String,
}

/// The certificates of one CA (or every CA) that are revoked.
#[derive(Debug, Clone, Serialize)]
pub struct RevokedCertificates {
    /// `null`: every CA.
    pub ca: Option<RevokedKey>,
    /// Ranges of serials, inclusive.
    pub serials: Vec<SerialRange>,
    pub key_ids: Vec<String>,
}

/// Serials `from` to `to`, inclusive.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct SerialRange {
    pub from: u64,
    pub to: u64,
}

impl Report for KrlContents {}

/// The answer for each key asked about (ssh-keygen -Q).
#[derive(Debug, Clone, Serialize)]
pub struct KrlQuery {
    #[serde(serialize_with = "display_path")]
    pub krl: PathBuf,
    pub keys: Vec<Queried>,
    /// The list's contents first (ssh-keygen -Q -l).
    #[serde(skip)]
    pub contents: Option<KrlContents>,
}

/// One key asked about.
#[derive(Debug, Clone, Serialize)]
pub struct Queried {
    /// The file, as named.
    pub file: String,
    /// The key's comment (the file name when the line has none; empty for a private key).
    pub comment: String,
    pub revoked: bool,
    /// The rule that revokes it.
    pub by: Option<Revocation>,
}

impl Report for KrlQuery {
    /// Any revoked key is the clean "no" (exit 1), as ssh-keygen -Q exits.
    fn status(&self) -> Status {
        match self.keys.iter().any(|key| key.revoked) {
            true => Status::Negative,
            false => Status::Success,
        }
    }
}

fn display_path<S: serde::Serializer>(path: &std::path::Path, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(&path.display())
}
