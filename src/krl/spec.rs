//! KRL specs: the text `ssh-keygen -k` reads (ssh-keygen(1) KEY REVOCATION LISTS), one
//! revocation a line, read with exactly its rules (`update_krl_from_file`):
//!
//! - `serial: N` or `serial: LO-HI` (C numbers: decimal, `0x` hex, `0` octal), and
//!   `id: KEY_ID`: certificates of the CA given with `-s` (every CA with `-s none`);
//! - `key: KEY`, `sha1: KEY`, `sha256: KEY`: a plain key, by itself or by a digest;
//! - `hash: SHA256:BASE64`: a key by the fingerprint `ssh-keygen -l` prints;
//! - a bare public key line: the key; a certificate by its serial (its key ID when the
//!   serial is 0) under the CA that signed it.
//!
//! `#` starts a comment anywhere; blank lines are skipped; the prefixes are read in any case.

use ssh_key::public::KeyData;

use super::Krl;
use crate::key::HashKind;
use crate::key::fingerprint::Fingerprint;
use crate::key::scan::c_string;
use crate::key::text::{decode_base64, read_key};

/// Which CA `serial:` and `id:` lines revoke for.
#[derive(Debug, Clone)]
pub enum CaScope {
    /// None given: such lines are refused.
    Missing,
    /// `-s none`: every CA.
    Wildcard,
    /// `-s CA.pub`.
    Key(KeyData),
}

/// A spec line `ssh-keygen -k` refuses, each worded as ssh-keygen words it. `file` is the
/// spec as named, `path` the file read (`(standard input)` for `-`); ssh-keygen names
/// one or the other depending on the line kind.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SpecError {
    #[error("revoking certificates by serial number requires specification of a CA key")]
    SerialNeedsCa,
    #[error("revoking certificates by key ID requires specification of a CA key")]
    KeyIdNeedsCa,
    #[error("{path}:{line}: invalid serial \"{text}\"")]
    InvalidSerial { path: String, line: usize, text: String },
    #[error("{path}:{line}: serial out of range")]
    SerialOutOfRange { path: String, line: usize },
    #[error("{path}:{line}: invalid serial range {lo}:{hi}")]
    InvalidRange { path: String, line: usize, lo: u64, hi: u64 },
    #[error("update_krl_from_file: revoke serial failed")]
    SerialZero { path: String, line: usize },
    #[error("{file}:{line}: unsupported hash algorithm")]
    UnsupportedHash { file: String, line: usize },
    #[error("{file}:{line}: decode hash failed: invalid format")]
    BadHash { file: String, line: usize },
    #[error("update_krl_from_file: revoke key failed: invalid format")]
    HashLength { path: String, line: usize },
    #[error("{path}:{line}: invalid key: invalid format")]
    InvalidKey { path: String, line: usize },
}

/// The names a spec is known by in messages: `file` as given, `path` as read.
#[derive(Debug, Clone, Copy)]
pub struct SpecName<'a> {
    pub file: &'a str,
    pub path: &'a str,
}

/// Applies every line of a spec to `krl`.
///
/// # Errors
/// The first line ssh-keygen would refuse; `krl` then holds the lines before it.
pub fn apply(krl: &mut Krl, text: &[u8], scope: &CaScope, name: SpecName<'_>) -> Result<(), SpecError> {
    for (index, raw) in text.split_inclusive(|&b| b == b'\n').enumerate() {
        let line = trim(c_string(raw));
        if !line.is_empty() {
            apply_line(krl, line, scope, name, index + 1)?;
        }
    }
    Ok(())
}

/// The line without leading blanks, without its comment or newline, and without the
/// blanks before those.
fn trim(raw: &[u8]) -> &[u8] {
    let start = raw.iter().position(|&b| b != b' ' && b != b'\t').unwrap_or(raw.len());
    let text = &raw[start..];
    let end = text.iter().position(|&b| b == b'#' || b == b'\n').unwrap_or(text.len());
    let text = &text[..end];
    let kept = text.iter().rposition(|&b| b != b' ' && b != b'\t').map_or(0, |last| last + 1);
    &text[..kept]
}

/// `text` after `prefix` (any case) and the blanks that follow it.
fn after<'t>(text: &'t [u8], prefix: &str) -> Option<&'t [u8]> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix.as_bytes()).then(|| {
        let rest = &text[prefix.len()..];
        let start = rest.iter().position(|&b| b != b' ' && b != b'\t').unwrap_or(rest.len());
        &rest[start..]
    })
}

fn apply_line(
    krl: &mut Krl,
    text: &[u8],
    scope: &CaScope,
    name: SpecName<'_>,
    line: usize,
) -> Result<(), SpecError> {
    let ca = |missing: SpecError| match scope {
        CaScope::Missing => Err(missing),
        CaScope::Wildcard => Ok(None),
        CaScope::Key(key) => Ok(Some(key)),
    };
    if let Some(rest) = after(text, "serial:") {
        let ca = ca(SpecError::SerialNeedsCa)?;
        let (lo, hi) = serial_range(rest, name, line)?;
        return krl
            .revoke_serials(ca, lo, hi)
            .map_err(|_| SpecError::SerialZero { path: name.path.into(), line });
    }
    if let Some(rest) = after(text, "id:") {
        krl.revoke_key_id(ca(SpecError::KeyIdNeedsCa)?, rest);
        return Ok(());
    }
    if let Some(rest) = after(text, "hash:") {
        let digest = hash(rest, name, line)?;
        if digest.len() != 32 {
            return Err(SpecError::HashLength { path: name.path.into(), line });
        }
        krl.revoke_sha256(&digest);
        return Ok(());
    }
    let invalid = || SpecError::InvalidKey { path: name.path.into(), line };
    let (by, rest) = [("key:", By::Key), ("sha1:", By::Sha1), ("sha256:", By::Sha256)]
        .into_iter()
        .find_map(|(prefix, by)| after(text, prefix).map(|rest| (by, rest)))
        .unwrap_or((By::Line, text));
    let key = read_key(rest).map(|(key, _)| key).ok_or_else(invalid)?;
    match by {
        By::Key => krl.revoke_key(&key),
        By::Sha1 => krl.revoke_sha1(Fingerprint::of_key(HashKind::Sha1, &key).digest()),
        By::Sha256 => krl.revoke_sha256(Fingerprint::of_key(HashKind::Sha256, &key).digest()),
        By::Line => krl.revoke(&key),
    }
    Ok(())
}

/// How a key line revokes its key.
#[derive(Debug, Clone, Copy)]
enum By {
    Key,
    Sha1,
    Sha256,
    /// A bare key line: the key, or a certificate by serial or key ID.
    Line,
}

/// `serial: N` or `serial: LO-HI`, checked as ssh-keygen checks them.
fn serial_range(text: &[u8], name: SpecName<'_>, line: usize) -> Result<(u64, u64), SpecError> {
    let invalid = |text: &[u8]| SpecError::InvalidSerial {
        path: name.path.into(),
        line,
        text: String::from_utf8_lossy(text).into_owned(),
    };
    let out_of_range = || SpecError::SerialOutOfRange { path: name.path.into(), line };
    let first = strtoull(text);
    let rest = &text[first.end..];
    if text.is_empty() || !matches!(rest.first(), None | Some(b'-')) {
        return Err(invalid(text));
    }
    if first.overflow {
        return Err(out_of_range());
    }
    let Some(second_text) = rest.strip_prefix(b"-") else { return Ok((first.value, first.value)) };
    let second = strtoull(second_text);
    if second_text.is_empty() || second.end != second_text.len() {
        return Err(invalid(second_text));
    }
    if second.overflow {
        return Err(out_of_range());
    }
    if second.value <= first.value {
        return Err(SpecError::InvalidRange {
            path: name.path.into(),
            line,
            lo: first.value,
            hi: second.value,
        });
    }
    Ok((first.value, second.value))
}

/// What C's `strtoull(text, &end, 0)` gives.
#[derive(Debug, PartialEq, Eq)]
struct Strtoull {
    value: u64,
    /// Where the number ended (0 when there was none).
    end: usize,
    /// ERANGE: the value is `u64::MAX`.
    overflow: bool,
}

/// C's `strtoull` with base 0: leading white space, a sign (a minus negates modulo
/// 2^64), `0x` for hex (only when a hex digit follows), `0` for octal, else decimal.
fn strtoull(text: &[u8]) -> Strtoull {
    let none = Strtoull { value: 0, end: 0, overflow: false };
    let mut at = text
        .iter()
        .position(|b| !matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r'))
        .unwrap_or(text.len());
    let negative = match text.get(at) {
        Some(b'-') => {
            at += 1;
            true
        }
        Some(b'+') => {
            at += 1;
            false
        }
        _ => false,
    };
    let hex_follows = text.get(at + 2).is_some_and(u8::is_ascii_hexdigit);
    let radix = match (text.get(at), text.get(at + 1)) {
        (Some(b'0'), Some(b'x' | b'X')) if hex_follows => {
            at += 2;
            16
        }
        (Some(b'0'), _) => 8,
        _ => 10,
    };
    let digits = text[at..].iter().take_while(|b| (**b as char).is_digit(radix)).count();
    if digits == 0 {
        return none;
    }
    let mut value: u64 = 0;
    let mut overflow = false;
    for &b in &text[at..at + digits] {
        let digit = u64::from((b as char).to_digit(radix).unwrap_or(0));
        match value.checked_mul(u64::from(radix)).and_then(|v| v.checked_add(digit)) {
            Some(v) => value = v,
            None => overflow = true,
        }
    }
    let value = match (overflow, negative) {
        (true, _) => u64::MAX,
        (false, true) => value.wrapping_neg(),
        (false, false) => value,
    };
    Strtoull { value, end: at + digits, overflow }
}

/// `hash: SHA256:BASE64` (the fingerprint's base64 without its padding).
fn hash(text: &[u8], name: SpecName<'_>, line: usize) -> Result<Vec<u8>, SpecError> {
    let Some(encoded) = text.strip_prefix(b"SHA256:") else {
        return Err(SpecError::UnsupportedHash { file: name.file.into(), line });
    };
    let mut padded = encoded.to_vec();
    while padded.len() % 4 != 0 {
        padded.push(b'=');
    }
    if padded.is_empty() {
        return Ok(Vec::new());
    }
    decode_base64(&padded).ok_or(SpecError::BadHash { file: name.file.into(), line })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_strtoull_base_0_reads_them() {
        let read = |text: &str| {
            let r = strtoull(text.as_bytes());
            (r.value, r.end, r.overflow)
        };
        assert_eq!(read("42"), (42, 2, false));
        assert_eq!(read("0x1F-"), (31, 4, false));
        assert_eq!(read("017"), (15, 3, false));
        assert_eq!(read("08"), (0, 1, false));
        assert_eq!(read("0x"), (0, 1, false));
        assert_eq!(read("-1"), (u64::MAX, 2, false));
        assert_eq!(read("abc"), (0, 0, false));
        assert_eq!(read("99999999999999999999"), (u64::MAX, 20, true));
    }

    #[test]
    fn comments_and_blanks_are_trimmed() {
        assert_eq!(trim(b"  serial: 5 \t# x\n"), b"serial: 5");
        assert_eq!(trim(b"\t#only\n"), b"");
    }

    #[test]
    fn serial_lines_need_a_ca_and_ranges_must_grow() {
        let name = SpecName { file: "spec", path: "spec" };
        let mut krl = Krl::new();
        let err = apply(&mut krl, b"serial: 1\n", &CaScope::Missing, name).unwrap_err();
        assert_eq!(err, SpecError::SerialNeedsCa);
        apply(&mut krl, b"SERIAL: 1-3\nid: bob # gone\nserial:0x10\n", &CaScope::Wildcard, name).unwrap();
        assert_eq!(krl.certs[0].serials.ranges().collect::<Vec<_>>(), [(1, 3), (16, 16)]);
        assert!(krl.certs[0].key_ids.contains(&b"bob"[..]));
        let err = apply(&mut krl, b"\nserial: 5-5\n", &CaScope::Wildcard, name).unwrap_err();
        assert_eq!(err.to_string(), "spec:2: invalid serial range 5:5");
        let err = apply(&mut krl, b"serial: 5x\n", &CaScope::Wildcard, name).unwrap_err();
        assert_eq!(err.to_string(), "spec:1: invalid serial \"5x\"");
    }
}
