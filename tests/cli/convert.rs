//! `keywright export` and `import`, and private keys written in PEM, PKCS#8 and PuTTY's
//! `.ppk` (`generate -m`, `passphrase -m`): round trips both ways with `ssh-keygen
//! -e/-i/-m` and `puttygen` for every key type, plain and encrypted, and bad input (one
//! clear line, exit 2, nothing written).

use std::path::Path;

use super::common::{Env, FIXTURE_PASSPHRASE, mode};

const KEYS: &[&str] = &["id_ed25519", "id_rsa_2048", "id_ecdsa_256", "id_ecdsa_384", "id_ecdsa_521"];
const ENCRYPTED: &[&str] =
    &["id_ed25519_enc", "id_rsa_2048_enc", "id_ecdsa_256_enc", "id_ecdsa_384_enc", "id_ecdsa_521_enc"];

/// `type base64` of a public key line.
fn key_part(line: &str) -> String {
    line.split(' ').take(2).collect::<Vec<_>>().join(" ").trim_end().to_string()
}

fn puttygen(env: &Env, args: &[&str]) -> super::common::Run {
    let mut cmd = std::process::Command::new("puttygen");
    cmd.args(args).current_dir(env.home()).env("HOME", env.home());
    env.run(cmd, None)
}

/// The key `file` holds, by ssh-keygen -y.
fn oracle_key(env: &Env, file: &str, passphrase: &str) -> String {
    key_part(&env.ssh_keygen(["-y", "-P", passphrase, "-f", file]).success().out())
}

/// The unencrypted private key `file` makes signatures that ssh-keygen verifies with
/// `public` (`type base64`): the private half, not only the public one, survived.
#[track_caller]
fn signs_as(env: &Env, file: &str, public: &str) {
    env.write("data", "signed data\n");
    env.write("allowed", format!("signer {public}\n"));
    let _ = std::fs::remove_file(env.path("data.sig"));
    let mut chmod = std::process::Command::new("chmod");
    chmod.args(["600", file]).current_dir(env.home());
    env.run(chmod, None).success();
    // ssh-keygen -Y sign finds the public key beside (puttygen writes RSA and ECDSA as PEM).
    let derived = env.ssh_keygen(["-y", "-f", file]).success();
    env.write(&format!("{file}.pub"), &derived.stdout);
    env.ssh_keygen(["-Y", "sign", "-f", file, "-n", "test", "data"]).success();
    let verify = ["-Y", "verify", "-f", "allowed", "-I", "signer", "-n", "test", "-s", "data.sig"];
    env.run(env.ssh_keygen_command(verify), Some(b"signed data\n")).success();
}

#[test]
fn export_matches_ssh_keygen_e_byte_for_byte() {
    let env = Env::new();
    for name in KEYS.iter().chain(ENCRYPTED) {
        env.fixture(name);
        for format in ["rfc4716", "pkcs8", "pem"] {
            for file in [name.to_string(), format!("{name}.pub")] {
                let ours = env.kw(["export", "-f", &file, "--to", format]);
                let theirs = env.ssh_keygen(["-e", "-m", format, "-f", &file]);
                if theirs.code != 0 {
                    // Ed25519 has no PKCS#8 or PEM public key in OpenSSH: refused, one line.
                    let ours = ours.code(2);
                    assert_eq!(ours.stderr.lines().count(), 1, "{}", ours.stderr);
                    assert!(ours.stderr.contains("has no encoding for ssh-ed25519 keys"), "{}", ours.stderr);
                    continue;
                }
                assert_eq!(ours.success().out(), theirs.out(), "{file} {format}");
            }
        }
    }
}

#[test]
fn import_reads_ssh_keygen_exports_and_ssh_keygen_reads_ours() {
    let env = Env::new();
    for name in KEYS {
        env.fixture(name);
        let public = format!("{name}.pub");
        let expected = format!("{}\n", key_part(&env.read_string(&public)));
        for format in ["rfc4716", "pkcs8", "pem"] {
            let exported = env.ssh_keygen(["-e", "-m", format, "-f", &public]);
            if exported.code != 0 {
                continue;
            }
            env.write("theirs.txt", &exported.stdout);
            // Recognised from the armour, and with the format named.
            assert_eq!(env.kw(["import", "-f", "theirs.txt"]).success().out(), expected, "{name} {format}");
            assert_eq!(env.kw(["import", "-f", "theirs.txt", "--from", format]).success().out(), expected);
            let ours = env.kw(["export", "-f", &public, "--to", format]).success();
            env.write("ours.txt", &ours.stdout);
            // ssh-keygen writes ECDSA's "PEM" as a SubjectPublicKeyInfo, and reads it so.
            let reader = if format == "pem" && name.contains("ecdsa") { "pkcs8" } else { format };
            assert_eq!(env.ssh_keygen(["-i", "-m", reader, "-f", "ours.txt"]).success().out(), expected);
        }
    }
}

#[test]
fn import_writes_a_public_key_file_with_o() {
    let env = Env::new();
    env.fixture("id_ecdsa_384");
    let exported = env.kw(["export", "-f", "id_ecdsa_384.pub"]).success();
    env.write("k.rfc", &exported.stdout);
    env.kw(["import", "-f", "k.rfc", "-o", "k.pub"]).success();
    assert_eq!(env.read_string("k.pub"), format!("{}\n", key_part(&env.read_string("id_ecdsa_384.pub"))));
    assert_eq!(mode(&env.path("k.pub")), 0o644);
    // An existing file is kept unless --force.
    let refused = env.kw(["import", "-f", "k.rfc", "-o", "k.pub"]).code(2);
    assert!(refused.stderr.contains("already exists"), "{}", refused.stderr);
    env.kw(["import", "-f", "k.rfc", "-o", "k.pub", "--force"]).success();
}

#[test]
fn ppk_export_is_read_by_puttygen_plain_and_encrypted() {
    let env = Env::new();
    env.write("pw", format!("{FIXTURE_PASSPHRASE}\n"));
    env.write("empty", "");
    for name in KEYS.iter().chain(ENCRYPTED) {
        env.fixture(name);
        let encrypted = name.ends_with("_enc");
        let ppk = format!("{name}.ppk");
        let mut args = vec!["export", "-f", name, "--to", "ppk", "-o", &ppk];
        if encrypted {
            args.extend(["--passphrase-file", "pw"]);
        }
        env.kw(&args).success();
        assert_eq!(mode(&env.path(&ppk)), 0o600);
        let text = env.read_string(&ppk);
        assert!(text.starts_with("PuTTY-User-Key-File-3: "), "{text}");
        let expected_encryption = if encrypted { "Encryption: aes256-cbc" } else { "Encryption: none" };
        assert!(text.contains(expected_encryption), "{text}");
        // Without a passphrase nothing is random: puttygen writes the very same file.
        if !encrypted {
            let theirs = format!("{name}.theirs.ppk");
            puttygen(&env, &[name, "--new-passphrase", "empty", "-O", "private", "-o", &theirs]).success();
            assert_eq!(text, env.read_string(&theirs), "{name}");
        }
        // puttygen opens it (with the passphrase) and writes the same key for OpenSSH.
        let out = format!("{name}.from-putty");
        let old = if encrypted { "pw" } else { "empty" };
        puttygen(
            &env,
            &[
                &ppk,
                "--old-passphrase",
                old,
                "--new-passphrase",
                "empty",
                "-O",
                "private-openssh",
                "-o",
                &out,
            ],
        )
        .success();
        let passphrase = if encrypted { FIXTURE_PASSPHRASE } else { "" };
        let original = oracle_key(&env, name, passphrase);
        assert_eq!(oracle_key(&env, &out, ""), original, "{name}");
        signs_as(&env, &out, &original);
        // A wrong passphrase does not open it.
        if encrypted {
            env.write("wrong", "wrong\n");
            let args =
                [ppk.as_str(), "--old-passphrase", "wrong", "-O", "private-openssh", "-o", "wrong.out"];
            assert_ne!(puttygen(&env, &args).code, 0);
        }
    }
}

#[test]
fn puttygen_keys_v2_and_v3_are_imported_and_read_directly() {
    let env = Env::new();
    env.write("pw", "putty pass\n");
    env.write("empty", "");
    for key_type in [
        &["-t", "ed25519"][..],
        &["-t", "rsa", "-b", "2048"],
        &["-t", "ecdsa", "-b", "256"],
        &["-t", "ecdsa", "-b", "384"],
        &["-t", "ecdsa", "-b", "521"],
    ] {
        for version in ["2", "3"] {
            for encrypted in [false, true] {
                let ppk = format!("k{}-{version}-{encrypted}.ppk", key_type.join(""));
                let new = if encrypted { "pw" } else { "empty" };
                let param = format!("version={version}");
                let mut args = key_type.to_vec();
                args.extend([
                    "--new-passphrase",
                    new,
                    "--ppk-param",
                    &param,
                    "-C",
                    "from putty",
                    "-o",
                    &ppk,
                    "-q",
                ]);
                puttygen(&env, &args).success();
                let public =
                    puttygen(&env, &[&ppk, "--old-passphrase", new, "-O", "public-openssh"]).success();
                let expected = key_part(&public.out());
                let pass_args: &[&str] = if encrypted { &["--passphrase-file", "pw"] } else { &[] };
                // `public` and `fingerprint` read .ppk files as they are.
                let mut public_args = vec!["public", "-f", &ppk];
                public_args.extend(pass_args);
                assert_eq!(env.kw(&public_args).success().out(), format!("{expected} from putty\n"), "{ppk}");
                // import writes OpenSSH's format with the same passphrase, and the .pub.
                let out = format!("{ppk}.openssh");
                let mut import_args = vec!["import", "-f", &ppk, "-o", &out];
                import_args.extend(pass_args);
                env.kw(&import_args).success();
                let passphrase = if encrypted { "putty pass" } else { "" };
                assert_eq!(oracle_key(&env, &out, passphrase), expected, "{ppk}");
                if !encrypted {
                    signs_as(&env, &out, &expected);
                }
                assert_eq!(mode(&env.path(&out)), 0o600);
                assert_eq!(env.read_string(&format!("{out}.pub")), format!("{expected} from putty\n"));
            }
        }
    }
}

#[test]
fn generate_and_passphrase_write_pem_pkcs8_and_ppk_that_the_others_read() {
    let env = Env::new();
    env.write("pw", "hunter22\n");
    env.write("empty", "");
    for format in ["pem", "pkcs8", "ppk", "openssh"] {
        for key_type in [&["-t", "rsa", "-b", "2048"][..], &["-t", "ecdsa", "-b", "384"], &["-t", "ed25519"]]
        {
            for encrypted in [false, true] {
                let file = format!("k-{format}-{}-{encrypted}", key_type[1]);
                let mut args = vec!["generate", "-q", "-m", format, "-f", &file, "-C", "c"];
                args.extend(key_type);
                args.extend(
                    if encrypted { ["--passphrase-file", "pw"] } else { ["--no-passphrase", ""] }
                        .iter()
                        .filter(|a| !a.is_empty()),
                );
                env.kw(&args).success();
                let text = env.read_string(&file);
                let first = text.lines().next().unwrap_or_default().to_string();
                let expected = key_part(&env.read_string(&format!("{file}.pub")));
                let passphrase = if encrypted { "hunter22" } else { "" };
                if format == "ppk" {
                    assert!(first.starts_with("PuTTY-User-Key-File-3"), "{first}");
                    let new = if encrypted { "pw" } else { "empty" };
                    let public =
                        puttygen(&env, &[&file, "--old-passphrase", new, "-O", "public-openssh"]).success();
                    assert_eq!(key_part(&public.out()), expected, "{file}");
                    continue;
                }
                let label = match (format, key_type[1]) {
                    (_, "ed25519") | ("openssh", _) => "-----BEGIN OPENSSH PRIVATE KEY-----",
                    ("pem", "rsa") => "-----BEGIN RSA PRIVATE KEY-----",
                    ("pem", _) => "-----BEGIN EC PRIVATE KEY-----",
                    _ if encrypted => "-----BEGIN ENCRYPTED PRIVATE KEY-----",
                    _ => "-----BEGIN PRIVATE KEY-----",
                };
                assert_eq!(first, label, "{file}");
                assert_eq!(oracle_key(&env, &file, passphrase), expected, "{file}");
                assert_eq!(mode(&env.path(&file)), 0o600);
            }
        }
    }
    // passphrase -m rewrites an OpenSSH key in PKCS#8, then back; a .ppk stays a .ppk.
    env.kw(["generate", "-q", "-t", "ecdsa", "-f", "p", "--no-passphrase"]).success();
    let expected = key_part(&env.read_string("p.pub"));
    env.kw(["passphrase", "-q", "-f", "p", "-m", "pkcs8", "--new-passphrase-file", "pw"]).success();
    assert!(env.read_string("p").starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----"));
    assert_eq!(oracle_key(&env, "p", "hunter22"), expected);
    env.kw(["passphrase", "-q", "-f", "p", "--old-passphrase-file", "pw", "--no-passphrase"]).success();
    assert!(env.read_string("p").starts_with("-----BEGIN OPENSSH PRIVATE KEY-----"));
    env.kw(["passphrase", "-q", "-f", "p", "-m", "ppk", "--new-passphrase-file", "pw"]).success();
    env.kw(["passphrase", "-q", "-f", "p", "--old-passphrase-file", "pw", "--no-passphrase"]).success();
    assert!(env.read_string("p").contains("Encryption: none"), "{}", env.read_string("p"));
    // OpenSSL's minimum passphrase length for PEM and PKCS#8, before anything is written.
    env.write("short", "abc\n");
    let short =
        env.kw(["generate", "-q", "-t", "rsa", "-m", "pem", "-f", "s", "--passphrase-file", "short"]).code(2);
    assert!(short.stderr.contains("passphrase is too short"), "{}", short.stderr);
    assert!(!env.path("s").exists() && !env.path("s.pub").exists());
}

/// One clear line on stderr naming the file, exit 2, and `untouched` unchanged.
#[track_caller]
fn refused(env: &Env, args: &[&str], words: &str, untouched: &[&Path]) {
    let before: Vec<Option<Vec<u8>>> = untouched.iter().map(|p| std::fs::read(p).ok()).collect();
    let run = env.kw(args).code(2);
    let error: Vec<&str> = run.stderr.lines().filter(|l| !l.starts_with("keywright: hint:")).collect();
    assert_eq!(error.len(), 1, "{}", run.stderr);
    assert!(error[0].contains(words), "expected {words:?} in {}", run.stderr);
    assert!(run.stdout.is_empty());
    let after: Vec<Option<Vec<u8>>> = untouched.iter().map(|p| std::fs::read(p).ok()).collect();
    assert_eq!(before, after, "a file changed");
}

#[test]
fn bad_input_is_one_clear_line_and_nothing_written() {
    let env = Env::new();
    env.fixture("id_ed25519");
    env.write("empty", "");
    env.kw(["export", "-f", "id_ed25519", "--to", "ppk", "-o", "good.ppk"]).success();
    let good = env.read_string("good.ppk");
    let out = env.path("out");
    // A tampered private blob, a changed comment, a truncated file.
    let private_line = good.lines().skip_while(|l| !l.starts_with("Private-Lines")).nth(1).unwrap();
    let flipped: String = private_line
        .chars()
        .enumerate()
        .map(|(i, c)| if i == 3 { if c == 'A' { 'B' } else { 'A' } } else { c })
        .collect();
    env.write("tampered.ppk", good.replace(private_line, &flipped));
    env.write("comment.ppk", good.replace("Comment: ", "Comment: x"));
    env.write("truncated.ppk", &good[..good.find("Private-MAC").unwrap()]);
    for bad in ["tampered.ppk", "comment.ppk"] {
        refused(&env, &["import", "-f", bad, "-o", "out"], "its MAC does not match", &[&out]);
        refused(&env, &["public", "-f", bad], "its MAC does not match", &[]);
        // puttygen refuses it too.
        let args = [bad, "--old-passphrase", "empty", "-O", "private-openssh", "-o", "putty.out"];
        assert_ne!(puttygen(&env, &args).code, 0);
    }
    refused(&env, &["import", "-f", "truncated.ppk", "-o", "out"], "truncated.ppk", &[&out]);
    assert!(!out.exists());
    // A PEM key whose DEK-Info names no cipher, or an IV of the wrong length.
    env.fixture("id_rsa_2048_pem_enc");
    let pem = env.read_string("id_rsa_2048_pem_enc");
    for (i, dek) in
        ["DEK-Info: ROT13,00112233445566778899AABBCCDDEEFF", "DEK-Info: AES-128-CBC,0011"].iter().enumerate()
    {
        let name = format!("bad_dek{i}");
        let text: String = pem
            .lines()
            .map(|l| if l.starts_with("DEK-Info") { dek.to_string() } else { l.to_string() } + "\n")
            .collect();
        let path = env.write(&name, text);
        std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
        refused(
            &env,
            &["passphrase", "-f", &name, "-P", FIXTURE_PASSPHRASE, "--no-passphrase"],
            "DEK-Info",
            &[&path],
        );
        refused(
            &env,
            &["export", "-f", &name, "--to", "ppk", "-o", "out", "-P", FIXTURE_PASSPHRASE],
            "DEK-Info",
            &[&out],
        );
    }
    // RFC 4716 files with headers that break RFC 4716's grammar, or no END line.
    let body = key_part(&env.read_string("id_ed25519.pub")).split(' ').nth(1).unwrap().to_string();
    for (text, words) in [
        (
            format!("---- BEGIN SSH2 PUBLIC KEY ----\nBad Tag: x\n{body}\n---- END SSH2 PUBLIC KEY ----\n"),
            "line 2: bad header",
        ),
        (
            format!(
                "---- BEGIN SSH2 PUBLIC KEY ----\n{}: x\n{body}\n---- END SSH2 PUBLIC KEY ----\n",
                "T".repeat(65)
            ),
            "line 2: bad header",
        ),
        (
            format!("---- BEGIN SSH2 PUBLIC KEY ----\nComment: x\n{body}\n"),
            "no \"---- END SSH2 PUBLIC KEY ----\" line",
        ),
        (
            format!("---- BEGIN SSH2 PUBLIC KEY ----\n{body}\nLate: header\n---- END SSH2 PUBLIC KEY ----\n"),
            "line 3: a header after the key data",
        ),
    ] {
        env.write("bad.rfc", text);
        refused(&env, &["import", "-f", "bad.rfc", "-o", "out"], words, &[&out]);
    }
    // A private key is never printed: ppk needs -o.
    refused(&env, &["export", "-f", "id_ed25519", "--to", "ppk"], "give the file to write with -o FILE", &[]);
}

#[test]
fn comment_and_passphrase_keep_a_ppk_a_ppk() {
    let env = Env::new();
    env.fixture("id_ecdsa_256");
    env.write("pw", "new pass\n");
    env.write("empty", "");
    env.kw(["export", "-f", "id_ecdsa_256", "--to", "ppk", "-o", "k.ppk"]).success();
    let expected = key_part(&env.read_string("id_ecdsa_256.pub"));
    env.kw(["comment", "-q", "-f", "k.ppk", "-C", "renamed"]).success();
    env.kw(["passphrase", "-q", "-f", "k.ppk", "--new-passphrase-file", "pw"]).success();
    let text = env.read_string("k.ppk");
    assert!(
        text.starts_with(
            "PuTTY-User-Key-File-3: ecdsa-sha2-nistp256\nEncryption: aes256-cbc\nComment: renamed\n"
        ),
        "{text}"
    );
    let public = puttygen(&env, &["k.ppk", "--old-passphrase", "pw", "-O", "public-openssh"]).success();
    assert_eq!(key_part(&public.out()), expected);
}
