//! The terminal shared by all hosts of one run: one question at a time, the progress
//! bar hidden while it is asked, and nothing asked at all in batch mode.

use std::sync::{Arc, Mutex};

use crate::context::Context;
use crate::secret::{self, Secret};

/// Prompts for every host of a run.
#[derive(Debug)]
pub struct Terminal {
    allowed: bool,
    shared: Arc<Shared>,
}

/// What every host's view of the terminal shares.
#[derive(Debug)]
struct Shared {
    ctx: Context,
    turn: Mutex<()>,
    progress: Mutex<Option<indicatif::ProgressBar>>,
}

impl Terminal {
    /// A terminal that asks only if `ctx` may prompt.
    pub fn new(ctx: &Context) -> Arc<Self> {
        let shared = Shared { ctx: ctx.clone(), turn: Mutex::new(()), progress: Mutex::new(None) };
        Arc::new(Terminal { allowed: ctx.can_prompt(), shared: Arc::new(shared) })
    }

    /// This terminal as one host sees it: with BatchMode on for the host, it asks nothing
    /// (as ssh does), but still prints past the same progress bar.
    pub fn for_host(self: &Arc<Self>, batch_mode: bool) -> Arc<Self> {
        match batch_mode && self.allowed {
            true => Arc::new(Terminal { allowed: false, shared: Arc::clone(&self.shared) }),
            false => Arc::clone(self),
        }
    }

    /// Whether questions can be asked at all.
    pub fn can_ask(&self) -> bool {
        self.allowed
    }

    /// The progress bar to hide while asking.
    pub fn set_progress(&self, bar: indicatif::ProgressBar) {
        *self.shared.progress.lock().unwrap_or_else(|p| p.into_inner()) = Some(bar);
    }

    /// Asks for a secret (echo off); `None` when it cannot be asked.
    pub async fn secret(self: &Arc<Self>, prompt: String, subject: String) -> Option<Secret> {
        self.ask_with(move |ctx| secret::prompt_hidden(ctx, &prompt, &subject).ok()).await
    }

    /// Asks a question; `None` when it cannot be asked.
    pub async fn question(self: &Arc<Self>, question: String, subject: String) -> Option<String> {
        self.ask_with(move |ctx| secret::ask(ctx, &question, &subject).ok()).await
    }

    /// Asks a question whose answer is shown as typed but wiped after use (a
    /// keyboard-interactive answer); `None` when it cannot be asked.
    pub async fn question_wiped(self: &Arc<Self>, question: String, subject: String) -> Option<Secret> {
        self.ask_with(move |ctx| secret::ask_wiped(ctx, &question, &subject).ok()).await
    }

    /// Prints a block of text to stderr in one piece, past the progress bar.
    pub fn print(&self, text: &str) {
        use std::io::Write;
        self.suspended(|| {
            let _ = std::io::stderr().lock().write_all(text.as_bytes());
        });
    }

    async fn ask_with<T: Send + 'static>(
        self: &Arc<Self>,
        ask: impl FnOnce(&Context) -> Option<T> + Send + 'static,
    ) -> Option<T> {
        if !self.allowed {
            return None;
        }
        let this = Arc::clone(self);
        // Reading the terminal blocks: keep it off the async workers.
        tokio::task::spawn_blocking(move || {
            let _turn = this.shared.turn.lock().unwrap_or_else(|p| p.into_inner());
            this.suspended(|| ask(&this.shared.ctx))
        })
        .await
        .ok()
        .flatten()
    }

    fn suspended<T>(&self, f: impl FnOnce() -> T) -> T {
        let bar = self.shared.progress.lock().unwrap_or_else(|p| p.into_inner()).clone();
        match bar {
            Some(bar) => bar.suspend(f),
            None => f(),
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
        let shared =
            Shared { ctx: Context::from_env(true), turn: Mutex::new(()), progress: Mutex::new(None) };
        let terminal = Arc::new(Terminal { allowed: true, shared: Arc::new(shared) });
        let batch = terminal.for_host(true);
        assert!(!batch.can_ask());
        assert!(Arc::ptr_eq(&batch.shared, &terminal.shared));
        assert!(terminal.for_host(false).can_ask());
    }
}
