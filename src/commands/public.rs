//! `keywright public`: ssh-keygen -y.

use std::path::PathBuf;

use anyhow::Result;

use super::unlock;
use crate::cli::public::PublicArgs;
use crate::context::Context;
use crate::key::private::public_line;
use crate::print::Printer;
use crate::report::public::PublicKey;
use crate::secret::Source;

pub fn run(ctx: &Context, printer: &Printer, args: PublicArgs) -> Result<PublicKey> {
    execute(ctx, printer, PublicRequest::from(args))
}

/// Whose public key to print.
#[derive(Debug)]
pub struct PublicRequest {
    pub file: PathBuf,
    pub passphrase: Source,
    /// The passphrase prompt (ssh-keygen asks "Enter passphrase: "; keywright names the
    /// file).
    pub prompt: String,
    /// Refuse a key others may read, as ssh-keygen does (the native command warns).
    pub strict: bool,
}

impl From<PublicArgs> for PublicRequest {
    fn from(args: PublicArgs) -> Self {
        PublicRequest {
            passphrase: Source::pick(
                args.passphrase.passphrase_file.as_deref(),
                args.passphrase.old_passphrase.as_ref(),
            ),
            prompt: format!("Enter passphrase for {}: ", args.file.display()),
            file: args.file,
            strict: false,
        }
    }
}

/// The public key line of the private key `request` names.
///
/// # Errors
/// The key cannot be read or unlocked.
pub fn execute(ctx: &Context, printer: &Printer, request: PublicRequest) -> Result<PublicKey> {
    let file = super::read_private(&request.file, request.strict)?;
    let (key, _) = unlock(ctx, &file, &request.passphrase, &request.prompt)?;
    super::warn_unprotected(printer, &file, false);
    Ok(PublicKey { line: public_line(key.public_key()) })
}
