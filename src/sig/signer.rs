//! The key a signature is made with, found as `ssh-keygen -Y sign -f` finds it: a
//! private key file; a public key (`KEY.pub`, or a certificate `KEY-cert.pub`) whose
//! private half is beside it or in ssh-agent; a public key file of any name, or a key
//! given literally (git's `key::ssh-ed25519 AAAA…`), whose private half is in the agent.
//! A certificate signs with its private key and puts the certificate in the signature,
//! so that allowed_signers `cert-authority` lines can admit it.

use std::path::{Path, PathBuf};

use ssh_key::public::KeyData;
use ssh_key::{HashAlg, PrivateKey};

use super::agent::Agent;
use super::blob::{Sshsig, signed_data};
use super::digest::MessageHash;
use super::lookup::plain;
use crate::error::{Error, Result};
use crate::key::PrivateKeyFile;
use crate::key::signing::ReadyKey;
use crate::key::source::{Item, KeySource, pub_beside};

/// The `-f` argument of sign.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyArg {
    /// A key given literally: git's `key::TYPE BASE64`, or a bare key line.
    Literal(KeyData),
    /// A key file.
    File(PathBuf),
}

impl KeyArg {
    /// Reads the argument: `key::` and key lines are literal keys, anything else a path.
    ///
    /// # Errors
    /// A `key::` argument that holds no valid public key.
    pub fn parse(arg: &str) -> Result<Self> {
        let literal = match arg.strip_prefix("key::") {
            Some(line) => Some(line),
            None if crate::key::source::looks_like_key_line(arg) => Some(arg),
            None => None,
        };
        let Some(line) = literal else { return Ok(KeyArg::File(PathBuf::from(arg))) };
        let key = crate::key::text::read_key(crate::key::text::skip_blanks(line.as_bytes()));
        key.map(|(key, _)| KeyArg::Literal(key))
            .ok_or(Error::NoPublicKey { path: PathBuf::from("the -f argument"), first_bad_line: None })
    }
}

/// A signing key as found, not yet unlocked.
#[derive(Debug)]
pub struct FoundKey {
    /// How the key is named in messages.
    pub name: PathBuf,
    /// The public key the signatures will carry (a certificate when one was given);
    /// `None` only for an encrypted legacy PEM key without a `.pub` beside it.
    pub public: Option<KeyData>,
    /// The private key file, when there is one.
    pub private: Option<PrivateKeyFile>,
}

impl FoundKey {
    /// Finds the key `arg` names.
    ///
    /// # Errors
    /// A file that cannot be read or holds no key; a certificate whose private key is
    /// another key.
    pub fn locate(arg: &KeyArg) -> Result<Self> {
        match arg {
            KeyArg::Literal(key) => {
                Ok(FoundKey { name: "the -f argument".into(), public: Some(key.clone()), private: None })
            }
            KeyArg::File(path) => match public_suffix(path) {
                Some(private_path) => Self::public_file(path, &private_path),
                None => Self::any_file(path),
            },
        }
    }

    /// `KEY.pub` or `KEY-cert.pub`: the public key (or certificate) from the file, the
    /// private key from `KEY` when it exists.
    fn public_file(path: &Path, private_path: &Path) -> Result<Self> {
        let public = first_public_key(path)?;
        let private = match private_path.exists() {
            true => Some(PrivateKeyFile::read(private_path)?),
            false => None,
        };
        if let (Some(file), KeyData::Certificate(cert)) = (&private, &public)
            && file.public_key().is_some_and(|key| key.key_data() != cert.public_key())
        {
            return Err(Error::CertificateKeyMismatch {
                certificate: path.to_path_buf(),
                key: private_path.to_path_buf(),
            });
        }
        Ok(FoundKey { name: path.to_path_buf(), public: Some(public), private })
    }

    /// Any other file: a private key (its public half read from it or its `.pub`), or a
    /// public key whose private half must be in the agent.
    fn any_file(path: &Path) -> Result<Self> {
        let source = KeySource::File(path.to_path_buf());
        let mut reader = source.open()?;
        let public = match reader.next_key()? {
            Some(Item::Private(input)) => {
                let file = input.file?;
                let public = file
                    .public_key()
                    .map(|key| key.key_data().clone())
                    .or_else(|| pub_beside(path).map(|(key, _)| key));
                return Ok(FoundKey { name: path.to_path_buf(), public, private: Some(file) });
            }
            Some(Item::Key { found, .. }) => found.key,
            None => {
                return Err(reader
                    .finish()
                    .err()
                    .unwrap_or(Error::NoPublicKey { path: path.to_path_buf(), first_bad_line: None }));
            }
        };
        Ok(FoundKey { name: path.to_path_buf(), public: Some(public), private: None })
    }
}

/// The private key's path for `KEY.pub` and `KEY-cert.pub` (ssh-keygen's
/// `load_sign_key`).
fn public_suffix(path: &Path) -> Option<PathBuf> {
    use std::os::unix::ffi::OsStrExt;
    let name = path.as_os_str().as_bytes();
    [&b"-cert.pub"[..], b".pub"]
        .into_iter()
        .find(|suffix| name.len() > suffix.len() && name.ends_with(suffix))
        .map(|suffix| PathBuf::from(std::ffi::OsStr::from_bytes(&name[..name.len() - suffix.len()])))
}

fn first_public_key(path: &Path) -> Result<KeyData> {
    let source = KeySource::File(path.to_path_buf());
    let mut reader = source.open_public()?;
    match reader.next_key()? {
        Some(Item::Key { found, .. }) => Ok(found.key),
        _ => Err(reader
            .finish()
            .err()
            .unwrap_or(Error::NoPublicKey { path: path.to_path_buf(), first_bad_line: None })),
    }
}

/// What makes the signatures.
#[derive(Debug)]
pub enum Signer {
    /// A private key in memory, converted once for signing (RSA with rsa-sha2-512, as
    /// ssh-keygen); with a certificate, the certificate is the public key.
    Local { key: ReadyKey, public: KeyData },
    /// ssh-agent, holding `public`.
    Agent { agent: Agent, public: KeyData },
}

impl Signer {
    /// A signer with a decrypted private key, carrying `certificate` as its public key
    /// when one is given.
    ///
    /// # Errors
    /// A key whose parts do not make a valid key of its type.
    pub fn local(key: &PrivateKey, certificate: Option<KeyData>) -> Result<Self> {
        let ready = ReadyKey::new(key, HashAlg::Sha512)
            .map_err(|e| Error::Crypto { what: "signing", reason: e.to_string() })?;
        let public = certificate.unwrap_or_else(|| key.public_key().key_data().clone());
        Ok(Signer::Local { key: ready, public })
    }

    /// The public key the signatures carry.
    pub fn public(&self) -> &KeyData {
        match self {
            Signer::Local { public, .. } | Signer::Agent { public, .. } => public,
        }
    }

    /// Whether the agent makes the signatures.
    pub fn is_agent(&self) -> bool {
        matches!(self, Signer::Agent { .. })
    }

    /// Signs a message with hash `hash` in `namespace` (RSA with rsa-sha2-512, as
    /// ssh-keygen).
    ///
    /// # Errors
    /// The key cannot sign (an unsupported type), or the agent refused.
    pub fn sign(&mut self, namespace: &str, hash: &MessageHash) -> Result<Sshsig> {
        let data = signed_data(namespace, hash)
            .map_err(|_| Error::Crypto { what: "signing", reason: "empty namespace".into() })?;
        let (signature, public) = match self {
            Signer::Local { key, public } => {
                let signature = signature::Signer::try_sign(key, &data)
                    .map_err(|e| Error::Crypto { what: "signing", reason: e.to_string() })?;
                (signature, public.clone())
            }
            Signer::Agent { agent, public } => (agent.sign(public, &data)?, public.clone()),
        };
        let mut encoded = Vec::new();
        ssh_key::encoding::Encode::encode(&signature, &mut encoded)
            .map_err(|e| Error::Crypto { what: "signing", reason: e.to_string() })?;
        Ok(Sshsig {
            key: public,
            namespace: namespace.as_bytes().to_vec(),
            hash: hash.alg(),
            signature: encoded,
        })
    }
}

/// Whether a decrypted private key is the private half of `public` (a certificate's
/// key for a certificate).
pub fn is_private_half(key: &PrivateKey, public: &KeyData) -> bool {
    key.public_key().key_data() == plain(public)
}

/// The hash algorithm a signature uses: `-O hashalg=` (sha256 or sha512), sha512 by
/// default, as ssh-keygen.
pub fn hash_alg(name: Option<&str>) -> Option<HashAlg> {
    match name {
        None | Some("sha512") => Some(HashAlg::Sha512),
        Some("sha256") => Some(HashAlg::Sha256),
        Some(_) => None,
    }
}
