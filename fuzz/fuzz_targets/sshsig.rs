//! Signature files as verify reads them: the armour, then the SSHSIG blob. Nothing
//! panics, and a blob that decodes (with an empty reserved string, as every signer
//! writes) encodes back to the same bytes.
#![no_main]

use keywright::sig::{Sshsig, armor};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let blob = armor::dearmor(data).unwrap_or_else(|_| data.to_vec());
    let Ok(sig) = Sshsig::decode(&blob) else { return };
    let _ = keywright::sig::blob::signer_of(&blob);
    let encoded = sig.encode();
    if encoded.len() == blob.len() {
        assert_eq!(encoded, blob);
    }
    assert_eq!(armor::dearmor(armor::armor(&encoded).as_bytes()).as_deref(), Ok(&encoded[..]));
});
