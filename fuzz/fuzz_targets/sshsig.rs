//! Signature files as verify reads them: the armour, then the SSHSIG blob. Nothing
//! panics, and a blob that decodes (version 1, with an empty reserved string, as every
//! signer writes it) encodes back to the same bytes. (Version 0 is read, as OpenSSH
//! reads it, and written back as 1.)
#![no_main]

use keywright::sig::{Sshsig, armor};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let blob = armor::dearmor(data).unwrap_or_else(|_| data.to_vec());
    let Ok(sig) = Sshsig::decode(&blob) else { return };
    let _ = keywright::sig::blob::signer_of(&blob);
    let encoded = sig.encode();
    if encoded.len() == blob.len() && blob.get(6..10) == Some(&[0, 0, 0, 1]) {
        assert_eq!(encoded, blob);
    }
    assert_eq!(armor::dearmor(armor::armor(&encoded).as_bytes()).as_deref(), Ok(&encoded[..]));
});
