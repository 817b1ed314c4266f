//! `keywright verify` and `keywright signers` against `ssh-keygen -Y verify`,
//! `find-principals` and `match-principals` 9.2 on the same files: the same answers,
//! the same principals printed, complaints about the same lines.

use std::process::Command;

use super::common::*;
use super::json::assert_documented;
use super::sign::run_with_stdin_file;

/// The fixture key that signs `msg.txt` in these tests, and another one.
const SIGNER: &str = "id_ed25519";
const OTHER: &str = "id_ecdsa_256";

/// A home with `msg.txt` signed by [`SIGNER`] in namespace `file` (by ssh-keygen).
fn signed_home() -> Env {
    let env = Env::new();
    let key = env.fixture(SIGNER);
    env.write("msg.txt", "hello\n");
    env.ssh_keygen(["-q", "-Y", "sign", "-f", key.to_str().unwrap(), "-n", "file", "msg.txt"]).success();
    env
}

fn kw_verify(env: &Env, signers: &str, principal: &str, extra: &[&str]) -> Run {
    let mut args = vec!["verify", "-f", signers, "-I", principal, "-n", "file", "-s", "msg.txt.sig"];
    args.extend_from_slice(extra);
    args.push("msg.txt");
    env.kw(&args)
}

/// ssh-keygen -Y verify with extra arguments (-r, -O), the message on stdin.
fn oracle(env: &Env, args: &[&str]) -> Run {
    let mut cmd = env.ssh_keygen_command(["-Y"].iter().chain(args));
    cmd.stdin(std::fs::File::open(env.path("msg.txt")).unwrap());
    run_with_stdin_file(cmd)
}

/// The line numbers an ssh-keygen or keywright complaint names (`FILE:N: …`).
fn complained_lines(stderr: &str, file: &str) -> Vec<usize> {
    let prefixes = [format!("{file}:"), format!("keywright: warning: {file}:")];
    stderr
        .lines()
        .filter_map(|line| prefixes.iter().find_map(|p| line.strip_prefix(p.as_str())))
        .filter_map(|rest| rest.split(':').next()?.parse().ok())
        .collect()
}

/// Many allowed_signers files, each read by both tools in all three lookups: the same
/// verdicts, the same principals printed, complaints about the same lines.
#[test]
fn lookups_answer_as_openssh_does() {
    let env = signed_home();
    let k = key_line(SIGNER);
    let o = key_line(OTHER);
    let files: Vec<String> = vec![
        format!("alice {k}\n"),
        format!("alice,bob {k}\n"),
        format!("\n   \n# c\n  # c2\nalice {k}\n"),
        format!("\"al ice\" {k}\n"),
        format!("\"al ice\",bob {k}\n"),
        format!("x\"al ice\"y {k}\n"),
        format!("alice\tnamespaces=\"file\",valid-after=\"20200101Z\" {k} comment here\n"),
        format!("alice bogus-opt {k}\n"),
        format!("alice cert-authority {k}\n"),
        format!("alice valid-after=\"20300101Z\",valid-before=\"20200101Z\" {k}\n"),
        format!("alice {k}\nbob {k}\n"),
        format!("alice namespaces=\"x,git\" {k}\nbob namespaces=\"f*\" {k}\n"),
        format!("alice valid-before=\"20200101Z\" {k}\nbob {k}\n"),
        format!("alice valid-after=\"20990101Z\" {k}\nalice {o}\n"),
        "alice ssh-ed25519 AAAAbad\n".to_string(),
        format!("alice valid-after=20200101 {k}\n"),
        "alice".to_string(),
        format!("alice,,bob {k}\n"),
        format!("*,!mallory {k}\n"),
        format!("*@example.com,!mallory@example.com {k}\n"),
        format!("Alice {k}\n"),
        format!("garbage line\nalice {k}\n"),
        format!("bob {o}\nal?ce {k}\n"),
        format!("alice NAMESPACES=\"file\",Valid-Before=\"20990101\" {k}\n"),
        format!("alice {k}\r\nbob {k}\r\n"),
        format!("alice namespaces=\"fi\\\"le\" {k}\n"),
        format!("alice valid-before=\"20990101235961Z\" {k}\n"),
        format!("alice valid-after=\"20300231Z\" {k}\n"),
    ];
    let principals = ["alice", "bob", "al ice", "mallory", "eve", "alice@example.com", "mallory@example.com"];
    for (index, text) in files.iter().enumerate() {
        let name = format!("allowed_{index}");
        env.write(&name, text);
        let why = |what: &str| format!("{what} on {name}:\n{text}");
        // find-principals
        let theirs = env.ssh_keygen(["-Y", "find-principals", "-f", &name, "-s", "msg.txt.sig"]);
        let ours = env.kw(["signers", "find", "-f", &name, "-s", "msg.txt.sig"]);
        assert_eq!(ours.out(), theirs.out(), "{}", why("find stdout"));
        assert_eq!(ours.code == 0, theirs.code == 0, "{}\n{}", why("find status"), ours.stderr);
        assert_eq!(
            complained_lines(&ours.stderr, &name),
            complained_lines(&theirs.stderr, &name),
            "{}\nours: {}\ntheirs: {}",
            why("find complaints"),
            ours.stderr,
            theirs.stderr
        );
        for principal in principals {
            // match-principals: OpenSSH gives up on a bad line that names the identity.
            let theirs = env.ssh_keygen(["-Y", "match-principals", "-f", &name, "-I", principal]);
            let ours = env.kw(["signers", "match", "-f", &name, "-I", principal]);
            assert_eq!(ours.out(), theirs.out(), "{}", why(&format!("match {principal} stdout")));
            assert_eq!(ours.code == 0, theirs.code == 0, "{}", why(&format!("match {principal} status")));
            // verify
            let theirs =
                oracle(&env, &["verify", "-f", &name, "-I", principal, "-n", "file", "-s", "msg.txt.sig"]);
            let ours = kw_verify(&env, &name, principal, &[]);
            assert_eq!(
                ours.code == 0,
                theirs.code == 0,
                "{}\n{}",
                why(&format!("verify {principal}")),
                ours.stderr
            );
            if theirs.code == 0 {
                assert_eq!(ours.out(), theirs.out(), "{}", why(&format!("verify {principal} stdout")));
            } else {
                assert_eq!(ours.code, 1, "{}", why(&format!("verify {principal} exit")));
            }
            assert_eq!(
                complained_lines(&ours.stderr, &name),
                complained_lines(&theirs.stderr, &name),
                "{}\nours: {}\ntheirs: {}",
                why(&format!("verify {principal} complaints")),
                ours.stderr,
                theirs.stderr
            );
        }
    }
}

/// Each refusal with its exact words and exit status 1 (ssh-keygen: 255 for all).
#[test]
fn refusals_say_why() {
    let env = signed_home();
    env.write("allowed", format!("alice@example.com {}\n", key_line(SIGNER)));
    let run = env.kw([
        "verify",
        "-f",
        "allowed",
        "-I",
        "alice@example.com",
        "-n",
        "git",
        "-s",
        "msg.txt.sig",
        "msg.txt",
    ]);
    assert_eq!(
        run.code(1).out(),
        "Could not verify signature: the signature is for namespace \"file\", not \"git\"\n"
    );
    assert_eq!(
        oracle(
            &env,
            &["verify", "-f", "allowed", "-I", "alice@example.com", "-n", "git", "-s", "msg.txt.sig"]
        )
        .code,
        255
    );
    env.write("msg.txt", "hellO\n");
    let run = kw_verify(&env, "allowed", "alice@example.com", &[]).code(1);
    assert_eq!(
        run.out(),
        "Could not verify signature: the signature does not match the data (changed or forged)\n"
    );
    assert_eq!(run.stderr, "");
    env.write("msg.txt", "hello\n");
    let run = kw_verify(&env, "allowed", "bob@example.com", &[]).code(1);
    assert_eq!(
        run.out(),
        "Could not verify signature: no line of allowed allows this key for bob@example.com\n"
    );
    // Data on standard input, as ssh-keygen reads it.
    let run = env.kw_stdin(
        ["verify", "-f", "allowed", "-I", "alice@example.com", "-n", "file", "-s", "msg.txt.sig"],
        b"hello\n",
    );
    assert!(
        run.success()
            .out()
            .starts_with("Good \"file\" signature for alice@example.com with ED25519 key SHA256:")
    );
    // Errors: exit 2, nothing verified.
    let missing = kw_verify(&env, "nowhere", "alice@example.com", &[]).code(2);
    assert_eq!(
        missing.stderr,
        "keywright: error: nowhere: no such file or directory\nkeywright: hint: check the path\n"
    );
    env.write("garbage.sig", "not a signature\n");
    let run = env
        .kw([
            "verify",
            "-f",
            "allowed",
            "-I",
            "alice@example.com",
            "-n",
            "file",
            "-s",
            "garbage.sig",
            "msg.txt",
        ])
        .code(2);
    assert!(run.stderr.starts_with("keywright: error: garbage.sig: not an SSH signature: it does not start with -----BEGIN SSH SIGNATURE-----\n"), "{}", run.stderr);
}

/// valid-after and valid-before against now and --verify-time, as -O verify-time.
#[test]
fn validity_windows_follow_the_verify_time() {
    let env = signed_home();
    let k = key_line(SIGNER);
    env.write("allowed", format!("alice valid-after=\"20200101Z\",valid-before=\"20210101Z\" {k}\n"));
    for (time, good) in [
        (None, false),
        (Some("20200601Z"), true),
        (Some("20191231Z"), false),
        (Some("20210101Z"), true),
        (Some("20210101000001Z"), false),
    ] {
        let (ours, theirs) = match time {
            None => (
                kw_verify(&env, "allowed", "alice", &[]),
                oracle(&env, &["verify", "-f", "allowed", "-I", "alice", "-n", "file", "-s", "msg.txt.sig"]),
            ),
            Some(time) => {
                let option = format!("-Overify-time={time}");
                (
                    kw_verify(&env, "allowed", "alice", &["--verify-time", time]),
                    oracle(
                        &env,
                        &[
                            "verify",
                            "-f",
                            "allowed",
                            "-I",
                            "alice",
                            "-n",
                            "file",
                            "-s",
                            "msg.txt.sig",
                            &option,
                        ],
                    ),
                )
            }
        };
        assert_eq!(
            (ours.code, theirs.code),
            if good { (0, 0) } else { (1, 255) },
            "{time:?}: {}",
            ours.stderr
        );
        assert_eq!(
            complained_lines(&ours.stderr, "allowed"),
            complained_lines(&theirs.stderr, "allowed"),
            "{time:?}"
        );
    }
    let expired = kw_verify(&env, "allowed", "alice", &["--verify-time", "20220101Z"]).code(1);
    assert!(
        expired.stderr.starts_with("keywright: warning: allowed:1: the key has expired: "),
        "{}",
        expired.stderr
    );
    let bad = kw_verify(&env, "allowed", "alice", &["--verify-time", "2022"]).code(2);
    assert!(
        bad.stderr.starts_with("keywright: error: --verify-time 2022: expected YYYYMMDD[HHMM[SS]]"),
        "{}",
        bad.stderr
    );
}

/// Local times are read as OpenSSH reads them (mktime with tm_isdst 0: standard time),
/// and printed as it prints them.
#[test]
fn local_times_like_openssh_in_another_zone() {
    let env = signed_home();
    let k = key_line(SIGNER);
    env.write("allowed", format!("alice valid-after=\"20300701\" {k}\nalice valid-after=\"20300101\" {k}\n"));
    for zone in ["Europe/Berlin", "America/New_York", "Australia/Sydney"] {
        let mut theirs = env.ssh_keygen_command([
            "-Y",
            "verify",
            "-f",
            "allowed",
            "-I",
            "alice",
            "-n",
            "file",
            "-s",
            "msg.txt.sig",
        ]);
        theirs.env("TZ", zone).stdin(std::fs::File::open(env.path("msg.txt")).unwrap());
        let theirs = run_with_stdin_file(theirs);
        let mut ours = env.kw_command([
            "verify",
            "-f",
            "allowed",
            "-I",
            "alice",
            "-n",
            "file",
            "-s",
            "msg.txt.sig",
            "msg.txt",
        ]);
        ours.env("TZ", zone);
        let ours = env.run(ours, None);
        let times = |stderr: &str| -> Vec<String> {
            stderr.lines().filter_map(|l| l.rsplit(' ').next().map(str::to_string)).collect()
        };
        assert_eq!(
            times(&ours.stderr),
            times(&theirs.stderr),
            "{zone}\nours: {}\ntheirs: {}",
            ours.stderr,
            theirs.stderr
        );
    }
}

#[test]
fn revoked_keys_are_refused() {
    let env = signed_home();
    let k = key_line(SIGNER);
    env.write("allowed", format!("alice {k}\n"));
    env.write("revoked", format!("# old laptop\n{} x\n{k} stolen\n", key_line(OTHER)));
    let run = kw_verify(&env, "allowed", "alice", &["-r", "revoked"]).code(1);
    assert_eq!(run.out(), "Could not verify signature: the key is revoked\n");
    assert_eq!(
        oracle(
            &env,
            &["verify", "-f", "allowed", "-I", "alice", "-n", "file", "-s", "msg.txt.sig", "-r", "revoked"]
        )
        .code,
        255
    );
    env.write("other", format!("{}\n", key_line(OTHER)));
    kw_verify(&env, "allowed", "alice", &["-r", "other"]).success();
    oracle(
        &env,
        &["verify", "-f", "allowed", "-I", "alice", "-n", "file", "-s", "msg.txt.sig", "-r", "other"],
    )
    .success();
    // A line that is no key refuses everything, in both tools.
    env.write("garbled", "garbage\n");
    let run = kw_verify(&env, "allowed", "alice", &["-r", "garbled"]).code(2);
    assert_eq!(
        run.stderr,
        "keywright: error: garbled:1: not a public key, so the revocation list cannot be checked\n\
         keywright: hint: each line of a revocation file must be a public key (TYPE BASE64 [COMMENT]) or a # comment\n"
    );
    assert_eq!(
        oracle(
            &env,
            &["verify", "-f", "allowed", "-I", "alice", "-n", "file", "-s", "msg.txt.sig", "-r", "garbled"]
        )
        .code,
        255
    );
    // A KRL (ssh-keygen -k) revokes as a list of keys does, in both tools; one that
    // does not name the signer lets it through; a damaged one fails closed.
    env.ssh_keygen(["-q", "-k", "-f", "krl", &format!("{SIGNER}.pub")]).success();
    let run = kw_verify(&env, "allowed", "alice", &["-r", "krl"]).code(1);
    assert_eq!(run.out(), "Could not verify signature: the key is revoked\n");
    let verify_krl = |krl: &str| {
        oracle(
            &env,
            &["verify", "-f", "allowed", "-I", "alice", "-n", "file", "-s", "msg.txt.sig", "-r", krl],
        )
    };
    assert_eq!(verify_krl("krl").code, 255);
    env.ssh_keygen(["-q", "-k", "-f", "other.krl", "other"]).success();
    kw_verify(&env, "allowed", "alice", &["-r", "other.krl"]).success();
    verify_krl("other.krl").success();
    let mut damaged = std::fs::read(env.path("krl")).unwrap();
    damaged.push(9);
    std::fs::write(env.path("damaged.krl"), damaged).unwrap();
    let run = kw_verify(&env, "allowed", "alice", &["-r", "damaged.krl"]).code(2);
    assert!(
        run.stderr.starts_with("keywright: error: damaged.krl: not a key revocation list"),
        "{}",
        run.stderr
    );
    assert_eq!(verify_krl("damaged.krl").code, 255);
}

/// Certificates signed by a CA that a cert-authority line lists: valid, expired,
/// another principal, a host certificate (made by ssh-keygen -s and signed with
/// ssh-keygen -Y sign).
#[test]
fn cert_authority_lines_admit_certificates_of_their_ca() {
    let env = Env::new();
    env.ssh_keygen(["-q", "-t", "ed25519", "-N", "", "-f", "ca"]).success();
    let ca = std::fs::read_to_string(env.path("ca.pub")).unwrap();
    env.write(
        "allowed",
        format!("bob {}\n*@example.com,!mallory@example.com cert-authority {ca}", key_line(OTHER)),
    );
    env.write("msg.txt", "hello\n");
    let cases = [
        ("valid", "-1d:+1d", "alice@example.com,carol@example.com", false),
        ("expired", "-3d:-1d", "alice@example.com", false),
        ("host", "-1d:+1d", "alice@example.com", true),
        ("mallory", "-1d:+1d", "mallory@example.com", false),
    ];
    for (name, validity, principals, host) in cases {
        let key = env.fixture(SIGNER);
        let mut args = vec!["-q", "-s", "ca", "-I", name, "-n", principals, "-V", validity];
        if host {
            args.push("-h");
        }
        args.push("id_ed25519.pub");
        env.ssh_keygen(&args).success();
        env.ssh_keygen(["-q", "-Y", "sign", "-f", "id_ed25519-cert.pub", "-n", "file", "msg.txt"]).success();
        for principal in ["alice@example.com", "carol@example.com", "mallory@example.com", "bob"] {
            let theirs = oracle(
                &env,
                &["verify", "-f", "allowed", "-I", principal, "-n", "file", "-s", "msg.txt.sig"],
            );
            let ours = kw_verify(&env, "allowed", principal, &[]);
            assert_eq!(ours.code == 0, theirs.code == 0, "{name} {principal}: {}", ours.stderr);
            assert_eq!(ours.out() == theirs.out(), theirs.code == 0, "{name} {principal}");
            assert_eq!(
                complained_lines(&ours.stderr, "allowed"),
                complained_lines(&theirs.stderr, "allowed"),
                "{name} {principal}"
            );
        }
        let theirs = env.ssh_keygen(["-Y", "find-principals", "-f", "allowed", "-s", "msg.txt.sig"]);
        let ours = env.kw(["signers", "find", "-f", "allowed", "-s", "msg.txt.sig"]);
        assert_eq!((ours.out(), ours.code == 0), (theirs.out(), theirs.code == 0), "{name}: {}", ours.stderr);
        for file in ["msg.txt.sig", "id_ed25519-cert.pub"] {
            std::fs::remove_file(env.path(file)).unwrap();
        }
        drop(key);
    }
}

#[test]
fn check_novalidate_checks_the_signature_alone() {
    let env = signed_home();
    let run = env.kw(["verify", "--no-validate", "-n", "file", "-s", "msg.txt.sig", "msg.txt"]).success();
    let theirs = oracle(&env, &["check-novalidate", "-n", "file", "-s", "msg.txt.sig"]).success();
    assert_eq!(run.out(), theirs.out());
    env.kw(["verify", "--no-validate", "-n", "git", "-s", "msg.txt.sig", "msg.txt"]).code(1);
    let usage = env.kw(["verify", "-n", "file", "-s", "msg.txt.sig", "msg.txt"]).code(2);
    assert!(usage.stderr.contains("--signers <ALLOWED_SIGNERS>"), "{}", usage.stderr);
}

/// `signers add` writes lines OpenSSH reads as meant, once, atomically, under a lock.
#[test]
fn add_writes_lines_openssh_reads_once() {
    let env = signed_home();
    env.fixture(OTHER);
    let public = format!("{SIGNER}.pub");
    let add = |args: &[&str]| {
        let mut all = vec!["signers", "add", "-f", "allowed"];
        all.extend_from_slice(args);
        env.kw(&all)
    };
    let run = add(&["--namespaces", "file,git", "--valid-after", "20200101Z", "alice@example.com", &public])
        .success();
    assert_eq!(run.out(), format!("Added alice@example.com ED25519 {} to allowed:1\n", fingerprint(SIGNER)));
    assert_eq!(mode(&env.path("allowed")), 0o644);
    let again =
        add(&["--namespaces", "file,git", "--valid-after", "20200101Z", "alice@example.com", &public])
            .success();
    assert_eq!(
        again.out(),
        format!("alice@example.com ED25519 {}: already in allowed:1\n", fingerprint(SIGNER))
    );
    add(&["-q", "--cert-authority", "*@example.com", &format!("{OTHER}.pub")]).success();
    add(&["-q", "two words", &key_line(OTHER)]).success();
    let text = env.read_string("allowed");
    assert_eq!(
        text,
        format!(
            "alice@example.com namespaces=\"file,git\",valid-after=\"20200101000000Z\" {} id_ed25519@keywright.test\n\
             *@example.com cert-authority {} id_ecdsa_256@keywright.test\n\
             \"two words\" {}\n",
            key_line(SIGNER),
            key_line(OTHER),
            key_line(OTHER)
        )
    );
    oracle(&env, &["verify", "-f", "allowed", "-I", "alice@example.com", "-n", "git", "-s", "msg.txt.sig"])
        .code(255);
    oracle(&env, &["verify", "-f", "allowed", "-I", "alice@example.com", "-n", "file", "-s", "msg.txt.sig"])
        .success();
    assert_eq!(
        env.ssh_keygen(["-Y", "match-principals", "-f", "allowed", "-I", "two words"]).success().out(),
        "two words\n"
    );
    let refused = add(&["al\"ice", &public]).code(2);
    assert!(refused.stderr.contains("cannot be written as allowed_signers principals"), "{}", refused.stderr);
    let refused = add(&["--valid-after", "20300101Z", "--valid-before", "20200101Z", "x", &public]).code(2);
    assert!(refused.stderr.contains("valid-before must be after valid-after"), "{}", refused.stderr);
}

/// Concurrent adds to one file never lose a line (the directory lock).
#[test]
fn concurrent_adds_keep_every_line() {
    let env = Env::new();
    env.fixture(SIGNER);
    let children: Vec<_> = (0..8)
        .map(|i| {
            let principal = format!("user{i}@example.com");
            let mut cmd = env.kw_command([
                "signers",
                "add",
                "-q",
                "-f",
                "allowed",
                &principal,
                &format!("{SIGNER}.pub"),
            ]);
            cmd.stdout(std::process::Stdio::null()).stderr(std::process::Stdio::piped());
            cmd.spawn().unwrap()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    let text = env.read_string("allowed");
    for i in 0..8 {
        assert!(text.contains(&format!("user{i}@example.com ")), "user{i} lost:\n{text}");
    }
    assert_eq!(text.lines().count(), 8);
}

#[test]
fn list_and_audit() {
    let env = signed_home();
    let k = key_line(SIGNER);
    let o = key_line(OTHER);
    let rsa1024 = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQDGH7Zl8TZjhXCZVRrpBVkaDdbq2rdY8lYTrqVMI1K3dyqNTmNkW94PGvn0G+lNhBHLpcRKWqAtZyt3LHvP9hc7T/cV5ahpJdtawsm0DGprLB0q8ISCT88lMvjS/V/7Zvi+FgdjbHrxapGm66wSL5ahrIK1oFNz4vJy+uzmZXHJGw==";
    let text = format!(
        "# signers\nalice@example.com {k} laptop\nalice@example.com {k} laptop\nbob@example.com {k}\n\
         carol valid-before=\"20200101Z\" {o}\nbroken\ndave {rsa1024}\n*@example.com cert-authority,namespaces=\"git\" {o}\n\n  \n"
    );
    env.write("allowed", &text);
    let listed = env.kw(["signers", "list", "-f", "allowed"]).success().out();
    let lines: Vec<&str> = listed.lines().collect();
    assert_eq!(lines[0], format!("2: alice@example.com ED25519 256 {}", fingerprint(SIGNER)));
    assert!(
        lines[3].starts_with("5: carol ECDSA 256 SHA256:") && lines[3].contains(" valid-before="),
        "{listed}"
    );
    assert!(lines.contains(&"6: invalid: no key"), "{listed}");
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("8: *@example.com ECDSA 256 ")
                && l.ends_with(" cert-authority namespaces=git")),
        "{listed}"
    );
    let json = env.kw(["signers", "list", "-f", "allowed", "--format", "json"]).success();
    assert_documented("signers list", &json.stdout);
    let audit = env.kw(["signers", "audit", "-f", "allowed"]).code(1).out();
    assert_eq!(
        audit,
        "allowed:3: warning: duplicate of line 2 [duplicate]\n\
         allowed:4: warning: the same key is listed for alice@example.com on line 2 [shared-key]\n\
         allowed:5: warning: expired: valid-before 2020-01-01T00:00:00 [expired]\n\
         allowed:6: error: no key [invalid-line]\n\
         allowed:7: error: RSA 1024-bit key [weak-key]\n\
         2 errors, 3 warnings, 0 notes\n"
            .replace("2020-01-01T00:00:00", &local("20200101Z"))
    );
    let json =
        env.kw(["signers", "audit", "-f", "allowed", "--format", "json", "--fail-on", "error"]).code(1);
    assert_documented("signers audit", &json.stdout);
    env.write("clean", format!("alice {k}\n"));
    let clean = env.kw(["signers", "audit", "-f", "clean", "--format", "json"]).success();
    assert_documented("signers audit", &clean.stdout);
}

#[test]
fn json_is_as_documented() {
    let env = signed_home();
    env.write("allowed", format!("alice valid-before=\"20200101Z\" {0}\nalice,bob {0}\n", key_line(SIGNER)));
    let good = env.kw([
        "verify",
        "-f",
        "allowed",
        "-I",
        "alice",
        "-n",
        "file",
        "-s",
        "msg.txt.sig",
        "--format",
        "json",
        "msg.txt",
    ]);
    let good = good.success();
    assert_eq!(good.stderr, "", "JSON keeps stderr quiet");
    assert_documented("verify", &good.stdout);
    let bad = env.kw([
        "verify",
        "-f",
        "allowed",
        "-I",
        "carol",
        "-n",
        "file",
        "-s",
        "msg.txt.sig",
        "--format",
        "json",
        "msg.txt",
    ]);
    assert_documented("verify", &bad.code(1).stdout);
    let novalidate =
        env.kw(["verify", "--no-validate", "-n", "git", "-s", "msg.txt.sig", "--format", "json", "msg.txt"]);
    assert_documented("verify", &novalidate.code(1).stdout);
    let found =
        env.kw(["signers", "find", "-f", "allowed", "-s", "msg.txt.sig", "--format", "json"]).success();
    assert_documented("signers find", &found.stdout);
    let found: serde_json::Value = serde_json::from_slice(&found.stdout).unwrap();
    assert_eq!(found["principals"], serde_json::json!(["alice", "bob"]));
    assert_eq!(found["notes"][0]["code"], "expired");
    let matched = env.kw(["signers", "match", "-f", "allowed", "-I", "bob", "--format", "json"]).success();
    assert_documented("signers match", &matched.stdout);
    let none = env.kw(["signers", "match", "-f", "allowed", "-I", "zed", "--format", "json"]).code(1);
    assert_documented("signers match", &none.stdout);
}

/// The fingerprint of a fixture, as ssh-keygen -l printed it.
fn fingerprint(name: &str) -> String {
    let fp = std::fs::read_to_string(testdata(&format!("keys/{name}.pub.fp"))).unwrap();
    fp.split_whitespace().nth(1).unwrap().to_string()
}

/// A UTC time as OpenSSH prints it in the local zone of the test run.
fn local(utc: &str) -> String {
    let out = Command::new("date")
        .args(["-d", &format!("{}-{}-{}T00:00:00Z", &utc[..4], &utc[4..6], &utc[6..8]), "+%Y-%m-%dT%H:%M:%S"])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}
