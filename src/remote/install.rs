//! Installing public keys in a remote authorized_keys file, the same way over SFTP or a
//! shell:
//!
//! 1. the directory is created 0700 if missing; group/other write bits that would make
//!    sshd's StrictModes ignore the file are taken off (a writable home is reported);
//! 2. a lock directory (`FILE.lock`, made with mkdir, which is atomic) serialises
//!    concurrent runs on the same account, so none loses another's key;
//! 3. the file is read and only keys whose key data is not there yet are appended
//!    (options and comments do not count), after a newline if the last line lacks one;
//! 4. the file is replaced atomically, keeping its mode less group/other write (0600
//!    when new), and SELinux contexts are restored.

use std::time::{Duration, Instant};

use ssh_key::public::KeyData;

use super::Failure;
use super::fs::{Kind, RemoteFs};
use crate::key::scan::{Line, Scanner};

/// A lock older than this (by the server's clock) was left by a run that died: holders
/// keep it for well under a second.
const STALE_LOCK: Duration = Duration::from_secs(10);
/// When the server's clock cannot be read, waiting this long means the same.
const STALE_WAIT: Duration = Duration::from_secs(30);
/// Bits StrictModes refuses on authorized_keys and the directories above it.
const LOOSE: u32 = 0o022;

/// A key to install and the line that installs it.
#[derive(Debug, Clone)]
pub struct KeyToInstall {
    pub key: KeyData,
    /// `type base64 comment`, without newline.
    pub line: Vec<u8>,
}

/// Where and how to install.
#[derive(Debug, Clone)]
pub struct Options {
    /// Relative to the remote home unless absolute.
    pub target_path: String,
    pub dry_run: bool,
    /// Add keys even when present (ssh-copy-id -f).
    pub force: bool,
}

/// What happened, by index into the keys asked for.
#[derive(Debug, Clone, Default)]
pub struct Installed {
    pub added: Vec<usize>,
    pub present: Vec<usize>,
    /// Repairs made (or, in a dry run, that would be made) and warnings.
    pub notes: Vec<Note>,
}

/// Something the user should hear about a host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Note {
    /// A problem keywright leaves for the user to fix.
    Warning(String),
    /// A change made (or that a dry run would make).
    Change(String),
}

impl std::fmt::Display for Note {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Note::Warning(text) => write!(f, "warning: {text}"),
            Note::Change(text) => f.write_str(text),
        }
    }
}

/// Installs `keys` as `options` say.
///
/// # Errors
/// Any remote operation that fails; the file is then unchanged.
pub async fn install(
    fs: &RemoteFs<'_>,
    keys: &[KeyToInstall],
    options: &Options,
) -> Result<Installed, Failure> {
    let home = fs.home().await?;
    let target = match options.target_path.starts_with('/') {
        true => options.target_path.clone(),
        false => format!("{}/{}", home.trim_end_matches('/'), options.target_path),
    };
    let dir = target.rsplit_once('/').map_or_else(|| home.clone(), |(dir, _)| dir.to_string());
    let mut installed = Installed::default();
    check_home(fs, &home, &mut installed).await?;
    prepare_dir(fs, &home, &dir, options.dry_run, &mut installed).await?;
    if options.dry_run {
        return update(fs, &target, keys, options, installed).await;
    }
    let lock = format!("{target}.lock");
    acquire(fs, &lock, &mut installed).await?;
    fs.remove_leftovers(&target).await;
    let result = update(fs, &target, keys, options, installed).await;
    let released = fs.rmdir(&lock).await;
    let mut installed = result?;
    // The keys are in: a lock that cannot be removed is the next run's problem (it will
    // find it stale), not a failure of this one.
    if let Err(failure) = released {
        installed.notes.push(Note::Warning(format!(
            "could not remove the lock {lock} ({failure}); later runs will remove it"
        )));
    }
    if !installed.added.is_empty() {
        fs.restorecon(&[&dir, &target]).await;
    }
    Ok(installed)
}

/// sshd ignores keys under a home that others can write to; that is for the user to
/// decide, so it is only reported.
async fn check_home(fs: &RemoteFs<'_>, home: &str, installed: &mut Installed) -> Result<(), Failure> {
    if let Some(stat) = fs.lstat(home).await?
        && stat.mode & LOOSE != 0
    {
        installed.notes.push(Note::Warning(format!(
            "{home} is writable by group or others ({:o}); sshd's StrictModes ignores keys there: chmod go-w {home}",
            stat.mode
        )));
    }
    Ok(())
}

/// Creates the directories below the home that are missing (0700) and takes group/other
/// write off those that have it.
async fn prepare_dir(
    fs: &RemoteFs<'_>,
    home: &str,
    dir: &str,
    dry_run: bool,
    installed: &mut Installed,
) -> Result<(), Failure> {
    let below_home = dir.strip_prefix(home).map(|rest| rest.trim_start_matches('/')).unwrap_or(dir);
    let mut path = if dir.starts_with(home) { home.trim_end_matches('/').to_string() } else { String::new() };
    for part in below_home.split('/').filter(|p| !p.is_empty()) {
        path = format!("{path}/{part}");
        match fs.lstat(&path).await? {
            None if dry_run => installed.notes.push(Note::Change(format!("would create {path} (mode 700)"))),
            None => {
                fs.mkdir(&path, 0o700).await?;
                installed.notes.push(Note::Change(format!("created {path} (mode 700)")));
            }
            Some(stat) if stat.kind == Kind::Dir || stat.kind == Kind::Symlink => {
                repair(fs, &path, stat.mode, dry_run, installed).await?
            }
            Some(_) => return Err(Failure::new(format!("{path} is not a directory"))),
        }
    }
    Ok(())
}

async fn repair(
    fs: &RemoteFs<'_>,
    path: &str,
    mode: u32,
    dry_run: bool,
    installed: &mut Installed,
) -> Result<(), Failure> {
    if mode & LOOSE == 0 {
        return Ok(());
    }
    let fixed = mode & !LOOSE;
    if !dry_run {
        fs.chmod(path, fixed).await?;
    }
    let verb = if dry_run { "would change" } else { "changed" };
    installed.notes.push(Note::Change(format!(
        "{verb} the mode of {path} from {mode:o} to {fixed:o}, as sshd's StrictModes requires"
    )));
    Ok(())
}

/// Takes the lock directory, waiting while another run holds it; a lock left by a run
/// that died is removed.
async fn acquire(fs: &RemoteFs<'_>, lock: &str, installed: &mut Installed) -> Result<(), Failure> {
    let started = Instant::now();
    let mut pause = Duration::from_millis(20);
    while !fs.mkdir(lock, 0o700).await? {
        let age = fs.age(lock).await;
        let stale = age.map_or(started.elapsed() > STALE_WAIT, |age| age > STALE_LOCK);
        if stale {
            let held = age.unwrap_or_else(|| started.elapsed()).as_secs();
            installed.notes.push(Note::Warning(format!(
                "removed {lock}, left {held}s ago by a run that did not finish"
            )));
            let _ = fs.rmdir(lock).await;
            continue;
        }
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(Duration::from_millis(500));
    }
    Ok(())
}

/// Reads the file, works out what to add, and writes it.
async fn update(
    fs: &RemoteFs<'_>,
    target: &str,
    keys: &[KeyToInstall],
    options: &Options,
    mut installed: Installed,
) -> Result<Installed, Failure> {
    let stat = fs.lstat(target).await?;
    let real = match stat {
        Some(s) if s.kind == Kind::Symlink => fs.realpath(target).await?,
        _ => target.to_string(),
    };
    let existing = fs.read(&real).await?;
    let real_stat = if real == target { stat } else { fs.lstat(&real).await? };
    let present = keys_in(existing.as_deref().unwrap_or_default());
    for (i, key) in keys.iter().enumerate() {
        let earlier_duplicate = keys[..i].iter().any(|k| k.key == key.key);
        if (present.contains(&key.key) && !options.force) || earlier_duplicate {
            installed.present.push(i);
        } else {
            installed.added.push(i);
        }
    }
    let mode = real_stat.map_or(0o600, |s| s.mode & 0o777);
    if installed.added.is_empty() {
        return match real_stat {
            Some(_) => repair(fs, &real, mode, options.dry_run, &mut installed).await.map(|()| installed),
            None => Ok(installed),
        };
    }
    if mode & LOOSE != 0 {
        installed.notes.push(Note::Change(format!(
            "changed the mode of {real} from {mode:o} to {:o}, as sshd's StrictModes requires",
            mode & !LOOSE
        )));
    }
    if !options.dry_run {
        let contents = appended(existing.unwrap_or_default(), installed.added.iter().map(|&i| &keys[i].line));
        fs.replace(&real, &contents, mode & !LOOSE).await?;
    }
    Ok(installed)
}

/// The key data of every key line of an authorized_keys file (options, comments and
/// markers aside), read as sshd reads them.
pub fn keys_in(contents: &[u8]) -> Vec<KeyData> {
    let mut scanner = Scanner::new();
    contents
        .split(|&b| b == b'\n')
        .filter_map(|line| match scanner.scan(line, true) {
            Line::Key(found) => Some(found.key),
            _ => None,
        })
        .collect()
}

/// `contents` with `lines` appended, keeping a last line without newline intact.
pub fn appended<'k>(mut contents: Vec<u8>, lines: impl Iterator<Item = &'k Vec<u8>>) -> Vec<u8> {
    if contents.last().is_some_and(|&b| b != b'\n') {
        contents.push(b'\n');
    }
    for line in lines {
        contents.extend_from_slice(line);
        contents.push(b'\n');
    }
    contents
}

#[cfg(test)]
mod tests {
    use super::*;

    const ED: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGIrVZlC1iPIHCa8aMN6tFuV5UtyIYE6mjoM3htErex4";

    #[test]
    fn keys_are_found_behind_options_and_comments() {
        let file = format!("# mine\nfrom=\"10.0.0.0/8\",command=\"echo hi there\" {ED} restricted\n");
        assert_eq!(keys_in(file.as_bytes()).len(), 1);
    }

    #[test]
    fn a_last_line_without_newline_stays_whole() {
        let line = b"new".to_vec();
        assert_eq!(appended(b"old".to_vec(), [&line].into_iter()), b"old\nnew\n");
        assert_eq!(appended(Vec::new(), [&line].into_iter()), b"new\n");
        assert_eq!(appended(b"old\n".to_vec(), [&line].into_iter()), b"old\nnew\n");
    }
}
