//! Binary public key blobs (RFC 4253 §6.6), as found base64-encoded in key lines.
#![no_main]

use keywright::key::randomart::randomart;
use keywright::key::text::decode_blob;
use keywright::key::{Fingerprint, HashKind, describe};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some(key) = decode_blob(data) else { return };
    let description = describe(&key);
    for kind in [HashKind::Md5, HashKind::Sha256, HashKind::Sha512] {
        let fingerprint = Fingerprint::of_key(kind, &key);
        let text = fingerprint.to_string();
        assert!(text.starts_with(kind.label()));
        if let Some(description) = &description {
            let art =
                randomart(&description.type_name, description.bits, kind.label(), fingerprint.digest());
            assert_eq!(art.lines().count(), 11, "randomart is not 11 lines:\n{art}");
            assert!(art.lines().all(|line| line.len() == 19), "randomart line not 19 wide:\n{art}");
        }
    }
});
