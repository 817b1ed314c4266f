use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::examples;
use super::public::OldPassphraseArgs;

/// Write a key in another format: RFC 4716, PKCS#8, PEM or PuTTY .ppk (ssh-keygen -e)
#[derive(Debug, Args)]
#[command(
    long_about = "Write a key in another program's format. The public formats (rfc4716, pkcs8, \
                  pem) print the public key of KEY (a .pub file, or a private key) on standard \
                  output, byte for byte as ssh-keygen -e -m FORMAT prints it. ppk writes the \
                  private key as a PuTTY version 3 .ppk file to -o (mode 0600), protected by the \
                  same passphrase as KEY (Argon2id and AES-256-CBC), or by none when KEY has \
                  none.",
    after_help = examples::render(examples::EXPORT)
)]
pub struct ExportArgs {
    /// The key to export: a public key file, or a private key
    #[arg(short = 'f', long, value_name = "KEY")]
    pub file: PathBuf,

    /// The format to write
    #[arg(short = 'm', long = "to", value_enum, default_value_t = ExportFormat::Rfc4716)]
    pub format: ExportFormat,

    /// Write to FILE instead of standard output (required for ppk, a private key)
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Replace the -o file if it exists
    #[arg(long)]
    pub force: bool,

    #[command(flatten)]
    pub passphrase: OldPassphraseArgs,
}

/// `export --to` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// RFC 4716 SSH2 public key (---- BEGIN SSH2 PUBLIC KEY ----)
    Rfc4716,
    /// PKCS#8 SubjectPublicKeyInfo (BEGIN PUBLIC KEY): RSA and ECDSA
    Pkcs8,
    /// PEM: PKCS#1 (BEGIN RSA PUBLIC KEY) for RSA, as pkcs8 for ECDSA
    Pem,
    /// PuTTY private key, version 3 (.ppk)
    Ppk,
}
