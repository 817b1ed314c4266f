//! `-Y verify` and `-Y check-novalidate` through the native verify command: the message
//! on standard input, 9.2's `Good "NS" signature …` line (which git parses) or
//! `Could not verify signature.` on stdout, the reason on stderr, exit 0 or 255.

use std::ffi::OsString;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use super::super::errors::strerror;
use super::super::flags::Flags;
use super::super::log;
use super::{SigOptions, Takes};
use crate::cli::fingerprint::OutputFormat;
use crate::cli::verify::VerifyArgs;
use crate::error::Error;
use crate::key::{Fingerprint, HashKind};
use crate::report::verify::Verified;
use crate::sig::LineProblem;
use crate::sig::lookup::{CertProblem, LineNote, Noted};
use crate::sig::options::OptionError;
use crate::sig::time::format_local;
use crate::sig::verify::Refusal;

/// Who must have signed (verify; check-novalidate has none).
pub struct Signers<'a> {
    pub file: &'a Path,
    pub identity: &'a OsString,
}

/// What is checked.
pub struct Check<'a> {
    pub namespace: String,
    pub signature: &'a Path,
    pub signers: Option<Signers<'a>>,
}

const TAKES: Takes = Takes { hashalg: false, verify_time: true, print_pubkey: true };

pub fn run(flags: &Flags, check: Check<'_>) -> ExitCode {
    let Ok(options) = SigOptions::read(flags, TAKES) else { return failed(flags) };
    let args = VerifyArgs {
        signers: check.signers.as_ref().map(|s| s.file.to_path_buf()),
        principal: check.signers.as_ref().map(|s| s.identity.to_string_lossy().into_owned()),
        namespace: check.namespace,
        signature: check.signature.to_path_buf(),
        revoked: flags.revocation.clone().filter(|_| check.signers.is_some()),
        verify_time: options.verify_time,
        no_validate: check.signers.is_none(),
        format: OutputFormat::Text,
        file: None,
    };
    let unvalidated = args.no_validate;
    let (signature, namespace, verify_time) =
        (args.signature.clone(), args.namespace.clone(), args.verify_time.clone());
    match crate::commands::verify::run(args) {
        Ok(verified) => render(flags, &verified, options.print_pubkey),
        Err(error) => {
            // 9.2 checks the signature itself before it opens the allowed_signers and
            // revocation files: a refusal of the signature is what it reports then.
            if !unvalidated && is_other_file(&error, check.signature) {
                let alone = VerifyArgs {
                    signers: None,
                    principal: None,
                    namespace,
                    signature,
                    revoked: None,
                    verify_time,
                    no_validate: true,
                    format: OutputFormat::Text,
                    file: None,
                };
                // Standard input was read already only when the files could be opened.
                if let Ok(verified) = crate::commands::verify::run(alone)
                    && let Some(refusal) = &verified.refusal
                {
                    if let Some(line) = refusal_line(refusal) {
                        log::line(&line);
                    }
                    return failed(flags);
                }
            }
            refused_before(&error, check.signature, flags.revocation.as_deref());
            failed(flags)
        }
    }
}

/// Whether the error is about a file other than the signature (read before the data).
fn is_other_file(error: &anyhow::Error, signature: &Path) -> bool {
    match error.chain().find_map(|cause| cause.downcast_ref::<Error>()) {
        Some(Error::Io { path, .. } | Error::IsDirectory { path } | Error::NotRegularFile { path, .. }) => {
            path != signature
        }
        _ => false,
    }
}

/// `Could not verify signature.` (unless -q), exit 255.
fn failed(flags: &Flags) -> ExitCode {
    if !flags.quiet {
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(b"Could not verify signature.\n").and_then(|()| out.flush());
    }
    ExitCode::from(255)
}

fn render(flags: &Flags, verified: &Verified, print_pubkey: bool) -> ExitCode {
    let file = verified.signers_file.as_deref().unwrap_or(Path::new(""));
    for noted in &verified.notes {
        log::line_bytes(&note_line(file, noted, verified.namespace.as_bytes()));
    }
    if let Some(refusal) = &verified.refusal {
        if let Some(line) = refusal_line(refusal) {
            log::line(&line);
        }
        return failed(flags);
    }
    let mut out = std::io::stdout().lock();
    let mut good = Vec::new();
    if !flags.quiet {
        good.extend_from_slice(format!("Good \"{}\" signature ", verified.namespace).as_bytes());
        if let Some(principal) = &verified.principal {
            good.extend_from_slice(format!("for {principal} ").as_bytes());
        }
        let key = &verified.key;
        let fingerprint = fingerprint_as(flags.hash, &verified.public_key);
        let fingerprint = fingerprint.as_deref().unwrap_or(&key.fingerprint);
        good.extend_from_slice(format!("with {} key {fingerprint}\n", key.key_type).as_bytes());
    }
    if print_pubkey {
        good.extend_from_slice(&verified.public_key);
        good.push(b'\n');
    }
    let _ = out.write_all(&good).and_then(|()| out.flush());
    ExitCode::SUCCESS
}

/// The signer's fingerprint in `-E`'s hash (the report's is SHA-256), from its public
/// key line.
fn fingerprint_as(kind: HashKind, line: &[u8]) -> Option<String> {
    let key = ssh_key::PublicKey::from_openssh(std::str::from_utf8(line).ok()?).ok()?;
    Some(Fingerprint::of_key(kind, key.key_data()).to_string())
}

/// What 9.2 says on stderr when it refuses a signature it could read (nothing for a
/// revoked key or a signer no line allows: the lines' own notes say why).
fn refusal_line(refusal: &Refusal) -> Option<String> {
    match refusal {
        Refusal::Namespace { .. } => Some("Couldn't verify signature: namespace does not match".into()),
        Refusal::RsaAlgorithm { found } => {
            Some(format!("Couldn't verify signature: unsupported RSA signature algorithm {found}"))
        }
        Refusal::Invalid => Some("Signature verification failed: incorrect signature".into()),
        Refusal::Revoked | Refusal::NotAllowed => None,
    }
}

/// 9.2's lines for a failure before a verdict: a signature or allowed_signers file that
/// cannot be read; a revocation file that cannot (9.2 says nothing of it).
fn refused_before(error: &anyhow::Error, signature: &Path, revocation: Option<&Path>) {
    match error.chain().find_map(|cause| cause.downcast_ref::<Error>()) {
        Some(Error::Io { path, .. } | Error::IsDirectory { path } | Error::NotRegularFile { path, .. })
            if Some(path.as_path()) == revocation => {}
        Some(Error::Io { path, source }) if path != signature => {
            log::line_bytes(&open_failed(path, &strerror(source)));
        }
        // 9.2 logs krl.c's own line for a KRL it cannot parse, if it has one.
        Some(Error::BadKrl { problem, .. }) => {
            if let Some(line) = &problem.logged {
                log::line(line);
            }
        }
        Some(Error::BadRevocationLine { .. }) => {}
        _ => super::unreadable_signature(error, signature, "sig_verify"),
    }
}

/// `Unable to open allowed keys file "FILE": REASON`.
pub(super) fn open_failed(path: &Path, reason: &str) -> Vec<u8> {
    let mut line = b"Unable to open allowed keys file \"".to_vec();
    line.extend_from_slice(path.as_os_str().as_encoded_bytes());
    line.extend_from_slice(format!("\": {reason}").as_bytes());
    line
}

/// One allowed_signers line's note as sshsig.c logs it: `FILE:LINE: why`.
pub(super) fn note_line(file: &Path, noted: &Noted, namespace: &[u8]) -> Vec<u8> {
    let mut line = file.as_os_str().as_encoded_bytes().to_vec();
    line.extend_from_slice(format!(":{}: ", noted.line).as_bytes());
    match &noted.note {
        LineNote::Unreadable(problem) => line.extend_from_slice(line_problem(problem).as_bytes()),
        LineNote::Certificate(problem) => {
            line.extend_from_slice(
                format!("certificate not authorized: {}", cert_problem(*problem)).as_bytes(),
            );
        }
        LineNote::NoValidPrincipals => line.extend_from_slice(b"no valid principals found"),
        LineNote::Namespace { .. } => {
            line.extend_from_slice(b"key is not permitted for use in signature namespace \"");
            line.extend_from_slice(namespace);
            line.push(b'"');
        }
        LineNote::NotYetValid { time, valid_after } => line.extend_from_slice(
            format!(
                "key is not yet valid: verify time {} < valid-after {}",
                format_local(*time),
                format_local(*valid_after)
            )
            .as_bytes(),
        ),
        LineNote::Expired { time, valid_before } => line.extend_from_slice(
            format!(
                "key has expired: verify time {} > valid-before {}",
                format_local(*time),
                format_local(*valid_before)
            )
            .as_bytes(),
        ),
    }
    line
}

fn line_problem(problem: &LineProblem) -> String {
    match problem {
        LineProblem::InvalidLine => "invalid line".into(),
        LineProblem::InvalidOptions => "invalid options".into(),
        LineProblem::MissingKey => "missing key".into(),
        LineProblem::InvalidKey => "invalid key".into(),
        LineProblem::BadOptions(why) => format!("bad options: {}", option_error(*why)),
    }
}

/// sshsig.c's reasons for options it refuses.
fn option_error(error: OptionError) -> String {
    match error {
        OptionError::Unknown => "unknown key option".into(),
        OptionError::UnexpectedEnd => "unexpected end-of-options".into(),
        OptionError::MissingStartQuote => "missing start quote".into(),
        OptionError::MissingEndQuote => "missing end quote".into(),
        OptionError::Repeated(name) => format!("multiple \"{name}\" clauses"),
        OptionError::BadTime(name) => format!("invalid \"{name}\" time"),
        OptionError::BeforeNotAfterAfter => "\"valid-before\" time is before \"valid-after\"".into(),
    }
}

/// sshkey.c's reasons for a certificate that does not allow a principal.
fn cert_problem(problem: CertProblem) -> &'static str {
    match problem {
        CertProblem::NotUserCertificate => "Certificate invalid: not a user certificate",
        CertProblem::NotYetValid => "Certificate invalid: not yet valid",
        CertProblem::Expired => "Certificate invalid: expired",
        CertProblem::NoPrincipals => "Certificate lacks principal list",
        CertProblem::PrincipalNotListed => "Certificate invalid: name is not a listed principal",
    }
}
