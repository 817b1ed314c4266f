//! `keywright cert sign` and `cert show`.

use std::path::PathBuf;

use serde::Serialize;

use super::{KeyInfo, Report, Status};
use crate::cert::Validity;
use crate::cert::show::CertView;

/// The certificates one `cert sign` issued.
#[derive(Debug, Clone, Serialize)]
pub struct Issued {
    /// The CA that signed them.
    pub ca: KeyInfo,
    pub certificates: Vec<IssuedCert>,
}

/// One certificate written.
#[derive(Debug, Clone, Serialize)]
pub struct IssuedCert {
    /// The public key certified.
    #[serde(serialize_with = "display_path")]
    pub key: PathBuf,
    /// Where the certificate was written (`KEY-cert.pub`).
    #[serde(serialize_with = "display_path")]
    pub certificate: PathBuf,
    /// A host certificate (else a user certificate).
    pub host: bool,
    pub key_id: String,
    pub serial: u64,
    /// `null`: valid for every principal.
    pub principals: Option<Vec<String>>,
    pub validity: Validity,
}

impl Report for Issued {}

/// What `cert show` found.
#[derive(Debug, Clone, Serialize)]
pub struct Shown {
    pub certificates: Vec<ShownCert>,
    /// Whether a file could not be read (reported as it happened).
    #[serde(skip)]
    pub failed: bool,
}

/// One certificate and where it was.
#[derive(Debug, Clone, Serialize)]
pub struct ShownCert {
    /// The file, `(stdin)` for standard input.
    pub file: String,
    pub line: usize,
    /// Whether ssh-keygen names it with its line (`FILE:LINE:`), as it does for
    /// standard input and for lines after the first.
    #[serde(skip)]
    pub numbered: bool,
    #[serde(flatten)]
    pub view: CertView,
}

impl Report for Shown {
    fn status(&self) -> Status {
        match (self.failed, self.certificates.is_empty()) {
            (true, _) => Status::Failed,
            (false, true) => Status::Negative,
            (false, false) => Status::Success,
        }
    }
}

fn display_path<S: serde::Serializer>(path: &std::path::Path, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(&path.display())
}
