use std::path::PathBuf;

use clap::Args;

use super::examples;
use super::fingerprint::OutputFormat;

/// Print SSHFP DNS records for host keys (ssh-keygen -r)
#[derive(Debug, Args)]
#[command(
    long_about = "Print the SSHFP resource records (SHA-1 and SHA-256) of host keys for a zone \
                  file, byte for byte as ssh-keygen -r prints them. Without -f, reads the host \
                  keys in PREFIX/etc/ssh (default /etc/ssh) as ssh-keygen does: each key's \
                  .pub, or the public half of its private key. Certificates and FIDO keys \
                  have no SSHFP type and are reported.",
    after_help = examples::render(examples::SSHFP)
)]
pub struct SshfpArgs {
    /// The owner name of the records
    #[arg(value_name = "HOST")]
    pub host: String,

    /// Key file to read (may be repeated); default: every host key in etc/ssh
    #[arg(short = 'f', long = "file", value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// Read the host keys of PREFIX/etc/ssh instead of /etc/ssh
    #[arg(long, value_name = "PREFIX", conflicts_with = "files")]
    pub prefix: Option<PathBuf>,

    /// RFC 3597's generic notation (TYPE44), for DNS servers without SSHFP, as ssh-keygen -g
    #[arg(short = 'g', long)]
    pub generic: bool,

    /// Output format
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,
}
