use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::examples;
use crate::key::HashKind;

/// Show key fingerprints, as ssh-keygen -l [-E] [-v] prints them
#[derive(Debug, Args)]
#[command(
    long_about = "Print one line per key: size, fingerprint, comment and type, byte for byte as \
                  ssh-keygen -l prints it. Reads public key files, private keys (an encrypted key \
                  needs no passphrase), authorized_keys files (options are skipped) and \
                  known_hosts files (plain or hashed; @cert-authority and @revoked lines are \
                  skipped as ssh-keygen skips them). Without FILE, fingerprints every \
                  ~/.ssh/id_*.pub.",
    after_help = examples::render(examples::FINGERPRINT)
)]
pub struct FingerprintArgs {
    /// Key files to read; - reads standard input
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// Key file to read, as with ssh-keygen -f (may be repeated)
    #[arg(short = 'f', long = "file", value_name = "FILE")]
    pub file_options: Vec<PathBuf>,

    /// Fingerprint hash
    #[arg(short = 'E', long = "hash", value_enum, default_value_t = HashArg::Sha256)]
    pub hash: HashArg,

    /// Show the SHA-1 digest in Bubble Babble words, as ssh-keygen -B does (-v's
    /// randomart still uses -E's hash)
    #[arg(short = 'B', long = "bubblebabble")]
    pub bubblebabble: bool,

    /// Also draw each key's randomart, as ssh-keygen -lv does
    #[arg(short = 'v', long = "randomart")]
    pub randomart: bool,

    /// Output format
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,
}

/// `-E` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum HashArg {
    Md5,
    Sha256,
    Sha512,
}

impl From<HashArg> for HashKind {
    fn from(arg: HashArg) -> Self {
        match arg {
            HashArg::Md5 => HashKind::Md5,
            HashArg::Sha256 => HashKind::Sha256,
            HashArg::Sha512 => HashKind::Sha512,
        }
    }
}

/// `--format` values for commands whose output is data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Lines as the OpenSSH tools print them
    Text,
    /// JSON, for programs
    Json,
}
