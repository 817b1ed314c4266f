//! `known-hosts find`: ssh-keygen -F's output, or JSON.

use anyhow::Result;

use super::{entry, path, query};
use crate::cli::known_hosts::FindArgs;
use crate::context::Context;
use crate::known_hosts::file::find_in_file;
use crate::report::known_hosts::{Found, FoundLine};

pub fn run(ctx: &Context, args: FindArgs) -> Result<Found> {
    let query = query(&args.host)?;
    // The file is searched as it is read, never held whole: a large one is mostly lines
    // that do not match.
    let found = find_in_file(&path(ctx, &args.file), &query.lookup)?;
    let lines = found
        .iter()
        .filter_map(|found| {
            let line = found.entry()?;
            Some(FoundLine { entry: entry(found.number, &line, line.key().ok()), text: found.text.clone() })
        })
        .collect();
    Ok(Found { host: query.display, lines })
}
