//! Extra harness for tests that talk to a real server: a throwaway OpenSSH sshd (see
//! [`sshd`]) and a `keywright` runner that can set environment variables and never hangs.
#![allow(dead_code)]

pub mod fake_server;
pub mod sshd;

use std::ffi::OsStr;
use std::io::Read;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::common::{Env, Run};

/// How long one `keywright` run may take before the runner kills it and fails the test.
pub const RUN_TIMEOUT: Duration = Duration::from_secs(180);

/// `keywright ARGS` set up as [`Env::kw`] sets it up (temporary `HOME` as home and working
/// directory, batch mode, `LC_ALL=C`, no agent), plus the variables in `vars`.
pub fn kw_command<I, S>(env: &Env, args: I, vars: &[(&str, &OsStr)]) -> Command
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_keywright"));
    cmd.args(args)
        .current_dir(env.home())
        .env("HOME", env.home())
        .env("KEYWRIGHT_BATCH", "1")
        .env("LC_ALL", "C")
        .env_remove("SSH_AUTH_SOCK")
        .env_remove("SSH_AGENT_PID")
        .env_remove("KEYWRIGHT_PASSWORD")
        .env_remove("LANG")
        .env_remove("LC_CTYPE");
    for (name, value) in vars {
        cmd.env(name, value);
    }
    cmd
}

/// Runs `keywright ARGS` with extra variables and optional standard input, killing it after
/// [`RUN_TIMEOUT`] (the test then fails with what it printed so far).
pub fn kw<I, S>(env: &Env, args: I, vars: &[(&str, &OsStr)], input: Option<&[u8]>) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let running = spawn(kw_command(env, args, vars), input);
    running.finish()
}

/// A started command whose output is being collected.
pub struct Running {
    command: String,
    child: Child,
    stdout: std::thread::JoinHandle<Vec<u8>>,
    stderr: std::thread::JoinHandle<Vec<u8>>,
}

/// Starts `cmd` with piped output (and `input` on stdin, or /dev/null).
pub fn spawn(mut cmd: Command, input: Option<&[u8]>) -> Running {
    let command = format!("{cmd:?}");
    cmd.stdin(if input.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap_or_else(|e| panic!("cannot start {command}: {e}"));
    if let Some(input) = input {
        use std::io::Write;
        let mut stdin = child.stdin.take().expect("stdin");
        let input = input.to_vec();
        std::thread::spawn(move || {
            let _ = stdin.write_all(&input);
        });
    }
    let mut out = child.stdout.take().expect("stdout");
    let mut err = child.stderr.take().expect("stderr");
    let stdout = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = out.read_to_end(&mut buf);
        buf
    });
    let stderr = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = err.read_to_end(&mut buf);
        buf
    });
    Running { command, child, stdout, stderr }
}

impl Running {
    /// Waits for the command (at most [`RUN_TIMEOUT`]) and returns what it printed.
    pub fn finish(mut self) -> Run {
        let deadline = Instant::now() + RUN_TIMEOUT;
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                break Some(status);
            }
            if Instant::now() > deadline {
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
                "{} did not finish within {RUN_TIMEOUT:?}; killed\nstdout:\n{}\nstderr:\n{stderr}",
                self.command,
                String::from_utf8_lossy(&stdout)
            ),
        }
    }
}
