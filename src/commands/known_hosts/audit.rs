//! `known-hosts audit`: findings in text, JSON, GitHub or SARIF form, and an exit code
//! for CI.

use anyhow::Result;

use super::default_path;
use crate::cli::known_hosts::{AuditArgs, AuditFormat, FailOn};
use crate::commands::Status;
use crate::context::Context;
use crate::known_hosts::HostQuery;
use crate::known_hosts::audit::{self, AuditOptions, Severity};
use crate::known_hosts::report::{SarifRoot, Summary};
use crate::print::Printer;
use crate::report::known_hosts::Audit;

/// The audit of the files that could be read; `None` when none could (each error is
/// reported as it happens).
pub fn run(ctx: &Context, printer: &Printer, args: AuditArgs) -> Result<Option<Audit>> {
    let files = match args.files.is_empty() {
        true => vec![default_path(ctx)],
        false => args.files.clone(),
    };
    let candidate_hosts = args
        .hosts
        .iter()
        .filter(|h| !h.is_empty())
        .map(|h| HostQuery::parse(h, None).map(|q| q.lookup))
        .collect::<Result<_, _>>()?;
    let revoked = match &args.revoked {
        Some(path) => {
            Some(std::sync::Arc::new((path.display().to_string(), crate::commands::krl::read(path)?)))
        }
        None => None,
    };
    let options = AuditOptions { candidate_hosts, require_hashed: args.require_hashed, revoked };
    let mut findings = Vec::new();
    let mut read = Vec::new();
    for path in &files {
        match audit::audit_path(path, &options) {
            Ok(found) => {
                findings.extend(found);
                read.push(path.display().to_string());
            }
            Err(err) => printer.error(&err.into()),
        }
    }
    if read.is_empty() {
        return Ok(None);
    }
    let unreadable = read.len() < files.len();
    let sarif_root = match args.format {
        AuditFormat::Sarif => Some(SarifRoot { cwd: std::env::current_dir()?, base: args.base_dir.clone() }),
        _ => None,
    };
    let summary = Summary::of(&findings);
    let mut report =
        Audit { files: read, findings, summary, sarif_root, status: Status::Success, drift: false };
    // Could not run at all outranks findings: CI must not read a partial audit as clean.
    report.status = if unreadable {
        Status::Failed
    } else if report.reaches(threshold(args.fail_on)) {
        Status::Negative
    } else {
        Status::Success
    };
    Ok(Some(report))
}

fn threshold(fail_on: FailOn) -> Severity {
    match fail_on {
        FailOn::Error => Severity::Error,
        FailOn::Warning => Severity::Warning,
        FailOn::Info => Severity::Info,
    }
}
