//! An in-process SSH server (russh) for the faults a real sshd cannot easily show: a
//! connection cut in the middle of a write, a peer that never speaks or speaks late,
//! refused authentication, no way to run a command, a full disk, and a hostile server
//! (floods, escape sequences, planted files: [`Fault::Before`]; odd keyboard-interactive
//! requests: [`Builder::keyboard_interactive_request`]).
//!
//! Each server has its own tokio runtime (worker threads in the background, so synchronous
//! tests can use it), listens on `127.0.0.1:0`, has a fresh Ed25519 host key, and runs every
//! `exec` request as `sh -c CMD` in a per-server temporary directory, the "remote home"
//! (also `HOME`). SFTP is never offered, so a client has to use a POSIX-shell transport.
//! Dropping the server stops everything: the listener and the connections close, the
//! children are killed.
//!
//! ```ignore
//! let server = FakeServer::builder().fault(Fault::DropMidWrite { after_bytes: 16 }).start();
//! std::fs::write(known_hosts, server.known_hosts_line() + "\n")?;
//! // ... `keywright copy-id` to server.target() ...
//! assert_eq!(server.connections(), 1);
//! ```

use std::collections::{HashMap, HashSet};
use std::net::Shutdown;
use std::path::Path;
use std::process::Stdio;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use russh::keys::{Algorithm, PrivateKey, PublicKey};
use russh::server::{Auth, ChannelOpenHandle, Config, Handler, Msg, Response, Session, VerifiedPublicKey};
use russh::{Channel, ChannelId, MethodKind, MethodSet};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;

/// The one user the server accepts.
pub const DEFAULT_USER: &str = "kwtest";
/// The password the server accepts, unless [`Builder::no_password`] turns passwords off.
pub const DEFAULT_PASSWORD: &str = "correct horse battery staple";

/// Texts that mark an exec as writing, for [`Fault::DropMidWrite`].
const WRITE_MARKERS: &[&str] = &["cat >", "cat>", "mv ", "tee ", "dd "];

/// What the server does wrong. Chosen when it starts; the same for every connection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Behaves like a plain sshd without an SFTP subsystem.
    None,
    /// Once the client has sent more than `after_bytes` bytes of channel data to an exec
    /// that writes (its command, or the data sent so far, contains one of [`WRITE_MARKERS`]:
    /// `cat >`, `cat>`, `mv `, `tee `, `dd `), the server kills the command's
    /// whole process group (SIGKILL) and then cuts the TCP connection (no exit status,
    /// no channel close, no SSH disconnect message). The command never sees the end of its
    /// input, so a `cat > tmp && mv tmp file` never reaches the `mv`. A writing exec whose
    /// client sends EOF before crossing the threshold is cut at that EOF instead, before the
    /// command sees it.
    ///
    /// keywright's shell transport sends its script first on stdin (the command line
    /// says how long: `dd bs=1 count=N`); those N bytes are passed on uncounted, so the
    /// cut falls in the file's data, as it would for a script on the command line.
    DropMidWrite { after_bytes: usize },
    /// Accepts TCP connections and never sends a byte (no SSH banner).
    Silent,
    /// Waits this long after accepting a connection before sending the SSH banner.
    SlowBanner(Duration),
    /// Every authentication attempt fails (password, publickey, keyboard-interactive).
    RefuseAuth,
    /// Authentication works, but every exec, shell and subsystem request fails.
    NoShell,
    /// A full disk. Every exec runs as
    /// `sh -c 'trap "" XFSZ; ulimit -f BLOCKS && exec sh -c "$1"' sh CMD`, so no regular
    /// file that the command or anything it starts writes can grow past `max_file_bytes`:
    /// a write that would cross the limit writes up to it, the next one fails with EFBIG
    /// ("File too large", e.g. `cat: write error: File too large`, exit status 1). SIGXFSZ is
    /// ignored (an ignored signal stays ignored across exec), so the writer is not killed
    /// and sees the error, as it would see ENOSPC ("No space left on device") on a real full
    /// disk. Creating, truncating, renaming and removing files, creating directories
    /// (unless `no_new_dirs`), reading existing files of any size and writing to the
    /// channel (pipes) all still work.
    ///
    /// `ulimit -f` counts 512-byte blocks in a POSIX sh (dash, bash when run as `sh`,
    /// busybox ash; only bash outside POSIX mode counts 1024), so `max_file_bytes` must be
    /// a multiple of 512 ([`Builder::start`] panics otherwise); 0 lets no byte be written.
    /// The limit is soft and hard, but a command running as root could raise it again.
    ///
    /// With `no_new_dirs`, `mkdir` fails too, as it does on a full disk: a script named
    /// `mkdir` in a directory put first in `PATH` (outside the remote home) prints
    /// `mkdir: cannot create directory 'DIR': No space left on device` (DIR its last
    /// argument) to stderr, creates nothing and exits 1. A mkdir run by absolute path
    /// (`/bin/mkdir`) is not affected.
    DiskFull { max_file_bytes: u64, no_new_dirs: bool },
    /// A hostile server: every exec first runs this sh script in the remote home, then
    /// the command: `sh -c "SCRIPT<newline>exec sh -c \"\$1\"" sh CMD`, so the command
    /// keeps the script's `$$`. The script can flood stdout or stderr, print escape
    /// sequences, plant files, or `exit` so that the command never runs.
    Before(String),
}

/// The unit of `ulimit -f` in a POSIX sh (dash: `ulimit -f 1` sets RLIMIT_FSIZE to 512).
pub const ULIMIT_BLOCK: u64 = 512;

/// The `mkdir` of [`Fault::DiskFull`] with `no_new_dirs` (GNU mkdir's message in the C
/// locale).
const FULL_DISK_MKDIR: &str = "#!/bin/sh
for last do :; done
printf \"mkdir: cannot create directory '%s': No space left on device\\n\" \"$last\" >&2
exit 1
";

/// How to start a [`FakeServer`].
pub struct Builder {
    home: Option<std::path::PathBuf>,
    password: Option<&'static str>,
    public_keys: Vec<PublicKey>,
    keyboard_interactive: bool,
    kbd_request: Option<KbdRequest>,
    fault: Fault,
    /// See [`Builder::fresh_host_key_per_connection`].
    fresh_host_keys: bool,
    /// See [`Builder::also_user`].
    extra_users: Vec<String>,
}

/// A keyboard-interactive request the server sends, text as given (escapes and all).
#[derive(Clone, Debug)]
pub struct KbdRequest {
    pub name: String,
    pub instructions: String,
    /// Prompt text and whether the answer is echoed.
    pub prompts: Vec<(String, bool)>,
}

impl Builder {
    /// Presents a new random Ed25519 host key on every connection, as a man in the
    /// middle would to a client that has not recorded the host yet. Each connection's
    /// key is logged as an event: `connection N: host key SHA256:…`.
    pub fn fresh_host_key_per_connection(mut self) -> Self {
        self.fresh_host_keys = true;
        self
    }

    /// Also lets `user` log in (same password and keys as the default user), so several
    /// targets can name the same server.
    pub fn also_user(mut self, user: &str) -> Self {
        self.extra_users.push(user.to_string());
        self
    }

    /// Uses this existing directory as the remote home (kept on drop) instead of a fresh
    /// temporary one: a second server can pick up where a faulty one left off.
    pub fn home(mut self, dir: &Path) -> Self {
        self.home = Some(dir.to_path_buf());
        self
    }

    /// Offers no password authentication at all.
    pub fn no_password(mut self) -> Self {
        self.password = None;
        self
    }

    /// Also accepts publickey authentication with this key (an OpenSSH public key line).
    pub fn accept_public_key(mut self, openssh_line: &str) -> Self {
        let key = PublicKey::from_openssh(openssh_line.trim()).expect("a public key line");
        self.public_keys.push(key);
        self
    }

    /// Also offers keyboard-interactive authentication: one "Password: " prompt.
    pub fn keyboard_interactive(mut self, on: bool) -> Self {
        self.keyboard_interactive = on;
        self
    }

    /// Offers only keyboard-interactive authentication, with this request; any answer
    /// equal to the password logs in.
    pub fn keyboard_interactive_request(mut self, request: KbdRequest) -> Self {
        self.kbd_request = Some(request);
        self
    }

    pub fn fault(mut self, fault: Fault) -> Self {
        self.fault = fault;
        self
    }

    /// Starts the server: binds the port and begins accepting.
    pub fn start(self) -> FakeServer {
        let methods = self.methods();
        let (temp_home, home) = match self.home {
            Some(dir) => (None, dir),
            None => {
                let temp =
                    tempfile::Builder::new().prefix("keywright-remote-").tempdir().expect("remote home");
                let path = temp.path().to_path_buf();
                (Some(temp), path)
            }
        };
        let default_path = || "/usr/local/bin:/usr/bin:/bin".into();
        let mut search_path = std::env::var_os("PATH").unwrap_or_else(default_path);
        let mut shims = None;
        if let Fault::DiskFull { max_file_bytes, no_new_dirs } = self.fault {
            assert!(
                max_file_bytes % ULIMIT_BLOCK == 0,
                "Fault::DiskFull: max_file_bytes {max_file_bytes} is not a multiple of {ULIMIT_BLOCK}"
            );
            if no_new_dirs {
                let dir = full_disk_mkdir();
                let dirs =
                    std::iter::once(dir.path().to_path_buf()).chain(std::env::split_paths(&search_path));
                search_path = std::env::join_paths(dirs.collect::<Vec<_>>()).expect("PATH");
                shims = Some(dir);
            }
        }
        let host_key = PrivateKey::random(&mut rand_core::UnwrapErr(getrandom::SysRng), Algorithm::Ed25519)
            .expect("host key");
        let host_public = host_key.public_key().clone();
        let config = Config {
            methods,
            keys: vec![host_key],
            auth_rejection_time: Duration::from_millis(10),
            auth_rejection_time_initial: Some(Duration::ZERO),
            inactivity_timeout: Some(Duration::from_secs(120)),
            nodelay: true,
            ..Default::default()
        };

        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("fake-sshd")
            .enable_all()
            .build()
            .expect("tokio runtime");
        let listener = runtime.block_on(TcpListener::bind("127.0.0.1:0")).expect("bind 127.0.0.1:0");
        let port = listener.local_addr().expect("local address").port();

        let shared = Arc::new(Shared {
            config: Arc::new(config),
            home: home.clone(),
            search_path,
            password: self.password,
            public_keys: self.public_keys,
            keyboard_interactive: self.keyboard_interactive,
            kbd_request: self.kbd_request,
            fault: self.fault,
            fresh_host_keys: self.fresh_host_keys,
            extra_users: self.extra_users,
            connections: AtomicUsize::new(0),
            cuts: AtomicUsize::new(0),
            children: Mutex::new(HashSet::new()),
            events: Mutex::new(Vec::new()),
        });
        let accept = runtime.spawn(accept_loop(listener, shared.clone()));
        FakeServer {
            port,
            home,
            _temp_home: temp_home,
            _shims: shims,
            host_key: host_public,
            shared,
            accept: Some(accept),
            runtime: Some(runtime),
        }
    }

    /// The methods offered: all of them when every attempt is to fail (a client must
    /// get to try), otherwise those the builder set up.
    fn methods(&self) -> MethodSet {
        let mut methods = MethodSet::empty();
        if self.kbd_request.is_some() {
            methods.push(MethodKind::KeyboardInteractive);
            return methods;
        }
        let refuse = self.fault == Fault::RefuseAuth;
        if refuse || !self.public_keys.is_empty() {
            methods.push(MethodKind::PublicKey);
        }
        if refuse || self.password.is_some() {
            methods.push(MethodKind::Password);
        }
        if refuse || (self.keyboard_interactive && self.password.is_some()) {
            methods.push(MethodKind::KeyboardInteractive);
        }
        methods
    }
}

/// A directory holding [`FULL_DISK_MKDIR`] as `mkdir`, to put first in `PATH`.
fn full_disk_mkdir() -> tempfile::TempDir {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::Builder::new().prefix("keywright-shims-").tempdir().expect("shim dir");
    let mkdir = dir.path().join("mkdir");
    std::fs::write(&mkdir, FULL_DISK_MKDIR).expect("write the mkdir shim");
    std::fs::set_permissions(&mkdir, std::fs::Permissions::from_mode(0o755)).expect("chmod the mkdir shim");
    dir
}

/// A running fake SSH server; see the module documentation.
pub struct FakeServer {
    port: u16,
    home: std::path::PathBuf,
    /// Removed on drop, after the children are gone.
    _temp_home: Option<tempfile::TempDir>,
    /// [`Fault::DiskFull`]'s `mkdir`, when wanted.
    _shims: Option<tempfile::TempDir>,
    host_key: PublicKey,
    shared: Arc<Shared>,
    accept: Option<tokio::task::JoinHandle<()>>,
    runtime: Option<tokio::runtime::Runtime>,
}

impl FakeServer {
    pub fn builder() -> Builder {
        Builder {
            home: None,
            password: Some(DEFAULT_PASSWORD),
            public_keys: Vec::new(),
            keyboard_interactive: false,
            kbd_request: None,
            fault: Fault::None,
            fresh_host_keys: false,
            extra_users: Vec::new(),
        }
    }

    /// A well-behaved server with the default user and password.
    pub fn start() -> FakeServer {
        Self::builder().start()
    }

    /// A server with the default user and password and this fault.
    pub fn with_fault(fault: Fault) -> FakeServer {
        Self::builder().fault(fault).start()
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The directory commands run in (and their `HOME`).
    pub fn home(&self) -> &Path {
        &self.home
    }

    /// A path inside the remote home.
    pub fn path(&self, relative: &str) -> std::path::PathBuf {
        self.home.join(relative)
    }

    pub fn user(&self) -> &str {
        DEFAULT_USER
    }

    /// `user@127.0.0.1:PORT`, a copy-id target for this server.
    pub fn target(&self) -> String {
        format!("{DEFAULT_USER}@127.0.0.1:{}", self.port)
    }

    pub fn host_key(&self) -> &PublicKey {
        &self.host_key
    }

    /// `[127.0.0.1]:PORT ssh-ed25519 AAAA…`, without a newline.
    pub fn known_hosts_line(&self) -> String {
        let openssh = self.host_key.to_openssh().expect("encode host key");
        let mut fields = openssh.split_whitespace();
        let (kind, blob) = (fields.next().unwrap(), fields.next().unwrap());
        format!("[127.0.0.1]:{} {kind} {blob}", self.port)
    }

    /// TCP connections accepted so far.
    pub fn connections(&self) -> usize {
        self.shared.connections.load(Ordering::SeqCst)
    }

    /// Connections cut by [`Fault::DropMidWrite`] so far.
    pub fn cuts(&self) -> usize {
        self.shared.cuts.load(Ordering::SeqCst)
    }

    /// What happened, one line per event (connections, authentication attempts, requests,
    /// exit statuses, faults), for assertion messages.
    pub fn events(&self) -> Vec<String> {
        self.shared.events.lock().unwrap().clone()
    }

    /// The events as one string, for assertion messages.
    pub fn log(&self) -> String {
        let mut text = format!("fake server on port {} ({:?}), events:\n", self.port, self.shared.fault);
        for event in self.events() {
            text.push_str("  ");
            text.push_str(&event);
            text.push('\n');
        }
        text
    }
}

impl Drop for FakeServer {
    fn drop(&mut self) {
        if let Some(accept) = self.accept.take() {
            accept.abort();
        }
        let groups: Vec<u32> = self.shared.children.lock().unwrap().drain().collect();
        for group in groups {
            kill_group(group);
        }
        if let Some(runtime) = self.runtime.take() {
            // Drops every task: the listener and all connections close.
            runtime.shutdown_timeout(Duration::from_secs(2));
        }
    }
}

struct Shared {
    config: Arc<Config>,
    home: std::path::PathBuf,
    /// `PATH` for the commands.
    search_path: std::ffi::OsString,
    password: Option<&'static str>,
    public_keys: Vec<PublicKey>,
    keyboard_interactive: bool,
    kbd_request: Option<KbdRequest>,
    fault: Fault,
    fresh_host_keys: bool,
    extra_users: Vec<String>,
    connections: AtomicUsize,
    cuts: AtomicUsize,
    /// Process groups of running commands.
    children: Mutex<HashSet<u32>>,
    events: Mutex<Vec<String>>,
}

impl Shared {
    fn event(&self, text: String) {
        self.events.lock().unwrap().push(text);
    }

    fn writes(&self, text: &[u8]) -> bool {
        let text = String::from_utf8_lossy(text);
        WRITE_MARKERS.iter().any(|m| text.contains(m))
    }
}

/// SIGKILL to a whole process group (`sh` and whatever it started).
fn kill_group(group: u32) {
    let _ = std::process::Command::new("kill")
        .args(["-KILL", "--", &format!("-{group}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

async fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(e) => {
                shared.event(format!("accept failed: {e}"));
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
        };
        let number = shared.connections.fetch_add(1, Ordering::SeqCst) + 1;
        shared.event(format!("connection {number} from {peer}"));
        tokio::spawn(serve(stream, shared.clone(), number));
    }
}

async fn serve(mut stream: TcpStream, shared: Arc<Shared>, number: usize) {
    match shared.fault {
        Fault::Silent => {
            // Swallow whatever the client says, say nothing, until it goes away.
            let mut buffer = [0u8; 4096];
            while let Ok(n) = stream.read(&mut buffer).await {
                if n == 0 {
                    break;
                }
            }
            shared.event(format!("connection {number}: client went away (silent)"));
            return;
        }
        Fault::SlowBanner(delay) => tokio::time::sleep(delay).await,
        _ => {}
    }
    // A second descriptor for the same socket, so a handler can cut the connection under
    // russh's feet.
    let (stream, socket) = match stream.into_std().and_then(|s| Ok((s.try_clone()?, s))) {
        Ok((std_stream, socket)) => match TcpStream::from_std(std_stream) {
            Ok(stream) => (stream, Arc::new(socket)),
            Err(e) => return shared.event(format!("connection {number}: {e}")),
        },
        Err(e) => return shared.event(format!("connection {number}: {e}")),
    };
    let handler = Connection { shared: shared.clone(), number, socket, channels: HashMap::new() };
    let config = match shared.fresh_host_keys {
        true => fresh_host_key_config(&shared, number),
        false => shared.config.clone(),
    };
    match russh::server::run_stream(config, stream, handler).await {
        Ok(session) => match session.await {
            Ok(()) => shared.event(format!("connection {number}: ended")),
            Err(e) => shared.event(format!("connection {number}: ended: {e}")),
        },
        Err(e) => shared.event(format!("connection {number}: handshake failed: {e}")),
    }
}

/// The server's configuration with a new random host key (logged as an event).
fn fresh_host_key_config(shared: &Shared, number: usize) -> Arc<Config> {
    let key = PrivateKey::random(&mut rand_core::UnwrapErr(getrandom::SysRng), Algorithm::Ed25519)
        .expect("host key");
    let fingerprint = key.public_key().fingerprint(russh::keys::HashAlg::Sha256);
    shared.event(format!("connection {number}: host key {fingerprint}"));
    let base = &shared.config;
    Arc::new(Config {
        methods: base.methods.clone(),
        keys: vec![key],
        auth_rejection_time: base.auth_rejection_time,
        auth_rejection_time_initial: base.auth_rejection_time_initial,
        inactivity_timeout: base.inactivity_timeout,
        nodelay: base.nodelay,
        ..Default::default()
    })
}

/// One connection's state.
struct Connection {
    shared: Arc<Shared>,
    number: usize,
    socket: Arc<std::net::TcpStream>,
    channels: HashMap<ChannelId, Exec>,
}

/// A running exec on a channel.
struct Exec {
    /// Channel data on its way to the command's stdin; `None` after EOF.
    stdin: Option<mpsc::UnboundedSender<Vec<u8>>>,
    group: u32,
    writes: bool,
    received: usize,
    /// Bytes of script still to come before the data (see [`Fault::DropMidWrite`]).
    script_left: usize,
}

/// The length of the script a keywright command line reads from stdin (`count=N`).
fn script_length(command: &str) -> usize {
    let Some((_, rest)) = command.split_once("count=") else { return 0 };
    rest.chars().take_while(char::is_ascii_digit).collect::<String>().parse().unwrap_or(0)
}

impl Drop for Connection {
    fn drop(&mut self) {
        // The connection is gone: so are its commands (as sshd's would get SIGHUP).
        for exec in self.channels.values() {
            if self.shared.children.lock().unwrap().remove(&exec.group) {
                kill_group(exec.group);
            }
        }
    }
}

impl Connection {
    /// Kills this connection's commands, then cuts the TCP connection.
    fn cut(&mut self, why: String) -> russh::Error {
        // Counted first: the client may look as soon as the socket closes.
        self.shared.cuts.fetch_add(1, Ordering::SeqCst);
        self.shared.event(format!("connection {}: CUT {why}", self.number));
        for exec in self.channels.values_mut() {
            kill_group(exec.group);
        }
        // Only now may the commands see the end of their input.
        for exec in self.channels.values_mut() {
            exec.stdin = None;
        }
        let _ = self.socket.shutdown(Shutdown::Both);
        russh::Error::Disconnect
    }

    /// A rejection that keeps every method available, as sshd does (russh's
    /// `Auth::reject()` would drop the method just tried for the rest of the connection).
    fn reject_auth(&self, method: &str, user: &str) -> Auth {
        self.shared.event(format!("auth {method} user={user}: rejected"));
        Auth::Reject {
            proceed_with_methods: Some(self.shared.config.methods.clone()),
            partial_success: false,
        }
    }

    fn accept_auth(&self, method: &str, user: &str) -> Auth {
        self.shared.event(format!("auth {method} user={user}: accepted"));
        Auth::Accept
    }

    /// Accepts or rejects `method` for `user`, and says which in the events.
    fn verdict(&self, right: bool, method: &str, user: &str) -> Auth {
        if right { self.accept_auth(method, user) } else { self.reject_auth(method, user) }
    }

    /// Whether `user` may log in at all: the one user, unless every attempt is refused.
    fn may_log_in(&self, user: &str) -> bool {
        self.shared.fault != Fault::RefuseAuth
            && (user == DEFAULT_USER || self.shared.extra_users.iter().any(|u| u == user))
    }

    /// Whether `key` logs `user` in.
    fn key_logs_in(&self, user: &str, key: &PublicKey) -> bool {
        self.may_log_in(user) && self.shared.public_keys.iter().any(|k| k.key_data() == key.key_data())
    }

    /// Refuses a channel request (`what` names it in the events).
    fn refuse(&self, what: String, channel: ChannelId, session: &mut Session) -> Result<(), russh::Error> {
        self.shared.event(format!("{what}: refused"));
        session.channel_failure(channel)?;
        Ok(())
    }

    fn spawn_exec(
        &mut self,
        channel: ChannelId,
        command: &str,
        session: &mut Session,
    ) -> std::io::Result<()> {
        let mut sh = tokio::process::Command::new("sh");
        match &self.shared.fault {
            Fault::DiskFull { max_file_bytes, .. } => {
                let blocks = *max_file_bytes / ULIMIT_BLOCK;
                sh.arg("-c")
                    .arg(format!("trap '' XFSZ; ulimit -f {blocks} && exec sh -c \"$1\""))
                    .arg("sh")
                    .arg(command)
            }
            Fault::Before(script) => {
                sh.arg("-c").arg(format!("{script}\nexec sh -c \"$1\"")).arg("sh").arg(command)
            }
            _ => sh.arg("-c").arg(command),
        };
        let mut child = sh
            .current_dir(&self.shared.home)
            .env_clear()
            .env("HOME", &self.shared.home)
            .env("USER", DEFAULT_USER)
            .env("LOGNAME", DEFAULT_USER)
            .env("SHELL", "/bin/sh")
            .env("PATH", &self.shared.search_path)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0)
            .kill_on_drop(true)
            .spawn()?;
        let group = child.id().expect("child pid");
        self.shared.children.lock().unwrap().insert(group);

        let (sender, mut receiver) = mpsc::unbounded_channel::<Vec<u8>>();
        let mut stdin = child.stdin.take().expect("stdin");
        tokio::spawn(async move {
            while let Some(data) = receiver.recv().await {
                if stdin.write_all(&data).await.is_err() {
                    break;
                }
            }
            // Dropping stdin: the command sees EOF.
        });

        let mut stdout = child.stdout.take().expect("stdout");
        let mut stderr = child.stderr.take().expect("stderr");
        let handle = session.handle();
        let shared = self.shared.clone();
        let number = self.number;
        tokio::spawn(async move {
            let out_handle = handle.clone();
            let out = async move {
                let mut buffer = vec![0u8; 32768];
                while let Ok(n) = stdout.read(&mut buffer).await {
                    if n == 0 || out_handle.data(channel, buffer[..n].to_vec()).await.is_err() {
                        break;
                    }
                }
            };
            let err_handle = handle.clone();
            let err = async move {
                let mut buffer = vec![0u8; 32768];
                while let Ok(n) = stderr.read(&mut buffer).await {
                    if n == 0 || err_handle.extended_data(channel, 1, buffer[..n].to_vec()).await.is_err() {
                        break;
                    }
                }
            };
            let ((), (), status) = tokio::join!(out, err, child.wait());
            shared.children.lock().unwrap().remove(&group);
            let code = match status {
                Ok(status) => {
                    use std::os::unix::process::ExitStatusExt;
                    status.code().unwrap_or_else(|| 128 + status.signal().unwrap_or(0)) as u32
                }
                Err(_) => 255,
            };
            shared.event(format!("connection {number}: exit status {code}"));
            let _ = handle.exit_status_request(channel, code).await;
            let _ = handle.eof(channel).await;
            let _ = handle.close(channel).await;
        });

        // keywright's own command line runs `dd` to read its script: whether it writes
        // is up to the script.
        let script_left = script_length(command);
        let writes = script_left == 0 && self.shared.writes(command.as_bytes());
        self.channels.insert(channel, Exec { stdin: Some(sender), group, writes, received: 0, script_left });
        Ok(())
    }
}

impl Handler for Connection {
    type Error = russh::Error;

    async fn auth_none(&mut self, user: &str) -> Result<Auth, Self::Error> {
        Ok(self.reject_auth("none", user))
    }

    async fn auth_password(&mut self, user: &str, password: &str) -> Result<Auth, Self::Error> {
        let right = self.may_log_in(user) && self.shared.password == Some(password);
        Ok(self.verdict(right, "password", user))
    }

    async fn auth_publickey_offered(
        &mut self,
        user: &str,
        offer: russh::server::PublicKeyOffer<'_>,
    ) -> Result<Auth, Self::Error> {
        // An accepted offer only invites the signature: the login is logged when it comes.
        if self.key_logs_in(user, offer.public_key) {
            Ok(Auth::Accept)
        } else {
            Ok(self.reject_auth("publickey (offer)", user))
        }
    }

    async fn auth_publickey(&mut self, user: &str, key: VerifiedPublicKey<'_>) -> Result<Auth, Self::Error> {
        Ok(self.verdict(self.key_logs_in(user, key.public_key), "publickey", user))
    }

    async fn auth_keyboard_interactive<'a>(
        &'a mut self,
        user: &str,
        _submethods: &str,
        response: Option<Response<'a>>,
    ) -> Result<Auth, Self::Error> {
        if let Some(request) = &self.shared.kbd_request {
            return Ok(match response {
                None => Auth::Partial {
                    name: request.name.clone().into(),
                    instructions: request.instructions.clone().into(),
                    prompts: request.prompts.iter().map(|(p, echo)| (p.clone().into(), *echo)).collect(),
                },
                Some(answers) => {
                    let password = self.shared.password.map(str::as_bytes);
                    let right =
                        self.may_log_in(user) && answers.into_iter().any(|a| Some(&a[..]) == password);
                    self.verdict(right, "keyboard-interactive", user)
                }
            });
        }
        // Like sshd, a wrong user still gets the prompt: only the answer is judged.
        if self.shared.fault == Fault::RefuseAuth || !self.shared.keyboard_interactive {
            return Ok(self.reject_auth("keyboard-interactive", user));
        }
        match response {
            None => Ok(Auth::Partial {
                name: "".into(),
                instructions: "".into(),
                prompts: vec![("Password: ".into(), false)].into(),
            }),
            Some(mut answers) => {
                let answer = answers.next();
                let password = self.shared.password.map(str::as_bytes);
                let right = self.may_log_in(user) && answer.is_some() && answer.as_deref() == password;
                Ok(self.verdict(right, "keyboard-interactive", user))
            }
        }
    }

    async fn channel_open_session(
        &mut self,
        _channel: Channel<Msg>,
        reply: ChannelOpenHandle,
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        // Events are handled here, through the callbacks; the Channel object is not needed.
        reply.accept().await;
        Ok(())
    }

    async fn exec_request(
        &mut self,
        channel: ChannelId,
        data: &[u8],
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        let command = String::from_utf8_lossy(data).into_owned();
        self.shared.event(format!("exec: {command}"));
        if self.shared.fault == Fault::NoShell || self.channels.contains_key(&channel) {
            return self.refuse("exec".to_owned(), channel, session);
        }
        // Success first: the command's output must not overtake it.
        session.channel_success(channel)?;
        if let Err(e) = self.spawn_exec(channel, &command, session) {
            self.shared.event(format!("cannot start sh: {e}"));
            session.exit_status_request(channel, 127)?;
            session.eof(channel)?;
            session.close(channel)?;
        }
        Ok(())
    }

    async fn subsystem_request(
        &mut self,
        channel: ChannelId,
        name: &str,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        self.refuse(format!("subsystem {name}"), channel, session)
    }

    async fn shell_request(&mut self, channel: ChannelId, session: &mut Session) -> Result<(), Self::Error> {
        self.refuse("shell".to_owned(), channel, session)
    }

    async fn pty_request(
        &mut self,
        channel: ChannelId,
        _term: &str,
        _col_width: u32,
        _row_height: u32,
        _pix_width: u32,
        _pix_height: u32,
        _modes: &[(russh::Pty, u32)],
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        self.refuse("pty".to_owned(), channel, session)
    }

    async fn env_request(
        &mut self,
        channel: ChannelId,
        variable_name: &str,
        _variable_value: &str,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        self.refuse(format!("env {variable_name}"), channel, session)
    }

    async fn data(
        &mut self,
        channel: ChannelId,
        data: &[u8],
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        let shared = self.shared.clone();
        let Some(exec) = self.channels.get_mut(&channel) else {
            return Ok(());
        };
        if !exec.writes && shared.writes(data) {
            exec.writes = true;
        }
        let script = exec.script_left.min(data.len());
        exec.script_left -= script;
        if script > 0
            && let Some(stdin) = &exec.stdin
        {
            let _ = stdin.send(data[..script].to_vec());
        }
        let data = &data[script..];
        if let Fault::DropMidWrite { after_bytes } = shared.fault
            && exec.writes
            && exec.received + data.len() > after_bytes
        {
            let allowed = after_bytes.saturating_sub(exec.received);
            if allowed > 0
                && let Some(stdin) = &exec.stdin
            {
                let _ = stdin.send(data[..allowed].to_vec());
            }
            let total = exec.received + data.len();
            return Err(self.cut(format!("after {total} bytes of data to a writing command")));
        }
        exec.received += data.len();
        if let Some(stdin) = &exec.stdin {
            let _ = stdin.send(data.to_vec());
        }
        Ok(())
    }

    async fn channel_eof(&mut self, channel: ChannelId, _session: &mut Session) -> Result<(), Self::Error> {
        let cut = matches!(self.shared.fault, Fault::DropMidWrite { .. })
            && self.channels.get(&channel).is_some_and(|exec| exec.writes);
        if cut {
            let received = self.channels[&channel].received;
            return Err(self.cut(format!("at EOF after {received} bytes of data to a writing command")));
        }
        if let Some(exec) = self.channels.get_mut(&channel) {
            exec.stdin = None;
        }
        Ok(())
    }

    async fn channel_close(&mut self, channel: ChannelId, _session: &mut Session) -> Result<(), Self::Error> {
        if let Some(exec) = self.channels.remove(&channel) {
            // Like sshd: the command is not killed by a close, but its stdin ends.
            drop(exec.stdin);
        }
        Ok(())
    }
}
