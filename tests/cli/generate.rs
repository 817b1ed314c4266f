//! `keywright generate`: keys load in OpenSSH, files get the right modes, nothing is
//! overwritten by accident, and the output is ssh-keygen's.

use super::common::*;

const SPECS: &[(&str, &str, &str)] = &[
    ("ed25519", "256", "ED25519"),
    ("rsa", "2048", "RSA"),
    ("rsa", "3072", "RSA"),
    ("rsa", "4096", "RSA"),
    ("ecdsa", "256", "ECDSA"),
    ("ecdsa", "384", "ECDSA"),
    ("ecdsa", "521", "ECDSA"),
];

#[test]
fn generated_keys_load_in_ssh_keygen_plain_and_encrypted() {
    let env = Env::new();
    env.write("pass", "open sesame\n");
    for (key_type, bits, type_name) in SPECS {
        for encrypted in [false, true] {
            let name = format!("k_{key_type}_{bits}_{encrypted}");
            let protection: &[&str] =
                if encrypted { &["--passphrase-file", "pass"] } else { &["--no-passphrase"] };
            let args =
                [&["generate", "-q", "-t", key_type, "-b", bits, "-f", &name, "-C", "me@test"], protection]
                    .concat();
            env.kw(args).success();
            assert_eq!(mode(&env.path(&name)), 0o600);
            assert_eq!(mode(&env.path(&format!("{name}.pub"))), 0o644);
            let pub_line = std::fs::read_to_string(env.path(&format!("{name}.pub"))).unwrap();
            let passphrase = if encrypted { "open sesame" } else { "" };
            let loaded = env.oracle_public(&name, passphrase).success();
            assert_eq!(loaded.out(), pub_line, "{name}: ssh-keygen -y must give the .pub line");
            if encrypted {
                assert_ne!(env.oracle_public(&name, "wrong").code, 0, "{name}: a wrong passphrase must fail");
            }
            let listed = env.ssh_keygen(["-l", "-f", &format!("{name}.pub")]).success().out();
            assert!(listed.starts_with(&format!("{bits} SHA256:")), "{listed}");
            assert!(listed.ends_with(&format!(" me@test ({type_name})\n")), "{listed}");
        }
    }
}

#[test]
fn output_is_ssh_keygens() {
    let env = Env::new();
    let run = env
        .kw(["generate", "-t", "rsa", "-b", "2048", "-f", "key", "--no-passphrase", "-C", "alice@example"])
        .success();
    let out = run.out();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[..4],
        [
            "Generating public/private rsa key pair.",
            "Your identification has been saved in key",
            "Your public key has been saved in key.pub",
            "The key fingerprint is:"
        ]
    );
    let listed = env.ssh_keygen(["-lv", "-f", "key.pub"]).success().out();
    let mut listed_lines = listed.lines();
    let fingerprint = listed_lines.next().unwrap().split(' ').nth(1).unwrap().to_string();
    assert_eq!(lines[4], format!("{fingerprint} alice@example"));
    assert_eq!(lines[5], "The key's randomart image is:");
    assert_eq!(lines[6..].join("\n"), listed_lines.collect::<Vec<_>>().join("\n"));
    assert_eq!(lines.len(), 6 + 11);
    assert!(run.stderr.is_empty(), "{}", run.stderr);
}

#[test]
fn quiet_prints_nothing() {
    let env = Env::new();
    let run = env.kw(["generate", "-q", "-f", "key", "--no-passphrase"]).success();
    assert!(run.stdout.is_empty() && run.stderr.is_empty());
}

#[test]
fn defaults_are_ed25519_in_dot_ssh_created_0700_with_user_at_host() {
    let env = Env::new();
    let run = env.kw(["generate", "-q", "--no-passphrase"]).success();
    let dot_ssh = env.path(".ssh");
    assert_eq!(run.stderr, format!("keywright: Created directory '{}'.\n", dot_ssh.display()));
    assert_eq!(mode(&dot_ssh), 0o700);
    let pub_line = std::fs::read_to_string(dot_ssh.join("id_ed25519.pub")).unwrap();
    assert!(pub_line.starts_with("ssh-ed25519 AAAA"));
    let comment = pub_line.trim_end().rsplit(' ').next().unwrap();
    let user = nix_user();
    assert!(comment.starts_with(&format!("{user}@")), "{comment}");
    let rsa = env.kw(["generate", "-q", "-t", "rsa", "--no-passphrase"]).success();
    assert!(rsa.stderr.is_empty());
    let listed = env.ssh_keygen(["-l", "-f", ".ssh/id_rsa"]).success().out();
    assert!(listed.starts_with("3072 "), "{listed}");
}

fn nix_user() -> String {
    let out = std::process::Command::new("id").arg("-un").output().unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

#[test]
fn modes_are_right_under_any_umask() {
    let env = Env::new();
    for umask in ["000", "077", "022"] {
        let name = format!("k{umask}");
        env.sh(&format!("umask {umask}; keywright generate -q -f {name} --no-passphrase")).success();
        assert_eq!(mode(&env.path(&name)), 0o600, "umask {umask}");
        assert_eq!(mode(&env.path(&format!("{name}.pub"))), 0o644, "umask {umask}");
    }
    env.sh("umask 000; keywright generate -q --no-passphrase").success();
    assert_eq!(mode(&env.path(".ssh")), 0o700);
}

#[test]
fn existing_files_are_kept_without_force() {
    let env = Env::new();
    env.kw(["generate", "-q", "-f", "key", "--no-passphrase"]).success();
    let before = (std::fs::read(env.path("key")).unwrap(), std::fs::read(env.path("key.pub")).unwrap());
    let refused = env.kw(["generate", "-q", "-f", "key", "--no-passphrase"]).code(2);
    assert_eq!(
        (std::fs::read(env.path("key")).unwrap(), std::fs::read(env.path("key.pub")).unwrap()),
        before
    );
    // A lone .pub is protected too.
    env.write("other.pub", "keep me\n");
    let lone_pub = env.kw(["generate", "-q", "-f", "other", "--no-passphrase"]).code(2);
    assert_eq!(std::fs::read_to_string(env.path("other.pub")).unwrap(), "keep me\n");
    assert!(!env.path("other").exists());
    assert_snapshot("generate_exists.txt", &format!("{}{}", refused.stderr, lone_pub.stderr));
    env.kw(["generate", "-q", "-f", "key", "--no-passphrase", "--force"]).success();
    assert_ne!(std::fs::read(env.path("key")).unwrap(), before.0);
}

#[test]
fn force_through_a_symlink_replaces_the_target() {
    let env = Env::new();
    std::fs::create_dir(env.path("real")).unwrap();
    env.kw(["generate", "-q", "-f", "real/key", "--no-passphrase"]).success();
    std::os::unix::fs::symlink("real/key", env.path("link")).unwrap();
    std::os::unix::fs::symlink("real/key.pub", env.path("link.pub")).unwrap();
    env.kw(["generate", "-q", "-f", "link", "--no-passphrase", "--force", "-C", "via-link"]).success();
    assert!(std::fs::symlink_metadata(env.path("link")).unwrap().file_type().is_symlink());
    assert!(std::fs::read_to_string(env.path("real/key.pub")).unwrap().ends_with(" via-link\n"));
    env.oracle_public("real/key", "").success();
}

#[test]
fn sizes_openssh_would_refuse_or_that_are_weak() {
    let env = Env::new();
    let mut transcript = String::new();
    for args in [
        &["-t", "rsa", "-b", "1024"][..],
        &["-t", "rsa", "-b", "16385"],
        &["-t", "ecdsa", "-b", "255"],
        &["-t", "dsa"],
        &["-a", "0"],
    ] {
        let run = env.kw([&["generate", "-q", "-f", "k", "--no-passphrase"], args].concat()).code(2);
        transcript.push_str(&format!("$ keywright generate {}\n{}", args.join(" "), run.stderr));
    }
    assert!(!env.path("k").exists());
    assert_snapshot("generate_bad_sizes.txt", &transcript);
}

#[test]
fn no_passphrase_source_without_terminal_fails_fast() {
    let env = Env::new();
    let batch = env.kw(["generate", "-q", "-f", "key"]).code(2);
    assert!(!env.path("key").exists());
    // Without batch mode and without a controlling terminal: no terminal, never a hang.
    let mut cmd = std::process::Command::new("setsid");
    cmd.args(["-w", env!("CARGO_BIN_EXE_keywright"), "generate", "-q", "-f", "key"])
        .current_dir(env.home())
        .env("HOME", env.home())
        .env_remove("KEYWRIGHT_BATCH");
    let detached = env.run(cmd, None).code(2);
    assert_snapshot("generate_no_terminal.txt", &format!("{}{}", batch.stderr, detached.stderr));
}

#[test]
fn passphrase_from_stdin_and_crlf_file() {
    let env = Env::new();
    env.kw_stdin(["generate", "-q", "-f", "a", "--passphrase-file", "-"], b"from stdin\n").success();
    env.oracle_public("a", "from stdin").success();
    env.write("crlf", "windows line\r\nsecond line ignored\r\n");
    env.kw(["generate", "-q", "-f", "b", "--passphrase-file", "crlf"]).success();
    env.oracle_public("b", "windows line").success();
    env.kw(["generate", "-q", "-f", "c", "-N", "legacy flag"]).success();
    env.oracle_public("c", "legacy flag").success();
    env.kw(["generate", "-q", "-f", "d", "-N", ""]).success();
    env.oracle_public("d", "").success();
}

#[test]
fn rounds_are_what_was_asked() {
    let env = Env::new();
    env.kw(["generate", "-q", "-f", "k", "-a", "3", "-N", "pw pw"]).success();
    let file = keywright::key::PrivateKeyFile::read(&env.path("k")).unwrap();
    assert_eq!(file.kdf_rounds(), Some(3));
    assert_eq!(file.cipher().map(|c| c.as_str().to_string()).as_deref(), Some("aes256-ctr"));
    env.oracle_public("k", "pw pw").success();
}

#[test]
fn terminal_prompts_ask_twice_and_never_echo() {
    let env = Env::new();
    let dialogue = [
        ("Enter passphrase (empty for no passphrase): ", "tty secret"),
        ("Enter same passphrase again: ", "tty secret"),
    ];
    let run = env.kw_tty(&dialogue, &["generate", "-f", "k", "-C", "c"]).success();
    assert!(!run.out().contains("tty secret"), "the passphrase was echoed:\n{}", run.out());
    env.oracle_public("k", "tty secret").success();
    // A mistyped second entry asks again.
    let retry = [
        ("Enter passphrase (empty for no passphrase): ", "one"),
        ("Enter same passphrase again: ", "two"),
        ("Enter passphrase (empty for no passphrase): ", "three"),
        ("Enter same passphrase again: ", "three"),
    ];
    let run = env.kw_tty(&retry, &["generate", "-q", "-f", "k2"]).success();
    // ssh-keygen's words (it retries forever; keywright three times).
    assert!(run.out().contains("keywright: Passphrases do not match.  Try again.\r\n"), "{}", run.out());
    env.oracle_public("k2", "three").success();
}

#[test]
fn terminal_overwrite_question() {
    let env = Env::new();
    env.kw(["generate", "-q", "-f", "k", "--no-passphrase"]).success();
    let before = std::fs::read(env.path("k")).unwrap();
    let no = env.kw_tty(&[("Overwrite (y/n)? ", "n")], &["generate", "-f", "k", "--no-passphrase"]).code(1);
    assert!(no.out().contains("k already exists.\r\nOverwrite (y/n)? "), "{}", no.out());
    assert_eq!(std::fs::read(env.path("k")).unwrap(), before);
    env.kw_tty(&[("Overwrite (y/n)? ", "y")], &["generate", "-f", "k", "--no-passphrase"]).success();
    assert_ne!(std::fs::read(env.path("k")).unwrap(), before);
}

/// `-C` with a newline wrote a .pub of two lines (the second a bogus key line) and a
/// private key whose comment broke every line it was printed on. One key is one line.
#[test]
fn a_comment_with_a_newline_or_cr_is_refused_and_nothing_is_written() {
    let env = Env::new();
    for (comment, breaker) in [("me\nssh-ed25519 AAAA evil", "a newline"), ("me\revil", "a carriage return")]
    {
        let run = env.kw(["generate", "-t", "ed25519", "-N", "", "-C", comment, "-f", "k"]);
        assert_eq!(run.code, 2, "{comment:?}: {}", run.stderr);
        assert_eq!(run.out(), "", "{comment:?}");
        let error = format!(
            "keywright: error: the comment holds {breaker}; one key is one line, so nothing was written"
        );
        assert_eq!(run.stderr.lines().next(), Some(error.as_str()), "{comment:?}");
        assert!(!env.path("k").exists() && !env.path("k.pub").exists(), "{comment:?}");
    }
}

/// `generate -f ~/.ssh/NAME` on an account without `~/.ssh` (the top-level --help example)
/// failed with "no such file or directory". ssh-keygen 9.2 creates `~/.ssh` (0700) when
/// the key goes directly into it, saying `Created directory '/home/u/.ssh'.` on stderr;
/// a key deeper down (`~/.ssh/sub/k`) or elsewhere creates nothing.
#[test]
fn a_key_named_in_a_missing_dot_ssh_creates_it_and_says_so() {
    let env = Env::new();
    let dot_ssh = env.path(".ssh");
    let key = dot_ssh.join("id_github");
    let run = env.kw(["generate", "-f", key.to_str().unwrap(), "--no-passphrase"]).success();
    assert_eq!(run.stderr, format!("keywright: Created directory '{}'.\n", dot_ssh.display()));
    assert!(run.out().starts_with("Generating public/private ed25519 key pair.\n"), "{}", run.out());
    assert_eq!(mode(&dot_ssh), 0o700);
    assert_eq!((mode(&key), mode(&dot_ssh.join("id_github.pub"))), (0o600, 0o644));
    env.oracle_public(key.to_str().unwrap(), "").success();

    let env = Env::new();
    let deeper = env.path(".ssh/sub/k");
    let run = env.kw(["generate", "-q", "-f", deeper.to_str().unwrap(), "--no-passphrase"]).code(2);
    assert_eq!(
        run.stderr,
        format!(
            "keywright: error: {}: no such file or directory\nkeywright: hint: check the path\n",
            deeper.display()
        )
    );
    assert!(!env.path(".ssh").exists());
}

/// `generate -f DIR` said "DIR: already exists" and "use --force", which cannot help.
#[test]
fn a_directory_as_the_key_file_is_named_a_directory() {
    let env = Env::new();
    std::fs::create_dir(env.path("keys")).unwrap();
    std::fs::create_dir(env.path("k2.pub")).unwrap();
    for (args, dir) in
        [(&["-f", "keys"][..], "keys"), (&["-f", "keys", "--force"], "keys"), (&["-f", "k2"], "k2.pub")]
    {
        let run = env.kw([&["generate", "--no-passphrase"][..], args].concat()).code(2);
        assert_eq!(
            (run.out().as_str(), run.stderr.as_str()),
            ("", format!("keywright: error: {dir}: is a directory, not a file\nkeywright: hint: give the path of a file inside it\n").as_str()),
            "{args:?}"
        );
    }
    assert!(!env.path("k2").exists());
}

/// Under --batch at a real terminal the error said there was no terminal; and no hint
/// named --no-passphrase, the usual answer for a new key.
#[test]
fn batch_mode_at_a_terminal_says_batch_mode_forbids_asking() {
    let env = Env::new();
    let run = env.kw_tty(&[], &["--batch", "generate", "-q", "-f", "key"]).code(2);
    assert_eq!(
        run.out().replace('\r', ""),
        "keywright: error: key: a new passphrase is needed, but batch mode forbids asking for it\n\
         keywright: hint: use --passphrase-file FILE (or - for stdin), or --no-passphrase for a key without one\n"
    );
    assert!(!env.path("key").exists());
}
