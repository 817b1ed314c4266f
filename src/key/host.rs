//! A server's host keys: where sshd keeps them (`PREFIX/etc/ssh/ssh_host_TYPE_key`), how
//! ssh-keygen -A makes the missing ones, how they are read for SSHFP records (RFC 4255,
//! RFC 6594, RFC 7479), and what sshd would refuse about them.

use std::fs;
use std::io;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use ssh_key::public::KeyData;
use ssh_key::{Algorithm, EcdsaCurve};

use super::fingerprint::plain_blob;
use super::source::first_public_key;
use super::{Fingerprint, HashKind, KeySpec, PrivateKeyFile, Protection, private};
use crate::error::{Error, Result};
use crate::fsutil::{self, FileMode};

/// Where sshd's host keys live, under the prefix (`/` on a running system).
pub const HOST_KEY_DIR: &str = "etc/ssh";

/// A host key type that `host-keys` makes, in ssh-keygen -A's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HostKeyType {
    /// The name ssh-keygen -A prints (`RSA`, `ECDSA`, `ED25519`).
    pub display: &'static str,
    /// The file name in `etc/ssh`.
    pub file: &'static str,
    /// What is made: ssh-keygen's default size for the type.
    pub spec: KeySpec,
}

/// The types ssh-keygen 9.2 -A makes (built with OpenSSL, without XMSS): DSA is no longer
/// made since 8.x; ECDSA is P-256 and RSA 3072 bits, ssh-keygen's defaults.
pub const MADE: [HostKeyType; 3] = [
    HostKeyType {
        display: "RSA",
        file: "ssh_host_rsa_key",
        spec: KeySpec::Rsa(super::generate::RSA_DEFAULT_BITS),
    },
    HostKeyType { display: "ECDSA", file: "ssh_host_ecdsa_key", spec: KeySpec::Ecdsa(EcdsaCurve::NistP256) },
    HostKeyType { display: "ED25519", file: "ssh_host_ed25519_key", spec: KeySpec::Ed25519 },
];

/// The files ssh-keygen -r reads without -f, in its order (DSA and XMSS keys are read
/// where they exist).
pub const READ_FOR_SSHFP: [&str; 5] = [
    "ssh_host_rsa_key",
    "ssh_host_dsa_key",
    "ssh_host_ecdsa_key",
    "ssh_host_ed25519_key",
    "ssh_host_xmss_key",
];

/// `PREFIX/etc/ssh/NAME`, as ssh-keygen -A joins them: the prefix is a string the
/// absolute path is appended to (`-f /tmp/p` gives `/tmp/p/etc/ssh/…`, and no prefix
/// gives `/etc/ssh/…`).
pub fn host_key_path(prefix: Option<&Path>, name: &str) -> PathBuf {
    let mut path = prefix.map(|p| p.as_os_str().to_os_string()).unwrap_or_default();
    path.push(format!("/{HOST_KEY_DIR}/{name}"));
    PathBuf::from(path)
}

/// What became of one host key type under `host-keys`.
#[derive(Debug)]
pub enum Outcome {
    /// The private key exists and is not empty: left alone.
    Kept,
    /// Made, with its public key.
    Made(Box<ssh_key::PublicKey>),
    /// Making it failed; nothing was left behind.
    Failed(Error),
}

/// Makes the key of `kind` at `path` (and `path.pub`) unless a non-empty private key is
/// there, as ssh-keygen -A: an empty file counts as missing and is replaced. The public
/// file is written first and the private key last, each through a temporary file renamed
/// into place, so that an interrupted run leaves no private key without its `.pub` (and
/// a private key, once there, is kept by the next run).
pub fn make_if_missing(kind: &HostKeyType, path: &Path, comment: &str) -> Outcome {
    match fs::metadata(path) {
        Ok(meta) if meta.len() != 0 => return Outcome::Kept,
        Ok(_) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Outcome::Failed(Error::io(path, e)),
    }
    let made = (|| -> Result<ssh_key::PublicKey> {
        let pub_path = fsutil::with_suffix(path, ".pub");
        fsutil::check_replaceable(path)?;
        fsutil::check_replaceable(&pub_path)?;
        let key = kind.spec.generate(comment)?;
        let encoded = private::encode(&key, &Protection::new(None, None))?;
        // Host keys get exactly the modes ssh-keygen -A gives, whatever the umask:
        // sshd refuses a private host key others can read.
        fsutil::replace(&pub_path, &private::pub_file_contents(key.public_key()), FileMode::Exactly(0o644))?;
        fsutil::replace(path, encoded.as_bytes(), FileMode::Exactly(0o600))?;
        Ok(key.public_key().clone())
    })();
    match made {
        Ok(public) => Outcome::Made(Box::new(public)),
        Err(error) => Outcome::Failed(error),
    }
}

/// A host key's public half as ssh-keygen -r reads it (`sshkey_load_public`): the file as
/// a public key file, else the `.pub` beside it, else the public half of an OpenSSH-format
/// private key (which needs no passphrase). `None` when none of these holds a key.
pub fn load_public(path: &Path) -> Option<KeyData> {
    if let Some((key, _)) = first_public_key(path) {
        return Some(key);
    }
    if let Some((key, _)) = super::source::pub_beside(path) {
        return Some(key);
    }
    let file = PrivateKeyFile::read(path).ok()?;
    match file.is_openssh_format() {
        true => file.public_key().map(|public| public.key_data().clone()),
        false => None,
    }
}

/// One SSHFP record's data (RFC 4255 §3.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SshfpRecord {
    /// 1 RSA, 2 DSA, 3 ECDSA, 4 Ed25519 (RFC 4255, 6594, 7479).
    pub algorithm: u8,
    /// 1 SHA-1, 2 SHA-256.
    pub digest_type: u8,
    /// The digest of the key's blob.
    pub digest: Vec<u8>,
}

/// The SSHFP records of a key, SHA-1 then SHA-256, as ssh-keygen -r prints them; none
/// for a key type SSHFP has no number for (certificates, FIDO keys).
pub fn sshfp_records(key: &KeyData) -> Vec<SshfpRecord> {
    let algorithm = match key {
        KeyData::Rsa(_) => 1,
        KeyData::Dsa(_) => 2,
        KeyData::Ecdsa(_) => 3,
        KeyData::Ed25519(_) => 4,
        _ => return Vec::new(),
    };
    let blob = plain_blob(key);
    [(1, HashKind::Sha1), (2, HashKind::Sha256)]
        .into_iter()
        .map(|(digest_type, hash)| SshfpRecord {
            algorithm,
            digest_type,
            digest: Fingerprint::of_blob(hash, &blob).digest().to_vec(),
        })
        .collect()
}

/// What sshd would refuse, or warn about, in one host key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// The private key is not there (or is empty, which ssh-keygen -A replaces).
    Missing,
    /// It cannot be read, or is no key sshd loads.
    Unreadable(String),
    /// Group or others may access it: sshd refuses to load it.
    TooOpen(u32),
    /// Its type or size is no longer safe (RSA under 2048 bits, DSA).
    Weak(String),
    /// The `.pub` beside it is missing or holds another key (sshd does not need it, but
    /// ssh-keyscan comparisons and SSHFP records made from it then lie).
    PublicMismatch(String),
}

/// Checks the private host key at `path` as sshd loads it.
pub fn check(path: &Path) -> Vec<Problem> {
    let meta = match fs::metadata(path) {
        Ok(meta) if meta.len() == 0 => return vec![Problem::Missing],
        Ok(meta) => meta,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return vec![Problem::Missing],
        Err(e) => return vec![Problem::Unreadable(Error::io(path, e).to_string())],
    };
    let mut problems = Vec::new();
    let mode = meta.permissions().mode() & 0o777;
    // sshd's sshkey_perm_ok refuses a key of its own user (root) with any group or other
    // bit; a host key owned by someone else is a finding of its own kind, so any such
    // bit is reported whoever owns the file.
    if mode & 0o077 != 0 {
        problems.push(Problem::TooOpen(mode));
    }
    let file = match PrivateKeyFile::read(path) {
        Ok(file) => file,
        // keywright reads no DSA key; sshd 9.2 loads one but offers it to no client by
        // default: weak, not broken.
        Err(Error::UnsupportedPrivateKey { what: crate::error::UnsupportedKey::Dsa, .. }) => {
            problems.push(Problem::Weak("DSA, which OpenSSH 9.2's sshd does not offer by default".into()));
            return problems;
        }
        Err(error) => {
            problems.push(Problem::Unreadable(error.to_string()));
            return problems;
        }
    };
    if file.is_encrypted() {
        problems.push(Problem::Unreadable(
            "it is encrypted; sshd cannot load a host key with a passphrase".into(),
        ));
        return problems;
    }
    let key = match file.decrypt(None) {
        Ok(key) => key,
        Err(error) => {
            problems.push(Problem::Unreadable(error.to_string()));
            return problems;
        }
    };
    match key.algorithm() {
        Algorithm::Dsa => {
            problems.push(Problem::Weak("DSA, which OpenSSH 9.2's sshd does not offer by default".into()))
        }
        Algorithm::Rsa { .. } => {
            let bits = super::describe(key.public_key().key_data()).map_or(0, |d| d.bits);
            if bits < 2048 {
                problems.push(Problem::Weak(format!("RSA with {bits} bits (2048 is the least still safe)")));
            }
        }
        _ => {}
    }
    match super::source::pub_beside(path) {
        None => problems.push(Problem::PublicMismatch("no public key beside it".into())),
        Some((public, _)) if &public != key.public_key().key_data() => {
            problems.push(Problem::PublicMismatch("the .pub beside it holds another key".into()))
        }
        Some(_) => {}
    }
    problems
}
