//! Man pages generated from the clap definitions, plus the sections clap knows nothing
//! about: EXAMPLES (the same examples `--help` shows), EXIT STATUS, FILES, ENVIRONMENT
//! and SEE ALSO. The pages are committed in `man/`; a test fails when they are stale and
//! `KEYWRIGHT_UPDATE_MAN=1 cargo test man` rewrites them.

use clap::CommandFactory;
use clap_mangen::Man;
use roff::{Roff, bold, roman};

use crate::cli::{COMMAND_NAMES, Cli, Example, examples};

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

fn extra(command: &str) -> Extra {
    let see = |pages: &'static [&'static str]| pages;
    match command {
        "generate" => Extra {
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
        "fingerprint" => Extra {
            exit_status: &[
                ("0", "Every file held at least one key and all were printed."),
                ("2", "A file could not be read or held no key; the other files were still printed."),
            ],
            files: &[("~/.ssh/id_*.pub", "Read when no FILE is given.")],
            see_also: see(&["keywright-public(1)", "ssh-keygen(1)", "sshd(8) AUTHORIZED_KEYS FILE FORMAT"]),
        },
        "public" => Extra {
            exit_status: STANDARD_EXIT,
            files: &[],
            see_also: see(&["keywright-fingerprint(1)", "ssh-keygen(1)"]),
        },
        "passphrase" | "comment" => Extra {
            exit_status: STANDARD_EXIT,
            files: KEY_FILES,
            see_also: see(&["keywright-generate(1)", "ssh-keygen(1)"]),
        },
        "completions" => Extra {
            exit_status: &[("0", "The script was printed."), ("2", "A usage error.")],
            files: &[],
            see_also: see(&["keywright(1)"]),
        },
        _ => Extra {
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
                "keywright-completions(1)",
                "ssh-keygen(1)",
            ]),
        },
    }
}

/// Every page: (file name, contents).
pub fn pages() -> Vec<(String, Vec<u8>)> {
    let mut top = Cli::command();
    // Building propagates the version and global options into the subcommands.
    top.build();
    let mut pages = vec![("keywright.1".to_string(), page(top.clone(), "keywright"))];
    for name in COMMAND_NAMES {
        let sub = top.find_subcommand(name).cloned().unwrap_or_else(|| clap::Command::new(*name));
        let sub = sub.display_name(format!("keywright-{name}")).bin_name(format!("keywright {name}"));
        pages.push((format!("keywright-{name}.1"), page(sub, name)));
    }
    pages
}

fn page(command: clap::Command, name: &str) -> Vec<u8> {
    let examples = examples::all().into_iter().find(|(n, _)| *n == name).map(|(_, e)| e).unwrap_or(&[]);
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
    let extra = extra(name);
    let mut roff = Roff::default();
    render_examples(&mut roff, examples);
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
