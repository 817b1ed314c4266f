//! File safety: every file we rewrite is replaced atomically (temp file in the same
//! directory, fsync, rename, fsync of the directory), keeps its mode and owner, is reached
//! through any symlinks (the link stays a link), and is edited under a lock so concurrent
//! runs never lose each other's change.

use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// How deep a chain of symlinks may go before we call it a loop (Linux's limit).
const MAX_SYMLINK_DEPTH: usize = 40;

/// The permissions a replaced file ends up with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileMode {
    /// A secret: new files 0600; an existing file keeps its owner bits but never keeps
    /// group or other access (OpenSSH refuses such keys).
    Private,
    /// New files get `mode`; an existing file keeps the mode it has.
    KeepOr(u32),
}

impl FileMode {
    fn resolve(self, existing: Option<&fs::Metadata>) -> u32 {
        let current = existing.map(|m| m.permissions().mode() & 0o7777);
        match (self, current) {
            (FileMode::Private, Some(mode)) => mode & 0o700,
            (FileMode::Private, None) => 0o600,
            (FileMode::KeepOr(_), Some(mode)) => mode,
            (FileMode::KeepOr(mode), None) => mode,
        }
    }
}

/// Follows `path` through symlinks to the file that really holds the data, which need not
/// exist yet (a dangling link names the file to create).
///
/// # Errors
/// An I/O error other than "not found", or a symlink loop.
pub fn resolve_symlinks(path: &Path) -> Result<PathBuf> {
    let mut current = path.to_path_buf();
    for _ in 0..MAX_SYMLINK_DEPTH {
        match fs::symlink_metadata(&current) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let target = fs::read_link(&current).map_err(|e| Error::io(&current, e))?;
                current = match current.parent() {
                    Some(dir) if target.is_relative() => dir.join(target),
                    _ => target,
                };
            }
            Ok(_) => return Ok(current),
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(current),
            Err(e) => return Err(Error::io(&current, e)),
        }
    }
    Err(Error::io(path, io::Error::other("too many levels of symbolic links")))
}

/// Reads a whole file, refusing files larger than `max` bytes (`what` names the kind of
/// file for the error) and directories.
///
/// # Errors
/// The file cannot be opened or read, is a directory, or is larger than `max`.
pub fn read_capped(path: &Path, max: u64, what: &'static str) -> Result<Vec<u8>> {
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let meta = file.metadata().map_err(|e| Error::io(path, e))?;
    if meta.is_dir() {
        return Err(Error::IsDirectory { path: path.to_path_buf() });
    }
    let mut data = Vec::with_capacity(meta.len().min(max) as usize);
    file.take(max + 1).read_to_end(&mut data).map_err(|e| Error::io(path, e))?;
    if data.len() as u64 > max {
        return Err(Error::TooLarge { path: path.to_path_buf(), what, size: meta.len() });
    }
    Ok(data)
}

/// Creates `dir` with mode 0700 if it does not exist (OpenSSH's rule for `~/.ssh`).
/// Returns whether it was created.
///
/// # Errors
/// The directory cannot be created.
pub fn ensure_private_dir(dir: &Path) -> Result<bool> {
    match fs::DirBuilder::new().mode(0o700).create(dir) {
        Ok(()) => {
            // The umask may have taken bits off; 0700 is what OpenSSH guarantees.
            fs::set_permissions(dir, fs::Permissions::from_mode(0o700)).map_err(|e| Error::io(dir, e))?;
            Ok(true)
        }
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists && dir.is_dir() => Ok(false),
        Err(e) => Err(Error::io(dir, e)),
    }
}

/// An exclusive lock on the directory that holds a file we are about to rewrite.
///
/// The lock is taken on the directory, not the file: the file is replaced by rename, so a
/// lock on its inode would protect nothing, and a lock file would litter `~/.ssh`.
#[derive(Debug)]
pub struct DirLock {
    _dir: File,
}

impl DirLock {
    /// Blocks until this process holds the lock on `dir`.
    ///
    /// # Errors
    /// The directory cannot be opened or locked.
    pub fn acquire(dir: &Path) -> Result<Self> {
        let handle = File::open(dir).map_err(|e| Error::io(dir, e))?;
        handle.lock().map_err(|e| Error::io(dir, e))?;
        Ok(DirLock { _dir: handle })
    }
}

/// A file being rewritten: resolved through symlinks, locked, and stat'ed once.
#[derive(Debug)]
pub struct Update {
    path: PathBuf,
    existing: Option<fs::Metadata>,
    _lock: DirLock,
}

impl Update {
    /// Starts an update of `path`: follows symlinks, locks the directory and looks at
    /// what is there now.
    ///
    /// # Errors
    /// The path cannot be resolved, the directory locked, or the file is a directory.
    pub fn begin(path: &Path) -> Result<Self> {
        let path = resolve_symlinks(path)?;
        // A missing directory means the file is missing: say so about the file.
        let lock = DirLock::acquire(parent_dir(&path)).map_err(|e| match e {
            Error::Io { source, .. } if source.kind() == io::ErrorKind::NotFound => Error::io(&path, source),
            other => other,
        })?;
        remove_leftover_temps(&path);
        let existing = match fs::metadata(&path) {
            Ok(meta) if meta.is_dir() => return Err(Error::IsDirectory { path }),
            Ok(meta) => Some(meta),
            Err(e) if e.kind() == io::ErrorKind::NotFound => None,
            Err(e) => return Err(Error::io(&path, e)),
        };
        Ok(Update { path, existing, _lock: lock })
    }

    /// The file that will be replaced (after symlinks).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether the file exists.
    pub fn exists(&self) -> bool {
        self.existing.is_some()
    }

    /// The current contents (`None` if the file does not exist), capped at `max` bytes.
    ///
    /// # Errors
    /// The file cannot be read or is too large.
    pub fn read(&self, max: u64, what: &'static str) -> Result<Option<Vec<u8>>> {
        match self.existing {
            Some(_) => read_capped(&self.path, max, what).map(Some),
            None => Ok(None),
        }
    }

    /// Replaces the file with `contents`, keeping a hard-linked `FILE.old` backup of the
    /// previous contents when `backup` is set (as `ssh-keygen -R/-H` do).
    ///
    /// # Errors
    /// Any I/O error; the original file is then untouched.
    pub fn commit(self, contents: &[u8], mode: FileMode, backup: bool) -> Result<()> {
        self.commit_parts(&[contents], mode, backup)
    }

    /// [`Update::commit`] with the contents given as consecutive parts.
    ///
    /// # Errors
    /// Any I/O error; the original file is then untouched.
    pub fn commit_parts(self, parts: &[&[u8]], mode: FileMode, backup: bool) -> Result<()> {
        let mode = mode.resolve(self.existing.as_ref());
        let temp = write_temp(&self.path, parts, mode, self.existing.as_ref())?;
        if backup && self.existing.is_some() {
            keep_backup(&self.path)?;
        }
        temp.persist(&self.path).map_err(|e| Error::io(&self.path, e.error))?;
        sync_dir(parent_dir(&self.path))
    }
}

/// Replaces `path` (through symlinks, under the directory lock) with `contents`.
///
/// # Errors
/// Any I/O error; the original file is then untouched.
pub fn replace(path: &Path, contents: &[u8], mode: FileMode) -> Result<()> {
    Update::begin(path)?.commit(contents, mode, false)
}

/// The path with `suffix` appended to its file name (`key` → `key.pub`).
pub fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_os_string();
    name.push(suffix);
    PathBuf::from(name)
}

fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
}

/// The name of the temporary files `path` is written through: `.NAME.XXXXXX.tmp`.
fn temp_prefix(path: &Path) -> String {
    format!(".{}.", path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default())
}

/// Removes temporary files a killed run left beside `path`. Every writer holds the
/// directory lock while its temporary file exists, so under the lock any that are there
/// belong to no one. Best effort: a leftover that stays is only litter.
fn remove_leftover_temps(path: &Path) {
    let prefix = temp_prefix(path);
    let Ok(entries) = fs::read_dir(parent_dir(path)) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let random = name.strip_prefix(prefix.as_str()).and_then(|rest| rest.strip_suffix(".tmp"));
        if random.is_some_and(|r| r.len() == TEMP_RANDOM_LEN && r.bytes().all(|b| b.is_ascii_alphanumeric()))
        {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Random characters in a temporary file's name.
const TEMP_RANDOM_LEN: usize = 6;

fn write_temp(
    path: &Path,
    parts: &[&[u8]],
    mode: u32,
    existing: Option<&fs::Metadata>,
) -> Result<tempfile::NamedTempFile> {
    let dir = parent_dir(path);
    let mut temp = tempfile::Builder::new()
        .prefix(&temp_prefix(path))
        .rand_bytes(TEMP_RANDOM_LEN)
        .suffix(".tmp")
        .permissions(fs::Permissions::from_mode(0o600))
        .tempfile_in(dir)
        .map_err(|source| Error::CannotCreateTemp {
            path: path.to_path_buf(),
            dir: dir.to_path_buf(),
            source,
        })?;
    let file = temp.as_file_mut();
    keep_owner(file, existing);
    file.set_permissions(fs::Permissions::from_mode(mode)).map_err(|e| Error::io(path, e))?;
    for part in parts {
        file.write_all(part).map_err(|e| Error::io(path, e))?;
    }
    file.sync_all().map_err(|e| Error::io(path, e))?;
    Ok(temp)
}

/// A file rewritten by root on behalf of another user stays that user's.
fn keep_owner(file: &File, existing: Option<&fs::Metadata>) {
    let Some(meta) = existing else { return };
    let same_owner =
        meta.uid() == nix::unistd::geteuid().as_raw() && meta.gid() == nix::unistd::getegid().as_raw();
    if !same_owner {
        // Best effort: only root may give a file away, and then it must succeed.
        let _ = std::os::unix::fs::fchown(file, Some(meta.uid()), Some(meta.gid()));
    }
}

fn keep_backup(path: &Path) -> Result<()> {
    let old = with_suffix(path, ".old");
    match fs::remove_file(&old) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(Error::io(&old, e)),
    }
    if fs::hard_link(path, &old).is_err() {
        // Some filesystems have no hard links; a copy is as good a backup.
        fs::copy(path, &old).map_err(|e| Error::io(&old, e))?;
    }
    Ok(())
}

fn sync_dir(dir: &Path) -> Result<()> {
    let handle = File::open(dir).map_err(|e| Error::io(dir, e))?;
    handle.sync_all().map_err(|e| Error::io(dir, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replace_follows_symlink_and_keeps_mode() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real");
        fs::write(&real, b"old").unwrap();
        fs::set_permissions(&real, fs::Permissions::from_mode(0o640)).unwrap();
        let link = dir.path().join("link");
        std::os::unix::fs::symlink("real", &link).unwrap();

        replace(&link, b"new", FileMode::KeepOr(0o644)).unwrap();

        assert!(fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
        assert_eq!(fs::read(&real).unwrap(), b"new");
        assert_eq!(fs::metadata(&real).unwrap().permissions().mode() & 0o777, 0o640);
    }

    #[test]
    fn private_mode_strips_group_and_other() {
        let dir = tempfile::tempdir().unwrap();
        let key = dir.path().join("key");
        fs::write(&key, b"old").unwrap();
        fs::set_permissions(&key, fs::Permissions::from_mode(0o644)).unwrap();
        replace(&key, b"new", FileMode::Private).unwrap();
        assert_eq!(fs::metadata(&key).unwrap().permissions().mode() & 0o777, 0o600);
    }

    #[test]
    fn backup_is_previous_contents() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("known_hosts");
        fs::write(&file, b"one").unwrap();
        Update::begin(&file).unwrap().commit(b"two", FileMode::KeepOr(0o600), true).unwrap();
        assert_eq!(fs::read(with_suffix(&file, ".old")).unwrap(), b"one");
        assert_eq!(fs::read(&file).unwrap(), b"two");
    }

    #[test]
    fn symlink_loop_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a");
        std::os::unix::fs::symlink("a", &a).unwrap();
        assert!(resolve_symlinks(&a).is_err());
    }

    #[test]
    fn a_killed_runs_temp_file_is_removed_by_the_next_update() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("kh");
        fs::write(&file, b"one").unwrap();
        let leftovers = [".kh.AbC123.tmp", ".kh.zzzzzz.tmp"];
        let others = [".kh.toolong1.tmp", ".other.AbC123.tmp", "kh.AbC123.tmp", ".kh.AbC123.tmp.keep"];
        for name in leftovers.iter().chain(&others) {
            fs::write(dir.path().join(name), b"x").unwrap();
        }
        replace(&file, b"two", FileMode::KeepOr(0o600)).unwrap();
        for name in leftovers {
            assert!(!dir.path().join(name).exists(), "{name} left");
        }
        for name in others {
            assert!(dir.path().join(name).exists(), "{name} removed");
        }
    }
}
