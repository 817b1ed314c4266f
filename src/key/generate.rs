//! New keys with OpenSSH's defaults and limits.

use ssh_key::private::{KeypairData, PrivateKey, RsaKeypair};
use ssh_key::{Algorithm, EcdsaCurve};

use crate::error::{Error, Result};

/// The key types keywright generates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum KeyType {
    /// Ed25519, OpenSSH's default since 9.5.
    #[default]
    Ed25519,
    /// RSA with SHA-2 signatures.
    Rsa,
    /// ECDSA on a NIST curve.
    Ecdsa,
}

/// A checked request for a new key: a type and a valid size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeySpec {
    /// Ed25519 (always 256 bits).
    Ed25519,
    /// RSA with a modulus of this many bits.
    Rsa(u32),
    /// ECDSA on this curve.
    Ecdsa(EcdsaCurve),
}

/// RSA sizes: OpenSSH's default; we refuse below 2048 (OpenSSH still allows 1024, which
/// no longer resists attack) and above OpenSSH's 16384.
pub const RSA_DEFAULT_BITS: u32 = 3072;
const RSA_MIN_BITS: u32 = 2048;
const RSA_MAX_BITS: u32 = 16384;

impl KeySpec {
    /// Checks `bits` for `key_type`; `None` takes OpenSSH's default size. As with
    /// ssh-keygen, `bits` is ignored for Ed25519.
    ///
    /// # Errors
    /// A size OpenSSH would refuse, or RSA below 2048 bits.
    pub fn new(key_type: KeyType, bits: Option<u32>) -> Result<Self> {
        match key_type {
            KeyType::Ed25519 => Ok(KeySpec::Ed25519),
            KeyType::Rsa => match bits.unwrap_or(RSA_DEFAULT_BITS) {
                bits if bits < RSA_MIN_BITS => Err(Error::RsaTooWeak { bits, min: RSA_MIN_BITS }),
                bits if bits > RSA_MAX_BITS => Err(Error::RsaTooLarge { bits, max: RSA_MAX_BITS }),
                n => Ok(KeySpec::Rsa(n)),
            },
            KeyType::Ecdsa => match bits.unwrap_or(256) {
                256 => Ok(KeySpec::Ecdsa(EcdsaCurve::NistP256)),
                384 => Ok(KeySpec::Ecdsa(EcdsaCurve::NistP384)),
                521 => Ok(KeySpec::Ecdsa(EcdsaCurve::NistP521)),
                bits => Err(Error::NoSuchEcdsaSize { bits }),
            },
        }
    }

    /// The lower-case type name ssh-keygen uses in "Generating public/private … key pair."
    pub fn type_word(self) -> &'static str {
        match self {
            KeySpec::Ed25519 => "ed25519",
            KeySpec::Rsa(_) => "rsa",
            KeySpec::Ecdsa(_) => "ecdsa",
        }
    }

    /// The default file name in `~/.ssh` (`id_ed25519`, `id_rsa`, `id_ecdsa`).
    pub fn default_file_name(self) -> String {
        format!("id_{}", self.type_word())
    }

    /// Generates a new key with `comment`.
    ///
    /// # Errors
    /// The random source or the key generator failed.
    pub fn generate(self, comment: &str) -> Result<PrivateKey> {
        let mut rng = super::os_rng();
        let crypto = |e: ssh_key::Error| Error::Crypto { what: "generating the key", reason: e.to_string() };
        let mut key = match self {
            KeySpec::Ed25519 => PrivateKey::random(&mut rng, Algorithm::Ed25519).map_err(crypto)?,
            KeySpec::Ecdsa(curve) => {
                PrivateKey::random(&mut rng, Algorithm::Ecdsa { curve }).map_err(crypto)?
            }
            // PrivateKey::random makes only 4096-bit RSA keys; the size is chosen here.
            KeySpec::Rsa(bits) => {
                let keypair = RsaKeypair::random(&mut rng, bits as usize).map_err(crypto)?;
                PrivateKey::new(KeypairData::from(keypair), "").map_err(crypto)?
            }
        };
        key.set_comment(comment);
        Ok(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_follow_openssh_limits() {
        assert_eq!(KeySpec::new(KeyType::Rsa, None).unwrap(), KeySpec::Rsa(3072));
        assert!(KeySpec::new(KeyType::Rsa, Some(1024)).is_err());
        assert!(KeySpec::new(KeyType::Rsa, Some(16385)).is_err());
        assert!(KeySpec::new(KeyType::Ecdsa, Some(255)).is_err());
        assert_eq!(KeySpec::new(KeyType::Ecdsa, Some(521)).unwrap(), KeySpec::Ecdsa(EcdsaCurve::NistP521));
        assert_eq!(KeySpec::new(KeyType::Ed25519, Some(1)).unwrap(), KeySpec::Ed25519);
    }
}
