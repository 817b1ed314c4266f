//! `keywright comment`: the key's old comment, then what became of it.

use serde::Serialize;

use super::{Report, Status};

/// The comment the key had, printed before it is replaced, as ssh-keygen -c prints it.
#[derive(Debug, Clone, Serialize)]
pub struct OldComment {
    /// As the key holds it; `null` for a key whose format holds no comment (PEM, PKCS#8).
    #[serde(serialize_with = "lossy_option")]
    pub comment: Option<Vec<u8>>,
}

impl Report for OldComment {}

/// What the command did with the comment.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "snake_case", tag = "outcome")]
pub enum CommentChange {
    /// The key already had this comment; nothing was written.
    Unchanged,
    /// The comment was emptied.
    Removed,
    /// The new comment, as given on the command line.
    Applied { comment: String },
    /// Asked for the new comment (the ssh-keygen front without -C), standard input ended
    /// without one; nothing was written.
    NoAnswer,
}

impl Report for CommentChange {
    fn status(&self) -> Status {
        match self {
            // ssh-keygen -c exits 1 when the question gets no answer.
            CommentChange::NoAnswer => Status::Negative,
            _ => Status::Success,
        }
    }
}

fn lossy_option<S: serde::Serializer>(bytes: &Option<Vec<u8>>, serializer: S) -> Result<S::Ok, S::Error> {
    match bytes {
        Some(bytes) => super::lossy(bytes, serializer),
        None => serializer.serialize_none(),
    }
}
