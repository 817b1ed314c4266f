//! `signers audit`: what in an allowed_signers file is wrong or risky, line by line.
//!
//! Rules (each finding names its line):
//! - `invalid-line` (error): OpenSSH cannot read the line, so it admits no one.
//! - `weak-key` (error for DSA and RSA under 2048 bits, warning under 3072): the same
//!   thresholds as `known-hosts audit`. An `ssh-rsa` key is not weak as such: sshsig
//!   accepts only rsa-sha2-512/256 signatures from it, never SHA-1.
//! - `expired` (warning): `valid-before` has passed. Such a line still verifies old
//!   signatures at their own time (git verifies commits at commit time), so it is a
//!   warning, not an error.
//! - `not-yet-valid` (info): `valid-after` is still to come.
//! - `duplicate` (warning): the same principals, options and key as an earlier line.
//! - `shared-key` (warning): a key (not a CA) listed for other principals on an earlier
//!   line: one key that may sign as two identities is usually a copy-paste mistake.

use std::collections::HashMap;

use ssh_key::public::KeyData;

use super::SignersFile;
use super::allowed::{Entry, Parsed, parse_line};
use super::lookup::plain;
use super::time::{self, Seconds};
use crate::key::describe;

/// How bad a finding is: the known_hosts audit's scale.
pub use crate::known_hosts::audit::Severity;

/// What a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rule {
    InvalidLine,
    WeakKey,
    Expired,
    NotYetValid,
    Duplicate,
    SharedKey,
}

impl Rule {
    /// Every rule, in the order the man page lists them.
    pub const ALL: [Rule; 6] = [
        Rule::InvalidLine,
        Rule::WeakKey,
        Rule::Expired,
        Rule::NotYetValid,
        Rule::Duplicate,
        Rule::SharedKey,
    ];

    /// The rule's id, as findings name it.
    pub fn id(self) -> &'static str {
        match self {
            Rule::InvalidLine => "invalid-line",
            Rule::WeakKey => "weak-key",
            Rule::Expired => "expired",
            Rule::NotYetValid => "not-yet-valid",
            Rule::Duplicate => "duplicate",
            Rule::SharedKey => "shared-key",
        }
    }

    /// What the rule finds, for the man page.
    pub fn description(self) -> &'static str {
        match self {
            Rule::InvalidLine => "(error) OpenSSH cannot read the line, so it admits no one.",
            Rule::WeakKey => {
                "(error for DSA and RSA under 2048 bits, warning under 3072) a key too weak to trust."
            }
            Rule::Expired => {
                "(warning) valid-before has passed. The line still verifies signatures made before then (with --verify-time, as git verifies commits)."
            }
            Rule::NotYetValid => "(info) valid-after is still to come.",
            Rule::Duplicate => "(warning) the same principals, options and key as an earlier line.",
            Rule::SharedKey => {
                "(warning) a key (not a CA) also listed for other principals on an earlier line."
            }
        }
    }
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Finding {
    pub line: usize,
    pub rule: Rule,
    pub severity: Severity,
    pub message: String,
}

/// Audits `file` at `now`.
pub fn audit(file: &SignersFile, now: Seconds) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut seen: HashMap<KeyData, Vec<(usize, Entry)>> = HashMap::new();
    for (number, line) in file.lines() {
        let entry = match parse_line(number, line) {
            Parsed::Skip => continue,
            Parsed::Invalid(problem) => {
                findings.push(finding(number, Rule::InvalidLine, Severity::Error, problem.to_string()));
                continue;
            }
            Parsed::Entry(entry) => entry,
        };
        findings.extend(weak_key(&entry));
        findings.extend(validity(&entry, now));
        let earlier = seen.entry(plain(&entry.key).clone()).or_default();
        findings.extend(repeated(&entry, earlier));
        earlier.push((number, *entry));
    }
    findings
}

fn finding(line: usize, rule: Rule, severity: Severity, message: String) -> Finding {
    Finding { line, rule, severity, message }
}

fn weak_key(entry: &Entry) -> Option<Finding> {
    let description = describe(plain(&entry.key))?;
    let severity = match plain(&entry.key) {
        KeyData::Dsa(_) => Severity::Error,
        KeyData::Rsa(_) if description.bits < 2048 => Severity::Error,
        KeyData::Rsa(_) if description.bits < 3072 => Severity::Warning,
        _ => return None,
    };
    let message = format!("{} {}-bit key", description.type_name, description.bits);
    Some(finding(entry.line, Rule::WeakKey, severity, message))
}

fn validity(entry: &Entry, now: Seconds) -> Option<Finding> {
    if let Some(before) = entry.options.valid_before.filter(|&before| before < now) {
        let message = format!("expired: valid-before {}", time::format_local(before));
        return Some(finding(entry.line, Rule::Expired, Severity::Warning, message));
    }
    let after = entry.options.valid_after.filter(|&after| after > now)?;
    let message = format!("not valid yet: valid-after {}", time::format_local(after));
    Some(finding(entry.line, Rule::NotYetValid, Severity::Info, message))
}

/// The same line again, or the same key for other principals.
fn repeated(entry: &Entry, earlier: &[(usize, Entry)]) -> Option<Finding> {
    let same = |other: &Entry| {
        other.principals == entry.principals && other.options == entry.options && other.key == entry.key
    };
    if let Some((line, _)) = earlier.iter().find(|(_, other)| same(other)) {
        return Some(finding(
            entry.line,
            Rule::Duplicate,
            Severity::Warning,
            format!("duplicate of line {line}"),
        ));
    }
    if entry.options.cert_authority {
        return None;
    }
    let (line, other) = earlier
        .iter()
        .find(|(_, other)| !other.options.cert_authority && other.principals != entry.principals)?;
    let message =
        format!("the same key is listed for {} on line {line}", String::from_utf8_lossy(&other.principals));
    Some(finding(entry.line, Rule::SharedKey, Severity::Warning, message))
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    const ED: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPV5JM3xoi5Aeh+6F54SYGaFpkXBaBfoHhohWQTQ49Ye";

    #[test]
    fn finds_each_rule() {
        let text = format!(
            "alice {ED}\nalice {ED}\nbob {ED}\ncarol valid-before=\"20200101Z\" cert-authority\nx valid-after=\"20990101Z\" {ED}\n"
        );
        let file = SignersFile::from_bytes(Path::new("a"), text.into_bytes());
        let found: Vec<(usize, &str)> =
            audit(&file, 1_800_000_000).iter().map(|f| (f.line, f.rule.id())).collect();
        assert_eq!(
            found,
            [
                (2, "duplicate"),
                (3, "shared-key"),
                (4, "invalid-line"),
                (5, "not-yet-valid"),
                (5, "shared-key")
            ]
        );
    }
}
