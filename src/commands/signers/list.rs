//! `keywright signers list`.

use anyhow::Result;

use crate::cli::signers::ListArgs;
use crate::key::HashKind;
use crate::report::KeyInfo;
use crate::report::signers::{InvalidLine, Listed, ListedSigner};
use crate::sig::SignersFile;
use crate::sig::allowed::{Entry, Parsed, parse_line};

pub fn run(args: ListArgs) -> Result<Listed> {
    let path = args.file.file;
    let file = SignersFile::read(&path)?;
    let mut listed = Listed { file: path, signers: Vec::new(), invalid: Vec::new() };
    for (number, line) in file.lines() {
        match parse_line(number, line) {
            Parsed::Skip => {}
            Parsed::Invalid(problem) => {
                listed.invalid.push(InvalidLine { line: number, message: problem.to_string() })
            }
            Parsed::Entry(entry) => listed.signers.extend(signer(*entry)),
        }
    }
    Ok(listed)
}

fn signer(entry: Entry) -> Option<ListedSigner> {
    let comment = (!entry.comment.is_empty()).then_some(&entry.comment[..]);
    let lossy = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
    Some(ListedSigner {
        line: entry.line,
        principals: entry.principals.split(|&b| b == b',').map(lossy).collect(),
        cert_authority: entry.options.cert_authority,
        namespaces: entry.options.namespaces.as_deref().map(|n| n.split(|&b| b == b',').map(lossy).collect()),
        valid_after: entry.options.valid_after,
        valid_before: entry.options.valid_before,
        key: KeyInfo::of(&entry.key, HashKind::Sha256, comment)?,
    })
}
