//! `keywright cert show`: every certificate in the files, as ssh-keygen -L reads them
//! (one key a line; blank and `#` lines skipped; each other line that is no certificate
//! reported and skipped).

use std::io::Read;
use std::path::Path;

use anyhow::Result;
use ssh_key::public::KeyData;

use crate::cert::show::CertView;
use crate::cli::cert::CertShowArgs;
use crate::error::Error;
use crate::key::HashKind;
use crate::key::text::{read_key, skip_blanks};
use crate::print::Printer;
use crate::report::cert::{Shown, ShownCert};

/// The most a certificate file can sensibly hold (many certificates, one a line).
const MAX_FILE: u64 = 64 << 20;

pub fn run(printer: &Printer, args: &CertShowArgs) -> Result<Shown> {
    let mut report = Shown { certificates: Vec::new(), failed: false };
    for path in &args.files {
        match read_all(path) {
            Ok(bytes) => {
                let (found, skipped) = certificates_in(path, &bytes, HashKind::Sha256);
                for error in skipped {
                    printer.warn(error);
                }
                report.certificates.extend(found);
            }
            Err(error) => {
                printer.error(&error.into());
                report.failed = true;
            }
        }
    }
    Ok(report)
}

fn read_all(path: &Path) -> crate::Result<Vec<u8>> {
    if path.as_os_str() == "-" {
        let mut bytes = Vec::new();
        std::io::stdin()
            .lock()
            .take(MAX_FILE)
            .read_to_end(&mut bytes)
            .map_err(|e| Error::io("(stdin)", e))?;
        return Ok(bytes);
    }
    crate::fsutil::read_capped(path, MAX_FILE, "a certificate file")
}

/// What [`Error::NotCertificate`] says of a line holding a plain key.
pub const NOT_A_CERTIFICATE: &str = "is not a certificate";

/// The certificates in a file's bytes, each with its line, and an error for each line
/// that is neither blank, a comment nor a certificate.
pub fn certificates_in(path: &Path, bytes: &[u8], hash: HashKind) -> (Vec<ShownCert>, Vec<Error>) {
    let (mut found, mut skipped) = (Vec::new(), Vec::new());
    for entry in entries_in(path, bytes, hash) {
        match entry {
            Ok(cert) => found.push(cert),
            Err(error) => skipped.push(error),
        }
    }
    (found, skipped)
}

/// Each certificate line of a file, or why a line that is not blank or a comment is
/// no certificate, in the file's order.
pub fn entries_in(path: &Path, bytes: &[u8], hash: HashKind) -> Vec<Result<ShownCert, Error>> {
    let stdin = path.as_os_str() == "-";
    let name = if stdin { "(stdin)".to_string() } else { path.display().to_string() };
    let mut entries = Vec::new();
    for (at, line) in bytes.split(|&b| b == b'\n').enumerate() {
        let number = at + 1;
        let text = skip_blanks(line);
        if matches!(text.first(), None | Some(b'#' | b'\r')) {
            continue;
        }
        let bad = |what| Error::NotCertificate { path: name.clone().into(), line: number, what };
        let entry = match read_key(text) {
            Some((KeyData::Certificate(cert), _)) => CertView::of(&cert, hash)
                .map(|view| ShownCert {
                    file: name.clone(),
                    line: number,
                    numbered: stdin || number > 1,
                    view,
                })
                .ok_or_else(|| bad("invalid key")),
            Some(_) => Err(bad(NOT_A_CERTIFICATE)),
            None => Err(bad("invalid key")),
        };
        entries.push(entry);
    }
    entries
}
