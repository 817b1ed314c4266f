//! `keywright sshfp`: ssh-keygen -r's SSHFP records for host keys, byte for byte.

use std::path::{Path, PathBuf};

use anyhow::Result;

use crate::cli::sshfp::SshfpArgs;
use crate::error::Error;
use crate::key::describe;
use crate::key::host::{self, READ_FOR_SSHFP};
use crate::print::Printer;
use crate::report::sshfp::{Sshfp, SshfpEntry};

pub fn run(printer: &Printer, args: SshfpArgs) -> Result<Sshfp> {
    let mut report = Sshfp { host: args.host, records: Vec::new(), generic: args.generic, failed: false };
    if !args.files.is_empty() {
        for file in &args.files {
            match records_of(file) {
                Ok(records) => report.records.extend(records),
                Err(error) => {
                    printer.error(&error.into());
                    report.failed = true;
                }
            }
        }
        return Ok(report);
    }
    // The host keys, as ssh-keygen -r reads them without -f: the missing ones are
    // passed over, and only none at all is an error.
    let mut found = false;
    for name in READ_FOR_SSHFP {
        let path = host::host_key_path(args.prefix.as_deref(), name);
        match records_of(&path) {
            Err(Error::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => continue,
            Ok(records) => report.records.extend(records),
            Err(error) => {
                printer.error(&error.into());
                report.failed = true;
            }
        }
        found = true;
    }
    if !found {
        let dir = host::host_key_path(args.prefix.as_deref(), "");
        return Err(Error::NoHostKeys { dir: dir.parent().map_or(dir.clone(), Path::to_path_buf) }.into());
    }
    Ok(report)
}

/// The SSHFP records of the key at `path`, read as ssh-keygen -r reads it.
///
/// # Errors
/// [`Error::Io`] when the file cannot be examined (not found included),
/// [`Error::NoPublicKey`] when it holds no key ssh-keygen reads there, and
/// [`Error::NoSshfpType`] for a key SSHFP has no number for.
pub fn records_of(path: &Path) -> crate::Result<Vec<SshfpEntry>> {
    std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    let key = host::load_public(path)
        .ok_or_else(|| Error::NoPublicKey { path: path.into(), first_bad_line: None })?;
    let records = host::sshfp_records(&key);
    if records.is_empty() {
        let key_type = describe(&key).map_or_else(|| "these".to_string(), |d| d.type_name);
        return Err(Error::NoSshfpType { path: path.into(), key_type });
    }
    Ok(records
        .into_iter()
        .map(|record| SshfpEntry {
            file: PathBuf::from(path),
            algorithm: record.algorithm,
            digest_type: record.digest_type,
            fingerprint: data_encoding::HEXLOWER.encode(&record.digest),
        })
        .collect())
}
