//! `keywright passphrase`: ssh-keygen -p, keeping the key's KDF rounds and cipher unless
//! asked otherwise.

use std::path::PathBuf;

use anyhow::Result;
use ssh_key::Cipher;

use super::unlock;
use crate::cli::passphrase::PassphraseArgs;
use crate::context::Context;
use crate::fsutil::{self, FileMode};
use crate::key::PrivateFormat;
use crate::key::private::{Protection, encode};
use crate::print::Printer;
use crate::report::passphrase::{KeyComment, PassphraseChanged};
use crate::secret::{self, Source};

pub fn run(ctx: &Context, printer: &Printer, args: PassphraseArgs) -> Result<PassphraseChanged> {
    execute(ctx, printer, PassphraseRequest::from(args))
}

/// Which key to re-encrypt, and with what.
#[derive(Debug)]
pub struct PassphraseRequest {
    pub file: PathBuf,
    /// The key's current passphrase, if it has one.
    pub old: Source,
    /// The new passphrase; `None` removes it.
    pub new: Option<Source>,
    /// New KDF rounds; `None` keeps the key's.
    pub rounds: Option<u32>,
    /// New cipher; `None` keeps the key's (ssh-keygen -p writes its default, aes256-ctr).
    pub cipher: Option<Cipher>,
    /// Refuse a key others may read, as ssh-keygen does (the native command repairs it).
    pub strict: bool,
    /// The format to write; `None`: OpenSSH's, or PuTTY's for a .ppk file.
    pub format: Option<PrivateFormat>,
}

impl From<PassphraseArgs> for PassphraseRequest {
    fn from(args: PassphraseArgs) -> Self {
        let new = Source::pick(args.new_passphrase_file.as_deref(), args.new_passphrase.as_ref());
        PassphraseRequest {
            old: Source::pick(args.old_passphrase_file.as_deref(), args.old_passphrase.as_ref()),
            new: (!args.no_passphrase).then_some(new),
            file: args.file,
            rounds: args.rounds,
            cipher: None,
            strict: false,
            format: args.key_format.map(Into::into),
        }
    }
}

/// Re-encrypts a key as `request` says.
///
/// # Errors
/// The key cannot be read or unlocked, a passphrase cannot be read, or the file cannot be
/// written (it is then unchanged).
pub fn execute(ctx: &Context, printer: &Printer, request: PassphraseRequest) -> Result<PassphraseChanged> {
    let file = super::read_private(&request.file, request.strict)?;
    let (key, _) = unlock(ctx, &file, &request.old, "Enter old passphrase: ")?;
    super::warn_unprotected(printer, &file, true);
    // A passphrase from a file is read before anything is printed, so that a bad file
    // fails cleanly; one from the terminal is asked after the comment, as ssh-keygen asks.
    let mut passphrase = match &request.new {
        None => Some(None),
        Some(Source::Prompt) => None,
        Some(source) => Some(Some(read_new(ctx, printer, source, &request)?)),
    };
    if file.is_openssh_format() {
        printer.report(&KeyComment { comment: key.comment().as_bytes().to_vec() })?;
    }
    let passphrase = match passphrase.take() {
        Some(known) => known,
        None => Some(read_new(ctx, printer, &Source::Prompt, &request)?),
    };
    let mut protection = Protection::new(passphrase, request.rounds.or(file.kdf_rounds()));
    protection.cipher = request.cipher.or(file.cipher()).unwrap_or(protection.cipher);
    protection.format = request.format.unwrap_or(match file.is_ppk() {
        true => PrivateFormat::Ppk,
        false => PrivateFormat::OpenSsh,
    });
    let repair = fsutil::replace(&request.file, encode(&key, &protection)?.as_bytes(), FileMode::Private)?;
    super::note_repair(printer, repair);
    Ok(PassphraseChanged { file: request.file })
}

fn read_new(
    ctx: &Context,
    printer: &Printer,
    source: &Source,
    request: &PassphraseRequest,
) -> crate::Result<secret::Secret> {
    let prompt = "Enter new passphrase (empty for no passphrase): ";
    let subject = request.file.display().to_string();
    let note = |words: &str| printer.note(words);
    let mismatch =
        secret::Mismatch { words: secret::MISMATCH_CHANGE, note: &note, openssh_asks_again: false };
    secret::new(ctx, source, prompt, &subject, &mismatch)
}
