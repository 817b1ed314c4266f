//! Escaping of untrusted text the way OpenSSH's `mprintf` does it, so that comments and
//! host names print byte-for-byte as `ssh-keygen` prints them.
//!
//! OpenSSH passes such text through `vis(3)`: tab, CR and LF are kept; any other byte that
//! is not a printable character in the current locale becomes a three-digit octal escape
//! (`\001`, `\377`). In a UTF-8 locale, valid printable UTF-8 sequences are kept; in the C
//! locale every byte above 0x7e is escaped. Written by hand because no crate reproduces
//! OpenSSH's exact rules.
//!
//! "Printable" is glibc's `iswprint`, which follows the Unicode version glibc was built
//! with: unassigned code points, noncharacters and the line and paragraph separators are
//! escaped. [`printable::PRINTABLE`] is that class taken from glibc 2.36 (Debian 12); a
//! newer glibc passes the characters later Unicode versions assigned.

mod printable;

use std::borrow::Cow;

/// Which character set the output is printed in, as OpenSSH's `msetlocale` would pick it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Charset {
    /// Only printable ASCII passes unescaped.
    Ascii,
    /// Valid, printable UTF-8 passes unescaped.
    Utf8,
}

impl Charset {
    /// The character set named by `LC_ALL`, `LC_CTYPE` or `LANG` (first one set and
    /// non-empty), as the C library resolves them.
    ///
    /// OpenSSH falls back to ASCII when a named locale is not installed; we assume any
    /// locale whose name says UTF-8 is, which differs only for non-ASCII text under a
    /// missing locale.
    ///
    /// The environment is read once per process: the context and the escaping of what
    /// servers send (which happens where it enters, in the model) see the same answer.
    pub fn from_env() -> Self {
        static CHARSET: std::sync::OnceLock<Charset> = std::sync::OnceLock::new();
        *CHARSET.get_or_init(Charset::read_env)
    }

    fn read_env() -> Self {
        let name = ["LC_ALL", "LC_CTYPE", "LANG"]
            .iter()
            .filter_map(|var| std::env::var(var).ok())
            .find(|value| !value.is_empty())
            .unwrap_or_default()
            .to_ascii_lowercase();
        let turkish = name.starts_with("tr");
        if !turkish && (name.contains("utf-8") || name.contains("utf8")) {
            Charset::Utf8
        } else {
            Charset::Ascii
        }
    }
}

/// Escapes `text` as OpenSSH's `mprintf` would print it in `charset`.
pub fn escape(text: &[u8], charset: Charset) -> Cow<'_, [u8]> {
    if text.iter().all(|&b| is_plain_ascii(b)) {
        return Cow::Borrowed(text);
    }
    let mut out = Vec::with_capacity(text.len() + 8);
    let mut rest = text;
    while let Some((&first, tail)) = rest.split_first() {
        if is_plain_ascii(first) {
            out.push(first);
            rest = tail;
            continue;
        }
        let printable_len = match charset {
            Charset::Utf8 => printable_utf8_len(rest),
            Charset::Ascii => 0,
        };
        if printable_len > 0 {
            out.extend_from_slice(&rest[..printable_len]);
            rest = &rest[printable_len..];
        } else {
            out.extend_from_slice(format!("\\{first:03o}").as_bytes());
            rest = tail;
        }
    }
    Cow::Owned(out)
}

/// One line of text a server sent (an error message, a disconnect reason, a line of
/// remote stderr), ready for a result line: every control character, CR, LF and tab
/// included, becomes an octal escape as `vis(3)` writes it (`\033`), so it can neither
/// break the line nor move the cursor; at most `cap` bytes of `text` are kept, and a cut is
/// marked with `...`.
pub fn server_line(text: &[u8], cap: usize) -> String {
    let (kept, cut) = capped(text, cap);
    let mut out = escape_server(kept, |b| b == b'\t' || b == b'\r' || b == b'\n');
    if cut {
        out.push_str("...");
    }
    out
}

/// Several lines of text a server sent (a keyboard-interactive instruction, a banner):
/// as [`server_line`] but LF and tab kept (as vis(3) keeps them), so the text keeps its
/// lines; CR, ESC and the other controls are escaped, so no line can be rewritten or erased on the terminal.
/// Whoever prints it must prefix each line, so none can pass for one of keywright's.
pub fn server_text(text: &[u8], cap: usize) -> String {
    let (kept, cut) = capped(text, cap);
    let mut out = escape_server(kept, |b| b == b'\r');
    if cut {
        out.push_str("...");
    }
    out
}

/// The non-empty `texts` a server sent, every line of them after `(display) `, so that
/// none can pass for a line of keywright's own; escaped and capped. Also what a
/// pre-authentication banner should be printed as. Each text is capped at
/// [`MAX_SERVER_TEXT`].
pub fn server_lines(display: &str, texts: &[&str]) -> String {
    let mut out = String::new();
    for text in texts.iter().filter(|t| !t.is_empty()) {
        let text = server_text(text.as_bytes(), MAX_SERVER_TEXT);
        for line in text.trim_end_matches('\n').split('\n') {
            out.push_str(&format!("({display}) {line}\n"));
        }
    }
    out
}

/// The most of one text from a server (an instruction, a banner) that is shown.
pub const MAX_SERVER_TEXT: usize = 4096;

/// The first `cap` bytes of `text`, and whether it was longer.
fn capped(text: &[u8], cap: usize) -> (&[u8], bool) {
    match text.len() > cap {
        true => (&text[..cap], true),
        false => (text, false),
    }
}

/// [`escape`] in the locale's charset, with the bytes `also` picks escaped too.
fn escape_server(text: &[u8], also: impl Fn(u8) -> bool) -> String {
    let mut out = Vec::with_capacity(text.len());
    for piece in text.split_inclusive(|&b| also(b)) {
        match piece.split_last() {
            Some((&last, body)) if also(last) => {
                out.extend_from_slice(&escape(body, Charset::from_env()));
                out.extend_from_slice(format!("\\{last:03o}").as_bytes());
            }
            _ => out.extend_from_slice(&escape(piece, Charset::from_env())),
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn is_plain_ascii(byte: u8) -> bool {
    matches!(byte, b' '..=b'~' | b'\t' | b'\r' | b'\n')
}

/// Length of the printable UTF-8 character at the start of `bytes`, or 0.
fn printable_utf8_len(bytes: &[u8]) -> usize {
    let len = match bytes[0] {
        0xc2..=0xdf => 2,
        0xe0..=0xef => 3,
        0xf0..=0xf4 => 4,
        _ => return 0,
    };
    let Some(candidate) = bytes.get(..len) else { return 0 };
    match std::str::from_utf8(candidate).ok().and_then(|s| s.chars().next()) {
        Some(ch) if is_printable(ch) => len,
        _ => 0,
    }
}

/// glibc's `iswprint` for a non-ASCII character.
fn is_printable(ch: char) -> bool {
    let cp = u32::from(ch);
    // The ranges are sorted and disjoint: the first that does not end before `cp`.
    let at = printable::PRINTABLE.partition_point(|&(_, last)| last < cp);
    printable::PRINTABLE.get(at).is_some_and(|&(first, _)| first <= cp)
}

/// A line as OpenSSH's log writes it on stderr (`log.c` `do_log`): `vis(3)` with
/// `VIS_SAFE | VIS_OCTAL` (printable ASCII, space, tab, newline, backspace, bell and
/// carriage return pass; a backslash is doubled; every other byte becomes `\ooo`), then
/// `\r\n`. Measured: ssh-keygen's errors and notes end in CR LF.
pub fn openssh_log(message: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(message.len() + 2);
    for &byte in message {
        match byte {
            b'\\' => out.extend_from_slice(b"\\\\"),
            b' '..=b'~' | b'\t' | b'\n' | 0x08 | 0x07 | b'\r' => out.push(byte),
            _ => out.extend_from_slice(format!("\\{byte:03o}").as_bytes()),
        }
    }
    out.extend_from_slice(b"\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_passes_and_controls_escape() {
        let text = b"a\x01b\tc\x7fd\\e";
        assert_eq!(&*escape(text, Charset::Ascii), b"a\\001b\tc\\177d\\e");
    }

    #[test]
    fn utf8_depends_on_charset() {
        let text = "b\u{e9}c\u{ff}".as_bytes();
        assert_eq!(&*escape(text, Charset::Ascii), b"b\\303\\251c\\303\\277");
        assert_eq!(&*escape(text, Charset::Utf8), text);
        assert_eq!(&*escape(b"x\xffy", Charset::Utf8), b"x\\377y");
    }

    #[test]
    fn printable_lookup_agrees_with_a_scan_at_every_range_edge() {
        let scan = |cp: u32| printable::PRINTABLE.iter().any(|&(first, last)| (first..=last).contains(&cp));
        for &(first, last) in &printable::PRINTABLE {
            for cp in [first - 1, first, last, last + 1] {
                if let Some(ch) = char::from_u32(cp).filter(|ch| !ch.is_ascii()) {
                    assert_eq!(is_printable(ch), scan(cp), "U+{cp:04X}");
                }
            }
        }
    }

    #[test]
    fn utf8_escapes_what_glibc_does_not_print() {
        for ch in
            ['\u{85}', '\u{378}', '\u{2028}', '\u{2029}', '\u{fdd0}', '\u{fffe}', '\u{1fffe}', '\u{10ffff}']
        {
            let text = ch.to_string();
            let escaped: String = text.bytes().map(|b| format!("\\{b:03o}")).collect();
            assert_eq!(
                &*escape(text.as_bytes(), Charset::Utf8),
                escaped.as_bytes(),
                "U+{:04X}",
                u32::from(ch)
            );
        }
        for ch in ['\u{a0}', '\u{e9}', '\u{202e}', '\u{e000}', '\u{fffd}', '\u{1f600}', '\u{f0000}'] {
            let text = ch.to_string();
            assert_eq!(&*escape(text.as_bytes(), Charset::Utf8), text.as_bytes(), "U+{:04X}", u32::from(ch));
        }
    }

    #[test]
    fn server_lines_are_prefixed_and_escaped() {
        let text = server_lines("me@h", &["", "Hi\r\nkeywright: error: fake\x1b[2K\n"]);
        assert_eq!(text, "(me@h) Hi\\015\n(me@h) keywright: error: fake\\033[2K\n");
    }

    #[test]
    fn server_lines_escape_every_control_and_are_capped() {
        assert_eq!(
            server_line(b"a\x1b[2K\rkeywright: ok\n\tx", 100),
            "a\\033[2K\\015keywright: ok\\012\\011x"
        );
        assert_eq!(server_line(b"abcdef", 3), "abc...");
        assert_eq!(
            server_line("caf\u{e9}".as_bytes(), 10).len(),
            if Charset::from_env() == Charset::Utf8 { 5 } else { 11 }
        );
    }

    #[test]
    fn server_text_keeps_lines_only() {
        assert_eq!(server_text(b"one\r\ntwo\x07\n\x1b]0;x", 100), "one\\015\ntwo\\007\n\\033]0;x");
        assert_eq!(server_text(b"one\ntwo", 5), "one\nt...");
    }

    /// No byte pair, in either form, lets a control character through (LF and tab only in
    /// multi-line text, as vis(3) keeps them), so server text can neither move the cursor nor end a line.
    #[test]
    fn no_control_character_passes_server_escaping() {
        let control = |b: u8| b < 0x20 || b == 0x7f;
        for first in 0..=255u8 {
            for second in 0..=255u8 {
                let text = [b'a', first, second, 0xc2, 0x9b];
                assert!(!server_line(&text, 64).bytes().any(control), "{text:?}");
                assert!(
                    !server_text(&text, 64).bytes().any(|b| control(b) && b != b'\n' && b != b'\t'),
                    "{text:?}"
                );
            }
        }
    }
}
