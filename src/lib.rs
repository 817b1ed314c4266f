//! keywright: SSH keys, `known_hosts` and copy-id in one tool, byte-compatible with OpenSSH.
//!
//! The library holds the model (keys, files, secrets) and the commands; the binary in
//! `main.rs` only parses arguments, runs one command and maps the result to an exit code.
//! The model never prints: commands print through the [`context::Context`] they are given.
// One audited exception: `secret::argv` overwrites passphrases in the process arguments.
#![deny(unsafe_code)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod authorized_keys;
pub mod cert;
pub mod cli;
pub mod commands;
pub mod context;
pub mod error;
pub mod front;
pub mod fsutil;
pub mod key;
pub mod known_hosts;
pub mod krl;
pub mod manpage;
pub mod parallel;
pub mod print;
pub mod remote;
pub mod report;
pub mod sanitize;
pub mod secret;
pub mod sig;

pub use error::{Error, Result};
