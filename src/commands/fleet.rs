//! What the commands that work on many hosts (copy-id, authorized-keys) share: their
//! hosts from the options (`cli::fleet::Fleet`), the user as the hosts see them (prompts,
//! servers' text, the progress bar) and what each host has to say after the run.

use std::path::Path;

use anyhow::{Context as _, Result};

use crate::cli::fleet::Fleet;
use crate::context::Context;
use crate::print::Printer;
use crate::print::copy_id::one_line;
use crate::remote::config::{Config, Overrides, Resolved};
use crate::remote::install::Note;
use crate::remote::outcome::Finished;
use crate::remote::target::{self, Target};
use crate::remote::terminal::{Echo, Question, Ui};
use crate::secret::{self, Secret};

/// Every host of a run: the TARGETs, then the hosts file's and the inventory's, each
/// with the ssh config and the `-J`, `-o`, `-p` and `-l` options applied.
///
/// # Errors
/// No host at all, a list or config that cannot be read, or a value ssh would refuse.
pub(crate) fn hosts(ctx: &Context, targets: &[String], fleet: &Fleet) -> Result<Vec<(Target, Resolved)>> {
    let targets = target::collect(target::Sources {
        targets,
        hosts_file: fleet.hosts_file.as_deref(),
        inventory: fleet.inventory.as_deref(),
        limit: fleet.limit.as_deref(),
    })?;
    let overrides =
        Overrides::parse_with_jump(fleet.jump.as_deref(), &fleet.options, fleet.port, fleet.user.clone())?;
    let config = Config::load(ctx, fleet.config.as_deref())?;
    resolve(ctx, &config, &overrides, targets)
}

/// Applies the ssh config and `-o` options to every target, so that a value ssh would
/// refuse is a usage error before any host is contacted, not a failure of each host.
/// (The ssh-copy-id front resolves its one target the same way.)
pub(crate) fn resolve(
    ctx: &Context,
    config: &Config,
    overrides: &Overrides,
    targets: Vec<Target>,
) -> Result<Vec<(Target, Resolved)>> {
    targets
        .into_iter()
        .map(|target| {
            let resolved = config
                .resolve(&target, overrides, ctx.user())
                .with_context(|| format!("target {}", target.text))?;
            Ok((target, resolved))
        })
        .collect()
}

/// The login password for every host: `--password-file`, or the environment.
pub(crate) fn password(ctx: &Context, fleet: &Fleet) -> Result<Option<Secret>> {
    password_in(ctx, fleet.password_file.as_deref())
}

fn password_in(ctx: &Context, file: Option<&Path>) -> Result<Option<Secret>> {
    if let Some(file) = file {
        return Ok(Some(secret::existing(
            ctx,
            &secret::Source::File(file.to_path_buf()),
            "",
            "the password",
        )?));
    }
    Ok(ctx.password().cloned())
}

/// The user as the hosts see them: the printer, the terminal's prompts, and the
/// printer's progress bar (see [`Printer::start_host_progress`]), advanced as hosts end.
pub(crate) struct PrinterUi<'a> {
    pub ctx: &'a Context,
    pub printer: &'a Printer,
    /// A finished host's line on the bar, `dest: how it ended`, as the command's results
    /// say it; `None` for a host of another kind of run (never sent to this one).
    pub progress_line: &'a dyn Fn(&Finished) -> Option<String>,
}

impl Ui for PrinterUi<'_> {
    fn can_ask(&self) -> bool {
        self.ctx.can_prompt()
    }

    fn ask(&self, question: &Question) -> Option<Secret> {
        let (ctx, prompt, subject) = (self.ctx, question.prompt.as_str(), question.subject.as_str());
        self.printer.suspending_progress(|| match question.echo {
            Echo::Hidden => secret::prompt_hidden(ctx, prompt, subject).ok(),
            Echo::Shown | Echo::ShownWiped => secret::ask_wiped(ctx, prompt, subject).ok(),
        })
    }

    fn show(&self, text: &str) {
        if !text.is_empty() {
            self.printer.stderr(text.strip_suffix('\n').unwrap_or(text));
        }
    }

    fn host_done(&self, host: &Finished) {
        self.printer.host_progress(|| (self.progress_line)(host).unwrap_or_default());
    }
}

/// What one host has to say, on stderr before the results: its warnings, the changes
/// made there (unless quiet), and what to do about its failure.
pub(crate) fn tell(printer: &Printer, dest: &str, notes: &[Note], hint: Option<&str>) {
    let line = |text: &str| one_line(&format!("{dest}: {text}"));
    for note in notes {
        match note {
            Note::Warning(text) => printer.warn(line(text)),
            Note::Change(text) if !printer.quiet() => printer.note(line(text)),
            Note::Change(_) => {}
        }
    }
    if let Some(hint) = hint {
        printer.note(line(&format!("hint: {hint}")));
    }
}
