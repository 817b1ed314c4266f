//! Passphrases: where they come from (terminal prompt, file, stdin, the command line for
//! ssh-keygen compatibility) and how they are kept (zeroized on drop, never printed).
//!
//! Prompts are read from `/dev/tty` with echo off, never from a pipe, and are never
//! attempted in batch mode or without a terminal: those cases fail with a hint instead
//! of hanging.

use std::io::{self, BufRead, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use zeroize::Zeroizing;

pub mod argv;
pub mod openssh;

use crate::context::{Context, Dialog};
use crate::error::{Error, Needed, Result};

/// A passphrase or password; its memory is wiped when dropped.
pub type Secret = Zeroizing<String>;

/// How many times a mistyped new passphrase may be entered again.
const NEW_PASSPHRASE_ATTEMPTS: usize = 3;

/// The largest passphrase file we read: a passphrase is one line.
const MAX_PASSPHRASE_FILE: u64 = 64 * 1024;

/// A passphrase given on the command line (`-N`, `-P`). Its Debug form hides it and this
/// copy is wiped on drop (clap's raw copy of the argument is freed, unwiped, once parsing
/// is done; the process arguments are hidden by [`argv::hide_secret_arguments`]).
#[derive(Clone)]
pub struct Given(Secret);

/// Whether clap has parsed a non-empty [`Given`]: only then do the process arguments hold
/// a secret to hide.
static GIVEN_PARSED: AtomicBool = AtomicBool::new(false);

impl Given {
    /// The clap value parser for passphrase arguments.
    ///
    /// # Errors
    /// Never; the signature is the one clap wants.
    pub fn parse(text: &str) -> std::result::Result<Given, std::convert::Infallible> {
        // `-N ''` (no passphrase, the common scripted case) hides nothing: hiding would
        // only rebuild the whole command-line definition, about half of start-up's own work.
        if !text.is_empty() {
            GIVEN_PARSED.store(true, Ordering::Relaxed);
        }
        Ok(Given(Zeroizing::new(text.to_owned())))
    }

    /// Whether a non-empty passphrase argument has been parsed in this process.
    pub fn any_parsed() -> bool {
        GIVEN_PARSED.load(Ordering::Relaxed)
    }
}

impl std::fmt::Debug for Given {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Given(<hidden>)")
    }
}

/// Where one passphrase comes from.
#[derive(Clone)]
pub enum Source {
    /// Ask on the terminal.
    Prompt,
    /// The first line of a file; `-` is the next line of standard input.
    File(PathBuf),
    /// Given on the command line (`-N`/`-P`, for ssh-keygen compatibility).
    Given(Secret),
}

impl Source {
    /// The source chosen by the usual trio of options: a file, a literal, or the prompt.
    pub fn pick(file: Option<&Path>, literal: Option<&Given>) -> Self {
        match (file, literal) {
            (Some(path), _) => Source::File(path.to_path_buf()),
            (None, Some(Given(text))) => Source::Given(text.clone()),
            (None, None) => Source::Prompt,
        }
    }
}

impl std::fmt::Debug for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::Prompt => f.write_str("Prompt"),
            Source::File(path) => f.debug_tuple("File").field(path).finish(),
            Source::Given(_) => f.write_str("Given(<hidden>)"),
        }
    }
}

/// Reads the passphrase of an existing key.
///
/// # Errors
/// No terminal for a prompt, or an unreadable passphrase file.
pub fn existing(ctx: &Context, source: &Source, prompt: &str, subject: &str) -> Result<Secret> {
    match source {
        Source::Prompt => prompt_hidden(ctx, prompt, subject),
        Source::File(path) => read_file(path),
        Source::Given(secret) => Ok(secret.clone()),
    }
}

/// What ssh-keygen says when the two entries of a new key's passphrase differ.
pub const MISMATCH_GENERATE: &str = "Passphrases do not match.  Try again.";

/// What `ssh-keygen -p` says when the two entries of a new passphrase differ (it then
/// exits 1; keywright asks again).
pub const MISMATCH_CHANGE: &str = "Pass phrases do not match.  Try again.";

/// What a command says when the two entries of a new passphrase differ.
pub struct Mismatch<'a> {
    /// ssh-keygen's words for it ([`MISMATCH_GENERATE`], [`MISMATCH_CHANGE`]).
    pub words: &'static str,
    /// How keywright's own dialogue says it (a note on stderr); it then asks again, up to
    /// three times.
    pub note: &'a dyn Fn(&'static str),
    /// Whether ssh-keygen asks again after saying it (it does for a new key, for ever;
    /// `-p` gives up and exits 1). In OpenSSH's dialogue the words go to stdout.
    pub openssh_asks_again: bool,
}

/// Reads a new passphrase; at a prompt it is asked twice and must match. After a
/// mismatch the command's words are said (see [`Mismatch`]) and it is asked again.
///
/// # Errors
/// No terminal for a prompt, mismatched entries every time (in OpenSSH's dialogue, the
/// first time when it does not ask again), or an unreadable passphrase file.
pub fn new(
    ctx: &Context,
    source: &Source,
    prompt: &str,
    subject: &str,
    mismatch: &Mismatch<'_>,
) -> Result<Secret> {
    if ctx.dialog() == Dialog::OpenSsh {
        return new_openssh(ctx, source, prompt, subject, mismatch);
    }
    for _ in 1..NEW_PASSPHRASE_ATTEMPTS {
        match new_once(ctx, source, prompt, subject) {
            Err(Error::PassphraseMismatch) => (mismatch.note)(mismatch.words),
            other => return other,
        }
    }
    new_once(ctx, source, prompt, subject)
}

/// ssh-keygen's loop: the words on stdout after each mismatch, then again or not.
fn new_openssh(
    ctx: &Context,
    source: &Source,
    prompt: &str,
    subject: &str,
    mismatch: &Mismatch<'_>,
) -> Result<Secret> {
    loop {
        match new_once(ctx, source, prompt, subject) {
            Err(Error::PassphraseMismatch) => {
                let mut stdout = io::stdout().lock();
                writeln!(stdout, "{}", mismatch.words)
                    .and_then(|()| stdout.flush())
                    .map_err(|e| Error::io("(stdout)", e))?;
                if !mismatch.openssh_asks_again {
                    return Err(Error::PassphraseMismatch);
                }
            }
            other => return other,
        }
    }
}

/// Reads a new passphrase, asking once (twice at a prompt, the entries must match).
///
/// # Errors
/// No terminal for a prompt, [`Error::PassphraseMismatch`], or an unreadable file.
pub fn new_once(ctx: &Context, source: &Source, prompt: &str, subject: &str) -> Result<Secret> {
    if !matches!(source, Source::Prompt) {
        return existing(ctx, source, prompt, subject);
    }
    let first = prompt_for(ctx, prompt, subject, Needed::NewPassphrase)?;
    let second = prompt_for(ctx, "Enter same passphrase again: ", subject, Needed::NewPassphrase)?;
    match first == second {
        true => Ok(first),
        false => Err(Error::PassphraseMismatch),
    }
}

/// Asks a question on the terminal and returns the answer line, trimmed.
///
/// # Errors
/// There is no terminal to ask on.
pub fn ask(ctx: &Context, question: &str, subject: &str) -> Result<String> {
    ask_wiped(ctx, question, subject).map(|answer| answer.to_string())
}

/// [`ask`], the answer kept as a [`Secret`] (a keyboard-interactive answer shown as it
/// is typed is still an answer to a login): every copy of it is wiped.
///
/// # Errors
/// There is no terminal to ask on.
pub fn ask_wiped(ctx: &Context, question: &str, subject: &str) -> Result<Secret> {
    if let Some(why) = ctx.prompt_blocker() {
        return Err(Error::NoTerminal { what: Needed::Answer, subject: subject.to_string(), why });
    }
    let tty_error = |e| Error::io("/dev/tty", e);
    let mut tty = std::fs::OpenOptions::new().read(true).write(true).open("/dev/tty").map_err(tty_error)?;
    write!(tty, "{question}").and_then(|()| tty.flush()).map_err(tty_error)?;
    let mut answer = Zeroizing::new(String::new());
    io::BufReader::new(tty).read_line(&mut answer).map_err(tty_error)?;
    Ok(Zeroizing::new(answer.trim().to_string()))
}

/// Asks for a line of text (a new comment): at the terminal, or in OpenSSH's dialogue on
/// stdout, answered on standard input. `None` when standard input ends first.
///
/// # Errors
/// There is no terminal to ask on, or the answer cannot be read.
pub fn line(ctx: &Context, question: &str) -> Result<Option<String>> {
    if ctx.dialog() == Dialog::OpenSsh {
        // ssh-keygen reads the answer into a 1024-byte buffer.
        let answer = openssh::ask(question, 1024).map_err(|e| Error::io("(stdin)", e))?;
        return Ok(answer.map(|bytes| String::from_utf8_lossy(&bytes).into_owned()));
    }
    ask(ctx, question, "the question").map(Some)
}

/// Asks a yes/no question on the terminal; anything but `y`/`yes` is no.
///
/// # Errors
/// There is no terminal to ask on.
pub fn confirm(ctx: &Context, question: &str, subject: &str) -> Result<bool> {
    if ctx.dialog() == Dialog::OpenSsh {
        return openssh::confirm(question).map_err(|e| Error::io("(stdin)", e));
    }
    let answer = ask(ctx, question, subject)?;
    Ok(matches!(answer.to_ascii_lowercase().as_str(), "y" | "yes"))
}

/// Keeps secrets out of core dumps and away from debuggers of the same user.
pub fn harden_process() {
    let _ = nix::sys::resource::setrlimit(nix::sys::resource::Resource::RLIMIT_CORE, 0, 0);
    let _ = nix::sys::prctl::set_dumpable(false);
}

/// Asks for a secret at the terminal, echo off.
///
/// # Errors
/// There is no terminal to ask on (or batch mode), or it cannot be read.
pub fn prompt_hidden(ctx: &Context, prompt: &str, subject: &str) -> Result<Secret> {
    prompt_for(ctx, prompt, subject, Needed::Passphrase)
}

/// [`prompt_hidden`], naming the secret `what` when it cannot be asked.
fn prompt_for(ctx: &Context, prompt: &str, subject: &str, what: Needed) -> Result<Secret> {
    if ctx.dialog() == Dialog::OpenSsh {
        return openssh::read_passphrase(prompt).map_err(|e| Error::io("/dev/tty", e));
    }
    if let Some(why) = ctx.prompt_blocker() {
        return Err(Error::NoTerminal { what, subject: subject.to_string(), why });
    }
    rpassword::prompt_password(prompt).map(Zeroizing::new).map_err(|e| Error::io("/dev/tty", e))
}

/// Standard input is shared by every `-` source of one run: each takes the next line.
static STDIN_LINES: Mutex<()> = Mutex::new(());

/// A passphrase file's first line; `-` is the next line of standard input. Standard
/// input is read as it is connected (the caller chose it, and a shell has already opened
/// any FIFO behind it). A named file may be a pipe, for process substitution
/// (`--passphrase-file <(pass show key)`), a legitimate way to hand over a secret: a
/// writer that exists is waited for, and a FIFO no one writes to reads as empty (an
/// error below) instead of hanging. Devices and sockets are refused.
fn read_file(path: &Path) -> Result<Secret> {
    if crate::key::source::is_stdin(path) {
        let _guard = STDIN_LINES.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut line = Zeroizing::new(String::new());
        let stdin = Path::new(crate::key::source::STDIN_NAME);
        io::stdin().lock().read_line(&mut line).map_err(|e| Error::io(stdin, e))?;
        return first_line(line, stdin);
    }
    let unusable = |reason: String| Error::BadPassphraseFile { path: path.to_path_buf(), reason };
    let expect = crate::fsutil::Expect { what: "a passphrase file", accept: crate::fsutil::Accept::Pipe };
    let bytes = crate::fsutil::read_capped(path, MAX_PASSPHRASE_FILE, expect).map_err(|e| match e {
        Error::Io { source, .. } => unusable(crate::error::describe_io(&source)),
        other => other,
    })?;
    let bytes = Zeroizing::new(bytes);
    let text = std::str::from_utf8(&bytes).map_err(|_| unusable("not UTF-8 text".to_string()))?;
    first_line(Zeroizing::new(text.to_string()), path)
}

/// A passphrase file holds one line; its line ending is not part of the passphrase.
fn first_line(text: Secret, path: &Path) -> Result<Secret> {
    let line = text.split('\n').next().unwrap_or_default();
    let line = line.strip_suffix('\r').unwrap_or(line);
    if text.is_empty() {
        return Err(Error::BadPassphraseFile {
            path: path.to_path_buf(),
            reason: "it is empty (an empty line means no passphrase)".to_string(),
        });
    }
    Ok(Zeroizing::new(line.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_line_strips_line_endings_only() {
        let p = Path::new("f");
        assert_eq!(first_line(Zeroizing::new(" pw \r\nrest".into()), p).unwrap().as_str(), " pw ");
        assert_eq!(first_line(Zeroizing::new("\n".into()), p).unwrap().as_str(), "");
        assert!(first_line(Zeroizing::new(String::new()), p).is_err());
    }

    #[test]
    fn parsing_a_passphrase_argument_is_remembered_for_argv_hiding() {
        let _ = Given::parse("x");
        assert!(Given::any_parsed());
    }

    #[test]
    fn debug_forms_hide_passphrases_and_key_material() {
        let given = Given::parse("hunter2-passphrase").unwrap();
        let source = Source::pick(None, Some(&given));
        let protection = crate::key::Protection::new(Some(Zeroizing::new("hunter2-passphrase".into())), None);
        for shown in [format!("{given:?}"), format!("{source:?}"), format!("{protection:?}")] {
            assert!(!shown.contains("hunter2"), "{shown}");
        }
        let keys = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/keys");
        for name in ["id_ed25519", "id_rsa_2048_pem", "id_ecdsa_256_pem"] {
            let text = std::fs::read_to_string(keys.join(name)).unwrap();
            let shown = format!("{:?}", crate::key::PrivateKeyFile::read(&keys.join(name)).unwrap());
            for line in text.lines().filter(|l| !l.starts_with("-----")) {
                assert!(!shown.contains(line), "{name}: {shown}");
            }
            assert!(!shown.contains("KeypairData") && !shown.contains("0x"), "{name}: {shown}");
        }
    }
}
