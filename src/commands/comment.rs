//! `keywright comment`: ssh-keygen -c, keeping the passphrase, cipher and KDF rounds.

use std::io::Write;

use anyhow::Result;

use super::{Status, unlock};
use crate::cli::comment::CommentArgs;
use crate::context::Context;
use crate::fsutil::{self, FileMode};
use crate::key::PrivateKeyFile;
use crate::key::private::{Protection, encode, pub_file_contents};
use crate::secret::Source;

pub fn run(ctx: &Context, args: CommentArgs) -> Result<Status> {
    crate::key::text::check_one_line(args.comment.as_bytes(), "the comment")?;
    let file = PrivateKeyFile::read(&args.file)?;
    let source =
        Source::pick(args.passphrase.passphrase_file.as_deref(), args.passphrase.old_passphrase.as_ref());
    let (mut key, passphrase) = unlock(ctx, &file, &source, "Enter passphrase: ")?;
    let old_comment = key.comment().as_bytes().to_vec();
    let unchanged = file.is_openssh_format() && old_comment == args.comment.as_bytes();
    // A key left as it is keeps its mode: then the warning says how to fix it.
    ctx.warn_unprotected(&file, !unchanged);
    let mut out = std::io::stdout().lock();
    if !args.quiet {
        match file.is_openssh_format() {
            true => {
                out.write_all(b"Old comment: ")?;
                out.write_all(&old_comment)?;
                writeln!(out)?;
            }
            false => writeln!(out, "No existing comment")?,
        }
    }
    if unchanged {
        if !args.quiet {
            writeln!(out, "No change to comment")?;
        }
        return Ok(Status::Success);
    }
    key.set_comment(args.comment.as_str());
    let mut protection = Protection::new(passphrase, file.kdf_rounds());
    protection.cipher = file.cipher().unwrap_or(protection.cipher);
    let pub_path = fsutil::with_suffix(&args.file, ".pub");
    // Both files are checked before either is written: never half a key pair.
    fsutil::check_replaceable(&args.file)?;
    fsutil::check_replaceable(&pub_path)?;
    let repair = fsutil::replace(&args.file, encode(&key, &protection)?.as_bytes(), FileMode::Private)?;
    ctx.note_repair(repair);
    fsutil::replace(&pub_path, &pub_file_contents(key.public_key()), FileMode::KeepOr(0o644))?;
    if !args.quiet {
        match args.comment.is_empty() {
            true => writeln!(out, "Comment removed")?,
            false => writeln!(out, "Comment '{}' applied", args.comment)?,
        }
    }
    Ok(Status::Success)
}
