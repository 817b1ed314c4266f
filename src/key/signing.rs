//! A private key made ready to sign many messages.
//!
//! ssh-key signs by converting its key into the signature crate's own on every call. For
//! Ed25519 that derives the public key from the secret and decompresses the stored one
//! to compare them: two scalar operations besides the one a signature needs, measured as
//! most of what `cert sign` spent signing ten thousand certificates. For RSA it rebuilds
//! the private key from its components and checks it; for ECDSA it derives the public
//! point. A CA certifying a fleet, or `sign` over a thousand files, converts once here
//! and then only signs. The signatures are ssh-key's, byte for byte (the tests compare
//! them; Ed25519, RSA PKCS#1 v1.5 and ECDSA with RFC 6979 nonces are all deterministic).

use signature::Signer;
use ssh_key::private::{EcdsaKeypair, KeypairData};
use ssh_key::{HashAlg, PrivateKey, Signature};

/// A private key converted once, signing as ssh-key signs with it.
pub struct ReadyKey(Ready);

enum Ready {
    Ed25519(Box<ed25519_dalek::SigningKey>),
    RsaSha256(Box<rsa::pkcs1v15::SigningKey<sha2::Sha256>>),
    RsaSha512(Box<rsa::pkcs1v15::SigningKey<sha2::Sha512>>),
    P256(Box<p256::ecdsa::SigningKey>),
    P384(Box<p384::ecdsa::SigningKey>),
    P521(Box<p521::ecdsa::SigningKey>),
    /// Key types signed rarely enough (DSA) to sign through ssh-key each time.
    Other(Box<PrivateKey>),
}

impl std::fmt::Debug for ReadyKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the key itself.
        f.write_str("ReadyKey(..)")
    }
}

impl ReadyKey {
    /// Converts `key`; an RSA key will sign with `rsa_hash` (rsa-sha2-256 or
    /// rsa-sha2-512; anything else is taken as SHA-512, OpenSSH's default).
    ///
    /// # Errors
    /// A key whose parts do not make a valid key of its type (an Ed25519 public half
    /// that is not the secret's, an RSA key whose primes do not give its modulus).
    pub fn new(key: &PrivateKey, rsa_hash: HashAlg) -> ssh_key::Result<Self> {
        let ready = match key.key_data() {
            KeypairData::Ed25519(pair) => Ready::Ed25519(Box::new(pair.try_into()?)),
            KeypairData::Rsa(pair) if rsa_hash == HashAlg::Sha256 => {
                Ready::RsaSha256(Box::new(pair.try_into()?))
            }
            KeypairData::Rsa(pair) => Ready::RsaSha512(Box::new(pair.try_into()?)),
            KeypairData::Ecdsa(EcdsaKeypair::NistP256 { private, .. }) => {
                Ready::P256(Box::new(p256::ecdsa::SigningKey::from_slice(private.as_ref())?))
            }
            KeypairData::Ecdsa(EcdsaKeypair::NistP384 { private, .. }) => {
                Ready::P384(Box::new(p384::ecdsa::SigningKey::from_slice(private.as_ref())?))
            }
            KeypairData::Ecdsa(EcdsaKeypair::NistP521 { private, .. }) => {
                Ready::P521(Box::new(p521::ecdsa::SigningKey::from_slice(private.as_ref())?))
            }
            _ => Ready::Other(Box::new(key.clone())),
        };
        Ok(ReadyKey(ready))
    }
}

impl Signer<Signature> for ReadyKey {
    fn try_sign(&self, message: &[u8]) -> signature::Result<Signature> {
        use ssh_key::Algorithm;
        let rsa = |hash, data: Box<[u8]>| {
            Signature::new(Algorithm::Rsa { hash: Some(hash) }, data).map_err(signature::Error::from_source)
        };
        let converted = |result: ssh_key::Result<Signature>| result.map_err(signature::Error::from_source);
        match &self.0 {
            Ready::Ed25519(key) => {
                let signature: ed25519_dalek::Signature = key.try_sign(message)?;
                converted(Signature::new(Algorithm::Ed25519, signature.to_bytes()))
            }
            Ready::RsaSha256(key) => rsa(HashAlg::Sha256, key.try_sign(message)?.into()),
            Ready::RsaSha512(key) => rsa(HashAlg::Sha512, key.try_sign(message)?.into()),
            Ready::P256(key) => {
                converted(Signature::try_from(Signer::<p256::ecdsa::Signature>::try_sign(&**key, message)?))
            }
            Ready::P384(key) => {
                converted(Signature::try_from(Signer::<p384::ecdsa::Signature>::try_sign(&**key, message)?))
            }
            Ready::P521(key) => {
                converted(Signature::try_from(Signer::<p521::ecdsa::Signature>::try_sign(&**key, message)?))
            }
            Ready::Other(key) => key.try_sign(message),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::key::generate::KeySpec;

    fn keys() -> Vec<PrivateKey> {
        use ssh_key::EcdsaCurve::{NistP256, NistP384, NistP521};
        [
            KeySpec::Ed25519,
            KeySpec::Ecdsa(NistP256),
            KeySpec::Ecdsa(NistP384),
            KeySpec::Ecdsa(NistP521),
            KeySpec::Rsa(2048),
        ]
        .into_iter()
        .map(|spec| spec.generate("").expect("key"))
        .collect()
    }

    #[test]
    fn signatures_are_ssh_keys_own_byte_for_byte() {
        let message = b"the data a certificate covers";
        for key in keys() {
            for hash in [HashAlg::Sha256, HashAlg::Sha512] {
                let ready = ReadyKey::new(&key, hash).expect("ready");
                let ours = ready.try_sign(message).expect("ours");
                let theirs = match key.key_data() {
                    KeypairData::Rsa(pair) => (pair, Some(hash)).try_sign(message),
                    other => other.try_sign(message),
                }
                .expect("theirs");
                assert_eq!(ours, theirs, "{:?} {hash:?}", key.algorithm());
                signature::Verifier::verify(key.public_key().key_data(), message, &ours).expect("verifies");
            }
        }
    }

    #[test]
    fn an_ed25519_key_whose_halves_differ_is_refused() {
        let one = KeySpec::Ed25519.generate("").expect("key");
        let other = KeySpec::Ed25519.generate("").expect("key");
        let (KeypairData::Ed25519(a), KeypairData::Ed25519(b)) = (one.key_data(), other.key_data()) else {
            unreachable!("both are Ed25519")
        };
        let mixed = ssh_key::private::Ed25519Keypair { public: b.public, private: a.private.clone() };
        let mixed = PrivateKey::new(KeypairData::Ed25519(mixed), "").expect("key");
        assert!(ReadyKey::new(&mixed, HashAlg::Sha512).is_err());
    }
}
