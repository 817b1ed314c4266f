//! A key's type name and size as `ssh-keygen` prints them (`sshkey_type`, `sshkey_size`).

use ssh_key::public::KeyData;
use ssh_key::{Algorithm, EcdsaCurve};

/// What `ssh-keygen -l` says about a key besides its fingerprint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyDescription {
    /// `RSA`, `ED25519`, `ECDSA`, `DSA`, `ECDSA-SK`, `ED25519-SK`, with `-CERT` for
    /// certificates.
    pub type_name: String,
    /// Modulus size for RSA and DSA, curve size for ECDSA, 256 for Ed25519.
    pub bits: u32,
}

/// Describes `key`; `None` for key types OpenSSH does not know.
pub fn describe(key: &KeyData) -> Option<KeyDescription> {
    if let KeyData::Certificate(cert) = key {
        let plain = describe(cert.public_key())?;
        return Some(KeyDescription { type_name: format!("{}-CERT", plain.type_name), bits: plain.bits });
    }
    let (name, bits) = match key {
        KeyData::Rsa(rsa) => ("RSA", mpint_bits(rsa.n().as_bytes())),
        KeyData::Dsa(dsa) => ("DSA", mpint_bits(dsa.p().as_bytes())),
        KeyData::Ed25519(_) => ("ED25519", 256),
        KeyData::SkEd25519(_) => ("ED25519-SK", 256),
        KeyData::SkEcdsaSha2NistP256(_) => ("ECDSA-SK", 256),
        KeyData::Ecdsa(ecdsa) => ("ECDSA", curve_bits(ecdsa.curve())),
        _ => return None,
    };
    Some(KeyDescription { type_name: name.to_string(), bits })
}

/// The OpenSSH name of a key's type as written in key lines (`ssh-ed25519`, …).
pub fn line_type_name(key: &KeyData) -> String {
    match key {
        KeyData::Certificate(cert) => cert.algorithm().to_certificate_type(),
        other => other.algorithm().as_str().to_string(),
    }
}

/// Bit length of a big-endian unsigned integer (leading zero bytes ignored).
pub fn mpint_bits(bytes: &[u8]) -> u32 {
    let significant = bytes.iter().position(|&b| b != 0).map_or(&[][..], |at| &bytes[at..]);
    match significant.first() {
        Some(top) => (significant.len() as u32 - 1) * 8 + (8 - top.leading_zeros()),
        None => 0,
    }
}

/// Size of an ECDSA curve in bits.
pub fn curve_bits(curve: EcdsaCurve) -> u32 {
    match curve {
        EcdsaCurve::NistP256 => 256,
        EcdsaCurve::NistP384 => 384,
        EcdsaCurve::NistP521 => 521,
    }
}

/// Whether `algorithm` is one OpenSSH can use (not an unknown or opaque type).
pub fn is_known(algorithm: &Algorithm) -> bool {
    !matches!(algorithm, Algorithm::Other(_))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mpint_bits_counts_exact_bits() {
        assert_eq!(mpint_bits(&[0x00, 0x80, 0x00]), 16);
        assert_eq!(mpint_bits(&[0x01, 0xff]), 9);
        assert_eq!(mpint_bits(&[0x00]), 0);
        assert_eq!(mpint_bits(&[]), 0);
    }
}
