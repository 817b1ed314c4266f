//! How one host of a copy-id run ended: what the installer did there and how the host
//! ended, which the run hands, host by host, to the command's user interface and finally
//! to its report. An authorized-keys run hands its hosts over the same way
//! ([`Finished`]).

use std::sync::Arc;

use super::authorized_keys::HostOutcome;
use crate::error::Error;

/// A host that is done, as the run tells the command's user interface (for its progress
/// bar) before the run ends.
#[derive(Debug)]
pub enum Finished {
    /// A copy-id host.
    Installed(HostResult),
    /// An authorized-keys host.
    Edited(HostOutcome),
}

/// How one host ended.
#[derive(Debug, Clone)]
pub enum HostStatus {
    Added(Vec<usize>),
    WouldAdd(Vec<usize>),
    Present,
    /// Shared: the result goes to the user's side (the progress bar) and the report.
    Failed(Arc<Error>),
}

/// One host's result.
#[derive(Debug, Clone)]
pub struct HostResult {
    /// The target as given on the command line or in the hosts file.
    pub target: String,
    pub user: String,
    /// The host as given (name, address or config alias).
    pub host: String,
    pub port: u16,
    pub status: HostStatus,
    pub installed: Option<Installed>,
    /// After a refused login, the methods the server offered (asked for before the login
    /// when the run wanted them, as ssh asks); empty otherwise.
    pub methods: Vec<&'static str>,
}

/// What happened, by index into the keys asked for.
#[derive(Debug, Clone, Default)]
pub struct Installed {
    pub added: Vec<usize>,
    pub present: Vec<usize>,
    /// Repairs made (or, in a dry run, that would be made) and warnings.
    pub notes: Vec<Note>,
}

/// Something the user should hear about a host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Note {
    /// A problem keywright leaves for the user to fix.
    Warning(String),
    /// A change made (or that a dry run would make).
    Change(String),
}

impl std::fmt::Display for Note {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Note::Warning(text) => write!(f, "warning: {text}"),
            Note::Change(text) => f.write_str(text),
        }
    }
}
