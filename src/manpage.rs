//! Man pages generated from the clap definitions, plus the sections clap knows nothing
//! about: EXAMPLES (the same examples `--help` shows), EXIT STATUS, FILES, ENVIRONMENT
//! and SEE ALSO. The pages are committed in `man/`; a test fails when they are stale and
//! `KEYWRIGHT_UPDATE_MAN=1 cargo test man` rewrites them.

use clap::CommandFactory;
use clap_mangen::Man;
use roff::{Roff, bold, roman};

use crate::cli::{Cli, Example, Page, examples};

/// What a page says beyond what clap knows.
struct Extra {
    exit_status: &'static [(&'static str, &'static str)],
    files: &'static [(&'static str, &'static str)],
    see_also: &'static [&'static str],
}

const STANDARD_EXIT: &[(&str, &str)] = &[
    ("0", "Success."),
    (
        "2",
        "An error: bad input, an unreadable or damaged file, a wrong passphrase, or a usage error. Nothing was written.",
    ),
];

const KEY_FILES: &[(&str, &str)] = &[
    ("~/.ssh/", "Created with mode 0700 when keywright writes a key there and it does not exist."),
    (
        "~/.ssh/id_ed25519, ~/.ssh/id_rsa, ~/.ssh/id_ecdsa",
        "Default private key files, mode 0600, in OpenSSH's format.",
    ),
    ("~/.ssh/id_*.pub", "Public keys, mode 0644: one line, type, base64 key and comment."),
];

const KNOWN_HOSTS_FILES: &[(&str, &str)] = &[
    ("~/.ssh/known_hosts", "The default file; add creates it with mode 0600 (and ~/.ssh with 0700)."),
    ("FILE.old", "The previous contents, kept by hash and remove (a hard link, as ssh-keygen makes it)."),
];

/// The CI recipe shown in the audit's man page and the README.
pub const AUDIT_CI_EXAMPLE: &str = "\
# .github/workflows/known-hosts.yml
on: [push, pull_request]
jobs:
  known-hosts:
    runs-on: ubuntu-latest
    permissions: { contents: read, security-events: write }
    steps:
      - uses: actions/checkout@v4
      # keywright's source, vendored in the repository or added as a submodule
      - run: cargo install --locked --path tools/keywright
      - run: keywright known-hosts audit --format github deploy/known_hosts
      - if: always()
        run: keywright known-hosts audit --format sarif deploy/known_hosts > kh.sarif || true
      - if: always()
        uses: github/codeql-action/upload-sarif@v3
        with: { sarif_file: kh.sarif }
";

const KRL_FILES: &[(&str, &str)] = &[(
    "KRL",
    "The binary key revocation list (OpenSSH PROTOCOL.krl), written atomically under a lock; a new file gets mode 0644.",
)];

const SIG_FILES: &[(&str, &str)] = &[
    (
        "FILE.sig",
        "The signature of FILE, written atomically (a new file gets mode 0666 less the umask, as ssh-keygen makes it).",
    ),
    (
        "allowed_signers",
        "Who may sign with which key; no default (git names it in gpg.ssh.allowedSignersFile). See ssh-keygen(1) ALLOWED SIGNERS.",
    ),
];

const ENVIRONMENT: &[(&str, &str)] = &[
    (
        "HOME",
        "Where ~/.ssh is. (OpenSSH's tools use the password database instead; keywright falls back to it when HOME is unset.)",
    ),
    (
        "KEYWRIGHT_BATCH",
        "When set (and not 0), never prompt: a passphrase or confirmation that would be asked for is an error with a hint, as with --batch.",
    ),
    (
        "LC_ALL, LC_CTYPE, LANG",
        "Decide, as for OpenSSH, whether non-ASCII text in comments is printed as UTF-8 or escaped as \\ooo octal.",
    ),
];

fn extra(page: Page) -> Extra {
    let see = |pages: &'static [&'static str]| pages;
    match page {
        Page::Generate => Extra {
            exit_status: &[
                ("0", "The key pair was written."),
                ("1", "An existing file was not overwritten because the answer at the prompt was no."),
                (
                    "2",
                    "An error: bad options, no passphrase source without a terminal, an existing file without --force, or a write failure. Existing files are unchanged.",
                ),
            ],
            files: KEY_FILES,
            see_also: see(&["keywright-fingerprint(1)", "keywright-passphrase(1)", "ssh-keygen(1)"]),
        },
        Page::Fingerprint => Extra {
            exit_status: &[
                ("0", "Every file held at least one key and all were printed."),
                ("2", "A file could not be read or held no key; the other files were still printed."),
            ],
            files: &[("~/.ssh/id_*.pub", "Read when no FILE is given.")],
            see_also: see(&["keywright-public(1)", "ssh-keygen(1)", "sshd(8) AUTHORIZED_KEYS FILE FORMAT"]),
        },
        Page::Public => Extra {
            exit_status: STANDARD_EXIT,
            files: &[],
            see_also: see(&["keywright-fingerprint(1)", "ssh-keygen(1)"]),
        },
        Page::Passphrase | Page::Comment => Extra {
            exit_status: STANDARD_EXIT,
            files: KEY_FILES,
            see_also: see(&["keywright-generate(1)", "ssh-keygen(1)"]),
        },
        Page::KnownHosts | Page::KnownHostsList => Extra {
            exit_status: STANDARD_EXIT,
            files: KNOWN_HOSTS_FILES,
            see_also: see(&[
                "keywright-known-hosts-audit(1)",
                "ssh-keygen(1)",
                "sshd(8) SSH_KNOWN_HOSTS FILE FORMAT",
            ]),
        },
        Page::KnownHostsHash | Page::KnownHostsAdd => Extra {
            exit_status: &[
                ("0", "Done, or nothing to do (no plain names to hash; the key was already trusted)."),
                (
                    "2",
                    "An error, or a refusal (a different key for the host without --replace, a revoked key); the file is unchanged.",
                ),
            ],
            files: KNOWN_HOSTS_FILES,
            see_also: see(&["keywright-known-hosts-find(1)", "ssh-keygen(1)", "ssh-keyscan(1)"]),
        },
        Page::KnownHostsFind | Page::KnownHostsRemove => Extra {
            exit_status: &[
                ("0", "The host was found (find) or removed (remove)."),
                ("1", "The host is not in the file; remove leaves the file untouched."),
                ("2", "An error: a missing or unreadable file, a bad host or port."),
            ],
            files: KNOWN_HOSTS_FILES,
            see_also: see(&["keywright-known-hosts-add(1)", "ssh-keygen(1)"]),
        },
        Page::KnownHostsAudit => Extra {
            exit_status: &[
                ("0", "No finding at or above the --fail-on severity."),
                ("1", "At least one finding at or above the --fail-on severity (default error)."),
                ("2", "A file could not be read, or a usage error: the audit did not run completely."),
            ],
            files: KNOWN_HOSTS_FILES,
            see_also: see(&[
                "keywright-known-hosts(1)",
                "ssh-audit(1)",
                "sshd(8) SSH_KNOWN_HOSTS FILE FORMAT",
            ]),
        },
        Page::KnownHostsScan => Extra {
            exit_status: &[
                (
                    "0",
                    "Every host showed a key (one with an expected fingerprint, with --expect); with --add, they are in the file.",
                ),
                (
                    "1",
                    "A host showed no key: unreachable, no key of the types asked for, or none with an expected fingerprint.",
                ),
                (
                    "2",
                    "A usage error, or --add could not write the file or refused a key that conflicts with a recorded one.",
                ),
            ],
            files: KNOWN_HOSTS_FILES,
            see_also: see(&[
                "keywright-known-hosts-add(1)",
                "keywright-known-hosts-verify(1)",
                "ssh-keyscan(1)",
            ]),
        },
        Page::KnownHostsVerify => Extra {
            exit_status: &[
                ("0", "No finding at or above the --fail-on severity."),
                (
                    "1",
                    "At least one finding at or above the --fail-on severity (default error): a changed key or an unreachable host.",
                ),
                ("2", "The file could not be read, it records no key for a HOST named, or a usage error."),
            ],
            files: KNOWN_HOSTS_FILES,
            see_also: see(&[
                "keywright-known-hosts-scan(1)",
                "keywright-known-hosts-audit(1)",
                "ssh-keyscan(1)",
            ]),
        },
        Page::Completions => Extra {
            exit_status: &[("0", "The script was printed."), ("2", "A usage error.")],
            files: &[],
            see_also: see(&["keywright(1)"]),
        },
        Page::CopyId => Extra {
            exit_status: &[
                ("0", "Every host ended with the keys installed (added now, or already there)."),
                (
                    "1",
                    "At least one host failed (unreachable, host key refused, authentication failed, or the remote file could not be written); the other hosts were still done.",
                ),
                ("2", "A usage error, an unreadable key file, or a bad -o option: no host was contacted."),
            ],
            files: &[
                ("~/.ssh/id_*.pub", "The key installed when neither -i nor an agent gives one: the newest."),
                (
                    "~/.ssh/config",
                    "Host aliases and their HostName, User, Port, IdentityFile and known_hosts options.",
                ),
                (
                    "~/.ssh/known_hosts",
                    "Host keys are checked against it, and an accepted new key is recorded in it, as ssh does.",
                ),
                (
                    "REMOTE ~/.ssh/authorized_keys",
                    "Replaced atomically with the keys added; ~/.ssh is created 0700 and the file 0600.",
                ),
            ],
            see_also: see(&[
                "keywright-known-hosts(1)",
                "ssh-copy-id(1)",
                "ssh(1)",
                "ssh_config(5)",
                "sshd(8) AUTHORIZED_KEYS FILE FORMAT",
            ]),
        },
        Page::Man => Extra {
            exit_status: &[
                ("0", "The page was printed, or every page was installed."),
                ("2", "No such page, a directory that cannot be written, or a usage error."),
            ],
            files: &[(
                "~/.local/share/man/man1/",
                "Where --install puts the pages by default; man searches it when ~/.local/bin is on PATH.",
            )],
            see_also: see(&["keywright(1)", "man(1)", "manpath(1)"]),
        },
        Page::InstallLinks => Extra {
            exit_status: &[
                ("0", "Both links are in place (made now, or already there)."),
                (
                    "2",
                    "A name is taken by something else (without --force), DIR is not a directory, or a link could not be made: nothing was written.",
                ),
            ],
            files: &[
                ("DIR/ssh-keygen", "A link to keywright, which then reads ssh-keygen's command line."),
                ("DIR/ssh-copy-id", "A link to keywright, which then reads ssh-copy-id's command line."),
            ],
            see_also: see(&["keywright(1)", "ssh-keygen(1)", "ssh-copy-id(1)"]),
        },
        Page::Sign => Extra {
            exit_status: &[
                ("0", "Every FILE was signed and its signature written."),
                ("1", "A FILE.sig existed and the answer at the prompt was no; the other files were signed."),
                (
                    "2",
                    "An error: an unreadable key or file, a wrong passphrase, no agent holding the key, an existing FILE.sig without --force. Signatures made before a file that could not be read are written.",
                ),
            ],
            files: SIG_FILES,
            see_also: see(&["keywright-verify(1)", "keywright-signers(1)", "ssh-keygen(1)", "ssh-agent(1)"]),
        },
        Page::Verify => Extra {
            exit_status: &[
                ("0", "The signature is good, and (unless --no-validate) its signer allowed."),
                (
                    "1",
                    "It is not: made for another namespace, changed or forged data, a revoked key, or no allowed_signers line allows the key for the principal at the verify time.",
                ),
                (
                    "2",
                    "An error: an unreadable file, a damaged signature file, an unreadable revocation file or a KRL that cannot be read.",
                ),
            ],
            files: SIG_FILES,
            see_also: see(&["keywright-sign(1)", "keywright-signers(1)", "ssh-keygen(1) ALLOWED SIGNERS"]),
        },
        Page::Signers | Page::SignersAdd | Page::SignersList => Extra {
            exit_status: STANDARD_EXIT,
            files: SIG_FILES,
            see_also: see(&[
                "keywright-verify(1)",
                "keywright-signers-audit(1)",
                "ssh-keygen(1) ALLOWED SIGNERS",
            ]),
        },
        Page::SignersFind | Page::SignersMatch => Extra {
            exit_status: &[
                ("0", "A principal was found (find) or a line matched (match)."),
                ("1", "None was."),
                (
                    "2",
                    "An error: an unreadable file, a damaged signature, or (match) a line that cannot be read.",
                ),
            ],
            files: SIG_FILES,
            see_also: see(&["keywright-verify(1)", "ssh-keygen(1) ALLOWED SIGNERS"]),
        },
        Page::HostKeys => Extra {
            exit_status: &[
                ("0", "Every missing host key was made (or, with --check, no finding)."),
                ("1", "With --check: at least one finding."),
                ("2", "A host key could not be made (the others still were), or a usage error."),
            ],
            files: &[(
                "PREFIX/etc/ssh/ssh_host_{rsa,ecdsa,ed25519}_key{,.pub}",
                "Made when missing or empty; checked with --check.",
            )],
            see_also: see(&["keywright-sshfp(1)", "ssh-keygen(1)", "sshd(8)"]),
        },
        Page::Krl | Page::KrlCreate | Page::KrlUpdate | Page::KrlShow => Extra {
            exit_status: &[
                ("0", "Success."),
                (
                    "2",
                    "An error: an unreadable or damaged list, spec or key, a spec line ssh-keygen -k would refuse, or a usage error; the list is then unchanged.",
                ),
            ],
            files: KRL_FILES,
            see_also: see(&[
                "keywright-krl(1)",
                "ssh-keygen(1) KEY REVOCATION LISTS",
                "sshd_config(5) RevokedKeys",
            ]),
        },
        Page::KrlQuery => Extra {
            exit_status: &[
                ("0", "No key given is revoked."),
                ("1", "At least one key given is revoked."),
                ("2", "An error: an unreadable or damaged list or key, or a usage error."),
            ],
            files: KRL_FILES,
            see_also: see(&[
                "keywright-krl(1)",
                "ssh-keygen(1) KEY REVOCATION LISTS",
                "sshd_config(5) RevokedKeys",
            ]),
        },
        Page::Sshfp => Extra {
            exit_status: &[
                ("0", "A record was printed for every key."),
                ("2", "A file could not be read, held no key, or held a key SSHFP has no type for."),
            ],
            files: &[(
                "/etc/ssh/ssh_host_*_key{,.pub}",
                "Read when no -f is given (under --prefix when given).",
            )],
            see_also: see(&["keywright-host-keys(1)", "ssh-keygen(1)", "ssh_config(5) VerifyHostKeyDNS"]),
        },
        Page::AuthorizedKeys
        | Page::AuthorizedKeysList
        | Page::AuthorizedKeysAdd
        | Page::AuthorizedKeysRemove
        | Page::AuthorizedKeysSet
        | Page::AuthorizedKeysRotate => Extra {
            exit_status: &[
                (
                    "0",
                    "Every file was read or ended as asked (changed now, or already so); list --key: some file holds the key.",
                ),
                (
                    "1",
                    "At least one host failed (unreachable, host key refused, login refused, the file could not be written, or rotate's new key could not log in: then the old key stays); list --key: no file holds the key.",
                ),
                (
                    "2",
                    "A usage error, a KEY that names no key, bad --options, a local file that could not be written, or set refused because none of your keys would be left: no host was changed.",
                ),
            ],
            files: &[
                ("~/.ssh/authorized_keys", "The file worked on when no TARGET and no --file is given."),
                (
                    "~/.ssh/config",
                    "Host aliases and their HostName, User, Port, IdentityFile and known_hosts options, as for copy-id.",
                ),
                ("~/.ssh/known_hosts", "Host keys are checked against it, as ssh does."),
                (
                    "REMOTE ~/.ssh/authorized_keys",
                    "Read, or replaced atomically under a lock (FILE.lock); -t names another path.",
                ),
            ],
            see_also: see(&[
                "keywright-copy-id(1)",
                "keywright-fingerprint(1)",
                "sshd(8) AUTHORIZED_KEYS FILE FORMAT",
                "ssh_config(5)",
            ]),
        },
        Page::Export | Page::Import => Extra {
            exit_status: &[
                ("0", "The key was converted."),
                (
                    "2",
                    "An error: the file is not in the format, the key type has no form in it, a wrong passphrase, or an existing -o file without --force. Nothing is written then.",
                ),
            ],
            files: &[
                ("FILE.ppk", "PuTTY private keys: written mode 0600, version 3; read in versions 2 and 3."),
                ("-o FILE", "Replaced atomically; never replaced when it exists, unless --force."),
            ],
            see_also: see(&["keywright-public(1)", "puttygen(1)", "ssh-keygen(1)"]),
        },
        Page::SignersAudit => Extra {
            exit_status: &[
                ("0", "No finding at or above the --fail-on severity."),
                ("1", "At least one finding at or above the --fail-on severity (default warning)."),
                ("2", "The file could not be read, or a usage error."),
            ],
            files: SIG_FILES,
            see_also: see(&[
                "keywright-signers(1)",
                "keywright-known-hosts-audit(1)",
                "ssh-keygen(1) ALLOWED SIGNERS",
            ]),
        },
        Page::Cert | Page::CertSign => Extra {
            exit_status: &[
                ("0", "Every KEY was certified and its KEY-cert.pub written."),
                (
                    "2",
                    "An error: a bad -V, -O, -n or -z, an unreadable CA or key, a wrong passphrase, no agent holding the CA key. Nothing is written when a KEY cannot be read or certified.",
                ),
            ],
            files: &[(
                "KEY-cert.pub",
                "The certificate of KEY.pub, written atomically beside it (a new file gets mode 0644 less the umask, as ssh-keygen makes it).",
            )],
            see_also: see(&[
                "keywright-cert-show(1)",
                "ssh-keygen(1) CERTIFICATES",
                "sshd_config(5) TrustedUserCAKeys",
            ]),
        },
        Page::CertShow => Extra {
            exit_status: &[
                ("0", "At least one certificate was shown."),
                ("1", "No FILE held a certificate."),
                ("2", "A FILE could not be read, or a usage error."),
            ],
            files: &[("KEY-cert.pub", "A certificate, as ssh-keygen -s and keywright cert sign write it.")],
            see_also: see(&["keywright-cert-sign(1)", "ssh-keygen(1) CERTIFICATES"]),
        },
        Page::Keywright => Extra {
            exit_status: &[
                ("0", "Success."),
                ("1", "A clean negative answer: something looked for was not found, or the user declined."),
                ("2", "An error or a usage error; the message says what, where, and what to do."),
            ],
            files: KEY_FILES,
            see_also: see(&[
                "keywright-generate(1)",
                "keywright-fingerprint(1)",
                "keywright-public(1)",
                "keywright-passphrase(1)",
                "keywright-comment(1)",
                "keywright-known-hosts(1)",
                "keywright-copy-id(1)",
                "keywright-sign(1)",
                "keywright-verify(1)",
                "keywright-signers(1)",
                "keywright-completions(1)",
                "keywright-man(1)",
                "keywright-install-links(1)",
                "keywright-authorized-keys(1)",
                "ssh-keygen(1)",
                "ssh-copy-id(1)",
            ]),
        },
    }
}

/// Every page: (file name, contents), one per command and subcommand.
pub fn pages() -> Vec<(String, Vec<u8>)> {
    let mut pages: Vec<(String, Vec<u8>)> =
        Page::ALL.iter().filter_map(|&page| Some((page.man_file(), render(page)?))).collect();
    pages.sort_by(|a, b| a.0.cmp(&b.0));
    pages
}

/// The page of one command; `None` only if `Page` names a command clap does not have
/// (a test keeps the two in step).
pub fn render(page: Page) -> Option<Vec<u8>> {
    let mut top = Cli::command();
    // Building propagates the version and global options into the subcommands.
    top.build();
    if page == Page::Keywright {
        return Some(self::page(top, page));
    }
    let mut command = top;
    for word in page.path().split(' ') {
        command = command.find_subcommand(word)?.clone();
    }
    Some(self::page(named(command, page.path()), page))
}

/// A (sub)command titled `keywright-a-b` with the synopsis `keywright a b`.
fn named(command: clap::Command, path: &str) -> clap::Command {
    command
        .display_name(format!("keywright-{}", path.replace(' ', "-")))
        .bin_name(format!("keywright {path}"))
}

fn page(command: clap::Command, page: Page) -> Vec<u8> {
    let examples = examples::of(page);
    let man = Man::new(command.clone())
        .manual("keywright manual")
        .source(format!("keywright {}", env!("CARGO_PKG_VERSION")));
    let mut out = Vec::new();
    // Writing into a Vec cannot fail.
    let _ = man.render_title(&mut out);
    let _ = man.render_name_section(&mut out);
    let _ = man.render_synopsis_section(&mut out);
    let _ = man.render_description_section(&mut out);
    let _ = man.render_options_section(&mut out);
    if command.get_subcommands().next().is_some() {
        let _ = man.render_subcommands_section(&mut out);
    }
    let extra = extra(page);
    let mut roff = Roff::default();
    render_examples(&mut roff, examples);
    if page == Page::KnownHostsAudit {
        roff.control("SH", ["AUDIT RULES"]);
        for rule in crate::known_hosts::audit::Rule::ALL {
            roff.control("TP", []).text([bold(rule.id())]).text([roman(rule.description())]);
        }
        roff.control("SH", ["CI EXAMPLE"]);
        roff.text([roman(
            "A GitHub Actions job that annotates pull requests and uploads SARIF to code scanning:",
        )]);
        roff.control("nf", []).text([roman(AUDIT_CI_EXAMPLE)]).control("fi", []);
    }
    if page == Page::KnownHostsVerify {
        roff.control("SH", ["FINDINGS"]);
        for rule in crate::known_hosts::audit::Rule::VERIFY {
            roff.control("TP", []).text([bold(rule.id())]).text([roman(rule.description())]);
        }
    }
    if page == Page::SignersAudit {
        roff.control("SH", ["AUDIT RULES"]);
        for rule in crate::sig::audit::Rule::ALL {
            roff.control("TP", []).text([bold(rule.id())]).text([roman(rule.description())]);
        }
    }
    render_list(&mut roff, "EXIT STATUS", extra.exit_status);
    render_list(&mut roff, "ENVIRONMENT", ENVIRONMENT);
    render_list(&mut roff, "FILES", extra.files);
    roff.control("SH", ["SEE ALSO"]).text([roman(extra.see_also.join(", "))]);
    let _ = roff.to_writer(&mut out);
    let _ = man.render_version_section(&mut out);
    out
}

fn render_examples(roff: &mut Roff, examples: &[Example]) {
    if examples.is_empty() {
        return;
    }
    roff.control("SH", ["EXAMPLES"]);
    for example in examples {
        roff.control("TP", []).text([roman(format!("{}:", capitalise(example.what)))]);
        roff.control("nf", []).text([bold(example.command)]).control("fi", []);
    }
}

fn render_list(roff: &mut Roff, heading: &str, items: &[(&str, &str)]) {
    if items.is_empty() {
        return;
    }
    roff.control("SH", [heading]);
    for (term, meaning) in items {
        roff.control("TP", []).text([bold(*term)]).text([roman(*meaning)]);
    }
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}
