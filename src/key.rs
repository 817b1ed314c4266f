//! The key model: reading keys in every format OpenSSH reads, describing and
//! fingerprinting them exactly as `ssh-keygen` does, generating and saving them.
//!
//! Formats: OpenSSH private keys (PROTOCOL.key), legacy PEM / PKCS#8 private keys, and the
//! one-line public key format shared by `.pub`, authorized_keys and known_hosts files
//! (sshd(8) AUTHORIZED_KEYS FILE FORMAT and SSH_KNOWN_HOSTS FILE FORMAT).

pub mod convert;
pub mod describe;
pub mod envelope;
pub mod fingerprint;
pub mod generate;
pub mod host;
pub mod kdf;
pub mod legacy;
pub mod pkcs8_cost;
pub mod ppk;
pub mod private;
pub mod randomart;
pub mod scan;
pub mod signing;
pub mod source;
pub mod text;

pub use describe::{KeyDescription, describe};
pub use fingerprint::{Fingerprint, HashKind, bubblebabble};
pub use generate::{KeySpec, KeyType};
pub use private::{PrivateFormat, PrivateKeyFile, Protection};

/// Random numbers from the operating system, as the crypto crates want them.
pub(crate) fn os_rng() -> rand_core::UnwrapErr<getrandom::SysRng> {
    rand_core::UnwrapErr(getrandom::SysRng)
}
