use std::path::PathBuf;

use clap::Args;

use super::examples;

/// Print the public key of a private key (ssh-keygen -y)
#[derive(Debug, Args)]
#[command(
    long_about = "Print the public key line (type, base64, comment) of a private key, as \
                  ssh-keygen -y does. An encrypted key needs its passphrase, because OpenSSH \
                  keeps the comment inside the encryption.",
    after_help = examples::render(examples::PUBLIC)
)]
pub struct PublicArgs {
    /// Private key file
    #[arg(short = 'f', long, value_name = "KEY")]
    pub file: PathBuf,

    #[command(flatten)]
    pub passphrase: OldPassphraseArgs,
}

/// Where the passphrase of an existing key comes from.
#[derive(Debug, Args)]
#[group(multiple = false)]
pub struct OldPassphraseArgs {
    /// Read the key's passphrase from the first line of FILE (- for standard input)
    #[arg(long, value_name = "FILE", alias = "old-passphrase-file")]
    pub passphrase_file: Option<PathBuf>,

    /// The key's passphrase itself, as with ssh-keygen -P (seen by ps until keywright hides it at start; prefer a file)
    #[arg(short = 'P', value_name = "PASSPHRASE", value_parser = crate::secret::Given::parse)]
    pub old_passphrase: Option<crate::secret::Given>,
}
