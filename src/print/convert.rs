//! `keywright export` and `import` as text: the key itself, or where it was saved.

use std::io;

use super::{Render, Text};
use crate::report::convert::Converted;

impl Render for Converted {
    fn text(&self, out: &mut Text<'_>) -> io::Result<()> {
        // The key in the format asked for, as the other program reads it.
        out.verbatim(&self.text)
    }
}
