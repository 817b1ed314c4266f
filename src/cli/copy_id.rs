use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::examples;

/// Install public keys in remote authorized_keys files (ssh-copy-id), on one host or many
#[derive(Debug, Args)]
#[command(
    long_about = "Install public keys in the authorized_keys file of each TARGET, over one SSH \
                  connection per host made by keywright itself (no ssh binary). The remote file \
                  is read and only keys whose key data is not already there are added, so a rerun \
                  changes nothing and a key installed with options (from=, command=) never gets an \
                  unrestricted second copy. ~/.ssh is created 0700 and the file 0600; modes that \
                  would make sshd's StrictModes ignore them are repaired; the file is replaced \
                  atomically under a lock, through SFTP when the server offers it and a POSIX sh \
                  otherwise.\n\n\
                  TARGET is [user@]host[:port], ssh://[user@]host[:port], or a Host alias of \
                  ~/.ssh/config (HostName, User, Port, IdentityFile, IdentitiesOnly, \
                  UserKnownHostsFile, StrictHostKeyChecking, ConnectTimeout, BatchMode, \
                  ProxyJump and ProxyCommand are honoured; Match blocks are not). Through \
                  ProxyJump (or -J) each jump host has its own host key check and login; a \
                  ProxyCommand's standard input and output carry the connection.\n\n\
                  More targets come from --hosts-file (one per line) and from an Ansible \
                  inventory (--inventory, INI or YAML: groups, children, host ranges, \
                  ansible_host, ansible_port and ansible_user), narrowed by --limit. The host key is checked against \
                  known_hosts as ssh checks it. Authentication tries the agent, identity files, \
                  a password and keyboard-interactive, in OpenSSH's order.\n\n\
                  Keys to install: every -i FILE; else the agent's keys; else the newest \
                  ~/.ssh/id_*.pub, as ssh-copy-id chooses.",
    after_help = examples::render(examples::COPY_ID)
)]
pub struct CopyIdArgs {
    /// Hosts: [user@]host[:port], ssh://[user@]host[:port], or a ~/.ssh/config alias
    #[arg(value_name = "TARGET")]
    pub targets: Vec<String>,

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

    /// Public key to install (repeatable); a private key file means FILE.pub
    #[arg(short = 'i', long = "identity", value_name = "FILE")]
    pub identities: Vec<PathBuf>,

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

    /// Remote file, relative to the remote home directory (ssh-copy-id -t)
    #[arg(short = 't', long, value_name = "PATH", default_value = ".ssh/authorized_keys")]
    pub target_path: String,

    /// Connect and report what would be added, without writing
    #[arg(short = 'n', long)]
    pub dry_run: bool,

    /// Add the keys even when already present (ssh-copy-id -f)
    #[arg(short = 'f', long)]
    pub force: bool,

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
    #[arg(long, value_enum, default_value_t = super::fingerprint::OutputFormat::Text)]
    pub format: super::fingerprint::OutputFormat,

    /// Print only errors and the per-host results
    #[arg(short = 'q', long)]
    pub quiet: bool,

    /// Install the keys (-i) as certificate authorities: users with a certificate they
    /// signed may log in (a cert-authority line, as sshd's TrustedUserCAKeys for one account)
    #[arg(long, requires = "identities")]
    pub cert_authority: bool,

    /// With --cert-authority: only certificates for one of these comma-separated
    /// principals are accepted (principals="…")
    #[arg(long, value_name = "PRINCIPALS", requires = "cert_authority")]
    pub principals: Option<String>,
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
