//! Extra harness for tests that talk to a real server: a throwaway OpenSSH sshd (see
//! [`sshd`]), an in-process faulty one (see [`fake_server`]), a runner that never hangs, and
//! what copy-id prints, shared by the copy-id test files.

pub mod fake_server;
pub mod sshd;

use std::ffi::OsStr;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::common::{Env, Run};

/// How long one `keywright` run may take before the runner kills it and fails the test.
pub const RUN_TIMEOUT: Duration = Duration::from_secs(180);

/// `keywright ARGS` set up as [`Env::kw`] sets it up, without a `KEYWRIGHT_PASSWORD` from
/// the caller's environment, plus the variables in `vars`.
pub fn kw_command<I, S>(env: &Env, args: I, vars: &[(&str, &OsStr)]) -> Command
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let mut cmd = env.kw_command(args);
    cmd.env_remove("KEYWRIGHT_PASSWORD").envs(vars.iter().copied());
    cmd
}

/// Runs `keywright ARGS` with extra variables and optional standard input, killing it after
/// [`RUN_TIMEOUT`] (the test then fails with what it printed so far).
pub fn kw<I, S>(env: &Env, args: I, vars: &[(&str, &OsStr)], input: Option<&[u8]>) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    spawn(kw_command(env, args, vars), input).finish()
}

/// A started command whose output is being collected.
pub struct Running {
    command: String,
    started: Instant,
    child: Child,
    stdout: std::thread::JoinHandle<Vec<u8>>,
    stderr: std::thread::JoinHandle<Vec<u8>>,
}

/// Starts `cmd` with piped output (and `input` on stdin, or /dev/null). The pipes are read
/// by threads, so a command that fills one cannot block.
pub fn spawn(mut cmd: Command, input: Option<&[u8]>) -> Running {
    let command = format!("{cmd:?}");
    cmd.stdin(if input.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let started = Instant::now();
    let mut child = cmd.spawn().unwrap_or_else(|e| panic!("cannot start {command}: {e}"));
    if let Some(input) = input {
        use std::io::Write;
        let mut stdin = child.stdin.take().expect("stdin");
        let input = input.to_vec();
        std::thread::spawn(move || {
            let _ = stdin.write_all(&input);
        });
    }
    let stdout = read_all(child.stdout.take().expect("stdout"));
    let stderr = read_all(child.stderr.take().expect("stderr"));
    Running { command, started, child, stdout, stderr }
}

/// A thread reading `pipe` to its end.
fn read_all(mut pipe: impl Read + Send + 'static) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = pipe.read_to_end(&mut buf);
        buf
    })
}

impl Running {
    /// Waits for the command (at most [`RUN_TIMEOUT`] since it started) and returns what
    /// it printed.
    pub fn finish(self) -> Run {
        self.finish_within(RUN_TIMEOUT)
    }

    /// Waits at most `limit` since the command started; one still running then is killed
    /// and the test fails with what it printed so far.
    pub fn finish_within(mut self, limit: Duration) -> Run {
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                break Some(status);
            }
            if self.started.elapsed() > limit {
                let _ = self.child.kill();
                let _ = self.child.wait();
                break None;
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let stdout = self.stdout.join().unwrap_or_default();
        let stderr = String::from_utf8_lossy(&self.stderr.join().unwrap_or_default()).into_owned();
        match status {
            Some(status) => Run { command: self.command, code: status.code().unwrap_or(-1), stdout, stderr },
            None => panic!(
                "HANG: {} did not finish within {limit:?}; killed\nstdout:\n{}\nstderr:\n{stderr}",
                self.command,
                String::from_utf8_lossy(&stdout)
            ),
        }
    }
}

/// What copy-id prints for a single target DEST (`USER@127.0.0.1:PORT`) that got `n`
/// keys: the result line, then ssh-copy-id's closing words byte for byte (as
/// /usr/bin/ssh-copy-id prints them: three spaces after "with:", the port quoted, a final
/// empty line).
pub fn added_stdout(user: &str, port: u16, n: usize) -> String {
    format!(
        "{user}@127.0.0.1:{port}: added {n} key(s)\n\nNumber of key(s) added: {n}\n\n\
         Now try logging into the machine, with:   \"ssh -p '{port}' '{user}@127.0.0.1'\"\n\
         and check to make sure that only the key(s) you wanted were added.\n\n"
    )
}

/// The stderr line naming the key file, without its newline.
pub fn source_line(public: &Path) -> String {
    format!("keywright: Source of key(s) to be installed: \"{}\"", public.display())
}

/// Asserts exit status 1 and a stdout of exactly one `DEST: failed: REASON` line with a
/// reason; returns the reason. `context` (server logs) goes into the failure message.
#[track_caller]
pub fn failure_reason(run: &Run, dest: &str, context: &str) -> String {
    let why = format!("command: {}\nstdout:\n{}\nstderr:\n{}\n{context}", run.command, run.out(), run.stderr);
    assert_eq!(run.code, 1, "exit status\n{why}");
    let out = run.out();
    let reason = out.strip_prefix(&format!("{dest}: failed: ")).and_then(|rest| rest.strip_suffix('\n'));
    match reason {
        Some(reason) if !reason.is_empty() && !reason.contains('\n') => reason.to_owned(),
        _ => panic!("expected one `{dest}: failed: REASON` line\n{why}"),
    }
}

/// Everything under `dir`, relative, sorted (for "nothing was written", "nothing left").
pub fn tree(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display())) {
            let path = entry.unwrap().path();
            found.push(path.strip_prefix(dir).unwrap().to_path_buf());
            if path.is_dir() {
                stack.push(path);
            }
        }
    }
    found.sort();
    found
}
