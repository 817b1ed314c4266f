//! `known-hosts find`: ssh-keygen -F's output, or JSON.

use anyhow::Result;

use super::{entry, path, query};
use crate::cli::known_hosts::FindArgs;
use crate::context::Context;
use crate::known_hosts::KnownHosts;
use crate::report::known_hosts::{Found, FoundLine};

pub fn run(ctx: &Context, args: FindArgs) -> Result<Found> {
    let query = query(&args.host)?;
    let file = KnownHosts::read(&path(ctx, &args.file))?;
    let lines = file
        .find(&query.lookup)
        .iter()
        .map(|found| FoundLine {
            entry: entry(found.number, &found.entry, found.entry.key().ok()),
            text: found.text.to_vec(),
        })
        .collect();
    Ok(Found { host: query.display, lines })
}
