//! `keywright passphrase` as text: ssh-keygen -p's lines.

use std::io;

use super::{Render, Text};
use crate::report::passphrase::{KeyComment, PassphraseChanged};

impl Render for KeyComment {
    fn text(&self, out: &mut Text<'_>) -> io::Result<()> {
        if out.quiet() {
            return Ok(());
        }
        // From the file: escaped, as ssh-keygen -p escapes it.
        out.write("Key has comment '")?;
        out.untrusted(&self.comment)?;
        out.write("'\n")
    }
}

impl Render for PassphraseChanged {
    fn text(&self, out: &mut Text<'_>) -> io::Result<()> {
        if out.quiet() {
            return Ok(());
        }
        out.write("Your identification has been saved with the new passphrase.\n")
    }
}
