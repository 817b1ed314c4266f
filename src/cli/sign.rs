use std::path::PathBuf;

use clap::Args;

use super::examples;
use super::public::OldPassphraseArgs;

/// Sign files with an SSH key (ssh-keygen -Y sign)
#[derive(Debug, Args)]
#[command(
    long_about = "Sign each FILE with an SSH key and write the signature to FILE.sig, in the \
                  format ssh-keygen -Y sign writes (PROTOCOL.sshsig), for a NAMESPACE such as \
                  git (commits and tags) or file. - signs standard input and writes the \
                  signature to standard output. KEY is a private key; or a public key (KEY.pub, \
                  or a certificate KEY-cert.pub) whose private key is beside it or held by \
                  ssh-agent; or key::TYPE BASE64, as git gives a key held by the agent. An \
                  encrypted key is unlocked once for all files, or signed with by the agent \
                  when it holds the key. RSA keys sign with rsa-sha2-512. Each FILE is read \
                  once, in fixed-size chunks, whatever its size. An existing FILE.sig is \
                  replaced only with --force (or a yes at the terminal); every signature file \
                  is written atomically.",
    after_help = examples::render(examples::SIGN)
)]
pub struct SignArgs {
    /// The key to sign with: a private key, KEY.pub, KEY-cert.pub, or key::TYPE BASE64
    #[arg(short = 'f', long = "key", value_name = "KEY")]
    pub key: String,

    /// What the signature is for (git, file, or your own name for it)
    #[arg(short = 'n', long, value_name = "NAMESPACE", value_parser = clap::builder::NonEmptyStringValueParser::new())]
    pub namespace: String,

    /// hashalg=sha512 (the default) or hashalg=sha256, as with ssh-keygen
    #[arg(short = 'O', value_name = "OPTION")]
    pub options: Vec<String>,

    /// Sign only with ssh-agent's copy of the key (ssh-keygen -U)
    #[arg(short = 'U', long)]
    pub agent: bool,

    /// Replace existing FILE.sig files
    #[arg(long)]
    pub force: bool,

    #[command(flatten)]
    pub passphrase: OldPassphraseArgs,

    /// Print nothing but errors
    #[arg(short = 'q', long)]
    pub quiet: bool,

    /// The files to sign; - for standard input (alone)
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,
}
