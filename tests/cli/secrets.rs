//! Secrets stay secret: no passphrase or password appears in anything keywright writes to
//! stdout, stderr or the terminal, whether it came from a file, a pipe or a prompt, right or
//! wrong; and the process holding them cannot be core-dumped or read through /proc by
//! another process of the same user.

use std::io::Write;
use std::os::unix::fs::MetadataExt;
use std::process::Stdio;
use std::time::{Duration, Instant};

use super::common::*;
use super::support::fake_server::{DEFAULT_PASSWORD, FakeServer, Fault};

/// Distinctive enough that finding it in an output cannot be a coincidence.
const SECRET: &str = "Xq7-sekret-Zz91";
const OTHER_SECRET: &str = "Wv3-other-Kk58";

#[track_caller]
fn assert_no_secret(what: &str, run: &Run, secrets: &[&str]) {
    let stdout = String::from_utf8_lossy(&run.stdout);
    for secret in secrets {
        assert!(!stdout.contains(secret), "{what}: a secret on stdout:\n{stdout}");
        assert!(!run.stderr.contains(secret), "{what}: a secret on stderr:\n{}", run.stderr);
    }
}

#[test]
fn passphrases_from_files_and_pipes_are_never_printed() {
    let env = Env::new();
    env.write("secret", format!("{SECRET}\n"));
    env.write("other", format!("{OTHER_SECRET}\n"));
    let runs: &[(&str, &[&str], Option<&str>, i32)] = &[
        ("generate", &["generate", "-f", "k", "--passphrase-file", "secret"], None, 0),
        ("public", &["public", "-f", "k", "--passphrase-file", "secret"], None, 0),
        ("public, wrong", &["public", "-f", "k", "--passphrase-file", "other"], None, 2),
        ("comment", &["comment", "-f", "k", "-C", "c", "--passphrase-file", "-"], Some(SECRET), 0),
        (
            "comment, wrong",
            &["comment", "-f", "k", "-C", "c", "--passphrase-file", "-"],
            Some(OTHER_SECRET),
            2,
        ),
        (
            "passphrase",
            &["passphrase", "-f", "k", "--old-passphrase-file", "secret", "--new-passphrase-file", "other"],
            None,
            0,
        ),
        // The run above made `other` k's passphrase: `secret` is now the wrong one.
        (
            "passphrase, wrong old",
            &["passphrase", "-f", "k", "--old-passphrase-file", "secret", "--new-passphrase-file", "other"],
            None,
            2,
        ),
    ];
    for &(what, args, stdin, code) in runs {
        let run = match stdin {
            Some(line) => env.kw_stdin(args, format!("{line}\n").as_bytes()),
            None => env.kw(args),
        };
        assert_eq!(run.code, code, "{what}: {}", run.stderr);
        assert_no_secret(what, &run, &[SECRET, OTHER_SECRET]);
    }
}

#[test]
fn passphrases_typed_at_the_terminal_are_not_echoed() {
    let env = Env::new();
    let typed_twice =
        [("Enter passphrase (empty for no passphrase): ", SECRET), ("Enter same passphrase again: ", SECRET)];
    let run = env.kw_tty(&typed_twice, &["generate", "-f", "k"]).success();
    assert_no_secret("generate on a terminal", &run, &[SECRET]);

    let mismatch = [
        ("Enter old passphrase: ", SECRET),
        ("Enter new passphrase (empty for no passphrase): ", OTHER_SECRET),
        ("Enter same passphrase again: ", "not the same"),
        ("Enter new passphrase (empty for no passphrase): ", OTHER_SECRET),
        ("Enter same passphrase again: ", OTHER_SECRET),
    ];
    let run = env.kw_tty(&mismatch, &["passphrase", "-f", "k"]).success();
    assert_no_secret("passphrase on a terminal", &run, &[SECRET, OTHER_SECRET, "not the same"]);

    let wrong = [("Enter passphrase for k: ", SECRET)];
    let run = env.kw_tty(&wrong, &["public", "-f", "k"]);
    assert_eq!(run.code, 2, "a wrong passphrase: {}\n{}", run.out(), run.stderr);
    assert_no_secret("public on a terminal", &run, &[SECRET]);
}

/// A prompt left unanswered: tests/pty_answer.py kills keywright 3 s after the last
/// answer (exit 124, instead of a test that hangs), and what was typed is still not shown.
#[test]
fn a_prompt_left_unanswered_is_killed_with_nothing_echoed_or_written() {
    let env = Env::new();
    let only_once = [("Enter passphrase (empty for no passphrase): ", SECRET)];
    let mut command = env.kw_tty_command(&only_once, &["generate", "-f", "k"]);
    command.env("PTY_ANSWER_IDLE", "3");
    let run = env.run(command, None);
    assert_eq!(run.code, 124, "{}\n{}", run.out(), run.stderr);
    assert!(run.out().ends_with("\r\nEnter same passphrase again: "), "{}", run.out());
    assert_eq!(run.stderr, "pty_answer.py: still running 3 s after the last answer; killed\n");
    assert_no_secret("an unanswered prompt", &run, &[SECRET]);
    assert!(!env.path("k").exists() && !env.path("k.pub").exists(), "a key was written");
}

#[test]
fn passwords_are_never_printed() {
    for refuse in [false, true] {
        let server = if refuse { FakeServer::with_fault(Fault::RefuseAuth) } else { FakeServer::start() };
        let env = Env::new();
        let key = env.fixture("id_ed25519").with_extension("pub");
        let known_hosts = env.write("known_hosts_test", server.known_hosts_line() + "\n");
        env.write("password", format!("{DEFAULT_PASSWORD}\n"));
        let run = env.kw([
            "copy-id".as_ref(),
            "-i".as_ref(),
            key.as_os_str(),
            "-o".as_ref(),
            format!("UserKnownHostsFile={}", known_hosts.display()).as_ref(),
            "--password-file".as_ref(),
            "password".as_ref(),
            "--timeout".as_ref(),
            "20".as_ref(),
            server.target().as_ref(),
        ]);
        let run = run.code(if refuse { 1 } else { 0 });
        assert_no_secret(&format!("copy-id, refused: {refuse}"), &run, &[DEFAULT_PASSWORD]);
    }
}

/// While keywright holds a secret (here: waiting for the passphrase on a pipe), its core
/// size limit is 0 and it is not dumpable, which also makes its /proc files (environ, mem)
/// root's, out of reach of other processes of the same user.
#[test]
fn a_process_holding_a_secret_cannot_be_dumped_or_read() {
    let env = Env::new();
    env.fixture("id_ed25519_enc");
    // Permissions only mean something for a user who is not root.
    env.give_to_nobody(&[".", "id_ed25519_enc"]);
    let mut child = env
        .kw_command_unprivileged(["public", "-f", "id_ed25519_enc", "--passphrase-file", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let proc_dir = format!("/proc/{}", child.id());
    let hardened = || {
        let limits = std::fs::read_to_string(format!("{proc_dir}/limits")).unwrap_or_default();
        let no_core = limits.lines().any(|l| {
            l.starts_with("Max core file size") && l.split_whitespace().skip(4).take(2).eq(["0", "0"])
        });
        let environ_owner = std::fs::metadata(format!("{proc_dir}/environ")).map(|m| m.uid());
        no_core && environ_owner.is_ok_and(|uid| uid == 0)
    };
    let start = Instant::now();
    while !hardened() && start.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(10));
    }
    let was_hardened = hardened();
    let limits = std::fs::read_to_string(format!("{proc_dir}/limits")).unwrap_or_default();
    // A write error (keywright already gone) shows below, in its stderr.
    let _ = child.stdin.take().unwrap().write_all(format!("{FIXTURE_PASSPHRASE}\n").as_bytes());
    let output = child.wait_with_output().unwrap();
    // A keywright that failed early was never hardened either; its error says more.
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(was_hardened, "core limit not 0 or still dumpable while waiting for the passphrase:\n{limits}");
}

/// `-P`/`-N` put passphrases on the command line, as in ssh-keygen; keywright overwrites
/// them in its own arguments at once, so `ps` (which reads /proc/PID/cmdline) shows stars
/// for the rest of the run instead of the secret.
#[test]
fn passphrases_given_as_arguments_are_hidden_from_ps() {
    let env = Env::new();
    env.fixture("id_ed25519_enc");
    let mut child = env
        .kw_command([
            "passphrase",
            "-f",
            "id_ed25519_enc",
            "-P",
            FIXTURE_PASSPHRASE,
            "-N",
            SECRET,
            "-a",
            "300",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let cmdline_path = format!("/proc/{}/cmdline", child.id());
    let mut seen = Vec::new();
    while child.try_wait().unwrap().is_none() {
        // Empty when keywright exited since try_wait looked: a zombie has no cmdline.
        if let Ok(bytes) = std::fs::read(&cmdline_path)
            && !bytes.is_empty()
        {
            seen.push(String::from_utf8_lossy(&bytes).replace('\0', " "));
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "the passphrase change failed: {stderr}");
    // The stars are in what ps shows, not in what keywright used.
    env.oracle_public("id_ed25519_enc", SECRET).success();
    // The first reads may come before keywright has got to its arguments; once hidden, they
    // stay hidden.
    let hidden = format!(
        "passphrase -f id_ed25519_enc -P {} -N {} -a 300 ",
        "*".repeat(FIXTURE_PASSPHRASE.len()),
        "*".repeat(SECRET.len())
    );
    let first_hidden = seen.iter().position(|line| line.ends_with(&hidden));
    let Some(first_hidden) = first_hidden else {
        panic!("never hidden while running ({} reads): {:?}", seen.len(), seen.last());
    };
    let shown_again: Vec<(usize, &String)> =
        seen.iter().enumerate().skip(first_hidden).filter(|(_, line)| !line.ends_with(&hidden)).collect();
    assert!(
        shown_again.is_empty(),
        "hidden from read {} of {}, then these reads differ: {shown_again:?}",
        first_hidden + 1,
        seen.len()
    );
}
