//! `keywright man`: a page, or where the pages were installed.

use std::path::PathBuf;

use serde::Serialize;

use super::Report;

/// What `man` did.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Manual {
    /// One page, in roff.
    Page(#[serde(serialize_with = "super::lossy")] Vec<u8>),
    /// Every page was written into `section` (a `man1` directory).
    Installed { pages: usize, section: PathBuf },
}

impl Report for Manual {}
