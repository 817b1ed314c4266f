//! `ssh-keygen -k [-u] -f KRL [-s CA|none] [-z VERSION] [-C COMMENT] SPEC…` and
//! `ssh-keygen -Q [-l] -f KRL [FILE…]` over the native krl commands' steps, with 9.2's
//! checks in `do_gen_krl` / `do_check_krl`'s order, its lines and exit statuses (a fatal
//! error: 255; a revoked key with -Q: 1).
//!
//! Deliberate difference: the list is replaced atomically (ssh-keygen truncates and
//! rewrites it in place), keeping an existing file's mode.

use std::ffi::OsStr;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::errors::strerror;
use super::flags::Flags;
use super::log;
use crate::commands::krl as commands;
use crate::context::Context;
use crate::error::Error;
use crate::krl::Krl;
use crate::krl::spec::{self, CaScope, SpecName};
use crate::print::Printer;
use crate::report::krl::KrlQuery;

/// stdout as ssh-keygen's C stdio holds it: line by line on a terminal, else in blocks
/// of 4096 bytes; what is still held when a `fatal` exits is lost (`_exit` flushes
/// nothing), so a failed run prints exactly what ssh-keygen's prints.
struct Stdio {
    held: Vec<u8>,
    terminal: bool,
}

const STDIO_BLOCK: usize = 4096;

impl Stdio {
    fn new() -> Self {
        Stdio { held: Vec::new(), terminal: std::io::IsTerminal::is_terminal(&std::io::stdout()) }
    }

    /// Renders a report, passing on what stdio would have written by now.
    fn report<R: crate::print::Render>(&mut self, printer: &Printer, report: &R) {
        let _ = printer.render_into(report, &mut self.held);
        let ready = match self.terminal {
            true => self.held.iter().rposition(|&b| b == b'\n').map_or(0, |end| end + 1),
            false => self.held.len() / STDIO_BLOCK * STDIO_BLOCK,
        };
        if ready > 0 {
            let _ = std::io::stdout().write_all(&self.held[..ready]);
            let _ = std::io::stdout().flush();
            self.held.drain(..ready);
        }
    }

    /// A normal exit: everything held is written.
    fn finish(self) {
        let _ = std::io::stdout().write_all(&self.held);
        let _ = std::io::stdout().flush();
    }
}

/// -k: write (or with -u, update) a KRL from specs.
pub fn generate(ctx: &Context, flags: &Flags) -> ExitCode {
    let mut stdio = Stdio::new();
    match generate_steps(ctx, flags, &mut stdio) {
        Ok(()) => {
            stdio.finish();
            ExitCode::SUCCESS
        }
        Err(exit) => exit,
    }
}

fn generate_steps(ctx: &Context, flags: &Flags, stdio: &mut Stdio) -> Result<(), ExitCode> {
    let version = match &flags.z {
        Some(value) => krl_version(value)?,
        None => 0,
    };
    let Some(file) = &flags.file else { return Err(log::fatal("KRL generation requires an output file")) };
    match std::fs::metadata(file) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            return Err(log::fatal(&format!("Cannot access KRL \"{}\": {}", file.display(), strerror(&e))));
        }
        Err(_) if flags.update_krl => {
            return Err(log::fatal(&format!("KRL \"{}\" does not exist", file.display())));
        }
        _ => {}
    }
    let scope = ca_scope(ctx, flags.signature.as_deref())?;
    let printer = Printer::openssh(ctx, flags.quiet);
    let mut krl = match flags.update_krl {
        true => load(file)?,
        false => Krl::new(),
    };
    if version != 0 {
        krl.version = version;
    }
    if let Some(comment) = &flags.comment {
        krl.comment = comment.as_encoded_bytes().to_vec();
    }
    for spec in &flags.operands {
        apply_spec(ctx, (&printer, &mut *stdio), &mut krl, Path::new(spec), &scope)?;
    }
    commands::write(file, &krl).map_err(|error| {
        let reason = match &error {
            Error::Io { source, .. } => strerror(source),
            other => other.to_string(),
        };
        log::fatal(&format!("write {}: {reason}", file.display()))
    })
}

/// `-z` with -k: a decimal version, an optional leading `+` (ssh-keygen reads it as a
/// certificate serial's auto-increment mark), nothing else.
fn krl_version(value: &OsStr) -> Result<u64, ExitCode> {
    let text = value.as_encoded_bytes();
    let digits = text.strip_prefix(b"+").unwrap_or(text);
    let parsed = match digits.first() {
        Some(b'0'..=b'9') if digits.iter().all(u8::is_ascii_digit) => {
            std::str::from_utf8(digits).ok().and_then(|d| d.parse::<u64>().ok())
        }
        _ => None,
    };
    parsed
        .ok_or_else(|| log::fatal(&format!("Invalid serial number \"{}\"", String::from_utf8_lossy(digits))))
}

/// `-s`: `none` (any case) for every CA, else a public key file.
fn ca_scope(ctx: &Context, given: Option<&Path>) -> Result<CaScope, ExitCode> {
    let Some(path) = given else { return Ok(CaScope::Missing) };
    if path.as_os_str().as_encoded_bytes().eq_ignore_ascii_case(b"none") {
        return Ok(CaScope::Wildcard);
    }
    let path = commands::tilde(ctx, path);
    match commands::load_public_checked(&path) {
        Ok((key, _)) => Ok(CaScope::Key(key)),
        Err(error) => {
            Err(log::fatal(&format!("Cannot load CA public key {}: {}", path.display(), load_reason(&error))))
        }
    }
}

/// 9.2's `load_krl`: the file, then the list in it.
fn load(path: &Path) -> Result<Krl, ExitCode> {
    commands::read(path).map_err(|error| match error {
        Error::BadKrl { problem, .. } => {
            if let Some(line) = &problem.logged {
                log::line(line);
            }
            log::fatal(&format!("Invalid KRL file {}: {}", path.display(), problem.reason.ssh_err()))
        }
        Error::Io { source, .. } => {
            log::fatal(&format!("Unable to load KRL {}: {}", path.display(), strerror(&source)))
        }
        other => log::fatal(&format!("Unable to load KRL {}: {}", path.display(), load_reason(&other))),
    })
}

/// One spec file: `Revoking from PATH` (unless -q), then its lines.
fn apply_spec(
    ctx: &Context,
    (printer, stdio): (&Printer, &mut Stdio),
    krl: &mut Krl,
    spec: &Path,
    scope: &CaScope,
) -> Result<(), ExitCode> {
    let path = commands::spec_path_name(ctx, spec);
    let text = match spec == Path::new("-") {
        true => commands::read_spec(spec),
        false => commands::read_spec(&PathBuf::from(&path)),
    };
    let text = text.map_err(|error| {
        let reason = match &error {
            Error::Io { source, .. } => strerror(source),
            Error::IsDirectory { .. } => "Is a directory".into(),
            other => other.to_string(),
        };
        log::fatal(&format!("fopen {path}: {reason}"))
    })?;
    stdio.report(printer, &Revoking(&path));
    let file = spec.to_string_lossy();
    spec::apply(krl, &text, scope, SpecName { file: &file, path: &path })
        .map_err(|problem| log::fatal(&problem.to_string()))
}

/// `Revoking from PATH`.
#[derive(serde::Serialize)]
struct Revoking<'a>(&'a str);

impl crate::print::Render for Revoking<'_> {
    fn text(&self, out: &mut crate::print::Text<'_>) -> std::io::Result<()> {
        if out.quiet() {
            return Ok(());
        }
        out.write("Revoking from ")?;
        out.verbatim(self.0.as_bytes())?;
        out.write("\n")
    }
}

/// -Q: whether each key is revoked (with -l, the list's contents first).
pub fn check(ctx: &Context, flags: &Flags) -> ExitCode {
    let Some(file) = &flags.file else { return log::fatal("KRL checking requires an input file") };
    let krl = match load(file) {
        Ok(krl) => krl,
        Err(exit) => return exit,
    };
    let printer = Printer::openssh(ctx, false);
    let mut stdio = Stdio::new();
    if flags.fingerprint {
        let contents = commands::contents(&krl);
        for problem in &contents.problems {
            log::line(problem);
        }
        stdio.report(&printer, &contents);
    }
    let mut revoked = false;
    for operand in &flags.operands {
        let path = Path::new(operand);
        let (key, comment) = match commands::load_public_checked(path) {
            Ok(found) => found,
            Err(error) => {
                return log::fatal(&format!(
                    "Cannot load public key {}: {}",
                    path.display(),
                    load_reason(&error)
                ));
            }
        };
        let queried = commands::queried(&krl, path, &key, &comment);
        revoked |= queried.revoked;
        stdio.report(&printer, &KrlQuery { krl: file.clone(), keys: vec![queried], contents: None });
    }
    stdio.finish();
    ExitCode::from(u8::from(revoked))
}

/// Why `sshkey_load_public` failed, in OpenSSH's words: 9.2 reports the errno of its
/// last attempt, the missing `FILE.pub`, for a file that holds no key (measured).
fn load_reason(error: &Error) -> String {
    match error {
        Error::Io { source, .. } => strerror(source),
        _ => "No such file or directory".into(),
    }
}
