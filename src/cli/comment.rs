use std::path::PathBuf;

use clap::Args;

use super::examples;
use super::public::OldPassphraseArgs;

/// Change the comment of a key and its .pub (ssh-keygen -c)
#[derive(Debug, Args)]
#[command(
    long_about = "Set a new comment in a private key and rewrite KEY.pub with it, as ssh-keygen -c \
                  does. An encrypted key needs its passphrase and keeps it, with its cipher and \
                  KDF rounds. Both files are replaced atomically.",
    after_help = examples::render(examples::COMMENT)
)]
pub struct CommentArgs {
    /// Private key file
    #[arg(short = 'f', long, value_name = "KEY")]
    pub file: PathBuf,

    /// The new comment ('' removes it)
    #[arg(short = 'C', long, value_name = "TEXT")]
    pub comment: String,

    #[command(flatten)]
    pub passphrase: OldPassphraseArgs,

    /// Print nothing but errors
    #[arg(short = 'q', long)]
    pub quiet: bool,
}
