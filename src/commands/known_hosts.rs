//! `keywright known-hosts …`: one module per subcommand.

use std::path::{Path, PathBuf};

use anyhow::Result;

use super::Status;
use crate::cli::known_hosts::{FileArg, HostArg, KnownHostsArgs, KnownHostsCommand};
use crate::context::Context;
use crate::error::Error;
use crate::known_hosts::HostQuery;

mod add;
mod audit;
mod find;
mod hash;
mod list;
mod remove;

pub fn run(ctx: &Context, args: KnownHostsArgs) -> Result<Status> {
    match args.command {
        KnownHostsCommand::Hash(args) => hash::run(ctx, args),
        KnownHostsCommand::Find(args) => find::run(ctx, args),
        KnownHostsCommand::Add(args) => add::run(ctx, args),
        KnownHostsCommand::Remove(args) => remove::run(ctx, args),
        KnownHostsCommand::List(args) => list::run(ctx, args),
        KnownHostsCommand::Audit(args) => audit::run(ctx, args),
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

/// A known_hosts file that must exist (find, remove, hash, list).
fn missing(path: &Path) -> Error {
    Error::io(path, std::io::Error::from(std::io::ErrorKind::NotFound))
}
