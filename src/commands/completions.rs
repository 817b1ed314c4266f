//! `keywright completions SHELL`.

use anyhow::Result;
use clap::CommandFactory;

use super::Status;
use crate::cli::Cli;
use crate::cli::completions::CompletionsArgs;

pub fn run(args: CompletionsArgs) -> Result<Status> {
    clap_complete::generate(args.shell, &mut Cli::command(), "keywright", &mut std::io::stdout().lock());
    Ok(Status::Success)
}
