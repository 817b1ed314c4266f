//! keywright's errors in ssh-keygen's words: the reason OpenSSH's `ssh_err()` or
//! `strerror()` would give for the same failure, and the warning it prints first for a
//! key others may read.

use std::path::Path;

use crate::error::Error;
use crate::key::private::unprotected_warning;

use super::log;

/// Why an operation failed, as ssh-keygen would say it after its own words
/// (`Load key "KEY": …`). Failures OpenSSH has no words for keep keywright's.
pub fn reason(error: &anyhow::Error) -> String {
    let Some(known) = error.chain().find_map(|cause| cause.downcast_ref::<Error>()) else {
        return crate::error::describe_chain(error);
    };
    match known {
        Error::WrongPassphrase { .. } => "incorrect passphrase supplied to decrypt private key".into(),
        Error::UnprotectedKey { .. } => "bad permissions".into(),
        Error::Io { source, .. } | Error::CannotCreateTemp { source, .. } => strerror(source),
        Error::IsDirectory { .. } => "Is a directory".into(),
        // OpenSSL's words, which ssh-keygen passes on.
        Error::PassphraseTooShort { .. } => "passphrase is too short (minimum five characters)".into(),
        // OpenSSH hands anything it cannot parse to OpenSSL last, which gives up so.
        Error::BadPrivateKey { .. } | Error::PublicNotPrivate { .. } => "error in libcrypto".into(),
        other => without_path(&other.to_string()),
    }
}

/// The C library's words for an I/O error (`No such file or directory`).
pub fn strerror(error: &std::io::Error) -> String {
    let text = error.to_string();
    match text.find(" (os error") {
        Some(cut) => text[..cut].to_string(),
        None => text,
    }
}

/// keywright's message without the `PATH: ` it starts with (ssh-keygen names the file
/// in its own words before the reason).
fn without_path(message: &str) -> String {
    match message.split_once(": ") {
        Some((head, rest)) if head.starts_with('/') || !head.contains(' ') => rest.to_string(),
        _ => message.to_string(),
    }
}

/// Prints ssh-keygen's warning about a key others may read, when that is why loading
/// failed (it comes before the line saying the load failed).
pub fn warn_if_unprotected(error: &anyhow::Error) {
    if let Some(Error::UnprotectedKey { path, mode }) =
        error.chain().find_map(|cause| cause.downcast_ref::<Error>())
    {
        for line in unprotected_warning(path, *mode).lines() {
            log::line(line);
        }
    }
}

/// ssh-keygen's check that the file exists before loading it: `PATH: REASON`, exit 255.
pub fn stat(path: &Path) -> Result<(), std::process::ExitCode> {
    match std::fs::metadata(path) {
        Ok(_) => Ok(()),
        Err(e) => Err(log::fatal(&format!("{}: {}", path.display(), strerror(&e)))),
    }
}

/// Whether the error is writing a key file (ssh-keygen: `Saving key "KEY" failed: …`,
/// exit 1). Plain I/O errors count only when no key was read first (`new_key`): reading
/// an existing key fails with those too.
pub fn is_write_failure(error: &anyhow::Error, new_key: bool) -> bool {
    error.chain().find_map(|cause| cause.downcast_ref::<Error>()).is_some_and(|e| match e {
        Error::CannotCreateTemp { .. }
        | Error::NotReplaceable { .. }
        | Error::DanglingSymlink { .. }
        | Error::UntrustedSymlink { .. }
        | Error::PassphraseTooShort { .. } => true,
        Error::Io { .. } | Error::IsDirectory { .. } => new_key,
        _ => false,
    })
}

/// Whether the error is the two entries of a new passphrase differing (already said).
pub fn is_mismatch(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| matches!(cause.downcast_ref::<Error>(), Some(Error::PassphraseMismatch)))
}
