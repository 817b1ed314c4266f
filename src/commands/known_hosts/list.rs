//! `known-hosts list`: every entry with type, size and fingerprint.

use std::io::Write;

use anyhow::Result;

use super::path;
use crate::cli::fingerprint::OutputFormat;
use crate::cli::known_hosts::ListArgs;
use crate::commands::Status;
use crate::context::Context;
use crate::key::{Fingerprint, HashKind, describe};
use crate::known_hosts::KnownHosts;
use crate::known_hosts::line::{self, Line};

pub fn run(ctx: &Context, args: ListArgs) -> Result<Status> {
    let path = path(ctx, &args.file);
    let file = KnownHosts::read(&path)?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut items = Vec::new();
    for line in file.lines() {
        let entry = match line::parse(line.text) {
            Line::Entry(entry) => entry,
            Line::Invalid(why) => {
                ctx.warn(format!("{}:{}: invalid line ({why})", path.display(), line.number));
                continue;
            }
            Line::Blank => continue,
        };
        let Some((key, _)) = entry.key().ok() else {
            ctx.warn(format!(
                "{}:{}: invalid key ({})",
                path.display(),
                line.number,
                entry.key().err().unwrap_or_default()
            ));
            continue;
        };
        let Some(description) = describe(&key) else { continue };
        let marker = entry.marker.map_or("-", |m| m.keyword());
        let hosts = if entry.is_hashed() { "(hashed)".into() } else { String::from_utf8_lossy(entry.hosts) };
        let fingerprint = Fingerprint::of_key(HashKind::Sha256, &key);
        match args.format {
            OutputFormat::Text => writeln!(
                out,
                "{}\t{marker}\t{hosts}\t{}\t{}\t{fingerprint}",
                line.number, description.type_name, description.bits
            )?,
            OutputFormat::Json => items.push(serde_json::json!({
                "line": line.number,
                "marker": entry.marker.map(|m| m.keyword()),
                "hosts": (!entry.is_hashed()).then_some(hosts),
                "hashed": entry.is_hashed(),
                "type": description.type_name,
                "bits": description.bits,
                "fingerprint": fingerprint.to_string(),
            })),
        }
    }
    if args.format == OutputFormat::Json {
        writeln!(out, "{:#}", serde_json::Value::Array(items))?;
    }
    out.flush()?;
    Ok(Status::Success)
}
