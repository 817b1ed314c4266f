//! `keywright verify`: whether a signature is good, by whom, and why not.

use std::path::PathBuf;

use serde::{Serialize, Serializer};

use super::{KeyInfo, Report, Status};
use crate::sig::lookup::Noted;
use crate::sig::verify::Refusal;

/// The answer of verify.
#[derive(Debug, Clone, Serialize)]
pub struct Verified {
    /// Whether the signature is good (and, unless `--no-validate`, the signer allowed).
    pub good: bool,
    pub namespace: String,
    /// The principal asked for; `null` with `--no-validate`.
    pub principal: Option<String>,
    /// The signer's key (`-CERT` for a certificate), fingerprinted with SHA256.
    pub key: KeyInfo,
    /// The signer's key as a key line (`TYPE BASE64`), what `-O print-pubkey` prints.
    #[serde(serialize_with = "super::lossy")]
    pub public_key: Vec<u8>,
    /// The signature file, as named.
    pub signature: PathBuf,
    /// The signed data as named; `(stdin)` for standard input.
    pub file: PathBuf,
    /// Why the signature was refused; `null` when good.
    #[serde(serialize_with = "refusal")]
    pub refusal: Option<Refusal>,
    /// The allowed_signers file, unless `--no-validate`.
    pub signers_file: Option<PathBuf>,
    /// The line of that file that allowed the signer; `null` when none did.
    pub line: Option<usize>,
    /// Why each line of it that was looked at did not allow the signer.
    #[serde(serialize_with = "notes")]
    pub notes: Vec<Noted>,
}

impl Report for Verified {
    fn status(&self) -> Status {
        Status::found(self.good)
    }
}

/// A refusal as `{"code": …, "message": …}`.
fn refusal<S: Serializer>(refusal: &Option<Refusal>, serializer: S) -> Result<S::Ok, S::Error> {
    #[derive(Serialize)]
    struct Coded {
        code: &'static str,
        message: String,
    }
    let coded =
        refusal.as_ref().map(|refusal| Coded { code: refusal_code(refusal), message: refusal.to_string() });
    coded.serialize(serializer)
}

/// The stable name of a refusal, for programs.
pub fn refusal_code(refusal: &Refusal) -> &'static str {
    match refusal {
        Refusal::Namespace { .. } => "namespace",
        Refusal::RsaAlgorithm { .. } => "rsa-algorithm",
        Refusal::Invalid => "invalid",
        Refusal::Revoked => "revoked",
        Refusal::NotAllowed => "not-allowed",
    }
}

/// Line notes as `[{"line": …, "code": …, "message": …}]`.
pub(crate) fn notes<S: Serializer>(notes: &[Noted], serializer: S) -> Result<S::Ok, S::Error> {
    #[derive(Serialize)]
    struct Note {
        line: usize,
        code: &'static str,
        message: String,
    }
    let notes: Vec<Note> = notes
        .iter()
        .map(|noted| Note { line: noted.line, code: noted.note.code(), message: noted.note.to_string() })
        .collect();
    notes.serialize(serializer)
}
