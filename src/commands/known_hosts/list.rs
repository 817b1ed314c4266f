//! `known-hosts list`: every entry with type, size and fingerprint.

use anyhow::Result;

use super::{entry, path};
use crate::cli::known_hosts::ListArgs;
use crate::commands::Status;
use crate::context::Context;
use crate::known_hosts::KnownHosts;
use crate::known_hosts::line::{self, Line};
use crate::print::{Format, Printer};
use crate::report::known_hosts::Listed;

/// Text is printed entry by entry (a known_hosts file may be large), with invalid lines
/// and keys warned about in their place; JSON is one pretty document, as scripts that
/// grep it (`grep -c '"type": "RSA"'`) expect.
pub fn run(ctx: &Context, printer: &Printer, args: ListArgs) -> Result<Status> {
    let path = path(ctx, &args.file);
    let file = KnownHosts::read(&path)?;
    let whole = printer.format() == Format::Json;
    let mut entries = Vec::new();
    for line in file.lines() {
        let entry = match line::parse(line.text) {
            Line::Entry(entry) => entry,
            Line::Invalid(why) => {
                printer.warn(format!("{}:{}: invalid line ({why})", path.display(), line.number));
                continue;
            }
            Line::Blank => continue,
        };
        let key = match entry.key() {
            Ok(key) => key,
            Err(why) => {
                printer.warn(format!("{}:{}: invalid key ({why})", path.display(), line.number));
                continue;
            }
        };
        let listed = self::entry(line.number, &entry, Some(key));
        // A key type we cannot describe (the scanner never yields one) is left out.
        match listed.key.is_some() {
            true if whole => entries.push(listed),
            true => printer.record(&listed)?,
            false => {}
        }
    }
    match whole {
        true => printer.report(&Listed { entries })?,
        false => printer.finish()?,
    }
    Ok(Status::Success)
}
