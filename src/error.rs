//! The library's error type: what went wrong, where, and what the user can do about it.

use std::io;
use std::path::{Path, PathBuf};

use crate::context::NoPrompt;

/// Result with the library's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything the model can fail with. Messages are lower-case, name the file (and line
/// where there is one) and carry no trailing period; [`Error::hint`] says what to do.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file could not be read, written or created.
    #[error("{}: {}", path.display(), describe_io(source))]
    Io { path: PathBuf, source: io::Error },

    /// A file could not be written because no file can be created beside it: every write
    /// goes through a temporary file in the same directory, renamed over the file.
    #[error("{}: cannot create a temporary file in {} to write it: {}", path.display(), dir.display(), describe_io(source))]
    CannotCreateTemp { path: PathBuf, dir: PathBuf, source: io::Error },

    /// A path that must be a regular file is something else.
    #[error("{}: is a directory, not a file", path.display())]
    IsDirectory { path: PathBuf },

    /// A file given to read is a FIFO, device or socket where a regular file belongs.
    #[error("{}: not a regular file ({kind})", path.display())]
    NotRegularFile { path: PathBuf, kind: &'static str },

    /// A file to rewrite is a FIFO, device or socket: renaming a new file over it would
    /// destroy it (`/dev/null` made a regular file, when run as root).
    #[error("{}: not a regular file ({kind}); not replacing it", path.display())]
    NotReplaceable { path: PathBuf, kind: &'static str },

    /// A symlink someone else may have planted in a sticky world-writable directory
    /// (the kernel's `protected_symlinks` rule).
    #[error("{}: not following this symlink: it is in {}, a sticky world-writable directory, and belongs to neither you nor the directory's owner", link.display(), dir.display())]
    UntrustedSymlink { link: PathBuf, dir: PathBuf },

    /// A new key file would be created through a symlink whose target does not exist.
    #[error("{}: is a symlink to {}, which does not exist; not creating a key file through it", link.display(), target.display())]
    DanglingSymlink { link: PathBuf, target: PathBuf },

    /// A file is larger than any file of its kind could be.
    #[error("{}: too large to be {what} ({size} bytes)", path.display())]
    TooLarge { path: PathBuf, what: &'static str, size: u64 },

    /// No key could be read from a file that should hold one or more.
    #[error("{}: no public key found{}", path.display(), describe_first_bad_line(first_bad_line))]
    NoPublicKey { path: PathBuf, first_bad_line: Option<(usize, &'static str)> },

    /// Nothing was named and the user has no keys yet to show.
    #[error("no FILE given, and there are no keys yet (no ~/.ssh/id_*.pub)")]
    NoKeysYet,

    /// A private key was expected and a public key was given.
    #[error("{}: is a public key, not a private key", path.display())]
    PublicNotPrivate { path: PathBuf },

    /// A private key file is damaged or in a format we do not read.
    #[error("{}: {reason}", path.display())]
    BadPrivateKey { path: PathBuf, reason: String },

    /// An encrypted PKCS#8 file asks its KDF for more memory or work than we allow.
    #[error("{}: encrypted PKCS#8 key refused: {reason}", path.display())]
    ExcessiveKdf { path: PathBuf, reason: String },

    /// The public half of an encrypted legacy PEM key is inside the encryption.
    #[error("{}: an encrypted PEM key shows its public key only with the passphrase", path.display())]
    PublicKeyLocked { path: PathBuf },

    /// A private key type we recognise but do not handle.
    #[error("{}: {what} are not supported", path.display())]
    UnsupportedPrivateKey { path: PathBuf, what: UnsupportedKey },

    /// A private key others may read; ssh and ssh-keygen refuse it, and a front that
    /// mimics ssh-keygen refuses it too (the native commands only warn).
    #[error("{}: UNPROTECTED PRIVATE KEY FILE: its mode {mode:04o} lets others access it, so ssh and ssh-keygen ignore it", path.display())]
    UnprotectedKey { path: PathBuf, mode: u32 },

    /// The passphrase did not decrypt the key.
    #[error("{}: incorrect passphrase", path.display())]
    WrongPassphrase { path: PathBuf },

    /// A secret or answer is needed but may not be asked: batch mode, or no terminal.
    #[error("{subject}: {what} is needed, but {}", match why {
        NoPrompt::Batch => "batch mode forbids asking for it",
        NoPrompt::NoTerminal => "there is no terminal to ask on",
    })]
    NoTerminal { what: &'static str, subject: String, why: NoPrompt },

    /// The two entries of a new passphrase differed.
    #[error("passphrases do not match")]
    PassphraseMismatch,

    /// A passphrase file could not be used.
    #[error("{}: cannot use as passphrase file: {reason}", path.display())]
    BadPassphraseFile { path: PathBuf, reason: String },

    /// An output file exists and may not be replaced.
    #[error("{}: already exists", path.display())]
    Exists { path: PathBuf },

    /// A key parameter is out of range.
    #[error("{0}")]
    InvalidKeySpec(String),

    /// An action refused for safety, with what to do instead.
    #[error("{what}")]
    Refused { what: String, hint: String },

    /// An ssh option (from -o or the config) that cannot be used.
    #[error("{option}: {reason}")]
    InvalidOption { option: String, reason: String },

    /// A host name or port given on the command line is malformed.
    #[error("{host}: not a valid host: {reason}")]
    InvalidHost { host: String, reason: String },

    /// Generating or encrypting a key failed inside the crypto library.
    #[error("{what}: {reason}")]
    Crypto { what: &'static str, reason: String },

    // Keys (generate, comment, the key reader, copy-id's keys).
    /// An RSA size below the minimum we make.
    #[error("RSA keys of {bits} bits are too weak: the minimum is {min} bits")]
    RsaTooWeak { bits: u32, min: u32 },

    /// An RSA size above OpenSSH's maximum.
    #[error("RSA keys of {bits} bits are too large: the maximum is {max} bits")]
    RsaTooLarge { bits: u32, max: u32 },

    /// An ECDSA size that is no NIST curve.
    #[error("ECDSA keys of {bits} bits do not exist: valid sizes are 256, 384 or 521 bits")]
    NoSuchEcdsaSize { bits: u32 },

    /// A comment that would break the one line a key is.
    #[error("{what} holds {breaker}; one key is one line, so nothing was written")]
    NotOneLine { what: CommentOf, breaker: LineBreak },

    /// copy-id was given no key and found none to install.
    #[error("no keys to install: no -i, no ssh-agent keys, and no ~/.ssh/id_*.pub")]
    NoKeysToInstall,

    /// A key line with authorized_keys options or known_hosts names before the key:
    /// installed as it is, a restricted key would lose its restrictions.
    #[error("{}:{line}: the key has options or host names before it", path.display())]
    KeyHasOptions { path: PathBuf, line: usize },
}

/// A kind of private key we recognise but do not read; each has its own way out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnsupportedKey {
    Putty,
    SshCom,
    Dsa,
    /// Legacy PEM encrypted with something other than AES-128-CBC, which OpenSSH writes.
    PemCipher,
}

impl std::fmt::Display for UnsupportedKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            UnsupportedKey::Putty => "PuTTY private keys",
            UnsupportedKey::SshCom => "SSH.COM private keys",
            UnsupportedKey::Dsa => "DSA private keys",
            UnsupportedKey::PemCipher => "PEM keys encrypted with a cipher other than AES-128-CBC",
        })
    }
}

impl UnsupportedKey {
    /// How to turn such a key into one we read.
    pub fn hint(self) -> &'static str {
        match self {
            UnsupportedKey::Putty => "convert it first: puttygen KEY -O private-openssh -o KEY.openssh",
            UnsupportedKey::SshCom => "convert it first: ssh-keygen -i -f KEY > KEY.openssh",
            UnsupportedKey::Dsa => {
                "DSA keys are obsolete (OpenSSH 10 removed them); make a new key with `keywright generate`"
            }
            UnsupportedKey::PemCipher => {
                "convert it first: ssh-keygen -p -f KEY rewrites it in OpenSSH's format"
            }
        }
    }
}

/// Whose comment [`Error::NotOneLine`] refuses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommentOf {
    /// The comment given on the command line.
    Argument,
    /// The comment of the key on a line of a file.
    KeyLine { path: PathBuf, line: usize },
    /// The comment of the agent's key number `number` (from 1).
    AgentKey { number: usize },
}

impl std::fmt::Display for CommentOf {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CommentOf::Argument => f.write_str("the comment"),
            CommentOf::KeyLine { path, line } => {
                write!(f, "{}:{line}: the comment of the key", path.display())
            }
            CommentOf::AgentKey { number } => write!(f, "the comment of the agent's key {number}"),
        }
    }
}

/// What breaks a line in text that must stay one line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineBreak {
    Newline,
    CarriageReturn,
    Nul,
}

impl std::fmt::Display for LineBreak {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            LineBreak::Newline => "a newline",
            LineBreak::CarriageReturn => "a carriage return",
            LineBreak::Nul => "a NUL byte",
        })
    }
}

impl Error {
    /// Builds an [`Error::Io`] for `path`.
    pub fn io(path: impl AsRef<Path>, source: io::Error) -> Self {
        Error::Io { path: path.as_ref().to_path_buf(), source }
    }

    /// What the user can do about this error, when there is something.
    pub fn hint(&self) -> Option<String> {
        let hint = match self {
            Error::Refused { hint, .. } => return Some(hint.clone()),
            Error::Io { source, .. } if source.kind() == io::ErrorKind::NotFound => "check the path",
            Error::Io { source, .. } | Error::CannotCreateTemp { source, .. }
                if matches!(
                    source.kind(),
                    io::ErrorKind::StorageFull | io::ErrorKind::FileTooLarge | io::ErrorKind::QuotaExceeded
                ) =>
            {
                "free some space (or raise the file size limit) and run it again; no file was changed"
            }
            Error::Io { source, .. } if source.kind() == io::ErrorKind::PermissionDenied => {
                "check the file's owner and mode (ls -l)"
            }
            Error::CannotCreateTemp { dir, source, .. }
                if source.kind() == io::ErrorKind::PermissionDenied =>
            {
                return Some(format!(
                    "the file is replaced through a new one beside it, so {0} must be writable: check its owner and mode (ls -ld {0})",
                    dir.display()
                ));
            }
            Error::NoPublicKey { .. } => {
                "expected OpenSSH public keys (type base64 [comment]), authorized_keys or known_hosts lines, or a private key"
            }
            Error::BadPrivateKey { .. } => {
                "expected an OpenSSH, PEM or PKCS#8 private key; if this is one, it is damaged: restore it from a backup"
            }
            Error::NoKeysYet => "make one with `keywright generate`, or name a key file",
            Error::PublicNotPrivate { .. } => "give the private key file, the one without .pub",
            Error::ExcessiveKdf { .. } => {
                "re-encrypt it with OpenSSL's defaults (openssl pkcs8 -topk8 -v2 aes-256-cbc) where it was made"
            }
            Error::WrongPassphrase { .. } => "try again; the passphrase is case-sensitive",
            Error::NoTerminal { what, why, .. } => return Some(no_terminal_hint(what, *why)),
            Error::PublicKeyLocked { path } => {
                return Some(format!(
                    "run `keywright public -f {0} > {0}.pub` once; the .pub beside a key is read instead",
                    path.display()
                ));
            }
            Error::UnprotectedKey { path, .. } => {
                return Some(format!("chmod go-rwx {}", path.display()));
            }
            Error::PassphraseMismatch => "type the same passphrase twice",
            Error::Exists { .. } => "use --force to overwrite it, or -f to choose another file",
            Error::UnsupportedPrivateKey { what, .. } => what.hint(),
            Error::NotOneLine { .. } => "give it without line breaks or NUL bytes",
            Error::NoKeysToInstall => "make a key with `keywright generate`, or name one with -i",
            Error::KeyHasOptions { .. } => {
                "give a public key file (type base64 comment); copy-id installs keys without options"
            }
            Error::IsDirectory { .. } => "give the path of a file inside it",
            Error::NotRegularFile { kind, .. } if kind.ends_with("FIFO") => {
                "reading a FIFO waits for a writer that may never come; save the data to a file and give its path"
            }
            Error::NotRegularFile { .. } => "give the path of a regular file",
            Error::NotReplaceable { .. } => {
                "the file is rewritten by renaming a new one over it, which would destroy this one; give the path of a regular file"
            }
            Error::UntrustedSymlink { .. } => {
                "anyone can plant a link there; if you trust its target, give the target's path instead"
            }
            Error::DanglingSymlink { target, .. } => {
                return Some(format!(
                    "if the key belongs at the link's target, give that path (-f {}); otherwise remove the link",
                    target.display()
                ));
            }
            _ => return None,
        };
        Some(hint.to_string())
    }
}

/// What to do instead of answering a prompt: a new key may also have no passphrase.
fn no_terminal_hint(what: &str, why: NoPrompt) -> String {
    let no_passphrase = match what == crate::secret::NEW_PASSPHRASE {
        true => ", or --no-passphrase for a key without one",
        false => "",
    };
    let otherwise = match why {
        NoPrompt::Batch if no_passphrase.is_empty() => ", or leave batch mode to be asked",
        NoPrompt::Batch => "",
        NoPrompt::NoTerminal => ", or run it in a terminal",
    };
    format!("use --passphrase-file FILE (or - for stdin){no_passphrase}{otherwise}")
}

/// io::Error's Display adds "(os error N)"; users need only the reason.
pub(crate) fn describe_io(err: &io::Error) -> String {
    let text = err.to_string();
    match text.find(" (os error") {
        Some(cut) => text[..cut].to_lowercase(),
        None => text,
    }
}

fn describe_first_bad_line(line: &Option<(usize, &'static str)>) -> String {
    match line {
        Some((n, why)) => format!(" (line {n}: {why})"),
        None => " (the file has no key lines)".to_string(),
    }
}

/// The causes of an error joined by ": ", skipping a cause whose text the previous one
/// already contains (anyhow contexts often repeat their source).
pub fn describe_chain(error: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in error.chain() {
        let part = cause.to_string();
        let part = part.find(" (os error").map_or(part.as_str(), |cut| &part[..cut]);
        if !text.to_lowercase().contains(&part.to_lowercase()) {
            if !text.is_empty() {
                text.push_str(": ");
            }
            text.push_str(part);
        }
    }
    text
}

/// The first hint any cause of `error` offers.
pub fn find_hint(error: &anyhow::Error) -> Option<String> {
    error.chain().find_map(|cause| cause.downcast_ref::<Error>().and_then(Error::hint))
}

/// Whether `error` is a closed stdout (`keywright … | head`), which ends a run quietly.
pub fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error
        .chain()
        .any(|cause| cause.downcast_ref::<io::Error>().is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_directory_without_write_access_is_named_with_the_file() {
        let denied = Error::CannotCreateTemp {
            path: "ro/kh".into(),
            dir: "ro".into(),
            source: io::Error::from(io::ErrorKind::PermissionDenied),
        };
        assert_eq!(
            denied.to_string(),
            "ro/kh: cannot create a temporary file in ro to write it: permission denied"
        );
        assert!(
            denied
                .hint()
                .is_some_and(|hint| hint.contains("ro must be writable") && hint.ends_with("(ls -ld ro)"))
        );
        let full = Error::CannotCreateTemp {
            path: "kh".into(),
            dir: ".".into(),
            source: io::Error::from(io::ErrorKind::StorageFull),
        };
        assert!(full.hint().is_some_and(|hint| hint.starts_with("free some space")));
    }
}
