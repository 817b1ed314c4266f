//! Every key of OpenSSH's own unit tests (testdata/openssh-corpus, from openssh-portable
//! V_9_2_P1) read by keywright as ssh-keygen 9.2 reads it: `-y` (with the corpus's
//! passphrase for the `_pw` keys), `-l`, `-l -E md5` and `-B`, through the ssh-keygen
//! front (byte for byte: output, messages, exit status) and the native `public` and
//! `fingerprint` (the same lines; a failure is one `keywright: error:` line and exit 2
//! where ssh-keygen fails). The keys keywright does not read are named below, each with
//! the one line it gives instead.

use std::collections::BTreeMap;

use super::common::*;
use super::ssh_keygen::{Via, mask, run};

/// What differs from ssh-keygen, by front arguments: the line keywright prints instead.
/// DSA private keys are refused (OpenSSH 10 removed DSA); everything else matches.
const DIFFERENCES: &[(&str, &str)] = &[
    ("-y -f dsa_1", "Load key \"dsa_1\": DSA private keys are not supported"),
    ("-y -P mekmitasdigoat -f dsa_1_pw", "Load key \"dsa_1_pw\": DSA private keys are not supported"),
    ("-y -f dsa_2", "Load key \"dsa_2\": DSA private keys are not supported"),
];

/// The corpus's key files (its expected-output files and passphrase aside).
fn corpus() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(testdata("openssh-corpus"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.contains(".fp") && n != "pw" && n != "README.md")
        .collect();
    names.sort();
    names
}

fn passphrase() -> String {
    std::fs::read_to_string(testdata("openssh-corpus/pw")).unwrap().trim().to_string()
}

/// A home holding the corpus, private keys 0600 as OpenSSH requires.
fn home() -> Env {
    let env = Env::new();
    for name in corpus() {
        let to = env.path(&name);
        std::fs::copy(testdata(&format!("openssh-corpus/{name}")), &to).unwrap();
        let mode = if name.ends_with(".pub") { 0o644 } else { 0o600 };
        std::fs::set_permissions(&to, std::os::unix::fs::PermissionsExt::from_mode(mode)).unwrap();
    }
    env
}

/// Every case: the ssh-keygen arguments.
fn cases() -> Vec<Vec<String>> {
    let pw = passphrase();
    let mut cases = Vec::new();
    for name in corpus() {
        for op in [&["-l"][..], &["-l", "-E", "md5"], &["-B"], &["-y"]] {
            if op == ["-y"] && name.ends_with(".pub") {
                continue;
            }
            let mut args: Vec<String> = op.iter().map(|s| s.to_string()).collect();
            if op == ["-y"] && name.ends_with("_pw") {
                args.extend(["-P".to_string(), pw.clone()]);
            }
            args.extend(["-f".to_string(), name.clone()]);
            cases.push(args);
        }
    }
    cases
}

#[test]
fn the_front_reads_every_corpus_key_as_ssh_keygen_does() {
    let oracle = home();
    let front = home();
    let expected_differences: BTreeMap<&str, &str> = DIFFERENCES.iter().copied().collect();
    let mut differences = BTreeMap::new();
    for args in cases() {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let theirs = run(&oracle, None, &args, b"");
        let theirs = (theirs.code, theirs.out(), mask(&oracle, &theirs.stderr));
        for via in [Via::Link, Via::Subcommand] {
            let ours = run(&front, Some(via), &args, b"");
            let ours = (ours.code, ours.out(), mask(&front, &ours.stderr));
            if ours != theirs {
                differences.insert(args.join(" "), ours.2.trim_end().to_string());
            }
        }
    }
    let expected: BTreeMap<String, String> =
        expected_differences.iter().map(|(a, l)| (a.to_string(), l.to_string())).collect();
    assert_eq!(differences, expected, "differences from ssh-keygen 9.2 other than the known ones");
}

#[test]
fn the_native_commands_read_every_corpus_key_as_ssh_keygen_does() {
    let env = home();
    for args in cases() {
        let joined = args.join(" ");
        let theirs = env.ssh_keygen(&args);
        let file = args.last().unwrap().clone();
        let native: Vec<String> = match args[0].as_str() {
            "-y" => {
                let mut native = vec!["public".to_string(), "-f".to_string(), file];
                if args.len() > 3 {
                    native.extend(["-P".to_string(), passphrase()]);
                }
                native
            }
            "-B" => vec!["fingerprint".into(), "-B".into(), file],
            _ if args.len() > 3 => vec!["fingerprint".into(), "-E".into(), "md5".into(), file],
            _ => vec!["fingerprint".into(), file],
        };
        let ours = env.kw(&native);
        let known = DIFFERENCES.iter().find(|(a, _)| *a == joined);
        match (theirs.code, known) {
            (0, None) => assert_eq!((ours.code, ours.out()), (0, theirs.out()), "{native:?}"),
            _ => {
                assert_eq!(ours.code, 2, "{native:?}: {}", ours.stderr);
                assert_eq!(
                    ours.stderr.matches("keywright: error: ").count(),
                    1,
                    "{native:?}: {}",
                    ours.stderr
                );
                assert_eq!(ours.out(), "", "{native:?}");
            }
        }
    }
}

#[test]
fn bubblebabble_is_the_corpus_s_own() {
    // OpenSSH's expected Bubble Babble of each key (its .fp.bb files).
    let env = home();
    for name in corpus().iter().filter(|n| n.ends_with(".pub") && !n.contains("-cert") && !n.contains("_sha"))
    {
        let stem = name.trim_end_matches(".pub");
        let expected = std::fs::read_to_string(testdata(&format!("openssh-corpus/{stem}.fp.bb"))).unwrap();
        let out = env.kw(["fingerprint", "-B", name]).success().out();
        assert_eq!(out.split(' ').nth(1), Some(expected.trim()), "{name}");
    }
}

#[test]
fn bubblebabble_json_is_documented() {
    let env = home();
    let out = env.kw(["fingerprint", "-B", "--format", "json", "ed25519_1.pub"]).success().stdout;
    super::json::assert_documented("fingerprint", &out);
}

#[test]
fn a_malformed_dek_info_is_said_so_not_a_wrong_passphrase() {
    let env = home();
    let pw = passphrase();
    let text = env.read_string("ecdsa_1_pw");
    for (name, from, to) in [
        ("bad_iv", "DEK-Info: AES-128-CBC,", "DEK-Info: AES-128-CBC,zz"),
        ("bad_cipher", "DEK-Info: AES-128-CBC,", "DEK-Info: NOPE-CBC,"),
        ("no_dek", "DEK-Info:", "X-Info:"),
    ] {
        env.write(name, text.replacen(from, to, 1));
        std::fs::set_permissions(env.path(name), std::os::unix::fs::PermissionsExt::from_mode(0o600))
            .unwrap();
        let run = env.kw(["public", "-f", name, "-P", &pw]).code(2);
        assert!(run.stderr.contains("unknown or malformed DEK-Info header"), "{name}: {}", run.stderr);
        assert_eq!(run.stderr.matches("keywright: error: ").count(), 1, "{}", run.stderr);
    }
    // The right passphrase opens the encrypted PEM EC key; a wrong one is said so.
    env.kw(["public", "-f", "ecdsa_1_pw", "-P", &pw]).success();
    let wrong = env.kw(["public", "-f", "ecdsa_1_pw", "-P", "wrong"]).code(2);
    assert!(wrong.stderr.contains("incorrect passphrase"), "{}", wrong.stderr);
}
