//! copy-id's results: a line per host, ssh-copy-id's closing words for a single host,
//! a summary for several, or JSON.

use serde_json::json;

use super::keys::{Keys, describe};
use super::{HostResult, HostStatus};

/// Text output.
pub fn text(results: &[HostResult], quiet: bool, dry_run: bool) -> String {
    let mut out: String = results
        .iter()
        .map(|r| format!("{}\n", one_line(&format!("{}: {}", r.dest(), r.status.summary()))))
        .collect();
    if let [single] = results
        && let HostStatus::Added(added) = &single.status
        && !quiet
    {
        let port = match single.port {
            22 => String::new(),
            port => format!("-p '{port}' "),
        };
        out.push_str(&format!(
            "\nNumber of key(s) added: {}\n\nNow try logging into the machine, with:   \"ssh {port}'{}'\"\n\
             and check to make sure that only the key(s) you wanted were added.\n\n",
            added.len(),
            single.login().replace('\'', "'\\''")
        ));
    }
    if results.len() > 1 {
        let count = |f: fn(&HostStatus) -> bool| results.iter().filter(|r| f(&r.status)).count();
        // A dry run added nothing: it says what would have been added.
        let (added, verb) = match dry_run {
            true => (count(|s| matches!(s, HostStatus::WouldAdd(_))), "would get keys"),
            false => (count(|s| matches!(s, HostStatus::Added(_))), "added keys"),
        };
        out.push_str(&format!(
            "{} hosts: {added} {verb}, {} already had them, {} failed\n",
            results.len(),
            count(|s| matches!(s, HostStatus::Present)),
            count(|s| matches!(s, HostStatus::Failed(_))),
        ));
    }
    out
}

/// `text` as one line for the terminal: a failure or note may quote what a server sent
/// (a path, an error message), which was escaped where it entered; this is the last
/// guard that no control character, CR or LF reaches the terminal to forge or erase a
/// line.
pub fn one_line(text: &str) -> String {
    crate::sanitize::server_line(text.as_bytes(), MAX_LINE)
}

/// The longest line printed for a host.
const MAX_LINE: usize = 4096;

/// The JSON document.
pub fn json(results: &[HostResult], keys: &Keys) -> String {
    let describe_keys = |indexes: &[usize]| -> Vec<serde_json::Value> {
        indexes
            .iter()
            .map(|&i| {
                let (key_type, fingerprint) = describe(&keys.keys[i]);
                json!({"type": key_type, "fingerprint": fingerprint, "comment": keys.comments[i]})
            })
            .collect()
    };
    let hosts: Vec<serde_json::Value> = results
        .iter()
        .map(|r| {
            let (added, present) = r
                .installed
                .as_ref()
                .map_or((Vec::new(), Vec::new()), |i| (describe_keys(&i.added), describe_keys(&i.present)));
            json!({
                "target": r.target,
                "user": r.user,
                "host": r.host,
                "port": r.port,
                "status": r.status.name(),
                "added": added,
                "present": present,
                "error": match &r.status { HostStatus::Failed(f) => Some(f.message.clone()), _ => None },
                "hint": match &r.status { HostStatus::Failed(f) => f.hint.clone(), _ => None },
                "notes": r.installed.as_ref().map(|i| i.notes.iter().map(ToString::to_string).collect::<Vec<_>>()).unwrap_or_default(),
            })
        })
        .collect();
    let count = |name: &str| results.iter().filter(|r| r.status.name() == name).count();
    let document = json!({
        "hosts": hosts,
        "summary": {
            "hosts": results.len(),
            // `added` is what was really added; a dry run's hosts count as `would_add`.
            "added": count("added"),
            "would_add": count("would-add"),
            "present": count("present"),
            "failed": count("failed"),
        },
    });
    format!("{document:#}\n")
}
