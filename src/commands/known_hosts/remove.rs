//! `known-hosts remove`: ssh-keygen -R, taking out only the host.

use anyhow::Result;

use super::{path, query, untrusted};
use crate::cli::known_hosts::RemoveArgs;
use crate::context::Context;
use crate::known_hosts::HostQuery;
use crate::known_hosts::edit::{self, Kept, KeptReason, KeyTypeFilter, RemoveOptions};
use crate::known_hosts::transaction::{Edited, IfMissing, Write, transaction};
use crate::print::Printer;
use crate::report::known_hosts::Removed;

pub fn run(ctx: &Context, printer: &Printer, args: RemoveArgs) -> Result<Removed> {
    let query = query(&args.host)?;
    let key_type = args.key_type.as_deref().map(KeyTypeFilter::parse).transpose()?;
    let options = RemoveOptions { markers: args.markers, key_type };
    let path = path(ctx, &args.file);
    let done = transaction(&path, IfMissing::Fail, |file| {
        let result = edit::remove(file, &query.lookup, &options);
        let value = (result.touched, result.kept);
        // Not found: the file is not touched, and no backup made.
        if value.0.is_empty() {
            return Ok(Edited::unchanged(value));
        }
        Ok(Edited::write(value, Write::with_backup(result.content)))
    })?;
    let (lines, kept) = done.value;
    for kept in &kept {
        note_kept(printer, &path, &query, kept);
    }
    if lines.is_empty() {
        printer.note(format!("Host {} not found in {}", query.display, path.display()));
    }
    let backup = done.written.and_then(|written| written.backup);
    Ok(Removed { host: query.display, file: path, lines, backup })
}

fn note_kept(printer: &Printer, path: &std::path::Path, query: &HostQuery, kept: &Kept) {
    let why = match &kept.reason {
        KeptReason::Pattern(hosts) => format!(
            "it names {} through the pattern {}, which other hosts share",
            query.display,
            untrusted(printer, hosts)
        ),
        KeptReason::Marker(marker) => {
            format!("a {} line (--markers removes the host from it)", marker.keyword())
        }
        KeptReason::Invalid(_) => return,
    };
    printer.note(format!("{}:{}: kept: {why}", path.display(), kept.number));
}
