//! The library's error type: what went wrong, where, and what the user can do about it.

use std::io;
use std::path::{Path, PathBuf};

use crate::context::NoPrompt;
use crate::remote::sh::shell_word;

/// Result with the library's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything the model can fail with. Messages are lower-case, name the file (and line
/// where there is one) and carry no trailing period; [`Error::hint`] says what to do.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file could not be read, written or created.
    #[error("{}: {}", path.display(), describe_io(source))]
    Io { path: PathBuf, source: io::Error },

    /// A file could not be written because no file can be created beside it: every write
    /// goes through a temporary file in the same directory, renamed over the file.
    #[error("{}: cannot create a temporary file in {} to write it: {}", path.display(), dir.display(), describe_io(source))]
    CannotCreateTemp { path: PathBuf, dir: PathBuf, source: io::Error },

    /// A path that must be a regular file is something else.
    #[error("{}: is a directory, not a file", path.display())]
    IsDirectory { path: PathBuf },

    /// A file given to read is a FIFO, device or socket where a regular file belongs.
    #[error("{}: not a regular file ({kind})", path.display())]
    NotRegularFile { path: PathBuf, kind: FileKind },

    /// A file to rewrite is a FIFO, device or socket: renaming a new file over it would
    /// destroy it (`/dev/null` made a regular file, when run as root).
    #[error("{}: not a regular file ({kind}); not replacing it", path.display())]
    NotReplaceable { path: PathBuf, kind: FileKind },

    /// A symlink someone else may have planted in a sticky world-writable directory
    /// (the kernel's `protected_symlinks` rule).
    #[error("{}: not following this symlink: it is in {}, a sticky world-writable directory, and belongs to neither you nor the directory's owner", link.display(), dir.display())]
    UntrustedSymlink { link: PathBuf, dir: PathBuf },

    /// A new key file would be created through a symlink whose target does not exist.
    #[error("{}: is a symlink to {}, which does not exist; not creating a key file through it", link.display(), target.display())]
    DanglingSymlink { link: PathBuf, target: PathBuf },

    /// A file is larger than any file of its kind could be.
    #[error("{}: too large to be {what} ({size} bytes)", path.display())]
    TooLarge { path: PathBuf, what: &'static str, size: u64 },

    /// No key could be read from a file that should hold one or more.
    #[error("{}: no public key found{}", path.display(), describe_first_bad_line(first_bad_line))]
    NoPublicKey { path: PathBuf, first_bad_line: Option<(usize, &'static str)> },

    /// Nothing was named and the user has no keys yet to show.
    #[error("no FILE given, and there are no keys yet (no ~/.ssh/id_*.pub)")]
    NoKeysYet,

    /// A private key was expected and a public key was given.
    #[error("{}: is a public key, not a private key", path.display())]
    PublicNotPrivate { path: PathBuf },

    /// A private key file is damaged or in a format we do not read.
    #[error("{}: {reason}", path.display())]
    BadPrivateKey { path: PathBuf, reason: String },

    /// An encrypted PKCS#8 file asks its KDF for more memory or work than we allow.
    #[error("{}: encrypted PKCS#8 key refused: {reason}", path.display())]
    ExcessiveKdf { path: PathBuf, reason: String },

    /// The public half of an encrypted legacy PEM key is inside the encryption.
    #[error("{}: an encrypted PEM key shows its public key only with the passphrase", path.display())]
    PublicKeyLocked { path: PathBuf },

    /// A private key type we recognise but do not handle.
    #[error("{}: {what} are not supported", path.display())]
    UnsupportedPrivateKey { path: PathBuf, what: UnsupportedKey },

    /// A private key others may read; ssh and ssh-keygen refuse it, and a front that
    /// mimics ssh-keygen refuses it too (the native commands only warn).
    #[error("{}: UNPROTECTED PRIVATE KEY FILE: its mode {mode:04o} lets others access it, so ssh and ssh-keygen ignore it", path.display())]
    UnprotectedKey { path: PathBuf, mode: u32 },

    /// The passphrase did not decrypt the key.
    #[error("{}: incorrect passphrase", path.display())]
    WrongPassphrase { path: PathBuf },

    /// A secret or answer is needed but may not be asked: batch mode, or no terminal.
    #[error("{subject}: {what} is needed, but {}", match why {
        NoPrompt::Batch => "batch mode forbids asking for it",
        NoPrompt::NoTerminal => "there is no terminal to ask on",
    })]
    NoTerminal { what: Needed, subject: String, why: NoPrompt },

    /// The two entries of a new passphrase differed.
    #[error("passphrases do not match")]
    PassphraseMismatch,

    /// A passphrase file could not be used.
    #[error("{}: cannot use as passphrase file: {reason}", path.display())]
    BadPassphraseFile { path: PathBuf, reason: String },

    /// An output file exists and may not be replaced.
    #[error("{}: already exists", path.display())]
    Exists { path: PathBuf },

    /// An ssh option (from -o or the config) that cannot be used.
    #[error("{option}: {reason}")]
    InvalidOption { option: String, reason: String },

    /// A host name or port given on the command line is malformed.
    #[error("{host}: not a valid host: {reason}")]
    InvalidHost { host: String, reason: String },

    /// `keywright man COMMAND` for a command that has no page.
    #[error("no man page for `{command}`")]
    NoManPage { command: String },

    /// Generating or encrypting a key failed inside the crypto library.
    #[error("{what}: {reason}")]
    Crypto { what: &'static str, reason: String },

    // known_hosts commands (hash, find, add, remove, list, audit).
    /// `known-hosts add`: the file holds a different key of the same type for the host.
    #[error("{}:{}: {host} already has a different {key_type} key; not adding {fingerprint}", path.display(), join_lines(lines))]
    HostKeyConflict { path: PathBuf, lines: Vec<usize>, host: String, key_type: String, fingerprint: String },

    /// `known-hosts add`: the file marks this very key `@revoked` for the host.
    #[error("{}:{line}: this {key_type} key is @revoked for {host}", path.display())]
    RevokedKeyNotAdded { path: PathBuf, line: usize, host: String, key_type: String },

    /// `known-hosts remove --type`: a name that is no key type.
    #[error(
        "unknown key type {given:?}: use ed25519, rsa, ecdsa, dsa or a full name such as ecdsa-sha2-nistp384"
    )]
    UnknownKeyType { given: String },

    // copy-id and the remote side (remote/): why a run or one host failed. A host's
    // failure is its result line (the message) and a note (the hint). What a server sent
    // (`cause`, `message`, paths it named) was escaped and capped where it came in.
    /// No host was named on the command line or in a hosts file.
    #[error("no TARGET given")]
    NoTargets,

    /// A host took longer than `--timeout`, all of it.
    #[error("timed out after {secs}s")]
    HostTimedOut { secs: u64 },

    /// Connecting took longer than `--timeout` or ConnectTimeout (`by_connect_timeout`,
    /// when that was the shorter).
    #[error("timed out after {secs}s connecting to {host}:{port}")]
    ConnectTimedOut { secs: u64, host: String, port: u16, by_connect_timeout: bool },

    /// The host name did not resolve.
    #[error("cannot resolve {host}: {cause}")]
    CannotResolve { host: String, cause: String },

    /// Nothing listens on the port.
    #[error("cannot connect to {host}:{port}: connection refused")]
    ConnectionRefused { host: String, port: u16 },

    /// The connection failed otherwise; `network` when the network said so (an I/O
    /// error), not the SSH handshake.
    #[error("cannot connect to {host}:{port}: {cause}")]
    CannotConnect { host: String, port: u16, cause: String, network: bool },

    /// The host key differs from the one recorded at `file:line` for `host`.
    #[error("host key verification failed: the host key changed ({}:{line})", file.display())]
    HostKeyChanged { file: PathBuf, line: usize, host: String },

    /// The host key is marked revoked at `file:line`.
    #[error("host key verification failed: the host key is revoked ({}:{line})", file.display())]
    HostKeyRevoked { file: PathBuf, line: usize },

    /// The host key is not recorded, and was not accepted; `declined` when the user
    /// answered no (then there is nothing to suggest).
    #[error("host key verification failed: {host} is not a known host ({key_type} {fingerprint})")]
    UnknownHostKey { host: String, key_type: String, fingerprint: String, declined: bool },

    /// The server rejected the password; `given` when it came from --password-file or
    /// KEYWRIGHT_PASSWORD rather than the terminal.
    #[error("{who}: the password was rejected")]
    PasswordRejected { who: String, given: bool },

    /// The server wanted a password, but the host key check (`why`, a changed or revoked
    /// key under StrictHostKeyChecking=no) forbade sending it.
    #[error("{who}: permission denied: the password was not sent because {}", withheld_reason(why))]
    PasswordWithheld { who: String, why: std::sync::Arc<Error> },

    /// The keys offered (`keys_refused` of them) were refused and the server takes no
    /// password.
    #[error("{who}: permission denied: {}the server accepts no password", refused_keys(*keys_refused))]
    NoPasswordAccepted { who: String, keys_refused: usize },

    /// The keys offered (`keys_refused` of them, maybe none) were refused and there was
    /// no password to send.
    #[error("{who}: permission denied: {}", match keys_refused {
        0 => "no key or password to try".to_string(),
        _ => format!("{}no password was given", refused_keys(*keys_refused)),
    })]
    NoPasswordGiven { who: String, keys_refused: usize },

    /// A keyboard-interactive round asked more questions than are answered.
    #[error(
        "keyboard-interactive authentication: the server asked {asked} questions at once (at most {max} are answered)"
    )]
    TooManyPrompts { asked: usize, max: usize },

    /// An SSH operation (`what`: a channel request, an authentication method) failed.
    #[error("{what}: {cause}")]
    Ssh { what: &'static str, cause: String },

    /// An SFTP request on `path` failed.
    #[error("sftp {op} {path}: {cause}")]
    Sftp { op: &'static str, path: String, cause: String },

    /// SFTP was asked for (--transport sftp) and could not be used.
    #[error("{cause}")]
    SftpRequired { cause: Box<Error> },

    /// The server offers no SFTP subsystem.
    #[error("the server offers no SFTP")]
    NoSftp,

    /// The SFTP server answered a request with something that is no answer to it.
    #[error("sftp {op}: {what}")]
    SftpUnexpected { op: &'static str, what: &'static str },

    /// The server listed more names in a directory than any would hold.
    #[error("the server listed more than {max} names in {dir}")]
    TooManyNames { max: usize, dir: String },

    /// The server sent more than `cap` bytes.
    #[error("the server sent more than {} {}", describe_size(*cap), flood)]
    TooMuchData { cap: usize, flood: Flood },

    /// The server would not run a command on a session channel.
    #[error("the server refused to run a command")]
    CommandRefused,

    /// The channel closed before the remote command's exit status came.
    #[error("the connection closed before the remote command finished")]
    CommandUnfinished,

    /// A remote command failed without saying why.
    #[error("remote command failed (exit {code})")]
    CommandFailed { code: u32 },

    /// A remote command failed; `message` is the last line of its error output.
    #[error("remote: {message}")]
    CommandError { message: String },

    /// The shell transport could not read `ls -ld`'s mode field.
    #[error("unexpected ls output: {line}")]
    UnexpectedLs { line: String },

    /// A directory could not be created, and no error said why.
    #[error("mkdir failed")]
    MkdirFailed,

    /// The remote file to replace stopped being a regular file while it was written.
    #[error("it is now a symlink, a directory or another non-regular file: not replaced")]
    RemoteFileSwapped,

    /// Writing the remote file `path` failed (`cause` may name only a temporary file).
    #[error("cannot write {path}: {cause}")]
    RemoteWrite { path: String, cause: Box<Error> },

    /// A remote path that must be a directory is something else.
    #[error("{path} is not a directory")]
    RemoteNotDirectory { path: String },

    /// The remote authorized_keys is not a regular file.
    #[error("{path} is not a regular file")]
    RemoteNotRegular { path: String },

    // Keys (generate, comment, the key reader, copy-id's keys).
    /// An RSA size below the minimum we make.
    #[error("RSA keys of {bits} bits are too weak: the minimum is {min} bits")]
    RsaTooWeak { bits: u32, min: u32 },

    /// An RSA size above OpenSSH's maximum.
    #[error("RSA keys of {bits} bits are too large: the maximum is {max} bits")]
    RsaTooLarge { bits: u32, max: u32 },

    /// An ECDSA size that is no NIST curve.
    #[error("ECDSA keys of {bits} bits do not exist: valid sizes are 256, 384 or 521 bits")]
    NoSuchEcdsaSize { bits: u32 },

    /// A comment that would break the one line a key is.
    #[error("{what} holds {breaker}; one key is one line, so nothing was written")]
    NotOneLine { what: CommentOf, breaker: LineBreak },

    /// copy-id was given no key and found none to install.
    #[error("no keys to install: no -i, no ssh-agent keys, and no ~/.ssh/id_*.pub")]
    NoKeysToInstall,

    /// `install-links`: a file of a front's name is there and is not our link.
    #[error("{}: exists and is {what}, not a link to keywright", path.display())]
    LinkWouldReplace { path: PathBuf, what: String },

    /// A path that must be a directory is something else.
    #[error("{}: not a directory", path.display())]
    NotADirectory { path: PathBuf },

    /// A key line with authorized_keys options or known_hosts names before the key:
    /// installed as it is, a restricted key would lose its restrictions.
    #[error("{}:{line}: the key has options or host names before it", path.display())]
    KeyHasOptions { path: PathBuf, line: usize },

    // SSH signatures and allowed_signers (sig/: sign, verify, signers).
    /// A signature file that is no SSH signature OpenSSH would read.
    #[error("{}: not an SSH signature: {problem}", path.display())]
    BadSignature { path: PathBuf, problem: crate::sig::SignatureProblem },

    /// A key revocation list (PROTOCOL.krl) that cannot be read: every key it is asked
    /// about counts as revoked (as OpenSSH fails closed).
    #[error("{}: not a key revocation list OpenSSH would read: {problem}", path.display())]
    BadKrl { path: PathBuf, problem: crate::krl::KrlError },

    /// The host key is in the RevokedHostKeys file (a KRL or a list of keys).
    #[error("host key verification failed: the {key_type} host key {fingerprint} is revoked by {}", path.display())]
    HostKeyRevokedByFile { path: PathBuf, key_type: String, fingerprint: String },

    /// The RevokedHostKeys file cannot be read or checked: as ssh, the host key is refused.
    #[error("host key verification failed: cannot check the revoked keys file: {cause}")]
    RevokedHostKeysUnreadable { path: PathBuf, cause: String },

    /// A KRL spec line `ssh-keygen -k` would refuse (worded as it words it).
    #[error("{problem}")]
    BadKrlSpec { problem: crate::krl::SpecError },

    /// A revocation file line that is no public key: as OpenSSH, every signature whose
    /// key is not listed before it is refused (a list that cannot be read must not let a
    /// revoked key through).
    #[error("{}:{line}: not a public key, so the revocation list cannot be checked", path.display())]
    BadRevocationLine { path: PathBuf, line: usize },

    /// An allowed_signers line that ends a search (match-principals stops at it, as
    /// OpenSSH does).
    #[error("{}:{line}: {problem}", path.display())]
    BadSignerLine { path: PathBuf, line: usize, problem: crate::sig::LineProblem },

    /// A signature file to write exists and may not be replaced.
    #[error("{}: already exists", path.display())]
    SignatureExists { path: PathBuf },

    /// The key to sign with has no private half here, and the agent does not hold it.
    #[error("{}: no private key for this public key, and {}", key.display(), match agent {
        AgentState::NotRunning => "no ssh-agent runs (SSH_AUTH_SOCK is not set)",
        AgentState::LacksKey => "ssh-agent does not hold it",
    })]
    NoPrivateKey { key: PathBuf, agent: AgentState },

    /// Signing through the agent was demanded (`--agent`), and it cannot be done.
    #[error("{}: cannot sign with ssh-agent: {}", key.display(), match agent {
        AgentState::NotRunning => "no ssh-agent runs (SSH_AUTH_SOCK is not set)",
        AgentState::LacksKey => "it does not hold this key",
    })]
    AgentRequired { key: PathBuf, agent: AgentState },

    /// SSH_AUTH_SOCK names a socket nothing answers on.
    #[error("cannot connect to ssh-agent at {}: {cause}", socket.display())]
    AgentUnreachable { socket: PathBuf, cause: String },

    /// The agent did not sign.
    #[error("ssh-agent at {} did not sign: {cause}", socket.display())]
    AgentSign { socket: PathBuf, cause: String },

    /// A certificate given to sign with does not belong to the private key beside it.
    #[error("{}: the certificate is not for the key in {}", certificate.display(), key.display())]
    CertificateKeyMismatch { certificate: PathBuf, key: PathBuf },

    /// An option value for signing or verifying (`-O hashalg=`, `--verify-time`).
    #[error("{option}: {reason}")]
    BadSignatureOption { option: String, reason: &'static str },

    /// `signers add`: principals that cannot be written as one allowed_signers field.
    #[error("{principals:?}: cannot be written as allowed_signers principals: {reason}")]
    BadSigner { principals: String, reason: &'static str },

    /// `sshfp`: a key SSHFP has no algorithm number for (a certificate, a FIDO key).
    #[error("{}: {key_type} keys have no SSHFP record type", path.display())]
    NoSshfpType { path: PathBuf, key_type: String },

    /// `sshfp` without -f: no host key in the directory.
    #[error("{}: no host keys found (ssh_host_*_key or .pub)", dir.display())]
    NoHostKeys { dir: PathBuf },

    /// A legacy PEM key's `DEK-Info` header names no cipher we know, or is malformed.
    #[error("{}: encrypted PEM key with an unknown or malformed DEK-Info header ({header:?})", path.display())]
    BadPemHeader { path: PathBuf, header: String },

    /// `authorized-keys rotate`: the login with the new key alone was refused, so the old
    /// key stays.
    #[error("{who}: the new key {} could not log in; the old key stays", key.display())]
    NewKeyRefused { who: String, key: PathBuf },

    /// `authorized-keys set`: the new set holds none of the keys the user logs in with.
    #[error(
        "{who}: refusing to set keys that would lock you out: none of your identities or agent keys is in the new set"
    )]
    WouldLockOut { who: String },

    /// `authorized-keys`: `--options` that cannot stand as one line's options field.
    #[error(
        "{options:?}: not valid authorized_keys options (comma-separated, blanks only inside double quotes)"
    )]
    BadKeyOptions { options: String },

    /// `authorized-keys`: a KEY argument that is no key file, key line or fingerprint.
    #[error("{arg:?}: not a public key file, a key line (TYPE BASE64 [COMMENT]) or a fingerprint")]
    NotAKeyArgument { arg: String },

    /// `authorized-keys rotate`: the new key must be a private key to log in with.
    #[error("{}: no private key to prove the new key with", key.display())]
    RotateNeedsPrivateKey { key: PathBuf },

    /// OpenSSL (and so ssh-keygen) refuses to encrypt a PEM or PKCS#8 key with a
    /// passphrase this short.
    #[error("passphrase is too short for a PEM or PKCS#8 key (minimum {min} characters)")]
    PassphraseTooShort { min: usize },

    /// `import`/`export`: a key that cannot be converted, or a file that is not in the
    /// format asked for.
    #[error("{}: {reason}", path.display())]
    Convert { path: PathBuf, reason: String },

    /// A ProxyCommand could not be started.
    #[error("cannot run ProxyCommand {command:?}: {cause}")]
    ProxyCommand { command: String, cause: String },

    /// A jump host would not open a connection onward (ProxyJump).
    #[error("jump host {jump} cannot connect to {host}:{port}: {cause}")]
    JumpRefused { jump: String, host: String, port: u16, cause: String },

    /// `known-hosts scan --expect`: the host offered a key whose fingerprint is not the
    /// pinned one.
    #[error("host key {fingerprint} is not the expected {expected}")]
    UnexpectedHostKey { fingerprint: String, expected: String },

    /// An Ansible inventory that cannot be read.
    #[error("{}:{line}: {reason}", path.display())]
    BadInventory { path: PathBuf, line: usize, reason: String },

    /// `known-hosts verify HOST`: the file records no key for the host.
    #[error("{host}: no key recorded for it in {}", path.display())]
    HostNotRecorded { host: String, path: PathBuf },

    /// `--limit` names a group or host the inventory does not have.
    #[error("{}: no group or host {limit:?} in the inventory", path.display())]
    NoSuchInventoryGroup { path: PathBuf, limit: String },

    /// `cert sign`: a request ssh-keygen would refuse (validity, option, principals,
    /// serial), in its words.
    #[error("certificate request: {0}")]
    CertSpec(crate::cert::SpecError),

    /// `cert sign`: the key to certify is a certificate already.
    #[error("{}: is a certificate ({key_type}); certify the plain public key", path.display())]
    CannotCertify { path: PathBuf, key_type: String },

    /// `known-hosts add --cert-authority`: patterns that cannot be one known_hosts field.
    #[error(
        "{patterns:?}: cannot be the host patterns of a @cert-authority line (one field: not empty, no blanks, no # first)"
    )]
    BadCaPatterns { patterns: String },

    /// `copy-id --principals`: names that cannot go inside `principals="…"`.
    #[error(
        "{principals:?}: cannot be written as the principals of a cert-authority line: give names separated by commas, without blanks or quotes"
    )]
    BadCertPrincipals { principals: String },

    /// `cert show`: a line that holds a key but no certificate, or no key.
    #[error("{}:{line}: {what}", path.display())]
    NotCertificate { path: PathBuf, line: usize, what: &'static str },
}

/// Whether an agent could have signed instead of a missing private key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AgentState {
    /// SSH_AUTH_SOCK is not set.
    NotRunning,
    /// The agent runs but does not hold the key.
    LacksKey,
}

/// A kind of private key we recognise but do not read; each has its own way out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnsupportedKey {
    SshCom,
    Dsa,
    /// Legacy PEM encrypted with something other than AES-128-CBC, which OpenSSH writes.
    PemCipher,
}

impl std::fmt::Display for UnsupportedKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            UnsupportedKey::SshCom => "SSH.COM private keys",
            UnsupportedKey::Dsa => "DSA private keys",
            UnsupportedKey::PemCipher => "PEM keys encrypted with a cipher other than AES-128-CBC",
        })
    }
}

impl UnsupportedKey {
    /// How to turn such a key into one we read.
    pub fn hint(self) -> &'static str {
        match self {
            UnsupportedKey::SshCom => "convert it first: ssh-keygen -i -f KEY > KEY.openssh",
            UnsupportedKey::Dsa => {
                "DSA keys are obsolete (OpenSSH 10 removed them); make a new key with `keywright generate`"
            }
            UnsupportedKey::PemCipher => {
                "convert it first: ssh-keygen -p -f KEY rewrites it in OpenSSH's format"
            }
        }
    }
}

/// Whose comment [`Error::NotOneLine`] refuses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommentOf {
    /// The comment given on the command line.
    Argument,
    /// The comment of the key on a line of a file.
    KeyLine { path: PathBuf, line: usize },
    /// The comment of the agent's key number `number` (from 1).
    AgentKey { number: usize },
}

impl std::fmt::Display for CommentOf {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CommentOf::Argument => f.write_str("the comment"),
            CommentOf::KeyLine { path, line } => {
                write!(f, "{}:{line}: the comment of the key", path.display())
            }
            CommentOf::AgentKey { number } => write!(f, "the comment of the agent's key {number}"),
        }
    }
}

/// What breaks a line in text that must stay one line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineBreak {
    Newline,
    CarriageReturn,
    Nul,
}

impl std::fmt::Display for LineBreak {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            LineBreak::Newline => "a newline",
            LineBreak::CarriageReturn => "a carriage return",
            LineBreak::Nul => "a NUL byte",
        })
    }
}

impl Error {
    /// Builds an [`Error::Io`] for `path`.
    pub fn io(path: impl AsRef<Path>, source: io::Error) -> Self {
        Error::Io { path: path.as_ref().to_path_buf(), source }
    }

    /// What the user can do about this error, when there is something.
    pub fn hint(&self) -> Option<String> {
        let hint = match self {
            Error::HostKeyConflict { .. } => {
                "if the host's key really changed, check the new fingerprint out of band, then add it with --replace"
            }
            Error::RevokedKeyNotAdded { .. } => {
                "a revoked key must not be trusted again; get the host's current key"
            }
            Error::Io { source, .. } if source.kind() == io::ErrorKind::NotFound => "check the path",
            Error::Io { source, .. } | Error::CannotCreateTemp { source, .. }
                if matches!(
                    source.kind(),
                    io::ErrorKind::StorageFull | io::ErrorKind::FileTooLarge | io::ErrorKind::QuotaExceeded
                ) =>
            {
                "free some space (or raise the file size limit) and run it again; no file was changed"
            }
            Error::Io { source, .. } if source.kind() == io::ErrorKind::PermissionDenied => {
                "check the file's owner and mode (ls -l)"
            }
            Error::CannotCreateTemp { dir, source, .. }
                if source.kind() == io::ErrorKind::PermissionDenied =>
            {
                return Some(format!(
                    "the file is replaced through a new one beside it, so {0} must be writable: check its owner and mode (ls -ld {0})",
                    dir.display()
                ));
            }
            Error::NoPublicKey { .. } => {
                "expected OpenSSH public keys (type base64 [comment]), authorized_keys or known_hosts lines, or a private key"
            }
            Error::BadPrivateKey { .. } => {
                "expected an OpenSSH, PEM, PKCS#8 or PuTTY private key; if this is one, it is damaged: restore it from a backup"
            }
            Error::NoKeysYet => "make one with `keywright generate`, or name a key file",
            Error::NoManPage { .. } => {
                "name a command as `keywright --help` lists it, such as `copy-id` or `known-hosts audit`"
            }
            Error::PublicNotPrivate { .. } => "give the private key file, the one without .pub",
            Error::ExcessiveKdf { .. } => {
                "re-encrypt it with OpenSSL's defaults (openssl pkcs8 -topk8 -v2 aes-256-cbc) where it was made"
            }
            Error::WrongPassphrase { .. } => "try again; the passphrase is case-sensitive",
            Error::NoTerminal { what, why, .. } => return Some(no_terminal_hint(*what, *why)),
            Error::PublicKeyLocked { path } => {
                return Some(format!(
                    "run `keywright public -f {0} > {0}.pub` once; the .pub beside a key is read instead",
                    path.display()
                ));
            }
            Error::UnprotectedKey { path, .. } => {
                return Some(format!("chmod go-rwx {}", path.display()));
            }
            Error::PassphraseMismatch => "type the same passphrase twice",
            Error::Exists { .. } => "use --force to overwrite it, or -f to choose another file",
            Error::UnsupportedPrivateKey { what, .. } => what.hint(),
            Error::NotOneLine { .. } => "give it without line breaks or NUL bytes",
            Error::NoKeysToInstall => "make a key with `keywright generate`, or name one with -i",
            Error::KeyHasOptions { .. } => {
                "give a public key file (type base64 comment); copy-id installs keys without options"
            }
            Error::IsDirectory { .. } => "give the path of a file inside it",
            Error::LinkWouldReplace { .. } => {
                "use --force to replace it (and keep a copy first if it is a program you need)"
            }
            Error::NotRegularFile { kind: FileKind::Fifo, .. } => {
                "reading a FIFO waits for a writer that may never come; save the data to a file and give its path"
            }
            Error::NotRegularFile { .. } => "give the path of a regular file",
            Error::NotReplaceable { .. } => {
                "the file is rewritten by renaming a new one over it, which would destroy this one; give the path of a regular file"
            }
            Error::UntrustedSymlink { .. } => {
                "anyone can plant a link there; if you trust its target, give the target's path instead"
            }
            Error::DanglingSymlink { target, .. } => {
                return Some(format!(
                    "if the key belongs at the link's target, give that path (-f {}); otherwise remove the link",
                    target.display()
                ));
            }
            // copy-id and the remote side.
            Error::NoTargets => "name hosts as [user@]host[:port] arguments, or list them with --hosts-file",
            Error::HostTimedOut { .. } => "if the host is only slow, give it longer with --timeout",
            Error::ConnectTimedOut { by_connect_timeout, .. } => {
                let longer = if *by_connect_timeout { "-o ConnectTimeout" } else { "--timeout" };
                return Some(format!(
                    "check that the host is up and sshd listens on that port; if it is only slow, give it longer with {longer}"
                ));
            }
            Error::ConnectionRefused { .. } => {
                "nothing listens on that port: check that sshd runs on the host and the port (TARGET:PORT, -p, or Port in the ssh config)"
            }
            Error::CannotConnect { network: true, .. } => {
                "check the host name and that the host can be reached"
            }
            Error::HostKeyChanged { file, host, .. } => {
                return Some(format!(
                    "if the change is expected, check the new fingerprint out of band, then remove the old key with `keywright known-hosts remove -f {} {}`",
                    shell_word(&file.display().to_string()),
                    shell_word(host)
                ));
            }
            Error::HostKeyRevoked { .. } => {
                "a revoked key is never trusted again: ask the host's administrator for its current key"
            }
            Error::UnknownHostKey { host, declined: false, .. } => {
                return Some(format!(
                    "check the fingerprint out of band, then add the key with `keywright known-hosts add {} KEY`, or pass -o StrictHostKeyChecking=accept-new",
                    shell_word(host)
                ));
            }
            Error::PasswordRejected { given: true, .. } => {
                "check the password given with --password-file or KEYWRIGHT_PASSWORD, and the user name (sshd refuses an unknown user the same way)"
            }
            Error::PasswordRejected { given: false, .. } => {
                "check the password and the user name (sshd refuses an unknown user the same way)"
            }
            Error::PasswordWithheld { why, .. } => {
                return Some(format!(
                    "with StrictHostKeyChecking=no, as with ssh, no password is sent to a host whose key changed or is revoked; {}",
                    why.hint().as_deref().unwrap_or("check the host key out of band")
                ));
            }
            Error::NoPasswordAccepted { .. } => {
                "give an identity the account accepts with -o IdentityFile=KEY, or load it into ssh-agent"
            }
            Error::NoPasswordGiven { .. } => {
                "give the password with --password-file or KEYWRIGHT_PASSWORD, an identity with -o IdentityFile=KEY, or load the key into ssh-agent"
            }
            Error::SftpRequired { .. } => {
                "use --transport auto (or shell) to install through a POSIX shell instead"
            }
            Error::TooMuchData { flood: Flood::File(_), .. } => {
                "look at that file on the server: an authorized_keys file is far smaller"
            }
            Error::CommandRefused => {
                "the account may be limited to SFTP or a forced command; keywright needs the SFTP subsystem or a POSIX sh"
            }
            Error::RemoteWrite { cause, .. } => return cause.hint(),
            Error::RemoteNotDirectory { .. } | Error::RemoteNotRegular { .. } => {
                "move it out of the way, or name another file with --target-path"
            }
            // Signatures.
            Error::BadSignature { .. } => {
                "give the signature file that ssh-keygen -Y sign or keywright sign wrote (-----BEGIN SSH SIGNATURE-----)"
            }
            Error::BadKrl { .. } => "make the list again with `keywright krl create` (or ssh-keygen -k)",
            Error::HostKeyRevokedByFile { .. } => {
                "the server's key was revoked (RevokedHostKeys): ask its administrator for its current key"
            }
            Error::RevokedHostKeysUnreadable { .. } => {
                "fix or remove the RevokedHostKeys file; a host key is never trusted when it cannot be checked"
            }
            Error::BadKrlSpec { .. } => {
                "spec lines are serial: N[-M], id: ID, key: KEY, sha1: KEY, sha256: KEY, hash: SHA256:… or a public key; serial: and id: need --ca or --all-cas"
            }
            Error::BadRevocationLine { .. } => {
                "each line of a revocation file must be a public key (TYPE BASE64 [COMMENT]) or a # comment"
            }
            Error::BadSignerLine { .. } => {
                "fix the line: `keywright signers audit -f FILE` lists every problem"
            }
            Error::SignatureExists { .. } => "use --force to replace it",
            Error::CertSpec(_) => "see `keywright cert sign --help` for the forms of -V, -O, -n and -z",
            Error::CannotCertify { .. } => "give the KEY.pub the certificate was made for",
            Error::NoPrivateKey { agent: AgentState::NotRunning, .. } => {
                "give the private key file with -f, or start ssh-agent and add the key with ssh-add"
            }
            Error::NoPrivateKey { agent: AgentState::LacksKey, .. }
            | Error::AgentRequired { agent: AgentState::LacksKey, .. } => {
                "add the key to the agent with ssh-add KEY"
            }
            Error::AgentRequired { agent: AgentState::NotRunning, .. } => {
                "start ssh-agent (eval \"$(ssh-agent)\") and add the key with ssh-add, or sign without --agent"
            }
            Error::AgentUnreachable { .. } => {
                "start ssh-agent, or unset SSH_AUTH_SOCK to sign with the key file"
            }
            Error::CertificateKeyMismatch { .. } => {
                "give the certificate that was signed for this key (KEY-cert.pub beside KEY)"
            }
            Error::BadSigner { .. } => "give comma-separated principals without quotes or line breaks",
            Error::NoSshfpType { .. } => "give the plain host key (not its certificate) with -f",
            Error::NoHostKeys { .. } => "make them with `keywright host-keys`, or name the key files with -f",
            Error::BadPemHeader { .. } => {
                "the file is damaged, or was written by a tool OpenSSH cannot read either; convert it with openssl where it was made"
            }
            Error::NewKeyRefused { .. } => {
                "check that the server takes that key type and that the key's options (from=) allow this client; the old key still logs in"
            }
            Error::WouldLockOut { .. } => {
                "put one of your keys in the set (ssh-add -L lists the agent's), or use --force if another way in remains"
            }
            Error::BadKeyOptions { .. } => {
                "give options as sshd reads them, e.g. --options 'from=\"10.0.0.0/8\",no-pty'"
            }
            Error::NotAKeyArgument { .. } => {
                "give a .pub file, a quoted key line, or a fingerprint (SHA256:…) as `keywright fingerprint` prints it"
            }
            Error::RotateNeedsPrivateKey { .. } => {
                "give NEW as the private key file (KEY, with KEY.pub beside it); rotate logs in with it before removing OLD"
            }

            Error::ProxyCommand { .. } => "check the ProxyCommand in your ssh config or -o option",
            Error::JumpRefused { .. } => {
                "check that the jump host allows TCP forwarding (AllowTcpForwarding) and can reach the target"
            }
            Error::UnexpectedHostKey { .. } => {
                "do not trust this host until you know why its key differs from the one you were given"
            }
            Error::NoSuchInventoryGroup { .. } => "name a group or host of the inventory with --limit",
            Error::HostNotRecorded { .. } => {
                "fetch and pin its keys first: `keywright known-hosts scan --add --expect FINGERPRINT HOST`"
            }

            _ => return None,
        };
        Some(hint.to_string())
    }
}

/// What a server sent too much of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Flood {
    /// Error output of a command.
    ErrorOutput,
    /// Output of a command.
    Output,
    /// A file read (its path, as the server's text).
    File(String),
}

impl std::fmt::Display for Flood {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Flood::ErrorOutput => f.write_str("of error output"),
            Flood::Output => f.write_str("of output"),
            Flood::File(path) => write!(f, "for {path}"),
        }
    }
}

/// A cap in KiB or MiB.
fn describe_size(cap: usize) -> String {
    match cap >= 1 << 20 {
        true => format!("{} MiB", cap >> 20),
        false => format!("{} KiB", cap >> 10),
    }
}

/// `the server refused N key(s) and `, or nothing when no key was offered.
fn refused_keys(count: usize) -> String {
    match count {
        0 => String::new(),
        n => format!("the server refused {n} key(s) and "),
    }
}

/// Why a host key check withheld the password: its refusal, without the words every
/// refusal starts with.
fn withheld_reason(why: &Error) -> String {
    let text = why.to_string();
    text.strip_prefix("host key verification failed: ").map(str::to_string).unwrap_or(text)
}

/// What to do instead of answering a prompt: a new key may also have no passphrase.
fn no_terminal_hint(what: Needed, why: NoPrompt) -> String {
    let no_passphrase = match what == Needed::NewPassphrase {
        true => ", or --no-passphrase for a key without one",
        false => "",
    };
    let otherwise = match why {
        NoPrompt::Batch if no_passphrase.is_empty() => ", or leave batch mode to be asked",
        NoPrompt::Batch => "",
        NoPrompt::NoTerminal => ", or run it in a terminal",
    };
    format!("use --passphrase-file FILE (or - for stdin){no_passphrase}{otherwise}")
}

/// What a prompt that could not be shown would have asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Needed {
    Passphrase,
    /// A new key's or a changed key's passphrase: it may also be none.
    NewPassphrase,
    /// An answer to a question (a host key to trust, a password echoed).
    Answer,
}

impl std::fmt::Display for Needed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Needed::Passphrase => "a passphrase",
            Needed::NewPassphrase => "a new passphrase",
            Needed::Answer => "an answer",
        })
    }
}

/// What a file that is not a regular file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Fifo,
    CharDevice,
    BlockDevice,
    Socket,
    Directory,
    Symlink,
    Special,
}

impl std::fmt::Display for FileKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            FileKind::Fifo => "a FIFO",
            FileKind::CharDevice => "a character device",
            FileKind::BlockDevice => "a block device",
            FileKind::Socket => "a socket",
            FileKind::Directory => "a directory",
            FileKind::Symlink => "a symbolic link",
            FileKind::Special => "a special file",
        })
    }
}

/// io::Error's Display adds "(os error N)"; users need only the reason.
pub(crate) fn describe_io(err: &io::Error) -> String {
    let text = err.to_string();
    match text.find(" (os error") {
        Some(cut) => text[..cut].to_lowercase(),
        None => text,
    }
}

/// Line numbers as `3,7`.
fn join_lines(lines: &[usize]) -> String {
    lines.iter().map(usize::to_string).collect::<Vec<_>>().join(",")
}

fn describe_first_bad_line(line: &Option<(usize, &'static str)>) -> String {
    match line {
        Some((n, why)) => format!(" (line {n}: {why})"),
        None => " (the file has no key lines)".to_string(),
    }
}

/// The causes of an error joined by ": ", skipping a cause whose text the previous one
/// already contains (anyhow contexts often repeat their source).
pub fn describe_chain(error: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in error.chain() {
        let part = cause.to_string();
        let part = part.find(" (os error").map_or(part.as_str(), |cut| &part[..cut]);
        if !text.to_lowercase().contains(&part.to_lowercase()) {
            if !text.is_empty() {
                text.push_str(": ");
            }
            text.push_str(part);
        }
    }
    text
}

/// The first hint any cause of `error` offers.
pub fn find_hint(error: &anyhow::Error) -> Option<String> {
    error.chain().find_map(|cause| cause.downcast_ref::<Error>().and_then(Error::hint))
}

/// Whether `error` is a closed stdout (`keywright … | head`), which ends a run quietly.
pub fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error
        .chain()
        .any(|cause| cause.downcast_ref::<io::Error>().is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_directory_without_write_access_is_named_with_the_file() {
        let denied = Error::CannotCreateTemp {
            path: "ro/kh".into(),
            dir: "ro".into(),
            source: io::Error::from(io::ErrorKind::PermissionDenied),
        };
        assert_eq!(
            denied.to_string(),
            "ro/kh: cannot create a temporary file in ro to write it: permission denied"
        );
        assert!(
            denied
                .hint()
                .is_some_and(|hint| hint.contains("ro must be writable") && hint.ends_with("(ls -ld ro)"))
        );
        let full = Error::CannotCreateTemp {
            path: "kh".into(),
            dir: ".".into(),
            source: io::Error::from(io::ErrorKind::StorageFull),
        };
        assert!(full.hint().is_some_and(|hint| hint.starts_with("free some space")));
    }
}
