use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};

use super::examples;
use super::fingerprint::OutputFormat;

/// Hash, find, add, remove, list and audit known_hosts entries (ssh-keygen -H/-F/-R, and more)
#[derive(Debug, Args)]
#[command(
    long_about = "Work on a known_hosts file (default ~/.ssh/known_hosts; -f for another). Hosts are \
                  matched as OpenSSH matches them: comma lists, * and ? wildcards, ! negation, \
                  [host]:port for ports other than 22 (host:port and -p are accepted too), hashed \
                  |1|salt|hash names, @cert-authority and @revoked markers; names compare \
                  case-insensitively, hashed ones included. Every rewrite is atomic, keeps the \
                  file's mode, goes through a symlink to its target, and is locked against \
                  concurrent runs.",
    after_help = examples::render(examples::KNOWN_HOSTS)
)]
pub struct KnownHostsArgs {
    #[command(subcommand)]
    pub command: KnownHostsCommand,
}

#[derive(Debug, Subcommand)]
pub enum KnownHostsCommand {
    Hash(HashArgs),
    Find(FindArgs),
    Add(AddArgs),
    Remove(RemoveArgs),
    List(ListArgs),
    Audit(AuditArgs),
    Scan(ScanArgs),
    Verify(VerifyArgs),
}

/// The known_hosts file to work on.
#[derive(Debug, Args)]
pub struct FileArg {
    /// known_hosts file [default: ~/.ssh/known_hosts]
    #[arg(short = 'f', long = "file", value_name = "FILE")]
    pub file: Option<PathBuf>,
}

/// The host, as given.
#[derive(Debug, Args)]
pub struct HostArg {
    /// Host name or address; host:port and [host]:port give a port
    #[arg(value_name = "HOST")]
    pub host: String,

    /// Port, for hosts not on 22 (looked up as [host]:port)
    #[arg(short = 'p', long, value_name = "PORT", value_parser = clap::value_parser!(u16).range(1..))]
    pub port: Option<u16>,
}

/// Hash every plain host name (ssh-keygen -H)
#[derive(Debug, Args)]
#[command(
    long_about = "Replace every plain host name with its hash, one line per name, as ssh-keygen -H \
                  does. Lines with wildcards or negation, marker lines, hashed lines, comments and \
                  invalid lines are kept as they are (and reported). The previous contents are kept \
                  in FILE.old, which still holds the names in clear text.",
    after_help = examples::render(examples::KNOWN_HOSTS_HASH)
)]
pub struct HashArgs {
    #[command(flatten)]
    pub file: FileArg,

    /// Print nothing but errors and warnings
    #[arg(short = 'q', long)]
    pub quiet: bool,
}

/// Show the lines for a host (ssh-keygen -F)
#[derive(Debug, Args)]
#[command(
    long_about = "Print every line that applies to HOST (by name, pattern or hash, markers \
                  included), each after a '# Host HOST found: line N' header as ssh-keygen -F \
                  prints it. Exit status 0 when found, 1 when not.",
    after_help = examples::render(examples::KNOWN_HOSTS_FIND)
)]
pub struct FindArgs {
    #[command(flatten)]
    pub host: HostArg,

    #[command(flatten)]
    pub file: FileArg,

    /// Leave out the '# Host … found' headers
    #[arg(short = 'q', long)]
    pub quiet: bool,

    /// Output format
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,
}

/// Trust a host key: append an entry, hashed by default
#[derive(Debug, Args)]
#[command(
    long_about = "Add HOST's key to the file, hashed unless --no-hash. KEY is a public key file \
                  (.pub, or ssh-keyscan output: every key in it is added), - for standard input, \
                  or a key line such as 'ssh-ed25519 AAAA…'. The same key again changes nothing. \
                  A different key of the same type for the host is refused: check its fingerprint \
                  out of band, then use --replace, which removes the old key. A key the file \
                  marks @revoked for the host is refused. With --cert-authority, HOST is a \
                  pattern list and KEY a CA whose host certificates ssh then accepts for the \
                  hosts it matches. The file is created (mode 0600) if missing.",
    after_help = examples::render(examples::KNOWN_HOSTS_ADD)
)]
pub struct AddArgs {
    #[command(flatten)]
    pub host: HostArg,

    /// Public key file, - for standard input, or a key line
    #[arg(value_name = "KEY")]
    pub key: String,

    #[command(flatten)]
    pub file: FileArg,

    /// Write the host name in clear text
    #[arg(long)]
    pub no_hash: bool,

    /// Replace a different key of the same type for the host
    #[arg(long)]
    pub replace: bool,

    /// Trust KEY as a certificate authority for the hosts HOST matches (a pattern list
    /// such as '*.example.com'): writes a @cert-authority line, in clear
    #[arg(long, conflicts_with_all = ["replace", "no_hash"])]
    pub cert_authority: bool,

    /// Print nothing but errors
    #[arg(short = 'q', long)]
    pub quiet: bool,
}

/// Remove a host's entries (ssh-keygen -R, but only that host)
#[derive(Debug, Args)]
#[command(
    long_about = "Remove HOST from the file: hashed lines for it are deleted, and on a line that \
                  lists several names only HOST is taken out (ssh-keygen -R deletes the whole \
                  line). Lines that name HOST only through a wildcard are kept, as are \
                  @cert-authority and @revoked lines unless --markers is given; all of them are \
                  reported. The previous contents are kept in FILE.old. Exit status 0 when \
                  something was removed, 1 when HOST was not found (the file is not touched).",
    after_help = examples::render(examples::KNOWN_HOSTS_REMOVE)
)]
pub struct RemoveArgs {
    #[command(flatten)]
    pub host: HostArg,

    #[command(flatten)]
    pub file: FileArg,

    /// Also remove HOST from @cert-authority and @revoked lines
    #[arg(long)]
    pub markers: bool,

    /// Only remove keys of this type (ed25519, rsa, ecdsa, dsa, or a full name)
    #[arg(long = "type", value_name = "TYPE")]
    pub key_type: Option<String>,

    /// Leave out the '# Host … found' lines
    #[arg(short = 'q', long)]
    pub quiet: bool,
}

/// List every entry with its key type, size and fingerprint
#[derive(Debug, Args)]
#[command(
    long_about = "Print one line per entry, tab-separated: line number, marker (- for none), hosts \
                  ((hashed) for a hashed name), key type, bits and SHA256 fingerprint. Invalid \
                  lines are reported on standard error.",
    after_help = examples::render(examples::KNOWN_HOSTS_LIST)
)]
pub struct ListArgs {
    #[command(flatten)]
    pub file: FileArg,

    /// Output format
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,
}

/// Check known_hosts files for problems, with exit codes for CI
#[derive(Debug, Args)]
#[command(
    long_about = "Check known_hosts files and report each problem with its file, line, severity \
                  and rule: invalid-line, weak-key (DSA or RSA < 2048: error; RSA < 3072: \
                  warning), duplicate-entry, conflicting-keys (different keys of one type for one \
                  host; hashed entries are compared through the names given with --hosts), \
                  unhashed-host (warning, or error with --require-hashed), broad-cert-authority, \
                  key-type-mismatch, revoked-key-trusted and (with --revoked) revoked-by-krl: \
                  host keys and @cert-authority CAs a key revocation list revokes. Exit status 0 when no finding \
                  reaches --fail-on, 1 when one does, 2 when a file could not be read.",
    after_help = examples::render(examples::KNOWN_HOSTS_AUDIT)
)]
pub struct AuditArgs {
    /// known_hosts files [default: ~/.ssh/known_hosts]
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// Host names to match hashed entries against (comma-separated, repeatable)
    #[arg(long = "hosts", value_name = "NAMES", value_delimiter = ',')]
    pub hosts: Vec<String>,

    /// Treat host names in clear text as errors
    #[arg(long)]
    pub require_hashed: bool,

    /// A key revocation list (KRL): trusted host keys and CAs it revokes are errors
    #[arg(long, value_name = "KRL")]
    pub revoked: Option<PathBuf>,

    /// Output format
    #[arg(long, value_enum, default_value_t = AuditFormat::Text)]
    pub format: AuditFormat,

    /// Lowest severity that makes the exit status 1
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    pub fail_on: FailOn,

    /// SARIF: write locations relative to DIR (the repository root) [default: the
    /// current directory]; files outside it get absolute file:// URIs
    #[arg(long, value_name = "DIR")]
    pub base_dir: Option<PathBuf>,
}

/// `--format` values for the audit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AuditFormat {
    /// FILE:LINE: severity: message [rule]
    Text,
    /// One JSON document
    Json,
    /// GitHub Actions annotations (::error file=…,line=…::…)
    Github,
    /// SARIF 2.1.0, for GitHub code scanning
    Sarif,
}

/// `--fail-on` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Info,
}

/// Fetch hosts' public host keys over SSH (ssh-keyscan), print or trust them
#[derive(Debug, Args)]
#[command(
    long_about = "Connect to each HOST once per key type (as ssh-keyscan does: each connection \
                  offers only that type's host key algorithms) and print the host keys as \
                  known_hosts lines on standard output, with ssh-keyscan's '# host:port \
                  SSH-2.0-…' line for each connection on standard error. Nothing is trusted by \
                  scanning: the connection stops at the key exchange.\n\n\
                  --expect FINGERPRINT (from a console, DNS SSHFP records or a cloud API) keeps only \
                  the keys with that fingerprint and refuses a host that shows none: its keys are \
                  neither printed nor added. --add adds the keys to the known_hosts file (-f) \
                  through the same path as `known-hosts add` (hashed unless --no-hash; a different \
                  key already recorded for the host is refused). Every connection ends within \
                  --timeout seconds. Exit status 0 when every host showed a key (an expected one \
                  with --expect), 1 when one did not, 2 on a usage error.",
    after_help = examples::render(examples::KNOWN_HOSTS_SCAN)
)]
pub struct ScanArgs {
    /// Hosts: name or address; host:port and [host]:port give a port
    #[arg(value_name = "HOST", required = true)]
    pub hosts: Vec<String>,

    /// Port for hosts given without one
    #[arg(short = 'p', long, value_name = "PORT", value_parser = clap::value_parser!(u16).range(1..))]
    pub port: Option<u16>,

    /// Key types, comma-separated: rsa, ecdsa, ed25519, ecdsa-sk, ed25519-sk, dsa [default:
    /// all but dsa]
    #[arg(short = 't', long = "type", value_name = "TYPES", value_delimiter = ',')]
    pub types: Vec<String>,

    /// Give up on a connection after this many seconds
    #[arg(short = 'T', long, value_name = "SECONDS", default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub timeout: u64,

    /// Print hashed host names (ssh-keyscan -H)
    #[arg(short = 'H', long)]
    pub hash: bool,

    /// Only trust keys with this fingerprint (SHA256:… or MD5:…; repeatable)
    #[arg(long, value_name = "FINGERPRINT")]
    pub expect: Vec<String>,

    /// Add the keys to the known_hosts file instead of printing them
    #[arg(long)]
    pub add: bool,

    #[command(flatten)]
    pub file: FileArg,

    /// With --add: write the host name in clear text
    #[arg(long, requires = "add")]
    pub no_hash: bool,

    /// Output format
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,

    /// No '# host:port banner' lines on standard error
    #[arg(short = 'q', long)]
    pub quiet: bool,
}

/// Compare the live host keys of known hosts with what known_hosts records (drift check)
#[derive(Debug, Args)]
#[command(
    long_about = "Connect to the hosts a known_hosts file records (every plain host name, with its \
                  [host]:port; wildcard, negated, hashed and marker lines are skipped), or to the \
                  HOSTs named (hashed entries are matched too), fetch their host keys as `known-hosts \
                  scan` does, and compare them with the file, key type by key type. Findings: \
                  host-key-changed (error: the host shows another key of a recorded type), \
                  host-key-removed (warning: a recorded type is no longer shown), host-key-added \
                  (info: a type the file does not record), host-unreachable (error). Text, JSON and \
                  SARIF as `known-hosts audit` prints them. Exit status 0 when no finding reaches \
                  --fail-on, 1 when one does, 2 when the file could not be read or records no key \
                  for a HOST named.",
    after_help = examples::render(examples::KNOWN_HOSTS_VERIFY)
)]
pub struct VerifyArgs {
    /// Hosts to check (host, host:port or [host]:port) [default: every plain host name
    /// in the file]
    #[arg(value_name = "HOST")]
    pub hosts: Vec<String>,

    #[command(flatten)]
    pub file: FileArg,

    /// Give up on a connection after this many seconds
    #[arg(short = 'T', long, value_name = "SECONDS", default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub timeout: u64,

    /// Output format
    #[arg(long, value_enum, default_value_t = AuditFormat::Text)]
    pub format: AuditFormat,

    /// Lowest severity that makes the exit status 1
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    pub fail_on: FailOn,

    /// SARIF: write locations relative to DIR [default: the current directory]
    #[arg(long, value_name = "DIR")]
    pub base_dir: Option<PathBuf>,
}
