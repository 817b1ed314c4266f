//! `known-hosts find`: ssh-keygen -F's output, or JSON.

use std::io::Write;

use anyhow::Result;

use super::{path, query};
use crate::cli::fingerprint::OutputFormat;
use crate::cli::known_hosts::FindArgs;
use crate::commands::Status;
use crate::context::Context;
use crate::key::{Fingerprint, HashKind, describe};
use crate::known_hosts::KnownHosts;
use crate::known_hosts::file::Found;

pub fn run(ctx: &Context, args: FindArgs) -> Result<Status> {
    let query = query(&args.host)?;
    let file = KnownHosts::read(&path(ctx, &args.file))?;
    let found = file.find(&query.lookup);
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    match args.format {
        OutputFormat::Text => {
            for line in &found {
                if !args.quiet {
                    let tag = line.marker.map_or("", |m| m.tag());
                    writeln!(out, "# Host {} found: line {} {tag}", query.display, line.number)?;
                }
                out.write_all(line.text)?;
                out.write_all(b"\n")?;
            }
        }
        OutputFormat::Json => {
            writeln!(out, "{:#}", serde_json::Value::Array(found.iter().map(json).collect()))?
        }
    }
    out.flush()?;
    Ok(if found.is_empty() { Status::Negative } else { Status::Success })
}

fn json(line: &Found<'_>) -> serde_json::Value {
    let key = line.entry.key().ok();
    let description = key.as_ref().and_then(|(key, _)| describe(key));
    serde_json::json!({
        "line": line.number,
        "marker": line.marker.map(|m| m.keyword()),
        "hosts": (!line.entry.is_hashed()).then(|| String::from_utf8_lossy(line.entry.hosts)),
        "hashed": line.entry.is_hashed(),
        "key_type": String::from_utf8_lossy(line.entry.key_type),
        "bits": description.as_ref().map(|d| d.bits),
        "fingerprint": key.as_ref().map(|(key, _)| Fingerprint::of_key(HashKind::Sha256, key).to_string()),
        "text": String::from_utf8_lossy(line.text),
    })
}
