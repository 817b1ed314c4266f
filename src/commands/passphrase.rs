//! `keywright passphrase`: ssh-keygen -p, keeping the key's KDF rounds and cipher unless
//! asked otherwise.

use anyhow::Result;

use super::unlock;
use crate::cli::passphrase::PassphraseArgs;
use crate::context::Context;
use crate::fsutil::{self, FileMode};
use crate::key::PrivateKeyFile;
use crate::key::private::{Protection, encode};
use crate::print::Printer;
use crate::report::passphrase::{KeyComment, PassphraseChanged};
use crate::secret::{self, Source};

pub fn run(ctx: &Context, printer: &Printer, args: PassphraseArgs) -> Result<PassphraseChanged> {
    let file = PrivateKeyFile::read(&args.file)?;
    let old = Source::pick(args.old_passphrase_file.as_deref(), args.old_passphrase.as_ref());
    let (key, _) = unlock(ctx, &file, &old, "Enter old passphrase: ")?;
    super::warn_unprotected(printer, &file, true);
    let new = Source::pick(args.new_passphrase_file.as_deref(), args.new_passphrase.as_ref());
    // A passphrase from a file is read before anything is printed, so that a bad file
    // fails cleanly; one from the terminal is asked after the comment, as ssh-keygen asks.
    let mut passphrase = match (&new, args.no_passphrase) {
        (_, true) => Some(None),
        (Source::Prompt, false) => None,
        (source, false) => Some(Some(read_new(ctx, printer, source, &args)?)),
    };
    if file.is_openssh_format() {
        printer.report(&KeyComment { comment: key.comment().as_bytes().to_vec() })?;
    }
    let passphrase = match passphrase.take() {
        Some(known) => known,
        None => Some(read_new(ctx, printer, &new, &args)?),
    };
    let mut protection = Protection::new(passphrase, args.rounds.or(file.kdf_rounds()));
    protection.cipher = file.cipher().unwrap_or(protection.cipher);
    let repair = fsutil::replace(&args.file, encode(&key, &protection)?.as_bytes(), FileMode::Private)?;
    super::note_repair(printer, repair);
    Ok(PassphraseChanged { file: args.file })
}

fn read_new(
    ctx: &Context,
    printer: &Printer,
    source: &Source,
    args: &PassphraseArgs,
) -> crate::Result<secret::Secret> {
    let prompt = "Enter new passphrase (empty for no passphrase): ";
    let subject = args.file.display().to_string();
    secret::new(ctx, source, prompt, &subject, &|| printer.note(secret::MISMATCH_CHANGE))
}
