//! `keywright copy-id`: ssh-copy-id over our own SSH connections, on many hosts at once.

use std::path::Path;
use std::time::Duration;

use anyhow::Result;

use super::fleet::{self, PrinterUi, tell};
use crate::cli::copy_id::CopyIdArgs;
use crate::context::Context;
use crate::key::HashKind;
use crate::print::Printer;
use crate::print::copy_id::host_line;
use crate::remote::copy_id::{self as model, HostResult, Request, Runner};
use crate::remote::install;
use crate::remote::outcome::Finished;
use crate::report::KeyInfo;
use crate::report::copy_id::{CopyId, Host, HostStatus, Summary};

pub(crate) mod keys;

pub fn run(ctx: &Context, printer: &Printer, args: CopyIdArgs) -> Result<CopyId> {
    // Everything that can be wrong locally is found before the first line is printed.
    let fleet = &args.fleet;
    let hosts = fleet::hosts(ctx, &args.targets, fleet)?;
    let password = fleet::password(ctx, fleet)?;
    let runner = Runner::new()?;
    let mut keys = runner.block_on(keys::choose(ctx, &args.identities))?;
    if args.cert_authority {
        keys::as_cert_authorities(&mut keys, args.principals.as_deref())?;
    }
    if printer.chatty() {
        printer.note(format!("Source of key(s) to be installed: \"{}\"", keys.source));
    }
    let request = Request {
        hosts,
        keys: keys.keys.clone(),
        options: install::Options {
            target_path: args.target_path.clone(),
            dry_run: args.dry_run,
            force: args.force,
        },
        password,
        agent_socket: ctx.agent_socket().map(Path::to_path_buf),
        transport: fleet.transport.into(),
        timeout: Duration::from_secs(fleet.timeout),
        jobs: usize::from(fleet.jobs),
        ssh_dir: ctx.ssh_dir(),
        // As ssh shows them unless quiet; never beside JSON, whose stderr stays quiet.
        banners: printer.chatty(),
        probe_methods: false,
    };
    printer.start_host_progress(ctx.stderr_is_terminal(), request.hosts.len());
    let progress_line = |finished: &Finished| match finished {
        Finished::Installed(result) => Some(host_line(&host(result, &keys))),
        Finished::Edited(_) => None,
    };
    let results = runner.run(request, &PrinterUi { ctx, printer, progress_line: &progress_line });
    printer.clear_progress();
    let hosts: Vec<Host> = results.iter().map(|result| host(result, &keys)).collect();
    for (result, host) in results.iter().zip(&hosts) {
        let notes = result.installed.as_ref().map(|i| i.notes.as_slice()).unwrap_or_default();
        tell(printer, &host.dest(), notes, host.hint.as_deref());
    }
    Ok(CopyId { summary: Summary::of(&hosts), hosts, dry_run: args.dry_run })
}

/// A host's result as the report has it.
fn host(result: &HostResult, keys: &keys::Keys) -> Host {
    // Keys as every report names them; a key copy-id could install is one OpenSSH knows,
    // so every key is described.
    let describe = |indexes: &[usize]| -> Vec<KeyInfo> {
        indexes
            .iter()
            .filter_map(|&i| {
                let comment = Some(keys.comments[i].as_bytes()).filter(|c| !c.is_empty());
                KeyInfo::of(&keys.keys[i].key, HashKind::Sha256, comment)
            })
            .collect()
    };
    let installed = result.installed.as_ref();
    let (error, hint) = match &result.status {
        model::HostStatus::Failed(failure) => (Some(failure.to_string()), failure.hint()),
        _ => (None, None),
    };
    Host {
        added: installed.map(|i| describe(&i.added)).unwrap_or_default(),
        error,
        hint,
        host: result.host.clone(),
        notes: installed.map(|i| i.notes.iter().map(ToString::to_string).collect()).unwrap_or_default(),
        port: result.port,
        present: installed.map(|i| describe(&i.present)).unwrap_or_default(),
        status: match result.status {
            model::HostStatus::Added(_) => HostStatus::Added,
            model::HostStatus::WouldAdd(_) => HostStatus::WouldAdd,
            model::HostStatus::Present => HostStatus::Present,
            model::HostStatus::Failed(_) => HostStatus::Failed,
        },
        target: result.target.clone(),
        user: result.user.clone(),
    }
}
