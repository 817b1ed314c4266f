//! `keywright signers …` as text: principals one a line (as `ssh-keygen -Y
//! find-principals` and `match-principals` print them), signers added, a list, an audit.

use std::io;

use super::{Render, Text};
use crate::report::signers::{AddedSigners, Audited, Found, Listed, Matched};
use crate::sig::edit::Added;
use crate::sig::time::format_local;

impl Render for Found {
    fn text(&self, out: &mut Text<'_>) -> io::Result<()> {
        for principal in &self.principals {
            out.untrusted(principal.as_bytes())?;
            out.write("\n")?;
        }
        Ok(())
    }
}

impl Render for Matched {
    fn text(&self, out: &mut Text<'_>) -> io::Result<()> {
        for line in &self.lines {
            out.untrusted(line.principals.as_bytes())?;
            out.write("\n")?;
        }
        Ok(())
    }
}

impl Render for AddedSigners {
    fn text(&self, out: &mut Text<'_>) -> io::Result<()> {
        if out.quiet() {
            return Ok(());
        }
        let file = self.file.display();
        for signer in &self.signers {
            let key = format!("{} {}", signer.key.key_type, signer.key.fingerprint);
            match signer.outcome {
                Added::Appended { line } => {
                    out.write("Added ")?;
                    out.untrusted(signer.principals.as_bytes())?;
                    out.write(format_args!(" {key} to {file}:{line}\n"))?;
                }
                Added::Present { line } => {
                    out.untrusted(signer.principals.as_bytes())?;
                    out.write(format_args!(" {key}: already in {file}:{line}\n"))?;
                }
            }
        }
        Ok(())
    }
}

impl Render for Listed {
    fn text(&self, out: &mut Text<'_>) -> io::Result<()> {
        for signer in &self.signers {
            out.write(format_args!("{}: ", signer.line))?;
            out.untrusted(signer.principals.join(",").as_bytes())?;
            out.write(format_args!(
                " {} {} {}",
                signer.key.key_type, signer.key.bits, signer.key.fingerprint
            ))?;
            if signer.cert_authority {
                out.write(" cert-authority")?;
            }
            if let Some(namespaces) = &signer.namespaces {
                out.write(" namespaces=")?;
                out.untrusted(namespaces.join(",").as_bytes())?;
            }
            if let Some(after) = signer.valid_after {
                out.write(format_args!(" valid-after={}", format_local(after)))?;
            }
            if let Some(before) = signer.valid_before {
                out.write(format_args!(" valid-before={}", format_local(before)))?;
            }
            out.write("\n")?;
        }
        for invalid in &self.invalid {
            out.write(format_args!("{}: invalid: {}\n", invalid.line, invalid.message))?;
        }
        Ok(())
    }
}

impl Render for Audited {
    fn text(&self, out: &mut Text<'_>) -> io::Result<()> {
        let file = self.file.as_os_str().as_encoded_bytes();
        for finding in &self.findings {
            out.untrusted(file)?;
            out.write(format_args!(":{}: {}: ", finding.line, finding.severity.name()))?;
            // Messages quote principals from the file.
            out.untrusted(finding.message.as_bytes())?;
            out.write(format_args!(" [{}]\n", finding.rule.id()))?;
        }
        let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
        let s = &self.summary;
        out.write(format_args!(
            "{}, {}, {}\n",
            plural(s.error, "error"),
            plural(s.warning, "warning"),
            plural(s.info, "note")
        ))
    }
}
