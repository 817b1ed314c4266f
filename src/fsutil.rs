//! File safety: every file we rewrite is replaced atomically (temp file in the same
//! directory, fsync, rename, fsync of the directory), keeps its mode and owner, is reached
//! through any symlinks (the link stays a link), and is edited under a lock so concurrent
//! runs never lose each other's change.

use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::os::unix::fs::{DirBuilderExt, FileTypeExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use crate::error::{Error, FileKind, Result};

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
    /// The file gets `mode`, new or not (host keys: sshd's rules, not the old file's).
    Exactly(u32),
}

impl FileMode {
    fn resolve(self, existing: Option<&fs::Metadata>) -> u32 {
        let current = existing.map(|m| m.permissions().mode() & 0o7777);
        match (self, current) {
            (FileMode::Private, Some(mode)) => mode & 0o700,
            (FileMode::Private, None) => 0o600,
            (FileMode::KeepOr(_), Some(mode)) => mode,
            (FileMode::KeepOr(mode), None) => mode,
            (FileMode::Exactly(mode), _) => mode,
        }
    }
}

/// Follows `path` through symlinks to the file that really holds the data, which need not
/// exist yet (a dangling link names the file to create).
///
/// A link in a sticky world-writable directory (`/tmp`) is followed only when it belongs
/// to us or to the directory's owner: the kernel's `protected_symlinks` rule
/// (fs/namei.c `may_follow_link`), which a user-space `readlink` walk bypasses, so it is
/// applied here whether or not the sysctl is on.
///
/// # Errors
/// An I/O error other than "not found", a symlink loop, or a link the rule refuses.
pub fn resolve_symlinks(path: &Path) -> Result<PathBuf> {
    let mut current = path.to_path_buf();
    for _ in 0..MAX_SYMLINK_DEPTH {
        match fs::symlink_metadata(&current) {
            Ok(meta) if meta.file_type().is_symlink() => {
                check_link_owner(&current, &meta)?;
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

/// The `protected_symlinks` rule for one link (`meta` is its lstat): in a directory that
/// is both sticky and world-writable, anyone may plant a link, so only links owned by us
/// (the effective uid, as the kernel's fsuid) or by the directory's owner are followed.
fn check_link_owner(link: &Path, meta: &fs::Metadata) -> Result<()> {
    if meta.uid() == nix::unistd::geteuid().as_raw() {
        return Ok(());
    }
    let dir = parent_dir(link);
    let dir_meta = fs::metadata(dir).map_err(|e| Error::io(dir, e))?;
    let sticky_world_writable = dir_meta.mode() & 0o1002 == 0o1002;
    if !sticky_world_writable || dir_meta.uid() == meta.uid() {
        return Ok(());
    }
    Err(Error::UntrustedSymlink { link: link.to_path_buf(), dir: dir.to_path_buf() })
}

/// What [`read_capped`] reads: the kind of file for errors, and what it may be besides a
/// regular file. A bare `&str` means a regular file only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Expect {
    /// The kind of file, for errors ("a private key").
    pub what: &'static str,
    /// What else than a regular file is read.
    pub accept: Accept,
}

/// What a file read by [`read_capped`] may be besides a regular file. A directory, a
/// socket and a block device are never read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Accept {
    /// Nothing else: a FIFO or device where a key or config file belongs is a mistake,
    /// and reading one would wait for a writer or never end.
    RegularFile,
    /// A character device too, read as ssh reads its known_hosts files (it opens them
    /// whatever they are): `/dev/null`, the `-o UserKnownHostsFile=/dev/null` idiom, is
    /// empty. It is read without blocking (a terminal gives what was typed, never a
    /// wait) and at most [`MAX_DEVICE_READ`] bytes (`/dev/zero` does not end).
    CharDevice,
    /// A pipe too: process substitution (`--passphrase-file <(pass show key)`,
    /// `fingerprint <(ssh-keyscan host)`) hands over a pipe, a legitimate way to pass a
    /// secret or a list of keys. A writer that exists is waited for; a named FIFO that no
    /// one has open for writing reads as empty (end of file), never as a hang.
    Pipe,
}

impl From<&'static str> for Expect {
    fn from(what: &'static str) -> Self {
        Expect { what, accept: Accept::RegularFile }
    }
}

/// The most read from a character device accepted by [`Accept::CharDevice`].
pub const MAX_DEVICE_READ: u64 = 1024 * 1024;

/// Opens a file given by the user for reading, without ever blocking in `open(2)` (a FIFO
/// is opened with `O_NONBLOCK`), and checks what it is on the opened descriptor, so that
/// no rename between a stat and the open can swap it. Returns the file and its metadata.
/// Its symlinks are followed by the kernel, after [`resolve_symlinks`]'s walk has checked
/// them against the `protected_symlinks` rule (which the kernel applies only when the
/// sysctl is on).
///
/// # Errors
/// The file cannot be opened, is a directory, is of a type `accept` does not allow, or
/// is reached through a link the rule refuses.
pub fn open_input(path: &Path, accept: Accept) -> Result<(File, fs::Metadata)> {
    resolve_symlinks(path)?;
    let file = fs::OpenOptions::new()
        .read(true)
        .custom_flags(nix::fcntl::OFlag::O_NONBLOCK.bits())
        .open(path)
        .map_err(|e| Error::io(path, e))?;
    let meta = file.metadata().map_err(|e| Error::io(path, e))?;
    let kind = meta.file_type();
    let blocking = match accept {
        _ if kind.is_file() => true,
        _ if kind.is_dir() => return Err(Error::IsDirectory { path: path.to_path_buf() }),
        Accept::Pipe if kind.is_fifo() => true,
        Accept::CharDevice if kind.is_char_device() => false,
        _ => return Err(Error::NotRegularFile { path: path.to_path_buf(), kind: file_kind(&meta) }),
    };
    if blocking {
        set_blocking(&file).map_err(|e| Error::io(path, e.into()))?;
    }
    Ok((file, meta))
}

/// Clears `O_NONBLOCK`, so that reads of a pipe wait for the writer it has (one with no
/// writer still ends at once); a regular file reads the same either way.
fn set_blocking(file: &File) -> nix::Result<()> {
    use nix::fcntl::{FcntlArg, OFlag, fcntl};
    let flags = OFlag::from_bits_retain(fcntl(file, FcntlArg::F_GETFL)?);
    fcntl(file, FcntlArg::F_SETFL(flags - OFlag::O_NONBLOCK)).map(drop)
}

/// What a file that is not a regular file is, as an error names it.
fn file_kind(meta: &fs::Metadata) -> FileKind {
    let kind = meta.file_type();
    if kind.is_fifo() {
        FileKind::Fifo
    } else if kind.is_char_device() {
        FileKind::CharDevice
    } else if kind.is_block_device() {
        FileKind::BlockDevice
    } else if kind.is_socket() {
        FileKind::Socket
    } else if kind.is_dir() {
        FileKind::Directory
    } else if kind.is_symlink() {
        FileKind::Symlink
    } else {
        FileKind::Special
    }
}

/// Reads a whole file given by the user, refusing files larger than `max` bytes and
/// anything `expect` does not accept (a FIFO or device where a regular file belongs, a
/// directory); see [`open_input`]. `expect` also names the kind of file for errors.
///
/// # Errors
/// The file cannot be opened or read, is not of an accepted type, or is larger than `max`.
pub fn read_capped(path: &Path, max: u64, expect: impl Into<Expect>) -> Result<Vec<u8>> {
    let Expect { what, accept } = expect.into();
    let (file, meta) = open_input(path, accept)?;
    let too_large = |size| Error::TooLarge { path: path.to_path_buf(), what, size };
    if meta.len() > max {
        return Err(too_large(meta.len()));
    }
    let max = if meta.file_type().is_char_device() { max.min(MAX_DEVICE_READ) } else { max };
    let mut data = Vec::with_capacity(meta.len().min(max) as usize);
    let read = file.take(max + 1).read_to_end(&mut data);
    match read {
        Ok(_) => {}
        // A device with nothing to give now (a terminal nobody types on) ends the read:
        // waiting for it is the hang this avoids.
        Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
        Err(e) => return Err(Error::io(path, e)),
    }
    if data.len() as u64 > max {
        // A device that does not end (`/dev/zero`) is no file of any kind; a pipe has no
        // size, so what it gave is the best we can say.
        if meta.file_type().is_char_device() {
            return Err(Error::NotRegularFile { path: path.to_path_buf(), kind: file_kind(&meta) });
        }
        return Err(too_large(meta.len().max(data.len() as u64)));
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
    /// The path cannot be resolved (or goes through a link [`resolve_symlinks`] refuses),
    /// the directory cannot be locked, or the file is there but not a regular file.
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
            // rename(2) would put a regular file in the place of a device or FIFO (as
            // root, `/dev/null` itself): what is not a regular file is never replaced.
            Ok(meta) if !meta.is_file() => {
                return Err(Error::NotReplaceable { kind: file_kind(&meta), path });
            }
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

/// Replaces `path` (through symlinks, under the directory lock) with `contents`. This is
/// how key files are written, so a symlink whose target does not exist is refused rather
/// than created through: a key must not appear silently somewhere the user did not name
/// (ssh-keygen creates it; a link left dangling is more often stale than an intent).
///
/// # Errors
/// Any I/O error, or a dangling symlink; the original file is then untouched.
pub fn replace(path: &Path, contents: &[u8], mode: FileMode) -> Result<Option<ModeRepair>> {
    let update = Update::begin(path)?;
    if !update.exists() && update.path() != path {
        return Err(Error::DanglingSymlink { link: path.to_path_buf(), target: update.path.clone() });
    }
    let before = update.existing.as_ref().map(|meta| meta.permissions().mode() & 0o7777);
    let after = mode.resolve(update.existing.as_ref());
    let target = update.path.clone();
    update.commit(contents, mode, false)?;
    Ok(before.filter(|&from| from != after).map(|from| ModeRepair { path: target, from, to: after }))
}

/// An existing file whose mode [`replace`] changed: a private key others could read
/// ([`FileMode::Private`]). The caller says so; a mode is never changed silently.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModeRepair {
    /// The file whose mode changed (after symlinks).
    pub path: PathBuf,
    /// Its mode before.
    pub from: u32,
    /// Its mode now.
    pub to: u32,
}

/// Checks, without writing, that [`replace`] could write `path`: it is not a dangling
/// symlink, not a directory or special file, and its directory exists. A command that
/// writes several files (a key and its `.pub`) checks them all first, so that a refusal
/// never leaves half of them written.
///
/// # Errors
/// What [`replace`] would refuse, or a missing directory.
pub fn check_replaceable(path: &Path) -> Result<()> {
    let target = resolve_symlinks(path)?;
    match fs::metadata(&target) {
        Ok(meta) if meta.is_dir() => Err(Error::IsDirectory { path: path.to_path_buf() }),
        Ok(meta) if !meta.is_file() => Err(Error::NotReplaceable { kind: file_kind(&meta), path: target }),
        Ok(_) => Ok(()),
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(Error::io(&target, e)),
        Err(_) if target != path => Err(Error::DanglingSymlink { link: path.to_path_buf(), target }),
        Err(_) => fs::metadata(parent_dir(&target)).map(drop).map_err(|e| Error::io(&target, e)),
    }
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
    // The backup's name is replaced, never followed: only a regular file or a link there
    // is removed to make room.
    if let Ok(meta) = fs::symlink_metadata(&old)
        && !meta.is_file()
        && !meta.file_type().is_symlink()
    {
        return Err(Error::NotReplaceable { kind: file_kind(&meta), path: old });
    }
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
    fn a_fifo_without_a_writer_is_empty_where_a_pipe_is_accepted_and_refused_elsewhere() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::from_bits_truncate(0o600)).unwrap();
        let pipe = Expect { what: "a pipe", accept: Accept::Pipe };
        assert_eq!(read_capped(&fifo, 10, pipe).unwrap(), b"");
        for expect in [Expect::from("a file"), Expect { what: "kh", accept: Accept::CharDevice }] {
            let err = read_capped(&fifo, 10, expect).unwrap_err();
            assert_eq!(err.to_string(), format!("{}: not a regular file (a FIFO)", fifo.display()));
        }
    }

    #[test]
    fn a_character_device_is_read_only_where_accepted_and_never_endlessly() {
        let devices = Expect { what: "kh", accept: Accept::CharDevice };
        assert_eq!(read_capped(Path::new("/dev/null"), 10, devices).unwrap(), b"");
        let endless = read_capped(Path::new("/dev/zero"), u64::MAX - 1, devices).unwrap_err();
        assert_eq!(endless.to_string(), "/dev/zero: not a regular file (a character device)");
        let refused = read_capped(Path::new("/dev/null"), 10, "a file").unwrap_err();
        assert_eq!(refused.to_string(), "/dev/null: not a regular file (a character device)");
    }

    #[test]
    fn replace_does_not_create_a_file_through_a_dangling_link() {
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join("link");
        std::os::unix::fs::symlink("missing", &link).unwrap();
        let err = replace(&link, b"key", FileMode::Private).unwrap_err();
        assert!(matches!(err, Error::DanglingSymlink { .. }), "{err}");
        assert!(!dir.path().join("missing").exists());
        // An Update (known_hosts) still creates the file a link names.
        Update::begin(&link).unwrap().commit(b"kh", FileMode::KeepOr(0o600), false).unwrap();
        assert_eq!(fs::read(dir.path().join("missing")).unwrap(), b"kh");
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
