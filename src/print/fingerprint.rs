//! `keywright fingerprint` as text: ssh-keygen -l's line, and -v's randomart.

use std::io;

use super::{Render, Text};
use crate::report::fingerprint::Fingerprinted;

impl Render for Fingerprinted {
    fn text(&self, out: &mut Text<'_>) -> io::Result<()> {
        out.write(format_args!("{} {} ", self.bits, self.fingerprint))?;
        match &self.printed_comment {
            Some(comment) => out.untrusted(comment)?,
            None => out.write("no comment")?,
        }
        out.write(format_args!(" ({})\n", self.key_type))?;
        if let Some(art) = &self.randomart {
            out.write(format_args!("{art}\n"))?;
        }
        Ok(())
    }
}
