//! Command-line definitions (clap). One file per command under `cli/`; the code that
//! runs each command lives under `commands/` with the same name.

use clap::{Parser, Subcommand};

pub mod authorized_keys;
pub mod cert;
pub mod comment;
pub mod completions;
pub mod copy_id;
pub mod examples;
pub mod export;
pub mod fingerprint;
pub mod fleet;
pub mod generate;
pub mod host_keys;
pub mod import;
pub mod install_links;
pub mod known_hosts;
pub mod krl;
pub mod man;
pub mod page;
pub mod passphrase;
pub mod public;
pub mod sign;
pub mod signers;
pub mod sshfp;
pub mod verify;

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
    InstallLinks(install_links::InstallLinksArgs),
    Sign(sign::SignArgs),
    Verify(verify::VerifyArgs),
    Signers(signers::SignersArgs),
    HostKeys(host_keys::HostKeysArgs),
    Sshfp(sshfp::SshfpArgs),
    AuthorizedKeys(authorized_keys::AuthorizedKeysArgs),
    Export(export::ExportArgs),
    Import(import::ImportArgs),
    Krl(krl::KrlArgs),
    Cert(cert::CertArgs),
}
