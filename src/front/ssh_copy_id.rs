//! keywright as `ssh-copy-id`: the command line of OpenSSH 9.2's ssh-copy-id over
//! copy-id's model, printing the script's lines on the script's streams with its exit
//! statuses (0 when the keys are installed or were all there; 1 for everything else,
//! usage and `-h` included).
//!
//! Flags: `-i identity_file`, `-f`, `-n`, `-s`, `-p port`, `-o ssh_option` (repeatable),
//! `-F ssh_config`, `-h`/`-?`, and from later ssh-copy-id versions `-t target_path` (the
//! remote file, relative to the remote home) and `-x` (debug: the script traces its shell
//! commands; keywright prints its plan — the keys, the resolved host, port, known_hosts
//! files and identity files, how it logs in, where it writes — and the changes it made,
//! as `+ ` lines on stderr). The usage text is 9.2's, which predates `-t` and `-x`.
//!
//! Where keywright knowingly differs from the script:
//! - one SSH connection (keywright's own), no `ssh`/`sftp` binaries: keys already
//!   installed are found by reading authorized_keys and comparing key data, so a key
//!   installed with options is never added again unrestricted, and `-f` is needed only to
//!   add a key twice;
//! - `-s` does not print sftp's batch echo (`sftp> put …` of the script's temporary
//!   files) and keeps the file's mode less group/other write instead of forcing 0600;
//! - no scratch directory under `~/.ssh` is needed; Dropbear's and NetScreen's special
//!   cases are not made (keys go to `-t`'s file, `.ssh/authorized_keys` by default);
//! - `-o` options keywright does not know are ignored rather than refused; the
//!   installer's repairs (modes sshd's StrictModes refuses) are made and told under `-x`,
//!   its warnings (a home others can write to) as `WARNING:` lines;
//! - the password comes from the terminal or `KEYWRIGHT_PASSWORD` (not `SSH_ASKPASS`),
//!   is tried once, and a refusal is one `Permission denied (…)` line; a server's lines
//!   (a banner) are shown after `(user@host) `, escaped, as keywright shows them always;
//! - a key file's lines are read as keys (comments and blank lines are not installed) and
//!   written back as `type base64 comment`;
//! - on a terminal, a password prompt comes before "N key(s) remain" (one login, not two).

use std::ffi::OsString;
use std::process::ExitCode;

use crate::context::Context;
use crate::remote::copy_id::Runner;

mod args;
mod install;
mod keys;
mod program;
mod say;

use say::{Say, Stop};

/// Runs the front with the arguments after the program name; exits as ssh-copy-id exits.
pub fn main(args: Vec<OsString>) -> ExitCode {
    // Read before the process is made undumpable, which closes /proc/self/mem to it.
    let program = program::name(std::env::args_os().next().as_deref());
    crate::secret::harden_process();
    let ctx = Context::from_env(false);
    let say = Say::new(&ctx, program);
    match run(&ctx, &say, &args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Stop(code)) => ExitCode::from(code),
    }
}

/// The script's steps: its options, its keys, then the host.
fn run(ctx: &Context, say: &Say, args: &[OsString]) -> Result<(), Stop> {
    let invocation = args::read(ctx, say, args)?;
    let runner = Runner::new().map_err(|e| say.cannot_start(&e))?;
    let mut id_file = invocation.id_file.clone();
    let keys = keys::choose(ctx, say, &runner, &mut id_file, invocation.forced)?;
    if invocation.forced && invocation.dry_run {
        // Nothing to look for and nothing to write: the script does not log in at all.
        let lines: Vec<&[u8]> = keys.keys.iter().map(|key| key.line.as_slice()).collect();
        say.would_add(&lines);
        return Ok(());
    }
    install::install(ctx, say, &runner, &invocation, &keys, id_file.as_ref())
}
