//! The one context every command receives: where the user's files are, whether we may
//! prompt, how to print. Tests control all of it through the environment.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use zeroize::Zeroizing;

use crate::sanitize::Charset;

/// Environment variable that turns on batch mode (never prompt), like `--batch`.
pub const BATCH_ENV: &str = "KEYWRIGHT_BATCH";

/// Why a question cannot be asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoPrompt {
    /// `--batch` or `KEYWRIGHT_BATCH` forbids asking.
    Batch,
    /// There is no controlling terminal to ask on.
    NoTerminal,
}

/// Environment variable with the login password for copy-id, for batch use.
pub const PASSWORD_ENV: &str = "KEYWRIGHT_PASSWORD";

/// The environment every command runs in, read once at start: where the user's files
/// are, who and where the user is, whether we may prompt, how text is printed. Nothing
/// else in keywright reads the process environment; tests control all of it through
/// these variables.
#[derive(Debug, Clone)]
pub struct Context {
    home: PathBuf,
    batch: bool,
    charset: Charset,
    user: String,
    hostname: String,
    password: Option<Zeroizing<String>>,
    agent_socket: Option<PathBuf>,
    stderr_is_terminal: bool,
    dialog: Dialog,
}

/// Whose way of asking questions a run follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Dialog {
    /// keywright's own: questions and passphrases only at the terminal (`/dev/tty`), never
    /// from a pipe; without a terminal, or in batch mode, a clear error instead.
    #[default]
    Terminal,
    /// OpenSSH 9.2's, for the ssh-keygen front: passphrases at the terminal, or from
    /// standard input (prompt on stderr) when there is none; other questions on stdout,
    /// answered on standard input as C's `fgets` reads it (see [`crate::secret::openssh`]).
    OpenSsh,
}

impl Context {
    /// Builds the context from the process environment.
    ///
    /// The home directory is `$HOME`, falling back to the password database. (OpenSSH's
    /// tools read only the password database; honouring `$HOME` lets tests and sandboxes
    /// point keywright at another directory.)
    pub fn from_env(batch: bool) -> Self {
        let account = nix::unistd::User::from_uid(nix::unistd::getuid()).ok().flatten();
        let home = std::env::var_os("HOME")
            .filter(|h| !h.is_empty())
            .map(PathBuf::from)
            .or_else(|| account.as_ref().map(|u| u.dir.clone()))
            .unwrap_or_else(|| PathBuf::from("/"));
        let batch = batch || std::env::var_os(BATCH_ENV).is_some_and(|v| v != "0" && !v.is_empty());
        // ssh and ssh-keygen name the user from the password database; without an entry
        // (a container's arbitrary uid) $USER, then the uid itself, stand in.
        let user = account
            .map(|u| u.name)
            .or_else(|| std::env::var("USER").ok().filter(|u| !u.is_empty()))
            .unwrap_or_else(|| nix::unistd::getuid().to_string());
        let hostname = nix::unistd::gethostname()
            .ok()
            .and_then(|h| h.into_string().ok())
            .unwrap_or_else(|| "localhost".to_string());
        Context {
            home,
            batch,
            charset: Charset::from_env(),
            user,
            hostname,
            password: std::env::var(PASSWORD_ENV).ok().map(Zeroizing::new),
            agent_socket: std::env::var_os("SSH_AUTH_SOCK").filter(|s| !s.is_empty()).map(PathBuf::from),
            stderr_is_terminal: std::io::stderr().is_terminal(),
            dialog: Dialog::Terminal,
        }
    }

    /// The same context, asking questions the way `dialog` does.
    pub fn with_dialog(mut self, dialog: Dialog) -> Self {
        self.dialog = dialog;
        self
    }

    /// How questions are asked.
    pub fn dialog(&self) -> Dialog {
        self.dialog
    }

    /// The local user's login name.
    pub fn user(&self) -> &str {
        &self.user
    }

    /// `$KEYWRIGHT_PASSWORD`: copy-id's login password when no `--password-file` is given.
    pub fn password(&self) -> Option<&Zeroizing<String>> {
        self.password.as_ref()
    }

    /// `$SSH_AUTH_SOCK`: where ssh-agent listens, if one runs.
    pub fn agent_socket(&self) -> Option<&Path> {
        self.agent_socket.as_deref()
    }

    /// Whether stderr is a terminal (a progress bar belongs there only then).
    pub fn stderr_is_terminal(&self) -> bool {
        self.stderr_is_terminal
    }

    /// The user's home directory.
    pub fn home(&self) -> &PathBuf {
        &self.home
    }

    /// `~/.ssh`.
    pub fn ssh_dir(&self) -> PathBuf {
        self.home.join(".ssh")
    }

    /// The character set untrusted text is escaped for (see [`crate::sanitize`]).
    pub fn charset(&self) -> Charset {
        self.charset
    }

    /// Whether we may ask the user something: not in batch mode, and a terminal exists.
    pub fn can_prompt(&self) -> bool {
        self.prompt_blocker().is_none()
    }

    /// Why we may not ask the user anything, if we may not. Batch mode is named first: at
    /// a terminal it is the only reason, and it is the one the user chose.
    pub fn prompt_blocker(&self) -> Option<NoPrompt> {
        // OpenSSH's tools read standard input when there is no terminal: they can always ask.
        if self.dialog == Dialog::OpenSsh {
            return None;
        }
        if self.batch {
            Some(NoPrompt::Batch)
        } else if std::fs::File::open("/dev/tty").is_err() {
            Some(NoPrompt::NoTerminal)
        } else {
            None
        }
    }

    /// `user@host`, OpenSSH's default key comment.
    pub fn user_at_host(&self) -> String {
        format!("{}@{}", self.user, self.hostname)
    }
}
