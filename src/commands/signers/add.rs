//! `keywright signers add`.

use anyhow::Result;

use crate::cli::signers::AddArgs;
use crate::error::Error;
use crate::key::HashKind;
use crate::key::source::{Item, KeySource};
use crate::report::KeyInfo;
use crate::report::signers::{AddedSigner, AddedSigners};
use crate::sig::edit::{self, NewSigner};
use crate::sig::options::Options;

pub fn run(args: AddArgs) -> Result<AddedSigners> {
    let options = Options {
        cert_authority: args.cert_authority,
        namespaces: args.namespaces.as_ref().map(|n| n.as_bytes().to_vec()),
        valid_after: time(args.valid_after.as_deref(), "--valid-after")?,
        valid_before: time(args.valid_before.as_deref(), "--valid-before")?,
    };
    if let (Some(after), Some(before)) = (options.valid_after, options.valid_before)
        && before <= after
    {
        let reason = "valid-before must be after valid-after";
        return Err(Error::BadSignatureOption { option: "--valid-before".into(), reason }.into());
    }
    let signers: Vec<NewSigner> = keys(&args.key)?
        .into_iter()
        .map(|(key, comment)| NewSigner {
            principals: args.principals.clone(),
            options: options.clone(),
            key,
            comment,
        })
        .collect();
    let outcomes = edit::add(&args.file.file, &signers)?;
    let unknown = || anyhow::anyhow!("a key type that cannot be described");
    let added = signers
        .iter()
        .zip(outcomes)
        .map(|(signer, outcome)| {
            let key = KeyInfo::of(&signer.key, HashKind::Sha256, None).ok_or_else(unknown)?;
            Ok(AddedSigner { principals: signer.principals.clone(), key, outcome })
        })
        .collect::<Result<_>>()?;
    Ok(AddedSigners { file: args.file.file, signers: added })
}

fn time(given: Option<&str>, option: &str) -> Result<Option<u64>> {
    let Some(text) = given else { return Ok(None) };
    let reason = "expected YYYYMMDD[HHMM[SS]], local time unless it ends in Z (UTC)";
    let time = crate::sig::time::parse(text).filter(|&t| t != 0);
    Ok(Some(time.ok_or_else(|| Error::BadSignatureOption { option: format!("{option} {text}"), reason })?))
}

/// The comment after a key that starts its line (not options or host names before it).
fn comment_after_key(line: &[u8]) -> Option<Vec<u8>> {
    let (_, rest) = crate::key::text::read_key(crate::key::text::skip_blanks(line))?;
    let rest = rest.strip_suffix(b"\r").unwrap_or(rest);
    (!rest.is_empty()).then(|| rest.to_vec())
}

/// Every key KEY holds, with its comment: a public key file, standard input, a key line,
/// or a private key (its public half).
fn keys(arg: &str) -> Result<Vec<(ssh_key::public::KeyData, Option<Vec<u8>>)>> {
    let source = KeySource::file_or_line(arg);
    let mut reader = source.open()?;
    let mut keys = Vec::new();
    while let Some(item) = reader.next_key()? {
        match item {
            Item::Key { text, found, .. } => {
                let comment = comment_after_key(text);
                keys.push((found.key, comment));
            }
            Item::Private(input) => {
                let file = input.file?;
                let public =
                    file.public_key().ok_or(Error::PublicKeyLocked { path: file.path().to_path_buf() })?;
                let comment = Some(public.comment().as_bytes().to_vec());
                keys.push((public.key_data().clone(), comment));
                return Ok(keys);
            }
        }
    }
    reader.finish()?;
    Ok(keys)
}
