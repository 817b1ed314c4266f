//! OpenSSH-style base64 (b64_pton): whitespace skipped, padding required, canonical.
#![no_main]

use base64ct::Encoding;
use keywright::key::text::decode_base64;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some(decoded) = decode_base64(data) else { return };
    let encoded = base64ct::Base64::encode_string(&decoded);
    assert_eq!(decode_base64(encoded.as_bytes()).as_deref(), Some(&decoded[..]), "decode(encode(x)) != x");
    // Accepting only canonical text means the input, whitespace aside, is the encoding.
    let compact: Vec<u8> =
        data.iter().copied().filter(|b| !matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')).collect();
    assert_eq!(compact, encoded.as_bytes(), "accepted non-canonical base64");
});
