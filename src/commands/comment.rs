//! `keywright comment`: ssh-keygen -c, keeping the passphrase, cipher and KDF rounds.

use anyhow::Result;

use super::unlock;
use crate::cli::comment::CommentArgs;
use crate::context::Context;
use crate::error::CommentOf;
use crate::fsutil::{self, FileMode};
use crate::key::PrivateKeyFile;
use crate::key::private::{Protection, encode, pub_file_contents};
use crate::print::Printer;
use crate::report::comment::{CommentChange, OldComment};
use crate::secret::Source;

pub fn run(ctx: &Context, printer: &Printer, args: CommentArgs) -> Result<CommentChange> {
    crate::key::text::check_one_line(args.comment.as_bytes(), CommentOf::Argument)?;
    let file = PrivateKeyFile::read(&args.file)?;
    let source =
        Source::pick(args.passphrase.passphrase_file.as_deref(), args.passphrase.old_passphrase.as_ref());
    let (mut key, passphrase) = unlock(ctx, &file, &source, "Enter passphrase: ")?;
    let old_comment = file.is_openssh_format().then(|| key.comment().as_bytes().to_vec());
    let unchanged = old_comment.as_deref() == Some(args.comment.as_bytes());
    // A key left as it is keeps its mode: then the warning says how to fix it.
    super::warn_unprotected(printer, &file, !unchanged);
    // Printed before anything is written, as ssh-keygen prints it.
    printer.report(&OldComment { comment: old_comment })?;
    if unchanged {
        return Ok(CommentChange::Unchanged);
    }
    key.set_comment(args.comment.as_str());
    let mut protection = Protection::new(passphrase, file.kdf_rounds());
    protection.cipher = file.cipher().unwrap_or(protection.cipher);
    let pub_path = fsutil::with_suffix(&args.file, ".pub");
    // Both files are checked before either is written: never half a key pair.
    fsutil::check_replaceable(&args.file)?;
    fsutil::check_replaceable(&pub_path)?;
    let repair = fsutil::replace(&args.file, encode(&key, &protection)?.as_bytes(), FileMode::Private)?;
    super::note_repair(printer, repair);
    fsutil::replace(&pub_path, &pub_file_contents(key.public_key()), FileMode::KeepOr(0o644))?;
    Ok(match args.comment.is_empty() {
        true => CommentChange::Removed,
        false => CommentChange::Applied { comment: args.comment },
    })
}
