//! `-Y sign` through the native sign command: `Signing file F` and `Write signature to
//! F.sig` on stderr (`Signing data on standard input` and the signature on stdout for
//! standard input), 9.2's question before an existing `F.sig` is replaced (on stdout,
//! the answer from stdin, anything but y a no), and its words for each failure.

use std::io::{Read, Write};
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
use crate::report::sign::Signed;

const TAKES: Takes = Takes { hashalg: true, verify_time: false, print_pubkey: false };

/// One operand, in order.
struct Operand {
    path: PathBuf,
    /// Whether its signature is written (no FILE.sig, or a yes to the question).
    accepted: bool,
}

pub fn run(ctx: &Context, flags: &Flags, key: &Path, namespace: String) -> ExitCode {
    let operands = &flags.operands;
    if operands.len() > 1 && operands.iter().any(|f| f == "-") {
        return log::fatal("Cannot sign mix of paths and standard input");
    }
    let Ok(options) = SigOptions::read(flags, TAKES) else { return ExitCode::from(255) };
    let stdin = operands.is_empty() || operands[0] == "-";
    let files = match stdin {
        true => vec![Operand { path: PathBuf::from("-"), accepted: true }],
        false => operands.iter().map(|f| ask_overwrite(PathBuf::from(f))).collect(),
    };
    let accepted: Vec<PathBuf> = files.iter().filter(|f| f.accepted).map(|f| f.path.clone()).collect();
    let args = SignArgs {
        key: key.to_string_lossy().into_owned(),
        namespace,
        options: options.hashalg.iter().map(|h| format!("hashalg={h}")).collect(),
        agent: flags.agent,
        // The answers were asked for here, in 9.2's words.
        force: true,
        passphrase: OldPassphraseArgs {
            passphrase_file: None,
            old_passphrase: flags.passphrase.as_ref().and_then(|p| crate::secret::Given::parse(p).ok()),
        },
        quiet: true,
        files: accepted.clone(),
    };
    let first = files.first().map(|f| f.path.clone()).unwrap_or_default();
    if accepted.is_empty() {
        // Nothing to write: 9.2 still loads the key and signs, and says so.
        return declined_only(flags, &files);
    }
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

/// 9.2's `confirm_overwrite`: asked only when FILE.sig exists; the answer is the first
/// two bytes of a line read from stdin.
fn ask_overwrite(path: PathBuf) -> Operand {
    let signature = fsutil::with_suffix(&path, ".sig");
    if std::fs::metadata(&signature).is_err() {
        return Operand { path, accepted: true };
    }
    let mut out = std::io::stdout().lock();
    let mut question = signature.as_os_str().as_encoded_bytes().to_vec();
    question.extend_from_slice(b" already exists.\nOverwrite (y/n)? ");
    let _ = out.write_all(&question).and_then(|()| out.flush());
    let answer = read_answer();
    Operand { path, accepted: matches!(answer.first(), Some(b'y' | b'Y')) }
}

/// `fgets(buf, 3, stdin)`: up to two bytes, or fewer up to a newline; nothing at the end
/// of input. Read a byte at a time so that what follows stays for the next question.
fn read_answer() -> Vec<u8> {
    let mut answer = Vec::new();
    let mut byte = [0u8; 1];
    let mut stdin = std::io::stdin().lock();
    while answer.len() < 2 {
        match stdin.read(&mut byte) {
            Ok(1) => {
                answer.push(byte[0]);
                if byte[0] == b'\n' {
                    break;
                }
            }
            _ => break,
        }
    }
    answer
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

/// Every FILE.sig was kept: each file is announced, nothing written.
fn declined_only(flags: &Flags, files: &[Operand]) -> ExitCode {
    for file in files {
        announce(flags, &file.path);
    }
    ExitCode::SUCCESS
}

fn render(flags: &Flags, files: &[Operand], signed: &Signed, failure: Option<anyhow::Error>) -> ExitCode {
    let mut done = signed.files.iter();
    for file in files {
        if !file.accepted {
            announce(flags, &file.path);
            continue;
        }
        let Some(result) = done.next() else {
            // The first input not in the report is the one that failed.
            return match failure {
                Some(error) => input_failure(flags, &file.path, &error),
                None => ExitCode::SUCCESS,
            };
        };
        announce(flags, &file.path);
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
fn key_failure(flags: &Flags, key: &Path, files: &[Operand], error: &anyhow::Error) -> ExitCode {
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
        Some(Error::Io { path, .. }) if files.iter().any(|f| &f.path == path) => {
            input_failure(flags, path, error)
        }
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
