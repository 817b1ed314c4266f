//! Whether a KRL revokes a key or certificate, decided as krl.c's `ssh_krl_check_key`
//! decides it for sshd and ssh: the key's SHA-1 and SHA-256 digests, the key itself,
//! then (for a certificate) its key ID and serial under its CA and under the wildcard CA;
//! and a certificate whose CA key is revoked by any of those rules is revoked too.

use serde::Serialize;
use ssh_key::public::KeyData;

use super::{Krl, RevokedCerts, encode};
use crate::key::HashKind;
use crate::key::fingerprint::{Fingerprint, plain_blob};

/// The rule of a KRL that revokes a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Revocation {
    /// The SHA-1 digest of the key is listed.
    Sha1,
    /// The SHA-256 digest of the key is listed.
    Sha256,
    /// The key itself is listed.
    Key,
    /// The certificate's key ID is revoked (for its CA or every CA).
    KeyId,
    /// The certificate's serial is revoked (for its CA or every CA).
    Serial,
    /// The certificate's CA key is revoked.
    Ca,
}

impl Krl {
    /// The rule that revokes `key`, or `None` if the list does not revoke it.
    pub fn check(&self, key: &KeyData) -> Option<Revocation> {
        self.revokes_key(key).or_else(|| match key {
            KeyData::Certificate(cert) => self.revokes_key(cert.signature_key()).map(|_| Revocation::Ca),
            _ => None,
        })
    }

    /// `is_key_revoked`: the key by its digests and blob, a certificate by its ID and
    /// serial; not its CA.
    fn revokes_key(&self, key: &KeyData) -> Option<Revocation> {
        let blob = plain_blob(key);
        if !self.sha1s.is_empty() && self.sha1s.contains(Fingerprint::of_blob(HashKind::Sha1, &blob).digest())
        {
            return Some(Revocation::Sha1);
        }
        if !self.sha256s.is_empty()
            && self.sha256s.contains(Fingerprint::of_blob(HashKind::Sha256, &blob).digest())
        {
            return Some(Revocation::Sha256);
        }
        if self.keys.contains(&blob) {
            return Some(Revocation::Key);
        }
        let KeyData::Certificate(cert) = key else { return None };
        let ca = encode(cert.signature_key());
        [self.certs_for(Some(&ca)), self.certs_for(None)]
            .into_iter()
            .flatten()
            .find_map(|certs| cert_revoked(certs, cert.key_id().as_bytes(), cert.serial()))
    }
}

/// `is_cert_revoked`: by key ID, then by serial (serial 0, "none given", never matches).
fn cert_revoked(certs: &RevokedCerts, key_id: &[u8], serial: u64) -> Option<Revocation> {
    if certs.key_ids.contains(key_id) {
        return Some(Revocation::KeyId);
    }
    (serial != 0 && certs.serials.contains(serial)).then_some(Revocation::Serial)
}
