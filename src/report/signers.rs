//! `keywright signers …`: principals found and matched, signers added, listed and
//! audited.

use std::path::PathBuf;

use serde::Serialize;

use super::{KeyInfo, Report, Status};
use crate::sig::audit::{Finding, Severity};
use crate::sig::edit::Added;
use crate::sig::lookup::Noted;

/// `signers find`: who may have made a signature.
#[derive(Debug, Clone, Serialize)]
pub struct Found {
    /// The principals, one per pattern (or, for a certificate, each of its principals
    /// the line allows), as `ssh-keygen -Y find-principals` prints them.
    pub principals: Vec<String>,
    /// The allowed_signers line they are on; `null` when no line holds the key.
    pub line: Option<usize>,
    /// The signer's key.
    pub key: KeyInfo,
    pub signers_file: PathBuf,
    /// Why each line that holds the key but was passed over was.
    #[serde(serialize_with = "super::verify::notes")]
    pub notes: Vec<Noted>,
}

impl Report for Found {
    fn status(&self) -> Status {
        Status::found(!self.principals.is_empty())
    }
}

/// `signers match`: the lines whose principal patterns match an identity.
#[derive(Debug, Clone, Serialize)]
pub struct Matched {
    pub identity: String,
    pub lines: Vec<MatchedLine>,
}

/// One matching line.
#[derive(Debug, Clone, Serialize)]
pub struct MatchedLine {
    pub line: usize,
    /// The line's principals field, as `ssh-keygen -Y match-principals` prints it.
    pub principals: String,
}

impl Report for Matched {
    fn status(&self) -> Status {
        Status::found(!self.lines.is_empty())
    }
}

/// `signers add`.
#[derive(Debug, Clone, Serialize)]
pub struct AddedSigners {
    pub file: PathBuf,
    pub signers: Vec<AddedSigner>,
}

/// One signer added (or found already there).
#[derive(Debug, Clone, Serialize)]
pub struct AddedSigner {
    pub principals: String,
    pub key: KeyInfo,
    #[serde(flatten)]
    pub outcome: Added,
}

impl Report for AddedSigners {}

/// `signers list`: every signer of a file.
#[derive(Debug, Clone, Serialize)]
pub struct Listed {
    pub file: PathBuf,
    pub signers: Vec<ListedSigner>,
    /// Lines that cannot be read (OpenSSH admits no one by them).
    pub invalid: Vec<InvalidLine>,
}

/// One signer line.
#[derive(Debug, Clone, Serialize)]
pub struct ListedSigner {
    pub line: usize,
    /// The principal patterns, in order.
    pub principals: Vec<String>,
    pub cert_authority: bool,
    /// The namespace patterns; `null` for any namespace.
    pub namespaces: Option<Vec<String>>,
    /// Seconds since the epoch; `null` when unbounded.
    pub valid_after: Option<u64>,
    pub valid_before: Option<u64>,
    pub key: KeyInfo,
}

/// A line that cannot be read.
#[derive(Debug, Clone, Serialize)]
pub struct InvalidLine {
    pub line: usize,
    pub message: String,
}

impl Report for Listed {}

/// `signers audit`.
#[derive(Debug, Clone, Serialize)]
pub struct Audited {
    pub file: PathBuf,
    pub findings: Vec<Finding>,
    pub summary: Summary,
    /// The severity at or above which a finding fails the audit.
    #[serde(skip)]
    pub fail_on: Severity,
}

/// Findings by severity.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Summary {
    pub error: usize,
    pub warning: usize,
    pub info: usize,
}

impl Summary {
    /// Counts `findings`.
    pub fn of(findings: &[Finding]) -> Self {
        let count = |severity| findings.iter().filter(|f| f.severity == severity).count();
        Summary {
            error: count(Severity::Error),
            warning: count(Severity::Warning),
            info: count(Severity::Info),
        }
    }
}

impl Report for Audited {
    fn status(&self) -> Status {
        match self.findings.iter().any(|f| f.severity >= self.fail_on) {
            true => Status::Negative,
            false => Status::Success,
        }
    }
}
