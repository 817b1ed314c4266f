//! `keywright host-keys` as text: one line per type; `--check`'s findings as the audits
//! print theirs.

use std::io;

use super::{Render, Text};
use crate::report::host_keys::{HostKeyCheck, HostKeys};

impl Render for HostKeys {
    fn text(&self, out: &mut Text<'_>) -> io::Result<()> {
        if out.quiet() {
            return Ok(());
        }
        for key in &self.keys {
            let file = key.file.display();
            match (key.outcome, &key.fingerprint) {
                ("made", Some(fingerprint)) => {
                    out.write(format_args!("{file}: made {} key {fingerprint}\n", key.key_type))?
                }
                ("kept", _) => out.write(format_args!("{file}: kept (it exists)\n"))?,
                // Failures were reported on stderr as they happened.
                _ => {}
            }
        }
        Ok(())
    }
}

impl Render for HostKeyCheck {
    fn text(&self, out: &mut Text<'_>) -> io::Result<()> {
        for f in &self.findings {
            out.write(format_args!("{}: {}: ", f.file.display(), f.severity.name()))?;
            // Messages may quote an error about a file's contents.
            out.untrusted(f.message.as_bytes())?;
            out.write(format_args!(" [{}]\n", f.rule))?;
        }
        let count = |severity| self.findings.iter().filter(|f| f.severity == severity).count();
        let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
        use crate::known_hosts::audit::Severity;
        out.write(format_args!(
            "{}, {} in {}\n",
            plural(count(Severity::Error), "error"),
            plural(count(Severity::Warning), "warning"),
            plural(self.files.len(), "host key")
        ))
    }
}
