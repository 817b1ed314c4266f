//! `keywright sign` as text: where each signature went; a signature of standard input is
//! the output itself.

use std::io;

use super::{Render, Text};
use crate::report::sign::{SignOutcome, Signed};

impl Render for Signed {
    fn text(&self, out: &mut Text<'_>) -> io::Result<()> {
        for file in &self.files {
            let name = file.file.as_os_str().as_encoded_bytes();
            match (&file.armored, &file.signature, file.outcome) {
                (Some(armored), _, _) => out.write(armored)?,
                (None, Some(signature), SignOutcome::Written) if !out.quiet() => {
                    out.untrusted(name)?;
                    out.write(": signature written to ")?;
                    out.untrusted(signature.as_os_str().as_encoded_bytes())?;
                    out.write("\n")?;
                }
                // Said even under -q: the file was not signed.
                (None, Some(signature), SignOutcome::Declined) => {
                    out.untrusted(name)?;
                    out.write(": not signed: ")?;
                    out.untrusted(signature.as_os_str().as_encoded_bytes())?;
                    out.write(" exists and was kept\n")?;
                }
                _ => {}
            }
        }
        Ok(())
    }
}
