//! Finding keys in a text file the way `ssh-keygen -l` does (`do_fingerprint`): public key
//! files, authorized_keys lines with options, and known_hosts lines with host patterns.
//!
//! The rules are OpenSSH's, quirks included, because scripts compare the output:
//! a key that does not start the line is searched for after one leading field (options
//! with quoted blanks, or host names), and that field is reported as the comment unless
//! the line has a trailing comment of its own.
//!
//! One quirk needs state: ssh-keygen never resets its comment pointer between lines, and
//! reads every line into the same buffer. A key line without a comment of its own
//! therefore prints whatever the buffer holds where an earlier line's comment began (an
//! empty string, the rest of an earlier line, or this line's own text). [`Scanner`] keeps
//! a model of that buffer so the printed comment is the same byte for byte. (When glibc
//! moves the buffer to grow it, ssh-keygen reads freed memory; the model assumes the
//! buffer grew in place.)
//!
//! sshd reads an authorized_keys line differently (`auth_check_authkeys_file` and
//! `auth_check_authkey_line` in auth2-pubkeyfile.c): it has no protocol 1 test and skips
//! every blank between the options and the key. [`authorized_key`] reads a line that way;
//! anything deciding what a server will honour must use it rather than [`Scanner`].

use ssh_key::public::KeyData;

use super::text::{is_blank, read_key, skip_blanks};

/// A key found on one line.
#[derive(Debug, Clone)]
pub struct FoundKey<'a> {
    /// The key.
    pub key: KeyData,
    /// What `ssh-keygen -l` prints as the comment; `None` prints as `no comment`.
    pub printed_comment: Option<&'a [u8]>,
    /// The line's own comment (or its leading options or host names), for output that
    /// need not copy ssh-keygen's quirk.
    pub own_comment: Option<&'a [u8]>,
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

/// Reads lines as `ssh-keygen -l` does; see the module documentation.
#[derive(Debug, Default)]
pub struct Scanner {
    /// ssh-keygen's `getline` buffer: each line overwrites its start, the rest remains.
    buffer: Vec<u8>,
    /// Offset in `buffer` of the comment ssh-keygen would print next (its `comment`).
    comment_at: Option<usize>,
}

/// What one line holds, before the scanner's buffer is borrowed for the key's comments
/// (see [`Scanner::classify`]): a reader can then skip lines without holding a borrow.
#[derive(Debug)]
pub enum Scanned {
    Key(ScannedKey),
    Blank,
    NotAKey,
}

/// A key found by [`Scanner::classify`]; [`Scanner::found_key`] adds its comments.
#[derive(Debug)]
pub struct ScannedKey {
    key: KeyData,
    own_comment: Option<(usize, usize)>,
}

impl Scanner {
    /// A scanner at the start of a file.
    pub fn new() -> Self {
        Self::default()
    }

    /// Classifies the next line: `line` without its `\n`, `newline` whether it had one.
    pub fn scan(&mut self, line: &[u8], newline: bool) -> Line<'_> {
        match self.classify(line, newline) {
            Scanned::Key(key) => Line::Key(self.found_key(key)),
            Scanned::Blank => Line::Blank,
            Scanned::NotAKey => Line::NotAKey,
        }
    }

    /// Classifies the next line as [`Scanner::scan`] does, without borrowing the scanner.
    pub fn classify(&mut self, line: &[u8], newline: bool) -> Scanned {
        let text_end = self.load(line, newline);
        self.scan_loaded(text_end)
    }

    /// The key [`Scanner::classify`] found on the last line, with its comments.
    pub fn found_key(&self, scanned: ScannedKey) -> FoundKey<'_> {
        let ScannedKey { key, own_comment } = scanned;
        let own_comment = own_comment.map(|(start, end)| &self.buffer[start..end]);
        let printed_comment = self.comment_at.map(|at| c_string(&self.buffer[at..]));
        FoundKey { key, printed_comment, own_comment }
    }

    /// Copies the line into the buffer as `getline` does (bytes, `\n`, NUL), then ends the
    /// text at the first `\n` as `do_fingerprint` does. Returns the end of the text.
    fn load(&mut self, line: &[u8], newline: bool) -> usize {
        let raw_len = line.len() + usize::from(newline);
        if self.buffer.len() < raw_len + 1 {
            self.buffer.resize(raw_len + 1, 0);
        }
        self.buffer[..line.len()].copy_from_slice(line);
        if newline {
            self.buffer[line.len()] = b'\n';
        }
        self.buffer[raw_len] = 0;
        let end = self.buffer.iter().position(|&b| b == 0 || b == b'\n').unwrap_or(raw_len);
        self.buffer[end] = 0;
        end
    }

    fn scan_loaded(&mut self, text_end: usize) -> Scanned {
        let text = &self.buffer[..text_end];
        let start = text_end - skip_blanks(text).len();
        if start == text_end || text[start] == b'#' {
            return Scanned::Blank;
        }
        if let Some((key, rest)) = read_key(&text[start..]) {
            return self.found(key, text_end - rest.len(), text_end, None);
        }
        if looks_like_protocol1_bits(&text[start..]) {
            return Scanned::NotAKey;
        }
        // ssh-keygen points its comment at the field before it knows a key follows.
        self.comment_at = Some(start);
        let Some(field_end) = field_end(&text[start..]).map(|len| start + len) else {
            return Scanned::NotAKey;
        };
        self.buffer[field_end] = 0;
        let after = &self.buffer[field_end + 1..text_end];
        match read_key(after) {
            Some((key, rest)) => self.found(key, text_end - rest.len(), text_end, Some((start, field_end))),
            None => Scanned::NotAKey,
        }
    }

    /// A key was read; what follows it (`rest_at..text_end`) is a comment unless empty
    /// or starting with `#`.
    fn found(
        &mut self,
        key: KeyData,
        rest_at: usize,
        text_end: usize,
        field: Option<(usize, usize)>,
    ) -> Scanned {
        let has_trailing = rest_at < text_end && self.buffer[rest_at] != b'#';
        if has_trailing {
            self.comment_at = Some(rest_at);
        }
        let own_comment = if has_trailing { Some((rest_at, text_end)) } else { field };
        Scanned::Key(ScannedKey { key, own_comment })
    }
}

/// A key line of an authorized_keys file, as sshd reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizedKey<'a> {
    /// The key.
    pub key: KeyData,
    /// The options field before the key, as written. It is not checked: sshd refuses the
    /// whole line when its `sshauthopt_parse` does not know an option, but that list
    /// depends on the server's version.
    pub options: Option<&'a [u8]>,
    /// What follows the key and its blanks (a comment, unused by sshd; may be empty).
    pub rest: &'a [u8],
}

/// Reads one line of an authorized_keys file (without its `\n`) as sshd 9.2 does:
///
/// * text after a NUL is ignored (the line is a C string);
/// * leading spaces and tabs are skipped; an empty line or one starting with `#` holds
///   no key (`auth_check_authkeys_file`);
/// * a key (`sshkey_read`: type, blanks, base64 in which `\r` and other white space are
///   skipped) is tried first; failing that, the options are skipped up to the first blank
///   outside double quotes (`\"` is no quote), then *all* following spaces and tabs, and
///   the key is read there (`auth_check_authkey_line`, `sshkey_advance_past_options`).
///
/// Unlike `ssh-keygen -l` ([`Scanner`]) there is no protocol 1 test (`1024 KEY` reads
/// `1024` as options), and several blanks may separate options and key.
pub fn authorized_key(line: &[u8]) -> Option<AuthorizedKey<'_>> {
    let text = skip_blanks(c_string(line));
    if text.first().is_none_or(|&b| b == b'#') {
        return None;
    }
    if let Some((key, rest)) = read_key(text) {
        return Some(AuthorizedKey { key, options: None, rest });
    }
    let options_end = field_end(text)?;
    let (key, rest) = read_key(skip_blanks(&text[options_end..]))?;
    Some(AuthorizedKey { key, options: Some(&text[..options_end]), rest })
}

/// The text of a line as OpenSSH's C string functions see it: up to the first NUL.
pub fn c_string(line: &[u8]) -> &[u8] {
    match memchr::memchr(0, line) {
        Some(nul) => &line[..nul],
        None => line,
    }
}

/// Whether the first line of a file marks it as a private key file.
pub fn is_private_key_line(line: &[u8]) -> bool {
    let text = skip_blanks(c_string(line));
    let content = !text.is_empty() && text[0] != b'#';
    content && text.windows(b"PRIVATE KEY".len()).any(|w| w == b"PRIVATE KEY")
}

/// Length of the field before the key: options (where `"` quotes blanks and `\"` is a
/// literal quote) or host names; `None` when no blank ends the field. ssh-keygen's
/// `do_fingerprint` expects the key right after that one blank; sshd
/// (`sshkey_advance_past_options`, the same loop) skips all the blanks that follow.
fn field_end(text: &[u8]) -> Option<usize> {
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
    (i < text.len()).then_some(i)
}

/// Whether `do_fingerprint` takes the line for a protocol 1 key and skips it:
/// `int i = strtol(text, &ep, 10)` is not 0 and `*ep` is a blank. strtol skips C white
/// space first, saturates at the limits of a 64-bit `long`, and the `int` keeps the low
/// 32 bits (so `4294967296` and `-9223372036854775808` give 0; checked against
/// ssh-keygen 9.2).
fn looks_like_protocol1_bits(text: &[u8]) -> bool {
    let spaces = text.iter().take_while(|&&b| is_c_space(b)).count();
    let (negative, unsigned) = match &text[spaces..] {
        [b'-', rest @ ..] => (true, rest),
        [b'+', rest @ ..] => (false, rest),
        rest => (false, rest),
    };
    let digits = unsigned.iter().take_while(|b| b.is_ascii_digit()).count();
    // No digits: no conversion, i is 0.
    if digits == 0 {
        return false;
    }
    let magnitude =
        unsigned[..digits].iter().try_fold(0u64, |n, &d| n.checked_mul(10)?.checked_add(u64::from(d - b'0')));
    let long = match (negative, magnitude) {
        (false, Some(n)) => i64::try_from(n).unwrap_or(i64::MAX),
        (false, None) => i64::MAX,
        (true, Some(n)) => 0i64.checked_sub_unsigned(n).unwrap_or(i64::MIN),
        (true, None) => i64::MIN,
    };
    // The low 32 bits, as C converts the long to the int.
    let int = long as i32;
    int != 0 && unsigned.get(digits).is_some_and(|&b| is_blank(b))
}

/// C's `isspace` in the C locale, which strtol skips.
fn is_c_space(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

#[cfg(test)]
mod tests {
    use super::*;

    const ED: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGIrVZlC1iPIHCa8aMN6tFuV5UtyIYE6mjoM3htErex4";

    /// The comments ssh-keygen prints for `lines`, in order (`None` for skipped lines).
    fn printed(lines: &[String]) -> Vec<Option<String>> {
        let mut scanner = Scanner::new();
        lines
            .iter()
            .map(|line| match scanner.scan(line.as_bytes(), true) {
                Line::Key(found) => Some(
                    found
                        .printed_comment
                        .map_or("no comment".into(), |c| String::from_utf8_lossy(c).into_owned()),
                ),
                _ => None,
            })
            .collect()
    }

    fn one(line: String) -> Option<String> {
        printed(&[line]).remove(0)
    }

    #[test]
    fn comments_as_ssh_keygen_reports_them() {
        assert_eq!(one(ED.into()).as_deref(), Some("no comment"));
        assert_eq!(one(format!("{ED} a b ")).as_deref(), Some("a b "));
        assert_eq!(one(format!("no-pty {ED}")).as_deref(), Some("no-pty"));
        assert_eq!(one(format!("from=\"a b,c\",no-pty {ED} x")).as_deref(), Some("x"));
        assert_eq!(one(format!("host1 {ED} # trailing")).as_deref(), Some("host1"));
        assert_eq!(one(format!("0 {ED}")).as_deref(), Some("0"));
        assert_eq!(one(format!("12a {ED}")).as_deref(), Some("12a"));
    }

    #[test]
    fn lines_ssh_keygen_skips() {
        for line in
            [format!("123 {ED}"), format!("-5 {ED}"), format!("host1  {ED}"), format!("@revoked host {ED}")]
        {
            assert_eq!(one(line.clone()), None, "{line}");
        }
        assert!(matches!(Scanner::new().scan(b"  # comment", true), Line::Blank));
    }

    /// Checked against ssh-keygen 9.2: its `int i = strtol(...)` keeps the low 32 bits of
    /// a saturated 64-bit long, after skipping any C white space.
    #[test]
    fn protocol1_test_models_strtol_into_int() {
        for field in ["4294967296", "-4294967296", "-9223372036854775808", "-99999999999999999999", "+", "-"]
        {
            assert_eq!(one(format!("{field} {ED}")).as_deref(), Some(field), "{field}");
        }
        assert_eq!(one(format!("\x0c0 {ED}")).as_deref(), Some("\x0c0"));
        for field in [
            "4294967297",
            "9223372036854775808",
            "18446744073709551616",
            "-9223372036854775807",
            "\x0b5",
            "\r5",
            "\x0b+7",
        ] {
            assert_eq!(one(format!("{field} {ED}")), None, "{field:?}");
        }
    }

    /// sshd's reading of `line`: the options and the rest after the key, which must be `ED`.
    fn sshd(line: &str) -> Option<(Option<&str>, &str)> {
        let ed = read_key(ED.as_bytes()).unwrap().0;
        let found = authorized_key(line.as_bytes())?;
        assert_eq!(found.key, ed, "{line:?}");
        let text = |b| std::str::from_utf8(b).unwrap();
        Some((found.options.map(text), text(found.rest)))
    }

    /// ssh-keygen's reading of `line` (one line, fresh scanner): whether it finds a key.
    fn keygen_finds_key(line: &str) -> bool {
        matches!(Scanner::new().scan(line.as_bytes(), true), Line::Key(_))
    }

    /// auth2-pubkeyfile.c skips every blank after the options; ssh-keygen only one.
    #[test]
    fn sshd_skips_several_blanks_between_options_and_key() {
        for gap in ["  ", " \t ", "\t\t", "\t "] {
            let line = format!("no-pty{gap}{ED} me");
            assert_eq!(sshd(&line), Some((Some("no-pty"), "me")), "{line:?}");
            assert!(!keygen_finds_key(&line), "{line:?}");
        }
        for gap in [" ", "\t"] {
            let line = format!("no-pty{gap}{ED}");
            assert_eq!(sshd(&line), Some((Some("no-pty"), "")), "{line:?}");
            assert!(keygen_finds_key(&line), "{line:?}");
        }
    }

    /// sshd has no protocol 1 test: a number is just an options field (which its option
    /// parser refuses; see [`AuthorizedKey::options`]).
    #[test]
    fn sshd_reads_a_number_as_options() {
        for field in ["1024", "-5", "7"] {
            let line = format!("{field} {ED}");
            assert_eq!(sshd(&line), Some((Some(field), "")), "{line}");
            assert!(!keygen_finds_key(&line), "{line}");
        }
    }

    /// Leading spaces and tabs are skipped by both; other white space is not.
    #[test]
    fn sshd_skips_leading_blanks() {
        assert_eq!(sshd(&format!(" \t {ED} c")), Some((None, "c")));
        assert_eq!(sshd(&format!("\t restrict  {ED}")), Some((Some("restrict"), "")));
        assert_eq!(sshd(&format!("\x0b{ED}")), None);
        assert_eq!(sshd(&format!("\rno-pty {ED}")), Some((Some("\rno-pty"), "")));
    }

    /// Blanks inside double quotes belong to the options; `\"` is no quote, inside quotes
    /// or out; an unterminated quote is no key.
    #[test]
    fn sshd_reads_quoted_options() {
        let options = r#"from="a b",command="echo \"x y\" z""#;
        assert_eq!(sshd(&format!("{options} {ED} c d")), Some((Some(options), "c d")));
        assert_eq!(sshd(&format!("{options} \t {ED}")), Some((Some(options), "")));
        assert_eq!(sshd(&format!(r#"x\" {ED}"#)), Some((Some(r#"x\""#), "")));
        assert_eq!(sshd(&format!(r#"command="a {ED}"#)), None);
        assert_eq!(sshd(&format!(r#"command="a \" b {ED}"#)), None);
    }

    /// A CR before the `\n` (a file written on Windows) is white space in the base64, or
    /// part of the comment.
    #[test]
    fn sshd_reads_lines_ending_in_cr() {
        assert_eq!(sshd(&format!("{ED}\r")), Some((None, "")));
        assert_eq!(sshd(&format!("no-pty  {ED}\r")), Some((Some("no-pty"), "")));
        assert_eq!(sshd(&format!("{ED} c\r")), Some((None, "c\r")));
        assert_eq!(sshd("\r"), None);
    }

    /// Lines without a key: blank, comments, options alone, text after a NUL.
    #[test]
    fn sshd_finds_no_key() {
        for line in ["", " \t", "# x", &format!(" #{ED}"), "no-pty", "no-pty  ", &format!("no-pty\0 {ED}")] {
            assert_eq!(sshd(line), None, "{line:?}");
        }
        assert_eq!(sshd(&format!("{ED}\0garbage")), Some((None, "")));
        assert_eq!(sshd(&format!("{ED} a\0b")), Some((None, "a")));
    }

    /// Checked against ssh-keygen 9.2: the comment pointer outlives its line.
    #[test]
    fn a_line_without_comment_prints_what_the_buffer_holds() {
        let after_comment = printed(&[format!("{ED} alice"), ED.to_string()]);
        assert_eq!(after_comment, [Some("alice".into()), Some("".into())]);
        let after_host = printed(&[format!("host1 {ED}"), ED.to_string()]);
        assert_eq!(after_host, [Some("host1".into()), Some(ED.into())]);
        let after_bad_line = printed(&[format!("{ED} a-very-long-comment"), "short".into(), ED.into()]);
        assert_eq!(after_bad_line, [Some("a-very-long-comment".into()), None, Some(ED.into())]);
    }
}
