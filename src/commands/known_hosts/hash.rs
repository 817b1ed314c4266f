//! `known-hosts hash`: ssh-keygen -H.

use anyhow::Result;

use super::{path, untrusted};
use crate::cli::known_hosts::HashArgs;
use crate::context::Context;
use crate::known_hosts::edit::{self, Kept, KeptReason};
use crate::known_hosts::transaction::{Edited, IfMissing, Write, transaction};
use crate::print::Printer;
use crate::report::known_hosts::Hashed;

pub fn run(ctx: &Context, printer: &Printer, args: HashArgs) -> Result<Hashed> {
    let path = path(ctx, &args.file);
    let done = transaction(&path, IfMissing::Fail, |file| {
        let result = edit::hash(file)?;
        let value = (result.hashed_lines, result.kept);
        // Nothing hashed, nothing written: no backup either.
        if result.hashed_lines == 0 {
            return Ok(Edited::unchanged(value));
        }
        Ok(Edited::write(value, Write::with_backup(result.content)))
    })?;
    let (hashed_lines, kept) = done.value;
    for kept in &kept {
        warn_kept(printer, &path, kept);
    }
    let backup = done.written.and_then(|written| written.backup);
    Ok(Hashed { file: path, hashed_lines, backup })
}

fn warn_kept(printer: &Printer, path: &std::path::Path, kept: &Kept) {
    match &kept.reason {
        KeptReason::Pattern(hosts) => printer.warn(format!(
            "{}:{}: kept in clear text: host patterns with wildcards cannot be hashed ({})",
            path.display(),
            kept.number,
            untrusted(printer, hosts)
        )),
        KeptReason::Invalid(why) => {
            printer.warn(format!("{}:{}: invalid line kept as it is ({why})", path.display(), kept.number))
        }
        KeptReason::Marker(_) => {}
    }
}

/// The backup still names every host: ssh-keygen -H warns so, and so do we.
pub fn warn_backup(printer: &Printer, report: &Hashed) {
    if let Some(backup) = &report.backup {
        printer.warn(format!(
            "{} still holds the host names in clear text; delete it to keep them private",
            backup.display()
        ));
    }
}
