//! `keywright public`: ssh-keygen -y.

use anyhow::Result;

use super::unlock;
use crate::cli::public::PublicArgs;
use crate::context::Context;
use crate::key::PrivateKeyFile;
use crate::key::private::public_line;
use crate::print::Printer;
use crate::report::public::PublicKey;
use crate::secret::Source;

pub fn run(ctx: &Context, printer: &Printer, args: PublicArgs) -> Result<PublicKey> {
    let file = PrivateKeyFile::read(&args.file)?;
    let source =
        Source::pick(args.passphrase.passphrase_file.as_deref(), args.passphrase.old_passphrase.as_ref());
    let prompt = format!("Enter passphrase for {}: ", args.file.display());
    let (key, _) = unlock(ctx, &file, &source, &prompt)?;
    super::warn_unprotected(printer, &file, false);
    Ok(PublicKey { line: public_line(key.public_key()) })
}
