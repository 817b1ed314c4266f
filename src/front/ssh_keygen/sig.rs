//! `ssh-keygen -Y sign|verify|find-principals|match-principals|check-novalidate` over the
//! native `sign`, `verify` and `signers find|match` commands: ssh-keygen 9.2's checks of
//! the command line in its order, its `-O` options, and its lines and exit statuses
//! (255 for a failed operation, 1 for missing arguments; match-principals exits with
//! OpenSSH's own error number, as 9.2 does).
//!
//! Not rendered: the debug lines of `-v` (ssh-keygen writes them at DEBUG levels only;
//! git and OpenSSH's sshsig.sh read exit statuses and the INFO/ERROR lines).

use std::ffi::OsStr;
use std::process::ExitCode;

use super::flags::Flags;
use super::log;
use crate::context::Context;
use crate::error::Error;
use crate::sig::SignatureProblem;

mod principals;
mod sign;
mod verify;

/// `-Y OP`: 9.2 compares each operation's name as a prefix of what was typed
/// (`strncmp`), so `-Y signature` signs.
pub fn run(ctx: &Context, flags: &Flags, op: &OsStr) -> ExitCode {
    let op = op.as_encoded_bytes();
    if op.starts_with(b"find-principals") {
        let Some(signature) = &flags.signature else {
            return missing("find-principals:missing signature file");
        };
        let Some(file) = &flags.file else { return missing("find-principals:missing allowed keys file") };
        return principals::find(flags, signature, file);
    }
    if op.starts_with(b"match-principals") {
        let Some(file) = &flags.file else { return missing("match-principals:missing allowed keys file") };
        let Some(identity) = &flags.identity else {
            return missing("match-principals: missing principal ID");
        };
        return principals::matching(flags, file, identity);
    }
    if op.starts_with(b"sign") {
        let Some(namespace) = namespace(flags) else { return missing("sign: missing namespace") };
        let Some(key) = &flags.file else { return missing("sign: missing key") };
        return sign::run(ctx, flags, key, namespace);
    }
    if op.starts_with(b"check-novalidate") {
        let Some(namespace) = namespace(flags) else { return missing("check-novalidate: missing namespace") };
        let Some(signature) = &flags.signature else {
            return missing("check-novalidate: missing signature file");
        };
        return verify::run(flags, verify::Check { namespace, signature, signers: None });
    }
    if op.starts_with(b"verify") {
        let Some(namespace) = namespace(flags) else { return missing("verify: missing namespace") };
        let Some(signature) = &flags.signature else { return missing("verify: missing signature file") };
        // 9.2 names the wrong operation here.
        let Some(file) = &flags.file else { return missing("sign: missing allowed keys file") };
        let Some(identity) = &flags.identity else { return missing("verify: missing principal identity") };
        let signers = Some(verify::Signers { file, identity });
        return verify::run(flags, verify::Check { namespace, signature, signers });
    }
    let op = String::from_utf8_lossy(op);
    log::usage(Some(&format!("Unsupported operation for -Y: \"{op}\"")))
}

/// `-n`, unless empty (9.2 treats an empty namespace as none).
fn namespace(flags: &Flags) -> Option<String> {
    let namespace = flags.namespace.as_ref()?.to_string_lossy().into_owned();
    (!namespace.is_empty()).then_some(namespace)
}

/// A required argument missing: 9.2's line, exit 1 (no usage text).
fn missing(what: &str) -> ExitCode {
    log::line(&format!("Too few arguments for {what}"));
    ExitCode::from(1)
}

/// The `-O` options an operation reads, checked as 9.2's `sig_process_opts` checks them.
#[derive(Default)]
struct SigOptions {
    hashalg: Option<String>,
    verify_time: Option<String>,
    print_pubkey: bool,
}

/// Which options an operation takes.
#[derive(Clone, Copy)]
struct Takes {
    hashalg: bool,
    verify_time: bool,
    print_pubkey: bool,
}

impl SigOptions {
    /// Reads `-O` in order; `Err` after 9.2's line for the first it refuses.
    fn read(flags: &Flags, takes: Takes) -> Result<Self, ()> {
        let mut options = SigOptions::default();
        for option in &flags.options {
            let text = option.to_string_lossy();
            let value = |name: &str| {
                text.get(..name.len())
                    .filter(|head| head.eq_ignore_ascii_case(name))
                    .map(|_| &text[name.len()..])
            };
            if let (true, Some(hash)) = (takes.hashalg, value("hashalg=")) {
                options.hashalg = Some(hash.to_string());
            } else if let (true, Some(time)) = (takes.verify_time, value("verify-time=")) {
                // The value is checked here, as 9.2 checks it before reading anything.
                if crate::commands::verify::verify_time(Some(time)).is_err() {
                    log::line("Invalid \"verify-time\" option");
                    return Err(());
                }
                options.verify_time = Some(time.to_string());
            } else if takes.print_pubkey && text.eq_ignore_ascii_case("print-pubkey") {
                options.print_pubkey = true;
            } else {
                log::line(&format!("Invalid option \"{text}\""));
                return Err(());
            }
        }
        Ok(options)
    }
}

/// 9.2's lines for a signature file it cannot read or decode; `function` is the
/// ssh-keygen function that names the step (`sig_verify`, `sig_find_principals`).
fn unreadable_signature(error: &anyhow::Error, signature: &std::path::Path, function: &str) {
    match error.chain().find_map(|cause| cause.downcast_ref::<Error>()) {
        Some(Error::BadSignature { problem, .. }) => {
            for line in signature_problem(problem, function) {
                log::line(&line);
            }
        }
        Some(Error::Io { path, source }) if path == signature => {
            log::line(&format!("Couldn't read signature file: {}", super::errors::strerror(source)));
        }
        Some(Error::IsDirectory { .. }) => log::line("Couldn't read signature file: Is a directory"),
        _ => log::line(&format!("Couldn't read signature file: {}", super::errors::reason(error))),
    }
}

/// What 9.2 says of a signature it cannot decode.
fn signature_problem(problem: &SignatureProblem, function: &str) -> Vec<String> {
    let armor = |why: &str| format!("{function}: sshsig_armor: {why}");
    match problem {
        SignatureProblem::MissingHeader => {
            vec!["Couldn't parse signature: missing header".into(), armor("incomplete message")]
        }
        SignatureProblem::MissingFooter => {
            vec!["Couldn't parse signature: missing footer".into(), armor("invalid format")]
        }
        SignatureProblem::NotBase64 => {
            vec!["sshsig_dearmor: decode base64: invalid format".into(), armor("invalid format")]
        }
        SignatureProblem::Version(version) => {
            vec![format!("Signature version {version} is larger than supported version 1")]
        }
        SignatureProblem::UnsupportedHash(name) => {
            vec![format!("sshsig_check_hashalg: unsupported hash algorithm \"{name}\"")]
        }
        SignatureProblem::TrailingData => vec!["Signature contains trailing data".into()],
        SignatureProblem::Malformed | SignatureProblem::BadKey | SignatureProblem::BadCertificate => {
            vec!["Couldn't verify signature: invalid format".into()]
        }
    }
}
