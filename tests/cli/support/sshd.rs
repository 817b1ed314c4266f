//! A real OpenSSH `sshd` on a free loopback port, one per test, with fresh host keys in a
//! temporary directory; throwaway local accounts to log in as; an `ssh-agent`; and OpenSSH's
//! own `ssh` as the oracle that an installed key really works.
//!
//! As root (the normal case, CI included) sshd runs as usual: PAM, passwords and
//! keyboard-interactive work, and [`Sshd::user`] creates real accounts (`useradd`) whose
//! home is a fresh temporary directory; every account and process is removed on `Drop`.
//! Without root, sshd runs as the invoking user with key authentication only and the
//! authorized_keys file in its temporary directory: tests that need accounts, passwords or
//! a remote home call [`root_or_skip`] and return early.
//!
//! Nothing here reads or writes the real `~/.ssh`: the ssh client always gets `-F /dev/null`,
//! explicit known_hosts files and `-i`, and no agent.

use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::cli::common::Run;

const SSHD: &str = "/usr/sbin/sshd";
const SFTP_SERVER: &str = "/usr/lib/openssh/sftp-server";
const START_TIMEOUT: Duration = Duration::from_secs(10);
const SSH_TIMEOUT: Duration = Duration::from_secs(60);

pub use super::super::common::is_root;

/// True when running as root; otherwise says on stderr why `test` is skipped.
pub fn root_or_skip(test: &str) -> bool {
    if !is_root() {
        eprintln!("{test}: skipped: needs root (throwaway accounts, PAM passwords, a remote home)");
    }
    is_root()
}

/// A random value for names and passwords (std's randomly keyed hasher over a counter,
/// the time and the process id).
fn random_u64() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    hasher.write_u32(std::process::id());
    hasher.write_u128(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos());
    hasher.finish()
}

/// `len` random characters from `alphabet`.
fn random_string(alphabet: &[u8], len: usize) -> String {
    let mut out = String::new();
    while out.len() < len {
        let mut value = random_u64();
        for _ in 0..8 {
            if out.len() == len {
                break;
            }
            out.push(alphabet[(value % alphabet.len() as u64) as usize] as char);
            value /= alphabet.len() as u64;
        }
    }
    out
}

const LOWER: &[u8] = b"abcdefghijklmnopqrstuvwxyz";
const ALNUM: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/// A free TCP port on 127.0.0.1 (bound and released; sshd start retries if it was taken).
fn free_port() -> u16 {
    for _ in 0..50 {
        if let Ok(listener) = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)) {
            return listener.local_addr().unwrap().port();
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("no free port on 127.0.0.1");
}

/// Runs a command to completion, panicking when it cannot start.
fn output(cmd: &mut Command) -> Output {
    cmd.stdin(Stdio::null());
    cmd.output().unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"))
}

/// Sends `signal` (a `kill` name such as `KILL`) to `pid`.
fn signal(pid: u32, signal: &str) {
    let _ = Command::new("kill")
        .arg(format!("-{signal}"))
        .arg(pid.to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

/// Every live descendant of `root`, from /proc.
pub fn descendants(root: u32) -> Vec<u32> {
    let mut parent_of = Vec::new();
    if let Ok(entries) = std::fs::read_dir("/proc") {
        for entry in entries.flatten() {
            let Some(pid) = entry.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else { continue };
            let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else { continue };
            // pid (comm) state ppid ...; comm may hold spaces and parentheses.
            let Some(rest) = stat.rfind(')').map(|i| &stat[i + 1..]) else { continue };
            let mut fields = rest.split_whitespace();
            let state = fields.next();
            let Some(ppid) = fields.next().and_then(|s| s.parse::<u32>().ok()) else { continue };
            if state != Some("Z") {
                parent_of.push((pid, ppid));
            }
        }
    }
    let mut found = vec![root];
    let mut i = 0;
    while i < found.len() {
        let parent = found[i];
        for &(pid, ppid) in &parent_of {
            if ppid == parent && !found.contains(&pid) {
                found.push(pid);
            }
        }
        i += 1;
    }
    found.remove(0);
    found
}

/// Whether process `pid` exists (zombies count as gone).
pub fn process_alive(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => {
            let state = stat.rfind(')').and_then(|i| stat[i + 1..].split_whitespace().next());
            state != Some("Z")
        }
        Err(_) => false,
    }
}

/// Builds an [`Sshd`] with non-default configuration.
pub struct SshdBuilder {
    extra: Vec<String>,
    sftp: bool,
    tail: Vec<String>,
}

impl SshdBuilder {
    /// An sshd_config line; it goes before the defaults, so it wins over them (sshd keeps
    /// the first value of a keyword), e.g. `PasswordAuthentication no`.
    pub fn config(mut self, line: &str) -> Self {
        self.extra.push(line.to_string());
        self
    }

    /// An sshd_config line after the defaults (a `Match` block, a `ListenAddress` that
    /// uses the port); `{port}` is replaced by the server's port.
    pub fn tail(mut self, line: &str) -> Self {
        self.tail.push(line.to_string());
        self
    }

    /// No `Subsystem sftp` line: the server offers no SFTP.
    pub fn no_sftp(mut self) -> Self {
        self.sftp = false;
        self
    }

    pub fn start(self) -> Sshd {
        Sshd::launch(self)
    }
}

/// A running sshd on 127.0.0.1; `Drop` kills it and every process it started.
pub struct Sshd {
    dir: tempfile::TempDir,
    child: Option<Child>,
    port: u16,
    /// Accounts made by [`Sshd::user`] start with this; `AllowUsers` lets only them in.
    prefix: String,
    config: PathBuf,
    log: PathBuf,
}

impl Sshd {
    /// An sshd with the default test configuration (passwords, keyboard-interactive, keys,
    /// SFTP).
    pub fn start() -> Sshd {
        Sshd::builder().start()
    }

    pub fn builder() -> SshdBuilder {
        SshdBuilder { extra: Vec::new(), sftp: true, tail: Vec::new() }
    }

    /// An sshd with extra configuration lines (see [`SshdBuilder::config`]).
    pub fn with_config(lines: &[&str]) -> Sshd {
        let mut builder = Sshd::builder();
        for line in lines {
            builder = builder.config(line);
        }
        builder.start()
    }

    fn launch(builder: SshdBuilder) -> Sshd {
        assert!(
            Path::new(SSHD).exists(),
            "{SSHD} not found: run scripts/test, which installs openssh-server"
        );
        let dir = tempfile::Builder::new().prefix("keywright-sshd-").tempdir().expect("sshd temp dir");
        for (kind, bits) in [("ed25519", None), ("rsa", Some("2048"))] {
            let key = dir.path().join(format!("ssh_host_{kind}_key"));
            let mut cmd = Command::new(crate::cli::common::ssh_keygen_path());
            cmd.args(["-q", "-t", kind, "-N", "", "-C", "", "-f"]).arg(&key);
            if let Some(bits) = bits {
                cmd.args(["-b", bits]);
            }
            let out = output(&mut cmd);
            assert!(
                out.status.success(),
                "host key generation failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let prefix = format!("kwt{}", random_string(LOWER, 4));
        if is_root() {
            std::fs::create_dir_all("/run/sshd").expect("mkdir /run/sshd");
            std::fs::set_permissions("/run/sshd", std::fs::Permissions::from_mode(0o755)).unwrap();
        } else {
            let keys = dir.path().join("authorized");
            std::fs::create_dir(&keys).unwrap();
        }
        let log = dir.path().join("sshd.log");
        let config = dir.path().join("sshd_config");
        let mut last_log = String::new();
        for _attempt in 0..10 {
            let port = free_port();
            std::fs::write(&config, Sshd::config_text(dir.path(), port, &prefix, &builder)).unwrap();
            let log_file = std::fs::File::create(&log).unwrap();
            let mut child = Command::new(SSHD)
                .args(["-D", "-e", "-f"])
                .arg(&config)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(log_file)
                .spawn()
                .unwrap_or_else(|e| panic!("cannot start {SSHD}: {e}"));
            match wait_ready(&mut child, &log, port) {
                Ok(()) => {
                    let sshd = Sshd { dir, child: Some(child), port, prefix, config, log };
                    std::fs::write(
                        sshd.known_hosts(),
                        format!("{}\n{}\n", sshd.host_key_line(), sshd.known_hosts_line_rsa()),
                    )
                    .unwrap();
                    return sshd;
                }
                Err(text) => {
                    kill_tree(child);
                    last_log = text;
                    // A port taken since we found it free: try another; anything else is real.
                    if !last_log.contains("Address already in use") {
                        break;
                    }
                }
            }
        }
        panic!("sshd did not start:\n{last_log}");
    }

    fn config_text(dir: &Path, port: u16, prefix: &str, builder: &SshdBuilder) -> String {
        let mut text = String::new();
        for line in &builder.extra {
            text.push_str(line);
            text.push('\n');
        }
        let d = dir.display();
        text.push_str(&format!(
            "ListenAddress 127.0.0.1\n\
             Port {port}\n\
             HostKey {d}/ssh_host_ed25519_key\n\
             HostKey {d}/ssh_host_rsa_key\n\
             PidFile {d}/sshd.pid\n\
             PubkeyAuthentication yes\n\
             MaxAuthTries 6\n\
             MaxStartups 100\n\
             LogLevel VERBOSE\n\
             PermitRootLogin no\n\
             UseDNS no\n\
             PrintMotd no\n\
             PrintLastLog no\n\
             X11Forwarding no\n"
        ));
        if is_root() {
            text.push_str(&format!(
                "UsePAM yes\n\
                 PasswordAuthentication yes\n\
                 KbdInteractiveAuthentication yes\n\
                 StrictModes yes\n\
                 AuthorizedKeysFile .ssh/authorized_keys\n\
                 AllowUsers {prefix}*\n"
            ));
        } else {
            // As an ordinary user sshd can only let that user in, by key, and /tmp (1777)
            // would fail StrictModes' path check.
            text.push_str(&format!(
                "UsePAM no\n\
                 PasswordAuthentication no\n\
                 KbdInteractiveAuthentication no\n\
                 StrictModes no\n\
                 AuthorizedKeysFile {d}/authorized/%u\n\
                 AllowUsers {}\n",
                current_user_name()
            ));
        }
        if builder.sftp {
            text.push_str(&format!("Subsystem sftp {SFTP_SERVER}\n"));
        }
        for line in &builder.tail {
            text.push_str(&line.replace("{port}", &port.to_string()));
            text.push('\n');
        }
        text
    }

    /// Kills sshd and every process it started (connection handlers, sessions), and reaps it.
    fn stop(&mut self) {
        if let Some(child) = self.child.take() {
            kill_tree(child);
        }
    }

    /// The process id of the listening sshd (for checks that it is gone after `Drop`).
    pub fn pid(&self) -> u32 {
        self.child.as_ref().expect("sshd running").id()
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The public half of host key `kind` (`ed25519` or `rsa`): `TYPE BASE64`.
    pub fn host_key(&self, kind: &str) -> String {
        let text = std::fs::read_to_string(self.dir.path().join(format!("ssh_host_{kind}_key.pub"))).unwrap();
        text.split_whitespace().take(2).collect::<Vec<_>>().join(" ")
    }

    /// The known_hosts name of this server: `[127.0.0.1]:PORT`.
    pub fn host_pattern(&self) -> String {
        format!("[127.0.0.1]:{}", self.port)
    }

    /// A known_hosts line for the ed25519 host key: `[127.0.0.1]:PORT ssh-ed25519 AAAA…`.
    pub fn host_key_line(&self) -> String {
        format!("{} {}", self.host_pattern(), self.host_key("ed25519"))
    }

    /// A known_hosts line for the RSA host key.
    pub fn known_hosts_line_rsa(&self) -> String {
        format!("{} {}", self.host_pattern(), self.host_key("rsa"))
    }

    /// A known_hosts file with both host keys, used by [`Sshd::login_ok`].
    pub fn known_hosts(&self) -> PathBuf {
        self.dir.path().join("known_hosts")
    }

    /// The sshd log so far (for failure messages).
    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    pub fn config_path(&self) -> &Path {
        &self.config
    }

    /// A fresh account this sshd lets in (as root a real `useradd` account with a random
    /// password and an empty temporary home; otherwise the invoking user).
    pub fn user(&self) -> TestUser {
        if is_root() { TestUser::create(&self.prefix, None) } else { TestUser::current(self.dir.path()) }
    }

    /// Like [`Sshd::user`] with a chosen password (root only).
    pub fn user_with_password(&self, password: &str) -> TestUser {
        assert!(is_root(), "accounts with passwords need root");
        TestUser::create(&self.prefix, Some(password))
    }

    /// A user name this sshd would let in but that does not exist.
    pub fn missing_user_name(&self) -> String {
        format!("{}{}", self.prefix, random_string(LOWER, 6))
    }

    /// The `ssh` arguments that log in as `user` with only `key`, checking the host key
    /// against [`Sshd::known_hosts`], never reading ~/.ssh or an agent.
    pub fn ssh_command(&self, user: &str, key: &Path) -> Command {
        let mut cmd = Command::new("ssh");
        cmd.args(["-F", "/dev/null", "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes", "-i"])
            .arg(key)
            .arg("-o")
            .arg(format!("UserKnownHostsFile={}", self.known_hosts().display()))
            .args([
                "-o",
                "StrictHostKeyChecking=yes",
                "-o",
                "GlobalKnownHostsFile=/dev/null",
                "-o",
                "UpdateHostKeys=no",
                "-o",
                "PasswordAuthentication=no",
                "-o",
                "KbdInteractiveAuthentication=no",
                "-o",
                "ControlPath=none",
                "-o",
                "ConnectTimeout=20",
                "-p",
            ])
            .arg(self.port.to_string())
            .arg(format!("{user}@127.0.0.1"))
            .env_remove("SSH_AUTH_SOCK")
            .env_remove("SSH_AGENT_PID")
            .stdin(Stdio::null());
        cmd
    }

    /// `ssh … USER@127.0.0.1 COMMAND` with only `key` (see [`Sshd::ssh_command`]), killed
    /// (and the test failed) after [`SSH_TIMEOUT`].
    pub fn ssh(&self, user: &str, key: &Path, command: &str) -> Run {
        let mut cmd = self.ssh_command(user, key);
        cmd.arg(command);
        super::spawn(cmd, None).finish_within(SSH_TIMEOUT)
    }

    /// Whether OpenSSH's client logs in as `user` with private key `key` (and runs `true`).
    /// A failure is explained on stderr with the client's messages.
    pub fn login_ok(&self, user: &str, key: &Path) -> bool {
        let run = self.ssh(user, key, "true");
        if run.code != 0 {
            eprintln!(
                "login_ok: ssh as {user} with {} failed (exit {}):\n{}",
                key.display(),
                run.code,
                run.stderr
            );
        }
        run.code == 0
    }
}

/// Waits for "Server listening" in sshd's log, then for the port to accept a connection.
fn wait_ready(child: &mut Child, log: &Path, port: u16) -> Result<(), String> {
    let deadline = Instant::now() + START_TIMEOUT;
    let wanted = format!("Server listening on 127.0.0.1 port {port}");
    let text = || std::fs::read_to_string(log).unwrap_or_default();
    loop {
        if text().contains(&wanted) && TcpStream::connect((Ipv4Addr::LOCALHOST, port)).is_ok() {
            return Ok(());
        }
        if let Some(status) = child.try_wait().expect("wait sshd") {
            return Err(format!("sshd exited ({status}) on port {port}:\n{}", text()));
        }
        if Instant::now() > deadline {
            return Err(format!(
                "sshd not accepting connections on port {port} after {START_TIMEOUT:?}:\n{}",
                text()
            ));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Kills `child` and all its descendants, and reaps it.
fn kill_tree(mut child: Child) {
    let pid = child.id();
    if child.try_wait().ok().flatten().is_none() {
        // Freeze the listener so it forks nothing new, then freeze and kill the whole tree.
        signal(pid, "STOP");
        let mut tree = descendants(pid);
        for &p in &tree {
            signal(p, "STOP");
        }
        for p in descendants(pid) {
            if !tree.contains(&p) {
                tree.push(p);
            }
        }
        for &p in &tree {
            signal(p, "KILL");
        }
        let _ = child.kill();
        // kill(2) returns before the processes are gone: wait until they are (or zombies).
        let deadline = Instant::now() + Duration::from_secs(5);
        while tree.iter().any(|&p| process_alive(p)) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
    }
    let _ = child.wait();
}

impl Drop for Sshd {
    fn drop(&mut self) {
        self.stop();
    }
}

fn current_user_name() -> String {
    nix::unistd::User::from_uid(nix::unistd::geteuid())
        .ok()
        .flatten()
        .map(|u| u.name)
        .unwrap_or_else(|| std::env::var("USER").expect("user name"))
}

/// useradd/userdel/chpasswd in this process take turns; other processes are handled by
/// retrying while /etc/passwd is locked.
static ACCOUNTS: Mutex<()> = Mutex::new(());

/// Runs an account command, retrying while the account files are locked by someone else.
fn account_command(program: &str, args: &[&str], input: Option<&str>) -> Output {
    let mut last = None;
    for attempt in 0..40 {
        let mut cmd = Command::new(program);
        cmd.args(args).stdout(Stdio::piped()).stderr(Stdio::piped());
        cmd.stdin(if input.is_some() { Stdio::piped() } else { Stdio::null() });
        let mut child = cmd.spawn().unwrap_or_else(|e| panic!("cannot run {program}: {e}"));
        if let Some(input) = input {
            use std::io::Write;
            child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
        }
        let out = child.wait_with_output().unwrap();
        if out.status.success() {
            return out;
        }
        let err = String::from_utf8_lossy(&out.stderr).to_lowercase();
        let retry = err.contains("lock") || err.contains("try again") || err.contains("currently used");
        last = Some(out);
        if !retry {
            break;
        }
        std::thread::sleep(Duration::from_millis(50 + 25 * attempt));
    }
    last.unwrap()
}

/// A throwaway account: `Drop` deletes the account and its home directory.
pub struct TestUser {
    name: String,
    password: String,
    uid: u32,
    gid: u32,
    home: PathBuf,
    home_dir: Option<tempfile::TempDir>,
    authorized_keys: PathBuf,
    /// False for the invoking user (non-root fallback): nothing to delete.
    owned: bool,
}

impl TestUser {
    fn create(prefix: &str, password: Option<&str>) -> TestUser {
        let home_dir = tempfile::Builder::new().prefix("keywright-home-").tempdir().expect("temp home");
        let home = home_dir.path().to_path_buf();
        std::fs::set_permissions(&home, std::fs::Permissions::from_mode(0o755)).unwrap();
        let password = password.map(str::to_string).unwrap_or_else(|| random_string(ALNUM, 20));
        let _guard = ACCOUNTS.lock().unwrap_or_else(|e| e.into_inner());
        let mut name = String::new();
        let mut created = false;
        let mut last_error = String::new();
        for _ in 0..10 {
            name = format!("{prefix}{}", random_string(LOWER, 6));
            let out = account_command(
                "useradd",
                &["-M", "-d", home.to_str().unwrap(), "-s", "/bin/sh", "-c", "keywright test", &name],
                None,
            );
            if out.status.success() {
                created = true;
                break;
            }
            last_error = String::from_utf8_lossy(&out.stderr).into_owned();
            // 9: the name exists (a collision); anything else is fatal.
            if out.status.code() != Some(9) {
                break;
            }
        }
        assert!(created, "useradd {name} failed: {last_error}");
        let out = account_command("chpasswd", &[], Some(&format!("{name}:{password}\n")));
        if !out.status.success() {
            let _ = account_command("userdel", &[&name], None);
            panic!("chpasswd for {name} failed: {}", String::from_utf8_lossy(&out.stderr));
        }
        let entry = nix::unistd::User::from_name(&name).ok().flatten().expect("new account in passwd");
        let (uid, gid) = (entry.uid.as_raw(), entry.gid.as_raw());
        std::os::unix::fs::chown(&home, Some(uid), Some(gid)).unwrap();
        let authorized_keys = home.join(".ssh/authorized_keys");
        TestUser { name, password, uid, gid, home, home_dir: Some(home_dir), authorized_keys, owned: true }
    }

    /// The invoking user (non-root sshd): keys go to the sshd's own authorized_keys file.
    fn current(sshd_dir: &Path) -> TestUser {
        let name = current_user_name();
        let home_dir = tempfile::Builder::new().prefix("keywright-home-").tempdir().expect("temp home");
        let home = home_dir.path().to_path_buf();
        TestUser {
            authorized_keys: sshd_dir.join("authorized").join(&name),
            name,
            password: String::new(),
            uid: nix::unistd::geteuid().as_raw(),
            gid: nix::unistd::getegid().as_raw(),
            home,
            home_dir: Some(home_dir),
            owned: false,
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn password(&self) -> &str {
        &self.password
    }

    pub fn uid(&self) -> u32 {
        self.uid
    }

    pub fn gid(&self) -> u32 {
        self.gid
    }

    /// The home directory (as root: the account's real home, a temporary directory).
    pub fn home(&self) -> &Path {
        &self.home
    }

    /// A path inside the home directory.
    pub fn path(&self, relative: &str) -> PathBuf {
        self.home.join(relative)
    }

    /// The file sshd reads this user's keys from.
    pub fn authorized_keys(&self) -> &Path {
        &self.authorized_keys
    }

    /// The authorized_keys file's text; `None` when it does not exist.
    pub fn read_authorized_keys(&self) -> Option<String> {
        std::fs::read(&self.authorized_keys)
            .ok()
            .map(|b| String::from_utf8(b).expect("UTF-8 authorized_keys"))
    }

    /// Creates directory `relative` (and missing parents) owned by the user, with `mode`.
    pub fn mkdir(&self, relative: &str, mode: u32) -> PathBuf {
        let path = self.path(relative);
        std::fs::create_dir_all(&path).unwrap();
        self.own(&path, mode);
        path
    }

    /// Writes a file below the home directory, owned by the user, with `mode` (missing
    /// parent directories are made 0700).
    pub fn write(&self, relative: &str, contents: impl AsRef<[u8]>, mode: u32) -> PathBuf {
        let path = self.path(relative);
        self.make_parents(&path);
        std::fs::write(&path, contents).unwrap();
        self.own(&path, mode);
        path
    }

    /// Writes the authorized_keys file sshd reads (0600 in a 0700 `.ssh` when new).
    pub fn write_authorized_keys(&self, contents: impl AsRef<[u8]>) {
        let path = self.authorized_keys.clone();
        self.make_parents(&path);
        std::fs::write(&path, contents).unwrap();
        self.own(&path, 0o600);
    }

    fn make_parents(&self, path: &Path) {
        let parent = path.parent().unwrap();
        if !parent.exists() {
            std::fs::create_dir_all(parent).unwrap();
            let mut dir = parent;
            while dir.starts_with(&self.home) && dir != self.home {
                self.own(dir, 0o700);
                dir = dir.parent().unwrap();
            }
        }
    }

    fn own(&self, path: &Path, mode: u32) {
        if self.owned {
            std::os::unix::fs::chown(path, Some(self.uid), Some(self.gid)).unwrap();
        }
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    }

    /// Changes the account's login shell (`usermod -s`), e.g. `/usr/bin/fish`: sshd runs
    /// every command through it.
    pub fn set_shell(&self, shell: &str) {
        assert!(self.owned, "set_shell needs an account made by the tests (root)");
        let _guard = ACCOUNTS.lock().unwrap_or_else(|e| e.into_inner());
        let out = account_command("usermod", &["-s", shell, &self.name], None);
        assert!(out.status.success(), "usermod -s {shell}: {}", String::from_utf8_lossy(&out.stderr));
    }

    /// Changes the home directory's mode.
    pub fn set_home_mode(&self, mode: u32) {
        std::fs::set_permissions(&self.home, std::fs::Permissions::from_mode(mode)).unwrap();
    }
}

impl Drop for TestUser {
    fn drop(&mut self) {
        if self.owned {
            let _guard = ACCOUNTS.lock().unwrap_or_else(|e| e.into_inner());
            let out = account_command("userdel", &[&self.name], None);
            if !out.status.success() {
                let forced = account_command("userdel", &["-f", &self.name], None);
                if !forced.status.success() {
                    eprintln!(
                        "warning: userdel {} failed: {}",
                        self.name,
                        String::from_utf8_lossy(&forced.stderr)
                    );
                }
            }
        }
        // The TempDir removes the home directory.
        drop(self.home_dir.take());
    }
}

/// An `ssh-agent` of its own (killed on `Drop`).
pub struct Agent {
    /// Holds the socket; removed on drop.
    _dir: tempfile::TempDir,
    sock: PathBuf,
    child: Option<Child>,
}

impl Agent {
    pub fn start() -> Agent {
        let dir = tempfile::Builder::new().prefix("keywright-agent-").tempdir().expect("agent dir");
        let sock = dir.path().join("agent.sock");
        let child = Command::new("ssh-agent")
            .arg("-D")
            .arg("-a")
            .arg(&sock)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("cannot start ssh-agent");
        let mut agent = Agent { _dir: dir, sock, child: Some(child) };
        let deadline = Instant::now() + START_TIMEOUT;
        // The socket file appears when ssh-agent binds it, a moment before it listens:
        // wait until a connection is accepted.
        while std::os::unix::net::UnixStream::connect(&agent.sock).is_err() {
            if let Some(status) = agent.child.as_mut().unwrap().try_wait().unwrap() {
                panic!("ssh-agent exited: {status}");
            }
            assert!(Instant::now() < deadline, "ssh-agent did not start listening");
            std::thread::sleep(Duration::from_millis(20));
        }
        agent
    }

    /// The socket, for `SSH_AUTH_SOCK`.
    pub fn sock(&self) -> &Path {
        &self.sock
    }

    /// `ssh-add KEY` (an unencrypted private key).
    pub fn add(&self, key: &Path) {
        let out = output(
            Command::new("ssh-add").arg(key).env("SSH_AUTH_SOCK", &self.sock).env_remove("SSH_AGENT_PID"),
        );
        assert!(
            out.status.success(),
            "ssh-add {} failed: {}",
            key.display(),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// `ssh-add -L`: the public keys the agent holds ("" when none).
    pub fn list(&self) -> String {
        let out = output(Command::new("ssh-add").arg("-L").env("SSH_AUTH_SOCK", &self.sock));
        match out.status.code() {
            Some(0) => String::from_utf8_lossy(&out.stdout).into_owned(),
            Some(1) => String::new(),
            _ => panic!("ssh-add -L failed: {}", String::from_utf8_lossy(&out.stderr)),
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.as_ref().unwrap().id()
    }
}

impl Drop for Agent {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
