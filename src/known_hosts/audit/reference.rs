//! The audit as first written, with one line at a time and tables keyed by the file's
//! own bytes: slow on large files, but plain enough to check the fast one against.

use std::borrow::Cow;
use std::collections::hash_map::Entry as MapEntry;

use ssh_key::public::KeyData;

use super::super::KnownHosts;
use super::super::line::{self, HostLine, Line, Marker};
use super::super::pattern::{HashedName, glob};
use super::{AuditOptions, Finding, Rule, Severity};
use crate::key::describe::describe;
use crate::key::text::{blob_type_name, decode_base64, decode_blob};

/// A hash map with a fast, randomly seeded hasher.
type Map<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

/// (marker, host, key) → the first line with them.
type FirstSeen<'a> = Map<(Option<Marker>, Cow<'a, [u8]>, &'a [u8]), usize>;
/// (host, key type) → the first key and its line.
type KeyByHostAndType<'a> = Map<(Cow<'a, [u8]>, &'a str), (&'a [u8], usize)>;

/// What one line contributes, found in the parallel pass.
struct Facts<'a> {
    number: usize,
    marker: Option<Marker>,
    hosts: &'a [u8],
    /// The key's base64 text: its identity (OpenSSH writes canonical base64).
    key_id: &'a [u8],
    /// The blob's own type name (`ssh-rsa` also for `rsa-sha2-512` lines).
    key_type: String,
}

/// Audits one file.
pub(super) fn audit(file: &KnownHosts, options: &AuditOptions) -> Vec<Finding> {
    let name = file.path().display().to_string();
    let per_line = file
        .lines()
        .filter_map(|line| {
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
        })
        .collect::<Vec<_>>();
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
    let key_id = entry.key_text().strip_suffix(b"\r").unwrap_or(entry.key_text());
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

    fn run<'a>(&mut self, facts: &'a [Facts<'a>]) {
        let revoked: Map<&[u8], usize> = facts
            .iter()
            .filter(|f| f.marker == Some(Marker::Revoked))
            .map(|f| (f.key_id, f.number))
            .collect();
        let mut authorities: Map<&[u8], usize> = Map::default();
        for fact in facts.iter().filter(|f| f.marker == Some(Marker::CertAuthority)) {
            authorities.entry(fact.key_id).or_insert(fact.number);
        }
        let mut seen: FirstSeen<'a> = Map::default();
        let mut by_type: KeyByHostAndType<'a> = Map::default();
        for fact in facts {
            if fact.marker != Some(Marker::Revoked)
                && let Some(line) = revoked.get(fact.key_id)
            {
                self.push(
                    fact.number,
                    Rule::RevokedKeyTrusted,
                    format!("this key is @revoked on line {line} but trusted here"),
                );
            }
            if fact.marker.is_none()
                && let Some(line) = authorities.get(fact.key_id)
            {
                self.push(
                    fact.number,
                    Rule::CaAlsoHostKey,
                    format!("this key is a @cert-authority on line {line} and a host key here"),
                );
            }
            for host in self.host_names(fact) {
                if let Some(first) = earlier(&mut seen, (fact.marker, host.clone(), fact.key_id), fact.number)
                    && first != fact.number
                {
                    let message = format!("{}: the same key is already on line {first}", show(fact, &host));
                    self.push(fact.number, Rule::DuplicateEntry, message);
                }
                // Marker lines are not the host's keys, so they conflict with none.
                if fact.marker.is_none()
                    && let Some((key_id, line)) =
                        earlier(&mut by_type, (host.clone(), &fact.key_type), (fact.key_id, fact.number))
                    && key_id != fact.key_id
                {
                    let message = format!(
                        "{}: a different {} key is on line {line}; one of them is stale",
                        show(fact, &host),
                        fact.key_type
                    );
                    self.push(fact.number, Rule::ConflictingKeys, message);
                }
            }
        }
    }

    /// The hosts a line names exactly, lower-case: plain names as written, a hashed name
    /// as the candidate host it hashes (or as the hashed field itself).
    fn host_names<'a>(&self, fact: &Facts<'a>) -> Vec<Cow<'a, [u8]>> {
        if fact.hosts.first() == Some(&b'|') {
            let candidate = HashedName::parse(fact.hosts)
                .and_then(|hashed| self.candidates.iter().find(|c| hashed.matches(c.as_bytes())));
            return vec![match candidate {
                Some(host) => Cow::Owned(host.as_bytes().to_vec()),
                None => Cow::Borrowed(fact.hosts),
            }];
        }
        fact.hosts
            .split(|&b| b == b',')
            .filter(|p| !p.is_empty() && !p.iter().any(|b| matches!(b, b'*' | b'?' | b'!')))
            .map(|p| match p.iter().any(u8::is_ascii_uppercase) {
                true => Cow::Owned(p.to_ascii_lowercase()),
                false => Cow::Borrowed(p),
            })
            .collect()
    }
}

/// The value `map` already holds for `key`, or `None` once `value` is stored there.
fn earlier<K: std::hash::Hash + Eq, V: Copy>(map: &mut Map<K, V>, key: K, value: V) -> Option<V> {
    match map.entry(key) {
        MapEntry::Occupied(first) => Some(*first.get()),
        MapEntry::Vacant(slot) => {
            slot.insert(value);
            None
        }
    }
}

/// How to name a host in a message: hashed names say so.
fn show(fact: &Facts<'_>, host: &[u8]) -> String {
    match (fact.hosts.first() == Some(&b'|'), host.first() == Some(&b'|')) {
        (true, true) => "hashed host".to_string(),
        (true, false) => format!("{} (hashed)", String::from_utf8_lossy(host)),
        _ => String::from_utf8_lossy(host).into_owned(),
    }
}
