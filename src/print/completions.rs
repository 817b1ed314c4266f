//! `keywright completions` as text: the script itself.

use std::io;

use super::{Render, Text};
use crate::report::completions::Completions;

impl Render for Completions {
    fn text(&self, out: &mut Text<'_>) -> io::Result<()> {
        out.verbatim(&self.script)
    }
}
