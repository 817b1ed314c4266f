//! Finding keys in a text file the way `ssh-keygen -l` does (`do_fingerprint`): public key
//! files, authorized_keys lines with options, and known_hosts lines with host patterns.
//!
//! The rules are OpenSSH's, quirks included, because scripts compare the output:
//! a key that does not start the line is searched for after one leading field (options
//! with quoted blanks, or host names), and that field is reported as the comment unless
//! the line has a trailing comment of its own.

use ssh_key::public::KeyData;

use super::text::{is_blank, read_key, skip_blanks};

/// A key found on one line.
#[derive(Debug, Clone)]
pub struct FoundKey<'a> {
    /// The key.
    pub key: KeyData,
    /// What `ssh-keygen -l` prints as the comment; `None` prints as `no comment`.
    pub comment: Option<&'a [u8]>,
}

/// What one line of a key file holds.
#[derive(Debug)]
pub enum Line<'a> {
    /// A key, possibly after options or host names.
    Key(FoundKey<'a>),
    /// A blank line or a `#` comment.
    Blank,
    /// Anything else, including `@cert-authority` and `@revoked` lines, which
    /// `ssh-keygen -l` skips.
    NotAKey,
}

/// The text of a line as OpenSSH's C string functions see it: up to the first NUL.
pub fn c_string(line: &[u8]) -> &[u8] {
    match line.iter().position(|&b| b == 0) {
        Some(nul) => &line[..nul],
        None => line,
    }
}

/// Whether the first line of a file marks it as a private key file.
pub fn is_private_key_line(line: &[u8]) -> bool {
    let text = skip_blanks(c_string(line));
    text.windows(b"PRIVATE KEY".len()).any(|w| w == b"PRIVATE KEY")
}

/// Classifies one line (without its `\n`).
pub fn scan_line(line: &[u8]) -> Line<'_> {
    let text = skip_blanks(c_string(line));
    if text.is_empty() || text[0] == b'#' {
        return Line::Blank;
    }
    if let Some((key, rest)) = read_key(text) {
        return Line::Key(FoundKey { key, comment: trailing_comment(rest) });
    }
    let Some((field, after)) = leading_field(text) else { return Line::NotAKey };
    match read_key(after) {
        Some((key, rest)) => Line::Key(FoundKey { key, comment: trailing_comment(rest).or(Some(field)) }),
        None => Line::NotAKey,
    }
}

/// A trailing comment: what follows the key, unless empty or starting with `#`.
fn trailing_comment(rest: &[u8]) -> Option<&[u8]> {
    match rest.first() {
        None | Some(b'#') => None,
        Some(_) => Some(rest),
    }
}

/// Splits off the field before the key: options (where `"` quotes blanks and `\"` is a
/// literal quote) or host names. OpenSSH ends the field at one blank and expects the key
/// right after it.
///
/// A field that reads as a non-zero decimal number followed by a blank is not skipped,
/// so the line fails: OpenSSH took it for the start of a protocol 1 key.
fn leading_field(text: &[u8]) -> Option<(&[u8], &[u8])> {
    if looks_like_protocol1_bits(text) {
        return None;
    }
    let mut quoted = false;
    let mut i = 0;
    while i < text.len() && (quoted || !is_blank(text[i])) {
        match text[i] {
            b'\\' if text.get(i + 1) == Some(&b'"') => i += 1,
            b'"' => quoted = !quoted,
            _ => {}
        }
        i += 1;
    }
    if i >= text.len() {
        return None;
    }
    Some((&text[..i], &text[i + 1..]))
}

/// `strtol(text) != 0` with the number ended by a blank, as `do_fingerprint` tests it.
fn looks_like_protocol1_bits(text: &[u8]) -> bool {
    let unsigned = match text.first() {
        Some(b'+' | b'-') => &text[1..],
        _ => text,
    };
    let digits = unsigned.iter().take_while(|b| b.is_ascii_digit()).count();
    let nonzero = unsigned[..digits].iter().any(|&b| b != b'0');
    nonzero && unsigned.get(digits).is_some_and(|&b| is_blank(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ED: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGIrVZlC1iPIHCa8aMN6tFuV5UtyIYE6mjoM3htErex4";

    fn comment(line: &str) -> Option<Option<String>> {
        match scan_line(line.as_bytes()) {
            Line::Key(found) => Some(found.comment.map(|c| String::from_utf8_lossy(c).into_owned())),
            _ => None,
        }
    }

    #[test]
    fn comments_as_ssh_keygen_reports_them() {
        assert_eq!(comment(ED), Some(None));
        assert_eq!(comment(&format!("{ED} a b ")), Some(Some("a b ".into())));
        assert_eq!(comment(&format!("no-pty {ED}")), Some(Some("no-pty".into())));
        assert_eq!(comment(&format!("from=\"a b,c\",no-pty {ED} x")), Some(Some("x".into())));
        assert_eq!(comment(&format!("host1 {ED} # trailing")), Some(Some("host1".into())));
        assert_eq!(comment(&format!("0 {ED}")), Some(Some("0".into())));
        assert_eq!(comment(&format!("12a {ED}")), Some(Some("12a".into())));
    }

    #[test]
    fn lines_ssh_keygen_skips() {
        assert!(comment(&format!("123 {ED}")).is_none());
        assert!(comment(&format!("-5 {ED}")).is_none());
        assert!(comment(&format!("host1  {ED}")).is_none());
        assert!(comment(&format!("@revoked host {ED}")).is_none());
        assert!(matches!(scan_line(b"  # comment"), Line::Blank));
    }
}
