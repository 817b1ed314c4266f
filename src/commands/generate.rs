//! `keywright generate`: ssh-keygen's key generation, with the same output.

use std::path::{Path, PathBuf};

use anyhow::Result;

use crate::cli::generate::{GenerateArgs, NewPassphraseArgs};
use crate::context::Context;
use crate::error::{CommentOf, Error};
use crate::fsutil::{self, FileMode};
use crate::key::private::{encode, pub_file_contents};
use crate::key::{Fingerprint, HashKind, KeySpec, Protection, describe, randomart::randomart};
use crate::print::Printer;
use crate::report::KeyInfo;
use crate::report::generate::{Generated, Generating, SavedKey};
use crate::secret::{self, Source};

pub fn run(ctx: &Context, printer: &Printer, args: GenerateArgs) -> Result<Generated> {
    let spec = KeySpec::new(args.key_type.into(), args.bits)?;
    // Checked before anything is asked, printed or made (such as ~/.ssh).
    let comment = args.comment.clone().unwrap_or_else(|| ctx.user_at_host());
    crate::key::text::check_one_line(comment.as_bytes(), CommentOf::Argument)?;
    let path = match &args.file {
        Some(path) => path.clone(),
        None => ctx.ssh_dir().join(spec.default_file_name()),
    };
    create_dot_ssh(ctx, printer, &path)?;
    let pub_path = fsutil::with_suffix(&path, ".pub");
    // Both files are checked before anything is asked or written: a refusal (a directory,
    // a dangling link) must never leave half a key pair.
    fsutil::check_replaceable(&path)?;
    fsutil::check_replaceable(&pub_path)?;
    // A passphrase that is not typed is read first, so that a bad passphrase file fails
    // before anything is printed; a typed one is asked where ssh-keygen asks it.
    let source = passphrase_source(&args.passphrase);
    let typed = matches!(source, Some(Source::Prompt)) && ctx.can_prompt();
    let mut passphrase = if typed { None } else { new_passphrase(ctx, printer, source.as_ref(), &path)? };
    printer.report(&Generating { key_type: spec.type_word() })?;
    if !may_write(ctx, &args, &path, &pub_path)? {
        return Ok(Generated::Declined);
    }
    if typed {
        passphrase = new_passphrase(ctx, printer, source.as_ref(), &path)?;
    }
    let key = spec.generate(&comment)?;
    let protection = Protection::new(passphrase, Some(args.rounds));
    let repair = fsutil::replace(&path, encode(&key, &protection)?.as_bytes(), FileMode::Private)?;
    super::note_repair(printer, repair);
    fsutil::replace(&pub_path, &pub_file_contents(key.public_key()), FileMode::KeepOr(0o644))?;
    Ok(Generated::Saved(saved(path, pub_path, key.public_key())?))
}

/// Creates a missing `~/.ssh` (0700) when the key goes directly into it, as ssh-keygen
/// 9.2 does (hostfile.c `hostfile_create_user_ssh_dir`: only for a file whose directory
/// is `~/.ssh` itself, so `~/.ssh/sub/key` creates nothing), and says so in its words.
/// Unlike ssh-keygen, the note is given under -q too: a new directory is never silent.
fn create_dot_ssh(ctx: &Context, printer: &Printer, key: &Path) -> Result<()> {
    let dir = ctx.ssh_dir();
    if key.parent() == Some(dir.as_path()) && fsutil::ensure_private_dir(&dir)? {
        printer.note(format!("Created directory '{}'.", dir.display()));
    }
    Ok(())
}

/// Existing files are replaced only with --force or a yes at the terminal.
fn may_write(ctx: &Context, args: &GenerateArgs, path: &Path, pub_path: &Path) -> Result<bool> {
    let Some(existing) = [path, pub_path].into_iter().find(|p| p.exists()) else { return Ok(true) };
    if args.force {
        return Ok(true);
    }
    if !ctx.can_prompt() {
        return Err(Error::Exists { path: existing.to_path_buf() }.into());
    }
    let question = format!("{} already exists.\nOverwrite (y/n)? ", existing.display());
    Ok(secret::confirm(ctx, &question, &existing.display().to_string())?)
}

/// Where the new key's passphrase comes from; `None` for --no-passphrase.
fn passphrase_source(args: &NewPassphraseArgs) -> Option<Source> {
    (!args.no_passphrase).then(|| Source::pick(args.passphrase_file.as_deref(), args.new_passphrase.as_ref()))
}

/// The new key's passphrase; `None` for --no-passphrase.
fn new_passphrase(
    ctx: &Context,
    printer: &Printer,
    source: Option<&Source>,
    path: &Path,
) -> Result<Option<secret::Secret>> {
    let Some(source) = source else { return Ok(None) };
    let prompt = "Enter passphrase (empty for no passphrase): ";
    let subject = path.display().to_string();
    let mismatched = || printer.note(secret::MISMATCH_GENERATE);
    Ok(Some(secret::new(ctx, source, prompt, &subject, &mismatched)?))
}

/// What ssh-keygen prints after saving a new key.
fn saved(private_key: PathBuf, public_key: PathBuf, key: &ssh_key::PublicKey) -> Result<SavedKey> {
    let unknown = || anyhow::anyhow!("generated an unknown key type");
    let description = describe(key.key_data()).ok_or_else(unknown)?;
    let fingerprint = Fingerprint::of_key(HashKind::Sha256, key.key_data());
    let randomart = randomart(&description.type_name, description.bits, "SHA256", fingerprint.digest());
    let info =
        KeyInfo::of(key.key_data(), HashKind::Sha256, Some(key.comment().as_bytes())).ok_or_else(unknown)?;
    Ok(SavedKey { private_key, public_key, key: info, randomart })
}
