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
