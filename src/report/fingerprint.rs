//! `keywright fingerprint`: one record per key found, streamed.

use std::path::PathBuf;

use serde::Serialize;

use super::Report;

/// One key's fingerprint, as ssh-keygen -l prints it. The fields are in the order the
/// JSON has always had them (alphabetical).
#[derive(Debug, Clone, Serialize)]
pub struct Fingerprinted {
    pub bits: u32,
    /// The comment as the line really has it; `null` when it has none.
    pub comment: Option<String>,
    /// The input, as named on the command line (`(stdin)` for `-`).
    #[serde(serialize_with = "display_path")]
    pub file: PathBuf,
    /// In the hash asked for with `-E`.
    pub fingerprint: String,
    /// The line the key is on; `null` for a private key.
    pub line: Option<usize>,
    /// With `-v` only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub randomart: Option<String>,
    #[serde(rename = "type")]
    pub key_type: String,
    /// The comment as ssh-keygen prints it: a known_hosts line's host field stands in for
    /// the comment it lacks, a `.pub` without one is named after its file.
    #[serde(skip)]
    pub printed_comment: Option<Vec<u8>>,
}

impl Report for Fingerprinted {}

fn display_path<S: serde::Serializer>(path: &std::path::Path, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(&path.display())
}
