//! `keywright signers find`: ssh-keygen -Y find-principals.

use anyhow::Result;

use crate::cli::signers::FindArgs;
use crate::error::Error;
use crate::key::HashKind;
use crate::report::KeyInfo;
use crate::report::signers::Found;
use crate::sig::allowed::split_principals;
use crate::sig::lookup::find_principals;
use crate::sig::{SignersFile, blob};

/// Finds the principals; the dispatcher prints the notes and the report.
///
/// # Errors
/// An unreadable or damaged file; a bad --verify-time.
pub fn run(args: FindArgs) -> Result<Found> {
    let time = crate::commands::verify::verify_time(args.verify_time.as_deref())?;
    let sig_blob = crate::commands::verify::signature_blob(&args.signature)?;
    // Only the signer's key is read, as OpenSSH reads it here.
    let signer = blob::signer_of(&sig_blob)
        .map_err(|problem| Error::BadSignature { path: args.signature.clone(), problem })?;
    let file = SignersFile::read(&args.file.file)?;
    let lookup = find_principals(&file, &signer, time);
    let principals = match &lookup.admitted {
        Some(admitted) => {
            split_principals(&admitted.principals).map(|p| String::from_utf8_lossy(p).into_owned()).collect()
        }
        None => Vec::new(),
    };
    let unknown = || anyhow::anyhow!("the signer's key type cannot be described");
    Ok(Found {
        principals,
        line: lookup.admitted.map(|admitted| admitted.line),
        key: KeyInfo::of(&signer, HashKind::Sha256, None).ok_or_else(unknown)?,
        signers_file: args.file.file,
        notes: lookup.notes,
    })
}
