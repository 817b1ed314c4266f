//! `keywright completions`: a shell's completion script.

use serde::Serialize;

use super::Report;

/// The script, for the shell asked for.
#[derive(Debug, Clone, Serialize)]
pub struct Completions {
    #[serde(serialize_with = "super::lossy")]
    pub script: Vec<u8>,
}

impl Report for Completions {}
