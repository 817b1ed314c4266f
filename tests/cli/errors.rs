//! The remaining user-facing errors, each one line with a hint, exit 2, nothing written.

use super::common::*;

#[test]
fn refusals_of_odd_inputs() {
    let env = Env::new();
    env.fixture("id_rsa_2048_pem_enc");
    std::fs::remove_file(env.path("id_rsa_2048_pem_enc.pub")).unwrap();
    std::fs::copy(testdata("keys/fail_dsa_pem"), env.path("fail_dsa_pem")).unwrap();
    env.fixture("id_ed25519");
    let mut huge = b"-----BEGIN OPENSSH PRIVATE KEY-----\n".to_vec();
    huge.resize(2 * 1024 * 1024, b'A');
    env.write("huge", huge);
    env.write("empty_pass", "");
    std::fs::create_dir(env.path("pass_dir")).unwrap();
    let cases: &[&[&str]] = &[
        &["fingerprint", "id_rsa_2048_pem_enc"],
        &["public", "-f", "fail_dsa_pem"],
        &["public", "-f", "huge"],
        &["passphrase", "-f", "id_ed25519", "--new-passphrase-file", "empty_pass"],
        &["passphrase", "-f", "id_ed25519", "--new-passphrase-file", "pass_dir"],
        &["comment", "-f", "id_ed25519"],
    ];
    let before = std::fs::read(env.path("id_ed25519")).unwrap();
    let mut transcript = String::new();
    for args in cases {
        let run = env.kw(*args).code(2);
        assert!(run.stdout.is_empty(), "{args:?} printed {}", run.out());
        transcript.push_str(&format!("$ keywright {}\n{}", args.join(" "), run.stderr));
    }
    assert_eq!(std::fs::read(env.path("id_ed25519")).unwrap(), before);
    assert_snapshot("misc_errors.txt", &transcript);
}

#[test]
fn mistyped_new_passphrases_give_up_after_three_tries() {
    let env = Env::new();
    let mut dialogue = Vec::new();
    for _ in 0..3 {
        dialogue.push(("Enter passphrase (empty for no passphrase): ", "first"));
        dialogue.push(("Enter same passphrase again: ", "second"));
    }
    let run = env.kw_tty(&dialogue, &["generate", "-q", "-f", "k"]).code(2);
    let out = run.out().replace('\r', "");
    // ssh-keygen's words; "Try again" only where it is asked again (not after the last).
    assert_eq!(out.matches("keywright: Passphrases do not match.  Try again.\n").count(), 2, "{out}");
    assert!(
        out.ends_with(
            "keywright: error: passphrases do not match\nkeywright: hint: type the same passphrase twice\n"
        ),
        "{out}"
    );
    assert!(!env.path("k").exists());
}
