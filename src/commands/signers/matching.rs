//! `keywright signers match`: ssh-keygen -Y match-principals.

use anyhow::Result;

use crate::cli::signers::MatchArgs;
use crate::error::Error;
use crate::report::signers::{Matched, MatchedLine};
use crate::sig::SignersFile;
use crate::sig::lookup::match_principals;

pub fn run(args: MatchArgs) -> Result<Matched> {
    let path = args.file.file;
    let file = SignersFile::read(&path)?;
    let matched = match_principals(&file, args.identity.as_bytes()).map_err(|stopped| {
        Error::BadSignerLine { path: path.clone(), line: stopped.line, problem: stopped.problem }
    })?;
    let lines = matched
        .into_iter()
        .map(|m| MatchedLine {
            line: m.line,
            principals: String::from_utf8_lossy(&m.principals).into_owned(),
        })
        .collect();
    Ok(Matched { identity: args.identity, lines })
}
