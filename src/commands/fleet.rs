//! What the commands that work on many hosts (copy-id, authorized-keys) share: the user
//! as the hosts see them (prompts, servers' text, the progress bar) and what each host
//! has to say after the run.

use crate::context::Context;
use crate::print::Printer;
use crate::print::copy_id::one_line;
use crate::remote::install::Note;
use crate::remote::outcome::Finished;
use crate::remote::terminal::{Echo, Question, Ui};
use crate::secret::{self, Secret};

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
