//! `-F`, `-R` and `-H` against ssh-keygen 9.2: the lines found, the lines removed (whole
//! lines, wildcard lines included, markers kept), the refusal to rewrite a file with
//! invalid lines, the hashed file (structure and that ssh-keygen finds every host in it)
//! and the `.old` backup.

use super::super::common::Env;
use super::{compare, pub_line};

/// A file with every kind of line: comments and blank lines, several names, markers,
/// wildcards and negation, ports, an upper-case name, tabs, a CRLF line, a hashed name
/// whose digest is not canonical base64, and a last line without a newline.
fn valid() -> String {
    let ed = pub_line("id_ed25519");
    let ed = ed.trim_end();
    let rsa = pub_line("id_rsa_2048");
    let rsa = rsa.trim_end();
    let ecdsa = pub_line("id_ecdsa_384");
    let ecdsa = ecdsa.trim_end();
    [
        "# known hosts".to_string(),
        format!("host-a {ed}"),
        format!("host-b,HOST-C,192.0.2.7 {rsa} with comment"),
        String::new(),
        format!("@cert-authority *.example.com {ed}"),
        format!("@revoked host-a {rsa}"),
        format!("host-e*,!host-e9 {ecdsa}"),
        format!("[host-p]:2222 {ed}"),
        format!("host-t\t{ed}"),
        format!("|1|AAAAAAAAAAAAAAAAAAAAAAAAAAA=|BBBBBBBBBBBBBBBBBBBBBBBBBBB= {ed}"),
        format!("host-crlf {rsa}\r"),
        format!("host-a,x.example.com {ecdsa}"),
        format!("last {ed}"),
    ]
    .join("\n")
}

/// The same with lines OpenSSH rejects.
fn invalid() -> String {
    format!(
        "{}\nbad line\nhost-z\n@bogus host-a {}\nhost-n 1024 35 12345\n",
        valid(),
        pub_line("id_ed25519").trim_end()
    )
}

fn files(env: &Env) {
    env.write("kh", valid());
    env.write("invalid", invalid());
    std::fs::set_permissions(env.path("kh"), std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
}

const HOSTS: &[&str] = &[
    "host-a",
    "HOST-A",
    "host-c",
    "192.0.2.7",
    "x.example.com",
    "host-e1",
    "host-e9",
    "[host-p]:2222",
    "host-p",
    "host-t",
    "host-crlf",
    "last",
    "nothere",
];

#[test]
fn find_prints_the_lines_for_a_host() {
    for host in HOSTS {
        for flags in [&[][..], &["-q"], &["-l"], &["-lv"], &["-l", "-E", "md5"], &["-H"], &["-Hq"]] {
            for file in ["kh", "invalid"] {
                let args = [flags, &["-F", host, "-f", file]].concat();
                compare(&files, &args, b"").same_files();
            }
        }
    }
    compare(&files, &["-F", "host-a", "-f", "missing"], b"");
    compare(&files, &["-F", "host-a", "-f", "/dev/null"], b"");
}

#[test]
fn remove_takes_out_whole_lines_and_keeps_markers() {
    for host in HOSTS {
        for flags in [&[][..], &["-q"]] {
            let args = [flags, &["-R", host, "-f", "kh"]].concat();
            let twins = compare(&files, &args, b"");
            twins.same_files().same_contents("kh");
            if twins.oracle.path("kh.old").exists() {
                twins.same_contents("kh.old");
            }
        }
    }
}

#[test]
fn a_file_with_invalid_lines_is_not_rewritten() {
    for args in [
        &["-R", "host-a", "-f", "invalid"][..],
        &["-R", "nothere", "-f", "invalid"],
        &["-H", "-f", "invalid"],
    ] {
        compare(&files, args, b"").same_files().same_contents("invalid");
    }
}

#[test]
fn hash_replaces_every_plain_name() {
    for args in [&["-H", "-f", "kh"][..], &["-qH", "-f", "kh"], &["-H", "-R", "host-a", "-f", "kh"]] {
        let twins = compare(&files, args, b"");
        twins.same_files().same_contents("kh");
        // -H with -R writes nothing: hashing finds no host to remove (ssh-keygen's quirk).
        if !twins.oracle.path("kh.old").exists() {
            continue;
        }
        twins.same_contents("kh.old");
        // ssh-keygen finds every name in the file the front hashed.
        for (_, env, _) in &twins.fronts {
            for host in ["host-a", "host-b", "host-c", "192.0.2.7", "host-t", "host-crlf", "last"] {
                let found = env.ssh_keygen(["-F", host, "-f", "kh"]);
                assert_eq!(found.code, 0, "{host} not found in the front's hashed file");
            }
        }
    }
    // Hashing a hashed file rewrites it all the same (and warns of nothing).
    let hashed = |env: &Env| {
        files(env);
        env.ssh_keygen(["-H", "-f", "kh"]).success();
        std::fs::remove_file(env.path("kh.old")).unwrap();
    };
    compare(&hashed, &["-H", "-f", "kh"], b"").same_files().same_contents("kh");
    // ... and -F and -R work on it, by hash.
    compare(&hashed, &["-F", "host-b", "-f", "kh"], b"");
    compare(&hashed, &["-R", "host-b", "-f", "kh"], b"").same_files().same_contents("kh");
}

/// ssh-keygen -H stops at the first empty name of a list, and compares hashed names as
/// typed (upper case does not find a hashed lower-case name).
#[test]
fn hashing_quirks_are_ssh_keygens() {
    let odd = |env: &Env| {
        let ed = pub_line("id_ed25519");
        env.write("kh", format!("a,,b {ed},c {ed}x,y, {ed}"));
    };
    compare(&odd, &["-H", "-f", "kh"], b"").same_files().same_contents("kh");
    let hashed = |env: &Env| {
        env.write("kh", format!("host {}", pub_line("id_ed25519")));
        env.ssh_keygen(["-H", "-f", "kh"]).success();
    };
    compare(&hashed, &["-F", "HOST", "-f", "kh"], b"");
    compare(&hashed, &["-F", "host", "-f", "kh"], b"");
}

#[test]
fn combinations_of_find_remove_and_hash() {
    for args in [
        &["-F", "host-a", "-R", "host-b", "-f", "kh"][..],
        &["-R", "host-b", "-F", "host-a", "-f", "kh"],
        &["-F", "host-a", "-H", "-l", "-f", "kh"],
        &["-R", "host-a", "-H", "-f", "kh"],
    ] {
        compare(&files, args, b"").same_files().same_contents("kh");
    }
}

#[test]
fn missing_and_unreadable_files() {
    compare(&files, &["-R", "host", "-f", "missing"], b"").same_files();
    compare(&files, &["-H", "-f", "missing"], b"").same_files();
}
