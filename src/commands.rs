//! The commands: each reads its options, calls the model and returns a report (see
//! `report/`), which [`run`] prints. One module each.

use anyhow::Result;
use ssh_key::PrivateKey;

use crate::cli::Command;
use crate::context::Context;
use crate::key::PrivateKeyFile;
use crate::print::{Printer, Report};
use crate::secret;

pub mod comment;
pub mod completions;
pub mod copy_id;
pub mod fingerprint;
pub mod generate;
pub mod known_hosts;
pub mod man;
pub mod passphrase;
pub mod public;

/// How a command that did not fail ended; `main` maps it to the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Exit 0.
    Success,
    /// Exit 1: a clean negative answer (declined, not found, findings).
    Negative,
    /// Exit 2: errors happened and were reported as they happened.
    Failed,
}

/// Runs one command: builds its printer from its options, runs it, prints its report.
///
/// # Errors
/// Whatever the command failed with; `main` prints it and exits 2.
pub fn run(ctx: &Context, command: Command) -> Result<Status> {
    let (format, quiet) = command.output();
    let printer = Printer::new(ctx, format, quiet);
    match command {
        Command::Generate(args) => show(&printer, generate::run(ctx, &printer, args)),
        Command::Fingerprint(args) => fingerprint::run(ctx, &printer, args),
        Command::Public(args) => show(&printer, public::run(ctx, &printer, args)),
        Command::Passphrase(args) => show(&printer, passphrase::run(ctx, &printer, args)),
        Command::Comment(args) => show(&printer, comment::run(ctx, &printer, args)),
        Command::KnownHosts(args) => known_hosts::run(ctx, &printer, args),
        Command::CopyId(args) => show(&printer, copy_id::run(ctx, &printer, args)),
        Command::Completions(args) => show(&printer, Ok(completions::run(args))),
        Command::Man(args) => show(&printer, man::run(ctx, &printer, args)),
    }
}

/// Prints a command's report; its status becomes the exit status.
fn show<R: Report>(printer: &Printer, report: Result<R>) -> Result<Status> {
    let report = report?;
    printer.report(&report)?;
    Ok(report.status())
}

/// Warns about a private key others may access, once it has been read and decrypted
/// (a file that is no key gets its own error, not this): ssh and ssh-keygen refuse such
/// a key (the ssh-keygen front calls `require_protected` instead). A command that
/// `rewrites` the key repairs the mode and says so with [`note_repair`].
fn warn_unprotected(printer: &Printer, file: &PrivateKeyFile, rewrites: bool) {
    let Err(unprotected) = file.require_protected() else { return };
    match unprotected.hint().filter(|_| !rewrites) {
        Some(fix) => printer.warn(format!("{unprotected}; `{fix}` fixes it")),
        None => printer.warn(unprotected),
    }
}

/// Says that a rewrite changed a private key's mode: a mode never changes silently.
fn note_repair(printer: &Printer, repair: Option<crate::fsutil::ModeRepair>) {
    if let Some(repair) = repair {
        printer.note(format!(
            "{}: mode changed from {:04o} to {:04o}, so that only you can read this private key",
            repair.path.display(),
            repair.from,
            repair.to
        ));
    }
}

/// Decrypts a private key, asking for the passphrase only if it has one. The passphrase
/// is returned too, for commands that save the key with it again.
fn unlock(
    ctx: &Context,
    file: &PrivateKeyFile,
    source: &secret::Source,
    prompt: &str,
) -> crate::Result<(PrivateKey, Option<secret::Secret>)> {
    if !file.is_encrypted() {
        return Ok((file.decrypt(None)?, None));
    }
    let subject = file.path().display().to_string();
    let passphrase = secret::existing(ctx, source, prompt, &subject)?;
    Ok((file.decrypt(Some(&passphrase))?, Some(passphrase)))
}
