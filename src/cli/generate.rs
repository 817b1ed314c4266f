use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::examples;
use crate::key::KeyType;

/// Make a new key pair (ssh-keygen -t/-b/-C/-f/-a/-N)
#[derive(Debug, Args)]
#[command(
    long_about = "Make a new key pair: the private key (mode 0600) and the public key beside it \
                  with .pub appended (mode 0644). Without -f the key goes to ~/.ssh/id_<type>, \
                  creating ~/.ssh (mode 0700) if needed. An existing file is only replaced with \
                  --force, or after a yes at the terminal prompt.\n\n\
                  The passphrase is asked twice at the terminal unless --passphrase-file, \
                  --no-passphrase or -N is given. Without a terminal (or with --batch) one of \
                  those is required.",
    after_help = examples::render(examples::GENERATE)
)]
pub struct GenerateArgs {
    /// Key type
    #[arg(short = 't', long = "type", value_enum, default_value_t = KeyTypeArg::Ed25519)]
    pub key_type: KeyTypeArg,

    /// Key size in bits: RSA 2048-16384 (default 3072), ECDSA 256, 384 or 521 (default 256); ignored for Ed25519
    #[arg(short = 'b', long, value_name = "BITS")]
    pub bits: Option<u32>,

    /// Comment stored in the key and written after the public key [default: user@host]
    #[arg(short = 'C', long, value_name = "COMMENT")]
    pub comment: Option<String>,

    /// Private key file to write; the public key goes to FILE.pub [default: ~/.ssh/id_<type>]
    #[arg(short = 'f', long, value_name = "FILE")]
    pub file: Option<PathBuf>,

    /// KDF (bcrypt-pbkdf) rounds protecting the passphrase; more is slower to unlock and to attack
    #[arg(short = 'a', long, value_name = "ROUNDS", default_value_t = 16, value_parser = clap::value_parser!(u32).range(1..=i32::MAX as i64))]
    pub rounds: u32,

    #[command(flatten)]
    pub passphrase: NewPassphraseArgs,

    /// The private key file's format (ssh-keygen -m); Ed25519 keys have no PEM or PKCS#8 form in OpenSSH and are written in its format
    #[arg(short = 'm', long = "key-format", value_enum, default_value_t = KeyFormatArg::Openssh)]
    pub key_format: KeyFormatArg,

    /// Replace existing key files without asking
    #[arg(long)]
    pub force: bool,

    /// Print nothing but errors
    #[arg(short = 'q', long)]
    pub quiet: bool,
}

/// Where a new passphrase comes from (shared by generate and passphrase).
#[derive(Debug, Args)]
#[group(multiple = false)]
pub struct NewPassphraseArgs {
    /// Read the new passphrase from the first line of FILE (- for standard input)
    #[arg(long, value_name = "FILE", alias = "new-passphrase-file")]
    pub passphrase_file: Option<PathBuf>,

    /// Write the key without a passphrase
    #[arg(long)]
    pub no_passphrase: bool,

    /// The new passphrase itself, as with ssh-keygen (seen by ps until keywright hides it at start; prefer --passphrase-file); '' means none
    #[arg(short = 'N', value_name = "PASSPHRASE", value_parser = crate::secret::Given::parse, hide_default_value = true)]
    pub new_passphrase: Option<crate::secret::Given>,
}

/// `-t` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KeyTypeArg {
    /// Ed25519 (recommended)
    Ed25519,
    /// RSA
    Rsa,
    /// ECDSA on NIST P-256, P-384 or P-521
    Ecdsa,
}

impl From<KeyTypeArg> for KeyType {
    fn from(arg: KeyTypeArg) -> Self {
        match arg {
            KeyTypeArg::Ed25519 => KeyType::Ed25519,
            KeyTypeArg::Rsa => KeyType::Rsa,
            KeyTypeArg::Ecdsa => KeyType::Ecdsa,
        }
    }
}

/// `-m` values: the private key file formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KeyFormatArg {
    /// OpenSSH's own format (BEGIN OPENSSH PRIVATE KEY)
    Openssh,
    /// PEM: PKCS#1 for RSA, SEC1 for ECDSA, encrypted with AES-128-CBC
    Pem,
    /// PKCS#8, encrypted with PBES2 (PBKDF2-SHA256, AES-128-CBC)
    Pkcs8,
    /// PuTTY .ppk version 3, encrypted with Argon2id and AES-256-CBC
    Ppk,
}

impl From<KeyFormatArg> for crate::key::PrivateFormat {
    fn from(arg: KeyFormatArg) -> Self {
        use crate::key::PrivateFormat;
        match arg {
            KeyFormatArg::Openssh => PrivateFormat::OpenSsh,
            KeyFormatArg::Pem => PrivateFormat::Pem,
            KeyFormatArg::Pkcs8 => PrivateFormat::Pkcs8,
            KeyFormatArg::Ppk => PrivateFormat::Ppk,
        }
    }
}
