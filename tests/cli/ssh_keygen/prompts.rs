//! The dialogues at a terminal, against ssh-keygen 9.2's: both run on a pseudo-terminal
//! (tests/pty_answer.py types the answers) and what each wrote to the terminal must be
//! the same, prompts, their order and echo included.

use std::path::Path;
use std::process::Command;

use super::super::common::{Env, FIXTURE_PASSPHRASE, Run, ssh_keygen_path};
use super::super::support::spawn;
use super::{Via, keys, link, mask};

/// Runs `args` on a terminal, answering `dialogue`, as ssh-keygen (`via` None) or the front.
fn on_terminal(env: &Env, via: Option<Via>, dialogue: &[(&str, &str)], args: &[&str]) -> Run {
    let driver = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/pty_answer.py");
    let mut cmd = Command::new("python3");
    cmd.arg(driver);
    for (expect, answer) in dialogue {
        cmd.args([expect, answer]);
    }
    cmd.arg("--");
    match via {
        None => cmd.arg(ssh_keygen_path()),
        Some(Via::Link) => cmd.arg(link(env)),
        Some(Via::Subcommand) => cmd.args([env!("CARGO_BIN_EXE_keywright"), "ssh-keygen"]),
    };
    cmd.args(args).current_dir(env.home()).env("HOME", env.home()).env("LC_ALL", "C");
    for var in ["SSH_AUTH_SOCK", "LANG", "LC_CTYPE", "DISPLAY", "SSH_ASKPASS", "KEYWRIGHT_BATCH"] {
        cmd.env_remove(var);
    }
    spawn(cmd, None).finish()
}

/// The same dialogue with ssh-keygen and both fronts; returns the homes (ssh-keygen's first).
#[track_caller]
fn same_dialogue(setup: &dyn Fn(&Env), dialogue: &[(&str, &str)], args: &[&str]) -> Vec<Env> {
    let oracle = Env::new();
    setup(&oracle);
    let expected = on_terminal(&oracle, None, dialogue, args);
    assert_eq!(expected.code, 0, "ssh-keygen: {}\n{}", expected.out(), expected.stderr);
    let mut homes = vec![oracle];
    for via in [Via::Link, Via::Subcommand] {
        let env = Env::new();
        setup(&env);
        let run = on_terminal(&env, Some(via), dialogue, args);
        assert_eq!(
            (run.code, mask(&env, &run.out())),
            (expected.code, mask(&homes[0], &expected.out())),
            "the front ({via:?}) talks otherwise than ssh-keygen for {args:?}\nstderr: {}",
            run.stderr
        );
        homes.push(env);
    }
    homes
}

fn opens_with(homes: &[Env], file: &str, passphrase: &str) {
    for env in homes {
        env.ssh_keygen(["-y", "-P", passphrase, "-f", file]).success();
    }
}

#[test]
fn a_new_keys_passphrase_is_asked_twice_at_the_terminal() {
    let dialogue = [("Enter passphrase", "pw"), ("again", "pw")];
    let homes = same_dialogue(&|_| {}, &dialogue, &["-t", "ed25519", "-f", "k", "-C", "c"]);
    opens_with(&homes, "k", "pw");
    let mismatch = [("Enter passphrase", "a"), ("again", "b"), ("Enter passphrase", "c"), ("again", "c")];
    let homes = same_dialogue(&|_| {}, &mismatch, &["-t", "ed25519", "-f", "k", "-C", "c"]);
    opens_with(&homes, "k", "c");
}

#[test]
fn the_file_and_overwriting_are_asked_at_the_terminal() {
    let dialogue = [("save the key", "k"), ("Enter passphrase", ""), ("again", "")];
    let homes = same_dialogue(&|_| {}, &dialogue, &["-t", "ed25519", "-C", "c"]);
    opens_with(&homes, "k", "");
    let existing = keys(&["id_ed25519"]);
    let dialogue = [("Overwrite (y/n)?", "y"), ("Enter passphrase", ""), ("again", "")];
    same_dialogue(&existing, &dialogue, &["-t", "ed25519", "-f", "id_ed25519", "-C", "c"]);
}

#[test]
fn passphrases_of_existing_keys_at_the_terminal() {
    let setup = keys(&["id_ed25519_enc"]);
    same_dialogue(&setup, &[("Enter passphrase", FIXTURE_PASSPHRASE)], &["-y", "-f", "id_ed25519_enc"]);
    let change = [("old passphrase", FIXTURE_PASSPHRASE), ("new passphrase", "n"), ("again", "n")];
    let homes = same_dialogue(&setup, &change, &["-p", "-f", "id_ed25519_enc"]);
    opens_with(&homes, "id_ed25519_enc", "n");
    let comment = [("Enter passphrase", FIXTURE_PASSPHRASE), ("New comment", "hello there")];
    same_dialogue(&setup, &comment, &["-c", "-f", "id_ed25519_enc"]);
}
