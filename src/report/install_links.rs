//! `keywright install-links`: what became of each link.

use std::path::PathBuf;

use serde::Serialize;

use super::Report;

/// The links to keywright in a directory.
#[derive(Debug, Clone, Serialize)]
pub struct LinksInstalled {
    /// The directory, as named.
    pub dir: PathBuf,
    /// Whether the directory had to be created.
    pub created_dir: bool,
    /// The executable the links point to.
    pub target: PathBuf,
    pub links: Vec<Link>,
}

impl Report for LinksInstalled {}

/// One link.
#[derive(Debug, Clone, Serialize)]
pub struct Link {
    /// `ssh-keygen`, `ssh-copy-id`.
    pub name: &'static str,
    pub path: PathBuf,
    pub outcome: LinkOutcome,
}

/// What was done about one name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkOutcome {
    /// Nothing had the name; the link was made.
    Created,
    /// It already was a link to this keywright.
    Present,
    /// Something else had the name and --force replaced it.
    Replaced,
}
