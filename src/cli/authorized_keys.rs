use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::copy_id::Transport;
use super::examples;
use super::fingerprint::OutputFormat;

/// List, add, remove, set and rotate authorized_keys entries, locally or on many hosts
#[derive(Debug, Args)]
#[command(
    long_about = "Work on authorized_keys files: your own (~/.ssh/authorized_keys, or --file) when no \
                  TARGET is given, else the remote file of each TARGET, reached as copy-id reaches \
                  it (the same ssh_config, host key checks, authentication, -j parallel hosts). \
                  Lines are read as sshd reads them: options with quoted commas, every key type \
                  OpenSSH knows (certificates and sk- keys too), comments. Lines no edit touches, \
                  and lines that hold no key, are kept byte for byte. Every change is written \
                  atomically under a lock, keeps the file's mode (less what sshd's StrictModes \
                  refuses) and goes through a symlink to its target. -n shows what would change; \
                  --diff shows it as a unified diff. On several hosts the output ends as \
                  copy-id's does, with a line per host and the totals, and a progress bar shows \
                  meanwhile when stderr is a terminal (not under -q or --format json).\n\n\
                  The edits follow Ansible's authorized_key module: add rewrites a key that is \
                  there with other options or another comment in place (Ansible moves it to the \
                  end); remove takes every line of a key, whatever its options; set is \
                  exclusive=true, but keeps comment lines.",
    after_help = examples::render(examples::AUTHORIZED_KEYS)
)]
pub struct AuthorizedKeysArgs {
    #[command(subcommand)]
    pub command: AuthorizedKeysCommand,
}

#[derive(Debug, Subcommand)]
pub enum AuthorizedKeysCommand {
    List(ListArgs),
    Add(AddArgs),
    Remove(RemoveArgs),
    Set(SetArgs),
    Rotate(RotateArgs),
}

/// Which files: the local one, or each TARGET's, and how hosts are reached.
#[derive(Debug, Args)]
pub struct Where {
    /// Hosts: [user@]host[:port], ssh://[user@]host[:port], or a ~/.ssh/config alias; none:
    /// the local file
    #[arg(value_name = "TARGET")]
    pub targets: Vec<String>,

    /// Local authorized_keys file to work on [default: ~/.ssh/authorized_keys]
    #[arg(long, value_name = "PATH", conflicts_with_all = ["targets", "hosts_file", "inventory"])]
    pub file: Option<PathBuf>,

    /// Read more targets from FILE, one per line (- for standard input; # starts a comment)
    #[arg(long, value_name = "FILE")]
    pub hosts_file: Option<PathBuf>,

    /// Read more targets from an Ansible inventory, INI or YAML (ansible_host, ansible_port,
    /// ansible_user)
    #[arg(long, value_name = "FILE")]
    pub inventory: Option<PathBuf>,

    /// Only the inventory's hosts in these groups or hosts (Ansible's --limit: a,b or
    /// a:!b)
    #[arg(long, value_name = "GROUP", requires = "inventory")]
    pub limit: Option<String>,

    /// Connect through these jump hosts, in order ([user@]host[:port][,...]), as ssh -J
    #[arg(short = 'J', long = "jump", value_name = "HOSTS")]
    pub jump: Option<String>,

    /// Port to connect to
    #[arg(short = 'p', long, value_name = "PORT", value_parser = clap::value_parser!(u16).range(1..))]
    pub port: Option<u16>,

    /// User to log in as
    #[arg(short = 'l', long = "login", value_name = "USER")]
    pub user: Option<String>,

    /// ssh_config file to read instead of ~/.ssh/config
    #[arg(short = 'F', long = "config", value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// ssh_config option, as with ssh -o (repeatable), as copy-id takes them
    #[arg(short = 'o', long = "option", value_name = "KEY=VALUE")]
    pub options: Vec<String>,

    /// Remote file, relative to the remote home directory
    #[arg(short = 't', long, value_name = "PATH", default_value = ".ssh/authorized_keys")]
    pub target_path: String,

    /// How many hosts to work on at once
    #[arg(short = 'j', long, value_name = "N", default_value_t = 10, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub jobs: u16,

    /// Give up on a host after this many seconds (connecting included)
    #[arg(long, value_name = "SECONDS", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..))]
    pub timeout: u64,

    /// Read the login password from the first line of FILE (- for standard input);
    /// KEYWRIGHT_PASSWORD is read too
    #[arg(long, value_name = "FILE")]
    pub password_file: Option<PathBuf>,

    /// How to reach the remote file
    #[arg(long, value_enum, default_value_t = Transport::Auto)]
    pub transport: Transport,

    /// Output format
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,

    /// Print only errors and the per-host results
    #[arg(short = 'q', long)]
    pub quiet: bool,
}

/// What an edit may show instead of doing.
#[derive(Debug, Args)]
pub struct Preview {
    /// Read and report what would change, without writing
    #[arg(short = 'n', long)]
    pub dry_run: bool,

    /// Show each change as a unified diff of the file
    #[arg(long)]
    pub diff: bool,
}

/// How added keys are written.
#[derive(Debug, Args)]
pub struct Shape {
    /// Options for the keys, as sshd reads them (replacing the keys' own)
    #[arg(long = "options", value_name = "OPTIONS")]
    pub key_options: Option<String>,

    /// Comment for the keys (replacing the keys' own)
    #[arg(long, value_name = "TEXT")]
    pub comment: Option<String>,
}

/// List every key: line, type, bits, fingerprint, comment and options
#[derive(Debug, Args)]
#[command(
    long_about = "List every key of each file with its line number, type, bits, fingerprint, \
                  comment and options. With --key, only that key's lines, and the hosts that trust \
                  it: exit 1 when none does.",
    after_help = examples::render(examples::AUTHORIZED_KEYS_LIST)
)]
pub struct ListArgs {
    /// Only this key: a public key file, a key line, or a fingerprint (SHA256:…, MD5:…)
    #[arg(short = 'k', long = "key", value_name = "KEY")]
    pub key: Option<String>,

    #[command(flatten)]
    pub place: Where,
}

/// Add keys, or update their options and comment where they are
#[derive(Debug, Args)]
#[command(
    long_about = "Add each KEY whose key data is not in the file yet. A key that is there with \
                  other options or another comment gets them in place; a second line of the same \
                  key goes. A key's options and comment are its own (a key line may have both) \
                  unless --options or --comment say otherwise.",
    after_help = examples::render(examples::AUTHORIZED_KEYS_ADD)
)]
pub struct AddArgs {
    /// Key to add (repeatable): a public key file or a key line
    #[arg(short = 'k', long = "key", value_name = "KEY", required = true)]
    pub keys: Vec<String>,

    #[command(flatten)]
    pub shape: Shape,

    #[command(flatten)]
    pub preview: Preview,

    #[command(flatten)]
    pub place: Where,
}

/// Remove every line of a key, whatever its options
#[derive(Debug, Args)]
#[command(
    long_about = "Remove every line holding one of the keys (or a key with the comment), whatever \
                  its options. A file without them is left as it is.",
    after_help = examples::render(examples::AUTHORIZED_KEYS_REMOVE)
)]
pub struct RemoveArgs {
    /// Key to remove (repeatable): a public key file, a key line or a fingerprint
    #[arg(short = 'k', long = "key", value_name = "KEY", required_unless_present = "by_comment")]
    pub keys: Vec<String>,

    /// Remove the keys with exactly this comment
    #[arg(long = "comment", value_name = "TEXT")]
    pub by_comment: Option<String>,

    #[command(flatten)]
    pub preview: Preview,

    #[command(flatten)]
    pub place: Where,
}

/// Make the file hold exactly these keys
#[derive(Debug, Args)]
#[command(
    long_about = "Make the file hold exactly the KEYs: they are added (or updated) as add does and \
                  every other key line goes; comment lines stay. Refused (exit 2) when none of your \
                  keys (agent keys, identity files) is among them, since you could not log in \
                  again, unless --force.",
    after_help = examples::render(examples::AUTHORIZED_KEYS_SET)
)]
pub struct SetArgs {
    /// Key the file is to hold (repeatable): a public key file or a key line
    #[arg(short = 'k', long = "key", value_name = "KEY", required = true)]
    pub keys: Vec<String>,

    /// Set the keys even when none of yours is among them
    #[arg(long)]
    pub force: bool,

    #[command(flatten)]
    pub shape: Shape,

    #[command(flatten)]
    pub preview: Preview,

    #[command(flatten)]
    pub place: Where,
}

/// Replace one key with another, proving the new one logs in first
#[derive(Debug, Args)]
#[command(
    long_about = "On each host: add NEW, log in again with NEW's private key alone, and only then \
                  remove OLD. When NEW cannot log in, the NEW just added is taken out again, OLD \
                  stays and the host fails: a host is never left with neither. Locally, NEW \
                  replaces OLD in one write.",
    after_help = examples::render(examples::AUTHORIZED_KEYS_ROTATE)
)]
pub struct RotateArgs {
    /// The key to retire: a public key file, a key line or a fingerprint
    #[arg(value_name = "OLD")]
    pub old: String,

    /// The new key's private key file (KEY, with KEY.pub beside it; KEY.pub is taken as KEY)
    #[arg(value_name = "NEW")]
    pub new: PathBuf,

    #[command(flatten)]
    pub shape: Shape,

    #[command(flatten)]
    pub preview: Preview,

    #[command(flatten)]
    pub place: Where,
}
