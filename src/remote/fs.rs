//! The remote file system copy-id works on: SFTP when the server offers it, otherwise
//! POSIX shell commands run with `sh -c` (as ssh-copy-id does). Both offer the same
//! operations with the same meaning, so the installer is written once.

use std::sync::Arc;
use std::time::Duration;

use russh::ChannelMsg;
use russh::client::Handle;
use russh_sftp::client::RawSftpSession;
use russh_sftp::protocol::{FileAttributes, OpenFlags, Packet, StatusCode};

use super::session::Client;
use super::sh::quote;
use super::{Transport, fail, sftp_fail};
use crate::error::{Error, Flood};

/// A mkdir that fails while nothing is there is tried this often before it is an error.
const MKDIR_ATTEMPTS: usize = 5;
/// SFTP writes are sent in pieces of this size (OpenSSH's sftp-server takes up to 256 KiB).
const SFTP_CHUNK: usize = 32 * 1024;
/// The most a server may send for a file copy-id reads (authorized_keys): a file sshd
/// would take is far smaller, and past this the host fails instead of filling memory.
pub const MAX_FILE: usize = 16 << 20;
/// The most output a server may send for any other command (a path, an `ls -ld` line,
/// a number) and the most error output for any command: only its last line is used.
pub const MAX_TEXT: usize = 64 << 10;
/// The most names a directory listing may hold (the directory of authorized_keys, when
/// leftovers of an interrupted run are looked for).
pub const MAX_NAMES: usize = 10_000;
/// Where SELinux's file system is mounted when it is on: today's place, and the one
/// before Linux 3.0.
const SELINUX_MOUNTS: [&str; 2] = ["/sys/fs/selinux", "/selinux"];
/// How much of a server's message goes into a result line.
pub const MAX_MESSAGE: usize = 512;

/// What kind of file a path is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    File,
    Dir,
    Symlink,
    Other,
}

/// A path's kind and permission bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stat {
    pub kind: Kind,
    pub mode: u32,
}

/// A way to reach remote files: the connection, and an SFTP session when in use.
pub struct RemoteFs<'a> {
    shell: Shell<'a>,
    sftp: Option<Sftp>,
}

impl<'a> RemoteFs<'a> {
    /// SFTP if wanted and offered, else the shell.
    ///
    /// # Errors
    /// SFTP was required and is not available.
    pub async fn open(
        handle: &'a Handle<Client>,
        transport: Transport,
        timeout: Duration,
    ) -> Result<Self, Error> {
        let shell = Shell { handle };
        if transport == Transport::Shell {
            return Ok(RemoteFs { shell, sftp: None });
        }
        match Sftp::open(handle, timeout).await {
            Ok(sftp) => Ok(RemoteFs { shell, sftp: Some(sftp) }),
            Err(failure) if transport == Transport::Sftp => {
                Err(Error::SftpRequired { cause: Box::new(failure) })
            }
            Err(_) => Ok(RemoteFs { shell, sftp: None }),
        }
    }

    /// `sftp` or `shell`.
    pub fn name(&self) -> &'static str {
        if self.sftp.is_some() { "sftp" } else { "shell" }
    }

    /// The login's home directory.
    pub async fn home(&self) -> Result<String, Error> {
        match &self.sftp {
            Some(s) => s.realpath(".").await,
            None => Ok(self.shell.run_ok("cd && pwd", None).await?.trim_end().to_string()),
        }
    }

    /// The path's kind and mode, without following a final symlink; `None` if missing.
    pub async fn lstat(&self, path: &str) -> Result<Option<Stat>, Error> {
        match &self.sftp {
            Some(s) => s.lstat(path).await,
            None => self.shell.lstat(path).await,
        }
    }

    /// A file's contents; `None` if it does not exist.
    pub async fn read(&self, path: &str) -> Result<Option<Vec<u8>>, Error> {
        match &self.sftp {
            Some(s) => s.read(path).await,
            None => self.shell.read(path).await,
        }
    }

    /// Creates a directory; `false` if it already exists.
    pub async fn mkdir(&self, path: &str, mode: u32) -> Result<bool, Error> {
        match &self.sftp {
            Some(s) => s.mkdir(path, mode).await,
            None => self.shell.mkdir(path, mode).await,
        }
    }

    /// Removes an empty directory.
    pub async fn rmdir(&self, path: &str) -> Result<(), Error> {
        match &self.sftp {
            Some(s) => s.rmdir(path).await,
            None => self.shell.run_ok(&format!("rmdir -- {}", quote(path)), None).await.map(drop),
        }
    }

    /// Sets permission bits.
    pub async fn chmod(&self, path: &str, mode: u32) -> Result<(), Error> {
        match &self.sftp {
            Some(s) => s.chmod(path, mode).await,
            None => self.shell.run_ok(&format!("chmod {mode:o} -- {}", quote(path)), None).await.map(drop),
        }
    }

    /// The path with symlinks resolved.
    pub async fn realpath(&self, path: &str) -> Result<String, Error> {
        match &self.sftp {
            Some(s) => s.realpath(path).await,
            None => Ok(self
                .shell
                .run_ok(&format!("readlink -f -- {}", quote(path)), None)
                .await?
                .trim_end()
                .to_string()),
        }
    }

    /// Replaces `path` with `contents` atomically: a temporary file in the same
    /// directory, written, checked, synced and renamed over it.
    /// A failure names `path`: the transport's own message may name only a temporary file,
    /// or no file at all (`cat: write error: No space left on device`).
    pub async fn replace(&self, path: &str, contents: &[u8], mode: u32) -> Result<(), Error> {
        let result = match &self.sftp {
            Some(s) => s.replace(path, contents, mode).await,
            None => self.shell.replace(path, contents, mode).await,
        };
        result.map_err(|cause| Error::RemoteWrite { path: path.to_string(), cause: Box::new(cause) })
    }

    /// How long ago `path` was last modified, by the server's clock; `None` when the
    /// server cannot tell (then callers fall back to how long they waited).
    pub async fn age(&self, path: &str) -> Option<Duration> {
        match &self.sftp {
            Some(s) => s.age(path).await,
            None => self.shell.age(path).await,
        }
    }

    /// Removes temporary files that an interrupted `replace` of `path` left behind. Only
    /// call this while holding the lock: then no other writer has temporary files.
    ///
    /// # Errors
    /// The server lists more than [`MAX_NAMES`] names in the directory.
    pub async fn remove_leftovers(&self, path: &str) -> Result<(), Error> {
        match &self.sftp {
            Some(s) => s.remove_leftovers(path).await,
            None => {
                let _ = self.shell.run(&format!("rm -f -- {}.keywright.*", quote(path)), None).await;
                Ok(())
            }
        }
    }

    /// Restores SELinux contexts where `restorecon` exists (as ssh-copy-id does). Best
    /// effort: a server that runs no commands simply has none to restore.
    ///
    /// Over SFTP, only where SELinux is on (its file system mounted): a command is a
    /// shell started on the server, the most expensive step of an edit after the login,
    /// and without SELinux there are no contexts to restore.
    pub async fn restorecon(&self, paths: &[&str]) {
        if let Some(sftp) = &self.sftp {
            let mut selinux = false;
            for mount in SELINUX_MOUNTS {
                if matches!(sftp.lstat(mount).await, Ok(Some(_))) {
                    selinux = true;
                    break;
                }
            }
            if !selinux {
                return;
            }
        }
        let paths: Vec<String> = paths.iter().map(|p| quote(p)).collect();
        let script = format!(
            "if command -v restorecon >/dev/null 2>&1; then restorecon -F -- {}; fi",
            paths.join(" ")
        );
        let _ = self.shell.run(&script, None).await;
    }
}

/// The shell transport: one `sh -c` command per operation, over the same connection.
pub struct Shell<'a> {
    handle: &'a Handle<Client>,
}

/// What a remote command printed and returned.
pub struct Output {
    pub code: Option<u32>,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

/// Exit code our scripts use for "no such file".
const MISSING: u32 = 3;

impl Shell<'_> {
    /// Runs `script` with POSIX sh whatever the login shell is (sh, bash, fish, tcsh…),
    /// then feeds it `stdin`; its output may be up to [`MAX_TEXT`].
    pub async fn run(&self, script: &str, stdin: Option<&[u8]>) -> Result<Output, Error> {
        self.run_capped(script, stdin, Limit::text()).await
    }

    /// [`Shell::run`] with another limit on the output.
    ///
    /// The login shell runs the command line sshd gives it in its own language, and those
    /// differ: fish reads `\\` and `\'` inside single quotes, tcsh expands `!` there and
    /// refuses a newline. So the command line is one fixed text that every one of them
    /// reads the same way (no value in it but the script's length in digits), and the
    /// script, whose values are quoted for POSIX sh alone, comes first on stdin: `dd`
    /// reads exactly its bytes, one at a time, and leaves the rest of stdin (the data) to
    /// the script.
    async fn run_capped(
        &self,
        script: &str,
        stdin: Option<&[u8]>,
        limit: Limit<'_>,
    ) -> Result<Output, Error> {
        let command = bootstrap(script.len());
        let mut input = Vec::with_capacity(script.len() + stdin.map_or(0, <[u8]>::len));
        input.extend_from_slice(script.as_bytes());
        input.extend_from_slice(stdin.unwrap_or_default());
        exec(self.handle, &command, Some(&input), limit).await
    }

    /// Runs `script` and returns its output, or fails with its stderr.
    async fn run_ok(&self, script: &str, stdin: Option<&[u8]>) -> Result<String, Error> {
        let output = self.run(script, stdin).await?;
        match output.code {
            Some(0) => Ok(String::from_utf8_lossy(&output.stdout).into_owned()),
            code => Err(remote_failure(&output, code)),
        }
    }

    async fn lstat(&self, path: &str) -> Result<Option<Stat>, Error> {
        let p = quote(path);
        let script = format!("if [ -e {p} ] || [ -L {p} ]; then ls -ld -- {p}; else exit {MISSING}; fi");
        let output = self.run(&script, None).await?;
        match output.code {
            Some(0) => parse_ls(&String::from_utf8_lossy(&output.stdout)).map(Some),
            Some(MISSING) => Ok(None),
            code => Err(remote_failure(&output, code)),
        }
    }

    async fn read(&self, path: &str) -> Result<Option<Vec<u8>>, Error> {
        let p = quote(path);
        let script = format!("if [ -f {p} ]; then cat -- {p}; else exit {MISSING}; fi");
        let output = self.run_capped(&script, None, Limit::file(path)).await?;
        match output.code {
            Some(0) => Ok(Some(output.stdout)),
            Some(MISSING) => Ok(None),
            code => Err(remote_failure(&output, code)),
        }
    }

    async fn mkdir(&self, path: &str, mode: u32) -> Result<bool, Error> {
        let p = quote(path);
        let script = format!(
            "if mkdir -m {mode:o} -- {p} 2>/dev/null; then exit 0; elif [ -d {p} ]; then exit {MISSING}; else mkdir -m {mode:o} -- {p}; fi"
        );
        let output = self.run(&script, None).await?;
        match output.code {
            Some(0) => Ok(true),
            Some(MISSING) => Ok(false),
            code => Err(remote_failure(&output, code)),
        }
    }

    /// `stat` differs between GNU/busybox and BSD, and `date -r FILE` is a third way; the
    /// first that works gives the modification time in seconds.
    async fn age(&self, path: &str) -> Option<Duration> {
        let p = quote(path);
        let script = format!(
            "m=$(stat -c %Y -- {p} 2>/dev/null || stat -f %m -- {p} 2>/dev/null || date -r {p} +%s 2>/dev/null) && \
             n=$(date +%s) && echo $((n - m))"
        );
        let output = self.run(&script, None).await.ok()?;
        let seconds: i64 = String::from_utf8_lossy(&output.stdout).trim().parse().ok()?;
        Some(Duration::from_secs(seconds.max(0) as u64))
    }

    /// The file goes to a temporary name first and is renamed only if every byte arrived
    /// (a dropped connection leaves a short temporary file, never a short target).
    ///
    /// The temporary name is random (64 bits from this side, so the server cannot guess
    /// it ahead) and the file is created exclusively (`set -C`: O_EXCL, which also refuses
    /// a planted symlink), so nothing anyone else put in the directory is written through.
    /// What is renamed over must be a regular file or nothing: `mv` would move into a
    /// directory, and a symlink there now was planted after the installer looked.
    async fn replace(&self, path: &str, contents: &[u8], mode: u32) -> Result<(), Error> {
        let p = quote(path);
        let t = quote(&temp_name(path));
        let script = format!(
            "umask 077; t={t}; trap 'rm -f -- \"$t\"' EXIT HUP INT TERM; set -C; \
             cat > \"$t\" || exit 1; set +C; \
             if [ -h \"$t\" ] || [ ! -f \"$t\" ] || [ ! -O \"$t\" ]; then echo 'the temporary file was replaced while it was written' >&2; exit 1; fi; \
             n=$(wc -c < \"$t\") || exit 1; \
             if [ $((n)) -ne {len} ]; then echo \"received $((n)) of {len} bytes\" >&2; exit 1; fi; \
             chmod {mode:o} \"$t\" || exit 1; sync \"$t\" 2>/dev/null || sync; \
             if [ -h {p} ] || {{ [ -e {p} ] && [ ! -f {p} ]; }}; then echo '{NOT_REGULAR}' >&2; exit 1; fi; \
             mv -f -- \"$t\" {p}",
            len = contents.len()
        );
        self.run_ok(&script, Some(contents)).await.map(drop)
    }
}

/// Why a replace stops before the rename: the words of [`Error::RemoteFileSwapped`].
const NOT_REGULAR: &str = "it is now a symlink, a directory or another non-regular file: not replaced";

/// The command line every login shell is given: run `sh`, reading the script (`len`
/// bytes) from stdin. Only characters that sh, bash, dash, fish, tcsh and csh all read
/// the same way inside single quotes: no `\\`, `'`, `!` or newline.
fn bootstrap(len: usize) -> String {
    format!("exec sh -c 'eval \"$(dd bs=1 count={len} 2>/dev/null)\"'")
}

/// `PATH.keywright.RANDOM`: a name for the temporary copy of `path` that no one can
/// guess, with the prefix `remove_leftovers` looks for.
fn temp_name(path: &str) -> String {
    format!("{path}.keywright.{:016x}", rand_u64())
}

/// How much output a command may send, and what to call it when it sends more.
#[derive(Clone, Copy)]
pub struct Limit<'a> {
    stdout: usize,
    /// What the output is, for the failure: `for PATH` or `of output`.
    what: Option<&'a str>,
}

impl<'a> Limit<'a> {
    /// The output of a command that prints a few lines.
    pub fn text() -> Self {
        Limit { stdout: MAX_TEXT, what: None }
    }

    /// The contents of the file `path`.
    pub fn file(path: &'a str) -> Self {
        Limit { stdout: MAX_FILE, what: Some(path) }
    }
}

/// Runs a command on a new session channel.
/// Output past `limit` (stdout) or [`MAX_TEXT`] (stderr) closes the channel and fails.
pub async fn exec(
    handle: &Handle<Client>,
    command: &str,
    stdin: Option<&[u8]>,
    limit: Limit<'_>,
) -> Result<Output, Error> {
    let mut channel = handle.channel_open_session().await.map_err(|e| fail("cannot open a session", &e))?;
    channel.exec(true, command).await.map_err(|e| fail("cannot run a command", &e))?;
    if let Some(data) = stdin {
        channel.data(data).await.map_err(|e| fail("cannot send data", &e))?;
    }
    channel.eof().await.map_err(|e| fail("cannot send data", &e))?;
    let mut output = Output { code: None, stdout: Vec::new(), stderr: Vec::new() };
    while let Some(message) = channel.wait().await {
        let (sink, cap, data) = match &message {
            ChannelMsg::Data { data } => (&mut output.stdout, limit.stdout, &data[..]),
            ChannelMsg::ExtendedData { data, ext: 1 } => (&mut output.stderr, MAX_TEXT, &data[..]),
            _ => (&mut output.stdout, usize::MAX, &[][..]),
        };
        if sink.len() + data.len() > cap {
            let _ = channel.close().await;
            let flood = match (&message, limit.what) {
                (ChannelMsg::ExtendedData { .. }, _) => Flood::ErrorOutput,
                (_, Some(path)) => Flood::File(server_path(path)),
                (_, None) => Flood::Output,
            };
            return Err(Error::TooMuchData { cap, flood });
        }
        sink.extend_from_slice(data);
        match message {
            ChannelMsg::ExitStatus { exit_status } => output.code = Some(exit_status),
            ChannelMsg::Failure => {
                return Err(Error::CommandRefused);
            }
            _ => {}
        }
    }
    Ok(output)
}

/// The failure of a remote command: its exit code and the last line of its error
/// output, escaped (it is the server's text).
fn remote_failure(output: &Output, code: Option<u32>) -> Error {
    let stderr = output.stderr.strip_suffix(b"\n").unwrap_or(&output.stderr);
    let last = stderr.rsplit(|&b| b == b'\n').next().unwrap_or_default();
    let message = crate::sanitize::server_line(last.trim_ascii(), MAX_MESSAGE);
    let message = message.as_str();
    match (code, message.is_empty()) {
        (None, _) => Error::CommandUnfinished,
        (Some(code), true) => Error::CommandFailed { code },
        (Some(_), false) => Error::CommandError { message: message.to_string() },
    }
}

/// Kind and mode from the first field of `ls -ld` (`drwx------`, `-rw-r--r--.`), as the
/// shell transport's `lstat` reads them from the server.
///
/// # Errors
/// The line does not start with a mode field.
pub fn parse_ls(line: &str) -> Result<Stat, Error> {
    let field: Vec<char> = line.split_whitespace().next().unwrap_or_default().chars().collect();
    if field.len() < 10 {
        return Err(Error::UnexpectedLs { line: line.trim().to_string() });
    }
    let kind = match field[0] {
        '-' => Kind::File,
        'd' => Kind::Dir,
        'l' => Kind::Symlink,
        _ => Kind::Other,
    };
    let mut mode = 0;
    for (i, &c) in field[1..10].iter().enumerate() {
        let bit = 1 << (8 - i);
        if matches!(c, 'r' | 'w' | 'x' | 's' | 't') {
            mode |= bit;
        }
        mode |= match (i, c) {
            (2, 's' | 'S') => 0o4000,
            (5, 's' | 'S') => 0o2000,
            (8, 't' | 'T') => 0o1000,
            _ => 0,
        };
    }
    Ok(Stat { kind, mode })
}

/// The SFTP transport.
pub struct Sftp {
    session: Arc<RawSftpSession>,
    posix_rename: bool,
    fsync: bool,
}

impl Sftp {
    async fn open(handle: &Handle<Client>, timeout: Duration) -> Result<Self, Error> {
        let mut channel =
            handle.channel_open_session().await.map_err(|e| fail("cannot open a session", &e))?;
        channel.request_subsystem(true, "sftp").await.map_err(|e| fail("cannot start sftp", &e))?;
        // Wait for the answer: a server without SFTP says no, and would not say more.
        loop {
            match channel.wait().await {
                Some(ChannelMsg::Success) => break,
                Some(ChannelMsg::Failure) | None => return Err(Error::NoSftp),
                Some(_) => {}
            }
        }
        let session = RawSftpSession::new(channel.into_stream());
        session.set_timeout(timeout.as_secs().max(1));
        let version = session.init().await.map_err(|e| fail("sftp", &e))?;
        let has = |name: &str| version.extensions.contains_key(name);
        Ok(Sftp {
            posix_rename: has("posix-rename@openssh.com"),
            fsync: has("fsync@openssh.com"),
            session: Arc::new(session),
        })
    }

    async fn realpath(&self, path: &str) -> Result<String, Error> {
        let name = self.session.realpath(path).await.map_err(|e| sftp_fail("realpath", path, &e))?;
        name.files
            .into_iter()
            .next()
            .map(|f| f.filename)
            .ok_or(Error::SftpUnexpected { op: "realpath", what: "gave no name" })
    }

    async fn lstat(&self, path: &str) -> Result<Option<Stat>, Error> {
        match self.session.lstat(path).await {
            Ok(attrs) => Ok(Some(stat_of(&attrs.attrs))),
            Err(e) if is_missing(&e) => Ok(None),
            Err(e) => Err(sftp_fail("stat", path, &e)),
        }
    }

    async fn read(&self, path: &str) -> Result<Option<Vec<u8>>, Error> {
        let handle = match self.session.open(path, OpenFlags::READ, FileAttributes::empty()).await {
            Ok(handle) => handle.handle,
            Err(e) if is_missing(&e) => return Ok(None),
            Err(e) => return Err(sftp_fail("open", path, &e)),
        };
        let contents = self.read_open(handle.as_str(), path).await;
        let _ = self.session.close(handle).await;
        contents.map(Some)
    }

    /// Reads an open file to its end, failing past [`MAX_FILE`]: the server decides how
    /// much it sends, however small it said the file was.
    async fn read_open(&self, handle: &str, path: &str) -> Result<Vec<u8>, Error> {
        let mut contents = Vec::new();
        loop {
            match self.session.read(handle, contents.len() as u64, SFTP_CHUNK as u32).await {
                Ok(data) if data.data.is_empty() => return Ok(contents),
                Ok(data) if contents.len() + data.data.len() > MAX_FILE => {
                    return Err(Error::TooMuchData { cap: MAX_FILE, flood: Flood::File(server_path(path)) });
                }
                Ok(data) => contents.extend_from_slice(&data.data),
                Err(russh_sftp::client::error::Error::Status(s)) if s.status_code == StatusCode::Eof => {
                    return Ok(contents);
                }
                Err(e) => return Err(sftp_fail("read", path, &e)),
            }
        }
    }

    async fn mkdir(&self, path: &str, mode: u32) -> Result<bool, Error> {
        let mut last_error = None;
        // OpenSSH's sftp-server answers a plain "failure" when the directory exists, so
        // look; if it has gone since (a lock released meanwhile), try again.
        for _ in 0..MKDIR_ATTEMPTS {
            let mut attrs = FileAttributes::empty();
            attrs.permissions = Some(mode);
            match self.session.mkdir(path, attrs).await {
                Ok(_) => return Ok(true),
                Err(e) => match self.lstat(path).await? {
                    Some(stat) if stat.kind == Kind::Dir => return Ok(false),
                    Some(_) => return Err(sftp_fail("mkdir", path, &e)),
                    None => last_error = Some(e),
                },
            }
        }
        let error = last_error.map_or(Error::MkdirFailed, |e| sftp_fail("mkdir", path, &e));
        Err(error)
    }

    /// The server's clock is read from a file created for the purpose.
    async fn age(&self, path: &str) -> Option<Duration> {
        let then = self.session.lstat(path).await.ok()?.attrs.mtime?;
        let probe = format!("{path}.probe.{:016x}", rand_u64());
        let handle = self
            .session
            .open(
                probe.as_str(),
                OpenFlags::WRITE | OpenFlags::CREATE | OpenFlags::EXCLUDE,
                FileAttributes::empty(),
            )
            .await
            .ok()?;
        let _ = self.session.close(handle.handle).await;
        let now = self.session.lstat(probe.as_str()).await.ok().and_then(|a| a.attrs.mtime);
        let _ = self.session.remove(probe.as_str()).await;
        Some(Duration::from_secs(u64::from(now?.saturating_sub(then))))
    }

    async fn remove_leftovers(&self, path: &str) -> Result<(), Error> {
        let (dir, name) = path.rsplit_once('/').unwrap_or((".", path));
        let prefix = format!("{name}.keywright.");
        let Ok(handle) = self.session.opendir(dir).await else { return Ok(()) };
        let leftovers = self.list(handle.handle.as_str(), dir, &prefix).await;
        let _ = self.session.close(handle.handle).await;
        for leftover in leftovers? {
            let _ = self.session.remove(format!("{dir}/{leftover}")).await;
        }
        Ok(())
    }

    /// The names in an open directory that start with `prefix`; a listing of more than
    /// [`MAX_NAMES`] names fails (a server could list forever).
    async fn list(&self, handle: &str, dir: &str, prefix: &str) -> Result<Vec<String>, Error> {
        let (mut seen, mut found) = (0, Vec::new());
        while let Ok(names) = self.session.readdir(handle).await {
            // An empty answer counts as a name: a server could send those forever.
            seen += names.files.len().max(1);
            if seen > MAX_NAMES {
                return Err(Error::TooManyNames { max: MAX_NAMES, dir: server_path(dir) });
            }
            found.extend(names.files.into_iter().map(|f| f.filename).filter(|f| f.starts_with(prefix)));
        }
        Ok(found)
    }

    async fn rmdir(&self, path: &str) -> Result<(), Error> {
        self.session.rmdir(path).await.map(drop).map_err(|e| sftp_fail("rmdir", path, &e))
    }

    async fn chmod(&self, path: &str, mode: u32) -> Result<(), Error> {
        let mut attrs = FileAttributes::empty();
        attrs.permissions = Some(mode);
        self.session.setstat(path, attrs).await.map(drop).map_err(|e| sftp_fail("chmod", path, &e))
    }

    async fn replace(&self, path: &str, contents: &[u8], mode: u32) -> Result<(), Error> {
        if self.lstat(path).await?.is_some_and(|stat| stat.kind != Kind::File) {
            return Err(Error::RemoteFileSwapped);
        }
        let temp = temp_name(path);
        let result = self.write_and_rename(&temp, path, contents, mode).await;
        if result.is_err() {
            let _ = self.session.remove(temp.as_str()).await;
        }
        result
    }

    async fn write_and_rename(
        &self,
        temp: &str,
        path: &str,
        contents: &[u8],
        mode: u32,
    ) -> Result<(), Error> {
        let mut attrs = FileAttributes::empty();
        attrs.permissions = Some(mode);
        let flags = OpenFlags::WRITE | OpenFlags::CREATE | OpenFlags::EXCLUDE;
        let handle =
            self.session.open(temp, flags, attrs).await.map_err(|e| sftp_fail("create", temp, &e))?.handle;
        for (i, chunk) in contents.chunks(SFTP_CHUNK).enumerate() {
            let offset = (i * SFTP_CHUNK) as u64;
            self.session
                .write(handle.as_str(), offset, chunk.to_vec())
                .await
                .map_err(|e| sftp_fail("write", temp, &e))?;
        }
        if self.fsync {
            self.session.fsync(handle.as_str()).await.map_err(|e| sftp_fail("fsync", temp, &e))?;
        }
        self.session.close(handle).await.map_err(|e| sftp_fail("close", temp, &e))?;
        self.chmod(temp, mode).await?;
        // Looked at again just before: it may have changed while the data was sent.
        if self.lstat(path).await?.is_some_and(|stat| stat.kind != Kind::File) {
            return Err(Error::RemoteFileSwapped);
        }
        self.rename_over(temp, path).await
    }

    /// posix-rename replaces the target atomically; plain SFTP rename refuses an existing
    /// target, so without the extension the old file is moved aside first.
    async fn rename_over(&self, temp: &str, path: &str) -> Result<(), Error> {
        if self.posix_rename {
            let mut data = Vec::new();
            for name in [temp, path] {
                data.extend_from_slice(&(name.len() as u32).to_be_bytes());
                data.extend_from_slice(name.as_bytes());
            }
            return match self.session.extended("posix-rename@openssh.com", data).await {
                Ok(Packet::Status(s)) if s.status_code == StatusCode::Ok => Ok(()),
                Ok(Packet::Status(s)) => Err(Error::Sftp {
                    op: "rename",
                    path: temp.to_string(),
                    cause: crate::sanitize::server_line(s.error_message.as_bytes(), MAX_MESSAGE),
                }),
                Ok(_) => Err(Error::SftpUnexpected { op: "rename", what: "unexpected reply" }),
                Err(e) => Err(sftp_fail("rename", temp, &e)),
            };
        }
        let aside = format!("{path}.keywright-old");
        let moved_aside = self.session.rename(path, aside.as_str()).await.is_ok();
        self.session.rename(temp, path).await.map_err(|e| sftp_fail("rename", temp, &e))?;
        if moved_aside {
            let _ = self.session.remove(aside.as_str()).await;
        }
        Ok(())
    }
}

/// Kind and mode from the attributes an SFTP server sends.
pub fn stat_of(attrs: &FileAttributes) -> Stat {
    let kind = match attrs.permissions.map(|p| p & 0o170000) {
        Some(0o040000) => Kind::Dir,
        Some(0o120000) => Kind::Symlink,
        Some(0o100000) => Kind::File,
        _ => Kind::Other,
    };
    Stat { kind, mode: attrs.permissions.unwrap_or(0) & 0o7777 }
}

fn is_missing(error: &russh_sftp::client::error::Error) -> bool {
    matches!(error, russh_sftp::client::error::Error::Status(s) if s.status_code == StatusCode::NoSuchFile)
}

/// 64 random bits for a temporary name. getrandom failing leaves the name guessable,
/// which exclusive creation still makes safe (it then fails, rather than writes through).
fn rand_u64() -> u64 {
    let mut bytes = [0u8; 8];
    let _ = getrandom::fill(&mut bytes);
    u64::from_ne_bytes(bytes)
}

/// A path as a result line shows it: the user's own paths and those the server named,
/// escaped the same way.
pub fn server_path(path: &str) -> String {
    crate::sanitize::server_line(path.as_bytes(), MAX_MESSAGE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ls_modes() {
        assert_eq!(
            parse_ls("drwx------ 2 a a 4096 Jan 1 00:00 .ssh").unwrap(),
            Stat { kind: Kind::Dir, mode: 0o700 }
        );
        assert_eq!(parse_ls("-rw-r--r--. 1 a a 1 x").unwrap(), Stat { kind: Kind::File, mode: 0o644 });
        assert_eq!(parse_ls("drwxrwxrwt 2 a a").unwrap(), Stat { kind: Kind::Dir, mode: 0o1777 });
        assert_eq!(parse_ls("lrwxrwxrwx 1 a a 3 x a -> b").unwrap().kind, Kind::Symlink);
        assert!(parse_ls("total 0").is_err());
    }
}
