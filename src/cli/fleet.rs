//! The options of the commands that work on many hosts (copy-id, authorized-keys): where
//! more targets come from, how each host is reached and logged in to, how many at once,
//! and how the results are shown. One definition, flattened into both, so that the two
//! never drift apart. (TARGET itself stays with each command: its help says what no
//! TARGET means there.)

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::fingerprint::OutputFormat;

/// More hosts, how they are reached, and how the results are shown.
#[derive(Debug, Args)]
pub struct Fleet {
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

    /// ssh_config option, as with ssh -o (repeatable): HostName, User, Port, IdentityFile,
    /// IdentitiesOnly, UserKnownHostsFile, StrictHostKeyChecking, ConnectTimeout, BatchMode
    #[arg(short = 'o', long = "option", value_name = "KEY=VALUE")]
    pub options: Vec<String>,

    /// How many hosts to work on at once (of them, at most 8 logging in through any one
    /// server at a time, under sshd's default MaxStartups; a connection the server turns
    /// away before the login is made again)
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

impl Fleet {
    /// Whether a hosts file or an inventory names hosts (besides any TARGET).
    pub fn lists_hosts(&self) -> bool {
        self.hosts_file.is_some() || self.inventory.is_some()
    }
}

/// `--transport` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Transport {
    /// SFTP when the server offers it, else a POSIX shell
    Auto,
    /// SFTP only
    Sftp,
    /// A POSIX shell command only (sh -c), as ssh-copy-id does
    Shell,
}

impl From<Transport> for crate::remote::Transport {
    fn from(transport: Transport) -> Self {
        match transport {
            Transport::Auto => crate::remote::Transport::Auto,
            Transport::Sftp => crate::remote::Transport::Sftp,
            Transport::Shell => crate::remote::Transport::Shell,
        }
    }
}
