//! The shared harness: a temporary home, the binary under test, ssh-keygen as oracle.
#![allow(dead_code)]

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A temporary home directory; commands run with it as `HOME` and as working directory.
pub struct Env {
    home: tempfile::TempDir,
}

/// What a finished command printed and returned.
pub struct Run {
    pub command: String,
    pub code: i32,
    pub stdout: Vec<u8>,
    pub stderr: String,
}

impl Env {
    pub fn new() -> Self {
        Env { home: tempfile::Builder::new().prefix("keywright-test-").tempdir().expect("temp home") }
    }

    pub fn home(&self) -> &Path {
        self.home.path()
    }

    /// A path inside the home directory.
    pub fn path(&self, relative: &str) -> PathBuf {
        self.home.path().join(relative)
    }

    /// `keywright ARGS` in batch mode.
    pub fn kw<I, S>(&self, args: I) -> Run
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.run(self.command(env!("CARGO_BIN_EXE_keywright"), args), None)
    }

    /// `keywright ARGS` with `input` on stdin.
    pub fn kw_stdin<I, S>(&self, args: I, input: &[u8]) -> Run
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.run(self.command(env!("CARGO_BIN_EXE_keywright"), args), Some(input))
    }

    /// `ssh-keygen ARGS`, the oracle.
    pub fn ssh_keygen<I, S>(&self, args: I) -> Run
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.run(self.ssh_keygen_command(args), None)
    }

    /// `keywright ARGS` set up as [`Env::kw`] sets it up, for tests that change the
    /// command (a locale) or spawn it and watch it run.
    pub fn kw_command<I, S>(&self, args: I) -> Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.command(env!("CARGO_BIN_EXE_keywright"), args)
    }

    /// `ssh-keygen ARGS` set up as [`Env::ssh_keygen`] sets it up.
    pub fn ssh_keygen_command<I, S>(&self, args: I) -> Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.command(ssh_keygen_path(), args)
    }

    fn command<I, S>(&self, program: impl AsRef<OsStr>, args: I) -> Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut cmd = Command::new(program);
        cmd.args(args)
            .current_dir(self.home.path())
            .env("HOME", self.home.path())
            .env("KEYWRIGHT_BATCH", "1")
            .env("LC_ALL", "C")
            .env_remove("SSH_AUTH_SOCK")
            .env_remove("SSH_AGENT_PID")
            .env_remove("LANG")
            .env_remove("LC_CTYPE");
        cmd
    }

    pub fn run(&self, mut cmd: Command, input: Option<&[u8]>) -> Run {
        let command = format!("{cmd:?}");
        cmd.stdin(if input.is_some() { Stdio::piped() } else { Stdio::null() })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().unwrap_or_else(|e| panic!("cannot start {command}: {e}"));
        if let Some(input) = input {
            use std::io::Write;
            let mut stdin = child.stdin.take().expect("stdin");
            let _ = stdin.write_all(input);
        }
        let output = child.wait_with_output().expect("wait");
        Run {
            command,
            code: output.status.code().unwrap_or(-1),
            stdout: output.stdout,
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}

impl Run {
    fn describe(&self) -> String {
        format!(
            "command: {}\nexit: {}\nstdout:\n{}\nstderr:\n{}",
            self.command,
            self.code,
            String::from_utf8_lossy(&self.stdout),
            self.stderr
        )
    }

    /// Asserts the exit code, showing the whole run when it differs.
    #[track_caller]
    pub fn code(self, expected: i32) -> Self {
        assert_eq!(self.code, expected, "unexpected exit code\n{}", self.describe());
        self
    }

    #[track_caller]
    pub fn success(self) -> Self {
        self.code(0)
    }

    pub fn out(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }
}

/// ssh-keygen, which `scripts/test` installs when missing.
pub fn ssh_keygen_path() -> &'static str {
    static PATH: std::sync::OnceLock<&'static str> = std::sync::OnceLock::new();
    PATH.get_or_init(|| {
        let found =
            ["/usr/bin/ssh-keygen", "/usr/local/bin/ssh-keygen"].into_iter().find(|p| Path::new(p).exists());
        found.expect("ssh-keygen not found: run scripts/test, which installs openssh-client")
    })
}

/// The mode bits of a file.
pub fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())).permissions().mode()
        & 0o7777
}

/// The repository's `testdata/` directory.
pub fn testdata(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata").join(relative)
}

/// `type base64` of a fixture's public key, without its comment.
pub fn key_line(name: &str) -> String {
    let text = std::fs::read_to_string(testdata(&format!("keys/{name}.pub"))).unwrap();
    text.split(' ').take(2).collect::<Vec<_>>().join(" ")
}

/// Names of the key fixtures (private key files; each has a `.pub`).
pub const KEY_FIXTURES: &[&str] = &[
    "id_ed25519",
    "id_ed25519_enc",
    "id_ed25519_a32_chacha_enc",
    "id_rsa_2048",
    "id_rsa_2048_enc",
    "id_rsa_3072",
    "id_rsa_3072_enc",
    "id_rsa_4096",
    "id_rsa_4096_enc",
    "id_ecdsa_256",
    "id_ecdsa_256_enc",
    "id_ecdsa_384",
    "id_ecdsa_384_enc",
    "id_ecdsa_521",
    "id_ecdsa_521_enc",
    "id_rsa_2048_pem",
    "id_rsa_2048_pem_enc",
    "id_ecdsa_256_pem",
    "id_ecdsa_384_pkcs8",
    "id_ecdsa_384_pkcs8_enc",
    "id_rsa_3072_pkcs8",
    "id_dsa",
];

/// The passphrase of every `*_enc` fixture (see testdata/generate.sh).
pub const FIXTURE_PASSPHRASE: &str = "keywright-test";

impl Env {
    /// Copies fixture `name` (and its `.pub` when there is one) into the home directory,
    /// with the modes ssh-keygen gave them.
    pub fn fixture(&self, name: &str) -> PathBuf {
        use std::os::unix::fs::PermissionsExt;
        for (suffix, mode) in [("", 0o600), (".pub", 0o644)] {
            let from = testdata(&format!("keys/{name}{suffix}"));
            if from.exists() {
                let to = self.path(&format!("{name}{suffix}"));
                std::fs::copy(&from, &to).unwrap();
                std::fs::set_permissions(&to, std::fs::Permissions::from_mode(mode)).unwrap();
            }
        }
        self.path(name)
    }

    /// The contents of a file in the home directory.
    pub fn read(&self, relative: &str) -> Vec<u8> {
        std::fs::read(self.path(relative)).unwrap_or_else(|e| panic!("{relative}: {e}"))
    }

    /// The text of a file in the home directory.
    pub fn read_string(&self, relative: &str) -> String {
        std::fs::read_to_string(self.path(relative)).unwrap_or_else(|e| panic!("{relative}: {e}"))
    }

    /// Writes a file in the home directory.
    pub fn write(&self, relative: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.path(relative);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).unwrap();
        }
        std::fs::write(&path, contents).unwrap();
        path
    }
}

/// Compares `actual` with `tests/snapshots/NAME`; `KEYWRIGHT_UPDATE_SNAPSHOTS=1` rewrites it.
/// Snapshots hold the exact user-facing text, so wording changes are deliberate.
#[track_caller]
pub fn assert_snapshot(name: &str, actual: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots").join(name);
    if std::env::var_os("KEYWRIGHT_UPDATE_SNAPSHOTS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("no snapshot {}: run with KEYWRIGHT_UPDATE_SNAPSHOTS=1", path.display()));
    assert_eq!(actual, expected, "snapshot {name} differs (KEYWRIGHT_UPDATE_SNAPSHOTS=1 rewrites it)");
}

impl Env {
    /// `keywright ARGS` on a pseudo-terminal (not in batch mode), answering each prompt
    /// in `dialogue` (text to wait for, answer to type) through `tests/pty_answer.py`.
    /// The returned stdout is everything written to the terminal.
    pub fn kw_tty(&self, dialogue: &[(&str, &str)], args: &[&str]) -> Run {
        self.run(self.kw_tty_command(dialogue, args), None)
    }

    /// The command [`Env::kw_tty`] runs, for a test that sets more of its environment.
    pub fn kw_tty_command(&self, dialogue: &[(&str, &str)], args: &[&str]) -> Command {
        let driver = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/pty_answer.py");
        let mut cmd = self.command("python3", [driver.as_os_str()]);
        for (expect, answer) in dialogue {
            cmd.args([expect, answer]);
        }
        cmd.arg("--").arg(env!("CARGO_BIN_EXE_keywright")).args(args).env_remove("KEYWRIGHT_BATCH");
        cmd
    }

    /// `bash -c SCRIPT` with `keywright` on PATH, for umask, pipeline and example tests.
    pub fn sh(&self, script: &str) -> Run {
        self.sh_with(script, &[])
    }

    /// [`Env::sh`] with extra environment variables.
    pub fn sh_with(&self, script: &str, vars: &[(&str, &str)]) -> Run {
        let bin_dir = Path::new(env!("CARGO_BIN_EXE_keywright")).parent().unwrap().to_path_buf();
        let path = format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap_or_default());
        let mut cmd = self.command("bash", ["-c", script]);
        cmd.env("PATH", path).envs(vars.iter().copied());
        self.run(cmd, None)
    }

    /// The public key line of a private key, according to ssh-keygen.
    pub fn oracle_public(&self, key: &str, passphrase: &str) -> Run {
        self.ssh_keygen(["-y", "-P", passphrase, "-f", key])
    }
}

/// `nobody`, whom [`Env::kw_unprivileged`] runs keywright as when we are root.
pub const NOBODY: u32 = 65534;

/// Whether the tests run as root (real accounts, PAM, passwords, setpriv).
pub fn is_root() -> bool {
    nix::unistd::geteuid().is_root()
}

impl Env {
    /// [`Env::kw_command`], but as [`NOBODY`] (through `setpriv`) when we are root, for the
    /// tests that need permissions to apply (root ignores them); as ourselves otherwise.
    pub fn kw_command_unprivileged<I, S>(&self, args: I) -> Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        if !is_root() {
            return self.kw_command(args);
        }
        let (uid, gid) = (format!("--reuid={NOBODY}"), format!("--regid={NOBODY}"));
        let binary = env!("CARGO_BIN_EXE_keywright");
        let mut cmd = self.command("setpriv", [uid.as_str(), &gid, "--clear-groups", "--", binary]);
        cmd.args(args);
        cmd
    }

    /// `keywright ARGS` run as [`Env::kw_command_unprivileged`] sets it up.
    pub fn kw_unprivileged<I, S>(&self, args: I) -> Run
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.run(self.kw_command_unprivileged(args), None)
    }

    /// Gives these paths in the home directory ("." for the home itself) to [`NOBODY`] when
    /// we are root, so that [`Env::kw_unprivileged`] may use them.
    pub fn give_to_nobody(&self, relative: &[&str]) {
        if is_root() {
            for name in relative {
                std::os::unix::fs::chown(self.path(name), Some(NOBODY), Some(NOBODY)).unwrap();
            }
        }
    }
}
