//! ssh-keygen -l's line scanner and the public key text reader, on one input.
//!
//! The input is read as a whole file by the stateful scanner (its buffer model carries
//! over from line to line), and as one line by `read_key` and `is_private_key_line`.
#![no_main]

use keywright::key::scan::{Line, Scanner, is_private_key_line};
use keywright::key::text::{diagnose, read_key};
use keywright::key::{Fingerprint, HashKind, describe};
use libfuzzer_sys::fuzz_target;

fn scan_file(data: &[u8]) {
    let mut scanner = Scanner::new();
    let mut lines = data.split(|&b| b == b'\n').peekable();
    while let Some(line) = lines.next() {
        let newline = lines.peek().is_some();
        if let Line::Key(found) = scanner.scan(line, newline) {
            let _ = describe(&found.key);
            let _ = Fingerprint::of_key(HashKind::Sha256, &found.key).to_string();
            let _ = found.printed_comment.map(<[u8]>::len);
            let _ = found.own_comment.map(<[u8]>::len);
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let _ = is_private_key_line(data);
    scan_file(data);
    match read_key(data) {
        None => {
            let _ = diagnose(data);
        }
        Some((key, rest)) => {
            let _ = describe(&key);
            assert!(data.ends_with(rest), "the rest of the line is not a suffix of it");
            // A key at the very start of a line is what the scanner tries first.
            if !data.contains(&0) && !data.contains(&b'\n') {
                let mut scanner = Scanner::new();
                assert!(
                    matches!(scanner.scan(data, false), Line::Key(_)),
                    "read_key accepts the line but the scanner does not"
                );
            }
        }
    }
});
