//! `known-hosts remove`: ssh-keygen -R, taking out only the host.

use std::io::Write;

use anyhow::Result;

use super::{missing, path, query};
use crate::cli::known_hosts::RemoveArgs;
use crate::commands::Status;
use crate::context::Context;
use crate::fsutil::{FileMode, Update, with_suffix};
use crate::known_hosts::KnownHosts;
use crate::known_hosts::edit::{self, KeptReason, KeyTypeFilter, RemoveOptions};
use crate::known_hosts::file::MAX_FILE;

pub fn run(ctx: &Context, args: RemoveArgs) -> Result<Status> {
    let query = query(&args.host)?;
    let key_type = args.key_type.as_deref().map(KeyTypeFilter::parse).transpose()?;
    let options = RemoveOptions { markers: args.markers, key_type };
    let path = path(ctx, &args.file);
    let update = Update::begin(&path)?;
    let data = update.read(MAX_FILE, "a known_hosts file")?.ok_or_else(|| missing(&path))?;
    let file = KnownHosts::from_bytes(&path, data);
    let result = edit::remove(&file, &query.lookup, &options);
    for kept in &result.kept {
        let why = match &kept.reason {
            KeptReason::Pattern(hosts) => {
                format!("it names {} through the pattern {hosts}, which other hosts share", query.display)
            }
            KeptReason::Marker(marker) => {
                format!("a {} line (--markers removes the host from it)", marker.keyword())
            }
            KeptReason::Invalid(_) => continue,
        };
        ctx.note(format!("{}:{}: kept: {why}", path.display(), kept.number));
    }
    if result.touched.is_empty() {
        ctx.note(format!("Host {} not found in {}", query.display, path.display()));
        return Ok(Status::Negative);
    }
    // The backup is made beside the file the link points to, and named as it is.
    let old = with_suffix(update.path(), ".old");
    update.commit_parts(&result.content.parts(), FileMode::KeepOr(0o600), true)?;
    let mut out = std::io::stdout().lock();
    if !args.quiet {
        for number in &result.touched {
            writeln!(out, "# Host {} found: line {number}", query.display)?;
        }
    }
    writeln!(out, "{} updated.", path.display())?;
    writeln!(out, "Original contents retained as {}", old.display())?;
    Ok(Status::Success)
}
