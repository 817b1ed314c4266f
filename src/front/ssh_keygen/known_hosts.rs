//! `ssh-keygen -F host`, `-R host` and `-H` (with `-f`, `-l`, `-v`, `-E`, `-q`) through
//! the known_hosts command that runs ssh-keygen 9.2's own pass, rendered in its lines:
//! `# Host H found: line N [CA|REVOKED]` headers, the lines or their fingerprints on
//! stdout, `FILE:N: invalid line` and the wildcard notes on stderr, then `FILE updated.`
//! and `Original contents retained as FILE.old` for a rewrite.

use std::io::Write;
use std::process::ExitCode;

use super::errors::{reason, strerror};
use super::flags::Flags;
use super::log;
use crate::commands::known_hosts::openssh::{KeygenRequest, execute};
use crate::context::Context;
use crate::error::Error;
use crate::report::known_hosts::{KeygenPass, KeygenStep};
use crate::sanitize::escape;

/// How many bytes of a host field the wildcard note shows (`%.64s`).
const WILDCARD_SHOWN: usize = 64;

pub fn run(ctx: &Context, flags: &Flags) -> ExitCode {
    let file = flags.file.clone().unwrap_or_else(|| ctx.ssh_dir().join("known_hosts"));
    if let Err(e) = std::fs::metadata(&file) {
        return log::fatal(&format!("Cannot stat {}: {}", file.display(), strerror(&e)));
    }
    let request = KeygenRequest {
        file,
        host: flags.host.as_ref().map(|h| std::os::unix::ffi::OsStrExt::as_bytes(h.as_os_str()).to_vec()),
        find: flags.find_host,
        delete: flags.delete_host,
        hash: flags.hash_hosts,
        fingerprints: flags.fingerprint,
        fingerprint: flags.hash,
        randomart: flags.verbose.0 > 0,
    };
    match execute(&request) {
        Ok(pass) => render(ctx, flags, &request, &pass),
        Err(error) => failed(&error),
    }
}

/// ssh-keygen's words when the file cannot be read or rewritten.
fn failed(error: &anyhow::Error) -> ExitCode {
    match error.chain().find_map(|cause| cause.downcast_ref::<Error>()) {
        Some(Error::CannotCreateTemp { source, .. }) => log::fatal(&format!("mkstemp: {}", strerror(source))),
        _ => log::fatal(&format!("do_known_hosts: hostkeys_foreach: {}", reason(error))),
    }
}

fn render(ctx: &Context, flags: &Flags, request: &KeygenRequest, pass: &KeygenPass) -> ExitCode {
    let mut stdout = std::io::stdout().lock();
    let shown = show_steps(ctx, flags, pass, &mut stdout);
    let file = pass.file.display();
    if shown.is_err() {
        return ExitCode::SUCCESS;
    }
    if pass.invalid {
        drop(stdout);
        log::line(&format!("{file} is not a valid known_hosts file."));
        if request.rewrites() {
            log::line("Not replacing existing known_hosts file because of errors");
        }
        return ExitCode::from(1);
    }
    if request.delete && !pass.found {
        drop(stdout);
        let host = flags.host.as_deref().map(|h| h.to_string_lossy()).unwrap_or_default();
        log::line(&format!("Host {host} not found in {file}"));
    } else if let Some(backup) = &pass.backup {
        // Printed even under -q, as ssh-keygen prints them.
        let _ = write!(stdout, "{file} updated.\nOriginal contents retained as {}\n", backup.display());
        let _ = stdout.flush();
        drop(stdout);
        if pass.hashed {
            log::line(&format!("WARNING: {} contains unhashed entries", backup.display()));
            log::line("Delete this file to ensure privacy of hostnames");
        }
    }
    match request.find && !pass.found {
        true => ExitCode::from(1),
        false => ExitCode::SUCCESS,
    }
}

/// The steps in order: headers and lines on stdout, notes on stderr.
fn show_steps(ctx: &Context, flags: &Flags, pass: &KeygenPass, out: &mut dyn Write) -> std::io::Result<()> {
    let host = flags.host.as_deref().map(std::os::unix::ffi::OsStrExt::as_bytes).unwrap_or_default();
    let file = pass.file.display();
    for step in &pass.steps {
        match step {
            KeygenStep::Found { .. } if flags.quiet => {}
            // -R's header has no marker field (and so no trailing space).
            KeygenStep::Found { line, .. } if flags.delete_host => {
                out.write_all(b"# Host ")?;
                out.write_all(host)?;
                writeln!(out, " found: line {line}")?;
            }
            KeygenStep::Found { line, marker } => {
                out.write_all(b"# Host ")?;
                out.write_all(host)?;
                writeln!(out, " found: line {line} {}", marker.map_or("", |m| m.tag()))?;
            }
            KeygenStep::Line { text } => {
                out.write_all(text)?;
                out.write_all(b"\n")?;
            }
            KeygenStep::Key { key, comment, randomart } => {
                // As ssh-keygen's mprintf prints it: what came from outside is escaped.
                out.write_all(&escape(host, ctx.charset()))?;
                write!(out, " {} {}", key.key_type, key.fingerprint)?;
                if !comment.is_empty() {
                    out.write_all(b" ")?;
                    out.write_all(&escape(comment, ctx.charset()))?;
                }
                out.write_all(b"\n")?;
                if let Some(art) = randomart {
                    writeln!(out, "{art}")?;
                }
            }
            KeygenStep::Invalid { line } => {
                out.flush()?;
                log::line(&format!("{file}:{line}: invalid line"));
            }
            // hostkeys_foreach says so at the verbose level -v reaches.
            KeygenStep::BadMarker { line } if flags.verbose.0 > 0 => {
                out.flush()?;
                log::line(&format!("hostkeys_foreach_file: invalid marker at {file}:{line}"));
            }
            KeygenStep::BadMarker { .. } => {}
            KeygenStep::Wildcard { line, hosts } => {
                out.flush()?;
                let shown = &hosts[..hosts.len().min(WILDCARD_SHOWN)];
                let mut message = format!("{file}:{line}: ignoring host name with wildcard: ").into_bytes();
                message.extend_from_slice(shown);
                log::line_bytes(&message);
            }
        }
    }
    out.flush()
}
