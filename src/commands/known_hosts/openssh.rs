//! ssh-keygen -F, -R and -H as ssh-keygen 9.2 does them (and their combinations), for its
//! front: one pass of [`crate::known_hosts::openssh`] over the file. `-R` and `-H` (without
//! `-F`) rewrite the file through the same locked, atomic transaction as every known_hosts
//! edit, keeping `FILE.old`; ssh-keygen's rules decide what is written (see that module
//! for how they differ from `known-hosts remove` and `hash`).

use std::path::PathBuf;

use anyhow::Result;

use crate::fsutil::FileMode;
use crate::key::randomart::randomart;
use crate::key::{Fingerprint, HashKind, describe};
use crate::known_hosts::KnownHosts;
use crate::known_hosts::openssh::{Event, Outcome, Pass, walk};
use crate::known_hosts::transaction::{Contents, Edited, IfMissing, Write, transaction};
use crate::report::KeyInfo;
use crate::report::known_hosts::{KeygenPass, KeygenStep};

/// ssh-keygen's known_hosts flags, as given together.
#[derive(Debug, Clone)]
pub struct KeygenRequest {
    pub file: PathBuf,
    /// The host of -F or -R, as typed.
    pub host: Option<Vec<u8>>,
    pub find: bool,
    pub delete: bool,
    pub hash: bool,
    /// -l: show found keys' fingerprints in `fingerprint` (-E), with randomart (-v).
    pub fingerprints: bool,
    pub fingerprint: HashKind,
    pub randomart: bool,
}

impl KeygenRequest {
    /// Whether the file is rewritten (-R or -H without -F), rather than shown.
    pub fn rewrites(&self) -> bool {
        !self.find && (self.hash || self.delete)
    }

    fn pass(&self) -> Pass<'_> {
        Pass {
            host: self.host.as_deref(),
            find: self.find,
            delete: self.delete,
            hash: self.hash,
            keys: self.fingerprints,
        }
    }
}

/// Runs ssh-keygen's pass over the file.
///
/// # Errors
/// The file cannot be read (or, for a rewrite, locked or written).
pub fn execute(request: &KeygenRequest) -> Result<KeygenPass> {
    if !request.rewrites() {
        let file = KnownHosts::read(&request.file)?;
        let mut steps = Vec::new();
        let outcome = walk(file.data(), &request.pass(), &mut |event| steps.push(step(request, event)))?;
        return Ok(report(request, steps, outcome, None));
    }
    let done = transaction(&request.file, IfMissing::Fail, |file| {
        let mut contents = Vec::with_capacity(file.data().len() + file.data().len() / 2);
        let mut steps = Vec::new();
        let outcome = walk(file.data(), &request.pass(), &mut |event| match event {
            Event::Line(line) => push_line(&mut contents, &line),
            Event::Kept(line) => push_line(&mut contents, line),
            other => steps.push(step(request, other)),
        })?;
        // Nothing is written over a file with lines OpenSSH rejects, nor when -R found
        // nothing to remove.
        if outcome.invalid || (request.delete && !outcome.found) {
            return Ok(Edited::unchanged((steps, outcome)));
        }
        // The file keeps its mode (0600 when new), as with every known_hosts rewrite.
        let write =
            Write { contents: Contents::Bytes(contents), mode: FileMode::KeepOr(0o600), backup: true };
        Ok(Edited::write((steps, outcome), write))
    })?;
    let ((steps, outcome), written) = (done.value, done.written);
    let backup = written.as_ref().map(|_| crate::fsutil::with_suffix(&request.file, ".old"));
    Ok(report(request, steps, outcome, backup))
}

fn push_line(contents: &mut Vec<u8>, line: &[u8]) {
    contents.extend_from_slice(line);
    contents.push(b'\n');
}

fn report(
    request: &KeygenRequest,
    steps: Vec<KeygenStep>,
    outcome: Outcome,
    backup: Option<PathBuf>,
) -> KeygenPass {
    KeygenPass {
        file: request.file.clone(),
        steps,
        found: outcome.found,
        invalid: outcome.invalid,
        hashed: outcome.hashed,
        rewritten: backup.is_some(),
        backup,
    }
}

/// An event of the pass as the report keeps it.
fn step(request: &KeygenRequest, event: Event<'_>) -> KeygenStep {
    match event {
        Event::Found { number, marker } => KeygenStep::Found { line: number, marker },
        Event::Line(text) => KeygenStep::Line { text },
        Event::Kept(text) => KeygenStep::Line { text: text.to_vec() },
        Event::Key { key, comment } => key_step(request, &key, comment),
        Event::Invalid { number } => KeygenStep::Invalid { line: number },
        Event::BadMarker { number } => KeygenStep::BadMarker { line: number },
        Event::Wildcard { number, hosts } => KeygenStep::Wildcard { line: number, hosts: hosts.to_vec() },
    }
}

fn key_step(request: &KeygenRequest, key: &ssh_key::public::KeyData, comment: &[u8]) -> KeygenStep {
    let hash = request.fingerprint;
    let info = KeyInfo::of(key, hash, None);
    let randomart = match (&info, request.randomart) {
        (Some(info), true) => {
            let digest = Fingerprint::of_key(hash, key);
            Some(randomart(&info.key_type, info.bits, hash.label(), digest.digest()))
        }
        _ => None,
    };
    let info = info.unwrap_or_else(|| KeyInfo {
        key_type: describe(key).map(|d| d.type_name).unwrap_or_default(),
        bits: 0,
        fingerprint: String::new(),
        comment: None,
    });
    KeygenStep::Key { key: info, comment: comment.to_vec(), randomart }
}
