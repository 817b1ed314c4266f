//! `keywright man`: print one man page, or install them all.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Result;

use super::Status;
use crate::cli::man::ManArgs;
use crate::context::Context;
use crate::error::Error;
use crate::fsutil::{self, FileMode};
use crate::manpage;

pub fn run(ctx: &Context, args: ManArgs) -> Result<Status> {
    match args.install {
        Some(dir) => install(ctx, dir),
        None => print(&args.command),
    }
}

/// Writes the page of `command` (words of a command path) to stdout.
fn print(command: &[String]) -> Result<Status> {
    let name = match command.is_empty() {
        true => "keywright.1".to_string(),
        false => format!("keywright-{}.1", command.join("-")),
    };
    let Some((_, page)) = manpage::pages().into_iter().find(|(file, _)| *file == name) else {
        return Err(Error::Refused {
            what: format!("no man page for `{}`", command.join(" ")),
            hint: "name a command as `keywright --help` lists it, such as `copy-id` or `known-hosts audit`"
                .into(),
        }
        .into());
    };
    std::io::stdout().lock().write_all(&page)?;
    Ok(Status::Success)
}

/// Writes every page into `DIR/man1` (by default `~/.local/share/man`).
fn install(ctx: &Context, dir: Option<PathBuf>) -> Result<Status> {
    let dir = dir.unwrap_or_else(|| ctx.home().join(".local/share/man"));
    let section = dir.join("man1");
    std::fs::create_dir_all(&section).map_err(|e| Error::io(&section, e))?;
    let pages = manpage::pages();
    for (name, contents) in &pages {
        fsutil::replace(&section.join(name), contents, FileMode::KeepOr(0o644))?;
    }
    ctx.note(format!("installed {} man pages in {}", pages.len(), section.display()));
    Ok(Status::Success)
}
