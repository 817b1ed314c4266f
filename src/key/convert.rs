//! Public keys in the formats `ssh-keygen -e` writes and `ssh-keygen -i` reads: RFC 4716
//! (the SSH2 public key file format, `---- BEGIN SSH2 PUBLIC KEY ----`), PKCS#8's
//! SubjectPublicKeyInfo (`BEGIN PUBLIC KEY`, RFC 5280) and PKCS#1 (`BEGIN RSA PUBLIC
//! KEY`, RFC 8017), which OpenSSH calls "PEM".
//!
//! The DER and PEM work is done by the RustCrypto key crates; RFC 4716's armour, headers
//! and folding are done here because no crate does them.

use ssh_key::PublicKey;
use ssh_key::public::{EcdsaPublicKey, KeyData, RsaPublicKey};

/// The public key formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PublicFormat {
    /// RFC 4716, ssh-keygen's default for -e and -i.
    Rfc4716,
    /// SubjectPublicKeyInfo in PEM (`BEGIN PUBLIC KEY`): RSA and ECDSA.
    Pkcs8,
    /// PKCS#1 `BEGIN RSA PUBLIC KEY` for RSA; ECDSA keys are written as with PKCS#8, as
    /// ssh-keygen does.
    Pem,
}

/// Why a public key could not be converted; the caller adds the file name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConvertError {
    /// The format has no encoding for this key type (ssh-keygen refuses the same).
    #[error("{format} has no encoding for {key_type} keys")]
    Unsupported { format: &'static str, key_type: String },
    /// The input is not in the format.
    #[error("{0}")]
    Malformed(String),
}

const RFC4716_BEGIN: &str = "---- BEGIN SSH2 PUBLIC KEY ----";
const RFC4716_END: &str = "---- END SSH2 PUBLIC KEY ----";
const SSHCOM_PRIVATE_BEGIN: &str = "---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----";
/// RFC 4716 section 3.3: header tags are at most 64 bytes; ssh-keygen folds at 70.
const MAX_TAG: usize = 64;
const FOLD: usize = 70;
/// ssh-keygen's comment buffer: 60 bytes and its NUL, so the header fits 72 columns.
const MAX_EXPORT_COMMENT: usize = 60;

impl PublicFormat {
    /// The name used in messages.
    pub fn name(self) -> &'static str {
        match self {
            PublicFormat::Rfc4716 => "RFC 4716",
            PublicFormat::Pkcs8 => "PKCS#8",
            PublicFormat::Pem => "PEM",
        }
    }
}

/// The key in `format`, as `ssh-keygen -e` prints it. `converted_by` is the `user@host`
/// named in RFC 4716's comment header.
///
/// # Errors
/// [`ConvertError::Unsupported`] for Ed25519 in PKCS#8 or PEM, and for other key types.
pub fn export(key: &KeyData, format: PublicFormat, converted_by: &str) -> Result<String, ConvertError> {
    match format {
        PublicFormat::Rfc4716 => rfc4716(key, converted_by),
        PublicFormat::Pkcs8 => spki(key, format),
        PublicFormat::Pem => match key {
            KeyData::Rsa(rsa) => pkcs1(rsa),
            _ => spki(key, format),
        },
    }
}

fn unsupported(format: PublicFormat, key: &KeyData) -> ConvertError {
    ConvertError::Unsupported { format: format.name(), key_type: key.algorithm().as_str().to_string() }
}

fn rfc4716(key: &KeyData, converted_by: &str) -> Result<String, ConvertError> {
    use ssh_key::encoding::Encode;
    let description = super::describe(key).ok_or_else(|| unsupported(PublicFormat::Rfc4716, key))?;
    let blob = key.encode_vec().map_err(|e| ConvertError::Malformed(e.to_string()))?;
    let mut comment = format!(
        "{}-bit {}, converted by {converted_by} from OpenSSH",
        description.bits, description.type_name
    );
    truncate_bytes(&mut comment, MAX_EXPORT_COMMENT);
    let mut out = format!("{RFC4716_BEGIN}\nComment: \"{comment}\"\n");
    let encoded = data_encoding::BASE64.encode(&blob);
    for chunk in encoded.as_bytes().chunks(FOLD) {
        out.push_str(&String::from_utf8_lossy(chunk));
        out.push('\n');
    }
    out.push_str(RFC4716_END);
    out.push('\n');
    Ok(out)
}

/// Cuts `text` to at most `max` bytes, as C's snprintf does (on a character boundary,
/// since the text is ours and ASCII but for the host name).
fn truncate_bytes(text: &mut String, max: usize) {
    if text.len() > max {
        let mut end = max;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
    }
}

fn pkcs1(rsa: &RsaPublicKey) -> Result<String, ConvertError> {
    use rsa::pkcs1::EncodeRsaPublicKey;
    let key = rsa::RsaPublicKey::try_from(rsa).map_err(|e| ConvertError::Malformed(e.to_string()))?;
    key.to_pkcs1_pem(pkcs8::LineEnding::LF).map_err(|e| ConvertError::Malformed(e.to_string()))
}

fn spki(key: &KeyData, format: PublicFormat) -> Result<String, ConvertError> {
    use pkcs8::EncodePublicKey;
    let lf = pkcs8::LineEnding::LF;
    let damaged = |e: ssh_key::Error| ConvertError::Malformed(e.to_string());
    let pem = match key {
        KeyData::Rsa(rsa) => rsa::RsaPublicKey::try_from(rsa).map_err(damaged)?.to_public_key_pem(lf),
        KeyData::Ecdsa(ec @ EcdsaPublicKey::NistP256(_)) => {
            p256::ecdsa::VerifyingKey::try_from(ec).map_err(damaged)?.to_public_key_pem(lf)
        }
        KeyData::Ecdsa(ec @ EcdsaPublicKey::NistP384(_)) => {
            p384::ecdsa::VerifyingKey::try_from(ec).map_err(damaged)?.to_public_key_pem(lf)
        }
        KeyData::Ecdsa(ec @ EcdsaPublicKey::NistP521(_)) => {
            p521::ecdsa::VerifyingKey::try_from(ec).map_err(damaged)?.to_public_key_pem(lf)
        }
        _ => return Err(unsupported(format, key)),
    };
    pem.map_err(|e| ConvertError::Malformed(e.to_string()))
}

/// Reads a public key in `format` as `ssh-keygen -i` does. The key has no comment (ssh-keygen
/// prints none).
///
/// # Errors
/// [`ConvertError::Malformed`] with what is wrong, and the line for RFC 4716.
pub fn import(text: &[u8], format: PublicFormat) -> Result<PublicKey, ConvertError> {
    let text = std::str::from_utf8(text).map_err(|_| malformed("binary data, not text"))?;
    let data = match format {
        PublicFormat::Rfc4716 => read_rfc4716(text)?,
        PublicFormat::Pkcs8 => read_spki(pem_block(text, "PUBLIC KEY")?)?,
        PublicFormat::Pem => read_pkcs1(pem_block(text, "RSA PUBLIC KEY")?)?,
    };
    Ok(PublicKey::new(data, ""))
}

/// The format of a public key file, from its armour; `None` when it has none of them.
pub fn detect(text: &[u8]) -> Option<PublicFormat> {
    let text = String::from_utf8_lossy(text);
    text.lines().map(str::trim).find_map(|line| match line {
        RFC4716_BEGIN => Some(PublicFormat::Rfc4716),
        "-----BEGIN PUBLIC KEY-----" => Some(PublicFormat::Pkcs8),
        "-----BEGIN RSA PUBLIC KEY-----" => Some(PublicFormat::Pem),
        _ => None,
    })
}

fn malformed(what: impl Into<String>) -> ConvertError {
    ConvertError::Malformed(what.into())
}

/// RFC 4716 section 3: the BEGIN line, headers (`Tag: value`, continued by a final `\`),
/// base64 lines, the END line. Unknown headers are skipped, as ssh-keygen skips them;
/// a header that breaks the grammar is refused with its line number. Like ssh-keygen,
/// bare base64 without the armour is read too; with a BEGIN line, the END line must come.
fn read_rfc4716(text: &str) -> Result<KeyData, ConvertError> {
    let lines = || text.lines().enumerate().map(|(n, line)| (n + 1, line.trim_end_matches('\r')));
    if lines().any(|(_, line)| line.trim() == SSHCOM_PRIVATE_BEGIN) {
        return Err(malformed("an SSH.COM private key, which keywright does not read"));
    }
    let begin = lines().find(|(_, line)| line.trim() == RFC4716_BEGIN).map(|(n, _)| n);
    let mut body = String::new();
    let mut continued = false;
    let mut in_headers = true;
    for (number, line) in lines().skip(begin.unwrap_or(0)) {
        if line.trim() == RFC4716_END {
            return decode_blob(&body);
        }
        if continued {
            continued = line.ends_with('\\');
            continue;
        }
        if line.starts_with("----") {
            return Err(malformed(format!(
                "line {number}: unexpected armour line, expected \"{RFC4716_END}\""
            )));
        }
        if in_headers && line.contains(':') {
            check_header(number, line)?;
            continued = line.ends_with('\\');
            continue;
        }
        in_headers = false;
        if line.contains(':') {
            return Err(malformed(format!("line {number}: a header after the key data")));
        }
        body.push_str(line.trim());
    }
    match begin {
        Some(_) => Err(malformed(format!("truncated: no \"{RFC4716_END}\" line"))),
        None => decode_blob(&body),
    }
}

/// RFC 4716 section 3.3: `tag: value`, the tag 1 to 64 printable ASCII characters
/// without a colon or space.
fn check_header(number: usize, line: &str) -> Result<(), ConvertError> {
    let bad = |why: &str| malformed(format!("line {number}: bad header ({why})"));
    let (tag, _) = line.split_once(": ").ok_or_else(|| bad("no \": \" after its name"))?;
    if tag.is_empty() || tag.len() > MAX_TAG {
        return Err(bad("its name must be 1 to 64 characters"));
    }
    if !tag.bytes().all(|b| b.is_ascii_graphic() && b != b':') {
        return Err(bad("its name holds a character other than printable ASCII"));
    }
    Ok(())
}

fn decode_blob(body: &str) -> Result<KeyData, ConvertError> {
    use ssh_key::encoding::Decode;
    if body.is_empty() {
        return Err(malformed("no key data between the BEGIN and END lines"));
    }
    let blob = data_encoding::BASE64
        .decode(body.as_bytes())
        .map_err(|_| malformed("invalid base64 in the key data"))?;
    let mut reader = blob.as_slice();
    let key = KeyData::decode(&mut reader).map_err(|_| malformed("the key data is not an SSH public key"))?;
    if !reader.is_empty() {
        return Err(malformed("unexpected data after the key"));
    }
    Ok(key)
}

/// The first PEM block labelled `label`, as OpenSSL's readers take it (text around it
/// is ignored).
fn pem_block<'a>(text: &'a str, label: &str) -> Result<&'a str, ConvertError> {
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let start = text.find(&begin).ok_or_else(|| malformed(format!("no \"{begin}\" line")))?;
    let stop = text[start..].find(&end).ok_or_else(|| malformed(format!("truncated: no \"{end}\" line")))?;
    Ok(&text[start..start + stop + end.len()])
}

fn read_pkcs1(pem: &str) -> Result<KeyData, ConvertError> {
    use rsa::pkcs1::DecodeRsaPublicKey;
    let key = rsa::RsaPublicKey::from_pkcs1_pem(pem).map_err(|_| malformed("not a PKCS#1 RSA public key"))?;
    rsa_data(&key)
}

fn rsa_data(key: &rsa::RsaPublicKey) -> Result<KeyData, ConvertError> {
    RsaPublicKey::try_from(key).map(KeyData::Rsa).map_err(|e| malformed(e.to_string()))
}

/// A SubjectPublicKeyInfo: RSA or ECDSA on the NIST curves, as ssh-keygen reads (it
/// refuses Ed25519 and the rest).
fn read_spki(pem: &str) -> Result<KeyData, ConvertError> {
    use pkcs8::DecodePublicKey;
    use pkcs8::der::Decode;
    let (_, der) = pkcs8::Document::from_pem(pem).map_err(|_| malformed("invalid PEM"))?;
    let der = der.as_bytes();
    let info =
        pkcs8::SubjectPublicKeyInfoRef::from_der(der).map_err(|_| malformed("not a SubjectPublicKeyInfo"))?;
    if let Ok(key) = rsa::RsaPublicKey::from_public_key_der(der) {
        return rsa_data(&key);
    }
    let ec = if let Ok(key) = p256::ecdsa::VerifyingKey::from_public_key_der(der) {
        EcdsaPublicKey::from(&key)
    } else if let Ok(key) = p384::ecdsa::VerifyingKey::from_public_key_der(der) {
        EcdsaPublicKey::from(&key)
    } else if let Ok(key) = p521::ecdsa::VerifyingKey::from_public_key_der(der) {
        EcdsaPublicKey::from(&key)
    } else {
        let what = match info.algorithm.parameters_oid() {
            Ok(curve) => format!("{} ({curve})", info.algorithm.oid),
            Err(_) => info.algorithm.oid.to_string(),
        };
        return Err(malformed(format!("unsupported or damaged public key of algorithm {what}")));
    };
    Ok(KeyData::Ecdsa(ec))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ED25519: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDpg4y1dqXhW90AW7yJOOHV0CT3u51LDBPjy92V2SM04";

    fn key() -> KeyData {
        PublicKey::from_openssh(ED25519).unwrap().key_data().clone()
    }

    #[test]
    fn rfc4716_is_written_as_ssh_keygen_writes_it() {
        let text = export(&key(), PublicFormat::Rfc4716, "root@vm").unwrap();
        assert_eq!(
            text,
            "---- BEGIN SSH2 PUBLIC KEY ----\n\
             Comment: \"256-bit ED25519, converted by root@vm from OpenSSH\"\n\
             AAAAC3NzaC1lZDI1NTE5AAAAIDpg4y1dqXhW90AW7yJOOHV0CT3u51LDBPjy92V2SM04\n\
             ---- END SSH2 PUBLIC KEY ----\n"
        );
        // The comment is cut to ssh-keygen's 60 bytes.
        let long = export(&key(), PublicFormat::Rfc4716, &format!("u@{}", "h".repeat(80))).unwrap();
        let comment = long.lines().nth(1).unwrap();
        assert_eq!(comment.len(), "Comment: \"\"".len() + 60);
        assert_eq!(import(text.as_bytes(), PublicFormat::Rfc4716).unwrap().key_data(), &key());
    }

    #[test]
    fn rfc4716_headers_continue_and_unknown_ones_are_skipped() {
        let body = ED25519.split(' ').nth(1).unwrap();
        let text = format!(
            "---- BEGIN SSH2 PUBLIC KEY ----\nComment: \"a \\\nb\"\nx-Private: 1\n{}\n{}\n---- END SSH2 PUBLIC KEY ----\n",
            &body[..30],
            &body[30..]
        );
        assert_eq!(import(text.as_bytes(), PublicFormat::Rfc4716).unwrap().key_data(), &key());
        let bad = text.replace("x-Private: 1", "x Private: 1");
        let error = import(bad.as_bytes(), PublicFormat::Rfc4716).unwrap_err().to_string();
        assert!(error.starts_with("line 4: bad header"), "{error}");
    }

    #[test]
    fn ed25519_has_no_pkcs8_or_pem_public_key() {
        for format in [PublicFormat::Pkcs8, PublicFormat::Pem] {
            assert!(matches!(export(&key(), format, "u@h"), Err(ConvertError::Unsupported { .. })));
        }
    }
}
