use std::path::PathBuf;

use clap::Args;

use super::examples;
use super::fingerprint::OutputFormat;

/// Make a server's missing host keys (ssh-keygen -A), or check them as sshd loads them
#[derive(Debug, Args)]
#[command(
    long_about = "Make every missing host key (RSA 3072, ECDSA P-256, Ed25519) in \
                  PREFIX/etc/ssh, as ssh-keygen -A does: the same files, unencrypted, private \
                  keys 0600 and .pub files 0644, each written atomically. A key that exists \
                  and is not empty is never touched. With --check nothing is written: every \
                  host key is checked as sshd would load it (missing, unreadable, readable by \
                  others, weak, or with a .pub that does not match) and the findings are \
                  reported; the exit status is 1 when there are any.",
    after_help = examples::render(examples::HOST_KEYS)
)]
pub struct HostKeysArgs {
    /// Directory the keys' etc/ssh is under (ssh-keygen -A -f PREFIX); default: /
    #[arg(short = 'f', long, value_name = "PREFIX")]
    pub prefix: Option<PathBuf>,

    /// Check the host keys instead of making the missing ones
    #[arg(long)]
    pub check: bool,

    /// Output format
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,

    /// Print nothing but errors
    #[arg(short, long)]
    pub quiet: bool,
}
