//! `-Y find-principals` and `-Y match-principals` through the native `signers find` and
//! `signers match`: the principals one a line on stdout, `No principal matched.` on
//! stderr when there are none, with 9.2's exit statuses.

use std::ffi::OsString;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use super::super::errors::strerror;
use super::super::flags::Flags;
use super::super::log;
use super::verify::{note_line, open_failed};
use super::{SigOptions, Takes};
use crate::cli::fingerprint::OutputFormat;
use crate::cli::signers::{FileArg, FindArgs, MatchArgs};
use crate::error::Error;

/// OpenSSH's error numbers that match-principals exits with (`return r` from main):
/// SSH_ERR_KEY_NOT_FOUND (-46) and SSH_ERR_SYSTEM_ERROR (-24), as a byte.
const KEY_NOT_FOUND: u8 = 210;
const SYSTEM_ERROR: u8 = 232;
/// SSH_ERR_INVALID_FORMAT (-4): a line that matched but cannot be read.
const INVALID_FORMAT: u8 = 252;

pub fn find(flags: &Flags, signature: &Path, file: &Path) -> ExitCode {
    let takes = Takes { hashalg: false, verify_time: true, print_pubkey: false };
    let Ok(options) = SigOptions::read(flags, takes) else { return none_matched(255) };
    let args = FindArgs {
        file: FileArg { file: file.to_path_buf() },
        signature: signature.to_path_buf(),
        verify_time: options.verify_time,
        format: OutputFormat::Text,
    };
    let found = match crate::commands::signers::find::run(args) {
        Ok(found) => found,
        Err(error) => {
            match error.chain().find_map(|cause| cause.downcast_ref::<Error>()) {
                Some(Error::Io { path, source }) if path == file => {
                    let reason = strerror(source);
                    log::line_bytes(&open_failed(path, &reason));
                    log::line(&format!("sig_find_principals: sshsig_find_principal: {reason}"));
                }
                _ => super::unreadable_signature(&error, signature, "sig_find_principals"),
            }
            return none_matched(255);
        }
    };
    for noted in &found.notes {
        log::line_bytes(&note_line(file, noted, b""));
    }
    if found.principals.is_empty() {
        return none_matched(255);
    }
    // 9.2 stops at the first empty principal.
    let shown: Vec<&String> = found.principals.iter().take_while(|p| !p.is_empty()).collect();
    print_lines(shown.iter().map(|p| p.as_bytes()));
    ExitCode::SUCCESS
}

pub fn matching(flags: &Flags, file: &Path, identity: &OsString) -> ExitCode {
    let takes = Takes { hashalg: false, verify_time: false, print_pubkey: false };
    if SigOptions::read(flags, takes).is_err() {
        // 9.2 returns the option error's number (SSH_ERR_INVALID_ARGUMENT, -10).
        return ExitCode::from(246);
    }
    let args = MatchArgs {
        file: FileArg { file: file.to_path_buf() },
        identity: identity.to_string_lossy().into_owned(),
        format: OutputFormat::Text,
    };
    let matched = match crate::commands::signers::matching::run(args) {
        Ok(matched) => matched,
        Err(error) => {
            let code = match error.chain().find_map(|cause| cause.downcast_ref::<Error>()) {
                Some(Error::Io { path, source }) => {
                    log::line_bytes(&open_failed(path, &strerror(source)));
                    SYSTEM_ERROR
                }
                Some(Error::BadSignerLine { path, line, problem }) => {
                    let noted = crate::sig::lookup::Noted {
                        line: *line,
                        note: crate::sig::lookup::LineNote::Unreadable(*problem),
                    };
                    log::line_bytes(&note_line(path, &noted, b""));
                    INVALID_FORMAT
                }
                _ => SYSTEM_ERROR,
            };
            return none_matched(code);
        }
    };
    if matched.lines.is_empty() {
        return none_matched(KEY_NOT_FOUND);
    }
    print_lines(matched.lines.iter().map(|line| line.principals.as_bytes()));
    ExitCode::SUCCESS
}

/// `No principal matched.` on stderr (a plain line, not a log line), and the exit.
fn none_matched(code: u8) -> ExitCode {
    let _ = std::io::stdout().flush();
    let _ = std::io::stderr().write_all(b"No principal matched.\n");
    ExitCode::from(code)
}

fn print_lines<'a>(lines: impl Iterator<Item = &'a [u8]>) {
    let mut out = std::io::stdout().lock();
    let mut text = Vec::new();
    for line in lines {
        text.extend_from_slice(line);
        text.push(b'\n');
    }
    let _ = out.write_all(&text).and_then(|()| out.flush());
}
