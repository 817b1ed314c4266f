//! The audit: rules that find what makes a known_hosts file unsafe or stale, for CI.
//!
//! Key size thresholds follow ssh-audit's host key checks: DSA and RSA below 2048 bits
//! fail, RSA below 3072 bits warns. Each finding names its file and line.

use std::collections::HashMap;
use std::collections::hash_map::Entry as MapEntry;

use ssh_key::public::KeyData;

use super::file::{KnownHosts, par_lines};
use super::line::{self, HostLine, Line, Marker};
use super::pattern::{HashedName, glob};
use crate::key::describe::describe;
use crate::key::text::{blob_type_name, decode_base64, decode_blob};

/// How bad a finding is; `--fail-on` compares against it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    /// Lower-case name, as printed.
    pub fn name(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// The audit rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Rule {
    InvalidLine,
    WeakKey,
    DuplicateEntry,
    ConflictingKeys,
    UnhashedHost,
    BroadCertAuthority,
    KeyTypeMismatch,
    RevokedKeyTrusted,
}

impl Rule {
    /// Every rule, in the order they are documented.
    pub const ALL: [Rule; 8] = [
        Rule::InvalidLine,
        Rule::WeakKey,
        Rule::DuplicateEntry,
        Rule::ConflictingKeys,
        Rule::UnhashedHost,
        Rule::BroadCertAuthority,
        Rule::KeyTypeMismatch,
        Rule::RevokedKeyTrusted,
    ];

    /// The rule id printed with each finding.
    pub fn id(self) -> &'static str {
        match self {
            Rule::InvalidLine => "invalid-line",
            Rule::WeakKey => "weak-key",
            Rule::DuplicateEntry => "duplicate-entry",
            Rule::ConflictingKeys => "conflicting-keys",
            Rule::UnhashedHost => "unhashed-host",
            Rule::BroadCertAuthority => "broad-cert-authority",
            Rule::KeyTypeMismatch => "key-type-mismatch",
            Rule::RevokedKeyTrusted => "revoked-key-trusted",
        }
    }

    /// One sentence on what the rule finds and why it matters.
    pub fn description(self) -> &'static str {
        match self {
            Rule::InvalidLine => {
                "A line OpenSSH cannot parse; ssh ignores it, so the host it meant to pin is not pinned."
            }
            Rule::WeakKey => {
                "A DSA key or an RSA key under 2048 bits (error) or under 3072 bits (warning), by ssh-audit's thresholds."
            }
            Rule::DuplicateEntry => {
                "The same key for the same host on more than one line; harmless but stale, and it hides real changes."
            }
            Rule::ConflictingKeys => {
                "Different keys of the same type for one host: one is stale and may let an old or attacker's key through."
            }
            Rule::UnhashedHost => {
                "A host name in clear text; hashed names (keywright known-hosts hash) do not reveal where you connect."
            }
            Rule::BroadCertAuthority => {
                "A @cert-authority line whose host patterns cover every host or a whole top-level domain."
            }
            Rule::KeyTypeMismatch => {
                "The key type written on the line differs from the type inside the key data."
            }
            Rule::RevokedKeyTrusted => "A key marked @revoked is still trusted by another line of the file.",
        }
    }

    /// The severity a finding of this rule usually has (some depend on the case).
    pub fn default_severity(self) -> Severity {
        match self {
            Rule::DuplicateEntry | Rule::UnhashedHost => Severity::Warning,
            _ => Severity::Error,
        }
    }
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub file: String,
    pub line: usize,
    pub rule: Rule,
    pub severity: Severity,
    pub message: String,
}

/// What the audit is told besides the file.
#[derive(Debug, Clone, Default)]
pub struct AuditOptions {
    /// Lower-case lookup names to test hashed entries against (`--hosts`).
    pub candidate_hosts: Vec<String>,
    /// Unhashed names are errors, not warnings.
    pub require_hashed: bool,
}

/// What one line contributes, found in the parallel pass.
struct Facts<'a> {
    number: usize,
    marker: Option<Marker>,
    hosts: &'a [u8],
    /// SHA-256 of the key blob: the key's identity.
    key_id: [u8; 32],
    /// The blob's own type name (`ssh-rsa` also for `rsa-sha2-512` lines).
    key_type: String,
}

/// Audits one file.
pub fn audit(file: &KnownHosts, options: &AuditOptions) -> Vec<Finding> {
    let name = file.path().display().to_string();
    let per_line = par_lines(file.data(), |line| {
        let mut findings = Vec::new();
        let facts = match line::parse(line.text) {
            Line::Blank => return None,
            Line::Invalid(why) => {
                findings.push((Rule::InvalidLine, Severity::Error, format!("invalid line: {why}")));
                None
            }
            Line::Entry(entry) => line_facts(&entry, line.number, options, &mut findings),
        };
        Some((line.number, findings, facts))
    });
    let mut findings = Vec::new();
    let mut facts = Vec::new();
    for (number, line_findings, line_facts) in per_line {
        findings.extend(line_findings.into_iter().map(|(rule, severity, message)| Finding {
            file: name.clone(),
            line: number,
            rule,
            severity,
            message,
        }));
        facts.extend(line_facts);
    }
    let mut cross = CrossChecks::new(&name, &options.candidate_hosts);
    cross.run(&facts);
    findings.extend(cross.findings);
    findings.sort_by_key(|f| (f.line, f.rule.id()));
    findings
}

type LineFinding = (Rule, Severity, String);

/// The checks that need only the line itself.
fn line_facts<'a>(
    entry: &HostLine<'a>,
    number: usize,
    options: &AuditOptions,
    out: &mut Vec<LineFinding>,
) -> Option<Facts<'a>> {
    if let Some(finding) = unhashed(entry, options.require_hashed) {
        out.push(finding);
    }
    if entry.marker == Some(Marker::CertAuthority) {
        out.extend(broad_patterns(entry.hosts));
    }
    let Some(blob) = decode_base64(entry.key_text()) else {
        out.push((
            Rule::InvalidLine,
            Severity::Error,
            "invalid line: the key data is not valid base64".into(),
        ));
        return None;
    };
    let blob_type = String::from_utf8_lossy(blob_type_name(&blob).unwrap_or_default()).into_owned();
    if !type_names_agree(entry.key_type, blob_type.as_bytes()) {
        let written = String::from_utf8_lossy(entry.key_type);
        out.push((
            Rule::KeyTypeMismatch,
            Severity::Error,
            format!("the line says {written} but the key is {blob_type}"),
        ));
        return None;
    }
    let Some(key) = decode_blob(&blob) else {
        out.push((
            Rule::InvalidLine,
            Severity::Error,
            format!("invalid line: damaged or unsupported {blob_type} key"),
        ));
        return None;
    };
    out.extend(weak(&key));
    let key_id = crate::key::Fingerprint::of_blob(crate::key::HashKind::Sha256, &blob)
        .digest()
        .try_into()
        .unwrap_or([0; 32]);
    Some(Facts { number, marker: entry.marker, hosts: entry.hosts, key_id, key_type: blob_type })
}

fn type_names_agree(written: &[u8], blob: &[u8]) -> bool {
    written == blob || (blob == b"ssh-rsa" && matches!(written, b"rsa-sha2-256" | b"rsa-sha2-512"))
}

fn weak(key: &KeyData) -> Option<LineFinding> {
    let description = describe(key)?;
    match (description.type_name.as_str(), description.bits) {
        ("DSA", bits) => Some((
            Rule::WeakKey,
            Severity::Error,
            format!("DSA key ({bits} bits): DSA is broken and OpenSSH 10 removed it"),
        )),
        ("RSA", bits) if bits < 2048 => Some((
            Rule::WeakKey,
            Severity::Error,
            format!("RSA key of {bits} bits: below 2048 bits it can be factored"),
        )),
        ("RSA", bits) if bits < 3072 => Some((
            Rule::WeakKey,
            Severity::Warning,
            format!("RSA key of {bits} bits: 2048-bit RSA gives only 112-bit security; use 3072 or more"),
        )),
        _ => None,
    }
}

fn unhashed(entry: &HostLine<'_>, required: bool) -> Option<LineFinding> {
    if entry.is_hashed() || entry.marker.is_some() {
        return None;
    }
    let plain: Vec<String> = entry
        .hosts
        .split(|&b| b == b',')
        .filter(|p| !p.is_empty() && !p.iter().any(|b| matches!(b, b'*' | b'?' | b'!')))
        .map(|p| String::from_utf8_lossy(p).into_owned())
        .collect();
    if plain.is_empty() {
        return None;
    }
    let severity = if required { Severity::Error } else { Severity::Warning };
    Some((Rule::UnhashedHost, severity, format!("host name in clear text: {}", plain.join(", "))))
}

/// `@cert-authority` patterns that cover everything (error) or a whole TLD (warning).
fn broad_patterns(hosts: &[u8]) -> Vec<LineFinding> {
    let mut out = Vec::new();
    for pattern in hosts.split(|&b| b == b',').filter(|p| !p.starts_with(b"!")) {
        let text = String::from_utf8_lossy(pattern);
        if glob(b"every-host.example.invalid", pattern) && glob(b"10.0.0.1", pattern) {
            out.push((
                Rule::BroadCertAuthority,
                Severity::Error,
                format!("@cert-authority for {text} trusts the CA for every host"),
            ));
            continue;
        }
        let literal_tail = pattern.rsplit(|&b| b == b'*' || b == b'?').next().unwrap_or_default();
        let labels = literal_tail.split(|&b| b == b'.').filter(|l| !l.is_empty()).count();
        if literal_tail.len() < pattern.len() && labels < 2 {
            out.push((
                Rule::BroadCertAuthority,
                Severity::Warning,
                format!("@cert-authority for {text} covers a whole top-level domain"),
            ));
        }
    }
    out
}

/// The checks across lines: duplicates, conflicts, revoked keys still trusted.
struct CrossChecks<'c> {
    file: &'c str,
    candidates: &'c [String],
    findings: Vec<Finding>,
}

impl<'c> CrossChecks<'c> {
    fn new(file: &'c str, candidates: &'c [String]) -> Self {
        CrossChecks { file, candidates, findings: Vec::new() }
    }

    fn push(&mut self, line: usize, rule: Rule, message: String) {
        let severity = rule.default_severity();
        self.findings.push(Finding { file: self.file.to_string(), line, rule, severity, message });
    }

    fn run(&mut self, facts: &[Facts<'_>]) {
        let revoked: HashMap<[u8; 32], usize> = facts
            .iter()
            .filter(|f| f.marker == Some(Marker::Revoked))
            .map(|f| (f.key_id, f.number))
            .collect();
        let mut seen: HashMap<(Option<Marker>, String, [u8; 32]), usize> = HashMap::new();
        let mut by_type: HashMap<(String, String), ([u8; 32], usize)> = HashMap::new();
        for fact in facts {
            if fact.marker != Some(Marker::Revoked)
                && let Some(line) = revoked.get(&fact.key_id)
            {
                self.push(
                    fact.number,
                    Rule::RevokedKeyTrusted,
                    format!("this key is @revoked on line {line} but trusted here"),
                );
            }
            for (host, shown) in self.host_names(fact) {
                self.duplicate(&mut seen, fact, &host, &shown);
                if fact.marker.is_none() {
                    self.conflict(&mut by_type, fact, &host, &shown);
                }
            }
        }
    }

    fn duplicate(
        &mut self,
        seen: &mut HashMap<(Option<Marker>, String, [u8; 32]), usize>,
        fact: &Facts<'_>,
        host: &str,
        shown: &str,
    ) {
        match seen.entry((fact.marker, host.to_string(), fact.key_id)) {
            MapEntry::Occupied(first) if *first.get() != fact.number => {
                let first = *first.get();
                self.push(
                    fact.number,
                    Rule::DuplicateEntry,
                    format!("{shown}: the same key is already on line {first}"),
                );
            }
            MapEntry::Occupied(_) => {}
            MapEntry::Vacant(slot) => {
                slot.insert(fact.number);
            }
        }
    }

    fn conflict(
        &mut self,
        by_type: &mut HashMap<(String, String), ([u8; 32], usize)>,
        fact: &Facts<'_>,
        host: &str,
        shown: &str,
    ) {
        match by_type.entry((host.to_string(), fact.key_type.clone())) {
            MapEntry::Occupied(first) if first.get().0 != fact.key_id => {
                let line = first.get().1;
                let message = format!(
                    "{shown}: a different {} key is on line {line}; one of them is stale",
                    fact.key_type
                );
                self.push(fact.number, Rule::ConflictingKeys, message);
            }
            MapEntry::Occupied(_) => {}
            MapEntry::Vacant(slot) => {
                slot.insert((fact.key_id, fact.number));
            }
        }
    }

    /// The hosts a line names exactly: (identity, how to show it). Plain names by
    /// name; a hashed name as itself, or as the candidate host it hashes.
    fn host_names(&self, fact: &Facts<'_>) -> Vec<(String, String)> {
        if fact.hosts.first() == Some(&b'|') {
            let field = String::from_utf8_lossy(fact.hosts).into_owned();
            let Some(hashed) = HashedName::parse(fact.hosts) else { return vec![(field.clone(), field)] };
            return match self.candidates.iter().find(|c| hashed.matches(c.as_bytes())) {
                Some(host) => vec![(host.clone(), format!("{host} (hashed)"))],
                None => vec![(field, "hashed host".to_string())],
            };
        }
        fact.hosts
            .split(|&b| b == b',')
            .filter(|p| !p.is_empty() && !p.iter().any(|b| matches!(b, b'*' | b'?' | b'!')))
            .map(|p| {
                let name = String::from_utf8_lossy(p).to_ascii_lowercase();
                (name.clone(), name)
            })
            .collect()
    }
}
