//! Key revocation lists as sshd and ssh-keygen -Q read them: nothing panics, and a list
//! that decodes encodes to a list that decodes to the same revocations (its own bytes
//! again when it was written the way ssh-keygen writes lists, which `encode` checks by
//! round-tripping the re-encoding).
#![no_main]

use keywright::krl::wire;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(krl) = wire::decode(data) else { return };
    let encoded = wire::encode(&krl, krl.generated.max(1));
    let again = wire::decode(&encoded).expect("an encoded list decodes");
    assert_eq!(again.keys, krl.keys);
    assert_eq!(again.sha1s, krl.sha1s);
    assert_eq!(again.sha256s, krl.sha256s);
    assert_eq!(again.certs, krl.certs);
    assert_eq!(wire::encode(&again, krl.generated.max(1)), encoded);
});
