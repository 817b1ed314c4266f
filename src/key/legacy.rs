//! Private keys in the formats OpenSSH writes through OpenSSL (`ssh-keygen -m PEM` and
//! `-m PKCS8`): PKCS#1 `BEGIN RSA PRIVATE KEY` and SEC1 `BEGIN EC PRIVATE KEY`, encrypted
//! with AES-128-CBC under RFC 1421 headers (`Proc-Type`, `DEK-Info`) and OpenSSL's
//! `EVP_BytesToKey`; and PKCS#8 `BEGIN PRIVATE KEY`, encrypted as PBES2 with
//! PBKDF2-HMAC-SHA256 (2048 iterations, an 8-byte salt) and AES-128-CBC, as OpenSSL 3
//! writes for OpenSSH. Ed25519 keys have no such form in OpenSSH 9.2, which writes them in
//! its own format whatever `-m` says; so does the caller.
//!
//! The DER encodings come from the RustCrypto key crates; only the legacy PEM encryption,
//! which no crate writes, is done here (its decryption too, in one place).

use md5::Digest;
use ssh_key::Cipher;
use ssh_key::private::{EcdsaKeypair, KeypairData, PrivateKey};
use zeroize::Zeroizing;

/// OpenSSL refuses to encrypt a PEM or PKCS#8 key with a shorter passphrase
/// (`PEM_BUFSIZE` checks in `PEM_def_callback`), and so ssh-keygen fails to save it.
pub const MIN_PASSPHRASE: usize = 5;
/// What OpenSSL 3 writes for PKCS#8 (`PKCS5_DEFAULT_ITER`, `PKCS5_SALT_LEN`).
const PBKDF2_ITERATIONS: u32 = 2048;
const PBKDF2_SALT: usize = 8;
const AES_BLOCK: usize = 16;

/// Why a key could not be written in a legacy format.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LegacyError {
    /// A passphrase shorter than OpenSSL accepts.
    #[error("passphrase is too short (minimum five characters)")]
    ShortPassphrase,
    /// A key type these formats do not hold (the caller writes OpenSSH's format instead).
    #[error("{0} keys have no PEM or PKCS#8 form")]
    Unsupported(String),
    /// The crypto libraries failed.
    #[error("{0}")]
    Crypto(String),
}

fn crypto(error: impl std::fmt::Display) -> LegacyError {
    LegacyError::Crypto(error.to_string())
}

/// Whether `key` has a PEM and PKCS#8 form (RSA and ECDSA).
pub fn has_legacy_form(key: &PrivateKey) -> bool {
    matches!(key.key_data(), KeypairData::Rsa(_) | KeypairData::Ecdsa(_))
}

/// The key as `BEGIN RSA PRIVATE KEY` or `BEGIN EC PRIVATE KEY`, encrypted when a
/// passphrase is given.
///
/// # Errors
/// See [`LegacyError`].
pub fn encode_pem(key: &PrivateKey, passphrase: Option<&str>) -> Result<Zeroizing<String>, LegacyError> {
    use rsa::pkcs1::EncodeRsaPrivateKey;
    let (label, der): (&str, Zeroizing<Vec<u8>>) = match key.key_data() {
        KeypairData::Rsa(pair) => {
            let rsa = rsa::RsaPrivateKey::try_from(pair).map_err(crypto)?;
            ("RSA PRIVATE KEY", Zeroizing::new(rsa.to_pkcs1_der().map_err(crypto)?.as_bytes().to_vec()))
        }
        KeypairData::Ecdsa(pair) => ("EC PRIVATE KEY", sec1_der(pair)?),
        other => return Err(unsupported(other)),
    };
    let Some(passphrase) = passphrase else { return Ok(armour(label, &[], &der)) };
    check_length(passphrase)?;
    let mut iv = [0u8; AES_BLOCK];
    getrandom::fill(&mut iv).map_err(crypto)?;
    let pad = AES_BLOCK - der.len() % AES_BLOCK;
    let mut data = Zeroizing::new(der.to_vec());
    data.extend(std::iter::repeat_n(pad as u8, pad));
    let cipher_key = pem_cipher_key(passphrase, &iv);
    Cipher::Aes128Cbc.encrypt(&cipher_key, &iv, &mut data).map_err(crypto)?;
    let dek = format!("DEK-Info: AES-128-CBC,{}", data_encoding::HEXUPPER.encode(&iv));
    Ok(armour(label, &["Proc-Type: 4,ENCRYPTED", &dek], &data))
}

/// The key as PKCS#8, `BEGIN ENCRYPTED PRIVATE KEY` when a passphrase is given.
///
/// # Errors
/// See [`LegacyError`].
pub fn encode_pkcs8(key: &PrivateKey, passphrase: Option<&str>) -> Result<Zeroizing<String>, LegacyError> {
    use pkcs8::EncodePrivateKey;
    let der = match key.key_data() {
        KeypairData::Rsa(pair) => rsa::RsaPrivateKey::try_from(pair).map_err(crypto)?.to_pkcs8_der(),
        KeypairData::Ecdsa(EcdsaKeypair::NistP256 { private, .. }) => {
            p256::SecretKey::from_slice(private.as_slice()).map_err(crypto)?.to_pkcs8_der()
        }
        KeypairData::Ecdsa(EcdsaKeypair::NistP384 { private, .. }) => {
            p384::SecretKey::from_slice(private.as_slice()).map_err(crypto)?.to_pkcs8_der()
        }
        KeypairData::Ecdsa(EcdsaKeypair::NistP521 { private, .. }) => {
            p521::SecretKey::from_slice(private.as_slice()).map_err(crypto)?.to_pkcs8_der()
        }
        other => return Err(unsupported(other)),
    }
    .map_err(crypto)?;
    let Some(passphrase) = passphrase else {
        return Ok(armour("PRIVATE KEY", &[], der.as_bytes()));
    };
    check_length(passphrase)?;
    let mut salt = [0u8; PBKDF2_SALT];
    let mut iv = [0u8; AES_BLOCK];
    getrandom::fill(&mut salt).and_then(|()| getrandom::fill(&mut iv)).map_err(crypto)?;
    let params =
        pkcs8::pkcs5::pbes2::Parameters::generate_pbkdf2_sha256_aes128cbc(PBKDF2_ITERATIONS, &salt, iv)
            .map_err(crypto)?;
    let info = pkcs8::PrivateKeyInfoRef::try_from(der.as_bytes()).map_err(crypto)?;
    let encrypted = info.encrypt_with_params(params, passphrase.as_bytes()).map_err(crypto)?;
    Ok(armour("ENCRYPTED PRIVATE KEY", &[], encrypted.as_bytes()))
}

fn unsupported(key: &KeypairData) -> LegacyError {
    LegacyError::Unsupported(key.algorithm().map(|a| a.as_str().to_string()).unwrap_or_default())
}

fn check_length(passphrase: &str) -> Result<(), LegacyError> {
    match passphrase.len() < MIN_PASSPHRASE {
        true => Err(LegacyError::ShortPassphrase),
        false => Ok(()),
    }
}

/// SEC1 `ECPrivateKey` with the named curve and the public point, as OpenSSL writes it.
fn sec1_der(pair: &EcdsaKeypair) -> Result<Zeroizing<Vec<u8>>, LegacyError> {
    match pair {
        EcdsaKeypair::NistP256 { private, .. } => {
            p256::SecretKey::from_slice(private.as_slice()).map_err(crypto)?.to_sec1_der().map_err(crypto)
        }
        EcdsaKeypair::NistP384 { private, .. } => {
            p384::SecretKey::from_slice(private.as_slice()).map_err(crypto)?.to_sec1_der().map_err(crypto)
        }
        EcdsaKeypair::NistP521 { private, .. } => {
            p521::SecretKey::from_slice(private.as_slice()).map_err(crypto)?.to_sec1_der().map_err(crypto)
        }
    }
}

/// OpenSSL's `EVP_BytesToKey(AES-128-CBC, MD5, salt = iv[..8], count 1)`: for a 16-byte
/// key, one MD5 of the passphrase and the salt.
pub(crate) fn pem_cipher_key(passphrase: &str, iv: &[u8; AES_BLOCK]) -> Zeroizing<Vec<u8>> {
    let mut hash = md5::Md5::new();
    hash.update(passphrase.as_bytes());
    hash.update(&iv[..8]);
    Zeroizing::new(hash.finalize().to_vec())
}

/// PEM armour: the BEGIN line, RFC 1421 headers and a blank line when there are any,
/// base64 in 64 columns, the END line.
fn armour(label: &str, headers: &[&str], der: &[u8]) -> Zeroizing<String> {
    let mut out = Zeroizing::new(format!("-----BEGIN {label}-----\n"));
    for header in headers {
        out.push_str(header);
        out.push('\n');
    }
    if !headers.is_empty() {
        out.push('\n');
    }
    let encoded = Zeroizing::new(data_encoding::BASE64.encode(der));
    for chunk in encoded.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}
