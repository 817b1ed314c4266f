//! Reaching hosts: ProxyJump (a second sshd that the target only lets in through), a
//! ProxyCommand (a python3 relay), Ansible inventories as targets; and host keys for new
//! hosts: `known-hosts scan` against `ssh-keyscan`, `--expect`, and `known-hosts verify`.
//!
//! The jump layout: every process here shares one loopback, so "reachable only through
//! the jump host" is made by the target's sshd itself. It listens on 127.0.0.1 and on
//! ::1, and a `Match Address 127.0.0.1` block denies every user there; the jump host
//! reaches it as `[::1]:PORT` (a connection to ::1 comes from ::1). The test's own
//! direct connection goes to 127.0.0.1 and must be refused.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use super::common::*;
use super::support::sshd::{Sshd, TestUser, root_or_skip};
use super::support::{self, failure_reason};

const PASSWORD: &str = "reach-Passw0rd";

fn s(path: &Path) -> String {
    path.to_str().unwrap().to_string()
}

fn kw(env: &Env, args: &[String]) -> Run {
    let args: Vec<OsString> = args.iter().map(OsString::from).collect();
    support::kw(env, args, &[], None)
}

fn why(run: &Run) -> String {
    format!("command: {}\nexit {}\nstdout:\n{}\nstderr:\n{}", run.command, run.code, run.out(), run.stderr)
}

fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|a| a.to_string()).collect()
}

/// A target sshd that refuses everyone who connects to 127.0.0.1 (see the module doc).
fn hidden_target() -> Sshd {
    Sshd::builder()
        .tail("ListenAddress [::1]:{port}")
        .tail("Match Address 127.0.0.1")
        .tail("  DenyUsers *")
        .start()
}

/// A fresh ed25519 key pair in the test's home: (private, public).
fn fresh_key(env: &Env, name: &str) -> (PathBuf, PathBuf) {
    env.ssh_keygen(["-q", "-t", "ed25519", "-N", "", "-C", name, "-f", name]).success();
    (env.path(name), env.path(&format!("{name}.pub")))
}

fn pub_line(path: &Path) -> String {
    format!("{}\n", std::fs::read_to_string(path).unwrap().trim_end())
}

struct Jump {
    env: Env,
    jump: Sshd,
    target: Sshd,
    jump_user: TestUser,
    target_user: TestUser,
    password: PathBuf,
    public: PathBuf,
    private: PathBuf,
}

/// Root or skip; a jump sshd, a hidden target, an account on each with [`PASSWORD`], a
/// home that trusts both host keys (the target's under `[::1]:PORT`) and a key to install.
fn jump_setup(test: &str) -> Option<Jump> {
    if !root_or_skip(test) {
        return None;
    }
    let (jump, target) = (Sshd::start(), hidden_target());
    let (jump_user, target_user) = (jump.user_with_password(PASSWORD), target.user_with_password(PASSWORD));
    let env = Env::new();
    env.write(
        ".ssh/known_hosts",
        format!(
            "{}\n{}\n[::1]:{} {}\n",
            jump.host_key_line(),
            target.host_key_line(),
            target.port(),
            target.host_key("ed25519")
        ),
    );
    let password = env.write("password", format!("{PASSWORD}\n"));
    let (private, public) = fresh_key(&env, "deploy");
    Some(Jump { env, jump, target, jump_user, target_user, password, public, private })
}

impl Jump {
    fn jump_spec(&self) -> String {
        format!("{}@127.0.0.1:{}", self.jump_user.name(), self.jump.port())
    }

    fn copy_id(&self, extra: &[String], target: &str) -> Run {
        let mut args = strings(&["copy-id", "-i"]);
        args.extend([s(&self.public), "--password-file".into(), s(&self.password)]);
        args.extend(extra.iter().cloned());
        args.push(target.to_string());
        kw(&self.env, &args)
    }

    /// The target as the jump host reaches it.
    fn inner(&self) -> String {
        format!("{}@[::1]:{}", self.target_user.name(), self.target.port())
    }
}

/// The layout holds: a direct connection to the target is refused, through -J it works,
/// and the key lands in the target account (and nowhere on the jump host).
#[test]
fn copy_id_through_a_jump_host_reaches_a_target_that_refuses_direct_connections() {
    let Some(t) = jump_setup("copy_id_through_a_jump_host_reaches_a_target_that_refuses_direct_connections")
    else {
        return;
    };
    let direct = format!("{}@127.0.0.1:{}", t.target_user.name(), t.target.port());
    let run = t.copy_id(&[], &direct);
    let reason = failure_reason(&run, &direct, "direct");
    assert!(reason.contains("permission denied") || reason.contains("password was rejected"), "{reason}");
    assert_eq!(t.target_user.read_authorized_keys(), None);
    assert!(
        t.target.log_text().contains("not allowed because listed in DenyUsers"),
        "{}",
        t.target.log_text()
    );

    let run = t.copy_id(&["-J".into(), t.jump_spec()], &t.inner());
    assert_eq!(run.code, 0, "{}\njump log:\n{}", why(&run), t.jump.log_text());
    let dest = format!("{}@::1:{}", t.target_user.name(), t.target.port());
    assert!(run.out().starts_with(&format!("{dest}: added 1 key(s)\n")), "{}", run.out());
    assert_eq!(t.target_user.read_authorized_keys().as_deref(), Some(pub_line(&t.public).as_str()));
    assert_eq!(t.jump_user.read_authorized_keys(), None);
    // The jump host logged our login and opened the channel onward to ::1.
    let jump_log = t.jump.log_text();
    assert!(jump_log.contains(&format!("Accepted password for {}", t.jump_user.name())), "{jump_log}");
    assert!(t.target.log_text().contains("from ::1"), "{}", t.target.log_text());
    let _ = &t.private;
}

/// Regression: an ssh_config alias with ProxyJump connected directly (and was refused
/// here); the jump host's own config block (User, Port) applies to the hop.
#[test]
fn an_alias_with_proxyjump_in_ssh_config_goes_through_the_jump_host() {
    let Some(t) = jump_setup("an_alias_with_proxyjump_in_ssh_config_goes_through_the_jump_host") else {
        return;
    };
    let config = t.env.write(
        ".ssh/config",
        format!(
            "Host inner\n  HostName ::1\n  Port {}\n  User {}\n  ProxyJump bastion\n\
             Host bastion\n  HostName 127.0.0.1\n  Port {}\n  User {}\n",
            t.target.port(),
            t.target_user.name(),
            t.jump.port(),
            t.jump_user.name()
        ),
    );
    let run = t.copy_id(&["-F".into(), s(&config)], "inner");
    assert_eq!(run.code, 0, "{}", why(&run));
    let dest = format!("{}@inner:{}", t.target_user.name(), t.target.port());
    assert!(run.out().starts_with(&format!("{dest}: added 1 key(s)\n")), "{}", run.out());
    assert_eq!(t.target_user.read_authorized_keys().as_deref(), Some(pub_line(&t.public).as_str()));
    let logins = |sshd: &Sshd| {
        sshd.log_text().matches(&format!("Accepted password for {} ", t.jump_user.name())).count()
    };
    assert_eq!(logins(&t.jump), 1, "{}", t.jump.log_text());
    // -o ProxyJump=none (as ssh) connects directly: the jump host sees nothing.
    t.target_user.write_authorized_keys("");
    let run = t.copy_id(&["-F".into(), s(&config), "-o".into(), "ProxyJump=none".into()], "inner");
    assert_eq!(run.code, 0, "{}", why(&run));
    assert_eq!(logins(&t.jump), 1, "{}", t.jump.log_text());
}

/// Each hop checks its own host key: an unknown jump host stops the run before the target
/// is contacted, naming the jump host.
#[test]
fn an_unknown_jump_host_key_stops_the_run() {
    let Some(t) = jump_setup("an_unknown_jump_host_key_stops_the_run") else {
        return;
    };
    t.env.write(".ssh/known_hosts", format!("[::1]:{} {}\n", t.target.port(), t.target.host_key("ed25519")));
    let run = t.copy_id(&["-J".into(), t.jump_spec()], &t.inner());
    let dest = format!("{}@::1:{}", t.target_user.name(), t.target.port());
    let reason = failure_reason(&run, &dest, "unknown jump host");
    assert_eq!(
        reason.split(" (").next().unwrap(),
        format!("host key verification failed: [127.0.0.1]:{} is not a known host", t.jump.port())
    );
    assert_eq!(t.target_user.read_authorized_keys(), None);
    assert!(!t.target.log_text().contains("from ::1"), "{}", t.target.log_text());
}

/// A relay between standard input/output and TCP, that records it was used.
const RELAY: &str = r#"
import socket, sys, threading
host, port, mark = sys.argv[1], int(sys.argv[2]), sys.argv[3]
open(mark, "w").write(f"{host} {port}\n")
sock = socket.create_connection((host, port))
def up():
    while True:
        data = sys.stdin.buffer.read1(65536)
        if not data:
            sock.shutdown(socket.SHUT_WR)
            return
        sock.sendall(data)
threading.Thread(target=up, daemon=True).start()
while True:
    data = sock.recv(65536)
    if not data:
        break
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()
"#;

#[test]
fn copy_id_through_a_proxycommand_relay() {
    if !root_or_skip("copy_id_through_a_proxycommand_relay") {
        return;
    }
    let sshd = Sshd::start();
    let user = sshd.user_with_password(PASSWORD);
    let env = Env::new();
    env.write(".ssh/known_hosts", format!("{}\n", sshd.host_key_line()));
    let relay = env.write("relay.py", RELAY);
    let mark = env.path("relay.used");
    let password = env.write("password", format!("{PASSWORD}\n"));
    let (_, public) = fresh_key(&env, "deploy");
    let dest = format!("{}@127.0.0.1:{}", user.name(), sshd.port());
    let command = format!("ProxyCommand=python3 {} %h %p {}", s(&relay), s(&mark));
    let args =
        strings(&["copy-id", "-i", &s(&public), "--password-file", &s(&password), "-o", &command, &dest]);
    let run = kw(&env, &args);
    assert_eq!(run.code, 0, "{}", why(&run));
    assert_eq!(run.out(), support::added_stdout(user.name(), sshd.port(), 1));
    assert_eq!(std::fs::read_to_string(&mark).unwrap(), format!("127.0.0.1 {}\n", sshd.port()));
    assert_eq!(user.read_authorized_keys().as_deref(), Some(pub_line(&public).as_str()));
}

#[test]
fn a_proxycommand_that_exits_fails_the_host_without_hanging() {
    let env = Env::new();
    let (_, public) = fresh_key(&env, "deploy");
    let args = strings(&[
        "copy-id",
        "-i",
        &s(&public),
        "--timeout",
        "20",
        "-o",
        "ProxyCommand=exit 3",
        "me@h.invalid",
    ]);
    let run = support::spawn(support::kw_command(&env, args.iter().map(OsString::from), &[]), None)
        .finish_within(std::time::Duration::from_secs(30));
    let reason = failure_reason(&run, "me@h.invalid", "proxy exits");
    assert!(reason.starts_with("cannot connect to h.invalid:22"), "{reason}");
}

/// An inventory's hosts are targets: ansible_host/port/user reach the server, --limit
/// narrows, and a group that does not exist is a usage error before any connection.
#[test]
fn copy_id_takes_targets_from_an_ansible_inventory() {
    if !root_or_skip("copy_id_takes_targets_from_an_ansible_inventory") {
        return;
    }
    let sshd = Sshd::start();
    let user = sshd.user_with_password(PASSWORD);
    let env = Env::new();
    env.write(".ssh/known_hosts", format!("{}\n", sshd.host_key_line()));
    let password = env.write("password", format!("{PASSWORD}\n"));
    let (_, public) = fresh_key(&env, "deploy");
    let ini = env.write(
        "hosts.ini",
        format!(
            "[web]\nweb1 ansible_host=127.0.0.1 ansible_port={}\n[other]\nfar.invalid\n[web:vars]\nansible_user={}\n",
            sshd.port(),
            user.name()
        ),
    );
    let yaml = env.write(
        "hosts.yml",
        format!(
            "all:\n  children:\n    web:\n      hosts:\n        web1:\n          ansible_host: 127.0.0.1\n          ansible_port: {}\n      vars:\n        ansible_user: {}\n",
            sshd.port(),
            user.name()
        ),
    );
    for inventory in [&ini, &yaml] {
        user.write_authorized_keys("");
        let args = strings(&[
            "copy-id",
            "-i",
            &s(&public),
            "--password-file",
            &s(&password),
            "--inventory",
            &s(inventory),
            "--limit",
            "web",
        ]);
        let run = kw(&env, &args);
        assert_eq!(run.code, 0, "{}", why(&run));
        assert_eq!(run.out(), support::added_stdout(user.name(), sshd.port(), 1));
        assert_eq!(user.read_authorized_keys().as_deref(), Some(pub_line(&public).as_str()));
    }
    let args = strings(&["copy-id", "-i", &s(&public), "--inventory", &s(&ini), "--limit", "db"]);
    let run = kw(&env, &args);
    assert_eq!(run.code, 2, "{}", why(&run));
    assert_eq!(
        run.stderr.lines().next().unwrap(),
        format!("keywright: error: {}: no group or host \"db\" in the inventory", s(&ini))
    );
}
