//! `keywright host-keys` and `keywright sshfp`: the same host key files and modes as
//! ssh-keygen -A on an empty prefix, keys a real sshd loads and serves, `--check`'s
//! findings and exit status, and SSHFP records identical to ssh-keygen -r's.

use std::process::Command;

use super::common::*;
use super::json::assert_documented;
use super::support::sshd::Sshd;

const TYPES: [&str; 3] = ["rsa", "ecdsa", "ed25519"];

/// The files under `dir` with their modes, sorted.
fn listing(dir: &std::path::Path) -> Vec<(String, u32)> {
    let mut files: Vec<(String, u32)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let path = e.unwrap().path();
            (path.file_name().unwrap().to_string_lossy().into_owned(), mode(&path))
        })
        .collect();
    files.sort();
    files
}

#[test]
fn host_keys_makes_the_files_ssh_keygen_a_makes() {
    let env = Env::new();
    std::fs::create_dir_all(env.path("ours/etc/ssh")).unwrap();
    std::fs::create_dir_all(env.path("theirs/etc/ssh")).unwrap();
    env.ssh_keygen(["-A", "-f", "theirs"]).success();
    let run = env.kw(["host-keys", "-f", "ours"]).success();
    assert_eq!(listing(&env.path("ours/etc/ssh")), listing(&env.path("theirs/etc/ssh")));
    assert_eq!(run.out().lines().count(), 3, "{}", run.out());
    for kind in TYPES {
        let key = format!("ours/etc/ssh/ssh_host_{kind}_key");
        // OpenSSH reads each key without a passphrase, and its .pub is its public half.
        let public = env.ssh_keygen(["-y", "-P", "", "-f", &key]).success().out();
        assert_eq!(env.read_string(&format!("{key}.pub")), public);
        let theirs =
            env.ssh_keygen(["-l", "-f", &format!("theirs/etc/ssh/ssh_host_{kind}_key.pub")]).success().out();
        let ours = env.ssh_keygen(["-l", "-f", &format!("{key}.pub")]).success().out();
        // Same size, comment and type; another key.
        let shape = |line: &str| {
            let words: Vec<&str> = line.split_whitespace().collect();
            (words[0].to_string(), words[2..].join(" "))
        };
        assert_eq!(shape(&ours), shape(&theirs));
    }
    // A second run keeps every key.
    let before = env.read("ours/etc/ssh/ssh_host_rsa_key");
    let made = env.kw(["host-keys", "-f", "nowhere", "--format", "json"]).code(2);
    assert_documented("host-keys", &made.stdout);
    let again = env.kw(["host-keys", "-f", "ours", "--format", "json"]).success();
    assert_documented("host-keys", &again.stdout);
    let json: serde_json::Value = serde_json::from_str(&again.out()).unwrap();
    assert!(json["keys"].as_array().unwrap().iter().all(|k| k["outcome"] == "kept"), "{json}");
    assert_eq!(env.read("ours/etc/ssh/ssh_host_rsa_key"), before);
}

#[test]
fn an_empty_key_is_replaced_and_a_missing_directory_fails_each_type() {
    let env = Env::new();
    env.write("p/etc/ssh/ssh_host_ed25519_key", "");
    env.kw(["host-keys", "-q", "-f", "p"]).success();
    assert!(env.read("p/etc/ssh/ssh_host_ed25519_key").starts_with(b"-----BEGIN OPENSSH PRIVATE KEY-----"));
    assert_eq!(mode(&env.path("p/etc/ssh/ssh_host_ed25519_key")), 0o600);
    let run = env.kw(["host-keys", "-f", "nowhere"]).code(2);
    assert_eq!(run.stderr.matches("keywright: error: ").count(), 3, "{}", run.stderr);
    assert!(!env.path("nowhere").exists());
}

#[test]
fn a_real_sshd_loads_and_serves_the_keys_host_keys_makes() {
    let env = Env::new();
    std::fs::create_dir_all(env.path("p/etc/ssh")).unwrap();
    env.kw(["host-keys", "-q", "-f", "p"]).success();
    let dir = env.path("p/etc/ssh");
    // A running sshd with them serves each one: ssh-keyscan sees the keys of the .pub files.
    let lines: Vec<String> =
        TYPES.iter().map(|kind| format!("HostKey {}/ssh_host_{kind}_key", dir.display())).collect();
    let sshd = Sshd::with_config(&lines.iter().map(String::as_str).collect::<Vec<_>>());
    // sshd's own check of a configuration that loads only these keys (its first HostKey
    // of each type is the one served, so the keyscan below sees ours).
    let mut config = String::from("ListenAddress 127.0.0.1\nPort 22\nUsePAM no\n");
    for kind in TYPES {
        config.push_str(&format!("HostKey {}/ssh_host_{kind}_key\n", dir.display()));
    }
    env.write("sshd_config", &config);
    // (As root only: sshd -t wants the privilege separation directory root's sshd has.)
    if is_root() {
        let check =
            Command::new("/usr/sbin/sshd").args(["-t", "-f"]).arg(env.path("sshd_config")).output().unwrap();
        assert!(check.status.success(), "sshd -t: {}", String::from_utf8_lossy(&check.stderr));
    }
    for (kind, algorithm) in [("rsa", "rsa"), ("ecdsa", "ecdsa"), ("ed25519", "ed25519")] {
        let scan = Command::new("ssh-keyscan")
            .args(["-t", algorithm, "-p", &sshd.port().to_string(), "127.0.0.1"])
            .output()
            .unwrap();
        let served = String::from_utf8_lossy(&scan.stdout);
        let ours = env.read_string(&format!("p/etc/ssh/ssh_host_{kind}_key.pub"));
        let key: Vec<&str> = ours.split_whitespace().take(2).collect();
        assert!(
            served.contains(&key.join(" ")),
            "sshd does not serve our {kind} key:\n{served}\n{}",
            sshd.log_text()
        );
    }
}

#[test]
fn check_reports_what_sshd_would_refuse() {
    let env = Env::new();
    std::fs::create_dir_all(env.path("p/etc/ssh")).unwrap();
    env.kw(["host-keys", "-q", "-f", "p"]).success();
    env.kw(["host-keys", "--check", "-f", "p"]).success().out();
    std::fs::set_permissions(
        env.path("p/etc/ssh/ssh_host_rsa_key"),
        std::os::unix::fs::PermissionsExt::from_mode(0o644),
    )
    .unwrap();
    std::fs::remove_file(env.path("p/etc/ssh/ssh_host_ecdsa_key")).unwrap();
    env.write("p/etc/ssh/ssh_host_ed25519_key.pub", key_line("id_rsa_2048"));
    let run = env.kw(["host-keys", "--check", "-f", "p"]).code(1);
    let dir = "p/etc/ssh";
    assert_eq!(
        run.out(),
        format!(
            "{dir}/ssh_host_rsa_key: error: mode 0644: sshd refuses a host key others can access (chmod 600 it) [too-open]\n\
             {dir}/ssh_host_ecdsa_key: warning: missing (or empty): `keywright host-keys` makes it [missing]\n\
             {dir}/ssh_host_ed25519_key: warning: the .pub beside it holds another key [public-mismatch]\n\
             1 error, 2 warnings in 3 host keys\n"
        )
    );
    let json = env.kw(["host-keys", "--check", "-f", "p", "--format", "json"]).code(1);
    assert_documented("host-keys check", &json.stdout);
    let value: serde_json::Value = serde_json::from_str(&json.out()).unwrap();
    assert_eq!(value["findings"].as_array().unwrap().len(), 3);
    assert_eq!(value["findings"][0]["rule"], "too-open");
    // Nothing at all: sshd would not start.
    let empty = Env::new();
    let run = empty.kw(["host-keys", "--check", "-f", "."]).code(1);
    assert!(run.out().contains("[no-usable-host-key]"), "{}", run.out());
}

#[test]
fn sshfp_prints_ssh_keygen_r_records() {
    let env = Env::new();
    std::fs::create_dir_all(env.path("p/etc/ssh")).unwrap();
    env.ssh_keygen(["-A", "-f", "p"]).success();
    env.fixture("id_ecdsa_384");
    for file in ["p/etc/ssh/ssh_host_rsa_key.pub", "p/etc/ssh/ssh_host_ed25519_key", "id_ecdsa_384"] {
        for generic in [false, true] {
            let mut ours = vec!["sshfp", "h.example.com", "-f", file];
            let mut theirs = vec!["-r", "h.example.com", "-f", file];
            if generic {
                ours.push("-g");
                theirs.push("-g");
            }
            assert_eq!(env.kw(&ours).success().out(), env.ssh_keygen(&theirs).success().out(), "{file}");
        }
    }
    // Every host key under the prefix, in ssh-keygen's order (RSA, ECDSA, Ed25519).
    let all: String = ["rsa", "ecdsa", "ed25519"]
        .iter()
        .map(|kind| {
            env.ssh_keygen(["-r", "h", "-f", &format!("p/etc/ssh/ssh_host_{kind}_key")]).success().out()
        })
        .collect();
    assert_eq!(env.kw(["sshfp", "--prefix", "p", "h"]).success().out(), all);
    let json = env.kw(["sshfp", "--prefix", "p", "h", "--format", "json"]).success().stdout;
    assert_documented("sshfp", &json);
    let value: serde_json::Value = serde_json::from_slice(&json).unwrap();
    assert_eq!(value["records"].as_array().unwrap().len(), 6);
    // A certificate has no SSHFP type; no host keys at all is an error.
    env.ssh_keygen(["-q", "-s", "id_ecdsa_384", "-I", "id", "-h", "p/etc/ssh/ssh_host_ed25519_key.pub"])
        .success();
    let cert = env.kw(["sshfp", "h", "-f", "p/etc/ssh/ssh_host_ed25519_key-cert.pub"]).code(2);
    assert!(cert.stderr.contains("ED25519-CERT keys have no SSHFP record type"), "{}", cert.stderr);
    let none = env.kw(["sshfp", "h", "--prefix", "nowhere"]).code(2);
    assert!(none.stderr.contains("no host keys found"), "{}", none.stderr);
}
