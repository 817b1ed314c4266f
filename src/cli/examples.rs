//! Usage examples, kept as data so that `--help`, the man pages and the example test all
//! show the same commands. Every example runs in the test suite (`tests/cli/examples.rs`)
//! in a home directory prepared by that test (see `EXAMPLE_SETUP`).

use super::Page;

/// One example: what it does, and the shell command.
#[derive(Debug, Clone, Copy)]
pub struct Example {
    /// What the command does, as a sentence fragment.
    pub what: &'static str,
    /// The command line, as typed at a POSIX shell.
    pub command: &'static str,
}

/// What the example test prepares before running any example, described for the reader:
/// a home directory with `~/.ssh/id_ed25519` (no passphrase) and its `.pub`, an
/// authorized_keys file, and `~/.config/keywright/passphrase` holding a passphrase.
pub const EXAMPLE_SETUP: &str = "~/.ssh/id_ed25519{,.pub}, ~/.ssh/authorized_keys, ~/.config/keywright/passphrase, \
     v1.tgz{,.sig} (signed by ~/.ssh/id_ed25519), build.tar.gz, docs/*.md, allowed_signers \
     (alice with ~/.ssh/id_ed25519.pub), an empty revoked_keys, ca.pub, deploy.pub, key.rfc and \
     key.ppk (~/.ssh/id_ed25519 exported), revoked.krl (a KRL of host_key.pub)";

/// Renders examples for `--help` (`after_help`).
pub fn render(examples: &[Example]) -> String {
    let mut text = String::from("Examples:\n");
    for example in examples {
        text.push_str(&format!("  # {}\n  {}\n\n", example.what, example.command));
    }
    text.truncate(text.trim_end().len());
    text
}

macro_rules! examples {
    ($($what:literal => $command:literal),* $(,)?) => {
        &[$(Example { what: $what, command: $command }),*]
    };
}

pub const TOP: &[Example] = examples![
    "Make an Ed25519 key protected by the passphrase in the file pw" => "keywright generate -f ~/.ssh/id_github --passphrase-file pw",
    "Show the fingerprints of your keys" => "keywright fingerprint",
];

pub const GENERATE: &[Example] = examples![
    "Ed25519 key in ~/.ssh/id_ed25519 (replacing one), passphrase from a file" => "keywright generate --force --passphrase-file pw",
    "RSA 4096 key for CI, without passphrase, quietly" => "keywright generate -t rsa -b 4096 -f ./deploy_key --no-passphrase -C deploy@ci -q",
    "ECDSA P-384 key with 64 KDF rounds, passphrase on stdin" => "echo 'correct horse' | keywright generate -t ecdsa -b 384 -a 64 -f id_p384 --passphrase-file -",
];

pub const FINGERPRINT: &[Example] = examples![
    "SHA256 fingerprint of a public key" => "keywright fingerprint ~/.ssh/id_ed25519.pub",
    "MD5 fingerprints and randomart of every key in authorized_keys" => "keywright fingerprint -E md5 -v ~/.ssh/authorized_keys",
    "Fingerprint a key read from stdin, as JSON" => "cat ~/.ssh/id_ed25519.pub | keywright fingerprint --format json -",
];

pub const PUBLIC: &[Example] = examples![
    "Recreate a lost .pub file" => "keywright public -f ~/.ssh/id_ed25519 > ~/.ssh/id_ed25519.pub",
];

pub const PASSPHRASE: &[Example] = examples![
    "Add a passphrase to a key that has none" => "keywright passphrase -f ~/.ssh/id_ed25519 --new-passphrase-file pw",
    "Raise the KDF rounds of a key, keeping its passphrase (read twice from the same file)" => "keywright passphrase -f ~/.ssh/id_work -a 64 --old-passphrase-file pw --new-passphrase-file pw",
];

pub const COMMENT: &[Example] = examples![
    "Change the comment of a key and its .pub" => "keywright comment -f ~/.ssh/id_ed25519 -C 'alice@new-laptop'",
];

pub const KNOWN_HOSTS: &[Example] = examples![
    "Is this host known, and with which keys?" => "keywright known-hosts find github.com",
    "Fail a CI job on problems, with annotations on the pull request" => "keywright known-hosts audit --format github",
];

pub const KNOWN_HOSTS_HASH: &[Example] = examples![
    "Hash the names in ~/.ssh/known_hosts, then delete the clear-text backup" => "keywright known-hosts hash && rm ~/.ssh/known_hosts.old",
];

pub const KNOWN_HOSTS_FIND: &[Example] = examples![
    "Lines for a host on port 2222, as ssh-keygen -F prints them" => "keywright known-hosts find -p 2222 git.example.com",
    "The same as JSON" => "keywright known-hosts find git.example.com:2222 --format json",
];

pub const KNOWN_HOSTS_ADD: &[Example] = examples![
    "Trust a host key from a file" => "keywright known-hosts add git.example.com ./host_key.pub",
    "Trust a key given on the command line, in clear text" => "keywright known-hosts add --no-hash 192.0.2.10 \"$(cat ./host_key.pub)\"",
    "Trust the host certificates a CA signs for every host under example.com" => "keywright known-hosts add --cert-authority '*.example.com' ca.pub",
];

pub const KNOWN_HOSTS_REMOVE: &[Example] = examples![
    "Forget a host whose key changed" => "keywright known-hosts remove old.example.com",
    "Forget only a host's RSA key" => "keywright known-hosts remove --type rsa git.example.com",
];

pub const KNOWN_HOSTS_LIST: &[Example] = examples![
    "Every entry, with fingerprints" => "keywright known-hosts list",
    "Hosts with RSA keys, from the JSON" => "keywright known-hosts list --format json | grep -c '\"type\": \"RSA\"'",
];

pub const KNOWN_HOSTS_AUDIT: &[Example] = examples![
    "Audit the default file; exit 1 on errors" => "keywright known-hosts audit",
    "Fail on warnings too, and resolve hashed names" => "keywright known-hosts audit --fail-on warning --hosts git.example.com,old.example.com || true",
    "SARIF for GitHub code scanning" => "keywright known-hosts audit --format sarif ~/.ssh/known_hosts > known_hosts.sarif",
];

pub const KNOWN_HOSTS_SCAN: &[Example] = examples![
    "Print a host's keys as ssh-keyscan does, with hashed names" => "keywright known-hosts scan -H git.example.com",
    "Trust a new host only if it shows the fingerprint its console gave (in fp.txt)" => "keywright known-hosts scan --add --expect \"$(cat fp.txt)\" git.example.com",
];

pub const KNOWN_HOSTS_VERIFY: &[Example] = examples![
    "Check one host against ~/.ssh/known_hosts, as JSON" => "keywright known-hosts verify --format json git.example.com",
    "Check every host a file records, SARIF for code scanning" => "keywright known-hosts verify -f ci_known_hosts --format sarif > drift.sarif",
];

pub const COPY_ID: &[Example] = examples![
    "Install your newest key (or the agent's keys) on a server" => "keywright copy-id build.example.com",
    "Install one key on every host listed in a file, 20 at a time, as JSON" => "keywright copy-id -i ~/.ssh/id_ed25519.pub --hosts-file fleet.txt -j 20 --format json",
    "See what would be added, without writing anything" => "keywright copy-id -n git.example.com",
    "Through a bastion, to the web group of an Ansible inventory" => "keywright copy-id -J bastion.example.com --inventory hosts.ini --limit web",
];

pub const MAN: &[Example] = examples![
    "Install the man pages in ~/.local/share/man, where man finds them" => "keywright man --install",
    "Install them in a directory of your own, then name it in MANPATH" => "keywright man --install ~/man && export MANPATH=~/man:",
    "Read a page without installing it" => "keywright man known-hosts audit | man -l -",
];

pub const COMPLETIONS: &[Example] = examples![
    "Load bash completions into the current shell" => ". <(keywright completions bash)",
    "Install zsh completions for the current user" => "mkdir -p ~/.zfunc && keywright completions zsh > ~/.zfunc/_keywright",
];

pub const INSTALL_LINKS: &[Example] = examples![
    "Answer as ssh-keygen and ssh-copy-id for your user (~/.local/bin first on PATH)" => "keywright install-links ~/.local/bin",
    "Check that the links are there, as JSON" => "keywright install-links ~/.local/bin --format json",
];

pub const SIGN: &[Example] = examples![
    "Sign a build (writes build.tar.gz.sig)" => "keywright sign -f ~/.ssh/id_ed25519 -n file build.tar.gz",
    "Sign every file of a directory with one unlocked key, replacing old signatures" => "keywright sign -f ~/.ssh/id_work --passphrase-file pw -n file --force docs/*.md",
    "Sign standard input with SHA-256, the signature on standard output" => "echo hello | keywright sign -f ~/.ssh/id_ed25519 -n file -O hashalg=sha256 - > hello.sig",
];

pub const VERIFY: &[Example] = examples![
    "Check that alice signed the tarball" => "keywright verify -f allowed_signers -I alice -n file -s v1.tgz.sig v1.tgz",
    "The same, judging key validity as of 1 June 2024 (UTC)" => "keywright verify -f allowed_signers -I alice -n file -s v1.tgz.sig --verify-time 20240601Z v1.tgz",
    "The same, refusing the keys listed in revoked_keys" => "keywright verify -f allowed_signers -I alice -n file -s v1.tgz.sig -r revoked_keys v1.tgz",
    "Check only that the signature is intact, as JSON" => "keywright verify --no-validate -n file -s v1.tgz.sig --format json < v1.tgz",
];

pub const SIGNERS: &[Example] = examples![
    "Allow your key to sign git commits as alice" => "keywright signers add -f allowed_signers --namespaces git alice ~/.ssh/id_ed25519.pub",
    "Who signed this?" => "keywright signers find -f allowed_signers -s v1.tgz.sig",
];

pub const SIGNERS_ADD: &[Example] = examples![
    "Allow a key to sign as bob until the end of 2025 (UTC)" => "keywright signers add -f allowed_signers --valid-before 20260101Z bob ~/.ssh/id_ed25519.pub",
    "Allow a CA's certificates to sign as anyone at example.com" => "keywright signers add -f allowed_signers --cert-authority '*@example.com' ca.pub",
];

pub const SIGNERS_LIST: &[Example] = examples![
    "Every signer, with fingerprints" => "keywright signers list -f allowed_signers",
    "The same as JSON" => "keywright signers list -f allowed_signers --format json",
];

pub const SIGNERS_FIND: &[Example] = examples![
    "The principals who may have made a signature" => "keywright signers find -f allowed_signers -s v1.tgz.sig",
];

pub const SIGNERS_MATCH: &[Example] = examples![
    "The lines that would let alice sign" => "keywright signers match -f allowed_signers -I alice",
];

pub const SIGNERS_AUDIT: &[Example] = examples![
    "Fail a CI job on problems in the repository's allowed_signers" => "keywright signers audit -f allowed_signers",
    "Only errors fail; print JSON" => "keywright signers audit -f allowed_signers --fail-on error --format json",
];

pub const HOST_KEYS: &[Example] = examples![
    "Make the missing host keys of an image being built in ./rootfs" => "mkdir -p rootfs/etc/ssh && keywright host-keys -f rootfs",
    "Make them, then check them as sshd loads them (exit 1 on findings)" => "mkdir -p r/etc/ssh && keywright host-keys -qf r && keywright host-keys --check -f r",
];

pub const SSHFP: &[Example] = examples![
    "SSHFP records of an image's new host keys, for its zone file" => "mkdir -p r/etc/ssh && keywright host-keys -qf r && keywright sshfp --prefix r host.example",
    "The records of one key, in RFC 3597 generic notation" => "keywright sshfp -g -f ~/.ssh/id_ed25519.pub server.example.com",
];

pub const AUTHORIZED_KEYS: &[Example] = examples![
    "Which keys may log in to your account, with their options" => "keywright authorized-keys list",
    "Does your authorized_keys trust this key? (exit 1 if not)" => "keywright authorized-keys list --key ~/.ssh/id_ed25519.pub",
];

pub const AUTHORIZED_KEYS_LIST: &[Example] = examples![
    "Every key of your authorized_keys, as JSON" => "keywright authorized-keys list --format json",
];

pub const AUTHORIZED_KEYS_ADD: &[Example] = examples![
    "Let a deploy key in from one network only, without a terminal" => "keywright authorized-keys add -k deploy.pub --options 'from=\"10.0.0.0/8\",no-pty'",
];

pub const AUTHORIZED_KEYS_REMOVE: &[Example] = examples![
    "Take a key out, showing the change as a diff" => "keywright authorized-keys remove -k ~/.ssh/id_ed25519.pub --diff",
];

pub const AUTHORIZED_KEYS_SET: &[Example] = examples![
    "See what holding exactly your key would change" => "keywright authorized-keys set -k ~/.ssh/id_ed25519.pub -n --diff",
];

pub const AUTHORIZED_KEYS_ROTATE: &[Example] = examples![
    "Replace your old key by a new one (on hosts: proven to log in first)" => "keywright authorized-keys rotate ~/.ssh/id_ed25519.pub ~/.ssh/id_work",
];

pub const KRL: &[Example] = examples![
    "Revoke a host's old key" => "keywright krl create -f old-hosts.krl host_key.pub",
    "Is my key revoked? (exit 1 if it is)" => "keywright krl query -f revoked.krl ~/.ssh/id_ed25519.pub",
];

pub const KRL_CREATE: &[Example] = examples![
    "Revoke the certificates with serials 1000 to 1999 issued by a CA" => "echo 'serial: 1000-1999' | keywright krl create -f users.krl --ca ca.pub -",
    "Revoke certificates with key ID old-ci, whatever CA issued them" => "echo 'id: old-ci' | keywright krl create -f users.krl --all-cas -",
];

pub const KRL_UPDATE: &[Example] = examples![
    "Add a key to a list (its version grows by one)" => "keywright krl update -f revoked.krl ca.pub",
];

pub const KRL_QUERY: &[Example] = examples![
    "Is this key revoked? (exit 1 if it is)" => "keywright krl query -f revoked.krl ~/.ssh/id_ed25519.pub",
    "The answers as JSON" => "keywright krl query -f revoked.krl --format json ~/.ssh/id_ed25519.pub",
];

pub const KRL_SHOW: &[Example] = examples![
    "What a list revokes, as spec lines" => "keywright krl show -f revoked.krl",
    "The same as JSON" => "keywright krl show -f revoked.krl --format json",
];

/// The examples of a page.
pub fn of(page: Page) -> &'static [Example] {
    match page {
        Page::Keywright => TOP,
        Page::Generate => GENERATE,
        Page::Fingerprint => FINGERPRINT,
        Page::Public => PUBLIC,
        Page::Passphrase => PASSPHRASE,
        Page::Comment => COMMENT,
        Page::KnownHosts => KNOWN_HOSTS,
        Page::KnownHostsHash => KNOWN_HOSTS_HASH,
        Page::KnownHostsFind => KNOWN_HOSTS_FIND,
        Page::KnownHostsAdd => KNOWN_HOSTS_ADD,
        Page::KnownHostsRemove => KNOWN_HOSTS_REMOVE,
        Page::KnownHostsList => KNOWN_HOSTS_LIST,
        Page::KnownHostsAudit => KNOWN_HOSTS_AUDIT,
        Page::KnownHostsScan => KNOWN_HOSTS_SCAN,
        Page::KnownHostsVerify => KNOWN_HOSTS_VERIFY,
        Page::CopyId => COPY_ID,
        Page::Completions => COMPLETIONS,
        Page::Man => MAN,
        Page::InstallLinks => INSTALL_LINKS,
        Page::Sign => SIGN,
        Page::Verify => VERIFY,
        Page::Signers => SIGNERS,
        Page::SignersAdd => SIGNERS_ADD,
        Page::SignersList => SIGNERS_LIST,
        Page::SignersFind => SIGNERS_FIND,
        Page::SignersMatch => SIGNERS_MATCH,
        Page::SignersAudit => SIGNERS_AUDIT,
        Page::HostKeys => HOST_KEYS,
        Page::Sshfp => SSHFP,
        Page::AuthorizedKeys => AUTHORIZED_KEYS,
        Page::AuthorizedKeysList => AUTHORIZED_KEYS_LIST,
        Page::AuthorizedKeysAdd => AUTHORIZED_KEYS_ADD,
        Page::AuthorizedKeysRemove => AUTHORIZED_KEYS_REMOVE,
        Page::AuthorizedKeysSet => AUTHORIZED_KEYS_SET,
        Page::AuthorizedKeysRotate => AUTHORIZED_KEYS_ROTATE,
        Page::Export => EXPORT,
        Page::Import => IMPORT,
        Page::Krl => KRL,
        Page::KrlCreate => KRL_CREATE,
        Page::KrlUpdate => KRL_UPDATE,
        Page::KrlQuery => KRL_QUERY,
        Page::KrlShow => KRL_SHOW,
        Page::Cert => CERT,
        Page::CertSign => CERT_SIGN,
        Page::CertShow => CERT_SHOW,
    }
}

/// Every page's examples, by command path (`keywright` for the top level).
pub fn all() -> Vec<(&'static str, &'static [Example])> {
    Page::ALL.iter().map(|&page| (page.path(), of(page))).collect()
}

pub const EXPORT: &[Example] = examples![
    "A public key for an SSH.com or Tectia server (RFC 4716)" => "keywright export -f ~/.ssh/id_ed25519.pub",
    "A private key for PuTTY, with the key's passphrase" => "keywright export -f ~/.ssh/id_ed25519 --to ppk -o id_ed25519.ppk",
];

pub const IMPORT: &[Example] = examples![
    "An RFC 4716, PKCS#8 or PEM public key as an authorized_keys line" => "keywright import -f key.rfc >> ~/.ssh/authorized_keys",
    "A PuTTY key as ~/.ssh/id_putty and ~/.ssh/id_putty.pub" => "keywright import -f key.ppk -o ~/.ssh/id_putty",
];

pub const CERT: &[Example] = examples![
    "Issue a user certificate for alice, valid for a year" => "keywright cert sign -s ~/.ssh/id_ed25519 -I alice -n alice -V +52w .ssh/id_work.pub",
    "Show it" => "keywright cert show .ssh/id_work-cert.pub",
];

pub const CERT_SIGN: &[Example] = examples![
    "Issue a host certificate, valid from yesterday for four weeks" => "keywright cert sign -s ~/.ssh/id_ed25519 -I web1 --host -V -1d:+4w host_key.pub",
    "Re-issue a fleet's host certificates, serials counting from 100" => "ls host_key.pub | keywright cert sign -s ~/.ssh/id_ed25519 -I fleet --host -z +100 -",
    "A user certificate that can only run the command bk" => "keywright cert sign -s ~/.ssh/id_ed25519 -I bk -n bk -O force-command=bk host_key.pub",
];

pub const CERT_SHOW: &[Example] = examples![
    "What a certificate says, as ssh-keygen -L prints it" => "keywright cert show .ssh/id_work-cert.pub",
    "The same as JSON" => "keywright cert show --format json .ssh/id_work-cert.pub",
];
