//! copy-id trusts a host certificate whose CA known_hosts lists as `@cert-authority` for
//! the host; a certificate from any other CA counts as its plain key, as in ssh 9.2 (the
//! full table of cases, against ssh itself, is in `hostkey_policy.rs`).

use std::path::PathBuf;

use super::common::*;
use super::support;
use super::support::sshd::{self, Sshd, TestUser};

/// A fresh ed25519 key pair `name` in the home; returns its public line (no newline).
fn new_ca(env: &Env, name: &str) -> String {
    env.ssh_keygen(["-q", "-t", "ed25519", "-N", "", "-C", "", "-f", name]).success();
    std::fs::read_to_string(env.path(&format!("{name}.pub"))).unwrap().trim_end().to_string()
}

/// A CA `ca` and an ECDSA host key certified by it for 127.0.0.1, in the home:
/// (host key, certificate, CA public line).
fn certified_host_key(env: &Env) -> (PathBuf, PathBuf, String) {
    let ca = new_ca(env, "ca");
    env.ssh_keygen(["-q", "-t", "ecdsa", "-N", "", "-C", "", "-f", "host_ecdsa"]).success();
    env.ssh_keygen(["-q", "-s", "ca", "-h", "-I", "test-host", "-n", "127.0.0.1", "host_ecdsa.pub"])
        .success();
    (env.path("host_ecdsa"), env.path("host_ecdsa-cert.pub"), ca)
}

/// Root or skip, plus a home holding a CA and an sshd presenting a host certificate from
/// it (and its usual plain host keys); returns the CA's public line too.
fn setup(test: &str) -> Option<(Env, Sshd, String)> {
    if !sshd::root_or_skip(test) {
        return None;
    }
    let env = Env::new();
    let (key, cert, ca) = certified_host_key(&env);
    let server = Sshd::builder()
        .config(&format!("HostKey {}", key.display()))
        .config(&format!("HostCertificate {}", cert.display()))
        .start();
    Some((env, server, ca))
}

/// `user@127.0.0.1:PORT`.
fn dest(server: &Sshd, user: &TestUser) -> String {
    format!("{}@127.0.0.1:{}", user.name(), server.port())
}

/// `copy-id -q` of the ed25519 fixture with the user's password and `known_hosts` as the
/// only known_hosts file (killed if it hangs).
fn copy(env: &Env, server: &Sshd, user: &TestUser, known_hosts: &str) -> Run {
    env.write("kh", known_hosts);
    env.write("pw", format!("{}\n", user.password()));
    let key = testdata("keys/id_ed25519.pub");
    let target = dest(server, user);
    let args = [
        "copy-id",
        "-q",
        "-i",
        key.to_str().unwrap(),
        "--password-file",
        "pw",
        "-o",
        "UserKnownHostsFile=kh",
        &target,
    ];
    support::kw(env, args, &[], None)
}

#[test]
fn a_host_certificate_from_a_trusted_ca_is_accepted() {
    let Some((env, server, ca)) = setup("a_host_certificate_from_a_trusted_ca_is_accepted") else { return };
    let user = server.user_with_password("cert-pw-1");
    // Only the CA is known: the plain host keys are not.
    let run = copy(&env, &server, &user, &format!("@cert-authority [127.0.0.1]:{} {ca}\n", server.port()))
        .success();
    assert_eq!(run.out(), format!("{}: added 1 key(s)\n", dest(&server, &user)));
    let installed = std::fs::read_to_string(testdata("keys/id_ed25519.pub")).unwrap();
    assert!(installed.contains("id_ed25519@keywright.test"));
    assert_eq!(user.read_authorized_keys().unwrap(), installed);
}

/// ssh drops a certificate from an unknown CA and judges its plain key: unknown here, so
/// refused in batch mode (it used to be refused as an untrusted certificate, and a host
/// whose plain key was recorded was refused too).
#[test]
fn a_host_certificate_from_another_ca_counts_as_its_plain_key() {
    let Some((env, server, _)) = setup("a_host_certificate_from_another_ca_counts_as_its_plain_key") else {
        return;
    };
    let other_ca = new_ca(&env, "other_ca");
    let user = server.user_with_password("cert-pw-2");
    let ca_line = format!("@cert-authority [127.0.0.1]:{} {other_ca}\n", server.port());
    let run = copy(&env, &server, &user, &ca_line).code(1);
    let plain = env.ssh_keygen(["-l", "-f", "host_ecdsa.pub"]).success().out();
    let fingerprint = plain.split_whitespace().nth(1).unwrap().to_string();
    assert_eq!(
        run.out(),
        format!(
            "{}: failed: host key verification failed: [127.0.0.1]:{} is not a known host (ECDSA {fingerprint})\n",
            dest(&server, &user),
            server.port()
        )
    );
    assert_eq!(
        run.stderr,
        format!(
            "Host key verification failed.\nkeywright: {}: hint: check the fingerprint out of band, then add the key with `keywright known-hosts add '[127.0.0.1]:{}' KEY`, or pass -o StrictHostKeyChecking=accept-new\n",
            dest(&server, &user),
            server.port()
        )
    );
    assert!(user.read_authorized_keys().is_none());
    // With the plain key recorded, the same certificate gets the host in.
    let plain_line = std::fs::read_to_string(env.path("host_ecdsa.pub")).unwrap();
    let known = format!("{ca_line}[127.0.0.1]:{} {}\n", server.port(), plain_line.trim_end());
    let run = copy(&env, &server, &user, &known).success();
    assert_eq!(run.out(), format!("{}: added 1 key(s)\n", dest(&server, &user)));
}
