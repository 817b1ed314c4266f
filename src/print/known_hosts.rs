//! `keywright known-hosts …` as text: ssh-keygen's lines where ssh-keygen has the
//! command (-H, -F, -R), ours elsewhere; the audit also as GitHub annotations and SARIF.

use std::io::{self, Write};

use super::{Format, Render, Text};
use crate::known_hosts::report::{self as audit_report};
use crate::report::known_hosts::{
    AddOutcome, AddedKeys, Audit, Entry, Found, Hashed, Listed, Removed, Scanned,
};

impl Render for Hashed {
    fn text(&self, out: &mut Text<'_>) -> io::Result<()> {
        if out.quiet() {
            return Ok(());
        }
        let file = self.file.display();
        match &self.backup {
            _ if self.hashed_lines == 0 => out.write(format_args!("{file}: no host names to hash\n")),
            Some(backup) => updated(out, &file, &backup.display()),
            None => out.write(format_args!("{file} updated.\n")),
        }
    }
}

/// ssh-keygen's lines after rewriting a known_hosts file (-H, -R).
fn updated(
    out: &mut Text<'_>,
    file: &dyn std::fmt::Display,
    backup: &dyn std::fmt::Display,
) -> io::Result<()> {
    out.write(format_args!("{file} updated.\nOriginal contents retained as {backup}\n"))
}

impl Render for Removed {
    fn text(&self, out: &mut Text<'_>) -> io::Result<()> {
        if self.lines.is_empty() {
            return Ok(());
        }
        if !out.quiet() {
            for number in &self.lines {
                out.write(format_args!("# Host {} found: line {number}\n", self.host))?;
            }
        }
        // As ssh-keygen -R, which prints these even under -q.
        match &self.backup {
            Some(backup) => updated(out, &self.file.display(), &backup.display()),
            None => out.write(format_args!("{} updated.\n", self.file.display())),
        }
    }
}

impl Render for AddedKeys {
    fn text(&self, out: &mut Text<'_>) -> io::Result<()> {
        if out.quiet() {
            return Ok(());
        }
        let (host, file) = (&self.host, self.file.display());
        for key in &self.keys {
            let key_type = &key.line_type;
            match &key.outcome {
                AddOutcome::Present { line } => {
                    out.write(format_args!("{host} {key_type}: already trusted ({file}:{line})\n"))?
                }
                AddOutcome::Added { replaced } if replaced.is_empty() => {
                    out.write(format_args!("Added {host} {key_type} to {file}\n"))?
                }
                AddOutcome::Added { replaced } => out.write(format_args!(
                    "Added {host} {key_type} to {file}, replacing the key on line {}\n",
                    join(replaced)
                ))?,
            }
        }
        Ok(())
    }
}

fn join(numbers: &[usize]) -> String {
    numbers.iter().map(usize::to_string).collect::<Vec<_>>().join(",")
}

impl Render for Found {
    fn text(&self, out: &mut Text<'_>) -> io::Result<()> {
        for found in &self.lines {
            if !out.quiet() {
                let tag = found.entry.marker.map_or("", |m| m.tag());
                out.write(format_args!("# Host {} found: line {} {tag}\n", self.host, found.entry.line))?;
            }
            // ssh-keygen -F prints the line as the file has it, control characters and all
            // (the user asked for the line itself), but as a C string: up to a NUL byte.
            out.verbatim(crate::key::scan::c_string(&found.text))?;
            out.write("\n")?;
        }
        Ok(())
    }
}

/// `known-hosts list`: one entry per line, tab-separated.
impl Render for Entry {
    fn text(&self, out: &mut Text<'_>) -> io::Result<()> {
        let marker = self.marker.map_or("-", |m| m.keyword());
        out.write(format_args!("{}\t{marker}\t", self.line))?;
        match &self.hosts {
            // The host field came from the file: a terminal must not interpret it.
            Some(hosts) => out.untrusted(hosts)?,
            None => out.write("(hashed)")?,
        }
        match &self.key {
            Some(key) => out.write(format_args!("\t{}\t{}\t{}\n", key.key_type, key.bits, key.fingerprint)),
            None => out.write("\t-\t-\t-\n"),
        }
    }
}

impl Render for Listed {
    fn text(&self, out: &mut Text<'_>) -> io::Result<()> {
        self.entries.iter().try_for_each(|entry| entry.text(out))
    }
}

impl Render for Audit {
    fn text(&self, out: &mut Text<'_>) -> io::Result<()> {
        for f in &self.findings {
            out.write(format_args!("{}:{}: {}: ", f.file, f.line, f.severity.name()))?;
            // Messages quote host fields and comments from the file.
            out.untrusted(f.message.as_bytes())?;
            out.write(format_args!(" [{}]\n", f.rule.id()))?;
        }
        let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
        out.write(format_args!(
            "{}, {}, {} in {}\n",
            plural(self.summary.errors, "error"),
            plural(self.summary.warnings, "warning"),
            plural(self.summary.infos, "note"),
            plural(self.files.len(), "file")
        ))
    }

    fn other(&self, format: Format, out: &mut dyn Write) -> io::Result<bool> {
        let text = match (format, &self.sarif_root) {
            (Format::Github, _) => audit_report::github(&self.findings),
            (Format::Sarif, Some(root)) if self.drift => audit_report::sarif_of(
                &self.findings,
                root,
                &crate::known_hosts::audit::Rule::VERIFY,
                "keywright-known-hosts-verify(1), FINDINGS",
            ),
            (Format::Sarif, Some(root)) => audit_report::sarif(&self.findings, root),
            _ => return Ok(false),
        };
        out.write_all(text.as_bytes())?;
        Ok(true)
    }
}

/// `known-hosts scan`: the known_hosts lines, as ssh-keyscan prints them; with --add,
/// what `known-hosts add` says for each key.
impl Render for Scanned {
    fn text(&self, out: &mut Text<'_>) -> io::Result<()> {
        for host in &self.hosts {
            match &host.added {
                Some(added) => added.text(out)?,
                None => host.keys.iter().try_for_each(|key| out.write(format_args!("{}\n", key.line)))?,
            }
        }
        Ok(())
    }
}
