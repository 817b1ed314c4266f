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
        }
    }
});
