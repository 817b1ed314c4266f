use clap::Args;
use clap_complete::Shell;

use super::examples;

/// Print a shell completion script
#[derive(Debug, Args)]
#[command(after_help = examples::render(examples::COMPLETIONS))]
pub struct CompletionsArgs {
    /// The shell to complete for
    #[arg(value_enum)]
    pub shell: Shell,
}
