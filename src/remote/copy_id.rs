//! copy-id on many hosts at once: one connection per host, `jobs` at a time, each within
//! its timeout; the results in the order the hosts were given.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;

use super::Transport;
use super::auth::KeyCache;
use super::config::Resolved;
use super::fleet::{self, Access, Using};
use super::fs::RemoteFs;
use super::install::{self, Installed, KeyToInstall};
use super::outcome::Finished;
use super::outcome::Note;
pub use super::outcome::{HostResult, HostStatus};
use super::target::Target;
use super::terminal::{self, Terminal, Ui};
use super::update_host_keys;
use crate::error::Error;
use crate::secret::Secret;

/// What to install where, and how.
pub struct Request {
    /// The hosts, with the ssh config and `-o` options applied.
    pub hosts: Vec<(Target, Resolved)>,
    pub keys: Vec<KeyToInstall>,
    pub options: install::Options,
    /// The password for every host (a file, or the environment).
    pub password: Option<Secret>,
    /// Where ssh-agent listens, if one runs.
    pub agent_socket: Option<PathBuf>,
    pub transport: Transport,
    /// How long each host may take, connecting included.
    pub timeout: Duration,
    /// How many hosts to work on at once.
    pub jobs: usize,
    /// `~/.ssh`, where OpenSSH's default identity files are.
    pub ssh_dir: PathBuf,
    /// Show servers' banners (as ssh does unless quiet).
    pub banners: bool,
    /// Ask the server first which methods it offers (the `none` method, as ssh does:
    /// one round trip), for ssh's `Permission denied (publickey,…).` line should the
    /// login be refused.
    pub probe_methods: bool,
}

/// The async runtime of one run: choosing the keys (the agent) and the hosts.
pub struct Runner {
    runtime: tokio::runtime::Runtime,
}

impl Runner {
    /// Starts the runtime.
    ///
    /// # Errors
    /// The runtime's threads could not be started.
    pub fn new() -> std::io::Result<Self> {
        Ok(Runner { runtime: tokio::runtime::Builder::new_multi_thread().enable_all().build()? })
    }

    /// Runs `future` to its end.
    pub fn block_on<F: std::future::Future>(&self, future: F) -> F::Output {
        self.runtime.block_on(future)
    }

    /// Runs `future` on the runtime's threads (while this thread serves the user).
    pub fn spawn<F>(&self, future: F) -> tokio::task::JoinHandle<F::Output>
    where
        F: std::future::Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.runtime.spawn(future)
    }

    /// Installs the keys on every host; `ui` answers the hosts' questions and shows what
    /// they print, on this thread, until the last host is done.
    pub fn run(&self, request: Request, ui: &dyn Ui) -> Vec<HostResult> {
        let (events, receiver) = mpsc::unbounded_channel();
        let jobs = request.jobs;
        let (run, hosts) = Run::new(request, Terminal::new(ui.can_ask(), events));
        let hosts = self.runtime.spawn(all_hosts(run, hosts, jobs));
        terminal::serve(ui, receiver);
        self.runtime.block_on(hosts).unwrap_or_default()
    }
}

/// Settings shared by every host of the run.
struct Run {
    keys: Vec<KeyToInstall>,
    options: install::Options,
    access: Access,
    terminal: Arc<Terminal>,
}

impl Run {
    fn new(request: Request, terminal: Arc<Terminal>) -> (Arc<Run>, Vec<(Target, Resolved)>) {
        let access = Access {
            password: request.password,
            agent_socket: request.agent_socket,
            key_cache: Arc::new(KeyCache::default()),
            transport: request.transport,
            timeout: request.timeout,
            default_identities: default_identities(&request.ssh_dir),
            banners: request.banners,
            probe_methods: request.probe_methods,
        };
        let run = Run { keys: request.keys, options: request.options, access, terminal };
        (Arc::new(run), request.hosts)
    }
}

/// Every host, `jobs` at a time; results in the order the targets were given.
async fn all_hosts(run: Arc<Run>, hosts: Vec<(Target, Resolved)>, jobs: usize) -> Vec<HostResult> {
    let terminal = Arc::clone(&run.terminal);
    fleet::each_host(&terminal, hosts, jobs, |target, resolved| {
        let run = Arc::clone(&run);
        async move {
            let result = one_host(&run, target, resolved).await;
            run.terminal.done(Finished::Installed(result.clone()));
            result
        }
    })
    .await
}

/// One host, start to finish, within the run's timeout.
async fn one_host(run: &Run, target: Target, resolved: Resolved) -> HostResult {
    // One deadline for the host: connecting ends by it too, and says so when it does
    // (polled first, the inner limit wins the tie).
    let deadline = tokio::time::Instant::now() + run.access.timeout;
    let mut methods = Vec::new();
    let installing = install_on(run, &resolved, deadline, &mut methods);
    let outcome = match tokio::time::timeout_at(deadline, installing).await {
        Ok(outcome) => outcome,
        Err(_) => Err(Error::HostTimedOut { secs: run.access.timeout.as_secs() }),
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
        Err(failure) => (HostStatus::Failed(Arc::new(failure)), None),
    };
    HostResult {
        target: target.text,
        user: resolved.user,
        host: target.host,
        port: resolved.port,
        status,
        installed,
        methods,
    }
}

/// Connects, logs in and installs; after a refused login, `methods` gets the methods the
/// server offered (when the run asked for them).
async fn install_on(
    run: &Run,
    resolved: &Resolved,
    deadline: tokio::time::Instant,
    methods: &mut Vec<&'static str>,
) -> Result<Installed, Error> {
    let terminal = run.terminal.for_host(resolved.batch_mode);
    // The jump hosts' sessions (or the ProxyCommand) live as long as `handle`.
    let fleet::LoggedIn { handle, announced, updatable, carrier: _carrier } =
        fleet::login(&run.access, &run.terminal, resolved, deadline, methods, &Using::Configured).await?;
    let mut installed = {
        let fs = RemoteFs::open(&handle, run.access.transport, run.access.timeout).await?;
        install::install(&fs, &run.keys, &run.options).await?
    };
    let learning =
        update_host_keys::update(&handle, (&announced, updatable), resolved, &terminal, run.options.dry_run);
    match learning.await {
        Ok(Some(learnt)) => installed.notes.extend(learnt_notes(&learnt, run.options.dry_run)),
        Ok(None) => {}
        Err(why) => installed.notes.push(Note::Warning(why)),
    }
    let _ = handle.disconnect(russh::Disconnect::ByApplication, "", "en").await;
    Ok(installed)
}

/// What UpdateHostKeys learnt, as notes on the host.
fn learnt_notes(learnt: &update_host_keys::Learnt, dry_run: bool) -> Vec<Note> {
    let file = learnt.file.display();
    let (learn, drop) = match dry_run {
        true => ("would learn", "would remove"),
        false => ("learnt", "removed"),
    };
    let added = learnt.added.iter().map(|key| {
        Note::Change(format!(
            "{learn} host key {} (UpdateHostKeys) into {file}",
            update_host_keys::describe_key(key)
        ))
    });
    let removed = learnt.removed.iter().map(|key| {
        Note::Change(format!(
            "{drop} obsolete host key {} (UpdateHostKeys) from known_hosts",
            update_host_keys::describe_key(key)
        ))
    });
    added.chain(removed).collect()
}

/// OpenSSH's default identity files that exist (tried when no IdentityFile is set).
pub fn default_identities(ssh_dir: &Path) -> Vec<PathBuf> {
    ["id_rsa", "id_ecdsa", "id_ecdsa_sk", "id_ed25519", "id_ed25519_sk", "id_xmss", "id_dsa"]
        .iter()
        .map(|name| ssh_dir.join(name))
        .filter(|path| path.exists())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::remote::terminal::Question;

    /// A user's side that must not be asked anything.
    struct Silent;

    impl Ui for Silent {
        fn can_ask(&self) -> bool {
            false
        }
        fn ask(&self, _: &Question) -> Option<Secret> {
            None
        }
        fn show(&self, _: &str) {}
        fn host_done(&self, _: &Finished) {}
    }

    /// The user's side ends with the last host: a run returns even with no host at all.
    #[test]
    fn a_run_without_hosts_returns() {
        let request = Request {
            hosts: Vec::new(),
            keys: Vec::new(),
            options: install::Options {
                target_path: ".ssh/authorized_keys".into(),
                dry_run: false,
                force: false,
            },
            password: None,
            agent_socket: None,
            transport: Transport::Auto,
            timeout: Duration::from_secs(1),
            jobs: 1,
            ssh_dir: PathBuf::from("/nonexistent"),
            banners: false,
            probe_methods: false,
        };
        let runner = Runner::new().expect("runtime");
        assert!(runner.run(request, &Silent).is_empty());
    }
}
