//! `keywright man`: print one man page, or install them all.

use std::path::PathBuf;

use anyhow::Result;

use crate::cli::Page;
use crate::cli::man::ManArgs;
use crate::context::Context;
use crate::error::Error;
use crate::fsutil::{self, FileMode};
use crate::manpage;
use crate::print::Printer;
use crate::report::man::Manual;

pub fn run(ctx: &Context, printer: &Printer, args: ManArgs) -> Result<Manual> {
    match args.install {
        Some(dir) => install(ctx, printer, dir),
        None => page(&args.command),
    }
}

/// The page of `command` (words of a command path).
fn page(command: &[String]) -> Result<Manual> {
    let no_page = || Error::NoManPage { command: command.join(" ") };
    let page = Page::find(command).ok_or_else(no_page)?;
    Ok(Manual::Page(manpage::render(page).ok_or_else(no_page)?))
}

/// Writes every page into `DIR/man1` (by default `~/.local/share/man`).
fn install(ctx: &Context, printer: &Printer, dir: Option<PathBuf>) -> Result<Manual> {
    let dir = dir.unwrap_or_else(|| ctx.home().join(".local/share/man"));
    let section = dir.join("man1");
    std::fs::create_dir_all(&section).map_err(|e| Error::io(&section, e))?;
    let pages = manpage::pages();
    for (name, contents) in &pages {
        fsutil::replace(&section.join(name), contents, FileMode::KeepOr(0o644))?;
    }
    printer.note(format!("installed {} man pages in {}", pages.len(), section.display()));
    Ok(Manual::Installed { pages: pages.len(), section })
}
