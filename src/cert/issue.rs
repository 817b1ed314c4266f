//! Issuing certificates as `ssh-keygen -s` issues them: one request (type, key id,
//! principals, validity, serial, options) applied to many keys, signed by one CA that
//! is unlocked or found in ssh-agent once. An RSA CA signs with rsa-sha2-512 unless
//! asked for rsa-sha2-256, as ssh-keygen; the nonce is 32 random bytes, as
//! ssh-keygen's.
//!
//! A CA key in memory is converted for signing once ([`ReadyKey`]) and can sign from
//! several threads at once (`cert sign` signs on the threads that write the
//! certificates); an agent signs one request at a time, on one connection.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use ssh_key::certificate::{Builder, CertType};
use ssh_key::public::KeyData;
use ssh_key::{Certificate, HashAlg, PrivateKey, Signature};

use super::options::CertOption;
use super::{SpecError, Validity};
use crate::error::{Error, Result};
use crate::key::signing::ReadyKey;
use crate::sig::agent::Agent;

/// OpenSSH's limit on the principals of one certificate (`SSHKEY_CERT_MAX_PRINCIPALS`).
pub const MAX_PRINCIPALS: usize = 256;

/// The nonce length ssh-keygen uses.
const NONCE_LEN: usize = 32;

/// What every certificate of one run says, but the serial (which may count up).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// A host certificate (`-h`), else a user certificate.
    pub host: bool,
    /// `-I`.
    pub key_id: String,
    /// `-n`, split; `None` when not given: a certificate valid for every principal,
    /// as ssh-keygen issues it then.
    pub principals: Option<Vec<String>>,
    pub validity: Validity,
    pub critical: Vec<CertOption>,
    pub extensions: Vec<CertOption>,
}

/// Splits `-n`'s comma-separated principals as ssh-keygen does.
///
/// # Errors
/// An empty name, or more than [`MAX_PRINCIPALS`].
pub fn principals(list: &str) -> Result<Vec<String>, SpecError> {
    let names: Vec<String> = list.split(',').map(str::to_string).collect();
    if names.iter().any(String::is_empty) {
        return Err(SpecError::EmptyPrincipal);
    }
    if names.len() > MAX_PRINCIPALS {
        return Err(SpecError::TooManyPrincipals);
    }
    Ok(names)
}

/// Reads `-z`: a decimal serial, counting up from one key to the next when it starts
/// with `+` (the second value).
///
/// # Errors
/// [`SpecError::Serial`] for anything but decimal digits that fit 64 bits.
pub fn serial(text: &str) -> Result<(u64, bool), SpecError> {
    let (digits, counting) = match text.strip_prefix('+') {
        Some(rest) => (rest, true),
        None => (text, false),
    };
    let invalid = || SpecError::Serial(digits.to_string());
    if !digits.bytes().next().is_some_and(|b| b.is_ascii_digit())
        || !digits.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(invalid());
    }
    // strtoull's ERANGE answer, ULLONG_MAX, is refused; the value itself is not.
    let value = digits.parse::<u64>().map_err(|_| invalid())?;
    Ok((value, counting))
}

/// Where `ssh-keygen -s` writes the certificate of `key`: `.pub` replaced by (or, for
/// another name, followed by) `-cert.pub`.
pub fn cert_path(key: &Path) -> PathBuf {
    let name = key.as_os_str().as_encoded_bytes();
    let stem = name.strip_suffix(b".pub").unwrap_or(name);
    let mut out = stem.to_vec();
    out.extend_from_slice(b"-cert.pub");
    PathBuf::from(os_string(out))
}

fn os_string(bytes: Vec<u8>) -> std::ffi::OsString {
    use std::os::unix::ffi::OsStringExt;
    std::ffi::OsString::from_vec(bytes)
}

/// The CA that signs.
#[derive(Debug)]
pub enum CaSigner {
    /// A private key in memory, converted once for signing; `hash` is the RSA
    /// signature's hash (ignored for others).
    Local { key: Box<PrivateKey>, ready: ReadyKey, hash: HashAlg },
    /// ssh-agent, holding `public`; `hash` as for a local key.
    Agent { agent: Box<Mutex<Agent>>, public: KeyData, hash: HashAlg },
}

impl CaSigner {
    /// A CA key in memory; an RSA CA signs with `hash`.
    ///
    /// # Errors
    /// [`Error::Crypto`] for a key whose parts do not make a valid key.
    pub fn local(key: PrivateKey, hash: HashAlg) -> Result<Self> {
        let ready = ReadyKey::new(&key, hash)
            .map_err(|e| Error::Crypto { what: "loading the CA key", reason: e.to_string() })?;
        Ok(CaSigner::Local { key: Box::new(key), ready, hash })
    }

    /// The same CA, an RSA CA signing with `hash` instead.
    ///
    /// # Errors
    /// As [`CaSigner::local`].
    pub fn with_rsa_hash(self, hash: HashAlg) -> Result<Self> {
        match self {
            CaSigner::Local { key, .. } => CaSigner::local(*key, hash),
            CaSigner::Agent { agent, public, .. } => Ok(CaSigner::Agent { agent, public, hash }),
        }
    }

    /// The CA's public key.
    pub fn public(&self) -> KeyData {
        match self {
            CaSigner::Local { key, .. } => key.public_key().key_data().clone(),
            CaSigner::Agent { public, .. } => public.clone(),
        }
    }
}

/// [`CaSigner`] as ssh-key's builder wants a signer.
struct CaKey<'a>(&'a CaSigner);

impl From<&CaKey<'_>> for KeyData {
    fn from(ca: &CaKey<'_>) -> KeyData {
        ca.0.public()
    }
}

impl signature::Signer<Signature> for CaKey<'_> {
    fn try_sign(&self, message: &[u8]) -> signature::Result<Signature> {
        match self.0 {
            CaSigner::Local { ready, .. } => ready.try_sign(message),
            CaSigner::Agent { agent, public, hash } => {
                let mut agent = agent.lock().unwrap_or_else(|p| p.into_inner());
                agent.sign_hashed(public, message, *hash).map_err(signature::Error::from_source)
            }
        }
    }
}

impl Request {
    /// Certifies `subject` with serial `serial`, the certificate's comment `comment`
    /// (the key's, as ssh-keygen keeps it).
    ///
    /// # Errors
    /// [`Error::Crypto`] when the CA could not sign (or the agent refused).
    pub fn certify(
        &self,
        ca: &CaSigner,
        subject: &KeyData,
        comment: &str,
        serial: u64,
    ) -> Result<Certificate> {
        let crypto = |e: ssh_key::Error| Error::Crypto { what: "certifying", reason: e.to_string() };
        let mut nonce = [0u8; NONCE_LEN];
        getrandom::fill(&mut nonce)
            .map_err(|e| Error::Crypto { what: "certifying", reason: e.to_string() })?;
        let mut builder =
            Builder::new(nonce.to_vec(), subject.clone(), self.validity.after, self.validity.before)
                .map_err(crypto)?;
        builder.serial(serial).map_err(crypto)?;
        builder.cert_type(if self.host { CertType::Host } else { CertType::User }).map_err(crypto)?;
        builder.key_id(self.key_id.clone()).map_err(crypto)?;
        match &self.principals {
            Some(names) => {
                for name in names {
                    builder.valid_principal(name.clone()).map_err(crypto)?;
                }
            }
            None => {
                builder.all_principals_valid().map_err(crypto)?;
            }
        }
        for (name, value) in &self.critical {
            builder.critical_option(name.clone(), value.clone().unwrap_or_default()).map_err(crypto)?;
        }
        for (name, value) in &self.extensions {
            builder.extension(name.clone(), value.clone().unwrap_or_default()).map_err(crypto)?;
        }
        builder.comment(comment).map_err(crypto)?;
        builder.sign(&CaKey(ca)).map_err(crypto)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serials_and_principals_as_ssh_keygen_reads_them() {
        assert_eq!(serial("42"), Ok((42, false)));
        assert_eq!(serial("+7"), Ok((7, true)));
        assert_eq!(serial("18446744073709551615"), Ok((u64::MAX, false)));
        for bad in ["", "+", "-1", "1x", " 1", "18446744073709551616"] {
            assert!(serial(bad).is_err(), "{bad}");
        }
        assert_eq!(principals("a,b").unwrap(), ["a", "b"]);
        assert_eq!(principals("a,,b"), Err(SpecError::EmptyPrincipal));
        assert_eq!(cert_path(Path::new("dir/id.pub")), Path::new("dir/id-cert.pub"));
        assert_eq!(cert_path(Path::new("host")), Path::new("host-cert.pub"));
    }
}
