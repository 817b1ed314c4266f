//! `keywright known-hosts …`: one module per subcommand.

use std::path::PathBuf;

use anyhow::Result;

use super::{Status, show};
use crate::cli::known_hosts::{FileArg, HostArg, KnownHostsArgs, KnownHostsCommand};
use crate::context::Context;
use crate::key::HashKind;
use crate::known_hosts::{HostLine, HostQuery};
use crate::print::Printer;
use crate::report::KeyInfo;
use crate::report::Report;
use crate::report::known_hosts::Entry;
use ssh_key::public::KeyData;

mod add;
mod audit;
mod find;
mod hash;
mod list;
pub mod openssh;
mod remove;
mod scan;
mod verify;

pub fn run(ctx: &Context, printer: &Printer, args: KnownHostsArgs) -> Result<Status> {
    match args.command {
        KnownHostsCommand::Hash(args) => {
            let report = hash::run(ctx, printer, args)?;
            printer.report(&report)?;
            // After the "updated" lines, as ssh-keygen -H warns.
            hash::warn_backup(printer, &report);
            Ok(report.status())
        }
        KnownHostsCommand::Find(args) => show(printer, find::run(ctx, args)),
        KnownHostsCommand::Add(args) => show(printer, add::run(ctx, printer, args)),
        KnownHostsCommand::Remove(args) => show(printer, remove::run(ctx, printer, args)),
        // A list can be as long as the file: printed entry by entry, not held.
        KnownHostsCommand::List(args) => list::run(ctx, printer, args),
        KnownHostsCommand::Audit(args) => match audit::run(ctx, printer, args)? {
            Some(report) => show(printer, Ok(report)),
            // Nothing read, nothing to report: a "0 errors" summary beside the error
            // would read as a clean audit.
            None => Ok(Status::Failed),
        },
        KnownHostsCommand::Scan(args) => show(printer, scan::run(ctx, printer, args)),
        KnownHostsCommand::Verify(args) => match verify::run(ctx, printer, args)? {
            Some(report) => show(printer, Ok(report)),
            None => Ok(Status::Failed),
        },
    }
}

/// The file to work on: `-f`, or `~/.ssh/known_hosts`.
fn path(ctx: &Context, file: &FileArg) -> PathBuf {
    file.file.clone().unwrap_or_else(|| default_path(ctx))
}

fn default_path(ctx: &Context) -> PathBuf {
    ctx.ssh_dir().join("known_hosts")
}

fn query(host: &HostArg) -> crate::Result<HostQuery> {
    HostQuery::parse(&host.host, host.port)
}

/// Bytes from the file (a host field) for a message on stderr, escaped as OpenSSH's
/// tools escape what a terminal would interpret.
fn untrusted(printer: &Printer, bytes: &[u8]) -> String {
    String::from_utf8_lossy(&crate::sanitize::escape(bytes, printer.charset())).into_owned()
}

/// An entry as `find` and `list` describe it, with its key when it decodes.
fn entry(number: usize, line: &HostLine<'_>, key: Option<(KeyData, &[u8])>) -> Entry {
    let hashed = line.is_hashed();
    Entry {
        line: number,
        marker: line.marker,
        hosts: (!hashed).then(|| line.hosts.to_vec()),
        hashed,
        key: key.and_then(|(key, comment)| KeyInfo::of(&key, HashKind::Sha256, comment_of(comment))),
    }
}

/// The comment after a key, without the `\r` of a CRLF line; `None` when there is none.
fn comment_of(rest: &[u8]) -> Option<&[u8]> {
    let comment = rest.strip_suffix(b"\r").unwrap_or(rest);
    (!comment.is_empty()).then_some(comment)
}
