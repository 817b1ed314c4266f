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

use super::fs::{Kind, RemoteFs, Stat};
pub use super::outcome::{Installed, Note};
use crate::error::Error;
use crate::key::scan::authorized_key;

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

/// Installs `keys` as `options` say.
///
/// # Errors
/// Any remote operation that fails; the file is then unchanged.
pub async fn install(
    fs: &RemoteFs<'_>,
    keys: &[KeyToInstall],
    options: &Options,
) -> Result<Installed, Error> {
    let sorted = std::sync::Mutex::new((Vec::new(), Vec::new()));
    let edited = edit(fs, &options.target_path, options.dry_run, Creates::Yes, |existing| {
        let existing = existing.unwrap_or_default();
        let (added, present) = sort_keys(&keys_in(existing), keys, options.force);
        let contents =
            (!added.is_empty()).then(|| appended(existing.to_vec(), added.iter().map(|&i| &keys[i].line)));
        *sorted.lock().unwrap_or_else(|p| p.into_inner()) = (added, present);
        contents
    })
    .await?;
    let (added, present) = sorted.into_inner().unwrap_or_else(|p| p.into_inner());
    Ok(Installed { added, present, notes: edited.notes })
}

/// Whether an edit may create the file (and the directories above it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Creates {
    Yes,
    /// A removal: a missing file is left missing, and nothing is created for it.
    No,
}

/// What [`edit`] did to a remote file.
#[derive(Debug, Clone, Default)]
pub struct Edited {
    /// The file's path on the server (as named; a symlink is edited where it points).
    pub path: String,
    /// The contents read (`None`: there was no file).
    pub before: Option<Vec<u8>>,
    /// The contents written (or that a dry run would write); `None` when unchanged.
    pub after: Option<Vec<u8>>,
    /// Repairs made (or that a dry run would make) and warnings.
    pub notes: Vec<Note>,
}

/// Edits the authorized_keys file at `target_path` safely: `transform` gets the current
/// contents (`None`: no file) and returns the new ones, or `None` to leave the file as
/// it is. The directories are prepared, the lock taken and the file replaced as the
/// module documentation says; with `dry_run`, nothing is written. `transform` may be
/// called twice (once to learn whether a missing file would be created).
///
/// # Errors
/// Any remote operation that fails; the file is then unchanged.
pub async fn edit(
    fs: &RemoteFs<'_>,
    target_path: &str,
    dry_run: bool,
    creates: Creates,
    transform: impl Fn(Option<&[u8]>) -> Option<Vec<u8>>,
) -> Result<Edited, Error> {
    let home = fs.home().await?;
    let target = full_path(&home, target_path);
    let dir = target.rsplit_once('/').map_or_else(|| home.clone(), |(dir, _)| dir.to_string());
    let mut edited = Edited { path: target.clone(), ..Edited::default() };
    check_home(fs, &home, &mut edited.notes).await?;
    // Nothing to remove from a file that is not there: no directory is made for it.
    if (creates == Creates::No || transform(None).is_none()) && fs.lstat(&target).await?.is_none() {
        return Ok(edited);
    }
    prepare_dir(fs, &home, &dir, dry_run, &mut edited.notes).await?;
    if dry_run {
        return update(fs, &target, dry_run, &transform, edited).await;
    }
    let lock = format!("{target}.lock");
    // Temporary files are only left by a run that died while writing, and such a run
    // also left its lock: sweeping for them every time would cost a directory listing
    // (several round trips) on every host for nothing.
    if acquire(fs, &lock, &mut edited.notes).await?
        && let Err(failure) = fs.remove_leftovers(&target).await
    {
        let _ = fs.rmdir(&lock).await;
        return Err(failure);
    }
    let result = update(fs, &target, dry_run, &transform, edited).await;
    let released = fs.rmdir(&lock).await;
    let mut edited = result?;
    // The change is made: a lock that cannot be removed is the next run's problem (it
    // will find it stale), not a failure of this one.
    if let Err(failure) = released {
        edited.notes.push(Note::Warning(format!(
            "could not remove the lock {lock} ({failure}); later runs will remove it"
        )));
    }
    if edited.after.is_some() {
        fs.restorecon(&[&dir, &target]).await;
    }
    Ok(edited)
}

/// Reads the authorized_keys file at `target_path`, changing nothing; `None` when
/// there is none. Returns the path read too.
///
/// # Errors
/// Any remote operation that fails, or a path that is not a regular file.
pub async fn read(fs: &RemoteFs<'_>, target_path: &str) -> Result<(String, Option<Vec<u8>>), Error> {
    let home = fs.home().await?;
    let target = full_path(&home, target_path);
    let (real, stat) = resolve(fs, &target).await?;
    if stat.is_some_and(|s| s.kind != Kind::File) {
        return Err(Error::RemoteNotRegular { path: real });
    }
    let contents = match stat {
        Some(_) => fs.read(&real).await?,
        None => None,
    };
    Ok((target, contents))
}

/// `target_path` on the server: relative to the home unless absolute.
fn full_path(home: &str, target_path: &str) -> String {
    match target_path.starts_with('/') {
        true => target_path.to_string(),
        false => format!("{}/{}", home.trim_end_matches('/'), target_path),
    }
}

/// sshd ignores keys under a home that others can write to; that is for the user to
/// decide, so it is only reported.
async fn check_home(fs: &RemoteFs<'_>, home: &str, notes: &mut Vec<Note>) -> Result<(), Error> {
    if let Some(stat) = fs.lstat(home).await?
        && stat.mode & LOOSE != 0
    {
        notes.push(Note::Warning(format!(
            "{home} is writable by group or others ({:o}); sshd's StrictModes ignores keys there: chmod go-w {home}",
            stat.mode
        )));
    }
    Ok(())
}

/// Creates the directories down to `dir` that are missing (0700) and takes group/other
/// write off those below the home that have it. Directories outside the home (an
/// absolute or `..` target path) are not the user's to change: they are only reported.
async fn prepare_dir(
    fs: &RemoteFs<'_>,
    home: &str,
    dir: &str,
    dry_run: bool,
    notes: &mut Vec<Note>,
) -> Result<(), Error> {
    let (below_home, paths) = dirs_down_to(home, dir);
    for path in paths {
        match fs.lstat(&path).await? {
            None if dry_run => notes.push(Note::Change(format!("would create {path} (mode 700)"))),
            None => {
                fs.mkdir(&path, 0o700).await?;
                notes.push(Note::Change(format!("created {path} (mode 700)")));
            }
            Some(stat) => {
                let (real, mode) = directory(fs, &path, stat).await?;
                match below_home {
                    true => repair(fs, &real, mode, dry_run, notes).await?,
                    false if mode & LOOSE != 0 => notes.push(Note::Warning(format!(
                        "{real} is writable by group or others ({mode:o}); sshd's StrictModes ignores keys below it"
                    ))),
                    false => {}
                }
            }
        }
    }
    Ok(())
}

/// The directories from just below the home down to `dir`, and whether they are all
/// below the home; for a `dir` elsewhere, every directory from the root down.
fn dirs_down_to(home: &str, dir: &str) -> (bool, Vec<String>) {
    let home = home.trim_end_matches('/');
    let (mut path, rest, below_home) = match dir.strip_prefix(home) {
        Some(rest) if rest.is_empty() || rest.starts_with('/') => (home.to_string(), rest, true),
        _ => (String::new(), dir, false),
    };
    let parts: Vec<&str> = rest.split('/').filter(|p| !p.is_empty()).collect();
    let below_home = below_home && !parts.contains(&"..");
    let paths = parts
        .into_iter()
        .map(|part| {
            path = format!("{path}/{part}");
            path.clone()
        })
        .collect();
    (below_home, paths)
}

/// The directory `path` names and its mode: a symlink's own mode (777 on Linux) says
/// nothing, so a symlinked directory is judged, and repaired, where it points.
async fn directory(fs: &RemoteFs<'_>, path: &str, stat: Stat) -> Result<(String, u32), Error> {
    let (real, stat) = match stat.kind {
        Kind::Symlink => {
            let real = fs.realpath(path).await?;
            let stat = fs.lstat(&real).await?;
            (real, stat)
        }
        _ => (path.to_string(), Some(stat)),
    };
    match stat {
        Some(stat) if stat.kind == Kind::Dir => Ok((real, stat.mode)),
        _ => Err(Error::RemoteNotDirectory { path: path.to_string() }),
    }
}

/// Takes group/other write off `path` (only says so in a dry run).
async fn repair(
    fs: &RemoteFs<'_>,
    path: &str,
    mode: u32,
    dry_run: bool,
    notes: &mut Vec<Note>,
) -> Result<(), Error> {
    let Some((fixed, note)) = strict_mode(path, mode, dry_run) else { return Ok(()) };
    if !dry_run {
        fs.chmod(path, fixed).await?;
    }
    notes.push(note);
    Ok(())
}

/// The mode sshd's StrictModes accepts for a `path` with `mode`, and the note saying it
/// changed (or would change); `None` when `mode` is fine as it is.
fn strict_mode(path: &str, mode: u32, dry_run: bool) -> Option<(u32, Note)> {
    if mode & LOOSE == 0 {
        return None;
    }
    let fixed = mode & !LOOSE;
    let verb = if dry_run { "would change" } else { "changed" };
    let note = Note::Change(format!(
        "{verb} the mode of {path} from {mode:o} to {fixed:o}, as sshd's StrictModes requires"
    ));
    Some((fixed, note))
}

/// Takes the lock directory, waiting while another run holds it; a lock left by a run
/// that died is removed. Returns whether such a lock was found.
async fn acquire(fs: &RemoteFs<'_>, lock: &str, notes: &mut Vec<Note>) -> Result<bool, Error> {
    let started = Instant::now();
    let mut pause = Duration::from_millis(20);
    let mut broke_stale = false;
    while !fs.mkdir(lock, 0o700).await? {
        let age = fs.age(lock).await;
        let stale = age.map_or(started.elapsed() > STALE_WAIT, |age| age > STALE_LOCK);
        if stale {
            let held = age.unwrap_or_else(|| started.elapsed()).as_secs();
            notes.push(Note::Warning(format!(
                "removed {lock}, left {held}s ago by a run that did not finish"
            )));
            let _ = fs.rmdir(lock).await;
            broke_stale = true;
            continue;
        }
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(Duration::from_millis(500));
    }
    Ok(broke_stale)
}

/// Reads the file, has `transform` work out its new contents, and writes them.
async fn update(
    fs: &RemoteFs<'_>,
    target: &str,
    dry_run: bool,
    transform: &impl Fn(Option<&[u8]>) -> Option<Vec<u8>>,
    mut edited: Edited,
) -> Result<Edited, Error> {
    let (real, stat) = resolve(fs, target).await?;
    if stat.is_some_and(|s| s.kind != Kind::File) {
        return Err(Error::RemoteNotRegular { path: real.to_string() });
    }
    edited.before = fs.read(&real).await?;
    edited.after = transform(edited.before.as_deref());
    let mode = stat.map_or(0o600, |s| s.mode & 0o777);
    let Some(contents) = &edited.after else {
        if stat.is_some() {
            repair(fs, &real, mode, dry_run, &mut edited.notes).await?;
        }
        return Ok(edited);
    };
    // The file is written anew with the repaired mode.
    let mode = match strict_mode(&real, mode, dry_run) {
        Some((fixed, note)) => {
            edited.notes.push(note);
            fixed
        }
        None => mode,
    };
    if !dry_run {
        fs.replace(&real, contents, mode).await?;
    }
    Ok(edited)
}

/// The file `target` names and what it is: a symlink is followed to its target.
async fn resolve(fs: &RemoteFs<'_>, target: &str) -> Result<(String, Option<Stat>), Error> {
    match fs.lstat(target).await? {
        Some(s) if s.kind == Kind::Symlink => {
            let real = fs.realpath(target).await?;
            let stat = fs.lstat(&real).await?;
            Ok((real, stat))
        }
        stat => Ok((target.to_string(), stat)),
    }
}

/// Which of `keys` to add and which are there already (indexes): a key is there when
/// `present` holds its key data (unless `force`) or an earlier key in `keys` is the same.
fn sort_keys(present: &[KeyData], keys: &[KeyToInstall], force: bool) -> (Vec<usize>, Vec<usize>) {
    (0..keys.len()).partition(|&i| {
        let key = &keys[i].key;
        let earlier_duplicate = keys[..i].iter().any(|k| k.key == *key);
        !earlier_duplicate && (force || !present.contains(key))
    })
}

/// The key data of every key line of an authorized_keys file (options and comments
/// aside), read as sshd reads them ([`authorized_key`]), not as `ssh-keygen -l` does: a
/// key sshd honours behind options must count, or it would get an unrestricted twin.
pub fn keys_in(contents: &[u8]) -> Vec<KeyData> {
    contents.split(|&b| b == b'\n').filter_map(|line| Some(authorized_key(line)?.key)).collect()
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

    const ED: &str = include_str!("../../testdata/keys/id_ed25519.pub");
    const ECDSA: &str = include_str!("../../testdata/keys/id_ecdsa_256.pub");

    fn to_install(line: &str) -> KeyToInstall {
        let key = keys_in(line.as_bytes()).remove(0);
        KeyToInstall { key, line: line.trim_end().as_bytes().to_vec() }
    }

    #[test]
    fn keys_are_found_behind_options_and_comments() {
        let file = format!("# mine\nfrom=\"10.0.0.0/8\",command=\"echo hi there\" {ED}");
        assert_eq!(keys_in(file.as_bytes()), [to_install(ED).key]);
    }

    /// sshd honours these lines (several blanks after the options, quoted blanks, a
    /// CR); ssh-keygen's reading missed the first, and copy-id added an unrestricted twin.
    #[test]
    fn keys_behind_options_as_sshd_reads_them_are_present() {
        let keys = [to_install(ED)];
        let data = ED.trim_end();
        for line in [
            format!("no-pty  {data}"),
            format!("from=\"a b\" {data}"),
            format!("\tno-pty \t{data} me\r"),
            format!("restrict,command=\"echo \\\"a  b\\\"\" \t {data}"),
        ] {
            let file = format!("# header\n{line}\n");
            let present = keys_in(file.as_bytes());
            assert_eq!(present, std::slice::from_ref(&keys[0].key), "{line:?}");
            assert_eq!(sort_keys(&present, &keys, false), (vec![], vec![0]), "{line:?}");
        }
        let not_keys = format!("no-pty\n#{data}\ncommand=\"x {data}\n");
        assert_eq!(keys_in(not_keys.as_bytes()), []);
    }

    #[test]
    fn present_keys_and_repeats_are_not_added() {
        let keys = [to_install(ED), to_install(ECDSA), to_install(ED)];
        let present = keys_in(ED.as_bytes());
        assert_eq!(sort_keys(&present, &keys, false), (vec![1], vec![0, 2]));
        // -f adds a present key again, but still only once.
        assert_eq!(sort_keys(&present, &keys, true), (vec![0, 1], vec![2]));
    }

    #[test]
    fn a_last_line_without_newline_stays_whole() {
        let line = b"new".to_vec();
        assert_eq!(appended(b"old".to_vec(), [&line].into_iter()), b"old\nnew\n");
        assert_eq!(appended(Vec::new(), [&line].into_iter()), b"new\n");
        assert_eq!(appended(b"old\n".to_vec(), [&line].into_iter()), b"old\nnew\n");
    }

    #[test]
    fn directories_to_prepare_stop_at_the_home() {
        let below = |dir: &str| dirs_down_to("/home/al/", dir);
        assert_eq!(below("/home/al/.ssh"), (true, vec!["/home/al/.ssh".to_string()]));
        assert_eq!(below("/home/al"), (true, vec![]));
        // A sibling whose name starts like the home is not below it.
        assert_eq!(
            below("/home/alice/.ssh"),
            (false, ["/home", "/home/alice", "/home/alice/.ssh"].map(String::from).to_vec())
        );
        assert!(!below("/home/al/../bob").0);
        assert_eq!(dirs_down_to("/", "/.ssh"), (true, vec!["/.ssh".to_string()]));
    }

    /// A dry run said "changed the mode" of a file it would rewrite.
    #[test]
    fn mode_notes_say_would_in_a_dry_run() {
        assert_eq!(strict_mode("f", 0o600, false), None);
        let note = |dry_run| strict_mode("f", 0o664, dry_run).map(|(mode, note)| (mode, note.to_string()));
        let said = "the mode of f from 664 to 644, as sshd's StrictModes requires";
        assert_eq!(note(false), Some((0o644, format!("changed {said}"))));
        assert_eq!(note(true), Some((0o644, format!("would change {said}"))));
    }
}
