//! Key revocation lists (OpenSSH's PROTOCOL.krl): the binary file sshd's `RevokedKeys`,
//! ssh's `RevokedHostKeys` and `ssh-keygen -Q` read, and the text specs `ssh-keygen -k`
//! builds one from.
//!
//! No maintained Rust crate reads or writes KRLs (ssh-key has none; see
//! /work/shared/research/crates.md), so the format is done here by hand, following
//! OpenSSH 9.2's krl.c: the same sets with the same merge rules (serial ranges coalesce,
//! blobs and key IDs are kept in byte order), so that a KRL written here is byte for
//! byte the one `ssh-keygen -k` writes from the same specs (only the generation date,
//! the clock's, differs between runs).
//!
//! One job a module: [`wire`] the binary form (and its encoding choices: serial lists,
//! ranges or bitmaps), [`spec`] the text specs, [`query`] whether a key or certificate is
//! revoked, as `ssh_krl_check_key` decides.

pub mod query;
pub mod spec;
pub mod wire;

use std::collections::{BTreeMap, BTreeSet};

use ssh_key::encoding::Encode;
use ssh_key::public::KeyData;

pub use query::Revocation;
pub use spec::{CaScope, SpecError};
pub use wire::{KrlError, Reason};

/// The most a KRL file may hold: OpenSSH's buffer limit (`SSHBUF_SIZE_MAX`), so every KRL
/// sshd can load is read, and nothing larger is held in memory.
pub const MAX_KRL_BYTES: u64 = 0x800_0000;

/// A key revocation list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Krl {
    /// Grows each time the list is changed (`ssh-keygen -k -z`).
    pub version: u64,
    /// When the list was written, seconds since 1970 (0: not yet; set when encoded).
    pub generated: u64,
    /// No flags are defined; kept as read.
    pub flags: u64,
    /// Free text (`ssh-keygen -k -C`).
    pub comment: Vec<u8>,
    /// Plain public key blobs, revoked outright.
    pub keys: BTreeSet<Vec<u8>>,
    /// SHA-1 digests of plain public key blobs.
    pub sha1s: BTreeSet<Vec<u8>>,
    /// SHA-256 digests of plain public key blobs.
    pub sha256s: BTreeSet<Vec<u8>>,
    /// Certificates revoked by serial or key ID, one entry per CA, in the order the CAs
    /// were first named.
    pub certs: Vec<RevokedCerts>,
    /// The keys whose signatures over the list were checked when it was read.
    pub signed_by: Vec<KeyData>,
}

/// The certificates of one CA (or of every CA) that are revoked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevokedCerts {
    /// The CA, or `None` for every CA (`ssh-keygen -k -s none`).
    pub ca: Option<Ca>,
    /// Revoked serial numbers.
    pub serials: Serials,
    /// Revoked key IDs, in byte order.
    pub key_ids: BTreeSet<Vec<u8>>,
}

/// A CA key and its wire encoding (the CA is compared by its encoding).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ca {
    pub key: KeyData,
    pub blob: Vec<u8>,
}

impl Ca {
    /// The CA `key`, compared as its public key blob.
    pub fn new(key: &KeyData) -> Self {
        Ca { key: key.clone(), blob: encode(key) }
    }
}

/// A set of serial numbers as disjoint, non-adjacent ranges (`lo` to `hi`, inclusive),
/// the shape krl.c keeps: inserting merges every range it overlaps or touches.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Serials(BTreeMap<u64, u64>);

impl Serials {
    /// Adds `lo..=hi` (`lo <= hi`), merging the ranges it overlaps or touches.
    pub fn insert(&mut self, mut lo: u64, mut hi: u64) {
        // Ranges are disjoint and sorted: the last one starting at or before hi + 1 is
        // the only candidate; if it reaches lo - 1 it merges, and so may the one before.
        while let Some((&start, &end)) = self.0.range(..=hi.saturating_add(1)).next_back() {
            if end < lo.saturating_sub(1) {
                break;
            }
            self.0.remove(&start);
            lo = lo.min(start);
            hi = hi.max(end);
        }
        self.0.insert(lo, hi);
    }

    /// Whether `serial` is in the set.
    pub fn contains(&self, serial: u64) -> bool {
        self.0.range(..=serial).next_back().is_some_and(|(_, &end)| end >= serial)
    }

    /// The ranges, lowest first.
    pub fn ranges(&self) -> impl Iterator<Item = (u64, u64)> + '_ {
        self.0.iter().map(|(&lo, &hi)| (lo, hi))
    }

    /// How many ranges the set holds.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// A revocation that no KRL can hold: serial 0 (it means "no serial" in a certificate)
/// or a range whose start is past its end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvalidSerial;

impl Krl {
    /// An empty list.
    pub fn new() -> Self {
        Krl::default()
    }

    /// Revokes a plain key (a certificate's key without its certificate).
    pub fn revoke_key(&mut self, key: &KeyData) {
        self.keys.insert(crate::key::fingerprint::plain_blob(key));
    }

    /// Revokes keys by the SHA-1 digest of their blob (20 bytes).
    pub fn revoke_sha1(&mut self, digest: &[u8]) {
        self.sha1s.insert(digest.to_vec());
    }

    /// Revokes keys by the SHA-256 digest of their blob (32 bytes).
    pub fn revoke_sha256(&mut self, digest: &[u8]) {
        self.sha256s.insert(digest.to_vec());
    }

    /// Revokes the certificates of `ca` (every CA: `None`) with serials `lo..=hi`.
    ///
    /// # Errors
    /// Serial 0, or `lo > hi`.
    pub fn revoke_serials(&mut self, ca: Option<&KeyData>, lo: u64, hi: u64) -> Result<(), InvalidSerial> {
        if lo > hi || lo == 0 {
            return Err(InvalidSerial);
        }
        self.certs_of(ca).serials.insert(lo, hi);
        Ok(())
    }

    /// Revokes the certificates of `ca` (every CA: `None`) with this key ID.
    pub fn revoke_key_id(&mut self, ca: Option<&KeyData>, key_id: &[u8]) {
        let certs = self.certs_of(ca);
        if !certs.key_ids.contains(key_id) {
            certs.key_ids.insert(key_id.to_vec());
        }
    }

    /// Revokes what a key names as `ssh-keygen -k` does for a bare key line: a plain key
    /// itself, a certificate by its serial (by its key ID when the serial is 0) under the
    /// CA that signed it.
    pub fn revoke(&mut self, key: &KeyData) {
        match key {
            KeyData::Certificate(cert) if cert.serial() == 0 => {
                self.revoke_key_id(Some(cert.signature_key()), cert.key_id().as_bytes());
            }
            KeyData::Certificate(cert) => {
                // A certificate's serial is never 0 here, so this cannot fail.
                let _ = self.revoke_serials(Some(cert.signature_key()), cert.serial(), cert.serial());
            }
            plain => self.revoke_key(plain),
        }
    }

    /// The entry of `ca`, made (last) when there is none.
    fn certs_of(&mut self, ca: Option<&KeyData>) -> &mut RevokedCerts {
        let blob = ca.map(encode);
        let found = self.certs.iter().position(|c| c.ca.as_ref().map(|ca| &ca.blob) == blob.as_ref());
        let index = match found {
            Some(index) => index,
            None => {
                let ca = ca.map(|key| Ca { key: key.clone(), blob: blob.unwrap_or_default() });
                self.certs.push(RevokedCerts { ca, serials: Serials::default(), key_ids: BTreeSet::new() });
                self.certs.len() - 1
            }
        };
        &mut self.certs[index]
    }

    /// The entry of `ca` (every CA: `None`), if it has one.
    pub fn certs_for(&self, ca: Option<&[u8]>) -> Option<&RevokedCerts> {
        self.certs.iter().find(|c| c.ca.as_ref().map(|ca| ca.blob.as_slice()) == ca)
    }

    /// Whether nothing is revoked.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty() && self.sha1s.is_empty() && self.sha256s.is_empty() && self.certs.is_empty()
    }
}

/// The wire encoding of a key (cannot fail for an in-memory key).
pub fn encode(key: &KeyData) -> Vec<u8> {
    key.encode_vec().unwrap_or_default()
}

/// Whether `data` starts as a KRL does (`KRL_MAGIC`).
pub fn is_krl(data: &[u8]) -> bool {
    data.starts_with(wire::MAGIC)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ranges(serials: &Serials) -> Vec<(u64, u64)> {
        serials.ranges().collect()
    }

    #[test]
    fn serial_ranges_merge_when_they_overlap_or_touch() {
        let mut s = Serials::default();
        s.insert(10, 12);
        s.insert(20, 20);
        s.insert(14, 15);
        assert_eq!(ranges(&s), [(10, 12), (14, 15), (20, 20)]);
        s.insert(13, 13);
        assert_eq!(ranges(&s), [(10, 15), (20, 20)]);
        s.insert(1, 30);
        assert_eq!(ranges(&s), [(1, 30)]);
        s.insert(u64::MAX, u64::MAX);
        s.insert(31, 31);
        assert_eq!(ranges(&s), [(1, 31), (u64::MAX, u64::MAX)]);
        assert!(s.contains(1) && s.contains(31) && s.contains(u64::MAX));
        assert!(!s.contains(0) && !s.contains(32));
    }

    #[test]
    fn serial_zero_and_reversed_ranges_are_refused() {
        let mut krl = Krl::new();
        assert_eq!(krl.revoke_serials(None, 0, 3), Err(InvalidSerial));
        assert_eq!(krl.revoke_serials(None, 5, 4), Err(InvalidSerial));
        assert!(krl.certs.is_empty());
    }
}
