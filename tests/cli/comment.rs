//! `keywright comment`: the same messages as `ssh-keygen -c`, read back by ssh-keygen,
//! and an encrypted key keeps its passphrase, rounds and cipher.

use super::common::*;

fn copy_as(env: &Env, name: &str, copy: &str) {
    env.fixture(name);
    std::fs::rename(env.path(name), env.path(copy)).unwrap();
    std::fs::rename(env.path(&format!("{name}.pub")), env.path(&format!("{copy}.pub"))).unwrap();
}

#[test]
fn new_comment_matches_ssh_keygen_c() {
    let env = Env::new();
    for name in [
        "id_ed25519",
        "id_ed25519_enc",
        "id_rsa_3072_enc",
        "id_ecdsa_384",
        "id_rsa_2048_pem",
        "id_ecdsa_384_pkcs8_enc",
    ] {
        let passphrase = if name.contains("_enc") { FIXTURE_PASSPHRASE } else { "" };
        copy_as(&env, name, "ours");
        copy_as(&env, name, "theirs");
        for comment in ["new comment", ""] {
            let ours = env.kw(["comment", "-f", "ours", "-C", comment, "-P", passphrase]).success();
            let theirs = env.ssh_keygen(["-c", "-C", comment, "-P", passphrase, "-f", "theirs"]).success();
            assert_eq!(ours.out(), theirs.out(), "{name} -C {comment:?}");
            let ours_pub = env.oracle_public("ours", passphrase).success().out();
            assert_eq!(ours_pub, env.oracle_public("theirs", passphrase).success().out(), "{name}");
            assert_eq!(
                std::fs::read_to_string(env.path("ours.pub")).unwrap(),
                std::fs::read_to_string(env.path("theirs.pub")).unwrap(),
                "{name}: .pub"
            );
        }
    }
}

#[test]
fn same_comment_is_no_change() {
    let env = Env::new();
    env.fixture("id_ed25519");
    let before = std::fs::read(env.path("id_ed25519")).unwrap();
    let run = env.kw(["comment", "-f", "id_ed25519", "-C", "id_ed25519@keywright.test"]).success();
    assert_eq!(run.out(), "Old comment: id_ed25519@keywright.test\nNo change to comment\n");
    assert_eq!(std::fs::read(env.path("id_ed25519")).unwrap(), before);
}

#[test]
fn encrypted_key_keeps_passphrase_rounds_and_cipher() {
    let env = Env::new();
    let key = "id_ed25519_a32_chacha_enc";
    env.fixture(key);
    env.kw(["comment", "-q", "-f", key, "-C", "renamed", "-P", FIXTURE_PASSPHRASE]).success();
    let file = keywright::key::PrivateKeyFile::read(&env.path(key)).unwrap();
    assert_eq!(file.kdf_rounds(), Some(32));
    assert_eq!(file.cipher().unwrap().as_str(), "chacha20-poly1305@openssh.com");
    let line = env.oracle_public(key, FIXTURE_PASSPHRASE).success().out();
    assert!(line.ends_with(" renamed\n"), "{line}");
}

#[test]
fn wrong_passphrase_changes_neither_file() {
    let env = Env::new();
    env.fixture("id_ecdsa_256_enc");
    let key = std::fs::read(env.path("id_ecdsa_256_enc")).unwrap();
    let public = std::fs::read(env.path("id_ecdsa_256_enc.pub")).unwrap();
    env.kw(["comment", "-f", "id_ecdsa_256_enc", "-C", "x", "-P", "wrong"]).code(2);
    assert_eq!(std::fs::read(env.path("id_ecdsa_256_enc")).unwrap(), key);
    assert_eq!(std::fs::read(env.path("id_ecdsa_256_enc.pub")).unwrap(), public);
}

/// `-C` with a newline or CR was written into the key and its .pub (two lines).
#[test]
fn a_comment_with_a_newline_or_cr_is_refused_and_the_key_is_unchanged() {
    let env = Env::new();
    copy_as(&env, "id_ed25519", "k");
    let (key, public) = (env.read("k"), env.read("k.pub"));
    for (comment, breaker) in [("a\nb", "a newline"), ("a\rb", "a carriage return")] {
        let run = env.kw(["comment", "-f", "k", "-C", comment]);
        assert_eq!(run.code, 2, "{comment:?}: {}", run.stderr);
        assert_eq!(run.out(), "", "{comment:?}");
        let error = format!(
            "keywright: error: the comment holds {breaker}; one key is one line, so nothing was written"
        );
        assert_eq!(run.stderr.lines().next(), Some(error.as_str()), "{comment:?}");
        assert!(env.read("k") == key && env.read("k.pub") == public, "{comment:?}");
    }
}

/// The old comment was printed raw, so a key's comment could drive the terminal (an ESC
/// sequence, a control byte). It is now escaped as ssh-keygen -p escapes it in "Key has
/// comment"; ssh-keygen 9.2 -c itself prints it raw, the one place we differ.
#[test]
fn old_comment_with_control_characters_is_printed_escaped() {
    let env = Env::new();
    let hostile = "a\x1b[31mb\x01c\x7fd";
    env.ssh_keygen(["-q", "-t", "ed25519", "-N", "", "-C", hostile, "-f", "k"]).success();
    let run = env.kw(["comment", "-f", "k", "-C", "plain"]).success();
    assert_eq!(run.stdout, b"Old comment: a\\033[31mb\\001c\\177d\nComment 'plain' applied\n");
    env.ssh_keygen(["-q", "-t", "ed25519", "-N", "", "-C", hostile, "-f", "theirs"]).success();
    let theirs = env.ssh_keygen(["-p", "-N", "", "-f", "theirs"]).success();
    assert!(theirs.out().starts_with("Key has comment 'a\\033[31mb\\001c\\177d'\n"), "{}", theirs.out());
}
