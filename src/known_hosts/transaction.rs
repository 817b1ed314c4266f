//! One known_hosts transaction: lock the file's directory, read the file, let an edit
//! decide, write its result. Every command that changes a known_hosts file (`hash`,
//! `remove`, `add`, copy-id learning a host key) goes through [`transaction`], so none of
//! them can read outside the lock or write what another run changed meanwhile.

use std::path::{Path, PathBuf};

use super::KnownHosts;
use super::edit::Rewrite;
use super::file::MAX_FILE;
use crate::error::{Error, Result};
use crate::fsutil::{FileMode, Update, with_suffix};

/// What to do when the file does not exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IfMissing {
    /// Fail: there is nothing to edit (`hash`, `remove`).
    Fail,
    /// Edit an empty file, created when written (`add`, learning a host key).
    Empty,
}

/// The new contents an edit wants written.
#[derive(Debug)]
pub enum Contents<'f> {
    /// Spans of the file as read and new bytes ([`Rewrite`]), for edits of a few lines.
    Rewrite(Rewrite<'f>),
    /// The whole file.
    Bytes(Vec<u8>),
}

/// How the edit wants the file written.
#[derive(Debug)]
pub struct Write<'f> {
    pub contents: Contents<'f>,
    /// The mode of the file (an existing file keeps its own with [`FileMode::KeepOr`]).
    pub mode: FileMode,
    /// Keep the previous contents as `FILE.old`, as `ssh-keygen -R/-H` do.
    pub backup: bool,
}

impl<'f> Write<'f> {
    /// A rewrite as `ssh-keygen -H` and `-R` make it: the file keeps its mode (0600 when
    /// new) and its previous contents stay as `FILE.old`.
    pub fn with_backup(content: Rewrite<'f>) -> Self {
        Write { contents: Contents::Rewrite(content), mode: FileMode::KeepOr(0o600), backup: true }
    }
}

/// An edit's decision: its result, and what to write, if anything.
#[derive(Debug)]
pub struct Edited<'f, T> {
    pub value: T,
    pub write: Option<Write<'f>>,
}

impl<'f, T> Edited<'f, T> {
    /// Nothing to write.
    pub fn unchanged(value: T) -> Self {
        Edited { value, write: None }
    }

    /// Writes `write`.
    pub fn write(value: T, write: Write<'f>) -> Self {
        Edited { value, write: Some(write) }
    }
}

/// How a transaction ended: the edit's result, and where the file was written.
#[derive(Debug)]
pub struct Done<T> {
    pub value: T,
    pub written: Option<Written>,
}

/// Where a transaction wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    /// The file replaced (after symlinks).
    pub path: PathBuf,
    /// The backup of the previous contents, when one was made. It is made beside the file
    /// a link points to, and named as it is.
    pub backup: Option<PathBuf>,
}

/// Locks `path`'s directory, reads the file, runs `edit` on it and writes what the edit
/// asks for, all under the lock. The edit sees the file under the name given (`path`,
/// not the symlink's target), so its messages name what the user named.
///
/// # Errors
/// The file cannot be locked, read or written, is missing under [`IfMissing::Fail`], or
/// the edit failed; nothing is written then.
pub fn transaction<T>(
    path: &Path,
    if_missing: IfMissing,
    edit: impl for<'f> FnOnce(&'f KnownHosts) -> Result<Edited<'f, T>>,
) -> Result<Done<T>> {
    let update = Update::begin(path)?;
    let data = match (update.read(MAX_FILE, "a known_hosts file")?, if_missing) {
        (Some(data), _) => data,
        (None, IfMissing::Empty) => Vec::new(),
        (None, IfMissing::Fail) => {
            return Err(Error::io(path, std::io::Error::from(std::io::ErrorKind::NotFound)));
        }
    };
    let existed = update.exists();
    let file = KnownHosts::from_bytes(path, data);
    let Edited { value, write } = edit(&file)?;
    let Some(write) = write else { return Ok(Done { value, written: None }) };
    let backup = (write.backup && existed).then(|| with_suffix(update.path(), ".old"));
    let target = update.path().to_path_buf();
    match &write.contents {
        Contents::Rewrite(rewrite) => update.commit_parts(&rewrite.parts(), write.mode, write.backup)?,
        Contents::Bytes(bytes) => update.commit(bytes, write.mode, write.backup)?,
    }
    Ok(Done { value, written: Some(Written { path: target, backup }) })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn append(value: &'static str) -> impl for<'f> FnOnce(&'f KnownHosts) -> Result<Edited<'f, usize>> {
        move |file| {
            let mut bytes = file.data().to_vec();
            bytes.extend_from_slice(value.as_bytes());
            let write =
                Write { contents: Contents::Bytes(bytes), mode: FileMode::KeepOr(0o600), backup: true };
            Ok(Edited::write(file.data().len(), write))
        }
    }

    #[test]
    fn a_missing_file_fails_or_reads_as_empty() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kh");
        let missing = transaction(&path, IfMissing::Fail, append("a\n")).unwrap_err();
        assert!(matches!(missing, Error::Io { path: ref p, .. } if *p == path));
        assert!(!path.exists());
        let done = transaction(&path, IfMissing::Empty, append("a\n")).unwrap();
        // A file that did not exist has no previous contents to keep.
        assert_eq!(done.written, Some(Written { path: path.clone(), backup: None }));
        assert_eq!(std::fs::read(&path).unwrap(), b"a\n");
    }

    #[test]
    fn the_edit_decides_whether_to_write_and_back_up() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kh");
        std::fs::write(&path, "a\n").unwrap();
        let unchanged = transaction(&path, IfMissing::Fail, |file| Ok(Edited::unchanged(file.data().len())));
        assert_eq!(unchanged.unwrap().written, None);
        assert!(!dir.path().join("kh.old").exists());
        let done = transaction(&path, IfMissing::Fail, append("b\n")).unwrap();
        assert_eq!(done.value, 2);
        assert_eq!(done.written.unwrap().backup, Some(dir.path().join("kh.old")));
        assert_eq!(std::fs::read(dir.path().join("kh.old")).unwrap(), b"a\n");
        assert_eq!(std::fs::read(&path).unwrap(), b"a\nb\n");
        let failed = transaction(&path, IfMissing::Fail, |_| -> Result<Edited<'_, ()>> {
            Err(Error::UnknownKeyType { given: "x".into() })
        });
        assert!(failed.is_err());
        assert_eq!(std::fs::read(&path).unwrap(), b"a\nb\n");
    }
}
