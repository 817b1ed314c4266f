//! `keywright fingerprint` prints exactly what `ssh-keygen -l [-E] [-v]` prints.

use std::path::Path;

use super::common::*;

const HASHES: &[(&str, &str)] = &[("sha256", ""), ("md5", ".md5"), ("sha512", ".sha512")];

/// Runs ssh-keygen and keywright with the same options and file; both must agree.
#[track_caller]
fn assert_same(env: &Env, options: &[&str], file: &str) -> String {
    let oracle = env.ssh_keygen([&["-l"], options, &["-f", file]].concat());
    let ours = env.kw([&["fingerprint"], options, &[file]].concat());
    assert_eq!(
        ours.out(),
        oracle.out(),
        "keywright fingerprint {options:?} {file} differs from ssh-keygen -l"
    );
    assert_eq!(ours.code, 0, "{}", ours.stderr);
    ours.out()
}

#[test]
fn public_keys_match_ssh_keygen_for_every_hash_with_and_without_randomart() {
    let env = Env::new();
    for name in KEY_FIXTURES {
        let pub_file = format!("{name}.pub");
        env.fixture(name);
        for (hash, suffix) in HASHES {
            let line = assert_same(&env, &["-E", hash], &pub_file);
            let art = assert_same(&env, &["-v", "-E", hash], &pub_file);
            // The committed outputs are ssh-keygen's too (testdata/generate.sh).
            assert_eq!(
                line,
                std::fs::read_to_string(testdata(&format!("keys/{pub_file}{suffix}.fp"))).unwrap()
            );
            if *hash != "sha512" {
                let expected =
                    std::fs::read_to_string(testdata(&format!("keys/{pub_file}{suffix}.randomart"))).unwrap();
                assert_eq!(art, expected, "{pub_file} randomart");
            }
        }
    }
}

#[test]
fn private_keys_match_ssh_keygen_with_and_without_pub_file() {
    let env = Env::new();
    for name in KEY_FIXTURES {
        env.fixture(name);
        assert_same(&env, &[], name);
        assert_same(&env, &["-E", "md5", "-v"], name);
        // Without the .pub beside it, ssh-keygen reads the key itself: the comment of a
        // plain OpenSSH key, "no comment" for encrypted and PEM keys.
        std::fs::remove_file(env.path(&format!("{name}.pub"))).unwrap();
        let oracle = env.ssh_keygen(["-l", "-f", name]);
        let ours = env.kw(["fingerprint", name]);
        if oracle.code == 0 {
            assert_eq!(ours.out(), oracle.out(), "{name} without .pub");
        } else {
            // Only an encrypted PEM key cannot show its public key without the passphrase.
            assert!(name.contains("_enc") && !name.starts_with("id_ed25519"), "{name}");
            assert_eq!(ours.code, 2);
        }
    }
}

#[test]
fn multi_key_files_match_ssh_keygen() {
    let env = Env::new();
    for file in ["authorized_keys", "known_hosts", "known_hosts_hashed"] {
        std::fs::copy(testdata(&format!("keys/{file}")), env.path(file)).unwrap();
        let out = assert_same(&env, &[], file);
        assert_eq!(out, std::fs::read_to_string(testdata(&format!("keys/{file}.fp"))).unwrap());
        assert_same(&env, &["-v", "-E", "md5"], file);
    }
}

/// What `keywright fingerprint FILE` and `ssh-keygen -l -f FILE` print with LC_ALL=`locale`.
fn both_in_locale(env: &Env, file: &str, locale: &str) -> (Run, Run) {
    let mut ours = env.kw_command(["fingerprint", file]);
    let mut oracle = env.ssh_keygen_command(["-l", "-f", file]);
    ours.env("LC_ALL", locale);
    oracle.env("LC_ALL", locale);
    (env.run(ours, None), env.run(oracle, None))
}

/// Lines where ssh-keygen's parser has quirks that scripts may depend on.
#[test]
fn quirky_lines_match_ssh_keygen_in_c_and_utf8_locales() {
    let env = Env::new();
    let key = key_line("id_ed25519");
    let rsa_key = key_line("id_rsa_2048");
    let rsa_blob = rsa_key.split(' ').nth(1).unwrap();
    let lines = [
        key.clone(),
        format!("{key} comment with  spaces "),
        format!("{key}\r"),
        format!("{key} crlf comment\r"),
        format!("{key}\tc\td"),
        format!("\t {key} indented"),
        format!("no-pty {key}"),
        format!("command=\"echo \\\"hi there\\\"\" {key}"),
        format!("host1 {key} # trailing"),
        format!("host1  {key} two blanks are not skipped"),
        format!("123 {key} protocol-1 bits"),
        format!("0 {key}"),
        format!("12a {key}"),
        format!("@revoked host {key}"),
        format!("{key} a\u{1}b\u{e9}c\u{7f}d\\e"),
        format!("{key} nul\0hidden"),
        format!("{key} x #c"),
        format!("  # {key}"),
        "garbage line".to_string(),
        format!("rsa-sha2-512 {rsa_blob} signature algorithm as key type"),
        format!("RSA {rsa_blob} short names are not key types here"),
    ];
    let mut contents = lines.join("\n").into_bytes();
    contents.extend_from_slice(b"\n");
    contents.extend_from_slice(format!("{key} latin1 ").as_bytes());
    contents.extend_from_slice(b"\xff\n");
    env.write("quirks", &contents);
    assert_same(&env, &[], "quirks");
    for locale in ["C.UTF-8", "C"] {
        let (ours, oracle) = both_in_locale(&env, "quirks", locale);
        assert_eq!(ours.stdout, oracle.stdout, "locale {locale}");
    }
}

/// Ok when this machine's glibc is the one src/sanitize/printable.rs was generated from;
/// otherwise why not.
fn printable_table_matches_this_glibc() -> Result<(), String> {
    let table = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/sanitize/printable.rs");
    let table = std::fs::read_to_string(table).unwrap();
    let from =
        table.lines().next().and_then(|l| l.strip_prefix("//! Generated by scripts/gen-printable from "));
    let from = from.and_then(|rest| rest.split(';').next()).expect("printable.rs names its glibc");
    let here = std::process::Command::new("getconf").arg("GNU_LIBC_VERSION").output();
    let here = here.map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string()).unwrap_or_default();
    if here == from { Ok(()) } else { Err(format!("the table is {from:?}'s, this machine has {here:?}")) }
}

/// Every code point, 64 to a comment: in C.UTF-8, ssh-keygen keeps the ones glibc's
/// iswprint accepts and escapes the rest, and so must we.
#[test]
fn every_code_point_escapes_as_ssh_keygen_escapes_it() {
    // Another glibc's iswprint follows another Unicode version.
    if let Err(why) = printable_table_matches_this_glibc() {
        eprintln!(
            "every_code_point_escapes_as_ssh_keygen_escapes_it: skipped: {why} (scripts/gen-printable)"
        );
        return;
    }
    let env = Env::new();
    let key = key_line("id_ed25519");
    let chars: Vec<char> = (0x80..=0x10ffff).filter_map(char::from_u32).collect();
    let lines: Vec<String> =
        chars.chunks(64).map(|chunk| format!("{key} {}", String::from_iter(chunk))).collect();
    env.write("every", lines.join("\n") + "\n");
    let (ours, oracle) = both_in_locale(&env, "every", "C.UTF-8");
    let (ours, oracle) = (ours.success().stdout, oracle.success().stdout);
    assert_eq!(ours.split(|&b| b == b'\n').count(), lines.len() + 1);
    let first_difference =
        ours.split(|&b| b == b'\n').zip(oracle.split(|&b| b == b'\n')).position(|(a, b)| a != b);
    assert_eq!(first_difference, None, "line {first_difference:?} differs from ssh-keygen");
    assert_eq!(ours.len(), oracle.len());
}

#[test]
fn stdin_and_several_files_in_one_run() {
    let env = Env::new();
    env.fixture("id_ed25519");
    env.fixture("id_rsa_2048");
    let pub_key = std::fs::read(env.path("id_ed25519.pub")).unwrap();
    let from_stdin = env.kw_stdin(["fingerprint", "-"], &pub_key).success();
    let expected = env.ssh_keygen(["-l", "-f", "id_ed25519.pub"]).out();
    assert_eq!(from_stdin.out(), expected);
    let both = env.kw(["fingerprint", "id_ed25519.pub", "-f", "id_rsa_2048.pub"]).success();
    let rsa = env.ssh_keygen(["-l", "-f", "id_rsa_2048.pub"]).out();
    assert_eq!(both.out(), format!("{expected}{rsa}"));
}

#[test]
fn without_files_shows_every_key_in_dot_ssh() {
    let env = Env::new();
    std::fs::create_dir(env.path(".ssh")).unwrap();
    for name in ["id_rsa_2048", "id_ed25519"] {
        std::fs::copy(testdata(&format!("keys/{name}.pub")), env.path(&format!(".ssh/{name}.pub"))).unwrap();
    }
    let out = env.kw(["fingerprint"]).success().out();
    let expected = [
        std::fs::read_to_string(testdata("keys/id_ed25519.pub.fp")).unwrap(),
        std::fs::read_to_string(testdata("keys/id_rsa_2048.pub.fp")).unwrap(),
    ]
    .concat();
    assert_eq!(out, expected);
}

#[test]
fn json_output_carries_every_field() {
    let env = Env::new();
    std::fs::copy(testdata("keys/authorized_keys"), env.path("authorized_keys")).unwrap();
    let out = env.kw(["fingerprint", "--format", "json", "-E", "md5", "authorized_keys"]).success().out();
    let items: serde_json::Value = serde_json::from_str(&out).unwrap();
    let items = items.as_array().unwrap();
    assert_eq!(items.len(), 6);
    let oracle = env.ssh_keygen(["-l", "-E", "md5", "-f", "authorized_keys"]).out();
    let first_line = oracle.lines().next().unwrap();
    assert_eq!(items[0]["file"], "authorized_keys");
    assert_eq!(items[0]["line"], 2);
    assert_eq!(items[0]["bits"], 256);
    assert_eq!(items[0]["type"], "ED25519");
    assert_eq!(items[0]["comment"], "alice@laptop");
    assert_eq!(
        first_line,
        format!("256 {} alice@laptop (ED25519)", items[0]["fingerprint"].as_str().unwrap())
    );
}

#[test]
fn bad_inputs_fail_with_one_clear_line_and_exit_2() {
    let env = Env::new();
    for name in
        ["fail_empty", "fail_random", "fail_truncated", "fail_bad_base64.pub", "fail_type_mismatch.pub"]
    {
        std::fs::copy(testdata(&format!("keys/{name}")), env.path(name)).unwrap();
        // ssh-keygen refuses them too.
        assert_ne!(env.ssh_keygen(["-l", "-f", name]).code, 0, "{name}");
    }
    std::fs::create_dir(env.path("a_directory")).unwrap();
    let mut transcript = String::new();
    for name in [
        "fail_empty",
        "fail_random",
        "fail_truncated",
        "fail_bad_base64.pub",
        "fail_type_mismatch.pub",
        "a_directory",
        "missing",
    ] {
        let run = env.kw(["fingerprint", name]).code(2);
        assert!(run.stdout.is_empty(), "{name} printed data");
        transcript.push_str(&format!("$ keywright fingerprint {name}\n{}", run.stderr));
    }
    assert_snapshot("fingerprint_errors.txt", &transcript);
}

#[test]
fn one_bad_file_does_not_hide_the_others() {
    let env = Env::new();
    env.fixture("id_ed25519");
    env.write("empty", "");
    let run = env.kw(["fingerprint", "empty", "id_ed25519.pub"]).code(2);
    assert_eq!(run.out(), std::fs::read_to_string(testdata("keys/id_ed25519.pub.fp")).unwrap());
    assert!(run.stderr.starts_with("keywright: error: empty: no public key found"), "{}", run.stderr);
}

#[test]
fn pub_file_with_another_key_is_shown_with_a_warning() {
    let env = Env::new();
    env.fixture("id_ed25519");
    std::fs::copy(testdata("keys/id_ecdsa_256.pub"), env.path("id_ed25519.pub")).unwrap();
    let oracle = env.ssh_keygen(["-l", "-f", "id_ed25519"]);
    let ours = env.kw(["fingerprint", "id_ed25519"]).success();
    assert_eq!(ours.out(), oracle.out());
    assert_eq!(
        ours.stderr,
        "keywright: warning: id_ed25519.pub holds a different key than id_ed25519; showing the .pub, as ssh-keygen does\n"
    );
}

/// With no FILE on an account without ~/.ssh, the error was "~/.ssh: no such file or
/// directory" with the hint "check the path"; the user simply has no keys yet.
#[test]
fn without_files_or_dot_ssh_says_there_are_no_keys_yet() {
    let env = Env::new();
    let expected = "keywright: error: no FILE given, and there are no keys yet (no ~/.ssh/id_*.pub)\n\
                    keywright: hint: make one with `keywright generate`, or name a key file\n";
    let run = env.kw(["fingerprint"]).code(2);
    assert_eq!((run.out().as_str(), run.stderr.as_str()), ("", expected));
    std::fs::create_dir(env.path(".ssh")).unwrap();
    assert_eq!(env.kw(["fingerprint"]).code(2).stderr, expected);
}
