//! `keywright generate` as text: ssh-keygen's lines around a new key.

use std::io;

use super::{Render, Text};
use crate::report::generate::{Generated, Generating, SavedKey};

impl Render for Generating {
    fn text(&self, out: &mut Text<'_>) -> io::Result<()> {
        if out.quiet() {
            return Ok(());
        }
        out.write(format_args!("Generating public/private {} key pair.\n", self.key_type))
    }
}

impl Render for Generated {
    fn text(&self, out: &mut Text<'_>) -> io::Result<()> {
        match self {
            Generated::Saved(saved) if !out.quiet() => saved.text(out),
            _ => Ok(()),
        }
    }
}

impl SavedKey {
    fn text(&self, out: &mut Text<'_>) -> io::Result<()> {
        out.write(format_args!("Your identification has been saved in {}\n", self.private_key.display()))?;
        out.write(format_args!("Your public key has been saved in {}\n", self.public_key.display()))?;
        out.write("The key fingerprint is:\n")?;
        out.write(format_args!("{} ", self.key.fingerprint))?;
        // The comment the user gave (or user@host), checked to be one line: printed as
        // ssh-keygen prints it.
        out.verbatim(self.key.comment.as_deref().unwrap_or_default().as_bytes())?;
        out.write("\nThe key's randomart image is:\n")?;
        out.write(format_args!("{}\n", self.randomart))
    }
}
