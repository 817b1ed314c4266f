//! `keywright import`: ssh-keygen -i (RFC 4716, PKCS#8 and PEM public keys to OpenSSH's
//! line), and PuTTY `.ppk` private keys to OpenSSH's private key format.

use anyhow::Result;

use super::export::{Conversion, check_output, write_output};
use super::unlock;
use crate::cli::import::{ImportArgs, ImportFormat};
use crate::context::Context;
use crate::error::Error;
use crate::fsutil::{self, FileMode};
use crate::key::convert::{self, PublicFormat};
use crate::key::private::{encode, pub_file_contents, public_line};
use crate::key::{PrivateKeyFile, Protection, ppk};
use crate::print::Printer;
use crate::report::convert::Converted;

pub fn run(ctx: &Context, printer: &Printer, args: ImportArgs) -> Result<Converted> {
    let request = ImportRequest {
        source: match args.format {
            None => ImportSource::Detect,
            Some(ImportFormat::Rfc4716) => ImportSource::Public(PublicFormat::Rfc4716),
            Some(ImportFormat::Pkcs8) => ImportSource::Public(PublicFormat::Pkcs8),
            Some(ImportFormat::Pem) => ImportSource::Public(PublicFormat::Pem),
            Some(ImportFormat::Ppk) => ImportSource::Ppk,
        },
        io: Conversion::of_options(args.file, args.output, args.force, &args.passphrase),
        spki_as_pem: true,
    };
    execute(ctx, printer, request)
}

/// What the input is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportSource {
    /// Recognised from the file's armour.
    Detect,
    /// A public key in this format.
    Public(PublicFormat),
    /// A PuTTY private key.
    Ppk,
}

/// Which file to import, and where to.
#[derive(Debug)]
pub struct ImportRequest {
    /// The passphrase asked for is an encrypted .ppk's.
    pub io: Conversion,
    pub source: ImportSource,
    /// Whether PEM also reads the SubjectPublicKeyInfo `export --to pem` writes for ECDSA
    /// (ssh-keygen -i -m PEM reads PKCS#1 only).
    pub spki_as_pem: bool,
}

/// Converts the key as `request` says.
///
/// # Errors
/// The file is not in the format, is damaged, or cannot be unlocked, or the output cannot
/// be written (nothing is written then).
pub fn execute(ctx: &Context, printer: &Printer, request: ImportRequest) -> Result<Converted> {
    let io = &request.io;
    let bytes = fsutil::read_capped(&io.file, crate::key::source::MAX_KEY_BYTES, "a key")?;
    let source = match request.source {
        ImportSource::Detect => detect(&io.file, &bytes)?,
        ImportSource::Public(PublicFormat::Pem)
            if request.spki_as_pem && convert::detect(&bytes) == Some(PublicFormat::Pkcs8) =>
        {
            ImportSource::Public(PublicFormat::Pkcs8)
        }
        given => given,
    };
    let bad = |e: convert::ConvertError| Error::Convert { path: io.file.clone(), reason: e.to_string() };
    match source {
        ImportSource::Public(format) => {
            let key = convert::import(&bytes, format).map_err(bad)?;
            write_output(io.output.as_deref(), io.force, public_line(&key), FileMode::KeepOr(0o644))
        }
        _ => import_ppk(ctx, printer, io, &bytes),
    }
}

fn detect(path: &std::path::Path, bytes: &[u8]) -> crate::Result<ImportSource> {
    if ppk::is_ppk(&String::from_utf8_lossy(bytes)) {
        return Ok(ImportSource::Ppk);
    }
    convert::detect(bytes).map(ImportSource::Public).ok_or_else(|| Error::Convert {
        path: path.to_path_buf(),
        reason: "not an RFC 4716, PKCS#8 or PEM public key, nor a PuTTY private key".into(),
    })
}

/// A .ppk to OpenSSH's private key format, with the same passphrase, and its .pub.
fn import_ppk(ctx: &Context, printer: &Printer, io: &Conversion, bytes: &[u8]) -> Result<Converted> {
    if !ppk::is_ppk(&String::from_utf8_lossy(bytes)) {
        return Err(Error::Convert { path: io.file.clone(), reason: "not a PuTTY private key".into() }.into());
    }
    let output = io.output.clone().ok_or_else(|| Error::InvalidOption {
        option: "a .ppk private key".into(),
        reason: "a private key is never printed: give the file to write with -o FILE".into(),
    })?;
    let file = PrivateKeyFile::parse(&io.file, bytes)?;
    let (key, passphrase) = unlock(ctx, &file, &io.passphrase, &io.prompt)?;
    super::warn_unprotected(printer, &file, false);
    let pub_path = fsutil::with_suffix(&output, ".pub");
    check_output(&output, io.force)?;
    check_output(&pub_path, io.force)?;
    let text = encode(&key, &Protection::new(passphrase, None))?;
    fsutil::replace(&output, text.as_bytes(), FileMode::Private)?;
    fsutil::replace(&pub_path, &pub_file_contents(key.public_key()), FileMode::KeepOr(0o644))?;
    Ok(Converted { text: Vec::new(), saved: vec![output, pub_path] })
}
