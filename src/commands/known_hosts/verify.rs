//! `known-hosts verify`: the drift check. The live host keys of the hosts a known_hosts
//! file records, compared with the file key type by key type, as audit findings (text,
//! JSON, GitHub, SARIF) with audit's exit codes.

use std::collections::BTreeMap;
use std::time::Duration;

use anyhow::Result;
use ssh_key::public::KeyData;

use super::path;
use crate::cli::known_hosts::{AuditFormat, FailOn, VerifyArgs};
use crate::commands::Status;
use crate::context::Context;
use crate::key::{Fingerprint, HashKind, describe};
use crate::known_hosts::audit::{Finding, Rule, Severity};
use crate::known_hosts::line::{self, Line};
use crate::known_hosts::report::{SarifRoot, Summary};
use crate::known_hosts::{HostQuery, KnownHosts};
use crate::print::Printer;
use crate::remote::scan::{self, KeyKind, Probe};
use crate::remote::target::Target;
use crate::report::known_hosts::Audit;

/// A host to check: its known_hosts name, where to connect, and what the file records.
struct Checked {
    lookup: String,
    connect: (String, u16),
    /// Plain (unmarked) lines for the host: line number and key.
    recorded: Vec<(usize, KeyData)>,
}

/// The findings; `None` when the file could not be read (reported as it happened).
pub fn run(ctx: &Context, printer: &Printer, args: VerifyArgs) -> Result<Option<Audit>> {
    let file_path = path(ctx, &args.file);
    let file = match KnownHosts::read(&file_path) {
        Ok(file) => file,
        Err(err) => {
            printer.error(&err.into());
            return Ok(None);
        }
    };
    let hosts = match args.hosts.is_empty() {
        true => recorded_hosts(&file),
        false => named_hosts(&file, &args.hosts)?,
    };
    if hosts.is_empty() {
        printer.note(format!(
            "{}: no plain host names to check (hashed names are checked when named as HOST arguments)",
            file_path.display()
        ));
    }
    let mut kinds: Vec<KeyKind> = KeyKind::DEFAULT.to_vec();
    for kind in hosts.iter().flat_map(|h| h.recorded.iter().filter_map(|(_, key)| KeyKind::of(key))) {
        if !kinds.contains(&kind) {
            kinds.push(kind);
        }
    }
    let connect = hosts.iter().map(|h| h.connect.clone()).collect();
    let probes = scan::scan_blocking(connect, kinds, Duration::from_secs(args.timeout))?;
    let name = file_path.display().to_string();
    let findings: Vec<Finding> =
        hosts.iter().zip(&probes).flat_map(|(host, probes)| compare(&name, host, probes)).collect();
    let sarif_root = match args.format {
        AuditFormat::Sarif => Some(SarifRoot { cwd: std::env::current_dir()?, base: args.base_dir.clone() }),
        _ => None,
    };
    let summary = Summary::of(&findings);
    let mut report =
        Audit { files: vec![name], findings, summary, sarif_root, status: Status::Success, drift: true };
    report.status = match report.reaches(threshold(args.fail_on)) {
        true => Status::Negative,
        false => Status::Success,
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

/// Every plain host name of the file (wildcards, negations, hashed names and marker
/// lines cannot be connected to), each once, in the order first seen.
fn recorded_hosts(file: &KnownHosts) -> Vec<Checked> {
    let mut names: Vec<String> = Vec::new();
    for line_ref in file.lines() {
        let Line::Entry(entry) = line::parse(line_ref.text) else { continue };
        if entry.marker.is_some() || entry.is_hashed() {
            continue;
        }
        for pattern in entry.hosts.split(|&b| b == b',') {
            let Ok(name) = std::str::from_utf8(pattern) else { continue };
            if name.is_empty() || name.contains(['*', '?', '!']) {
                continue;
            }
            let name = name.to_ascii_lowercase();
            if !names.contains(&name) {
                names.push(name);
            }
        }
    }
    // A name whose keys do not decode has nothing to compare (audit reports such lines).
    names.iter().filter_map(|name| checked(file, name).ok()).filter(|c| !c.recorded.is_empty()).collect()
}

/// The hosts named on the command line (hashed lines match them too).
fn named_hosts(file: &KnownHosts, hosts: &[String]) -> crate::Result<Vec<Checked>> {
    let mut checked_hosts = Vec::new();
    for host in hosts {
        let found = checked(file, &HostQuery::parse(host, None)?.lookup)?;
        if found.recorded.is_empty() {
            return Err(crate::Error::HostNotRecorded {
                host: host.clone(),
                path: file.path().to_path_buf(),
            });
        }
        checked_hosts.push(found);
    }
    Ok(checked_hosts)
}

/// A known_hosts name (`host` or `[host]:port`) and what the file records for it.
fn checked(file: &KnownHosts, lookup: &str) -> crate::Result<Checked> {
    let target = Target::parse(lookup)?;
    let recorded = file
        .find(lookup)
        .into_iter()
        .filter(|found| found.marker.is_none())
        .filter_map(|found| found.entry.key().ok().map(|(key, _)| (found.number, key)))
        .collect();
    Ok(Checked { lookup: lookup.to_string(), connect: (target.host, target.port.unwrap_or(22)), recorded })
}

/// The findings for one host: per key type, the live key against the recorded ones.
fn compare(file: &str, host: &Checked, probes: &[Probe]) -> Vec<Finding> {
    let first_line = host.recorded.first().map_or(0, |(line, _)| *line);
    let finding = |line: usize, rule: Rule, message: String| Finding {
        file: file.to_string(),
        line,
        rule,
        severity: rule.default_severity(),
        message: format!("{}: {message}", host.lookup),
    };
    if probes.iter().all(|p| p.key.is_none()) {
        let why = probes.iter().find_map(|p| p.failure.clone()).unwrap_or_else(|| "no host key shown".into());
        return vec![finding(
            first_line,
            Rule::HostUnreachable,
            format!("cannot fetch its host keys: {why}"),
        )];
    }
    let live: BTreeMap<KeyKind, &KeyData> =
        probes.iter().filter_map(|p| p.key.as_ref().map(|key| (p.kind, key))).collect();
    let mut recorded: BTreeMap<KeyKind, Vec<(usize, &KeyData)>> = BTreeMap::new();
    for (line, key) in &host.recorded {
        if let Some(kind) = KeyKind::of(key) {
            recorded.entry(kind).or_default().push((*line, key));
        }
    }
    let mut findings = Vec::new();
    for (kind, lines) in &recorded {
        match live.get(kind) {
            Some(shown) if lines.iter().any(|(_, key)| key == shown) => {}
            Some(shown) => findings.extend(lines.iter().map(|(line, key)| {
                let message = format!(
                    "{} host key changed: the file has {}, the host shows {}",
                    name(key),
                    fp(key),
                    fp(shown)
                );
                finding(*line, Rule::HostKeyChanged, message)
            })),
            None => findings.extend(lines.iter().map(|(line, key)| {
                let message = format!("the host no longer shows its {} key {}", name(key), fp(key));
                finding(*line, Rule::HostKeyRemoved, message)
            })),
        }
    }
    for (kind, shown) in &live {
        if !recorded.contains_key(kind) {
            let message =
                format!("the host shows a key type the file does not record: {} {}", name(shown), fp(shown));
            findings.push(finding(first_line, Rule::HostKeyAdded, message));
        }
    }
    findings
}

fn name(key: &KeyData) -> String {
    describe(key).map_or_else(|| crate::key::describe::line_type_name(key), |d| d.type_name)
}

fn fp(key: &KeyData) -> String {
    Fingerprint::of_key(HashKind::Sha256, key).to_string()
}
