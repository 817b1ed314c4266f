//! known_hosts files: parsing, host matching, and the edits (hash, remove, add) and the
//! audit, with the properties the commands promise.
//!
//! Input: the first line is the host asked about; the rest is the file.
#![no_main]

use std::collections::BTreeSet;
use std::path::Path;

use keywright::known_hosts::edit::{self, AddOptions, Added, RemoveOptions};
use keywright::known_hosts::host::HostQuery;
use keywright::known_hosts::line::{self, Line};
use keywright::known_hosts::pattern::{HashedName, glob};
use keywright::commands::Status;
use keywright::known_hosts::{KnownHosts, audit, report};
use keywright::print::{Format, to_bytes};
use keywright::report::known_hosts::Audit;
use keywright::sanitize::Charset;
use libfuzzer_sys::fuzz_target;

/// A key to add when the file holds none.
const SPARE_KEY: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGIrVZlC1iPIHCa8aMN6tFuV5UtyIYE6mjoM3htErex4";

fuzz_target!(|data: &[u8]| {
    let split = data.iter().position(|&b| b == b'\n').unwrap_or(data.len());
    let (host, contents) = (&data[..split], data.get(split + 1..).unwrap_or_default());
    let file = KnownHosts::from_bytes(Path::new("fuzz_known_hosts"), contents.to_vec());
    check_lines(&file);
    check_audit(&file);
    let Ok(host) = std::str::from_utf8(host) else { return };
    let Ok(query) = HostQuery::parse(host, None) else { return };
    let name = query.lookup.as_str();
    check_hash(&file, name);
    check_remove(&file, name);
    check_add(&file, name);
});

/// What `find` returns for `name`: (marker, key text) pairs.
fn found(file: &KnownHosts, name: &str) -> BTreeSet<(Option<&'static str>, Vec<u8>)> {
    file.find(name).iter().map(|f| (f.marker.map(|m| m.keyword()), f.entry.key_text().to_vec())).collect()
}

fn check_lines(file: &KnownHosts) {
    for line in file.lines() {
        if let Line::Entry(entry) = line::parse(line.text) {
            let _ = entry.key();
            if let Some(hashed) = HashedName::parse(entry.hosts) {
                let again = HashedName::parse(hashed.to_field().as_bytes());
                assert_eq!(again.as_ref(), Some(&hashed), "a hashed name does not survive writing");
            }
            // A name without wildcards matches itself.
            if !entry.hosts.iter().any(|b| matches!(b, b'*' | b'?')) {
                assert!(glob(entry.hosts, entry.hosts));
            }
        }
    }
}

fn check_audit(file: &KnownHosts) {
    let findings = audit::audit(file, &audit::AuditOptions::default());
    let root = report::SarifRoot { cwd: "/fuzz".into(), base: None };
    let summary = report::Summary::of(&findings);
    let audit = Audit {
        files: vec!["fuzz_known_hosts".to_string()],
        findings,
        summary,
        sarif_root: Some(root),
        status: Status::Success,
        drift: false,
    };
    for format in [Format::Json, Format::Sarif] {
        let output = to_bytes(&audit, format, Charset::Ascii).expect("the audit report cannot be rendered");
        serde_json::from_slice::<serde_json::Value>(&output).expect("the audit report is not JSON");
    }
    for format in [Format::Text, Format::Github] {
        to_bytes(&audit, format, Charset::Ascii).expect("the audit report cannot be rendered");
    }
}

/// Hashing keeps every key the host had, and a second pass changes nothing.
fn check_hash(file: &KnownHosts, name: &str) {
    let Ok(hashed) = edit::hash(file) else { return };
    let after = KnownHosts::from_bytes(file.path(), hashed.content.to_vec());
    assert_eq!(found(&after, name), found(file, name), "hashing changed what the host finds");
    let again = edit::hash(&after).expect("hash");
    assert_eq!(again.hashed_lines, 0, "a hashed file hashed again changed");
    assert_eq!(again.content.to_vec(), after.data(), "a hashed file hashed again changed");
}

/// After removing, the host's own keys are found only on the lines remove says it kept
/// (marker lines stay without --markers; a wildcard @cert-authority line is no host key).
fn check_remove(file: &KnownHosts, name: &str) {
    let removed = edit::remove(file, name, &RemoveOptions::default());
    let kept = removed.kept.len();
    let after = KnownHosts::from_bytes(file.path(), removed.content.to_vec());
    let again = edit::remove(&after, name, &RemoveOptions::default());
    assert!(again.touched.is_empty(), "a second remove found more to remove");
    let left = after.find(name).iter().filter(|found| found.marker.is_none()).count();
    assert!(left <= kept, "remove left entries it did not report");
}

/// After adding, adding the same key again finds it present.
fn check_add(file: &KnownHosts, name: &str) {
    let key = file
        .lines()
        .find_map(|l| match line::parse(l.text) {
            Line::Entry(entry) if entry.marker.is_none() => entry.key().ok().map(|(key, _)| key),
            _ => None,
        })
        .or_else(|| ssh_key::PublicKey::from_openssh(SPARE_KEY).ok().map(|k| k.key_data().clone()));
    let Some(key) = key else { return };
    for hash in [false, true] {
        let options = AddOptions { hash, replace: true };
        let Ok(Added::Appended { content, .. }) = edit::add(file, name, &key, options) else { continue };
        let after = KnownHosts::from_bytes(file.path(), content);
        match edit::add(&after, name, &key, options) {
            Ok(Added::Present(_)) | Ok(Added::Revoked(_)) => {}
            other => panic!("a key just added is not present: {other:?}"),
        }
    }
}
