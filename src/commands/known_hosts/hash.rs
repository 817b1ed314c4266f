//! `known-hosts hash`: ssh-keygen -H.

use std::io::Write;

use anyhow::Result;

use super::{missing, path};
use crate::cli::known_hosts::HashArgs;
use crate::commands::Status;
use crate::context::Context;
use crate::fsutil::{FileMode, Update, with_suffix};
use crate::known_hosts::KnownHosts;
use crate::known_hosts::edit::{self, KeptReason};
use crate::known_hosts::file::MAX_FILE;

pub fn run(ctx: &Context, args: HashArgs) -> Result<Status> {
    let path = path(ctx, &args.file);
    let update = Update::begin(&path)?;
    let data = update.read(MAX_FILE, "a known_hosts file")?.ok_or_else(|| missing(&path))?;
    let file = KnownHosts::from_bytes(&path, data);
    let result = edit::hash(&file)?;
    for kept in &result.kept {
        match &kept.reason {
            KeptReason::Pattern(hosts) => ctx.warn(format!(
                "{}:{}: kept in clear text: host patterns with wildcards cannot be hashed ({hosts})",
                path.display(),
                kept.number
            )),
            KeptReason::Invalid(why) => {
                ctx.warn(format!("{}:{}: invalid line kept as it is ({why})", path.display(), kept.number))
            }
            KeptReason::Marker(_) => {}
        }
    }
    let mut out = std::io::stdout().lock();
    if result.hashed_lines == 0 {
        if !args.quiet {
            writeln!(out, "{}: no host names to hash", path.display())?;
        }
        return Ok(Status::Success);
    }
    // The backup is made beside the file the link points to, and named as it is.
    let old = with_suffix(update.path(), ".old");
    update.commit_parts(&result.content.parts(), FileMode::KeepOr(0o600), true)?;
    if !args.quiet {
        writeln!(out, "{} updated.", path.display())?;
        writeln!(out, "Original contents retained as {}", old.display())?;
    }
    ctx.warn(format!(
        "{} still holds the host names in clear text; delete it to keep them private",
        old.display()
    ));
    Ok(Status::Success)
}
