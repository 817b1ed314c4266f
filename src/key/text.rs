//! Public keys in text: `type base64 [comment]`, read with exactly the rules of OpenSSH's
//! `sshkey_read`, so that every line ssh-keygen accepts is accepted here and vice versa.
//!
//! ssh-key's own line parser is stricter (no tabs, `#` anywhere ends a line, options with
//! spaces fail), so only the decoded blob is handed to it.

use ssh_key::public::KeyData;
use ssh_key::{Algorithm, EcdsaCurve};

use crate::error::{CommentOf, LineBreak};

/// RSA moduli below this are refused by OpenSSH (`SSH_RSA_MINIMUM_MODULUS_SIZE`).
const RSA_MIN_BITS: u32 = 1024;
/// The largest big number OpenSSH decodes, in bytes (`SSHBUF_MAX_BIGNUM`).
const MAX_BIGNUM_BYTES: usize = 16384 / 8;

/// Reads a key at the start of `text` (which holds no newline): a type name, blanks, a
/// base64 blob. On success returns the key and the text after the blob and the blanks
/// that follow it (where a comment would start).
pub fn read_key(text: &[u8]) -> Option<(KeyData, &[u8])> {
    let type_end = text.iter().position(|&b| is_blank(b))?;
    let type_name = &text[..type_end];
    let rest = skip_blanks(&text[type_end..]);
    if rest.is_empty() {
        return None;
    }
    let blob_end = rest.iter().position(|&b| is_blank(b)).unwrap_or(rest.len());
    let blob = decode_base64(&rest[..blob_end])?;
    if !type_names_agree(type_name, blob_type_name(&blob)?) {
        return None;
    }
    let key = decode_blob(&blob)?;
    Some((key, skip_blanks(&rest[blob_end..])))
}

/// One key is one line: what in a comment or options `text` would break its line (a
/// newline, a carriage return, a NUL), named for an error message; `None` if nothing.
pub fn line_breaker(text: &[u8]) -> Option<LineBreak> {
    text.iter().find_map(|&b| match b {
        b'\n' => Some(LineBreak::Newline),
        b'\r' => Some(LineBreak::CarriageReturn),
        0 => Some(LineBreak::Nul),
        _ => None,
    })
}

/// Refuses a comment or options `text` that [`line_breaker`] finds something in;
/// `what` names it (`the comment`, `FILE:LINE: the comment of the key`).
///
/// # Errors
/// [`crate::Error::NotOneLine`], naming what breaks the line.
pub fn check_one_line(text: &[u8], what: CommentOf) -> crate::Result<()> {
    match line_breaker(text) {
        None => Ok(()),
        Some(breaker) => Err(crate::Error::NotOneLine { what, breaker }),
    }
}

/// Why `read_key` refuses `text`, in words for an error message.
pub fn diagnose(text: &[u8]) -> &'static str {
    if text.starts_with(b"\xef\xbb\xbf") {
        return "a byte-order mark starts the line: save the file without it";
    }
    let text = skip_blanks(text);
    let Some(type_end) = text.iter().position(|&b| is_blank(b)) else {
        return "no key: expected a key type, a blank and base64 data";
    };
    let rest = skip_blanks(&text[type_end..]);
    let blob_end = rest.iter().position(|&b| is_blank(b)).unwrap_or(rest.len());
    let Some(blob) = decode_base64(&rest[..blob_end]) else {
        return "not a key: the key data is not valid base64";
    };
    match blob_type_name(&blob) {
        None => "the key data is damaged",
        Some(name) if !type_names_agree(&text[..type_end], name) => {
            "the key type does not match the key data"
        }
        Some(_) if decode_blob(&blob).is_none() => "unsupported, damaged or too small key",
        Some(_) => "not a key line",
    }
}

/// Whether a line's type name fits the blob's. OpenSSH also accepts the RSA signature
/// algorithm names for an `ssh-rsa` key (its key table lists them as RSA types).
fn type_names_agree(line_type: &[u8], blob_type: &[u8]) -> bool {
    line_type == blob_type
        || match blob_type {
            b"ssh-rsa" => matches!(line_type, b"rsa-sha2-256" | b"rsa-sha2-512"),
            b"ssh-rsa-cert-v01@openssh.com" => {
                matches!(
                    line_type,
                    b"rsa-sha2-256-cert-v01@openssh.com" | b"rsa-sha2-512-cert-v01@openssh.com"
                )
            }
            _ => false,
        }
}

/// Decodes a public key blob, accepting exactly the keys OpenSSH accepts: known types,
/// RSA moduli of 1024 to 16384 bits, ECDSA points on their curve.
pub fn decode_blob(blob: &[u8]) -> Option<KeyData> {
    let mut reader = blob;
    let key = <KeyData as ssh_key::encoding::Decode>::decode(&mut reader).ok()?;
    if !reader.is_empty() || !acceptable(&key) {
        return None;
    }
    Some(key)
}

/// The key type name a blob starts with (an SSH `string`).
pub fn blob_type_name(blob: &[u8]) -> Option<&[u8]> {
    let len = u32::from_be_bytes(blob.get(..4)?.try_into().ok()?) as usize;
    blob.get(4..4usize.checked_add(len)?)
}

/// Base64 as OpenSSH's `b64_pton` reads it: whitespace anywhere is skipped, padding is
/// required, and the unused bits of the last character must be zero.
pub fn decode_base64(token: &[u8]) -> Option<Vec<u8>> {
    if token.iter().any(|&b| is_c_space(b)) {
        let compact: Vec<u8> = token.iter().copied().filter(|b| !is_c_space(*b)).collect();
        return decode_compact_base64(&compact);
    }
    decode_compact_base64(token)
}

/// data-encoding also reads concatenated padded blocks (`QQ==QQ==`); b64_pton ends the
/// text at the padding, so padding must be the last thing.
fn decode_compact_base64(text: &[u8]) -> Option<Vec<u8>> {
    if let Some(pad) = memchr::memchr(b'=', text)
        && text[pad..].iter().any(|&b| b != b'=')
    {
        return None;
    }
    data_encoding::BASE64.decode(text).ok()
}

/// Space or tab: the separators of key lines.
pub fn is_blank(byte: u8) -> bool {
    byte == b' ' || byte == b'\t'
}

/// `text` without its leading spaces and tabs.
pub fn skip_blanks(text: &[u8]) -> &[u8] {
    let start = text.iter().position(|&b| !is_blank(b)).unwrap_or(text.len());
    &text[start..]
}

/// C's `isspace`: space, \t, \n, \v, \f, \r.
fn is_c_space(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

fn acceptable(key: &KeyData) -> bool {
    match key {
        KeyData::Rsa(rsa) => {
            let n = rsa.n().as_bytes();
            let bits = super::describe::mpint_bits(n);
            bits >= RSA_MIN_BITS && n.len() <= MAX_BIGNUM_BYTES + 1
        }
        KeyData::Ecdsa(ecdsa) => point_on_curve(ecdsa.curve(), ecdsa.as_sec1_bytes()),
        KeyData::SkEcdsaSha2NistP256(sk) => point_on_curve(EcdsaCurve::NistP256, sk.ec_point().as_bytes()),
        KeyData::Certificate(cert) => {
            super::describe::is_known(&cert.algorithm()) && acceptable(cert.public_key())
        }
        other => !matches!(other.algorithm(), Algorithm::Other(_)),
    }
}

/// OpenSSH validates ECDSA public points (`sshkey_ec_validate_public`).
fn point_on_curve(curve: EcdsaCurve, sec1: &[u8]) -> bool {
    match curve {
        EcdsaCurve::NistP256 => p256::PublicKey::from_sec1_bytes(sec1).is_ok(),
        EcdsaCurve::NistP384 => p384::PublicKey::from_sec1_bytes(sec1).is_ok(),
        EcdsaCurve::NistP521 => p521::PublicKey::from_sec1_bytes(sec1).is_ok(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ED: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGIrVZlC1iPIHCa8aMN6tFuV5UtyIYE6mjoM3htErex4";

    #[test]
    fn reads_key_and_leaves_comment() {
        let line = format!("{ED} \t the comment ");
        let (key, rest) = read_key(line.as_bytes()).unwrap();
        assert!(key.is_ed25519());
        assert_eq!(rest, b"the comment ");
    }

    #[test]
    fn carriage_return_in_blob_is_skipped_like_openssh() {
        let line = format!("{ED}\r");
        let (_, rest) = read_key(line.as_bytes()).unwrap();
        assert!(rest.is_empty());
    }

    #[test]
    fn refuses_what_openssh_refuses() {
        assert!(read_key(b"ssh-ed25519").is_none());
        assert!(read_key(b"ssh-ed25519 ").is_none());
        let wrong_type = ED.replace("ssh-ed25519", "ssh-rsa");
        assert!(read_key(wrong_type.as_bytes()).is_none());
        let no_padding = &ED[..ED.len() - 1];
        assert!(read_key(no_padding.as_bytes()).is_none());
    }

    #[test]
    fn base64_ends_at_its_padding_like_b64_pton() {
        assert_eq!(decode_base64(b"QQ==").as_deref(), Some(&b"A"[..]));
        assert_eq!(decode_base64(b" QQ\n== ").as_deref(), Some(&b"A"[..]));
        assert_eq!(decode_base64(b"QQ==QQ=="), None);
        assert_eq!(decode_base64(b"\x0cQQ==QQ==\x0c"), None);
        assert_eq!(decode_base64(b"QUJD=QUJD"), None);
    }

    #[test]
    fn one_key_is_one_line() {
        assert_eq!(line_breaker(b"me@host \t x"), None);
        assert_eq!(line_breaker(b"a\nb"), Some(LineBreak::Newline));
        assert_eq!(line_breaker(b"a\rb"), Some(LineBreak::CarriageReturn));
        assert_eq!(line_breaker(b"a\0b"), Some(LineBreak::Nul));
        let error = check_one_line(b"x\0", CommentOf::Argument).unwrap_err().to_string();
        assert_eq!(error, "the comment holds a NUL byte; one key is one line, so nothing was written");
    }
}
