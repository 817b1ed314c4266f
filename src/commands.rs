//! The commands: each reads its options, calls the model and prints. One module each.

use anyhow::Result;
use ssh_key::PrivateKey;

use crate::cli::Command;
use crate::context::Context;
use crate::key::PrivateKeyFile;
use crate::secret;

pub mod comment;
pub mod completions;
pub mod copy_id;
pub mod fingerprint;
pub mod generate;
pub mod known_hosts;
pub mod man;
pub mod passphrase;
pub mod public;

/// How a command that did not fail ended; `main` maps it to the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Exit 0.
    Success,
    /// Exit 1: a clean negative answer (declined, not found, findings).
    Negative,
    /// Exit 2: errors happened and were reported as they happened.
    Failed,
}

/// Runs one command.
///
/// # Errors
/// Whatever the command failed with; `main` prints it and exits 2.
pub fn run(ctx: &Context, command: Command) -> Result<Status> {
    match command {
        Command::Generate(args) => generate::run(ctx, args),
        Command::Fingerprint(args) => fingerprint::run(ctx, args),
        Command::Public(args) => public::run(ctx, args),
        Command::Passphrase(args) => passphrase::run(ctx, args),
        Command::Comment(args) => comment::run(ctx, args),
        Command::KnownHosts(args) => known_hosts::run(ctx, args),
        Command::CopyId(args) => copy_id::run(ctx, args),
        Command::Completions(args) => completions::run(args),
        Command::Man(args) => man::run(ctx, args),
    }
}

/// Decrypts a private key, asking for the passphrase only if it has one. The passphrase
/// is returned too, for commands that save the key with it again.
fn unlock(
    ctx: &Context,
    file: &PrivateKeyFile,
    source: &secret::Source,
    prompt: &str,
) -> crate::Result<(PrivateKey, Option<secret::Secret>)> {
    if !file.is_encrypted() {
        return Ok((file.decrypt(None)?, None));
    }
    let subject = file.path().display().to_string();
    let passphrase = secret::existing(ctx, source, prompt, &subject)?;
    Ok((file.decrypt(Some(&passphrase))?, Some(passphrase)))
}
