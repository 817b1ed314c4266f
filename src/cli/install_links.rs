use std::path::PathBuf;

use clap::Args;

use super::examples;
use super::fingerprint::OutputFormat;

/// Link ssh-keygen and ssh-copy-id to keywright in DIR, to put keywright first on PATH
#[derive(Debug, Args)]
#[command(
    long_about = "Create DIR/ssh-keygen and DIR/ssh-copy-id as symbolic links to this keywright \
                  executable. Invoked under those names, keywright reads ssh-keygen's and \
                  ssh-copy-id's command lines and prints their output, so scripts, git and Ansible \
                  use it unchanged once DIR comes before /usr/bin on PATH. DIR is created if \
                  missing. A link that is already there is left as it is; a file of either name \
                  that is anything else (another program, a link elsewhere) is only replaced with \
                  --force, and then nothing is written unless both can be.",
    after_help = examples::render(examples::INSTALL_LINKS)
)]
pub struct InstallLinksArgs {
    /// Directory for the links, such as ~/.local/bin
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,

    /// Replace files of those names that are not already links to this keywright
    #[arg(long)]
    pub force: bool,

    /// Output format
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,
}
