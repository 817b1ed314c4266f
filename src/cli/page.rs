//! Every page of documentation keywright has, as one enum: the top level and each
//! command and subcommand. The man pages' own sections and the examples are keyed on it
//! by exhaustive matches, so a new command cannot fall through to another's text, and a
//! test checks it against the clap definitions both ways.

/// A command path with its own `--help` and man page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    Keywright,
    Generate,
    Fingerprint,
    Public,
    Passphrase,
    Comment,
    KnownHosts,
    KnownHostsHash,
    KnownHostsFind,
    KnownHostsAdd,
    KnownHostsRemove,
    KnownHostsList,
    KnownHostsAudit,
    KnownHostsScan,
    KnownHostsVerify,
    CopyId,
    Completions,
    Man,
    InstallLinks,
    Sign,
    Verify,
    Signers,
    SignersAdd,
    SignersList,
    SignersFind,
    SignersMatch,
    SignersAudit,
    HostKeys,
    Sshfp,
    AuthorizedKeys,
    AuthorizedKeysList,
    AuthorizedKeysAdd,
    AuthorizedKeysRemove,
    AuthorizedKeysSet,
    AuthorizedKeysRotate,
    Export,
    Import,
    Krl,
    KrlCreate,
    KrlUpdate,
    KrlQuery,
    KrlShow,
    Cert,
    CertSign,
    CertShow,
}

impl Page {
    /// Every page, in help order.
    pub const ALL: &[Page] = &[
        Page::Keywright,
        Page::Generate,
        Page::Fingerprint,
        Page::Public,
        Page::Passphrase,
        Page::Comment,
        Page::KnownHosts,
        Page::KnownHostsHash,
        Page::KnownHostsFind,
        Page::KnownHostsAdd,
        Page::KnownHostsRemove,
        Page::KnownHostsList,
        Page::KnownHostsAudit,
        Page::KnownHostsScan,
        Page::KnownHostsVerify,
        Page::CopyId,
        Page::Completions,
        Page::Man,
        Page::InstallLinks,
        Page::Sign,
        Page::Verify,
        Page::Signers,
        Page::SignersAdd,
        Page::SignersList,
        Page::SignersFind,
        Page::SignersMatch,
        Page::SignersAudit,
        Page::HostKeys,
        Page::Sshfp,
        Page::AuthorizedKeys,
        Page::AuthorizedKeysList,
        Page::AuthorizedKeysAdd,
        Page::AuthorizedKeysRemove,
        Page::AuthorizedKeysSet,
        Page::AuthorizedKeysRotate,
        Page::Export,
        Page::Import,
        Page::Krl,
        Page::KrlCreate,
        Page::KrlUpdate,
        Page::KrlQuery,
        Page::KrlShow,
        Page::Cert,
        Page::CertSign,
        Page::CertShow,
    ];

    /// The command path as typed after `keywright` (`known-hosts audit`); `keywright`
    /// for the top level.
    pub fn path(self) -> &'static str {
        match self {
            Page::Keywright => "keywright",
            Page::Generate => "generate",
            Page::Fingerprint => "fingerprint",
            Page::Public => "public",
            Page::Passphrase => "passphrase",
            Page::Comment => "comment",
            Page::KnownHosts => "known-hosts",
            Page::KnownHostsHash => "known-hosts hash",
            Page::KnownHostsFind => "known-hosts find",
            Page::KnownHostsAdd => "known-hosts add",
            Page::KnownHostsRemove => "known-hosts remove",
            Page::KnownHostsList => "known-hosts list",
            Page::KnownHostsAudit => "known-hosts audit",
            Page::KnownHostsScan => "known-hosts scan",
            Page::KnownHostsVerify => "known-hosts verify",
            Page::CopyId => "copy-id",
            Page::Completions => "completions",
            Page::Man => "man",
            Page::InstallLinks => "install-links",
            Page::Sign => "sign",
            Page::Verify => "verify",
            Page::Signers => "signers",
            Page::SignersAdd => "signers add",
            Page::SignersList => "signers list",
            Page::SignersFind => "signers find",
            Page::SignersMatch => "signers match",
            Page::SignersAudit => "signers audit",
            Page::HostKeys => "host-keys",
            Page::Sshfp => "sshfp",
            Page::AuthorizedKeys => "authorized-keys",
            Page::AuthorizedKeysList => "authorized-keys list",
            Page::AuthorizedKeysAdd => "authorized-keys add",
            Page::AuthorizedKeysRemove => "authorized-keys remove",
            Page::AuthorizedKeysSet => "authorized-keys set",
            Page::AuthorizedKeysRotate => "authorized-keys rotate",
            Page::Export => "export",
            Page::Import => "import",
            Page::Krl => "krl",
            Page::KrlCreate => "krl create",
            Page::KrlUpdate => "krl update",
            Page::KrlQuery => "krl query",
            Page::KrlShow => "krl show",
            Page::Cert => "cert",
            Page::CertSign => "cert sign",
            Page::CertShow => "cert show",
        }
    }

    /// The man page's file name: `keywright.1`, `keywright-known-hosts-audit.1`.
    pub fn man_file(self) -> String {
        match self {
            Page::Keywright => "keywright.1".to_string(),
            page => format!("keywright-{}.1", page.path().replace(' ', "-")),
        }
    }

    /// The page for a command path given as words (`["known-hosts", "audit"]`).
    pub fn find(words: &[String]) -> Option<Page> {
        let path = match words.is_empty() {
            true => "keywright".to_string(),
            false => words.join(" "),
        };
        Page::ALL.iter().copied().find(|page| page.path() == path)
    }

    /// The top-level commands, in help order.
    pub fn commands() -> impl Iterator<Item = &'static str> {
        Page::ALL.iter().map(|page| page.path()).filter(|path| *path != "keywright" && !path.contains(' '))
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::Page;
    use crate::cli::Cli;

    #[test]
    fn every_command_has_a_page_and_every_page_a_command() {
        let mut top = Cli::command();
        top.build();
        let mut paths = vec!["keywright".to_string()];
        for command in top.get_subcommands().filter(|c| c.get_name() != "help") {
            paths.push(command.get_name().to_string());
            for child in command.get_subcommands().filter(|c| c.get_name() != "help") {
                paths.push(format!("{} {}", command.get_name(), child.get_name()));
            }
        }
        let pages: Vec<String> = Page::ALL.iter().map(|page| page.path().to_string()).collect();
        assert_eq!(pages, paths, "Page::ALL and the clap definitions differ (in help order)");
    }
}
