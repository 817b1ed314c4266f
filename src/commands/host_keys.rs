//! `keywright host-keys`: ssh-keygen -A's missing host keys under a prefix, or
//! (`--check`) a check of the host keys as sshd loads them.

use std::path::PathBuf;

use anyhow::Result;

use crate::cli::host_keys::HostKeysArgs;
use crate::context::Context;
use crate::key::host::{self, MADE, Outcome, Problem};
use crate::key::{Fingerprint, HashKind};
use crate::known_hosts::audit::Severity;
use crate::print::Printer;
use crate::report::host_keys::{HostKeyCheck, HostKeyEntry, HostKeyFinding, HostKeys};

/// Makes the missing host keys (or checks them); the report is printed by the caller.
pub fn run(ctx: &Context, printer: &Printer, args: HostKeysArgs) -> Result<super::Status> {
    if args.check {
        let report = check(args.prefix.as_deref());
        printer.report(&report)?;
        return Ok(crate::report::Report::status(&report));
    }
    let report = make(ctx, args.prefix.as_deref(), &mut |error| printer.error(&error.into()));
    printer.report(&report)?;
    Ok(crate::report::Report::status(&report))
}

/// Makes every missing host key type under `prefix`, in ssh-keygen -A's order; a type
/// that fails is told to `failed` and the next is still made, as ssh-keygen goes on.
pub fn make(
    ctx: &Context,
    prefix: Option<&std::path::Path>,
    failed: &mut dyn FnMut(crate::Error),
) -> HostKeys {
    // ssh-keygen -A's comment: the user and host name, as for any new key.
    let comment = ctx.user_at_host();
    let mut report = HostKeys { keys: Vec::new(), failed: false };
    for kind in &MADE {
        let path = host::host_key_path(prefix, kind.file);
        let mut entry = HostKeyEntry {
            key_type: kind.display.to_string(),
            file: path.clone(),
            outcome: "kept",
            fingerprint: None,
            error: None,
        };
        match host::make_if_missing(kind, &path, &comment) {
            Outcome::Kept => {}
            Outcome::Made(public) => {
                entry.outcome = "made";
                entry.fingerprint =
                    Some(Fingerprint::of_key(HashKind::Sha256, public.key_data()).to_string());
            }
            Outcome::Failed(error) => {
                entry.outcome = "failed";
                entry.error = Some(error.to_string());
                report.failed = true;
                failed(error);
            }
        }
        report.keys.push(entry);
    }
    report
}

/// Checks the host keys under `prefix`: the three sshd makes by default, and a DSA key
/// where one is (it is weak).
pub fn check(prefix: Option<&std::path::Path>) -> HostKeyCheck {
    let mut files: Vec<PathBuf> = MADE.iter().map(|kind| host::host_key_path(prefix, kind.file)).collect();
    let dsa = host::host_key_path(prefix, "ssh_host_dsa_key");
    if dsa.exists() {
        files.insert(1, dsa);
    }
    let mut findings = Vec::new();
    let mut usable = 0;
    for file in &files {
        let problems = host::check(file);
        if !problems
            .iter()
            .any(|p| matches!(p, Problem::Missing | Problem::Unreadable(_) | Problem::TooOpen(_)))
        {
            usable += 1;
        }
        for problem in problems {
            let (rule, severity, message) = match problem {
                Problem::Missing => (
                    "missing",
                    Severity::Warning,
                    "missing (or empty): `keywright host-keys` makes it".to_string(),
                ),
                Problem::Unreadable(why) => {
                    ("unreadable", Severity::Error, format!("sshd cannot load it: {why}"))
                }
                Problem::TooOpen(mode) => (
                    "too-open",
                    Severity::Error,
                    format!("mode {mode:04o}: sshd refuses a host key others can access (chmod 600 it)"),
                ),
                Problem::Weak(what) => ("weak-key", Severity::Warning, format!("weak key: {what}")),
                Problem::PublicMismatch(what) => ("public-mismatch", Severity::Warning, what),
            };
            findings.push(HostKeyFinding { file: file.clone(), rule, severity, message });
        }
    }
    if usable == 0 {
        let dir = host::host_key_path(prefix, "");
        findings.push(HostKeyFinding {
            file: dir,
            rule: "no-usable-host-key",
            severity: Severity::Error,
            message: "no host key sshd could load: it would not start".into(),
        });
    }
    HostKeyCheck { files, findings }
}
