use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::examples;
use super::public::OldPassphraseArgs;

/// Read a key written by another program: RFC 4716, PKCS#8, PEM or PuTTY .ppk (ssh-keygen -i)
#[derive(Debug, Args)]
#[command(
    long_about = "Read a key in another program's format and write it in OpenSSH's. A public key \
                  (RFC 4716, PKCS#8 BEGIN PUBLIC KEY, PKCS#1 BEGIN RSA PUBLIC KEY) is printed as \
                  one OpenSSH public key line, as ssh-keygen -i prints it. A PuTTY .ppk private key \
                  (version 2 or 3, plain or encrypted) is written in OpenSSH's format to -o (mode \
                  0600, with the same passphrase) and its public key to the -o file with .pub \
                  appended. The format is recognised from the file unless -m names it.",
    after_help = examples::render(examples::IMPORT)
)]
pub struct ImportArgs {
    /// The key file to read
    #[arg(short = 'f', long, value_name = "FILE")]
    pub file: PathBuf,

    /// The format of FILE [default: recognised from its contents]
    #[arg(short = 'm', long = "from", value_enum)]
    pub format: Option<ImportFormat>,

    /// Write to FILE instead of standard output (required for a .ppk private key)
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Replace the -o file (and its .pub) if they exist
    #[arg(long)]
    pub force: bool,

    #[command(flatten)]
    pub passphrase: OldPassphraseArgs,
}

/// `import --from` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ImportFormat {
    /// RFC 4716 SSH2 public key (---- BEGIN SSH2 PUBLIC KEY ----)
    Rfc4716,
    /// PKCS#8 SubjectPublicKeyInfo (BEGIN PUBLIC KEY)
    Pkcs8,
    /// PKCS#1 RSA public key (BEGIN RSA PUBLIC KEY)
    Pem,
    /// PuTTY private key, version 2 or 3 (.ppk)
    Ppk,
}
