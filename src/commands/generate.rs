//! `keywright generate`: ssh-keygen's key generation, with the same output.

use std::path::{Path, PathBuf};

use anyhow::Result;

use crate::cli::generate::{GenerateArgs, NewPassphraseArgs};
use crate::context::{Context, Dialog};
use crate::error::{CommentOf, Error};
use crate::fsutil::{self, FileMode};
use crate::key::private::{encode, pub_file_contents};
use crate::key::{
    Fingerprint, HashKind, KeySpec, KeyType, PrivateFormat, Protection, describe, randomart::randomart,
};
use crate::print::Printer;
use crate::report::KeyInfo;
use crate::report::generate::{Generated, Generating, SavedKey};
use crate::secret::{self, Source};

pub fn run(ctx: &Context, printer: &Printer, args: GenerateArgs) -> Result<Generated> {
    execute(ctx, printer, GenerateRequest::from(args))
}

/// What to generate, and where: the native options, or the ssh-keygen front's.
#[derive(Debug)]
pub struct GenerateRequest {
    pub key_type: KeyType,
    pub bits: Option<u32>,
    /// `None`: user@host.
    pub comment: Option<String>,
    /// `None`: `~/.ssh/id_<type>`.
    pub file: Option<PathBuf>,
    pub rounds: u32,
    /// `None`: no passphrase.
    pub passphrase: Option<Source>,
    /// Replace existing files without asking.
    pub force: bool,
    /// The private key file's format.
    pub format: PrivateFormat,
    /// Whether to print "Generating public/private … key pair."; the ssh-keygen front
    /// prints it itself, before it asks for the file name as ssh-keygen does.
    pub announce: bool,
}

impl From<GenerateArgs> for GenerateRequest {
    fn from(args: GenerateArgs) -> Self {
        GenerateRequest {
            key_type: args.key_type.into(),
            bits: args.bits,
            comment: args.comment,
            file: args.file,
            rounds: args.rounds,
            passphrase: passphrase_source(&args.passphrase),
            force: args.force,
            format: args.key_format.into(),
            announce: true,
        }
    }
}

/// Generates a key pair as `request` says.
///
/// # Errors
/// A size or comment refused, a file that cannot be written, a passphrase that cannot be
/// read; nothing is written then.
pub fn execute(ctx: &Context, printer: &Printer, request: GenerateRequest) -> Result<Generated> {
    let spec = KeySpec::new(request.key_type, request.bits)?;
    // Checked before anything is asked, printed or made (such as ~/.ssh).
    let comment = request.comment.clone().unwrap_or_else(|| ctx.user_at_host());
    crate::key::text::check_one_line(comment.as_bytes(), CommentOf::Argument)?;
    let path = match &request.file {
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
    let source = request.passphrase.as_ref();
    let typed = matches!(source, Some(Source::Prompt)) && ctx.can_prompt();
    let mut passphrase = if typed { None } else { new_passphrase(ctx, printer, source, &path)? };
    if request.announce {
        printer.report(&Generating { key_type: spec.type_word().to_string() })?;
    }
    if !may_write(ctx, request.force, &path, &pub_path)? {
        return Ok(Generated::Declined);
    }
    if typed {
        passphrase = new_passphrase(ctx, printer, source, &path)?;
    }
    let key = spec.generate(&comment)?;
    let mut protection = Protection::new(passphrase, Some(request.rounds));
    protection.format = request.format;
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

/// Existing files are replaced only with --force or a yes at the terminal. ssh-keygen
/// asks about the private key's file only (a lone `.pub` is replaced silently).
fn may_write(ctx: &Context, force: bool, path: &Path, pub_path: &Path) -> Result<bool> {
    let asked_about: &[&Path] = match ctx.dialog() {
        Dialog::OpenSsh => &[path],
        Dialog::Terminal => &[path, pub_path],
    };
    let Some(existing) = asked_about.iter().find(|p| p.exists()) else { return Ok(true) };
    if force {
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
    let note = |words: &str| printer.note(words);
    let mismatch =
        secret::Mismatch { words: secret::MISMATCH_GENERATE, note: &note, openssh_asks_again: true };
    Ok(Some(secret::new(ctx, source, prompt, &subject, &mismatch)?))
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
