use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::examples;
use super::fingerprint::OutputFormat;
use super::known_hosts::FailOn;

/// Find, match, add, list and audit allowed signers (ssh-keygen -Y find-principals, match-principals)
#[derive(Debug, Args)]
#[command(
    long_about = "Work on an allowed_signers file, the list of who may sign with which key that \
                  verify (and git's gpg.ssh.allowedSignersFile) reads: one signer a line, \
                  principals [options] keytype base64 [comment]. Principals are comma-separated \
                  patterns with * and ? wildcards and ! negation; the options are cert-authority, \
                  namespaces=\"…\", valid-after=\"…\" and valid-before=\"…\". Lines are read \
                  exactly as OpenSSH 9.2 reads them.",
    after_help = examples::render(examples::SIGNERS)
)]
pub struct SignersArgs {
    #[command(subcommand)]
    pub command: SignersCommand,
}

#[derive(Debug, Subcommand)]
pub enum SignersCommand {
    Add(AddArgs),
    List(ListArgs),
    Find(FindArgs),
    Match(MatchArgs),
    Audit(AuditArgs),
}

/// The allowed_signers file to work on.
#[derive(Debug, Args)]
pub struct FileArg {
    /// The allowed_signers file
    #[arg(short = 'f', long = "file", value_name = "ALLOWED_SIGNERS")]
    pub file: PathBuf,
}

/// Allow a key to sign as principals: append a line, once
#[derive(Debug, Args)]
#[command(
    long_about = "Append a line allowing KEY to sign as PRINCIPALS (comma-separated patterns), \
                  with the options given. KEY is a public key file (every key in it is added), \
                  - for standard input, or a key line. A line with the same principals, options \
                  and key already there is not added again. The file is created (mode 0644) if \
                  missing, and written atomically under a lock. Times are written in UTC.",
    after_help = examples::render(examples::SIGNERS_ADD)
)]
pub struct AddArgs {
    #[command(flatten)]
    pub file: FileArg,

    /// Who the key may sign as: alice@example.com, or patterns like *@example.com,!bot@example.com
    #[arg(value_name = "PRINCIPALS")]
    pub principals: String,

    /// Public key file, - for standard input, or a key line
    #[arg(value_name = "KEY")]
    pub key: String,

    /// The key is a CA: certificates it signs may sign as PRINCIPALS
    #[arg(long)]
    pub cert_authority: bool,

    /// Namespaces the key may sign in (comma-separated patterns)
    #[arg(long, value_name = "PATTERNS")]
    pub namespaces: Option<String>,

    /// The key may not sign before TIME: YYYYMMDD[HHMM[SS]], local time unless it ends in Z
    #[arg(long, value_name = "TIME")]
    pub valid_after: Option<String>,

    /// The key may not sign after TIME
    #[arg(long, value_name = "TIME")]
    pub valid_before: Option<String>,

    /// Print nothing but errors
    #[arg(short = 'q', long)]
    pub quiet: bool,
}

/// List the signers of a file with their keys and options
#[derive(Debug, Args)]
#[command(
    long_about = "Print one line per signer: line number, principals, key type, bits, SHA256 \
                  fingerprint, then its options. Lines OpenSSH cannot read are listed as invalid.",
    after_help = examples::render(examples::SIGNERS_LIST)
)]
pub struct ListArgs {
    #[command(flatten)]
    pub file: FileArg,

    /// Output format
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,
}

/// Who may have made a signature (ssh-keygen -Y find-principals)
#[derive(Debug, Args)]
#[command(
    long_about = "Print the principals of the first allowed_signers line that holds the key \
                  SIG was made with (for a certificate, those of its principals the line's CA \
                  line allows), one a line, as ssh-keygen -Y find-principals prints them. The \
                  line must be valid at the verify time; namespaces are not checked (as \
                  OpenSSH). Exit status 0 when found, 1 when not.",
    after_help = examples::render(examples::SIGNERS_FIND)
)]
pub struct FindArgs {
    #[command(flatten)]
    pub file: FileArg,

    /// The signature file
    #[arg(short = 's', long, value_name = "SIG")]
    pub signature: PathBuf,

    /// Check validity at this time, not now: YYYYMMDD[HHMM[SS]], local time unless it ends in Z
    #[arg(long, value_name = "TIME")]
    pub verify_time: Option<String>,

    /// Output format
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,
}

/// Which lines name an identity (ssh-keygen -Y match-principals)
#[derive(Debug, Args)]
#[command(
    long_about = "Print the principals field of every line whose patterns match IDENTITY, one a \
                  line, as ssh-keygen -Y match-principals prints them. As OpenSSH, a line that \
                  cannot be split, or that matches but cannot be read, stops the search with an \
                  error. Exit status 0 when a line matched, 1 when none did.",
    after_help = examples::render(examples::SIGNERS_MATCH)
)]
pub struct MatchArgs {
    #[command(flatten)]
    pub file: FileArg,

    /// The identity to match, such as alice@example.com
    #[arg(short = 'I', long, value_name = "IDENTITY")]
    pub identity: String,

    /// Output format
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,
}

/// Check an allowed_signers file for problems, with exit codes for CI
#[derive(Debug, Args)]
#[command(
    long_about = "Report each problem with its line, severity and rule: invalid-line, weak-key \
                  (DSA or RSA < 2048: error; RSA < 3072: warning), expired (warning), \
                  not-yet-valid (info), duplicate (warning) and shared-key (the same key for \
                  other principals: warning). Exit status 0 when no finding reaches --fail-on, \
                  1 when one does, 2 when the file could not be read.",
    after_help = examples::render(examples::SIGNERS_AUDIT)
)]
pub struct AuditArgs {
    #[command(flatten)]
    pub file: FileArg,

    /// Judge validity at this time, not now
    #[arg(long, value_name = "TIME")]
    pub verify_time: Option<String>,

    /// Lowest severity that makes the exit status 1
    #[arg(long, value_enum, default_value_t = FailOn::Warning)]
    pub fail_on: FailOn,

    /// Output format
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,
}
