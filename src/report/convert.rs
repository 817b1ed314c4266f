//! `keywright export` and `import`: the converted key, or the files it was written to.

use std::path::PathBuf;

use serde::Serialize;

use super::Report;

/// A converted key.
#[derive(Debug, Clone, Serialize)]
pub struct Converted {
    /// What goes to standard output: the key in its new format, or nothing when it was
    /// written to files.
    #[serde(serialize_with = "super::lossy")]
    pub text: Vec<u8>,
    /// The files written, in order.
    pub saved: Vec<PathBuf>,
}

impl Report for Converted {}
