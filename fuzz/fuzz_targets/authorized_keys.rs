//! authorized_keys files as copy-id reads them on the server, and the append that
//! installs a key: what was there stays, byte for byte, and every key stays found.
#![no_main]

use keywright::remote::install::{appended, keys_in};
use libfuzzer_sys::fuzz_target;

const NEW_KEY: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGIrVZlC1iPIHCa8aMN6tFuV5UtyIYE6mjoM3htErex4 new";

fuzz_target!(|data: &[u8]| {
    let before = keys_in(data);
    let line = NEW_KEY.as_bytes().to_vec();
    let after_bytes = appended(data.to_vec(), std::iter::once(&line));
    assert!(after_bytes.starts_with(data), "appending changed what was there");
    assert!(after_bytes.ends_with(b" new\n"));
    let after = keys_in(&after_bytes);
    assert_eq!(after.get(..before.len()), Some(&before[..]), "appending lost or changed a key");
    let new = ssh_key::PublicKey::from_openssh(NEW_KEY).expect("the new key parses");
    assert_eq!(after.get(before.len()), Some(new.key_data()), "the appended key is not found");
});
