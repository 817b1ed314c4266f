//! `keywright signers …`: one module per subcommand.

use anyhow::Result;

use super::{Status, show};
use crate::cli::known_hosts::FailOn;
use crate::cli::signers::{SignersArgs, SignersCommand};
use crate::print::Printer;
use crate::sig::audit::Severity;

pub mod add;
pub mod audit;
pub mod find;
pub mod list;
pub mod matching;

pub fn run(printer: &Printer, args: SignersArgs) -> Result<Status> {
    match args.command {
        SignersCommand::Add(args) => show(printer, add::run(args)),
        SignersCommand::List(args) => show(printer, list::run(args)),
        SignersCommand::Find(args) => {
            let found = find::run(args)?;
            super::verify::warn_notes(printer, Some(&found.signers_file), &found.notes);
            show(printer, Ok(found))
        }
        SignersCommand::Match(args) => show(printer, matching::run(args)),
        SignersCommand::Audit(args) => show(printer, audit::run(args)),
    }
}

/// The severity `--fail-on` names.
fn severity(fail_on: FailOn) -> Severity {
    match fail_on {
        FailOn::Error => Severity::Error,
        FailOn::Warning => Severity::Warning,
        FailOn::Info => Severity::Info,
    }
}
