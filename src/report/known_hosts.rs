//! `keywright known-hosts …`: what hash, find, add, remove, list and audit return.
//! `find` and `list` describe an entry with the same fields, its key as every report
//! names a key ([`KeyInfo`]).

use std::path::PathBuf;

use serde::{Serialize, Serializer};

use super::Report;
use super::Status;
use super::{KeyInfo, lossy};
use crate::known_hosts::Marker;
use crate::known_hosts::audit::{Finding, Severity};
use crate::known_hosts::report::{SarifRoot, Summary};

/// `known-hosts hash`: how many lines had their names hashed, and where the old file is.
#[derive(Debug, Clone, Serialize)]
pub struct Hashed {
    /// The file as the user named it.
    pub file: PathBuf,
    pub hashed_lines: usize,
    /// `FILE.old`, when the file was rewritten.
    pub backup: Option<PathBuf>,
}

impl Report for Hashed {}

/// `known-hosts remove`: the lines that named the host, and where the old file is.
#[derive(Debug, Clone, Serialize)]
pub struct Removed {
    /// The host as the user gave it.
    pub host: String,
    pub file: PathBuf,
    /// Lines deleted, or rewritten without the host.
    pub lines: Vec<usize>,
    pub backup: Option<PathBuf>,
}

impl Report for Removed {
    /// A host that was not there is a clean negative answer, as with ssh-keygen -R.
    fn status(&self) -> Status {
        Status::found(!self.lines.is_empty())
    }
}

/// `known-hosts add`: what became of each key.
#[derive(Debug, Clone, Serialize)]
pub struct AddedKeys {
    pub host: String,
    pub file: PathBuf,
    pub keys: Vec<AddedKey>,
}

impl Report for AddedKeys {}

/// One key given to `add`.
#[derive(Debug, Clone, Serialize)]
pub struct AddedKey {
    /// The key type as a key line names it (`ssh-ed25519`).
    pub line_type: String,
    #[serde(flatten)]
    pub outcome: AddOutcome,
}

/// Whether a key was added or already there.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum AddOutcome {
    /// The file already trusted it, on this line.
    Present { line: usize },
    /// Appended; `replaced` lists the lines that lost the host's previous key.
    Added { replaced: Vec<usize> },
}

/// `known-hosts list`: every entry; JSON is the array of entries. Text is printed entry
/// by entry as each is read ([`Entry`] renders one line).
#[derive(Debug, Clone, Serialize)]
#[serde(transparent)]
pub struct Listed {
    pub entries: Vec<Entry>,
}

impl Report for Listed {}

/// `known-hosts find`: every line for the host; JSON is the array of lines.
#[derive(Debug, Clone, Serialize)]
#[serde(transparent)]
pub struct Found {
    /// The host as the user gave it, for the text headers.
    #[serde(skip)]
    pub host: String,
    pub lines: Vec<FoundLine>,
}

impl Report for Found {
    /// Not found is a clean negative answer, as with ssh-keygen -F.
    fn status(&self) -> Status {
        Status::found(!self.lines.is_empty())
    }
}

/// One line `find` found.
#[derive(Debug, Clone, Serialize)]
pub struct FoundLine {
    #[serde(flatten)]
    pub entry: Entry,
    /// The line as the file has it (without its newline).
    #[serde(serialize_with = "lossy")]
    pub text: Vec<u8>,
}

/// An entry as `find` and `list` describe it.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    /// The line number, from 1.
    pub line: usize,
    #[serde(serialize_with = "marker_keyword")]
    pub marker: Option<Marker>,
    /// The host field; `null` when it is hashed.
    #[serde(serialize_with = "lossy_option")]
    pub hosts: Option<Vec<u8>>,
    pub hashed: bool,
    /// The key; its fields are `null` when the line's key does not decode (`find` shows
    /// such a line, as ssh-keygen -F does; `list` warns about it instead).
    #[serde(flatten, serialize_with = "key_or_nulls")]
    pub key: Option<KeyInfo>,
}

/// `known-hosts audit`: the findings in the files read. Fields are in alphabetical order,
/// the order the JSON document has always had.
#[derive(Debug, Clone, Serialize)]
pub struct Audit {
    /// The files read, as named.
    pub files: Vec<String>,
    #[serde(serialize_with = "findings")]
    pub findings: Vec<Finding>,
    #[serde(serialize_with = "counts")]
    pub summary: Summary,
    /// Where SARIF locations are rooted (SARIF output only).
    #[serde(skip)]
    pub sarif_root: Option<SarifRoot>,
    /// Decided by the command from `--fail-on` and the files it could not read.
    #[serde(skip)]
    pub status: Status,
    /// Findings of `known-hosts verify` (its rules in SARIF), not of the audit.
    #[serde(skip)]
    pub drift: bool,
}

impl Report for Audit {
    fn status(&self) -> Status {
        self.status
    }
}

fn marker_keyword<S: Serializer>(marker: &Option<Marker>, serializer: S) -> Result<S::Ok, S::Error> {
    marker.map(Marker::keyword).serialize(serializer)
}

fn lossy_option<S: Serializer>(bytes: &Option<Vec<u8>>, serializer: S) -> Result<S::Ok, S::Error> {
    bytes.as_deref().map(String::from_utf8_lossy).serialize(serializer)
}

/// A key's fields, or the same fields as `null`, so that every entry has every field.
fn key_or_nulls<S: Serializer>(key: &Option<KeyInfo>, serializer: S) -> Result<S::Ok, S::Error> {
    #[derive(Serialize)]
    struct NoKey {
        r#type: Option<String>,
        bits: Option<u32>,
        fingerprint: Option<String>,
        comment: Option<String>,
    }
    match key {
        Some(key) => key.serialize(serializer),
        None => NoKey { r#type: None, bits: None, fingerprint: None, comment: None }.serialize(serializer),
    }
}

fn findings<S: Serializer>(findings: &[Finding], serializer: S) -> Result<S::Ok, S::Error> {
    #[derive(Serialize)]
    struct Item<'a> {
        file: &'a str,
        line: usize,
        message: &'a str,
        rule: &'static str,
        severity: &'static str,
    }
    serializer.collect_seq(findings.iter().map(|f| Item {
        file: &f.file,
        line: f.line,
        message: &f.message,
        rule: f.rule.id(),
        severity: f.severity.name(),
    }))
}

fn counts<S: Serializer>(summary: &Summary, serializer: S) -> Result<S::Ok, S::Error> {
    #[derive(Serialize)]
    struct Counts {
        error: usize,
        info: usize,
        warning: usize,
    }
    Counts { error: summary.errors, info: summary.infos, warning: summary.warnings }.serialize(serializer)
}

impl Audit {
    /// Whether a finding reaches `threshold`.
    pub fn reaches(&self, threshold: Severity) -> bool {
        self.findings.iter().any(|f| f.severity >= threshold)
    }
}

/// ssh-keygen -F/-R/-H through its front: what its pass found, in file order, and what
/// became of the file. Only the front renders it (in ssh-keygen's lines).
#[derive(Debug, Clone, Serialize)]
pub struct KeygenPass {
    /// The file as named.
    pub file: PathBuf,
    /// The steps shown on stdout and stderr, in order.
    pub steps: Vec<KeygenStep>,
    pub found: bool,
    /// Lines OpenSSH rejects were found: the file was not rewritten.
    pub invalid: bool,
    /// Plain names were hashed (the backup still holds them).
    pub hashed: bool,
    /// The file was rewritten, and its previous contents kept here.
    pub backup: Option<PathBuf>,
    /// Whether the file was rewritten.
    pub rewritten: bool,
}

impl Report for KeygenPass {}

/// One step of [`KeygenPass`].
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "snake_case", tag = "step")]
pub enum KeygenStep {
    /// A line for the host (found, or deleted).
    Found {
        line: usize,
        #[serde(serialize_with = "marker_keyword")]
        marker: Option<Marker>,
    },
    /// A line printed (-F): as the file has it, or hashed (-F -H).
    Line {
        #[serde(serialize_with = "lossy")]
        text: Vec<u8>,
    },
    /// A found line's key (-F -l): described in the hash asked for, with the comment after
    /// it as the line has it.
    Key {
        key: KeyInfo,
        #[serde(serialize_with = "lossy")]
        comment: Vec<u8>,
        randomart: Option<String>,
    },
    /// A line OpenSSH rejects.
    Invalid { line: usize },
    /// A line whose marker OpenSSH does not know (told with -v).
    BadMarker { line: usize },
    /// A host pattern with wildcards, kept in clear by -H.
    Wildcard {
        line: usize,
        #[serde(serialize_with = "lossy")]
        hosts: Vec<u8>,
    },
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::known_hosts::KnownHosts;
    use crate::known_hosts::audit::{AuditOptions, audit};
    use crate::print::{Format, to_bytes};
    use crate::sanitize::Charset;

    const KEY: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGIrVZlC1iPIHCa8aMN6tFuV5UtyIYE6mjoM3htErex4";

    /// The audit's JSON document is byte for byte what it was before it became a report
    /// (fields in alphabetical order, pretty-printed): CI jobs may compare it as text.
    #[test]
    fn audit_json_keeps_its_document() {
        let text = format!("a,b {KEY}\na {KEY}\nbad line\n@cert-authority * {KEY}\n");
        let file = KnownHosts::from_bytes(Path::new("kh"), text.into_bytes());
        let findings = audit(&file, &AuditOptions::default());
        assert!(findings.len() >= 3);
        let files = vec!["kh".to_string()];
        let summary = Summary::of(&findings);
        let report =
            Audit { files, findings, summary, sarif_root: None, status: Status::Success, drift: false };
        let json = to_bytes(&report, Format::Json, Charset::Ascii).unwrap();
        let finding = |line, message, rule, severity| {
            format!(
                "    {{\n      \"file\": \"kh\",\n      \"line\": {line},\n      \"message\": \"{message}\",\n      \"rule\": \"{rule}\",\n      \"severity\": \"{severity}\"\n    }}"
            )
        };
        let findings = [
            finding(
                1,
                "this key is a @cert-authority on line 4 and a host key here",
                "ca-also-host-key",
                "warning",
            ),
            finding(1, "host name in clear text: a, b", "unhashed-host", "warning"),
            finding(
                2,
                "this key is a @cert-authority on line 4 and a host key here",
                "ca-also-host-key",
                "warning",
            ),
            finding(2, "a: the same key is already on line 1", "duplicate-entry", "warning"),
            finding(2, "host name in clear text: a", "unhashed-host", "warning"),
            finding(3, "invalid line: unknown key type", "invalid-line", "error"),
            finding(4, "@cert-authority for * trusts the CA for every host", "broad-cert-authority", "error"),
        ];
        let expected = format!(
            "{{\n  \"files\": [\n    \"kh\"\n  ],\n  \"findings\": [\n{}\n  ],\n  \"summary\": {{\n    \"error\": 2,\n    \"info\": 0,\n    \"warning\": 5\n  }}\n}}\n",
            findings.join(",\n")
        );
        assert_eq!(String::from_utf8(json).unwrap(), expected);
    }
}

/// `known-hosts scan`: each host's keys, as known_hosts lines.
#[derive(Debug, Clone, Serialize)]
pub struct Scanned {
    pub hosts: Vec<ScannedHost>,
}

impl Report for Scanned {
    /// A host that showed no (expected) key is a clean negative answer.
    fn status(&self) -> Status {
        match self.hosts.iter().all(|host| !host.keys.is_empty() && host.error.is_none()) {
            true => Status::Success,
            false => Status::Negative,
        }
    }
}

/// One host of a scan.
#[derive(Debug, Clone, Serialize)]
pub struct ScannedHost {
    /// The host as given.
    pub host: String,
    pub port: u16,
    /// The keys it showed (only the expected ones, with --expect).
    pub keys: Vec<ScannedKey>,
    /// Keys it showed that --expect refused.
    pub refused: Vec<KeyInfo>,
    /// With --add: what happened to each key in the file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub added: Option<AddedKeys>,
    /// Why the host gave no (expected) key; `null` when it did.
    pub error: Option<String>,
}

/// A key a scan found.
#[derive(Debug, Clone, Serialize)]
pub struct ScannedKey {
    #[serde(flatten)]
    pub key: KeyInfo,
    /// The known_hosts line, as ssh-keyscan prints it (hashed name with -H).
    pub line: String,
}
