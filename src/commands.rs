//! The commands: each reads its options, calls the model and returns a report (see
//! `report/`), which [`run`] prints. One module each.

use anyhow::Result;
use ssh_key::PrivateKey;

use crate::cli::Command;
use crate::context::Context;
use crate::key::PrivateKeyFile;
use crate::print::{Format, Printer, Render};
use crate::report::Report;
use crate::secret;

pub mod authorized_keys;
pub mod cert;
pub mod comment;
pub mod completions;
pub mod copy_id;
pub mod export;
pub mod fingerprint;
pub(crate) mod fleet;
pub mod generate;
pub mod host_keys;
pub mod import;
pub mod install_links;
pub mod known_hosts;
pub mod krl;
pub mod man;
pub mod passphrase;
pub mod public;
pub mod sign;
pub mod signers;
pub mod sshfp;
pub mod verify;

pub use crate::report::Status;

/// Runs one command: builds its printer from its options, runs it, prints its report.
///
/// # Errors
/// Whatever the command failed with; `main` prints it and exits 2.
pub fn run(ctx: &Context, command: Command) -> Result<Status> {
    let (format, quiet) = output(&command);
    let printer = Printer::new(ctx, format, quiet);
    match command {
        Command::Generate(args) => show(&printer, generate::run(ctx, &printer, args)),
        Command::Fingerprint(args) => fingerprint::run(ctx, &printer, args),
        Command::Public(args) => show(&printer, public::run(ctx, &printer, args)),
        Command::Passphrase(args) => show(&printer, passphrase::run(ctx, &printer, args)),
        Command::Comment(args) => show(&printer, comment::run(ctx, &printer, args)),
        Command::KnownHosts(args) => known_hosts::run(ctx, &printer, args),
        Command::CopyId(args) => show(&printer, copy_id::run(ctx, &printer, args)),
        Command::Completions(args) => show(&printer, Ok(completions::run(args))),
        Command::Man(args) => show(&printer, man::run(ctx, &printer, args)),
        Command::InstallLinks(args) => show(&printer, install_links::run(args)),
        Command::Sign(args) => sign::run(ctx, &printer, args),
        Command::Verify(args) => verify::show(&printer, verify::run(args)),
        Command::Signers(args) => signers::run(&printer, args),
        Command::HostKeys(args) => host_keys::run(ctx, &printer, args),
        Command::Sshfp(args) => show(&printer, sshfp::run(&printer, args)),
        Command::AuthorizedKeys(args) => authorized_keys::run(ctx, &printer, args),
        Command::Export(args) => show(&printer, export::run(ctx, &printer, args)),
        Command::Import(args) => show(&printer, import::run(ctx, &printer, args)),
        Command::Krl(args) => krl::run(ctx, &printer, args),
        Command::Cert(args) => cert::run(ctx, &printer, args),
    }
}

/// Prints a command's report; its status becomes the exit status.
fn show<R: Report + Render>(printer: &Printer, report: Result<R>) -> Result<Status> {
    let report = report?;
    printer.report(&report)?;
    Ok(report.status())
}

/// Warns about a private key others may access, once it has been read and decrypted
/// (a file that is no key gets its own error, not this): ssh and ssh-keygen refuse such
/// a key (the ssh-keygen front calls `require_protected` instead). A command that
/// `rewrites` the key repairs the mode and says so with [`note_repair`].
fn warn_unprotected(printer: &Printer, file: &PrivateKeyFile, rewrites: bool) {
    let Err(unprotected) = file.require_protected() else { return };
    match unprotected.hint().filter(|_| !rewrites) {
        Some(fix) => printer.warn(format!("{unprotected}; `{fix}` fixes it")),
        None => printer.warn(unprotected),
    }
}

/// Says that a rewrite changed a private key's mode: a mode never changes silently.
fn note_repair(printer: &Printer, repair: Option<crate::fsutil::ModeRepair>) {
    if let Some(repair) = repair {
        printer.note(format!(
            "{}: mode changed from {:04o} to {:04o}, so that only you can read this private key",
            repair.path.display(),
            repair.from,
            repair.to
        ));
    }
}

/// Decrypts a private key, asking for the passphrase only if it has one. The passphrase
/// is returned too, for commands that save the key with it again.
fn unlock(
    ctx: &Context,
    file: &PrivateKeyFile,
    source: &secret::Source,
    prompt: &str,
) -> crate::Result<(PrivateKey, Option<secret::Secret>)> {
    if !file.is_encrypted() {
        return Ok((file.decrypt(None)?, None));
    }
    let subject = file.path().display().to_string();
    let passphrase = secret::existing(ctx, source, prompt, &subject)?;
    Ok((file.decrypt(Some(&passphrase))?, Some(passphrase)))
}

/// The output format and `-q` a command was given, for its printer: text and not quiet
/// where the command has no such option.
fn output(command: &Command) -> (Format, bool) {
    use crate::cli::known_hosts::KnownHostsCommand as Kh;
    match command {
        Command::Generate(args) => (Format::Text, args.quiet),
        Command::Fingerprint(args) => (args.format.into(), false),
        Command::Passphrase(args) => (Format::Text, args.quiet),
        Command::Comment(args) => (Format::Text, args.quiet),
        Command::CopyId(args) => (args.fleet.format.into(), args.fleet.quiet),
        Command::KnownHosts(args) => match &args.command {
            Kh::Hash(args) => (Format::Text, args.quiet),
            Kh::Find(args) => (args.format.into(), args.quiet),
            Kh::Add(args) => (Format::Text, args.quiet),
            Kh::Remove(args) => (Format::Text, args.quiet),
            Kh::List(args) => (args.format.into(), false),
            Kh::Audit(args) => (args.format.into(), false),
            Kh::Scan(args) => (args.format.into(), args.quiet),
            Kh::Verify(args) => (args.format.into(), false),
        },
        Command::Public(_) | Command::Completions(_) | Command::Man(_) => (Format::Text, false),
        Command::InstallLinks(args) => (args.format.into(), false),
        Command::Sign(args) => (Format::Text, args.quiet),
        Command::Verify(args) => (args.format.into(), false),
        Command::Signers(args) => signers_output(&args.command),
        Command::HostKeys(args) => (args.format.into(), args.quiet),
        Command::Sshfp(args) => (args.format.into(), false),
        Command::AuthorizedKeys(args) => authorized_keys_output(&args.command),
        Command::Export(_) | Command::Import(_) => (Format::Text, false),
        Command::Krl(args) => krl_output(&args.command),
        Command::Cert(args) => match &args.command {
            crate::cli::cert::CertCommand::Sign(args) => (args.format.into(), args.quiet),
            crate::cli::cert::CertCommand::Show(args) => (args.format.into(), false),
        },
    }
}

/// The output format and `-q` of an `authorized-keys` subcommand.
fn authorized_keys_output(command: &crate::cli::authorized_keys::AuthorizedKeysCommand) -> (Format, bool) {
    use crate::cli::authorized_keys::AuthorizedKeysCommand as A;
    let place = match command {
        A::List(args) => &args.place,
        A::Add(args) => &args.place,
        A::Remove(args) => &args.place,
        A::Set(args) => &args.place,
        A::Rotate(args) => &args.place,
    };
    (place.fleet.format.into(), place.fleet.quiet)
}

/// The output format and `-q` of a `signers` subcommand.
fn signers_output(command: &crate::cli::signers::SignersCommand) -> (Format, bool) {
    use crate::cli::signers::SignersCommand as S;
    match command {
        S::Add(args) => (Format::Text, args.quiet),
        S::List(args) => (args.format.into(), false),
        S::Find(args) => (args.format.into(), false),
        S::Match(args) => (args.format.into(), false),
        S::Audit(args) => (args.format.into(), false),
    }
}

/// The output format and `-q` of a `krl` subcommand.
fn krl_output(command: &crate::cli::krl::KrlCommand) -> (Format, bool) {
    use crate::cli::krl::KrlCommand as K;
    match command {
        K::Create(args) => (Format::Text, args.spec.quiet),
        K::Update(args) => (Format::Text, args.spec.quiet),
        K::Query(args) => (args.format.into(), false),
        K::Show(args) => (args.format.into(), false),
    }
}

impl From<crate::cli::fingerprint::OutputFormat> for Format {
    fn from(format: crate::cli::fingerprint::OutputFormat) -> Self {
        use crate::cli::fingerprint::OutputFormat;
        match format {
            OutputFormat::Text => Format::Text,
            OutputFormat::Json => Format::Json,
        }
    }
}

impl From<crate::cli::known_hosts::AuditFormat> for Format {
    fn from(format: crate::cli::known_hosts::AuditFormat) -> Self {
        use crate::cli::known_hosts::AuditFormat;
        match format {
            AuditFormat::Text => Format::Text,
            AuditFormat::Json => Format::Json,
            AuditFormat::Github => Format::Github,
            AuditFormat::Sarif => Format::Sarif,
        }
    }
}

/// Reads a private key file; `strict` first refuses one others may access, as ssh-keygen
/// does (the ssh-keygen front asks for that; the native commands warn or repair instead).
fn read_private(path: &std::path::Path, strict: bool) -> crate::Result<PrivateKeyFile> {
    if strict {
        PrivateKeyFile::require_protected_path(path)?;
    }
    PrivateKeyFile::read(path)
}
