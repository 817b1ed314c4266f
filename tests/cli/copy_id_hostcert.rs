//! copy-id trusts a host certificate whose CA known_hosts lists as `@cert-authority` for
//! the host, and refuses one from any other CA.

use super::common::*;
use super::support::sshd::{self, Sshd};

/// A CA and an ECDSA host key certified by it for 127.0.0.1, in `dir`.
fn certified_host_key(env: &Env, ca_name: &str) -> (std::path::PathBuf, std::path::PathBuf, String) {
    let ca = env.path(ca_name);
    env.ssh_keygen(["-q", "-t", "ed25519", "-N", "", "-C", "", "-f", ca.to_str().unwrap()]).success();
    let host = env.path("host_ecdsa");
    env.ssh_keygen(["-q", "-t", "ecdsa", "-N", "", "-C", "", "-f", host.to_str().unwrap()]).success();
    env.ssh_keygen([
        "-q",
        "-s",
        ca.to_str().unwrap(),
        "-h",
        "-I",
        "test-host",
        "-n",
        "127.0.0.1",
        env.path("host_ecdsa.pub").to_str().unwrap(),
    ])
    .success();
    let ca_line = std::fs::read_to_string(env.path(&format!("{ca_name}.pub"))).unwrap();
    (host, env.path("host_ecdsa-cert.pub"), ca_line.trim_end().to_string())
}

fn copy(env: &Env, server: &Sshd, user: &sshd::TestUser, known_hosts: &str) -> Run {
    env.write("kh", known_hosts);
    env.write("pw", format!("{}\n", user.password()));
    let key = testdata("keys/id_ed25519.pub");
    let target = format!("{}@127.0.0.1:{}", user.name(), server.port());
    env.kw([
        "copy-id",
        "-q",
        "-i",
        key.to_str().unwrap(),
        "--password-file",
        "pw",
        "-o",
        "UserKnownHostsFile=kh",
        &target,
    ])
}

#[test]
fn a_host_certificate_from_a_trusted_ca_is_accepted() {
    if !sshd::root_or_skip("a_host_certificate_from_a_trusted_ca_is_accepted") {
        return;
    }
    let env = Env::new();
    let (key, cert, ca) = certified_host_key(&env, "ca");
    let server = Sshd::builder()
        .config(&format!("HostKey {}", key.display()))
        .config(&format!("HostCertificate {}", cert.display()))
        .start();
    let user = server.user_with_password("cert-pw-1");
    // Only the CA is known: the plain host keys are not.
    let run = copy(&env, &server, &user, &format!("@cert-authority [127.0.0.1]:{} {ca}\n", server.port()))
        .success();
    assert_eq!(run.out(), format!("{}@127.0.0.1:{}: added 1 key(s)\n", user.name(), server.port()));
    assert!(user.read_authorized_keys().unwrap().contains("id_ed25519@keywright.test"));
}

#[test]
fn a_host_certificate_from_another_ca_is_refused() {
    if !sshd::root_or_skip("a_host_certificate_from_another_ca_is_refused") {
        return;
    }
    let env = Env::new();
    let (key, cert, _) = certified_host_key(&env, "ca");
    let other = env.path("other_ca");
    env.ssh_keygen(["-q", "-t", "ed25519", "-N", "", "-C", "", "-f", other.to_str().unwrap()]).success();
    let other_ca = std::fs::read_to_string(env.path("other_ca.pub")).unwrap();
    let server = Sshd::builder()
        .config(&format!("HostKey {}", key.display()))
        .config(&format!("HostCertificate {}", cert.display()))
        .start();
    let user = server.user_with_password("cert-pw-2");
    let run =
        copy(&env, &server, &user, &format!("@cert-authority [127.0.0.1]:{} {other_ca}", server.port()))
            .code(1);
    let dest = format!("{}@127.0.0.1:{}", user.name(), server.port());
    assert_eq!(
        run.out(),
        format!(
            "{dest}: failed: host key verification failed: the host certificate is not trusted: its CA is not a @cert-authority for this host\n"
        )
    );
    assert!(user.read_authorized_keys().is_none());
}
