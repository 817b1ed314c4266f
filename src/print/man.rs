//! `keywright man` as text: the page itself; an install says where on stderr, as a note.

use std::io;

use super::{Render, Text};
use crate::report::man::Manual;

impl Render for Manual {
    fn text(&self, out: &mut Text<'_>) -> io::Result<()> {
        match self {
            Manual::Page(roff) => out.verbatim(roff),
            Manual::Installed { .. } => Ok(()),
        }
    }
}
