//! How OpenSSH 9.2's ssh-keygen asks, for its front ([`crate::context::Dialog::OpenSsh`]).
//!
//! Measured on the installed ssh-keygen 9.2:
//! - Passphrases (`readpassphrase(3)` with `RP_ALLOW_STDIN`): at the controlling terminal
//!   when there is one, echo off; without one, the prompt goes to stderr and the answer is
//!   read from standard input a byte at a time, up to a newline or carriage return. End of
//!   input is an empty answer, never a hang.
//! - Other questions (the file name, "Overwrite (y/n)?", "New comment:") are printed on
//!   stdout and answered on standard input through C's buffered `fgets`: the first read
//!   takes everything already waiting in a pipe, so a passphrase piped after a file name
//!   is swallowed by that buffer and reads as empty, exactly as with ssh-keygen. Both
//!   are reproduced here, the buffer included, so that scripts see the same behaviour.
//! - `SSH_ASKPASS_REQUIRE=force` (or `prefer` with a display) asks the `SSH_ASKPASS`
//!   program for passphrases instead, as OpenSSH's `read_passphrase` does.

use std::io::{self, Write};
use std::os::fd::AsFd;
use std::sync::Mutex;

use zeroize::Zeroizing;

use super::Secret;

/// How much C's stdio reads from standard input at once (glibc: the pipe's block size).
const STDIO_BUFFER: usize = 4096;

/// OpenSSH reads passphrases into a 1024-byte buffer: longer input is cut.
const PASSPHRASE_MAX: usize = 1023;

/// What stdio has read from standard input and `fgets` has not yet returned.
struct Stdio {
    buffer: Vec<u8>,
    eof: bool,
}

static STDIN: Mutex<Stdio> = Mutex::new(Stdio { buffer: Vec::new(), eof: false });

/// C's `fgets(buf, size, stdin)`: at most `size - 1` bytes, up to and including a newline;
/// `None` at end of input with nothing read.
///
/// # Errors
/// Reading standard input failed.
pub fn fgets(size: usize) -> io::Result<Option<Vec<u8>>> {
    let mut stdio = STDIN.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let limit = size.saturating_sub(1);
    loop {
        let newline = stdio.buffer.iter().position(|&b| b == b'\n');
        let take = match newline {
            Some(at) if at < limit => Some(at + 1),
            _ if stdio.buffer.len() >= limit => Some(limit),
            _ if stdio.eof => (!stdio.buffer.is_empty()).then_some(stdio.buffer.len()),
            _ => None,
        };
        if let Some(take) = take {
            return Ok(Some(stdio.buffer.drain(..take).collect()));
        }
        if stdio.eof {
            return Ok(None);
        }
        let mut chunk = [0u8; STDIO_BUFFER];
        match nix::unistd::read(io::stdin().as_fd(), &mut chunk) {
            Ok(0) => stdio.eof = true,
            Ok(n) => stdio.buffer.extend_from_slice(&chunk[..n]),
            Err(nix::errno::Errno::EINTR) => {}
            Err(e) => return Err(io::Error::from(e)),
        }
    }
}

/// Prints `question` on stdout and reads the answer line (at most `size - 1` bytes, the
/// newline removed); `None` at end of input.
///
/// # Errors
/// Writing the question or reading the answer failed.
pub fn ask(question: &str, size: usize) -> io::Result<Option<Vec<u8>>> {
    let mut stdout = io::stdout().lock();
    stdout.write_all(question.as_bytes())?;
    stdout.flush()?;
    drop(stdout);
    Ok(fgets(size)?.map(|mut line| {
        if let Some(end) = line.iter().position(|&b| b == b'\n') {
            line.truncate(end);
        }
        line
    }))
}

/// ssh-keygen's `confirm_overwrite`: yes only when the answer starts with `y` or `Y`; it
/// reads at most two bytes of it (the rest stays for the next question).
///
/// # Errors
/// Writing the question or reading the answer failed.
pub fn confirm(question: &str) -> io::Result<bool> {
    Ok(ask(question, 3)?.is_some_and(|answer| matches!(answer.first(), Some(b'y' | b'Y'))))
}

/// Reads a passphrase as ssh-keygen's `read_passphrase` does (see the module's notes).
///
/// # Errors
/// The terminal could not be used.
pub fn read_passphrase(prompt: &str) -> io::Result<Secret> {
    if let Some(program) = askpass_program() {
        return Ok(askpass(&program, prompt));
    }
    if std::fs::File::open("/dev/tty").is_ok() {
        return rpassword::prompt_password(prompt).map(|mut typed| {
            let secret = Zeroizing::new(typed.chars().take(PASSPHRASE_MAX).collect());
            zeroize::Zeroize::zeroize(&mut typed);
            secret
        });
    }
    let mut stderr = io::stderr().lock();
    stderr.write_all(prompt.as_bytes())?;
    stderr.flush()?;
    drop(stderr);
    Ok(read_stdin_line())
}

/// The askpass program OpenSSH 9.2's `read_passphrase` runs instead of reading the
/// terminal: only when `SSH_ASKPASS_REQUIRE` is `force`, or `prefer` with a display
/// (`DISPLAY` or `WAYLAND_DISPLAY`); `SSH_ASKPASS`, or OpenSSH's default program.
fn askpass_program() -> Option<std::ffi::OsString> {
    let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty());
    let display = set("DISPLAY") || set("WAYLAND_DISPLAY");
    let require = std::env::var("SSH_ASKPASS_REQUIRE").unwrap_or_default();
    let wanted = require.eq_ignore_ascii_case("force") || (require.eq_ignore_ascii_case("prefer") && display);
    wanted.then(|| std::env::var_os("SSH_ASKPASS").unwrap_or_else(|| "/usr/bin/ssh-askpass".into()))
}

/// Runs the askpass program with the prompt as its argument, as OpenSSH's
/// `ssh_askpass` does: its output up to the first line break is the passphrase; a
/// program that cannot run or fails gives an empty one.
fn askpass(program: &std::ffi::OsStr, prompt: &str) -> Secret {
    let output = std::process::Command::new(program)
        .arg(prompt)
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::inherit())
        .output();
    let Ok(output) = output else { return Secret::default() };
    let mut stdout = Zeroizing::new(output.stdout);
    if !output.status.success() {
        return Secret::default();
    }
    let end = stdout.iter().position(|&b| b == b'\r' || b == b'\n').unwrap_or(stdout.len());
    stdout.truncate(end.min(PASSPHRASE_MAX));
    Zeroizing::new(String::from_utf8_lossy(&stdout).into_owned())
}

/// One line of standard input read a byte at a time (nothing beyond it is consumed), as
/// `readpassphrase(3)` reads when there is no terminal. A read error ends the line, as
/// there.
fn read_stdin_line() -> Secret {
    let mut bytes = Zeroizing::new(Vec::with_capacity(64));
    let mut byte = [0u8; 1];
    loop {
        match nix::unistd::read(io::stdin().as_fd(), &mut byte) {
            Ok(1) if byte[0] != b'\n' && byte[0] != b'\r' => {
                if bytes.len() < PASSPHRASE_MAX {
                    bytes.push(byte[0]);
                }
            }
            Err(nix::errno::Errno::EINTR) => {}
            _ => break,
        }
    }
    byte.fill(0);
    Zeroizing::new(String::from_utf8_lossy(&bytes).into_owned())
}
