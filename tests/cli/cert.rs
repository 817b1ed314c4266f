//! Certificates: what keywright issues, OpenSSH reads (ssh-keygen -L, sshd's
//! TrustedUserCAKeys, ssh's @cert-authority), and what ssh-keygen issues, keywright
//! reads; the ssh-keygen front's -s and -L against ssh-keygen itself.

use std::process::Command;

use super::common::*;
use super::json::assert_documented;
use super::ssh_keygen::compare;
use super::support::sshd::{self, Sshd};

/// A home with unencrypted CA keys of three types and a user key (all made by
/// ssh-keygen).
fn home() -> Env {
    let env = Env::new();
    for (name, kind, bits) in
        [("ca", "ed25519", "256"), ("ca_rsa", "rsa", "3072"), ("ca_ecdsa", "ecdsa", "384")]
    {
        env.ssh_keygen(["-q", "-t", kind, "-b", bits, "-N", "", "-C", name, "-f", name]).success();
    }
    env.ssh_keygen(["-q", "-t", "ed25519", "-N", "", "-C", "user@example", "-f", "user"]).success();
    env
}

/// The certificate options every comparison issues with (absolute validity, so both
/// tools write the same times).
const REQUEST: &[&str] = &[
    "-I",
    "alice \"quoted\"",
    "-n",
    "alice,bob",
    "-z",
    "42",
    "-V",
    "20250101Z:20350101123000Z",
    "-O",
    "no-pty",
    "-O",
    "source-address=10.0.0.0/8,::1",
    "-O",
    "force-command=/bin/true",
    "-O",
    "extension:login@example.com=alice",
    "-O",
    "critical:custom@example.com",
    "-O",
    "verify-required",
];

fn with(prefix: &[&str], tail: &[&str]) -> Vec<String> {
    prefix.iter().chain(REQUEST).chain(tail).map(|s| s.to_string()).collect()
}

#[test]
fn issued_by_either_tool_shows_the_same_in_both() {
    let env = home();
    for ca in ["ca", "ca_rsa", "ca_ecdsa"] {
        env.ssh_keygen(with(&["-q", "-s", ca], &["user.pub"])).success();
        let openssh = env.ssh_keygen(["-L", "-f", "user-cert.pub"]).success().out();
        assert_eq!(env.kw(["cert", "show", "user-cert.pub"]).success().out(), openssh);
        std::fs::remove_file(env.path("user-cert.pub")).unwrap();
        env.kw(with(&["cert", "sign", "-q", "-s", ca], &["user.pub"])).success();
        assert_eq!(mode(&env.path("user-cert.pub")) & 0o777, 0o644 & !0o022);
        // Everything but the nonce and the signature is what ssh-keygen writes.
        assert_eq!(env.ssh_keygen(["-L", "-f", "user-cert.pub"]).success().out(), openssh, "CA {ca}");
        assert_eq!(env.kw(["cert", "show", "user-cert.pub"]).success().out(), openssh);
        assert_eq!(env.kw(["ssh-keygen", "-L", "-f", "user-cert.pub"]).success().out(), openssh);
        if ca == "ca_rsa" {
            assert!(openssh.contains("(using rsa-sha2-512)"), "{openssh}");
        }
        // The comment is the key's, as ssh-keygen keeps it.
        assert!(env.read_string("user-cert.pub").ends_with(" user@example\n"));
        std::fs::remove_file(env.path("user-cert.pub")).unwrap();
    }
}

#[test]
fn defaults_are_ssh_keygens() {
    let env = home();
    env.kw(["cert", "sign", "-q", "-s", "ca", "-I", "id", "user.pub"]).success();
    let text = env.ssh_keygen(["-L", "-f", "user-cert.pub"]).success().out();
    for line in [
        "Type: ssh-ed25519-cert-v01@openssh.com user certificate",
        "Serial: 0",
        "Valid: forever",
        "Principals: (none)",
        "Critical Options: (none)",
        "permit-X11-forwarding\n                permit-agent-forwarding\n                permit-port-forwarding\n                permit-pty\n                permit-user-rc\n",
    ] {
        assert!(text.contains(line), "{line} not in\n{text}");
    }
    env.kw(["cert", "sign", "-q", "-s", "ca", "-I", "id", "--host", "-n", "h1", "user.pub"]).success();
    let text = env.ssh_keygen(["-L", "-f", "user-cert.pub"]).success().out();
    assert!(text.contains("host certificate") && text.contains("Extensions: (none)"), "{text}");
}

#[test]
fn many_keys_in_one_run_from_arguments_and_standard_input() {
    let env = home();
    let mut list = String::new();
    for n in 0..5 {
        let name = format!("hosts/h{n}");
        std::fs::create_dir_all(env.path("hosts")).unwrap();
        env.ssh_keygen(["-q", "-t", "ed25519", "-N", "", "-C", "", "-f", &name]).success();
        list.push_str(&format!("{name}.pub\n"));
    }
    let run = env.kw_stdin(
        ["cert", "sign", "-s", "ca", "-I", "fleet", "--host", "-z", "+100", "-V", "always:20400101Z", "-"],
        list.as_bytes(),
    );
    let run = run.success();
    let lines: Vec<String> = run.out().lines().map(str::to_string).collect();
    assert_eq!(lines.len(), 5);
    assert!(lines[0].starts_with("Signed host key hosts/h0-cert.pub: id \"fleet\" serial 100 valid before "));
    assert!(lines[4].contains("serial 104"), "{}", lines[4]);
    for n in 0..5 {
        let text = env.ssh_keygen(["-L", "-f", &format!("hosts/h{n}-cert.pub")]).success().out();
        assert!(text.contains(&format!("Serial: {}", 100 + n)), "{text}");
    }
    let signed =
        env.kw(["cert", "sign", "--format", "json", "-s", "ca", "-I", "j", "-n", "a,b", "hosts/h1.pub"]);
    assert_documented("cert sign", &signed.success().stdout);
    let shown =
        env.kw_stdin(["cert", "show", "--format", "json", "hosts/h1-cert.pub", "-"], &env.read("user.pub"));
    assert_documented("cert show", &shown.code(0).stdout);
    env.kw([
        "cert",
        "sign",
        "-q",
        "-s",
        "ca",
        "-I",
        "fleet",
        "--host",
        "-z",
        "103",
        "-V",
        "always:20400101Z",
        "hosts/h3.pub",
    ])
    .success();
    let json = env.kw(["cert", "show", "--format", "json", "hosts/h3-cert.pub"]).success().out();
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    let cert = &doc["certificates"][0];
    assert_eq!(cert["serial"], 103);
    assert_eq!(cert["cert_type"], "host");
    assert_eq!(cert["validity"]["after"], 0);
    // Nothing on standard input is an error, not an empty success.
    let none = env.kw_stdin(["cert", "sign", "-s", "ca", "-I", "x", "-"], b"").code(2);
    assert!(none.stderr.starts_with("keywright: error: (stdin): no public key found"), "{}", none.stderr);
    // A key that cannot be read stops the run before anything is written.
    std::fs::remove_file(env.path("hosts/h0-cert.pub")).unwrap();
    env.kw(["cert", "sign", "-s", "ca", "-I", "x", "hosts/h0.pub", "missing.pub"]).code(2);
    assert!(!env.path("hosts/h0-cert.pub").exists());
}

#[test]
fn the_front_signs_and_refuses_as_ssh_keygen() {
    let setup = |env: &Env| {
        let keys = testdata("keys");
        for name in ["id_ed25519", "id_ed25519.pub", "id_ecdsa_256.pub", "id_rsa_3072", "id_rsa_3072.pub"] {
            std::fs::copy(keys.join(name), env.path(name)).unwrap();
        }
        for (name, mode) in [("id_ed25519", 0o600), ("id_rsa_3072", 0o600)] {
            std::fs::set_permissions(env.path(name), std::os::unix::fs::PermissionsExt::from_mode(mode))
                .unwrap();
        }
        std::fs::copy(keys.join("id_ed25519"), env.path("loose_ca")).unwrap();
        std::fs::set_permissions(env.path("loose_ca"), std::os::unix::fs::PermissionsExt::from_mode(0o644))
            .unwrap();
    };
    let base = ["-s", "id_ed25519", "-I", "id"];
    let cases: Vec<Vec<&str>> = vec![
        [
            &base[..],
            &["-n", "a,b", "-z", "+7", "-V", "20250101:20300101", "id_ecdsa_256.pub", "id_rsa_3072.pub"],
        ]
        .concat(),
        [&base[..], &["-h", "-V", "always:20300101120000", "id_ecdsa_256.pub"]].concat(),
        [&base[..], &["-q", "id_ecdsa_256.pub"]].concat(),
        vec!["-s", "id_ed25519", "id_ecdsa_256.pub"],
        vec!["-s", "id_ed25519", "-I", "x"],
        vec!["-s", "id_ed25519", "-z", "bad", "id_ecdsa_256.pub"],
        [&base[..], &["-V", "+1x", "id_ecdsa_256.pub"]].concat(),
        [&base[..], &["-V", "20300101:20200101", "id_ecdsa_256.pub"]].concat(),
        [&base[..], &["-V", "0x:forever", "id_ecdsa_256.pub"]].concat(),
        [&base[..], &["-z", "12a", "id_ecdsa_256.pub"]].concat(),
        [&base[..], &["-n", "a,,b", "id_ecdsa_256.pub"]].concat(),
        [&base[..], &["-O", "bogus", "id_ecdsa_256.pub"]].concat(),
        [&base[..], &["-O", "source-address=10.1.0.0/8", "id_ecdsa_256.pub"]].concat(),
        [&base[..], &["-O", "force-command=a", "-O", "force-command=b", "id_ecdsa_256.pub"]].concat(),
        [&base[..], &["missing.pub"]].concat(),
        [&base[..], &["-t", "rsa-sha2-256", "id_ecdsa_256.pub"]].concat(),
        vec!["-s", "missing", "-I", "x", "id_ecdsa_256.pub"],
        vec!["-s", "id_rsa_3072", "-I", "x", "-t", "rsa-sha2-256", "id_ecdsa_256.pub"],
        vec!["-s", "loose_ca", "-I", "x", "id_ecdsa_256.pub"],
        vec!["-L", "-f", "id_ed25519.pub"],
        vec!["-L", "-f", "missing"],
    ];
    for args in &cases {
        compare(&setup, args, b"");
    }
    let twins = compare(&setup, &[&base[..], &["-V", "20250101:20300101", "id_ecdsa_256.pub"]].concat(), b"");
    let shown = compare(
        &|env: &Env| {
            setup(env);
            std::fs::write(env.path("c-cert.pub"), twins.oracle.read("id_ecdsa_256-cert.pub")).unwrap();
        },
        &["-L", "-f", "c-cert.pub"],
        b"",
    );
    assert!(shown.oracle_run.out().contains("Valid: from 2025-01-01T00:00:00 to 2030-01-01T00:00:00"));
    // A file of several certificates, a plain key and junk between them, on stdin too.
    let cert = String::from_utf8(twins.oracle.read("id_ecdsa_256-cert.pub")).unwrap();
    let plain = std::fs::read_to_string(testdata("keys/id_ed25519.pub")).unwrap();
    let many = format!("# comment\n{cert}{plain}junk\n{cert}");
    compare(
        &|env: &Env| {
            setup(env);
            std::fs::write(env.path("many"), &many).unwrap();
        },
        &["-L", "-f", "many"],
        b"",
    );
    compare(&setup, &["-L", "-f", "-"], many.as_bytes());
}

/// sshd trusts the CA and lets in the certificate's principal, and refuses an expired
/// certificate or one for another principal (the user has no authorized_keys).
#[test]
fn sshd_accepts_what_keywright_issues_and_refuses_the_rest() {
    if !sshd::root_or_skip("sshd_accepts_what_keywright_issues_and_refuses_the_rest") {
        return;
    }
    let env = home();
    let server =
        Sshd::builder().config(&format!("TrustedUserCAKeys {}", env.path("ca.pub").display())).start();
    let user = server.user();
    let key = env.path("user");
    let sign = |validity: &str, principal: &str| {
        env.kw(["cert", "sign", "-q", "-s", "ca", "-I", "t", "-n", principal, "-V", validity, "user.pub"])
            .success();
    };
    sign("+1h", user.name());
    assert!(server.login_ok(user.name(), &key), "a valid certificate was refused");
    sign("-2d:-1d", user.name());
    assert!(!server.login_ok(user.name(), &key), "an expired certificate was accepted");
    sign("+1h", "somebody-else");
    assert!(!server.login_ok(user.name(), &key), "a certificate for another principal was accepted");
}

/// ssh trusts a host by its keywright-signed host certificate, through a
/// keywright-written @cert-authority line; with only the CA known, a host without its
/// certificate is refused.
#[test]
fn ssh_accepts_a_host_certificate_through_a_keywright_ca_line() {
    if !sshd::root_or_skip("ssh_accepts_a_host_certificate_through_a_keywright_ca_line") {
        return;
    }
    let env = home();
    env.ssh_keygen(["-q", "-t", "ecdsa", "-N", "", "-C", "", "-f", "host_ecdsa"]).success();
    env.kw(["cert", "sign", "-q", "-s", "ca", "-I", "h", "--host", "-n", "127.0.0.1", "host_ecdsa.pub"])
        .success();
    let server = Sshd::builder()
        .config(&format!("HostKey {}", env.path("host_ecdsa").display()))
        .config(&format!("HostCertificate {}", env.path("host_ecdsa-cert.pub").display()))
        .start();
    let user = server.user();
    user.write_authorized_keys(env.read("user.pub"));
    let port = server.port().to_string();
    env.kw(["known-hosts", "add", "-f", "kh", "--cert-authority", "127.0.0.1", "-p", &port, "ca.pub"])
        .success();
    assert_eq!(
        env.read_string("kh"),
        format!(
            "@cert-authority [127.0.0.1]:{port} {}",
            env.read_string("ca.pub").trim_end().rsplit_once(' ').unwrap().0
        ) + "\n"
    );
    let ssh = |known: &str| {
        let mut cmd = Command::new("ssh");
        cmd.args(["-F", "/dev/null", "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes", "-i"])
            .arg(env.path("user"))
            .arg("-o")
            .arg(format!("UserKnownHostsFile={}", env.path(known).display()))
            .args(["-o", "StrictHostKeyChecking=yes", "-o", "GlobalKnownHostsFile=/dev/null", "-p", &port])
            .arg(format!("{}@127.0.0.1", user.name()))
            .arg("true")
            .env_remove("SSH_AUTH_SOCK");
        env.run(cmd, None)
    };
    let run = ssh("kh");
    assert_eq!(run.code, 0, "ssh refused the keywright-certified host: {}", run.stderr);
    env.write("empty", "");
    assert_ne!(ssh("empty").code, 0);
}

#[test]
fn known_hosts_add_cert_authority_is_idempotent_and_audited() {
    let env = home();
    for _ in 0..2 {
        env.kw(["known-hosts", "add", "-q", "-f", "kh", "--cert-authority", "*.example.com", "ca.pub"])
            .success();
    }
    let ca = env.read_string("ca.pub");
    let key = ca.trim_end().rsplit_once(' ').unwrap().0.to_string();
    assert_eq!(env.read_string("kh"), format!("@cert-authority *.example.com {key}\n"));
    let found = env.ssh_keygen(["-F", "www.example.com", "-f", "kh"]).success().out();
    assert!(found.contains("@cert-authority *.example.com"), "{found}");
    env.write("kh", format!("@cert-authority *.example.com {key}\n|1|x|y {key}\nweb.example.com {key}\n"));
    let run = env.kw(["known-hosts", "audit", "--fail-on", "warning", "kh"]).code(1);
    assert!(
        run.out().contains(
            "kh:3: warning: this key is a @cert-authority on line 1 and a host key here [ca-also-host-key]"
        ),
        "{}",
        run.out()
    );
}

/// `copy-id … user@127.0.0.1:PORT` with `args`, the server's own known_hosts, no
/// password and no agent.
fn copy_id(env: &Env, server: &Sshd, user: &str, args: &[&str]) -> Run {
    let target = format!("{user}@127.0.0.1:{}", server.port());
    let known = format!("UserKnownHostsFile={}", server.known_hosts().display());
    let mut all: Vec<&str> = vec!["copy-id", "-q", "-o", &known];
    all.extend_from_slice(args);
    all.push(&target);
    env.kw(all)
}

/// copy-id logs in with a user certificate: the one beside the identity, or the one
/// CertificateFile names; the account has no key and no password.
#[test]
fn copy_id_authenticates_with_a_user_certificate() {
    if !sshd::root_or_skip("copy_id_authenticates_with_a_user_certificate") {
        return;
    }
    let env = home();
    let server =
        Sshd::builder().config(&format!("TrustedUserCAKeys {}", env.path("ca.pub").display())).start();
    let user = server.user();
    let install = testdata("keys/id_ed25519.pub");
    let install = install.to_str().unwrap();
    // Without a certificate the account refuses the key.
    copy_id(&env, &server, user.name(), &["-i", install, "-o", "IdentityFile=user"]).code(1);
    env.kw(["cert", "sign", "-q", "-s", "ca", "-I", "t", "-n", user.name(), "-V", "+1h", "user.pub"])
        .success();
    copy_id(&env, &server, user.name(), &["-i", install, "-o", "IdentityFile=user"]).success();
    assert_eq!(
        user.read_authorized_keys().unwrap(),
        std::fs::read_to_string(testdata("keys/id_ed25519.pub")).unwrap()
    );
    // CertificateFile: the certificate elsewhere, under another name.
    std::fs::rename(env.path("user-cert.pub"), env.path("elsewhere.pub")).unwrap();
    user.write_authorized_keys("");
    copy_id(&env, &server, user.name(), &["-i", install, "-o", "IdentityFile=user"]).code(1);
    copy_id(
        &env,
        &server,
        user.name(),
        &["-i", install, "-o", "IdentityFile=user", "-o", "CertificateFile=elsewhere.pub"],
    )
    .success();
}

/// copy-id --cert-authority installs a CA line that sshd honours for the principals
/// named, once however often it runs.
#[test]
fn copy_id_installs_a_cert_authority_line() {
    if !sshd::root_or_skip("copy_id_installs_a_cert_authority_line") {
        return;
    }
    let env = home();
    let server = Sshd::start();
    let user = server.user();
    user.write_authorized_keys(env.read("user.pub"));
    for _ in 0..2 {
        copy_id(
            &env,
            &server,
            user.name(),
            &["-i", "ca.pub", "--cert-authority", "--principals", "deploy,ops", "-o", "IdentityFile=user"],
        )
        .success();
    }
    let ca = env.read_string("ca.pub");
    let expected = format!("{}cert-authority,principals=\"deploy,ops\" {ca}", env.read_string("user.pub"));
    assert_eq!(user.read_authorized_keys().unwrap(), expected);
    // A key certified for "deploy" by that CA now gets in; one for "other" does not.
    env.ssh_keygen(["-q", "-t", "ed25519", "-N", "", "-C", "", "-f", "second"]).success();
    env.kw(["cert", "sign", "-q", "-s", "ca", "-I", "d", "-n", "deploy", "second.pub"]).success();
    assert!(server.login_ok(user.name(), &env.path("second")));
    env.kw(["cert", "sign", "-q", "-s", "ca", "-I", "d", "-n", "other", "second.pub"]).success();
    assert!(!server.login_ok(user.name(), &env.path("second")));
    copy_id(&env, &server, user.name(), &["-i", "ca.pub", "--cert-authority", "--principals", "a b"]).code(2);
}

/// A CA held by ssh-agent signs (-U): natively and through the front, with the same
/// `ssh-keygen -L` as ssh-keygen -U gives; an RSA CA through the agent signs with
/// rsa-sha2-512. Without the key in the agent both refuse alike.
#[test]
fn a_ca_in_ssh_agent_signs() {
    use super::support::{self, sshd::Agent};
    let env = home();
    let agent = Agent::start();
    let sock: &std::ffi::OsStr = agent.sock().as_os_str();
    let vars = [("SSH_AUTH_SOCK", sock)];
    let request = ["-I", "agent", "-n", "alice", "-V", "20250101Z:20300101Z"];
    for ca in ["ca", "ca_rsa"] {
        let ca_pub = format!("{ca}.pub");
        let native: Vec<&str> = ["cert", "sign", "-q", "-U", "-s", &ca_pub]
            .iter()
            .chain(&request)
            .chain(&["user.pub"])
            .copied()
            .collect();
        let refused = support::kw(&env, &native, &vars, None).code(2);
        assert!(refused.stderr.contains("does not hold this key"), "{}", refused.stderr);
        let front: Vec<&str> = ["ssh-keygen", "-q", "-U", "-s", &ca_pub]
            .iter()
            .chain(&request)
            .chain(&["user.pub"])
            .copied()
            .collect();
        let front_refused = support::kw(&env, &front, &vars, None).code(255);
        assert_eq!(front_refused.stderr, format!("CA key {ca_pub} not found in agent\r\n"));
        agent.add(&env.path(ca));
        support::kw(&env, &native, &vars, None).success();
        let ours = env.ssh_keygen(["-L", "-f", "user-cert.pub"]).success().out();
        support::kw(&env, &front, &vars, None).success();
        assert_eq!(env.ssh_keygen(["-L", "-f", "user-cert.pub"]).success().out(), ours);
        let mut oracle =
            env.ssh_keygen_command(["-q", "-U", "-s", &ca_pub].iter().chain(&request).chain(&["user.pub"]));
        oracle.env("SSH_AUTH_SOCK", sock);
        env.run(oracle, None).success();
        assert_eq!(env.ssh_keygen(["-L", "-f", "user-cert.pub"]).success().out(), ours);
        if ca == "ca_rsa" {
            assert!(ours.contains("(using rsa-sha2-512)"), "{ours}");
            // -t picks the hash the agent signs with, for the front as for ssh-keygen.
            let sha256: Vec<&str> = front.iter().copied().chain(["-t", "rsa-sha2-256"]).collect();
            let sha256: Vec<&str> =
                sha256.iter().filter(|a| **a != "user.pub").copied().chain(["user.pub"]).collect();
            support::kw(&env, &sha256, &vars, None).success();
            let shown = env.ssh_keygen(["-L", "-f", "user-cert.pub"]).success().out();
            assert!(shown.contains("(using rsa-sha2-256)"), "{shown}");
        }
    }
}
