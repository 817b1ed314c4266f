//! OpenSSH certificates (PROTOCOL.certkeys): what `ssh-keygen -s` issues and `ssh-keygen
//! -L` shows, decided as OpenSSH 9.2 decides it. ssh-key's certificate `Builder` does the
//! encoding and signing; this model adds what ssh-keygen adds around it: the validity
//! syntax of `-V` ([`validity`]), the `-O` options and the default extensions
//! ([`options`]), the request that certifies many keys with one CA unlocked once
//! ([`issue`]), and the fields `-L` prints ([`show`]). The model never prints.

pub mod issue;
pub mod options;
pub mod show;
pub mod validity;

pub use issue::{CaSigner, Request};
pub use options::CertOptions;
pub use validity::Validity;

/// Why a certificate request is refused, in ssh-keygen 9.2's words (its `fatal`
/// messages), which the ssh-keygen front prints as they are.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SpecError {
    /// `-V`: a validity that cannot be read; the message is ssh-keygen's.
    #[error("{0}")]
    Validity(String),
    /// `-O`: an option that cannot be read; the message is ssh-keygen's.
    #[error("{0}")]
    Option(String),
    /// `-O source-address=`: a list sshd could not read (what is wrong, as OpenSSH logs
    /// it before its `fatal`).
    #[error("Invalid source-address list: {0}")]
    SourceAddress(String),
    /// `-n`: an empty name in the list.
    #[error("Empty principal name")]
    EmptyPrincipal,
    /// `-n`: more than OpenSSH's 256 principals.
    #[error("Too many certificate principals specified")]
    TooManyPrincipals,
    /// `-z`: not a decimal number that fits 64 bits.
    #[error("Invalid serial number \"{0}\"")]
    Serial(String),
    /// An option twice in one section (ssh-keygen writes such a certificate, which
    /// sshd then refuses; keywright refuses to issue it).
    #[error("certificate option {0:?} given twice")]
    Duplicate(String),
}
