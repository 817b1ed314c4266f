//! The one printer. Commands return reports (typed, serializable values, one module per
//! command under `report/`); the [`Printer`] renders them in the format asked for and owns
//! everything that reaches the user: stdout, stderr, `-q`, `--format`, the escaping of
//! untrusted text and the progress bar.
//!
//! Text and JSON are the two renderings every report has: JSON is the report serialized
//! (so its field names are the report's, defined once), text is its [`Render::text`],
//! written in the module of the same name under `print/`. A report may have more
//! (`known-hosts audit` renders SARIF and GitHub annotations too).

use std::fmt::Display;
use std::io::{self, BufWriter, Write};
use std::sync::Mutex;

use serde::Serialize;

use crate::context::Context;
use crate::sanitize::{self, Charset};

pub(crate) mod authorized_keys;
pub(crate) mod cert;
mod comment;
mod completions;
mod convert;
pub(crate) mod copy_id;
mod fingerprint;
mod generate;
mod host_keys;
mod install_links;
mod known_hosts;
mod krl;
mod man;
mod passphrase;
mod public;
mod sign;
mod signers;
mod sshfp;
mod verify;

/// How reports are rendered on stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    /// Lines as the OpenSSH tools print them
    #[default]
    Text,
    /// JSON, for programs
    Json,
    /// GitHub Actions workflow commands (`::error file=…::`), annotations on a pull request
    Github,
    /// SARIF 2.1.0, for GitHub code scanning and other static-analysis viewers
    Sarif,
}

/// What a report looks like as text; its JSON is its serialization.
pub trait Render: Serialize {
    /// Writes the report as lines of text.
    ///
    /// # Errors
    /// Writing failed (a closed pipe, a full disk).
    fn text(&self, out: &mut Text<'_>) -> io::Result<()>;

    /// Writes the report in a format other than text and JSON, when it has one; `false`
    /// when it does not (the command's options never offer such a format).
    ///
    /// # Errors
    /// Writing failed.
    fn other(&self, _format: Format, _out: &mut dyn Write) -> io::Result<bool> {
        Ok(false)
    }
}

/// A text sink for [`Render::text`]: knows `-q` and escapes what came from outside.
pub struct Text<'a> {
    out: &'a mut dyn Write,
    quiet: bool,
    charset: Charset,
}

impl Text<'_> {
    /// Whether `-q` asked for data only, without the informational lines.
    pub fn quiet(&self) -> bool {
        self.quiet
    }

    /// Writes text we composed, as it is.
    ///
    /// # Errors
    /// Writing failed.
    pub fn write(&mut self, text: impl Display) -> io::Result<()> {
        write!(self.out, "{text}")
    }

    /// Writes bytes that came from a file or a server (a comment, a host field) the way
    /// OpenSSH's tools print them: what the terminal would interpret is escaped.
    ///
    /// # Errors
    /// Writing failed.
    pub fn untrusted(&mut self, text: &[u8]) -> io::Result<()> {
        self.out.write_all(&sanitize::escape(text, self.charset))
    }

    /// Writes bytes that are data the user asked for verbatim (a key line, a known_hosts
    /// line found): printed byte for byte, as ssh-keygen prints them.
    ///
    /// # Errors
    /// Writing failed.
    pub fn verbatim(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.out.write_all(bytes)
    }
}

/// The printer of one run.
#[derive(Debug)]
pub struct Printer {
    format: Format,
    quiet: bool,
    voice: Voice,
    charset: Charset,
    stdout: Mutex<Stdout>,
    progress: Mutex<Option<indicatif::ProgressBar>>,
}

/// Stdout through one buffer, and how many records a streamed JSON array holds so far.
#[derive(Debug)]
struct Stdout {
    out: BufWriter<io::Stdout>,
    records: Option<usize>,
}

/// Whose voice the printer's notes and warnings on stderr speak in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Voice {
    /// `keywright: …`, `keywright: warning: …`.
    Keywright,
    /// ssh-keygen's log lines (the ssh-keygen front): the bare message, escaped as
    /// OpenSSH's log escapes it, ending in `\r\n`; notes are left out under `-q`.
    OpenSsh,
}

/// The prefix of everything keywright writes on stderr.
const PREFIX: &str = "keywright";

impl Printer {
    /// A printer for `format`, quiet or not, escaping for the user's character set.
    pub fn new(ctx: &Context, format: Format, quiet: bool) -> Self {
        Printer {
            format,
            quiet,
            voice: Voice::Keywright,
            charset: ctx.charset(),
            stdout: Mutex::new(Stdout {
                out: BufWriter::with_capacity(64 * 1024, io::stdout()),
                records: None,
            }),
            progress: Mutex::new(None),
        }
    }

    /// A text printer for the ssh-keygen front: notes and warnings are ssh-keygen's log
    /// lines (see [`crate::sanitize::openssh_log`]), notes left out under `quiet`.
    pub fn openssh(ctx: &Context, quiet: bool) -> Self {
        Printer { voice: Voice::OpenSsh, ..Printer::new(ctx, Format::Text, quiet) }
    }

    /// The format reports are rendered in.
    pub fn format(&self) -> Format {
        self.format
    }

    /// Whether `-q` was given.
    pub fn quiet(&self) -> bool {
        self.quiet
    }

    /// Whether informational lines and notes belong on the terminal: not under `-q`, and
    /// not beside a document for a program (JSON, SARIF), whose stderr stays quiet.
    pub fn chatty(&self) -> bool {
        !self.quiet && self.format == Format::Text
    }

    /// The character set untrusted text is escaped for.
    pub fn charset(&self) -> Charset {
        self.charset
    }

    /// Prints a whole report.
    ///
    /// # Errors
    /// Writing to stdout failed.
    pub fn report<R: Render>(&self, report: &R) -> io::Result<()> {
        let mut stdout = self.lock_stdout();
        self.render(report, &mut stdout.out)?;
        stdout.out.flush()
    }

    /// Prints one record of a streamed result (one fingerprint, one found line): as text
    /// at once, in JSON as the next element of one array that [`Printer::finish`] closes.
    ///
    /// # Errors
    /// Writing to stdout failed.
    pub fn record<R: Render>(&self, record: &R) -> io::Result<()> {
        let mut stdout = self.lock_stdout();
        let Stdout { out, records } = &mut *stdout;
        match self.format {
            Format::Json => {
                let separator = if records.is_some() { ",\n  " } else { "[\n  " };
                *records = Some(records.unwrap_or(0) + 1);
                out.write_all(separator.as_bytes())?;
                serde_json::to_writer(&mut *out, record).map_err(io::Error::other)
            }
            _ => self.render(record, out),
        }
    }

    /// Ends a streamed result: closes the JSON array (an empty one when there were no
    /// records) and flushes.
    ///
    /// # Errors
    /// Writing to stdout failed.
    pub fn finish(&self) -> io::Result<()> {
        let mut stdout = self.lock_stdout();
        if self.format == Format::Json {
            let closing = if stdout.records.take().is_some() { "\n]\n" } else { "[]\n" };
            stdout.out.write_all(closing.as_bytes())?;
        }
        stdout.out.flush()
    }

    /// Renders a report into `out` instead of stdout: for a front that holds its output
    /// as C's stdio holds it (see `front::ssh_keygen::krl`).
    ///
    /// # Errors
    /// Writing failed.
    pub fn render_into<R: Render>(&self, report: &R, out: &mut dyn Write) -> io::Result<()> {
        self.render(report, out)
    }

    fn render<R: Render>(&self, report: &R, out: &mut dyn Write) -> io::Result<()> {
        match self.format {
            Format::Json => {
                serde_json::to_writer_pretty(&mut *out, report).map_err(io::Error::other)?;
                out.write_all(b"\n")
            }
            Format::Text => report.text(&mut Text { out, quiet: self.quiet, charset: self.charset }),
            other => match report.other(other, out)? {
                true => Ok(()),
                false => report.text(&mut Text { out, quiet: self.quiet, charset: self.charset }),
            },
        }
    }

    /// A note on stderr: information about what happened that is not data.
    pub fn note(&self, message: impl Display) {
        match self.voice {
            Voice::Keywright => self.stderr(format_args!("{PREFIX}: {message}")),
            Voice::OpenSsh if self.quiet => {}
            Voice::OpenSsh => self.log(message),
        }
    }

    /// A warning on stderr. Warnings never stop a command.
    pub fn warn(&self, message: impl Display) {
        match self.voice {
            Voice::Keywright => self.stderr(format_args!("{PREFIX}: warning: {message}")),
            Voice::OpenSsh => self.log(message),
        }
    }

    /// A line on stderr as OpenSSH's log writes it.
    fn log(&self, message: impl Display) {
        let _ = self.lock_stdout().out.flush();
        let line = crate::sanitize::openssh_log(message.to_string().as_bytes());
        self.suspending_progress(|| {
            let _ = io::stderr().lock().write_all(&line);
        });
    }

    /// An error on stderr: every distinct cause once, then what to do about it when the
    /// user can do something.
    pub fn error(&self, error: &anyhow::Error) {
        self.stderr(format_args!("{PREFIX}: error: {}", crate::error::describe_chain(error)));
        if let Some(hint) = crate::error::find_hint(error) {
            self.stderr(format_args!("{PREFIX}: hint: {hint}"));
        }
    }

    /// A line on stderr that is not a note or warning of ours: a server's banner, the
    /// "Source of key(s)" line ssh-copy-id prints there.
    pub fn stderr(&self, line: impl Display) {
        // What is on stdout so far comes first when both go to one terminal or file.
        let _ = self.lock_stdout().out.flush();
        self.suspending_progress(|| {
            let _ = writeln!(io::stderr().lock(), "{line}");
        });
    }

    /// Shows `bar` (on stderr) until [`Printer::clear_progress`]; lines printed meanwhile
    /// appear above it.
    pub fn show_progress(&self, bar: indicatif::ProgressBar) {
        *self.progress.lock().unwrap_or_else(|p| p.into_inner()) = Some(bar);
    }

    /// Shows a bar counting `hosts` hosts as they end, for a run on several hosts whose
    /// stderr is a terminal that shows nothing else of ours (not under `-q`, not beside
    /// JSON). The same bar for every command that works on many hosts.
    pub fn start_host_progress(&self, stderr_is_terminal: bool, hosts: usize) {
        if hosts < 2 || !self.chatty() || !stderr_is_terminal {
            return;
        }
        let Ok(style) = indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} hosts {msg}") else {
            return;
        };
        let bar = indicatif::ProgressBar::new(hosts as u64);
        bar.set_style(style);
        self.show_progress(bar);
    }

    /// One more host is done: the bar, if one shows, counts it and shows `line()` (how
    /// it ended, one line; made only when shown).
    pub fn host_progress(&self, line: impl FnOnce() -> String) {
        let bar = self.progress.lock().unwrap_or_else(|p| p.into_inner()).clone();
        if let Some(bar) = bar {
            bar.set_message(line());
            bar.inc(1);
        }
    }

    /// Removes the progress bar.
    pub fn clear_progress(&self) {
        if let Some(bar) = self.progress.lock().unwrap_or_else(|p| p.into_inner()).take() {
            bar.finish_and_clear();
        }
    }

    /// Runs `f` (which writes to the terminal or asks a question) with the progress bar
    /// out of the way.
    pub fn suspending_progress<T>(&self, f: impl FnOnce() -> T) -> T {
        let bar = self.progress.lock().unwrap_or_else(|p| p.into_inner()).clone();
        match bar {
            Some(bar) => bar.suspend(f),
            None => f(),
        }
    }

    fn lock_stdout(&self) -> std::sync::MutexGuard<'_, Stdout> {
        self.stdout.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A report rendered in `format` into memory, as a printer would print it (not quiet):
/// for tests, fuzz targets and fronts that post-process a rendering.
///
/// # Errors
/// Serializing failed (a map key that is not a string; no report has one).
pub fn to_bytes<R: Render>(report: &R, format: Format, charset: Charset) -> io::Result<Vec<u8>> {
    let printer = Printer {
        format,
        quiet: false,
        voice: Voice::Keywright,
        charset,
        stdout: Mutex::new(Stdout { out: BufWriter::new(io::stdout()), records: None }),
        progress: Mutex::new(None),
    };
    let mut out = Vec::new();
    printer.render(report, &mut out)?;
    Ok(out)
}

/// Reports the error that ended a run, for `main`: the same lines a command's own
/// [`Printer::error`] writes.
pub fn report_error(ctx: &Context, error: &anyhow::Error) {
    Printer::new(ctx, Format::Text, false).error(error);
}
