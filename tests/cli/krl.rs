//! Key revocation lists against ssh-keygen 9.2 and sshd: the lists `keywright krl create`
//! and the front's `-k` write are byte for byte ssh-keygen -k's (the generation date
//! aside) for keys, hashes, serials, ranges, bitmaps and key IDs, with and without a CA;
//! `-Q` answers (lines and exit statuses) are ssh-keygen's on both tools' lists; the
//! front's failures are ssh-keygen's; and sshd's `RevokedKeys` honours our list.

use std::path::Path;

use super::common::{Env, Run};
use super::ssh_keygen::compare;
use super::support::sshd::{Sshd, root_or_skip};

/// Where a KRL's generation date sits (after the magic, format and version).
const DATE: std::ops::Range<usize> = 20..28;

/// Keys, two CAs and certificates: `cert5` (serial 5, CA `ca`), `cert0` (serial 0, ID
/// `zero`), `certb` (serial 1000, ID `bob`, CA `ca2`), `certc` (serial 77, CA `ca`).
fn keys(env: &Env) {
    for key in ["id_ed25519", "id_rsa_2048", "id_ecdsa_256"] {
        env.fixture(key);
    }
    for (name, kind) in [("ca", "ed25519"), ("ca2", "ecdsa"), ("u1", "ed25519"), ("u2", "ed25519")] {
        env.ssh_keygen(["-q", "-t", kind, "-N", "", "-C", name, "-f", name]).success();
    }
    let cert = |ca: &str, id: &str, serial: &str, key: &str, out: &str| {
        env.ssh_keygen(["-q", "-s", ca, "-I", id, "-z", serial, key]).success();
        std::fs::rename(env.path(&key.replace(".pub", "-cert.pub")), env.path(out)).unwrap();
    };
    cert("ca", "alice", "5", "u1.pub", "cert5.pub");
    cert("ca", "zero", "0", "u1.pub", "cert0.pub");
    cert("ca2", "bob", "1000", "u2.pub", "certb.pub");
    cert("ca", "carol", "77", "u2.pub", "certc.pub");
}

/// Serials that make ssh-keygen pick every section type: lists, ranges and bitmaps,
/// and switches between them.
fn serial_spec() -> String {
    let mut spec =
        String::from("serial: 1\nserial: 3-9\nSERIAL:11 # comment\nserial: 0x20-0x2f\nserial: 017\n");
    let mut x: u64 = 12345;
    let mut serial = 100;
    for _ in 0..300 {
        x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        serial += 1 + (x >> 58);
        if x.is_multiple_of(7) {
            spec.push_str(&format!("serial: {serial}-{}\n", serial + 1 + (x >> 60)));
            serial += 1 + (x >> 60);
        } else {
            spec.push_str(&format!("serial: {serial}\n"));
        }
    }
    spec.push_str("serial: 1000000-2000000\nserial: 5000000000\nserial: 18446744073709551615\n");
    spec
}

fn key_spec(env: &Env) -> String {
    let line = |name: &str| env.read_string(&format!("{name}.pub")).trim_end().to_string();
    let fp = env.ssh_keygen(["-lf", "id_ecdsa_256.pub"]).success().out();
    let fp = fp.split(' ').nth(1).unwrap().to_string();
    format!(
        "# keys\n{}\n  key: {}\nsha1: {}\nsha256:\t{}\nhash: {fp} # by fingerprint\n{}\n{}\n\n",
        line("id_ed25519"),
        line("id_rsa_2048"),
        line("u1"),
        line("u2"),
        line("cert0"),
        line("certb"),
    )
}

/// The native options for ssh-keygen -k's.
fn native_args<'a>(args: &[&'a str]) -> Vec<&'a str> {
    let mut out = Vec::new();
    let mut it = args.iter();
    while let Some(&arg) = it.next() {
        match arg {
            "-s" => match *it.next().unwrap() {
                "none" => out.push("--all-cas"),
                ca => out.extend(["--ca", ca]),
            },
            "-z" => out.extend(["--krl-version", it.next().unwrap()]),
            other => out.push(other),
        }
    }
    out
}

/// The list with its date zeroed.
fn undated(env: &Env, file: &str) -> Vec<u8> {
    let mut data = env.read(file);
    data[DATE].fill(0);
    data
}

/// ssh-keygen -k, the front's -k and `krl create` with the same arguments write the same
/// bytes; returns the three lists' names.
#[track_caller]
fn same_krl(env: &Env, args: &[&str]) -> [&'static str; 3] {
    let mut theirs = vec!["-k", "-f", "theirs.krl"];
    theirs.extend_from_slice(args);
    env.ssh_keygen(&theirs).success();
    let mut front = vec!["ssh-keygen", "-k", "-f", "front.krl"];
    front.extend_from_slice(args);
    let front_run = env.kw(&front).success();
    let oracle_run = env.ssh_keygen(&theirs).success();
    assert_eq!(front_run.out(), oracle_run.out(), "{args:?}");
    let mut native = vec!["krl", "create", "-q", "-f", "ours.krl"];
    native.extend(native_args(args));
    env.kw(&native).success();
    let expected = undated(env, "theirs.krl");
    assert_eq!(undated(env, "front.krl"), expected, "front -k {args:?}");
    assert_eq!(undated(env, "ours.krl"), expected, "krl create {args:?}");
    ["theirs.krl", "front.krl", "ours.krl"]
}

#[test]
fn lists_are_byte_identical_to_ssh_keygen() {
    let env = Env::new();
    keys(&env);
    env.write("serials", serial_spec());
    env.write("keys.spec", key_spec(&env));
    env.write("ids", "id: alice\nid: \nid: zed\nid:  spaced out  \n");
    same_krl(&env, &["-s", "ca.pub", "serials"]);
    same_krl(&env, &["-s", "none", "serials", "ids"]);
    same_krl(&env, &["keys.spec"]);
    same_krl(
        &env,
        &["-s", "ca2.pub", "-z", "42", "-C", "fleet list", "keys.spec", "serials", "ids", "u2.pub"],
    );
    same_krl(&env, &["cert5.pub", "certc.pub", "id_ecdsa_256.pub"]);
}

#[test]
fn updates_are_byte_identical_to_ssh_keygen() {
    let env = Env::new();
    keys(&env);
    env.write("serials", serial_spec());
    env.write("more", "serial: 2\nserial: 10\nid: eve\n");
    env.ssh_keygen(["-q", "-k", "-f", "base.krl", "-s", "ca.pub", "-C", "base", "serials", "u1.pub"])
        .success();
    for file in ["theirs.krl", "front.krl"] {
        std::fs::copy(env.path("base.krl"), env.path(file)).unwrap();
    }
    env.ssh_keygen(["-q", "-k", "-u", "-f", "theirs.krl", "-s", "ca.pub", "-z", "+3", "more", "certb.pub"])
        .success();
    env.kw([
        "ssh-keygen",
        "-q",
        "-k",
        "-u",
        "-f",
        "front.krl",
        "-s",
        "ca.pub",
        "-z",
        "+3",
        "more",
        "certb.pub",
    ])
    .success();
    // -u keeps the date the list had, as ssh-keygen does.
    assert_eq!(env.read("front.krl"), env.read("theirs.krl"));
    // The native update grows the version by one and dates the list anew.
    std::fs::copy(env.path("base.krl"), env.path("ours.krl")).unwrap();
    env.kw(["krl", "update", "-q", "-f", "ours.krl", "--ca", "ca.pub", "more", "certb.pub"]).success();
    let ours = env.kw(["krl", "show", "-f", "ours.krl", "--format", "json"]).success().out();
    let json: serde_json::Value = serde_json::from_str(&ours).unwrap();
    assert_eq!(json["version"], 1);
    assert_eq!(json["comment"], "base");
    let mut theirs = undated(&env, "theirs.krl");
    theirs[8 + 4..8 + 4 + 8].copy_from_slice(&1u64.to_be_bytes());
    assert_eq!(undated(&env, "ours.krl"), theirs);
}

/// `ssh-keygen -Q` on `krl` for `key`: the line and the exit status.
fn query(env: &Env, krl: &str, key: &str) -> (String, i32) {
    let run = env.ssh_keygen(["-Q", "-f", krl, key]);
    (run.out(), run.code)
}

#[test]
fn queries_answer_as_ssh_keygen_on_both_tools_lists() {
    let env = Env::new();
    keys(&env);
    env.write("serials", "serial: 5\nserial: 70-80\n");
    env.write("ids", "id: bob\n");
    env.write("keys.spec", key_spec(&env));
    env.write("ca2.spec", env.read_string("ca2.pub"));
    let probes = [
        "id_ed25519.pub",
        "id_rsa_2048.pub",
        "id_ecdsa_256.pub",
        "u1.pub",
        "u2.pub",
        "ca.pub",
        "ca2.pub",
        "cert5.pub",
        "cert0.pub",
        "certb.pub",
        "certc.pub",
        "id_ed25519",
    ];
    let mut revoked_seen = 0;
    for args in [
        &["-s", "ca.pub", "serials"][..],
        &["-s", "none", "ids"],
        &["-s", "ca2.pub", "ids"],
        &["keys.spec"],
        &["ca2.spec"],
    ] {
        for krl in same_krl(&env, args) {
            for key in probes {
                let expected = query(&env, "theirs.krl", key);
                assert_eq!(query(&env, krl, key), expected, "ssh-keygen -Q on {krl} ({args:?}) for {key}");
                let front = env.kw(["ssh-keygen", "-Q", "-f", krl, key]);
                assert_eq!((front.out(), front.code), expected, "front -Q on {krl} ({args:?}) for {key}");
                let native = env.kw(["krl", "query", "-f", krl, key]);
                assert_eq!((native.out(), native.code), expected, "krl query on {krl} ({args:?}) for {key}");
                revoked_seen += usize::from(expected.1 == 1);
            }
        }
    }
    assert!(revoked_seen > 20, "the cases must revoke keys too ({revoked_seen})");
}

#[test]
fn show_prints_what_ssh_keygen_dash_q_dash_l_prints() {
    let env = Env::new();
    keys(&env);
    env.write("keys.spec", key_spec(&env));
    env.write("serials", serial_spec());
    env.write("ids", "id: alice\nid: \x1b[31mred\n");
    env.ssh_keygen([
        "-q",
        "-k",
        "-f",
        "a.krl",
        "-s",
        "ca.pub",
        "-C",
        "the list",
        "keys.spec",
        "serials",
        "ids",
    ])
    .success();
    env.ssh_keygen(["-q", "-k", "-u", "-f", "a.krl", "-s", "none", "ids"]).success();
    let theirs = env.ssh_keygen(["-Q", "-l", "-f", "a.krl"]).success().out();
    let ours = env.kw(["krl", "show", "-f", "a.krl"]).success().out();
    assert_eq!(ours, theirs);
    let front = env.kw(["ssh-keygen", "-Q", "-l", "-f", "a.krl", "u1.pub", "cert5.pub"]);
    let oracle = env.ssh_keygen(["-Q", "-l", "-f", "a.krl", "u1.pub", "cert5.pub"]);
    assert_eq!((front.out(), front.code), (oracle.out(), oracle.code));
    let shown = env.kw(["krl", "show", "-f", "a.krl", "--format", "json"]).success().stdout;
    super::json::assert_documented("krl show", &shown);
    let json: serde_json::Value = serde_json::from_slice(&shown).unwrap();
    let queried =
        env.kw(["krl", "query", "-f", "a.krl", "--format", "json", "u1.pub", "cert5.pub", "id_ed25519"]);
    super::json::assert_documented("krl query", &queried.code(1).stdout);
    assert_eq!(json["comment"], "the list");
    let certificates = json["certificates"].as_array().unwrap();
    assert_eq!(certificates.last().unwrap()["ca"], serde_json::Value::Null, "-s none comes last");
    assert_eq!(json["certificates"][0]["serials"][0], serde_json::json!({"from": 1, "to": 1}));
}

/// Files every front case reads: keys, certificates, specs and one list made once (the
/// same bytes in every home, so -l's date is the same).
fn front_files(krl: &[u8]) -> impl Fn(&Env) + '_ {
    move |env: &Env| {
        for key in ["id_ed25519", "id_rsa_2048"] {
            env.fixture(key);
        }
        env.write("list.krl", krl);
        env.write("garbage", "not a key\n");
        env.write("serial0", "serial: 0\n");
        env.write("reversed", "serial: 9-3\n");
        env.write("badserial", "serial: 12abc\n");
        env.write("huge", "serial: 99999999999999999999\n");
        env.write("md5", "hash: MD5:aa\n");
        env.write("short", "hash: SHA256:aaaa\n");
        env.write("badb64", "hash: SHA256:!!!\n");
        env.write("ids", "id: x\n# comment\n\n");
        env.write("damaged.krl", &krl[..krl.len() - 3]);
    }
}

#[test]
fn the_front_fails_and_answers_as_ssh_keygen() {
    let maker = Env::new();
    keys(&maker);
    maker.ssh_keygen(["-q", "-k", "-f", "list.krl", "-s", "none", "id_ed25519.pub"]).success();
    let krl = maker.read("list.krl");
    let setup = front_files(&krl);
    for args in [
        &["-Q", "-f", "list.krl", "id_ed25519.pub", "id_rsa_2048.pub"][..],
        &["-Q", "-l", "-f", "list.krl", "id_rsa_2048.pub", "id_ed25519.pub"],
        &["-Q", "-f", "list.krl", "id_rsa_2048.pub", "missing.pub", "id_ed25519.pub"],
        &["-Q", "-f", "list.krl", "garbage"],
        &["-Q", "-f", "missing.krl", "id_ed25519.pub"],
        &["-Q", "-f", "garbage", "id_ed25519.pub"],
        &["-Q", "-f", "damaged.krl", "id_ed25519.pub"],
        &["-Q", "id_ed25519.pub"],
        &["-Q", "-l", "-f", "list.krl"],
        &["-k", "id_ed25519.pub"],
        &["-k", "-u", "-f", "missing.krl", "ids"],
        &["-k", "-f", "new.krl", "-s", "missing.pub", "ids"],
        &["-k", "-f", "new.krl", "ids"],
        &["-k", "-f", "new.krl", "-s", "none", "missing"],
        &["-k", "-f", "new.krl", "-z", "x1", "ids"],
        &["-k", "-f", "new.krl", "-s", "none", "ids", "serial0"],
        &["-k", "-f", "new.krl", "-s", "none", "reversed"],
        &["-k", "-f", "new.krl", "-s", "none", "badserial"],
        &["-k", "-f", "new.krl", "-s", "none", "huge"],
        &["-k", "-f", "new.krl", "-s", "none", "md5"],
        &["-k", "-f", "new.krl", "-s", "none", "short"],
        &["-k", "-f", "new.krl", "-s", "none", "badb64"],
        &["-k", "-f", "new.krl", "-s", "none", "garbage"],
        &["-k", "-q", "-f", "new.krl", "-s", "none", "ids", "id_rsa_2048.pub"],
        &["-k", "-f", "new.krl", "-s", "NONE", "-", "ids"],
        &["-k", "-u", "-f", "damaged.krl", "ids"],
        &["-Q", "-s", "id_ed25519.pub", "-f", "list.krl"],
    ] {
        let twins = compare(&setup, args, b"id: from stdin\n");
        if twins.oracle.path("new.krl").exists() {
            let oracle = undated(&twins.oracle, "new.krl");
            for (via, env, _) in &twins.fronts {
                assert_eq!(undated(env, "new.krl"), oracle, "{via:?} {args:?}");
            }
        }
    }
}

#[test]
fn native_failures_are_one_clear_line() {
    let env = Env::new();
    keys(&env);
    env.write("serials", "serial: 1\n");
    let run = env.kw(["krl", "create", "-f", "x.krl", "serials"]).code(2);
    assert_eq!(
        run.stderr.lines().next().unwrap(),
        "keywright: error: revoking certificates by serial number requires specification of a CA key"
    );
    assert!(!env.path("x.krl").exists(), "nothing is written on failure");
    env.write("bad.krl", b"SSHKRL\n\0\0\0\0\x02");
    let run = env.kw(["krl", "show", "-f", "bad.krl"]).code(2);
    assert!(run.stderr.starts_with("keywright: error: bad.krl: not a key revocation list"), "{}", run.stderr);
    env.kw(["krl", "update", "-f", "missing.krl", "serials"]).code(2);
}

fn revoked_login(sshd: &Sshd, user: &str, key: &Path) -> Run {
    sshd.ssh(user, key, "true")
}

#[test]
fn sshd_refuses_a_key_our_list_revokes() {
    if !root_or_skip("sshd_refuses_a_key_our_list_revokes") {
        return;
    }
    let env = Env::new();
    let revoked = env.fixture("id_ed25519");
    let kept = env.fixture("id_ecdsa_256");
    env.kw(["krl", "create", "-q", "-f", "users.krl", "id_ed25519.pub"]).success();
    let krl = env.path("users.krl");
    let sshd = Sshd::with_config(&[&format!("RevokedKeys {}", krl.display())]);
    let user = sshd.user();
    let lines = format!("{}{}", env.read_string("id_ed25519.pub"), env.read_string("id_ecdsa_256.pub"));
    user.write_authorized_keys(lines);
    assert_ne!(revoked_login(&sshd, user.name(), &revoked).code, 0, "a revoked key must not log in");
    assert!(
        sshd.login_ok(user.name(), &kept),
        "a key the list does not revoke logs in:\n{}",
        sshd.log_text()
    );
    assert!(sshd.log_text().contains("revoked"), "sshd says why:\n{}", sshd.log_text());
}

#[test]
fn audit_finds_host_keys_and_cas_a_list_revokes() {
    let env = Env::new();
    keys(&env);
    let line = |name: &str| env.read_string(&format!("{name}.pub")).trim_end().to_string();
    env.write(
        "kh",
        format!(
            "good.example {}\nold.example {}\n@cert-authority *.example.com {}\n@revoked * {}\n",
            line("id_ecdsa_256"),
            line("id_ed25519"),
            line("ca"),
            line("id_ed25519"),
        ),
    );
    env.write("spec", format!("{}\n{}\n", line("id_ed25519"), line("ca")));
    env.kw(["krl", "create", "-q", "-f", "hosts.krl", "spec"]).success();
    let run = env.kw(["known-hosts", "audit", "--revoked", "hosts.krl", "kh"]).code(1);
    let fp = |name: &str| {
        env.ssh_keygen(["-lf", &format!("{name}.pub")]).out().split(' ').nth(1).unwrap().to_string()
    };
    let out = run.out();
    let findings: Vec<&str> = out.lines().filter(|l| l.contains("[revoked-by-krl]")).collect();
    assert_eq!(
        findings,
        [
            format!(
                "kh:2: error: the host key {} is revoked by hosts.krl: ssh refuses it with RevokedHostKeys [revoked-by-krl]",
                fp("id_ed25519")
            ),
            format!(
                "kh:3: error: the CA key {} is revoked by hosts.krl, but trusted for host certificates here [revoked-by-krl]",
                fp("ca")
            ),
        ],
        "{out}"
    );
    // Without the list the same file has no such finding.
    assert!(!env.kw(["known-hosts", "audit", "kh"]).out().contains("revoked-by-krl"));
    env.kw(["known-hosts", "audit", "--revoked", "missing.krl", "kh"]).code(2);
}

/// `ssh` with only `key`, the server's known_hosts and `RevokedHostKeys=krl`.
fn ssh_with_revoked(sshd: &Sshd, user: &str, key: &Path, krl: &Path) -> Run {
    let mut cmd = std::process::Command::new("ssh");
    cmd.args([
        "-F",
        "/dev/null",
        "-o",
        "BatchMode=yes",
        "-o",
        "IdentitiesOnly=yes",
        "-o",
        "StrictHostKeyChecking=yes",
    ])
    .arg("-o")
    .arg(format!("UserKnownHostsFile={}", sshd.known_hosts().display()))
    .arg("-o")
    .arg(format!("RevokedHostKeys={}", krl.display()))
    .arg("-i")
    .arg(key)
    .args(["-p", &sshd.port().to_string(), &format!("{user}@127.0.0.1"), "true"])
    .env_remove("SSH_AUTH_SOCK")
    .stdin(std::process::Stdio::null());
    super::support::spawn(cmd, None).finish()
}

#[test]
fn copy_id_refuses_a_host_key_revoked_by_revoked_host_keys() {
    if !root_or_skip("copy_id_refuses_a_host_key_revoked_by_revoked_host_keys") {
        return;
    }
    let env = Env::new();
    let private = env.fixture("id_ed25519");
    let sshd = Sshd::start();
    let user = sshd.user();
    user.write_authorized_keys(env.read_string("id_ed25519.pub"));
    env.write(".ssh/known_hosts", format!("{}\n", sshd.host_key_line()));
    env.write("password", format!("{}\n", user.password()));
    env.write("hostkey.pub", sshd.host_key("ed25519"));
    env.kw(["krl", "create", "-q", "-f", "hosts.krl", "hostkey.pub"]).success();
    env.kw(["krl", "create", "-q", "-f", "other.krl", "id_ed25519.pub"]).success();
    let fingerprint = env.ssh_keygen(["-lf", "hostkey.pub"]).out().split(' ').nth(1).unwrap().to_string();
    let krl = env.path("hosts.krl");
    let said = format!("Host key ED25519 {fingerprint} revoked by file {}", krl.display());
    // OpenSSH's ssh refuses the host with these words...
    let ssh = ssh_with_revoked(&sshd, user.name(), &private, &krl);
    assert_eq!(ssh.code, 255, "{}", ssh.stderr);
    assert!(
        ssh.stderr.contains(&said) && ssh.stderr.contains("Host key verification failed."),
        "{}",
        ssh.stderr
    );
    assert!(ssh_with_revoked(&sshd, user.name(), &private, &env.path("other.krl")).code == 0);
    // ...and so does copy-id, whatever StrictHostKeyChecking says.
    let dest = format!("{}@127.0.0.1:{}", user.name(), sshd.port());
    let copy = |krl: &Path, strict: &str| {
        env.kw([
            "copy-id",
            "-i",
            "id_ed25519.pub",
            "--password-file",
            "password",
            "-o",
            &format!("RevokedHostKeys={}", krl.display()),
            "-o",
            &format!("StrictHostKeyChecking={strict}"),
            &dest,
        ])
    };
    for strict in ["yes", "no"] {
        let run = copy(&krl, strict).code(1);
        assert!(run.stderr.contains(&format!("{said}\nHost key verification failed.\n")), "{}", run.stderr);
        assert!(
            run.out().starts_with(&format!("{dest}: failed: host key verification failed")),
            "{}",
            run.out()
        );
    }
    let run = copy(&env.path("missing.krl"), "yes").code(1);
    assert!(run.stderr.contains("in revoked keys file"), "{}", run.stderr);
    copy(&env.path("other.krl"), "yes").success();
}
