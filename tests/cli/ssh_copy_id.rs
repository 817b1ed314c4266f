//! keywright answering as `ssh-copy-id`, judged by OpenSSH 9.2's own ssh-copy-id
//! (/usr/bin/ssh-copy-id): both run the same command line in the same home against the
//! same throwaway account on a private sshd (tests/cli/support/sshd.rs), and must print
//! the same stdout and stderr (the program's path aside), exit the same, and leave the
//! same remote files with the same modes.
//!
//! The real script drives OpenSSH's `ssh`, which reads the passwd home, not `$HOME`: it
//! always gets `-F` with a config of the test's own (known_hosts, no agent, an identity
//! the account refuses), and its password from an askpass script; keywright gets the
//! same config and the password in KEYWRIGHT_PASSWORD. Nothing touches the real ~/.ssh.

use std::ffi::OsStr;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Command;

use super::common::*;
use super::support::sshd::{Agent, Sshd, TestUser, root_or_skip};
use super::support::{self, tree};

/// OpenSSH 9.2's ssh-copy-id, the oracle.
const REAL: &str = "/usr/bin/ssh-copy-id";

/// Who runs a command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    /// The real script, through a link named ssh-copy-id.
    Real,
    /// keywright through a link named ssh-copy-id.
    Link,
    /// `keywright ssh-copy-id ARGS`.
    Subcommand,
}

/// A home with keys, links to both programs, an ssh config for both, and (when a
/// server is wanted) an sshd and an account.
struct Fixture {
    env: Env,
    /// Holds `real/ssh-copy-id` and `front/ssh-copy-id`.
    links: tempfile::TempDir,
    config: PathBuf,
    server: Option<(Sshd, TestUser)>,
}

impl Fixture {
    /// A home that talks to no server (usage errors, unreachable hosts).
    fn local() -> Fixture {
        assert!(
            Path::new(REAL).exists(),
            "{REAL} not found: run scripts/test, which installs openssh-client"
        );
        let env = Env::new();
        std::fs::create_dir(env.path(".ssh")).unwrap();
        std::fs::set_permissions(env.path(".ssh"), std::fs::Permissions::from_mode(0o700)).unwrap();
        let links = tempfile::Builder::new().prefix("keywright-links-").tempdir().unwrap();
        for (dir, target) in
            [("real", Path::new(REAL)), ("front", Path::new(env!("CARGO_BIN_EXE_keywright")))]
        {
            std::fs::create_dir(links.path().join(dir)).unwrap();
            std::os::unix::fs::symlink(target, links.path().join(dir).join("ssh-copy-id")).unwrap();
        }
        for name in ["k1", "k2", "stranger"] {
            env.ssh_keygen(["-q", "-t", "ed25519", "-N", "", "-C", name, "-f", name]).success();
        }
        let config = env.path("ssh_config");
        let mut fixture = Fixture { env, links, config, server: None };
        fixture.write_config(Path::new("/dev/null"));
        fixture
    }

    /// [`Fixture::local`] plus a server and an account (root only).
    fn remote(test: &str) -> Option<Fixture> {
        Fixture::remote_on(test, Sshd::start)
    }

    fn remote_on(test: &str, start: impl FnOnce() -> Sshd) -> Option<Fixture> {
        if !root_or_skip(test) {
            return None;
        }
        let mut fixture = Fixture::local();
        let sshd = start();
        let user = sshd.user();
        fixture.write_config(&sshd.known_hosts());
        std::fs::write(fixture.env.path("password"), format!("{}\n", user.password())).unwrap();
        let askpass = fixture
            .env
            .write("askpass", format!("#!/bin/sh\ncat '{}'\n", fixture.env.path("password").display()));
        std::fs::set_permissions(askpass, std::fs::Permissions::from_mode(0o755)).unwrap();
        fixture.server = Some((sshd, user));
        Some(fixture)
    }

    /// The config both get with `-F`: the server's known_hosts only, strict checking, and
    /// an identity the account refuses (so neither tries the invoking user's keys).
    fn write_config(&mut self, known_hosts: &Path) {
        let text = format!(
            "Host *\n  UserKnownHostsFile {}\n  GlobalKnownHostsFile /dev/null\n  StrictHostKeyChecking yes\n  \
             UpdateHostKeys no\n  IdentityFile {}\n  IdentitiesOnly yes\n",
            known_hosts.display(),
            self.env.path("stranger").display()
        );
        std::fs::write(&self.config, text).unwrap();
    }

    fn sshd(&self) -> &Sshd {
        &self.server.as_ref().expect("a server").0
    }

    fn user(&self) -> &TestUser {
        &self.server.as_ref().expect("a server").1
    }

    /// `USER@127.0.0.1`.
    fn dest(&self) -> String {
        format!("{}@127.0.0.1", self.user().name())
    }

    /// `-F CONFIG -p PORT`, then `args`, then `extra`.
    fn args(&self, args: &[&str]) -> Vec<String> {
        let mut all = vec!["-F".to_string(), self.config.display().to_string()];
        if let Some((sshd, _)) = &self.server {
            all.extend(["-p".to_string(), sshd.port().to_string()]);
        }
        all.extend(args.iter().map(ToString::to_string));
        all
    }

    /// The link for `side`.
    fn link(&self, side: Side) -> PathBuf {
        let dir = if side == Side::Real { "real" } else { "front" };
        self.links.path().join(dir).join("ssh-copy-id")
    }

    /// `program` set up as the harness sets keywright up (the home as HOME and working
    /// directory, batch mode, no agent, the C locale).
    fn base(&self, program: impl AsRef<OsStr>) -> Command {
        let mut cmd = Command::new(program);
        cmd.current_dir(self.env.home())
            .env("HOME", self.env.home())
            .env("KEYWRIGHT_BATCH", "1")
            .env("LC_ALL", "C")
            .env_remove("SSH_AUTH_SOCK")
            .env_remove("SSH_AGENT_PID")
            .env_remove("LANG")
            .env_remove("LC_CTYPE")
            .env_remove("KEYWRIGHT_PASSWORD");
        cmd
    }

    /// The command line for `side`, in the home, with the password where each takes it.
    fn command<S: AsRef<OsStr>>(&self, side: Side, args: &[S], vars: &[(&str, &OsStr)]) -> Command {
        let mut cmd = match side {
            Side::Subcommand => {
                let mut cmd = self.base(env!("CARGO_BIN_EXE_keywright"));
                cmd.arg("ssh-copy-id");
                cmd
            }
            _ => self.base(self.link(side)),
        };
        cmd.args(args).env("DISPLAY", ":0");
        if let Some((_, user)) = &self.server {
            match side {
                Side::Real => {
                    cmd.env("SSH_ASKPASS", self.env.path("askpass")).env("SSH_ASKPASS_REQUIRE", "force")
                }
                _ => cmd.env("KEYWRIGHT_PASSWORD", user.password()),
            };
        }
        cmd.envs(vars.iter().copied());
        cmd
    }

    fn run<S: AsRef<OsStr>>(&self, side: Side, args: &[S], vars: &[(&str, &OsStr)]) -> Run {
        support::spawn(self.command(side, args, vars), None).finish()
    }

    /// Empties the account's home, then gives it `authorized_keys` (0600 in a 0700 .ssh).
    fn reset(&self, authorized_keys: Option<&str>) {
        let user = self.user();
        for entry in std::fs::read_dir(user.home()).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                std::fs::remove_dir_all(&path).unwrap();
            } else {
                std::fs::remove_file(&path).unwrap();
            }
        }
        if let Some(text) = authorized_keys {
            user.write_authorized_keys(text);
        }
    }

    /// Everything in the account's home: each path, its mode, its bytes (files), and
    /// whether the account owns it.
    fn remote_state(&self) -> Vec<(PathBuf, u32, Option<Vec<u8>>, bool)> {
        let user = self.user();
        tree(user.home())
            .into_iter()
            .map(|relative| {
                let path = user.home().join(&relative);
                let meta = std::fs::symlink_metadata(&path).unwrap();
                let bytes = meta.is_file().then(|| std::fs::read(&path).unwrap());
                let owned = (meta.uid(), meta.gid()) == (user.uid(), user.gid());
                (relative, meta.mode() & 0o7777, bytes, owned)
            })
            .collect()
    }

    /// Runs `args` with the real script and with keywright (`side`), each on the account
    /// as `authorized_keys` leaves it, and asserts the same output, exit status and
    /// remote files. Returns keywright's run and the remote files it left.
    #[track_caller]
    fn compare(&self, side: Side, args: &[String], authorized_keys: Option<&str>) -> (Run, RemoteState) {
        self.compare_with(side, args, authorized_keys, &[])
    }

    #[track_caller]
    fn compare_with(
        &self,
        side: Side,
        args: &[String],
        authorized_keys: Option<&str>,
        vars: &[(&str, &OsStr)],
    ) -> (Run, RemoteState) {
        self.reset(authorized_keys);
        let real = self.run(Side::Real, args, vars);
        let real_state = self.remote_state();
        self.reset(authorized_keys);
        let ours = self.run(side, args, vars);
        let our_state = self.remote_state();
        self.assert_same_output(&real, &ours, side);
        assert_eq!(our_state, real_state, "remote files differ\nkeywright: {}\n", ours.command);
        (ours, our_state)
    }

    /// Asserts the same exit status, stdout and stderr, with each program's path as
    /// `$0` replaced by `ssh-copy-id`.
    #[track_caller]
    fn assert_same_output(&self, real: &Run, ours: &Run, side: Side) {
        let real_out = self.normalized(&real.out(), Side::Real);
        let real_err = self.normalized(&real.stderr, Side::Real);
        let why = format!(
            "real: {}\nexit {}\nstdout:\n{real_out}\nstderr:\n{real_err}\nkeywright: {}\nexit {}\nstdout:\n{}\nstderr:\n{}",
            real.command,
            real.code,
            ours.command,
            ours.code,
            ours.out(),
            ours.stderr
        );
        assert_eq!(self.normalized(&ours.out(), side), real_out, "stdout differs\n{why}");
        assert_eq!(self.normalized(&ours.stderr, side), real_err, "stderr differs\n{why}");
        assert_eq!(ours.code, real.code, "exit status differs\n{why}");
    }

    fn normalized(&self, text: &str, side: Side) -> String {
        match side {
            Side::Subcommand => text.to_string(),
            _ => text.replace(&self.link(side).display().to_string(), "ssh-copy-id"),
        }
    }
}

type RemoteState = Vec<(PathBuf, u32, Option<Vec<u8>>, bool)>;

fn pub_line(fixture: &Fixture, name: &str) -> String {
    fixture.env.read_string(&format!("{name}.pub"))
}

/// The remote authorized_keys, from a state.
fn authorized_keys(state: &RemoteState) -> Option<String> {
    state
        .iter()
        .find(|(path, ..)| path == Path::new(".ssh/authorized_keys"))
        .and_then(|(_, _, bytes, _)| bytes.as_ref().map(|b| String::from_utf8(b.clone()).unwrap()))
}

/// The mode of `relative` in a state.
fn mode_in(state: &RemoteState, relative: &str) -> u32 {
    state
        .iter()
        .find(|(path, ..)| path == Path::new(relative))
        .unwrap_or_else(|| panic!("{relative} in {state:?}"))
        .1
}

// ---------------------------------------------------------------------------------------
// The command line, without a server
// ---------------------------------------------------------------------------------------

/// Usage errors print the script's usage (with dash's getopts complaint), and `-h` too;
/// all exit 1; `-i` is checked as it comes, before a later bad flag.
#[test]
fn usage_errors_are_the_scripts() {
    let fixture = Fixture::local();
    let cases: &[&[&str]] = &[
        &[],
        &["-h"],
        &["-?"],
        &["-z", "host"],
        &["-:", "host"],
        &["-i"],
        &["-o"],
        &["-nf"],
        &["a", "b"],
        &["host", "-f"],
        &["-i", "k1", "-i", "k1", "host"],
        &["-i", "k1", "-z", "host"],
        &["-i", "nosuch", "host"],
        &["-i", "nosuch", "-z", "host"],
        &["-i", "", "host"],
        &["-f", "-i", "nosuch.pub", "host"],
    ];
    for args in cases {
        for side in [Side::Link, Side::Subcommand] {
            let real = fixture.run(Side::Real, args, &[]);
            let ours = fixture.run(side, args, &[]);
            fixture.assert_same_output(&real, &ours, side);
            assert_eq!(ours.code, 1, "{args:?}");
        }
    }
}

/// The private half must open unless -f came before -i; the script names it
/// `dirname/basename` and says how to go on without it.
#[test]
fn a_missing_private_key_is_refused_unless_forced_first() {
    let fixture = Fixture::local();
    std::fs::copy(fixture.env.path("k1.pub"), fixture.env.path("only.pub")).unwrap();
    let keys = fixture.env.path(".ssh");
    std::fs::copy(fixture.env.path("k2.pub"), keys.join("id_ed25519.pub")).unwrap();
    let cases: &[&[&str]] = &[
        &["-i", "only", "host"],
        &["-i", "only.pub", "host"],
        &["-i", "only.pub", "-f", "host"],
        &["host"],
        &["-i", "", "host"],
    ];
    for args in cases {
        let real = fixture.run(Side::Real, args, &[]);
        let ours = fixture.run(Side::Link, args, &[]);
        fixture.assert_same_output(&real, &ours, Side::Link);
        assert_eq!(ours.code, 1);
    }
    let ours = fixture.run(Side::Link, &["-i", "only", "host"], &[]);
    assert_eq!(
        ours.out(),
        format!(
            "\n{}: ERROR: failed to open ID file './only': No such file\n\t(to install the contents of 'only.pub' anyway, look at the -f option)\n",
            fixture.link(Side::Link).display()
        )
    );
}

/// No -i, no agent, no ~/.ssh/id*.pub: "No identities found", before any connection.
#[test]
fn no_identities_found() {
    let fixture = Fixture::local();
    let args = fixture.args(&["someone@127.0.0.1"]);
    let real = fixture.run(Side::Real, &args, &[]);
    let ours = fixture.run(Side::Link, &args, &[]);
    fixture.assert_same_output(&real, &ours, Side::Link);
    assert_eq!(ours.stderr, format!("{}: ERROR: No identities found\n", fixture.link(Side::Link).display()));
}

/// `$0` is the path the program was executed by, as the kernel hands a script its path:
/// absolute and relative links as typed, a PATH lookup as the directory found; run as
/// `keywright ssh-copy-id` it is plain `ssh-copy-id`.
#[test]
fn the_program_name_is_the_path_it_was_run_by() {
    let fixture = Fixture::local();
    let usage_name = |run: &Run| {
        let first = run.stderr.lines().next().unwrap_or_default().to_string();
        first.strip_prefix("Usage: ").and_then(|rest| rest.split(' ').next()).unwrap_or_default().to_string()
    };
    for side in [Side::Real, Side::Link] {
        let link = fixture.link(side);
        let dir = link.parent().unwrap();
        let absolute = fixture.run(side, &["-h"], &[]);
        assert_eq!(usage_name(&absolute), link.display().to_string(), "{side:?}");
        let mut relative = fixture.base("./ssh-copy-id");
        relative.arg("-h").current_dir(dir);
        let run = support::spawn(relative, None).finish();
        assert_eq!(usage_name(&run), "./ssh-copy-id", "{side:?}");
        let path = format!("{}:{}", dir.display(), std::env::var("PATH").unwrap_or_default());
        let mut looked_up = fixture.base("ssh-copy-id");
        looked_up.arg("-h").env("PATH", path);
        let run = support::spawn(looked_up, None).finish();
        assert_eq!(usage_name(&run), dir.join("ssh-copy-id").display().to_string(), "{side:?}");
    }
    let run = fixture.run(Side::Subcommand, &["-h"], &[]);
    assert_eq!(usage_name(&run), "ssh-copy-id");
}

/// A host name that cannot resolve (refused by the resolver itself, so nothing leaves
/// the machine) and a closed port: ssh's words after ERROR:, or bare with -f.
#[test]
fn unreachable_hosts_fail_in_ssh_words() {
    let fixture = Fixture::local();
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port().to_string();
    for forced in [false, true] {
        for (host, port) in
            [("someone@a..b", None), ("someone@BAD!host", None), ("someone@127.0.0.1", Some(&closed))]
        {
            let mut args = fixture.args(&["-i", "k1"]);
            if forced {
                args.push("-f".into());
            }
            if let Some(port) = port {
                args.extend(["-p".to_string(), port.clone()]);
            }
            args.push(host.into());
            let real = fixture.run(Side::Real, &args, &[]);
            let ours = fixture.run(Side::Link, &args, &[]);
            fixture.assert_same_output(&real, &ours, Side::Link);
            assert_eq!(ours.code, 1);
            assert!(ours.stderr.contains("ssh: "), "{}", ours.stderr);
        }
    }
}

/// A -p or a -F that ssh refuses, in ssh's words, before any connection.
#[test]
fn a_bad_port_or_config_file_is_refused_in_ssh_words() {
    let fixture = Fixture::local();
    for port in ["abc", "0", "65536"] {
        let args = fixture.args(&["-i", "k1", "-p", port, "someone@127.0.0.1"]);
        let real = fixture.run(Side::Real, &args, &[]);
        let ours = fixture.run(Side::Link, &args, &[]);
        fixture.assert_same_output(&real, &ours, Side::Link);
        assert!(ours.stderr.contains(&format!("ERROR: Bad port '{port}'\n")), "{}", ours.stderr);
    }
    let missing = fixture.env.path("no-such-config").display().to_string();
    for forced in [&[][..], &["-f"][..]] {
        let mut args: Vec<&str> = forced.to_vec();
        args.extend(["-F", &missing, "-i", "k1", "someone@127.0.0.1"]);
        let real = fixture.run(Side::Real, &args, &[]);
        let ours = fixture.run(Side::Link, &args, &[]);
        fixture.assert_same_output(&real, &ours, Side::Link);
        let refusal = format!("Can't open user config file {missing}: No such file or directory\r\n");
        assert!(ours.stderr.contains(&refusal), "{}", ours.stderr);
    }
}

/// -f -n neither connects nor writes: it lists every key.
#[test]
fn forced_dry_run_lists_the_keys_without_connecting() {
    let fixture = Fixture::local();
    let args = fixture.args(&["-f", "-n", "-i", "k1", "someone@a..b"]);
    let real = fixture.run(Side::Real, &args, &[]);
    let ours = fixture.run(Side::Link, &args, &[]);
    fixture.assert_same_output(&real, &ours, Side::Link);
    assert_eq!(
        ours.out(),
        format!(
            "=-=-=-=-=-=-=-=\nWould have added the following key(s):\n\n{}=-=-=-=-=-=-=-=\n",
            pub_line(&fixture, "k1")
        )
    );
    assert_eq!(ours.code, 0);
}

// ---------------------------------------------------------------------------------------
// Against a server
// ---------------------------------------------------------------------------------------

/// A fresh account gets the key: the same lines, a 0700 .ssh, a 0600 authorized_keys
/// holding the key line; the key then logs in. Then again: all keys skipped, nothing
/// written. Both through the link and as `keywright ssh-copy-id`.
#[test]
fn fresh_install_then_all_skipped() {
    let Some(fixture) = Fixture::remote("fresh_install_then_all_skipped") else { return };
    let dest = fixture.dest();
    for side in [Side::Link, Side::Subcommand] {
        let args = fixture.args(&["-i", "k1", &dest]);
        let (run, state) = fixture.compare(side, &args, None);
        assert_eq!(run.code, 0);
        assert_eq!(authorized_keys(&state).as_deref(), Some(pub_line(&fixture, "k1").as_str()));
        assert_eq!((mode_in(&state, ".ssh"), mode_in(&state, ".ssh/authorized_keys")), (0o700, 0o600));
        assert!(state.iter().all(|(.., owned)| *owned), "{state:?}");
        assert!(run.out().contains("\nNumber of key(s) added: 1\n"));
        assert!(fixture.sshd().login_ok(fixture.user().name(), &fixture.env.path("k1")));

        let present = format!("# mine\n{}", pub_line(&fixture, "k1"));
        let (run, state) = fixture.compare(side, &args, Some(&present));
        assert_eq!(run.code, 0);
        assert!(run.stderr.contains("WARNING: All keys were skipped"), "{}", run.stderr);
        assert_eq!(authorized_keys(&state), Some(present));
    }
}

/// -i with the private key's path and with the public key's; a file whose last line has
/// no newline keeps it, and the key goes on a line of its own.
#[test]
fn identity_by_private_or_public_path_appends_after_existing_lines() {
    let Some(fixture) = Fixture::remote("identity_by_private_or_public_path_appends_after_existing_lines")
    else {
        return;
    };
    let dest = fixture.dest();
    let existing = pub_line(&fixture, "k2").trim_end().to_string();
    for identity in ["k1", "k1.pub", "./k1", &fixture.env.path("k1.pub").display().to_string()] {
        let (run, state) =
            fixture.compare(Side::Link, &fixture.args(&["-i", identity, &dest]), Some(&existing));
        assert_eq!(run.code, 0, "{identity}");
        assert_eq!(authorized_keys(&state), Some(format!("{existing}\n{}", pub_line(&fixture, "k1"))));
    }
}

/// -f adds a key that is already there again, as the script does.
#[test]
fn forced_adds_a_present_key_again() {
    let Some(fixture) = Fixture::remote("forced_adds_a_present_key_again") else { return };
    let line = pub_line(&fixture, "k1");
    let args = fixture.args(&["-f", "-i", "k1", &fixture.dest()]);
    let (run, state) = fixture.compare(Side::Link, &args, Some(&line));
    assert_eq!(run.code, 0);
    assert_eq!(authorized_keys(&state), Some(format!("{line}{line}")));
}

/// -n says what would be added and writes nothing; with the key there, all are skipped.
#[test]
fn dry_run_lists_and_writes_nothing() {
    let Some(fixture) = Fixture::remote("dry_run_lists_and_writes_nothing") else { return };
    let args = fixture.args(&["-n", "-i", "k1", &fixture.dest()]);
    let (run, state) = fixture.compare(Side::Link, &args, None);
    assert_eq!(run.code, 0);
    assert!(state.is_empty(), "{state:?}");
    assert!(run.out().starts_with("=-=-=-=-=-=-=-=\nWould have added the following key(s):\n"));
    let (run, _) = fixture.compare(Side::Link, &args, Some(&pub_line(&fixture, "k1")));
    assert!(run.stderr.contains("All keys were skipped"));
}

/// The port as `-o Port=` instead of -p, and ssh's rule that the first port given wins;
/// the advice repeats the options as given.
#[test]
fn ports_and_options_reach_ssh_in_order() {
    let Some(fixture) = Fixture::remote("ports_and_options_reach_ssh_in_order") else { return };
    let port = fixture.sshd().port().to_string();
    let dest = fixture.dest();
    let config = fixture.config.display().to_string();
    let cases: Vec<Vec<String>> = vec![
        vec![
            "-F".into(),
            config.clone(),
            "-o".into(),
            format!("Port={port}"),
            "-i".into(),
            "k1".into(),
            dest.clone(),
        ],
        vec![
            "-F".into(),
            config.clone(),
            "-p".into(),
            port.clone(),
            "-p".into(),
            "1".into(),
            "-i".into(),
            "k1".into(),
            dest.clone(),
        ],
        vec![
            "-o".into(),
            format!("Port {port}"),
            "-p".into(),
            "1".into(),
            "-F".into(),
            config.clone(),
            "-ik1".into(),
            dest.clone(),
        ],
        // -o User wins over user@host, as in ssh.
        vec![
            "-F".into(),
            config.clone(),
            "-p".into(),
            port.clone(),
            "-o".into(),
            format!("User={}", fixture.user().name()),
            "-i".into(),
            "k1".into(),
            "somebody-else@127.0.0.1".into(),
        ],
    ];
    for args in &cases {
        let (run, state) = fixture.compare(Side::Link, args, None);
        assert_eq!(run.code, 0, "{args:?}");
        assert_eq!(authorized_keys(&state), Some(pub_line(&fixture, "k1")));
    }
}

/// -o options that change the host key check: an unknown key refused with
/// StrictHostKeyChecking=yes (ssh's words after ERROR:); accept-new learns it silently,
/// as the script's first connection swallows ssh's note.
#[test]
fn host_key_options_from_the_command_line() {
    let Some(fixture) = Fixture::remote("host_key_options_from_the_command_line") else { return };
    let dest = fixture.dest();
    let empty = fixture.env.write("empty_known_hosts", "");
    let unknown = format!("UserKnownHostsFile={}", empty.display());
    let args = fixture.args(&["-o", &unknown, "-i", "k1", &dest]);
    let (run, state) = fixture.compare(Side::Link, &args, None);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("ERROR: Host key verification failed.\r\n"), "{}", run.stderr);
    assert!(state.is_empty());

    let learnt = fixture.env.path("learnt_known_hosts");
    let learn = format!("UserKnownHostsFile={}", learnt.display());
    let args = fixture.args(&["-o", "StrictHostKeyChecking=accept-new", "-o", &learn, "-i", "k1", &dest]);
    let (run, state) = {
        // Each side learns into a fresh file.
        fixture.reset(None);
        let real = fixture.run(Side::Real, &args, &[]);
        let real_state = fixture.remote_state();
        let real_learnt = std::fs::read_to_string(&learnt).unwrap();
        std::fs::remove_file(&learnt).unwrap();
        fixture.reset(None);
        let ours = fixture.run(Side::Link, &args, &[]);
        fixture.assert_same_output(&real, &ours, Side::Link);
        let ours_learnt = std::fs::read_to_string(&learnt).unwrap();
        assert_eq!(real_learnt.lines().count(), ours_learnt.lines().count());
        let state = fixture.remote_state();
        assert_eq!(state, real_state);
        (ours, state)
    };
    assert_eq!(run.code, 0);
    assert_eq!(authorized_keys(&state), Some(pub_line(&fixture, "k1")));
}

/// A login the server refuses (no password may be given, the identity is refused):
/// the keys remain, then ssh's `Permission denied (…)` with the server's methods.
#[test]
fn a_refused_login_is_ssh_permission_denied() {
    let Some(fixture) = Fixture::remote("a_refused_login_is_ssh_permission_denied") else { return };
    let dest = fixture.dest();
    for extra in [&[][..], &["-f"][..]] {
        let mut args = fixture.args(&["-o", "BatchMode=yes", "-i", "k1"]);
        args.extend(extra.iter().map(ToString::to_string));
        args.push(dest.clone());
        fixture.reset(None);
        let real = fixture.run(Side::Real, &args, &[]);
        fixture.reset(None);
        let mut without_password = fixture.command(Side::Link, &args, &[]);
        without_password.env_remove("KEYWRIGHT_PASSWORD");
        let ours = support::spawn(without_password, None).finish();
        fixture.assert_same_output(&real, &ours, Side::Link);
        assert_eq!(ours.code, 1);
        assert!(
            ours.stderr.ends_with(&format!(
                "{dest}: Permission denied (publickey,password,keyboard-interactive).\r\n"
            )),
            "{}",
            ours.stderr
        );
        assert!(fixture.remote_state().is_empty());
    }
}

/// -s installs through SFTP. The script's sftp batch echo (`sftp> put …` of its scratch
/// files on stdout, sftp's notes on stderr) is left out of the comparison: keywright
/// runs no sftp program. The advice names sftp.
#[test]
fn sftp_mode_installs_the_same_file() {
    let Some(fixture) = Fixture::remote("sftp_mode_installs_the_same_file") else { return };
    let args = fixture.args(&["-s", "-i", "k1", &fixture.dest()]);
    for initial in [None, Some(pub_line(&fixture, "k2"))] {
        fixture.reset(initial.as_deref());
        let real = fixture.run(Side::Real, &args, &[]);
        let real_state = fixture.remote_state();
        fixture.reset(initial.as_deref());
        let ours = fixture.run(Side::Link, &args, &[]);
        let sftp_echo = |line: &str| line.starts_with("sftp> ");
        let sftp_notes = |line: &str| {
            (line.starts_with("File \"") && line.ends_with("\" not found.\r\n"))
                || line.starts_with("remote mkdir \"")
        };
        let real = Run {
            command: real.command.clone(),
            code: real.code,
            stdout: without(&real.out(), sftp_echo).into_bytes(),
            stderr: without(&real.stderr, sftp_notes),
        };
        fixture.assert_same_output(&real, &ours, Side::Link);
        assert_eq!(fixture.remote_state(), real_state);
        assert!(ours.out().contains("\"sftp -F '"), "{}", ours.out());
    }
}

/// `text` without the lines (each with its line end) that `drop` picks.
fn without(text: &str, drop: impl Fn(&str) -> bool) -> String {
    text.split_inclusive('\n').filter(|line| !drop(line)).collect()
}

/// -t (from later ssh-copy-id versions; 9.2 refuses it) writes the file it names, as the
/// later script does (`mkdir -p` of its directory under umask 077, the keys appended):
/// the same bytes and modes 9.2 leaves at .ssh/authorized_keys, and the same lines.
#[test]
fn target_path_writes_that_file() {
    let Some(fixture) = Fixture::remote("target_path_writes_that_file") else { return };
    let dest = fixture.dest();
    fixture.reset(None);
    let real = fixture.run(Side::Real, &fixture.args(&["-i", "k1", &dest]), &[]);
    let real_state = fixture.remote_state();
    for side in [Side::Link, Side::Subcommand] {
        fixture.reset(None);
        let ours = fixture.run(side, &fixture.args(&["-t", "keys/extra/authorized", "-i", "k1", &dest]), &[]);
        fixture.assert_same_output(&real, &ours, side);
        let state = fixture.remote_state();
        let moved: RemoteState = real_state
            .iter()
            .map(|(path, mode, bytes, owned)| {
                let path = match path.to_str() {
                    Some(".ssh") => PathBuf::from("keys/extra"),
                    Some(".ssh/authorized_keys") => PathBuf::from("keys/extra/authorized"),
                    _ => path.clone(),
                };
                (path, *mode, bytes.clone(), *owned)
            })
            .chain([(PathBuf::from("keys"), 0o700, None, true)])
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        assert_eq!(state, moved);
    }
}

/// The agent's keys are installed when no -i is given (no "Source" line: the script
/// prints none for them); else the newest ~/.ssh/id*.pub, with its private key.
#[test]
fn keys_from_the_agent_or_the_newest_id_file() {
    let Some(fixture) = Fixture::remote("keys_from_the_agent_or_the_newest_id_file") else { return };
    let dest = fixture.dest();
    let agent = Agent::start();
    agent.add(&fixture.env.path("k2"));
    let sock = [("SSH_AUTH_SOCK", agent.sock().as_os_str())];
    let (run, state) = fixture.compare_with(Side::Link, &fixture.args(&[&dest]), None, &sock);
    assert_eq!(run.code, 0);
    assert!(!run.stderr.contains("Source of key(s)"), "{}", run.stderr);
    assert_eq!(
        authorized_keys(&state).map(|t| t.split(' ').take(2).collect::<Vec<_>>().join(" ")),
        Some(key_data(&pub_line(&fixture, "k2")))
    );
    drop(agent);

    let ssh = fixture.env.path(".ssh");
    for (name, age) in [("id_rsa", 3600), ("id_ed25519", 60)] {
        let source = if name == "id_rsa" { "k2" } else { "k1" };
        for suffix in ["", ".pub"] {
            let to = ssh.join(format!("{name}{suffix}"));
            std::fs::copy(fixture.env.path(&format!("{source}{suffix}")), &to).unwrap();
            let when = std::time::SystemTime::now() - std::time::Duration::from_secs(age);
            std::fs::File::options().write(true).open(&to).unwrap().set_modified(when).unwrap();
        }
    }
    let (run, state) = fixture.compare(Side::Link, &fixture.args(&[&dest]), None);
    assert_eq!(run.code, 0);
    assert!(
        run.stderr
            .contains(&format!("Source of key(s) to be installed: \"{}/id_ed25519.pub\"", ssh.display()))
    );
    assert_eq!(authorized_keys(&state), Some(pub_line(&fixture, "k1")));
}

fn key_data(line: &str) -> String {
    line.split(' ').take(2).collect::<Vec<_>>().join(" ")
}

/// -x traces the plan on stderr (`+ ` lines), and nothing else changes.
#[test]
fn debug_traces_the_plan() {
    let Some(fixture) = Fixture::remote("debug_traces_the_plan") else { return };
    let dest = fixture.dest();
    fixture.reset(None);
    let run = fixture.run(Side::Link, &fixture.args(&["-x", "-i", "k1", &dest]), &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let traced: Vec<&str> = run.stderr.lines().filter(|l| l.starts_with("+ ")).collect();
    let port = fixture.sshd().port();
    assert_eq!(traced[0], "+ keys: 1 key(s) from k1.pub");
    assert_eq!(
        traced[1],
        format!(
            "+ connect: {dest} port {port}; host key checked against {} (StrictHostKeyChecking yes)",
            fixture.sshd().known_hosts().display()
        )
    );
    assert_eq!(
        traced[2],
        format!(
            "+ log in: identity files [./k1, {}], then KEYWRIGHT_PASSWORD",
            fixture.env.path("stranger").display()
        )
    );
    assert_eq!(traced[3], "+ install: into .ssh/authorized_keys through sh");
    assert_eq!(traced[4], format!("+ created {}/.ssh (mode 700)", fixture.user().home().display()));
    fixture.reset(None);
    let quiet = fixture.run(Side::Link, &fixture.args(&["-i", "k1", &dest]), &[]);
    let untraced: String =
        run.stderr.lines().filter(|l| !l.starts_with("+ ")).map(|l| format!("{l}\n")).collect();
    assert_eq!(untraced, quiet.stderr);
    assert_eq!(run.stdout, quiet.stdout);
}

/// A server's banner comes where ssh shows it, after "N key(s) remain" (the script's
/// second login prints it; its first one's output is thrown away), as every line a
/// server sends is shown by keywright: after `(user@host) `, escaped.
#[test]
fn a_banner_comes_after_the_keys_remain() {
    let banner_dir = tempfile::tempdir().unwrap();
    let banner = banner_dir.path().join("banner");
    std::fs::write(&banner, "Authorised use only\n").unwrap();
    std::fs::set_permissions(banner_dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(&banner, std::fs::Permissions::from_mode(0o644)).unwrap();
    let line = format!("Banner {}", banner.display());
    let Some(fixture) =
        Fixture::remote_on("a_banner_comes_after_the_keys_remain", || Sshd::with_config(&[&line]))
    else {
        return;
    };
    let args = fixture.args(&["-i", "k1", &fixture.dest()]);
    fixture.reset(None);
    let real = fixture.run(Side::Real, &args, &[]);
    let real_state = fixture.remote_state();
    fixture.reset(None);
    let ours = fixture.run(Side::Link, &args, &[]);
    assert!(real.stderr.contains("remain to be installed -- if you are prompted now it is to install the new keys\nAuthorised use only\n"), "{}", real.stderr);
    let shown = real
        .stderr
        .replace("\nAuthorised use only\n", &format!("\n({}) Authorised use only\n", fixture.dest()));
    let real =
        Run { command: real.command.clone(), code: real.code, stdout: real.stdout.clone(), stderr: shown };
    fixture.assert_same_output(&real, &ours, Side::Link);
    assert_eq!(fixture.remote_state(), real_state);
}

/// A failure after the login (authorized_keys is a directory): the keys remain, then
/// keywright's own ERROR line with what to do, exit 1 as the script's; nothing changed.
#[test]
fn a_failure_on_the_remote_files_is_keywrights_own_error() {
    let Some(fixture) = Fixture::remote("a_failure_on_the_remote_files_is_keywrights_own_error") else {
        return;
    };
    let user = fixture.user();
    let args = fixture.args(&["-i", "k1", &fixture.dest()]);
    let blocked = |fixture: &Fixture| {
        fixture.reset(None);
        user.mkdir(".ssh", 0o700);
        user.mkdir(".ssh/authorized_keys", 0o700);
    };
    blocked(&fixture);
    let real = fixture.run(Side::Real, &args, &[]);
    blocked(&fixture);
    let before = fixture.remote_state();
    let ours = fixture.run(Side::Link, &args, &[]);
    assert_eq!((ours.code, real.code), (1, 1));
    let program = fixture.link(Side::Link).display().to_string();
    let file = user.path(".ssh/authorized_keys").display().to_string();
    assert_eq!(
        ours.stderr,
        format!(
            "{program}: INFO: Source of key(s) to be installed: \"k1.pub\"\n\
             {program}: INFO: attempting to log in with the new key(s), to filter out any that are already installed\n\
             {program}: INFO: 1 key(s) remain to be installed -- if you are prompted now it is to install the new keys\n\
             {program}: ERROR: {file} is not a regular file\n\
             \t(move it out of the way, or name another file with -t)\n"
        )
    );
    assert_eq!(ours.out(), "");
    assert_eq!(fixture.remote_state(), before);
}

/// On a terminal, without KEYWRIGHT_PASSWORD, the password is asked as ssh asks it, and
/// the keys go in.
#[test]
fn the_password_is_asked_on_a_terminal() {
    let Some(fixture) = Fixture::remote("the_password_is_asked_on_a_terminal") else { return };
    fixture.reset(None);
    let prompt = format!("{}'s password: ", fixture.dest());
    let mut args = vec!["ssh-copy-id".to_string()];
    args.extend(fixture.args(&["-i", "k1", &fixture.dest()]));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let run = fixture.env.kw_tty(&[(&prompt, fixture.user().password())], &args);
    assert_eq!(run.code, 0, "{}", run.out());
    let screen = run.out().replace("\r\n", "\n");
    let remain = screen.find("1 key(s) remain to be installed").expect("the remain line");
    assert!(screen.find(&prompt).is_some_and(|asked| asked < remain), "{screen}");
    assert!(screen.contains("\nNumber of key(s) added: 1\n"), "{screen}");
    assert_eq!(authorized_keys(&fixture.remote_state()), Some(pub_line(&fixture, "k1")));
}
