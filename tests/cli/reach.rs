//! Reaching hosts: ProxyJump (a second sshd that the target only lets in through), a
//! ProxyCommand (a python3 relay), Ansible inventories as targets; and host keys for new
//! hosts: `known-hosts scan` against `ssh-keyscan`, `--expect`, and `known-hosts verify`.
//!
//! The jump layout: every process here shares one loopback (and every connection on it
//! comes from 127.0.0.1), so "reachable only through the jump host" is made by the
//! target's sshd itself. It listens on 127.0.0.1 and on 127.0.0.2, and a
//! `Match LocalAddress 127.0.0.1` block denies every user who comes in on the first; the
//! jump host reaches the target as `[127.0.0.2]:PORT`, its inside address. The test's own
//! direct connection goes to 127.0.0.1, the outside one, and must be refused.

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
        .tail("ListenAddress 127.0.0.2:{port}")
        .tail("Match LocalAddress 127.0.0.1")
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
/// home that trusts both host keys (the target's under `[127.0.0.2]:PORT`) and a key to install.
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
            "{}\n{}\n[127.0.0.2]:{} {}\n",
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
        format!("{}@127.0.0.2:{}", self.target_user.name(), self.target.port())
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
    let dest = format!("{}@127.0.0.2:{}", t.target_user.name(), t.target.port());
    assert!(run.out().starts_with(&format!("{dest}: added 1 key(s)\n")), "{}", run.out());
    assert_eq!(t.target_user.read_authorized_keys().as_deref(), Some(pub_line(&t.public).as_str()));
    assert_eq!(t.jump_user.read_authorized_keys(), None);
    // The jump host logged our login and opened the channel onward to the inside address.
    let jump_log = t.jump.log_text();
    assert!(jump_log.contains(&format!("Accepted password for {}", t.jump_user.name())), "{jump_log}");
    let inside = format!(" on 127.0.0.2 port {} rdomain", t.target.port());
    assert!(t.target.log_text().contains(&inside), "{}", t.target.log_text());
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
            "Host inner\n  HostName 127.0.0.2\n  Port {}\n  User {}\n  ProxyJump bastion\n\
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
    t.env.write(
        ".ssh/known_hosts",
        format!("[127.0.0.2]:{} {}\n", t.target.port(), t.target.host_key("ed25519")),
    );
    let run = t.copy_id(&["-J".into(), t.jump_spec()], &t.inner());
    let dest = format!("{}@127.0.0.2:{}", t.target_user.name(), t.target.port());
    let reason = failure_reason(&run, &dest, "unknown jump host");
    assert_eq!(
        reason.split(" (").next().unwrap(),
        format!("host key verification failed: [127.0.0.1]:{} is not a known host", t.jump.port())
    );
    assert_eq!(t.target_user.read_authorized_keys(), None);
    let inside = format!(" on 127.0.0.2 port {} rdomain", t.target.port());
    assert!(!t.target.log_text().contains(&inside), "{}", t.target.log_text());
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

// ---------------------------------------------------------------------------------------
// known-hosts scan and verify
// ---------------------------------------------------------------------------------------

/// `ssh-keyscan ARGS`, the oracle (stdout and stderr).
fn ssh_keyscan(env: &Env, args: &[&str]) -> Run {
    let mut cmd = std::process::Command::new("ssh-keyscan");
    cmd.args(args).current_dir(env.home());
    support::spawn(cmd, None).finish_within(std::time::Duration::from_secs(60))
}

/// Lines, sorted: ssh-keyscan opens its connections at once and prints in the order
/// they finish, so only the sets of lines compare.
fn sorted(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    lines.sort();
    lines
}

fn fingerprint(env: &Env, key_line: &str) -> String {
    let file = env.write("fp.pub", format!("{key_line}\n"));
    let out = env.ssh_keygen(["-l", "-f", &s(&file)]).success().out();
    out.split_whitespace().nth(1).unwrap().to_string()
}

#[test]
fn scan_prints_what_ssh_keyscan_prints_line_for_line() {
    let sshd = Sshd::start();
    let env = Env::new();
    let port = sshd.port().to_string();
    for types in [None, Some("ed25519"), Some("rsa,ed25519,ecdsa")] {
        let mut args = vec!["-p", &port];
        if let Some(types) = types {
            args.extend(["-t", types]);
        }
        args.push("127.0.0.1");
        let theirs = ssh_keyscan(&env, &args);
        let mut ours_args = strings(&["known-hosts", "scan"]);
        ours_args.extend(strings(&args));
        let ours = kw(&env, &ours_args);
        assert_eq!(ours.code, 0, "{}", why(&ours));
        assert_eq!(sorted(&ours.out()), sorted(&theirs.out()), "{types:?}\n{}", why(&ours));
        assert_eq!(sorted(&ours.stderr), sorted(&theirs.stderr), "{types:?}\n{}", why(&ours));
        assert!(ours.stderr.starts_with(&format!("# 127.0.0.1:{port} SSH-2.0-OpenSSH_")), "{}", ours.stderr);
    }
    // The default scan is every type but DSA: two keys here, five connections.
    let ours = kw(&env, &strings(&["known-hosts", "scan", "-p", &port, "127.0.0.1"]));
    assert_eq!(
        sorted(&ours.out()),
        sorted(&format!("{}\n{}\n", sshd.host_key_line(), sshd.known_hosts_line_rsa()))
    );
    assert_eq!(ours.stderr.lines().count(), 5, "{}", ours.stderr);
}

/// -H: hashed names OpenSSH finds again, with the same keys as ssh-keyscan -H.
#[test]
fn scan_hashes_names_that_openssh_finds() {
    let sshd = Sshd::start();
    let env = Env::new();
    let target = format!("127.0.0.1:{}", sshd.port());
    let ours = kw(&env, &strings(&["known-hosts", "scan", "-H", "-q", &target]));
    assert_eq!(ours.code, 0, "{}", why(&ours));
    assert_eq!(ours.stderr, "");
    let keys = |text: &str| {
        sorted(&text.lines().map(|l| l.split_once(' ').unwrap().1.to_string() + "\n").collect::<String>())
    };
    let theirs = ssh_keyscan(&env, &["-H", "-p", &sshd.port().to_string(), "127.0.0.1"]);
    assert_eq!(keys(&ours.out()), keys(&theirs.out()));
    assert!(ours.out().lines().all(|l| l.starts_with("|1|")), "{}", ours.out());
    let file = env.write("scanned", ours.out());
    let found = env.ssh_keygen(["-F", &sshd.host_pattern(), "-f", &s(&file)]).success().out();
    assert_eq!(found.lines().filter(|l| l.starts_with("|1|")).count(), 2, "{found}");
}

#[test]
fn scan_expect_refuses_a_wrong_fingerprint_and_adds_the_right_one() {
    let sshd = Sshd::start();
    let env = Env::new();
    let target = format!("127.0.0.1:{}", sshd.port());
    let right = fingerprint(&env, &sshd.host_key("ed25519"));
    let wrong = "SHA256:ysBhuGqL0D1S6fcPB0KzZRhXZr8RZvEI2p6nRsGpbVM";
    let run = kw(
        &env,
        &strings(&["known-hosts", "scan", "-q", "-t", "ed25519", "--add", "--expect", wrong, &target]),
    );
    assert_eq!(run.code, 1, "{}", why(&run));
    assert_eq!(run.out(), "");
    assert_eq!(
        run.stderr,
        format!(
            "keywright: warning: 127.0.0.1: refused ED25519 {right}: not the expected fingerprint\n\
             keywright: 127.0.0.1: host key {right} is not the expected {wrong}\n"
        )
    );
    assert!(!env.path(".ssh/known_hosts").exists(), "nothing may be trusted");

    let run = kw(&env, &strings(&["known-hosts", "scan", "--add", "--expect", &right, &target]));
    assert_eq!(run.code, 0, "{}", why(&run));
    let known = env.path(".ssh/known_hosts");
    assert_eq!(run.out(), format!("Added {} ssh-ed25519 to {}\n", sshd.host_pattern(), s(&known)));
    // Only the pinned key is trusted, hashed, and ssh finds it.
    let text = env.read_string(".ssh/known_hosts");
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(text.starts_with("|1|") && text.trim_end().ends_with(&sshd.host_key("ed25519")), "{text}");
    env.ssh_keygen(["-F", &sshd.host_pattern(), "-f", &s(&known)]).success();
    // Again: already trusted, nothing written; the JSON is as documented.
    let run = kw(
        &env,
        &strings(&["known-hosts", "scan", "--format", "json", "--add", "--expect", &right, &target]),
    );
    assert_eq!(run.code, 0, "{}", why(&run));
    assert_eq!(env.read_string(".ssh/known_hosts"), text);
    super::json::assert_documented("known-hosts scan", &run.stdout);
    let json: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    assert_eq!(json["hosts"][0]["added"]["keys"][0]["outcome"], "present");
    assert_eq!(json["hosts"][0]["refused"].as_array().unwrap().len(), 1, "{json}");
    let run = kw(&env, &strings(&["known-hosts", "scan", "--format", "json", "--expect", wrong, &target]));
    assert_eq!(run.code, 1, "{}", why(&run));
    super::json::assert_documented("known-hosts scan", &run.stdout);
}

#[test]
fn scan_of_a_closed_port_fails_quickly_with_a_clear_line() {
    let env = Env::new();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let target = format!("127.0.0.1:{port}");
    let run = support::spawn(
        support::kw_command(&env, ["known-hosts", "scan", "-T", "3", "-t", "ed25519", &target], &[]),
        None,
    )
    .finish_within(std::time::Duration::from_secs(20));
    assert_eq!(run.code, 1, "{}", why(&run));
    assert_eq!(run.out(), "");
    assert_eq!(
        run.stderr,
        format!("keywright: 127.0.0.1: cannot connect to 127.0.0.1:{port}: connection refused\n")
    );
}

#[test]
fn verify_finds_a_changed_key_an_unrecorded_type_and_an_unreachable_host() {
    let sshd = Sshd::start();
    let env = Env::new();
    let (_, other) = fresh_key(&env, "other");
    let other_key: String =
        std::fs::read_to_string(&other).unwrap().split_whitespace().take(2).collect::<Vec<_>>().join(" ");
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let pattern = sshd.host_pattern();
    // Both keys recorded: no drift.
    env.write(".ssh/known_hosts", format!("{}\n{}\n", sshd.host_key_line(), sshd.known_hosts_line_rsa()));
    let run = kw(&env, &strings(&["known-hosts", "verify"]));
    assert_eq!(
        (run.code, run.out()),
        (0, "0 errors, 0 warnings, 0 notes in 1 file\n".to_string()),
        "{}",
        why(&run)
    );
    // The ed25519 key changed, RSA is not recorded, and a second host is down.
    let file = env.write(
        ".ssh/known_hosts",
        format!("# fleet\n{pattern} {other_key}\n[127.0.0.1]:{closed} {other_key}\n"),
    );
    let run = kw(&env, &strings(&["known-hosts", "verify", "-T", "5"]));
    let f = s(&file);
    let (new, old, rsa) = (
        fingerprint(&env, &sshd.host_key("ed25519")),
        fingerprint(&env, &other_key),
        fingerprint(&env, &sshd.host_key("rsa")),
    );
    assert_eq!(run.code, 1, "{}", why(&run));
    assert_eq!(
        run.out(),
        format!(
            "{f}:2: error: {pattern}: ED25519 host key changed: the file has {old}, the host shows {new} [host-key-changed]\n\
             {f}:2: info: {pattern}: the host shows a key type the file does not record: RSA {rsa} [host-key-added]\n\
             {f}:3: error: [127.0.0.1]:{closed}: cannot fetch its host keys: cannot connect to 127.0.0.1:{closed}: connection refused [host-unreachable]\n\
             2 errors, 0 warnings, 1 note in 1 file\n"
        )
    );
    // One host named; SARIF carries verify's rules.
    let run = kw(&env, &strings(&["known-hosts", "verify", "--format", "sarif", &pattern]));
    assert_eq!(run.code, 1, "{}", why(&run));
    let sarif: serde_json::Value = serde_json::from_str(&run.out()).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let rules: Vec<&str> = results.iter().map(|r| r["ruleId"].as_str().unwrap()).collect();
    assert_eq!(rules, ["host-key-changed", "host-key-added"]);
    let declared: Vec<&str> = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(declared, ["host-key-changed", "host-key-removed", "host-key-added", "host-unreachable"]);
    // --fail-on info: an unrecorded type alone fails too; a removed type is a warning.
    env.write(".ssh/known_hosts", format!("{}\n{pattern} {}\n", sshd.host_key_line(), "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBIU9PWFY6LV1L8JoC5Zgf9VZhOHmKdoTOYX4wtvM2RJZ7kgYjbuRiKCf2QmwyY82h2ySMAPhlEVPLIBZtPgW4wQ="));
    let run = kw(&env, &strings(&["known-hosts", "verify", "--format", "json", "--fail-on", "warning"]));
    assert_eq!(run.code, 1, "{}", why(&run));
    let json: serde_json::Value = serde_json::from_str(&run.out()).unwrap();
    let rules: Vec<&str> =
        json["findings"].as_array().unwrap().iter().map(|f| f["rule"].as_str().unwrap()).collect();
    assert_eq!(rules, ["host-key-removed", "host-key-added"]);
}

/// The scan and verify examples of `--help`, against a real server standing in for
/// git.example.com.
#[test]
fn scan_and_verify_examples_run() {
    use keywright::cli::examples::{KNOWN_HOSTS_SCAN, KNOWN_HOSTS_VERIFY};
    let sshd = Sshd::start();
    let host = format!("127.0.0.1:{}", sshd.port());
    for example in KNOWN_HOSTS_SCAN.iter().chain(KNOWN_HOSTS_VERIFY) {
        let env = Env::new();
        env.write(".ssh/known_hosts", format!("{}\n{}\n", sshd.host_key_line(), sshd.known_hosts_line_rsa()));
        env.write("ci_known_hosts", format!("{}\n{}\n", sshd.host_key_line(), sshd.known_hosts_line_rsa()));
        let right = fingerprint(&env, &sshd.host_key("ed25519"));
        env.write("fp.txt", format!("{right}\n"));
        let command = example.command.replace("git.example.com", &host);
        let run = env.sh(&format!("set -e; {command}"));
        assert_eq!(run.code, 0, "{command}\n{}", why(&run));
    }
}

// ---------------------------------------------------------------------------------------
// UpdateHostKeys
// ---------------------------------------------------------------------------------------

/// A server and an account with [`PASSWORD`]; the home trusts only its Ed25519 key.
fn update_setup(test: &str) -> Option<(Env, Sshd, TestUser, PathBuf, PathBuf)> {
    if !root_or_skip(test) {
        return None;
    }
    let sshd = Sshd::start();
    let user = sshd.user_with_password(PASSWORD);
    let env = Env::new();
    env.write(".ssh/known_hosts", format!("{}\n", sshd.host_key_line()));
    let password = env.write("password", format!("{PASSWORD}\n"));
    let (_, public) = fresh_key(&env, "deploy");
    Some((env, sshd, user, password, public))
}

fn copy_id_to(
    env: &Env,
    sshd: &Sshd,
    user: &TestUser,
    password: &Path,
    public: &Path,
    extra: &[&str],
) -> Run {
    let dest = format!("{}@127.0.0.1:{}", user.name(), sshd.port());
    let mut args = strings(&["copy-id", "-i", &s(public), "--password-file", &s(password)]);
    args.extend(strings(extra));
    args.push(dest);
    kw(env, &args)
}

/// The server's RSA key, announced after login and proved, is learnt (hashed) beside the
/// Ed25519 key that trusted it; an obsolete recorded key is dropped; ssh finds both.
#[test]
fn copy_id_learns_rotated_host_keys_as_update_host_keys_does() {
    let Some((env, sshd, user, password, public)) =
        update_setup("copy_id_learns_rotated_host_keys_as_update_host_keys_does")
    else {
        return;
    };
    let (_, stale) = fresh_key(&env, "stale");
    let stale_key: String =
        std::fs::read_to_string(&stale).unwrap().split_whitespace().take(2).collect::<Vec<_>>().join(" ");
    // A second Ed25519 line for the host: a key it no longer has.
    let rsa_fp = fingerprint(&env, &sshd.host_key("rsa"));
    let stale_fp = fingerprint(&env, &stale_key);
    env.write(".ssh/known_hosts", format!("{}\n{} {stale_key}\n", sshd.host_key_line(), sshd.host_pattern()));
    let run = copy_id_to(&env, &sshd, &user, &password, &public, &[]);
    // The stale Ed25519 line does not make the key "changed": one line holds the offered key.
    assert_eq!(run.code, 0, "{}", why(&run));
    let known = env.path(".ssh/known_hosts");
    let dest = format!("{}@127.0.0.1:{}", user.name(), sshd.port());
    assert!(
        run.stderr.contains(&format!(
            "keywright: {dest}: learnt host key RSA {rsa_fp} (UpdateHostKeys) into {}\n",
            s(&known)
        )),
        "{}",
        why(&run)
    );
    assert!(
        run.stderr.contains(&format!(
            "keywright: {dest}: removed obsolete host key ED25519 {stale_fp} (UpdateHostKeys) from known_hosts\n"
        )),
        "{}",
        why(&run)
    );
    let text = env.read_string(".ssh/known_hosts");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert_eq!(lines[0], sshd.host_key_line());
    assert!(lines[1].starts_with("|1|") && lines[1].ends_with(&sshd.host_key("rsa")), "{text}");
    let found = env.ssh_keygen(["-F", &sshd.host_pattern(), "-f", &s(&known)]).success().out();
    assert_eq!(found.lines().filter(|l| !l.starts_with('#')).count(), 2, "{found}");
    // Again: nothing to learn, nothing said.
    user.write_authorized_keys("");
    let run = copy_id_to(&env, &sshd, &user, &password, &public, &[]);
    assert_eq!(run.code, 0, "{}", why(&run));
    assert!(!run.stderr.contains("UpdateHostKeys"), "{}", why(&run));
    assert_eq!(env.read_string(".ssh/known_hosts"), text);
}

/// UpdateHostKeys=no, or a UserKnownHostsFile other than ~/.ssh/known_hosts (ssh's
/// default rule), leaves the file alone; so does a dry run.
#[test]
fn update_host_keys_follows_ssh_default_rules() {
    let Some((env, sshd, user, password, public)) =
        update_setup("update_host_keys_follows_ssh_default_rules")
    else {
        return;
    };
    let before = env.read_string(".ssh/known_hosts");
    for extra in [&["-o", "UpdateHostKeys=no"][..], &["-n"][..]] {
        user.write_authorized_keys("");
        let run = copy_id_to(&env, &sshd, &user, &password, &public, extra);
        assert_eq!(run.code, 0, "{}", why(&run));
        assert_eq!(env.read_string(".ssh/known_hosts"), before, "{extra:?}");
    }
    let other = env.write("other_known_hosts", format!("{}\n", sshd.host_key_line()));
    user.write_authorized_keys("");
    let run = copy_id_to(
        &env,
        &sshd,
        &user,
        &password,
        &public,
        &["-o", &format!("UserKnownHostsFile={}", s(&other))],
    );
    assert_eq!(run.code, 0, "{}", why(&run));
    assert_eq!(std::fs::read_to_string(&other).unwrap(), format!("{}\n", sshd.host_key_line()));
    // …unless asked for explicitly.
    user.write_authorized_keys("");
    let option = format!("UserKnownHostsFile={}", s(&other));
    let run =
        copy_id_to(&env, &sshd, &user, &password, &public, &["-o", &option, "-o", "UpdateHostKeys=yes"]);
    assert_eq!(run.code, 0, "{}", why(&run));
    assert_eq!(std::fs::read_to_string(&other).unwrap().lines().count(), 2);
}

/// A named host the file does not record is a usage error, not a host with every key
/// "added".
#[test]
fn verify_of_a_host_the_file_does_not_record_is_refused() {
    let env = Env::new();
    let file = env.write("kh", "other.example.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAKrnOfixcHOUXsOnPa7dznpww3zNCQrQnIAzpc4PwIT\n");
    let run = kw(&env, &strings(&["known-hosts", "verify", "-f", &s(&file), "new.example.com"]));
    assert_eq!(run.code, 2, "{}", why(&run));
    assert_eq!(run.out(), "");
    assert_eq!(
        run.stderr,
        format!(
            "keywright: error: new.example.com: no key recorded for it in {}\n\
             keywright: hint: fetch and pin its keys first: `keywright known-hosts scan --add --expect FINGERPRINT HOST`\n",
            s(&file)
        )
    );
}

/// UpdateHostKeys=ask: ssh's lines and question on the terminal; "no" keeps the file,
/// "yes" learns the key.
#[test]
fn update_host_keys_ask_shows_the_changes_and_asks() {
    let Some((env, sshd, user, password, public)) =
        update_setup("update_host_keys_ask_shows_the_changes_and_asks")
    else {
        return;
    };
    let before = env.read_string(".ssh/known_hosts");
    let dest = format!("{}@127.0.0.1:{}", user.name(), sshd.port());
    let rsa_fp = fingerprint(&env, &sshd.host_key("rsa"));
    for (answer, learns) in [("no", false), ("yes", true)] {
        user.write_authorized_keys("");
        let args = [
            "copy-id",
            "-i",
            &s(&public),
            "--password-file",
            &s(&password),
            "-o",
            "UpdateHostKeys=ask",
            &dest,
        ];
        let run = env.kw_tty(&[("Accept updated hostkeys? (yes/no): ", answer)], &args);
        assert_eq!(run.code, 0, "{}", why(&run));
        let screen = run.out().replace('\r', "");
        assert!(
            screen.contains(&format!(
                "The server has updated its host keys.\n\
                 These changes were verified by the server's existing trusted key.\n\
                 Learned new hostkey: RSA {rsa_fp}\n\
                 Accept updated hostkeys? (yes/no): "
            )),
            "{screen}"
        );
        let after = env.read_string(".ssh/known_hosts");
        assert_eq!(after != before, learns, "{answer}: {after}");
    }
}

/// Forty logins to one sshd at once (-j 40): sshd's default MaxStartups turns away
/// connections beyond 10 not yet logged in, so keywright keeps its own handshakes to one
/// server under that and makes a turned-away connection again. Every host must answer.
#[test]
fn many_logins_to_one_server_at_once_all_succeed() {
    if !root_or_skip("many_logins_to_one_server_at_once_all_succeed") {
        return;
    }
    let sshd = Sshd::start();
    let user = sshd.user();
    let env = Env::new();
    env.write(".ssh/known_hosts", format!("{}\n", sshd.host_key_line()));
    let (private, public) = fresh_key(&env, "login");
    user.write_authorized_keys(pub_line(&public));
    let target = format!("{}@127.0.0.1:{}", user.name(), sshd.port());
    let identity = format!("IdentityFile={}", s(&private));
    let mut args =
        strings(&["authorized-keys", "list", "-q", "-j", "40", "-o", &identity, "-o", "IdentitiesOnly=yes"]);
    args.extend(std::iter::repeat_n(target.clone(), 40));
    let run = kw(&env, &args);
    assert_eq!(run.code, 0, "{}", why(&run));
    let listing = format!("{target}: {}\n", user.authorized_keys().display());
    assert_eq!(run.out().matches(&listing).count(), 40, "{}", why(&run));
}
