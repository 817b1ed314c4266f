//! copy-id's remote side: targets and ssh_config, the SSH connection (russh) with
//! OpenSSH's host key checks and authentication order, the remote file system (SFTP or a
//! POSIX shell), and the installer that edits authorized_keys safely.

pub mod auth;
pub mod config;
pub mod copy_id;
pub mod fs;
pub mod hostkey;
pub mod install;
pub mod session;
pub mod sh;
pub mod target;
pub mod terminal;

use crate::error::Error;

/// How the remote file is reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// SFTP when the server offers it, else a POSIX shell.
    Auto,
    /// SFTP only.
    Sftp,
    /// A POSIX shell command only (sh -c), as ssh-copy-id does.
    Shell,
}

/// An SSH operation that failed, with what russh said.
pub fn fail(what: &'static str, cause: &dyn std::error::Error) -> Error {
    Error::Ssh { what, cause: describe(cause) }
}

/// An SFTP request on `path` that failed, with what the client or server said.
pub fn sftp_fail(op: &'static str, path: &str, cause: &dyn std::error::Error) -> Error {
    Error::Sftp { op, path: path.to_string(), cause: describe(cause) }
}

/// An error's text without its Rust-ish capitalisation and source chain duplication.
/// It may hold what the server said (a disconnect reason, an SFTP status message), so
/// it is escaped and capped like all server text.
fn describe(cause: &dyn std::error::Error) -> String {
    let text = crate::sanitize::server_line(cause.to_string().as_bytes(), fs::MAX_MESSAGE);
    let mut chars = text.chars();
    match chars.next() {
        Some(first) if !text.starts_with("SSH") && !text.starts_with("I/O") => {
            first.to_lowercase().chain(chars).collect()
        }
        _ => text,
    }
}
