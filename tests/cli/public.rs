//! `keywright public` prints what `ssh-keygen -y` prints.

use super::common::*;

#[test]
fn every_fixture_matches_ssh_keygen() {
    let env = Env::new();
    env.write("pass", format!("{FIXTURE_PASSPHRASE}\n"));
    for name in KEY_FIXTURES {
        env.fixture(name);
        let passphrase = if name.contains("_enc") { FIXTURE_PASSPHRASE } else { "" };
        let oracle = env.oracle_public(name, passphrase).success();
        let ours = env.kw(["public", "-f", name, "--passphrase-file", "pass"]).success();
        assert_eq!(ours.out(), oracle.out(), "{name}");
        let compat = env.kw(["public", "-f", name, "-P", passphrase]).success();
        assert_eq!(compat.out(), oracle.out(), "{name} with -P");
    }
}

#[test]
fn wrong_or_missing_passphrase_is_one_clear_error() {
    let env = Env::new();
    env.fixture("id_ed25519_enc");
    env.fixture("id_rsa_2048_pem_enc");
    env.write("wrong", "not it\n");
    let mut transcript = String::new();
    for args in [
        &["public", "-f", "id_ed25519_enc", "--passphrase-file", "wrong"][..],
        &["public", "-f", "id_rsa_2048_pem_enc", "--passphrase-file", "wrong"],
        &["public", "-f", "id_ed25519_enc"],
        &["public", "-f", "id_ed25519_enc", "--passphrase-file", "missing"],
        &["public", "-f", "nonexistent"],
        &["public", "-f", "."],
    ] {
        let run = env.kw(args).code(2);
        assert!(run.stdout.is_empty());
        transcript.push_str(&format!("$ keywright {}\n{}", args.join(" "), run.stderr));
    }
    assert_snapshot("public_errors.txt", &transcript);
}

#[test]
fn damaged_and_foreign_files_are_refused() {
    let env = Env::new();
    let mut transcript = String::new();
    for name in ["fail_empty", "fail_random", "fail_truncated", "fail_putty.ppk", "id_ed25519.pub"] {
        std::fs::copy(testdata(&format!("keys/{name}")), env.path(name)).unwrap();
        assert_ne!(env.ssh_keygen(["-y", "-P", "", "-f", name]).code, 0, "ssh-keygen accepts {name}");
        let run = env.kw(["public", "-f", name]).code(2);
        transcript.push_str(&format!("$ keywright public -f {name}\n{}", run.stderr));
    }
    assert_snapshot("public_bad_files.txt", &transcript);
}

#[test]
fn terminal_prompt_for_the_passphrase() {
    let env = Env::new();
    env.fixture("id_ecdsa_256_enc");
    let run = env.kw_tty(
        &[("Enter passphrase for id_ecdsa_256_enc: ", FIXTURE_PASSPHRASE)],
        &["public", "-f", "id_ecdsa_256_enc"],
    );
    let run = run.success();
    let oracle = env.oracle_public("id_ecdsa_256_enc", FIXTURE_PASSPHRASE).out();
    assert!(run.out().replace("\r\n", "\n").ends_with(&oracle), "{}", run.out());
    assert!(!run.out().contains(FIXTURE_PASSPHRASE));
}

/// Regression (found by fuzzing): a comment that is not UTF-8 came out with U+FFFD
/// replacement characters; OpenSSH writes the comment's bytes unchanged.
#[test]
fn comment_bytes_that_are_not_utf8_are_kept() {
    use std::os::unix::ffi::OsStrExt;
    let env = Env::new();
    let comment = std::ffi::OsStr::from_bytes(b"caf\xe9 latin-1");
    let mut keygen = std::process::Command::new(ssh_keygen_path());
    keygen.args(["-q", "-t", "ed25519", "-N", "", "-f", "k", "-C"]).arg(comment).current_dir(env.home());
    env.run(keygen, None).success();
    let oracle = env.oracle_public("k", "").success();
    assert_eq!(env.kw(["public", "-f", "k"]).success().stdout, oracle.stdout);
    assert_eq!(env.kw(["fingerprint", "k"]).success().stdout, env.ssh_keygen(["-l", "-f", "k"]).stdout);
    std::fs::remove_file(env.path("k.pub")).unwrap();
    assert_eq!(env.kw(["fingerprint", "k"]).success().stdout, env.ssh_keygen(["-l", "-f", "k"]).stdout);
    env.kw(["comment", "-q", "-f", "k", "-C", "plain"]).success();
    assert!(std::fs::read(env.path("k.pub")).unwrap().ends_with(b" plain\n"));
}
