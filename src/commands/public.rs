//! `keywright public`: ssh-keygen -y.

use std::io::Write;

use anyhow::Result;

use super::{Status, unlock};
use crate::cli::public::PublicArgs;
use crate::context::Context;
use crate::key::PrivateKeyFile;
use crate::key::private::public_line;
use crate::secret::Source;

pub fn run(ctx: &Context, args: PublicArgs) -> Result<Status> {
    let file = PrivateKeyFile::read(&args.file)?;
    let source =
        Source::pick(args.passphrase.passphrase_file.as_deref(), args.passphrase.old_passphrase.as_ref());
    let prompt = format!("Enter passphrase for {}: ", args.file.display());
    let (key, _) = unlock(ctx, &file, &source, &prompt)?;
    ctx.warn_unprotected(&file, false);
    std::io::stdout().lock().write_all(&public_line(key.public_key()))?;
    Ok(Status::Success)
}
