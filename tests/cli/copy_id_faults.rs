//! `keywright copy-id` against an in-process SSH server that misbehaves on purpose
//! (`support::fake_server`): no SFTP (the shell transport must carry the copy), a connection
//! cut in the middle of the write, a silent or slow server, refused authentication, no way to
//! run a command, a full disk, and several hosts where one is broken. The first tests check
//! the fake server itself with russh's client, so a failure below them is keywright's.

use std::ffi::{OsStr, OsString};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use russh::ChannelMsg;
use russh::keys::{PublicKey, PublicKeyOrCertificate};

use super::common::{Env, Run, mode, testdata};
use super::support::fake_server::{DEFAULT_PASSWORD, FakeServer, Fault};
use super::support::{self, sshd, tree};

// ---------------------------------------------------------------------------------------
// The fake server itself, checked with russh's client.

struct Client {
    expected: PublicKey,
}

impl russh::client::Handler for Client {
    type Error = russh::Error;

    async fn check_server_key(&mut self, key: &PublicKeyOrCertificate) -> Result<bool, Self::Error> {
        let expected = self.expected.key_data();
        Ok(matches!(key, PublicKeyOrCertificate::PublicKey { key, .. } if key.key_data() == expected))
    }
}

type Session = russh::client::Handle<Client>;

fn block_on<F: std::future::Future>(future: F) -> F::Output {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        tokio::time::timeout(Duration::from_secs(30), future).await.expect("self-test hung")
    })
}

async fn connect(server: &FakeServer) -> Session {
    let config = Arc::new(russh::client::Config::default());
    let client = Client { expected: server.host_key().clone() };
    russh::client::connect(config, ("127.0.0.1", server.port()), client).await.expect("connect")
}

async fn login(server: &FakeServer) -> Session {
    let mut session = connect(server).await;
    let result = session.authenticate_password(server.user(), DEFAULT_PASSWORD).await.expect("auth");
    assert!(result.success(), "password refused\n{}", server.log());
    session
}

/// What an exec gave back.
#[derive(Debug, Default)]
struct Output {
    accepted: Option<bool>,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
    status: Option<u32>,
    closed: bool,
}

/// `exec COMMAND` with `input` then EOF on stdin; returns at channel close, refusal, or when
/// the connection ends.
async fn exec(session: &Session, command: &str, input: &[u8]) -> Output {
    let mut out = Output::default();
    let Ok(mut channel) = session.channel_open_session().await else {
        return out;
    };
    if channel.exec(true, command).await.is_err() {
        return out;
    }
    if !input.is_empty() {
        let _ = channel.data(input).await;
    }
    let _ = channel.eof().await;
    while let Some(msg) = channel.wait().await {
        match msg {
            ChannelMsg::Success => out.accepted = Some(true),
            ChannelMsg::Failure => {
                out.accepted = Some(false);
                break;
            }
            ChannelMsg::Data { data } => out.stdout.extend_from_slice(&data),
            ChannelMsg::ExtendedData { data, ext: 1 } => out.stderr.extend_from_slice(&data),
            ChannelMsg::ExitStatus { exit_status } => out.status = Some(exit_status),
            ChannelMsg::Close => {
                out.closed = true;
                break;
            }
            _ => {}
        }
    }
    out
}

#[test]
fn fake_server_runs_commands_in_the_remote_home() {
    let server = FakeServer::start();
    block_on(async {
        let mut session = connect(&server).await;
        let wrong = session.authenticate_password(server.user(), "wrong").await.unwrap();
        assert!(!wrong.success(), "wrong password accepted");
        let wrong_user = session
            .authenticate_password("mallory", DEFAULT_PASSWORD)
            .await
            .unwrap_or_else(|e| panic!("{e}\n{}", server.log()));
        assert!(!wrong_user.success(), "wrong user accepted");
        assert!(session.authenticate_password(server.user(), DEFAULT_PASSWORD).await.unwrap().success());

        let out =
            exec(&session, "echo hi; echo oops >&2; printf '%s|%s' \"$HOME\" \"$(pwd)\"; exit 3", b"").await;
        let home = server.home().display().to_string();
        assert_eq!(out.accepted, Some(true), "{out:?}");
        assert_eq!(String::from_utf8_lossy(&out.stdout), format!("hi\n{home}|{home}"));
        assert_eq!(String::from_utf8_lossy(&out.stderr), "oops\n");
        assert_eq!(out.status, Some(3));
        assert!(out.closed);

        // stdin is wired, and EOF reaches the command.
        let out = exec(&session, "cat > f.txt && mv f.txt g.txt && cat g.txt", b"line one\nline two\n").await;
        assert_eq!((out.status, out.stdout.as_slice()), (Some(0), &b"line one\nline two\n"[..]), "{out:?}");
        assert_eq!(std::fs::read(server.path("g.txt")).unwrap(), b"line one\nline two\n");

        // Larger than a window / pipe buffer, both ways.
        let big: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();
        let out = exec(&session, "cat", &big).await;
        assert_eq!(out.status, Some(0));
        assert!(out.stdout == big, "cat returned {} bytes of {}", out.stdout.len(), big.len());

        // No SFTP, no interactive shell.
        let channel = session.channel_open_session().await.unwrap();
        channel.request_subsystem(true, "sftp").await.unwrap();
        let mut channel = channel;
        assert!(matches!(channel.wait().await, Some(ChannelMsg::Failure)), "sftp subsystem not refused");
    });
    assert_eq!(server.connections(), 1, "{}", server.log());
    assert!(server.log().contains("subsystem sftp: refused"));
    assert!(
        server.known_hosts_line().starts_with(&format!("[127.0.0.1]:{} ssh-ed25519 AAAA", server.port()))
    );
}

#[test]
fn fake_server_accepts_a_configured_public_key() {
    let env = Env::new();
    let key_path = env.fixture("id_ed25519");
    let public = std::fs::read_to_string(key_path.with_extension("pub")).unwrap();
    let server = FakeServer::builder().no_password().accept_public_key(&public).start();
    block_on(async {
        let mut session = connect(&server).await;
        assert!(!session.authenticate_password(server.user(), DEFAULT_PASSWORD).await.unwrap().success());
        let key = russh::keys::load_secret_key(&key_path, None).unwrap();
        let key = russh::keys::PrivateKeyWithHashAlg::new(Arc::new(key), None);
        assert!(
            session.authenticate_publickey(server.user(), key).await.unwrap().success(),
            "{}",
            server.log()
        );
        assert_eq!(exec(&session, "echo ok", b"").await.stdout, b"ok\n");
    });
}

/// OpenSSH's own client against the fake server (publickey, then keyboard-interactive
/// refused in batch mode): the server speaks ordinary SSH, not just russh-to-russh.
#[test]
fn fake_server_works_with_openssh_ssh() {
    let Some(ssh) = ["/usr/bin/ssh", "/usr/local/bin/ssh"].into_iter().find(|p| Path::new(p).exists()) else {
        eprintln!("fake_server_works_with_openssh_ssh: skipped: no ssh client");
        return;
    };
    let env = Env::new();
    let key = env.fixture("id_ed25519");
    let public = std::fs::read_to_string(key.with_extension("pub")).unwrap();
    let server = FakeServer::builder().accept_public_key(&public).keyboard_interactive(true).start();
    let known_hosts = env.write("known_hosts_test", server.known_hosts_line() + "\n");
    let mut cmd = Command::new(ssh);
    cmd.args(["-F", "/dev/null", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes", "-o"])
        .arg(format!("UserKnownHostsFile={}", known_hosts.display()))
        .args(["-o", "IdentitiesOnly=yes", "-o", "IdentityAgent=none", "-i"])
        .arg(&key)
        .args(["-p", &server.port().to_string(), &format!("{}@127.0.0.1", server.user())])
        .arg("printf '%s\\n' \"$HOME\"; cat > from-ssh; echo err >&2; exit 7")
        .env("HOME", env.home());
    let out = support::spawn(cmd, Some(b"through openssh\n")).finish_within(HANG_LIMIT);
    let why = format!("{}\nstderr: {}", server.log(), out.stderr);
    assert_eq!(out.code, 7, "{why}");
    assert_eq!(out.out(), format!("{}\n", server.home().display()), "{why}");
    // ssh may add diagnostics of its own (newer ones warn of a key exchange that is not
    // post-quantum).
    assert!(out.stderr.lines().any(|l| l == "err"), "{why}");
    assert_eq!(std::fs::read(server.path("from-ssh")).unwrap(), b"through openssh\n", "{why}");
}

#[test]
fn fake_server_keyboard_interactive() {
    use russh::client::KeyboardInteractiveAuthResponse as Kbd;
    let server = FakeServer::builder().keyboard_interactive(true).start();
    block_on(async {
        let mut session = connect(&server).await;
        let reply = session.authenticate_keyboard_interactive_start(server.user(), None).await.unwrap();
        let Kbd::InfoRequest { prompts, .. } = reply else { panic!("no prompt: {reply:?}") };
        assert_eq!(prompts.len(), 1);
        let reply = session
            .authenticate_keyboard_interactive_respond(vec![DEFAULT_PASSWORD.to_owned()])
            .await
            .unwrap();
        assert!(matches!(reply, Kbd::Success), "{reply:?}\n{}", server.log());
    });
}

#[test]
fn fake_server_refuse_auth_and_no_shell() {
    let refusing = FakeServer::with_fault(Fault::RefuseAuth);
    block_on(async {
        let mut session = connect(&refusing).await;
        assert!(!session.authenticate_password(refusing.user(), DEFAULT_PASSWORD).await.unwrap().success());
    });
    let no_shell = FakeServer::with_fault(Fault::NoShell);
    block_on(async {
        let session = login(&no_shell).await;
        let out = exec(&session, "echo hi > written", b"").await;
        assert_eq!(out.accepted, Some(false), "{out:?}");
    });
    assert!(!no_shell.path("written").exists());
}

/// One `read` with a deadline; retried when a signal interrupts it (SIGCHLD from the
/// commands of tests running alongside: reads with SO_RCVTIMEO are never restarted).
fn read_within(stream: &mut std::net::TcpStream, limit: Duration, buf: &mut [u8]) -> std::io::Result<usize> {
    let deadline = Instant::now() + limit;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(std::io::ErrorKind::TimedOut.into());
        }
        stream.set_read_timeout(Some(left))?;
        match stream.read(buf) {
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                return Err(std::io::ErrorKind::TimedOut.into());
            }
            other => return other,
        }
    }
}

#[test]
fn fake_server_silent_and_slow_banner() {
    use std::net::TcpStream;
    let silent = FakeServer::with_fault(Fault::Silent);
    let mut stream = TcpStream::connect(("127.0.0.1", silent.port())).unwrap();
    let mut buf = [0u8; 64];
    let err =
        read_within(&mut stream, Duration::from_millis(1500), &mut buf).expect_err("the silent server spoke");
    assert_eq!(err.kind(), std::io::ErrorKind::TimedOut, "{err}");
    assert_eq!(silent.connections(), 1);

    let slow = FakeServer::with_fault(Fault::SlowBanner(Duration::from_millis(1500)));
    let start = Instant::now();
    let mut stream = TcpStream::connect(("127.0.0.1", slow.port())).unwrap();
    let n = read_within(&mut stream, Duration::from_secs(10), &mut buf).unwrap();
    assert!(start.elapsed() >= Duration::from_millis(1400), "banner after {:?}", start.elapsed());
    assert!(buf[..n].starts_with(b"SSH-2.0-"), "{:?}", String::from_utf8_lossy(&buf[..n]));
}

#[test]
fn fake_server_drops_mid_write_before_the_command_finishes() {
    let server = FakeServer::with_fault(Fault::DropMidWrite { after_bytes: 16 });
    std::fs::write(server.path("f"), b"keep\n").unwrap();
    block_on(async {
        let session = login(&server).await;
        // Commands that do not write are left alone.
        assert_eq!(exec(&session, "cat f", b"").await.stdout, b"keep\n");
        let out = exec(
            &session,
            "cat > f.tmp && mv f.tmp f",
            b"0123456789abcdefghijklmnopqrstuvwxyz\n0123456789\n",
        )
        .await;
        assert_eq!(out.status, None, "the write finished: {out:?}\n{}", server.log());
        assert!(!out.closed, "{out:?}");
    });
    assert_eq!(std::fs::read(server.path("f")).unwrap(), b"keep\n");
    assert_eq!(server.cuts(), 1, "{}", server.log());

    // Data sent in small pieces and EOF before the threshold: cut at EOF.
    let server = FakeServer::with_fault(Fault::DropMidWrite { after_bytes: 1000 });
    block_on(async {
        let session = login(&server).await;
        let out = exec(&session, "cat > f.tmp && mv f.tmp f", b"short\n").await;
        assert_eq!(out.status, None, "{out:?}");
    });
    assert!(!server.path("f").exists());
    assert_eq!(server.cuts(), 1, "{}", server.log());
}

#[test]
fn fake_server_full_disk_stops_writes_at_the_limit() {
    let server = FakeServer::with_fault(Fault::DiskFull { max_file_bytes: 512, no_new_dirs: true });
    let (written, mkdir) = block_on(async {
        let session = login(&server).await;
        let written = exec(&session, "cat > big", &[b'x'; 2000]).await;
        let mkdir = exec(&session, "mkdir d", b"").await;
        (written, mkdir)
    });
    assert_eq!(written.status, Some(1), "{}", server.log());
    assert!(String::from_utf8_lossy(&written.stderr).contains("File too large"), "{written:?}");
    assert_eq!(std::fs::metadata(server.path("big")).unwrap().len(), 512);
    assert_eq!(mkdir.status, Some(1));
    assert_eq!(
        String::from_utf8_lossy(&mkdir.stderr),
        "mkdir: cannot create directory 'd': No space left on device\n"
    );
    assert!(!server.path("d").exists());
}

#[test]
fn fake_server_stops_on_drop() {
    let server = FakeServer::start();
    let port = server.port();
    let pid_file = server.path("pid");
    // The client side stays alive (connection open) while the server goes away.
    let client_runtime =
        tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    let (session, channel, pid) = client_runtime.block_on(async {
        let session = login(&server).await;
        let channel = session.channel_open_session().await.unwrap();
        channel.exec(true, "echo $$ > pid.tmp && mv pid.tmp pid && exec sleep 60").await.unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        while !pid_file.exists() {
            assert!(Instant::now() < deadline, "the command did not start");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let pid = std::fs::read_to_string(&pid_file).unwrap().trim().to_owned();
        (session, channel, pid)
    });
    let pid: u32 = pid.parse().unwrap();
    assert!(sshd::process_alive(pid), "the command is not running");
    drop(server);
    assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_err(), "port {port} still open");
    let deadline = Instant::now() + Duration::from_secs(5);
    while sshd::process_alive(pid) {
        assert!(Instant::now() < deadline, "child {pid} still running after the server was dropped");
        std::thread::sleep(Duration::from_millis(20));
    }
    drop((channel, session));
    drop(client_runtime);
}

// ---------------------------------------------------------------------------------------
// keywright copy-id against the fake server.

/// Any single run longer than this is a hang: the process is killed and the test fails.
const HANG_LIMIT: Duration = Duration::from_secs(20);

/// A local side: a temporary home with the key to install, a known_hosts file with the
/// servers' host keys, and a password file.
struct Local {
    env: Env,
    /// The key file given with `-i`.
    key: PathBuf,
    /// Its line, as it must land in authorized_keys (without the newline).
    key_line: String,
    args: Vec<OsString>,
}

impl Local {
    fn new(servers: &[&FakeServer]) -> Local {
        let env = Env::new();
        let key = env.fixture("id_ed25519").with_extension("pub");
        let key_line = std::fs::read_to_string(&key).unwrap().trim_end().to_owned();
        let known_hosts: String = servers.iter().map(|s| s.known_hosts_line() + "\n").collect();
        let known_hosts = env.write("known_hosts_test", known_hosts);
        let password = env.write("password", DEFAULT_PASSWORD);
        let mut args: Vec<OsString> = vec!["copy-id".into(), "-i".into(), key.clone().into()];
        let mut option = OsString::from("UserKnownHostsFile=");
        option.push(&known_hosts);
        args.extend(["-o".into(), option, "-o".into(), "StrictHostKeyChecking=yes".into()]);
        args.extend(["--password-file".into(), password.into()]);
        Local { env, key, key_line, args }
    }

    /// `keywright copy-id -i KEY -o UserKnownHostsFile=… --password-file … EXTRA…`, killed
    /// (and the test failed) after [`HANG_LIMIT`]. Also returns how long it took.
    fn copy_id(&self, extra: &[&str]) -> (Run, Duration) {
        self.copy_id_within(extra, HANG_LIMIT)
    }

    /// [`Local::copy_id`] with another limit.
    fn copy_id_within(&self, extra: &[&str], limit: Duration) -> (Run, Duration) {
        let args = self.args.iter().map(OsString::as_os_str).chain(extra.iter().map(OsStr::new));
        let start = Instant::now();
        let run = support::spawn(support::kw_command(&self.env, args, &[]), None).finish_within(limit);
        (run, start.elapsed())
    }

    /// What authorized_keys holds after the key was added to `before`.
    fn with_key(&self, before: &str) -> String {
        format!("{before}{}\n", self.key_line)
    }
}

fn describe(run: &Run, servers: &[&FakeServer]) -> String {
    format!(
        "command: {}\nexit: {}\nstdout:\n{}\nstderr:\n{}\n{}",
        run.command,
        run.code,
        run.out(),
        run.stderr,
        logs(servers)
    )
}

/// The servers' event logs, for assertion messages.
fn logs(servers: &[&FakeServer]) -> String {
    servers.iter().map(|s| s.log()).collect()
}

/// The output line for `dest` (`DEST: ...`).
fn host_line(run: &Run, dest: &str) -> Option<String> {
    let prefix = format!("{dest}: ");
    run.out().lines().find(|l| l.starts_with(&prefix)).map(str::to_owned)
}

/// Asserts exit status 1 and a stdout of one `DEST: failed: REASON` line; returns REASON.
#[track_caller]
fn assert_failed(run: &Run, server: &FakeServer) -> String {
    support::failure_reason(run, &server.target(), &server.log())
}

/// Asserts that `reason` is a `--timeout 2` running out, while connecting or after.
#[track_caller]
fn assert_timed_out(reason: &str, run: &Run, server: &FakeServer) {
    // Both limits are 2 s here; the connect limit must win (it once raced the host's
    // limit, which said only "timed out after 2s").
    let connecting = format!("timed out after 2s connecting to 127.0.0.1:{}", server.port());
    assert!(reason == connecting, "the failure is not the timeout: {reason}\n{}", describe(run, &[server]));
}

/// Asserts the `DEST: added 1 key(s)` line for `server` and that its authorized_keys
/// holds exactly `expected`.
#[track_caller]
fn assert_added(run: &Run, server: &FakeServer, expected: &str, why: &str) {
    let added = format!("{}: added 1 key(s)", server.target());
    assert_eq!(host_line(run, &server.target()), Some(added), "{why}");
    assert_eq!(std::fs::read_to_string(server.path(".ssh/authorized_keys")).unwrap(), expected, "{why}");
}

/// Asserts that the run succeeded, added one key on `server` and left `expected` in its
/// authorized_keys.
#[track_caller]
fn assert_landed(run: &Run, server: &FakeServer, expected: &str) {
    let why = describe(run, &[server]);
    assert_eq!(run.code, 0, "exit status\n{why}");
    assert_added(run, server, expected, &why);
}

#[test]
fn shell_transport_end_to_end_without_sftp() {
    let server = FakeServer::start();
    let local = Local::new(&[&server]);
    let (run, _) = local.copy_id(&["--timeout", "20", &server.target()]);
    let why = describe(&run, &[&server]);
    assert_eq!(run.code, 0, "exit status\n{why}");
    let dest = server.target();
    assert_eq!(run.out(), support::added_stdout(server.user(), server.port(), 1), "stdout\n{why}");

    let ssh_dir = server.path(".ssh");
    let authorized = server.path(".ssh/authorized_keys");
    assert_eq!(std::fs::read_to_string(&authorized).unwrap(), local.with_key(""), "{why}");
    assert_eq!(mode(&ssh_dir), 0o700, "mode of .ssh\n{why}");
    assert_eq!(mode(&authorized), 0o600, "mode of authorized_keys\n{why}");
    assert_eq!(server.connections(), 1, "one TCP connection per host\n{why}");
    assert_eq!(tree(&ssh_dir), [PathBuf::from("authorized_keys")], "leftovers in .ssh\n{why}");

    // Again: the shell transport reads the file back and finds the key.
    let (again, _) = local.copy_id(&["--timeout", "20", &server.target()]);
    let why = describe(&again, &[&server]);
    assert_eq!(again.code, 0, "exit status\n{why}");
    assert_eq!(again.out(), format!("{dest}: already present\n"), "{why}");
    assert_eq!(std::fs::read_to_string(&authorized).unwrap(), local.with_key(""), "{why}");
    assert_eq!(server.connections(), 2, "{why}");
}

#[test]
fn explicit_shell_transport_works_and_sftp_transport_fails_without_sftp() {
    let server = FakeServer::start();
    let local = Local::new(&[&server]);
    let (run, _) = local.copy_id(&["--transport", "shell", "--timeout", "20", &server.target()]);
    assert_landed(&run, &server, &local.with_key(""));

    let other = FakeServer::start();
    let local = Local::new(&[&other]);
    let (run, _) = local.copy_id(&["--transport", "sftp", "--timeout", "20", &other.target()]);
    assert_eq!(assert_failed(&run, &other), "the server offers no SFTP");
    assert!(!other.path(".ssh/authorized_keys").exists(), "{}", describe(&run, &[&other]));
}

#[test]
fn dropped_connection_mid_write_leaves_the_remote_file_intact() {
    let server = FakeServer::with_fault(Fault::DropMidWrite { after_bytes: 16 });
    let ecdsa = std::fs::read_to_string(testdata("keys/id_ecdsa_256.pub")).unwrap();
    // Odd on purpose: a comment, an option, no newline at the end.
    let before = format!("# written by hand\nno-pty {}", ecdsa.trim_end());
    seed_authorized_keys(server.home(), &before);

    let local = Local::new(&[&server]);
    let (run, _) = local.copy_id(&["--timeout", "20", &server.target()]);
    let why = describe(&run, &[&server]);
    let reason = assert_failed(&run, &server);
    let expected = format!(
        "cannot write {}: the connection closed before the remote command finished",
        server.path(".ssh/authorized_keys").display()
    );
    assert_eq!(reason, expected, "{why}");
    assert!(server.cuts() >= 1, "the connection was never cut mid-write: the fault did not apply\n{why}");
    let after = std::fs::read(server.path(".ssh/authorized_keys")).unwrap();
    assert!(
        after == before.as_bytes(),
        "authorized_keys changed:\n{}\n{why}",
        String::from_utf8_lossy(&after)
    );
    assert_eq!(mode(&server.path(".ssh/authorized_keys")), 0o600, "{why}");
    // Where the cut fell decides whether the lock directory and a temporary file were
    // made (the next run clears both); nothing else may be there.
    let left = tree(&server.path(".ssh"));
    let expected = |p: &PathBuf| {
        let name = p.to_string_lossy();
        name == "authorized_keys"
            || name == "authorized_keys.lock"
            || name.starts_with("authorized_keys.keywright.")
    };
    assert!(left.iter().all(expected), "left in .ssh after the cut: {left:?}\n{why}");
}

/// After a cut the user runs again: the leftovers of the cut run (a temporary file, the
/// lock directory) must not stop the new run from landing, within the default timeout.
#[test]
fn rerun_after_a_dropped_connection_lands() {
    let remote = tempfile::Builder::new().prefix("keywright-remote-").tempdir().unwrap();
    let before = std::fs::read_to_string(testdata("keys/id_ecdsa_256.pub")).unwrap();
    seed_authorized_keys(remote.path(), &before);

    let faulty =
        FakeServer::builder().home(remote.path()).fault(Fault::DropMidWrite { after_bytes: 16 }).start();
    let local = Local::new(&[&faulty]);
    let (run, _) = local.copy_id(&["--timeout", "20", &faulty.target()]);
    assert_failed(&run, &faulty);
    assert_eq!(faulty.cuts(), 1, "{}", describe(&run, &[&faulty]));
    drop(faulty);

    let good = FakeServer::builder().home(remote.path()).start();
    let local = Local::new(&[&good]);
    let (run, elapsed) = local.copy_id_within(&[&good.target()], Duration::from_secs(90));
    let why = describe(&run, &[&good]);
    assert_landed(&run, &good, &local.with_key(&before));
    let lock = remote.path().join(".ssh/authorized_keys.lock");
    assert!(!lock.exists(), "lock left behind\n{why}");
    // The cut run's lock is judged stale by its age on the server and removed, which is
    // said; its temporary file, if any, is cleared away silently.
    assert_eq!(tree(&remote.path().join(".ssh")), [PathBuf::from("authorized_keys")], "{why}");
    let warning = format!("keywright: warning: {}: removed {}, left ", good.target(), lock.display());
    let stderr: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(stderr.len(), 2, "{why}");
    assert_eq!(stderr[0], support::source_line(&local.key), "{why}");
    assert!(
        stderr[1].starts_with(&warning) && stderr[1].ends_with("s ago by a run that did not finish"),
        "{why}"
    );
    assert!(elapsed < Duration::from_secs(20), "the stale lock took {elapsed:?} to clear\n{why}");
}

#[test]
fn failure_in_json() {
    let server = FakeServer::with_fault(Fault::RefuseAuth);
    let local = Local::new(&[&server]);
    let (run, _) = local.copy_id(&["--format", "json", "--timeout", "20", &server.target()]);
    let why = describe(&run, &[&server]);
    assert_eq!(run.code, 1, "exit status\n{why}");
    super::json::assert_documented("copy-id", &run.stdout);
    let json: serde_json::Value =
        serde_json::from_slice(&run.stdout).unwrap_or_else(|e| panic!("{e}\n{why}"));
    let host = &json["hosts"][0];
    assert_eq!(json["hosts"].as_array().map(Vec::len), Some(1), "{why}");
    assert_eq!(host["target"], server.target(), "{why}");
    assert_eq!(host["user"], server.user(), "{why}");
    assert_eq!(host["host"], "127.0.0.1", "{why}");
    assert_eq!(host["status"], "failed", "{why}");
    assert_eq!(host["port"], server.port(), "{why}");
    assert_eq!(host["error"], format!("{}@127.0.0.1: the password was rejected", server.user()), "{why}");
    assert_eq!(host["added"], serde_json::json!([]), "{why}");
    assert_eq!(host["present"], serde_json::json!([]), "{why}");
    let summary = serde_json::json!({"hosts": 1, "added": 0, "would_add": 0, "present": 0, "failed": 1});
    assert_eq!(json["summary"], summary, "{why}");
}

/// `copy-id --timeout 2` to `server`, which must fail with a timeout, well before 10 s.
fn copy_id_timing_out(server: &FakeServer) -> Run {
    let local = Local::new(&[server]);
    let (run, elapsed) = local.copy_id(&["--timeout", "2", &server.target()]);
    let reason = assert_failed(&run, server);
    assert_timed_out(&reason, &run, server);
    assert!(
        elapsed < Duration::from_secs(10),
        "took {elapsed:?} with --timeout 2\n{}",
        describe(&run, &[server])
    );
    run
}

#[test]
fn silent_server_times_out() {
    let server = FakeServer::with_fault(Fault::Silent);
    let run = copy_id_timing_out(&server);
    assert_eq!(server.connections(), 1, "{}", describe(&run, &[&server]));
}

#[test]
fn slow_banner_beyond_the_timeout_fails() {
    let server = FakeServer::with_fault(Fault::SlowBanner(Duration::from_secs(8)));
    copy_id_timing_out(&server);
    assert!(!server.path(".ssh").exists());
}

#[test]
fn slow_banner_within_the_timeout_succeeds() {
    let server = FakeServer::with_fault(Fault::SlowBanner(Duration::from_millis(1500)));
    let local = Local::new(&[&server]);
    let (run, _) = local.copy_id(&["--timeout", "10", &server.target()]);
    assert_landed(&run, &server, &local.with_key(""));
}

#[test]
fn refused_authentication_fails_and_writes_nothing() {
    let server = FakeServer::with_fault(Fault::RefuseAuth);
    let local = Local::new(&[&server]);
    let (run, _) = local.copy_id(&["--timeout", "20", &server.target()]);
    let why = describe(&run, &[&server]);
    assert_eq!(
        assert_failed(&run, &server),
        format!("{}@127.0.0.1: the password was rejected", server.user())
    );
    assert_eq!(tree(server.home()), Vec::<PathBuf>::new(), "{why}");
    assert!(server.log().contains("auth password"), "keywright never tried the password\n{why}");
}

#[test]
fn no_shell_and_no_sftp_fails() {
    let server = FakeServer::with_fault(Fault::NoShell);
    let local = Local::new(&[&server]);
    let (run, _) = local.copy_id(&["--timeout", "20", &server.target()]);
    assert_eq!(assert_failed(&run, &server), "the server refused to run a command");
    assert_eq!(tree(server.home()), Vec::<PathBuf>::new(), "{}", describe(&run, &[&server]));
}

#[test]
fn several_hosts_one_silent() {
    several_hosts_one_silent_with(&[]);
}

#[test]
fn several_hosts_one_silent_in_parallel() {
    several_hosts_one_silent_with(&["-j", "3"]);
}

fn several_hosts_one_silent_with(options: &[&str]) {
    let good1 = FakeServer::start();
    let silent = FakeServer::with_fault(Fault::Silent);
    let good2 = FakeServer::start();
    let all = [&good1, &silent, &good2];
    let local = Local::new(&all);
    let targets = [good1.target(), silent.target(), good2.target()];
    let mut args: Vec<&str> = options.to_vec();
    args.extend(["--timeout", "2"]);
    args.extend(targets.iter().map(String::as_str));
    let (run, elapsed) = local.copy_id(&args);
    let why = describe(&run, &all);
    assert_eq!(run.code, 1, "exit status\n{why}");
    for good in [&good1, &good2] {
        assert_added(&run, good, &local.with_key(""), &why);
        assert_eq!(good.connections(), 1, "{why}");
    }
    let line =
        host_line(&run, &silent.target()).unwrap_or_else(|| panic!("no line for the silent host\n{why}"));
    let reason = line.strip_prefix(&format!("{}: failed: ", silent.target()));
    let reason = reason.unwrap_or_else(|| panic!("{line}\n{why}"));
    assert_timed_out(reason, &run, &silent);
    let last = run.out().lines().rev().find(|l| !l.trim().is_empty()).unwrap_or_default().to_owned();
    assert_eq!(last, "3 hosts: 2 added keys, 0 already had them, 1 failed", "summary\n{why}");
    assert!(
        !run.out().contains("Number of key(s) added"),
        "single-target epilogue with several targets\n{why}"
    );
    assert!(elapsed < Duration::from_secs(15), "took {elapsed:?}\n{why}");
}

/// Writes `contents` as the remote `.ssh/authorized_keys` (0600, in a 0700 `.ssh`).
fn seed_authorized_keys(home: &Path, contents: &str) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::create_dir(home.join(".ssh")).unwrap();
    std::fs::write(home.join(".ssh/authorized_keys"), contents).unwrap();
    std::fs::set_permissions(home.join(".ssh"), std::fs::Permissions::from_mode(0o700)).unwrap();
    std::fs::set_permissions(home.join(".ssh/authorized_keys"), std::fs::Permissions::from_mode(0o600))
        .unwrap();
}

/// An authorized_keys file just under 512 bytes, so the new copy with one more key crosses
/// [`Fault::DiskFull`]'s 512-byte limit part way: the write starts, then fails.
fn nearly_512_bytes() -> String {
    let ecdsa = std::fs::read_to_string(testdata("keys/id_ecdsa_256.pub")).unwrap();
    let mut before = format!("# kept by hand\n{ecdsa}");
    while before.len() < 500 {
        before.push_str("# padding\n");
    }
    assert!(before.len() < 512);
    before
}

#[test]
fn full_disk_part_way_through_the_write_fails_and_leaves_authorized_keys_intact() {
    let server = FakeServer::with_fault(Fault::DiskFull { max_file_bytes: 512, no_new_dirs: false });
    let before = nearly_512_bytes();
    seed_authorized_keys(server.home(), &before);

    let local = Local::new(&[&server]);
    let (run, _) = local.copy_id(&["--timeout", "20", &server.target()]);
    let why = describe(&run, &[&server]);
    let expected = format!(
        "cannot write {}: remote: cat: write error: File too large",
        server.path(".ssh/authorized_keys").display()
    );
    assert_eq!(assert_failed(&run, &server), expected, "{why}");
    assert_eq!(std::fs::read_to_string(server.path(".ssh/authorized_keys")).unwrap(), before, "{why}");
    assert_eq!(mode(&server.path(".ssh/authorized_keys")), 0o600, "{why}");
    // The half-written temporary file is removed by the remote script, and the lock is
    // released: nothing is left for the next run to clear.
    assert_eq!(tree(&server.path(".ssh")), [PathBuf::from("authorized_keys")], "{why}");
}

#[test]
fn full_disk_without_ssh_dir_fails_and_creates_nothing() {
    let server = FakeServer::with_fault(Fault::DiskFull { max_file_bytes: 0, no_new_dirs: true });
    let local = Local::new(&[&server]);
    let (run, _) = local.copy_id(&["--timeout", "20", &server.target()]);
    let why = describe(&run, &[&server]);
    let reason = assert_failed(&run, &server);
    let ssh_dir = server.path(".ssh");
    let expected =
        format!("remote: mkdir: cannot create directory '{}': No space left on device", ssh_dir.display());
    assert_eq!(reason, expected, "{why}");
    assert_eq!(tree(server.home()), Vec::<PathBuf>::new(), "{why}");
}

/// The disk is cleared and the user runs again on the same home: the key lands.
#[test]
fn rerun_after_a_full_disk_lands() {
    let remote = tempfile::Builder::new().prefix("keywright-remote-").tempdir().unwrap();
    let before = nearly_512_bytes();
    seed_authorized_keys(remote.path(), &before);

    let full = FakeServer::builder()
        .home(remote.path())
        .fault(Fault::DiskFull { max_file_bytes: 512, no_new_dirs: false })
        .start();
    let local = Local::new(&[&full]);
    let (run, _) = local.copy_id(&["--timeout", "20", &full.target()]);
    let expected = format!(
        "cannot write {}: remote: cat: write error: File too large",
        remote.path().join(".ssh/authorized_keys").display()
    );
    assert_eq!(assert_failed(&run, &full), expected);
    drop(full);

    let good = FakeServer::builder().home(remote.path()).start();
    let local = Local::new(&[&good]);
    let (run, _) = local.copy_id(&["--timeout", "20", &good.target()]);
    let why = describe(&run, &[&good]);
    assert_landed(&run, &good, &local.with_key(&before));
    // Nothing was left to clear up, so nothing beyond the usual line is said.
    assert_eq!(run.stderr, format!("{}\n", support::source_line(&local.key)), "{why}");
}
