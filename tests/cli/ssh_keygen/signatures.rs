//! `-Y sign|verify|find-principals|match-principals|check-novalidate` against ssh-keygen
//! 9.2: the same stdout, stderr, exit status and files (Ed25519 signatures are
//! deterministic, so the signature files are compared byte for byte), for good
//! signatures and every way one fails, the arguments' checks and the `-O` options.

use super::super::common::{Env, FIXTURE_PASSPHRASE};
use super::super::support::spawn;
use super::super::support::sshd::Agent;
use super::{Via, command, compare, mask, pub_line};

/// Keys, a message with a signature made by ssh-keygen, and allowed_signers files of
/// every kind (expired, not yet valid, another namespace, unreadable lines).
fn files(env: &Env) {
    for key in ["id_ed25519", "id_rsa_2048", "id_ecdsa_256", "id_ed25519_enc"] {
        env.fixture(key);
    }
    std::fs::copy(env.path("id_ed25519.pub"), env.path("lone.pub")).unwrap();
    env.write("msg", "hello\n");
    env.write("other", "other data\n");
    env.write("garbage", "not a key\n");
    let ed = pub_line("id_ed25519");
    let ed = ed.split(' ').take(2).collect::<Vec<_>>().join(" ");
    let rsa = pub_line("id_rsa_2048");
    let rsa = rsa.split(' ').take(2).collect::<Vec<_>>().join(" ");
    env.write("allowed", format!("me@x,you@x {ed}\nrsa@x {rsa}\n"));
    env.write("expired", format!("me@x valid-before=\"20200101Z\" {ed}\n"));
    env.write("future", format!("me@x valid-after=\"29990101Z\" {ed}\n"));
    env.write("timeboxed", format!("me@x valid-after=\"20200101Z\",valid-before=\"20300101Z\" {ed}\n"));
    env.write("namespaced", format!("me@x namespaces=\"file,mail\" {ed}\n"));
    env.write("unquoted", format!("me@x valid-before=20200101 {ed}\n"));
    env.write("bad", format!("bad line here\nme@x {ed}\nme@x cert-authority,bogus {ed}\n"));
    env.write("revoked", format!("{ed}\n"));
    env.write("notsig", "hello\n");
    env.ssh_keygen(["-q", "-Y", "sign", "-n", "git", "-f", "id_ed25519", "msg"]).success();
    env.ssh_keygen(["-q", "-Y", "sign", "-n", "git", "-f", "id_rsa_2048", "other"]).success();
    let sig = env.read("msg.sig");
    env.write("cut.sig", &sig[..100]);
    // Key revocation lists: one revoking the signer, one another key, one damaged.
    env.ssh_keygen(["-q", "-k", "-f", "revoked.krl", "id_ed25519.pub"]).success();
    env.ssh_keygen(["-q", "-k", "-f", "other.krl", "id_rsa_2048.pub"]).success();
    let mut damaged = env.read("revoked.krl");
    damaged.push(2);
    env.write("damaged.krl", damaged);
}

#[test]
fn sign_writes_file_sig_as_ssh_keygen() {
    for args in [
        &["-Y", "sign", "-n", "git", "-f", "id_ed25519", "allowed"][..],
        &["-Y", "sign", "-n", "git", "-f", "id_ed25519.pub", "allowed"],
        &["-Y", "sign", "-n", "git", "-f", "id_ed25519", "allowed", "garbage"],
        &["-q", "-Y", "sign", "-n", "git", "-f", "id_ed25519", "allowed"],
        &["-Y", "sign", "-n", "git", "-f", "id_ed25519", "-O", "hashalg=sha256", "allowed"],
        &["-Y", "sign", "-n", "git", "-f", "id_ed25519", "-O", "HASHALG=sha512", "allowed"],
        &["-Y", "signature", "-n", "git", "-f", "id_ed25519", "allowed"],
        &["-Y", "sign", "-n", "git", "-f", "id_ed25519_enc", "-P", "keywright-test", "allowed"],
        &["-Y", "sign", "-n", "file", "-f", "id_ed25519", "-", "-l", "-F", "host"],
    ] {
        let twins = compare(&files, args, b"");
        twins.same_files();
        if twins.oracle.path("allowed.sig").exists() {
            twins.same_contents("allowed.sig");
        }
    }
    // RSA and ECDSA signatures differ each time: ssh-keygen verifies the front's.
    for key in ["id_rsa_2048", "id_ecdsa_256"] {
        let twins = compare(&files, &["-Y", "sign", "-n", "git", "-f", key, "allowed"], b"");
        for (_, env, _) in &twins.fronts {
            let check = ["-Y", "check-novalidate", "-n", "git", "-s", "allowed.sig"];
            let run = env.run(env.ssh_keygen_command(check), Some(&env.read("allowed")));
            assert_eq!(run.code, 0, "{key}: {}", run.stderr);
        }
    }
}

#[test]
fn sign_reads_standard_input_and_writes_the_signature_to_stdout() {
    for args in [
        &["-Y", "sign", "-n", "git", "-f", "id_ed25519"][..],
        &["-Y", "sign", "-n", "git", "-f", "id_ed25519", "-"],
        &["-q", "-Y", "sign", "-n", "git", "-f", "id_ed25519", "-"],
    ] {
        compare(&files, args, b"signed from stdin\n").same_files();
    }
}

/// ssh-keygen asks on stdout before replacing FILE.sig and reads the answer from stdin:
/// anything but y (or the end of input) keeps the file.
#[test]
fn an_existing_signature_is_replaced_only_on_yes() {
    let args = ["-Y", "sign", "-n", "git", "-f", "id_ed25519", "msg", "other"];
    for answers in [&b""[..], b"y\n", b"n\n", b"y\ny\n", b"yes\nn\n", b"Y\nyy\n", b"\ny\n"] {
        compare(&files, &args, answers).same_files().same_contents("msg.sig").same_contents("other.sig");
    }
}

/// Without a terminal the passphrase of an encrypted key is read from stdin first, a byte
/// at a time, and only then the answer to the question about an existing FILE.sig.
#[test]
fn an_encrypted_keys_passphrase_comes_before_the_overwrite_answer() {
    let args = ["-Y", "sign", "-n", "git", "-f", "id_ed25519_enc", "msg"];
    let right = FIXTURE_PASSPHRASE;
    for answers in [format!("{right}\ny\n"), format!("{right}\nn\n"), "wrong\ny\n".into()] {
        compare(&files, &args, answers.as_bytes()).same_files().same_contents("msg.sig");
    }
}

#[test]
fn sign_failures_in_ssh_keygens_words() {
    for args in [
        &["-Y", "sign", "-n", "git", "-f", "nosuch", "allowed"][..],
        &["-Y", "sign", "-n", "git", "-f", "lone.pub", "allowed"],
        &["-Y", "sign", "-n", "git", "-f", "garbage", "allowed"],
        &["-U", "-Y", "sign", "-n", "git", "-f", "id_ed25519", "allowed"],
        &["-Y", "sign", "-n", "git", "-f", "id_ed25519_enc", "-P", "wrong", "allowed"],
        &["-Y", "sign", "-n", "git", "-f", "id_ed25519", "-O", "hashalg=md5", "allowed"],
        &["-Y", "sign", "-n", "git", "-f", "id_ed25519", "-O", "hashalg=SHA256", "allowed"],
        &["-Y", "sign", "-n", "git", "-f", "id_ed25519", "-O", "print-pubkey", "allowed"],
        &["-Y", "sign", "-n", "git", "-f", "id_ed25519", "allowed", "-"],
        &["-Y", "sign", "-n", "git", "-f", "id_ed25519", "allowed", "nosuch"],
        &["-Y", "sign", "-n", "", "-f", "id_ed25519", "allowed"],
        &["-Y", "sign", "-n", "git", "allowed"],
        &["-Y", "sign", "-f", "id_ed25519", "allowed"],
        &["-Y", "bogus"],
    ] {
        compare(&files, args, b"").same_files();
    }
}

#[test]
fn verify_good_and_refused_signatures() {
    let verify = |file: &'static str, principal: &'static str, ns: &'static str| {
        vec!["-Y", "verify", "-n", ns, "-f", file, "-I", principal, "-s", "msg.sig"]
    };
    let mut cases = vec![
        verify("allowed", "me@x", "git"),
        verify("allowed", "you@x", "git"),
        verify("allowed", "other@x", "git"),
        verify("allowed", "me@x", "file"),
        verify("allowed", "rsa@x", "git"),
        verify("expired", "me@x", "git"),
        verify("future", "me@x", "git"),
        verify("timeboxed", "me@x", "git"),
        verify("namespaced", "me@x", "git"),
        verify("unquoted", "me@x", "git"),
        verify("bad", "me@x", "git"),
        verify("nosuch", "me@x", "git"),
    ];
    for extra in [
        &["-O", "print-pubkey"][..],
        &["-q"],
        &["-q", "-O", "print-pubkey"],
        &["-O", "verify-time=20250101"],
        &["-O", "verify-time=20100101"],
        &["-O", "Verify-Time=20990101Z", "-O", "PRINT-PUBKEY"],
        &["-O", "verify-time=bad"],
        &["-O", "verify-time=0"],
        &["-O", "hashalg=sha256"],
        &["-r", "revoked"],
        &["-r", "nosuch"],
        &["-r", "allowed"],
        &["-r", "revoked.krl"],
        &["-r", "other.krl"],
        &["-r", "damaged.krl"],
        // The Good line's fingerprint is in -E's hash.
        &["-E", "md5"],
        &["-E", "sha1"],
        &["-E", "sha512"],
    ] {
        cases.push([verify("allowed", "me@x", "git"), extra.to_vec()].concat());
        cases.push([verify("timeboxed", "me@x", "git"), extra.to_vec()].concat());
    }
    for args in &cases {
        compare(&files, args, b"hello\n");
        compare(&files, args, b"changed\n");
    }
}

#[test]
fn verify_and_check_novalidate_failures() {
    for args in [
        &["-Y", "verify", "-n", "git", "-f", "allowed", "-I", "me@x", "-s", "nosuch"][..],
        &["-Y", "verify", "-n", "git", "-f", "allowed", "-I", "me@x", "-s", "notsig"],
        &["-Y", "verify", "-n", "git", "-f", "allowed", "-I", "me@x", "-s", "cut.sig"],
        &["-Y", "verify", "-n", "git", "-f", "allowed", "-I", "me@x"],
        &["-Y", "verify", "-n", "git", "-s", "msg.sig", "-I", "me@x"],
        &["-Y", "verify", "-n", "git", "-f", "allowed", "-s", "msg.sig"],
        &["-Y", "verify", "-f", "allowed", "-I", "me@x", "-s", "msg.sig"],
        &["-Y", "check-novalidate", "-n", "git", "-s", "msg.sig"],
        &["-Y", "check-novalidate", "-n", "git", "-s", "other.sig"],
        &["-Y", "check-novalidate", "-n", "file", "-s", "msg.sig"],
        &["-Y", "check-novalidate", "-n", "git", "-s", "msg.sig", "-O", "print-pubkey"],
        &["-E", "md5", "-Y", "check-novalidate", "-n", "git", "-s", "other.sig"],
        &["-q", "-Y", "check-novalidate", "-n", "git", "-s", "msg.sig"],
        &["-Y", "check-novalidate", "-n", "git", "-s", "notsig"],
        &["-Y", "check-novalidate", "-n", "git"],
        &["-Y", "check-novalidate", "-s", "msg.sig"],
    ] {
        compare(&files, args, b"hello\n");
    }
}

#[test]
fn find_and_match_principals() {
    for args in [
        &["-Y", "find-principals", "-s", "msg.sig", "-f", "allowed"][..],
        &["-Y", "find-principals", "-s", "other.sig", "-f", "allowed"],
        &["-Y", "find-principals", "-s", "other.sig", "-f", "expired"],
        &["-Y", "find-principals", "-s", "msg.sig", "-f", "expired"],
        &["-Y", "find-principals", "-s", "msg.sig", "-f", "expired", "-O", "verify-time=20190101"],
        &["-Y", "find-principals", "-s", "msg.sig", "-f", "future"],
        &["-Y", "find-principals", "-s", "msg.sig", "-f", "namespaced"],
        &["-Y", "find-principals", "-s", "msg.sig", "-f", "unquoted"],
        &["-Y", "find-principals", "-s", "msg.sig", "-f", "bad"],
        &["-Y", "find-principals", "-s", "msg.sig", "-f", "nosuch"],
        &["-Y", "find-principals", "-s", "notsig", "-f", "allowed"],
        &["-Y", "find-principals", "-s", "nosuch", "-f", "allowed"],
        &["-Y", "find-principals", "-s", "msg.sig", "-f", "allowed", "-O", "verify-time=bad"],
        &["-Y", "find-principals", "-s", "msg.sig", "-f", "allowed", "-O", "print-pubkey"],
        // git probes for this message to tell a new enough ssh-keygen.
        &["-Y", "find-principals", "-n", "git"],
        &["-Y", "find-principals", "-s", "msg.sig"],
        &["-Y", "match-principals", "-I", "me@x", "-f", "allowed"],
        &["-Y", "match-principals", "-I", "*", "-f", "allowed"],
        &["-Y", "match-principals", "-I", "nobody", "-f", "allowed"],
        &["-Y", "match-principals", "-I", "me@x", "-f", "bad"],
        &["-Y", "match-principals", "-I", "bad", "-f", "bad"],
        &["-Y", "match-principals", "-I", "me@x", "-f", "nosuch"],
        &["-Y", "match-principals", "-I", "me@x", "-f", "allowed", "-O", "x"],
        &["-Y", "match-principals", "-f", "allowed"],
        &["-Y", "match-principals", "-I", "me@x"],
    ] {
        compare(&files, args, b"");
    }
}

/// A key held by ssh-agent: its public key file (the private half removed), with -U,
/// and git's literal key written to a temporary file; without an agent that holds it,
/// ssh-keygen's refusals.
#[test]
fn agent_held_keys_sign_as_with_ssh_keygen() {
    let agent = Agent::start();
    let setup = |env: &Env| {
        files(env);
        std::fs::remove_file(env.path("id_ed25519")).unwrap();
        // git writes a literal key to a temporary file of no particular name.
        std::fs::copy(env.path("id_ed25519.pub"), env.path(".git_signing_key_tmpAbCdEf")).unwrap();
    };
    let keyed = Env::new();
    agent.add(&keyed.fixture("id_ed25519"));
    for args in [
        &["-Y", "sign", "-n", "git", "-f", "id_ed25519.pub", "allowed"][..],
        &["-U", "-Y", "sign", "-n", "git", "-f", "id_ed25519.pub", "allowed"],
        &["-U", "-Y", "sign", "-n", "git", "-f", "lone.pub", "allowed"],
        &["-Y", "sign", "-n", "git", "-f", "lone.pub", "allowed"],
        &["-U", "-Y", "sign", "-n", "git", "-f", "id_rsa_2048", "allowed"],
        &["-U", "-Y", "sign", "-n", "git", "-f", ".git_signing_key_tmpAbCdEf", "allowed"],
        &["-Y", "sign", "-n", "git", "-f", ".git_signing_key_tmpAbCdEf", "allowed"],
    ] {
        let run = |via: Option<Via>| {
            let env = Env::new();
            setup(&env);
            let mut cmd = command(&env, via, args);
            cmd.env("SSH_AUTH_SOCK", agent.sock());
            let run = spawn(cmd, Some(b"")).finish();
            let sig = std::fs::read(env.path("allowed.sig")).ok();
            (run.code, mask(&env, &run.out()), mask(&env, &run.stderr), sig)
        };
        let expected = run(None);
        for via in [Via::Link, Via::Subcommand] {
            assert_eq!(run(Some(via)), expected, "{args:?} ({via:?})");
        }
    }
}
