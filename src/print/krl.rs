//! `keywright krl` as text: a query's lines as ssh-keygen -Q prints them
//! (`FILE (COMMENT): ok|REVOKED`), a list's contents as ssh-keygen -Q -l prints them (spec
//! lines with `#` comments), and a one-line note of what create and update wrote.

use std::io;

use super::{Render, Text};
use crate::report::krl::{KrlContents, KrlQuery, KrlWritten};

impl Render for KrlWritten {
    fn text(&self, out: &mut Text<'_>) -> io::Result<()> {
        if out.quiet() {
            return Ok(());
        }
        let verb = if self.updated { "updated" } else { "wrote" };
        out.write(format_args!("{verb} {} (version {})\n", self.file.display(), self.version))
    }
}

impl Render for KrlQuery {
    fn text(&self, out: &mut Text<'_>) -> io::Result<()> {
        if let Some(contents) = &self.contents {
            contents.text(out)?;
        }
        for key in &self.keys {
            out.untrusted(key.file.as_bytes())?;
            if !key.comment.is_empty() {
                out.write(" (")?;
                out.untrusted(key.comment.as_bytes())?;
                out.write(")")?;
            }
            out.write(if key.revoked { ": REVOKED\n" } else { ": ok\n" })?;
        }
        Ok(())
    }
}

impl Render for KrlContents {
    fn text(&self, out: &mut Text<'_>) -> io::Result<()> {
        out.write(format_args!("# KRL version {}\n# Generated at {}\n", self.version, self.generated_at))?;
        if !self.comment.is_empty() {
            out.write("# Comment: ")?;
            out.untrusted(self.comment.as_bytes())?;
            out.write("\n")?;
        }
        out.write("\n")?;
        for key in &self.keys {
            out.write(format_args!("hash: {} # {}\n", key.fingerprint, key.key_type))?;
        }
        for digest in &self.sha256 {
            out.write(format_args!("hash: SHA256:{digest}\n"))?;
        }
        for digest in &self.sha1 {
            out.write(format_args!("# hash SHA1:{digest}\n"))?;
        }
        for certs in &self.certificates {
            match &certs.ca {
                None => out.write("\n# Wildcard CA\n")?,
                Some(ca) => out.write(format_args!("\n# CA key {} {}\n", ca.key_type, ca.fingerprint))?,
            }
            for range in &certs.serials {
                match range.from == range.to {
                    true => out.write(format_args!("serial: {}\n", range.from))?,
                    false => out.write(format_args!("serial: {}-{}\n", range.from, range.to))?,
                }
            }
            for id in &certs.key_ids {
                out.write("id: ")?;
                out.untrusted(id.as_bytes())?;
                out.write("\n")?;
            }
        }
        Ok(())
    }
}
