//! `keywright sign`: the signatures made, file by file.

use std::path::PathBuf;

use serde::Serialize;

use super::{KeyInfo, Report, Status};

/// A run of sign.
#[derive(Debug, Clone, Serialize)]
pub struct Signed {
    /// The key the signatures carry (a certificate when one signed).
    pub key: KeyInfo,
    pub namespace: String,
    /// `sha512` or `sha256`.
    pub hash: &'static str,
    /// Whether ssh-agent made the signatures.
    pub agent: bool,
    pub files: Vec<SignedFile>,
}

/// One input.
#[derive(Debug, Clone, Serialize)]
pub struct SignedFile {
    /// The file as named; `(stdin)` for `-`.
    pub file: PathBuf,
    /// Where the signature went: `FILE.sig`, or `null` for standard output.
    pub signature: Option<PathBuf>,
    pub outcome: SignOutcome,
    /// The armoured signature, for standard output.
    #[serde(skip)]
    pub armored: Option<String>,
}

/// What became of one input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SignOutcome {
    /// Signed, the signature written.
    Written,
    /// Not signed: FILE.sig exists and the answer at the prompt was no.
    Declined,
}

impl Report for Signed {
    fn status(&self) -> Status {
        // A declined file is a clean no, as any declined question.
        match self.files.iter().any(|f| f.outcome == SignOutcome::Declined) {
            true => Status::Negative,
            false => Status::Success,
        }
    }
}
