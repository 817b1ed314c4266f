//! The user, as the hosts of one run see them: questions (a host key, a password) and
//! what ssh would print on the terminal (host key warnings, a server's banner). The
//! model prints nothing itself: every host sends its questions and text to the thread
//! that called [`super::copy_id::Runner::run`], which hands them to the command's
//! [`Ui`] one at a time, in the order sent, so two hosts never ask at once.

use std::sync::Arc;

use tokio::sync::{mpsc, oneshot};

use super::outcome::Finished;
use crate::secret::Secret;

/// What the command provides to talk to the user: a printer, and the prompts.
pub trait Ui {
    /// Whether questions may be asked at all (not in batch mode, and a terminal exists).
    fn can_ask(&self) -> bool;

    /// Asks `question` about `subject`; `None` when it was not answered.
    fn ask(&self, question: &Question) -> Option<Secret>;

    /// Shows what ssh would print on stderr: one or more lines, each ending in `\n`.
    fn show(&self, text: &str);

    /// One host is done (for a progress bar).
    fn host_done(&self, host: &Finished);
}

/// A question for the user.
#[derive(Debug, Clone)]
pub struct Question {
    pub prompt: String,
    /// What the question is about (`user@host`, a key file), for the error when it
    /// cannot be asked.
    pub subject: String,
    pub echo: Echo,
}

/// How the answer shows as it is typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Echo {
    /// Not at all: a password or passphrase.
    Hidden,
    /// As typed: yes/no/fingerprint.
    Shown,
    /// As typed, but the answer is a secret wiped after use (a keyboard-interactive
    /// answer the server lets echo).
    ShownWiped,
}

/// What a host sends to the user.
pub(super) enum Event {
    Ask(Question, oneshot::Sender<Option<Secret>>),
    Show(String),
    Done(Box<Finished>),
    /// Every host is done.
    End,
}

/// One host's line to the user.
#[derive(Debug)]
pub struct Terminal {
    allowed: bool,
    events: mpsc::UnboundedSender<Event>,
}

impl Terminal {
    /// A terminal that sends to `events`, asking only if `allowed`.
    pub(super) fn new(allowed: bool, events: mpsc::UnboundedSender<Event>) -> Arc<Self> {
        Arc::new(Terminal { allowed, events })
    }

    /// This terminal as one host sees it: with BatchMode on for the host, it asks nothing
    /// (as ssh does), but still prints.
    pub fn for_host(self: &Arc<Self>, batch_mode: bool) -> Arc<Self> {
        match batch_mode && self.allowed {
            true => Arc::new(Terminal { allowed: false, events: self.events.clone() }),
            false => Arc::clone(self),
        }
    }

    /// Whether questions can be asked at all.
    pub fn can_ask(&self) -> bool {
        self.allowed
    }

    /// Asks for a secret (echo off); `None` when it cannot be asked.
    pub async fn secret(&self, prompt: String, subject: String) -> Option<Secret> {
        self.ask(Question { prompt, subject, echo: Echo::Hidden }).await
    }

    /// Asks a question; `None` when it cannot be asked.
    pub async fn question(&self, prompt: String, subject: String) -> Option<String> {
        let answer = self.ask(Question { prompt, subject, echo: Echo::Shown }).await?;
        Some(answer.to_string())
    }

    /// Asks a question whose answer is shown as typed but wiped after use (a
    /// keyboard-interactive answer); `None` when it cannot be asked.
    pub async fn question_wiped(&self, prompt: String, subject: String) -> Option<Secret> {
        self.ask(Question { prompt, subject, echo: Echo::ShownWiped }).await
    }

    /// Shows a block of text (lines ending in `\n`) in one piece.
    pub fn print(&self, text: &str) {
        // The run is over when no one listens: nothing is left to show it to.
        let _ = self.events.send(Event::Show(text.to_string()));
    }

    /// Says that a host is done.
    pub(super) fn done(&self, host: Finished) {
        let _ = self.events.send(Event::Done(Box::new(host)));
    }

    /// Says that every host is done.
    pub(super) fn end(&self) {
        let _ = self.events.send(Event::End);
    }

    async fn ask(&self, question: Question) -> Option<Secret> {
        if !self.allowed {
            return None;
        }
        let (reply, answer) = oneshot::channel();
        self.events.send(Event::Ask(question, reply)).ok()?;
        answer.await.ok().flatten()
    }
}

/// Hands every event to `ui` until the last host is done.
pub(super) fn serve(ui: &dyn Ui, mut events: mpsc::UnboundedReceiver<Event>) {
    while let Some(event) = events.blocking_recv() {
        match event {
            // A host that gave up waiting (its timeout) no longer takes the answer.
            Event::Ask(question, reply) => drop(reply.send(ui.ask(&question))),
            Event::Show(text) => ui.show(&text),
            Event::Done(host) => ui.host_done(&host),
            Event::End => break,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// BatchMode set for one host in ~/.ssh/config was ignored: only `-o BatchMode=yes`
    /// kept the run from asking.
    #[test]
    fn a_batch_mode_host_asks_nothing_but_shares_the_terminal() {
        let (events, _receiver) = mpsc::unbounded_channel();
        let terminal = Terminal::new(true, events);
        let batch = terminal.for_host(true);
        assert!(!batch.can_ask());
        assert!(batch.events.same_channel(&terminal.events));
        assert!(terminal.for_host(false).can_ask());
    }
}
