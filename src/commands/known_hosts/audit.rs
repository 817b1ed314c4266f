//! `known-hosts audit`: findings in text, JSON, GitHub or SARIF form, and an exit code
//! for CI.

use std::io::Write;

use anyhow::Result;

use super::default_path;
use crate::cli::known_hosts::{AuditArgs, AuditFormat, FailOn};
use crate::commands::Status;
use crate::context::Context;
use crate::known_hosts::audit::{self, AuditOptions, Severity};
use crate::known_hosts::{HostQuery, KnownHosts, report};

pub fn run(ctx: &Context, args: AuditArgs) -> Result<Status> {
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
    let options = AuditOptions { candidate_hosts, require_hashed: args.require_hashed };
    let mut findings = Vec::new();
    let mut read = Vec::new();
    for path in &files {
        match KnownHosts::read(path) {
            Ok(file) => {
                findings.extend(audit::audit(&file, &options));
                read.push(path.display().to_string());
            }
            Err(err) => ctx.report_error(&err.into()),
        }
    }
    let unreadable = read.len() < files.len();
    // Nothing read, nothing to report: a "0 errors" summary beside the error would read
    // as a clean audit.
    if read.is_empty() {
        return Ok(Status::Failed);
    }
    let names = read;
    let output = match args.format {
        AuditFormat::Text => report::text(&findings, names.len()),
        AuditFormat::Json => report::json(&findings, &names),
        AuditFormat::Github => report::github(&findings),
        AuditFormat::Sarif => {
            let root = report::SarifRoot { cwd: std::env::current_dir()?, base: args.base_dir.clone() };
            report::sarif(&findings, &root)
        }
    };
    std::io::stdout().lock().write_all(output.as_bytes())?;
    let threshold = match args.fail_on {
        FailOn::Error => Severity::Error,
        FailOn::Warning => Severity::Warning,
        FailOn::Info => Severity::Info,
    };
    // Could not run at all outranks findings: CI must not read a partial audit as clean.
    Ok(if unreadable {
        Status::Failed
    } else if findings.iter().any(|f| f.severity >= threshold) {
        Status::Negative
    } else {
        Status::Success
    })
}
