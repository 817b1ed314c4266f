//! Private key files: OpenSSH (PROTOCOL.key), legacy PEM and PKCS#8.
#![no_main]

use std::path::Path;

use keywright::key::PrivateKeyFile;
use keywright::key::private::{Protection, encode, pub_file_contents, public_line};
use libfuzzer_sys::fuzz_target;
use zeroize::Zeroizing;

/// bcrypt-pbkdf rounds come from the input; beyond this decrypting only burns time.
const MAX_ROUNDS: u32 = 2;

/// No passphrase, a wrong one, and the one the seed corpus is encrypted with (so that
/// mutations of a seed's ciphertext reach the parsing of the decrypted section).
const PASSPHRASES: [Option<&str>; 3] = [None, Some("pw"), Some("pwpw1")];

fuzz_target!(|data: &[u8]| {
    let Ok(file) = PrivateKeyFile::parse(Path::new("fuzz-input"), data) else { return };
    let _ = file.is_encrypted();
    let _ = file.cipher();
    if let Some(public) = file.public_key() {
        let _ = public_line(&public);
        let _ = pub_file_contents(&public);
    }
    if file.kdf_rounds().is_some_and(|rounds| rounds > MAX_ROUNDS) {
        return;
    }
    for passphrase in PASSPHRASES {
        let ours = file.decrypt(passphrase);
        // Only the seeds' passphrase can decrypt (a wrong one fails both at the check bytes).
        if file.is_openssh_format() && file.is_encrypted() && passphrase == Some("pwpw1") {
            compare_with_ssh_key(data, passphrase, ours.as_ref().ok());
        }
        let Ok(key) = ours else { continue };
        let _ = public_line(key.public_key());
        // Encrypting costs two bcrypt-pbkdf runs (~100 ms each under ASan): only a fixed
        // sixteenth of the inputs pay for it, so that the fuzzer keeps its speed.
        rewrite(&key, data.len() % 16 == 0);
    }
});

/// keywright decrypts OpenSSH keys itself; ssh-key's own decryption must agree.
fn compare_with_ssh_key(data: &[u8], passphrase: Option<&str>, ours: Option<&ssh_key::PrivateKey>) {
    let Some(passphrase) = passphrase else { return };
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(encrypted) = ssh_key::PrivateKey::from_openssh(text.trim_start()) else { return };
    let theirs = encrypted.decrypt(passphrase.as_bytes());
    match (ours, &theirs) {
        (Some(ours), Ok(theirs)) => assert!(ours == theirs, "keywright and ssh-key decrypt to different keys"),
        (None, Err(_)) => {}
        (Some(_), Err(e)) => panic!("keywright decrypts a key ssh-key refuses ({e})"),
        (None, Ok(_)) => panic!("ssh-key decrypts a key keywright refuses"),
    }
}

/// What `ssh-keygen -p` does with a key: write it in OpenSSH format, in clear (and
/// encrypted when `encrypt`); what we write we must read back as the same key.
fn rewrite(key: &ssh_key::PrivateKey, encrypt: bool) {
    let passphrases: &[Option<&str>] = if encrypt { &[None, Some("pwpw1")] } else { &[None] };
    for &passphrase in passphrases {
        let protection = Protection::new(passphrase.map(|p| Zeroizing::new(p.to_string())), Some(1));
        let Ok(text) = encode(key, &protection) else { continue };
        let again = PrivateKeyFile::parse(Path::new("fuzz-rewritten"), text.as_bytes());
        let again = again.unwrap_or_else(|e| panic!("a key we wrote does not parse: {e}\n{}", &*text));
        let back = again.decrypt(passphrase).unwrap_or_else(|e| panic!("a key we wrote does not decrypt: {e}"));
        assert!(back == *key, "a key we wrote reads back as a different key");
    }
}
