//! copy-id's remote side: targets and ssh_config, the SSH connection (russh) with
//! OpenSSH's host key checks and authentication order, the remote file system (SFTP or a
//! POSIX shell), and the installer that edits authorized_keys safely.

pub mod auth;
pub mod authorized_keys;
pub mod config;
pub mod copy_id;
pub mod fleet;
pub mod fs;
pub mod hostkey;
pub mod install;
pub mod inventory;
pub mod outcome;
pub mod scan;
pub mod session;
pub mod sh;
pub mod target;
pub mod terminal;
pub mod update_host_keys;

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

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use crate::error::{Error, Flood};

    /// A host's hint comes from its error's variant, through the errors that wrap it.
    #[test]
    fn hints_follow_the_variant_through_wrappers() {
        let cause =
            Error::TooMuchData { cap: 16 << 20, flood: Flood::File("/home/me/.ssh/authorized_keys".into()) };
        assert_eq!(cause.to_string(), "the server sent more than 16 MiB for /home/me/.ssh/authorized_keys");
        let write = Error::RemoteWrite { path: ".ssh/authorized_keys".into(), cause: Box::new(cause) };
        assert!(
            write
                .to_string()
                .starts_with("cannot write .ssh/authorized_keys: the server sent more than 16 MiB")
        );
        assert!(write.hint().is_some_and(|hint| hint.starts_with("look at that file on the server")));
        let flood = Error::TooMuchData { cap: 64 << 10, flood: Flood::ErrorOutput };
        assert_eq!(flood.to_string(), "the server sent more than 64 KiB of error output");
        assert_eq!(flood.hint(), None);
    }

    #[test]
    fn a_withheld_password_says_which_host_key_check_withheld_it() {
        let why = Error::HostKeyChanged { file: "/k h".into(), line: 3, host: "[h]:2222".into() };
        let withheld = Error::PasswordWithheld { who: "me@h".into(), why: Arc::new(why) };
        assert_eq!(
            withheld.to_string(),
            "me@h: permission denied: the password was not sent because the host key changed (/k h:3)"
        );
        let hint = withheld.hint().unwrap_or_default();
        assert!(hint.ends_with("`keywright known-hosts remove -f '/k h' '[h]:2222'`"), "{hint}");
    }

    #[test]
    fn a_declined_unknown_host_key_gets_no_advice() {
        let unknown = |declined| Error::UnknownHostKey {
            host: "h".into(),
            key_type: "ED25519".into(),
            fingerprint: "SHA256:x".into(),
            declined,
        };
        assert_eq!(unknown(true).hint(), None);
        assert!(unknown(false).hint().is_some_and(|hint| hint.contains("keywright known-hosts add h KEY")));
        assert_eq!(
            unknown(true).to_string(),
            "host key verification failed: h is not a known host (ED25519 SHA256:x)"
        );
    }
}
