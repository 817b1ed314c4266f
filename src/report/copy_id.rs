//! `keywright copy-id`: how each host ended, and the run's counts.

use serde::Serialize;

use super::KeyInfo;
use super::Report;
use super::Status;

/// The run's result.
// Fields in alphabetical order, here and below: the JSON has always listed them so.
#[derive(Debug, Clone, Serialize)]
pub struct CopyId {
    pub hosts: Vec<Host>,
    pub summary: Summary,
    /// Whether nothing was written (`-n`): the text summary then says what would be.
    #[serde(skip)]
    pub dry_run: bool,
}

/// One host's result.
#[derive(Debug, Clone, Serialize)]
pub struct Host {
    /// The keys added (or that a dry run would add).
    pub added: Vec<KeyInfo>,
    /// Why the host failed.
    pub error: Option<String>,
    /// What the user can do about the failure.
    pub hint: Option<String>,
    /// The host as given (name, address or config alias).
    pub host: String,
    /// Repairs made (or that a dry run would make) and warnings.
    pub notes: Vec<String>,
    pub port: u16,
    /// The keys the host already had.
    pub present: Vec<KeyInfo>,
    pub status: HostStatus,
    /// The target as given.
    pub target: String,
    pub user: String,
}

/// How a host ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum HostStatus {
    Added,
    WouldAdd,
    Present,
    Failed,
}

/// How many hosts ended how.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// Hosts where keys were really added; a dry run's count as `would_add`.
    pub added: usize,
    pub failed: usize,
    pub hosts: usize,
    pub present: usize,
    pub would_add: usize,
}

impl Host {
    /// `user@host[:port]`, the host as given: how results and messages name it.
    pub fn dest(&self) -> String {
        match self.port {
            22 => self.login(),
            port => format!("{}:{port}", self.login()),
        }
    }

    /// `user@host` for ssh-copy-id's "Now try logging into the machine" line.
    pub fn login(&self) -> String {
        format!("{}@{}", self.user, self.host)
    }
}

impl Summary {
    /// Counts `hosts`.
    pub fn of(hosts: &[Host]) -> Self {
        let count = |status| hosts.iter().filter(|h| h.status == status).count();
        Summary {
            added: count(HostStatus::Added),
            failed: count(HostStatus::Failed),
            hosts: hosts.len(),
            present: count(HostStatus::Present),
            would_add: count(HostStatus::WouldAdd),
        }
    }
}

impl Report for CopyId {
    /// A host that failed makes the run's answer negative (exit 1), as ssh-copy-id's.
    fn status(&self) -> Status {
        match self.summary.failed {
            0 => Status::Success,
            _ => Status::Negative,
        }
    }
}
