//! `keywright krl create|update|query|show`, and the steps the ssh-keygen front's `-k`
//! and `-Q` share with them: reading a list, reading specs, loading keys as ssh-keygen
//! loads them, describing a list, writing one atomically.

use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::Result;
use ssh_key::public::KeyData;

use super::{Status, show};
use crate::cli::krl::{KrlArgs, KrlCommand, QueryArgs, ShowArgs, SpecArgs};
use crate::context::Context;
use crate::error::Error;
use crate::fsutil::{self, Accept, Expect, FileMode};
use crate::key::HashKind;
use crate::key::PrivateKeyFile;
use crate::key::fingerprint::Fingerprint;
use crate::key::source::{first_public_key, pub_beside};
use crate::krl::spec::{self, CaScope, SpecName};
use crate::krl::{Krl, MAX_KRL_BYTES, wire};
use crate::print::Printer;
use crate::report::krl::{
    KrlContents, KrlQuery, KrlWritten, Queried, RevokedCertificates, RevokedKey, SerialRange,
};

/// The most a spec file may hold (a spec is text; large fleets list many serials).
pub const MAX_SPEC_BYTES: u64 = 256 << 20;

pub fn run(ctx: &Context, printer: &Printer, args: KrlArgs) -> Result<Status> {
    match args.command {
        KrlCommand::Create(args) => show(printer, build(ctx, args.spec, false)),
        KrlCommand::Update(args) => show(printer, build(ctx, args.spec, true)),
        KrlCommand::Query(args) => show(printer, query(args)),
        KrlCommand::Show(args) => show(printer, contents_of(&args)),
    }
}

/// create (`update` false) or update.
fn build(ctx: &Context, args: SpecArgs, update: bool) -> Result<KrlWritten> {
    let scope = match (&args.ca, args.all_cas) {
        (Some(path), _) => CaScope::Key(load_public_checked(path)?.0),
        (None, true) => CaScope::Wildcard,
        (None, false) => CaScope::Missing,
    };
    let update_file = fsutil::Update::begin(&args.file)?;
    let mut krl = match update {
        true => match update_file.read(MAX_KRL_BYTES, "a key revocation list")? {
            Some(data) => decode(&args.file, &data)?,
            None => return Err(Error::io(&args.file, std::io::ErrorKind::NotFound.into()).into()),
        },
        false => Krl::new(),
    };
    krl.version = match (args.krl_version, update) {
        (Some(version), _) => version,
        (None, true) => krl.version.saturating_add(1),
        (None, false) => 0,
    };
    if let Some(comment) = &args.comment {
        krl.comment = comment.as_bytes().to_vec();
    }
    let mut specs = Vec::new();
    for path in &args.specs {
        let name = path.to_string_lossy().into_owned();
        let text = read_spec(path)?;
        let path_name = spec_path_name(ctx, path);
        spec::apply(&mut krl, &text, &scope, SpecName { file: &name, path: &path_name })
            .map_err(|problem| Error::BadKrlSpec { problem })?;
        specs.push(name);
    }
    krl.generated = 0;
    let data = wire::encode(&krl, crate::sig::time::now());
    update_file.commit(&data, FileMode::KeepOr(0o644), false)?;
    Ok(KrlWritten { file: args.file, specs, version: krl.version, updated: update })
}

/// How ssh-keygen names a spec it read in its messages: `(standard input)` for `-`.
pub fn spec_path_name(ctx: &Context, path: &Path) -> String {
    if path == Path::new("-") {
        return "(standard input)".into();
    }
    tilde(ctx, path).to_string_lossy().into_owned()
}

/// `~/` at the start of a path, as ssh-keygen's `tilde_expand_filename` reads it.
pub fn tilde(ctx: &Context, path: &Path) -> PathBuf {
    match path.strip_prefix("~") {
        Ok(rest) => ctx.home().join(rest),
        Err(_) => path.to_path_buf(),
    }
}

/// A spec file's text (`-`: standard input).
///
/// # Errors
/// The file cannot be read.
pub fn read_spec(path: &Path) -> crate::Result<Vec<u8>> {
    if path == Path::new("-") {
        let mut data = Vec::new();
        std::io::stdin()
            .take(MAX_SPEC_BYTES)
            .read_to_end(&mut data)
            .map_err(|e| Error::io(Path::new("(standard input)"), e))?;
        return Ok(data);
    }
    fsutil::read_capped(path, MAX_SPEC_BYTES, Expect { what: "a KRL spec", accept: Accept::Pipe })
}

/// Reads a KRL file.
///
/// # Errors
/// The file cannot be read ([`Error::Io`]…) or is no KRL OpenSSH would load ([`Error::BadKrl`]).
pub fn read(path: &Path) -> crate::Result<Krl> {
    let data = fsutil::read_capped(
        path,
        MAX_KRL_BYTES,
        Expect { what: "a key revocation list", accept: Accept::Pipe },
    )?;
    decode(path, &data)
}

fn decode(path: &Path, data: &[u8]) -> crate::Result<Krl> {
    wire::decode(data).map_err(|problem| Error::BadKrl { path: path.to_path_buf(), problem })
}

/// A public key and its comment as ssh-keygen's `sshkey_load_public` finds them: the
/// file as a public key file, else the `.pub` beside it, else the public half of an
/// OpenSSH private key (no comment then).
pub fn load_public(path: &Path) -> Option<(KeyData, Vec<u8>)> {
    if let Some(found) = first_public_key(path).or_else(|| pub_beside(path)) {
        return Some(found);
    }
    let file = PrivateKeyFile::read(path).ok()?;
    match file.is_openssh_format() {
        true => file.public_key().map(|public| (public.key_data().clone(), Vec::new())),
        false => None,
    }
}

/// [`load_public`], failing with why: the file is missing, or holds no key.
///
/// # Errors
/// [`Error::Io`] for a missing file, else [`Error::NoPublicKey`].
pub fn load_public_checked(path: &Path) -> crate::Result<(KeyData, Vec<u8>)> {
    if let Some(found) = load_public(path) {
        return Ok(found);
    }
    std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    Err(Error::NoPublicKey { path: path.to_path_buf(), first_bad_line: None })
}

/// query: each key's answer.
fn query(args: QueryArgs) -> Result<KrlQuery> {
    let krl = read(&args.file)?;
    let mut keys = Vec::new();
    for path in &args.keys {
        let (key, comment) = load_public_checked(path)?;
        keys.push(queried(&krl, path, &key, &comment));
    }
    Ok(KrlQuery { krl: args.file, keys, contents: None })
}

/// The answer for one key.
pub fn queried(krl: &Krl, path: &Path, key: &KeyData, comment: &[u8]) -> Queried {
    let by = krl.check(key);
    Queried {
        file: path.to_string_lossy().into_owned(),
        comment: String::from_utf8_lossy(comment).into_owned(),
        revoked: by.is_some(),
        by,
    }
}

fn contents_of(args: &ShowArgs) -> Result<KrlContents> {
    Ok(contents(&read(&args.file)?))
}

/// What a list holds, in the order ssh-keygen -Q -l prints it.
pub fn contents(krl: &Krl) -> KrlContents {
    let mut problems = Vec::new();
    let mut keys = Vec::new();
    for blob in &krl.keys {
        match crate::key::text::decode_blob(blob) {
            Some(key) => keys.push(named(&key)),
            None => problems.push("parse KRL key: invalid format".to_string()),
        }
    }
    let hex = |digest: &Vec<u8>| digest.iter().map(|b| format!("{b:02x}")).collect::<String>();
    let certificates = krl
        .certs
        .iter()
        .map(|certs| RevokedCertificates {
            ca: certs.ca.as_ref().map(|ca| named(&ca.key)),
            serials: certs.serials.ranges().map(|(from, to)| SerialRange { from, to }).collect(),
            key_ids: certs.key_ids.iter().map(|id| String::from_utf8_lossy(id).into_owned()).collect(),
        })
        .collect();
    KrlContents {
        version: krl.version,
        generated: krl.generated,
        generated_at: local_time(krl.generated),
        comment: String::from_utf8_lossy(&krl.comment).into_owned(),
        keys,
        sha256: krl.sha256s.iter().map(hex).collect(),
        sha1: krl.sha1s.iter().map(hex).collect(),
        certificates,
        signed_by: krl.signed_by.iter().map(named).collect(),
        problems,
    }
}

fn named(key: &KeyData) -> RevokedKey {
    RevokedKey {
        key_type: key.algorithm().as_str().to_string(),
        fingerprint: Fingerprint::of_key(HashKind::Sha256, key).to_string(),
    }
}

/// A date as krl.c prints it: local time, `%Y%m%dT%H%M%S`.
fn local_time(seconds: u64) -> String {
    use chrono::TimeZone;
    i64::try_from(seconds)
        .ok()
        .and_then(|seconds| chrono::Local.timestamp_opt(seconds, 0).single())
        .map_or_else(|| "<INVALID>".to_string(), |at| at.format("%Y%m%dT%H%M%S").to_string())
}

/// Writes a list atomically (an existing file keeps its mode; a new one is 0644, as
/// ssh-keygen creates it), dated now.
///
/// # Errors
/// The file cannot be written; it is then untouched.
pub fn write(path: &Path, krl: &Krl) -> crate::Result<()> {
    let data = wire::encode(krl, crate::sig::time::now());
    fsutil::Update::begin(path)?.commit(&data, FileMode::KeepOr(0o644), false)
}
