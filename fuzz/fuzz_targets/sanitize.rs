//! Escaping untrusted text for the terminal, as OpenSSH's mprintf does.
#![no_main]

use keywright::sanitize::{Charset, escape};
use libfuzzer_sys::fuzz_target;

fn check(out: &[u8], charset: Charset) {
    for &byte in out {
        assert!(
            !(byte < 0x20 && !matches!(byte, b'\t' | b'\r' | b'\n')) && byte != 0x7f,
            "{charset:?} output holds control byte {byte:#04x}: {out:?}"
        );
    }
    match charset {
        Charset::Ascii => assert!(out.is_ascii(), "ASCII output holds a non-ASCII byte: {out:?}"),
        Charset::Utf8 => assert!(std::str::from_utf8(out).is_ok(), "UTF-8 output is not UTF-8: {out:?}"),
    }
}

/// Characters glibc's `iswprint` refuses that are not controls, recognisable without
/// Unicode tables; the unit and CLI tests compare the whole table with ssh-keygen.
fn not_printable_in_glibc(c: char) -> bool {
    let cp = c as u32;
    matches!(c, '\u{2028}' | '\u{2029}') || (0xfdd0..=0xfdef).contains(&cp) || cp & 0xfffe == 0xfffe
}

fuzz_target!(|data: &[u8]| {
    for charset in [Charset::Ascii, Charset::Utf8] {
        let out = escape(data, charset);
        check(&out, charset);
        if let Ok(text) = std::str::from_utf8(&out) {
            // C1 controls (U+0080..U+009F) are as dangerous as C0 on many terminals.
            assert!(
                !text.chars().any(|c| ('\u{80}'..='\u{9f}').contains(&c)),
                "{charset:?} output holds a C1 control: {text:?}"
            );
            // Nor does glibc's iswprint, and so OpenSSH's vis, pass the line and paragraph
            // separators or noncharacters (ssh-keygen prints them as octal escapes).
            if let Some(c) = text.chars().find(|&c| not_printable_in_glibc(c)) {
                panic!("{charset:?} output holds U+{:04X}, which ssh-keygen escapes: {text:?}", c as u32);
            }
        }
    }
});
