//! The remote part: the one target resolved as ssh would resolve it (`-o`, `-p`, `-F`),
//! copy-id's installer run on it over one connection, and its outcome told in the
//! script's words.
//!
//! The script logs in with each new key to find the ones already installed, then logs in
//! again to append the rest. keywright logs in once (trying the `-i` key first, so a key
//! that already logs in is found so too), reads authorized_keys, and adds the keys whose
//! key data is not there; the lines printed are the script's, in its order: "attempting
//! to log in" before connecting, "N key(s) remain" once the keys to add are known, and
//! ssh's own words for a failure, after `ERROR: ` when the script's first login would
//! have failed, as they are when its second would.

use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::args::Invocation;
use super::keys::IdFile;
use super::say::{self, FAILED, Say, SshLine, Stop};
use crate::commands::copy_id::keys::Keys;
use crate::context::Context;
use crate::error::Error;
use crate::remote::Transport;
use crate::remote::config::{Config, Overrides, Resolved};
use crate::remote::copy_id::{self as model, HostResult, HostStatus, Request, Runner};
use crate::remote::install::{self, Note};
use crate::remote::outcome::Finished;
use crate::remote::target::Target;
use crate::remote::terminal::{Echo, Question, Ui};
use crate::secret::{self, Secret};

/// How long the host may take, connecting, prompts and all. ssh itself never gives up;
/// this is long enough for a person typing at the prompts, and still ends a run against
/// a server that stopped answering instead of hanging a script forever.
const TIMEOUT: Duration = Duration::from_secs(300);

/// Installs `keys` on the invocation's host and tells how it went.
///
/// # Errors
/// The host failed (the exit status the script gives, its words printed).
pub fn install(
    ctx: &Context,
    say: &Say,
    runner: &Runner,
    invocation: &Invocation,
    keys: &Keys,
    id_file: Option<&IdFile>,
) -> Result<(), Stop> {
    if !invocation.forced {
        say.attempting();
    }
    let (target, resolved) =
        resolve(ctx, invocation, id_file).map_err(|refusal| refusal.tell(say, invocation))?;
    say.trace_plan(keys, &resolved, invocation, ctx);
    let request = Request {
        hosts: vec![(target, resolved.clone())],
        keys: keys.keys.clone(),
        options: install::Options {
            target_path: invocation.target_path.clone(),
            dry_run: invocation.dry_run,
            force: invocation.forced,
        },
        password: ctx.password().cloned(),
        agent_socket: ctx.agent_socket().map(Path::to_path_buf),
        transport: if invocation.sftp { Transport::Sftp } else { Transport::Shell },
        timeout: TIMEOUT,
        jobs: 1,
        ssh_dir: ctx.ssh_dir(),
        banners: true,
        probe_methods: true,
    };
    // The model prefixes every line a server sent with `(user@host) ` (see
    // sanitize::server_lines); ssh prints those raw, its own lines through its log.
    let server_prefix = format!("({}@{}) ", resolved.user, resolved.host_name);
    let ui = FrontUi { ctx, say, server_prefix, shown: RefCell::new(Vec::new()) };
    let result = runner.run(request, &ui).into_iter().next();
    let shown = ui.shown.take();
    let Some(result) = result else { return Err(say.no_result()) };
    tell(say, invocation, keys, &resolved, &result, shown)
}

/// Why the target could not be resolved: ssh's words, or keywright's.
enum Refusal {
    Ssh(Vec<SshLine>),
    Own(anyhow::Error),
}

impl Refusal {
    fn tell(self, say: &Say, invocation: &Invocation) -> Stop {
        match self {
            Refusal::Ssh(lines) => ssh_failed(say, invocation, &lines),
            Refusal::Own(error) => say.failed_with(&error),
        }
    }
}

/// ssh's words for a failure before the keys were looked for: after `ERROR: ` when the
/// script's first login would have said them, as they are when only its second login (in
/// forced mode) runs.
fn ssh_failed(say: &Say, invocation: &Invocation, lines: &[SshLine]) -> Stop {
    match invocation.forced {
        true => {
            say.ssh(lines);
            FAILED
        }
        false => say.filter_failed(lines),
    }
}

/// The target, resolved with the ssh options as ssh would apply them: `-o` and `-p` in
/// order, the first port winning; the last `-F`. The `-i` key logs in first, as the
/// script's first login uses it.
fn resolve(
    ctx: &Context,
    invocation: &Invocation,
    id_file: Option<&IdFile>,
) -> Result<(Target, Resolved), Refusal> {
    let options = ssh_options(&invocation.ssh_options)?;
    let own = |e: crate::Error| Refusal::Own(e.into());
    let overrides = Overrides::parse(&options, None, None).map_err(own)?;
    let config_file = invocation.ssh_options.iter().rev().find(|(letter, _)| *letter == b'F');
    let config = match config_file.map(|(_, file)| file.as_str()) {
        // As ssh: `-F none` reads no file at all.
        Some("none") => Config::from_text(Path::new("none"), "", &ctx.ssh_dir(), ctx.home()),
        Some(file) => match std::fs::File::open(file) {
            Ok(_) => Config::load(ctx, Some(Path::new(file))),
            Err(error) => return Err(Refusal::Ssh(vec![say::cannot_open_config(file, &error)])),
        },
        None => Config::load(ctx, None),
    }
    .map_err(own)?;
    let target = Target::parse(&invocation.destination).map_err(own)?;
    let resolved =
        crate::commands::fleet::resolve(ctx, &config, &overrides, vec![target]).map_err(Refusal::Own)?;
    let Some((target, mut resolved)) = resolved.into_iter().next() else {
        return Err(Refusal::Own(anyhow::anyhow!("no target")));
    };
    if let Some(private) = id_file.and_then(|id| id.private.as_deref()) {
        let rest = match resolved.identity_files_configured {
            true => std::mem::take(&mut resolved.identity_files),
            false => model::default_identities(&ctx.ssh_dir()),
        };
        resolved.identity_files = std::iter::once(PathBuf::from(private)).chain(rest).collect();
        resolved.identity_files_configured = true;
    }
    Ok((target, resolved))
}

/// `-o` values and `-p` ports as `-o` options, in order. ssh takes `-p` only while no
/// port is set (by an earlier `-p` or `-o Port`), and refuses a bad one with its own line.
fn ssh_options(given: &[(u8, String)]) -> Result<Vec<String>, Refusal> {
    let mut options = Vec::new();
    let mut port_set = false;
    for (letter, value) in given {
        match letter {
            b'o' => {
                let key = value.trim_start().split(|c: char| c == '=' || c.is_whitespace()).next();
                port_set |= key.is_some_and(|k| k.eq_ignore_ascii_case("port"));
                options.push(value.clone());
            }
            b'p' if !port_set => {
                let port = value.parse::<u16>().ok().filter(|&p| p != 0);
                let Some(port) = port else { return Err(Refusal::Ssh(vec![say::bad_port(value)])) };
                options.push(format!("Port={port}"));
                port_set = true;
            }
            _ => {}
        }
    }
    Ok(options)
}

/// The user's side while the host is worked on: questions at the terminal; what ssh
/// would print is kept, to be told in the script's order once the outcome is known.
struct FrontUi<'a> {
    ctx: &'a Context,
    say: &'a Say,
    /// How the lines a server sent (a banner) start.
    server_prefix: String,
    shown: RefCell<Vec<SshLine>>,
}

impl Ui for FrontUi<'_> {
    fn can_ask(&self) -> bool {
        self.ctx.can_prompt()
    }

    fn ask(&self, question: &Question) -> Option<Secret> {
        // What ssh printed so far (a banner) comes before its question.
        self.say.ssh(&self.shown.take());
        let (prompt, subject) = (question.prompt.as_str(), question.subject.as_str());
        match question.echo {
            Echo::Hidden => secret::prompt_hidden(self.ctx, prompt, subject).ok(),
            Echo::Shown | Echo::ShownWiped => secret::ask_wiped(self.ctx, prompt, subject).ok(),
        }
    }

    fn show(&self, text: &str) {
        let mut shown = self.shown.borrow_mut();
        for line in text.lines().filter(|line| !say::swallowed(line)) {
            shown.push(match line.starts_with(&self.server_prefix) {
                true => SshLine::Plain(line.into()),
                false => SshLine::Logged(line.into()),
            });
        }
    }

    fn host_done(&self, _: &Finished) {}
}

/// Tells how the host ended, in the script's order; `shown` is what ssh would have printed.
fn tell(
    say: &Say,
    invocation: &Invocation,
    keys: &Keys,
    resolved: &Resolved,
    result: &HostResult,
    shown: Vec<SshLine>,
) -> Result<(), Stop> {
    let notes = result.installed.as_ref().map(|i| i.notes.as_slice()).unwrap_or_default();
    for note in notes {
        match note {
            Note::Warning(text) => say.warning(text),
            Note::Change(text) => say.debug(text),
        }
    }
    let remain = |count: usize| {
        if !invocation.forced {
            say.remain(count);
        }
    };
    match &result.status {
        HostStatus::Present => {
            say.all_skipped();
            Ok(())
        }
        HostStatus::Added(added) => {
            remain(added.len());
            say.ssh(&shown);
            let command = if invocation.sftp { "sftp" } else { "ssh" };
            say.added(
                added.len(),
                &say::login_command(command, &invocation.ssh_options, &invocation.destination),
            );
            Ok(())
        }
        HostStatus::WouldAdd(added) => {
            remain(added.len());
            say.ssh(&shown);
            let lines: Vec<&[u8]> = added.iter().map(|&i| keys.keys[i].line.as_slice()).collect();
            say.would_add(&lines);
            Ok(())
        }
        HostStatus::Failed(error) => {
            Err(failed(say, invocation, keys, resolved, error, &result.methods, shown))
        }
    }
}

/// Where a host failed, as the script would have seen it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Before logging in (connecting, the host key): its first login fails.
    Connecting,
    /// The login was refused: its first login finds no key installed, its second is
    /// refused.
    LoggingIn,
    /// Later, on the remote files.
    Installing,
}

fn phase(error: &Error) -> Phase {
    match error {
        Error::CannotResolve { .. }
        | Error::ConnectionRefused { .. }
        | Error::CannotConnect { .. }
        | Error::ConnectTimedOut { .. }
        | Error::HostKeyChanged { .. }
        | Error::HostKeyRevoked { .. }
        | Error::UnknownHostKey { .. } => Phase::Connecting,
        Error::PasswordRejected { .. }
        | Error::PasswordWithheld { .. }
        | Error::NoPasswordAccepted { .. }
        | Error::NoPasswordGiven { .. }
        | Error::TooManyPrompts { .. } => Phase::LoggingIn,
        _ => Phase::Installing,
    }
}

/// A failed host in the script's words: before the login (ssh could not connect or
/// refused the host key) as its first login's failure; a refused login as its second
/// login's `Permission denied`, once the keys are known to remain (a key that logs in
/// would have let us in); anything later as keywright's own error.
fn failed(
    say: &Say,
    invocation: &Invocation,
    keys: &Keys,
    resolved: &Resolved,
    error: &Error,
    methods: &[&str],
    mut shown: Vec<SshLine>,
) -> Stop {
    let phase = phase(error);
    if phase == Phase::Connecting {
        // A refused host key was told in ssh's words as it was refused.
        shown.extend(say::ssh_words(error));
        if shown.is_empty() {
            return say.host_failed(error);
        }
        return ssh_failed(say, invocation, &shown);
    }
    if !invocation.forced {
        say.remain(keys.keys.len());
    }
    say.ssh(&shown);
    match phase == Phase::LoggingIn && !methods.is_empty() {
        true => {
            say.ssh(&[say::permission_denied(&resolved.user, &resolved.host_name, methods)]);
            FAILED
        }
        false => say.host_failed(error),
    }
}
