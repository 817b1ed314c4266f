//! `keywright passphrase`: ssh-keygen reads the result; key, comment, rounds and cipher
//! survive; a failure changes nothing.

use super::common::*;

fn fixture_copy(env: &Env, name: &str, copy: &str) {
    env.fixture(name);
    std::fs::rename(env.path(name), env.path(copy)).unwrap();
    let _ = std::fs::rename(env.path(&format!("{name}.pub")), env.path(&format!("{copy}.pub")));
}

#[test]
fn changes_read_back_by_ssh_keygen_with_the_same_output() {
    let env = Env::new();
    env.write("old", format!("{FIXTURE_PASSPHRASE}\n"));
    env.write("new", "brand new passphrase\n");
    for name in KEY_FIXTURES {
        let old = if name.contains("_enc") { FIXTURE_PASSPHRASE } else { "" };
        fixture_copy(&env, name, "ours");
        fixture_copy(&env, name, "theirs");
        let before = env.oracle_public("ours", old).success().out();
        let ours = env
            .kw(["passphrase", "-f", "ours", "--old-passphrase-file", "old", "--new-passphrase-file", "new"])
            .success();
        let theirs =
            env.ssh_keygen(["-p", "-P", old, "-N", "brand new passphrase", "-f", "theirs"]).success();
        assert_eq!(ours.out(), theirs.out(), "{name}: output differs from ssh-keygen -p");
        assert_eq!(env.oracle_public("ours", "brand new passphrase").success().out(), before, "{name}");
        assert_ne!(env.oracle_public("ours", old).code, 0, "{name}: old passphrase still works");
        assert_eq!(mode(&env.path("ours")), 0o600);
    }
}

#[test]
fn rounds_and_cipher_are_kept_unless_asked() {
    let env = Env::new();
    env.fixture("id_ed25519_a32_chacha_enc");
    let key = "id_ed25519_a32_chacha_enc";
    env.kw(["passphrase", "-q", "-f", key, "-P", FIXTURE_PASSPHRASE, "-N", "second"]).success();
    let file = keywright::key::PrivateKeyFile::read(&env.path(key)).unwrap();
    assert_eq!(file.kdf_rounds(), Some(32));
    assert_eq!(file.cipher().unwrap().as_str(), "chacha20-poly1305@openssh.com");
    env.kw(["passphrase", "-q", "-f", key, "-P", "second", "-N", "third", "-a", "64"]).success();
    assert_eq!(keywright::key::PrivateKeyFile::read(&env.path(key)).unwrap().kdf_rounds(), Some(64));
    env.oracle_public(key, "third").success();
}

#[test]
fn add_and_remove_a_passphrase() {
    let env = Env::new();
    env.fixture("id_ecdsa_521");
    env.kw(["passphrase", "-q", "-f", "id_ecdsa_521", "-N", "added"]).success();
    assert_ne!(env.oracle_public("id_ecdsa_521", "").code, 0);
    env.oracle_public("id_ecdsa_521", "added").success();
    env.kw(["passphrase", "-q", "-f", "id_ecdsa_521", "-P", "added", "--no-passphrase"]).success();
    env.oracle_public("id_ecdsa_521", "").success();
    assert!(!keywright::key::PrivateKeyFile::read(&env.path("id_ecdsa_521")).unwrap().is_encrypted());
}

#[test]
fn a_wrong_passphrase_changes_nothing() {
    let env = Env::new();
    env.fixture("id_rsa_2048_enc");
    std::fs::set_permissions(
        env.path("id_rsa_2048_enc"),
        std::os::unix::fs::PermissionsExt::from_mode(0o400),
    )
    .unwrap();
    let before = std::fs::read(env.path("id_rsa_2048_enc")).unwrap();
    let run = env.kw(["passphrase", "-f", "id_rsa_2048_enc", "-P", "wrong", "-N", "x"]).code(2);
    assert_eq!(
        run.stderr,
        "keywright: error: id_rsa_2048_enc: incorrect passphrase\nkeywright: hint: try again; the passphrase is case-sensitive\n"
    );
    assert!(run.stdout.is_empty());
    assert_eq!(std::fs::read(env.path("id_rsa_2048_enc")).unwrap(), before);
    assert_eq!(mode(&env.path("id_rsa_2048_enc")), 0o400);
    // The owner-only mode is kept on a successful change too.
    env.kw(["passphrase", "-q", "-f", "id_rsa_2048_enc", "-P", FIXTURE_PASSPHRASE, "-N", "x"]).success();
    assert_eq!(mode(&env.path("id_rsa_2048_enc")), 0o400);
}

#[test]
fn symlinked_key_is_rewritten_at_its_target() {
    let env = Env::new();
    env.fixture("id_ed25519");
    std::os::unix::fs::symlink("id_ed25519", env.path("link")).unwrap();
    env.kw(["passphrase", "-q", "-f", "link", "-N", "via link"]).success();
    assert!(std::fs::symlink_metadata(env.path("link")).unwrap().file_type().is_symlink());
    env.oracle_public("id_ed25519", "via link").success();
}

#[test]
fn terminal_prompts() {
    let env = Env::new();
    env.fixture("id_ed25519_enc");
    let dialogue = [
        ("Enter old passphrase: ", FIXTURE_PASSPHRASE),
        ("Enter new passphrase (empty for no passphrase): ", "from the tty"),
        ("Enter same passphrase again: ", "from the tty"),
    ];
    let run = env.kw_tty(&dialogue, &["passphrase", "-f", "id_ed25519_enc"]).success();
    assert!(run.out().contains("Your identification has been saved with the new passphrase."));
    env.oracle_public("id_ed25519_enc", "from the tty").success();
}

/// Mismatched new passphrases are reported in ssh-keygen -p's words ("Pass phrases",
/// two spaces); keywright asks again where ssh-keygen exits 1.
#[test]
fn mismatched_new_passphrases_use_ssh_keygens_words() {
    let env = Env::new();
    env.fixture("id_ed25519");
    let dialogue = [
        ("Enter new passphrase (empty for no passphrase): ", "one"),
        ("Enter same passphrase again: ", "two"),
        ("Enter new passphrase (empty for no passphrase): ", "three"),
        ("Enter same passphrase again: ", "three"),
    ];
    let run = env.kw_tty(&dialogue, &["passphrase", "-q", "-f", "id_ed25519"]).success();
    assert_eq!(
        run.out().matches("keywright: Pass phrases do not match.  Try again.\r\n").count(),
        1,
        "{}",
        run.out()
    );
    env.oracle_public("id_ed25519", "three").success();
}

/// A private key others may read (0644) was used without a word, and `passphrase` and
/// `comment` chmod-ed it to 0600 silently. ssh-keygen 9.2 refuses such a key (see
/// keywright::key::private::unprotected_warning for its words); keywright warns, and says
/// so when a rewrite repairs the mode.
#[test]
fn a_key_others_can_read_is_warned_about_and_a_repair_is_told() {
    use std::os::unix::fs::PermissionsExt;
    let env = Env::new();
    let open_up = |name: &str, mode: u32| {
        std::fs::set_permissions(env.path(name), std::fs::Permissions::from_mode(mode)).unwrap()
    };
    let mut transcript = String::new();
    env.fixture("id_ed25519");
    // (command, mode before, mode after): a command that does not rewrite the key (the
    // second comment is no change) keeps its mode.
    for (args, mode_before, mode_after) in [
        (&["public", "-f", "id_ed25519"][..], 0o644, 0o644),
        (&["fingerprint", "id_ed25519"], 0o644, 0o644),
        (&["passphrase", "-f", "id_ed25519", "-N", "new"], 0o640, 0o600),
        (&["comment", "-f", "id_ed25519", "-P", "new", "-C", "c"], 0o744, 0o700),
        (&["comment", "-f", "id_ed25519", "-P", "new", "-C", "c"], 0o640, 0o640),
        (&["generate", "-q", "-f", "id_ed25519", "--no-passphrase", "--force"], 0o604, 0o600),
    ] {
        open_up("id_ed25519", mode_before);
        let run = env.kw(args).success();
        transcript.push_str(&format!(
            "$ chmod {mode_before:o} id_ed25519; keywright {}\n{}",
            args.join(" "),
            run.stderr
        ));
        assert_eq!(mode(&env.path("id_ed25519")), mode_after, "{args:?}");
    }
    assert_snapshot("unprotected_key.txt", &transcript);
    // A key only its owner can read, whatever the owner bits, is not warned about.
    open_up("id_ed25519", 0o700);
    let quiet = env.kw(["public", "-f", "id_ed25519"]).success();
    assert_eq!(quiet.stderr, "");
}
