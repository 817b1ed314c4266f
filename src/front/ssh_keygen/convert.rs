//! ssh-keygen's `-e` and `-i` (`-X`) with `-m`: through `keywright export` and
//! `import`, failing in ssh-keygen 9.2's words (its function names included, as its
//! `fatal_f` prints them) and exits (255).

use std::process::ExitCode;

use super::errors::{self, reason};
use super::flags::Flags;
use super::keys::{file_or_ask, given};
use super::log;
use crate::commands::export::{self, Conversion, ExportRequest, ExportTarget};
use crate::commands::import::{self, ImportRequest, ImportSource};
use crate::context::Context;
use crate::error::Error;
use crate::key::convert::PublicFormat;
use crate::print::Printer;
use crate::secret::Source;

/// `-e`.
pub fn export(ctx: &Context, flags: &Flags) -> ExitCode {
    let Some(path) = ask_and_stat(ctx, flags) else { return ExitCode::from(255) };
    let format = flags.convert_format.unwrap_or(PublicFormat::Rfc4716);
    let request = ExportRequest {
        io: Conversion::printed(
            path.clone(),
            flags.passphrase.as_ref().map_or(Source::Prompt, given),
            "Enter passphrase: ",
        ),
        target: ExportTarget::Public(format),
        strict: true,
    };
    let printer = Printer::openssh(ctx, false);
    match export::execute(ctx, &printer, request) {
        Ok(converted) => {
            let _ = printer.report(&converted);
            ExitCode::SUCCESS
        }
        Err(error) => match known(&error) {
            Some(Error::Convert { reason, .. }) => {
                let function = match format {
                    PublicFormat::Pem => "do_convert_to_pem",
                    _ => "do_convert_to_pkcs8",
                };
                // ssh-keygen names the type as sshkey_type() does (ED25519).
                let key_type = reason.rsplit_once(" for ").map_or("", |(_, t)| t);
                let key_type =
                    key_type.trim_end_matches(" keys").trim_start_matches("ssh-").to_ascii_uppercase();
                log::fatal(&format!("{function}: unsupported key type {key_type}"))
            }
            _ => {
                errors::warn_if_unprotected(&error);
                log::fatal(&format!("Load key \"{}\": {}", path.display(), reason(&error)))
            }
        },
    }
}

/// `-i`.
pub fn import(ctx: &Context, flags: &Flags) -> ExitCode {
    let Some(path) = ask_and_stat(ctx, flags) else { return ExitCode::from(255) };
    let format = flags.convert_format.unwrap_or(PublicFormat::Rfc4716);
    let request = ImportRequest {
        io: Conversion::printed(path.clone(), Source::Prompt, ""),
        source: ImportSource::Public(format),
        spki_as_pem: false,
    };
    let printer = Printer::openssh(ctx, false);
    match import::execute(ctx, &printer, request) {
        Ok(converted) => {
            let _ = printer.report(&converted);
            ExitCode::SUCCESS
        }
        Err(error) => {
            let message = match (known(&error), format) {
                (Some(Error::Convert { reason, .. }), PublicFormat::Rfc4716) => {
                    // What ssh-keygen's loop would have stumbled on: text that is no
                    // base64 (a bad header is such text to it), or a blob that is no key.
                    let stage = match ["base64", "header", "armour"].iter().any(|w| reason.contains(w)) {
                        true => "base64 decode",
                        false => "parse key",
                    };
                    format!("do_convert_from_ssh2: {stage}: invalid format")
                }
                (Some(Error::Convert { .. }), PublicFormat::Pkcs8) => {
                    format!("do_convert_from_pkcs8: {} is not a recognised public key format", path.display())
                }
                (Some(Error::Convert { .. }), PublicFormat::Pem) => {
                    "do_convert_from_pem: unrecognised raw private key format".to_string()
                }
                _ => format!("ssh-keygen: {}: {}", path.display(), reason(&error)),
            };
            log::fatal(&message)
        }
    }
}

fn known(error: &anyhow::Error) -> Option<&Error> {
    error.chain().find_map(|cause| cause.downcast_ref::<Error>())
}

/// The key file (-f or asked), which must exist: ssh-keygen's conversions say
/// `ssh-keygen: PATH: REASON` (its program name first) and exit 255 otherwise.
fn ask_and_stat(ctx: &Context, flags: &Flags) -> Option<std::path::PathBuf> {
    let path = file_or_ask(ctx, flags, "Enter file in which the key is").ok()?;
    match std::fs::metadata(&path) {
        Ok(_) => Some(path),
        Err(e) => {
            log::line(&format!("ssh-keygen: {}: {}", path.display(), errors::strerror(&e)));
            None
        }
    }
}
