use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::examples;
use super::fingerprint::OutputFormat;
use super::public::OldPassphraseArgs;

/// Issue and show SSH certificates (ssh-keygen -s, -L)
#[derive(Debug, Args)]
#[command(
    long_about = "Run an SSH certificate authority: sign user and host keys into certificates \
                  that sshd (TrustedUserCAKeys) and ssh (@cert-authority in known_hosts) accept \
                  in place of each key, and show what a certificate says. Certificates are \
                  the format of OpenSSH's PROTOCOL.certkeys, issued with ssh-keygen's defaults.",
    after_help = examples::render(examples::CERT)
)]
pub struct CertArgs {
    #[command(subcommand)]
    pub command: CertCommand,
}

#[derive(Debug, Subcommand)]
pub enum CertCommand {
    Sign(CertSignArgs),
    Show(CertShowArgs),
}

/// Sign public keys into certificates (ssh-keygen -s)
#[derive(Debug, Args)]
#[command(
    long_about = "Certify each KEY.pub with the CA key and write KEY-cert.pub beside it, as \
                  ssh-keygen -s does, with its defaults: a user certificate permits X11, agent \
                  and port forwarding, a pty and ~/.ssh/rc; it is valid forever, for every \
                  principal unless -n names them, with serial 0. The CA is a private key file \
                  (unlocked once for all keys) or, with --agent, a public key whose private half \
                  ssh-agent holds. An RSA CA signs with rsa-sha2-512. - reads the names of the \
                  keys to certify from standard input, one a line. Many keys are signed in \
                  parallel and their certificates written in one batch, each atomically.\n\n\
                  VALIDITY is +LIFE (from a minute ago to LIFE from now) or FROM:TO, each side \
                  a relative time (-1d, +52w2d, with s m h d w), YYYYMMDD[HHMM[SS]] in local time \
                  (or UTC with a Z suffix), 0x and epoch seconds in hex, always (FROM) or \
                  forever (TO).\n\n\
                  OPTION is clear, no-x11-forwarding, no-agent-forwarding, no-port-forwarding, \
                  no-pty, no-user-rc (or the permit-* forms), force-command=COMMAND, \
                  source-address=CIDR[,CIDR…], verify-required, no-touch-required, \
                  critical:NAME[=VALUE] or extension:NAME[=VALUE].",
    after_help = examples::render(examples::CERT_SIGN),
    // -V is the validity, as with ssh-keygen; the version is `keywright --version`.
    disable_version_flag = true
)]
pub struct CertSignArgs {
    /// The CA's private key (with --agent, its public key)
    #[arg(short = 's', long = "ca", value_name = "CA_KEY")]
    pub ca: PathBuf,

    /// The certificate's key identity, logged by sshd when it is used
    #[arg(short = 'I', long = "id", value_name = "KEY_ID")]
    pub key_id: String,

    /// Issue host certificates instead of user certificates (ssh-keygen -h)
    #[arg(long)]
    pub host: bool,

    /// Comma-separated user or host names the certificates are valid for (default: all)
    #[arg(short = 'n', long, value_name = "PRINCIPALS")]
    pub principals: Option<String>,

    /// When the certificates are valid (default: always, forever)
    #[arg(short = 'V', long, value_name = "VALIDITY", allow_hyphen_values = true)]
    pub validity: Option<String>,

    /// Serial number; +N numbers the certificates N, N+1, … in the order of the keys
    #[arg(short = 'z', long, value_name = "SERIAL")]
    pub serial: Option<String>,

    /// A certificate option (may be repeated; see above)
    #[arg(short = 'O', long = "option", value_name = "OPTION")]
    pub options: Vec<String>,

    /// The CA's private key is in ssh-agent (ssh-keygen -U)
    #[arg(short = 'U', long)]
    pub agent: bool,

    #[command(flatten)]
    pub passphrase: OldPassphraseArgs,

    /// Print nothing but errors
    #[arg(short = 'q', long)]
    pub quiet: bool,

    /// Output format
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,

    /// The public keys to certify; - reads their names from standard input
    #[arg(value_name = "KEY", required = true)]
    pub keys: Vec<PathBuf>,
}

/// Show what certificates say (ssh-keygen -L)
#[derive(Debug, Args)]
#[command(
    long_about = "Print every certificate in each FILE (- for standard input) in the layout of \
                  ssh-keygen -L: type, key and CA fingerprints, key id, serial, validity in \
                  local time, principals, critical options and extensions. Lines that hold no \
                  certificate are reported on stderr; the exit status is 1 when no FILE held \
                  one.",
    after_help = examples::render(examples::CERT_SHOW)
)]
pub struct CertShowArgs {
    /// Output format
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,

    /// Certificate files (KEY-cert.pub); - for standard input
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,
}
