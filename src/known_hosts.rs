//! known_hosts files: a lossless line model, host matching as OpenSSH does it (patterns,
//! negation, `[host]:port`, hashed `|1|salt|hmac` names, markers), the edits `hash`,
//! `add` and `remove`, and the audit rules.
//!
//! Format: sshd(8), SSH_KNOWN_HOSTS FILE FORMAT. Parsing follows OpenSSH's
//! `hostkeys_foreach` so that the lines OpenSSH accepts, skips or rejects are the same
//! here. ssh-key's own known_hosts parser drops comments and cannot match hosts, so it
//! is not used.

pub mod audit;
pub mod edit;
pub mod file;
pub mod host;
pub mod line;
pub mod openssh;
pub mod pattern;
pub mod report;
pub mod stream;
pub mod transaction;

pub use file::KnownHosts;
pub use host::HostQuery;
pub use line::{HostLine, Line, Marker};
