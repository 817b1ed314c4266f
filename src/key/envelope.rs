//! Encrypting and decrypting the private half of an OpenSSH key file (PROTOCOL.key) with
//! the parallel KDF of [`super::kdf`].
//!
//! ssh-key does this too, but derives the key with the sequential KDF inside
//! `PrivateKey::encrypt_with` / `decrypt`, with no way to substitute it. Here ssh-key
//! still does everything else: the ciphers, the key pair encoding, and parsing and
//! armouring the finished file (which also validates what is written here).
//!
//! The encrypted section is: check-int twice (equal; a mismatch means a wrong
//! passphrase), the key pair, the comment, and padding 1, 2, 3… to the cipher's block.

use ssh_key::encoding::{Decode, Encode, Reader};
use ssh_key::private::{KeypairData, PrivateKey};
use ssh_key::{Cipher, Kdf, LineEnding, PublicKey};
use zeroize::Zeroizing;

use super::kdf::bcrypt_pbkdf;

/// The file's magic bytes.
const AUTH_MAGIC: &[u8] = b"openssh-key-v1\0";
/// AEAD tags follow the encrypted section.
const TAG_LEN: usize = 16;

/// Why a key could not be decrypted or encrypted.
#[derive(Debug, PartialEq, Eq)]
pub enum EnvelopeError {
    /// The check bytes differ after decryption, or the AEAD tag is wrong.
    WrongPassphrase,
    /// The decrypted section does not hold a key matching the file's public key.
    Damaged(String),
    /// A KDF or cipher OpenSSH does not use with bcrypt (or an internal failure).
    Unsupported(String),
}

/// Decrypts an encrypted OpenSSH-format key.
///
/// # Errors
/// See [`EnvelopeError`].
pub fn decrypt(encrypted: &PrivateKey, passphrase: &[u8]) -> Result<PrivateKey, EnvelopeError> {
    let cipher = encrypted.cipher();
    let (key, iv) = derive(encrypted.kdf(), cipher, passphrase)?;
    let ciphertext =
        encrypted.key_data().encrypted().ok_or_else(|| unsupported("the key is not encrypted"))?;
    let tag = match cipher.has_tag() {
        true => Some(tag_of(encrypted)?),
        false => None,
    };
    let mut plain = Zeroizing::new(ciphertext.to_vec());
    cipher.decrypt(&key, &iv, &mut plain, tag).map_err(|_| EnvelopeError::WrongPassphrase)?;
    read_section(&plain, cipher.block_size(), encrypted.public_key())
}

/// Encrypts `key` with `passphrase`, `cipher` and `rounds` of bcrypt-pbkdf, and returns
/// the key file's text.
///
/// # Errors
/// See [`EnvelopeError`].
pub fn encrypt(
    key: &PrivateKey,
    cipher: Cipher,
    rounds: u32,
    passphrase: &[u8],
) -> Result<Zeroizing<String>, EnvelopeError> {
    let mut salt = vec![0u8; 16];
    let mut checkint = [0u8; 4];
    getrandom::fill(&mut salt).and_then(|()| getrandom::fill(&mut checkint)).map_err(unsupported)?;
    let kdf = Kdf::Bcrypt { salt, rounds };
    let (cipher_key, iv) = derive(&kdf, cipher, passphrase)?;
    let mut section = write_section(key, u32::from_ne_bytes(checkint), cipher.block_size())?;
    let tag = cipher.encrypt(&cipher_key, &iv, &mut section).map_err(unsupported)?;
    let mut file = Vec::new();
    let encoded = (|| -> ssh_key::encoding::Result<()> {
        file.extend_from_slice(AUTH_MAGIC);
        cipher.encode(&mut file)?;
        kdf.encode(&mut file)?;
        1u32.encode(&mut file)?;
        key.public_key().key_data().encode_prefixed(&mut file)?;
        section.as_slice().encode(&mut file)?;
        Ok(())
    })();
    encoded.map_err(unsupported)?;
    if let Some(tag) = tag {
        file.extend_from_slice(&tag);
    }
    let parsed = PrivateKey::from_bytes(&file).map_err(unsupported)?;
    parsed.to_openssh(LineEnding::LF).map_err(unsupported)
}

/// Secret bytes, wiped on drop.
type SecretBytes = Zeroizing<Vec<u8>>;

/// Key and IV for `cipher` from the file's KDF.
fn derive(kdf: &Kdf, cipher: Cipher, passphrase: &[u8]) -> Result<(SecretBytes, SecretBytes), EnvelopeError> {
    let Kdf::Bcrypt { salt, rounds } = kdf else { return Err(unsupported("a KDF other than bcrypt")) };
    let (key_len, iv_len) = cipher.key_and_iv_size().ok_or_else(|| unsupported("no cipher"))?;
    let mut okm = Zeroizing::new(vec![0u8; key_len + iv_len]);
    // An empty passphrase cannot have encrypted a key: OpenSSH writes such keys in clear.
    bcrypt_pbkdf(passphrase, salt, *rounds, &mut okm).map_err(|_| EnvelopeError::WrongPassphrase)?;
    let mut iv = Zeroizing::new(okm[key_len..].to_vec());
    okm.truncate(key_len);
    // OpenSSH's chacha20-poly1305 private keys use an all-zero nonce (the salt makes each
    // derived key unique).
    if cipher == Cipher::ChaCha20Poly1305 {
        iv.fill(0);
    }
    Ok((okm, iv))
}

/// The AEAD tag, which ssh-key keeps to itself: the last bytes of the encoded file.
fn tag_of(encrypted: &PrivateKey) -> Result<ssh_key::cipher::Tag, EnvelopeError> {
    let bytes = encrypted.to_bytes().map_err(unsupported)?;
    let start = bytes.len().checked_sub(TAG_LEN).ok_or_else(|| unsupported("no tag"))?;
    ssh_key::cipher::Tag::try_from(&bytes[start..]).map_err(|_| unsupported("bad tag"))
}

fn read_section(plain: &[u8], block_size: usize, public: &PublicKey) -> Result<PrivateKey, EnvelopeError> {
    let damaged = |what: &str| EnvelopeError::Damaged(what.to_string());
    if !plain.len().is_multiple_of(block_size) {
        return Err(damaged("the encrypted section is not a whole number of blocks"));
    }
    let mut reader = plain;
    let first = u32::decode(&mut reader).map_err(|_| damaged("short section"))?;
    let second = u32::decode(&mut reader).map_err(|_| damaged("short section"))?;
    if first != second {
        return Err(EnvelopeError::WrongPassphrase);
    }
    let keypair = KeypairData::decode(&mut reader).map_err(|e| EnvelopeError::Damaged(e.to_string()))?;
    // OpenSSH treats comments as bytes; a non-UTF-8 one must load like any other.
    let comment = ssh_key::Comment::decode(&mut reader).map_err(|_| damaged("bad comment"))?;
    let padding = reader.remaining_len();
    if padding >= block_size || reader.iter().zip(1u8..).any(|(&byte, expected)| byte != expected) {
        return Err(damaged("bad padding"));
    }
    let key = PrivateKey::new(keypair, comment).map_err(|e| EnvelopeError::Damaged(e.to_string()))?;
    if key.public_key().key_data() != public.key_data() {
        return Err(damaged("the private key does not match the public key in the file"));
    }
    Ok(key)
}

fn write_section(
    key: &PrivateKey,
    checkint: u32,
    block_size: usize,
) -> Result<Zeroizing<Vec<u8>>, EnvelopeError> {
    let mut section = Zeroizing::new(Vec::new());
    let encoded = (|| -> ssh_key::encoding::Result<()> {
        checkint.encode(&mut *section)?;
        checkint.encode(&mut *section)?;
        key.key_data().encode(&mut *section)?;
        key.comment().as_bytes().encode(&mut *section)?;
        Ok(())
    })();
    encoded.map_err(unsupported)?;
    let padding = (block_size - section.len() % block_size) % block_size;
    section.extend((1..=padding).map(|n| n as u8));
    Ok(section)
}

fn unsupported(error: impl std::fmt::Display) -> EnvelopeError {
    EnvelopeError::Unsupported(error.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::key::{KeySpec, KeyType};

    #[test]
    fn ssh_key_reads_what_we_write_and_we_read_what_it_writes() {
        let key = KeySpec::new(KeyType::Ed25519, None).unwrap().generate("round trip").unwrap();
        for cipher in [Cipher::Aes256Ctr, Cipher::ChaCha20Poly1305, Cipher::Aes256Gcm, Cipher::Aes128Cbc] {
            let text = encrypt(&key, cipher, 2, b"secret").unwrap();
            let parsed = PrivateKey::from_openssh(text.as_bytes()).unwrap();
            assert_eq!(parsed.decrypt(b"secret").unwrap(), key, "{cipher}");
            assert_eq!(decrypt(&parsed, b"secret").unwrap(), key, "{cipher}");
            assert_eq!(decrypt(&parsed, b"wrong").unwrap_err(), EnvelopeError::WrongPassphrase, "{cipher}");
            let theirs = key.encrypt_with_cipher(&mut crate::key::os_rng(), cipher, b"secret").unwrap();
            assert_eq!(decrypt(&theirs, b"secret").unwrap().comment().as_str_lossy(), "round trip");
        }
    }

    #[test]
    fn a_comment_that_is_not_utf8_survives_encryption() {
        let mut key = KeySpec::new(KeyType::Ed25519, None).unwrap().generate("").unwrap();
        key.set_comment(&b"caf\xe9 \xff"[..]);
        let text = encrypt(&key, Cipher::Aes256Ctr, 2, b"secret").unwrap();
        let parsed = PrivateKey::from_openssh(text.as_bytes()).unwrap();
        assert_eq!(decrypt(&parsed, b"secret").unwrap().comment().as_bytes(), b"caf\xe9 \xff");
    }
}
