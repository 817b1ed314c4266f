use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::examples;
use super::fingerprint::OutputFormat;

/// Create, update, query and show key revocation lists (ssh-keygen -k, -Q)
#[derive(Debug, Args)]
#[command(
    long_about = "Work on a key revocation list (KRL): the binary file sshd's RevokedKeys and \
                  ssh's RevokedHostKeys read (OpenSSH's PROTOCOL.krl). It revokes plain keys \
                  (by the key or its SHA-1 or SHA-256 hash) and certificates (by serial, \
                  serial range or key ID, for one CA or every CA). Lists are written byte for \
                  byte as ssh-keygen -k writes them from the same specs.",
    after_help = examples::render(examples::KRL)
)]
pub struct KrlArgs {
    #[command(subcommand)]
    pub command: KrlCommand,
}

#[derive(Debug, Subcommand)]
pub enum KrlCommand {
    Create(CreateArgs),
    Update(UpdateArgs),
    Query(QueryArgs),
    Show(ShowArgs),
}

/// What create and update revoke.
#[derive(Debug, Args)]
pub struct SpecArgs {
    /// The KRL file
    #[arg(short = 'f', long = "file", value_name = "KRL")]
    pub file: PathBuf,

    /// The CA whose certificates serial: and id: lines revoke (a public key file)
    #[arg(short = 's', long, value_name = "CA_PUB", conflicts_with = "all_cas")]
    pub ca: Option<PathBuf>,

    /// serial: and id: lines revoke certificates of every CA (ssh-keygen -s none)
    #[arg(long)]
    pub all_cas: bool,

    /// The list's version number (create: default 0; update: default one more than before)
    #[arg(short = 'z', long = "krl-version", value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub krl_version: Option<u64>,

    /// The list's comment
    #[arg(short = 'C', long, value_name = "TEXT")]
    pub comment: Option<String>,

    /// Specs: public key files, and lines serial: N[-M], id: ID, key: KEY, sha1: KEY,
    /// sha256: KEY, hash: SHA256:…; - for standard input
    #[arg(value_name = "SPEC", required = true)]
    pub specs: Vec<PathBuf>,

    /// Print nothing but errors
    #[arg(short, long)]
    pub quiet: bool,
}

/// Write a new KRL from specs (ssh-keygen -k)
#[derive(Debug, Args)]
#[command(
    long_about = "Write a new KRL revoking what the specs name, replacing the file if it exists \
                  (atomically; an existing file keeps its mode, a new one is 0644). A spec \
                  file holds public keys (a certificate is revoked by its serial, or its key \
                  ID when the serial is 0, for the CA that signed it) and lines: serial: N or \
                  serial: LO-HI and id: KEY_ID (certificates of the --ca CA, or of every CA \
                  with --all-cas), key: KEY, sha1: KEY, sha256: KEY (a plain key, by itself \
                  or its hash) and hash: SHA256:… (a fingerprint as `keywright fingerprint` \
                  prints it). # starts a comment.",
    after_help = examples::render(examples::KRL_CREATE)
)]
pub struct CreateArgs {
    #[command(flatten)]
    pub spec: SpecArgs,
}

/// Add revocations to an existing KRL (ssh-keygen -k -u)
#[derive(Debug, Args)]
#[command(
    long_about = "Read the KRL, add what the specs name (see `keywright krl create`), and write \
                  it back atomically under a lock. Its version number grows by one unless \
                  --krl-version is given.",
    after_help = examples::render(examples::KRL_UPDATE)
)]
pub struct UpdateArgs {
    #[command(flatten)]
    pub spec: SpecArgs,
}

/// Check keys and certificates against a KRL (ssh-keygen -Q)
#[derive(Debug, Args)]
#[command(
    long_about = "Say for each key whether the KRL revokes it, as sshd decides: by its hashes \
                  or the key itself, and for a certificate also by its serial or key ID under \
                  its CA or every CA, or because its CA key is revoked. Each file is read as \
                  ssh-keygen reads a public key: the file, its .pub, or an OpenSSH private \
                  key's public half.",
    after_help = examples::render(examples::KRL_QUERY)
)]
pub struct QueryArgs {
    /// The KRL file
    #[arg(short = 'f', long = "file", value_name = "KRL")]
    pub file: PathBuf,

    /// Public key or certificate files to check
    #[arg(value_name = "KEY", required = true)]
    pub keys: Vec<PathBuf>,

    /// Output format
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,
}

/// Print what a KRL revokes (ssh-keygen -Q -l)
#[derive(Debug, Args)]
#[command(
    long_about = "Print the KRL's version, date, comment and every revocation, in the text \
                  ssh-keygen -Q -l prints (spec lines, so most can be fed back to create), or \
                  as JSON.",
    after_help = examples::render(examples::KRL_SHOW)
)]
pub struct ShowArgs {
    /// The KRL file
    #[arg(short = 'f', long = "file", value_name = "KRL")]
    pub file: PathBuf,

    /// Output format
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,
}
