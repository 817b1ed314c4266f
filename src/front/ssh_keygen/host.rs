//! ssh-keygen's server operations: `-A [-f PREFIX]` (the missing host keys, through the
//! model `host-keys` uses) and `-r HOST [-g] [-f FILE]` (SSHFP records, through `sshfp`'s
//! reading), with ssh-keygen 9.2's lines, messages and exits.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use super::errors::strerror;
use super::flags::Flags;
use super::log;
use crate::commands::sshfp::records_of;
use crate::context::Context;
use crate::error::Error;
use crate::key::host::{self, MADE, Outcome, READ_FOR_SSHFP};
use crate::print::Printer;
use crate::report::sshfp::Sshfp;

/// `-A`: each missing type is announced on one stdout line as it is made (`ssh-keygen:
/// generating new host keys: RSA ECDSA ED25519 `); a failure is logged, and the next
/// type made starts the line again, as 9.2 does. Always exits 0, as 9.2 does.
pub fn generate_all(ctx: &Context, flags: &Flags) -> ExitCode {
    let comment = ctx.user_at_host();
    let mut out = std::io::stdout().lock();
    let mut started = false;
    for kind in &MADE {
        let path = host::host_key_path(flags.file.as_deref(), kind.file);
        // A key that is there is passed over before anything is printed.
        match std::fs::metadata(&path) {
            Ok(meta) if meta.len() != 0 => continue,
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                log::line(&format!("Could not stat {}: {}", host_key_suffix(kind.file), strerror(&e)));
                started = false;
                continue;
            }
        }
        if !started {
            let _ = write!(out, "ssh-keygen: generating new host keys: ");
            started = true;
        }
        let _ = write!(out, "{} ", kind.display);
        let _ = out.flush();
        if let Outcome::Failed(error) = host::make_if_missing(kind, &path, &comment) {
            log::line(&failure(&path, &error));
            started = false;
        }
    }
    if started {
        let _ = writeln!(out);
    }
    let _ = out.flush();
    ExitCode::SUCCESS
}

/// `/etc/ssh/NAME`, as 9.2 names a host key it cannot stat (without the prefix).
fn host_key_suffix(name: &str) -> String {
    host::host_key_path(None, name).display().to_string()
}

/// ssh-keygen's line for a host key it could not make. Its temporary file has a random
/// `.XXXXXXXXXX` suffix (mkstemp's); ours is written through a temporary file of its
/// own, so the line names the key's path with a suffix of the same shape.
fn failure(path: &Path, error: &Error) -> String {
    let reason = match error {
        Error::Io { source, .. } | Error::CannotCreateTemp { source, .. } => strerror(source),
        other => super::errors::reason(&anyhow::anyhow!(other.to_string())),
    };
    format!("Could not save your private key in {}.{}: {reason}", path.display(), mkstemp_suffix())
}

/// Ten random letters and digits, as mkstemp's `XXXXXXXXXX`.
fn mkstemp_suffix() -> String {
    use rand_core::Rng;
    const CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = crate::key::os_rng();
    (0..10).map(|_| char::from(CHARS[rng.next_u32() as usize % CHARS.len()])).collect()
}

/// `-r HOST [-g] [-f FILE]`: the records of the named key, or of every host key in
/// `/etc/ssh` that exists (none at all is fatal).
pub fn sshfp(ctx: &Context, flags: &Flags, host: &std::ffi::OsStr) -> ExitCode {
    let printer = Printer::openssh(ctx, false);
    let mut report = Sshfp {
        host: host.to_string_lossy().into_owned(),
        records: Vec::new(),
        generic: flags.generic,
        failed: false,
    };
    if let Some(file) = &flags.file {
        return match one(&printer, &mut report, file, true) {
            Ok(_) => ExitCode::SUCCESS,
            Err(exit) => exit,
        };
    }
    let mut found = 0;
    for name in READ_FOR_SSHFP {
        match one(&printer, &mut report, &host::host_key_path(None, name), false) {
            Ok(true) => found += 1,
            Ok(false) => {}
            Err(exit) => return exit,
        }
    }
    if found == 0 {
        return log::fatal("no keys found.");
    }
    ExitCode::SUCCESS
}

/// One file's records, printed; `Ok(false)` when the file is not there and not
/// `required` (a file named with -f that is not there is fatal).
fn one(printer: &Printer, report: &mut Sshfp, path: &Path, required: bool) -> Result<bool, ExitCode> {
    match records_of(path) {
        Ok(records) => {
            report.records = records;
            let _ = printer.report(&*report);
            Ok(true)
        }
        Err(Error::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound && !required => {
            Ok(false)
        }
        Err(Error::Io { source, .. }) => {
            Err(log::fatal(&format!("{}: {}", path.display(), strerror(&source))))
        }
        // A certificate or FIDO key: 9.2 logs that its export found no record type, and
        // counts the file as read.
        Err(Error::NoSshfpType { .. }) => {
            log::line("export_dns_rr: unsupported algorithm and/or digest_type");
            Ok(true)
        }
        // 9.2's sshkey_load_public gives up with ENOENT whatever stopped it.
        Err(_) => Err(log::fatal(&format!(
            "Failed to read v2 public key from \"{}\": No such file or directory",
            path.display()
        ))),
    }
}
