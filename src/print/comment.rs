//! `keywright comment` as text: ssh-keygen -c's lines.

use std::io;

use super::{Render, Text};
use crate::report::comment::{CommentChange, OldComment};

impl Render for OldComment {
    fn text(&self, out: &mut Text<'_>) -> io::Result<()> {
        if out.quiet() {
            return Ok(());
        }
        match &self.comment {
            // The comment comes from the file: escaped, as ssh-keygen -p escapes it in
            // "Key has comment". (ssh-keygen 9.2 -c prints it raw, letting a key's comment
            // drive the terminal; that is the one place we differ.)
            Some(comment) => {
                out.write("Old comment: ")?;
                out.untrusted(comment)?;
                out.write("\n")
            }
            None => out.write("No existing comment\n"),
        }
    }
}

impl Render for CommentChange {
    fn text(&self, out: &mut Text<'_>) -> io::Result<()> {
        if out.quiet() {
            return Ok(());
        }
        match self {
            CommentChange::Unchanged => out.write("No change to comment\n"),
            CommentChange::Removed => out.write("Comment removed\n"),
            // The user's own argument, checked to be one line: printed as given.
            CommentChange::Applied { comment } => out.write(format_args!("Comment '{comment}' applied\n")),
            CommentChange::NoAnswer => Ok(()),
        }
    }
}
