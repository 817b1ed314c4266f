//! `-e`, `-i` (`-X`) and `-m` against ssh-keygen 9.2: every format, both ways, the
//! failures in its words, and `-m PEM|PKCS8` for `-p` and key generation.

use super::super::common::{Env, FIXTURE_PASSPHRASE};
use super::compare;

const PUBLIC_KEYS: &[&str] = &["id_ed25519", "id_rsa_2048", "id_ecdsa_256", "id_ecdsa_384", "id_ecdsa_521"];

fn fixtures(env: &Env) {
    for name in PUBLIC_KEYS.iter().chain(&["id_rsa_2048_enc", "id_ecdsa_384_enc", "id_rsa_2048_pem"]) {
        env.fixture(name);
    }
}

#[test]
fn export_prints_what_ssh_keygen_prints_in_every_format() {
    for name in PUBLIC_KEYS {
        let public = format!("{name}.pub");
        for format in [None, Some("RFC4716"), Some("ssh2"), Some("pkcs8"), Some("PEM")] {
            for file in [name, &public.as_str()] {
                let mut args = vec!["-e", "-f", file];
                if let Some(format) = format {
                    args.extend(["-m", format]);
                }
                compare(&fixtures, &args, b"");
            }
        }
    }
}

#[test]
fn export_of_an_encrypted_key_reads_its_pub_or_asks() {
    compare(&fixtures, &["-e", "-f", "id_rsa_2048_enc"], b"");
    compare(&fixtures, &["-e", "-f", "id_rsa_2048_pem", "-m", "pkcs8"], b"");
    // Without its .pub, the key is unlocked with -P, or the passphrase asked on stdin.
    let lone = |env: &Env| {
        fixtures(env);
        std::fs::remove_file(env.path("id_ecdsa_384_enc.pub")).unwrap();
    };
    compare(&lone, &["-e", "-f", "id_ecdsa_384_enc", "-P", FIXTURE_PASSPHRASE], b"");
    compare(&lone, &["-e", "-f", "id_ecdsa_384_enc"], format!("{FIXTURE_PASSPHRASE}\n").as_bytes());
    compare(&lone, &["-e", "-f", "id_ecdsa_384_enc"], b"wrong\n");
}

#[test]
fn import_reads_what_ssh_keygen_exports() {
    for name in PUBLIC_KEYS {
        for format in ["RFC4716", "PKCS8", "PEM"] {
            let oracle = Env::new();
            let key = oracle.fixture(name);
            let exported = oracle.ssh_keygen(["-e", "-m", format, "-f", key.to_str().unwrap()]);
            if exported.code != 0 {
                continue;
            }
            let setup = |env: &Env| {
                env.write("key.txt", &exported.stdout);
            };
            for flag in ["-i", "-X"] {
                compare(&setup, &[flag, "-m", format, "-f", "key.txt"], b"");
            }
        }
    }
}

#[test]
fn import_accepts_headers_as_ssh_keygen_does_and_fails_in_its_words() {
    let body = "AAAAC3NzaC1lZDI1NTE5AAAAIDpg4y1dqXhW90AW7yJOOHV0CT3u51LDBPjy92V2SM04";
    let cases = [
        format!(
            "---- BEGIN SSH2 PUBLIC KEY ----\nSubject: alice\nComment: \"a long \\\ncomment\"\nx-Tag: v\n{body}\n---- END SSH2 PUBLIC KEY ----\n"
        ),
        // No armour, a bad blob, base64 that is no key, an OpenSSH line, nothing at all.
        format!("{body}\n"),
        "---- BEGIN SSH2 PUBLIC KEY ----\n!!!!\n---- END SSH2 PUBLIC KEY ----\n".to_string(),
        "---- BEGIN SSH2 PUBLIC KEY ----\nAAAA\n---- END SSH2 PUBLIC KEY ----\n".to_string(),
        format!("ssh-ed25519 {body} c\n"),
        String::new(),
    ];
    for text in &cases {
        let setup = |env: &Env| {
            env.write("key.txt", text);
        };
        for format in ["RFC4716", "PKCS8", "PEM"] {
            compare(&setup, &["-i", "-m", format, "-f", "key.txt"], b"");
        }
    }
    compare(&|_| {}, &["-i", "-f", "missing"], b"");
    compare(&|_| {}, &["-e", "-f", "missing"], b"");
    compare(&fixtures, &["-e", "-m", "x509", "-f", "id_ed25519"], b"");
}

#[test]
fn m_pem_and_pkcs8_write_keys_ssh_keygen_reads() {
    for format in ["PEM", "pkcs8", "RFC4716"] {
        for key_type in [&["-t", "rsa", "-b", "2048"][..], &["-t", "ecdsa", "-b", "521"], &["-t", "ed25519"]]
        {
            for passphrase in ["", "hunter22"] {
                let mut args = key_type.to_vec();
                args.extend(["-m", format, "-N", passphrase, "-f", "k", "-C", "c", "-q"]);
                same_key_pair(compare(&|_| {}, &args, b"").same_files(), passphrase);
            }
        }
        let args = ["-p", "-m", format, "-P", "", "-N", "hunter22", "-f", "id_rsa_2048"];
        compare(&fixtures, &args, b"").same_files().same_key("id_rsa_2048", "hunter22");
        compare(&fixtures, &args, b"").same_contents("id_rsa_2048.pub");
    }
    // OpenSSL refuses passphrases under five characters, so ssh-keygen fails to save.
    compare(&|_| {}, &["-t", "ecdsa", "-m", "PEM", "-N", "abc", "-f", "k", "-q"], b"").same_files();
    compare(&fixtures, &["-p", "-m", "PKCS8", "-P", "", "-N", "abc", "-f", "id_rsa_2048"], b"").same_files();
}

/// Both sides wrote `k` in the same armour, opening with `passphrase` (and only with it),
/// and `k.pub` of the same key. PEM and PKCS#8 keep no comment, so `-y` prints none.
fn same_key_pair(twins: &super::Twins, passphrase: &str) {
    let kind = |env: &Env| {
        let text = env.read_string("k");
        let line = env.ssh_keygen(["-y", "-P", passphrase, "-f", "k"]).success().out();
        if !passphrase.is_empty() {
            assert_ne!(env.ssh_keygen(["-y", "-P", "", "-f", "k"]).code, 0, "k is not encrypted");
        }
        let key: Vec<&str> = line.split(' ').take(2).map(str::trim).collect();
        let public = env.read_string("k.pub");
        assert_eq!(public.split(' ').take(2).collect::<Vec<_>>(), key, "k.pub is not k's key");
        let armour: Vec<String> = text
            .lines()
            .filter(|l| l.starts_with("-----") || l.contains(": "))
            .map(|l| {
                // The IV is random.
                l.split(',').next().unwrap_or_default().to_string()
            })
            .collect();
        (armour, env.ssh_keygen(["-l", "-f", "k.pub"]).success().out().split(' ').next().map(str::to_string))
    };
    let expected = kind(&twins.oracle);
    for (via, env, _) in &twins.fronts {
        assert_eq!(kind(env), expected, "{via:?}");
    }
}

#[test]
fn c_with_m_pem_refuses_rsa_and_ecdsa_keys_as_ssh_keygen_does() {
    for name in ["id_rsa_2048", "id_ecdsa_256", "id_ed25519"] {
        let twins = compare(&fixtures, &["-c", "-m", "PEM", "-C", "new", "-f", name], b"");
        twins.same_files().same_contents(&format!("{name}.pub"));
        // An Ed25519 key is rewritten (in OpenSSH's format, with new check bytes).
        if name != "id_ed25519" {
            twins.same_contents(name);
        }
    }
}
