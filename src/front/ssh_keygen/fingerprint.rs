//! `ssh-keygen -l|-B [-v] [-E hash] [-f file]` through the native fingerprint command: one
//! file (or `-`, standard input), its lines as the native command prints them (they are
//! ssh-keygen's), its failures in ssh-keygen's words.

use std::process::ExitCode;

use super::errors::{self, reason};
use super::flags::Flags;
use super::log;
use crate::commands::fingerprint::{self, Detail};
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
    let name = match crate::key::source::is_stdin(&path) {
        true => crate::key::source::STDIN_NAME.to_string(),
        false => path.display().to_string(),
    };
    // ssh-keygen's debug lines, at the level -v sets.
    let mut debug = |detail| {
        if flags.verbose.0 > 0 {
            log::line(&match detail {
                Detail::NotAKey { line } => format!("debug1: {name}:{line}: not a public key"),
                Detail::NoPublicFile => format!("debug1: load public \"{name}\": No such file or directory"),
                Detail::Encrypted => format!(
                    "debug1: load private \"{name}\": incorrect passphrase supplied to decrypt private key"
                ),
            });
        }
    };
    let result =
        fingerprint::one_file(&printer, &path, flags.hash, randomart, flags.bubblebabble, &mut debug);
    let _ = printer.finish();
    let Err(error) = result else { return ExitCode::SUCCESS };
    if crate::error::is_broken_pipe(&error) {
        return ExitCode::SUCCESS;
    }
    match error.chain().find_map(|cause| cause.downcast_ref::<Error>()) {
        Some(Error::Io { .. } | Error::NotRegularFile { .. }) => {
            log::fatal(&format!("ssh-keygen: {name}: {}", reason(&error)))
        }
        // A directory opens, and reads as no lines at all.
        Some(Error::NoPublicKey { .. } | Error::IsDirectory { .. }) => {
            log::fatal(&format!("{name} is not a public key file."))
        }
        _ => {
            errors::warn_if_unprotected(&error);
            log::fatal(&format!("{name} is not a key file."))
        }
    }
}
