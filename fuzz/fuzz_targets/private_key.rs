//! Private key files: OpenSSH (PROTOCOL.key), legacy PEM and PKCS#8.
#![no_main]

use std::path::Path;

use keywright::key::PrivateKeyFile;
use keywright::key::private::{Protection, encode, pub_file_contents, public_line};
use libfuzzer_sys::fuzz_target;

/// bcrypt-pbkdf rounds come from the input; beyond this decrypting only burns time.
const MAX_ROUNDS: u32 = 2;

fuzz_target!(|data: &[u8]| {
    let Ok(file) = PrivateKeyFile::parse(Path::new("fuzz-input"), data) else { return };
    let _ = file.is_encrypted();
    let _ = file.is_openssh_format();
    let _ = file.cipher();
    if let Some(public) = file.public_key() {
        let _ = public_line(&public);
        let _ = pub_file_contents(&public);
    }
    if file.kdf_rounds().is_some_and(|rounds| rounds > MAX_ROUNDS) {
        return;
    }
    for passphrase in [None, Some("pw")] {
        let Ok(key) = file.decrypt(passphrase) else { continue };
        let _ = public_line(key.public_key());
        // What `ssh-keygen -p` / `-e` style rewriting does: write it unencrypted in
        // OpenSSH format; what we write we must read back.
        if let Ok(text) = encode(&key, &Protection::new(None, None)) {
            let again = PrivateKeyFile::parse(Path::new("fuzz-rewritten"), text.as_bytes());
            assert!(again.is_ok(), "re-encoded key does not parse: {:?}\n{}", again.err(), &*text);
        }
    }
});
