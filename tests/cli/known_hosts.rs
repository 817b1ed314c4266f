//! `keywright known-hosts`: find, hash, add, remove and list against ssh-keygen -F/-H/-R
//! in both directions, the quirks users hit, concurrency, and every audit rule and format.

use std::collections::BTreeSet;

use super::common::*;

const HOSTS: &[&str] = &[
    "host1.example.com",
    "192.0.2.1",
    "[host2.example.com]:2222",
    "host2.example.com",
    "x.wild.example.com",
    "bad.wild.example.com",
    "revoked.example.com",
    "host3.example.com",
    "HOST1.EXAMPLE.COM",
    "unknown.example.org",
];

fn with_fixture(env: &Env, name: &str) -> String {
    std::fs::copy(testdata(&format!("keys/{name}")), env.path(name)).unwrap();
    std::fs::set_permissions(env.path(name), std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
    name.to_string()
}

#[test]
fn find_prints_what_ssh_keygen_f_prints() {
    let env = Env::new();
    for file in ["known_hosts", "known_hosts_hashed"] {
        with_fixture(&env, file);
        for host in HOSTS {
            let oracle = env.ssh_keygen(["-F", host, "-f", file]);
            if file == "known_hosts_hashed" && host.contains("HOST1") {
                continue; // ssh-keygen does not lower-case names before hashing; see below
            }
            let ours = env.kw(["known-hosts", "find", host, "-f", file]);
            assert_eq!(ours.out(), oracle.out(), "find {host} in {file}");
            assert_eq!(ours.code, oracle.code, "exit code of find {host} in {file}");
            let quiet = env.kw(["known-hosts", "find", "-q", host, "-f", file]);
            let oracle_quiet = env.ssh_keygen(["-F", host, "-q", "-f", file]);
            assert_eq!(quiet.out(), oracle_quiet.out(), "find -q {host} in {file}");
        }
    }
}

#[test]
fn find_accepts_ports_and_any_case_also_for_hashed_names() {
    let env = Env::new();
    let file = with_fixture(&env, "known_hosts_hashed");
    let bracket = env.kw(["known-hosts", "find", "[host2.example.com]:2222", "-f", &file]).success().out();
    for form in
        [&["host2.example.com:2222"][..], &["-p", "2222", "host2.example.com"], &["HOST2.example.COM:2222"]]
    {
        let run = env.kw([&["known-hosts", "find", "-f", &file], form].concat()).success();
        assert_eq!(run.out(), bracket);
    }
    // ssh-keygen hashes the name as typed, so upper case misses a hashed entry; keywright
    // lower-cases first, as ssh itself does when it connects.
    assert_eq!(env.ssh_keygen(["-F", "[HOST2.EXAMPLE.COM]:2222", "-f", &file]).code, 1);
    let found = env.kw(["known-hosts", "find", "[HOST2.EXAMPLE.COM]:2222", "-f", &file]).success().out();
    assert!(found.starts_with("# Host [HOST2.EXAMPLE.COM]:2222 found: line 3 \n|1|"), "{found}");
    // Port 22 is written bare.
    assert_eq!(
        env.kw(["known-hosts", "find", "host1.example.com:22", "-f", &file]).success().out(),
        env.kw(["known-hosts", "find", "host1.example.com", "-f", &file]).success().out()
    );
}

#[test]
fn find_json_describes_each_line() {
    let env = Env::new();
    let file = with_fixture(&env, "known_hosts");
    let out =
        env.kw(["known-hosts", "find", "--format", "json", "host1.example.com", "-f", &file]).success().out();
    let lines: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(lines.as_array().unwrap().len(), 2);
    assert_eq!(lines[0]["line"], 1);
    assert_eq!(lines[0]["marker"], serde_json::Value::Null);
    assert_eq!(lines[0]["hosts"], "host1.example.com,192.0.2.1");
    assert_eq!(lines[0]["bits"], 256);
    assert_eq!(lines[1]["marker"], "@cert-authority");
    let fp = env.ssh_keygen(["-l", "-f", "known_hosts"]).out();
    assert!(fp.contains(lines[0]["fingerprint"].as_str().unwrap()));
    env.kw(["known-hosts", "find", "--format", "json", "nowhere", "-f", &file]).code(1);
}

#[test]
fn hash_is_found_by_ssh_keygen_and_keeps_everything_else() {
    let env = Env::new();
    let file = with_fixture(&env, "known_hosts");
    let mut original = std::fs::read(env.path(&file)).unwrap();
    original.extend_from_slice(b"# a comment\n\n   not a valid line\n");
    let key = key_line("id_ed25519");
    original
        .extend_from_slice(format!("crlf.example.com {key} windows\r\nlast.example.com {key}").as_bytes());
    std::fs::write(env.path(&file), &original).unwrap();
    std::fs::set_permissions(env.path(&file), std::os::unix::fs::PermissionsExt::from_mode(0o640)).unwrap();
    let run = env.kw(["known-hosts", "hash", "-f", &file]).success();
    assert_eq!(run.out(), "known_hosts updated.\nOriginal contents retained as known_hosts.old\n");
    assert_snapshot("known_hosts_hash_warnings.txt", &run.stderr);
    assert_eq!(std::fs::read(env.path("known_hosts.old")).unwrap(), original);
    assert_eq!(mode(&env.path(&file)), 0o640);
    let hashed = std::fs::read_to_string(env.path(&file)).unwrap();
    let kept = [
        "*.wild.example.com,!bad.wild.example.com ",
        "@cert-authority *.example.com ",
        "@revoked revoked.example.com ",
        "# a comment\n\n   not a valid line\n",
    ];
    for text in kept {
        assert!(hashed.contains(text), "{text:?} lost:\n{hashed}");
    }
    assert!(hashed.contains(" windows\r\n"), "CRLF line lost its ending");
    assert!(!hashed.ends_with('\n'), "the last line gained a newline");
    assert_eq!(hashed.lines().filter(|l| l.starts_with("|1|")).count(), 6);
    for host in [
        "host1.example.com",
        "192.0.2.1",
        "[host2.example.com]:2222",
        "host3.example.com",
        "crlf.example.com",
        "last.example.com",
    ] {
        let oracle = env.ssh_keygen(["-F", host, "-f", &file]);
        assert_eq!(oracle.code, 0, "ssh-keygen -F {host} after keywright hash");
        assert!(oracle.out().contains("|1|"), "{host}");
    }
    let again = env.kw(["known-hosts", "hash", "-f", &file]).success();
    assert_eq!(again.out(), "known_hosts: no host names to hash\n");
    assert_eq!(std::fs::read_to_string(env.path(&file)).unwrap(), hashed);
}

/// ssh matches every name of `a,,b` and `,c`; ssh-keygen -H stops at the empty name and
/// drops the rest (here b and c). keywright hashes every name ssh would match.
#[test]
fn hash_keeps_names_after_an_empty_one_that_ssh_keygen_drops() {
    let env = Env::new();
    let key = key_line("id_ed25519");
    let original = format!("a.example,,b.example {key}\n,c.example {key}\n,, {key}\n");
    env.write("ours", &original);
    env.write("theirs", &original);
    env.kw(["known-hosts", "hash", "-q", "-f", "ours"]).success();
    env.ssh_keygen(["-H", "-f", "theirs"]).success();
    assert_eq!(env.read_string("ours.old"), original);
    for host in ["a.example", "b.example", "c.example"] {
        let before = env.ssh_keygen(["-F", host, "-f", "ours.old"]);
        assert_eq!(before.code, 0, "ssh-keygen -F {host} before hashing");
        assert_eq!(env.ssh_keygen(["-F", host, "-f", "ours"]).code, 0, "{host} lost by keywright hash");
    }
    assert_eq!(env.ssh_keygen(["-F", "b.example", "-f", "theirs"]).code, 1, "ssh-keygen -H now keeps b");
    let hashed = env.read_string("ours");
    assert_eq!(hashed.lines().filter(|l| l.starts_with("|1|")).count(), 3);
    assert_eq!(hashed.lines().count(), 4, "one hashed line per name, and the line without names:\n{hashed}");
    assert!(hashed.ends_with(&format!(",, {key}\n")), "the line without names is kept:\n{hashed}");
}

#[test]
fn remove_takes_only_the_host() {
    let env = Env::new();
    let file = with_fixture(&env, "known_hosts");
    let before = std::fs::read_to_string(env.path(&file)).unwrap();
    let run = env.kw(["known-hosts", "remove", "192.0.2.1", "-f", &file]).success();
    assert_eq!(
        run.out(),
        "# Host 192.0.2.1 found: line 1\nknown_hosts updated.\nOriginal contents retained as known_hosts.old\n"
    );
    let after = std::fs::read_to_string(env.path(&file)).unwrap();
    assert_eq!(after, before.replacen("host1.example.com,192.0.2.1 ", "host1.example.com ", 1));
    assert_eq!(std::fs::read_to_string(env.path("known_hosts.old")).unwrap(), before);
    // ssh-keygen agrees: the address is gone, its neighbour on the line is not.
    assert_eq!(env.ssh_keygen(["-F", "192.0.2.1", "-f", &file]).code, 1);
    env.ssh_keygen(["-F", "host1.example.com", "-f", &file]).success();
    // ssh-keygen -R would have deleted the whole line, neighbour included.
    std::fs::write(env.path("theirs"), &before).unwrap();
    env.ssh_keygen(["-R", "192.0.2.1", "-f", "theirs"]).success();
    assert!(!std::fs::read_to_string(env.path("theirs")).unwrap().contains("host1.example.com"));
}

#[test]
fn remove_gives_what_ssh_keygen_r_gives_on_single_name_lines() {
    let env = Env::new();
    let (ed, rsa) = (key_line("id_ed25519"), key_line("id_rsa_2048"));
    let contents = format!(
        "# keep me\na.example.com {ed}\nb.example.com {rsa}\n[a.example.com]:2200 {ed}\nA.EXAMPLE.COM {rsa} upper\nc.example.com {ed}\n"
    );
    for host in ["a.example.com", "[a.example.com]:2200", "c.example.com"] {
        env.write("ours", &contents);
        env.write("theirs", &contents);
        env.kw(["known-hosts", "remove", "-q", host, "-f", "ours"]).success();
        env.ssh_keygen(["-R", host, "-f", "theirs"]).success();
        assert_eq!(
            std::fs::read_to_string(env.path("ours")).unwrap(),
            std::fs::read_to_string(env.path("theirs")).unwrap(),
            "{host}"
        );
        assert_eq!(
            std::fs::read(env.path("ours.old")).unwrap(),
            std::fs::read(env.path("theirs.old")).unwrap()
        );
    }
}

#[test]
fn remove_hashed_entries_markers_and_types() {
    let env = Env::new();
    let file = with_fixture(&env, "known_hosts_hashed");
    env.kw(["known-hosts", "remove", "HOST1.example.com", "-f", &file]).success();
    assert_eq!(
        env.ssh_keygen(["-F", "host1.example.com", "-f", &file]).code,
        0,
        "the @cert-authority line still applies"
    );
    let left = env.ssh_keygen(["-F", "host1.example.com", "-f", &file]).out();
    assert!(left.contains("@cert-authority") && !left.contains("|1|"), "{left}");
    env.ssh_keygen(["-F", "192.0.2.1", "-f", &file]).success();

    let file = with_fixture(&env, "known_hosts");
    let kept = env.kw(["known-hosts", "remove", "revoked.example.com", "-f", &file]).code(1);
    assert_eq!(
        kept.stderr,
        "keywright: known_hosts:5: kept: a @revoked line (--markers removes the host from it)\n\
        keywright: Host revoked.example.com not found in known_hosts\n"
    );
    assert!(!env.path("known_hosts.old").exists());
    env.kw(["known-hosts", "remove", "--markers", "revoked.example.com", "-f", &file]).success();
    assert!(!std::fs::read_to_string(env.path(&file)).unwrap().contains("@revoked"));

    let (ed, rsa) = (key_line("id_ed25519"), key_line("id_rsa_2048"));
    env.write("typed", format!("two.example.com {ed}\ntwo.example.com {rsa}\n"));
    env.kw(["known-hosts", "remove", "--type", "rsa", "two.example.com", "-f", "typed"]).success();
    assert_eq!(std::fs::read_to_string(env.path("typed")).unwrap(), format!("two.example.com {ed}\n"));
    let bad_type =
        env.kw(["known-hosts", "remove", "--type", "rsa1", "two.example.com", "-f", "typed"]).code(2);
    assert!(bad_type.stderr.contains("unknown key type \"rsa1\""), "{}", bad_type.stderr);
}

#[test]
fn remove_of_an_absent_host_touches_nothing() {
    let env = Env::new();
    let file = with_fixture(&env, "known_hosts");
    let before = std::fs::metadata(env.path(&file)).unwrap().modified().unwrap();
    let run = env.kw(["known-hosts", "remove", "nowhere.example.com", "-f", &file]).code(1);
    assert_eq!(run.stderr, "keywright: Host nowhere.example.com not found in known_hosts\n");
    assert!(run.stdout.is_empty());
    assert_eq!(std::fs::metadata(env.path(&file)).unwrap().modified().unwrap(), before);
    // A host named only through a wildcard is reported, not removed.
    let wild = env.kw(["known-hosts", "remove", "x.wild.example.com", "-f", &file]).code(1);
    assert!(
        wild.stderr.contains("known_hosts:3: kept: it names x.wild.example.com through the pattern"),
        "{}",
        wild.stderr
    );
}

#[test]
fn add_hashes_skips_duplicates_and_refuses_changed_keys() {
    let env = Env::new();
    let pub_ed = testdata("keys/id_ed25519.pub");
    let pub_other = testdata("keys/id_ed25519_enc.pub");
    let run = env.kw(["known-hosts", "add", "git.example.com", pub_ed.to_str().unwrap()]).success();
    let file = env.path(".ssh/known_hosts");
    assert_eq!(run.out(), format!("Added git.example.com ssh-ed25519 to {}\n", file.display()));
    assert_eq!(mode(&file), 0o600);
    assert_eq!(mode(&env.path(".ssh")), 0o700);
    let first = std::fs::read_to_string(&file).unwrap();
    assert!(
        first.starts_with("|1|") && first.ends_with(&format!(" {}\n", key_line("id_ed25519"))),
        "{first}"
    );
    env.ssh_keygen(["-F", "git.example.com", "-f", file.to_str().unwrap()]).success();

    let again = env.kw(["known-hosts", "add", "GIT.example.com", pub_ed.to_str().unwrap()]).success();
    assert_eq!(again.out(), format!("GIT.example.com ssh-ed25519: already trusted ({}:1)\n", file.display()));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), first);

    let refused = env.kw(["known-hosts", "add", "git.example.com", pub_other.to_str().unwrap()]).code(2);
    assert_snapshot(
        "known_hosts_add_conflict.txt",
        &refused.stderr.replace(&file.display().to_string(), "KNOWN_HOSTS"),
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), first);

    env.kw(["known-hosts", "add", "--replace", "git.example.com", pub_other.to_str().unwrap()]).success();
    let found = env.ssh_keygen(["-F", "git.example.com", "-f", file.to_str().unwrap()]).out();
    assert!(
        found.contains(&key_line("id_ed25519_enc")) && !found.contains(&key_line("id_ed25519")),
        "{found}"
    );
}

#[test]
fn add_plain_from_a_key_line_stdin_and_keyscan_output() {
    let env = Env::new();
    let ed = key_line("id_ed25519");
    env.write(
        "kh",
        "# existing\nold.example.com ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC no newline at the end",
    );
    env.kw(["known-hosts", "add", "--no-hash", "-f", "kh", "-p", "2200", "New.Example.com", &ed]).success();
    let text = std::fs::read_to_string(env.path("kh")).unwrap();
    assert_eq!(
        text,
        format!(
            "# existing\nold.example.com ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC no newline at the end\n[new.example.com]:2200 {ed}\n"
        )
    );
    let keyscan = format!(
        "# scan.example.com:22 SSH-2.0-OpenSSH_9.2\nscan.example.com {ed}\nscan.example.com {}\n",
        key_line("id_ecdsa_384")
    );
    let run = env
        .kw_stdin(
            ["known-hosts", "add", "--no-hash", "-f", "kh", "scan.example.com", "-"],
            keyscan.as_bytes(),
        )
        .success();
    assert_eq!(
        run.out(),
        "Added scan.example.com ssh-ed25519 to kh\nAdded scan.example.com ecdsa-sha2-nistp384 to kh\n"
    );
    env.ssh_keygen(["-F", "scan.example.com", "-f", "kh"]).success();
    let none = env.kw_stdin(["known-hosts", "add", "-f", "kh", "x", "-"], b"no keys here\n").code(2);
    assert!(
        none.stderr.starts_with("keywright: error: (stdin): no public key found (line 1:"),
        "{}",
        none.stderr
    );
}

#[test]
fn add_refuses_a_revoked_key() {
    let env = Env::new();
    let file = with_fixture(&env, "known_hosts");
    let rsa = key_line("id_rsa_2048");
    let run = env.kw(["known-hosts", "add", "-f", &file, "revoked.example.com", &rsa]).code(2);
    assert_eq!(
        run.stderr,
        "keywright: error: known_hosts:5: this ssh-rsa key is @revoked for revoked.example.com\n\
        keywright: hint: a revoked key must not be trusted again; get the host's current key\n"
    );
}

#[test]
fn concurrent_adds_all_survive() {
    let env = Env::new();
    let ed = key_line("id_ed25519");
    let children: Vec<_> = (0..24)
        .map(|i| {
            std::process::Command::new(env!("CARGO_BIN_EXE_keywright"))
                .args([
                    "known-hosts",
                    "add",
                    "-q",
                    "--no-hash",
                    "-f",
                    "kh",
                    &format!("host{i}.example.com"),
                    &ed,
                ])
                .current_dir(env.home())
                .env("HOME", env.home())
                .env("KEYWRIGHT_BATCH", "1")
                .spawn()
                .unwrap()
        })
        .collect();
    for mut child in children {
        assert!(child.wait().unwrap().success());
    }
    let text = std::fs::read_to_string(env.path("kh")).unwrap();
    let hosts: BTreeSet<&str> = text.lines().map(|l| l.split(' ').next().unwrap()).collect();
    assert_eq!(hosts.len(), 24, "lost updates:\n{text}");
    assert_eq!(text.lines().count(), 24);
}

#[test]
fn rewrites_follow_a_symlink_and_keep_it() {
    let env = Env::new();
    with_fixture(&env, "known_hosts");
    std::fs::create_dir(env.path("dotfiles")).unwrap();
    std::fs::rename(env.path("known_hosts"), env.path("dotfiles/known_hosts")).unwrap();
    std::os::unix::fs::symlink("dotfiles/known_hosts", env.path("link")).unwrap();
    env.kw(["known-hosts", "remove", "-q", "host3.example.com", "-f", "link"]).success();
    env.kw(["known-hosts", "hash", "-q", "-f", "link"]).success();
    env.kw(["known-hosts", "add", "-q", "-f", "link", "new.example.com", &key_line("id_ed25519")]).success();
    assert!(std::fs::symlink_metadata(env.path("link")).unwrap().file_type().is_symlink());
    assert!(env.path("dotfiles/known_hosts.old").exists());
    env.ssh_keygen(["-F", "new.example.com", "-f", "dotfiles/known_hosts"]).success();
    assert_eq!(
        env.ssh_keygen(["-F", "host3.example.com", "-f", "dotfiles/known_hosts"])
            .out()
            .matches("found")
            .count(),
        1
    );
}

#[test]
fn list_shows_every_entry_with_ssh_keygen_fingerprints() {
    let env = Env::new();
    let file = with_fixture(&env, "known_hosts_hashed");
    env.write("garbage", "");
    let out = env.kw(["known-hosts", "list", "-f", &file]).success().out();
    let fingerprints: Vec<String> = env
        .ssh_keygen(["-l", "-f", &file])
        .out()
        .lines()
        .map(|l| l.split(' ').nth(1).unwrap().to_string())
        .collect();
    let rows: Vec<Vec<&str>> = out.lines().map(|l| l.split('\t').collect()).collect();
    assert_eq!(rows.len(), 7);
    let plain: Vec<&str> = rows.iter().filter(|r| r[1] == "-").map(|r| r[5]).collect();
    assert_eq!(plain, fingerprints, "fingerprints of unmarked entries, as ssh-keygen -l lists them");
    assert_eq!(rows[0][..5], ["1", "-", "(hashed)", "ED25519", "256"]);
    assert_eq!(rows[4][1..4], ["@cert-authority", "*.example.com", "ECDSA"]);
    let json: serde_json::Value = serde_json::from_str(
        &env.kw(["known-hosts", "list", "--format", "json", "-f", &file]).success().out(),
    )
    .unwrap();
    assert_eq!(json[5]["marker"], "@revoked");
    assert_eq!(json[0]["hosts"], serde_json::Value::Null);
    assert_eq!(json[0]["hashed"], true);
}

/// Regression: `find --format json` named the key type `key_type` (and gave the line's
/// algorithm name) where `list` and `fingerprint` say `type` (`ED25519`).
#[test]
fn find_json_names_the_key_as_list_and_fingerprint_do() {
    let env = Env::new();
    let file = with_fixture(&env, "known_hosts");
    let json = |args: &[&str]| -> serde_json::Value {
        serde_json::from_str(
            &env.kw([&["known-hosts"], args, &["--format", "json", "-f", &file]].concat()).success().out(),
        )
        .unwrap()
    };
    let found = json(&["find", "host1.example.com"]);
    let listed = json(&["list"]);
    assert_eq!(found[0].get("key_type"), None);
    assert_eq!(found[0]["type"], "ED25519");
    for field in ["line", "marker", "hosts", "hashed", "type", "bits", "fingerprint", "comment"] {
        assert_eq!(found[0][field], listed[0][field], "{field}");
    }
    let fingerprint: serde_json::Value =
        serde_json::from_str(&env.kw(["fingerprint", "--format", "json", "-f", &file]).success().out())
            .unwrap();
    assert_eq!(found[0]["type"], fingerprint[0]["type"]);
}

/// A line with control characters, a NUL byte and a host field with an escape.
fn hostile_known_hosts(env: &Env) -> String {
    let key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGIrVZlC1iPIHCa8aMN6tFuV5UtyIYE6mjoM3htErex4";
    let mut bytes = format!(
        "host1 {key} red\x1b[31m\x07\x01\r\nhost1 {key} before\0after\nhost1,\x1b]0;title\x07 {key} tab\there\x7f"
    )
    .into_bytes();
    bytes.extend_from_slice(b"\xff\n");
    env.write("hostile", bytes);
    "hostile".to_string()
}

/// Regression: `list` printed host fields from the file raw, escape sequences and all.
#[test]
fn list_escapes_host_fields_as_openssh_prints_untrusted_text() {
    let env = Env::new();
    let file = hostile_known_hosts(&env);
    let out = env.kw(["known-hosts", "list", "-f", &file]).success().stdout;
    let hosts: Vec<&[u8]> = out
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| l.split(|&b| b == b'\t').nth(2).unwrap())
        .collect();
    assert_eq!(hosts, [&b"host1"[..], b"host1", b"host1,\\033]0;title\\007"]);
    assert!(!out.contains(&0x1b) && !out.contains(&0x07), "{out:?}");
}

/// The audit's text quotes host fields from the file: escaped, as `list` escapes them.
#[test]
fn audit_text_escapes_what_it_quotes() {
    let env = Env::new();
    let file = hostile_known_hosts(&env);
    let out = env.kw(["known-hosts", "audit", &file]).stdout;
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains("in clear text: host1, \\033]0;title\\007 [unhashed-host]"), "{text}");
    assert!(!text.contains('\x1b') && !text.contains('\x07'), "{text}");
}

/// ssh-keygen -F prints a found line as the file has it, control characters included
/// (the user asked for the line), but as a C string: up to a NUL byte. Regression: the
/// bytes after a NUL were printed too.
#[test]
fn find_prints_lines_byte_for_byte_as_ssh_keygen_does() {
    let env = Env::new();
    let file = hostile_known_hosts(&env);
    let key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGIrVZlC1iPIHCa8aMN6tFuV5UtyIYE6mjoM3htErex4";
    let ours = env.kw(["known-hosts", "find", "-q", "host1", "-f", &file]).success().stdout;
    let mut expected = format!("host1 {key} red\x1b[31m\x07\x01\r\nhost1 {key} before\n").into_bytes();
    expected.extend_from_slice(format!("host1,\x1b]0;title\x07 {key} tab\there\x7f").as_bytes());
    expected.extend_from_slice(b"\xff\n");
    assert_eq!(ours, expected);
    assert_eq!(ours, env.ssh_keygen(["-F", "host1", "-q", "-f", &file]).stdout);
    let headed = env.kw(["known-hosts", "find", "host1", "-f", &file]).success().stdout;
    assert_eq!(headed, env.ssh_keygen(["-F", "host1", "-f", &file]).stdout);
}

/// Host patterns quoted in remove's and hash's messages are escaped too.
#[test]
fn kept_patterns_are_escaped_in_messages() {
    let env = Env::new();
    let key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGIrVZlC1iPIHCa8aMN6tFuV5UtyIYE6mjoM3htErex4";
    env.write("kh", format!("host*,\x1b[2J {key}\nhost2 {key}\n"));
    let removed = env.kw(["known-hosts", "remove", "host1", "-f", "kh"]).code(1);
    assert!(removed.stderr.contains("through the pattern host*,\\033[2J, which"), "{}", removed.stderr);
    let hashed = env.kw(["known-hosts", "hash", "-f", "kh"]).success();
    assert!(hashed.stderr.contains("cannot be hashed (host*,\\033[2J)"), "{}", hashed.stderr);
    assert!(!removed.stderr.contains('\x1b') && !hashed.stderr.contains('\x1b'));
}

#[test]
fn missing_file_and_bad_hosts_are_clear_errors() {
    let env = Env::new();
    let mut transcript = String::new();
    for args in [
        &["find", "host"][..],
        &["remove", "host"],
        &["hash"],
        &["list"],
        &["find", "host:99999"],
        &["find", "[host:22"],
        &["find", "-p", "22", "host:2222"],
        &["add", "host", "no-such-key.pub"],
    ] {
        let run = env.kw([&["known-hosts"], args].concat()).code(2);
        assert!(run.stdout.is_empty());
        transcript.push_str(&format!(
            "$ keywright known-hosts {}\n{}",
            args.join(" "),
            run.stderr.replace(&env.home().display().to_string(), "HOME")
        ));
    }
    assert_snapshot("known_hosts_errors.txt", &transcript);
}

mod audit {
    use super::*;

    /// The findings of one rule, as `LINE severity message` strings.
    fn findings(env: &Env, file: &str, extra: &[&str], rule: &str) -> Vec<String> {
        let run = env.kw([&["known-hosts", "audit", "--format", "json", file], extra].concat());
        assert!(run.code == 0 || run.code == 1, "{}", run.stderr);
        let doc: serde_json::Value = serde_json::from_str(&run.out()).unwrap();
        doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == rule)
            .map(|f| {
                format!(
                    "{} {} {}",
                    f["line"],
                    f["severity"].as_str().unwrap(),
                    f["message"].as_str().unwrap()
                )
            })
            .collect()
    }

    fn make_key(env: &Env, name: &str, args: &[&str]) -> String {
        env.ssh_keygen([&["-q", "-N", "", "-C", "", "-f", name], args].concat()).success();
        std::fs::read_to_string(env.path(&format!("{name}.pub"))).unwrap().trim_end().to_string()
    }

    #[test]
    fn each_rule() {
        let env = Env::new();
        let (ed, ed2) = (key_line("id_ed25519"), key_line("id_ed25519_enc"));
        let rsa1024 = make_key(&env, "rsa1024", &["-t", "rsa", "-b", "1024"]);
        let rsa2048 = key_line("id_rsa_2048");
        let rsa3072 = key_line("id_rsa_3072");
        let dsa = key_line("id_dsa");
        let ed_blob = ed.split(' ').nth(1).unwrap();
        let lines = [
            format!("a.example.com {ed}"),                      // 1
            format!("a.example.com {ed}"),                      // 2 duplicate
            format!("a.example.com {ed2}"),                     // 3 conflict
            format!("weak.example.com {rsa1024}"),              // 4
            format!("mid.example.com {rsa2048}"),               // 5
            format!("good.example.com {rsa3072}"),              // 6
            format!("old.example.com {dsa}"),                   // 7
            format!("@cert-authority * {ed}"),                  // 8
            format!("@cert-authority *.com {ed}"),              // 9
            format!("@cert-authority *.corp.example.com {ed}"), // 10 fine
            format!("mismatch.example.com ssh-rsa {ed_blob}"),  // 11
            format!("@revoked * {ed2}"),                        // 12
            "this is not a known_hosts line".to_string(),       // 13
            format!("*.wild.example.com {ed}"),                 // 14 pattern: not "unhashed"
        ];
        env.write("kh", lines.join("\n") + "\n");
        assert_eq!(
            findings(&env, "kh", &[], "duplicate-entry"),
            ["2 warning a.example.com: the same key is already on line 1"]
        );
        assert_eq!(
            findings(&env, "kh", &[], "conflicting-keys"),
            ["3 error a.example.com: a different ssh-ed25519 key is on line 1; one of them is stale"]
        );
        assert_eq!(
            findings(&env, "kh", &[], "weak-key"),
            [
                "4 error RSA key of 1024 bits: below 2048 bits it can be factored",
                "5 warning RSA key of 2048 bits: 2048-bit RSA gives only 112-bit security; use 3072 or more",
                "7 error DSA key (1024 bits): DSA is broken and OpenSSH 10 removed it",
            ]
        );
        assert_eq!(
            findings(&env, "kh", &[], "broad-cert-authority"),
            [
                "8 error @cert-authority for * trusts the CA for every host",
                "9 warning @cert-authority for *.com covers a whole top-level domain",
            ]
        );
        assert_eq!(
            findings(&env, "kh", &[], "key-type-mismatch"),
            ["11 error the line says ssh-rsa but the key is ssh-ed25519"]
        );
        assert_eq!(
            findings(&env, "kh", &[], "revoked-key-trusted"),
            ["3 error this key is @revoked on line 12 but trusted here"]
        );
        assert_eq!(findings(&env, "kh", &[], "invalid-line"), ["13 error invalid line: unknown key type"]);
        let unhashed = findings(&env, "kh", &[], "unhashed-host");
        assert_eq!(unhashed.len(), 8);
        assert_eq!(unhashed[0], "1 warning host name in clear text: a.example.com");
        assert!(
            findings(&env, "kh", &["--require-hashed"], "unhashed-host")
                .iter()
                .all(|f| f.contains(" error "))
        );
    }

    #[test]
    fn conflicts_across_hashed_entries_need_candidate_names() {
        let env = Env::new();
        let (ed, ed2) = (key_line("id_ed25519"), key_line("id_ed25519_enc"));
        env.write("kh", format!("a.example.com {ed}\nb.example.com {ed}\na.example.com {ed2}\n"));
        env.ssh_keygen(["-H", "-f", "kh"]).success();
        assert!(findings(&env, "kh", &[], "conflicting-keys").is_empty());
        assert_eq!(
            findings(&env, "kh", &["--hosts", "b.example.com,A.example.com"], "conflicting-keys"),
            [
                "3 error a.example.com (hashed): a different ssh-ed25519 key is on line 1; one of them is stale"
            ]
        );
        assert!(findings(&env, "kh", &[], "unhashed-host").is_empty());
    }

    #[test]
    fn exit_codes_follow_fail_on() {
        let env = Env::new();
        env.write(
            "clean",
            format!(
                "|1|p2JHO+nlWagu9y0wZ5TTvMtYLFI=|4USU6kCv4Q70KMhqm+4/aC0sZ+U= {}\n",
                key_line("id_ed25519")
            ),
        );
        env.write("warns", format!("mid.example.com {}\n", key_line("id_rsa_3072")));
        env.write("errors", "garbage\n");
        env.kw(["known-hosts", "audit", "clean"]).success();
        env.kw(["known-hosts", "audit", "--fail-on", "info", "clean"]).success();
        env.kw(["known-hosts", "audit", "warns"]).success();
        env.kw(["known-hosts", "audit", "--fail-on", "warning", "warns"]).code(1);
        env.kw(["known-hosts", "audit", "errors", "clean"]).code(1);
        let missing = env.kw(["known-hosts", "audit", "clean", "missing"]).code(2);
        assert_eq!(
            missing.stderr,
            "keywright: error: missing: no such file or directory\nkeywright: hint: check the path\n"
        );
        assert_eq!(missing.out(), "0 errors, 0 warnings, 0 notes in 1 file\n");
        // With no file read there is nothing to summarise: a "0 errors" line beside the
        // error read as a clean audit.
        for format in ["text", "json", "github", "sarif"] {
            let run = env.kw(["known-hosts", "audit", "--format", format, "missing"]).code(2);
            assert_eq!(run.out(), "", "{format}");
            assert_eq!(
                run.stderr,
                "keywright: error: missing: no such file or directory\nkeywright: hint: check the path\n"
            );
        }
    }

    fn sample(env: &Env) -> &'static str {
        let rsa2048 = key_line("id_rsa_2048");
        env.write(
            "team known_hosts",
            format!("a.example.com {}\nbad line\nb.example.com {rsa2048}\n", key_line("id_ed25519")),
        );
        "team known_hosts"
    }

    #[test]
    fn text_and_github_formats() {
        let env = Env::new();
        let file = sample(&env);
        let text = env.kw(["known-hosts", "audit", file]).code(1).out();
        let github = env.kw(["known-hosts", "audit", "--format", "github", file]).code(1).out();
        assert_snapshot("known_hosts_audit.txt", &format!("{text}---\n{github}"));
    }

    #[test]
    fn sarif_is_valid_sarif_2_1_0() {
        let env = Env::new();
        let file = sample(&env);
        let out = env.kw(["known-hosts", "audit", "--format", "sarif", file]).code(1).out();
        let log: serde_json::Value = serde_json::from_str(&out).unwrap();
        let mut schema: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(sarif_schema()).unwrap()).unwrap();
        // The official schema's language patterns have a stray `]` that regex engines
        // reject; mend them (to what they mean) so the schema compiles. Results do not use
        // the field.
        for definition in ["run", "toolComponent"] {
            schema["definitions"][definition]["properties"]["language"]["pattern"] =
                "^[a-zA-Z]{2}(-[a-zA-Z]{2})?$".into();
        }
        let validator = jsonschema::validator_for(&schema).unwrap();
        let errors: Vec<String> =
            validator.iter_errors(&log).map(|e| format!("{e} at {}", e.instance_path())).collect();
        assert!(errors.is_empty(), "SARIF schema violations: {errors:#?}");
        let typed: serde_sarif::sarif::Sarif = serde_json::from_value(log.clone()).unwrap();
        assert_eq!(typed.runs.len(), 1);
        let results = log["runs"][0]["results"].as_array().unwrap();
        assert_eq!(results.len(), 4);
        assert_eq!(
            results[0]["locations"][0]["physicalLocation"]["artifactLocation"],
            serde_json::json!({"uri": "team%20known_hosts", "uriBaseId": "%SRCROOT%"})
        );
        let home = env.home().to_str().unwrap();
        assert_eq!(
            log["runs"][0]["originalUriBaseIds"],
            serde_json::json!({"%SRCROOT%": {"uri": format!("file://{home}/")}})
        );
        assert_eq!(results[1]["ruleId"], "invalid-line");
        assert_eq!(results[1]["level"], "error");
        assert_eq!(results[1]["locations"][0]["physicalLocation"]["region"]["startLine"], 2);
    }

    /// An absolute path was written as the URI `/srv/ci/known_hosts`, which GitHub code
    /// scanning reads as relative to the repository root: it is a `file://` URI, or
    /// relative to `--base-dir` when the file is inside it.
    #[test]
    fn sarif_locations_are_relative_to_the_base_or_absolute_file_uris() {
        let env = Env::new();
        sample(&env);
        std::fs::create_dir(env.path("repo")).unwrap();
        std::fs::rename(env.path("team known_hosts"), env.path("repo/team known_hosts")).unwrap();
        let absolute = env.path("repo/team known_hosts");
        let absolute = absolute.to_str().unwrap();
        let home = env.home().to_str().unwrap();
        let location = |args: &[&str]| {
            let out = env.kw([&["known-hosts", "audit", "--format", "sarif"], args].concat()).code(1).out();
            let log: serde_json::Value = serde_json::from_str(&out).unwrap();
            let run = &log["runs"][0];
            (
                run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"].clone(),
                run["originalUriBaseIds"]["%SRCROOT%"]["uri"].clone(),
            )
        };
        let encoded = format!("file://{}/repo/team%20known_hosts", home.replace(' ', "%20"));
        let (artifact, base) = location(&[absolute]);
        assert_eq!(artifact, serde_json::json!({"uri": "repo/team%20known_hosts", "uriBaseId": "%SRCROOT%"}));
        assert_eq!(base, format!("file://{home}/"));
        for outside in [absolute, "repo/team known_hosts"] {
            let (artifact, _) = location(&["--base-dir", "/nonexistent", outside]);
            assert_eq!(artifact, serde_json::json!({ "uri": encoded }), "{outside}");
        }
        for args in [
            &["--base-dir", "repo", absolute][..],
            &["--base-dir", "./repo/", "repo/../repo/team known_hosts"],
        ] {
            let (artifact, base) = location(args);
            assert_eq!(
                artifact,
                serde_json::json!({"uri": "team%20known_hosts", "uriBaseId": "%SRCROOT%"}),
                "{args:?}"
            );
            assert_eq!(base, format!("file://{home}/repo/"), "{args:?}");
        }
    }

    fn host_triple() -> String {
        format!("{}-unknown-{}-gnu", std::env::consts::ARCH, std::env::consts::OS)
    }

    /// The SARIF 2.1.0 schema as shipped in the serde-sarif crate (a dev-dependency).
    fn sarif_schema() -> std::path::PathBuf {
        let out = std::process::Command::new(env!("CARGO"))
            .args(["metadata", "--format-version", "1", "--offline", "--filter-platform", &host_triple()])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .unwrap();
        let metadata: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let manifest = metadata["packages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == "serde-sarif")
            .and_then(|p| p["manifest_path"].as_str())
            .expect("serde-sarif in cargo metadata");
        std::path::Path::new(manifest).parent().unwrap().join("src/schema.json")
    }
}

/// A full disk (simulated with RLIMIT_FSIZE; SIGXFSZ is ignored so writes fail with
/// EFBIG instead of killing the process) leaves the file as it was, with no temp file
/// or backup left behind.
#[test]
fn a_full_disk_changes_nothing() {
    let env = Env::new();
    let key = key_line("id_ed25519");
    let big: String = (0..3000).map(|i| format!("host{i}.example.com {key}\n")).collect();
    for args in [
        "known-hosts hash -f kh",
        "known-hosts remove host7.example.com -f kh",
        "known-hosts add -f kh new.example.com host_key.pub",
    ] {
        env.write("kh", &big);
        env.write("host_key.pub", format!("{key}\n"));
        let run = env.sh(&format!("trap '' XFSZ; ulimit -f 64; keywright {args}"));
        assert_eq!(run.code, 2, "{args}: {}", run.stderr);
        assert!(run.stderr.ends_with(": file too large\nkeywright: hint: free some space (or raise the file size limit) and run it again; no file was changed\n"), "{args}: {}", run.stderr);
        assert_eq!(std::fs::read_to_string(env.path("kh")).unwrap(), big, "{args}");
        let litter: Vec<_> = std::fs::read_dir(env.home())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".tmp") || n.ends_with(".old"))
            .collect();
        assert!(litter.is_empty(), "{args} left {litter:?}");
    }
}

/// Through a symlinked known_hosts, hash and remove named LINK.old as the backup (and
/// told the user to delete it), but the backup is written beside the target.
#[test]
fn hash_and_remove_through_a_symlink_name_the_backup_that_exists() {
    let env = Env::new();
    with_fixture(&env, "known_hosts");
    std::fs::create_dir(env.path("dotfiles")).unwrap();
    std::fs::rename(env.path("known_hosts"), env.path("dotfiles/known_hosts")).unwrap();
    std::os::unix::fs::symlink("dotfiles/known_hosts", env.path("link")).unwrap();
    let removed = env.kw(["known-hosts", "remove", "-q", "host3.example.com", "-f", "link"]).success();
    assert_eq!(removed.out(), "link updated.\nOriginal contents retained as dotfiles/known_hosts.old\n");
    let hashed = env.kw(["known-hosts", "hash", "-f", "link"]).success();
    assert_eq!(hashed.out(), "link updated.\nOriginal contents retained as dotfiles/known_hosts.old\n");
    assert!(
        hashed.stderr.ends_with(
            "\nkeywright: warning: dotfiles/known_hosts.old still holds the host names in clear text; delete it to keep them private\n"
        ),
        "{}",
        hashed.stderr
    );
    assert!(env.path("dotfiles/known_hosts.old").exists() && !env.path("link.old").exists());
}

/// `add HOST PRIVATE_KEY` said "not valid base64" while the hint promised private keys
/// are accepted: the private key's public half is added, as the hint says.
#[test]
fn add_takes_the_public_half_of_a_private_key() {
    let env = Env::new();
    env.fixture("id_ed25519_enc");
    env.fixture("id_rsa_2048_pem");
    std::fs::remove_file(env.path("id_ed25519_enc.pub")).unwrap();
    let run =
        env.kw(["known-hosts", "add", "--no-hash", "-f", "kh", "a.example.com", "id_ed25519_enc"]).success();
    assert_eq!((run.out().as_str(), run.stderr.as_str()), ("Added a.example.com ssh-ed25519 to kh\n", ""));
    env.kw(["known-hosts", "add", "-q", "--no-hash", "-f", "kh", "b.example.com", "id_rsa_2048_pem"])
        .success();
    // An encrypted PEM key shows its public half only through the .pub beside it.
    env.fixture("id_rsa_2048_pem_enc");
    env.kw(["known-hosts", "add", "-q", "--no-hash", "-f", "kh", "c.example.com", "id_rsa_2048_pem_enc"])
        .success();
    assert_eq!(
        env.read_string("kh"),
        format!(
            "a.example.com {}\nb.example.com {}\nc.example.com {}\n",
            key_line("id_ed25519_enc"),
            key_line("id_rsa_2048_pem"),
            key_line("id_rsa_2048_pem_enc")
        )
    );
    std::fs::remove_file(env.path("id_rsa_2048_pem_enc.pub")).unwrap();
    let locked = env.kw(["known-hosts", "add", "-f", "kh", "d.example.com", "id_rsa_2048_pem_enc"]).code(2);
    assert_eq!(
        locked.stderr,
        "keywright: error: id_rsa_2048_pem_enc: an encrypted PEM key shows its public key only with the passphrase\n\
         keywright: hint: run `keywright public -f id_rsa_2048_pem_enc > id_rsa_2048_pem_enc.pub` once; the .pub beside a key is read instead\n"
    );
}
