//! Local faults: a read-only directory, a full disk, a process killed in the middle of a
//! rewrite, and many writers at once. In every case a file is either what it was or what
//! it should become, never a mix, and nothing is lost. (Remote faults are in
//! copy_id_faults.rs.)

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use super::common::*;

/// `count` known_hosts lines for host0.example.com, host1.example.com, …
fn known_hosts_lines(count: usize) -> String {
    let key = key_line("id_ed25519");
    (0..count).map(|i| format!("host{i}.example.com {key}\n")).collect()
}

/// The files in `dir` whose names look like keywright's temporary files.
fn temp_files(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with('.') && name.ends_with(".tmp"))
        .collect()
}

#[test]
fn a_read_only_directory_changes_nothing() {
    let env = Env::new();
    std::fs::set_permissions(env.home(), std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::create_dir(env.path("ro")).unwrap();
    env.write("ro/kh", known_hosts_lines(3));
    env.write("ro/host_key.pub", key_line("id_rsa_2048") + "\n");
    for suffix in ["", ".pub"] {
        std::fs::copy(testdata(&format!("keys/id_ed25519{suffix}")), env.path(&format!("ro/key{suffix}")))
            .unwrap();
    }
    std::fs::set_permissions(env.path("ro/key"), std::fs::Permissions::from_mode(0o600)).unwrap();
    // As root, keywright runs as nobody: the files are nobody's, only the directory is not
    // writable.
    env.give_to_nobody(&["ro", "ro/kh", "ro/host_key.pub", "ro/key", "ro/key.pub"]);
    std::fs::set_permissions(env.path("ro"), std::fs::Permissions::from_mode(0o555)).unwrap();
    let contents = || ["ro/kh", "ro/key", "ro/key.pub"].map(|f| env.read(f));
    let before = contents();
    let cases: &[&[&str]] = &[
        &["known-hosts", "hash", "-f", "ro/kh"],
        &["known-hosts", "remove", "-f", "ro/kh", "host1.example.com"],
        &["known-hosts", "add", "-f", "ro/kh", "new.example.com", "ro/host_key.pub"],
        &["passphrase", "-f", "ro/key", "-N", "new passphrase"],
        &["comment", "-f", "ro/key", "-C", "new comment"],
        &["generate", "-q", "-f", "ro/new", "--no-passphrase"],
    ];
    let mut transcript = String::new();
    for args in cases {
        let run = env.kw_unprivileged(*args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        transcript.push_str(&format!("$ keywright {}\n{}", args.join(" "), run.stderr));
    }
    assert!(contents() == before, "a file in the read-only directory changed");
    let mut names: Vec<_> = std::fs::read_dir(env.path("ro"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["host_key.pub", "key", "key.pub", "kh"]);
    assert_snapshot("read_only_directory.txt", &transcript);
}

/// A real full disk (ENOSPC from a 64 KiB tmpfs) where this machine lets us mount one in
/// a private mount namespace; the RLIMIT_FSIZE tests below run everywhere.
#[test]
fn a_full_tmpfs_changes_nothing() {
    let env = Env::new();
    let probe = env.sh("unshare -m sh -c 'mount -t tmpfs -o size=64k tmpfs \"$HOME\"' 2>&1");
    if probe.code != 0 {
        eprintln!(
            "a_full_tmpfs_changes_nothing: skipped: cannot mount a tmpfs here ({})",
            probe.out().trim()
        );
        return;
    }
    let big = known_hosts_lines(400);
    let script = "unshare -m sh -c 'mount -t tmpfs -o size=64k tmpfs full && cd full && \
         printf %s \"$KH\" > kh && cp ../key ../key.pub . && (cat /dev/zero > filler) 2>/dev/null; \
         for args in \"known-hosts hash -f kh\" \"known-hosts remove -f kh host7.example.com\" \
                     \"passphrase -f key -N secret -a 16\" \"generate -q -t rsa -b 4096 -f new --no-passphrase\"; do \
           keywright $args >/dev/null; echo \"exit $?\"; \
           cmp -s kh ../kh.orig && cmp -s key ../key && echo unchanged; ls -A | tr \"\\n\" \" \"; echo; \
         done'";
    std::fs::create_dir(env.path("full")).unwrap();
    env.write("kh.orig", &big);
    std::fs::copy(testdata("keys/id_rsa_4096"), env.path("key")).unwrap();
    std::fs::copy(testdata("keys/id_rsa_4096.pub"), env.path("key.pub")).unwrap();
    std::fs::set_permissions(env.path("key"), std::fs::Permissions::from_mode(0o600)).unwrap();
    let run = env.sh_with(script, &[("KH", &big)]);
    let out = run.out();
    let blocks: Vec<&str> = out.split("exit ").skip(1).collect();
    assert_eq!(blocks.len(), 4, "{out}\n{}", run.stderr);
    for block in blocks {
        assert_eq!(block, "2\nunchanged\nfiller key key.pub kh \n", "{out}\n{}", run.stderr);
    }
    let errors: Vec<&str> = run.stderr.lines().filter(|l| l.starts_with("keywright: error:")).collect();
    assert_eq!(errors.len(), 4, "{}", run.stderr);
    assert!(errors.iter().all(|e| e.ends_with(": no space left on device")), "{}", run.stderr);
}

/// RLIMIT_FSIZE (SIGXFSZ ignored, so writes fail with EFBIG) for the key files.
#[test]
fn a_file_size_limit_leaves_keys_as_they_were() {
    let env = Env::new();
    env.fixture("id_rsa_4096");
    let before = env.read("id_rsa_4096");
    let pub_before = env.read("id_rsa_4096.pub");
    for args in [
        "passphrase -f id_rsa_4096 -N secret",
        "comment -f id_rsa_4096 -C another",
        "generate -q -t rsa -b 4096 -f new --no-passphrase",
    ] {
        // 1 KiB: less than the private key, more than the .pub.
        let run = env.sh(&format!("trap '' XFSZ; ulimit -f 1; keywright {args}"));
        assert_eq!(run.code, 2, "{args}: {}", run.stderr);
        assert!(
            run.stderr.contains(": file too large\nkeywright: hint: free some space"),
            "{args}: {}",
            run.stderr
        );
        assert_eq!(env.read("id_rsa_4096"), before, "{args}");
        assert_eq!(env.read("id_rsa_4096.pub"), pub_before, "{args}");
        assert!(!env.path("new").exists() && !env.path("new.pub").exists(), "{args} left a half-made key");
        assert_eq!(temp_files(env.home()), Vec::<String>::new(), "{args}");
    }
}

/// Starts `keywright ARGS` without stdin and stdout, its stderr as `stderr` says.
fn spawn(env: &Env, args: &[&str], stderr: Stdio) -> Child {
    env.kw_command(args).stdin(Stdio::null()).stdout(Stdio::null()).stderr(stderr).spawn().unwrap()
}

/// Kills `args` after `delay` (SIGKILL, no chance to clean up).
fn run_and_kill(env: &Env, args: &[&str], delay: Duration) {
    let mut child = spawn(env, args, Stdio::null());
    std::thread::sleep(delay);
    let _ = child.kill();
    child.wait().unwrap();
}

/// How long a full run of `args` takes.
fn duration_of(env: &Env, args: &[&str]) -> Duration {
    let start = Instant::now();
    env.kw(args).success();
    start.elapsed()
}

/// Whether known_hosts `now` is the hashed rewrite of `original`; failing when it is
/// neither that nor `original` itself (`when` says which run left it).
#[track_caller]
fn is_hashed_rewrite(now: &str, original: &str, when: &str) -> bool {
    if now == original {
        return false;
    }
    let lines: Vec<&str> = now.lines().collect();
    assert_eq!(lines.len(), 100_000, "{when}: a partial file");
    assert!(lines.iter().all(|l| l.starts_with("|1|")), "{when}: a mix");
    true
}

#[test]
fn a_rewrite_killed_at_any_point_leaves_old_or_new_never_a_mix() {
    let env = Env::new();
    let original = known_hosts_lines(100_000);
    let hash = ["known-hosts", "hash", "-q", "-f", "kh"];
    env.write("kh", &original);
    let full_run = duration_of(&env, &hash);
    assert!(is_hashed_rewrite(&env.read_string("kh"), &original, "a full run"));
    let points = 12;
    for point in 0..=points {
        env.write("kh", &original);
        run_and_kill(&env, &hash, full_run * point / points);
        // Either is right here; a partial file or a mix fails inside.
        is_hashed_rewrite(&env.read_string("kh"), &original, &format!("kill at {point}/{points}"));
    }
    // The next run finishes the job and clears what the killed ones left.
    env.write("kh", &original);
    env.kw(hash).success();
    assert!(is_hashed_rewrite(&env.read_string("kh"), &original, "the run after the kills"));
    assert_eq!(temp_files(env.home()), Vec::<String>::new());
    let oracle = env.ssh_keygen(["-F", "host99999.example.com", "-f", "kh"]);
    assert_eq!(oracle.code, 0);
}

#[test]
fn a_passphrase_change_killed_at_any_point_leaves_a_usable_key() {
    let env = Env::new();
    env.fixture("id_ed25519");
    let original = env.read("id_ed25519");
    let args = ["passphrase", "-f", "id_ed25519", "-N", "new secret", "-a", "64"];
    let full_run = duration_of(&env, &args);
    let points = 8;
    for point in 0..=points {
        std::fs::write(env.path("id_ed25519"), &original).unwrap();
        run_and_kill(&env, &args, full_run * point / points);
        let passphrase = if env.read("id_ed25519") == original { "" } else { "new secret" };
        let oracle = env.oracle_public("id_ed25519", passphrase);
        assert_eq!(
            oracle.code, 0,
            "kill at {point}/{points}: ssh-keygen cannot load the key: {}",
            oracle.stderr
        );
        assert_eq!(mode(&env.path("id_ed25519")), 0o600);
    }
}

/// Adds, removes and hashes of one file at once: each run's change survives.
#[test]
fn concurrent_writers_of_different_kinds_lose_nothing() {
    let env = Env::new();
    env.write("kh", known_hosts_lines(200));
    let rsa = key_line("id_rsa_2048");
    let mut children = Vec::new();
    for i in 0..10 {
        let add = ["known-hosts", "add", "-q", "-f", "kh", &format!("new{i}.example.com"), &rsa];
        children.push(spawn(&env, &add, Stdio::piped()));
        let remove = ["known-hosts", "remove", "-q", "-f", "kh", &format!("host{i}.example.com")];
        children.push(spawn(&env, &remove, Stdio::piped()));
        if i % 3 == 0 {
            children.push(spawn(&env, &["known-hosts", "hash", "-q", "-f", "kh"], Stdio::piped()));
        }
    }
    for child in children {
        let output = child.wait_with_output().unwrap();
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    }
    for i in 0..10 {
        assert_eq!(
            env.ssh_keygen(["-F", &format!("new{i}.example.com"), "-f", "kh"]).code,
            0,
            "add {i} lost"
        );
        assert_eq!(
            env.ssh_keygen(["-F", &format!("host{i}.example.com"), "-f", "kh"]).code,
            1,
            "remove {i} lost"
        );
    }
    for i in 10..200 {
        assert_eq!(
            env.ssh_keygen(["-F", &format!("host{i}.example.com"), "-f", "kh"]).code,
            0,
            "host{i} lost"
        );
    }
    let audit = env.kw(["known-hosts", "audit", "--fail-on", "error", "kh"]);
    assert_eq!(audit.code, 0, "{}", audit.out());
    assert_eq!(temp_files(env.home()), Vec::<String>::new());
}
