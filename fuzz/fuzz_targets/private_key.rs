//! Private key files: OpenSSH (PROTOCOL.key), legacy PEM and PKCS#8.
#![no_main]

use std::path::Path;

use base64ct::Encoding;
use keywright::key::PrivateKeyFile;
use keywright::key::private::{Protection, encode, pub_file_contents, public_line};
use libfuzzer_sys::fuzz_target;
use zeroize::Zeroizing;

/// bcrypt-pbkdf rounds come from the input; beyond this decrypting only burns time.
const MAX_ROUNDS: u32 = 2;
/// Argon2 memory (KiB) times passes of a .ppk the harness decrypts.
const MAX_ARGON2_WORK: u64 = 256;

/// No passphrase, a wrong one, and the one the seed corpus is encrypted with (so that
/// mutations of a seed's ciphertext reach the parsing of the decrypted section).
const PASSPHRASES: [Option<&str>; 3] = [None, Some("pw"), Some("pwpw1")];

fuzz_target!(|data: &[u8]| {
    let Ok(file) = PrivateKeyFile::parse(Path::new("fuzz-input"), data) else { return };
    // A key that asks for more rounds is fuzzed with its rounds lowered here, in the
    // harness: the product must accept any count, and the rest of the file still has to
    // be parsed and decrypted.
    if file.kdf_rounds().is_some_and(|rounds| rounds > MAX_ROUNDS) {
        let Some(clamped) = clamp_rounds(data) else { return };
        let Ok(file) = PrivateKeyFile::parse(Path::new("fuzz-input"), clamped.as_bytes()) else { return };
        return exercise(&file, clamped.as_bytes());
    }
    exercise(&file, data);
});

/// Everything keywright does with a private key file: its public half, then decrypting
/// and rewriting it with each passphrase.
fn exercise(file: &PrivateKeyFile, data: &[u8]) {
    if file.kdf_rounds().is_some_and(|rounds| rounds > MAX_ROUNDS) {
        return;
    }
    // An encrypted PuTTY key runs Argon2 with the file's own (bounded) cost, up to
    // seconds: the harness leaves the costly ones out to keep the fuzzer fast.
    if file.is_ppk() && file.is_encrypted() && argon2_work(data) > MAX_ARGON2_WORK {
        return;
    }
    let _ = file.is_encrypted();
    let _ = file.cipher();
    if let Some(public) = file.public_key() {
        let _ = public_line(&public);
        let _ = pub_file_contents(&public);
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
}

/// The OpenSSH key `data` with its bcrypt rounds lowered to [`MAX_ROUNDS`]: the binary
/// form (PROTOCOL.key) is `"openssh-key-v1\0"`, then the cipher, KDF and KDF-options
/// strings; the options are the salt string and the rounds.
fn clamp_rounds(data: &[u8]) -> Option<String> {
    const BEGIN: &str = "-----BEGIN OPENSSH PRIVATE KEY-----";
    const END: &str = "-----END OPENSSH PRIVATE KEY-----";
    let text = std::str::from_utf8(data).ok()?.trim();
    let body = text.strip_prefix(BEGIN)?.strip_suffix(END)?;
    let base64: String = body.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    let mut binary = base64ct::Base64::decode_vec(&base64).ok()?;
    let mut at = b"openssh-key-v1\0".len();
    for _ in 0..2 {
        at = skip_string(&binary, at)?;
    }
    let salt = skip_string(&binary, at + 4)?;
    let rounds = binary.get_mut(salt..salt + 4)?;
    rounds.copy_from_slice(&MAX_ROUNDS.to_be_bytes());
    let encoded = base64ct::Base64::encode_string(&binary);
    let lines: Vec<&str> = encoded.as_bytes().chunks(70).filter_map(|c| std::str::from_utf8(c).ok()).collect();
    Some(format!("{BEGIN}\n{}\n{END}\n", lines.join("\n")))
}

/// The offset after the SSH string (u32 length, bytes) at `at`.
fn skip_string(binary: &[u8], at: usize) -> Option<usize> {
    let length = binary.get(at..at + 4)?;
    let length = u32::from_be_bytes(length.try_into().ok()?) as usize;
    let end = at.checked_add(4)?.checked_add(length)?;
    (end <= binary.len()).then_some(end)
}

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

/// Argon2-Memory times Argon2-Passes of a PuTTY key (unparseable values count as 0:
/// the reader refuses them before running Argon2).
fn argon2_work(data: &[u8]) -> u64 {
    let text = String::from_utf8_lossy(data);
    let value = |name: &str| -> u64 {
        text.lines().find_map(|l| l.strip_prefix(name)?.trim().parse().ok()).unwrap_or(0)
    };
    value("Argon2-Memory:").saturating_mul(value("Argon2-Passes:").max(1))
}
