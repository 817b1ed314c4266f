//! Certificates through ssh-keygen's command line: `-s CA -I ID …` signs each FILE as
//! 9.2's `do_ca_sign` does, one key after the other (each certificate written and
//! logged before the next key is read, so a failure stops the run where ssh-keygen
//! stops it); `-L` prints certificates as `do_show_cert` does. The work is the native
//! `cert` command's; this module reads the flags and says what ssh-keygen says.

use std::io::{Read, Write};
use std::path::Path;
use std::process::ExitCode;

use ssh_key::HashAlg;
use ssh_key::public::KeyData;

use super::errors::{reason, strerror};
use super::flags::Flags;
use super::log;
use crate::cert::issue::{self, CaSigner, Request};
use crate::cert::options::CertOption;
use crate::cert::{CertOptions, SpecError};
use crate::cli::public::OldPassphraseArgs;
use crate::commands::cert::show::{NOT_A_CERTIFICATE, entries_in};
use crate::commands::cert::sign::{ca_signer, execute, load_subject};
use crate::context::Context;
use crate::error::Error;
use crate::print::{Format, Printer};
use crate::report::cert::Shown;

/// `-s`: certify every FILE.
pub fn sign(ctx: &Context, flags: &Flags) -> ExitCode {
    // ssh-keygen reads -z as it meets it, before it asks for -I.
    let (first_serial, counting) = match &flags.z {
        Some(text) => match issue::serial(&text.to_string_lossy()) {
            Ok(serial) => serial,
            Err(error) => return log::fatal(&error.to_string()),
        },
        None => (0, false),
    };
    let Some(key_id) = &flags.identity else {
        return log::fatal("Must specify key id (-I) when certifying");
    };
    let (critical, extensions) = match options(flags) {
        Ok(options) => options,
        Err(exit) => return exit,
    };
    let ca_path = flags.signature.clone().unwrap_or_default();
    let ca = match load_ca(ctx, flags, &ca_path) {
        Ok(ca) => ca,
        Err(exit) => return exit,
    };
    let principals_text = flags.namespace.as_ref().map(|n| n.to_string_lossy().into_owned());
    let principals = match principals_text.as_deref().map(issue::principals).transpose() {
        Ok(principals) => principals,
        Err(error) => return log::fatal(&error.to_string()),
    };
    let request = Request {
        host: flags.host_cert,
        key_id: key_id.to_string_lossy().into_owned(),
        principals,
        validity: flags.validity.unwrap_or_default(),
        critical,
        extensions,
    };
    let mut serial = first_serial;
    for operand in &flags.operands {
        if let Err(exit) = sign_one(flags, &request, &ca, Path::new(operand), serial) {
            return exit;
        }
        if counting {
            serial = serial.wrapping_add(1);
        }
    }
    ExitCode::SUCCESS
}

/// The `-O` options in order, then the default extensions (none after -h).
fn options(flags: &Flags) -> Result<(Vec<CertOption>, Vec<CertOption>), ExitCode> {
    let mut options = CertOptions::new(flags.host_cert);
    for option in &flags.options {
        match options.add(&option.to_string_lossy()) {
            Ok(()) => {}
            Err(SpecError::SourceAddress(why)) => {
                log::line(&why);
                return Err(log::fatal("Invalid source-address list"));
            }
            Err(error) => return Err(log::fatal(&error.to_string())),
        }
    }
    options.finish().map_err(|error| log::fatal(&error.to_string()))
}

/// The CA, as ssh-keygen loads it: with -U the public key, which the agent must hold;
/// otherwise the private key (-P or a prompt for its passphrase). `-t` names the
/// signature algorithm, which must suit the CA key.
fn load_ca(ctx: &Context, flags: &Flags, path: &Path) -> Result<CaSigner, ExitCode> {
    let shown = path.display();
    if flags.agent {
        let public = ca_public(path)
            .map_err(|why| log::fatal(&format!("Cannot load CA public key {shown}: {why}")))?;
        let Some(socket) = ctx.agent_socket() else {
            return Err(log::fatal("Cannot use public key for CA signature: agent not present"));
        };
        let mut agent = crate::sig::agent::Agent::connect(socket).map_err(|_| {
            log::fatal("Cannot use public key for CA signature: communication with agent failed")
        })?;
        if !agent.holds(&public).unwrap_or(false) {
            return Err(log::fatal(&format!("CA key {shown} not found in agent")));
        }
        let hash = check_type(flags, &public)?;
        return Ok(CaSigner::Agent { agent: Box::new(std::sync::Mutex::new(agent)), public, hash });
    }
    let passphrase = OldPassphraseArgs {
        passphrase_file: None,
        old_passphrase: flags.passphrase.as_ref().and_then(|p| crate::secret::Given::parse(p).ok()),
    };
    // ssh-keygen refuses a CA key others may read, as every private key it loads.
    if let Err(error) = crate::key::PrivateKeyFile::require_protected_path(path) {
        let error = anyhow::Error::from(error);
        super::errors::warn_if_unprotected(&error);
        return Err(log::fatal(&format!("Load key \"{shown}\": {}", reason(&error))));
    }
    let printer = Printer::openssh(ctx, flags.quiet);
    let ca = ca_signer(ctx, &printer, path, false, &passphrase, HashAlg::Sha512).map_err(|error| {
        log::fatal(&format!("Load key \"{shown}\": {}", reason(&anyhow::Error::from(error))))
    })?;
    let hash = check_type(flags, &ca.public())?;
    ca.with_rsa_hash(hash).map_err(|error| log::fatal(&format!("Load key \"{shown}\": {error}")))
}

/// The CA's public key for -U (`sshkey_load_public`), or why not in OpenSSH's words.
fn ca_public(path: &Path) -> Result<KeyData, String> {
    std::fs::metadata(path).map_err(|e| strerror(&e))?;
    crate::key::host::load_public(path).ok_or_else(|| "invalid format".to_string())
}

/// `-t` beside `-s`: the name of a signature algorithm of the CA's key type; for an
/// RSA CA it picks the hash (rsa-sha2-512 when not given, as ssh-keygen defaults).
fn check_type(flags: &Flags, ca: &KeyData) -> Result<HashAlg, ExitCode> {
    let Some(name) = &flags.key_type else { return Ok(HashAlg::Sha512) };
    let ca_name = ca.algorithm().as_str().to_string();
    let rsa = matches!(ca, KeyData::Rsa(_));
    let hash = match name.as_str() {
        "rsa-sha2-512" if rsa => Some(HashAlg::Sha512),
        "rsa-sha2-256" if rsa => Some(HashAlg::Sha256),
        // ssh-rsa (SHA-1) signatures are refused by OpenSSH 8.8 and later.
        "ssh-rsa" if rsa => None,
        other if !rsa && other == ca_name => Some(HashAlg::Sha512),
        _ => return Err(log::fatal(&format!("CA key type {ca_name} doesn't match specified {name}"))),
    };
    hash.ok_or_else(|| {
        log::fatal("Couldn't certify key: ssh-rsa (SHA-1) signatures are not made by keywright")
    })
}

/// One FILE: read, certified, written, logged.
fn sign_one(
    flags: &Flags,
    request: &Request,
    ca: &CaSigner,
    path: &Path,
    serial: u64,
) -> Result<(), ExitCode> {
    let shown = path.display();
    let subject = match load_subject(path) {
        Ok(subject) => subject,
        Err(Error::CannotCertify { key_type, .. }) => {
            let key_type = key_type_short(&key_type);
            return Err(log::fatal(&format!(
                "do_ca_sign: key \"{shown}\" type {key_type} cannot be certified"
            )));
        }
        Err(error) => {
            let why = match &error {
                Error::NoPublicKey { .. } => "invalid format".to_string(),
                _ => reason(&anyhow::Error::from(error)),
            };
            return Err(log::fatal(&format!("load pubkey \"{shown}\": {why}")));
        }
    };
    let issued = match execute(request, ca, std::slice::from_ref(&subject), serial, false) {
        Ok(issued) => issued,
        Err(error) if is_write(&error) => {
            return Err(log::fatal(&format!(
                "Unable to save public key to {}: {}",
                cert_name(path),
                reason(&error)
            )));
        }
        Err(error) => return Err(log::fatal(&format!("Couldn't certify key {shown}: {}", reason(&error)))),
    };
    if !flags.quiet {
        for cert in &issued {
            log::line_bytes(crate::print::cert::signed_line(cert).as_bytes());
        }
    }
    Ok(())
}

fn cert_name(path: &Path) -> String {
    issue::cert_path(path).display().to_string()
}

fn is_write(error: &anyhow::Error) -> bool {
    error.chain().find_map(|cause| cause.downcast_ref::<Error>()).is_some_and(|e| {
        matches!(e, Error::Io { .. } | Error::CannotCreateTemp { .. } | Error::NotReplaceable { .. })
    })
}

/// `sshkey_type` of a certificate from its line name (`ED25519-CERT`).
fn key_type_short(line_name: &str) -> String {
    let name = line_name.trim_end_matches("-cert-v01@openssh.com");
    let base = match name {
        "ssh-ed25519" => "ED25519",
        "ssh-rsa" => "RSA",
        "ssh-dss" => "DSA",
        n if n.starts_with("ecdsa-sha2-") => "ECDSA",
        n if n.starts_with("sk-ssh-ed25519") => "ED25519-SK",
        n if n.starts_with("sk-ecdsa") => "ECDSA-SK",
        other => other,
    };
    format!("{base}-CERT")
}

/// `-L`: the certificates in -f (asked for when not given), as ssh-keygen prints them,
/// each bad line reported where it is met; exit 1 when none was a certificate.
pub fn show(ctx: &Context, flags: &Flags) -> ExitCode {
    let path = match super::keys::file_or_ask(ctx, flags, "Enter file in which the key is") {
        Ok(path) => path,
        Err(exit) => return exit,
    };
    let stdin = path.as_os_str() == "-";
    if !stdin && let Err(e) = std::fs::metadata(&path) {
        return log::fatal(&format!("ssh-keygen: {}: {}", path.display(), strerror(&e)));
    }
    let bytes = match read(&path, stdin) {
        Ok(bytes) => bytes,
        Err(e) => return log::fatal(&format!("fopen {}: {}", path.display(), strerror(&e))),
    };
    let mut shown = false;
    for entry in entries_in(&path, &bytes, flags.hash) {
        match entry {
            Ok(cert) => {
                shown = true;
                let report = Shown { certificates: vec![cert], failed: false };
                if let Ok(text) = crate::print::to_bytes(&report, Format::Text, ctx.charset()) {
                    let mut out = std::io::stdout().lock();
                    let _ = out.write_all(&text).and_then(|()| out.flush());
                }
            }
            Err(Error::NotCertificate { path, line, what: NOT_A_CERTIFICATE }) => {
                log::line(&format!("{}:{line} is not a certificate", path.display()));
            }
            Err(Error::NotCertificate { path, line, .. }) => {
                log::line(&format!("{}:{line}: invalid key: invalid format", path.display()));
            }
            Err(_) => {}
        }
    }
    ExitCode::from(if shown { 0 } else { 1 })
}

fn read(path: &Path, stdin: bool) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    match stdin {
        true => std::io::stdin().lock().read_to_end(&mut bytes)?,
        false => std::fs::File::open(path)?.read_to_end(&mut bytes)?,
    };
    Ok(bytes)
}
