//! `keywright comment`: ssh-keygen -c, keeping the passphrase, cipher and KDF rounds.

use std::path::PathBuf;

use anyhow::Result;
use ssh_key::Cipher;

use super::unlock;
use crate::cli::comment::CommentArgs;
use crate::context::Context;
use crate::error::CommentOf;
use crate::fsutil::{self, FileMode};
use crate::key::private::{Protection, encode, pub_file_contents};
use crate::print::Printer;
use crate::report::comment::{CommentChange, OldComment};
use crate::secret::Source;

pub fn run(ctx: &Context, printer: &Printer, args: CommentArgs) -> Result<CommentChange> {
    execute(ctx, printer, CommentRequest::from(args))
}

/// Which key gets which comment.
#[derive(Debug)]
pub struct CommentRequest {
    pub file: PathBuf,
    pub comment: CommentText,
    pub passphrase: Source,
    /// KDF rounds and cipher to save with; `None` keeps the key's (ssh-keygen -c writes
    /// its defaults, 16 rounds of aes256-ctr, or `-a`).
    pub rounds: Option<u32>,
    pub cipher: Option<Cipher>,
    /// Refuse a key others may read, as ssh-keygen does (the native command repairs it).
    pub strict: bool,
}

/// The new comment: given, or asked after the old one is shown (ssh-keygen -c without
/// -C asks "New comment: "; only its front's dialogue asks).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommentText {
    Given(String),
    Ask,
}

impl From<CommentArgs> for CommentRequest {
    fn from(args: CommentArgs) -> Self {
        CommentRequest {
            passphrase: Source::pick(
                args.passphrase.passphrase_file.as_deref(),
                args.passphrase.old_passphrase.as_ref(),
            ),
            comment: CommentText::Given(args.comment),
            file: args.file,
            rounds: None,
            cipher: None,
            strict: false,
        }
    }
}

/// Sets the comment `request` asks for.
///
/// # Errors
/// A comment that is not one line, a key that cannot be read or unlocked, a file that
/// cannot be written (then neither is).
pub fn execute(ctx: &Context, printer: &Printer, request: CommentRequest) -> Result<CommentChange> {
    if let CommentText::Given(comment) = &request.comment {
        crate::key::text::check_one_line(comment.as_bytes(), CommentOf::Argument)?;
    }
    let file = super::read_private(&request.file, request.strict)?;
    let (mut key, passphrase) = unlock(ctx, &file, &request.passphrase, "Enter passphrase: ")?;
    let old_comment = (file.is_openssh_format() || file.is_ppk()).then(|| key.comment().as_bytes().to_vec());
    // Printed before anything is written, as ssh-keygen prints it.
    let show_old = |printer: &Printer| printer.report(&OldComment { comment: old_comment.clone() });
    let asked = request.comment == CommentText::Ask;
    let comment = match request.comment {
        CommentText::Given(comment) => comment,
        CommentText::Ask => {
            show_old(printer)?;
            match crate::secret::line(ctx, "New comment: ")? {
                Some(comment) => comment,
                None => return Ok(CommentChange::NoAnswer),
            }
        }
    };
    let unchanged = old_comment.as_deref() == Some(comment.as_bytes());
    // A key left as it is keeps its mode: then the warning says how to fix it.
    super::warn_unprotected(printer, &file, !unchanged);
    if !asked {
        show_old(printer)?;
    }
    if unchanged {
        return Ok(CommentChange::Unchanged);
    }
    crate::key::text::check_one_line(comment.as_bytes(), CommentOf::Argument)?;
    key.set_comment(comment.as_str());
    let mut protection = Protection::new(passphrase, request.rounds.or(file.kdf_rounds()));
    protection.cipher = request.cipher.or(file.cipher()).unwrap_or(protection.cipher);
    // A PuTTY key keeps its format (it holds its comment, as OpenSSH's does).
    if file.is_ppk() {
        protection.format = crate::key::PrivateFormat::Ppk;
    }
    let pub_path = fsutil::with_suffix(&request.file, ".pub");
    // Both files are checked before either is written: never half a key pair.
    fsutil::check_replaceable(&request.file)?;
    fsutil::check_replaceable(&pub_path)?;
    let repair = fsutil::replace(&request.file, encode(&key, &protection)?.as_bytes(), FileMode::Private)?;
    super::note_repair(printer, repair);
    fsutil::replace(&pub_path, &pub_file_contents(key.public_key()), FileMode::KeepOr(0o644))?;
    Ok(match comment.is_empty() {
        true => CommentChange::Removed,
        false => CommentChange::Applied { comment },
    })
}
