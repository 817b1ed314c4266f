//! PuTTY private key files (`.ppk`, PuTTY's "PPK file format" appendix): versions 2 and
//! 3 are read, plain or encrypted (aes256-cbc; version 2 derives its key with SHA-1,
//! version 3 with Argon2), through ssh-key's reader, which also checks the MAC; version 3
//! is written here, because ssh-key does not write PPK.
//!
//! A version 3 file is: the `PuTTY-User-Key-File-3: ALG` line, `Encryption`, `Comment`,
//! the public blob (`Public-Lines`), the Argon2 parameters when encrypted, the private
//! blob (`Private-Lines`, AES-256-CBC when encrypted, padded to its block), and an
//! HMAC-SHA-256 over all of it (`Private-MAC`), keyed by Argon2's output (or empty).

use hmac::{KeyInit, Mac};
use ssh_key::encoding::Encode;
use ssh_key::private::{EcdsaKeypair, KeypairData, PrivateKey};
use ssh_key::{Cipher, Mpint, PublicKey};
use zeroize::Zeroizing;

/// The header every PPK file starts with.
pub const MAGIC: &str = "PuTTY-User-Key-File-";
/// What puttygen 0.78 writes: Argon2id over 8 MiB with one lane (it picks the passes
/// for 100 ms on the machine; this is about that here).
const ARGON2_MEMORY_KIB: u32 = 8192;
const ARGON2_PASSES: u32 = 13;
const ARGON2_LANES: u32 = 1;
/// The most the Argon2 parameters of a file we read may ask: more would let a small file
/// take the machine's memory or minutes of work. puttygen's own choices (8 MiB, a few
/// dozen passes) are far below; the work bound is memory times passes (about 2 s here).
const MAX_ARGON2_MEMORY_KIB: u64 = 1 << 18;
const MAX_ARGON2_WORK: u64 = 1 << 22;
const MAX_ARGON2_LANES: u64 = 16;
/// puttygen's line width for the blobs.
const LINE: usize = 64;

/// Why a PPK file could not be read or written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PpkError {
    /// The MAC does not match: a wrong passphrase, or a file that was changed.
    #[error("wrong passphrase, or the file was altered (its MAC does not match)")]
    Mac,
    /// The passphrase was needed.
    #[error("the key is encrypted")]
    Encrypted,
    /// The file is damaged or not a PPK file.
    #[error("{0}")]
    Malformed(String),
}

/// Whether `text` is a PPK file.
pub fn is_ppk(text: &str) -> bool {
    text.trim_start().starts_with(MAGIC)
}

/// The value of `name:` in the file's header lines.
fn field<'a>(text: &'a str, name: &str) -> Option<&'a str> {
    text.lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(": "))
        .map(|v| v.trim_end_matches('\r'))
}

/// Whether the file's private part is encrypted.
pub fn is_encrypted(text: &str) -> bool {
    field(text, "Encryption").is_some_and(|e| e != "none")
}

/// The public key and comment, which PPK keeps in clear.
///
/// # Errors
/// The public blob is missing or damaged.
pub fn public_key(text: &str) -> Result<PublicKey, PpkError> {
    let count: usize = field(text, "Public-Lines")
        .and_then(|n| n.trim().parse().ok())
        .ok_or_else(|| malformed("no Public-Lines"))?;
    let mut lines = text.lines().skip_while(|l| !l.starts_with("Public-Lines:")).skip(1);
    let body: String = lines.by_ref().take(count).map(str::trim).collect();
    let blob = data_encoding::BASE64
        .decode(body.as_bytes())
        .map_err(|_| malformed("invalid base64 in Public-Lines"))?;
    let mut key = PublicKey::from_bytes(&blob).map_err(|_| malformed("a damaged public key"))?;
    key.set_comment(field(text, "Comment").unwrap_or_default());
    Ok(key)
}

fn malformed(what: &str) -> PpkError {
    PpkError::Malformed(what.to_string())
}

/// Decrypts (or just reads) the private key.
///
/// # Errors
/// See [`PpkError`].
pub fn decrypt(text: &str, passphrase: Option<&str>) -> Result<PrivateKey, PpkError> {
    check_cost(text)?;
    let passphrase = passphrase.filter(|_| is_encrypted(text)).map(str::to_string);
    // ssh-key's reader wants `\n` lines and no blank line at the end.
    let text = text.replace("\r\n", "\n");
    // ssh-key does not export its PPK error type; its Debug form names the variant.
    PrivateKey::from_ppk(text.trim(), passphrase).map_err(|e| match format!("{e:?}").as_str() {
        "Ppk(IncorrectMac)" => PpkError::Mac,
        "Ppk(Encrypted)" => PpkError::Encrypted,
        // A tampered private blob may fail to parse after the MAC matched only if the
        // file was made so; anything else is a damaged file.
        _ => {
            let what = e.to_string();
            let what = what.trim_start_matches("PPK parsing error: ");
            PpkError::Malformed(format!("damaged or truncated PuTTY key ({what})"))
        }
    })
}

/// Refuses Argon2 parameters beyond what a key file needs, before they are run.
fn check_cost(text: &str) -> Result<(), PpkError> {
    let number = |name: &str| -> Result<u64, PpkError> {
        match field(text, name) {
            None => Ok(0),
            Some(value) => value.trim().parse().map_err(|_| malformed(&format!("bad {name}"))),
        }
    };
    let (memory, passes, lanes) =
        (number("Argon2-Memory")?, number("Argon2-Passes")?, number("Argon2-Parallelism")?);
    let refuse =
        |what: String| Err(PpkError::Malformed(format!("its Argon2 {what}, more than keywright allows")));
    if memory > MAX_ARGON2_MEMORY_KIB {
        return refuse(format!("memory is {memory} KiB"));
    }
    if lanes > MAX_ARGON2_LANES {
        return refuse(format!("parallelism is {lanes}"));
    }
    if memory.saturating_mul(passes) > MAX_ARGON2_WORK {
        return refuse(format!("work is {passes} passes over {memory} KiB"));
    }
    Ok(())
}

/// The key as a version 3 PPK file, encrypted with `passphrase` when one is given.
///
/// # Errors
/// A key type PuTTY has no private blob for here, or the KDF failed.
pub fn encode(key: &PrivateKey, passphrase: Option<&str>) -> Result<Zeroizing<String>, PpkError> {
    let algorithm = key.algorithm();
    let public = key.public_key().key_data().encode_vec().map_err(|e| PpkError::Malformed(e.to_string()))?;
    let mut private = private_blob(key.key_data())?;
    let comment = String::from_utf8_lossy(key.comment().as_bytes()).into_owned();
    let encryption = if passphrase.is_some() { "aes256-cbc" } else { "none" };
    let mut salt = [0u8; 16];
    let (mac_key, kdf_lines) = match passphrase {
        None => (Zeroizing::new(Vec::new()), String::new()),
        Some(passphrase) => {
            getrandom::fill(&mut salt).map_err(|e| PpkError::Malformed(e.to_string()))?;
            let okm = argon2id(passphrase, &salt)?;
            // Padding to the cipher block: PuTTY fills it with random bytes.
            let pad = (16 - private.len() % 16) % 16;
            let mut padding = vec![0u8; pad];
            getrandom::fill(&mut padding).map_err(|e| PpkError::Malformed(e.to_string()))?;
            private.extend_from_slice(&padding);
            (Zeroizing::new(okm[48..80].to_vec()), kdf_header(&salt))
        }
    };
    let mac = mac(&mac_key, algorithm.as_str(), encryption, &comment, &public, &private)?;
    if let Some(passphrase) = passphrase {
        let okm = argon2id(passphrase, &salt)?;
        Cipher::Aes256Cbc
            .encrypt(&okm[..32], &okm[32..48], &mut private)
            .map_err(|e| PpkError::Malformed(e.to_string()))?;
    }
    let mut out = Zeroizing::new(format!(
        "{MAGIC}3: {}\nEncryption: {encryption}\nComment: {comment}\n",
        algorithm.as_str()
    ));
    push_lines(&mut out, "Public-Lines", &public);
    out.push_str(&kdf_lines);
    push_lines(&mut out, "Private-Lines", &private);
    out.push_str(&format!("Private-MAC: {}\n", data_encoding::HEXLOWER.encode(&mac)));
    Ok(out)
}

fn kdf_header(salt: &[u8]) -> String {
    format!(
        "Key-Derivation: Argon2id\nArgon2-Memory: {ARGON2_MEMORY_KIB}\nArgon2-Passes: {ARGON2_PASSES}\n\
         Argon2-Parallelism: {ARGON2_LANES}\nArgon2-Salt: {}\n",
        data_encoding::HEXLOWER.encode(salt)
    )
}

/// Argon2id's 80 bytes: the AES-256 key, the IV, the MAC key.
fn argon2id(passphrase: &str, salt: &[u8]) -> Result<Zeroizing<[u8; 80]>, PpkError> {
    let params = argon2::Params::new(ARGON2_MEMORY_KIB, ARGON2_PASSES, ARGON2_LANES, Some(80))
        .map_err(|e| PpkError::Malformed(format!("{e:?}")))?;
    let argon = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
    let mut okm = Zeroizing::new([0u8; 80]);
    argon
        .hash_password_into(passphrase.as_bytes(), salt, okm.as_mut())
        .map_err(|e| PpkError::Malformed(format!("{e:?}")))?;
    Ok(okm)
}

fn mac(
    key: &[u8],
    algorithm: &str,
    encryption: &str,
    comment: &str,
    public: &[u8],
    private: &[u8],
) -> Result<Vec<u8>, PpkError> {
    let mut data = Zeroizing::new(Vec::new());
    for field in [algorithm.as_bytes(), encryption.as_bytes(), comment.as_bytes(), public, private] {
        field.encode(&mut *data).map_err(|e| PpkError::Malformed(e.to_string()))?;
    }
    let mut hmac = <hmac::Hmac<sha2::Sha256> as KeyInit>::new_from_slice(key)
        .map_err(|e| PpkError::Malformed(e.to_string()))?;
    hmac.update(&data);
    Ok(hmac.finalize().into_bytes().to_vec())
}

/// PuTTY's private blobs: RSA `d p q iqmp`; ECDSA the scalar; Ed25519 the 32-byte seed,
/// each as an SSH string or mpint.
fn private_blob(key: &KeypairData) -> Result<Zeroizing<Vec<u8>>, PpkError> {
    let mut blob = Zeroizing::new(Vec::new());
    let fail = |e: ssh_key::Error| PpkError::Malformed(e.to_string());
    match key {
        KeypairData::Rsa(pair) => {
            for n in [pair.private().d(), pair.private().p(), pair.private().q(), pair.private().iqmp()] {
                n.encode(&mut *blob).map_err(|e| fail(e.into()))?;
            }
        }
        KeypairData::Ecdsa(pair) => {
            let scalar = match pair {
                EcdsaKeypair::NistP256 { private, .. } => private.as_slice(),
                EcdsaKeypair::NistP384 { private, .. } => private.as_slice(),
                EcdsaKeypair::NistP521 { private, .. } => private.as_slice(),
            };
            Mpint::from_positive_bytes(scalar).encode(&mut *blob).map_err(|e| fail(e.into()))?;
        }
        KeypairData::Ed25519(pair) => {
            pair.private.as_ref().as_slice().encode(&mut *blob).map_err(|e| fail(e.into()))?;
        }
        _ => return Err(PpkError::Malformed("PuTTY keys of this type are not written".into())),
    }
    Ok(blob)
}

fn push_lines(out: &mut String, name: &str, data: &[u8]) {
    let encoded = Zeroizing::new(data_encoding::BASE64.encode(data));
    let chunks: Vec<&[u8]> = encoded.as_bytes().chunks(LINE).collect();
    out.push_str(&format!("{name}: {}\n", chunks.len()));
    for chunk in chunks {
        out.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::key::{KeySpec, KeyType};

    #[test]
    fn what_we_write_we_read_with_the_passphrase_only() {
        for spec in [KeySpec::Ed25519, KeySpec::Rsa(2048), KeySpec::Ecdsa(ssh_key::EcdsaCurve::NistP384)] {
            let key = spec.generate("a comment").unwrap();
            let plain = encode(&key, None).unwrap();
            assert!(!is_encrypted(&plain));
            assert_eq!(decrypt(&plain, None).unwrap(), key);
            assert_eq!(public_key(&plain).unwrap(), *key.public_key());
            let locked = encode(&key, Some("pass phrase")).unwrap();
            assert!(is_encrypted(&locked));
            assert_eq!(decrypt(&locked, Some("pass phrase")).unwrap().key_data(), key.key_data());
            assert_eq!(decrypt(&locked, Some("wrong")).unwrap_err(), PpkError::Mac);
            assert_eq!(decrypt(&locked, None).unwrap_err(), PpkError::Encrypted);
        }
    }

    #[test]
    fn a_changed_comment_breaks_the_mac() {
        let key = KeySpec::Ed25519.generate("mine").unwrap();
        let text = encode(&key, None).unwrap().replace("Comment: mine", "Comment: theirs");
        assert_eq!(decrypt(&text, None).unwrap_err(), PpkError::Mac);
    }

    #[test]
    fn argon2_costs_beyond_the_bounds_are_refused_before_running() {
        let key = KeySpec::new(KeyType::Ed25519, None).unwrap().generate("").unwrap();
        let text = encode(&key, Some("pw")).unwrap();
        for (from, to) in [
            ("Argon2-Memory: 8192", "Argon2-Memory: 4194304"),
            ("Argon2-Passes: 13", "Argon2-Passes: 100000"),
            ("Argon2-Parallelism: 1", "Argon2-Parallelism: 255"),
        ] {
            let costly = text.replace(from, to);
            assert!(
                matches!(decrypt(&costly, Some("pw")), Err(PpkError::Malformed(m)) if m.contains("Argon2")),
                "{to}"
            );
        }
    }
}
