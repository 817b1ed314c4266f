use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::examples;
use super::fleet::Fleet;

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
// How hosts are found and reached is copy-id's own definition (`Fleet`). Where the two
// commands differ, each keeps what it had: no TARGET here means the local file (--file,
// which copy-id lacks) where copy-id refuses; -t's help does not cite ssh-copy-id; and
// -o's help points at copy-id's instead of listing the keys again (set here, after the
// flattened options are in).
#[command(mut_arg("options", |arg| arg.help("ssh_config option, as with ssh -o (repeatable), as copy-id takes them")))]
pub struct Where {
    /// Hosts: [user@]host[:port], ssh://[user@]host[:port], or a ~/.ssh/config alias; none:
    /// the local file
    #[arg(value_name = "TARGET")]
    pub targets: Vec<String>,

    /// Local authorized_keys file to work on [default: ~/.ssh/authorized_keys]
    #[arg(long, value_name = "PATH", conflicts_with_all = ["targets", "hosts_file", "inventory"])]
    pub file: Option<PathBuf>,

    /// Remote file, relative to the remote home directory
    #[arg(short = 't', long, value_name = "PATH", default_value = ".ssh/authorized_keys")]
    pub target_path: String,

    #[command(flatten)]
    pub fleet: Fleet,
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
