//! Revocation files for signatures (`ssh-keygen -Y verify -r`): a list of public keys,
//! one a line, as authfile.c's `sshkey_check_revoked` reads it. A signer is revoked when
//! its key, or the CA of its certificate, is listed. The list is read lazily in OpenSSH,
//! so a line that is no key refuses every signature whose key is not listed before it:
//! a revocation list that cannot be read must not let a revoked key through.
//!
//! A file that starts with the KRL magic is a key revocation list (PROTOCOL.krl), read as
//! OpenSSH's `sshkey_check_revoked` reads it: whole, when the first signer is checked,
//! and a KRL that cannot be read refuses every signer (fails closed).

use std::path::{Path, PathBuf};

use ssh_key::public::KeyData;

use super::lookup::plain;
use crate::error::{Error, Result};
use crate::fsutil::{self, Accept, Expect};
use crate::key::scan::c_string;
use crate::key::text::{read_key, skip_blanks};
use crate::krl::{Krl, KrlError, MAX_KRL_BYTES};

/// A revocation file: a list of keys read and parsed line by line, or a KRL.
#[derive(Debug, Clone)]
pub struct RevokedKeys {
    path: PathBuf,
    lines: Vec<(usize, Listed)>,
    krl: Option<Result<Krl, KrlError>>,
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
    /// The file cannot be read.
    pub fn read(path: &Path) -> Result<Self> {
        let expect = Expect { what: "a revocation file", accept: Accept::Pipe };
        let data = fsutil::read_capped(path, MAX_KRL_BYTES, expect)?;
        if crate::krl::is_krl(&data) {
            let krl = Some(crate::krl::wire::decode(&data));
            return Ok(RevokedKeys { path: path.to_path_buf(), lines: Vec::new(), krl });
        }
        if data.len() as u64 > super::allowed::MAX_FILE_BYTES {
            let size = data.len() as u64;
            return Err(Error::TooLarge { path: path.to_path_buf(), what: "a revocation file", size });
        }
        Ok(RevokedKeys { path: path.to_path_buf(), lines: parse(&data), krl: None })
    }

    /// Whether `signer` is revoked: its key (without a certificate) or its certificate's
    /// CA is listed.
    ///
    /// # Errors
    /// [`Error::BadRevocationLine`]: a line before any listing of the key is no key;
    /// [`Error::BadKrl`]: the file is a KRL that cannot be read.
    pub fn revokes(&self, signer: &KeyData) -> Result<bool> {
        match &self.krl {
            Some(Ok(krl)) => return Ok(krl.check(signer).is_some()),
            Some(Err(problem)) => {
                return Err(Error::BadKrl { path: self.path.clone(), problem: problem.clone() });
            }
            None => {}
        }
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
        RevokedKeys { path: "revoked".into(), lines: parse(text.as_bytes()), krl: None }
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
