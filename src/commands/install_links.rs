//! `keywright install-links DIR`: the fronts' names as symlinks to this executable, so
//! that putting DIR first on PATH makes keywright answer as ssh-keygen and ssh-copy-id.

use std::fs;
use std::io;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use anyhow::Result;

use crate::cli::install_links::InstallLinksArgs;
use crate::error::Error;
use crate::front::Front;
use crate::report::install_links::{Link, LinkOutcome, LinksInstalled};

/// The names linked, one per front.
const FRONTS: [Front; 2] = [Front::SshKeygen, Front::SshCopyId];

pub fn run(args: InstallLinksArgs) -> Result<LinksInstalled> {
    let target = std::env::current_exe()
        .and_then(fs::canonicalize)
        .map_err(|e| Error::io("the keywright executable", e))?;
    let created_dir = match fs::metadata(&args.dir) {
        Ok(meta) if meta.is_dir() => false,
        Ok(_) => return Err(Error::NotADirectory { path: args.dir.clone() }.into()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            fs::create_dir_all(&args.dir).map_err(|e| Error::io(&args.dir, e))?;
            true
        }
        Err(e) => return Err(Error::io(&args.dir, e).into()),
    };
    // Every name is checked before any is written: never one link of two.
    let mut plan = Vec::with_capacity(FRONTS.len());
    for front in FRONTS {
        let path = args.dir.join(front.name());
        plan.push((front, decide(&path, &target, args.force)?, path));
    }
    let mut links = Vec::with_capacity(plan.len());
    for (front, outcome, path) in plan {
        if outcome != LinkOutcome::Present {
            link(&target, &path)?;
        }
        links.push(Link { name: front.name(), path, outcome });
    }
    Ok(LinksInstalled { dir: args.dir, created_dir, target, links })
}

/// What to do about `path`: make the link, leave our link, or (with `force`) replace
/// what is there.
fn decide(path: &Path, target: &Path, force: bool) -> crate::Result<LinkOutcome> {
    let meta = match fs::symlink_metadata(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(LinkOutcome::Created),
        Err(e) => return Err(Error::io(path, e)),
        Ok(meta) => meta,
    };
    if meta.file_type().is_symlink() && points_to(path, target) {
        return Ok(LinkOutcome::Present);
    }
    if meta.is_dir() {
        return Err(Error::IsDirectory { path: path.to_path_buf() });
    }
    match force {
        true => Ok(LinkOutcome::Replaced),
        false => Err(Error::LinkWouldReplace { path: path.to_path_buf(), what: describe(path, &meta) }),
    }
}

/// Whether the link at `path` leads to the executable `target` (the same file, however
/// the link spells it).
fn points_to(path: &Path, target: &Path) -> bool {
    match (fs::metadata(path), fs::metadata(target)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

/// What is in the way, for the refusal.
fn describe(path: &Path, meta: &fs::Metadata) -> String {
    match fs::read_link(path) {
        Ok(to) if meta.file_type().is_symlink() => format!("a link to {}", to.display()),
        _ => "a file".to_string(),
    }
}

/// Makes `path` a link to `target`, atomically: a new link beside it renamed over it.
fn link(target: &Path, path: &Path) -> crate::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let temp: PathBuf = dir.join(format!(".{name}.keywright-{}.tmp", std::process::id()));
    let _ = fs::remove_file(&temp);
    std::os::unix::fs::symlink(target, &temp).map_err(|e| Error::io(&temp, e))?;
    fs::rename(&temp, path).map_err(|e| {
        let _ = fs::remove_file(&temp);
        Error::io(path, e)
    })
}
