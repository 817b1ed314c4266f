//! keywright as `ssh-keygen`, judged by the installed ssh-keygen 9.2: every case runs the
//! real /usr/bin/ssh-keygen and the front (through a link named `ssh-keygen`, and as
//! `keywright ssh-keygen`), each in its own temporary home with the same files and the
//! same standard input, and asserts the same stdout, stderr and exit status (after the
//! home's path and the randomness of new keys and hashed names are masked), and the same
//! files with the same modes.
//!
//! Everything runs without a controlling terminal (`setsid`), as under CI: ssh-keygen then
//! asks on stdin and stderr. Terminal dialogues are in `prompts.rs`, through
//! `tests/pty_answer.py`. ssh-keygen reads the password database, not `$HOME`, so no case
//! lets it fall back to `~/.ssh`: every one names its files, or answers the question for
//! the file with a name, or ends before a file is used.

mod argv;
mod convert;
mod grammar;
mod install_links;
mod keys;
mod known_hosts;
mod prompts;
mod server;
mod signatures;

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::common::{Env, Run, mode, ssh_keygen_path, testdata};
use super::support::spawn;

/// One of the front's two ways of being invoked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// A link named `ssh-keygen` to the binary, as `keywright install-links` makes.
    Link,
    /// `keywright ssh-keygen ARGS`.
    Subcommand,
}

/// The homes of one case and what each run printed.
pub struct Twins {
    pub oracle: Env,
    pub oracle_run: Run,
    pub fronts: Vec<(Via, Env, Run)>,
}

/// The runs' output with what must differ masked.
#[derive(Debug, PartialEq, Eq)]
struct Shown {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs a case: `setup` prepares each home, `args` and `stdin` go to every run. Panics,
/// showing both sides, when the fronts' output differs from ssh-keygen's.
#[track_caller]
pub fn compare(setup: &dyn Fn(&Env), args: &[&str], stdin: &[u8]) -> Twins {
    let twins = run_all(setup, args, stdin);
    // Without `-O verify-time=` the verify time is the clock's, read by each run in
    // turn: a second may tick between them.
    let clocked = !args.iter().any(|a| a.starts_with("verify-time="));
    let expected = shown(&twins.oracle, &twins.oracle_run, clocked);
    for (via, env, run) in &twins.fronts {
        let actual = shown(env, run, clocked);
        assert_eq!(
            actual, expected,
            "the front ({via:?}) differs from ssh-keygen for {args:?}\nfront stdout:\n{}\nfront stderr:\n{}",
            actual.stdout, actual.stderr
        );
    }
    twins
}

/// Runs a case without comparing, for the deliberate differences.
pub fn run_all(setup: &dyn Fn(&Env), args: &[&str], stdin: &[u8]) -> Twins {
    let oracle = Env::new();
    setup(&oracle);
    let oracle_run = run(&oracle, None, args, stdin);
    let fronts = [Via::Link, Via::Subcommand]
        .into_iter()
        .map(|via| {
            let env = Env::new();
            setup(&env);
            let run = run(&env, Some(via), args, stdin);
            (via, env, run)
        })
        .collect();
    Twins { oracle, oracle_run, fronts }
}

/// Runs ssh-keygen (`via` None) or the front in `env`'s home, without a terminal.
pub fn run(env: &Env, via: Option<Via>, args: &[&str], stdin: &[u8]) -> Run {
    spawn(command(env, via, args), Some(stdin)).finish()
}

/// The command for [`run`]: `setsid -w PROGRAM ARGS` in the home, with the test
/// environment (`C` locale, no agent, no askpass).
pub fn command<S: AsRef<OsStr>>(env: &Env, via: Option<Via>, args: &[S]) -> Command {
    let mut cmd = Command::new("setsid");
    cmd.arg("-w");
    match via {
        None => cmd.arg(ssh_keygen_path()),
        Some(Via::Link) => cmd.arg(link(env)),
        Some(Via::Subcommand) => {
            cmd.args([env!("CARGO_BIN_EXE_keywright").as_ref(), OsStr::new("ssh-keygen")])
        }
    };
    cmd.args(args).current_dir(env.home()).env("HOME", env.home()).env("LC_ALL", "C");
    for var in
        ["SSH_AUTH_SOCK", "SSH_AGENT_PID", "LANG", "LC_CTYPE", "DISPLAY", "SSH_ASKPASS", "KEYWRIGHT_BATCH"]
    {
        cmd.env_remove(var);
    }
    cmd
}

/// A link named `ssh-keygen` to the binary, in a directory of the home's own.
pub fn link(env: &Env) -> PathBuf {
    let dir = env.path(".bin");
    let link = dir.join("ssh-keygen");
    if !link.exists() {
        std::fs::create_dir_all(&dir).unwrap();
        std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_keywright"), &link).unwrap();
    }
    link
}

fn shown(env: &Env, run: &Run, clocked: bool) -> Shown {
    let stderr = mask(env, &run.stderr);
    let stderr = if clocked { mask_verify_time(&stderr) } else { stderr };
    Shown { code: run.code, stdout: mask(env, &run.out()), stderr }
}

/// `verify time 2026-12-02T17:40:31` as `verify time <now>`.
fn mask_verify_time(text: &str) -> String {
    const MARK: &str = "verify time ";
    const STAMP: usize = "2026-12-02T17:40:31".len();
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(MARK) {
        let after = at + MARK.len();
        out.push_str(&rest[..after]);
        rest = &rest[after..];
        if rest.len() >= STAMP && rest.as_bytes()[10] == b'T' {
            out.push_str("<now>");
            rest = &rest[STAMP..];
        }
    }
    out.push_str(rest);
    out
}

/// The home's path as `~` (ssh-keygen's own home is the password database's: its
/// default paths are masked the same way), new keys' fingerprints and randomart, and
/// hashed host names.
pub fn mask(env: &Env, text: &str) -> String {
    let home = env.home().display().to_string();
    let real_home = nix::unistd::User::from_uid(nix::unistd::getuid())
        .ok()
        .flatten()
        .map(|u| u.dir.display().to_string())
        .unwrap_or_default();
    let text = text.replace(&home, "~");
    let text = if real_home.len() > 1 { text.replace(&format!("{real_home}/"), "~/") } else { text };
    let mut out = Vec::new();
    let mut after_fingerprint = false;
    // The 9 rows of a new key's randomart follow its header line.
    let mut art_rows = 0;
    for line in text.split_inclusive('\n') {
        let bare = line.strip_suffix('\n').unwrap_or(line);
        let masked = if after_fingerprint {
            let comment = bare.split_once(' ').map_or("", |(_, c)| c);
            format!("<fingerprint> {comment}{}", &line[bare.len()..])
        } else if art_rows > 0 && art_rows <= 10 && bare.starts_with('|') {
            format!("|<randomart>|{}", &line[bare.len()..])
        } else {
            mask_hashes(line)
        };
        after_fingerprint = line.starts_with("The key fingerprint is:");
        art_rows = match line.starts_with("The key's randomart image is:") {
            true => 1,
            false if art_rows > 0 && art_rows <= 10 => art_rows + 1,
            false => 0,
        };
        out.push(masked);
    }
    out.concat()
}

/// `|1|salt|hash` names as `|1|<hashed>`: a new salt each time.
pub fn mask_hashes(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(at) = rest.find("|1|") {
        out.push_str(&rest[..at]);
        let field = &rest[at..];
        let end = field.find([' ', '\t', '\n']).unwrap_or(field.len());
        out.push_str("|1|<hashed>");
        rest = &field[end..];
    }
    out.push_str(rest);
    out
}

impl Twins {
    /// Every home (the oracle's first) with its name for messages.
    fn homes(&self) -> impl Iterator<Item = (String, &Env)> {
        std::iter::once(("ssh-keygen".to_string(), &self.oracle))
            .chain(self.fronts.iter().map(|(via, env, _)| (format!("front ({via:?})"), env)))
    }

    /// The same files (names and modes) in every home, `.bin` aside.
    #[track_caller]
    pub fn same_files(&self) -> &Self {
        let expected = files(self.oracle.home());
        for (name, env) in self.homes().skip(1) {
            assert_eq!(files(env.home()), expected, "{name}: files and modes differ from ssh-keygen's");
        }
        self
    }

    /// The same contents of `file` in every home, hashed names masked.
    #[track_caller]
    pub fn same_contents(&self, file: &str) -> &Self {
        let read = |env: &Env| mask_hashes(&String::from_utf8_lossy(&env.read(file)));
        let expected = read(&self.oracle);
        for (name, env) in self.homes().skip(1) {
            assert_eq!(read(env), expected, "{name}: {file} differs from ssh-keygen's");
        }
        self
    }

    /// `file` holds the same key in every home, unlocked by `passphrase` and by nothing
    /// else (checked with ssh-keygen -y), with the same public line.
    #[track_caller]
    pub fn same_key(&self, file: &str, passphrase: &str) -> &Self {
        let public = |env: &Env| {
            let run = env.ssh_keygen(["-y", "-P", passphrase, "-f", file]);
            assert_eq!(run.code, 0, "{file} does not open with {passphrase:?}: {}", run.stderr);
            if !passphrase.is_empty() {
                assert_ne!(env.ssh_keygen(["-y", "-P", "", "-f", file]).code, 0, "{file} is not encrypted");
            }
            run.out()
        };
        let expected = public(&self.oracle);
        for (name, env) in self.homes().skip(1) {
            assert_eq!(public(env), expected, "{name}: {file} differs from ssh-keygen's");
        }
        self
    }

    /// Both sides made a key in `file` of the same kind (type, size, comment) that opens
    /// with `passphrase`, with a `.pub` of the same key.
    #[track_caller]
    pub fn same_kind_of_key(&self, file: &str, passphrase: &str) -> &Self {
        let kind = |env: &Env| {
            let line = env.ssh_keygen(["-y", "-P", passphrase, "-f", file]).success().out();
            assert_eq!(env.read_string(&format!("{file}.pub")).trim_end(), line.trim_end(), "{file}.pub");
            let listed = env.ssh_keygen(["-l", "-f", file]).success().out();
            let (bits, rest) = listed.split_once(' ').unwrap();
            (bits.to_string(), rest.split_once(' ').unwrap().1.to_string())
        };
        let expected = kind(&self.oracle);
        for (name, env) in self.homes().skip(1) {
            assert_eq!(kind(env), expected, "{name}: {file} is another kind of key than ssh-keygen's");
        }
        self
    }
}

/// Every file under `dir` with its mode, relative and sorted (the front's link aside).
pub fn files(dir: &Path) -> Vec<(PathBuf, u32)> {
    let mut found: Vec<(PathBuf, u32)> = super::support::tree(dir)
        .into_iter()
        .filter(|p| !p.starts_with(".bin"))
        .map(|p| {
            let mode = mode(&dir.join(&p));
            (p, mode)
        })
        .collect();
    found.sort();
    found
}

/// Copies key fixtures (and their `.pub`) into the home with ssh-keygen's modes.
pub fn keys(names: &'static [&'static str]) -> impl Fn(&Env) {
    move |env: &Env| {
        for name in names {
            env.fixture(name);
        }
    }
}

/// The `.pub` line of a fixture.
pub fn pub_line(name: &str) -> String {
    std::fs::read_to_string(testdata(&format!("keys/{name}.pub"))).unwrap()
}
