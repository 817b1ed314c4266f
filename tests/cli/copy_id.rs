//! `keywright copy-id` end to end: a real OpenSSH sshd on loopback (tests/cli/support/sshd.rs),
//! throwaway accounts, and OpenSSH's own client as the oracle that an installed key logs in.
//! Every test asserts the exact remote file, its modes and owner, the output and exit code.
//! Tests that need accounts or passwords need root (as in CI) and say so when skipped.

use std::ffi::{OsStr, OsString};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use super::common::*;
use super::support::sshd::{self, Agent, Sshd, TestUser, root_or_skip};
use super::support::{self, Running, source_line, tree};

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

/// The password of the accounts made by [`setup_accounts`].
const SHARED_PASSWORD: &str = "shared-Passw0rd";

/// `user@127.0.0.1:PORT`, the target as given and the DEST keywright prints.
fn dest(sshd: &Sshd, user: &TestUser) -> String {
    format!("{}@127.0.0.1:{}", user.name(), sshd.port())
}

/// Makes the test's ~/.ssh/known_hosts know the server's host keys (both: with only the
/// ed25519 one, UpdateHostKeys would learn the RSA key and say so).
fn trust(env: &Env, sshd: &Sshd) -> PathBuf {
    env.write(".ssh/known_hosts", format!("{}\n{}\n", sshd.host_key_line(), sshd.known_hosts_line_rsa()))
}

/// A file in the test's home holding `password` (the first line is the password).
fn password_file(env: &Env, password: &str) -> PathBuf {
    env.write("password", format!("{password}\n"))
}

/// A key fixture copied into the test's home: (private key, public key).
fn key(env: &Env, name: &str) -> (PathBuf, PathBuf) {
    let private = env.fixture(name);
    let public = env.path(&format!("{name}.pub"));
    (private, public)
}

/// `n` fresh unencrypted ed25519 keys `k0`, `k1`, ... in the test's home (private keys).
fn fresh_keys(env: &Env, n: usize) -> Vec<PathBuf> {
    (0..n)
        .map(|i| {
            let name = format!("k{i}");
            env.ssh_keygen(["-q", "-t", "ed25519", "-N", "", "-C", &name, "-f", &name]).success();
            env.path(&name)
        })
        .collect()
}

/// The public key file of private key `private`.
fn public_of(private: &Path) -> PathBuf {
    PathBuf::from(format!("{}.pub", private.display()))
}

/// The single line of a `.pub` file, with its newline.
fn pub_line(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    format!("{}\n", text.trim_end())
}

/// `TYPE BASE64` of a `.pub` file.
fn key_data(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap().split_whitespace().take(2).collect::<Vec<_>>().join(" ")
}

fn s(path: &Path) -> String {
    path.to_str().unwrap().to_string()
}

/// `keywright copy-id ARGS` in batch mode in `env`'s home.
fn copy_id<S: AsRef<OsStr>>(env: &Env, args: &[S]) -> Run {
    copy_id_with(env, args, &[])
}

/// `keywright copy-id ARGS` with extra environment variables.
fn copy_id_with<S: AsRef<OsStr>>(env: &Env, args: &[S], vars: &[(&str, &OsStr)]) -> Run {
    support::kw(env, copy_id_args(args), vars, None)
}

/// `keywright copy-id ARGS` started in the background (for runs at the same time).
fn spawn_copy_id<S: AsRef<OsStr>>(env: &Env, args: &[S]) -> Running {
    support::spawn(support::kw_command(env, copy_id_args(args), &[]), None)
}

fn copy_id_args<S: AsRef<OsStr>>(args: &[S]) -> Vec<OsString> {
    let mut all: Vec<OsString> = vec!["copy-id".into()];
    all.extend(args.iter().map(|a| a.as_ref().to_os_string()));
    all
}

/// `copy-id -i PUB --password-file FILE DEST` with the user's password.
fn copy_with_password(env: &Env, sshd: &Sshd, user: &TestUser, public: &Path, extra: &[&str]) -> Run {
    let password = password_file(env, user.password());
    let mut args = vec!["-i".to_string(), s(public), "--password-file".to_string(), s(&password)];
    args.extend(extra.iter().map(|a| a.to_string()));
    args.push(dest(sshd, user));
    copy_id(env, &args)
}

/// What keywright prints for one target that got `n` keys (see [`support::added_stdout`]).
fn added_stdout(sshd: &Sshd, user: &TestUser, n: usize) -> String {
    support::added_stdout(user.name(), sshd.port(), n)
}

/// Asserts a one-line `DEST: failed: REASON` stdout and exit 1; returns REASON.
#[track_caller]
fn assert_failed(run: &Run, dest: &str) -> String {
    support::failure_reason(run, dest, "")
}

/// The reason copy-id gives when the password given for `user` was refused.
fn password_rejected(user: &str) -> String {
    format!("{user}@127.0.0.1: the password was rejected")
}

/// The hint beside [`password_rejected`], for a password given in a file.
const PASSWORD_REJECTED_HINT: &str = "check the password given with --password-file or KEYWRIGHT_PASSWORD, and the user name (sshd refuses an unknown user the same way)";

/// The hint when there was no password to try.
const NO_PASSWORD_HINT: &str = "give the password with --password-file or KEYWRIGHT_PASSWORD, an identity with -o IdentityFile=KEY, or load the key into ssh-agent";

/// Asserts the remote `.ssh/<file>` holds exactly `expected`, the directory is 0700 and the
/// file 0600, both owned by the user, and nothing else (no temp file, no lock) is left there.
#[track_caller]
fn assert_remote(user: &TestUser, file: &str, expected: &str) {
    let path = user.path(&format!(".ssh/{file}"));
    let actual = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(actual, expected, "remote {}", path.display());
    assert_modes_and_owner(user, file, 0o700, 0o600);
    assert_eq!(tree(&user.path(".ssh")), [PathBuf::from(file)], "leftovers in the remote .ssh");
}

#[track_caller]
fn assert_modes_and_owner(user: &TestUser, file: &str, dir_mode: u32, file_mode: u32) {
    let dir = user.path(".ssh");
    let path = dir.join(file);
    assert_eq!(mode(&dir), dir_mode, "mode of {}", dir.display());
    assert_eq!(mode(&path), file_mode, "mode of {}", path.display());
    for p in [&dir, &path] {
        let meta = std::fs::metadata(p).unwrap();
        assert_eq!((meta.uid(), meta.gid()), (user.uid(), user.gid()), "owner of {}", p.display());
    }
}

/// Asserts nothing was written in the remote home: no `.ssh` at all.
#[track_caller]
fn assert_untouched(user: &TestUser) {
    let entries = tree(user.home());
    assert!(entries.is_empty(), "remote home should be empty, has {entries:?}");
}

#[track_caller]
fn assert_login(sshd: &Sshd, user: &TestUser, private: &Path) {
    assert!(
        sshd.login_ok(user.name(), private),
        "ssh with {} should log in as {}; sshd log:\n{}",
        private.display(),
        user.name(),
        sshd.log_text()
    );
}

/// Asserts that `public` alone is in the user's fresh authorized_keys (see
/// [`assert_remote`]) and that its private half `private` logs in.
#[track_caller]
fn assert_installed(sshd: &Sshd, user: &TestUser, public: &Path, private: &Path) {
    assert_remote(user, "authorized_keys", &pub_line(public));
    assert_login(sshd, user, private);
}

/// Asserts that the user's authorized_keys holds exactly the lines of `publics`, once each
/// in any order (runs at the same time land in any order), with the modes and nothing
/// left over as [`assert_remote`] wants.
#[track_caller]
fn assert_each_key_once(user: &TestUser, publics: &[PathBuf]) {
    let text = user.read_authorized_keys().unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    lines.sort();
    let mut expected: Vec<String> = publics.iter().map(|p| pub_line(p).trim_end().to_string()).collect();
    expected.sort();
    assert_eq!(lines, expected, "every key exactly once:\n{text}");
    assert!(text.ends_with('\n'));
    assert_remote(user, "authorized_keys", &text);
}

/// The number of times sshd logged "Accepted METHOD for USER".
fn accepted(sshd: &Sshd, method: &str, user: &TestUser) -> usize {
    sshd.log_text().matches(&format!("Accepted {method} for {} ", user.name())).count()
}

/// Root or skip, plus a server, an account and a home that trusts the server.
fn setup(test: &str) -> Option<(Env, Sshd, TestUser)> {
    setup_on(test, Sshd::start)
}

/// [`setup`] with a server that `start` starts.
fn setup_on(test: &str, start: impl FnOnce() -> Sshd) -> Option<(Env, Sshd, TestUser)> {
    if !root_or_skip(test) {
        return None;
    }
    let sshd = start();
    let user = sshd.user();
    let env = Env::new();
    trust(&env, &sshd);
    Some((env, sshd, user))
}

/// Root or skip, plus a server, `n` accounts with [`SHARED_PASSWORD`], a home that trusts
/// the server and a password file.
fn setup_accounts(test: &str, n: usize) -> Option<(Env, Sshd, Vec<TestUser>, PathBuf)> {
    if !root_or_skip(test) {
        return None;
    }
    let sshd = Sshd::start();
    let users = (0..n).map(|_| sshd.user_with_password(SHARED_PASSWORD)).collect();
    let env = Env::new();
    trust(&env, &sshd);
    let password = password_file(&env, SHARED_PASSWORD);
    Some((env, sshd, users, password))
}

// ---------------------------------------------------------------------------------------
// The harness itself (runs without keywright)
// ---------------------------------------------------------------------------------------

#[test]
fn harness_sshd_starts_and_openssh_logs_in_with_a_manually_installed_key() {
    let sshd = Sshd::start();
    let user = sshd.user();
    let env = Env::new();
    let (private, public) = key(&env, "id_ed25519");
    let (other, _) = key(&env, "id_rsa_2048");
    assert!(!sshd.login_ok(user.name(), &private), "no key installed yet");
    user.write_authorized_keys(pub_line(&public));
    assert_login(&sshd, &user, &private);
    assert!(!sshd.login_ok(user.name(), &other), "a key that is not installed must not log in");
    assert!(sshd.host_key_line().starts_with(&format!("[127.0.0.1]:{} ssh-ed25519 AAAA", sshd.port())));
    assert!(sshd.known_hosts_line_rsa().starts_with(&format!("[127.0.0.1]:{} ssh-rsa AAAA", sshd.port())));
    assert!(sshd.log_text().contains("Accepted publickey for "), "log:\n{}", sshd.log_text());
}

#[test]
fn harness_user_has_a_password_home_and_shell() {
    if !root_or_skip("harness_user_has_a_password_home_and_shell") {
        return;
    }
    let sshd = Sshd::start();
    let user = sshd.user();
    assert!(user.name().len() <= 16 && user.name().starts_with("kwt"), "{}", user.name());
    let passwd = std::process::Command::new("getent").args(["passwd", user.name()]).output().unwrap();
    let passwd = String::from_utf8(passwd.stdout).unwrap();
    let fields: Vec<&str> = passwd.trim_end().split(':').collect();
    assert_eq!(fields[0], user.name());
    assert_eq!(fields[2], user.uid().to_string());
    assert_eq!(fields[5], s(user.home()));
    assert_eq!(fields[6], "/bin/sh");
    let shadow = std::process::Command::new("getent").args(["shadow", user.name()]).output().unwrap();
    let shadow = String::from_utf8(shadow.stdout).unwrap();
    let hash = shadow.split(':').nth(1).unwrap_or_default();
    assert!(hash.starts_with('$'), "chpasswd should have set a hashed password: {shadow}");
    assert_eq!(user.password().len(), 20);
    assert_eq!(mode(user.home()), 0o755);
    let meta = std::fs::metadata(user.home()).unwrap();
    assert_eq!((meta.uid(), meta.gid()), (user.uid(), user.gid()));
    assert!(std::fs::read_dir(user.home()).unwrap().next().is_none(), "home starts empty");
}

#[test]
fn harness_user_drop_deletes_account_and_home() {
    if !root_or_skip("harness_user_drop_deletes_account_and_home") {
        return;
    }
    let sshd = Sshd::start();
    let user = sshd.user();
    let (name, home) = (user.name().to_string(), user.home().to_path_buf());
    user.write_authorized_keys("x\n");
    drop(user);
    let status = std::process::Command::new("getent").args(["passwd", &name]).output().unwrap().status;
    assert_eq!(status.code(), Some(2), "account {name} should be gone");
    assert!(!home.exists(), "{} should be gone", home.display());
}

#[test]
fn harness_drop_kills_sshd_and_its_sessions() {
    let sshd = Sshd::start();
    let user = sshd.user();
    let env = Env::new();
    let (private, public) = key(&env, "id_ed25519");
    user.write_authorized_keys(pub_line(&public));
    let pid = sshd.pid();
    assert!(sshd::process_alive(pid));
    let mut client = sshd.ssh_command(user.name(), &private);
    client.arg("sleep 60");
    let client = support::spawn(client, None);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let session = loop {
        let tree = sshd::descendants(pid);
        let sleeping = tree.iter().any(|p| {
            std::fs::read_to_string(format!("/proc/{p}/comm")).map(|c| c.trim() == "sleep").unwrap_or(false)
        });
        if sleeping {
            break tree;
        }
        assert!(std::time::Instant::now() < deadline, "no session started; log:\n{}", sshd.log_text());
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    drop(sshd);
    assert!(!sshd::process_alive(pid), "sshd {pid} survived Drop");
    for p in session {
        assert!(!sshd::process_alive(p), "session process {p} survived Drop");
    }
    // The client sees its connection die: 255, ssh's own failure.
    let run = client.finish();
    assert_eq!(run.code, 255, "{}", run.stderr);
}

#[test]
fn harness_sftp_subsystem_can_be_left_out() {
    let env = Env::new();
    let (private, public) = key(&env, "id_ed25519");
    let batch = env.write("batch", "pwd\n");
    for sftp in [true, false] {
        let builder = Sshd::builder();
        let sshd = if sftp { builder.start() } else { builder.no_sftp().start() };
        let user = sshd.user();
        user.write_authorized_keys(pub_line(&public));
        let config = std::fs::read_to_string(sshd.config_path()).unwrap();
        assert_eq!(config.contains("Subsystem sftp"), sftp);
        let mut cmd = std::process::Command::new("sftp");
        cmd.args(["-F", "/dev/null", "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes", "-i"])
            .arg(&private)
            .arg("-o")
            .arg(format!("UserKnownHostsFile={}", sshd.known_hosts().display()))
            .args(["-o", "GlobalKnownHostsFile=/dev/null", "-b"])
            .arg(&batch)
            .arg("-P")
            .arg(sshd.port().to_string())
            .arg(format!("{}@127.0.0.1", user.name()))
            .env_remove("SSH_AUTH_SOCK");
        let run = support::spawn(cmd, None).finish();
        assert_eq!(run.code == 0, sftp, "sftp: {}", run.stderr);
        // The session really ran the batch (the home differs when not root: see sshd.rs).
        let pwd = run.out().contains("\nRemote working directory: /");
        assert_eq!(pwd, sftp, "sftp: {}\n{}", run.out(), run.stderr);
    }
}

#[test]
fn harness_extra_config_lines_win_over_defaults() {
    if !root_or_skip("harness_extra_config_lines_win_over_defaults") {
        return;
    }
    let sshd = Sshd::with_config(&["PasswordAuthentication no"]);
    let out = std::process::Command::new("/usr/sbin/sshd")
        .args(["-T", "-f"])
        .arg(sshd.config_path())
        .output()
        .unwrap();
    let effective = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "sshd -T: {}", String::from_utf8_lossy(&out.stderr));
    assert!(effective.contains("\npasswordauthentication no\n"), "{effective}");
    assert!(effective.contains("\nkbdinteractiveauthentication yes\n"), "{effective}");
}

#[test]
fn harness_agent_holds_added_key() {
    let env = Env::new();
    let (private, public) = key(&env, "id_ed25519");
    let agent = Agent::start();
    assert_eq!(agent.list(), "");
    agent.add(&private);
    assert_eq!(agent.list(), pub_line(&public));
    let pid = agent.pid();
    drop(agent);
    assert!(!sshd::process_alive(pid), "ssh-agent survived Drop");
}

// ---------------------------------------------------------------------------------------
// Authentication methods
// ---------------------------------------------------------------------------------------

#[test]
fn password_auth_installs_key() {
    let Some((env, sshd, user)) = setup("password_auth_installs_key") else { return };
    let (private, public) = key(&env, "id_ed25519");
    let run = copy_with_password(&env, &sshd, &user, &public, &[]).success();
    assert_eq!(run.out(), added_stdout(&sshd, &user, 1));
    assert!(run.stderr.contains(&source_line(&public)), "stderr:\n{}", run.stderr);
    assert_eq!(accepted(&sshd, "password", &user), 1, "log:\n{}", sshd.log_text());
    // A fresh install: .ssh 0700, authorized_keys 0600, owned by the user.
    assert_installed(&sshd, &user, &public, &private);
    assert_eq!(mode(user.home()), 0o755, "home mode unchanged");
}

#[test]
fn password_from_keywright_password_variable_installs_key() {
    let Some((env, sshd, user)) = setup("password_from_keywright_password_variable_installs_key") else {
        return;
    };
    let (private, public) = key(&env, "id_ed25519");
    let run = copy_id_with(
        &env,
        &["-i".to_string(), s(&public), dest(&sshd, &user)],
        &[("KEYWRIGHT_PASSWORD", OsStr::new(user.password()))],
    )
    .success();
    assert_eq!(run.out(), added_stdout(&sshd, &user, 1));
    assert_installed(&sshd, &user, &public, &private);
}

#[test]
fn password_file_dash_reads_standard_input() {
    let Some((env, sshd, user)) = setup("password_file_dash_reads_standard_input") else { return };
    let (private, public) = key(&env, "id_ed25519");
    let args = copy_id_args(&[
        "-i".to_string(),
        s(&public),
        "--password-file".into(),
        "-".into(),
        dest(&sshd, &user),
    ]);
    let input = format!("{}\n", user.password());
    let run = support::kw(&env, args, &[], Some(input.as_bytes())).success();
    assert_eq!(run.out(), added_stdout(&sshd, &user, 1));
    assert_installed(&sshd, &user, &public, &private);
}

#[test]
fn keyboard_interactive_installs_key_when_password_auth_is_off() {
    let test = "keyboard_interactive_installs_key_when_password_auth_is_off";
    let Some((env, sshd, user)) = setup_on(test, || Sshd::with_config(&["PasswordAuthentication no"])) else {
        return;
    };
    let (private, public) = key(&env, "id_ed25519");
    let run = copy_with_password(&env, &sshd, &user, &public, &[]).success();
    assert_eq!(run.out(), added_stdout(&sshd, &user, 1));
    assert_eq!(accepted(&sshd, "keyboard-interactive/pam", &user), 1, "log:\n{}", sshd.log_text());
    assert_eq!(accepted(&sshd, "password", &user), 0);
    assert_installed(&sshd, &user, &public, &private);
}

#[test]
fn key_auth_with_identity_in_home_installs_key_without_password() {
    let Some((env, sshd, user)) = setup("key_auth_with_identity_in_home_installs_key_without_password")
    else {
        return;
    };
    // The login key is ~/.ssh/id_ed25519 and already authorized; no password is given.
    let (login, login_pub) = key(&env, "id_ed25519");
    std::fs::rename(&login, env.path(".ssh/id_ed25519")).unwrap();
    std::fs::rename(&login_pub, env.path(".ssh/id_ed25519.pub")).unwrap();
    user.write_authorized_keys(pub_line(&env.path(".ssh/id_ed25519.pub")));
    let (private, public) = key(&env, "id_ecdsa_256");
    let run = copy_id(&env, &["-i".to_string(), s(&public), dest(&sshd, &user)]).success();
    assert_eq!(run.out(), added_stdout(&sshd, &user, 1));
    assert_eq!(accepted(&sshd, "publickey", &user), 1, "log:\n{}", sshd.log_text());
    let expected = format!("{}{}", pub_line(&env.path(".ssh/id_ed25519.pub")), pub_line(&public));
    assert_remote(&user, "authorized_keys", &expected);
    assert_login(&sshd, &user, &private);
    assert_login(&sshd, &user, &env.path(".ssh/id_ed25519"));
}

#[test]
fn agent_auth_installs_key_without_password() {
    let Some((env, sshd, user)) = setup("agent_auth_installs_key_without_password") else { return };
    let (login, login_pub) = key(&env, "id_ed25519");
    user.write_authorized_keys(pub_line(&login_pub));
    let agent = Agent::start();
    agent.add(&login);
    let (private, public) = key(&env, "id_rsa_2048");
    let run = copy_id_with(
        &env,
        &["-i".to_string(), s(&public), dest(&sshd, &user)],
        &[("SSH_AUTH_SOCK", agent.sock().as_os_str())],
    )
    .success();
    assert_eq!(run.out(), added_stdout(&sshd, &user, 1));
    assert_eq!(accepted(&sshd, "publickey", &user), 1, "log:\n{}", sshd.log_text());
    assert_remote(&user, "authorized_keys", &format!("{}{}", pub_line(&login_pub), pub_line(&public)));
    assert_login(&sshd, &user, &private);
}

/// A wrong password was reported as "permission denied" with a hint to give a password,
/// which had been given: it says the password was rejected.
#[test]
fn wrong_password_is_reported_rejected_and_writes_nothing() {
    let Some((env, sshd, user)) = setup("wrong_password_is_reported_rejected_and_writes_nothing") else {
        return;
    };
    let (_, public) = key(&env, "id_ed25519");
    let password = password_file(&env, "not-the-password");
    let dest = dest(&sshd, &user);
    let run =
        copy_id(&env, &["-i".to_string(), s(&public), "--password-file".into(), s(&password), dest.clone()]);
    assert_eq!(assert_failed(&run, &dest), password_rejected(user.name()));
    let hint = format!("keywright: {dest}: hint: {PASSWORD_REJECTED_HINT}\n");
    assert_eq!(run.stderr, format!("{}\n{hint}", source_line(&public)));
    assert_eq!(accepted(&sshd, "password", &user), 0);
    assert_untouched(&user);
}

/// With no password and no key that works, the failure said "permission denied" alone:
/// it says whether there was nothing to try, keys that were refused, or a server that
/// takes no password.
#[test]
fn nothing_to_try_refused_keys_and_no_password_server_are_told_apart() {
    let Some((env, sshd, user)) = setup("nothing_to_try_refused_keys_and_no_password_server_are_told_apart")
    else {
        return;
    };
    let (_, public) = key(&env, "id_ed25519");
    let target = dest(&sshd, &user);
    let run = copy_id(&env, &["-i".to_string(), s(&public), target.clone()]);
    let denied = format!("{}@127.0.0.1: permission denied", user.name());
    assert_eq!(assert_failed(&run, &target), format!("{denied}: no key or password to try"));
    let hint =
        |target: &str, text: &str| format!("{}\nkeywright: {target}: hint: {text}\n", source_line(&public));
    assert_eq!(run.stderr, hint(&target, NO_PASSWORD_HINT));
    // A key in ~/.ssh the account does not accept.
    env.ssh_keygen(["-q", "-t", "ed25519", "-N", "", "-f", ".ssh/id_ed25519"]).success();
    let run = copy_id(&env, &["-i".to_string(), s(&public), target.clone()]);
    let reason = format!("{denied}: the server refused 1 key(s) and no password was given");
    assert_eq!(assert_failed(&run, &target), reason);
    assert_eq!(run.stderr, hint(&target, NO_PASSWORD_HINT));
    // A server that takes keys only: a password would not help.
    let keys_only = Sshd::with_config(&["PasswordAuthentication no", "KbdInteractiveAuthentication no"]);
    let user = keys_only.user();
    trust(&env, &keys_only);
    let target = dest(&keys_only, &user);
    let password = password_file(&env, user.password());
    let run = copy_id(
        &env,
        &["-i".to_string(), s(&public), "--password-file".into(), s(&password), target.clone()],
    );
    let reason = format!(
        "{}@127.0.0.1: permission denied: the server refused 1 key(s) and the server accepts no password",
        user.name()
    );
    assert_eq!(assert_failed(&run, &target), reason);
    let only_keys =
        "give an identity the account accepts with -o IdentityFile=KEY, or load it into ssh-agent";
    assert_eq!(run.stderr, hint(&target, only_keys));
    assert_untouched(&user);
}

// ---------------------------------------------------------------------------------------
// Targets and output
// ---------------------------------------------------------------------------------------

#[test]
fn port_login_and_ssh_url_forms_reach_the_same_account() {
    let Some((env, sshd, user)) = setup("port_login_and_ssh_url_forms_reach_the_same_account") else {
        return;
    };
    let (private, public) = key(&env, "id_ed25519");
    let password = password_file(&env, user.password());
    let base = ["-i".to_string(), s(&public), "--password-file".into(), s(&password)];
    let port = sshd.port().to_string();
    let run = copy_id(
        &env,
        &[&base[..], &["-p".into(), port.clone(), "-l".into(), user.name().into(), "127.0.0.1".into()]]
            .concat(),
    )
    .success();
    assert_eq!(run.out(), added_stdout(&sshd, &user, 1));
    let url = format!("ssh://{}@127.0.0.1:{port}", user.name());
    let run = copy_id(&env, &[&base[..], &[url]].concat()).success();
    assert_eq!(run.out(), format!("{}: already present\n", dest(&sshd, &user)));
    let run =
        copy_id(&env, &[&base[..], &["-p".into(), port, format!("{}@127.0.0.1", user.name())]].concat())
            .success();
    assert_eq!(run.out(), format!("{}: already present\n", dest(&sshd, &user)));
    assert_installed(&sshd, &user, &public, &private);
}

#[test]
fn ssh_config_alias_gives_host_port_and_user() {
    let Some((env, sshd, user)) = setup("ssh_config_alias_gives_host_port_and_user") else { return };
    let (private, public) = key(&env, "id_ed25519");
    let config =
        format!("Host testbox\n  HostName 127.0.0.1\n  Port {}\n  User {}\n", sshd.port(), user.name());
    let config = env.write("alt_config", config);
    let password = password_file(&env, user.password());
    let args = [
        "-F".to_string(),
        s(&config),
        "-i".into(),
        s(&public),
        "--password-file".into(),
        s(&password),
        "testbox".into(),
    ];
    let run = copy_id(&env, &args).success();
    let first = run.out().lines().next().unwrap_or_default().to_string();
    assert_eq!(
        first,
        format!("{}@testbox:{}: added 1 key(s)", user.name(), sshd.port()),
        "stdout:\n{}",
        run.out()
    );
    assert_installed(&sshd, &user, &public, &private);
}

#[test]
fn quiet_prints_only_the_result_line() {
    let Some((env, sshd, user)) = setup("quiet_prints_only_the_result_line") else { return };
    let (_, public) = key(&env, "id_ed25519");
    let run = copy_with_password(&env, &sshd, &user, &public, &["-q"]).success();
    assert_eq!(run.out(), format!("{}: added 1 key(s)\n", dest(&sshd, &user)));
    assert_eq!(run.stderr, "");
    assert_remote(&user, "authorized_keys", &pub_line(&public));
}

// ---------------------------------------------------------------------------------------
// The remote file
// ---------------------------------------------------------------------------------------

#[test]
fn rerun_reports_already_present_and_leaves_file_identical() {
    let Some((env, sshd, user)) = setup("rerun_reports_already_present_and_leaves_file_identical") else {
        return;
    };
    let (private, public) = key(&env, "id_ed25519");
    copy_with_password(&env, &sshd, &user, &public, &[]).success();
    let before = std::fs::read(user.authorized_keys()).unwrap();
    let run = copy_with_password(&env, &sshd, &user, &public, &[]).success();
    assert_eq!(run.out(), format!("{}: already present\n", dest(&sshd, &user)));
    assert_eq!(std::fs::read(user.authorized_keys()).unwrap(), before);
    assert_installed(&sshd, &user, &public, &private);
}

#[test]
fn key_present_with_options_is_not_added_again() {
    let Some((env, sshd, user)) = setup("key_present_with_options_is_not_added_again") else { return };
    let (_, public) = key(&env, "id_ed25519");
    let existing = format!("from=\"10.0.0.0/8\" {} old\n", key_data(&public));
    user.write_authorized_keys(&existing);
    let run = copy_with_password(&env, &sshd, &user, &public, &[]).success();
    assert_eq!(run.out(), format!("{}: already present\n", dest(&sshd, &user)));
    assert_remote(&user, "authorized_keys", &existing);
}

/// sshd skips every blank between options and key (ssh-keygen -l only one): the key
/// logs in restricted, so no unrestricted twin may be added.
#[test]
fn key_behind_options_and_several_blanks_is_not_added_again() {
    let Some((env, sshd, user)) = setup("key_behind_options_and_several_blanks_is_not_added_again") else {
        return;
    };
    let (private, public) = key(&env, "id_ed25519");
    let existing = format!("no-pty \t {} old\r\n", key_data(&public));
    user.write_authorized_keys(&existing);
    assert_login(&sshd, &user, &private);
    let run = copy_with_password(&env, &sshd, &user, &public, &[]).success();
    assert_eq!(run.out(), format!("{}: already present\n", dest(&sshd, &user)));
    assert_remote(&user, "authorized_keys", &existing);
}

#[test]
fn force_adds_a_present_key_again() {
    let Some((env, sshd, user)) = setup("force_adds_a_present_key_again") else { return };
    let (private, public) = key(&env, "id_ed25519");
    let existing = format!("from=\"10.0.0.0/8\" {} old\n", key_data(&public));
    user.write_authorized_keys(&existing);
    let run = copy_with_password(&env, &sshd, &user, &public, &["-f"]).success();
    assert_eq!(run.out(), added_stdout(&sshd, &user, 1));
    assert_remote(&user, "authorized_keys", &format!("{existing}{}", pub_line(&public)));
    assert_login(&sshd, &user, &private);
}

#[test]
fn missing_trailing_newline_is_kept_and_new_key_goes_on_its_own_line() {
    let Some((env, sshd, user)) = setup("missing_trailing_newline_is_kept_and_new_key_goes_on_its_own_line")
    else {
        return;
    };
    let (old, old_pub) = key(&env, "id_rsa_2048");
    let (private, public) = key(&env, "id_ed25519");
    let existing = format!("# managed by hand\n{} old-key", key_data(&old_pub));
    user.write_authorized_keys(&existing);
    copy_with_password(&env, &sshd, &user, &public, &[]).success();
    assert_remote(&user, "authorized_keys", &format!("{existing}\n{}", pub_line(&public)));
    assert_login(&sshd, &user, &private);
    assert_login(&sshd, &user, &old);
}

#[test]
fn loose_modes_lose_group_and_other_write_bits() {
    let Some((env, sshd, user)) = setup("loose_modes_lose_group_and_other_write_bits") else { return };
    let (old, old_pub) = key(&env, "id_rsa_2048");
    let (private, public) = key(&env, "id_ed25519");
    user.mkdir(".ssh", 0o777);
    user.write(".ssh/authorized_keys", pub_line(&old_pub), 0o666);
    assert!(!sshd.login_ok(user.name(), &old), "StrictModes refuses the loose file before the repair");
    copy_with_password(&env, &sshd, &user, &public, &[]).success();
    let path = user.authorized_keys();
    assert_eq!(
        std::fs::read_to_string(path).unwrap(),
        format!("{}{}", pub_line(&old_pub), pub_line(&public))
    );
    // mode & !0o022: 0777 -> 0755, 0666 -> 0644.
    assert_modes_and_owner(&user, "authorized_keys", 0o755, 0o644);
    assert_login(&sshd, &user, &private);
    assert_login(&sshd, &user, &old);
}

#[test]
fn group_writable_home_gives_a_warning_only() {
    let Some((env, sshd, user)) = setup("group_writable_home_gives_a_warning_only") else { return };
    let (_, public) = key(&env, "id_ed25519");
    user.set_home_mode(0o775);
    let run = copy_with_password(&env, &sshd, &user, &public, &[]).success();
    assert_eq!(run.out(), added_stdout(&sshd, &user, 1));
    let (dest, home) = (dest(&sshd, &user), user.home().display());
    let expected = format!(
        "{}\n\
         keywright: warning: {dest}: {home} is writable by group or others (775); sshd's StrictModes ignores keys there: chmod go-w {home}\n\
         keywright: {dest}: created {home}/.ssh (mode 700)\n",
        source_line(&public)
    );
    assert_eq!(run.stderr, expected);
    assert_eq!(mode(user.home()), 0o775, "the home directory is not changed");
    assert_remote(&user, "authorized_keys", &pub_line(&public));
}

#[test]
fn target_path_writes_that_file() {
    let Some((env, sshd, user)) = setup("target_path_writes_that_file") else { return };
    let (_, public) = key(&env, "id_ed25519");
    let run =
        copy_with_password(&env, &sshd, &user, &public, &["--target-path", ".ssh/other_keys"]).success();
    assert_eq!(run.out(), added_stdout(&sshd, &user, 1));
    assert_remote(&user, "other_keys", &pub_line(&public));
    assert!(!user.authorized_keys().exists());
}

#[test]
fn dry_run_reports_and_writes_nothing() {
    let Some((env, sshd, user)) = setup("dry_run_reports_and_writes_nothing") else { return };
    let (_, public) = key(&env, "id_ed25519");
    let run = copy_with_password(&env, &sshd, &user, &public, &["--dry-run"]).success();
    assert_eq!(run.out(), format!("{}: would add 1 key(s)\n", dest(&sshd, &user)));
    assert_untouched(&user);
}

/// A dry run's summary said `"added": 1` (JSON) and "N added keys" (text) although
/// nothing was added: it counts what would be added, and `added` stays what was added.
#[test]
fn dry_run_summary_counts_what_would_be_added() {
    let test = "dry_run_summary_counts_what_would_be_added";
    let Some((env, sshd, users, password)) = setup_accounts(test, 2) else { return };
    let (_, public) = key(&env, "id_ed25519");
    users[0].write_authorized_keys(pub_line(&public));
    let mut args = vec!["-n".to_string(), "-i".into(), s(&public), "--password-file".into(), s(&password)];
    args.extend(users.iter().map(|u| dest(&sshd, u)));
    let run = copy_id(&env, &args).success();
    let hosts = vec![
        format!("{}: already present", dest(&sshd, &users[0])),
        format!("{}: would add 1 key(s)", dest(&sshd, &users[1])),
    ];
    assert_hosts_then_summary(&run, hosts, "2 hosts: 1 would get keys, 1 already had them, 0 failed");
    args.extend(["--format".into(), "json".into()]);
    let run = copy_id(&env, &args).success();
    let json: serde_json::Value =
        serde_json::from_slice(&run.stdout).unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", run.out()));
    assert_eq!(json["hosts"][1]["status"], "would-add", "{json}");
    let summary = serde_json::json!({"hosts": 2, "added": 0, "would_add": 1, "present": 1, "failed": 0});
    assert_eq!(json["summary"], summary, "{json}");
    assert_untouched(&users[1]);
}

// ---------------------------------------------------------------------------------------
// Transports
// ---------------------------------------------------------------------------------------

#[test]
fn shell_and_sftp_transports_give_the_same_result() {
    let Some((env, sshd, shell_user)) = setup("shell_and_sftp_transports_give_the_same_result") else {
        return;
    };
    let sftp_user = sshd.user();
    let (old, old_pub) = key(&env, "id_rsa_2048");
    let (private, public) = key(&env, "id_ed25519");
    let mut results = Vec::new();
    for (user, transport) in [(&shell_user, "shell"), (&sftp_user, "sftp")] {
        // An existing file without a final newline, loose modes: the interesting path.
        user.mkdir(".ssh", 0o775);
        user.write(".ssh/authorized_keys", key_data(&old_pub), 0o664);
        let run = copy_with_password(&env, &sshd, user, &public, &["--transport", transport]).success();
        assert_eq!(run.out(), added_stdout(&sshd, user, 1), "--transport {transport}");
        let text = user.read_authorized_keys().unwrap();
        assert_eq!(text, format!("{}\n{}", key_data(&old_pub), pub_line(&public)), "--transport {transport}");
        assert_modes_and_owner(user, "authorized_keys", 0o755, 0o644);
        assert_login(&sshd, user, &private);
        assert_login(&sshd, user, &old);
        results.push(text);
    }
    assert_eq!(results[0], results[1]);
}

#[test]
fn auto_transport_falls_back_to_shell_without_sftp_subsystem() {
    let test = "auto_transport_falls_back_to_shell_without_sftp_subsystem";
    let Some((env, sshd, user)) = setup_on(test, || Sshd::builder().no_sftp().start()) else { return };
    let (private, public) = key(&env, "id_ed25519");
    let run = copy_with_password(&env, &sshd, &user, &public, &[]).success();
    assert_eq!(run.out(), added_stdout(&sshd, &user, 1));
    assert_installed(&sshd, &user, &public, &private);
}

#[test]
fn sftp_transport_fails_without_sftp_subsystem() {
    let test = "sftp_transport_fails_without_sftp_subsystem";
    let Some((env, sshd, user)) = setup_on(test, || Sshd::builder().no_sftp().start()) else { return };
    let (_, public) = key(&env, "id_ed25519");
    let run = copy_with_password(&env, &sshd, &user, &public, &["--transport", "sftp"]);
    assert_eq!(assert_failed(&run, &dest(&sshd, &user)), "the server offers no SFTP");
    assert_untouched(&user);
}

// ---------------------------------------------------------------------------------------
// Host keys
// ---------------------------------------------------------------------------------------

/// A home with no ~/.ssh/known_hosts and a separate known_hosts file holding `contents`.
fn host_key_setup(test: &str, contents: impl Fn(&Sshd) -> String) -> Option<(Env, Sshd, TestUser, PathBuf)> {
    if !root_or_skip(test) {
        return None;
    }
    let sshd = Sshd::start();
    let user = sshd.user();
    let env = Env::new();
    let file = env.write("hosts/known", contents(&sshd));
    Some((env, sshd, user, file))
}

/// The type (`ED25519`, `RSA`) and SHA256 fingerprint of host key `kind`, by ssh-keygen.
fn host_key_fingerprint(env: &Env, sshd: &Sshd, kind: &str) -> (String, String) {
    env.write("host_key.pub", sshd.host_key(kind));
    let run = env.ssh_keygen(["-l", "-f", "host_key.pub"]).success();
    // BITS SHA256:… COMMENT (TYPE)
    let out = run.out();
    let fields: Vec<&str> = out.split_whitespace().collect();
    let kind = fields.last().unwrap().trim_matches(|c| c == '(' || c == ')');
    (kind.to_string(), fields[1].to_string())
}

fn with_known_hosts(file: &Path) -> String {
    format!("UserKnownHostsFile={}", file.display())
}

#[test]
fn unknown_host_key_is_refused_in_batch_mode() {
    let Some((env, sshd, user, file)) =
        host_key_setup("unknown_host_key_is_refused_in_batch_mode", |_| String::new())
    else {
        return;
    };
    let (_, public) = key(&env, "id_ed25519");
    let run = copy_with_password(&env, &sshd, &user, &public, &["-o", &with_known_hosts(&file)]);
    let reason = assert_failed(&run, &dest(&sshd, &user));
    // Either host key may be the one negotiated; it is named as OpenSSH names it.
    let unknown = |kind| {
        let (type_name, fingerprint) = host_key_fingerprint(&env, &sshd, kind);
        format!(
            "host key verification failed: {} is not a known host ({type_name} {fingerprint})",
            sshd.host_pattern()
        )
    };
    assert!(reason == unknown("ed25519") || reason == unknown("rsa"), "{reason}");
    assert_untouched(&user);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "", "known_hosts must not change");
    assert!(!env.path(".ssh/known_hosts").exists());
}

#[test]
fn accept_new_installs_and_records_a_hashed_host_key() {
    let Some((env, sshd, user, file)) =
        host_key_setup("accept_new_installs_and_records_a_hashed_host_key", |_| String::new())
    else {
        return;
    };
    let (private, public) = key(&env, "id_ed25519");
    let extra = ["-o", &with_known_hosts(&file), "-o", "StrictHostKeyChecking=accept-new"];
    let run = copy_with_password(&env, &sshd, &user, &public, &extra).success();
    assert_eq!(run.out(), added_stdout(&sshd, &user, 1));
    assert_installed(&sshd, &user, &public, &private);
    let text = std::fs::read_to_string(&file).unwrap();
    assert_eq!(text.lines().count(), 1, "one new entry:\n{text}");
    assert!(text.starts_with("|1|") && text.ends_with('\n'), "hashed entry expected:\n{text}");
    let found = env.ssh_keygen(["-F", &sshd.host_pattern(), "-f", &s(&file)]).success();
    let found = found.out();
    let keys = [sshd.host_key("ed25519"), sshd.host_key("rsa")];
    assert!(keys.iter().any(|k| found.contains(k.as_str())), "ssh-keygen -F found:\n{found}");
    // Now known: a second run (without accept-new) connects.
    let run = copy_with_password(&env, &sshd, &user, &public, &["-o", &with_known_hosts(&file)]).success();
    assert_eq!(run.out(), format!("{}: already present\n", dest(&sshd, &user)));
}

#[test]
fn changed_host_key_is_refused_with_openssh_warning() {
    let wrong = key_data(&testdata("keys/id_ed25519.pub"));
    let contents = |sshd: &Sshd| format!("# first line\n{} {wrong}\n", sshd.host_pattern());
    let Some((env, sshd, user, file)) =
        host_key_setup("changed_host_key_is_refused_with_openssh_warning", contents)
    else {
        return;
    };
    let (_, public) = key(&env, "id_ed25519");
    let run = copy_with_password(&env, &sshd, &user, &public, &["-o", &with_known_hosts(&file)]);
    let changed = format!("host key verification failed: the host key changed ({}:2)", file.display());
    assert_eq!(assert_failed(&run, &dest(&sshd, &user)), changed);
    assert!(run.stderr.contains("REMOTE HOST IDENTIFICATION HAS CHANGED"), "stderr:\n{}", run.stderr);
    assert!(
        run.stderr.contains(&format!("{}:2", file.display())),
        "stderr should name the file:line:\n{}",
        run.stderr
    );
    assert_untouched(&user);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), contents(&sshd), "known_hosts must not change");
}

#[test]
fn changed_host_key_is_refused_even_with_accept_new() {
    let wrong = key_data(&testdata("keys/id_ed25519.pub"));
    let Some((env, sshd, user, file)) =
        host_key_setup("changed_host_key_is_refused_even_with_accept_new", |sshd| {
            format!("{} {wrong}\n", sshd.host_pattern())
        })
    else {
        return;
    };
    let (_, public) = key(&env, "id_ed25519");
    let extra = ["-o", &with_known_hosts(&file), "-o", "StrictHostKeyChecking=accept-new"];
    let run = copy_with_password(&env, &sshd, &user, &public, &extra);
    let changed = format!("host key verification failed: the host key changed ({}:1)", file.display());
    assert_eq!(assert_failed(&run, &dest(&sshd, &user)), changed);
    assert!(run.stderr.contains("REMOTE HOST IDENTIFICATION HAS CHANGED"), "stderr:\n{}", run.stderr);
    assert_untouched(&user);
}

#[test]
fn revoked_host_key_is_refused() {
    let Some((env, sshd, user, file)) = host_key_setup("revoked_host_key_is_refused", |sshd| {
        format!("@revoked {0}\n{0}\n", sshd.host_key_line())
    }) else {
        return;
    };
    let (_, public) = key(&env, "id_ed25519");
    let run = copy_with_password(&env, &sshd, &user, &public, &["-o", &with_known_hosts(&file)]);
    let revoked = format!("host key verification failed: the host key is revoked ({}:1)", file.display());
    assert_eq!(assert_failed(&run, &dest(&sshd, &user)), revoked);
    assert!(run.stderr.contains("REVOKED HOST KEY DETECTED"), "stderr:\n{}", run.stderr);
    assert_untouched(&user);
}

// ---------------------------------------------------------------------------------------
// Many targets
// ---------------------------------------------------------------------------------------

/// Asserts per-host lines (in any order) followed by the summary line.
#[track_caller]
fn assert_hosts_then_summary(run: &Run, mut hosts: Vec<String>, summary: &str) {
    let out = run.out();
    let mut lines: Vec<String> = out.lines().map(str::to_string).collect();
    assert_eq!(lines.pop().as_deref(), Some(summary), "stdout:\n{out}\nstderr:\n{}", run.stderr);
    lines.sort();
    hosts.sort();
    assert_eq!(lines, hosts, "stdout:\n{out}\nstderr:\n{}", run.stderr);
}

#[test]
fn three_targets_in_one_run_all_get_the_key() {
    let test = "three_targets_in_one_run_all_get_the_key";
    let Some((env, sshd, users, password)) = setup_accounts(test, 3) else { return };
    let (private, public) = key(&env, "id_ed25519");
    let mut args = vec!["-i".to_string(), s(&public), "--password-file".into(), s(&password)];
    args.extend(users.iter().map(|u| dest(&sshd, u)));
    let run = copy_id(&env, &args).success();
    let hosts = users.iter().map(|u| format!("{}: added 1 key(s)", dest(&sshd, u))).collect();
    assert_hosts_then_summary(&run, hosts, "3 hosts: 3 added keys, 0 already had them, 0 failed");
    for user in &users {
        assert_installed(&sshd, user, &public, &private);
    }
}

#[test]
fn hosts_file_targets_with_comments_all_get_the_key() {
    let test = "hosts_file_targets_with_comments_all_get_the_key";
    let Some((env, sshd, users, password)) = setup_accounts(test, 3) else { return };
    let (private, public) = key(&env, "id_ed25519");
    // The first account already has the key.
    users[0].write_authorized_keys(pub_line(&public));
    let list = format!(
        "# test accounts\n{}\n\n{}\n# the last one\n{}\n",
        dest(&sshd, &users[0]),
        dest(&sshd, &users[1]),
        dest(&sshd, &users[2])
    );
    let hosts_file = env.write("hosts.txt", list);
    let args = [
        "-i".to_string(),
        s(&public),
        "--password-file".into(),
        s(&password),
        "--hosts-file".into(),
        s(&hosts_file),
    ];
    let run = copy_id(&env, &args).success();
    let hosts = vec![
        format!("{}: already present", dest(&sshd, &users[0])),
        format!("{}: added 1 key(s)", dest(&sshd, &users[1])),
        format!("{}: added 1 key(s)", dest(&sshd, &users[2])),
    ];
    assert_hosts_then_summary(&run, hosts, "3 hosts: 2 added keys, 1 already had them, 0 failed");
    for user in &users {
        assert_installed(&sshd, user, &public, &private);
    }
}

#[test]
fn one_failing_target_fails_the_run_but_the_others_get_the_key() {
    let test = "one_failing_target_fails_the_run_but_the_others_get_the_key";
    let Some((env, sshd, good, password)) = setup_accounts(test, 2) else { return };
    let wrong_password = sshd.user();
    let missing_user = sshd.missing_user_name();
    let missing = format!("{missing_user}@127.0.0.1:{}", sshd.port());
    let (private, public) = key(&env, "id_ed25519");
    let args = [
        "-i".to_string(),
        s(&public),
        "--password-file".into(),
        s(&password),
        dest(&sshd, &good[0]),
        missing.clone(),
        dest(&sshd, &wrong_password),
        dest(&sshd, &good[1]),
    ];
    let run = copy_id(&env, &args).code(1);
    // A missing account and a wrong password look the same from outside, as they must.
    let hosts = vec![
        format!("{}: added 1 key(s)", dest(&sshd, &good[0])),
        format!("{missing}: failed: {}", password_rejected(&missing_user)),
        format!("{}: failed: {}", dest(&sshd, &wrong_password), password_rejected(wrong_password.name())),
        format!("{}: added 1 key(s)", dest(&sshd, &good[1])),
    ];
    assert_hosts_then_summary(&run, hosts, "4 hosts: 2 added keys, 0 already had them, 2 failed");
    for user in &good {
        assert_installed(&sshd, user, &public, &private);
    }
    assert_untouched(&wrong_password);
}

#[test]
fn concurrent_runs_against_one_account_all_land() {
    let Some((env, sshd, user)) = setup("concurrent_runs_against_one_account_all_land") else { return };
    let password = password_file(&env, user.password());
    let keys = fresh_keys(&env, 5);
    let running: Vec<_> = keys
        .iter()
        .map(|k| {
            let args = [
                "-i".to_string(),
                s(&public_of(k)),
                "--password-file".into(),
                s(&password),
                dest(&sshd, &user),
            ];
            spawn_copy_id(&env, &args)
        })
        .collect();
    for run in running {
        let run = run.finish().success();
        assert_eq!(run.out(), added_stdout(&sshd, &user, 1));
    }
    let publics: Vec<PathBuf> = keys.iter().map(|k| public_of(k)).collect();
    assert_each_key_once(&user, &publics);
    for k in &keys {
        assert_login(&sshd, &user, k);
    }
}

#[test]
fn many_concurrent_runs_over_sftp_and_shell_all_land() {
    // More contention for the lock than the test above: 8 runs per account, one account
    // written through SFTP and one through the shell, all 16 at once.
    let test = "many_concurrent_runs_over_sftp_and_shell_all_land";
    let Some((env, sshd, users, password)) = setup_accounts(test, 2) else { return };
    let keys = fresh_keys(&env, 8);
    let mut running = Vec::new();
    for k in &keys {
        for (user, transport) in [(&users[0], "sftp"), (&users[1], "shell")] {
            let args = [
                "-i".to_string(),
                s(&public_of(k)),
                "--password-file".into(),
                s(&password),
                "--transport".into(),
                transport.into(),
                dest(&sshd, user),
            ];
            running.push((user, spawn_copy_id(&env, &args)));
        }
    }
    for (user, run) in running {
        let run = run.finish().success();
        assert_eq!(run.out(), added_stdout(&sshd, user, 1));
    }
    let publics: Vec<PathBuf> = keys.iter().map(|k| public_of(k)).collect();
    for user in &users {
        assert_each_key_once(user, &publics);
    }
    assert_login(&sshd, &users[0], &keys[7]);
    assert_login(&sshd, &users[1], &keys[0]);
}

// ---------------------------------------------------------------------------------------
// Key selection, JSON, usage errors
// ---------------------------------------------------------------------------------------

#[test]
fn newest_id_pub_in_home_is_installed_without_i_or_agent() {
    let Some((env, sshd, user)) = setup("newest_id_pub_in_home_is_installed_without_i_or_agent") else {
        return;
    };
    let set_mtime = |path: &Path, seconds_ago: u64| {
        let when = std::time::SystemTime::now() - std::time::Duration::from_secs(seconds_ago);
        std::fs::File::options().write(true).open(path).unwrap().set_modified(when).unwrap();
    };
    let older = env.write(".ssh/id_rsa.pub", pub_line(&testdata("keys/id_rsa_2048.pub")));
    let newest = env.write(".ssh/id_ed25519.pub", pub_line(&testdata("keys/id_ed25519.pub")));
    let cert = env.write(".ssh/id_ecdsa-cert.pub", pub_line(&testdata("keys/id_ecdsa_256.pub")));
    set_mtime(&older, 3600);
    set_mtime(&newest, 60);
    set_mtime(&cert, 0);
    let password = password_file(&env, user.password());
    let run = copy_id(&env, &["--password-file".to_string(), s(&password), dest(&sshd, &user)]).success();
    assert_eq!(run.out(), added_stdout(&sshd, &user, 1));
    assert!(run.stderr.contains(&source_line(&newest)), "stderr:\n{}", run.stderr);
    assert_remote(&user, "authorized_keys", &pub_line(&newest));
    let (private, _) = key(&env, "id_ed25519");
    assert_login(&sshd, &user, &private);
}

#[test]
fn json_output_reports_added_present_and_failed_hosts() {
    let Some((env, sshd, user)) = setup("json_output_reports_added_present_and_failed_hosts") else { return };
    let (_, public) = key(&env, "id_ed25519");
    let fingerprint = std::fs::read_to_string(testdata("keys/id_ed25519.pub.fp")).unwrap();
    let fingerprint = fingerprint.split_whitespace().nth(1).unwrap().to_string();
    let target = dest(&sshd, &user);

    let run = copy_with_password(&env, &sshd, &user, &public, &["--format", "json"]).success();
    super::json::assert_documented("copy-id", &run.stdout);
    let json: serde_json::Value =
        serde_json::from_slice(&run.stdout).unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", run.out()));
    // A key is named as every command names it (docs/json.md): the type as ssh-keygen -l prints it.
    let key = serde_json::json!({"type": "ED25519", "bits": 256, "fingerprint": fingerprint, "comment": "id_ed25519@keywright.test"});
    let host = &json["hosts"][0];
    assert_eq!(json["hosts"].as_array().unwrap().len(), 1);
    assert_eq!(host["target"], target.as_str());
    assert_eq!(host["user"], user.name());
    assert_eq!(host["host"], "127.0.0.1");
    assert_eq!(host["port"], sshd.port());
    assert_eq!(host["status"], "added");
    assert_eq!(host["added"], serde_json::json!([key.clone()]));
    assert_eq!(host["present"], serde_json::json!([]));
    assert_eq!(host["error"], serde_json::Value::Null);
    let created = format!("created {}/.ssh (mode 700)", user.home().display());
    assert_eq!(host["notes"], serde_json::json!([created]), "{json}");
    assert_eq!(
        json["summary"],
        serde_json::json!({"hosts": 1, "added": 1, "would_add": 0, "present": 0, "failed": 0})
    );
    assert_remote(&user, "authorized_keys", &pub_line(&public));

    // Again, plus an account that does not exist.
    let missing_user = sshd.missing_user_name();
    let missing = format!("{missing_user}@127.0.0.1:{}", sshd.port());
    let password = password_file(&env, user.password());
    let args = [
        "-i".to_string(),
        s(&public),
        "--password-file".into(),
        s(&password),
        "--format".into(),
        "json".into(),
        target.clone(),
        missing.clone(),
    ];
    let run = copy_id(&env, &args).code(1);
    super::json::assert_documented("copy-id", &run.stdout);
    let json: serde_json::Value =
        serde_json::from_slice(&run.stdout).unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", run.out()));
    let hosts = json["hosts"].as_array().unwrap();
    assert_eq!(hosts.len(), 2, "{json}");
    let present = hosts.iter().find(|h| h["target"] == target.as_str()).expect("present host");
    assert_eq!(present["status"], "present");
    assert_eq!(present["added"], serde_json::json!([]));
    assert_eq!(present["present"], serde_json::json!([key]));
    assert_eq!(present["error"], serde_json::Value::Null);
    let failed = hosts.iter().find(|h| h["target"] == missing.as_str()).expect("failed host");
    assert_eq!(failed["status"], "failed");
    assert_eq!(failed["error"], password_rejected(&missing_user), "{json}");
    assert_eq!(failed["hint"], PASSWORD_REJECTED_HINT, "{json}");
    assert_eq!(failed["added"], serde_json::json!([]));
    assert_eq!(
        json["summary"],
        serde_json::json!({"hosts": 2, "added": 0, "would_add": 0, "present": 1, "failed": 1})
    );
    assert_remote(&user, "authorized_keys", &pub_line(&public));
}

#[test]
fn no_keys_to_install_is_a_usage_error() {
    let env = Env::new();
    // Nothing listens on port 1; with no key to install keywright must not even connect.
    let run = copy_id(&env, &["someone@127.0.0.1:1"]).code(2);
    assert_eq!(run.out(), "");
    assert_eq!(
        run.stderr,
        "keywright: error: no keys to install: no -i, no ssh-agent keys, and no ~/.ssh/id_*.pub\n\
         keywright: hint: make a key with `keywright generate`, or name one with -i\n"
    );
}

#[test]
fn unreadable_key_file_is_a_usage_error() {
    let env = Env::new();
    let run = copy_id(&env, &["-i", "does-not-exist.pub", "someone@127.0.0.1:1"]).code(2);
    assert_eq!(run.out(), "");
    assert_eq!(
        run.stderr,
        "keywright: error: does-not-exist.pub: no such file or directory\nkeywright: hint: check the path\n"
    );
}

/// A loopback port nobody listens on (bound, then closed).
fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A loopback listener that drops SYNs, as a blackholed address does: backlog 0, never
/// accepting, its queue filled by connections of our own. (No firewall rule is needed,
/// and nothing leaves loopback.) Holds the runtime, the listener and the fillers.
struct Blackhole {
    port: u16,
    _runtime: tokio::runtime::Runtime,
    _listener: tokio::net::TcpListener,
    _fillers: Vec<std::net::TcpStream>,
}

impl Blackhole {
    fn new() -> Blackhole {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let listener = runtime.block_on(async {
            let socket = tokio::net::TcpSocket::new_v4().unwrap();
            socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
            socket.listen(0).unwrap()
        });
        let address = listener.local_addr().unwrap();
        // Connect until one does not complete: from then on the listener drops SYNs.
        let mut fillers = Vec::new();
        while let Ok(stream) =
            std::net::TcpStream::connect_timeout(&address, std::time::Duration::from_millis(300))
        {
            fillers.push(stream);
            assert!(fillers.len() < 16, "the listen queue never filled");
        }
        Blackhole { port: address.port(), _runtime: runtime, _listener: listener, _fillers: fillers }
    }
}

/// A refused connection had no hint, and a connection that never completed could be
/// reported as a bare "timed out" (the host's limit and the connect limit raced): a
/// refused port says nothing listens there, and a connect that hangs says it timed out
/// connecting, with the limit and a hint. Loopback only: a listener whose queue is full
/// drops SYNs as a blackholed address does.
#[test]
fn refused_and_blackholed_connections_say_what_happened_with_a_hint() {
    let env = Env::new();
    let (_, public) = key(&env, "id_ed25519");
    let port = closed_port();
    let target = format!("someone@127.0.0.1:{port}");
    let run = copy_id(&env, &["-i".to_string(), s(&public), target.clone()]);
    assert_eq!(
        run.out(),
        format!("{target}: failed: cannot connect to 127.0.0.1:{port}: connection refused\n")
    );
    assert_eq!(
        run.stderr,
        format!(
            "{}\nkeywright: {target}: hint: nothing listens on that port: check that sshd runs on the host and the port (TARGET:PORT, -p, or Port in the ssh config)\n",
            source_line(&public)
        )
    );
    assert_eq!(run.code, 1);
    let blackhole = Blackhole::new();
    let target = format!("someone@127.0.0.1:{}", blackhole.port);
    let timed_out = |extra: &[&str], limit: &str| {
        let started = std::time::Instant::now();
        let mut args: Vec<String> = extra.iter().map(ToString::to_string).collect();
        args.extend(["-i".to_string(), s(&public), target.clone()]);
        let run = copy_id(&env, &args);
        let failed =
            format!("{target}: failed: timed out after 1s connecting to 127.0.0.1:{}\n", blackhole.port);
        assert_eq!(run.out(), failed);
        assert_eq!(
            run.stderr,
            format!(
                "{}\nkeywright: {target}: hint: check that the host is up and sshd listens on that port; if it is only slow, give it longer with {limit}\n",
                source_line(&public)
            )
        );
        assert_eq!(run.code, 1);
        assert!(started.elapsed() < std::time::Duration::from_secs(5), "took {:?}", started.elapsed());
    };
    for _ in 0..3 {
        timed_out(&["--timeout", "1"], "--timeout");
    }
    timed_out(&["--timeout", "30", "-o", "ConnectTimeout=1"], "-o ConnectTimeout");
}
