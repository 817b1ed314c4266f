//! `ssh-keygen -l [-v] [-E hash] [-f file]` through the native fingerprint command: one
//! file (or `-`, standard input), its lines as the native command prints them (they are
//! ssh-keygen's), its failures in ssh-keygen's words.

use std::process::ExitCode;

use super::errors::{self, reason};
use super::flags::Flags;
use super::log;
use crate::commands::fingerprint;
use crate::context::Context;
use crate::error::Error;
use crate::print::Printer;

pub fn run(ctx: &Context, flags: &Flags) -> ExitCode {
    let path = match super::keys::file_or_ask(ctx, flags, "Enter file in which the key is") {
        Ok(path) => path,
        Err(exit) => return exit,
    };
    let printer = Printer::openssh(ctx, false);
    // -v raises ssh-keygen's log level past VERBOSE: the randomart is drawn.
    let randomart = flags.verbose.0 > 0;
    let result = fingerprint::one_file(&printer, &path, flags.hash, randomart);
    let _ = printer.finish();
    let Err(error) = result else { return ExitCode::SUCCESS };
    if crate::error::is_broken_pipe(&error) {
        return ExitCode::SUCCESS;
    }
    let name = match crate::key::source::is_stdin(&path) {
        true => crate::key::source::STDIN_NAME.to_string(),
        false => path.display().to_string(),
    };
    match error.chain().find_map(|cause| cause.downcast_ref::<Error>()) {
        Some(Error::Io { .. } | Error::IsDirectory { .. } | Error::NotRegularFile { .. }) => {
            log::fatal(&format!("ssh-keygen: {name}: {}", reason(&error)))
        }
        Some(Error::NoPublicKey { .. }) => log::fatal(&format!("{name} is not a public key file.")),
        _ => {
            errors::warn_if_unprotected(&error);
            log::fatal(&format!("{name} is not a key file."))
        }
    }
}
