//! The keywright binary: parse arguments, run one command, map the outcome to an exit
//! code (0 success, 1 a clean negative answer, 2 an error or usage error).

#![forbid(unsafe_code)]
#![deny(clippy::unwrap_used, clippy::expect_used)]

use std::process::ExitCode;

use clap::{CommandFactory, Parser};
use keywright::cli::Cli;
use keywright::commands::{self, Status};
use keywright::context::Context;
use keywright::{error, secret};

fn main() -> ExitCode {
    let args: Vec<_> = std::env::args_os().collect();
    if let Some((front, args)) = keywright::front::invoked_as(&args) {
        return front.main(args);
    }
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(err) => {
            let _ = err.print();
            // clap's own codes: 0 for --help/--version, 2 for usage errors.
            return ExitCode::from(err.exit_code() as u8);
        }
    };
    secret::harden_process();
    secret::argv::hide_secret_arguments(Cli::command);
    let ctx = Context::from_env(cli.batch);
    match commands::run(&ctx, cli.command) {
        Ok(Status::Success) => ExitCode::SUCCESS,
        Ok(Status::Negative) => ExitCode::from(1),
        Ok(Status::Failed) => ExitCode::from(2),
        // A reader that went away (`| head`) is not an error (as in ripgrep).
        Err(err) if error::is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            keywright::print::report_error(&ctx, &err);
            ExitCode::from(2)
        }
    }
}
