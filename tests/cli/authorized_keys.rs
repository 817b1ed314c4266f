//! `keywright authorized-keys`: the local file (exact files, outputs, exit codes), the
//! results Ansible's `ansible.posix.authorized_key` recorded for the same edits
//! (testdata/ansible-authorized-key, made by scripts/record-ansible-fixtures), and end to
//! end against a real OpenSSH sshd on loopback (root: throwaway accounts).

use std::path::{Path, PathBuf};

use super::common::*;
use super::support;
use super::support::sshd::{Sshd, TestUser, root_or_skip};

fn pub_path(name: &str) -> String {
    testdata(&format!("keys/{name}.pub")).to_str().unwrap().to_string()
}

/// The fixture's `.pub` line, without newline.
fn pub_text(name: &str) -> String {
    std::fs::read_to_string(pub_path(name)).unwrap().trim_end().to_string()
}

fn sha256(name: &str) -> String {
    let out = std::process::Command::new(ssh_keygen_path()).args(["-lf", &pub_path(name)]).output().unwrap();
    String::from_utf8(out.stdout).unwrap().split(' ').nth(1).unwrap().to_string()
}

/// `keywright authorized-keys ARGS` in `env`.
fn ak(env: &Env, args: &[&str]) -> Run {
    let mut all = vec!["authorized-keys"];
    all.extend_from_slice(args);
    support::kw(env, all, &[], None)
}

// ---------------------------------------------------------------------------------------
// Ansible parity
// ---------------------------------------------------------------------------------------

/// Cases where Ansible moves a rewritten key to the end of the file; keywright rewrites
/// it where it is (README: "authorized-keys and Ansible").
const MOVED_BY_ANSIBLE: &[&str] = &["add-updates-options", "add-updates-comment"];

/// The key lines and the other lines of a file, blanks at line ends taken off (Ansible
/// writes `TYPE KEY ` with a trailing blank when a key has no comment).
fn split_lines(text: &str) -> (Vec<String>, Vec<String>) {
    let trimmed: Vec<String> = text.lines().map(|l| l.trim_end().to_string()).collect();
    trimmed.into_iter().partition(|line| {
        ["ssh-", "ecdsa-", "sk-", "from=", "no-", "command="].iter().any(|p| line.starts_with(p))
    })
}

fn keywright_args_for(args: &serde_json::Value) -> Vec<String> {
    let keys: Vec<String> =
        args["key"].as_array().unwrap().iter().map(|k| pub_path(k.as_str().unwrap())).collect();
    let mut out = vec![
        match (args["state"].as_str(), args["exclusive"].as_bool()) {
            (Some("absent"), _) => "remove",
            (_, Some(true)) => "set",
            _ => "add",
        }
        .to_string(),
    ];
    for key in keys {
        out.extend(["-k".to_string(), key]);
    }
    if out[0] == "set" {
        out.push("--force".into());
    }
    if let Some(options) = args["key_options"].as_str() {
        out.extend(["--options".to_string(), options.to_string()]);
    }
    if let Some(comment) = args["comment"].as_str() {
        out.extend(["--comment".to_string(), comment.to_string()]);
    }
    out
}

#[test]
fn edits_end_as_ansible_authorized_key_ends_them() {
    let root = testdata("ansible-authorized-key");
    let mut cases: Vec<PathBuf> =
        std::fs::read_dir(&root).unwrap().map(|e| e.unwrap().path()).filter(|p| p.is_dir()).collect();
    cases.sort();
    assert!(cases.len() >= 15, "recordings missing: run scripts/record-ansible-fixtures");
    for case in cases {
        let name = case.file_name().unwrap().to_str().unwrap().to_string();
        let args: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(case.join("args.json")).unwrap()).unwrap();
        let env = Env::new();
        let file = env.path("authorized_keys");
        let before = std::fs::read_to_string(case.join("before")).ok();
        if let Some(before) = &before {
            std::fs::write(&file, before).unwrap();
        }
        let mut run_args = keywright_args_for(&args);
        run_args.extend([
            "--file".to_string(),
            file.to_str().unwrap().to_string(),
            "--format".into(),
            "json".into(),
        ]);
        let run_args: Vec<&str> = run_args.iter().map(String::as_str).collect();
        let run = ak(&env, &run_args).success();
        let report: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
        let changed = report["files"][0]["status"] == "changed";
        let ansible_changed = std::fs::read_to_string(case.join("changed")).unwrap().trim() == "true";
        assert_eq!(changed, ansible_changed, "{name}: changed");
        let ours = std::fs::read_to_string(&file).ok();
        let theirs = std::fs::read_to_string(case.join("after")).ok();
        assert_eq!(ours.is_some(), theirs.is_some(), "{name}: file exists");
        let (Some(ours), Some(theirs)) = (ours, theirs) else { continue };
        let ((mut our_keys, our_other), (mut their_keys, their_other)) =
            (split_lines(&ours), split_lines(&theirs));
        if MOVED_BY_ANSIBLE.contains(&name.as_str()) {
            our_keys.sort();
            their_keys.sort();
        }
        assert_eq!(our_keys, their_keys, "{name}: key lines\nours:\n{ours}\nAnsible's:\n{theirs}");
        // Lines without a key stay with keywright; Ansible's exclusive drops them.
        let (_, before_other) = split_lines(before.as_deref().unwrap_or_default());
        assert_eq!(our_other, before_other, "{name}: other lines");
        match args["exclusive"].as_bool() {
            Some(true) => assert!(their_other.is_empty(), "{name}: Ansible kept {their_other:?}"),
            _ => assert_eq!(their_other, before_other, "{name}: Ansible's other lines"),
        }
    }
}

// ---------------------------------------------------------------------------------------
// The local file
// ---------------------------------------------------------------------------------------

#[test]
fn list_shows_every_key_with_line_options_and_comment() {
    let env = Env::new();
    let ed = pub_text("id_ed25519");
    let ec = key_line("id_ecdsa_256");
    env.write(".ssh/authorized_keys", format!("# team\ncommand=\"echo a, b\",no-pty {ed}\ngarbage\n{ec}\n"));
    let run = ak(&env, &["list"]).success();
    assert_eq!(
        run.out(),
        format!(
            "   2 256 {} id_ed25519@keywright.test (ED25519) command=\"echo a, b\",no-pty\n   4 256 {} no comment (ECDSA)\n",
            sha256("id_ed25519"),
            sha256("id_ecdsa_256")
        )
    );
    let json: serde_json::Value =
        serde_json::from_slice(&ak(&env, &["list", "--format", "json"]).success().stdout).unwrap();
    let keys = &json["files"][0]["keys"];
    assert_eq!(keys[0]["options"], serde_json::json!(["command=\"echo a, b\"", "no-pty"]));
    assert_eq!(keys[0]["line"], 2);
    assert_eq!(keys[1]["comment"], serde_json::Value::Null);
    assert_eq!(json["files"][0]["status"], "listed");
    assert_eq!(json["summary"]["trusting"], serde_json::Value::Null);
    // Which file trusts a key: exit 1 when none does.
    ak(&env, &["list", "--key", &sha256("id_ecdsa_256")]).success();
    ak(&env, &["list", "--key", &pub_path("id_rsa_3072")]).code(1);
}

#[test]
fn add_updates_a_present_key_in_place_and_keeps_other_lines_byte_for_byte() {
    let env = Env::new();
    let (ed, ec) = (key_line("id_ed25519"), pub_text("id_ecdsa_256"));
    let before = format!("# mine\n{ec}\n{ed} old\ngarbage  \t\nno-pty {ed} twin");
    let file = env.write(".ssh/authorized_keys", &before);
    std::fs::set_permissions(&file, std::os::unix::fs::PermissionsExt::from_mode(0o640)).unwrap();
    let run = ak(
        &env,
        &["add", "-k", &pub_path("id_ed25519"), "--options", "from=\"10.0.0.0/8\",no-pty", "--comment", "ci"],
    );
    assert_eq!(run.success().out(), format!("{}: updated 1, removed 1 key(s)\n", file.display()));
    assert_eq!(
        env.read_string(".ssh/authorized_keys"),
        format!("# mine\n{ec}\nfrom=\"10.0.0.0/8\",no-pty {ed} ci\ngarbage  \t\n")
    );
    assert_eq!(mode(&file), 0o640);
    // A mode sshd's StrictModes refuses is repaired, and said.
    std::fs::set_permissions(&file, std::os::unix::fs::PermissionsExt::from_mode(0o664)).unwrap();
    let repaired = ak(&env, &["remove", "-k", &pub_path("id_ecdsa_256")]).success();
    assert_eq!(
        repaired.stderr,
        format!(
            "keywright: changed the mode of {} from 664 to 644, as sshd's StrictModes requires\n",
            file.display()
        )
    );
    assert_eq!(mode(&file), 0o644);
    ak(&env, &["add", "-k", &pub_path("id_ecdsa_256")]).success();
    // Again: nothing to do.
    let again = ak(
        &env,
        &["add", "-k", &pub_path("id_ed25519"), "--options", "from=\"10.0.0.0/8\",no-pty", "--comment", "ci"],
    );
    assert_eq!(again.success().out(), format!("{}: unchanged\n", file.display()));
}

#[test]
fn add_creates_the_directory_and_file_private() {
    let env = Env::new();
    let run = ak(&env, &["add", "-k", &pub_path("id_ed25519")]).success();
    assert!(run.out().ends_with("authorized_keys: added 1 key(s)\n"), "{}", run.out());
    assert_eq!(env.read_string(".ssh/authorized_keys"), format!("{}\n", pub_text("id_ed25519")));
    assert_eq!(mode(&env.path(".ssh")), 0o700);
    assert_eq!(mode(&env.path(".ssh/authorized_keys")), 0o600);
}

#[test]
fn remove_takes_every_line_of_the_key_by_file_fingerprint_or_comment() {
    let env = Env::new();
    let (ed, ec, rsa) = (pub_text("id_ed25519"), pub_text("id_ecdsa_256"), key_line("id_rsa_3072"));
    let before = format!("{ed}\nrestrict {ed}\n{ec}\n{rsa} old-laptop\n");
    env.write(".ssh/authorized_keys", &before);
    let by_fp = ak(&env, &["remove", "-k", &sha256("id_ed25519"), "-n", "--diff"]).success();
    let name = env.path(".ssh/authorized_keys").display().to_string();
    assert_eq!(
        by_fp.out(),
        format!(
            "{name}: would remove 2 key(s)\n--- {name}\n+++ {name}\n@@ -1,4 +1,2 @@\n-{ed}\n-restrict {ed}\n {ec}\n {rsa} old-laptop\n"
        )
    );
    assert_eq!(env.read_string(".ssh/authorized_keys"), before, "a dry run writes nothing");
    ak(&env, &["remove", "--comment", "old-laptop", "-k", &pub_path("id_ed25519")]).success();
    assert_eq!(env.read_string(".ssh/authorized_keys"), format!("{ec}\n"));
    // A missing file stays missing.
    let empty = Env::new();
    ak(&empty, &["remove", "-k", &pub_path("id_ed25519")]).success();
    assert!(!empty.path(".ssh").exists());
}

#[test]
fn set_refuses_to_lock_you_out_unless_forced() {
    let env = Env::new();
    env.fixture("id_ed25519");
    std::fs::create_dir_all(env.path(".ssh")).unwrap();
    std::fs::rename(env.path("id_ed25519"), env.path(".ssh/id_ed25519")).unwrap();
    std::fs::rename(env.path("id_ed25519.pub"), env.path(".ssh/id_ed25519.pub")).unwrap();
    let before = format!("{}\n", pub_text("id_ed25519"));
    env.write(".ssh/authorized_keys", &before);
    let refused = ak(&env, &["set", "-k", &pub_path("id_ecdsa_256")]).code(2);
    let name = env.path(".ssh/authorized_keys").display().to_string();
    assert_eq!(
        refused.stderr,
        format!(
            "keywright: error: {name}: refusing to set keys that would lock you out: none of your identities or agent keys is in the new set\nkeywright: hint: put one of your keys in the set (ssh-add -L lists the agent's), or use --force if another way in remains\n"
        )
    );
    assert_eq!(env.read_string(".ssh/authorized_keys"), before);
    ak(&env, &["set", "-k", &pub_path("id_ecdsa_256"), "-k", &pub_path("id_ed25519")]).success();
    ak(&env, &["set", "-k", &pub_path("id_ecdsa_256"), "--force"]).success();
    assert_eq!(env.read_string(".ssh/authorized_keys"), format!("{}\n", pub_text("id_ecdsa_256")));
}

#[test]
fn rotate_locally_replaces_old_with_new_in_one_write() {
    let env = Env::new();
    let new = env.fixture("id_ecdsa_256");
    env.write(".ssh/authorized_keys", format!("# keep\nno-pty {}\n", pub_text("id_ed25519")));
    ak(&env, &["rotate", &pub_path("id_ed25519"), new.to_str().unwrap()]).success();
    assert_eq!(env.read_string(".ssh/authorized_keys"), format!("# keep\n{}\n", pub_text("id_ecdsa_256")));
    let same = ak(&env, &["rotate", &pub_path("id_ecdsa_256"), new.to_str().unwrap()]).code(2);
    assert!(same.stderr.contains("OLD and NEW are the same key"), "{}", same.stderr);
}

#[test]
fn bad_arguments_are_usage_errors_that_touch_nothing() {
    let env = Env::new();
    let bad_options =
        ak(&env, &["add", "-k", &pub_path("id_ed25519"), "--options", "no-pty, no-X11"]).code(2);
    assert!(
        bad_options
            .stderr
            .starts_with("keywright: error: \"no-pty, no-X11\": not valid authorized_keys options"),
        "{}",
        bad_options.stderr
    );
    let not_a_key = ak(&env, &["add", "-k", "nope"]).code(2);
    assert!(
        not_a_key.stderr.starts_with("keywright: error: \"nope\": not a public key file"),
        "{}",
        not_a_key.stderr
    );
    ak(&env, &["list", "--file", "x", "host"]).code(2);
    assert!(!env.path(".ssh").exists());
}

#[test]
fn every_subcommand_prints_the_json_docs_json_md_documents() {
    let env = Env::new();
    let new = env.fixture("id_ecdsa_256");
    env.write(".ssh/authorized_keys", format!("no-pty {}\n", pub_text("id_ed25519")));
    let ed = pub_path("id_ed25519");
    let runs: [(&str, Vec<&str>); 6] = [
        ("list", vec!["list"]),
        ("list", vec!["list", "--key", &ed]),
        ("add", vec!["add", "-k", &ed, "--comment", "c", "--diff"]),
        ("set", vec!["set", "-k", &ed, "-n", "--force"]),
        ("rotate", vec!["rotate", &ed, new.to_str().unwrap(), "-n", "--diff"]),
        ("remove", vec!["remove", "-k", &ed]),
    ];
    for (name, mut args) in runs {
        args.extend(["--format", "json"]);
        let run = ak(&env, &args).success();
        super::json::assert_documented(&format!("authorized-keys {name}"), &run.stdout);
    }
}

// ---------------------------------------------------------------------------------------
// End to end: a real sshd
// ---------------------------------------------------------------------------------------

/// A home whose default identity (~/.ssh/id_ed25519) logs in as a fresh account, which
/// trusts that key and whose host key the home knows.
fn remote_setup(test: &str) -> Option<(Env, Sshd, TestUser)> {
    if !root_or_skip(test) {
        return None;
    }
    let sshd = Sshd::start();
    let user = sshd.user();
    let env = Env::new();
    env.write(".ssh/known_hosts", format!("{}\n", sshd.host_key_line()));
    for suffix in ["", ".pub"] {
        let to = env.path(&format!(".ssh/id_ed25519{suffix}"));
        std::fs::copy(testdata(&format!("keys/id_ed25519{suffix}")), &to).unwrap();
        std::fs::set_permissions(&to, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
    }
    user.write_authorized_keys(format!("# admin\n{}\n", pub_text("id_ed25519")));
    Some((env, sshd, user))
}

fn dest(sshd: &Sshd, user: &TestUser) -> String {
    format!("{}@127.0.0.1:{}", user.name(), sshd.port())
}

/// A fresh unencrypted ed25519 key in the home: its private key file.
fn fresh_key(env: &Env, name: &str) -> PathBuf {
    env.ssh_keygen(["-q", "-t", "ed25519", "-N", "", "-C", name, "-f", name]).success();
    env.path(name)
}

fn text_of(path: &Path) -> String {
    std::fs::read_to_string(format!("{}.pub", path.display())).unwrap().trim_end().to_string()
}

#[test]
fn remote_list_add_remove_and_dry_run_diff() {
    let Some((env, sshd, user)) = remote_setup("remote_list_add_remove_and_dry_run_diff") else { return };
    let target = dest(&sshd, &user);
    let listed = ak(&env, &["list", &target]).success();
    let path = user.authorized_keys().display().to_string();
    assert_eq!(
        listed.out(),
        format!("{target}: {path}\n   2 256 {} id_ed25519@keywright.test (ED25519)\n", sha256("id_ed25519"))
    );
    let deploy = fresh_key(&env, "deploy");
    let dry = ak(
        &env,
        &["add", "-k", &format!("{}.pub", deploy.display()), "--options", "no-pty", "-n", "--diff", &target],
    )
    .success();
    assert_eq!(
        dry.out(),
        format!(
            "{target}: would add 1 key(s)\n--- {path}\n+++ {path}\n@@ -1,2 +1,3 @@\n # admin\n {}\n+no-pty {}\n",
            pub_text("id_ed25519"),
            text_of(&deploy)
        )
    );
    assert_eq!(user.read_authorized_keys().unwrap(), format!("# admin\n{}\n", pub_text("id_ed25519")));
    ak(&env, &["add", "-k", &format!("{}.pub", deploy.display()), "--options", "no-pty", &target]).success();
    let expected = format!("# admin\n{}\nno-pty {}\n", pub_text("id_ed25519"), text_of(&deploy));
    assert_eq!(user.read_authorized_keys().unwrap(), expected);
    assert_eq!(mode(user.authorized_keys()), 0o600);
    assert!(sshd.login_ok(user.name(), &deploy), "the added key logs in");
    let commands = || sshd.log_text().matches("Starting session: command").count();
    let commands_before = commands();
    let removed = ak(&env, &["remove", "-k", &format!("{}.pub", deploy.display()), &target]).success();
    assert_eq!(removed.out(), format!("{target}: removed 1 key(s)\n"));
    if !Path::new("/sys/fs/selinux").exists() {
        assert_eq!(commands(), commands_before, "an SFTP edit without SELinux starts no shell");
    }
    assert_eq!(user.read_authorized_keys().unwrap(), format!("# admin\n{}\n", pub_text("id_ed25519")));
    assert!(!sshd.login_ok(user.name(), &deploy), "the removed key no longer logs in");
    assert!(!user.path(".ssh/authorized_keys.lock").exists());
}

#[test]
fn remote_set_refuses_a_lockout_and_sets_exactly_the_keys() {
    let Some((env, sshd, user)) = remote_setup("remote_set_refuses_a_lockout_and_sets_exactly_the_keys")
    else {
        return;
    };
    let target = dest(&sshd, &user);
    let before = user.read_authorized_keys().unwrap();
    let refused = ak(&env, &["set", "-k", &pub_path("id_ecdsa_256"), &target]).code(2);
    assert!(refused.stderr.contains("refusing to set keys that would lock you out"), "{}", refused.stderr);
    assert_eq!(user.read_authorized_keys().unwrap(), before);
    ak(&env, &["set", "-k", &pub_path("id_ecdsa_256"), "-k", &pub_path("id_ed25519"), &target]).success();
    assert_eq!(
        user.read_authorized_keys().unwrap(),
        format!("# admin\n{}\n{}\n", pub_text("id_ed25519"), pub_text("id_ecdsa_256"))
    );
}

#[test]
fn remote_rotate_proves_the_new_key_before_removing_the_old() {
    let Some((env, sshd, user)) = remote_setup("remote_rotate_proves_the_new_key_before_removing_the_old")
    else {
        return;
    };
    let target = dest(&sshd, &user);
    let new = fresh_key(&env, "new");
    let run =
        ak(&env, &["rotate", &pub_path("id_ed25519"), new.to_str().unwrap(), "--format", "json", &target])
            .success();
    super::json::assert_documented("authorized-keys rotate", &run.stdout);
    let json: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    assert_eq!(json["files"][0]["proved"], true);
    assert_eq!(json["files"][0]["status"], "changed");
    assert_eq!(user.read_authorized_keys().unwrap(), format!("# admin\n{}\n", text_of(&new)));
    assert!(sshd.login_ok(user.name(), &new));
    assert!(!sshd.login_ok(user.name(), &env.path(".ssh/id_ed25519")));
}

#[test]
fn remote_rotate_keeps_the_old_key_when_the_new_one_cannot_log_in() {
    let Some((env, sshd, user)) =
        remote_setup("remote_rotate_keeps_the_old_key_when_the_new_one_cannot_log_in")
    else {
        return;
    };
    let target = dest(&sshd, &user);
    let before = user.read_authorized_keys().unwrap();
    let new = fresh_key(&env, "new");
    // from= that this client does not match: sshd refuses the new key.
    let run = ak(
        &env,
        &[
            "rotate",
            &pub_path("id_ed25519"),
            new.to_str().unwrap(),
            "--options",
            "from=\"192.0.2.1\"",
            &target,
        ],
    )
    .code(1);
    assert_eq!(
        run.out(),
        format!(
            "{target}: failed: {}@127.0.0.1: the new key {} could not log in; the old key stays\n",
            user.name(),
            new.display()
        )
    );
    assert!(run.stderr.contains("took the new key out again"), "{}", run.stderr);
    assert_eq!(user.read_authorized_keys().unwrap(), before, "the host ends as it started");
    assert!(sshd.login_ok(user.name(), &env.path(".ssh/id_ed25519")));
}

#[test]
fn remote_list_key_answers_which_hosts_trust_it() {
    let Some((env, sshd, user)) = remote_setup("remote_list_key_answers_which_hosts_trust_it") else {
        return;
    };
    let other = sshd.user();
    other.write_authorized_keys(format!("{}\n{}\n", pub_text("id_ed25519"), pub_text("id_ecdsa_256")));
    let (first, second) = (dest(&sshd, &user), dest(&sshd, &other));
    let run = ak(&env, &["list", "--key", &sha256("id_ecdsa_256"), &first, &second]).success();
    assert_eq!(
        run.out(),
        format!(
            "{first}: {}\n{second}: {}\n   2 256 {} id_ecdsa_256@keywright.test (ECDSA)\n\
             {first}: 0 key(s)\n{second}: 1 key(s)\n1 of 2 hosts trust {}, 0 failed\n",
            user.authorized_keys().display(),
            other.authorized_keys().display(),
            sha256("id_ecdsa_256"),
            sha256("id_ecdsa_256")
        )
    );
    ak(&env, &["list", "--key", &pub_path("id_rsa_3072"), &first, &second]).code(1);
}

/// Certificate and `sk-` key lines are keys like any other: listed with their type, and
/// removed by their key data or fingerprint, options and all.
#[test]
fn certificates_and_security_key_lines_are_listed_and_removed() {
    let env = Env::new();
    let corpus = |name: &str| testdata(&format!("openssh-corpus/{name}"));
    let read = |name: &str| std::fs::read_to_string(corpus(name)).unwrap().trim_end().to_string();
    let (cert, sk, ecdsa_sk) = (read("ed25519_1-cert.pub"), read("ed25519_sk1.pub"), read("ecdsa_sk2.pub"));
    env.write(
        ".ssh/authorized_keys",
        format!("cert-authority,principals=\"a,b\" {cert}\nno-touch-required {sk}\n{ecdsa_sk}\n"),
    );
    let json: serde_json::Value =
        serde_json::from_slice(&ak(&env, &["list", "--format", "json"]).success().stdout).unwrap();
    let types: Vec<&str> =
        json["files"][0]["keys"].as_array().unwrap().iter().map(|k| k["type"].as_str().unwrap()).collect();
    assert_eq!(types, ["ED25519-CERT", "ED25519-SK", "ECDSA-SK"]);
    assert_eq!(
        json["files"][0]["keys"][0]["options"],
        serde_json::json!(["cert-authority", "principals=\"a,b\""])
    );
    let sk_file = corpus("ed25519_sk1.pub");
    ak(&env, &["remove", "-k", sk_file.to_str().unwrap()]).success();
    ak(&env, &["remove", "-k", corpus("ed25519_1-cert.pub").to_str().unwrap()]).success();
    assert_eq!(env.read_string(".ssh/authorized_keys"), format!("{ecdsa_sk}\n"));
}

/// A loopback port nobody listens on (bound, then closed): an unreachable host.
fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// An unreachable host of the fleet: its target, its row in the per-host table, and the
/// hint keywright gives for it on stderr (the whole of stderr, without a TTY: no bar).
fn unreachable_host() -> (String, String, String) {
    let port = closed_port();
    let target = format!("someone@127.0.0.1:{port}");
    let row = format!("{target}: failed: cannot connect to 127.0.0.1:{port}: connection refused\n");
    let hint = format!(
        "keywright: {target}: hint: nothing listens on that port: check that sshd runs on the host and the port (TARGET:PORT, -p, or Port in the ssh config)\n"
    );
    (target, row, hint)
}

/// Many hosts end as copy-id's do: what each file holds (or would become) first, then a
/// table of how every host ended, in the order given, then the totals. The progress bar
/// is for a terminal only: stderr, a pipe here, holds the unreachable host's hint alone;
/// on a terminal the bar shows while hosts end (cleared before the table), unless -q.
#[test]
fn many_hosts_end_in_a_table_bar_on_tty_only() {
    let Some((env, sshd, user)) = remote_setup("many_hosts_end_in_a_table_bar_on_tty_only") else {
        return;
    };
    let other = sshd.user();
    other.write_authorized_keys(format!("{}\n", pub_text("id_ed25519")));
    let (first, second) = (dest(&sshd, &user), dest(&sshd, &other));
    let (down, down_row, down_hint) = unreachable_host();
    let (path, other_path) = (user.authorized_keys().display(), other.authorized_keys().display());
    let fp = sha256("id_ed25519");

    let listed = ak(&env, &["list", &first, &down, &second]).code(1);
    assert_eq!(
        listed.out(),
        format!(
            "{first}: {path}\n   2 256 {fp} id_ed25519@keywright.test (ED25519)\n\
             {second}: {other_path}\n   1 256 {fp} id_ed25519@keywright.test (ED25519)\n\
             {first}: 1 key(s)\n{down_row}{second}: 1 key(s)\n3 hosts: 2 listed, 1 failed\n"
        )
    );
    assert_eq!(listed.stderr, down_hint);

    let deploy = fresh_key(&env, "deploy");
    let deploy_pub = format!("{}.pub", deploy.display());
    let added = ak(&env, &["add", "-k", &deploy_pub, "--diff", &first, &down, &second]).code(1);
    let id = pub_text("id_ed25519");
    let new = text_of(&deploy);
    assert_eq!(
        added.out(),
        format!(
            "{first}: {path}\n--- {path}\n+++ {path}\n@@ -1,2 +1,3 @@\n # admin\n {id}\n+{new}\n\
             {second}: {other_path}\n--- {other_path}\n+++ {other_path}\n@@ -1 +1,2 @@\n {id}\n+{new}\n\
             {first}: added 1 key(s)\n{down_row}{second}: added 1 key(s)\n\
             3 hosts: 2 changed, 0 unchanged, 1 failed\n"
        )
    );
    assert_eq!(added.stderr, down_hint);
    assert_eq!(other.read_authorized_keys().unwrap(), format!("{id}\n{new}\n"));

    let removed = ak(&env, &["remove", "-k", &deploy_pub, &down, &first]).code(1);
    assert_eq!(
        removed.out(),
        format!("{down_row}{first}: removed 1 key(s)\n2 hosts: 1 changed, 0 unchanged, 1 failed\n")
    );
    assert_eq!(removed.stderr, down_hint);
    assert_eq!(user.read_authorized_keys().unwrap(), format!("# admin\n{id}\n"));
    // A terminal session has TERM set; without it (CI's environment) indicatif takes the
    // terminal for a dumb one and draws no bar.
    let on_terminal = |args: &[&str]| {
        let mut command = env.kw_tty_command(&[], args);
        command.env("TERM", "xterm");
        env.run(command, None)
    };
    let on_tty = on_terminal(&["authorized-keys", "list", &first, &down]);
    let screen = on_tty.out();
    assert_eq!(on_tty.code, 1, "{screen}");
    assert!(screen.contains("/2 hosts"), "no bar on the terminal:\n{screen}");
    assert!(screen.contains(&down_row.replace('\n', "\r\n")), "no table row:\n{screen}");
    let quiet = on_terminal(&["authorized-keys", "list", "-q", &first, &down]);
    assert!(!quiet.out().contains("/2 hosts"), "a bar under -q:\n{}", quiet.out());
}
