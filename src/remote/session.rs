//! The SSH connection: russh's client with our host key policy, which makes OpenSSH
//! 9.2's decision in every case (see [`super::hostkey`] and `tests/cli/hostkey_policy.rs`).

use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use russh::client::{self, Handle, Handler};
use russh::keys::PublicKeyOrCertificate;
use ssh_key::public::KeyData;

use super::auth::Credentials;
use super::config::{Resolved, Route, StrictHostKeyChecking};
use super::hostkey::{self, CertVerdict, HostKeys, Recorded, Verdict};
use super::terminal::Terminal;
use crate::error::Error;
use crate::fsutil::FileMode;
use crate::known_hosts::edit::{self, AddOptions, Added};
use crate::known_hosts::transaction::{Contents, Edited, IfMissing, Write, transaction};
use crate::known_hosts::{HostQuery, KnownHosts};

/// russh's callbacks: the host key check, and the server's banner.
pub struct Client {
    policy: Arc<Policy>,
    /// Why the host key was refused, for the error message (russh only says it was).
    refusal: Arc<Mutex<Option<Error>>>,
    /// `user@host` to show the server's banner after, or `None` to keep it to ourselves.
    banner_as: Option<String>,
    /// The host keys the server announced after login (hostkeys-00@openssh.com).
    announced: Announced,
}

impl Client {
    /// The same callbacks for another connection attempt to the same host (russh takes
    /// its handler by value).
    fn again(&self) -> Client {
        Client {
            policy: Arc::clone(&self.policy),
            refusal: Arc::clone(&self.refusal),
            banner_as: self.banner_as.clone(),
            announced: Arc::clone(&self.announced),
        }
    }
}

/// Where the server's announced host keys are kept, for UpdateHostKeys.
pub type Announced = Arc<Mutex<Option<Vec<ssh_key::PublicKey>>>>;

/// An authenticated-to-be connection and what the host key check allows on it.
pub struct Connected {
    pub handle: Handle<Client>,
    /// Set when the host key changed or is revoked and StrictHostKeyChecking=no let the
    /// connection go on anyway: as ssh, authentication must then not send a password
    /// (password and keyboard-interactive methods), since the server may be a
    /// man in the middle. Public key authentication stays safe (its signature is bound to
    /// this session). It holds the refusal a strict check would have given, so that a
    /// failed login can say why no password was sent.
    pub passwords_withheld: Option<Error>,
    /// The host keys the server announces after login (filled once it has).
    pub announced: Announced,
    /// Whether the host was trusted by a plain key of a user known_hosts file (or one
    /// just learnt there): only then may UpdateHostKeys change the file, as in ssh.
    pub updatable: bool,
}

/// What the host key check needs.
struct Policy {
    keys: HostKeys,
    recorded: Vec<Recorded>,
    strict: StrictHostKeyChecking,
    hash: bool,
    /// Where a newly accepted key is recorded (the first UserKnownHostsFile).
    learn_into: PathBuf,
    /// The address connected to, in known_hosts form (`[ip]:port`), for the question.
    address: String,
    terminal: Arc<Terminal>,
    passwords_withheld: Mutex<Option<Error>>,
    /// RevokedHostKeys, checked before known_hosts whatever StrictHostKeyChecking says.
    revoked_host_keys: Option<PathBuf>,
    /// The user known_hosts files (UserKnownHostsFile), as opposed to the global ones.
    user_files: Vec<PathBuf>,
    /// Set when a plain key of a user file trusted the host (see [`Connected::updatable`]).
    updatable: Mutex<bool>,
}

impl Handler for Client {
    type Error = russh::Error;

    async fn check_server_key(&mut self, offered: &PublicKeyOrCertificate) -> Result<bool, Self::Error> {
        let refusal = self.policy.check(offered).await;
        let accepted = refusal.is_none();
        *self.refusal.lock().unwrap_or_else(|p| p.into_inner()) = refusal;
        Ok(accepted)
    }

    /// Keeps the keys for after the login; they are proved (hostkeys-prove) before any
    /// is trusted, by the caller, outside this callback as russh asks.
    async fn openssh_ext_host_keys_announced(
        &mut self,
        keys: Vec<ssh_key::PublicKey>,
        _: &mut client::Session,
    ) -> Result<(), Self::Error> {
        let mut announced = self.announced.lock().unwrap_or_else(|p| p.into_inner());
        if announced.is_none() {
            *announced = Some(keys);
        }
        Ok(())
    }

    /// The server's pre-authentication banner, shown as ssh shows it (unless quiet), but
    /// as the server's words: escaped, capped, each line after `(user@host)`.
    async fn auth_banner(&mut self, banner: &str, _: &mut client::Session) -> Result<(), Self::Error> {
        if let Some(display) = &self.banner_as {
            self.policy.terminal.print(&crate::sanitize::server_lines(display, &[banner]));
        }
        Ok(())
    }
}

/// Seconds since the epoch, for certificate validity.
fn now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

impl Policy {
    /// `None` to go on, or why the key is refused.
    async fn check(&self, offered: &PublicKeyOrCertificate) -> Option<Error> {
        if let Some(refused) = self.revoked_by_file(offered) {
            return Some(refused);
        }
        let key = match offered {
            PublicKeyOrCertificate::PublicKey { key, .. } => key.key_data().clone(),
            PublicKeyOrCertificate::Certificate(cert) => {
                match self.keys.verify_certificate(cert, &self.recorded, now()) {
                    CertVerdict::Trusted => return None,
                    // ssh names it as the certificate it is (`ECDSA-CERT`).
                    CertVerdict::Revoked { file, line } => {
                        let key = KeyData::Certificate(Box::new(cert.clone()));
                        return self.decide(Verdict::Revoked { file, line }, &key).await;
                    }
                    // As ssh: say why (when a CA was found), then judge the plain key.
                    CertVerdict::Fallback(why) => {
                        if let Some(why) = why {
                            self.terminal.print(&format!("{why}\n"));
                        }
                        cert.public_key().clone()
                    }
                }
            }
        };
        let verdict = HostKeys::verify_key(&key, &self.recorded);
        if verdict == Verdict::Trusted && !matches!(offered, PublicKeyOrCertificate::Certificate(_)) {
            // As ssh: not when the line that trusts it is in a global file.
            let first = self.recorded.iter().find(|r| r.marker.is_none() && r.key == key);
            let in_user_file = first.is_some_and(|r| self.user_files.contains(&r.file));
            *self.updatable.lock().unwrap_or_else(|p| p.into_inner()) = in_user_file;
        }
        self.decide(verdict, &key).await
    }

    /// ssh's RevokedHostKeys check (sshconnect.c `verify_host_key`): the key as offered
    /// (a certificate by itself, its key and its CA) against the file, a KRL or a list
    /// of keys, read now; a revoked key, or a file that cannot be read or checked, fails
    /// the connection, with ssh's lines.
    fn revoked_by_file(&self, offered: &PublicKeyOrCertificate) -> Option<Error> {
        let path = self.revoked_host_keys.as_ref()?;
        let key = match offered {
            PublicKeyOrCertificate::PublicKey { key, .. } => key.key_data().clone(),
            PublicKeyOrCertificate::Certificate(cert) => KeyData::Certificate(Box::new(cert.clone())),
        };
        let (type_name, fingerprint) = hostkey::describe_key(&key);
        let checked = crate::sig::revoked::RevokedKeys::read(path).and_then(|list| list.revokes(&key));
        let (line, error) = match checked {
            Ok(false) => return None,
            Ok(true) => (
                format!("Host key {type_name} {fingerprint} revoked by file {}\n", path.display()),
                Error::HostKeyRevokedByFile {
                    path: path.clone(),
                    key_type: type_name,
                    fingerprint: fingerprint.to_string(),
                },
            ),
            Err(cause) => (
                format!(
                    "Error checking host key {type_name} {fingerprint} in revoked keys file {}: {cause}\n",
                    path.display()
                ),
                Error::RevokedHostKeysUnreadable { path: path.clone(), cause: cause.to_string() },
            ),
        };
        self.terminal.print(&line);
        self.terminal.print(hostkey::VERIFICATION_FAILED);
        Some(error)
    }

    /// StrictHostKeyChecking applied to a verdict: `None` to go on, or why not.
    async fn decide(&self, verdict: Verdict, key: &KeyData) -> Option<Error> {
        let host = &self.keys.lookup;
        match verdict {
            Verdict::Trusted => None,
            Verdict::Unknown => self.unknown(key).await,
            Verdict::Changed { offending } => {
                self.terminal.print(&hostkey::changed_warning(host, key, &offending, &self.learn_into));
                let (file, line, _) = offending;
                self.unsafe_or(hostkey::changed_strict(host), || Error::HostKeyChanged {
                    file,
                    line,
                    host: host.clone(),
                })
            }
            Verdict::Revoked { file, line } => {
                self.terminal.print(&hostkey::revoked_warning(host, key));
                self.unsafe_or(hostkey::revoked_strict(host, key), || Error::HostKeyRevoked { file, line })
            }
        }
    }

    /// A changed or revoked key: ssh refuses it, printing `strict`, unless
    /// StrictHostKeyChecking=no, where it goes on without sending passwords.
    fn unsafe_or(&self, strict: String, failure: impl FnOnce() -> Error) -> Option<Error> {
        if self.strict == StrictHostKeyChecking::No {
            self.terminal.print(hostkey::PASSWORDS_DISABLED);
            *self.passwords_withheld.lock().unwrap_or_else(|p| p.into_inner()) = Some(failure());
            return None;
        }
        self.terminal.print(&strict);
        Some(failure())
    }

    async fn unknown(&self, key: &KeyData) -> Option<Error> {
        let host = &self.keys.lookup;
        let (type_name, fingerprint) = hostkey::describe_key(key);
        let accept = match self.strict {
            StrictHostKeyChecking::AcceptNew | StrictHostKeyChecking::No => true,
            StrictHostKeyChecking::Yes => {
                self.terminal.print(&hostkey::unknown_strict(host, key));
                false
            }
            StrictHostKeyChecking::Ask => {
                let yes = self.ask(key).await;
                if !yes {
                    self.terminal.print(hostkey::VERIFICATION_FAILED);
                }
                yes
            }
        };
        if !accept {
            // The user who answered no needs no advice; otherwise say how to accept it.
            let declined = self.strict == StrictHostKeyChecking::Ask && self.terminal.can_ask();
            return Some(Error::UnknownHostKey {
                host: host.clone(),
                key_type: type_name,
                fingerprint: fingerprint.to_string(),
                declined,
            });
        }
        self.learn(key).await
    }

    async fn ask(&self, key: &KeyData) -> bool {
        let host = self.keys.lookup.clone();
        let mut question = hostkey::unknown_question(&host, &self.address, key);
        let fingerprint = hostkey::describe_key(key).1.to_string();
        loop {
            let Some(answer) = self.terminal.question(question.clone(), host.clone()).await else {
                return false;
            };
            match answer.to_ascii_lowercase().as_str() {
                "yes" => return true,
                "no" => return false,
                _ if answer == fingerprint => return true,
                _ => question = "Please type 'yes', 'no' or the fingerprint: ".into(),
            }
        }
    }

    /// Records an accepted key as ssh does, then says so only if the line is in the file.
    /// Another connection of this run may have recorded a key for the same name since
    /// this one looked: the key is judged again against the file as it is now, and a
    /// key that now counts as changed or revoked gets ssh's decision for that.
    async fn learn(&self, key: &KeyData) -> Option<Error> {
        let host = &self.keys.lookup;
        match self.record(key) {
            Ok(Verdict::Trusted) => {
                self.terminal.print(&hostkey::learnt(host, key));
                *self.updatable.lock().unwrap_or_else(|p| p.into_inner()) = true;
                None
            }
            Ok(now) => Box::pin(self.decide(now, key)).await,
            // As ssh: a file that cannot be written is reported, and the connection goes on.
            Err(_) => {
                let file = self.learn_into.display();
                self.terminal
                    .print(&format!("Failed to add the host to the list of known hosts ({file}).\n"));
                None
            }
        }
    }

    /// Appends the key's line under the file lock unless the file now says otherwise;
    /// returns the verdict on the key against the file as it is afterwards (`Trusted`
    /// when the line is there).
    fn record(&self, key: &KeyData) -> crate::error::Result<Verdict> {
        let path = &self.learn_into;
        if is_device(path) {
            return append_to_device(path, &self.keys.lookup, key, self.hash).map(|()| Verdict::Trusted);
        }
        if let Some(dir) = path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
            crate::fsutil::ensure_private_dir(dir)?;
        }
        let lookup = &self.keys.lookup;
        let done = transaction(path, IfMissing::Empty, |file| {
            let mut recorded = HostKeys::recorded_in(file, lookup);
            recorded.extend(self.recorded.iter().filter(|r| r.file != *path).cloned());
            let verdict = HostKeys::verify_key(key, &recorded);
            if verdict != Verdict::Unknown {
                return Ok(Edited::unchanged(verdict));
            }
            Ok(match edit::add(file, lookup, key, AddOptions { hash: self.hash, replace: false })? {
                Added::Appended { content, .. } => {
                    let write = Write {
                        contents: Contents::Bytes(content),
                        mode: FileMode::KeepOr(0o600),
                        backup: false,
                    };
                    Edited::write(Verdict::Trusted, write)
                }
                Added::Present(_) => Edited::unchanged(Verdict::Trusted),
                // verify_key found no plain line and no revocation: unreachable, but never
                // report a key as added that is not.
                Added::Conflict(lines) => Edited::unchanged(Verdict::Changed {
                    offending: (path.clone(), lines.last().copied().unwrap_or_default(), String::new()),
                }),
                Added::Revoked(line) => Edited::unchanged(Verdict::Revoked { file: path.clone(), line }),
            })
        })?;
        Ok(done.value)
    }
}

/// Whether `path` is something other than a regular file or directory (a character
/// device such as `/dev/null`, a FIFO): ssh opens those and appends; we must never
/// replace them with a regular file.
fn is_device(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|meta| !meta.is_file() && !meta.is_dir())
}

/// Appends the key's line to a non-regular file, as ssh's `fopen(file, "a")` does.
fn append_to_device(path: &Path, lookup: &str, key: &KeyData, hash: bool) -> crate::error::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let io = |e| crate::error::Error::io(path, e);
    let empty = KnownHosts::from_bytes(path, Vec::new());
    let Added::Appended { content, .. } =
        edit::add(&empty, lookup, key, AddOptions { hash, replace: false })?
    else {
        return Err(io(std::io::Error::other("no line to append")));
    };
    // Non-blocking: a FIFO nobody reads fails at once instead of hanging the run.
    let nonblocking = nix::fcntl::OFlag::O_NONBLOCK.bits();
    let mut file =
        std::fs::OpenOptions::new().append(true).custom_flags(nonblocking).open(path).map_err(io)?;
    file.write_all(&content).map_err(io)
}

/// The address's known_hosts form, as ssh shows it beside the name: `ip` on port 22,
/// `[ip]:port` elsewhere.
fn address_form(address: &std::net::SocketAddr) -> String {
    match address.port() {
        22 => address.ip().to_string(),
        port => format!("[{}]:{port}", address.ip()),
    }
}

/// How each jump host is logged in to: the run's credentials for that hop.
pub trait Login: Sync {
    /// What authentication may use on `hop` (reached after a host key check that went on
    /// with `passwords_withheld` set, or not).
    fn credentials(
        &self,
        hop: &Resolved,
        terminal: Arc<Terminal>,
        passwords_withheld: Option<Error>,
    ) -> Credentials;
}

/// What must live as long as the connection: the jump hosts' sessions, or the
/// ProxyCommand's process (killed when dropped).
#[derive(Default)]
pub struct Carrier {
    _hops: Vec<Handle<Client>>,
    _command: Option<tokio::process::Child>,
}

/// Connects to the resolved host and checks its key. The handshake ends by `deadline`
/// (the host's, `timeout` from its start) or ConnectTimeout, whichever comes first
/// (russh has no connect timeout of its own); the caller's own limit at the same
/// `deadline` fires after this one, so a connection that never completes is always
/// reported as a timeout connecting.
///
/// The server's banner is shown after `banner_as` (`user@host`), or not at all (`None`).
/// Jump hosts (ProxyJump) are connected to first, each with its own host key check, and
/// logged in to with `login`'s credentials.
///
/// # Errors
/// The host (or a jump host) cannot be reached in time, its key is refused, or a jump
/// host refused the login.
pub async fn connect(
    resolved: &Resolved,
    terminal: Arc<Terminal>,
    (timeout, deadline): (Duration, tokio::time::Instant),
    banner_as: Option<String>,
    login: &dyn Login,
) -> Result<(Connected, Carrier), Error> {
    let limit = resolved.connect_timeout.map_or(timeout, |t| t.min(timeout));
    // The hint names the limit that was reached: ConnectTimeout when it was the shorter.
    let by_connect_timeout = limit < timeout;
    let timed_out = || Error::ConnectTimedOut {
        secs: limit.as_secs(),
        host: resolved.host_name.clone(),
        port: resolved.port,
        by_connect_timeout,
    };
    let deadline = deadline.min(tokio::time::Instant::now() + limit);
    let (stream, carrier, address) = match &resolved.route {
        Route::Direct => {
            let addresses =
                resolve_addresses(resolved, deadline).await.map_err(|e| e.unwrap_or_else(timed_out))?;
            (
                Stream::Tcp(addresses.clone()),
                Carrier::default(),
                addresses.first().map(address_form).unwrap_or_default(),
            )
        }
        Route::Command(command) => {
            let mut child = spawn_proxy_command(command)?;
            let (Some(stdout), Some(stdin)) = (child.stdout.take(), child.stdin.take()) else {
                return Err(Error::ProxyCommand {
                    command: command.clone(),
                    cause: "no pipes to the command".into(),
                });
            };
            let carrier = Carrier { _hops: Vec::new(), _command: Some(child) };
            (Stream::Command(tokio::io::join(stdout, stdin)), carrier, NO_HOST_IP.to_string())
        }
        Route::Jump(hop) => {
            let (channel, carrier) =
                Box::pin(through_jump(hop, resolved, Arc::clone(&terminal), (timeout, deadline), login))
                    .await?;
            (Stream::Channel(channel), carrier, NO_HOST_IP.to_string())
        }
    };
    let query = HostQuery::parse(&resolved.host_name, Some(resolved.port))?;
    let files = resolved.user_known_hosts.iter().chain(&resolved.global_known_hosts).cloned().collect();
    let keys = HostKeys { lookup: query.lookup, host_name: resolved.host_name.to_ascii_lowercase(), files };
    let recorded = keys.recorded();
    let config = client::Config {
        preferred: russh::Preferred {
            key: Cow::Owned(HostKeys::preferred_algorithms(&recorded)),
            host_key_certificates: Cow::Owned(HostKeys::certificate_algorithms(&recorded)),
            ..russh::Preferred::default()
        },
        inactivity_timeout: Some(timeout),
        keepalive_interval: Some(Duration::from_secs(15)),
        keepalive_max: 3,
        nodelay: true,
        ..Default::default()
    };
    let learn_into = resolved.user_known_hosts.first().cloned().unwrap_or_default();
    let policy = Arc::new(Policy {
        keys,
        recorded,
        strict: resolved.strict,
        hash: resolved.hash_known_hosts,
        learn_into,
        address,
        terminal,
        passwords_withheld: Mutex::new(None),
        revoked_host_keys: resolved.revoked_host_keys.clone(),
        user_files: resolved.user_known_hosts.clone(),
        updatable: Mutex::new(false),
    });
    let refusal = Arc::new(Mutex::new(None));
    let announced = Announced::default();
    let client = Client {
        policy: Arc::clone(&policy),
        refusal: Arc::clone(&refusal),
        banner_as,
        announced: Arc::clone(&announced),
    };
    let config = Arc::new(config);
    let connecting = async move {
        match stream {
            Stream::Tcp(addresses) => {
                let mut turned_away = 0;
                loop {
                    let attempt = client.again();
                    match client::connect(Arc::clone(&config), &addresses[..], attempt).await {
                        Err(err) if turned_away < TURNED_AWAY_RETRIES && is_turned_away(&err) => {
                            turned_away += 1;
                            tokio::time::sleep(retry_delay(turned_away)).await;
                        }
                        done => break done,
                    }
                }
            }
            Stream::Command(pipes) => client::connect_stream(config, pipes, client).await,
            Stream::Channel(channel) => client::connect_stream(config, channel, client).await,
        }
    };
    match tokio::time::timeout_at(deadline, connecting).await {
        Ok(Ok(handle)) => {
            let withheld = policy.passwords_withheld.lock().unwrap_or_else(|p| p.into_inner()).take();
            let updatable = *policy.updatable.lock().unwrap_or_else(|p| p.into_inner());
            Ok((Connected { handle, passwords_withheld: withheld, announced, updatable }, carrier))
        }
        Ok(Err(err)) => {
            let refusal = refusal.lock().unwrap_or_else(|p| p.into_inner()).take();
            Err(refusal.unwrap_or_else(|| cannot_connect(resolved, &err)))
        }
        Err(_) => Err(timed_out()),
    }
}

/// How many times a TCP connection the server closed before the key exchange ended is
/// made again. sshd closes new connections at random once 10 others have not yet logged
/// in (`MaxStartups 10:30:100`, its default), and counts a login as done a moment after
/// the client sees it succeed: a fleet run over many accounts on one server, or many
/// hosts behind one jump host, meets it even with its own handshakes to that server
/// limited (see `remote::fleet`). Nothing was sent but our identification and key
/// exchange offer, so trying again changes nothing on the server; ssh, which makes one
/// connection, gives up instead.
const TURNED_AWAY_RETRIES: u32 = 4;

/// Whether the server closed the connection before the session was set up (a reset,
/// or an end of stream before its identification or during the key exchange).
fn is_turned_away(err: &russh::Error) -> bool {
    use std::io::ErrorKind::{BrokenPipe, ConnectionReset, UnexpectedEof};
    match err {
        russh::Error::IO(io) => matches!(io.kind(), ConnectionReset | UnexpectedEof | BrokenPipe),
        russh::Error::Disconnect => true,
        _ => false,
    }
}

/// The pause before retry `n` (from 1): 50 ms doubling, plus up to 50 ms at random so
/// that connections turned away together do not come back together.
fn retry_delay(n: u32) -> Duration {
    let jitter = getrandom::u32().unwrap_or(0) % 50;
    Duration::from_millis((50u64 << n.min(6)) + u64::from(jitter))
}

/// What ssh shows for the address of a host reached through a proxy.
const NO_HOST_IP: &str = "<no hostip for proxy command>";

/// The byte stream a session runs over.
enum Stream {
    Tcp(Vec<std::net::SocketAddr>),
    Command(tokio::io::Join<tokio::process::ChildStdout, tokio::process::ChildStdin>),
    Channel(russh::ChannelStream<client::Msg>),
}

/// The host's addresses; `Err(None)` when the deadline passed.
async fn resolve_addresses(
    resolved: &Resolved,
    deadline: tokio::time::Instant,
) -> Result<Vec<std::net::SocketAddr>, Option<Error>> {
    let target = (resolved.host_name.as_str(), resolved.port);
    match tokio::time::timeout_at(deadline, tokio::net::lookup_host(target)).await {
        Ok(Ok(addresses)) => Ok(addresses.collect()),
        Ok(Err(err)) => {
            Err(Some(Error::CannotResolve { host: resolved.host_name.clone(), cause: super::describe(&err) }))
        }
        Err(_) => Err(None),
    }
}

/// Starts a ProxyCommand as ssh does (`sh -c 'exec COMMAND'`), its stderr on ours.
fn spawn_proxy_command(command: &str) -> Result<tokio::process::Child, Error> {
    tokio::process::Command::new("/bin/sh")
        .arg("-c")
        .arg(format!("exec {command}"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| Error::ProxyCommand { command: command.to_string(), cause: super::describe(&e) })
}

/// Connects and logs in to the jump host `hop` (through its own route), then opens a
/// `direct-tcpip` channel from it to `target`.
async fn through_jump(
    hop: &Resolved,
    target: &Resolved,
    terminal: Arc<Terminal>,
    limits: (Duration, tokio::time::Instant),
    login: &dyn Login,
) -> Result<(russh::ChannelStream<client::Msg>, Carrier), Error> {
    let (connected, mut carrier) = connect(hop, Arc::clone(&terminal), limits, None, login).await?;
    let Connected { mut handle, passwords_withheld, .. } = connected;
    let credentials = login.credentials(hop, terminal, passwords_withheld);
    super::auth::authenticate(&mut handle, &credentials).await?;
    let channel = handle
        .channel_open_direct_tcpip(target.host_name.clone(), u32::from(target.port), "127.0.0.1", 0)
        .await
        .map_err(|e| Error::JumpRefused {
            jump: format!("{}@{}", hop.user, hop.host_name),
            host: target.host_name.clone(),
            port: target.port,
            cause: super::describe(&e),
        })?;
    carrier._hops.push(handle);
    Ok((channel.into_stream(), carrier))
}

/// Why the connection failed, with what to check: a refused connection means nothing
/// listens on that port.
fn cannot_connect(resolved: &Resolved, err: &russh::Error) -> Error {
    let (host, port) = (resolved.host_name.clone(), resolved.port);
    match err {
        russh::Error::IO(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
            Error::ConnectionRefused { host, port }
        }
        _ => Error::CannotConnect {
            host,
            port,
            cause: super::describe(err),
            network: matches!(err, russh::Error::IO(_)),
        },
    }
}
