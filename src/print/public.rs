//! `keywright public` as text: the key line, as ssh-keygen -y prints it.

use std::io;

use super::{Render, Text};
use crate::report::public::PublicKey;

impl Render for PublicKey {
    fn text(&self, out: &mut Text<'_>) -> io::Result<()> {
        // The user asked for the key line itself: its comment prints as the key holds it,
        // as ssh-keygen -y prints it (a key line holds no control characters).
        out.verbatim(&self.line)
    }
}
