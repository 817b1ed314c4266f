//! Audit findings as text, JSON, GitHub workflow annotations, or SARIF 2.1.0 (which
//! GitHub code scanning reads).

use std::os::unix::ffi::OsStrExt;
use std::path::{Component, Path, PathBuf};

use serde_json::{Value, json};

use super::audit::{Finding, Rule, Severity};

/// Counts by severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
}

impl Summary {
    /// Counts `findings`.
    pub fn of(findings: &[Finding]) -> Self {
        let count = |severity| findings.iter().filter(|f| f.severity == severity).count();
        Summary {
            errors: count(Severity::Error),
            warnings: count(Severity::Warning),
            infos: count(Severity::Info),
        }
    }
}

/// GitHub Actions workflow commands: one `::error file=…,line=…` annotation per finding.
pub fn github(findings: &[Finding]) -> String {
    findings
        .iter()
        .map(|f| {
            let level = match f.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info => "notice",
            };
            format!(
                "::{level} file={},line={},title={}::{}\n",
                escape_property(&f.file),
                f.line,
                escape_property(f.rule.id()),
                escape_data(&f.message)
            )
        })
        .collect()
}

/// Where SARIF locations are rooted: relative paths are resolved against `cwd`, and
/// paths under `base` (`--base-dir`, else `cwd`) are written relative to it, as GitHub
/// code scanning expects (relative to the repository root); anything else is an
/// absolute `file://` URI, which code scanning makes relative to its checkout path.
#[derive(Debug, Clone)]
pub struct SarifRoot {
    pub cwd: PathBuf,
    pub base: Option<PathBuf>,
}

/// The SARIF name of the base directory relative locations hang from (SARIF §3.14.14).
const SRCROOT: &str = "%SRCROOT%";

impl SarifRoot {
    /// The directory relative locations are relative to.
    fn base(&self) -> PathBuf {
        match &self.base {
            Some(base) => normalize(&self.cwd.join(base)),
            None => normalize(&self.cwd),
        }
    }

    /// `artifactLocation` for `file`: relative to the base with `uriBaseId`, or an
    /// absolute `file://` URI (a `uriBaseId` is only allowed beside a relative URI).
    fn location(&self, file: &str) -> Value {
        let absolute = normalize(&self.cwd.join(file));
        match absolute.strip_prefix(self.base()) {
            Ok(relative) if !relative.as_os_str().is_empty() => {
                json!({"uri": uri(relative.as_os_str().as_bytes()), "uriBaseId": SRCROOT})
            }
            _ => json!({"uri": file_uri(&absolute)}),
        }
    }

    /// `originalUriBaseIds`: where `%SRCROOT%` is, as an absolute directory URI.
    fn base_ids(&self) -> Value {
        let mut base = file_uri(&self.base());
        if !base.ends_with('/') {
            base.push('/');
        }
        json!({ SRCROOT: {"uri": base} })
    }
}

/// `path` with `.` and `..` resolved lexically (no file system access: a SARIF location
/// names the path given, not the file a link leads to).
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// An absolute path as a `file://` URI.
fn file_uri(path: &Path) -> String {
    format!("file://{}", uri(path.as_os_str().as_bytes()))
}

/// A SARIF 2.1.0 log with one run, the rules, and the findings as results.
pub fn sarif(findings: &[Finding], root: &SarifRoot) -> String {
    sarif_of(findings, root, &Rule::ALL, "keywright-known-hosts-audit(1), AUDIT RULES")
}

/// [`sarif`] for the findings of another command: its `rules`, and where its man page
/// documents them (`page`).
pub fn sarif_of(findings: &[Finding], root: &SarifRoot, all: &[Rule], page: &str) -> String {
    let rules: Vec<Value> = all
        .iter()
        .map(|rule| {
            json!({
                "id": rule.id(),
                "name": rule.id(),
                "shortDescription": {"text": rule.description()},
                "fullDescription": {"text": rule.description()},
                "help": {"text": format!("{} See {page}.", rule.description())},
                "defaultConfiguration": {"level": level(rule.default_severity())},
            })
        })
        .collect();
    let results: Vec<Value> = findings
        .iter()
        .map(|f| {
            json!({
                "ruleId": f.rule.id(),
                "ruleIndex": all.iter().position(|r| *r == f.rule).unwrap_or(0),
                "level": level(f.severity),
                "message": {"text": f.message},
                "locations": [{"physicalLocation": {
                    "artifactLocation": root.location(&f.file),
                    "region": {"startLine": f.line},
                }}],
            })
        })
        .collect();
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "keywright",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "originalUriBaseIds": root.base_ids(),
            "results": results,
        }],
    });
    format!("{log:#}\n")
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// A path's bytes as a URI path: `/` kept, everything outside RFC 3986's unreserved
/// characters percent-encoded.
fn uri(path: &[u8]) -> String {
    let mut out = String::with_capacity(path.len());
    for &byte in path {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// Workflow command data: `%`, CR and LF must be escaped.
fn escape_data(text: &str) -> String {
    text.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Workflow command properties: also `:` and `,`.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}
