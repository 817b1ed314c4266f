//! Writing signature files, many per run: each one replaced atomically as every file
//! keywright writes (a temporary file beside it, renamed over it; symlinks followed to
//! their target; an existing file's mode kept, a new one 0666 less the umask as
//! ssh-keygen makes it; the directory locked against concurrent writers), its contents
//! on disk before its name points at them.
//!
//! What differs from the other files keywright writes, and why: fsync'ing each file and
//! its directory costs a journal commit each, about 0.5 ms on an idle ext4 and 10 ms or
//! more on a busy one, which for a thousand files (or for git signing one commit per
//! process) is far longer than the signing. A signature can be made again, unlike a key
//! or a known_hosts file, so signatures are made crash-consistent rather than durable at
//! exit: the staged files' data is flushed (an fsync for one file; one `syncfs` for
//! many, not one fsync each), then they are renamed into place, and the renames reach the
//! disk with the filesystem's next commit. After a crash, FILE.sig is the old signature,
//! or the new one whole, or (for a new file, in the seconds after signing) missing;
//! never empty or cut short. ssh-keygen writes signatures in place and flushes nothing.

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::Write;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::fsutil::{self, DirLock};

/// Staged files are committed at least this often, so that a run over a million files
/// holds a bounded number of temporary files; and no more often, since each commit
/// waits for a `syncfs` (10,000 certificates in windows of 1,024 took 40% longer than
/// in one, measured).
pub const MAX_STAGED: usize = 16384;

/// Signature files written in one go.
#[derive(Debug, Default)]
pub struct Batch {
    staged: Vec<Staged>,
    /// A lock per directory written to (with its absolute path), held until the files
    /// are in place.
    locks: BTreeMap<PathBuf, (PathBuf, DirLock)>,
    /// The mode a new file is created with, less the umask (0666 unless told).
    new_mode: Option<u32>,
}

#[derive(Debug)]
struct Staged {
    temp: tempfile::TempPath,
    target: PathBuf,
}

/// Inputs from this many files on are staged by more than one thread …
const FILES_PER_WORKER: usize = 32;
/// … by at most this many: creating a file mostly waits on the filesystem's locks and
/// journal, so more threads than cores still help (8 made 1,000 files twice as fast as
/// one on two cores, measured).
const MAX_WORKERS: usize = 8;

/// A signature file about to be staged: its directory (locked) and what is there now.
struct Slot {
    dir: PathBuf,
    target: PathBuf,
    existing: Option<fs::Metadata>,
    /// The mode the temporary file is created with.
    create_mode: u32,
}

impl Slot {
    /// The temporary file with `contents`, beside the target.
    fn create(&self, contents: &[u8]) -> Result<Staged> {
        let Self { dir, target, existing, create_mode } = self;
        let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let mut temp = tempfile::Builder::new()
            .prefix(&format!(".{name}."))
            .rand_bytes(6)
            .suffix(".tmp")
            .permissions(fs::Permissions::from_mode(*create_mode))
            .tempfile_in(dir)
            .map_err(|source| Error::CannotCreateTemp { path: target.clone(), dir: dir.clone(), source })?;
        let file = temp.as_file_mut();
        if let Some(meta) = existing {
            keep_owner(file, meta);
            let mode = meta.permissions().mode() & 0o7777;
            file.set_permissions(fs::Permissions::from_mode(mode)).map_err(|e| Error::io(target, e))?;
        }
        file.write_all(contents).map_err(|e| Error::io(target, e))?;
        Ok(Staged { temp: temp.into_temp_path(), target: target.clone() })
    }
}

impl Batch {
    /// An empty batch.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty batch whose new files are created with `mode` less the umask (a
    /// certificate 0644, as ssh-keygen creates it).
    pub fn with_new_mode(mode: u32) -> Self {
        Batch { new_mode: Some(mode), ..Self::default() }
    }

    /// How many files wait for [`Batch::commit`].
    pub fn len(&self) -> usize {
        self.staged.len()
    }

    /// Whether nothing waits.
    pub fn is_empty(&self) -> bool {
        self.staged.is_empty()
    }

    /// Writes `contents` for `path` into a temporary file beside its target (after
    /// symlinks); nothing is visible at `path` until [`Batch::commit`].
    ///
    /// # Errors
    /// What [`fsutil::replace`] refuses (a directory, a special file, a dangling link),
    /// or an I/O error.
    pub fn stage(&mut self, path: &Path, contents: &[u8]) -> Result<()> {
        let slot = self.slot(path)?;
        self.staged.push(slot.create(contents)?);
        Ok(())
    }

    /// [`Batch::stage`] for many files at once, in order, the temporary files created by
    /// several threads: creating a file (allocating its inode) is most of what a signature
    /// costs on ext4, and the kernel does it for several threads at once. Stops at the
    /// first file that cannot be staged: the files before it are staged, none after it.
    ///
    /// # Errors
    /// The first file's error ([`Batch::len`] tells how many were staged before it).
    pub fn stage_all(&mut self, files: &[(PathBuf, String)]) -> Result<()> {
        self.stage_made(files, |text, out| {
            out.extend_from_slice(text.as_bytes());
            Ok(())
        })
    }

    /// [`Batch::stage_all`] for files whose contents are still to be made: `make` writes
    /// the contents of each into the buffer it is given, on the thread that then creates
    /// the file, so that making them (signing a certificate) overlaps the kernel's work
    /// creating the others. An error from `make` stops the staging as a file that cannot
    /// be created does.
    ///
    /// # Errors
    /// The first file's error, from `make` or from creating it.
    pub fn stage_made<T: Sync>(
        &mut self,
        files: &[(PathBuf, T)],
        make: impl Fn(&T, &mut Vec<u8>) -> Result<()> + Sync,
    ) -> Result<()> {
        let mut slots = Vec::with_capacity(files.len());
        let mut first_error = None;
        for (path, _) in files {
            match self.slot(path) {
                Ok(slot) => slots.push(slot),
                Err(error) => {
                    first_error = Some(error);
                    break;
                }
            }
        }
        let workers = (slots.len() / FILES_PER_WORKER).clamp(1, MAX_WORKERS);
        let per_worker = slots.len().div_ceil(workers).max(1);
        let make = &make;
        let created: Vec<Result<Staged>> = std::thread::scope(|scope| {
            let handles: Vec<_> = slots
                .chunks(per_worker)
                .zip(files.chunks(per_worker))
                .map(|(slots, files)| {
                    scope.spawn(move || {
                        let mut contents = Vec::new();
                        let mut staged = Vec::with_capacity(slots.len());
                        for (slot, (_, item)) in slots.iter().zip(files) {
                            contents.clear();
                            let made = make(item, &mut contents).and_then(|()| slot.create(&contents));
                            let failed = made.is_err();
                            staged.push(made);
                            if failed {
                                break;
                            }
                        }
                        staged
                    })
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|handle| match handle.join() {
                    Ok(created) => created,
                    Err(panic) => std::panic::resume_unwind(panic),
                })
                .collect()
        });
        for staged in created {
            // The files created after a failed one are dropped, which removes them.
            self.staged.push(staged?);
        }
        first_error.map_or(Ok(()), Err)
    }

    /// Where `path`'s signature will be staged, its directory locked.
    fn slot(&mut self, path: &Path) -> Result<Slot> {
        let (target, existing) = target_of(path)?;
        let dir = self.locked_dir(&target)?;
        // A new file gets the batch's mode less the umask (a signature 0666, as
        // ssh-keygen creates it); an existing one keeps its mode exactly.
        let create_mode = if existing.is_some() { 0o600 } else { self.new_mode.unwrap_or(0o666) };
        Ok(Slot { dir, target, existing, create_mode })
    }

    /// The directory of `target`, absolute (so that temporary files are not named
    /// through the working directory again and again), locked on first use.
    fn locked_dir(&mut self, target: &Path) -> Result<PathBuf> {
        let dir = parent(target);
        if let Some((absolute, _)) = self.locks.get(dir) {
            return Ok(absolute.clone());
        }
        let lock = DirLock::acquire(dir)?;
        let absolute = std::path::absolute(dir).map_err(|e| Error::io(dir, e))?;
        self.locks.insert(dir.to_path_buf(), (absolute.clone(), lock));
        Ok(absolute)
    }

    /// Flushes every staged file's data, then puts each in place; the batch is emptied
    /// (its directory locks released).
    ///
    /// # Errors
    /// An I/O error; files already renamed stay in place, the others are removed.
    pub fn commit(&mut self) -> Result<()> {
        if self.staged.is_empty() {
            return Ok(());
        }
        self.sync_staged()?;
        for staged in self.staged.drain(..) {
            staged.temp.persist(&staged.target).map_err(|e| Error::io(&staged.target, e.error))?;
        }
        self.locks.clear();
        Ok(())
    }

    /// One file: its own fsync. More: one syncfs per filesystem they are on.
    fn sync_staged(&self) -> Result<()> {
        if let [only] = &self.staged[..] {
            let file = File::open(&only.temp).map_err(|e| Error::io(&only.target, e))?;
            return file.sync_all().map_err(|e| Error::io(&only.target, e));
        }
        let mut devices = Vec::new();
        for (dir, _) in self.locks.values() {
            let handle = File::open(dir).map_err(|e| Error::io(dir, e))?;
            let device = handle.metadata().map_err(|e| Error::io(dir, e))?.dev();
            if !devices.contains(&device) {
                devices.push(device);
                nix::unistd::syncfs(&handle).map_err(|e| Error::io(dir, e.into()))?;
            }
        }
        Ok(())
    }
}

/// Where a signature for `path` goes, and what is there now: one lstat in the usual
/// case (no file yet, or a regular file); a symlink is followed as every write follows
/// it, and anything else is refused as [`fsutil::replace`] refuses it.
fn target_of(path: &Path) -> Result<(PathBuf, Option<fs::Metadata>)> {
    match fs::symlink_metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok((path.to_path_buf(), None)),
        Err(e) => Err(Error::io(path, e)),
        Ok(meta) if meta.is_file() => Ok((path.to_path_buf(), Some(meta))),
        Ok(_) => {
            fsutil::check_replaceable(path)?;
            let target = fsutil::resolve_symlinks(path)?;
            let existing = fs::metadata(&target).ok();
            Ok((target, existing))
        }
    }
}

fn parent(path: &Path) -> &Path {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
}

/// A file rewritten by root on behalf of another user stays that user's (best effort,
/// as fsutil does for every file it replaces).
fn keep_owner(file: &File, meta: &fs::Metadata) {
    if meta.uid() != nix::unistd::geteuid().as_raw() || meta.gid() != nix::unistd::getegid().as_raw() {
        let _ = std::os::unix::fs::fchown(file, Some(meta.uid()), Some(meta.gid()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staged_files_appear_only_on_commit_with_modes_kept() {
        let dir = tempfile::tempdir().unwrap();
        let old = dir.path().join("old.sig");
        fs::write(&old, b"old").unwrap();
        fs::set_permissions(&old, fs::Permissions::from_mode(0o640)).unwrap();
        let new = dir.path().join("new.sig");
        let mut batch = Batch::new();
        batch.stage(&old, b"one").unwrap();
        batch.stage(&new, b"two").unwrap();
        assert_eq!(fs::read(&old).unwrap(), b"old");
        assert!(!new.exists());
        batch.commit().unwrap();
        assert_eq!((fs::read(&old).unwrap(), fs::read(&new).unwrap()), (b"one".to_vec(), b"two".to_vec()));
        assert_eq!(fs::metadata(&old).unwrap().permissions().mode() & 0o777, 0o640);
        let umask = nix::sys::stat::umask(nix::sys::stat::Mode::empty());
        nix::sys::stat::umask(umask);
        assert_eq!(fs::metadata(&new).unwrap().permissions().mode() & 0o777, 0o666 & !umask.bits());
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 2, "a temporary file was left");
    }

    /// Many files are staged by several threads, in order; the first that cannot be
    /// staged ends the batch with the files before it staged.
    #[test]
    fn many_files_stage_in_order_up_to_the_first_failure() {
        let dir = tempfile::tempdir().unwrap();
        let mut files: Vec<(PathBuf, String)> =
            (0..300).map(|i| (dir.path().join(format!("{i}.sig")), format!("signature {i}\n"))).collect();
        files.insert(200, (dir.path().join("missing/x.sig"), String::new()));
        let mut batch = Batch::new();
        assert!(batch.stage_all(&files).is_err());
        assert_eq!(batch.len(), 200);
        batch.commit().unwrap();
        for (i, (path, text)) in files.iter().enumerate() {
            match i < 200 {
                true => assert_eq!(&fs::read_to_string(path).unwrap(), text),
                false => assert!(!path.exists(), "{}", path.display()),
            }
        }
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 200, "a temporary file was left");
    }

    #[test]
    fn an_abandoned_batch_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let mut batch = Batch::new();
        batch.stage(&dir.path().join("a.sig"), b"x").unwrap();
        drop(batch);
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
