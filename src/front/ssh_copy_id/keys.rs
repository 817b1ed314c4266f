//! Which keys the front installs, chosen as ssh-copy-id 9.2 chooses them: `-i FILE`
//! (FILE.pub unless it ends in `.pub`; its private half must open too unless `-f` came
//! first); else the agent's keys when `ssh-add -L` would list some; else the newest
//! `~/.ssh/id*.pub` as `ls -t` orders them. The key files are read by copy-id's own
//! reader, so a key line is checked as the native command checks it.

use std::ffi::OsStr;
use std::io;
use std::path::{Path, PathBuf};

use super::say::{Say, Stop};
use crate::commands::copy_id::keys::{self as native, Keys};
use crate::context::Context;
use crate::remote::copy_id::Runner;

/// An ID file the script accepted (`use_id_file`): the public key to install, and the
/// private key that logs in with it (unset in forced mode).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdFile {
    /// As the script spells it (the argument, plus `.pub`).
    pub public: String,
    /// `dirname(public)/basename(public .pub)`, as the script spells it.
    pub private: Option<String>,
}

/// The script's `use_id_file`: names the files, checks that they open, and says where
/// the keys come from.
///
/// # Errors
/// An empty name, or a file that does not open: the script's words are printed.
pub fn use_id_file(say: &Say, given: &OsStr, forced: bool) -> Result<IdFile, Stop> {
    let given = given.to_string_lossy();
    if given.is_empty() {
        return Err(say.no_id_file());
    }
    let public = match given.ends_with(".pub") {
        true => given.into_owned(),
        false => format!("{given}.pub"),
    };
    let private = (!forced).then(|| private_of(&public));
    for file in std::iter::once(&public).chain(&private) {
        if let Err(error) = std::fs::File::open(file) {
            let anyway = (Some(file) == private.as_ref()).then_some(public.as_str());
            return Err(say.cannot_open(file, &dash_reason(&error), anyway));
        }
    }
    say.source(&public);
    Ok(IdFile { public, private })
}

/// `$(dirname P)/$(basename P .pub)`.
fn private_of(public: &str) -> String {
    format!("{}/{}", dirname(public), basename_without(public, ".pub"))
}

/// POSIX dirname: `.` for a bare name, `/` for a file at the root.
fn dirname(path: &str) -> &str {
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        return if path.is_empty() { "." } else { "/" };
    }
    match trimmed.rfind('/') {
        None => ".",
        Some(at) => match trimmed[..at].trim_end_matches('/') {
            "" => "/",
            dir => dir,
        },
    }
}

/// POSIX basename with a suffix removed, unless the suffix is the whole name.
fn basename_without<'a>(path: &'a str, suffix: &str) -> &'a str {
    let trimmed = path.trim_end_matches('/');
    let name = trimmed.rsplit('/').next().unwrap_or(trimmed);
    match name.strip_suffix(suffix) {
        Some(stem) if !stem.is_empty() => stem,
        _ => name,
    }
}

/// The reason dash gives when it cannot open a file for reading (`: < FILE`), as the
/// script passes it on: dash says "No such file" for ENOENT and ENOTDIR, strerror
/// otherwise.
fn dash_reason(error: &io::Error) -> String {
    match error.kind() {
        io::ErrorKind::NotFound | io::ErrorKind::NotADirectory => "No such file".to_string(),
        _ => {
            let text = error.to_string();
            text.find(" (os error").map_or(text.clone(), |cut| text[..cut].to_string())
        }
    }
}

/// The keys to install, once the command line is read: `-i`'s file; else the agent's;
/// else the default file (through `use_id_file`, which may refuse it). `id_file` is
/// updated to the file the keys came from.
///
/// # Errors
/// No keys anywhere, or a file the script would refuse; the words are printed.
pub fn choose(
    ctx: &Context,
    say: &Say,
    runner: &Runner,
    id_file: &mut Option<IdFile>,
    forced: bool,
) -> Result<Keys, Stop> {
    let mut keys = match id_file {
        Some(id) => read(say, &id.public)?,
        None => runner.block_on(native::from_agent(ctx)).map_err(|e| refused(say, &e))?.unwrap_or_else(empty),
    };
    if keys.keys.is_empty() {
        // As the script: the -i file again (an empty one), or the default file.
        let again = id_file.as_ref().map(|id| id.public.clone()).or_else(|| newest_id_pub(&ctx.ssh_dir()));
        if let Some(public) = again.filter(|p| std::fs::File::open(p).is_ok()) {
            let id = use_id_file(say, OsStr::new(&public), forced)?;
            keys = read(say, &id.public)?;
            *id_file = Some(id);
        }
    }
    if keys.keys.is_empty() {
        return Err(say.no_identities());
    }
    Ok(keys)
}

fn empty() -> Keys {
    Keys { keys: Vec::new(), comments: Vec::new(), source: String::new() }
}

/// The keys of a public key file; none from an empty file (the script then finds no
/// identities), and keywright's own error for a file that holds no key.
fn read(say: &Say, public: &str) -> Result<Keys, Stop> {
    let path = Path::new(public);
    let mut keys = empty();
    keys.source = public.to_string();
    if std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.len() == 0) {
        return Ok(keys);
    }
    native::read_pub(path, &mut keys).map_err(|e| refused(say, &e))?;
    Ok(keys)
}

/// A key source keywright refuses (a key behind options, a comment that is not one
/// line): keywright's own error, in the script's form.
fn refused(say: &Say, error: &anyhow::Error) -> Stop {
    say.failed_with(error)
}

/// The script's default: `ls -t ~/.ssh/id*.pub | grep -v -- '-cert.pub$' | head -n 1`,
/// newest first, a tie going to the name `ls` lists first. The path is spelt as the
/// script's glob spells it (`$HOME/.ssh/NAME`).
pub fn newest_id_pub(ssh_dir: &Path) -> Option<String> {
    let entries = std::fs::read_dir(ssh_dir).ok()?;
    let mut found: Vec<(std::time::SystemTime, String)> = entries
        .filter_map(|entry| entry.ok())
        .filter_map(|entry| {
            let name = entry.file_name().to_str()?.to_string();
            let wanted = name.starts_with("id") && name.ends_with(".pub") && !name.ends_with("-cert.pub");
            // ls stats what the glob named without following a link to a file.
            wanted.then(|| Some((entry.metadata().ok()?.modified().ok()?, name)))?
        })
        .collect();
    found.sort_by(|(a_time, a_name), (b_time, b_name)| b_time.cmp(a_time).then_with(|| a_name.cmp(b_name)));
    let (_, name) = found.into_iter().next()?;
    Some(PathBuf::from(ssh_dir).join(name).to_string_lossy().into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_private_key_is_named_as_dirname_and_basename_name_it() {
        assert_eq!(private_of("k1.pub"), "./k1");
        assert_eq!(private_of("/home/me/.ssh/id_ed25519.pub"), "/home/me/.ssh/id_ed25519");
        assert_eq!(private_of("/k.pub"), "//k");
        assert_eq!(private_of("keys/.pub"), "keys/.pub");
        assert_eq!(private_of("a//b.pub"), "a/b");
    }

    #[test]
    fn dash_says_no_such_file() {
        assert_eq!(dash_reason(&io::Error::from_raw_os_error(2)), "No such file");
        assert_eq!(dash_reason(&io::Error::from_raw_os_error(20)), "No such file");
        assert_eq!(dash_reason(&io::Error::from_raw_os_error(13)), "Permission denied");
    }

    #[test]
    fn the_newest_id_pub_wins_and_a_tie_goes_to_the_first_name() {
        let dir = tempfile::tempdir().unwrap();
        let at = |name: &str, secs: u64| {
            let path = dir.path().join(name);
            std::fs::write(&path, "x").unwrap();
            let when = std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs);
            std::fs::File::options().write(true).open(&path).unwrap().set_modified(when).unwrap();
        };
        at("id_b.pub", 100);
        at("id_a.pub", 100);
        at("id_old.pub", 50);
        at("id_new-cert.pub", 200);
        at("other.pub", 300);
        let newest = newest_id_pub(dir.path()).unwrap();
        assert_eq!(newest, dir.path().join("id_a.pub").to_string_lossy());
    }
}
