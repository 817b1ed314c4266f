//! `keywright completions SHELL`.

use clap::CommandFactory;

use crate::cli::Cli;
use crate::cli::completions::CompletionsArgs;
use crate::report::completions::Completions;

pub fn run(args: CompletionsArgs) -> Completions {
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "keywright", &mut script);
    Completions { script }
}
