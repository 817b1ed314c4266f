//! `keywright verify`: ssh-keygen -Y verify (and, with --no-validate, check-novalidate).

use std::io;
use std::path::{Path, PathBuf};

use anyhow::Result;

use crate::cli::verify::VerifyArgs;
use crate::error::Error;
use crate::fsutil::{self, Accept};
use crate::key::HashKind;
use crate::key::source::{MAX_KEY_BYTES, STDIN_NAME, is_stdin};
use crate::print::Printer;
use crate::report::KeyInfo;
use crate::report::verify::Verified;
use crate::sig::digest::{MessageHash, hash_reader};
use crate::sig::lookup::Noted;
use crate::sig::revoked::RevokedKeys;
use crate::sig::verify::{Policy, Signers, verify};
use crate::sig::{SignersFile, Sshsig, armor, blob, time};

/// Verifies; the report is printed by [`show`] (a front may render it its own way).
///
/// # Errors
/// An unreadable or damaged file; a bad --verify-time.
pub fn run(args: VerifyArgs) -> Result<Verified> {
    let time = verify_time(args.verify_time.as_deref())?;
    let sig = read_signature(&args.signature)?;
    // The files named are read before the data, so that a missing one fails at once.
    let signers = args.signers.as_deref().map(SignersFile::read).transpose()?;
    let revoked = args.revoked.as_deref().map(RevokedKeys::read).transpose()?;
    let file = args.file.clone().filter(|f| !is_stdin(f)).unwrap_or_else(|| PathBuf::from(STDIN_NAME));
    let hash = hash_message(args.file.as_deref(), sig.hash)?;
    let principal = args.principal.as_deref().unwrap_or_default().as_bytes();
    let policy = Policy {
        namespace: &args.namespace,
        signers: signers.as_ref().map(|file| Signers { file, principal }),
        revoked: revoked.as_ref(),
        time,
    };
    let verdict = verify(&sig, &hash, &policy)?;
    let unknown = || anyhow::anyhow!("the signer's key type cannot be described");
    Ok(Verified {
        good: verdict.is_good(),
        namespace: args.namespace,
        principal: args.principal,
        key: KeyInfo::of(&sig.key, HashKind::Sha256, None).ok_or_else(unknown)?,
        public_key: key_line(&sig.key),
        signature: args.signature,
        file,
        refusal: verdict.refusal,
        signers_file: args.signers,
        line: verdict.admitted.map(|admitted| admitted.line),
        notes: verdict.notes,
    })
}

/// Prints a verify report: first, on stderr, why allowed_signers lines did not admit the
/// signer; then the report.
///
/// # Errors
/// The command's error, or writing failed.
pub fn show(printer: &Printer, report: Result<Verified>) -> Result<crate::report::Status> {
    let report = report?;
    warn_notes(printer, report.signers_file.as_deref(), &report.notes);
    super::show(printer, Ok(report))
}

/// `--verify-time`, or now.
pub(crate) fn verify_time(given: Option<&str>) -> Result<time::Seconds> {
    let Some(text) = given else { return Ok(time::now()) };
    time::parse(text).filter(|&t| t != 0).ok_or_else(|| {
        let reason = "expected YYYYMMDD[HHMM[SS]], local time unless it ends in Z (UTC)";
        Error::BadSignatureOption { option: format!("--verify-time {text}"), reason }.into()
    })
}

/// A signature file, read and decoded.
pub(crate) fn read_signature(path: &Path) -> Result<Sshsig> {
    let blob = signature_blob(path)?;
    Ok(Sshsig::decode(&blob).map_err(|problem| Error::BadSignature { path: path.to_path_buf(), problem })?)
}

/// The SSHSIG blob of a signature file.
pub(crate) fn signature_blob(path: &Path) -> Result<Vec<u8>> {
    let text = fsutil::read_capped(
        path,
        MAX_KEY_BYTES,
        fsutil::Expect { what: "a signature", accept: Accept::Pipe },
    )?;
    Ok(armor::dearmor(&text).map_err(|problem| Error::BadSignature { path: path.to_path_buf(), problem })?)
}

/// The hash of the signed data: FILE, or standard input.
fn hash_message(file: Option<&Path>, alg: ssh_key::HashAlg) -> Result<MessageHash> {
    match file.filter(|f| !is_stdin(f)) {
        Some(path) => {
            let (mut input, _) = fsutil::open_input(path, Accept::Pipe)?;
            Ok(hash_reader(alg, &mut input).map_err(|e| Error::io(path, e))?)
        }
        None => Ok(hash_reader(alg, &mut io::stdin()).map_err(|e| Error::io(STDIN_NAME, e))?),
    }
}

/// Why allowed_signers lines did not admit the signer, on stderr (JSON carries them).
pub(crate) fn warn_notes(printer: &Printer, file: Option<&Path>, notes: &[Noted]) {
    if !printer.chatty() {
        return;
    }
    let name = file.map(|f| f.display().to_string()).unwrap_or_default();
    for noted in notes {
        let text = format!("{name}:{}: {}", noted.line, noted.note);
        printer.warn(String::from_utf8_lossy(&crate::sanitize::escape(text.as_bytes(), printer.charset())));
    }
}

/// `TYPE BASE64` of a key, as `-O print-pubkey` prints it.
fn key_line(key: &ssh_key::public::KeyData) -> Vec<u8> {
    let base64 = data_encoding::BASE64.encode(&blob::key_blob(key));
    format!("{} {base64}", crate::key::describe::line_type_name(key)).into_bytes()
}
