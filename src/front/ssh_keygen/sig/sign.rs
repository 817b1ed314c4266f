//! `-Y sign` through the native sign command: `Signing file F` and `Write signature to
//! F.sig` on stderr (`Signing data on standard input` and the signature on stdout for
//! standard input), 9.2's question before an existing `F.sig` is replaced (asked by the
//! command, as [`crate::secret::confirm`] asks in OpenSSH's dialogue), and its words for
//! each failure.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::super::errors::{reason, strerror};
use super::super::flags::Flags;
use super::super::log;
use super::{SigOptions, Takes};
use crate::cli::public::OldPassphraseArgs;
use crate::cli::sign::SignArgs;
use crate::context::Context;
use crate::error::{AgentState, Error};
use crate::fsutil;
use crate::print::Printer;
use crate::report::sign::{SignOutcome, Signed};

const TAKES: Takes = Takes { hashalg: true, verify_time: false, print_pubkey: false };

pub fn run(ctx: &Context, flags: &Flags, key: &Path, namespace: String) -> ExitCode {
    let operands = &flags.operands;
    if operands.len() > 1 && operands.iter().any(|f| f == "-") {
        return log::fatal("Cannot sign mix of paths and standard input");
    }
    let Ok(options) = SigOptions::read(flags, TAKES) else { return ExitCode::from(255) };
    let stdin = operands.is_empty() || operands[0] == "-";
    let files: Vec<PathBuf> = match stdin {
        true => vec![PathBuf::from("-")],
        false => operands.iter().map(PathBuf::from).collect(),
    };
    let args = SignArgs {
        key: key.to_string_lossy().into_owned(),
        namespace,
        options: options.hashalg.iter().map(|h| format!("hashalg={h}")).collect(),
        agent: flags.agent,
        // The command asks before an existing FILE.sig is replaced, in 9.2's words and
        // order (after the key is unlocked: see `Dialog::OpenSsh`).
        force: false,
        passphrase: OldPassphraseArgs {
            passphrase_file: None,
            old_passphrase: flags.passphrase.as_ref().and_then(|p| crate::secret::Given::parse(p).ok()),
        },
        quiet: true,
        files: files.clone(),
    };
    let first = files.first().cloned().unwrap_or_default();
    let printer = Printer::openssh(ctx, true);
    match crate::commands::sign::execute(ctx, &printer, &args) {
        Ok((signed, result)) => render(flags, &files, &signed, result.err()),
        Err(error) if is_hash_error(&error) => {
            let hash = options.hashalg.unwrap_or_default();
            announce(flags, &first);
            log::line(&format!("sshsig_check_hashalg: unsupported hash algorithm \"{hash}\""));
            log::line("sshsig_sign_fd: hash_file: signature algorithm not supported");
            log::fatal(&format!("Signing {} failed: signature algorithm not supported", name(&first)))
        }
        Err(error) => key_failure(flags, key, &files, &error),
    }
}

/// `Signing file F` (or `Signing data on standard input`), unless -q.
fn announce(flags: &Flags, path: &Path) {
    if flags.quiet {
        return;
    }
    let line = match path == Path::new("-") {
        true => b"Signing data on standard input\n".to_vec(),
        false => [b"Signing file ".as_slice(), path.as_os_str().as_encoded_bytes(), b"\n"].concat(),
    };
    write_stderr(&line);
}

/// Plain lines on stderr (`fprintf(stderr, …)`, not the log's `\r\n`).
fn write_stderr(bytes: &[u8]) {
    let _ = std::io::stdout().flush();
    let _ = std::io::stderr().write_all(bytes);
}

/// How 9.2 names an input in `Signing X failed`.
fn name(path: &Path) -> String {
    match path == Path::new("-") {
        true => "(stdin)".into(),
        false => path.display().to_string(),
    }
}

fn render(flags: &Flags, files: &[PathBuf], signed: &Signed, failure: Option<anyhow::Error>) -> ExitCode {
    let mut done = signed.files.iter();
    for path in files {
        let Some(result) = done.next() else {
            // The first input not in the report is the one that failed.
            return match failure {
                Some(error) => input_failure(flags, path, &error),
                None => ExitCode::SUCCESS,
            };
        };
        // 9.2 signs a file whose FILE.sig it then keeps, and says so.
        announce(flags, path);
        if result.outcome == SignOutcome::Declined {
            continue;
        }
        if let Some(armored) = &result.armored {
            let mut out = std::io::stdout().lock();
            let _ = out.write_all(armored.as_bytes()).and_then(|()| out.flush());
        } else if !flags.quiet
            && let Some(signature) = &result.signature
        {
            let line = [b"Write signature to ", signature.as_os_str().as_encoded_bytes(), b"\n"].concat();
            write_stderr(&line);
        }
    }
    ExitCode::SUCCESS
}

/// An input that could not be read or signed.
fn input_failure(flags: &Flags, path: &Path, error: &anyhow::Error) -> ExitCode {
    match error.chain().find_map(|cause| cause.downcast_ref::<Error>()) {
        Some(Error::Io { path: failed, source }) if failed == path => {
            log::fatal(&format!("Cannot open {} for signing: {}", path.display(), strerror(source)))
        }
        _ => {
            announce(flags, path);
            log::fatal(&format!("Signing {} failed: {}", name(path), reason(error)))
        }
    }
}

fn is_hash_error(error: &anyhow::Error) -> bool {
    matches!(
        error.chain().find_map(|cause| cause.downcast_ref::<Error>()),
        Some(Error::BadSignatureOption { option, .. }) if option.to_ascii_lowercase().starts_with("hashalg=")
    )
}

/// A key that cannot be used, in 9.2's words (all before anything is signed).
fn key_failure(flags: &Flags, key: &Path, files: &[PathBuf], error: &anyhow::Error) -> ExitCode {
    let shown = key.display();
    match error.chain().find_map(|cause| cause.downcast_ref::<Error>()) {
        Some(Error::AgentRequired { agent: AgentState::NotRunning, .. }) => {
            log::fatal("Couldn't get agent socket")
        }
        Some(Error::AgentRequired { agent: AgentState::LacksKey, .. }) => {
            log::fatal("Couldn't find key in agent")
        }
        Some(Error::NoPrivateKey { .. }) if is_public_name(key) => {
            log::fatal(&format!("No private key found for public key \"{shown}\""))
        }
        Some(Error::NoPrivateKey { .. }) => log::fatal(&format!("No private key found for \"{shown}\"")),
        Some(Error::WrongPassphrase { path }) => {
            log::fatal(&format!("Load key \"{}\": {}", path.display(), reason(error)))
        }
        Some(Error::Io { path, source }) if path == key => {
            log::fatal(&format!("Couldn't load public key {shown}: {}", strerror(source)))
        }
        Some(Error::Io { path, .. }) if files.contains(path) => input_failure(flags, path, error),
        Some(Error::NoPublicKey { .. } | Error::BadPrivateKey { .. }) => {
            let why = match fsutil::with_suffix(key, ".pub").exists() {
                true => "invalid format",
                false => "No such file or directory",
            };
            log::fatal(&format!("Couldn't load public key {shown}: {why}"))
        }
        _ => log::fatal(&format!("Couldn't load public key {shown}: {}", reason(error))),
    }
}

fn is_public_name(key: &Path) -> bool {
    let name = key.as_os_str().as_encoded_bytes();
    name.ends_with(b".pub")
}
