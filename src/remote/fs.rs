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
use super::{Failure, fail};
use crate::cli::copy_id::Transport;

/// A mkdir that fails while nothing is there is tried this often before it is an error.
const MKDIR_ATTEMPTS: usize = 5;
/// SFTP writes are sent in pieces of this size (OpenSSH's sftp-server takes up to 256 KiB).
const SFTP_CHUNK: usize = 32 * 1024;

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
    ) -> Result<Self, Failure> {
        let shell = Shell { handle };
        if transport == Transport::Shell {
            return Ok(RemoteFs { shell, sftp: None });
        }
        match Sftp::open(handle, timeout).await {
            Ok(sftp) => Ok(RemoteFs { shell, sftp: Some(sftp) }),
            Err(failure) if transport == Transport::Sftp => {
                Err(failure.hint("use --transport auto (or shell) to install through a POSIX shell instead"))
            }
            Err(_) => Ok(RemoteFs { shell, sftp: None }),
        }
    }

    /// `sftp` or `shell`.
    pub fn name(&self) -> &'static str {
        if self.sftp.is_some() { "sftp" } else { "shell" }
    }

    /// The login's home directory.
    pub async fn home(&self) -> Result<String, Failure> {
        match &self.sftp {
            Some(s) => s.realpath(".").await,
            None => Ok(self.shell.run_ok("cd && pwd", None).await?.trim_end().to_string()),
        }
    }

    /// The path's kind and mode, without following a final symlink; `None` if missing.
    pub async fn lstat(&self, path: &str) -> Result<Option<Stat>, Failure> {
        match &self.sftp {
            Some(s) => s.lstat(path).await,
            None => self.shell.lstat(path).await,
        }
    }

    /// A file's contents; `None` if it does not exist.
    pub async fn read(&self, path: &str) -> Result<Option<Vec<u8>>, Failure> {
        match &self.sftp {
            Some(s) => s.read(path).await,
            None => self.shell.read(path).await,
        }
    }

    /// Creates a directory; `false` if it already exists.
    pub async fn mkdir(&self, path: &str, mode: u32) -> Result<bool, Failure> {
        match &self.sftp {
            Some(s) => s.mkdir(path, mode).await,
            None => self.shell.mkdir(path, mode).await,
        }
    }

    /// Removes an empty directory.
    pub async fn rmdir(&self, path: &str) -> Result<(), Failure> {
        match &self.sftp {
            Some(s) => s.rmdir(path).await,
            None => self.shell.run_ok(&format!("rmdir -- {}", quote(path)), None).await.map(drop),
        }
    }

    /// Sets permission bits.
    pub async fn chmod(&self, path: &str, mode: u32) -> Result<(), Failure> {
        match &self.sftp {
            Some(s) => s.chmod(path, mode).await,
            None => self.shell.run_ok(&format!("chmod {mode:o} -- {}", quote(path)), None).await.map(drop),
        }
    }

    /// The path with symlinks resolved.
    pub async fn realpath(&self, path: &str) -> Result<String, Failure> {
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
    pub async fn replace(&self, path: &str, contents: &[u8], mode: u32) -> Result<(), Failure> {
        let result = match &self.sftp {
            Some(s) => s.replace(path, contents, mode).await,
            None => self.shell.replace(path, contents, mode).await,
        };
        result.map_err(|failure| Failure {
            message: format!("cannot write {path}: {}", failure.message),
            ..failure
        })
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
    pub async fn remove_leftovers(&self, path: &str) {
        match &self.sftp {
            Some(s) => s.remove_leftovers(path).await,
            None => {
                let _ = self.shell.run(&format!("rm -f -- {}.keywright.*", quote(path)), None).await;
            }
        }
    }

    /// Restores SELinux contexts where `restorecon` exists (as ssh-copy-id does). Best
    /// effort: a server that runs no commands simply has none to restore.
    pub async fn restorecon(&self, paths: &[&str]) {
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
    /// Runs `script` with POSIX sh (whatever the login shell is), feeding `stdin`.
    pub async fn run(&self, script: &str, stdin: Option<&[u8]>) -> Result<Output, Failure> {
        exec(self.handle, &format!("exec sh -c {}", quote(script)), stdin).await
    }

    /// Runs `script` and returns its output, or fails with its stderr.
    async fn run_ok(&self, script: &str, stdin: Option<&[u8]>) -> Result<String, Failure> {
        let output = self.run(script, stdin).await?;
        match output.code {
            Some(0) => Ok(String::from_utf8_lossy(&output.stdout).into_owned()),
            code => Err(remote_failure(&output, code)),
        }
    }

    async fn lstat(&self, path: &str) -> Result<Option<Stat>, Failure> {
        let p = quote(path);
        let script = format!("if [ -e {p} ] || [ -L {p} ]; then ls -ld -- {p}; else exit {MISSING}; fi");
        let output = self.run(&script, None).await?;
        match output.code {
            Some(0) => parse_ls(&String::from_utf8_lossy(&output.stdout)).map(Some),
            Some(MISSING) => Ok(None),
            code => Err(remote_failure(&output, code)),
        }
    }

    async fn read(&self, path: &str) -> Result<Option<Vec<u8>>, Failure> {
        let p = quote(path);
        let output =
            self.run(&format!("if [ -f {p} ]; then cat -- {p}; else exit {MISSING}; fi"), None).await?;
        match output.code {
            Some(0) => Ok(Some(output.stdout)),
            Some(MISSING) => Ok(None),
            code => Err(remote_failure(&output, code)),
        }
    }

    async fn mkdir(&self, path: &str, mode: u32) -> Result<bool, Failure> {
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
    async fn replace(&self, path: &str, contents: &[u8], mode: u32) -> Result<(), Failure> {
        let p = quote(path);
        let script = format!(
            "umask 077; t={p}.keywright.$$; trap 'rm -f -- \"$t\"' EXIT HUP INT TERM; \
             cat > \"$t\" || exit 1; n=$(wc -c < \"$t\") || exit 1; \
             if [ $((n)) -ne {len} ]; then echo \"received $((n)) of {len} bytes\" >&2; exit 1; fi; \
             chmod {mode:o} \"$t\" || exit 1; sync \"$t\" 2>/dev/null || sync; mv -f -- \"$t\" {p}",
            len = contents.len()
        );
        self.run_ok(&script, Some(contents)).await.map(drop)
    }
}

/// Runs a command on a new session channel.
pub async fn exec(handle: &Handle<Client>, command: &str, stdin: Option<&[u8]>) -> Result<Output, Failure> {
    let mut channel = handle.channel_open_session().await.map_err(|e| fail("cannot open a session", &e))?;
    channel.exec(true, command).await.map_err(|e| fail("cannot run a command", &e))?;
    if let Some(data) = stdin {
        channel.data(data).await.map_err(|e| fail("cannot send data", &e))?;
    }
    channel.eof().await.map_err(|e| fail("cannot send data", &e))?;
    let mut output = Output { code: None, stdout: Vec::new(), stderr: Vec::new() };
    while let Some(message) = channel.wait().await {
        match message {
            ChannelMsg::Data { data } => output.stdout.extend_from_slice(&data),
            ChannelMsg::ExtendedData { data, ext: 1 } => output.stderr.extend_from_slice(&data),
            ChannelMsg::ExitStatus { exit_status } => output.code = Some(exit_status),
            ChannelMsg::Failure => {
                return Err(Failure::new("the server refused to run a command").hint(
                    "the account may be limited to SFTP or a forced command; keywright needs the SFTP subsystem or a POSIX sh",
                ));
            }
            _ => {}
        }
    }
    Ok(output)
}

fn remote_failure(output: &Output, code: Option<u32>) -> Failure {
    let stderr = String::from_utf8_lossy(&output.stderr);
    let message = stderr.lines().last().unwrap_or_default().trim();
    match (code, message.is_empty()) {
        (None, _) => Failure::new("the connection closed before the remote command finished"),
        (Some(code), true) => Failure::new(format!("remote command failed (exit {code})")),
        (Some(_), false) => Failure::new(format!("remote: {message}")),
    }
}

/// Quotes a string for POSIX sh.
pub fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "'\\''"))
}

/// `text` as one sh word for a command line shown to the user: quoted only when needed
/// (`[host]:port` is a glob pattern to the shell).
pub fn shell_word(text: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "@%+=:,./_-".contains(c);
    match !text.is_empty() && text.chars().all(plain) {
        true => text.to_string(),
        false => quote(text),
    }
}

/// Kind and mode from the first field of `ls -ld` (`drwx------`, `-rw-r--r--.`).
fn parse_ls(line: &str) -> Result<Stat, Failure> {
    let field: Vec<char> = line.split_whitespace().next().unwrap_or_default().chars().collect();
    if field.len() < 10 {
        return Err(Failure::new(format!("unexpected ls output: {}", line.trim())));
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
    async fn open(handle: &Handle<Client>, timeout: Duration) -> Result<Self, Failure> {
        let mut channel =
            handle.channel_open_session().await.map_err(|e| fail("cannot open a session", &e))?;
        channel.request_subsystem(true, "sftp").await.map_err(|e| fail("cannot start sftp", &e))?;
        // Wait for the answer: a server without SFTP says no, and would not say more.
        loop {
            match channel.wait().await {
                Some(ChannelMsg::Success) => break,
                Some(ChannelMsg::Failure) | None => return Err(Failure::new("the server offers no SFTP")),
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

    async fn realpath(&self, path: &str) -> Result<String, Failure> {
        let name =
            self.session.realpath(path).await.map_err(|e| fail(format!("sftp realpath {path}"), &e))?;
        name.files
            .into_iter()
            .next()
            .map(|f| f.filename)
            .ok_or_else(|| Failure::new("sftp realpath gave no name"))
    }

    async fn lstat(&self, path: &str) -> Result<Option<Stat>, Failure> {
        match self.session.lstat(path).await {
            Ok(attrs) => Ok(Some(stat_of(&attrs.attrs))),
            Err(e) if is_missing(&e) => Ok(None),
            Err(e) => Err(fail(format!("sftp stat {path}"), &e)),
        }
    }

    async fn read(&self, path: &str) -> Result<Option<Vec<u8>>, Failure> {
        let handle = match self.session.open(path, OpenFlags::READ, FileAttributes::empty()).await {
            Ok(handle) => handle.handle,
            Err(e) if is_missing(&e) => return Ok(None),
            Err(e) => return Err(fail(format!("sftp open {path}"), &e)),
        };
        let mut contents = Vec::new();
        loop {
            match self.session.read(handle.as_str(), contents.len() as u64, SFTP_CHUNK as u32).await {
                Ok(data) if data.data.is_empty() => break,
                Ok(data) => contents.extend_from_slice(&data.data),
                Err(russh_sftp::client::error::Error::Status(s)) if s.status_code == StatusCode::Eof => break,
                Err(e) => return Err(fail(format!("sftp read {path}"), &e)),
            }
        }
        let _ = self.session.close(handle).await;
        Ok(Some(contents))
    }

    async fn mkdir(&self, path: &str, mode: u32) -> Result<bool, Failure> {
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
                    Some(_) => return Err(fail(format!("sftp mkdir {path}"), &e)),
                    None => last_error = Some(e),
                },
            }
        }
        let error = last_error
            .map_or_else(|| Failure::new("mkdir failed"), |e| fail(format!("sftp mkdir {path}"), &e));
        Err(error)
    }

    /// The server's clock is read from a file created for the purpose.
    async fn age(&self, path: &str) -> Option<Duration> {
        let then = self.session.lstat(path).await.ok()?.attrs.mtime?;
        let probe = format!("{path}.probe.{:08x}", rand_u32());
        let handle = self
            .session
            .open(probe.as_str(), OpenFlags::WRITE | OpenFlags::CREATE, FileAttributes::empty())
            .await
            .ok()?;
        let _ = self.session.close(handle.handle).await;
        let now = self.session.lstat(probe.as_str()).await.ok().and_then(|a| a.attrs.mtime);
        let _ = self.session.remove(probe.as_str()).await;
        Some(Duration::from_secs(u64::from(now?.saturating_sub(then))))
    }

    async fn remove_leftovers(&self, path: &str) {
        let (dir, name) = path.rsplit_once('/').unwrap_or((".", path));
        let prefix = format!("{name}.keywright.");
        let Ok(handle) = self.session.opendir(dir).await else { return };
        let mut leftovers = Vec::new();
        while let Ok(names) = self.session.readdir(handle.handle.as_str()).await {
            leftovers.extend(names.files.into_iter().map(|f| f.filename).filter(|f| f.starts_with(&prefix)));
        }
        let _ = self.session.close(handle.handle).await;
        for leftover in leftovers {
            let _ = self.session.remove(format!("{dir}/{leftover}")).await;
        }
    }

    async fn rmdir(&self, path: &str) -> Result<(), Failure> {
        self.session.rmdir(path).await.map(drop).map_err(|e| fail(format!("sftp rmdir {path}"), &e))
    }

    async fn chmod(&self, path: &str, mode: u32) -> Result<(), Failure> {
        let mut attrs = FileAttributes::empty();
        attrs.permissions = Some(mode);
        self.session.setstat(path, attrs).await.map(drop).map_err(|e| fail(format!("sftp chmod {path}"), &e))
    }

    async fn replace(&self, path: &str, contents: &[u8], mode: u32) -> Result<(), Failure> {
        let temp = format!("{path}.keywright.{:08x}", rand_u32());
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
    ) -> Result<(), Failure> {
        let mut attrs = FileAttributes::empty();
        attrs.permissions = Some(mode);
        let flags = OpenFlags::WRITE | OpenFlags::CREATE | OpenFlags::EXCLUDE;
        let handle = self
            .session
            .open(temp, flags, attrs)
            .await
            .map_err(|e| fail(format!("sftp create {temp}"), &e))?
            .handle;
        for (i, chunk) in contents.chunks(SFTP_CHUNK).enumerate() {
            let offset = (i * SFTP_CHUNK) as u64;
            self.session
                .write(handle.as_str(), offset, chunk.to_vec())
                .await
                .map_err(|e| fail(format!("sftp write {temp}"), &e))?;
        }
        if self.fsync {
            self.session.fsync(handle.as_str()).await.map_err(|e| fail(format!("sftp fsync {temp}"), &e))?;
        }
        self.session.close(handle).await.map_err(|e| fail(format!("sftp close {temp}"), &e))?;
        self.chmod(temp, mode).await?;
        self.rename_over(temp, path).await
    }

    /// posix-rename replaces the target atomically; plain SFTP rename refuses an existing
    /// target, so without the extension the old file is moved aside first.
    async fn rename_over(&self, temp: &str, path: &str) -> Result<(), Failure> {
        if self.posix_rename {
            let mut data = Vec::new();
            for name in [temp, path] {
                data.extend_from_slice(&(name.len() as u32).to_be_bytes());
                data.extend_from_slice(name.as_bytes());
            }
            return match self.session.extended("posix-rename@openssh.com", data).await {
                Ok(Packet::Status(s)) if s.status_code == StatusCode::Ok => Ok(()),
                Ok(Packet::Status(s)) => {
                    Err(Failure::new(format!("sftp rename {temp}: {}", s.error_message)))
                }
                Ok(_) => Err(Failure::new("sftp rename: unexpected reply")),
                Err(e) => Err(fail(format!("sftp rename {temp}"), &e)),
            };
        }
        let aside = format!("{path}.keywright-old");
        let moved_aside = self.session.rename(path, aside.as_str()).await.is_ok();
        self.session.rename(temp, path).await.map_err(|e| fail(format!("sftp rename {temp}"), &e))?;
        if moved_aside {
            let _ = self.session.remove(aside.as_str()).await;
        }
        Ok(())
    }
}

fn stat_of(attrs: &FileAttributes) -> Stat {
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

fn rand_u32() -> u32 {
    let mut bytes = [0u8; 4];
    let _ = getrandom::fill(&mut bytes);
    u32::from_ne_bytes(bytes)
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

    #[test]
    fn quoting() {
        assert_eq!(quote("a b"), "'a b'");
        assert_eq!(quote("it's"), "'it'\\''s'");
        assert_eq!(shell_word("web-1.example.com"), "web-1.example.com");
        assert_eq!(shell_word("/home/me/.ssh/known_hosts"), "/home/me/.ssh/known_hosts");
        assert_eq!(shell_word("[127.0.0.1]:2222"), "'[127.0.0.1]:2222'");
        assert_eq!(shell_word(""), "''");
    }
}
