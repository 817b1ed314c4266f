//! `known-hosts scan`: ssh-keyscan over our own connections, with a pinned fingerprint
//! and trusting through the same path as `known-hosts add`.

use std::path::Path;
use std::time::Duration;

use anyhow::Result;
use ssh_key::public::KeyData;

use super::{add, default_path, path};
use crate::cli::known_hosts::ScanArgs;
use crate::context::Context;
use crate::error::Error;
use crate::fsutil;
use crate::key::{Fingerprint, HashKind};
use crate::known_hosts::edit::{self, AddOptions, Added};
use crate::known_hosts::transaction::{IfMissing, transaction};
use crate::known_hosts::{HostQuery, KnownHosts};
use crate::print::Printer;
use crate::remote::scan::{self, KeyKind, Probe};
use crate::remote::target::Target;
use crate::report::KeyInfo;
use crate::report::known_hosts::{AddedKeys, Scanned, ScannedHost, ScannedKey};

/// A host to scan: where to connect, and its known_hosts name.
struct Host {
    given: String,
    connect: (String, u16),
    query: HostQuery,
}

pub fn run(ctx: &Context, printer: &Printer, args: ScanArgs) -> Result<Scanned> {
    // Everything that can be wrong locally is found before the first connection.
    let hosts = args.hosts.iter().map(|given| host(given, args.port)).collect::<crate::Result<Vec<_>>>()?;
    let kinds = kinds(&args.types)?;
    let expected = expected(&args.expect)?;
    let connect = hosts.iter().map(|h| h.connect.clone()).collect();
    let probes = scan::scan_blocking(connect, kinds, Duration::from_secs(args.timeout))?;
    let file = args.add.then(|| path(ctx, &args.file));
    let mut scanned = Vec::new();
    for (host, probes) in hosts.iter().zip(probes) {
        if printer.chatty() {
            banners(printer, host, &probes);
        }
        let mut result = keys_of(host, &probes, &expected, args.hash)?;
        if let (Some(file), None) = (&file, &result.error) {
            // ~/.ssh is made when the first key is about to be trusted, not before.
            if *file == default_path(ctx) && fsutil::ensure_private_dir(&ctx.ssh_dir())? {
                printer.note(format!("Created directory '{}'.", ctx.ssh_dir().display()));
            }
            add_keys(file, host, &probes, &expected, !args.no_hash, &mut result);
        }
        tell(printer, &result);
        scanned.push(result);
    }
    Ok(Scanned { hosts: scanned })
}

/// A HOST argument: `host`, `host:port` or `[host]:port`, `-p` for the others.
fn host(given: &str, port: Option<u16>) -> crate::Result<Host> {
    let query = HostQuery::parse(given, port)?;
    let target = Target::parse(given)?;
    if target.user.is_some() {
        return Err(Error::InvalidHost { host: given.into(), reason: "a host to scan has no user@".into() });
    }
    let port = target.port.or(port).unwrap_or(22);
    Ok(Host { given: target.host.clone(), connect: (target.host, port), query })
}

fn kinds(types: &[String]) -> crate::Result<Vec<KeyKind>> {
    if types.is_empty() {
        return Ok(KeyKind::DEFAULT.to_vec());
    }
    let mut kinds = Vec::new();
    for name in types.iter().map(|t| t.trim()) {
        let kind = KeyKind::parse(name).ok_or_else(|| Error::InvalidOption {
            option: format!("-t {name}"),
            reason: "expected rsa, ecdsa, ed25519, ecdsa-sk, ed25519-sk or dsa".into(),
        })?;
        if !kinds.contains(&kind) {
            kinds.push(kind);
        }
    }
    Ok(kinds)
}

/// `--expect` values: `SHA256:…` (base64, unpadded, as ssh prints it) or `MD5:…`.
fn expected(given: &[String]) -> crate::Result<Vec<String>> {
    given
        .iter()
        .map(|fingerprint| {
            let fingerprint = fingerprint.trim();
            let ok = ["SHA256:", "MD5:", "SHA512:"].iter().any(|p| {
                fingerprint
                    .strip_prefix(p)
                    .is_some_and(|rest| !rest.is_empty() && !rest.contains(char::is_whitespace))
            });
            match ok {
                true => Ok(fingerprint.trim_end_matches('=').to_string()),
                false => Err(Error::InvalidOption {
                    option: format!("--expect {fingerprint}"),
                    reason: "expected a fingerprint as ssh prints it, SHA256:… or MD5:…".into(),
                }),
            }
        })
        .collect()
}

/// ssh-keyscan's `# host:port SSH-2.0-…` line for every connection that got a banner.
fn banners(printer: &Printer, host: &Host, probes: &[Probe]) {
    let (name, port) = (&host.given, host.connect.1);
    for banner in probes.iter().filter_map(|p| p.banner.as_deref()) {
        printer.stderr(format_args!("# {name}:{port} {}", crate::sanitize::server_line(banner, 1024)));
    }
}

/// Whether `key` has one of the `expected` fingerprints (any key, when none is expected).
fn is_expected(key: &KeyData, expected: &[String]) -> bool {
    if expected.is_empty() {
        return true;
    }
    expected.iter().any(|want| {
        let kind = match want.split(':').next() {
            Some("MD5") => HashKind::Md5,
            Some("SHA512") => HashKind::Sha512,
            _ => HashKind::Sha256,
        };
        let have = Fingerprint::of_key(kind, key).to_string();
        // MD5 is hexadecimal: its case is not meaningful.
        match kind {
            HashKind::Md5 => have.eq_ignore_ascii_case(want),
            _ => have.trim_end_matches('=') == want,
        }
    })
}

/// The distinct keys the probes found, in probe order.
fn found_keys(probes: &[Probe]) -> Vec<KeyData> {
    let mut keys: Vec<KeyData> = Vec::new();
    for key in probes.iter().filter_map(|p| p.key.as_ref()) {
        if !keys.contains(key) {
            keys.push(key.clone());
        }
    }
    keys
}

fn keys_of(host: &Host, probes: &[Probe], expected: &[String], hash: bool) -> crate::Result<ScannedHost> {
    let found = found_keys(probes);
    let (keep, refuse): (Vec<KeyData>, Vec<KeyData>) =
        found.iter().cloned().partition(|k| is_expected(k, expected));
    let mut keys = Vec::new();
    for key in &keep {
        let Some(info) = KeyInfo::of(key, HashKind::Sha256, None) else { continue };
        keys.push(ScannedKey { key: info, line: line(&host.query.lookup, key, hash)? });
    }
    let refused: Vec<KeyInfo> =
        refuse.iter().filter_map(|k| KeyInfo::of(k, HashKind::Sha256, None)).collect();
    let error = match (keys.is_empty(), refused.first()) {
        (false, _) => None,
        (true, Some(first)) => Some(
            Error::UnexpectedHostKey {
                fingerprint: first.fingerprint.clone(),
                expected: expected.join(" or "),
            }
            .to_string(),
        ),
        (true, None) => Some(no_key_reason(probes)),
    };
    Ok(ScannedHost { host: host.given.clone(), port: host.connect.1, keys, refused, added: None, error })
}

/// Why a host gave no key: the first connection's failure (all fail alike when the host
/// is down), or that it has none of the types asked for.
fn no_key_reason(probes: &[Probe]) -> String {
    let connected = probes.iter().any(|p| p.banner.is_some());
    match probes.iter().find_map(|p| p.failure.clone()) {
        Some(_) if connected => "no host key of the types asked for".to_string(),
        Some(why) => why,
        None => "no host key of the types asked for".to_string(),
    }
}

/// The known_hosts line for `key` under `name`, built by the same code that appends
/// lines to files.
fn line(name: &str, key: &KeyData, hash: bool) -> crate::Result<String> {
    let empty = KnownHosts::from_bytes(Path::new(""), Vec::new());
    match edit::add(&empty, name, key, AddOptions { hash, replace: false })? {
        Added::Appended { content, .. } => Ok(String::from_utf8_lossy(&content).trim_end().to_string()),
        _ => Err(Error::Crypto { what: "writing a known_hosts line", reason: "no line".into() }),
    }
}

/// `--add`: the host's expected keys into the file, as `known-hosts add` adds them; a
/// refusal (a different key recorded for the host) becomes the host's error.
fn add_keys(
    file: &Path,
    host: &Host,
    probes: &[Probe],
    expected: &[String],
    hash: bool,
    result: &mut ScannedHost,
) {
    let keys: Vec<KeyData> = found_keys(probes).into_iter().filter(|k| is_expected(k, expected)).collect();
    let options = AddOptions { hash, replace: false };
    match transaction(file, IfMissing::Empty, |known| add::add_all(known, &host.query, &keys, options)) {
        Ok(done) => {
            result.added = Some(AddedKeys {
                host: host.query.display.clone(),
                file: file.to_path_buf(),
                keys: done.value,
            })
        }
        Err(err) => result.error = Some(err.to_string()),
    }
}

/// On stderr: why a host gave nothing, and the keys --expect refused.
fn tell(printer: &Printer, host: &ScannedHost) {
    // Beside an expected key, the others are simply not pinned; without one, each is
    // named, since the user must find out why the host differs.
    let unexpected = if host.keys.is_empty() { host.refused.as_slice() } else { &[] };
    for key in unexpected {
        printer.warn(format_args!(
            "{}: refused {} {}: not the expected fingerprint",
            host.host, key.key_type, key.fingerprint
        ));
    }
    if let Some(error) = &host.error {
        printer.note(format_args!("{}: {error}", host.host));
    }
}
