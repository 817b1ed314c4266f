use std::path::PathBuf;

use clap::Args;

use super::examples;

/// Print or install the man pages
#[derive(Debug, Args)]
#[command(
    long_about = "Print keywright's man pages, or install them where man finds them. `cargo install` \
                  installs only the binary, so `man keywright` finds nothing until the pages are \
                  installed: --install writes every page into DIR/man1 (default \
                  ~/.local/share/man, which man searches when ~/.local/bin is on PATH; elsewhere \
                  add DIR to MANPATH).",
    after_help = examples::render(examples::MAN)
)]
pub struct ManArgs {
    /// The page to print: a command such as `copy-id` or `known-hosts audit` [default: keywright]
    #[arg(value_name = "COMMAND", conflicts_with = "install")]
    pub command: Vec<String>,

    /// Install every page into DIR/man1 instead of printing one
    #[arg(long, value_name = "DIR", num_args = 0..=1)]
    pub install: Option<Option<PathBuf>>,
}
