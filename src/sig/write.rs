//! Writing signature files, many per run: each one replaced atomically as every file
//! keywright writes (a temporary file beside it, renamed over it; symlinks followed to
//! their target; an existing file's mode kept, a new one 0644 as ssh-keygen makes it;
//! the directory locked against concurrent writers), but made durable together.
//!
//! Why together: fsync'ing each file and its directory costs a journal commit each, about
//! 0.5 ms on this machine's ext4 and far more on a busy disk, which for a thousand files
//! is longer than signing them. So the files are staged (written, not synced), then one
//! `syncfs` makes all of them durable, then they are renamed into place and each
//! directory is synced once. A single file is fsync'd on its own, which is cheaper than
//! flushing a whole filesystem. A crash before the renames leaves only temporary files
//! (removed by the next write in that directory), never a partial signature.

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::Write;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::fsutil::{self, DirLock};

/// The mode of a new signature file (ssh-keygen opens it 0666 under the usual umask).
const NEW_MODE: u32 = 0o644;
/// Staged files are committed at least this often, so that a run over a million files
/// holds a bounded number of temporary files.
pub const MAX_STAGED: usize = 1024;

/// Signature files written in one go.
#[derive(Debug, Default)]
pub struct Batch {
    staged: Vec<Staged>,
    /// A lock per directory written to, held until the files are in place.
    locks: BTreeMap<PathBuf, DirLock>,
}

#[derive(Debug)]
struct Staged {
    temp: tempfile::TempPath,
    target: PathBuf,
}

impl Batch {
    /// An empty batch.
    pub fn new() -> Self {
        Self::default()
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
        fsutil::check_replaceable(path)?;
        let target = fsutil::resolve_symlinks(path)?;
        let dir = parent(&target).to_path_buf();
        if !self.locks.contains_key(&dir) {
            let lock = DirLock::acquire(&dir)?;
            self.locks.insert(dir.clone(), lock);
        }
        let existing = fs::metadata(&target).ok();
        let mode = existing.as_ref().map_or(NEW_MODE, |meta| meta.permissions().mode() & 0o7777);
        let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let mut temp = tempfile::Builder::new()
            .prefix(&format!(".{name}."))
            .rand_bytes(6)
            .suffix(".tmp")
            .permissions(fs::Permissions::from_mode(0o600))
            .tempfile_in(&dir)
            .map_err(|source| Error::CannotCreateTemp { path: target.clone(), dir: dir.clone(), source })?;
        let file = temp.as_file_mut();
        keep_owner(file, existing.as_ref());
        file.set_permissions(fs::Permissions::from_mode(mode)).map_err(|e| Error::io(&target, e))?;
        file.write_all(contents).map_err(|e| Error::io(&target, e))?;
        self.staged.push(Staged { temp: temp.into_temp_path(), target });
        Ok(())
    }

    /// Makes every staged file durable, then puts each in place; returns the batch
    /// emptied (its directory locks released).
    ///
    /// # Errors
    /// An I/O error; files already renamed stay in place, the others are removed.
    pub fn commit(&mut self) -> Result<()> {
        if self.staged.is_empty() {
            return Ok(());
        }
        self.sync_staged()?;
        let mut dirs = Vec::new();
        for staged in self.staged.drain(..) {
            let dir = parent(&staged.target).to_path_buf();
            staged.temp.persist(&staged.target).map_err(|e| Error::io(&staged.target, e.error))?;
            if !dirs.contains(&dir) {
                dirs.push(dir);
            }
        }
        for dir in dirs {
            File::open(&dir).and_then(|handle| handle.sync_all()).map_err(|e| Error::io(&dir, e))?;
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
        for dir in self.locks.keys() {
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

fn parent(path: &Path) -> &Path {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
}

/// A file rewritten by root on behalf of another user stays that user's (best effort,
/// as fsutil does for every file it replaces).
fn keep_owner(file: &File, existing: Option<&fs::Metadata>) {
    let Some(meta) = existing else { return };
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
        assert_eq!(fs::metadata(&new).unwrap().permissions().mode() & 0o777, NEW_MODE);
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 2, "a temporary file was left");
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
