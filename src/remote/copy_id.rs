//! copy-id on many hosts at once: one connection per host, `jobs` at a time, each within
//! its timeout; the results in the order the hosts were given.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;

use super::auth::{self, Credentials, KeyCache};
use super::config::Resolved;
use super::fs::RemoteFs;
use super::install::{self, Installed, KeyToInstall};
pub use super::outcome::{HostResult, HostStatus};
use super::target::Target;
use super::terminal::{self, Terminal, Ui};
use super::{Transport, session};
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
    password: Option<Secret>,
    agent_socket: Option<PathBuf>,
    terminal: Arc<Terminal>,
    key_cache: Arc<KeyCache>,
    transport: Transport,
    timeout: Duration,
    /// OpenSSH's default identity files that exist, for hosts without IdentityFile.
    default_identities: Vec<PathBuf>,
    banners: bool,
    probe_methods: bool,
}

impl Run {
    fn new(request: Request, terminal: Arc<Terminal>) -> (Arc<Run>, Vec<(Target, Resolved)>) {
        let run = Run {
            keys: request.keys,
            options: request.options,
            password: request.password,
            agent_socket: request.agent_socket,
            terminal,
            key_cache: Arc::new(KeyCache::default()),
            transport: request.transport,
            timeout: request.timeout,
            default_identities: default_identities(&request.ssh_dir),
            banners: request.banners,
            probe_methods: request.probe_methods,
        };
        (Arc::new(run), request.hosts)
    }
}

/// Every host, `jobs` at a time; results in the order the targets were given.
async fn all_hosts(run: Arc<Run>, hosts: Vec<(Target, Resolved)>, jobs: usize) -> Vec<HostResult> {
    let permits = Arc::new(tokio::sync::Semaphore::new(jobs));
    let mut tasks = tokio::task::JoinSet::new();
    for (index, (target, resolved)) in hosts.into_iter().enumerate() {
        let (run, permits) = (Arc::clone(&run), Arc::clone(&permits));
        tasks.spawn(async move {
            let _permit = permits.acquire_owned().await;
            let result = one_host(&run, target, resolved).await;
            run.terminal.done(result.clone());
            (index, result)
        });
    }
    let mut results = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        if let Ok(result) = joined {
            results.push(result);
        }
    }
    // A connection's task may outlive its host (russh's, until the server lets go): the
    // user's side ends with the last host, not with the last task.
    run.terminal.end();
    results.sort_by_key(|(index, _)| *index);
    results.into_iter().map(|(_, result)| result).collect()
}

/// One host, start to finish, within the run's timeout.
async fn one_host(run: &Run, target: Target, resolved: Resolved) -> HostResult {
    // One deadline for the host: connecting ends by it too, and says so when it does
    // (polled first, the inner limit wins the tie).
    let deadline = tokio::time::Instant::now() + run.timeout;
    let mut methods = Vec::new();
    let installing = install_on(run, &resolved, deadline, &mut methods);
    let outcome = match tokio::time::timeout_at(deadline, installing).await {
        Ok(outcome) => outcome,
        Err(_) => Err(Error::HostTimedOut { secs: run.timeout.as_secs() }),
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
        certificate_files: resolved.certificate_files.clone(),
        password: run.password.clone(),
        agent_socket: run.agent_socket.clone(),
        passwords_withheld: passwords_withheld.map(Arc::new),
        terminal,
        keys: Arc::clone(&run.key_cache),
    };
    // Asked before the login: after refusals the server may have given up on us (and
    // sshd counts a late `none` as one more failure).
    let offered = match run.probe_methods {
        true => offered_methods(&mut handle, &resolved.user).await?,
        false => Offered::Methods(Vec::new()),
    };
    if let Offered::Methods(offered) = offered
        && let Err(refused) = auth::authenticate(&mut handle, &credentials).await
    {
        *methods = offered;
        return Err(refused);
    }
    let installed = {
        let fs = RemoteFs::open(&handle, run.transport, run.timeout).await?;
        install::install(&fs, &run.keys, &run.options).await?
    };
    let _ = handle.disconnect(russh::Disconnect::ByApplication, "", "en").await;
    Ok(installed)
}

/// What the server answered to the `none` method.
enum Offered {
    /// It let the user in without any (an account without a password, where allowed).
    Nothing,
    /// The methods it offers, in its order.
    Methods(Vec<&'static str>),
}

/// The methods the server offers `user`: its answer to the `none` method, the first
/// request ssh sends.
async fn offered_methods(
    handle: &mut russh::client::Handle<session::Client>,
    user: &str,
) -> Result<Offered, Error> {
    match handle.authenticate_none(user).await.map_err(|e| super::fail("authentication", &e))? {
        russh::client::AuthResult::Success => Ok(Offered::Nothing),
        russh::client::AuthResult::Failure { remaining_methods, .. } => {
            Ok(Offered::Methods(remaining_methods.iter().map(<&'static str>::from).collect()))
        }
    }
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
        fn host_done(&self, _: &HostResult) {}
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
