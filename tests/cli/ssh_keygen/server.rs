//! ssh-keygen's server operations against 9.2: `-A` (host keys under a prefix), `-r`
//! with `-g` (SSHFP records) and `-B` (Bubble Babble digests, with -l and -v).

use super::super::common::Env;
use super::{compare, mask, run_all};

fn prefix(env: &Env) {
    std::fs::create_dir_all(env.path("p/etc/ssh")).unwrap();
}

#[test]
fn dash_a_makes_the_same_host_key_files() {
    compare(&prefix, &["-A", "-f", "p"], b"").same_files();
    // -q does not quiet it, in 9.2.
    compare(&prefix, &["-q", "-A", "-f", "p"], b"").same_files();
    // Keys that exist are kept silently; an empty one is made again.
    let made = |env: &Env| {
        prefix(env);
        env.ssh_keygen(["-A", "-f", "p"]).success();
        std::fs::write(env.path("p/etc/ssh/ssh_host_ecdsa_key"), "").unwrap();
    };
    compare(&made, &["-A", "-f", "p"], b"").same_files();
    let all = |env: &Env| {
        prefix(env);
        env.ssh_keygen(["-A", "-f", "p"]).success();
    };
    compare(&all, &["-A", "-f", "p"], b"").same_files();
}

#[test]
fn dash_a_without_the_directory_fails_each_type_and_exits_zero() {
    let twins = run_all(&|_| {}, &["-A", "-f", "missing"], b"");
    // mkstemp's random suffix: `.XXXXXXXXXX` before the colon.
    let suffix = |text: &str| {
        text.lines()
            .map(|line| match line.split_once(": ") {
                Some((path, rest)) if path.len() > 11 => {
                    format!("{}.<rand>: {rest}", &path[..path.len() - 11])
                }
                _ => line.to_string(),
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    let expected = (
        twins.oracle_run.code,
        twins.oracle_run.out(),
        suffix(&mask(&twins.oracle, &twins.oracle_run.stderr)),
    );
    assert_eq!(expected.0, 0);
    assert_eq!(expected.2.lines().count(), 3, "{}", expected.2);
    for (via, env, run) in &twins.fronts {
        assert_eq!((run.code, run.out(), suffix(&mask(env, &run.stderr))), expected, "{via:?}");
    }
}

fn keys(env: &Env) {
    env.fixture("id_ed25519");
    env.fixture("id_rsa_2048");
    env.fixture("id_ecdsa_256_pem");
    env.fixture("id_rsa_2048_pem_enc");
    std::fs::remove_file(env.path("id_rsa_2048_pem_enc.pub")).unwrap();
    env.write("junk", "not a key\n");
    env.ssh_keygen(["-q", "-s", "id_ed25519", "-I", "id", "-h", "id_rsa_2048.pub"]).success();
}

#[test]
fn dash_r_prints_the_same_sshfp_records() {
    for args in [
        &["-r", "host.example", "-f", "id_ed25519.pub"][..],
        &["-r", "host.example", "-g", "-f", "id_ed25519.pub"],
        &["-r", "h", "-f", "id_rsa_2048"],
        &["-g", "-r", "h", "-f", "id_ecdsa_256_pem"],
        &["-r", "h", "-f", "id_rsa_2048-cert.pub"],
        &["-r", "h", "-f", "missing"],
        &["-r", "h", "-f", "junk"],
        &["-r", "h", "-f", "id_rsa_2048_pem_enc"],
        &["-r", "h", "-f", "."],
    ] {
        compare(&keys, args, b"");
    }
}

#[test]
fn dash_b_prints_the_same_bubblebabble() {
    for args in [
        &["-B", "-f", "id_ed25519"][..],
        &["-B", "-f", "id_ed25519.pub"],
        &["-lB", "-f", "id_rsa_2048.pub"],
        &["-B", "-v", "-E", "md5", "-f", "id_ecdsa_256_pem.pub"],
        &["-B", "-f", "id_rsa_2048_pem_enc"],
        &["-B", "-f", "id_rsa_2048-cert.pub"],
        &["-B", "-f", "missing"],
    ] {
        compare(&keys, args, b"");
    }
}
