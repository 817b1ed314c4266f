//! `keywright copy-id` as text: a line per host, ssh-copy-id's closing words for a single
//! host, a summary for several.

use std::io;

use super::{Render, Text};
use crate::report::copy_id::{CopyId, Host, HostStatus};

impl Render for CopyId {
    fn text(&self, out: &mut Text<'_>) -> io::Result<()> {
        for host in &self.hosts {
            out.write(format_args!("{}\n", host_line(host)))?;
        }
        if let [single] = self.hosts.as_slice()
            && single.status == HostStatus::Added
            && !out.quiet()
        {
            closing_words(single, out)?;
        }
        if self.hosts.len() > 1 {
            // A dry run added nothing: it says what would have been added.
            let (added, verb) = match self.dry_run {
                true => (self.summary.would_add, "would get keys"),
                false => (self.summary.added, "added keys"),
            };
            out.write(format_args!(
                "{} hosts: {added} {verb}, {} already had them, {} failed\n",
                self.summary.hosts, self.summary.present, self.summary.failed,
            ))?;
        }
        Ok(())
    }
}

/// ssh-copy-id's words after adding keys to one host.
fn closing_words(single: &Host, out: &mut Text<'_>) -> io::Result<()> {
    let port = match single.port {
        22 => String::new(),
        port => format!("-p '{port}' "),
    };
    out.write(format_args!(
        "\nNumber of key(s) added: {}\n\nNow try logging into the machine, with:   \"ssh {port}'{}'\"\n\
         and check to make sure that only the key(s) you wanted were added.\n\n",
        single.added.len(),
        single.login().replace('\'', "'\\''")
    ))
}

/// `DEST: how it ended`, as one line: the host's result line and the progress bar's.
pub fn host_line(host: &Host) -> String {
    one_line(&format!("{}: {}", host.dest(), summary(host)))
}

/// How a host ended, after its name on its result line.
fn summary(host: &Host) -> String {
    match host.status {
        HostStatus::Added => format!("added {} key(s)", host.added.len()),
        HostStatus::WouldAdd => format!("would add {} key(s)", host.added.len()),
        HostStatus::Present => "already present".into(),
        HostStatus::Failed => format!("failed: {}", host.error.as_deref().unwrap_or_default()),
    }
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
