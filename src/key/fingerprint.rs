//! Key fingerprints in OpenSSH's three notations: `SHA256:` and `SHA512:` followed by
//! unpadded base64, and `MD5:` followed by colon-separated hex pairs.
//!
//! ssh-key computes SHA-2 fingerprints but has no MD5, and hashes a certificate's whole
//! blob where OpenSSH hashes the certified key; hashing here covers all three uniformly.

use std::fmt;

use sha2::Digest;
use ssh_key::public::KeyData;

/// The digest a fingerprint is made with (`ssh-keygen -E`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HashKind {
    /// MD5, the notation of OpenSSH before 6.8.
    Md5,
    /// SHA-256, the default.
    #[default]
    Sha256,
    /// SHA-512.
    Sha512,
    /// SHA-1 (`ssh-keygen -E sha1`; no native option offers it).
    Sha1,
    /// SHA-384 (`ssh-keygen -E sha384`; no native option offers it).
    Sha384,
}

impl HashKind {
    /// The name OpenSSH prints in fingerprints and under randomart.
    pub fn label(self) -> &'static str {
        match self {
            HashKind::Md5 => "MD5",
            HashKind::Sha256 => "SHA256",
            HashKind::Sha512 => "SHA512",
            HashKind::Sha1 => "SHA1",
            HashKind::Sha384 => "SHA384",
        }
    }
}

/// A digest of a public key blob.
#[derive(Clone, PartialEq, Eq)]
pub struct Fingerprint {
    kind: HashKind,
    digest: [u8; 64],
    len: usize,
}

impl Fingerprint {
    /// Fingerprint of an encoded public key blob (RFC 4253 §6.6).
    pub fn of_blob(kind: HashKind, blob: &[u8]) -> Self {
        let mut digest = [0u8; 64];
        let len = match kind {
            HashKind::Md5 => copy(&mut digest, &md5::Md5::digest(blob)),
            HashKind::Sha256 => copy(&mut digest, &sha2::Sha256::digest(blob)),
            HashKind::Sha512 => copy(&mut digest, &sha2::Sha512::digest(blob)),
            HashKind::Sha1 => copy(&mut digest, &sha1::Sha1::digest(blob)),
            HashKind::Sha384 => copy(&mut digest, &sha2::Sha384::digest(blob)),
        };
        Fingerprint { kind, digest, len }
    }

    /// Fingerprint of a key; a certificate is fingerprinted by the key it certifies.
    pub fn of_key(kind: HashKind, key: &KeyData) -> Self {
        Self::of_blob(kind, &plain_blob(key))
    }

    /// Which digest this is.
    pub fn kind(&self) -> HashKind {
        self.kind
    }

    /// The raw digest bytes.
    pub fn digest(&self) -> &[u8] {
        &self.digest[..self.len]
    }
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:", self.kind.label())?;
        if self.kind == HashKind::Md5 {
            for (i, byte) in self.digest().iter().enumerate() {
                let sep = if i == 0 { "" } else { ":" };
                write!(f, "{sep}{byte:02x}")?;
            }
            return Ok(());
        }
        let mut buf = [0u8; 88];
        let len = data_encoding::BASE64_NOPAD.encode_len(self.len);
        data_encoding::BASE64_NOPAD.encode_mut(self.digest(), &mut buf[..len]);
        f.write_str(std::str::from_utf8(&buf[..len]).map_err(|_| fmt::Error)?)
    }
}

impl fmt::Debug for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Fingerprint({self})")
    }
}

/// A digest in the Bubble Babble encoding (Antti Huima's, as ssh-keygen -B prints a
/// key's SHA-1): five-letter consonant-vowel words joined by `-`, between `x` and `x`,
/// with a checksum seed carried from word to word so that a typo changes the vowels.
pub fn bubblebabble(digest: &[u8]) -> String {
    const VOWELS: &[u8; 6] = b"aeiouy";
    const CONSONANTS: &[u8; 17] = b"bcdfghklmnprstvzx";
    let rounds = digest.len() / 2 + 1;
    let mut out = String::with_capacity(rounds * 6 + 1);
    out.push('x');
    let mut seed: usize = 1;
    for i in 0..rounds {
        let vowel = |n: usize| char::from(VOWELS[n % 6]);
        let consonant = |n: usize| char::from(CONSONANTS[n & 15]);
        // Every round but the last takes a byte pair; the last takes the odd byte left
        // over, or (for an even length) only the seed.
        match (digest.get(2 * i), digest.get(2 * i + 1)) {
            (Some(&a), second) if i + 1 < rounds || !digest.len().is_multiple_of(2) => {
                let a = usize::from(a);
                out.push(vowel(((a >> 6) & 3) + seed));
                out.push(consonant((a >> 2) & 15));
                out.push(vowel((a & 3) + seed / 6));
                if let (true, Some(&b)) = (i + 1 < rounds, second) {
                    let b = usize::from(b);
                    out.push(consonant(b >> 4));
                    out.push('-');
                    out.push(consonant(b));
                    seed = (seed * 5 + a * 7 + b) % 36;
                }
            }
            _ => {
                out.push(vowel(seed));
                out.push(char::from(CONSONANTS[16]));
                out.push(vowel(seed / 6));
            }
        }
    }
    out.push('x');
    out
}

/// The blob OpenSSH hashes: the key itself, or for a certificate the certified key.
pub fn plain_blob(key: &KeyData) -> Vec<u8> {
    use ssh_key::encoding::Encode;
    let plain = match key {
        KeyData::Certificate(cert) => cert.public_key(),
        other => other,
    };
    // Encoding an in-memory key into a Vec cannot fail.
    plain.encode_vec().unwrap_or_default()
}

fn copy(out: &mut [u8; 64], digest: &[u8]) -> usize {
    out[..digest.len()].copy_from_slice(digest);
    digest.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notations() {
        let md5 = Fingerprint::of_blob(HashKind::Md5, b"abc").to_string();
        assert_eq!(md5, "MD5:90:01:50:98:3c:d2:4f:b0:d6:96:3f:7d:28:e1:7f:72");
        let sha = Fingerprint::of_blob(HashKind::Sha256, b"abc").to_string();
        assert_eq!(sha, "SHA256:ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0");
    }

    #[test]
    fn bubblebabble_matches_the_published_vectors() {
        // The test vectors of the Bubble Babble specification (SHA-1 inputs there are
        // raw strings here: the encoding is of bytes).
        assert_eq!(bubblebabble(b""), "xexax");
        assert_eq!(bubblebabble(b"1234567890"), "xesef-disof-gytuf-katof-movif-baxux");
        assert_eq!(bubblebabble(b"Pineapple"), "xigak-nyryk-humil-bosek-sonax");
    }
}
