//! Key operations against ssh-keygen 9.2: generation (with its questions answered on
//! standard input, as without a terminal), `-l`, `-y`, `-p`, `-c`, and their failures.

use super::super::common::{Env, FIXTURE_PASSPHRASE};
use super::{compare, keys, run_all};

const FIXTURES: &[&str] = &[
    "id_ed25519",
    "id_ed25519_enc",
    "id_ed25519_a32_chacha_enc",
    "id_rsa_2048",
    "id_rsa_2048_pem",
    "id_rsa_2048_pem_enc",
    "id_ecdsa_384",
    "id_ecdsa_384_pkcs8_enc",
];

#[test]
fn generation_prints_and_writes_what_ssh_keygen_does() {
    for (args, passphrase) in [
        (&["-t", "ed25519", "-f", "k", "-N", "", "-C", "alice@example"][..], ""),
        (&["-qt", "ed25519", "-f", "k", "-N", "secret"], "secret"),
        (&["-t", "ecdsa", "-b", "384", "-f", "k", "-N", "", "-C", "c"], ""),
        (&["-t", "ecdsa-sha2-nistp521", "-f", "k", "-N", "", "-C", "c"], ""),
        (&["-t", "ECDSA", "-f", "k", "-N", "", "-C", "c"], ""),
        (&["-t", "rsa", "-b", "2048", "-f", "k", "-N", "", "-C", "c", "-a", "8"], ""),
        // The default type of 9.2 is RSA 3072 (9.5 made it Ed25519).
        (&["-f", "k", "-N", "", "-C", "c"], ""),
        // -P is the new key's passphrase when given, before -N.
        (&["-t", "ed25519", "-f", "k", "-P", "first", "-N", "second", "-C", "c"], "first"),
        (&["-t", "ed25519", "-f", "k", "-N", "", "-C", "", "-o", "-O", "ignored"], ""),
    ] {
        compare(&|_| {}, args, b"").same_files().same_kind_of_key("k", passphrase);
    }
}

#[test]
fn generation_asks_on_stdin_without_a_terminal() {
    // The file name, then the passphrase twice.
    compare(&|_| {}, &["-t", "ed25519", "-C", "c"], b"k\n").same_files().same_kind_of_key("k", "");
    // stdio's buffer swallows what follows the name when it comes in the same read: the
    // passphrase reads as empty, exactly as with ssh-keygen.
    compare(&|_| {}, &["-t", "ed25519", "-C", "c"], b"k\npw\npw\n").same_files().same_kind_of_key("k", "");
    compare(&|_| {}, &["-t", "ed25519", "-C", "c", "-f", "k"], b"pw\npw\n")
        .same_files()
        .same_kind_of_key("k", "pw");
    // Mismatched entries are asked again, for ever, as 9.2 does.
    compare(&|_| {}, &["-qt", "ed25519", "-C", "c", "-f", "k"], b"a\nb\nc\nc\n").same_kind_of_key("k", "c");
    // No answer to the file question: exit 1, nothing written.
    compare(&|_| {}, &["-t", "ed25519", "-C", "c"], b"").same_files();
}

#[test]
fn an_existing_file_is_replaced_only_after_a_yes() {
    let existing = |env: &Env| {
        env.fixture("id_ed25519");
    };
    for answer in [&b"n\n"[..], b"", b"yes\n", b"Y"] {
        compare(&existing, &["-t", "ed25519", "-f", "id_ed25519", "-N", "", "-C", "c"], answer).same_files();
    }
    compare(&existing, &["-t", "ed25519", "-f", "id_ed25519", "-N", "", "-C", "c"], b"y\n")
        .same_kind_of_key("id_ed25519", "");
    // Only the private key's file is asked about.
    let lone_pub = |env: &Env| {
        env.write("k.pub", "old\n");
    };
    compare(&lone_pub, &["-t", "ed25519", "-f", "k", "-N", "", "-C", "c"], b"").same_kind_of_key("k", "");
}

#[test]
fn generation_failures() {
    for args in [
        &["-t", "foo", "-f", "k"][..],
        &["-t", "rsa", "-b", "512", "-f", "k"],
        &["-t", "rsa", "-b", "20000", "-f", "k"],
        &["-t", "ecdsa", "-b", "300", "-f", "k"],
        &["-t", "ed25519", "-f", "missing/dir/k", "-N", "", "-C", "c"],
    ] {
        compare(&|_| {}, args, b"").same_files();
    }
}

/// What keywright does not make, on purpose: RSA under 2048 bits, DSA keys.
#[test]
fn weak_keys_are_not_made() {
    for (args, code, first) in [
        (
            &["-t", "rsa", "-b", "1024", "-f", "k", "-N", ""][..],
            255,
            "Invalid RSA key length: keywright's minimum is 2048 bits",
        ),
        (
            &["-t", "dsa", "-f", "k", "-N", ""],
            1,
            "-t dsa: keywright's ssh-keygen does not make DSA keys, which are obsolete",
        ),
        (
            &["-t", "ed25519-sk", "-f", "k"],
            1,
            "-t ed25519-sk: keywright's ssh-keygen does not make FIDO authenticator keys",
        ),
    ] {
        let twins = run_all(&|_| {}, args, b"");
        assert_eq!(twins.oracle_run.code == 0, args[1] != "ed25519-sk", "ssh-keygen makes {args:?}");
        for (via, env, run) in &twins.fronts {
            assert_eq!(run.code, code, "{args:?} {via:?}");
            assert!(run.stdout.is_empty(), "{args:?}");
            assert!(run.stderr.starts_with(&format!("{first}\r\n")), "{}", run.stderr);
            assert!(!env.path("k").exists());
        }
    }
}

#[test]
fn fingerprints_of_every_kind_of_file() {
    let setup = |env: &Env| {
        keys(FIXTURES)(env);
        env.write("np/id_ed25519", env.read("id_ed25519"));
        env.write("np/id_ed25519_enc", env.read("id_ed25519_enc"));
        env.write("np/id_rsa_2048_pem_enc", env.read("id_rsa_2048_pem_enc"));
        for name in ["np/id_ed25519", "np/id_ed25519_enc", "np/id_rsa_2048_pem_enc"] {
            std::fs::set_permissions(env.path(name), std::os::unix::fs::PermissionsExt::from_mode(0o600))
                .unwrap();
        }
        let authorized = format!(
            "# keys\nfrom=\"10.0.0.1\",no-pty {}\n\n{}",
            super::pub_line("id_ed25519"),
            super::pub_line("id_rsa_2048")
        );
        env.write("authorized_keys", authorized);
        let known = format!(
            "host1,192.0.2.1 {}@cert-authority *.example.com {}|1|AAAAAAAAAAAAAAAAAAAAAAAAAAA=|BBBBBBBBBBBBBBBBBBBBBBBBBBB= {}",
            super::pub_line("id_ed25519"),
            super::pub_line("id_rsa_2048"),
            super::pub_line("id_ecdsa_384")
        );
        env.write("known_hosts", known);
        env.write("garbage", "not a key\n");
    };
    for name in FIXTURES {
        for flags in [&["-l"][..], &["-lv"], &["-l", "-E", "md5"], &["-lv", "-E", "sha1"]] {
            let private = [flags, &["-f", name]].concat();
            compare(&setup, &private, b"");
            let public = format!("{name}.pub");
            compare(&setup, &[flags, &["-f", public.as_str()]].concat(), b"");
        }
    }
    for args in [
        &["-lf", "np/id_ed25519"][..],
        &["-lf", "np/id_ed25519_enc"],
        &["-lf", "np/id_rsa_2048_pem_enc"],
        &["-lf", "authorized_keys"],
        &["-lvf", "known_hosts"],
        &["-lf", "garbage"],
        &["-lf", "missing"],
        &["-lf", "."],
    ] {
        compare(&setup, args, b"");
    }
    compare(&setup, &["-lf", "-"], super::pub_line("id_ed25519").as_bytes());
    compare(&setup, &["-lf", "-"], b"nothing\n");
    // No -f: the file is asked for.
    compare(&setup, &["-l"], b"id_ed25519.pub\n");
    compare(&setup, &["-l"], b"");
}

#[test]
fn public_keys_of_private_keys() {
    let setup = keys(FIXTURES);
    for name in FIXTURES {
        compare(&setup, &["-y", "-f", name], b"");
        compare(&setup, &["-y", "-f", name, "-P", FIXTURE_PASSPHRASE], b"");
        compare(&setup, &["-y", "-f", name, "-P", "wrong"], b"");
        // Without -P the passphrase is read from stdin (prompt on stderr).
        compare(&setup, &["-y", "-f", name], format!("{FIXTURE_PASSPHRASE}\n").as_bytes());
    }
    for args in [&["-y", "-f", "missing"][..], &["-y", "-f", "id_ed25519.pub"], &["-y", "-f", "."]] {
        compare(&setup, args, b"");
    }
    compare(&setup, &["-y"], b"id_ed25519\n");
}

#[test]
fn a_key_others_can_read_is_refused_with_ssh_keygens_warning() {
    let open = |env: &Env| {
        env.fixture("id_ed25519");
        std::fs::set_permissions(env.path("id_ed25519"), std::os::unix::fs::PermissionsExt::from_mode(0o644))
            .unwrap();
    };
    for args in [
        &["-y", "-f", "id_ed25519"][..],
        &["-p", "-f", "id_ed25519", "-N", "x"],
        &["-c", "-f", "id_ed25519", "-C", "x"],
    ] {
        compare(&open, args, b"").same_files().same_contents("id_ed25519");
    }
}

#[test]
fn passphrase_changes() {
    let setup = keys(FIXTURES);
    for name in FIXTURES {
        let twins = compare(&setup, &["-p", "-f", name, "-P", FIXTURE_PASSPHRASE, "-N", "new pass"], b"");
        twins.same_files();
        if twins.oracle_run.code == 0 {
            twins.same_key(name, "new pass");
        }
        let wrong = compare(&setup, &["-p", "-f", name, "-P", "wrong", "-N", "x"], b"");
        // -P is not asked for a key without a passphrase: only an encrypted one fails.
        if wrong.oracle_run.code != 0 {
            wrong.same_files().same_contents(name);
        }
    }
    let twins = compare(&setup, &["-p", "-f", "id_ed25519_enc", "-P", FIXTURE_PASSPHRASE, "-N", ""], b"");
    twins.same_key("id_ed25519_enc", "");
    compare(&setup, &["-p", "-a", "4", "-f", "id_ed25519", "-N", "x"], b"").same_key("id_ed25519", "x");
    // From stdin: the old passphrase, then the new one twice.
    let answers = format!("{FIXTURE_PASSPHRASE}\nn1\nn1\n");
    compare(&setup, &["-p", "-f", "id_ed25519_enc"], answers.as_bytes()).same_key("id_ed25519_enc", "n1");
    // Different new entries: ssh-keygen -p says so and exits 1, the key unchanged.
    compare(&setup, &["-p", "-f", "id_ed25519"], b"a\nb\n").same_contents("id_ed25519");
    compare(&setup, &["-p", "-f", "missing", "-N", "x"], b"");
}

#[test]
fn comment_changes() {
    let setup = keys(FIXTURES);
    for name in FIXTURES {
        let twins = compare(&setup, &["-c", "-f", name, "-P", FIXTURE_PASSPHRASE, "-C", "new comment"], b"");
        twins.same_files();
        if twins.oracle_run.code == 0 {
            let passphrase = if name.ends_with("_enc") { FIXTURE_PASSPHRASE } else { "" };
            twins.same_key(name, passphrase).same_contents(&format!("{name}.pub"));
        }
    }
    for args in [
        &["-c", "-f", "id_ed25519", "-C", "id_ed25519@keywright.test"][..],
        &["-c", "-f", "id_ed25519", "-C", ""],
        &["-qc", "-f", "id_ed25519", "-C", "quiet changes nothing"],
        // -N unlocks when -P is not given.
        &["-c", "-f", "id_ed25519_enc", "-N", FIXTURE_PASSPHRASE, "-C", "x"],
        &["-c", "-f", "id_ed25519_enc", "-C", "x"],
        &["-c", "-f", "missing", "-C", "x"],
    ] {
        compare(&setup, args, b"").same_files().same_contents("id_ed25519.pub");
    }
    // Without -C the new comment is asked for after the old one is shown.
    compare(&setup, &["-c", "-f", "id_ed25519"], b"asked\n").same_contents("id_ed25519.pub");
    compare(&setup, &["-c", "-f", "id_ed25519"], b"").same_contents("id_ed25519.pub");
}

/// The default file is in `~/.ssh`, made 0700 with ssh-keygen's note when missing. (Only
/// the front is run: ssh-keygen's `~` is the password database's, the real one.)
#[test]
fn the_default_file_is_in_dot_ssh_made_when_missing() {
    for via in [super::Via::Link, super::Via::Subcommand] {
        let env = Env::new();
        let run = super::run(&env, Some(via), &["-t", "ed25519", "-N", "", "-C", "c"], b"\n");
        assert_eq!(run.code, 0, "{}", run.stderr);
        let home = env.home().display();
        assert_eq!(run.stderr, format!("Created directory '{home}/.ssh'.\r\n"));
        let out = run.out();
        assert!(out.starts_with(&format!(
            "Generating public/private ed25519 key pair.\nEnter file in which to save the key ({home}/.ssh/id_ed25519): Your identification has been saved in {home}/.ssh/id_ed25519\n"
        )), "{out}");
        assert_eq!(super::super::common::mode(&env.path(".ssh")), 0o700);
        env.ssh_keygen(["-y", "-P", "", "-f", ".ssh/id_ed25519"]).success();
        // Quietly: no note, and the default type is RSA.
        let env = Env::new();
        let run = super::run(&env, Some(via), &["-q", "-N", "", "-C", "c", "-b", "2048"], b"\n");
        assert_eq!((run.code, run.stderr.as_str()), (0, ""));
        assert_eq!(
            run.out(),
            format!(
                "Enter file in which to save the key ({home}/.ssh/id_rsa): ",
                home = env.home().display()
            )
        );
        assert!(env.path(".ssh/id_rsa.pub").exists());
    }
}
