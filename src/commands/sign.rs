//! `keywright sign`: ssh-keygen -Y sign, many files with one unlocked key.

use std::io;
use std::path::{Path, PathBuf};

use anyhow::Result;
use ssh_key::HashAlg;

use super::Status;
use crate::cli::sign::SignArgs;
use crate::context::{Context, Dialog};
use crate::error::{AgentState, Error};
use crate::fsutil::{self, Accept};
use crate::key::HashKind;
use crate::key::source::{STDIN_NAME, is_stdin};
use crate::print::Printer;
use crate::report::KeyInfo;
use crate::report::sign::{SignOutcome, Signed, SignedFile};
use crate::secret::{self, Source};
use crate::sig::agent::Agent;
use crate::sig::armor::armor;
use crate::sig::digest::hash_reader;
use crate::sig::signer::{self, FoundKey, KeyArg, Signer};
use crate::sig::write::{Batch, MAX_STAGED};

pub fn run(ctx: &Context, printer: &Printer, args: SignArgs) -> Result<Status> {
    let (report, signed) = execute(ctx, printer, &args)?;
    printer.report(&report)?;
    signed?;
    Ok(crate::report::Report::status(&report))
}

/// Signs without printing: the report of what was signed, and whether every input was
/// (what was signed before a failure is in the report and written, as ssh-keygen writes
/// it).
///
/// # Errors
/// A bad option, input or key, or a signature file that cannot be written; the inner
/// error a failure to read or sign an input after the inputs in the report.
pub fn execute(ctx: &Context, printer: &Printer, args: &SignArgs) -> Result<(Signed, Result<()>)> {
    let hash = hash_option(&args.options)?;
    // ssh-keygen unlocks the key before it asks about an existing signature file (a
    // script's standard input holds the passphrase first); keywright checks the files
    // first, so that a run which would refuse them asks for no passphrase.
    let (inputs, mut signer) = match ctx.dialog() {
        Dialog::OpenSsh => {
            let signer = signer(ctx, printer, args)?;
            (plan(ctx, args)?, signer)
        }
        Dialog::Terminal => {
            let inputs = plan(ctx, args)?;
            (inputs, signer(ctx, printer, args)?)
        }
    };
    let unknown = || anyhow::anyhow!("the key's type cannot be described");
    let key = KeyInfo::of(signer.public(), HashKind::Sha256, None).ok_or_else(unknown)?;
    let mut report = Signed {
        key,
        namespace: args.namespace.clone(),
        hash: hash.as_str(),
        agent: signer.is_agent(),
        files: Vec::new(),
    };
    let mut batch = Batch::new();
    let signed = sign_all(&mut signer, &args.namespace, hash, inputs, &mut batch, &mut report);
    // What was signed before a failure is still written, as ssh-keygen writes it.
    let committed = commit(&mut batch, &mut report);
    Ok((report, signed.and(committed)))
}

/// Puts the staged signatures in place. When that fails, the batch is dropped (its
/// temporary files removed) and its signatures are no longer reported as written.
fn commit(batch: &mut Batch, report: &mut Signed) -> Result<()> {
    let pending = batch.len();
    let Err(error) = batch.commit() else { return Ok(()) };
    *batch = Batch::new();
    let staged = |file: &SignedFile| file.signature.is_some() && file.outcome == SignOutcome::Written;
    let mut unsure = pending;
    for at in (0..report.files.len()).rev() {
        if unsure > 0 && staged(&report.files[at]) {
            report.files.remove(at);
            unsure -= 1;
        }
    }
    Err(error.into())
}

/// One input and where its signature goes.
enum Input {
    Stdin,
    File { path: PathBuf, signature: PathBuf },
    Declined { path: PathBuf, signature: PathBuf },
}

/// Checks the inputs before anything is signed: standard input alone, and no existing
/// FILE.sig replaced without --force or a yes at the terminal.
fn plan(ctx: &Context, args: &SignArgs) -> Result<Vec<Input>> {
    if args.files.len() > 1 && args.files.iter().any(|f| is_stdin(f)) {
        let reason = "standard input is signed alone, not with files";
        return Err(Error::BadSignatureOption { option: "-".into(), reason }.into());
    }
    let mut inputs = Vec::with_capacity(args.files.len());
    for path in &args.files {
        if is_stdin(path) {
            inputs.push(Input::Stdin);
            continue;
        }
        let signature = fsutil::with_suffix(path, ".sig");
        let input = match may_replace(ctx, args, &signature)? {
            true => Input::File { path: path.clone(), signature },
            false => Input::Declined { path: path.clone(), signature },
        };
        inputs.push(input);
    }
    Ok(inputs)
}

fn may_replace(ctx: &Context, args: &SignArgs, signature: &Path) -> Result<bool> {
    if args.force || std::fs::symlink_metadata(signature).is_err() {
        return Ok(true);
    }
    if !ctx.can_prompt() {
        return Err(Error::SignatureExists { path: signature.to_path_buf() }.into());
    }
    let question = format!("{} already exists.\nOverwrite (y/n)? ", signature.display());
    Ok(secret::confirm(ctx, &question, &signature.display().to_string())?)
}

/// `-O hashalg=…`, the one option signing takes.
fn hash_option(options: &[String]) -> Result<HashAlg> {
    let mut hash = HashAlg::Sha512;
    for option in options {
        let value =
            option.get(..8).filter(|name| name.eq_ignore_ascii_case("hashalg=")).map(|_| &option[8..]);
        let chosen = value.and_then(|name| signer::hash_alg(Some(name)));
        hash = chosen.ok_or_else(|| Error::BadSignatureOption {
            option: option.clone(),
            reason: match value {
                Some(_) => "the hash must be sha512 or sha256",
                None => "signing takes only -O hashalg=sha512 or -O hashalg=sha256",
            },
        })?;
    }
    Ok(hash)
}

/// Signs the inputs in order. The signature files are staged a window at a time (all
/// the temporary files of a window created at once, see [`Batch::stage_all`]), and the
/// batch is committed every [`MAX_STAGED`] files.
fn sign_all(
    signer: &mut Signer,
    namespace: &str,
    hash: HashAlg,
    inputs: Vec<Input>,
    batch: &mut Batch,
    report: &mut Signed,
) -> Result<()> {
    // The signatures made and not yet staged, with where each is in the report.
    let mut pending: Vec<(PathBuf, String)> = Vec::new();
    let mut pending_at: Vec<usize> = Vec::new();
    for input in inputs {
        let signed = sign_one(signer, namespace, hash, input);
        let (file, staged) = match signed {
            Ok(file) => file,
            Err(error) => {
                stage(batch, report, &mut pending, &mut pending_at)?;
                return Err(error);
            }
        };
        if let Some(text) = staged {
            pending.push((file.signature.clone().unwrap_or_default(), text));
            pending_at.push(report.files.len());
        }
        report.files.push(file);
        if batch.len() + pending.len() >= MAX_STAGED {
            stage(batch, report, &mut pending, &mut pending_at)?;
            commit(batch, report)?;
        }
    }
    stage(batch, report, &mut pending, &mut pending_at)
}

/// One input signed: its report entry, and the text of its signature file when there is
/// one to write.
fn sign_one(
    signer: &mut Signer,
    namespace: &str,
    hash: HashAlg,
    input: Input,
) -> Result<(SignedFile, Option<String>)> {
    Ok(match input {
        Input::Declined { path, signature } => {
            let file = SignedFile {
                file: path,
                signature: Some(signature),
                outcome: SignOutcome::Declined,
                armored: None,
            };
            (file, None)
        }
        Input::Stdin => {
            let digest = hash_reader(hash, &mut io::stdin()).map_err(|e| Error::io(STDIN_NAME, e))?;
            let armored = Some(armor(&signer.sign(namespace, &digest)?.encode()));
            let file = SignedFile {
                file: PathBuf::from(STDIN_NAME),
                signature: None,
                outcome: SignOutcome::Written,
                armored,
            };
            (file, None)
        }
        Input::File { path, signature } => {
            let (mut file, _) = fsutil::open_input(&path, Accept::Pipe)?;
            let digest = hash_reader(hash, &mut file).map_err(|e| Error::io(&path, e))?;
            let text = armor(&signer.sign(namespace, &digest)?.encode());
            let file = SignedFile {
                file: path,
                signature: Some(signature),
                outcome: SignOutcome::Written,
                armored: None,
            };
            (file, Some(text))
        }
    })
}

/// Stages the pending signature files. When one cannot be staged, the report ends
/// before it (the files after it were signed, but are not written), and its error is
/// returned.
fn stage(
    batch: &mut Batch,
    report: &mut Signed,
    pending: &mut Vec<(PathBuf, String)>,
    pending_at: &mut Vec<usize>,
) -> Result<()> {
    let before = batch.len();
    let staged = batch.stage_all(pending);
    pending.clear();
    let at = std::mem::take(pending_at);
    staged.map_err(|error| {
        if let Some(&failed) = at.get(batch.len() - before) {
            report.files.truncate(failed);
        }
        error.into()
    })
}

/// The signer: the agent when it holds the key and the key needs it (no private key
/// here, an encrypted one, or --agent), otherwise the private key, unlocked once.
fn signer(ctx: &Context, printer: &Printer, args: &SignArgs) -> Result<Signer> {
    let found = FoundKey::locate(&KeyArg::parse(&args.key)?)?;
    let agent_state =
        || if ctx.agent_socket().is_some() { AgentState::LacksKey } else { AgentState::NotRunning };
    let encrypted = found.private.as_ref().is_none_or(|file| file.is_encrypted());
    if let Some(public) = found.public.as_ref().filter(|_| args.agent || encrypted) {
        if let Some(agent) = agent_holding(ctx, public, args.agent || found.private.is_none())? {
            return Ok(Signer::Agent { agent, public: public.clone() });
        }
        if args.agent {
            return Err(Error::AgentRequired { key: found.name, agent: agent_state() }.into());
        }
    }
    let Some(file) = found.private else {
        return Err(Error::NoPrivateKey { key: found.name, agent: agent_state() }.into());
    };
    let source =
        Source::pick(args.passphrase.passphrase_file.as_deref(), args.passphrase.old_passphrase.as_ref());
    // ssh-keygen -Y sign does not name the key; keywright does, since it may sign with
    // a key found beside the one named.
    let prompt = match ctx.dialog() {
        Dialog::OpenSsh => "Enter passphrase: ".to_owned(),
        Dialog::Terminal => format!("Enter passphrase for {}: ", file.path().display()),
    };
    let (key, _) = super::unlock(ctx, &file, &source, &prompt)?;
    super::warn_unprotected(printer, &file, false);
    let certificate = found.public.filter(|public| public.is_certificate());
    if let Some(cert) = &certificate
        && !signer::is_private_half(&key, cert)
    {
        return Err(Error::CertificateKeyMismatch {
            certificate: found.name,
            key: file.path().to_path_buf(),
        }
        .into());
    }
    Ok(Signer::local(&key, certificate)?)
}

/// The agent, when one runs and holds `public`. An agent that cannot be reached is an
/// error only when it `must` sign; otherwise the key file is used instead, as
/// ssh-keygen falls back to it.
fn agent_holding(ctx: &Context, public: &ssh_key::public::KeyData, must: bool) -> Result<Option<Agent>> {
    let Some(socket) = ctx.agent_socket() else { return Ok(None) };
    let asked = Agent::connect(socket).and_then(|mut agent| Ok(agent.holds(public)?.then_some(agent)));
    match asked {
        Ok(agent) => Ok(agent),
        Err(error) if must => Err(error.into()),
        Err(_) => Ok(None),
    }
}
