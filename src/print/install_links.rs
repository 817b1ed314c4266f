//! `keywright install-links` as text: one line per link.

use std::io;

use super::{Render, Text};
use crate::report::install_links::{LinkOutcome, LinksInstalled};

impl Render for LinksInstalled {
    fn text(&self, out: &mut Text<'_>) -> io::Result<()> {
        if self.created_dir {
            out.write(format_args!("created {}\n", self.dir.display()))?;
        }
        for link in &self.links {
            let what = match link.outcome {
                LinkOutcome::Created => "linked",
                LinkOutcome::Present => "already linked",
                LinkOutcome::Replaced => "replaced",
            };
            out.write(format_args!("{what} {} -> {}\n", link.path.display(), self.target.display()))?;
        }
        Ok(())
    }
}
