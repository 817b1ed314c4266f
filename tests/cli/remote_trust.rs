//! Trust nothing from outside: what copy-id does with what a server sends (floods,
//! escape sequences, odd keyboard-interactive requests) and where it writes (login shells
//! other than sh, planted links). The in-process fake server shows what sshd cannot
//! (tests/cli/support/fake_server.rs); the real sshd shows the rest.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::common::*;
use super::support::fake_server::{DEFAULT_PASSWORD, FakeServer, Fault, KbdRequest};
use super::support::sshd::{Sshd, TestUser, root_or_skip};
use super::support::{self, tree};

/// Any single run longer than this is a hang.
const HANG_LIMIT: Duration = Duration::from_secs(60);

/// The issue's goal for one host: peak memory (resident) under 64 MiB.
const MEMORY_GOAL_KIB: u64 = 64 * 1024;

/// A local side for the fake servers: the key to install, known_hosts, a password file.
struct Local {
    env: Env,
    key_line: String,
    args: Vec<OsString>,
}

impl Local {
    fn new(server: &FakeServer) -> Local {
        let env = Env::new();
        let key = env.fixture("id_ed25519").with_extension("pub");
        let key_line = std::fs::read_to_string(&key).unwrap().trim_end().to_owned();
        let known_hosts = env.write("known_hosts_test", server.known_hosts_line() + "\n");
        let password = env.write("password", DEFAULT_PASSWORD);
        let mut args: Vec<OsString> = vec!["copy-id".into(), "-i".into(), key.into_os_string()];
        let mut option = OsString::from("UserKnownHostsFile=");
        option.push(&known_hosts);
        args.extend(["-o".into(), option, "-o".into(), "StrictHostKeyChecking=yes".into()]);
        args.extend(["--password-file".into(), password.into()]);
        Local { env, key_line, args }
    }

    /// The copy-id command line with `extra` and the server as target.
    fn command(&self, server: &FakeServer, extra: &[&str]) -> std::process::Command {
        let mut args = self.args.clone();
        args.extend(extra.iter().map(OsString::from));
        args.push(server.target().into());
        support::kw_command(&self.env, args, &[])
    }

    fn copy_id(&self, server: &FakeServer, extra: &[&str]) -> Run {
        support::spawn(self.command(server, extra), None).finish_within(HANG_LIMIT)
    }

    /// [`Local::copy_id`] under `/usr/bin/time`: the run and its peak resident memory (KiB).
    fn copy_id_measured(&self, server: &FakeServer, extra: &[&str]) -> (Run, u64) {
        measured(&self.env, self.command(server, extra))
    }
}

/// A real sshd, a local home that knows its host key, and the key to install.
fn real_sshd() -> (Sshd, Env, PathBuf) {
    let sshd = Sshd::start();
    let env = Env::new();
    env.write(".ssh/known_hosts", format!("{}\n", sshd.host_key_line()));
    let key = env.fixture("id_ed25519").with_extension("pub");
    (sshd, env, key)
}

/// `copy-id -i KEY --password-file … EXTRA… user@127.0.0.1:PORT` for `user` of the real
/// sshd (its password written to a file in `env`), and the target as written.
fn copy_id_args(
    env: &Env,
    sshd: &Sshd,
    user: &TestUser,
    key: &Path,
    extra: &[&str],
) -> (Vec<OsString>, String) {
    let password = env.write("password", format!("{}\n", user.password()));
    let dest = format!("{}@127.0.0.1:{}", user.name(), sshd.port());
    let mut args: Vec<OsString> =
        vec!["copy-id".into(), "-i".into(), key.into(), "--password-file".into(), password.into()];
    args.extend(extra.iter().map(OsString::from));
    args.push(dest.clone().into());
    (args, dest)
}

/// Runs `inner` under `/usr/bin/time`: the run and the peak resident memory (KiB).
fn measured(env: &Env, inner: std::process::Command) -> (Run, u64) {
    let report = env.path("time.out");
    let mut timed = std::process::Command::new("/usr/bin/time");
    timed.arg("-f").arg("%M").arg("-o").arg(&report).arg(inner.get_program()).args(inner.get_args());
    if let Some(dir) = inner.get_current_dir() {
        timed.current_dir(dir);
    }
    for (name, value) in inner.get_envs() {
        match value {
            Some(value) => timed.env(name, value),
            None => timed.env_remove(name),
        };
    }
    let run = support::spawn(timed, None).finish_within(HANG_LIMIT);
    let kib = std::fs::read_to_string(&report).unwrap_or_default();
    (run, kib.lines().last().unwrap_or_default().trim().parse().unwrap_or(u64::MAX))
}

fn describe(run: &Run, server: &FakeServer) -> String {
    format!(
        "command: {}\nexit: {}\nstdout:\n{}\nstderr:\n{}\n{}",
        run.command,
        run.code,
        run.out(),
        run.stderr,
        server.log()
    )
}

/// Writes `contents` as the remote `.ssh/authorized_keys` of a fake server.
fn seed(home: &Path, contents: &[u8]) -> PathBuf {
    std::fs::create_dir_all(home.join(".ssh")).unwrap();
    let path = home.join(".ssh/authorized_keys");
    std::fs::write(&path, contents).unwrap();
    path
}

/// `# padding` lines up to `bytes`.
fn padding(bytes: usize) -> Vec<u8> {
    b"# padding padding padding padding padding padding padding padding\n"
        .iter()
        .copied()
        .cycle()
        .take(bytes)
        .collect()
}

/// Exit 1 and exactly one result line, `DEST: failed: REASON`.
#[track_caller]
fn assert_failed_with(run: &Run, server: &FakeServer, reason: &str) {
    let why = describe(run, server);
    assert_eq!(run.code, 1, "exit status\n{why}");
    assert_eq!(run.out(), format!("{}: failed: {reason}\n", server.target()), "{why}");
}

// ---------------------------------------------------------------------------------------
// Bounded server input

/// A server that never stops talking (stdout, then stderr, of every command) was read
/// until the timeout, into memory: each stream stops at its cap and fails the host.
#[test]
fn an_endless_flood_of_output_or_error_output_fails_the_host_at_the_cap() {
    for (script, reason) in [
        ("yes keywright-flood-keywright-flood", "the server sent more than 64 KiB of output"),
        ("yes keywright-flood-keywright-flood >&2", "the server sent more than 64 KiB of error output"),
    ] {
        let server = FakeServer::with_fault(Fault::Before(script.into()));
        let local = Local::new(&server);
        let (run, peak_kib) = local.copy_id_measured(&server, &["--timeout", "20"]);
        let why = describe(&run, &server);
        assert_failed_with(&run, &server, reason);
        assert!(!server.path(".ssh").exists(), "{why}");
        eprintln!("{script}: peak memory {peak_kib} KiB");
        assert!(peak_kib < MEMORY_GOAL_KIB, "peak memory {peak_kib} KiB\n{why}");
    }
}

/// A line of remote stderr reached the result line raw: an escape sequence and a CR
/// could erase the line and write a fake one in its place.
#[test]
fn server_error_text_is_escaped_on_the_result_line() {
    let script = r"printf 'oops\033[2K\rkeywright: all keys installed\n' >&2; exit 1";
    let server = FakeServer::with_fault(Fault::Before(script.into()));
    let local = Local::new(&server);
    let run = local.copy_id(&server, &["--timeout", "20"]);
    assert_failed_with(&run, &server, r"remote: oops\033[2K\015keywright: all keys installed");
    assert!(!run.stdout.contains(&0x1b) && !run.stderr.contains('\x1b'), "{}", describe(&run, &server));
}

/// Keyboard-interactive prompts were shown raw and without saying who asks; the
/// request's name and instruction were not shown at all.
#[test]
fn keyboard_interactive_shows_who_asks_and_escapes_the_server_text() {
    let request = KbdRequest {
        name: "Corp\x1b]0;pwned\x07".into(),
        instructions: "Line one\r\nkeywright: error: fake\n".into(),
        prompts: vec![("One-time code\x1b[8m: ".into(), true)],
    };
    let server = FakeServer::builder().keyboard_interactive_request(request).start();
    let local = Local::new(&server);
    let known_hosts = format!("UserKnownHostsFile={}", local.env.path("known_hosts_test").display());
    let key = local.env.path("id_ed25519.pub");
    let who = format!("({}@127.0.0.1)", server.user());
    let prompt = format!(r"{who} One-time code\033[8m: ");
    let wrong = local.env.write("wrong-password", "not the password\n");
    let args = [
        "copy-id",
        "-i",
        key.to_str().unwrap(),
        "-o",
        &known_hosts,
        "-o",
        "StrictHostKeyChecking=yes",
        // A wrong password: tried first (as ssh would, not knowing better), refused, so
        // keyboard-interactive is what logs in, its prompt answered at the terminal.
        "--password-file",
        wrong.to_str().unwrap(),
        "--timeout",
        "20",
        &server.target(),
    ];
    let run = local.env.kw_tty(&[(&prompt, DEFAULT_PASSWORD)], &args);
    let why = describe(&run, &server);
    assert_eq!(run.code, 0, "{why}");
    let terminal = run.out();
    let lines: Vec<&str> = terminal.split("\r\n").collect();
    for expected in [
        format!(r"{who} Corp\033]0;pwned\007"),
        format!(r"{who} Line one\015"),
        format!("{who} keywright: error: fake"),
    ] {
        assert!(lines.contains(&expected.as_str()), "no line {expected:?}\n{why}");
    }
    assert!(!terminal.contains('\x1b') && !terminal.contains('\x07'), "{why}");
    let installed = std::fs::read_to_string(server.path(".ssh/authorized_keys")).unwrap();
    assert_eq!(installed, format!("{}\n", local.key_line), "{why}");
}

// ---------------------------------------------------------------------------------------
// Remote writes that cannot be redirected

/// The shell transport wrote to `authorized_keys.keywright.$$`: anyone who can write to
/// the directory and guess the PID could plant a symlink there, and `cat >` wrote the
/// new authorized_keys through it. The fake server plants one at exactly that name
/// (its command keeps the planting shell's PID).
#[test]
fn a_link_planted_at_a_predictable_temporary_name_is_not_written_through() {
    let victim = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(victim.path(), "victim\n").unwrap();
    let script = format!(
        "[ -d .ssh ] && ln -sf {} .ssh/authorized_keys.keywright.$$ 2>/dev/null; :",
        victim.path().display()
    );
    let server = FakeServer::with_fault(Fault::Before(script));
    seed(server.home(), b"# mine\n");
    let local = Local::new(&server);
    let run = local.copy_id(&server, &["--timeout", "20"]);
    let why = describe(&run, &server);
    assert_eq!(run.code, 0, "{why}");
    assert_eq!(
        std::fs::read_to_string(victim.path()).unwrap(),
        "victim\n",
        "written through the link\n{why}"
    );
    let path = server.path(".ssh/authorized_keys");
    assert!(!path.symlink_metadata().unwrap().is_symlink(), "{why}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), format!("# mine\n{}\n", local.key_line), "{why}");
}

/// The path in the remote command line was quoted for POSIX sh, then handed to the
/// login shell, which for fish and tcsh reads quotes differently. Now the command line
/// is fixed and the script comes on stdin: a target path with a quote, backslashes, `!`,
/// `$`, spaces and a newline lands byte-exact, whatever the account's shell.
#[test]
fn the_shell_transport_is_safe_under_fish_tcsh_bash_and_sh_login_shells() {
    if !root_or_skip("the_shell_transport_is_safe_under_fish_tcsh_bash_and_sh_login_shells") {
        return;
    }
    let (sshd, env, key) = real_sshd();
    let key_line = std::fs::read_to_string(&key).unwrap();
    let dir = ".ssh/it's a \\\\ back\\'slash !! $HOME `id` \"q\"\nnew line";
    let target = format!("{dir}/authorized_keys");
    for shell in ["/usr/bin/fish", "/usr/bin/tcsh", "/bin/bash", "/bin/sh"] {
        let user = sshd.user();
        user.set_shell(shell);
        let (args, _) =
            copy_id_args(&env, &sshd, &user, &key, &["--transport", "shell", "--target-path", &target]);
        let run = support::kw(&env, args, &[], None);
        let why =
            format!("shell {shell}\nexit {}\nstdout:\n{}\nstderr:\n{}", run.code, run.out(), run.stderr);
        assert_eq!(run.code, 0, "{why}");
        assert_eq!(std::fs::read_to_string(user.path(&target)).unwrap(), key_line, "{why}");
        let expected: Vec<PathBuf> = [
            PathBuf::from(".ssh/it's a \\\\ back\\'slash !! $HOME `id` \"q\"\nnew line"),
            PathBuf::from(&target),
        ]
        .into_iter()
        .map(|p| p.strip_prefix(".ssh").unwrap().to_path_buf())
        .collect();
        assert_eq!(tree(&user.path(".ssh")), expected, "{why}");
    }
}

// ---------------------------------------------------------------------------------------
// One key, one line: see also generate.rs and comment.rs

/// A `.pub` whose comment holds a CR was installed as it was: the CR went into the
/// remote authorized_keys. It is refused before any host is contacted.
#[test]
fn a_key_comment_with_a_carriage_return_is_refused_before_connecting() {
    let server = FakeServer::start();
    let local = Local::new(&server);
    let key = std::fs::read_to_string(local.env.fixture("id_ed25519").with_extension("pub")).unwrap();
    let bad = local
        .env
        .write("bad.pub", format!("{} me\revil\n", key.split(' ').take(2).collect::<Vec<_>>().join(" ")));
    let run = local.copy_id(&server, &["-i", bad.to_str().unwrap()]);
    let why = describe(&run, &server);
    assert_eq!(run.code, 2, "{why}");
    assert_eq!(run.out(), "", "{why}");
    let error = format!(
        "keywright: error: {}:1: the comment of the key holds a carriage return; one key is one line, so nothing was written",
        bad.display()
    );
    assert_eq!(run.stderr.lines().next(), Some(error.as_str()), "{why}");
    assert_eq!(server.connections(), 0, "{why}");
    assert!(!server.path(".ssh").exists(), "{why}");
}

/// A 20 MiB authorized_keys was read whole into memory and rewritten with the key: what
/// a host may send for a file is capped at 16 MiB, and the host fails saying so, over
/// SFTP and over the shell, within the memory goal.
#[test]
fn an_authorized_keys_past_16_mib_on_a_real_sshd_fails_the_host() {
    if !root_or_skip("an_authorized_keys_past_16_mib_on_a_real_sshd_fails_the_host") {
        return;
    }
    let (sshd, env, key) = real_sshd();
    let before = padding(20 << 20);
    for transport in ["sftp", "shell"] {
        let user = sshd.user();
        user.write_authorized_keys(&before);
        let (args, dest) =
            copy_id_args(&env, &sshd, &user, &key, &["--transport", transport, "--timeout", "50"]);
        let (run, peak_kib) = measured(&env, support::kw_command(&env, args, &[]));
        let why = format!("{transport}\nexit {}\nstdout:\n{}\nstderr:\n{}", run.code, run.out(), run.stderr);
        assert_eq!(run.code, 1, "{why}");
        eprintln!("{transport}: peak memory {peak_kib} KiB");
        assert!(
            peak_kib < MEMORY_GOAL_KIB,
            "peak memory {peak_kib} KiB, goal under {MEMORY_GOAL_KIB} KiB\n{why}"
        );
        let reason = format!("the server sent more than 16 MiB for {}", user.authorized_keys().display());
        assert_eq!(run.out(), format!("{dest}: failed: {reason}\n"), "{why}");
        let hint = format!(
            "keywright: {dest}: hint: look at that file on the server: an authorized_keys file is far smaller"
        );
        assert_eq!(run.stderr.lines().last(), Some(hint.as_str()), "{why}");
        assert!(std::fs::read(user.authorized_keys()).unwrap() == before, "{why}");
        assert!(!user.path(".ssh/authorized_keys.lock").exists(), "lock left\n{why}");
    }
}

/// Between the installer's look at authorized_keys and the rename, the server (or anyone
/// who can write there) put a directory in its place: `mv` moved the new file into that
/// directory and the run said the key was added. What is renamed over is checked last.
#[test]
fn a_directory_swapped_in_before_the_rename_is_refused() {
    let counter = tempfile::NamedTempFile::new().unwrap();
    // With the lock held, the installer's commands are: look, read, replace. Before the
    // third, authorized_keys becomes a directory.
    let script = format!(
        "c={}; if [ -d .ssh/authorized_keys.lock ]; then n=$(( $(cat \"$c\" 2>/dev/null || echo 0) + 1 )); \
         echo $n > \"$c\"; if [ $n = 3 ]; then mv .ssh/authorized_keys .ssh/moved && mkdir .ssh/authorized_keys; fi; fi; :",
        counter.path().display()
    );
    let server = FakeServer::with_fault(Fault::Before(script));
    let path = seed(server.home(), b"# mine\n");
    let local = Local::new(&server);
    let run = local.copy_id(&server, &["--timeout", "20"]);
    let why = describe(&run, &server);
    let reason = format!(
        "cannot write {}: remote: it is now a symlink, a directory or another non-regular file: not replaced",
        path.display()
    );
    assert_failed_with(&run, &server, &reason);
    assert_eq!(tree(&path), Vec::<PathBuf>::new(), "written into the directory\n{why}");
    assert_eq!(
        tree(&server.path(".ssh")),
        [PathBuf::from("authorized_keys"), PathBuf::from("moved")],
        "{why}"
    );
}

/// A key in the agent whose comment holds a CR was installed with it. The comment is
/// set with ssh-keygen, which allows it.
#[test]
fn an_agent_key_comment_with_a_carriage_return_is_refused_before_connecting() {
    let server = FakeServer::start();
    let local = Local::new(&server);
    let key = local.env.fixture("id_ed25519");
    local.env.ssh_keygen(["-q", "-c", "-C", "me\revil", "-P", "", "-f", key.to_str().unwrap()]).success();
    let agent = super::support::sshd::Agent::start();
    agent.add(&key);
    let args = local.args.iter().filter(|a| !a.to_string_lossy().ends_with(".pub") && *a != "-i");
    let mut args: Vec<OsString> = args.cloned().collect();
    args.push(server.target().into());
    let command = support::kw_command(&local.env, args, &[("SSH_AUTH_SOCK", agent.sock().as_os_str())]);
    let run = support::spawn(command, None).finish_within(HANG_LIMIT);
    let why = describe(&run, &server);
    assert_eq!(run.code, 2, "{why}");
    assert_eq!(run.out(), "", "{why}");
    let error = "keywright: error: the comment of the agent's key 1 holds a carriage return; one key is one line, so nothing was written";
    assert_eq!(run.stderr.lines().next(), Some(error), "{why}");
    assert_eq!(server.connections(), 0, "{why}");
}

/// After a run that died, the next one lists the directory for its leftovers over SFTP;
/// the listing was read to its end, however long the server made it. Past 10 000 names
/// the host fails (and the lock is released).
#[test]
fn a_directory_listing_past_10000_names_fails_the_host() {
    if !root_or_skip("a_directory_listing_past_10000_names_fails_the_host") {
        return;
    }
    let (sshd, env, key) = real_sshd();
    let user = sshd.user();
    user.write_authorized_keys("# mine\n");
    for i in 0..10_001 {
        std::fs::write(user.path(&format!(".ssh/f{i}")), "").unwrap();
    }
    // A lock left an hour ago by a run that died: the leftovers are looked for.
    let lock = user.mkdir(".ssh/authorized_keys.lock", 0o700);
    let hour_ago = std::time::SystemTime::now() - Duration::from_secs(3600);
    std::fs::File::open(&lock).unwrap().set_modified(hour_ago).unwrap();
    let (args, dest) = copy_id_args(&env, &sshd, &user, &key, &["--transport", "sftp"]);
    let run = support::kw(&env, args, &[], None);
    let why = format!("exit {}\nstdout:\n{}\nstderr:\n{}", run.code, run.out(), run.stderr);
    assert_eq!(run.code, 1, "{why}");
    let reason = format!("the server listed more than 10000 names in {}", user.path(".ssh").display());
    assert_eq!(run.out(), format!("{dest}: failed: {reason}\n"), "{why}");
    assert_eq!(user.read_authorized_keys().as_deref(), Some("# mine\n"), "{why}");
    assert!(!lock.exists(), "lock left\n{why}");
}

/// The local-path rules refuse a FIFO where a regular file belongs, but `--hosts-file
/// <(…)` hands over a pipe on purpose (hosts from an inventory script): it is read.
#[test]
fn a_hosts_file_from_process_substitution_is_read() {
    let server = FakeServer::start();
    let local = Local::new(&server);
    let key = local.env.fixture("id_ed25519").with_extension("pub");
    let script = format!(
        "keywright copy-id -i '{}' --hosts-file <(echo '{}') -o UserKnownHostsFile=known_hosts_test \
         -o StrictHostKeyChecking=yes --password-file password",
        key.display(),
        server.target()
    );
    let run = local.env.sh(&script);
    let why = describe(&run, &server);
    assert_eq!(run.code, 0, "{why}");
    let advice = format!(
        "\nNumber of key(s) added: 1\n\nNow try logging into the machine, with:   \"ssh -p '{}' '{}@127.0.0.1'\"\n\
         and check to make sure that only the key(s) you wanted were added.\n\n",
        server.port(),
        server.user()
    );
    assert_eq!(run.out(), format!("{}: added 1 key(s)\n{advice}", server.target()), "{why}");
    let installed = std::fs::read_to_string(server.path(".ssh/authorized_keys")).unwrap();
    assert_eq!(installed, format!("{}\n", local.key_line), "{why}");
}

/// sshd's Banner was never shown (ssh shows it unless LogLevel is QUIET): it is shown on
/// stderr as the server's words, each line after `(user@host)`, escapes and CRs escaped;
/// and not at all with -q or --format json, whose output stays clean.
#[test]
fn the_sshd_banner_is_shown_escaped_but_not_in_quiet_or_json_runs() {
    if !root_or_skip("the_sshd_banner_is_shown_escaped_but_not_in_quiet_or_json_runs") {
        return;
    }
    let env = Env::new();
    let banner = env.write("banner", "Authorized use only\x1b[2J\r\nkeywright: error: forged\n");
    let sshd = Sshd::with_config(&[&format!("Banner {}", banner.display())]);
    // Both host keys: nothing for UpdateHostKeys to learn and say.
    env.write(".ssh/known_hosts", format!("{}\n{}\n", sshd.host_key_line(), sshd.known_hosts_line_rsa()));
    let key = env.fixture("id_ed25519").with_extension("pub");
    let user = sshd.user();
    let password = env.write("password", format!("{}\n", user.password()));
    let dest = format!("{}@127.0.0.1:{}", user.name(), sshd.port());
    let run = |extra: &[&str]| {
        let mut args: Vec<OsString> =
            ["copy-id", "-n", "--password-file"].iter().map(OsString::from).collect();
        args.extend([password.clone().into_os_string(), "-i".into(), key.clone().into_os_string()]);
        args.extend(extra.iter().map(OsString::from));
        args.push(dest.clone().into());
        support::kw(&env, args, &[], None)
    };
    let who = format!("({}@127.0.0.1)", user.name());
    let text = run(&[]);
    let why = format!("exit {}\nstdout:\n{}\nstderr:\n{}", text.code, text.out(), text.stderr);
    assert_eq!(text.code, 0, "{why}");
    assert_eq!(text.out(), format!("{dest}: would add 1 key(s)\n"), "{why}");
    let expected = format!(
        "{}\n{who} Authorized use only\\033[2J\\015\n{who} keywright: error: forged\n\
         keywright: {dest}: would create {}/.ssh (mode 700)\n",
        support::source_line(&key),
        user.home().display()
    );
    assert_eq!(text.stderr, expected, "{why}");
    let quiet = run(&["-q"]);
    assert_eq!(
        (quiet.code, quiet.out(), quiet.stderr.as_str()),
        (0, format!("{dest}: would add 1 key(s)\n"), "")
    );
    let json = run(&["--format", "json"]);
    assert_eq!(json.code, 0, "{}", json.stderr);
    let document: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON on stdout");
    assert_eq!(document["hosts"][0]["status"], "would-add");
    // Only keywright's own note: no banner.
    let note = format!("keywright: {dest}: would create {}/.ssh (mode 700)\n", user.home().display());
    assert_eq!(json.stderr, note);
    assert!(tree(user.home()).is_empty());
}
