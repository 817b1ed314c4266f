//! Revocation files for signatures (`ssh-keygen -Y verify -r`): a list of public keys,
//! one a line, as authfile.c's `sshkey_check_revoked` reads it. A signer is revoked when
//! its key, or the CA of its certificate, is listed. The list is read lazily in OpenSSH,
//! so a line that is no key refuses every signature whose key is not listed before it:
//! a revocation list that cannot be read must not let a revoked key through.
//!
//! Key revocation lists (KRLs, PROTOCOL.krl) are the other form OpenSSH reads; they come
//! with the certificate commands, and until then such a file is refused with a clear
//! error rather than misread as a list of keys.

use std::path::{Path, PathBuf};

use ssh_key::public::KeyData;

use super::lookup::plain;
use crate::error::{Error, Result};
use crate::fsutil::{self, Accept, Expect};
use crate::key::scan::c_string;
use crate::key::text::{read_key, skip_blanks};

/// The start of a KRL file (PROTOCOL.krl `KRL_MAGIC`).
const KRL_MAGIC: &[u8] = b"SSHKRL\n\0";

/// A revocation file, read and parsed line by line.
#[derive(Debug, Clone)]
pub struct RevokedKeys {
    path: PathBuf,
    lines: Vec<(usize, Listed)>,
}

#[derive(Debug, Clone)]
enum Listed {
    Key(KeyData),
    /// An RSA key too small to use, which OpenSSH skips.
    TooSmall,
    NotAKey,
}

impl RevokedKeys {
    /// Reads a revocation file.
    ///
    /// # Errors
    /// The file cannot be read, or is a KRL ([`Error::KrlNotSupported`]).
    pub fn read(path: &Path) -> Result<Self> {
        let expect = Expect { what: "a revocation file", accept: Accept::Pipe };
        let data = fsutil::read_capped(path, super::allowed::MAX_FILE_BYTES, expect)?;
        if data.starts_with(KRL_MAGIC) {
            return Err(Error::KrlNotSupported { path: path.to_path_buf() });
        }
        Ok(RevokedKeys { path: path.to_path_buf(), lines: parse(&data) })
    }

    /// Whether `signer` is revoked: its key (without a certificate) or its certificate's
    /// CA is listed.
    ///
    /// # Errors
    /// [`Error::BadRevocationLine`]: a line before any listing of the key is no key.
    pub fn revokes(&self, signer: &KeyData) -> Result<bool> {
        let ca = match signer {
            KeyData::Certificate(cert) => Some(cert.signature_key()),
            _ => None,
        };
        for (line, listed) in &self.lines {
            match listed {
                Listed::Key(key) if key == plain(signer) || Some(key) == ca.map(plain) => return Ok(true),
                Listed::Key(_) | Listed::TooSmall => {}
                Listed::NotAKey => {
                    return Err(Error::BadRevocationLine { path: self.path.clone(), line: *line });
                }
            }
        }
        Ok(false)
    }
}

fn parse(data: &[u8]) -> Vec<(usize, Listed)> {
    let mut lines = Vec::new();
    for (index, raw) in data.split_inclusive(|&b| b == b'\n').enumerate() {
        let text = skip_blanks(c_string(raw));
        if matches!(text.first(), None | Some(b'#' | b'\n')) {
            continue;
        }
        let listed = match read_key(text) {
            Some((key, _)) => Listed::Key(plain(&key).clone()),
            None if is_small_rsa(text) => Listed::TooSmall,
            None => Listed::NotAKey,
        };
        lines.push((index + 1, listed));
    }
    lines
}

/// Whether a line holds an RSA key OpenSSH decodes but refuses as too small
/// (`SSH_ERR_KEY_LENGTH`, which `sshkey_in_file` skips).
fn is_small_rsa(text: &[u8]) -> bool {
    let Some(rest) =
        text.strip_prefix(b"ssh-rsa").filter(|rest| rest.first().is_some_and(|&b| b == b' ' || b == b'\t'))
    else {
        return false;
    };
    let rest = skip_blanks(rest);
    let end = rest.iter().position(|&b| b == b' ' || b == b'\t').unwrap_or(rest.len());
    let Some(blob) = crate::key::text::decode_base64(&rest[..end]) else { return false };
    let mut reader = &blob[..];
    match <KeyData as ssh_key::encoding::Decode>::decode(&mut reader) {
        Ok(KeyData::Rsa(rsa)) => crate::key::describe::mpint_bits(rsa.n().as_bytes()) < 1024,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ED: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPV5JM3xoi5Aeh+6F54SYGaFpkXBaBfoHhohWQTQ49Ye";
    const OTHER: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGIrVZlC1iPIHCa8aMN6tFuV5UtyIYE6mjoM3htErex4";

    fn list(text: &str) -> RevokedKeys {
        RevokedKeys { path: "revoked".into(), lines: parse(text.as_bytes()) }
    }

    #[test]
    fn listed_keys_are_revoked_and_a_bad_line_fails_closed() {
        let key = read_key(ED.as_bytes()).unwrap().0;
        assert!(list(&format!("# c\n\n  {ED} old laptop\n")).revokes(&key).unwrap());
        assert!(!list(&format!("{OTHER}\n")).revokes(&key).unwrap());
        // OpenSSH stops at the key: a bad line after it does not matter, one before does.
        assert!(list(&format!("{ED}\ngarbage\n")).revokes(&key).unwrap());
        let error = list(&format!("garbage\n{ED}\n")).revokes(&key).unwrap_err();
        assert!(matches!(error, Error::BadRevocationLine { line: 1, .. }), "{error}");
    }
}
