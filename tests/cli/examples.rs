//! Every example shown by `--help` and the man pages runs, in a home prepared as
//! `keywright::cli::examples::EXAMPLE_SETUP` describes.

use super::common::*;
use super::support::sshd::{self, Sshd};

fn prepared_home() -> Env {
    let env = Env::new();
    env.kw(["generate", "-q", "--no-passphrase", "-C", "example@keywright"]).success();
    let pub_line = std::fs::read_to_string(env.path(".ssh/id_ed25519.pub")).unwrap();
    env.write(".ssh/authorized_keys", format!("no-pty {pub_line}{pub_line}"));
    env.write("pw", "example passphrase\n");
    env.kw(["generate", "-q", "-f", ".ssh/id_work", "--passphrase-file", "pw"]).success();
    let host_key = std::fs::read_to_string(testdata("keys/id_ed25519.pub")).unwrap();
    let rsa_key = std::fs::read_to_string(testdata("keys/id_rsa_3072.pub")).unwrap();
    env.write("host_key.pub", &host_key);
    let known = ["github.com", "[git.example.com]:2222", "git.example.com", "old.example.com"]
        .iter()
        .map(|host| format!("{host} {host_key}"))
        .collect::<String>();
    env.write(".ssh/known_hosts", format!("{known}git.example.com {rsa_key}"));
    // For the signing examples: files to sign, an allowed_signers file letting the key
    // sign as alice, a signature of v1.tgz by it, a revocation file, a CA key.
    for file in ["v1.tgz", "build.tar.gz", "docs/a.md", "docs/b.md"] {
        env.write(file, format!("{file}\n"));
    }
    env.write("allowed_signers", format!("alice {pub_line}"));
    env.ssh_keygen(["-q", "-Y", "sign", "-f", ".ssh/id_ed25519", "-n", "file", "v1.tgz"]).success();
    env.write("revoked_keys", "");
    env.write("ca.pub", std::fs::read_to_string(testdata("keys/id_ecdsa_256.pub")).unwrap());
    env.write("deploy.pub", std::fs::read_to_string(testdata("keys/id_ecdsa_384.pub")).unwrap());
    // For the import examples: the key in RFC 4716 and as a PuTTY key.
    env.kw(["export", "-f", ".ssh/id_ed25519.pub", "-o", "key.rfc"]).success();
    env.kw(["export", "-f", ".ssh/id_ed25519", "--to", "ppk", "-o", "key.ppk"]).success();
    env.kw(["krl", "create", "-q", "-f", "revoked.krl", "host_key.pub"]).success();
    // For the certificate examples: a certificate of id_work, issued by ssh-keygen.
    env.ssh_keygen(["-q", "-s", ".ssh/id_ed25519", "-I", "alice", "-n", "alice", ".ssh/id_work.pub"])
        .success();
    env
}

#[test]
fn every_help_example_runs() {
    for (command, examples) in keywright::cli::examples::all() {
        if command == "copy-id" {
            continue; // needs a server: see copy_id_examples_run
        }
        if command == "known-hosts scan" || command == "known-hosts verify" {
            continue; // needs a server: see reach::scan_and_verify_examples_run
        }
        for example in examples {
            let env = prepared_home();
            let run = env.sh(&format!("set -e; {}", example.command));
            assert_eq!(
                run.code, 0,
                "example of {command} failed: {}\nstderr: {}",
                example.command, run.stderr
            );
        }
    }
}

#[test]
fn help_shows_the_examples() {
    let env = Env::new();
    for (command, examples) in keywright::cli::examples::all() {
        let mut args: Vec<&str> = command.split(' ').filter(|word| *word != "keywright").collect();
        args.push("--help");
        let help = env.kw(&args).success().out();
        for example in examples {
            assert!(help.contains(example.command), "{command} --help lacks {}", example.command);
        }
    }
}

#[test]
fn completions_are_valid_scripts() {
    let env = Env::new();
    let bash = env.kw(["completions", "bash"]).success().out();
    assert!(bash.contains("_keywright()") && bash.contains("fingerprint"), "{bash}");
    env.write("completion.bash", &bash);
    env.sh("bash -n completion.bash").success();
    for shell in ["zsh", "fish", "elvish", "powershell"] {
        let script = env.kw(["completions", shell]).success().out();
        assert!(script.contains("passphrase"), "{shell}");
    }
    env.kw(["completions", "tcsh"]).code(2);
}

#[test]
fn help_and_version_exit_zero_and_usage_errors_exit_two() {
    let env = Env::new();
    let help = env.kw(["--help"]).success().out();
    assert_snapshot("help.txt", &help);
    for command in keywright::cli::Page::commands() {
        let help = env.kw([command, "--help"]).success().out();
        assert_snapshot(&format!("help_{command}.txt"), &help);
    }
    assert_eq!(env.kw(["--version"]).success().out(), format!("keywright {}\n", env!("CARGO_PKG_VERSION")));
    let unknown = env.kw(["frobnicate"]).code(2);
    assert!(unknown.stderr.starts_with("error: unrecognized subcommand 'frobnicate'"), "{}", unknown.stderr);
    env.kw(["generate", "--bogus"]).code(2);
}

#[test]
fn a_closed_stdout_ends_quietly() {
    let env = prepared_home();
    let lines: String =
        (0..20000).map(|_| std::fs::read_to_string(env.path(".ssh/id_ed25519.pub")).unwrap()).collect();
    env.write("many", lines);
    let run = env.sh("keywright fingerprint many | head -n 1; exit ${PIPESTATUS:-0}").success();
    assert_eq!(run.out().lines().count(), 1);
    assert!(run.stderr.is_empty(), "{}", run.stderr);
}

/// copy-id's examples name build.example.com and git.example.com; here ~/.ssh/config
/// sends both to an sshd on loopback with a throwaway account (root only: accounts).
#[test]
fn copy_id_examples_run() {
    if !sshd::root_or_skip("copy_id_examples_run") {
        return;
    }
    for example in keywright::cli::examples::COPY_ID {
        let env = prepared_home();
        let server = Sshd::start();
        let user = server.user_with_password("example-pw-1");
        let aliases = "build.example.com git.example.com bastion.example.com";
        let config = format!(
            "Host {aliases}\n  HostName 127.0.0.1\n  Port {}\n  User {}\n",
            server.port(),
            user.name()
        );
        env.write(".ssh/config", config);
        let known = std::fs::read_to_string(env.path(".ssh/known_hosts")).unwrap();
        env.write(".ssh/known_hosts", format!("{known}{}\n", server.host_key_line()));
        env.write("fleet.txt", "build.example.com\ngit.example.com\n");
        env.write("hosts.ini", "[web]\nbuild.example.com\n[db]\ndb.example.com\n");
        let run =
            env.sh_with(&format!("set -e; {}", example.command), &[("KEYWRIGHT_PASSWORD", user.password())]);
        assert_eq!(
            run.code,
            0,
            "copy-id example failed: {}\nstdout: {}\nstderr: {}",
            example.command,
            run.out(),
            run.stderr
        );
        assert_landed(&env, &user.read_authorized_keys(), example.command);
    }
}

/// A dry run (`-n`) writes nothing; any other copy-id example installs a key of `env`'s.
#[track_caller]
fn assert_landed(env: &Env, authorized_keys: &Option<String>, command: &str) {
    if command.split(' ').any(|word| word == "-n") {
        assert_eq!(authorized_keys, &None, "{command} wrote authorized_keys");
        return;
    }
    let landed = authorized_keys.as_deref().unwrap_or_default();
    let ours = ["id_ed25519", "id_work"].map(|key| env.read_string(&format!(".ssh/{key}.pub")));
    let blob = |line: &str| line.split(' ').nth(1).unwrap_or_default().to_string();
    assert!(
        ours.iter().any(|key| landed.contains(&blob(key))),
        "{command} installed none of our keys:\n{landed}"
    );
}

/// The top-level examples failed on a fresh account: `generate -f ~/.ssh/id_github` found
/// no ~/.ssh ("no such file or directory"), as a new user's first command would.
#[test]
fn the_first_examples_run_on_an_account_without_dot_ssh() {
    let env = Env::new();
    env.write("pw", "example passphrase\n");
    for example in keywright::cli::examples::TOP {
        let run = env.sh(&format!("set -e; {}", example.command));
        assert_eq!(run.code, 0, "{}\nstderr: {}", example.command, run.stderr);
    }
}
