//! `keywright signers audit`.

use anyhow::Result;

use crate::cli::signers::AuditArgs;
use crate::report::signers::{Audited, Summary};
use crate::sig::SignersFile;
use crate::sig::audit::audit;

pub fn run(args: AuditArgs) -> Result<Audited> {
    let now = crate::commands::verify::verify_time(args.verify_time.as_deref())?;
    let path = args.file.file;
    let file = SignersFile::read(&path)?;
    let findings = audit(&file, now);
    Ok(Audited {
        summary: Summary::of(&findings),
        findings,
        file: path,
        fail_on: super::severity(args.fail_on),
    })
}
