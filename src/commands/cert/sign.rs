//! `keywright cert sign`: certify many keys with one CA, as ssh-keygen -s does one key
//! after another, but with the CA unlocked once, the signatures made on every core and
//! the certificates written in batches (see [`crate::sig::write`] for why a batch and
//! not an fsync each: a certificate, like a signature, can be issued again).

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::Result;
use ssh_key::HashAlg;
use ssh_key::public::KeyData;

use crate::cert::issue::{self, CaSigner, Request};
use crate::cert::{CertOptions, Validity};
use crate::cli::cert::CertSignArgs;
use crate::context::{Context, Dialog};
use crate::error::{AgentState, Error};
use crate::key::source::{first_public_key, pub_beside};
use crate::key::{HashKind, PrivateKeyFile};
use crate::print::Printer;
use crate::report::KeyInfo;
use crate::report::cert::{Issued, IssuedCert};
use crate::secret::Source;
use crate::sig::agent::Agent;
use crate::sig::write::{Batch, MAX_STAGED};

/// A key to certify, read.
#[derive(Debug)]
pub struct Subject {
    pub path: PathBuf,
    pub key: KeyData,
    pub comment: String,
}

pub fn run(ctx: &Context, printer: &Printer, args: &CertSignArgs) -> Result<Issued> {
    let request = request(args, crate::sig::time::now())?;
    let (first_serial, counting) = match &args.serial {
        Some(text) => issue::serial(text).map_err(Error::CertSpec)?,
        None => (0, false),
    };
    let paths = key_paths(&args.keys)?;
    if paths.is_empty() {
        // Only `-` with nothing on standard input gets here (clap requires a KEY).
        return Err(Error::NoPublicKey { path: "(stdin)".into(), first_bad_line: None }.into());
    }
    let ca = ca_signer(ctx, printer, &args.ca, args.agent, &args.passphrase, HashAlg::Sha512)?;
    // Read on every core: ten thousand small files take a tenth of a second in turn.
    let subjects = crate::parallel::map_in_order(&paths, |path| load_subject(path))
        .into_iter()
        .collect::<crate::Result<Vec<_>>>()?;
    let certificates = execute(&request, &ca, &subjects, first_serial, counting)?;
    let ca_info = KeyInfo::of(&ca.public(), HashKind::Sha256, None)
        .ok_or_else(|| anyhow::anyhow!("the CA key's type cannot be described"))?;
    Ok(Issued { ca: ca_info, certificates })
}

/// The request the options describe (validity relative to `now`).
///
/// # Errors
/// A bad `-V`, `-O`, `-n` (in ssh-keygen's words).
pub fn request(args: &CertSignArgs, now: u64) -> crate::Result<Request> {
    let validity = match &args.validity {
        Some(spec) => Validity::parse(spec, now).map_err(Error::CertSpec)?,
        None => Validity::default(),
    };
    let mut options = CertOptions::new(args.host);
    for option in &args.options {
        options.add(option).map_err(Error::CertSpec)?;
    }
    let (critical, extensions) = options.finish().map_err(Error::CertSpec)?;
    let principals =
        args.principals.as_deref().map(issue::principals).transpose().map_err(Error::CertSpec)?;
    Ok(Request { host: args.host, key_id: args.key_id.clone(), principals, validity, critical, extensions })
}

/// The keys named: `-` stands for the names on standard input, one a line.
fn key_paths(keys: &[PathBuf]) -> crate::Result<Vec<PathBuf>> {
    let mut paths = Vec::with_capacity(keys.len());
    for key in keys {
        if key.as_os_str() != "-" {
            paths.push(key.clone());
            continue;
        }
        for line in std::io::stdin().lock().lines() {
            let line = line.map_err(|e| Error::io("(stdin)", e))?;
            let name = line.trim_end_matches('\r');
            if !name.is_empty() {
                paths.push(PathBuf::from(name));
            }
        }
    }
    Ok(paths)
}

/// Certifies the subjects and writes their certificates, [`MAX_STAGED`] at a time: each
/// window's certificates are made and their temporary files created by several threads
/// (signing one certificate overlaps creating the file of another), then put in place
/// together. A key that cannot be certified (an agent refusing) stops the run as it
/// stops ssh-keygen's: the windows before it are written, nothing of its own.
///
/// # Errors
/// A key that cannot be certified, or a certificate that cannot be written.
pub fn execute(
    request: &Request,
    ca: &CaSigner,
    subjects: &[Subject],
    first_serial: u64,
    counting: bool,
) -> Result<Vec<IssuedCert>> {
    let numbered: Vec<(PathBuf, (u64, &Subject))> = subjects
        .iter()
        .enumerate()
        .map(|(at, subject)| {
            let serial = if counting { first_serial.wrapping_add(at as u64) } else { first_serial };
            (issue::cert_path(&subject.path), (serial, subject))
        })
        .collect();
    let mut batch = Batch::with_new_mode(0o644);
    for window in numbered.chunks(MAX_STAGED) {
        batch.stage_made(window, |(serial, subject), out| {
            let cert = request.certify(ca, &subject.key, &subject.comment, *serial)?;
            let text =
                cert.to_openssh().map_err(|e| Error::Crypto { what: "encoding", reason: e.to_string() })?;
            out.extend_from_slice(text.as_bytes());
            out.push(b'\n');
            Ok(())
        })?;
        batch.commit()?;
    }
    Ok(numbered
        .into_iter()
        .map(|(certificate, (serial, subject))| IssuedCert {
            key: subject.path.clone(),
            certificate,
            host: request.host,
            key_id: request.key_id.clone(),
            serial,
            principals: request.principals.clone(),
            validity: request.validity,
        })
        .collect())
}

/// A key to certify, read as `ssh-keygen -s` reads it (`sshkey_load_public`): the file
/// as a public key, else its `.pub`, else the public half of a private key file.
///
/// # Errors
/// A file that cannot be read, holds no key, or holds a certificate.
pub fn load_subject(path: &Path) -> crate::Result<Subject> {
    std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    let found = first_public_key(path).or_else(|| pub_beside(path)).or_else(|| {
        let file = PrivateKeyFile::read(path).ok()?;
        file.public_key().map(|public| (public.key_data().clone(), Vec::new()))
    });
    let Some((key, comment)) = found else {
        return Err(Error::NoPublicKey { path: path.to_path_buf(), first_bad_line: None });
    };
    if key.is_certificate() {
        let key_type = crate::key::describe::line_type_name(&key);
        return Err(Error::CannotCertify { path: path.to_path_buf(), key_type });
    }
    Ok(Subject { path: path.to_path_buf(), key, comment: String::from_utf8_lossy(&comment).into_owned() })
}

/// The CA: its private key, unlocked once (asking for the passphrase as the other
/// commands do), or with `agent` the agent holding the key whose public half is at
/// `path`. `rsa_hash` is the hash an RSA CA signs with.
///
/// # Errors
/// An unreadable key, a wrong passphrase, no agent or an agent without the key.
pub fn ca_signer(
    ctx: &Context,
    printer: &Printer,
    path: &Path,
    agent: bool,
    passphrase: &crate::cli::public::OldPassphraseArgs,
    rsa_hash: HashAlg,
) -> crate::Result<CaSigner> {
    if agent {
        return agent_signer(ctx, path, rsa_hash);
    }
    let file = PrivateKeyFile::read(path)?;
    let source = Source::pick(passphrase.passphrase_file.as_deref(), passphrase.old_passphrase.as_ref());
    let prompt = match ctx.dialog() {
        Dialog::OpenSsh => "Enter passphrase: ".to_owned(),
        Dialog::Terminal => format!("Enter passphrase for the CA key {}: ", path.display()),
    };
    let (key, _) = super::super::unlock(ctx, &file, &source, &prompt)?;
    super::super::warn_unprotected(printer, &file, false);
    CaSigner::local(key, rsa_hash)
}

fn agent_signer(ctx: &Context, path: &Path, hash: HashAlg) -> crate::Result<CaSigner> {
    std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    let public = crate::key::host::load_public(path)
        .ok_or_else(|| Error::NoPublicKey { path: path.to_path_buf(), first_bad_line: None })?;
    let Some(socket) = ctx.agent_socket() else {
        return Err(Error::AgentRequired { key: path.to_path_buf(), agent: AgentState::NotRunning });
    };
    let mut agent = Agent::connect(socket)?;
    if !agent.holds(&public)? {
        return Err(Error::AgentRequired { key: path.to_path_buf(), agent: AgentState::LacksKey });
    }
    Ok(CaSigner::Agent { agent: Box::new(Mutex::new(agent)), public, hash })
}
