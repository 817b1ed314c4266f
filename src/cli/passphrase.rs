use std::path::PathBuf;

use clap::Args;

use super::examples;

/// Add, change or remove a key's passphrase (ssh-keygen -p)
#[derive(Debug, Args)]
#[command(
    long_about = "Re-encrypt a private key in place with a new passphrase: add one to a key \
                  without, change it, or remove it with --no-passphrase. The key and its \
                  comment are unchanged; -a sets new KDF rounds (otherwise the key keeps its \
                  rounds). Legacy PEM keys are rewritten in OpenSSH's format, as ssh-keygen -p \
                  does, unless -m names another; a PuTTY .ppk key stays a .ppk. The file is replaced atomically and stays mode 0600.",
    after_help = examples::render(examples::PASSPHRASE)
)]
pub struct PassphraseArgs {
    /// Private key file
    #[arg(short = 'f', long, value_name = "KEY")]
    pub file: PathBuf,

    /// Read the current passphrase from the first line of FILE (- for standard input)
    #[arg(long, value_name = "FILE", conflicts_with = "old_passphrase")]
    pub old_passphrase_file: Option<PathBuf>,

    /// The current passphrase itself, as with ssh-keygen -P (seen by ps until keywright hides it at start; prefer a file)
    #[arg(short = 'P', value_name = "PASSPHRASE", value_parser = crate::secret::Given::parse)]
    pub old_passphrase: Option<crate::secret::Given>,

    /// Read the new passphrase from the first line of FILE (- for standard input)
    #[arg(long, value_name = "FILE", conflicts_with_all = ["new_passphrase", "no_passphrase"])]
    pub new_passphrase_file: Option<PathBuf>,

    /// The new passphrase itself, as with ssh-keygen -N (seen by ps until keywright hides it at start; prefer a file); '' removes it
    #[arg(short = 'N', value_name = "PASSPHRASE", value_parser = crate::secret::Given::parse, conflicts_with = "no_passphrase")]
    pub new_passphrase: Option<crate::secret::Given>,

    /// Remove the passphrase
    #[arg(long)]
    pub no_passphrase: bool,

    /// New KDF (bcrypt-pbkdf) rounds [default: keep the key's]
    #[arg(short = 'a', long, value_name = "ROUNDS", value_parser = clap::value_parser!(u32).range(1..=i32::MAX as i64))]
    pub rounds: Option<u32>,

    /// Rewrite the key in this format (ssh-keygen -m) [default: OpenSSH's, or PuTTY's for a .ppk]
    #[arg(short = 'm', long = "key-format", value_enum)]
    pub key_format: Option<super::generate::KeyFormatArg>,

    /// Print nothing but errors
    #[arg(short = 'q', long)]
    pub quiet: bool,
}
