//! The audit: rules that find what makes a known_hosts file unsafe or stale, for CI.
//!
//! Key size thresholds follow ssh-audit's host key checks: DSA and RSA below 2048 bits
//! fail, RSA below 3072 bits warns. Each finding names its file and line.

use std::borrow::Cow;
use std::fs::File;
use std::hash::BuildHasher;
use std::path::Path;

use ssh_key::public::KeyData;

use super::file::{KnownHosts, LIMIT, LineRef, open_regular, par_chunks_counted, workers};
use super::line::{self, HostLine, Line, Marker};
use super::pattern::{HashedName, glob};
use super::stream;
use crate::error::Result;
use crate::key::describe::describe;
use crate::key::text::{blob_type_name, decode_base64, decode_blob};

/// How bad a finding is; `--fail-on` compares against it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
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
    RevokedByKrl,
    /// `known-hosts verify`: the live host shows another key of a recorded type.
    HostKeyChanged,
    /// `known-hosts verify`: a recorded key type is no longer shown.
    HostKeyRemoved,
    /// `known-hosts verify`: the host shows a key type the file does not record.
    HostKeyAdded,
    /// `known-hosts verify`: no key could be fetched.
    HostUnreachable,
    CaAlsoHostKey,
}

impl Rule {
    /// Every rule, in the order they are documented.
    pub const ALL: [Rule; 10] = [
        Rule::InvalidLine,
        Rule::WeakKey,
        Rule::DuplicateEntry,
        Rule::ConflictingKeys,
        Rule::UnhashedHost,
        Rule::BroadCertAuthority,
        Rule::KeyTypeMismatch,
        Rule::RevokedKeyTrusted,
        Rule::RevokedByKrl,
        Rule::CaAlsoHostKey,
    ];

    /// The findings of `known-hosts verify`, in the order they are documented.
    pub const VERIFY: [Rule; 4] =
        [Rule::HostKeyChanged, Rule::HostKeyRemoved, Rule::HostKeyAdded, Rule::HostUnreachable];

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
            Rule::RevokedByKrl => "revoked-by-krl",
            Rule::HostKeyChanged => "host-key-changed",
            Rule::HostKeyRemoved => "host-key-removed",
            Rule::HostKeyAdded => "host-key-added",
            Rule::HostUnreachable => "host-unreachable",
            Rule::CaAlsoHostKey => "ca-also-host-key",
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
            Rule::RevokedByKrl => {
                "A host key or @cert-authority CA that the key revocation list given with --revoked revokes (ssh refuses it under RevokedHostKeys)."
            }
            Rule::HostKeyChanged => {
                "The host shows a different key of a type the file records: the host was rebuilt or its key rotated, or someone is in the middle; ssh refuses to connect."
            }
            Rule::HostKeyRemoved => {
                "The file records a key type the host no longer shows: a stale line that would trust that key again if it came back."
            }
            Rule::HostKeyAdded => {
                "The host shows a key type the file does not record; ssh with UpdateHostKeys would learn it."
            }
            Rule::HostUnreachable => {
                "No host key could be fetched from the host, so it could not be checked."
            }
            Rule::CaAlsoHostKey => {
                "A @cert-authority key is also trusted as a host's own key: a CA key should only sign, or one stolen host key also signs for every host."
            }
        }
    }

    /// The severity a finding of this rule usually has (some depend on the case).
    pub fn default_severity(self) -> Severity {
        match self {
            Rule::DuplicateEntry | Rule::UnhashedHost | Rule::HostKeyRemoved | Rule::CaAlsoHostKey => {
                Severity::Warning
            }
            Rule::HostKeyAdded => Severity::Info,
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
    /// A key revocation list (`--revoked`): trusted keys and CAs it revokes are findings.
    pub revoked: Option<std::sync::Arc<(String, crate::krl::Krl)>>,
}

/// The hasher of the cross-line checks' keys; randomly seeded, so a crafted file cannot
/// make distinct names collide.
type Hasher = foldhash::fast::RandomState;

/// An entry whose key was read: what the checks across lines start from. Its hosts, key
/// and type are read again from the line for the few lines those checks look at closer,
/// so that a fact stays small (a large file holds millions of them at once).
#[derive(Debug, Clone, Copy)]
struct Fact {
    /// The line's number within its chunk, from 0 (see [`Chunk::number`]).
    number: usize,
    /// Where the line starts in the file.
    start: usize,
    marker: Option<Marker>,
}

/// A name a line pins, as the checks across lines sort them: the hash of (host, key
/// type), the line's fact, and where the name starts in the host field (0 for a hashed
/// name). A file is at most [`super::file::MAX_FILE`] (4 GiB) bytes, and an entry with a
/// key takes more than 70 of them, so neither index outgrows 32 bits.
#[derive(Debug, Clone, Copy)]
struct Pin {
    hash: u64,
    fact: u32,
    at: u32,
}

/// One chunk's share of the audit, its lines numbered from 0 until the chunks are put
/// together.
struct Chunk {
    findings: Vec<Finding>,
    facts: Vec<Fact>,
    /// The names, one list per shard of the hashes, each in file order.
    pins: Vec<Vec<Pin>>,
    /// Whether a fact is a `@revoked` line.
    revoked: bool,
    /// Whether a fact is a `@cert-authority` line.
    authority: bool,
    /// The number of the chunk's first line in the file, once the chunks are together.
    first: usize,
}

impl Chunk {
    /// The line number of one of the chunk's facts. (Numbering the facts themselves would
    /// be a pass over all of them, on one thread, between the parallel steps.)
    fn number(&self, fact: &Fact) -> usize {
        self.first + fact.number
    }
}

/// Audits one file.
pub fn audit(file: &KnownHosts, options: &AuditOptions) -> Vec<Finding> {
    audit_in(file, options, workers(file.data().len()))
}

/// [`audit`] with the file in `threads` chunks, and the checks across lines in as many
/// shards.
fn audit_in(file: &KnownHosts, options: &AuditOptions, threads: usize) -> Vec<Finding> {
    let name = file.path().display().to_string();
    let hasher = Hasher::default();
    let chunks = par_chunks_counted(file.data(), threads, |lines| {
        audit_lines(lines, &name, options, &hasher, threads.max(1))
    });
    let (mut findings, chunks) = numbered(chunks);
    let input = cross::Input::new(&name, &options.candidate_hosts, &chunks);
    findings.extend(cross::sort(&input).findings(&input, &file.data()));
    in_order(findings)
}

/// Reads and audits the known_hosts file at `path`. A regular file is read in chunks by
/// every core and never held whole (see [`super::stream`]): only the lines the checks
/// across lines must compare byte for byte are read again, which a clean file has none
/// of. A character device is read as [`KnownHosts::read`] reads it.
///
/// # Errors
/// As [`KnownHosts::read`].
pub fn audit_path(path: &Path, options: &AuditOptions) -> Result<Vec<Finding>> {
    match open_regular(path)? {
        Some((file, size)) => {
            let threads = workers(usize::try_from(size).unwrap_or(usize::MAX));
            audit_stream(&file, path, size, options, (threads, stream::STEPS))
        }
        None => Ok(audit(&KnownHosts::read(path)?, options)),
    }
}

/// [`audit_path`] of an opened regular file of `size` bytes, with `threads` workers and
/// shards, the chunks and their slack `steps` bytes long.
fn audit_stream(
    file: &File,
    path: &Path,
    size: u64,
    options: &AuditOptions,
    (threads, steps): (usize, (usize, usize)),
) -> Result<Vec<Finding>> {
    let name = path.display().to_string();
    let hasher = Hasher::default();
    let chunks = stream::scan_in_steps(file, path, LIMIT, threads, steps, |lines| {
        audit_lines(lines, &name, options, &hasher, threads.max(1))
    })?;
    let (mut findings, chunks) = numbered(chunks);
    let input = cross::Input::new(&name, &options.candidate_hosts, &chunks);
    let sorted = cross::sort(&input);
    if sorted.must_read_lines(&input) {
        let lines = stream::read_lines_at(file, path, &sorted.lines_to_read(&input), size, LIMIT)?;
        findings.extend(sorted.findings(&input, &lines));
    }
    Ok(in_order(findings))
}

/// The chunks' own findings, with their lines numbered from 1 across the file, and the
/// chunks, each knowing the number of its first line.
fn numbered(chunks: Vec<(usize, Chunk)>) -> (Vec<Finding>, Vec<Chunk>) {
    let mut first = 1;
    let mut findings = Vec::new();
    let mut numbered = Vec::with_capacity(chunks.len());
    for (lines, mut chunk) in chunks {
        findings.extend(chunk.findings.drain(..).map(|f| Finding { line: f.line + first, ..f }));
        chunk.first = first;
        numbered.push(chunk);
        first += lines;
    }
    (findings, numbered)
}

/// Findings in the order they are reported: by line, then rule.
fn in_order(mut findings: Vec<Finding>) -> Vec<Finding> {
    findings.sort_by_key(|f| (f.line, f.rule.id()));
    findings
}

/// The checks of each line alone, and the facts and names the checks across lines need.
fn audit_lines<'a>(
    lines: &mut dyn Iterator<Item = LineRef<'a>>,
    file: &str,
    options: &AuditOptions,
    hasher: &Hasher,
    shards: usize,
) -> Chunk {
    let mut chunk = Chunk {
        findings: Vec::new(),
        facts: Vec::new(),
        pins: vec![Vec::new(); shards],
        revoked: false,
        authority: false,
        first: 0,
    };
    let mut line_findings = Vec::new();
    for line in lines {
        let key_type = match line::parse(line.text) {
            Line::Blank => continue,
            Line::Invalid(why) => {
                line_findings.push((Rule::InvalidLine, Severity::Error, format!("invalid line: {why}")));
                None
            }
            Line::Entry(entry) => {
                line_facts(&entry, options, &mut line_findings).map(|key_type| (entry, key_type))
            }
        };
        chunk.findings.extend(line_findings.drain(..).map(|(rule, severity, message)| Finding {
            file: file.to_string(),
            line: line.number,
            rule,
            severity,
            message,
        }));
        let Some((entry, key_type)) = key_type else { continue };
        // See `Pin`: a chunk's facts and a line's length fit 32 bits.
        let fact = chunk.facts.len() as u32;
        chunk.facts.push(Fact { number: line.number, start: line.start, marker: entry.marker });
        chunk.revoked |= entry.marker == Some(Marker::Revoked);
        chunk.authority |= entry.marker == Some(Marker::CertAuthority);
        for_each_name(entry.hosts, &options.candidate_hosts, |at, host| {
            let hash = hasher.hash_one((&*host, key_type));
            chunk.pins[cross::shard_of(hash, shards)].push(Pin { hash, fact, at: at as u32 });
        });
    }
    chunk
}

type LineFinding = (Rule, Severity, String);

/// The checks that need only the line itself. Returns the type of the line's key (the
/// blob's own name: `ssh-rsa` also for `rsa-sha2-512` lines) when the key could be read.
fn line_facts<'a>(
    entry: &HostLine<'a>,
    options: &AuditOptions,
    out: &mut Vec<LineFinding>,
) -> Option<&'a [u8]> {
    if let Some(finding) = unhashed(entry, options.require_hashed) {
        out.push(finding);
    }
    if entry.marker == Some(Marker::CertAuthority) {
        out.extend(broad_patterns(entry.hosts));
    }
    // The fast answer for Ed25519 needs no key; a revocation list needs it decoded.
    if entry.key_type == b"ssh-ed25519" && options.revoked.is_none() && is_ed25519_text(entry.key_text()) {
        return Some(entry.key_type);
    }
    let Some(blob) = decode_base64(entry.key_text()) else {
        out.push((
            Rule::InvalidLine,
            Severity::Error,
            "invalid line: the key data is not valid base64".into(),
        ));
        return None;
    };
    let blob_type = blob_type_name(&blob).unwrap_or_default();
    if !type_names_agree(entry.key_type, blob_type) {
        let (written, blob_type) =
            (String::from_utf8_lossy(entry.key_type), String::from_utf8_lossy(blob_type));
        out.push((
            Rule::KeyTypeMismatch,
            Severity::Error,
            format!("the line says {written} but the key is {blob_type}"),
        ));
        return None;
    }
    let Some(key) = decode_blob(&blob) else {
        let blob_type = String::from_utf8_lossy(blob_type);
        out.push((
            Rule::InvalidLine,
            Severity::Error,
            format!("invalid line: damaged or unsupported {blob_type} key"),
        ));
        return None;
    };
    out.extend(weak(&key));
    if let Some(revoked) = &options.revoked {
        out.extend(revoked_by_krl(entry.marker, &key, revoked));
    }
    // The names agree, so the blob's is the written one but for RSA's signature names.
    Some(if entry.key_type == blob_type { entry.key_type } else { b"ssh-rsa" })
}

/// How the base64 text of every Ed25519 key blob (`string "ssh-ed25519"`, then a `string`
/// of 32 bytes: 51 bytes, 68 letters) starts: the type, and the key's length, 32, whose
/// last two bits share the 26th letter with the key's first four.
const ED25519_START: &[u8] = b"AAAAC3NzaC1lZDI1NTE5AAAAI";

/// Whether `text` is the base64 text of an Ed25519 key blob as OpenSSH writes it, which
/// decodes to a key whatever its 32 bytes are: the fixed start, one letter that carries
/// the key's first four bits (after the length's last two, zero), then 42 letters of key.
/// Most known_hosts lines hold such keys, and answering this costs a fraction of
/// decoding the key, which [`line_facts`] does for any other text, to the same verdict
/// (a test checks).
fn is_ed25519_text(text: &[u8]) -> bool {
    let Ok(text) = <&[u8; 68]>::try_from(text) else { return false };
    // Every letter tested, without stopping at a bad one: the compiler then tests 16 at once.
    let is_letter = |c: u8| {
        let upper = c & !0x20;
        upper.is_ascii_uppercase() | c.is_ascii_digit() | (c == b'+') | (c == b'/')
    };
    let key = &text[26..];
    text.starts_with(ED25519_START)
        && (b'A'..=b'P').contains(&text[25])
        && key.iter().fold(true, |all, &c| all & is_letter(c))
}

fn type_names_agree(written: &[u8], blob: &[u8]) -> bool {
    written == blob || (blob == b"ssh-rsa" && matches!(written, b"rsa-sha2-256" | b"rsa-sha2-512"))
}

/// The type of an entry's key when the entry's key could be read: see [`line_facts`].
fn key_type<'a>(entry: &HostLine<'a>) -> &'a [u8] {
    match entry.key_type {
        b"rsa-sha2-256" | b"rsa-sha2-512" => b"ssh-rsa",
        written => written,
    }
}

/// The key's identity: its base64 text (OpenSSH writes canonical base64), without the
/// `\r` of a CRLF line.
fn key_id<'a>(entry: &HostLine<'a>) -> &'a [u8] {
    entry.key_text().strip_suffix(b"\r").unwrap_or(entry.key_text())
}

/// A trusted key (a host key or a `@cert-authority` CA; an `@revoked` line trusts
/// nothing) that the list revokes, as ssh's `RevokedHostKeys` check decides.
fn revoked_by_krl(
    marker: Option<Marker>,
    key: &KeyData,
    (path, krl): &(String, crate::krl::Krl),
) -> Option<LineFinding> {
    if marker == Some(Marker::Revoked) {
        return None;
    }
    krl.check(key)?;
    let fingerprint = crate::key::Fingerprint::of_key(crate::key::HashKind::Sha256, key);
    let message = match marker {
        Some(_) => {
            format!("the CA key {fingerprint} is revoked by {path}, but trusted for host certificates here")
        }
        None => {
            format!("the host key {fingerprint} is revoked by {path}: ssh refuses it with RevokedHostKeys")
        }
    };
    Some((Rule::RevokedByKrl, Severity::Error, message))
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
    for name in entry.hosts.split(|&b| b == b',').filter(|name| is_plain(name)) {
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

/// Whether a name of a host field is no pattern: not empty, no wildcard, no negation.
fn is_plain(name: &[u8]) -> bool {
    !name.is_empty() && !name.iter().any(|b| matches!(b, b'*' | b'?' | b'!'))
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

/// Calls `f` with each host a line names exactly, lower-case, and where it starts in the
/// host field: plain names as written, a hashed name (at 0) as the candidate host it
/// hashes, or as the hashed field itself.
fn for_each_name<'a>(hosts: &'a [u8], candidates: &'a [String], mut f: impl FnMut(usize, Cow<'a, [u8]>)) {
    if hosts.first() == Some(&b'|') {
        return f(0, hashed_host(hosts, candidates));
    }
    let mut at = 0;
    for name in hosts.split(|&b| b == b',') {
        if is_plain(name) {
            f(at, lowercase(name));
        }
        at += name.len() + 1;
    }
}

/// The host [`for_each_name`] gives for the name at `at`.
fn name_at<'a>(hosts: &'a [u8], at: usize, candidates: &'a [String]) -> Cow<'a, [u8]> {
    match hosts.first() == Some(&b'|') {
        true => hashed_host(hosts, candidates),
        false => lowercase(hosts[at..].split(|&b| b == b',').next().unwrap_or_default()),
    }
}

/// The candidate host a hashed field hashes, or the field itself.
fn hashed_host<'a>(hosts: &'a [u8], candidates: &'a [String]) -> Cow<'a, [u8]> {
    // Without candidates there is nothing to test the hash against.
    let candidate = (!candidates.is_empty())
        .then(|| HashedName::parse(hosts))
        .flatten()
        .and_then(|hashed| candidates.iter().find(|c| hashed.matches(c.as_bytes())));
    Cow::Borrowed(candidate.map_or(hosts, |host| host.as_bytes()))
}

fn lowercase(name: &[u8]) -> Cow<'_, [u8]> {
    match name.iter().any(u8::is_ascii_uppercase) {
        true => Cow::Owned(name.to_ascii_lowercase()),
        false => Cow::Borrowed(name),
    }
}

mod cross;

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
            format!("{ed} {}", other_ed25519(&ed_b64)),
            format!("{ed} AAAAC3NzaC1lZDI1NTE5"),
            format!("{ed} {}", &ed_b64[..ed_b64.len() - 1]),
        ]
    }

    /// Another Ed25519 key: the same text with its last letter changed (every letter of
    /// an Ed25519 key's text but the fixed start carries key bits).
    fn other_ed25519(text: &str) -> String {
        let last = if text.ends_with('A') { 'B' } else { 'A' };
        format!("{}{last}", &text[..text.len() - 1])
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
            0..10usize,
            0..4usize,
            0..40usize,
        )
    }

    fn options(candidates: usize, require_hashed: bool) -> AuditOptions {
        let candidate_hosts = CANDIDATES[..candidates].iter().map(|c| c.to_string()).collect();
        AuditOptions { candidate_hosts, require_hashed, revoked: None }
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
            let expected = reference::audit(&file, &options);
            prop_assert_eq!(&audit(&file, &options), &expected);
            // In chunks and shards, as large files are audited on several cores.
            for threads in 2..=4 {
                prop_assert_eq!(&audit_in(&file, &options, threads), &expected, "{} threads", threads);
            }
            // Read in chunks, never held whole, as `audit_path` reads a regular file.
            let mut on_disk = tempfile::tempfile().unwrap();
            std::io::Write::write_all(&mut on_disk, file.data()).unwrap();
            let size = file.data().len() as u64;
            for (threads, steps) in [(1, (1 << 20, 4096)), (2, (64, 16)), (3, (7, 1))] {
                let streamed = audit_stream(&on_disk, Path::new("kh"), size, &options, (threads, steps)).unwrap();
                prop_assert_eq!(&streamed, &expected, "{} threads, steps {:?}", threads, steps);
            }
        }

        /// Text the quick Ed25519 check accepts is a key the full reading accepts, with no
        /// finding; and it accepts every Ed25519 key as OpenSSH writes it.
        #[test]
        fn quick_ed25519_check_agrees_with_reading_the_key(
            key: [u8; 32],
            damage in prop::collection::vec((0..70usize, prop::sample::select(b"AIJPQ/+=9z \r-".to_vec())), 0..3),
            cut in 60..70usize,
        ) {
            let mut blob = b"\0\0\0\x0bssh-ed25519\0\0\0\x20".to_vec();
            blob.extend(key);
            let written = data_encoding::BASE64.encode(&blob).into_bytes();
            prop_assert!(is_ed25519_text(&written));
            let mut text = written.clone();
            for (at, byte) in damage {
                match text.get_mut(at) {
                    Some(letter) => *letter = byte,
                    None => text.push(byte),
                }
            }
            text.truncate(cut);
            for text in [written, text] {
                // A hashed name, which is no finding.
                let host = HashedName::with_salt([1; 20], b"host").to_field();
                let line = [host.as_bytes(), b" ssh-ed25519 ", &text[..]].concat();
                let Line::Entry(entry) = line::parse(&line) else { continue };
                let mut findings = Vec::new();
                let fact = line_facts(&entry, &AuditOptions::default(), &mut findings);
                if is_ed25519_text(entry.key_text()) {
                    prop_assert_eq!(fact, Some(&b"ssh-ed25519"[..]));
                    prop_assert!(findings.is_empty());
                }
                // The full reading, as the rest of the audit and `find` use it.
                let key = decode_base64(entry.key_text()).and_then(|blob| decode_blob(&blob));
                prop_assert_eq!(fact.is_some(), key.is_some(), "{:?}", String::from_utf8_lossy(&text));
            }
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
