//! `keywright authorized-keys` as text: per file its keys (`list`) or what changed, the
//! diff when asked; for several files (hosts) a per-host table and the totals after.

use std::io;

use super::{Render, Text};
use crate::print::copy_id::one_line;
use crate::report::authorized_keys::{Action, AuthorizedKeys, Entry, File, FileStatus};

impl Render for AuthorizedKeys {
    fn text(&self, out: &mut Text<'_>) -> io::Result<()> {
        // Several files are several hosts: what each holds or would change first, then
        // a table of how every host ended (as copy-id's), then the totals.
        let many = self.files.len() > 1;
        for file in &self.files {
            match (self.action, file.status) {
                (Action::List, FileStatus::Listed) => listing(file, many || file.host.is_some(), out)?,
                _ if many => {
                    if file.diff.is_some() {
                        heading(file, out)?;
                    }
                }
                _ => result_line(file, out)?,
            }
            if let Some(diff) = &file.diff {
                out.untrusted(diff.as_bytes())?;
            }
        }
        if many {
            for file in &self.files {
                result_line(file, out)?;
            }
            out.write(format_args!("{}\n", totals(self)))?;
        }
        Ok(())
    }
}

/// `DEST: PATH`, over what a host's file holds or would become.
fn heading(file: &File, out: &mut Text<'_>) -> io::Result<()> {
    out.write(format_args!("{}\n", one_line(&format!("{}: {}", file.dest(), file.path))))
}

/// A row of the per-host table.
fn result_line(file: &File, out: &mut Text<'_>) -> io::Result<()> {
    out.write(format_args!("{}\n", file_line(file)))
}

/// `DEST: how it ended`, as one line: the per-host table's row and the progress bar's.
pub fn file_line(file: &File) -> String {
    one_line(&format!("{}: {}", file.dest(), summary(file)))
}

/// A file's keys, one a line: `LINE BITS FINGERPRINT COMMENT (TYPE) [OPTIONS]`, under the
/// file's name when there are several files (or a host).
fn listing(file: &File, headed: bool, out: &mut Text<'_>) -> io::Result<()> {
    if headed {
        heading(file, out)?;
    }
    for entry in &file.keys {
        out.write(format_args!("{:>4} {} {} ", entry.line, entry.key.bits, entry.key.fingerprint))?;
        out.untrusted(entry.key.comment.as_deref().unwrap_or("no comment").as_bytes())?;
        out.write(format_args!(" ({})", entry.key.key_type))?;
        if !entry.options.is_empty() {
            out.write(" ")?;
            out.untrusted(entry.options.join(",").as_bytes())?;
        }
        out.write("\n")?;
    }
    Ok(())
}

/// How a file ended, after its name.
fn summary(file: &File) -> String {
    let counted = |verb: &str, entries: &[Entry]| match entries.len() {
        0 => None,
        n => Some(format!("{verb} {n}")),
    };
    let would = file.status == FileStatus::WouldChange;
    let parts: Vec<String> = [
        counted(if would { "would add" } else { "added" }, &file.added),
        counted(if would { "would update" } else { "updated" }, &file.updated),
        counted(if would { "would remove" } else { "removed" }, &file.removed),
    ]
    .into_iter()
    .flatten()
    .collect();
    let proved = match file.proved {
        Some(true) => " (the new key logged in)",
        _ => "",
    };
    match file.status {
        FileStatus::Failed => format!("failed: {}", file.error.as_deref().unwrap_or_default()),
        FileStatus::Unchanged => "unchanged".to_string(),
        FileStatus::Listed => format!("{} key(s)", file.keys.len()),
        FileStatus::Changed | FileStatus::WouldChange => format!("{} key(s){proved}", parts.join(", ")),
    }
}

/// The line after several files.
fn totals(report: &AuthorizedKeys) -> String {
    let s = &report.summary;
    match (report.action, &report.asked, s.trusting) {
        (Action::List, Some(key), Some(trusting)) => {
            format!("{trusting} of {} hosts trust {key}, {} failed", s.files, s.failed)
        }
        (Action::List, _, _) => format!("{} hosts: {} listed, {} failed", s.files, s.listed, s.failed),
        (Action::Edit, _, _) if report.dry_run => {
            format!(
                "{} hosts: {} would change, {} unchanged, {} failed",
                s.files, s.would_change, s.unchanged, s.failed
            )
        }
        (Action::Edit, _, _) => {
            format!(
                "{} hosts: {} changed, {} unchanged, {} failed",
                s.files, s.changed, s.unchanged, s.failed
            )
        }
    }
}
