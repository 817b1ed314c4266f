//! `keywright sign` against `ssh-keygen -Y`, both ways: keywright's signatures verify in
//! OpenSSH and OpenSSH's verify in keywright, for every key type and an agent-held key;
//! Ed25519 signatures (deterministic) are byte for byte ssh-keygen's.

use std::ffi::OsStr;
use std::path::PathBuf;

use super::common::*;
use super::support::{self, sshd::Agent};

/// Key fixtures that sign, one of each type and size.
const SIGNING_KEYS: &[&str] =
    &["id_ed25519", "id_ecdsa_256", "id_ecdsa_384", "id_ecdsa_521", "id_rsa_2048", "id_rsa_3072"];

/// An allowed_signers file letting every fixture key sign as alice@example.com.
fn allowed_signers(env: &Env) -> PathBuf {
    let lines: String =
        SIGNING_KEYS.iter().map(|name| format!("alice@example.com {}\n", key_line(name))).collect();
    env.write("allowed_signers", lines)
}

/// `ssh-keygen -Y verify` of FILE's signature SIG, as alice in namespace `file`.
pub fn oracle_verify(env: &Env, sig: &str, file: &str) -> Run {
    let mut cmd = env.ssh_keygen_command([
        "-Y",
        "verify",
        "-f",
        "allowed_signers",
        "-I",
        "alice@example.com",
        "-n",
        "file",
        "-s",
        sig,
    ]);
    cmd.stdin(std::fs::File::open(env.path(file)).unwrap());
    run_with_stdin_file(cmd)
}

/// Runs a command whose stdin is already set.
pub fn run_with_stdin_file(mut cmd: std::process::Command) -> Run {
    let command = format!("{cmd:?}");
    let output = cmd.output().unwrap();
    Run {
        command,
        code: output.status.code().unwrap_or(-1),
        stdout: output.stdout,
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// ssh-keygen's line for a good signature by `key` (a fixture name).
fn good_line(key: &str) -> String {
    let fp = std::fs::read_to_string(testdata(&format!("keys/{key}.pub.fp"))).unwrap();
    let mut words = fp.split_whitespace();
    let fingerprint = words.nth(1).unwrap();
    let key_type = fp.trim_end().rsplit('(').next().unwrap().trim_end_matches(')');
    format!("Good \"file\" signature for alice@example.com with {key_type} key {fingerprint}\n")
}

#[test]
fn every_key_type_verifies_both_ways() {
    let env = Env::new();
    allowed_signers(&env);
    env.write("msg.txt", "a message\n");
    for name in SIGNING_KEYS {
        let key = env.fixture(name);
        let key = key.to_str().unwrap();
        let signed = env.kw(["sign", "-f", key, "-n", "file", "msg.txt"]).success();
        assert_eq!(signed.out(), "msg.txt: signature written to msg.txt.sig\n", "{name}");
        let checked = oracle_verify(&env, "msg.txt.sig", "msg.txt").success();
        assert_eq!(checked.out(), good_line(name), "{name}: ssh-keygen on keywright's signature");
        std::fs::remove_file(env.path("msg.txt.sig")).unwrap();
        env.ssh_keygen(["-q", "-Y", "sign", "-f", key, "-n", "file", "msg.txt"]).success();
        let ours = env.kw([
            "verify",
            "-f",
            "allowed_signers",
            "-I",
            "alice@example.com",
            "-n",
            "file",
            "-s",
            "msg.txt.sig",
            "msg.txt",
        ]);
        assert_eq!(ours.success().out(), good_line(name), "{name}: keywright on ssh-keygen's signature");
        std::fs::remove_file(env.path("msg.txt.sig")).unwrap();
    }
}

/// RSA signs with rsa-sha2-512 (ssh-keygen's RSA_SIGN_ALG), never SHA-1.
#[test]
fn rsa_signs_with_sha512() {
    let env = Env::new();
    let key = env.fixture("id_rsa_3072");
    env.write("msg.txt", "x");
    env.kw(["sign", "-q", "-f", key.to_str().unwrap(), "-n", "file", "msg.txt"]).success();
    assert!(contains(&signature_blob(&env.read("msg.txt.sig")), b"rsa-sha2-512"));
}

#[test]
fn ed25519_signatures_are_ssh_keygens_byte_for_byte() {
    let env = Env::new();
    let key = env.fixture("id_ed25519");
    let key = key.to_str().unwrap();
    env.write("a.txt", "first\n");
    env.write("b.bin", (0..=255u8).cycle().take(300_000).collect::<Vec<u8>>());
    for hash in ["sha512", "sha256"] {
        let option = format!("hashalg={hash}");
        env.kw(["sign", "-q", "--force", "-f", key, "-n", "file", "-O", &option, "a.txt", "b.bin"]).success();
        let ours = (env.read("a.txt.sig"), env.read("b.bin.sig"));
        for file in ["a.txt.sig", "b.bin.sig"] {
            std::fs::remove_file(env.path(file)).unwrap();
        }
        env.ssh_keygen(["-q", "-Y", "sign", "-f", key, "-n", "file", "-O", &option, "a.txt", "b.bin"])
            .success();
        assert_eq!(ours.0, env.read("a.txt.sig"), "{hash}");
        assert_eq!(ours.1, env.read("b.bin.sig"), "{hash}");
        std::fs::remove_file(env.path("a.txt.sig")).unwrap();
        std::fs::remove_file(env.path("b.bin.sig")).unwrap();
    }
    // Standard input: the signature on standard output, nothing else there.
    let ours = env.kw_stdin(["sign", "-f", key, "-n", "git", "-"], b"commit\n").success();
    let mut oracle = env.ssh_keygen_command(["-q", "-Y", "sign", "-f", key, "-n", "git"]);
    oracle.stdin(std::fs::File::open(env.write("commit", "commit\n")).unwrap());
    let theirs = run_with_stdin_file(oracle).success();
    assert_eq!(ours.stdout, theirs.stdout);
    assert_eq!(ours.stderr, "");
}

/// An encrypted key is unlocked once and signs every file.
#[test]
fn an_encrypted_key_is_unlocked_once_for_all_files() {
    let env = Env::new();
    allowed_signers(&env);
    let key = env.fixture("id_ed25519_enc");
    env.write("pw", format!("{FIXTURE_PASSPHRASE}\n"));
    let files: Vec<String> = (0..40).map(|i| format!("f{i}.txt")).collect();
    for file in &files {
        env.write(file, format!("file {file}\n"));
    }
    let mut args = vec!["sign", "-q", "-f", key.to_str().unwrap(), "-n", "file", "--passphrase-file", "pw"];
    args.extend(files.iter().map(String::as_str));
    env.kw(&args).success();
    // The fixture's key is not in allowed_signers: check-novalidate, then find the signer.
    for file in [&files[0], &files[39]] {
        let sig = format!("{file}.sig");
        let mut cmd = env.ssh_keygen_command(["-Y", "check-novalidate", "-n", "file", "-s", &sig]);
        cmd.stdin(std::fs::File::open(env.path(file)).unwrap());
        run_with_stdin_file(cmd).success();
    }
    // Nothing but the signatures was left in the directory.
    let leftovers: Vec<PathBuf> =
        support::tree(env.home()).into_iter().filter(|p| p.to_string_lossy().ends_with(".tmp")).collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    // Without the passphrase, in batch mode: a clear error, nothing signed.
    std::fs::remove_file(env.path("f0.txt.sig")).unwrap();
    let refused = env.kw(["sign", "-f", key.to_str().unwrap(), "-n", "file", "f0.txt"]).code(2);
    assert!(
        refused.stderr.contains("a passphrase is needed, but batch mode forbids asking for it"),
        "{}",
        refused.stderr
    );
    assert!(!env.path("f0.txt.sig").exists());
}

#[test]
fn an_existing_signature_is_replaced_only_with_force() {
    let env = Env::new();
    let key = env.fixture("id_ed25519");
    let key = key.to_str().unwrap();
    env.write("msg.txt", "x");
    env.kw(["sign", "-f", key, "-n", "file", "msg.txt"]).success();
    let first = env.read("msg.txt.sig");
    env.write("other.txt", "y");
    let refused = env.kw(["sign", "-f", key, "-n", "git", "other.txt", "msg.txt"]).code(2);
    assert_eq!(
        refused.stderr,
        "keywright: error: msg.txt.sig: already exists\nkeywright: hint: use --force to replace it\n"
    );
    // Checked before anything was signed.
    assert!(!env.path("other.txt.sig").exists());
    assert_eq!(env.read("msg.txt.sig"), first);
    // --force replaces it, keeping its mode, through a symlink to its target.
    std::fs::rename(env.path("msg.txt.sig"), env.path("real.sig")).unwrap();
    std::os::unix::fs::symlink("real.sig", env.path("msg.txt.sig")).unwrap();
    std::fs::set_permissions(env.path("real.sig"), std::os::unix::fs::PermissionsExt::from_mode(0o600))
        .unwrap();
    env.kw(["sign", "-q", "--force", "-f", key, "-n", "git", "msg.txt", "other.txt"]).success();
    assert!(std::fs::symlink_metadata(env.path("msg.txt.sig")).unwrap().file_type().is_symlink());
    assert_ne!(env.read("real.sig"), first);
    assert_eq!(mode(&env.path("real.sig")), 0o600);
    // A new signature: 0666 less the umask, as ssh-keygen creates it.
    let umask = nix::sys::stat::umask(nix::sys::stat::Mode::empty());
    nix::sys::stat::umask(umask);
    assert_eq!(mode(&env.path("other.txt.sig")), 0o666 & !umask.bits(), "a new signature's mode");
}

#[test]
fn usage_errors() {
    let env = Env::new();
    let key = env.fixture("id_ed25519");
    let key = key.to_str().unwrap();
    env.write("msg.txt", "x");
    let mixed = env.kw(["sign", "-f", key, "-n", "file", "-", "msg.txt"]).code(2);
    assert_eq!(mixed.stderr, "keywright: error: -: standard input is signed alone, not with files\n");
    let md5 = env.kw(["sign", "-f", key, "-n", "file", "-O", "hashalg=md5", "msg.txt"]).code(2);
    assert_eq!(md5.stderr, "keywright: error: hashalg=md5: the hash must be sha512 or sha256\n");
    let other = env.kw(["sign", "-f", key, "-n", "file", "-O", "verify-time=20200101", "msg.txt"]).code(2);
    assert!(other.stderr.contains("signing takes only -O hashalg="), "{}", other.stderr);
    let empty = env.kw(["sign", "-f", key, "-n", "", "msg.txt"]).code(2);
    assert!(empty.stderr.contains("-n"), "{}", empty.stderr);
    let missing = env.kw(["sign", "-f", key, "-n", "file", "nowhere.txt"]).code(2);
    assert!(
        missing.stderr.starts_with("keywright: error: nowhere.txt: no such file or directory"),
        "{}",
        missing.stderr
    );
    assert!(!env.path("msg.txt.sig").exists());
}

/// As ssh-keygen, signing stops at a file that cannot be read; the signatures made
/// before it are written (and said to be), the files after it are not signed.
#[test]
fn an_unreadable_file_stops_signing_after_writing_the_earlier_ones() {
    let env = Env::new();
    let key = env.fixture("id_ed25519");
    env.write("a.txt", "a");
    env.write("c.txt", "c");
    let run = env.kw(["sign", "-f", key.to_str().unwrap(), "-n", "file", "a.txt", "b.txt", "c.txt"]).code(2);
    assert_eq!(run.out(), "a.txt: signature written to a.txt.sig\n");
    assert_eq!(
        run.stderr,
        "keywright: error: b.txt: no such file or directory\nkeywright: hint: check the path\n"
    );
    assert!(env.path("a.txt.sig").exists());
    assert!(!env.path("c.txt.sig").exists());
}

/// hashalg=sha256 is accepted by ssh-keygen, and recorded in the signature.
#[test]
fn sha256_signatures_verify_in_openssh() {
    let env = Env::new();
    allowed_signers(&env);
    let key = env.fixture("id_ecdsa_384");
    env.write("msg.txt", "x");
    env.kw(["sign", "-q", "-f", key.to_str().unwrap(), "-n", "file", "-O", "hashalg=sha256", "msg.txt"])
        .success();
    assert!(contains(&signature_blob(&env.read("msg.txt.sig")), b"\0\0\0\x06sha256"));
    assert_eq!(oracle_verify(&env, "msg.txt.sig", "msg.txt").success().out(), good_line("id_ecdsa_384"));
}

/// Keys held by ssh-agent: a public key file without its private key, git's `key::`
/// literal, and -U; RSA through the agent signs with rsa-sha2-512 too.
#[test]
fn an_agent_held_key_signs() {
    let env = Env::new();
    allowed_signers(&env);
    env.write("msg.txt", "agent\n");
    let agent = Agent::start();
    let sock: &OsStr = agent.sock().as_os_str();
    for name in ["id_ed25519", "id_rsa_2048"] {
        let private = env.fixture(name);
        agent.add(&private);
        // Only the public key stays beside where the private key was.
        std::fs::remove_file(&private).unwrap();
        let public = format!("{name}.pub");
        let run = support::kw(
            &env,
            ["sign", "-f", &public, "-n", "file", "msg.txt"],
            &[("SSH_AUTH_SOCK", sock)],
            None,
        );
        assert_eq!(run.success().out(), "msg.txt: signature written to msg.txt.sig\n");
        assert_eq!(oracle_verify(&env, "msg.txt.sig", "msg.txt").success().out(), good_line(name));
        if name == "id_rsa_2048" {
            assert!(contains(&signature_blob(&env.read("msg.txt.sig")), b"rsa-sha2-512"));
        }
        let literal = format!("key::{}", key_line(name));
        let run = support::kw(
            &env,
            ["sign", "-q", "--force", "-f", &literal, "-n", "file", "msg.txt"],
            &[("SSH_AUTH_SOCK", sock)],
            None,
        );
        run.success();
        assert_eq!(oracle_verify(&env, "msg.txt.sig", "msg.txt").success().out(), good_line(name));
        std::fs::remove_file(env.path("msg.txt.sig")).unwrap();
    }
    // -U with a private key file: only the agent may sign, and it holds this key.
    let private = env.fixture("id_ecdsa_256");
    let args = ["sign", "-q", "-U", "-f", private.to_str().unwrap(), "-n", "file", "msg.txt"];
    let refused = support::kw(&env, args, &[("SSH_AUTH_SOCK", sock)], None).code(2);
    assert_eq!(
        refused.stderr,
        format!(
            "keywright: error: {}: cannot sign with ssh-agent: it does not hold this key\nkeywright: hint: add the key to the agent with ssh-add KEY\n",
            private.display()
        )
    );
    agent.add(&private);
    support::kw(&env, args, &[("SSH_AUTH_SOCK", sock)], None).success();
    assert_eq!(oracle_verify(&env, "msg.txt.sig", "msg.txt").success().out(), good_line("id_ecdsa_256"));
    // An encrypted copy of a key the agent holds signs without its passphrase (batch
    // mode could not ask for it), as ssh-keygen prefers the agent.
    std::fs::copy(&private, env.path("locked")).unwrap();
    env.ssh_keygen(["-q", "-p", "-N", "secret", "-f", "locked"]).success();
    let locked = ["sign", "-q", "--force", "-f", "locked", "-n", "file", "msg.txt"];
    support::kw(&env, locked, &[("SSH_AUTH_SOCK", sock)], None).success();
    assert_eq!(oracle_verify(&env, "msg.txt.sig", "msg.txt").success().out(), good_line("id_ecdsa_256"));
    drop(agent);
    // No agent at all: the public key alone cannot sign.
    let alone = env.kw(["sign", "-f", "id_ed25519.pub", "-n", "file", "--force", "msg.txt"]).code(2);
    assert_eq!(
        alone.stderr,
        "keywright: error: id_ed25519.pub: no private key for this public key, and no ssh-agent runs (SSH_AUTH_SOCK is not set)\n\
         keywright: hint: give the private key file with -f, or start ssh-agent and add the key with ssh-add\n"
    );
}

/// A certificate signs with its private key and travels in the signature, so that a
/// cert-authority line admits it, in OpenSSH and in keywright.
#[test]
fn a_certificate_signs_for_cert_authority_lines() {
    let env = Env::new();
    env.ssh_keygen(["-q", "-t", "ed25519", "-N", "", "-C", "ca", "-f", "ca"]).success();
    env.fixture("id_ecdsa_256");
    env.ssh_keygen([
        "-q",
        "-s",
        "ca",
        "-I",
        "alice-cert",
        "-n",
        "alice@example.com",
        "-V",
        "-1d:+1d",
        "id_ecdsa_256.pub",
    ])
    .success();
    let ca = std::fs::read_to_string(env.path("ca.pub")).unwrap();
    env.write("allowed_signers", format!("*@example.com cert-authority {ca}"));
    env.write("msg.txt", "by certificate\n");
    env.kw(["sign", "-q", "-f", "id_ecdsa_256-cert.pub", "-n", "file", "msg.txt"]).success();
    let theirs = oracle_verify(&env, "msg.txt.sig", "msg.txt").success().out();
    assert!(
        theirs.starts_with("Good \"file\" signature for alice@example.com with ECDSA-CERT key SHA256:"),
        "{theirs}"
    );
    let ours = env.kw([
        "verify",
        "-f",
        "allowed_signers",
        "-I",
        "alice@example.com",
        "-n",
        "file",
        "-s",
        "msg.txt.sig",
        "msg.txt",
    ]);
    assert_eq!(ours.success().out(), theirs);
    let found = env.kw(["signers", "find", "-f", "allowed_signers", "-s", "msg.txt.sig"]).success();
    assert_eq!(found.out(), "alice@example.com\n");
    // A certificate that is not the key's is refused before signing.
    env.fixture("id_ed25519");
    std::fs::copy(env.path("id_ecdsa_256-cert.pub"), env.path("id_ed25519-cert.pub")).unwrap();
    let mismatch = env.kw(["sign", "-f", "id_ed25519-cert.pub", "-n", "file", "--force", "msg.txt"]).code(2);
    assert!(
        mismatch.stderr.contains("the certificate is not for the key in id_ed25519"),
        "{}",
        mismatch.stderr
    );
}

/// The decoded SSHSIG blob of an armoured signature.
pub fn signature_blob(armored: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(armored);
    let body: String = text.lines().filter(|l| !l.starts_with("-----")).collect();
    data_encoding::BASE64.decode(body.as_bytes()).unwrap()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}
