//! The committed man pages and completions are what the CLI generates now.

use std::path::Path;

/// Fails when `man/` is stale; `KEYWRIGHT_UPDATE_MAN=1` rewrites it instead.
#[test]
fn man_pages_are_current() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("man");
    let update = std::env::var_os("KEYWRIGHT_UPDATE_MAN").is_some();
    let mut stale = Vec::new();
    for (name, contents) in keywright::manpage::pages() {
        let path = dir.join(&name);
        if update {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, &contents).unwrap();
        } else if std::fs::read(&path).ok().as_deref() != Some(contents.as_slice()) {
            stale.push(name);
        }
    }
    assert!(stale.is_empty(), "stale man pages {stale:?}: run KEYWRIGHT_UPDATE_MAN=1 cargo test man_pages");
}

/// Every page has the sections users look for.
#[test]
fn man_pages_have_the_standard_sections() {
    for (name, contents) in keywright::manpage::pages() {
        let text = String::from_utf8(contents).unwrap();
        for section in ["NAME", "SYNOPSIS", "EXIT STATUS", "SEE ALSO"] {
            assert!(
                text.contains(&format!(".SH \"{section}\"")) || text.contains(&format!(".SH {section}")),
                "{name} lacks {section}"
            );
        }
        if name != "keywright-completions.1" && name != "keywright-public.1" {
            assert!(text.contains("FILES"), "{name} lacks FILES");
        }
        assert!(text.contains("EXAMPLES"), "{name} lacks EXAMPLES");
    }
}

/// The README shows the same CI recipe as the audit's man page.
#[test]
fn readme_ci_example_is_the_man_pages() {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let block = format!("```yaml\n{}```", keywright::manpage::AUDIT_CI_EXAMPLE);
    assert!(readme.contains(&block), "README.md's CI example differs from manpage::AUDIT_CI_EXAMPLE");
}

/// `cargo install` installs no man page, so `man keywright` found nothing: `keywright man
/// --install` puts every page where man looks for a user whose PATH has ~/.local/bin.
#[test]
fn man_install_puts_every_page_where_man_finds_it() {
    let env = super::common::Env::new();
    let run = env.kw(["man", "--install"]).success();
    let section = env.path(".local/share/man/man1");
    let pages = keywright::manpage::pages();
    assert_eq!(
        run.stderr,
        format!("keywright: installed {} man pages in {}\n", pages.len(), section.display())
    );
    for (name, contents) in &pages {
        assert_eq!(std::fs::read(section.join(name)).unwrap(), *contents, "{name}");
    }
    let found = env.sh("PATH=$HOME/.local/bin:$PATH MANPATH= man -w keywright-copy-id").success().out();
    assert_eq!(found, format!("{}\n", section.join("keywright-copy-id.1").display()));
    let page = env.kw(["man", "known-hosts", "audit"]).success();
    assert_eq!(page.stdout, std::fs::read(section.join("keywright-known-hosts-audit.1")).unwrap());
    let missing = env.kw(["man", "frobnicate"]).code(2);
    assert_eq!(
        missing.stderr,
        "keywright: error: no man page for `frobnicate`\nkeywright: hint: name a command as `keywright --help` lists it, such as `copy-id` or `known-hosts audit`\n"
    );
}
