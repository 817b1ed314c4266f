//! What every multi-host command shares (copy-id, authorized-keys): how a host is
//! reached and logged in to, and running a job on many hosts, `jobs` at a time, each
//! within its deadline, results in the order the hosts were given.

use std::collections::HashMap;
use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use russh::client::Handle;
use tokio::sync::Semaphore;

use super::Transport;
use super::auth::{self, Credentials, KeyCache};
use super::config::{Resolved, Route};
use super::session::{self, Client};
use super::target::Target;
use super::terminal::Terminal;
use crate::error::Error;
use crate::secret::Secret;

/// How hosts are reached and logged in to, for every host of a run.
pub struct Access {
    /// The password for every host (a file, or the environment).
    pub password: Option<Secret>,
    /// Where ssh-agent listens, if one runs.
    pub agent_socket: Option<PathBuf>,
    /// Identity files decrypted once for the whole run.
    pub key_cache: Arc<KeyCache>,
    pub transport: Transport,
    /// How long each host may take, connecting included.
    pub timeout: Duration,
    /// OpenSSH's default identity files that exist, for hosts without IdentityFile.
    pub default_identities: Vec<PathBuf>,
    /// Show servers' banners (as ssh does unless quiet).
    pub banners: bool,
    /// Ask the server first which methods it offers (the `none` method, as ssh does:
    /// one round trip), for ssh's `Permission denied (publickey,…).` line should the
    /// login be refused.
    pub probe_methods: bool,
}

/// Which credentials a login may use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Using {
    /// Everything the host's configuration allows: agent, identity files, password.
    Configured,
    /// This private key file only: no agent, no other file, no password (to prove that
    /// a key just installed lets its owner in).
    OnlyKey(PathBuf),
}

/// A host logged in to.
pub struct LoggedIn {
    pub handle: Handle<Client>,
    /// The host keys the server announces after login (UpdateHostKeys).
    pub announced: session::Announced,
    /// Whether UpdateHostKeys may change the host's known_hosts lines.
    pub updatable: bool,
    /// The jump hosts' sessions or the ProxyCommand: dropped after `handle` (fields drop
    /// in order), never before it.
    pub carrier: session::Carrier,
}

impl session::Login for Access {
    fn credentials(
        &self,
        hop: &Resolved,
        terminal: Arc<Terminal>,
        passwords_withheld: Option<Error>,
    ) -> Credentials {
        Credentials {
            user: hop.user.clone(),
            display: format!("{}@{}", hop.user, hop.host_name),
            identity_files: match hop.identity_files_configured {
                true => hop.identity_files.clone(),
                false => self.default_identities.clone(),
            },
            identities_only: hop.identities_only,
            certificate_files: hop.certificate_files.clone(),
            password: self.password.clone(),
            agent_socket: self.agent_socket.clone(),
            passwords_withheld: passwords_withheld.map(Arc::new),
            terminal,
            keys: Arc::clone(&self.key_cache),
        }
    }
}

/// Connects to `resolved` (through its jump hosts or ProxyCommand) and logs in; after a
/// refused login, `methods` gets the methods the server offered (when the run asked for
/// them).
///
/// # Errors
/// The connection, the host key check or the login failed.
pub async fn login(
    access: &Access,
    terminal: &Arc<Terminal>,
    resolved: &Resolved,
    deadline: tokio::time::Instant,
    methods: &mut Vec<&'static str>,
    using: &Using,
) -> Result<LoggedIn, Error> {
    use session::Login as _;
    // Held until the login is over, however it ends.
    let _handshake = handshake_slot(resolved).await;
    let terminal = terminal.for_host(resolved.batch_mode);
    let display = format!("{}@{}", resolved.user, resolved.host_name);
    let banner_as = access.banners.then(|| display.clone());
    let (session::Connected { mut handle, passwords_withheld, announced, updatable }, carrier) =
        session::connect(resolved, Arc::clone(&terminal), (access.timeout, deadline), banner_as, access)
            .await?;
    let mut credentials = access.credentials(resolved, terminal, passwords_withheld);
    if let Using::OnlyKey(path) = using {
        credentials.identity_files = vec![path.clone()];
        credentials.identities_only = true;
        credentials.agent_socket = None;
        credentials.password = None;
        // No password or keyboard-interactive prompt either: the key alone must do.
        let refused = Error::NewKeyRefused { who: display.clone(), key: path.clone() };
        credentials.passwords_withheld = Some(Arc::new(refused));
    }
    // Asked before the login: after refusals the server may have given up on us (and
    // sshd counts a late `none` as one more failure).
    let offered = match access.probe_methods {
        true => offered_methods(&mut handle, &resolved.user).await?,
        false => Offered::Methods(Vec::new()),
    };
    if let Offered::Methods(offered) = offered
        && let Err(refused) = auth::authenticate(&mut handle, &credentials).await
    {
        *methods = offered;
        return Err(match using {
            Using::OnlyKey(key) => Error::NewKeyRefused { who: display, key: key.clone() },
            Using::Configured => refused,
        });
    }
    Ok(LoggedIn { handle, announced, updatable, carrier })
}

/// How many of this process's connections to one server may be between connecting
/// and logging in at once, whatever `--jobs` allows. sshd drops new connections at
/// random once 10 are not yet logged in (its default `MaxStartups 10:30:100`), so a
/// run over many accounts on one server, or over many hosts behind one jump host,
/// lost hosts with `--jobs` above 10. Eight leaves room for the slot a finished login
/// holds a moment longer on the server's side, and for other clients.
const HANDSHAKES_PER_SERVER: usize = 8;

/// The handshake permits of each server (host name, port) logged in to.
type ServerSlots = HashMap<(String, u16), Arc<Semaphore>>;

/// A permit to start a login through the first server on `resolved`'s route (the host
/// itself, or its first jump host); `None` when a ProxyCommand makes the connection.
async fn handshake_slot(resolved: &Resolved) -> Option<tokio::sync::OwnedSemaphorePermit> {
    // One server's MaxStartups counts every connection this process makes to it.
    static SERVERS: std::sync::LazyLock<std::sync::Mutex<ServerSlots>> =
        std::sync::LazyLock::new(Default::default);
    let mut first = resolved;
    while let Route::Jump(hop) = &first.route {
        first = hop;
    }
    if let Route::Command(_) = first.route {
        return None;
    }
    let server = {
        let mut servers = SERVERS.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let key = (first.host_name.to_ascii_lowercase(), first.port);
        Arc::clone(servers.entry(key).or_insert_with(|| Arc::new(Semaphore::new(HANDSHAKES_PER_SERVER))))
    };
    server.acquire_owned().await.ok()
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
async fn offered_methods(handle: &mut Handle<Client>, user: &str) -> Result<Offered, Error> {
    match handle.authenticate_none(user).await.map_err(|e| super::fail("authentication", &e))? {
        russh::client::AuthResult::Success => Ok(Offered::Nothing),
        russh::client::AuthResult::Failure { remaining_methods, .. } => {
            Ok(Offered::Methods(remaining_methods.iter().map(<&'static str>::from).collect()))
        }
    }
}

/// Runs `job` on every host, `jobs` at a time; results in the order the hosts were
/// given. Then tells `terminal` that every host is done.
pub async fn each_host<T, F, Fut>(
    terminal: &Terminal,
    hosts: Vec<(Target, Resolved)>,
    jobs: usize,
    job: F,
) -> Vec<T>
where
    T: Send + 'static,
    F: Fn(Target, Resolved) -> Fut,
    Fut: Future<Output = T> + Send + 'static,
{
    let permits = Arc::new(tokio::sync::Semaphore::new(jobs));
    let mut tasks = tokio::task::JoinSet::new();
    for (index, (target, resolved)) in hosts.into_iter().enumerate() {
        let permits = Arc::clone(&permits);
        let work = job(target, resolved);
        tasks.spawn(async move {
            let _permit = permits.acquire_owned().await;
            (index, work.await)
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
    terminal.end();
    results.sort_by_key(|(index, _)| *index);
    results.into_iter().map(|(_, result)| result).collect()
}
