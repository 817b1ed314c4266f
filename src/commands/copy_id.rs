//! `keywright copy-id`: ssh-copy-id over our own SSH connections, on many hosts at once.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context as _, Result};

use crate::cli::copy_id::CopyIdArgs;
use crate::cli::fingerprint::OutputFormat;
use crate::context::Context;
use crate::remote::auth::{self, Credentials, KeyCache};
use crate::remote::config::{Config, Overrides, Resolved};
use crate::remote::fs::RemoteFs;
use crate::remote::install::{self, Installed, Note};
use crate::remote::target::{self, Target};
use crate::remote::terminal::Terminal;
use crate::remote::{Failure, session};
use crate::secret::{self, Secret};

mod keys;
mod report;

/// How one host ended.
#[derive(Debug, Clone)]
pub enum HostStatus {
    Added(Vec<usize>),
    WouldAdd(Vec<usize>),
    Present,
    Failed(Failure),
}

impl HostStatus {
    fn summary(&self) -> String {
        match self {
            HostStatus::Added(keys) => format!("added {} key(s)", keys.len()),
            HostStatus::WouldAdd(keys) => format!("would add {} key(s)", keys.len()),
            HostStatus::Present => "already present".into(),
            HostStatus::Failed(failure) => format!("failed: {failure}"),
        }
    }

    fn name(&self) -> &'static str {
        match self {
            HostStatus::Added(_) => "added",
            HostStatus::WouldAdd(_) => "would-add",
            HostStatus::Present => "present",
            HostStatus::Failed(_) => "failed",
        }
    }
}

/// One host's result, with what is needed to print it.
#[derive(Debug, Clone)]
pub struct HostResult {
    pub target: String,
    pub user: String,
    /// The host as given (name, address or config alias).
    pub host: String,
    pub port: u16,
    pub status: HostStatus,
    pub installed: Option<Installed>,
}

impl HostResult {
    /// `user@host[:port]`, the host as given: how results and messages name it.
    pub fn dest(&self) -> String {
        match self.port {
            22 => self.login(),
            port => format!("{}:{port}", self.login()),
        }
    }

    /// `user@host` for ssh-copy-id's "Now try logging into the machine" line.
    pub fn login(&self) -> String {
        format!("{}@{}", self.user, self.host)
    }
}

/// Settings shared by every host of the run.
struct Run {
    keys: keys::Keys,
    options: install::Options,
    password: Option<Secret>,
    agent_socket: Option<PathBuf>,
    terminal: Arc<Terminal>,
    key_cache: Arc<KeyCache>,
    transport: crate::remote::Transport,
    timeout: Duration,
    /// OpenSSH's default identity files that exist, for hosts without IdentityFile.
    default_identities: Vec<PathBuf>,
    /// Show servers' banners (as ssh does unless quiet); never in -q or JSON runs, whose
    /// stderr stays quiet.
    banners: bool,
}

pub fn run(ctx: &Context, args: CopyIdArgs) -> Result<super::Status> {
    // Everything that can be wrong locally is found before the first line is printed.
    let targets = targets(&args)?;
    let overrides = Overrides::parse(&args.options, args.port, args.user.clone())?;
    let config = Config::load(ctx, args.config.as_deref())?;
    let hosts = resolve(ctx, &config, &overrides, targets)?;
    let password = password(ctx, &args)?;
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let keys = runtime.block_on(keys::choose(ctx, &args.identities))?;
    if !args.quiet && args.format == OutputFormat::Text {
        ctx.note(format!("Source of key(s) to be installed: \"{}\"", keys.source));
    }
    let run = Arc::new(Run {
        keys,
        options: install::Options {
            target_path: args.target_path.clone(),
            dry_run: args.dry_run,
            force: args.force,
        },
        password,
        agent_socket: ctx.agent_socket().map(Path::to_path_buf),
        terminal: Terminal::new(ctx),
        key_cache: Arc::new(KeyCache::default()),
        transport: args.transport.into(),
        timeout: Duration::from_secs(args.timeout),
        default_identities: default_identities(&ctx.ssh_dir()),
        banners: !args.quiet && args.format == OutputFormat::Text,
    });
    let progress = progress_bar(ctx, &args, hosts.len());
    if let Some(bar) = &progress {
        run.terminal.set_progress(bar.clone());
    }
    let results =
        runtime.block_on(all_hosts(Arc::clone(&run), hosts, usize::from(args.jobs), progress.clone()));
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    print(ctx, &args, &results, &run.keys)?;
    Ok(match results.iter().any(|r| matches!(r.status, HostStatus::Failed(_))) {
        true => super::Status::Negative,
        false => super::Status::Success,
    })
}

/// Applies the ssh config and `-o` options to every target, so that a value ssh would
/// refuse is a usage error before any host is contacted, not a failure of each host.
fn resolve(
    ctx: &Context,
    config: &Config,
    overrides: &Overrides,
    targets: Vec<Target>,
) -> Result<Vec<(Target, Resolved)>> {
    let local_user = ctx.user();
    targets
        .into_iter()
        .map(|target| {
            let resolved = config
                .resolve(&target, overrides, local_user)
                .with_context(|| format!("target {}", target.text))?;
            Ok((target, resolved))
        })
        .collect()
}

fn targets(args: &CopyIdArgs) -> Result<Vec<Target>> {
    let mut targets = args.targets.iter().map(|t| Target::parse(t)).collect::<crate::Result<Vec<_>>>()?;
    if let Some(file) = &args.hosts_file {
        let (name, text) = match file.to_str() {
            Some("-") => {
                let mut text = String::new();
                std::io::Read::read_to_string(&mut std::io::stdin().lock(), &mut text)?;
                ("(stdin)".to_string(), text)
            }
            _ => {
                let bytes = crate::fsutil::read_capped(
                    file,
                    16 << 20,
                    // An inventory script's output as `--hosts-file <(…)` is a pipe.
                    crate::fsutil::Expect { what: "a hosts file", accept: crate::fsutil::Accept::Pipe },
                )?;
                (file.display().to_string(), String::from_utf8_lossy(&bytes).into_owned())
            }
        };
        targets.extend(target::parse_list(&name, &text)?);
    }
    if targets.is_empty() {
        anyhow::bail!(crate::Error::Refused {
            what: "no TARGET given".into(),
            hint: "name hosts as [user@]host[:port] arguments, or list them with --hosts-file".into(),
        });
    }
    Ok(targets)
}

/// The password for every host: a file, or the environment.
fn password(ctx: &Context, args: &CopyIdArgs) -> Result<Option<Secret>> {
    if let Some(file) = &args.password_file {
        return Ok(Some(secret::existing(ctx, &secret::Source::File(file.clone()), "", "the password")?));
    }
    Ok(ctx.password().cloned())
}

fn progress_bar(ctx: &Context, args: &CopyIdArgs, hosts: usize) -> Option<indicatif::ProgressBar> {
    if hosts < 2 || args.quiet || args.format != OutputFormat::Text || !ctx.stderr_is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(hosts as u64);
    let style = indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} hosts {msg}").ok()?;
    bar.set_style(style);
    Some(bar)
}

/// Every host, `jobs` at a time; results in the order the targets were given.
async fn all_hosts(
    run: Arc<Run>,
    hosts: Vec<(Target, Resolved)>,
    jobs: usize,
    progress: Option<indicatif::ProgressBar>,
) -> Vec<HostResult> {
    let permits = Arc::new(tokio::sync::Semaphore::new(jobs));
    let mut tasks = tokio::task::JoinSet::new();
    for (index, (target, resolved)) in hosts.into_iter().enumerate() {
        let (run, permits, progress) = (Arc::clone(&run), Arc::clone(&permits), progress.clone());
        tasks.spawn(async move {
            let _permit = permits.acquire_owned().await;
            let result = one_host(&run, target, resolved).await;
            if let Some(bar) = progress {
                bar.set_message(report::one_line(&format!("{}: {}", result.dest(), result.status.summary())));
                bar.inc(1);
            }
            (index, result)
        });
    }
    let mut results = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        if let Ok(result) = joined {
            results.push(result);
        }
    }
    results.sort_by_key(|(index, _)| *index);
    results.into_iter().map(|(_, result)| result).collect()
}

/// One host, start to finish, within the run's timeout.
async fn one_host(run: &Run, target: Target, resolved: Resolved) -> HostResult {
    // One deadline for the host: connecting ends by it too, and says so when it does
    // (polled first, the inner limit wins the tie).
    let deadline = tokio::time::Instant::now() + run.timeout;
    let outcome = match tokio::time::timeout_at(deadline, install_on(run, &resolved, deadline)).await {
        Ok(outcome) => outcome,
        Err(_) => Err(Failure::new(format!("timed out after {}s", run.timeout.as_secs()))
            .hint("if the host is only slow, give it longer with --timeout")),
    };
    let (status, installed) = match outcome {
        Ok(installed) => {
            let status = match (installed.added.is_empty(), run.options.dry_run) {
                (true, _) => HostStatus::Present,
                (false, true) => HostStatus::WouldAdd(installed.added.clone()),
                (false, false) => HostStatus::Added(installed.added.clone()),
            };
            (status, Some(installed))
        }
        Err(failure) => (HostStatus::Failed(failure), None),
    };
    HostResult {
        target: target.text,
        user: resolved.user,
        host: target.host,
        port: resolved.port,
        status,
        installed,
    }
}

async fn install_on(
    run: &Run,
    resolved: &Resolved,
    deadline: tokio::time::Instant,
) -> Result<Installed, Failure> {
    let terminal = run.terminal.for_host(resolved.batch_mode);
    let display = format!("{}@{}", resolved.user, resolved.host_name);
    let banner_as = run.banners.then(|| display.clone());
    let session::Connected { mut handle, passwords_withheld } =
        session::connect(resolved, Arc::clone(&terminal), (run.timeout, deadline), banner_as).await?;
    let credentials = Credentials {
        user: resolved.user.clone(),
        display,
        identity_files: match resolved.identity_files_configured {
            true => resolved.identity_files.clone(),
            false => run.default_identities.clone(),
        },
        identities_only: resolved.identities_only,
        password: run.password.clone(),
        agent_socket: run.agent_socket.clone(),
        passwords_withheld,
        terminal,
        keys: Arc::clone(&run.key_cache),
    };
    auth::authenticate(&mut handle, &credentials).await?;
    let installed = {
        let fs = RemoteFs::open(&handle, run.transport, run.timeout).await?;
        install::install(&fs, &run.keys.keys, &run.options).await?
    };
    let _ = handle.disconnect(russh::Disconnect::ByApplication, "", "en").await;
    Ok(installed)
}

/// OpenSSH's default identity files that exist.
fn default_identities(ssh_dir: &Path) -> Vec<PathBuf> {
    ["id_rsa", "id_ecdsa", "id_ecdsa_sk", "id_ed25519", "id_ed25519_sk", "id_xmss", "id_dsa"]
        .iter()
        .map(|name| ssh_dir.join(name))
        .filter(|path| path.exists())
        .collect()
}

fn print(ctx: &Context, args: &CopyIdArgs, results: &[HostResult], keys: &keys::Keys) -> Result<()> {
    for result in results {
        let notes = result.installed.as_ref().map(|i| i.notes.as_slice()).unwrap_or_default();
        let line = |text: String| report::one_line(&text);
        for note in notes {
            match note {
                Note::Warning(text) => ctx.warn(line(format!("{}: {text}", result.dest()))),
                Note::Change(text) if !args.quiet => ctx.note(line(format!("{}: {text}", result.dest()))),
                Note::Change(_) => {}
            }
        }
        if let HostStatus::Failed(Failure { hint: Some(hint), .. }) = &result.status {
            ctx.note(line(format!("{}: hint: {hint}", result.dest())));
        }
    }
    let output = match args.format {
        OutputFormat::Text => report::text(results, args.quiet, args.dry_run),
        OutputFormat::Json => report::json(results, keys),
    };
    std::io::stdout().lock().write_all(output.as_bytes())?;
    Ok(())
}
