//! Command-line definitions (clap). One file per command under `cli/`; the code that
//! runs each command lives under `commands/` with the same name.

use clap::{Parser, Subcommand};

use crate::print::Format;

pub mod comment;
pub mod completions;
pub mod copy_id;
pub mod examples;
pub mod fingerprint;
pub mod generate;
pub mod known_hosts;
pub mod man;
pub mod page;
pub mod passphrase;
pub mod public;

pub use examples::Example;
pub use page::Page;

/// keywright: SSH keys, known_hosts and copy-id in one tool, compatible with OpenSSH.
#[derive(Debug, Parser)]
#[command(
    name = "keywright",
    version,
    about = "SSH keys, known_hosts and copy-id, byte-compatible with OpenSSH's ssh-keygen and ssh-copy-id",
    long_about = "keywright makes and inspects SSH keys. Keys it writes load in OpenSSH and \
                  keys OpenSSH writes load in keywright; fingerprints and randomart print \
                  exactly as ssh-keygen prints them.",
    after_help = examples::render(examples::TOP),
    propagate_version = true,
    disable_help_subcommand = true
)]
pub struct Cli {
    /// Never prompt; fail with a hint where input would be needed (also KEYWRIGHT_BATCH=1)
    #[arg(long, global = true)]
    pub batch: bool,

    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    Generate(generate::GenerateArgs),
    Fingerprint(fingerprint::FingerprintArgs),
    Public(public::PublicArgs),
    Passphrase(passphrase::PassphraseArgs),
    Comment(comment::CommentArgs),
    KnownHosts(known_hosts::KnownHostsArgs),
    CopyId(copy_id::CopyIdArgs),
    Completions(completions::CompletionsArgs),
    Man(man::ManArgs),
}

impl Command {
    /// The output format and `-q` this command was given, for its printer: text and not
    /// quiet where the command has no such option.
    pub fn output(&self) -> (Format, bool) {
        use known_hosts::KnownHostsCommand as Kh;
        match self {
            Command::Generate(args) => (Format::Text, args.quiet),
            Command::Fingerprint(args) => (args.format.into(), false),
            Command::Passphrase(args) => (Format::Text, args.quiet),
            Command::Comment(args) => (Format::Text, args.quiet),
            Command::CopyId(args) => (args.format.into(), args.quiet),
            Command::KnownHosts(args) => match &args.command {
                Kh::Hash(args) => (Format::Text, args.quiet),
                Kh::Find(args) => (args.format.into(), args.quiet),
                Kh::Add(args) => (Format::Text, args.quiet),
                Kh::Remove(args) => (Format::Text, args.quiet),
                Kh::List(args) => (args.format.into(), false),
                Kh::Audit(args) => (args.format.into(), false),
            },
            Command::Public(_) | Command::Completions(_) | Command::Man(_) => (Format::Text, false),
        }
    }
}

impl From<fingerprint::OutputFormat> for Format {
    fn from(format: fingerprint::OutputFormat) -> Self {
        match format {
            fingerprint::OutputFormat::Text => Format::Text,
            fingerprint::OutputFormat::Json => Format::Json,
        }
    }
}

impl From<known_hosts::AuditFormat> for Format {
    fn from(format: known_hosts::AuditFormat) -> Self {
        match format {
            known_hosts::AuditFormat::Text => Format::Text,
            known_hosts::AuditFormat::Json => Format::Json,
            known_hosts::AuditFormat::Github => Format::Github,
            known_hosts::AuditFormat::Sarif => Format::Sarif,
        }
    }
}
