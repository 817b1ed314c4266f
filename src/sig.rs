//! SSH signatures (PROTOCOL.sshsig) and allowed_signers files (ssh-keygen(1) ALLOWED
//! SIGNERS): making signatures (with a key file or a key held by ssh-agent), checking
//! them, and deciding who may have made them, each exactly as OpenSSH 9.2's sshsig.c and
//! `ssh-keygen -Y` decide it. The model never prints: the answers carry everything
//! ssh-keygen would say (the signer's key, the line that admitted it, why each other line
//! did not), and each front words them its own way.
//!
//! One job a module: [`armor`] the text form, [`blob`] the SSHSIG blob, [`digest`] the
//! message hash (with [`libcrypto`] for large inputs), [`signer`] and [`agent`] making
//! signatures, [`verify`] checking one, [`allowed`] and [`options`] reading
//! allowed_signers lines, [`lookup`] the verify, find-principals and match-principals
//! lookups, [`revoked`] revocation files, [`time`] OpenSSH's time syntax, [`write`]
//! writing signature files, [`edit`] and [`audit`] the `signers add` and `signers audit`
//! work.

pub mod agent;
pub mod allowed;
pub mod armor;
pub mod audit;
pub mod blob;
pub mod digest;
pub mod edit;
pub mod libcrypto;
pub mod lookup;
pub mod options;
pub mod revoked;
pub mod signer;
pub mod time;
pub mod verify;
pub mod write;

pub use allowed::{LineProblem, SignersFile};
pub use blob::Sshsig;
pub use digest::MessageHash;

/// Why a signature file is no signature OpenSSH would read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignatureProblem {
    /// The file does not start with `-----BEGIN SSH SIGNATURE-----`.
    MissingHeader,
    /// No line starts with `-----END SSH SIGNATURE-----`.
    MissingFooter,
    /// What is between them is not base64.
    NotBase64,
    /// The blob is no SSHSIG blob (wrong magic, fields cut short, a NUL in a name).
    Malformed,
    /// A newer version than 1.
    Version(u32),
    /// A hash other than sha256 or sha512.
    UnsupportedHash(String),
    /// The signer's key is no key OpenSSH reads.
    BadKey,
    /// The signer's certificate is not signed by its own CA key.
    BadCertificate,
    /// Bytes after the signature.
    TrailingData,
}

impl std::fmt::Display for SignatureProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SignatureProblem::MissingHeader => {
                f.write_str("it does not start with -----BEGIN SSH SIGNATURE-----")
            }
            SignatureProblem::MissingFooter => f.write_str("it has no -----END SSH SIGNATURE----- line"),
            SignatureProblem::NotBase64 => f.write_str("the signature is not valid base64"),
            SignatureProblem::Malformed => f.write_str("the signature data is damaged"),
            SignatureProblem::Version(version) => {
                write!(f, "signature version {version} is newer than the version 1 this reads")
            }
            SignatureProblem::UnsupportedHash(name) => {
                write!(f, "hash algorithm {name:?} (only sha256 and sha512 are allowed)")
            }
            SignatureProblem::BadKey => {
                f.write_str("the signer's public key is damaged or of an unknown type")
            }
            SignatureProblem::BadCertificate => {
                f.write_str("the signer's certificate does not carry a valid signature of its CA")
            }
            SignatureProblem::TrailingData => f.write_str("data follows the signature"),
        }
    }
}
