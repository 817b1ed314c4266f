//! `keywright export`: ssh-keygen -e (public keys in RFC 4716, PKCS#8 or PEM), and
//! private keys as PuTTY `.ppk` files.

use std::path::{Path, PathBuf};

use anyhow::Result;
use ssh_key::PublicKey;

use super::unlock;
use crate::cli::export::{ExportArgs, ExportFormat};
use crate::cli::public::OldPassphraseArgs;
use crate::context::Context;
use crate::error::Error;
use crate::fsutil::{self, FileMode};
use crate::key::convert::{self, PublicFormat};
use crate::key::private::encode;
use crate::key::source::{first_public_key, pub_beside};
use crate::key::{PrivateFormat, PrivateKeyFile, Protection};
use crate::print::Printer;
use crate::report::convert::Converted;
use crate::secret::Source;

pub fn run(ctx: &Context, printer: &Printer, args: ExportArgs) -> Result<Converted> {
    let request = ExportRequest {
        target: match args.format {
            ExportFormat::Rfc4716 => ExportTarget::Public(PublicFormat::Rfc4716),
            ExportFormat::Pkcs8 => ExportTarget::Public(PublicFormat::Pkcs8),
            ExportFormat::Pem => ExportTarget::Public(PublicFormat::Pem),
            ExportFormat::Ppk => ExportTarget::Ppk,
        },
        io: Conversion::of_options(args.file, args.output, args.force, &args.passphrase),
        strict: false,
    };
    execute(ctx, printer, request)
}

/// The key file a conversion reads, where it writes, and how a passphrase is found: what
/// an export and an import are asked alike.
#[derive(Debug)]
pub struct Conversion {
    pub file: PathBuf,
    /// `None`: standard output (public keys only).
    pub output: Option<PathBuf>,
    /// Replace an existing output file.
    pub force: bool,
    /// The passphrase of a private key, asked only when it is needed.
    pub passphrase: Source,
    pub prompt: String,
}

impl Conversion {
    /// As the native commands take it: KEY (`-f`), `-o`, `--force` and the passphrase
    /// options, a prompt naming KEY.
    pub fn of_options(
        file: PathBuf,
        output: Option<PathBuf>,
        force: bool,
        passphrase: &OldPassphraseArgs,
    ) -> Self {
        Conversion {
            passphrase: Source::pick(
                passphrase.passphrase_file.as_deref(),
                passphrase.old_passphrase.as_ref(),
            ),
            prompt: format!("Enter passphrase for {}: ", file.display()),
            file,
            output,
            force,
        }
    }

    /// `file` converted onto standard output, as ssh-keygen's -e and -i do.
    pub fn printed(file: PathBuf, passphrase: Source, prompt: &str) -> Self {
        Conversion { file, output: None, force: false, passphrase, prompt: prompt.to_string() }
    }
}

/// What to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportTarget {
    /// The public key in this format.
    Public(PublicFormat),
    /// The private key as a PuTTY `.ppk` file.
    Ppk,
}

/// Which key to export, how, and where.
#[derive(Debug)]
pub struct ExportRequest {
    pub io: Conversion,
    pub target: ExportTarget,
    /// Refuse a private key others may read, as ssh-keygen does.
    pub strict: bool,
}

/// Converts the key as `request` says.
///
/// # Errors
/// The key cannot be read or unlocked, its type has no form in the format, or the output
/// cannot be written (nothing is written then).
pub fn execute(ctx: &Context, printer: &Printer, request: ExportRequest) -> Result<Converted> {
    let io = &request.io;
    match request.target {
        ExportTarget::Public(format) => {
            let key = load_public(ctx, &io.file, &io.passphrase, &io.prompt, request.strict)?;
            let text = convert::export(key.key_data(), format, &ctx.user_at_host())
                .map_err(|e| Error::Convert { path: io.file.clone(), reason: e.to_string() })?;
            write_output(io.output.as_deref(), io.force, text.into_bytes(), FileMode::KeepOr(0o644))
        }
        ExportTarget::Ppk => {
            let output = io.output.clone().ok_or_else(|| Error::InvalidOption {
                option: "--to ppk".into(),
                reason: "a private key is never printed: give the file to write with -o FILE".into(),
            })?;
            let file = super::read_private(&io.file, request.strict)?;
            let (key, passphrase) = unlock(ctx, &file, &io.passphrase, &io.prompt)?;
            super::warn_unprotected(printer, &file, false);
            let mut protection = Protection::new(passphrase, None);
            protection.format = PrivateFormat::Ppk;
            let text = encode(&key, &protection)?;
            check_output(&output, io.force)?;
            fsutil::replace(&output, text.as_bytes(), FileMode::Private)?;
            Ok(Converted { text: Vec::new(), saved: vec![output] })
        }
    }
}

/// The public key of `path`, as ssh-keygen -e finds it: a public key file, the public
/// half a private key file keeps in clear, the `.pub` beside it, and last the private
/// key unlocked with its passphrase.
///
/// # Errors
/// The file is no key, or the private key cannot be unlocked.
pub fn load_public(
    ctx: &Context,
    path: &Path,
    passphrase: &Source,
    prompt: &str,
    strict: bool,
) -> crate::Result<PublicKey> {
    if let Some((key, _)) = first_public_key(path) {
        return Ok(PublicKey::new(key, ""));
    }
    let file = PrivateKeyFile::read(path)?;
    if let Some(key) = file.public_key() {
        return Ok(key);
    }
    if let Some((key, _)) = pub_beside(path) {
        return Ok(PublicKey::new(key, ""));
    }
    if strict {
        file.require_protected()?;
    }
    let (key, _) = unlock(ctx, &file, passphrase, prompt)?;
    Ok(key.public_key().clone())
}

/// An existing output file is replaced only when asked; a directory or device never.
pub(super) fn check_output(path: &Path, force: bool) -> crate::Result<()> {
    if path.exists() && !force {
        return Err(Error::Exists { path: path.to_path_buf() });
    }
    fsutil::check_replaceable(path)
}

/// `text` on standard output, or written to `output`.
pub(super) fn write_output(
    output: Option<&Path>,
    force: bool,
    text: Vec<u8>,
    mode: FileMode,
) -> Result<Converted> {
    match output {
        None => Ok(Converted { text, saved: Vec::new() }),
        Some(path) => {
            check_output(path, force)?;
            fsutil::replace(path, &text, mode)?;
            Ok(Converted { text: Vec::new(), saved: vec![path.to_path_buf()] })
        }
    }
}
