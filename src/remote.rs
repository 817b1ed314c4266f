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

use std::fmt;

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

/// Why one host failed: a message for the per-host result line, and a hint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub message: String,
    pub hint: Option<String>,
}

impl Failure {
    /// A failure with `message`.
    pub fn new(message: impl Into<String>) -> Self {
        Failure { message: message.into(), hint: None }
    }

    /// Adds what the user can do.
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Failure {}

/// `what: cause`, for errors from russh and the SFTP client.
pub fn fail(what: impl fmt::Display, cause: &dyn std::error::Error) -> Failure {
    Failure::new(format!("{what}: {}", describe(cause)))
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
