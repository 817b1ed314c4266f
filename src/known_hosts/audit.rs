//! The audit: rules that find what makes a known_hosts file unsafe or stale, for CI.
//!
//! Key size thresholds follow ssh-audit's host key checks: DSA and RSA below 2048 bits
//! fail, RSA below 3072 bits warns. Each finding names its file and line.

use std::borrow::Cow;
use std::collections::hash_map::Entry as MapEntry;
use std::hash::BuildHasher;

use ssh_key::public::KeyData;

use super::file::{KnownHosts, LineRef, par_chunks, workers};
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

/// The hasher of every key the cross-line checks look up; randomly seeded, so a crafted
/// file cannot aim lines at one bucket.
type Hasher = foldhash::fast::RandomState;

/// What one line contributes to the checks across lines, found in the parallel pass.
struct Facts<'a> {
    number: usize,
    marker: Option<Marker>,
    hosts: &'a [u8],
    /// The key's base64 text: its identity (OpenSSH writes canonical base64).
    key_id: &'a [u8],
    /// The blob's own type name (`ssh-rsa` also for `rsa-sha2-512` lines).
    key_type: &'a [u8],
    /// The names the line pins, with the hashes of their table keys.
    names: Vec<Name<'a>>,
}

/// One host name of a line, and the hashes of the two table keys it makes, computed in
/// the parallel pass: the single-threaded pass then never reads the file again to hash
/// (or rehash, as a table grows) a key, which made it slower per line as files grew.
struct Name<'a> {
    host: Cow<'a, [u8]>,
    /// Hash of (marker, host, key): duplicates.
    same_key: u64,
    /// Hash of (host, key type): conflicts.
    same_type: u64,
}

/// One chunk's share of the audit.
struct Chunk<'a> {
    findings: Vec<Finding>,
    facts: Vec<Facts<'a>>,
}

/// Audits one file.
pub fn audit(file: &KnownHosts, options: &AuditOptions) -> Vec<Finding> {
    let name = file.path().display().to_string();
    let hasher = Hasher::default();
    let chunks = par_chunks(file.data(), |lines| audit_lines(lines, &name, options, &hasher));
    let mut findings = Vec::new();
    let mut facts = Vec::with_capacity(chunks.len());
    for chunk in chunks {
        findings.extend(chunk.findings);
        facts.push(chunk.facts);
    }
    findings.extend(cross_checks(&name, &facts, &hasher, workers(file.data().len())));
    findings.sort_by_key(|f| (f.line, f.rule.id()));
    findings
}

/// The checks of each line alone, and the facts the checks across lines need.
fn audit_lines<'a>(
    lines: &mut dyn Iterator<Item = LineRef<'a>>,
    file: &str,
    options: &AuditOptions,
    hasher: &Hasher,
) -> Chunk<'a> {
    let mut chunk = Chunk { findings: Vec::new(), facts: Vec::new() };
    let mut line_findings = Vec::new();
    for line in lines {
        let facts = match line::parse(line.text) {
            Line::Blank => continue,
            Line::Invalid(why) => {
                line_findings.push((Rule::InvalidLine, Severity::Error, format!("invalid line: {why}")));
                None
            }
            Line::Entry(entry) => line_facts(&entry, line.number, options, &mut line_findings),
        };
        chunk.findings.extend(line_findings.drain(..).map(|(rule, severity, message)| Finding {
            file: file.to_string(),
            line: line.number,
            rule,
            severity,
            message,
        }));
        chunk.facts.extend(facts.map(|mut facts| {
            facts.names = host_names(&facts, &options.candidate_hosts, hasher);
            facts
        }));
    }
    chunk
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
    // The names agree, so the blob's is the written one but for RSA's signature names.
    let key_type = if entry.key_type == blob_type.as_bytes() { entry.key_type } else { b"ssh-rsa" };
    Some(Facts { number, marker: entry.marker, hosts: entry.hosts, key_id, key_type, names: Vec::new() })
}

fn type_names_agree(written: &[u8], blob: &[u8]) -> bool {
    written == blob || (blob == b"ssh-rsa" && matches!(written, b"rsa-sha2-256" | b"rsa-sha2-512"))
}

fn weak(key: &KeyData) -> Option<LineFinding> {
    // Only plain DSA and RSA keys can be weak (certificates describe as `RSA-CERT`);
    // skipping the description of the others saves an allocation a line.
    if !matches!(key, KeyData::Dsa(_) | KeyData::Rsa(_)) {
        return None;
    }
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
    let mut message = String::from("host name in clear text: ");
    let prefix = message.len();
    for name in plain_names(entry.hosts) {
        if message.len() > prefix {
            message.push_str(", ");
        }
        message.push_str(&String::from_utf8_lossy(name));
    }
    if message.len() == prefix {
        return None;
    }
    let severity = if required { Severity::Error } else { Severity::Warning };
    Some((Rule::UnhashedHost, severity, message))
}

/// The names of a host field that are no patterns: no wildcard, no negation.
fn plain_names(hosts: &[u8]) -> impl Iterator<Item = &[u8]> {
    hosts
        .split(|&b| b == b',')
        .filter(|p| !p.is_empty() && !p.iter().any(|b| matches!(b, b'*' | b'?' | b'!')))
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

/// The hosts a line names exactly, lower-case: plain names as written, a hashed name
/// as the candidate host it hashes (or as the hashed field itself).
fn host_names<'a>(fact: &Facts<'a>, candidates: &[String], hasher: &Hasher) -> Vec<Name<'a>> {
    let name = |host: Cow<'a, [u8]>| Name {
        same_key: hasher.hash_one((fact.marker, &*host, fact.key_id)),
        same_type: hasher.hash_one((&*host, fact.key_type)),
        host,
    };
    if fact.hosts.first() == Some(&b'|') {
        // Without candidates there is nothing to test the hash against.
        let candidate = (!candidates.is_empty())
            .then(|| HashedName::parse(fact.hosts))
            .flatten()
            .and_then(|hashed| candidates.iter().find(|c| hashed.matches(c.as_bytes())));
        return vec![name(match candidate {
            Some(host) => Cow::Owned(host.as_bytes().to_vec()),
            None => Cow::Borrowed(fact.hosts),
        })];
    }
    plain_names(fact.hosts)
        .map(|p| match p.iter().any(u8::is_ascii_uppercase) {
            true => Cow::Owned(p.to_ascii_lowercase()),
            false => Cow::Borrowed(p),
        })
        .map(name)
        .collect()
}

/// A table key whose hash was computed beforehand: the table hashes and compares it
/// without reading the file, and compares the fields only when the hashes are equal.
struct Prehashed<T> {
    hash: u64,
    key: T,
}

impl<T: PartialEq> PartialEq for Prehashed<T> {
    fn eq(&self, other: &Self) -> bool {
        self.hash == other.hash && self.key == other.key
    }
}

impl<T: Eq> Eq for Prehashed<T> {}

impl<T> std::hash::Hash for Prehashed<T> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        state.write_u64(self.hash);
    }
}

/// The hasher of [`Prehashed`] keys: the hash is the one written.
#[derive(Default)]
struct Written(u64);

impl std::hash::Hasher for Written {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only write_u64 is ever called; fold anything else in rather than lose it.
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }

    fn write_u64(&mut self, hash: u64) {
        self.0 = hash;
    }
}

/// A set of prehashed keys: the first line with each.
type FirstSet<K> = std::collections::HashMap<Prehashed<K>, (), std::hash::BuildHasherDefault<Written>>;

/// A line's name as a table key: the table holds two pointers and the hash.
#[derive(Clone, Copy)]
struct NameOf<'f, 'a> {
    fact: &'f Facts<'a>,
    name: &'f Name<'a>,
}

/// (marker, host, key): the same key for the same host.
#[derive(Clone, Copy)]
struct SameKey<'f, 'a>(NameOf<'f, 'a>);

impl PartialEq for SameKey<'_, '_> {
    fn eq(&self, other: &Self) -> bool {
        let (a, b) = (self.0, other.0);
        a.fact.marker == b.fact.marker && a.name.host == b.name.host && a.fact.key_id == b.fact.key_id
    }
}

impl Eq for SameKey<'_, '_> {}

/// (host, key type): the keys a host has of one type.
#[derive(Clone, Copy)]
struct SameType<'f, 'a>(NameOf<'f, 'a>);

impl PartialEq for SameType<'_, '_> {
    fn eq(&self, other: &Self) -> bool {
        let (a, b) = (self.0, other.0);
        a.name.host == b.name.host && a.fact.key_type == b.fact.key_type
    }
}

impl Eq for SameType<'_, '_> {}

/// A cross-line finding and where it sorts: its line, its rule, and which name of the line
/// it is about (shards find them out of order).
type Sorted = (usize, &'static str, usize, Finding);

/// The checks across lines: duplicates, conflicts, revoked keys still trusted. The
/// tables are split by hash into one shard a worker; each worker reads every line in
/// order and checks the names whose keys fall in its shard, so every shard sees its
/// keys in file order, as one table would.
fn cross_checks(file: &str, facts: &[Vec<Facts<'_>>], hasher: &Hasher, shards: usize) -> Vec<Finding> {
    let shard_of = |hash: u64| (hash >> 32) as usize % shards;
    let mut found: Vec<Sorted> = if shards == 1 {
        cross_check_shard(file, facts, hasher, |_| true, true)
    } else {
        std::thread::scope(|scope| {
            let workers: Vec<_> = (0..shards)
                .map(|shard| {
                    scope.spawn(move || {
                        cross_check_shard(file, facts, hasher, |h| shard_of(h) == shard, shard == 0)
                    })
                })
                .collect();
            workers
                .into_iter()
                .flat_map(|w| w.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
                .collect()
        })
    };
    found.sort_by_key(|&(line, rule, name, _)| (line, rule, name));
    found.into_iter().map(|(_, _, _, finding)| finding).collect()
}

/// The cross-line checks of the keys whose hash `mine` accepts (and the revoked keys,
/// with `revoked_too`).
fn cross_check_shard(
    file: &str,
    facts: &[Vec<Facts<'_>>],
    hasher: &Hasher,
    mine: impl Fn(u64) -> bool,
    revoked_too: bool,
) -> Vec<Sorted> {
    let mut findings = Vec::new();
    let mut push = |line: usize, rule: Rule, name: usize, message: String| {
        let severity = rule.default_severity();
        findings.push((
            line,
            rule.id(),
            name,
            Finding { file: file.to_string(), line, rule, severity, message },
        ));
    };
    let facts = || facts.iter().flatten();
    // A key revoked twice names its last @revoked line.
    let mut revoked = std::collections::HashMap::with_hasher(hasher.clone());
    if revoked_too {
        revoked.extend(facts().filter(|f| f.marker == Some(Marker::Revoked)).map(|f| (f.key_id, f.number)));
    }
    let mine_count = facts().flat_map(|f| &f.names).filter(|n| mine(n.same_key)).count();
    let mut seen: FirstSet<SameKey> = FirstSet::with_capacity_and_hasher(mine_count, Default::default());
    let mut by_type: FirstSet<SameType> = FirstSet::with_capacity_and_hasher(mine_count, Default::default());
    for fact in facts() {
        if fact.marker != Some(Marker::Revoked)
            && !revoked.is_empty()
            && let Some(line) = revoked.get(fact.key_id)
        {
            let message = format!("this key is @revoked on line {line} but trusted here");
            push(fact.number, Rule::RevokedKeyTrusted, 0, message);
        }
        for (index, name) in fact.names.iter().enumerate() {
            let this = NameOf { fact, name };
            let host = &*name.host;
            if mine(name.same_key)
                && let Some(first) = earlier(&mut seen, Prehashed { hash: name.same_key, key: SameKey(this) })
                && first.0.fact.number != fact.number
            {
                let first = first.0.fact.number;
                let message = format!("{}: the same key is already on line {first}", show(fact, host));
                push(fact.number, Rule::DuplicateEntry, index, message);
            }
            // Marker lines are not the host's keys, so they conflict with none.
            if fact.marker.is_none()
                && mine(name.same_type)
                && let Some(first) =
                    earlier(&mut by_type, Prehashed { hash: name.same_type, key: SameType(this) })
                && first.0.fact.key_id != fact.key_id
            {
                let message = format!(
                    "{}: a different {} key is on line {}; one of them is stale",
                    show(fact, host),
                    String::from_utf8_lossy(fact.key_type),
                    first.0.fact.number
                );
                push(fact.number, Rule::ConflictingKeys, index, message);
            }
        }
    }
    findings
}

/// The key `set` already holds equal to `key`, or `None` once `key` is stored there.
fn earlier<K: Eq + Copy>(set: &mut FirstSet<K>, key: Prehashed<K>) -> Option<K> {
    match set.entry(key) {
        MapEntry::Occupied(first) => Some(first.key().key),
        MapEntry::Vacant(slot) => {
            slot.insert(());
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

#[cfg(test)]
mod reference;

#[cfg(test)]
mod tests {
    use std::path::Path;

    use proptest::prelude::*;
    use proptest::strategy::ValueTree;

    use super::*;
    use crate::known_hosts::pattern::HashedName;

    const NAMES: &[&str] =
        &["a.example", "B.example", "b.example", "c", "[c]:2222", "*.example", "!a.example", "x?", ""];
    const CANDIDATES: &[&str] = &["a.example", "b.example", "c", "[c]:2222"];
    const MARKERS: &[&str] = &["", "", "", "@revoked ", "@cert-authority ", "@bogus "];
    const ENDINGS: &[&str] = &["", " comment", "\r", " a b c"];
    const ODD_LINES: &[&str] =
        &["", "# comment", "garbage", "host ssh-ed25519", "h ssh-ed25519 AAAA", "h x AAAA"];

    /// Key texts: distinct keys of one type (RSA), other types, aliases and damaged ones.
    fn keys() -> Vec<String> {
        let public = |name: &str| {
            let text = std::fs::read_to_string(
                Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/keys").join(name),
            )
            .unwrap();
            let mut words = text.split_whitespace();
            (words.next().unwrap().to_string(), words.next().unwrap().to_string())
        };
        let (ed, ed_b64) = public("id_ed25519.pub");
        let (rsa, rsa_2048) = public("id_rsa_2048.pub");
        let (_, rsa_3072) = public("id_rsa_3072.pub");
        let (dsa, dsa_b64) = public("id_dsa.pub");
        let (ecdsa, ecdsa_b64) = public("id_ecdsa_256.pub");
        vec![
            format!("{ed} {ed_b64}"),
            format!("{rsa} {rsa_2048}"),
            format!("{rsa} {rsa_3072}"),
            format!("rsa-sha2-512 {rsa_3072}"),
            format!("{dsa} {dsa_b64}"),
            format!("{ecdsa} {ecdsa_b64}"),
            format!("{ed} {rsa_2048}"),
            format!("{ed} AAAAC3NzaC1lZDI1NTE5"),
            format!("{ed} {}", &ed_b64[..ed_b64.len() - 1]),
        ]
    }

    /// A host field: one to three names, or a hashed name.
    fn host_field(picks: &[usize], hashed: Option<usize>) -> String {
        match hashed {
            Some(i) if i < CANDIDATES.len() => {
                HashedName::with_salt([i as u8; 20], CANDIDATES[i].as_bytes()).to_field()
            }
            Some(_) => "|1|bad|bad".to_string(),
            None => picks.iter().map(|&i| NAMES[i % NAMES.len()]).collect::<Vec<_>>().join(","),
        }
    }

    type LinePick = (usize, Vec<usize>, Option<usize>, usize, usize, usize);

    fn file_text(lines: &[LinePick], keys: &[String]) -> String {
        let mut text = String::new();
        for (marker, names, hashed, key, ending, odd) in lines {
            if *odd < ODD_LINES.len() {
                text += ODD_LINES[*odd];
            } else {
                let marker = MARKERS[marker % MARKERS.len()];
                text += &format!(
                    "{marker}{} {}{}",
                    host_field(names, *hashed),
                    keys[key % keys.len()],
                    ENDINGS[ending % ENDINGS.len()]
                );
            }
            text.push('\n');
        }
        text
    }

    fn line_pick() -> impl Strategy<Value = LinePick> {
        (
            0..6usize,
            prop::collection::vec(0..9usize, 1..4),
            prop::option::weighted(0.3, 0..5usize),
            0..9usize,
            0..4usize,
            0..40usize,
        )
    }

    fn options(candidates: usize, require_hashed: bool) -> AuditOptions {
        let candidate_hosts = CANDIDATES[..candidates].iter().map(|c| c.to_string()).collect();
        AuditOptions { candidate_hosts, require_hashed }
    }

    proptest! {
        /// The fast audit finds what the plain first version found, in the same order.
        #[test]
        fn audit_finds_what_the_plain_version_finds(
            lines in prop::collection::vec(line_pick(), 0..40),
            candidates in 0..=CANDIDATES.len(),
            require_hashed: bool,
        ) {
            let file = KnownHosts::from_bytes(Path::new("kh"), file_text(&lines, &keys()).into_bytes());
            let options = options(candidates, require_hashed);
            prop_assert_eq!(audit(&file, &options), reference::audit(&file, &options));
        }
    }

    /// Files over 1 MiB are audited in chunks, one per core: the findings must not change.
    #[test]
    fn chunked_audit_finds_what_the_plain_version_finds() {
        let keys = keys();
        let mut runner = proptest::test_runner::TestRunner::deterministic();
        let lines = prop::collection::vec(line_pick(), 6000).new_tree(&mut runner).unwrap().current();
        let text = file_text(&lines, &keys);
        assert!(text.len() > 1 << 20, "{} bytes", text.len());
        let file = KnownHosts::from_bytes(Path::new("kh"), text.into_bytes());
        let options = options(2, false);
        let findings = audit(&file, &options);
        assert!(findings.iter().any(|f| f.rule == Rule::DuplicateEntry));
        assert!(findings.iter().any(|f| f.rule == Rule::ConflictingKeys));
        assert!(findings.iter().any(|f| f.rule == Rule::RevokedKeyTrusted));
        assert_eq!(findings, reference::audit(&file, &options));
    }
}
