//! ssh-keygen -l's line scanner and the public key text reader, on one input.
#![no_main]

use keywright::key::scan::{Line, is_private_key_line, scan_line};
use keywright::key::text::read_key;
use keywright::key::{Fingerprint, HashKind, describe};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = is_private_key_line(data);
    if let Line::Key(found) = scan_line(data) {
        let _ = describe(&found.key);
        let _ = Fingerprint::of_key(HashKind::Sha256, &found.key).to_string();
        let _ = found.comment.map(|c| c.len());
    }
    if let Some((key, rest)) = read_key(data) {
        let _ = describe(&key);
        // A key at the very start of a line is what the scanner tries first.
        if !data.contains(&0) {
            assert!(
                matches!(scan_line(data), Line::Key(_)),
                "read_key accepts the line but scan_line does not"
            );
        }
        // The rest is a suffix of the input.
        assert!(data.ends_with(rest));
    }
});
