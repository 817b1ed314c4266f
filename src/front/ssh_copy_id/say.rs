//! Every line the ssh-copy-id front prints, in the words, streams and layout of OpenSSH
//! 9.2's ssh-copy-id (measured with /usr/bin/ssh-copy-id, Debian's 9.2p1 package), plus
//! ssh's own lines where the script shows what ssh said. Nothing else in the front
//! composes user-facing text.
//!
//! Where the script writes to stdout (its closing words, the dry-run list, and — a quirk
//! kept for scripts that capture it — some of its ID file errors) the text goes through
//! the printer's report; everything else is a line on stderr.

use std::cell::Cell;
use std::io;

use serde::Serialize;

use super::args::Invocation;
use crate::commands::copy_id::keys::Keys;
use crate::context::Context;
use crate::error::Error;
use crate::front::getopt::GetoptError;
use crate::print::copy_id::one_line;
use crate::print::{Format, Printer, Render, Text};
use crate::remote::config::{Resolved, StrictHostKeyChecking};
use crate::sanitize::{self, Charset};

/// How a run of the front ends once its messages are out: the exit status. ssh-copy-id
/// exits 1 for every failure, usage errors and `-h` included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stop(pub u8);

/// The exit status of every failure.
pub const FAILED: Stop = Stop(1);

/// The printer of one run, and the script's `$0`.
pub struct Say {
    printer: Printer,
    program: String,
    charset: Charset,
    /// Whether `-x` asked for the trace lines.
    debug: Cell<bool>,
}

/// Text composed here for stdout.
#[derive(Serialize)]
struct Composed(String);

impl Render for Composed {
    fn text(&self, out: &mut Text<'_>) -> io::Result<()> {
        out.write(&self.0)
    }
}

impl Say {
    pub fn new(ctx: &Context, program: String) -> Say {
        Say {
            printer: Printer::new(ctx, Format::Text, false),
            program,
            charset: ctx.charset(),
            debug: Cell::new(false),
        }
    }

    /// Turns the `-x` trace on.
    pub fn trace(&self) {
        self.debug.set(true);
    }

    fn out(&self, text: String) {
        // A reader that went away gets nothing more; the exit status still says how it went.
        let _ = self.printer.report(&Composed(text));
    }

    fn err(&self, text: &str) {
        self.printer.stderr(text);
    }

    /// Text from a file or a server as the terminal should get it.
    fn escaped(&self, bytes: &[u8]) -> String {
        String::from_utf8_lossy(&sanitize::escape(bytes, self.charset)).into_owned()
    }

    // Usage.

    /// The usage text (on stderr); ends the run.
    pub fn usage(&self) -> Stop {
        self.err(&format!(
            "Usage: {} [-h|-?|-f|-n|-s] [-i [identity_file]] [-p port] [-F alternative ssh_config file] [[-o <ssh -o options>] ...] [user@]hostname\n\
             \t-f: force mode -- copy keys without trying to check if they are already installed\n\
             \t-n: dry run    -- no keys are actually copied\n\
             \t-s: use sftp   -- use sftp instead of executing remote-commands. Can be useful if the remote only allows sftp\n\
             \t-h|-?: print this help",
            self.program
        ));
        FAILED
    }

    /// The shell's getopts complaint (dash's words, without a program name), then usage.
    pub fn bad_option(&self, error: GetoptError) -> Stop {
        match error {
            GetoptError::Unknown(letter) => self.err(&format!("Illegal option -{}", letter as char)),
            GetoptError::MissingValue(letter) => self.err(&format!("No arg for -{} option", letter as char)),
        }
        self.usage()
    }

    /// More than one operand. (9.2 meant to list them, from a variable it never sets.)
    pub fn too_many_arguments(&self) -> Stop {
        self.err(&format!(
            "{}: ERROR: Too many arguments.  Expecting a target hostname, got: \n",
            self.program
        ));
        self.usage()
    }

    /// A second `-i`.
    pub fn second_i(&self) -> Stop {
        self.out(format!("\n{}: ERROR: -i option must not be specified more than once\n\n", self.program));
        self.usage()
    }

    // The keys.

    /// `-i ''` when there is no default key either.
    pub fn no_id_file(&self) -> Stop {
        self.out(format!("{}: ERROR: no ID file found\n", self.program));
        FAILED
    }

    /// An ID file that cannot be opened; for the private key, how to go on without it.
    pub fn cannot_open(&self, file: &str, reason: &str, public_anyway: Option<&str>) -> Stop {
        let anyway = public_anyway
            .map(|public| {
                format!("\n\t(to install the contents of '{public}' anyway, look at the -f option)")
            })
            .unwrap_or_default();
        self.out(format!("\n{}: ERROR: failed to open ID file '{file}': {reason}{anyway}\n", self.program));
        FAILED
    }

    pub fn source(&self, public: &str) {
        self.err(&format!("{}: INFO: Source of key(s) to be installed: \"{public}\"", self.program));
    }

    pub fn no_identities(&self) -> Stop {
        self.err(&format!("{}: ERROR: No identities found", self.program));
        FAILED
    }

    // The remote side.

    pub fn attempting(&self) {
        self.err(&format!(
            "{}: INFO: attempting to log in with the new key(s), to filter out any that are already installed",
            self.program
        ));
    }

    pub fn remain(&self, count: usize) {
        self.err(&format!(
            "{}: INFO: {count} key(s) remain to be installed -- if you are prompted now it is to install the new keys",
            self.program
        ));
    }

    /// Every key was there already: the run ends well.
    pub fn all_skipped(&self) {
        self.err(&format!(
            "\n{}: WARNING: All keys were skipped because they already exist on the remote system.\n\
             \t\t(if you think this is a mistake, you may want to use -f option)\n",
            self.program
        ));
    }

    /// What ssh said when the login that looks for installed keys failed otherwise than
    /// by refusing them: each line after `ERROR: `, as one block.
    pub fn filter_failed(&self, lines: &[SshLine]) -> Stop {
        let said: Vec<String> = lines.iter().map(|line| format!("ERROR: {}", line.text())).collect();
        self.err(&format!("\n{}: {}\n", self.program, said.join("\n")));
        FAILED
    }

    /// What ssh says on stderr, as it says it.
    pub fn ssh(&self, lines: &[SshLine]) {
        for line in lines {
            self.err(&line.text());
        }
    }

    /// keywright's own failure (no ssh line says it), every cause once, with its hint.
    pub fn failed_with(&self, error: &anyhow::Error) -> Stop {
        let hint = error.chain().find_map(|cause| cause.downcast_ref::<Error>().and_then(hint));
        self.failed(&crate::error::describe_chain(error), hint.as_deref())
    }

    /// A host's failure that no ssh line says, with its hint. What a server sent in it
    /// was escaped where it came in; as for the native command, one last guard keeps it
    /// to one line.
    pub fn host_failed(&self, error: &Error) -> Stop {
        let hint = hint(error).map(|hint| one_line(&hint));
        self.failed(&one_line(&error.to_string()), hint.as_deref())
    }

    /// A failure of keywright's own: the script's ERROR form, and what to do in the
    /// indented parentheses the script uses for its own advice.
    fn failed(&self, error: &str, hint: Option<&str>) -> Stop {
        self.err(&format!("{}: ERROR: {error}", self.program));
        if let Some(hint) = hint {
            self.err(&format!("\t({hint})"));
        }
        FAILED
    }

    /// The async runtime could not start (no threads left).
    pub fn cannot_start(&self, error: &io::Error) -> Stop {
        self.failed(&format!("cannot start: {}", crate::error::describe_io(error)), None)
    }

    /// The run gave no result for the host (it cannot happen; said rather than assumed).
    pub fn no_result(&self) -> Stop {
        self.failed("the run ended without a result for the host", None)
    }

    /// A problem the installer left for the user (a home writable by others).
    pub fn warning(&self, text: &str) {
        self.err(&format!("{}: WARNING: {text}", self.program));
    }

    /// The dry run's list of the key lines that would be added.
    pub fn would_add(&self, lines: &[&[u8]]) {
        let lines: Vec<String> = lines.iter().map(|line| self.escaped(line)).collect();
        self.out(format!(
            "=-=-=-=-=-=-=-=\nWould have added the following key(s):\n\n{}\n=-=-=-=-=-=-=-=\n",
            lines.join("\n")
        ));
    }

    /// The closing words after adding `count` keys; `command` is the ssh (or sftp)
    /// command line that logs in as this run did.
    pub fn added(&self, count: usize, command: &str) {
        self.out(format!(
            "\nNumber of key(s) added: {count}\n\n\
             Now try logging into the machine, with:   \"{command}\"\n\
             and check to make sure that only the key(s) you wanted were added.\n\n"
        ));
    }

    /// The `-x` trace of the plan: the keys, where they go, how the login goes.
    pub fn trace_plan(&self, keys: &Keys, resolved: &Resolved, invocation: &Invocation, context: &Context) {
        if !self.debug.get() {
            return;
        }
        let list = |paths: &[std::path::PathBuf]| {
            paths.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
        };
        self.debug(&format!("keys: {} key(s) from {}", keys.keys.len(), keys.source));
        self.debug(&format!(
            "connect: {}@{} port {}; host key checked against {} (StrictHostKeyChecking {})",
            resolved.user,
            resolved.host_name,
            resolved.port,
            list(&resolved.user_known_hosts),
            strictness(resolved.strict)
        ));
        let agent = if context.agent_socket().is_some() { "ssh-agent's keys, " } else { "" };
        let password = match (context.password().is_some(), context.can_prompt()) {
            (true, _) => "KEYWRIGHT_PASSWORD",
            (false, true) => "a password asked at the terminal",
            (false, false) => "no password (none given, none can be asked)",
        };
        self.debug(&format!(
            "log in: {agent}identity files [{}], then {password}",
            list(&resolved.identity_files)
        ));
        let transport = if invocation.sftp { "SFTP" } else { "sh" };
        let how = match (invocation.dry_run, invocation.forced) {
            (true, _) => " (dry run: nothing is written)",
            (false, true) => " (forced: keys already there are added again)",
            (false, false) => "",
        };
        self.debug(&format!("install: into {} through {transport}{how}", invocation.target_path));
    }

    /// A `-x` trace line: what the front is about to do (the script's `set -x` shows its
    /// shell commands; ours shows the plan and what came of it).
    pub fn debug(&self, text: &str) {
        if self.debug.get() {
            self.err(&format!("+ {}", self.escaped(text.as_bytes())));
        }
    }
}

/// A line as ssh writes it on stderr.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SshLine {
    /// Through ssh's log functions, which end lines in `\r\n`.
    Logged(String),
    /// Through a plain fprintf (`Bad port '…'`), ending in `\n`.
    Plain(String),
}

impl SshLine {
    /// The line without its final newline.
    fn text(&self) -> String {
        match self {
            SshLine::Logged(text) => format!("{text}\r"),
            SshLine::Plain(text) => text.clone(),
        }
    }
}

/// StrictHostKeyChecking as ssh_config spells it.
fn strictness(strict: StrictHostKeyChecking) -> &'static str {
    match strict {
        StrictHostKeyChecking::Ask => "ask",
        StrictHostKeyChecking::Yes => "yes",
        StrictHostKeyChecking::AcceptNew => "accept-new",
        StrictHostKeyChecking::No => "no",
    }
}

/// ssh's refusal of a `-p` value.
pub fn bad_port(value: &str) -> SshLine {
    SshLine::Plain(format!("Bad port '{value}'"))
}

/// What to do about `error`, in the front's terms: the native command's hint, unless it
/// names options the front does not have (then the front's own, or none).
fn hint(error: &Error) -> Option<String> {
    let hint = match error {
        // ssh-copy-id has no limit to raise.
        Error::HostTimedOut { .. } => return None,
        Error::SftpRequired { .. } | Error::NoSftp => "leave out -s to install through a POSIX shell",
        Error::RemoteNotDirectory { .. } | Error::RemoteNotRegular { .. } => {
            "move it out of the way, or name another file with -t"
        }
        Error::PasswordRejected { given: true, .. } => {
            "check the password in KEYWRIGHT_PASSWORD, and the user name (sshd refuses an unknown user the same way)"
        }
        Error::NoPasswordGiven { .. } => {
            "give the password in KEYWRIGHT_PASSWORD or at a terminal, an identity with -o IdentityFile=KEY, or load the key into ssh-agent"
        }
        other => return other.hint().filter(|hint| !hint.contains("--")),
    };
    Some(hint.to_string())
}

/// ssh's refusal of a `-F` file it cannot open.
pub fn cannot_open_config(file: &str, error: &io::Error) -> SshLine {
    let reason = error.to_string();
    let reason = reason.find(" (os error").map_or(reason.as_str(), |cut| &reason[..cut]);
    SshLine::Logged(format!("Can't open user config file {file}: {reason}"))
}

/// ssh's words for a failure to connect; `None` for a refused host key, which was told
/// in ssh's words as it was refused, and for a failure ssh has no words for.
pub fn ssh_words(error: &Error) -> Option<SshLine> {
    let connect = |host: &str, port: u16, why: &str| {
        SshLine::Logged(format!("ssh: connect to host {} port {port}: {why}", ssh_host(host)))
    };
    Some(match error {
        Error::CannotResolve { host, cause } => {
            // The resolver's words (gai_strerror), after the Rust library's preamble.
            let why = cause.strip_prefix("failed to lookup address information: ").unwrap_or(cause);
            SshLine::Logged(format!(
                "ssh: Could not resolve hostname {}: {}",
                ssh_host(host),
                capitalized(why)
            ))
        }
        Error::ConnectionRefused { host, port } => connect(host, *port, "Connection refused"),
        Error::ConnectTimedOut { host, port, .. } => connect(host, *port, "Connection timed out"),
        Error::CannotConnect { host, port, cause, network: true } => {
            connect(host, *port, &capitalized(cause))
        }
        _ => return None,
    })
}

/// ssh's last line when every method failed: the methods the server still offered.
pub fn permission_denied(user: &str, host: &str, methods: &[&str]) -> SshLine {
    SshLine::Logged(format!("{user}@{}: Permission denied ({}).", ssh_host(host), methods.join(",")))
}

/// Lines ssh prints that the script never shows: the note that a host key was learnt
/// (accept-new) comes from the script's first connection, whose output it throws away.
pub fn swallowed(line: &str) -> bool {
    line.starts_with("Warning: Permanently added ")
}

/// The host as ssh names it in messages: a name in lower case, an address as it is.
fn ssh_host(host: &str) -> String {
    match host.parse::<std::net::IpAddr>() {
        Ok(_) => host.to_string(),
        Err(_) => host.to_lowercase(),
    }
}

/// `text` with its first letter in upper case (keywright writes causes in lower case,
/// the C library's strings start with a capital).
fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// `command [-o 'opt' -p 'port' -F 'file' …] 'user@host'`: the options as given, each
/// quoted for sh as the script quotes them.
pub fn login_command(command: &str, options: &[(u8, String)], destination: &str) -> String {
    let mut line = command.to_string();
    for (letter, value) in options {
        line.push_str(&format!(" -{} '{}'", *letter as char, quote(value)));
    }
    line.push_str(&format!(" '{}'", quote(destination)));
    line
}

/// The script's `quote`: `'` becomes `'\''`.
fn quote(text: &str) -> String {
    text.replace('\'', "'\\''")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn login_command_quotes_as_the_script_does() {
        let options = [(b'o', "User=it's".to_string()), (b'p', "2222".to_string())];
        assert_eq!(login_command("ssh", &options, "me@host"), "ssh -o 'User=it'\\''s' -p '2222' 'me@host'");
        assert_eq!(login_command("sftp", &[], "host"), "sftp 'host'");
    }

    #[test]
    fn ssh_lines_end_as_ssh_ends_them() {
        assert_eq!(
            SshLine::Logged("Host key verification failed.".into()).text(),
            "Host key verification failed.\r"
        );
        assert_eq!(SshLine::Plain("Bad port 'x'".into()).text(), "Bad port 'x'");
    }
}
