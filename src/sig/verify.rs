//! Checking a signature, in `ssh-keygen -Y verify`'s order: the signature itself (its
//! namespace, for RSA its algorithm, then the cryptography over the message's hash), then
//! the revocation file, then the allowed_signers file. `check-novalidate` is the first
//! step alone.

use ssh_key::Algorithm;
use ssh_key::public::KeyData;

use super::SignersFile;
use super::blob::{Sshsig, signed_data};
use super::digest::MessageHash;
use super::lookup::{self, Admitted, Noted, plain};
use super::revoked::RevokedKeys;
use super::time::Seconds;
use crate::error::Result;

/// Why a signature was not accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// It was made for another namespace (`found`).
    Namespace { found: Vec<u8> },
    /// An RSA signature with an algorithm other than rsa-sha2-512 or rsa-sha2-256
    /// (ssh-rsa's SHA-1 is refused).
    RsaAlgorithm { found: String },
    /// The signature does not match the message and key: the message changed, or the
    /// signature is forged or damaged.
    Invalid,
    /// The signer's key, or its certificate's CA, is in the revocation file.
    Revoked,
    /// No allowed_signers line admits the key for the principal (see the notes).
    NotAllowed,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::Namespace { found } => {
                write!(
                    f,
                    "the signature is for namespace \"{}\"",
                    String::from_utf8_lossy(found).escape_debug()
                )
            }
            Refusal::RsaAlgorithm { found } => {
                write!(f, "RSA signatures must use rsa-sha2-512 or rsa-sha2-256, not {found}")
            }
            Refusal::Invalid => f.write_str("the signature does not match the data (changed or forged)"),
            Refusal::Revoked => f.write_str("the key is revoked"),
            Refusal::NotAllowed => f.write_str("no allowed_signers line allows this key for this principal"),
        }
    }
}

/// Checks the signature itself: made in `namespace`, with an algorithm OpenSSH accepts,
/// over a message with this hash (computed with the signature's own hash algorithm).
///
/// # Errors
/// Why the signature is refused.
pub fn check_signature(
    sig: &Sshsig,
    namespace: &str,
    hash: &MessageHash,
) -> std::result::Result<(), Refusal> {
    if sig.namespace != namespace.as_bytes() {
        return Err(Refusal::Namespace { found: sig.namespace.clone() });
    }
    let key = plain(&sig.key);
    if matches!(key, KeyData::Rsa(_)) {
        let found = sig.signature_type().unwrap_or_default();
        if !matches!(found, b"rsa-sha2-512" | b"rsa-sha2-256") {
            return Err(Refusal::RsaAlgorithm { found: String::from_utf8_lossy(found).into_owned() });
        }
    }
    let signature = sig.decoded_signature().ok_or(Refusal::Invalid)?;
    if matches!(signature.algorithm(), Algorithm::Other(_)) {
        return Err(Refusal::Invalid);
    }
    let data = signed_data(namespace, hash).map_err(|_| Refusal::Invalid)?;
    signature::Verifier::verify(key, &data, &signature).map_err(|_| Refusal::Invalid)
}

/// Who may sign: an allowed_signers file and the principal asked for.
#[derive(Debug, Clone, Copy)]
pub struct Signers<'a> {
    pub file: &'a SignersFile,
    pub principal: &'a [u8],
}

/// What a full verification is checked against.
#[derive(Debug, Clone, Copy)]
pub struct Policy<'a> {
    pub namespace: &'a str,
    /// `None` checks the signature alone (check-novalidate).
    pub signers: Option<Signers<'a>>,
    pub revoked: Option<&'a RevokedKeys>,
    /// The verify time (`-O verify-time`, else now).
    pub time: Seconds,
}

/// The answer of a verification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub refusal: Option<Refusal>,
    /// The line that admitted the signer, when signers were asked about and one did.
    pub admitted: Option<Admitted>,
    /// Why each allowed_signers line looked at before (or instead of) it did not.
    pub notes: Vec<Noted>,
}

impl Verdict {
    /// Whether the signature is good.
    pub fn is_good(&self) -> bool {
        self.refusal.is_none()
    }
}

/// Verifies `sig` over a message with hash `hash` against `policy`.
///
/// # Errors
/// The revocation file has a line that is no key before any listing of the signer.
pub fn verify(sig: &Sshsig, hash: &MessageHash, policy: &Policy<'_>) -> Result<Verdict> {
    let refused = |refusal| Verdict { refusal: Some(refusal), admitted: None, notes: Vec::new() };
    if let Err(refusal) = check_signature(sig, policy.namespace, hash) {
        return Ok(refused(refusal));
    }
    if let Some(revoked) = policy.revoked
        && revoked.revokes(&sig.key)?
    {
        return Ok(refused(Refusal::Revoked));
    }
    let Some(signers) = policy.signers else {
        return Ok(Verdict { refusal: None, admitted: None, notes: Vec::new() });
    };
    let namespace = policy.namespace.as_bytes();
    let lookup = lookup::check_allowed(signers.file, &sig.key, signers.principal, namespace, policy.time);
    Ok(Verdict {
        refusal: lookup.admitted.is_none().then_some(Refusal::NotAllowed),
        admitted: lookup.admitted,
        notes: lookup.notes,
    })
}
