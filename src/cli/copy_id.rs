use std::path::PathBuf;

use clap::Args;

use super::examples;
use super::fleet::Fleet;

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

    /// Public key to install (repeatable); a private key file means FILE.pub
    #[arg(short = 'i', long = "identity", value_name = "FILE")]
    pub identities: Vec<PathBuf>,

    /// Remote file, relative to the remote home directory (ssh-copy-id -t)
    #[arg(short = 't', long, value_name = "PATH", default_value = ".ssh/authorized_keys")]
    pub target_path: String,

    /// Connect and report what would be added, without writing
    #[arg(short = 'n', long)]
    pub dry_run: bool,

    /// Add the keys even when already present (ssh-copy-id -f)
    #[arg(short = 'f', long)]
    pub force: bool,

    // More targets, how hosts are reached, output: shared with authorized-keys.
    #[command(flatten)]
    pub fleet: Fleet,

    /// Install the keys (-i) as certificate authorities: users with a certificate they
    /// signed may log in (a cert-authority line, as sshd's TrustedUserCAKeys for one account)
    #[arg(long, requires = "identities")]
    pub cert_authority: bool,

    /// With --cert-authority: only certificates for one of these comma-separated
    /// principals are accepted (principals="…")
    #[arg(long, value_name = "PRINCIPALS", requires = "cert_authority")]
    pub principals: Option<String>,
}
