//! `keywright authorized-keys`: each file's keys or changes, and the run's counts.

use serde::Serialize;

use super::{KeyInfo, Report, Status};

/// The run's result.
// Fields in alphabetical order, as every report's JSON lists them.
#[derive(Debug, Clone, Serialize)]
pub struct AuthorizedKeys {
    pub files: Vec<File>,
    pub summary: Summary,
    /// What was done, for the text.
    #[serde(skip)]
    pub action: Action,
    /// Whether nothing was written (`-n`).
    #[serde(skip)]
    pub dry_run: bool,
    /// `list --key`: the key asked about; the run's answer is whether any file has it.
    #[serde(skip)]
    pub asked: Option<String>,
}

/// The subcommand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    List,
    Edit,
}

/// One file: the local one, or a host's.
#[derive(Debug, Clone, Serialize)]
pub struct File {
    /// Keys added (or that a dry run would add).
    pub added: Vec<Entry>,
    /// The change as a unified diff, when --diff asked for it.
    pub diff: Option<String>,
    pub error: Option<String>,
    pub hint: Option<String>,
    /// The host as given; `null` for the local file.
    pub host: Option<String>,
    /// `list`: the keys of the file (with --key, only that key's lines).
    pub keys: Vec<Entry>,
    /// Repairs made (or that a dry run would make) and warnings.
    pub notes: Vec<String>,
    /// The file (on the server: its path there).
    pub path: String,
    pub port: Option<u16>,
    /// Keys that were there as asked.
    pub present: Vec<Entry>,
    /// `rotate`: whether the new key logged in on its own before the old one went.
    pub proved: Option<bool>,
    /// Key lines removed (with their line numbers before the edit).
    pub removed: Vec<Entry>,
    pub status: FileStatus,
    /// The target as given; `null` for the local file.
    pub target: Option<String>,
    /// Key lines rewritten in place, as they are now.
    pub updated: Vec<Entry>,
    pub user: Option<String>,
}

/// A key line as reports name it.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    #[serde(flatten)]
    pub key: KeyInfo,
    /// The line number (before the edit for a removed line; after it otherwise).
    pub line: usize,
    /// The options one by one; empty when none.
    pub options: Vec<String>,
}

/// How a file ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FileStatus {
    /// Read (`list`).
    Listed,
    Changed,
    WouldChange,
    Unchanged,
    Failed,
}

/// How many files ended how.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub changed: usize,
    pub failed: usize,
    pub files: usize,
    pub listed: usize,
    /// `list --key`: the files that hold the key; `null` otherwise.
    pub trusting: Option<usize>,
    pub unchanged: usize,
    pub would_change: usize,
}

impl File {
    /// How results and messages name the file: `user@host[:port]`, or the local path.
    pub fn dest(&self) -> String {
        match (&self.user, &self.host, self.port) {
            (Some(user), Some(host), Some(22) | None) => format!("{user}@{host}"),
            (Some(user), Some(host), Some(port)) => format!("{user}@{host}:{port}"),
            _ => self.path.clone(),
        }
    }
}

impl Summary {
    /// Counts `files`; `asked` for `list --key`.
    pub fn of(files: &[File], asked: bool) -> Self {
        let count = |status| files.iter().filter(|f| f.status == status).count();
        Summary {
            changed: count(FileStatus::Changed),
            failed: count(FileStatus::Failed),
            files: files.len(),
            listed: count(FileStatus::Listed),
            trusting: asked.then(|| files.iter().filter(|f| !f.keys.is_empty()).count()),
            unchanged: count(FileStatus::Unchanged),
            would_change: count(FileStatus::WouldChange),
        }
    }
}

impl Report for AuthorizedKeys {
    /// A failed host makes the answer negative (exit 1), as copy-id's; so does a key
    /// asked about that no file holds.
    fn status(&self) -> Status {
        match (self.summary.failed, self.summary.trusting) {
            (0, None) => Status::Success,
            (0, Some(trusting)) => Status::found(trusting > 0),
            _ => Status::Negative,
        }
    }
}
