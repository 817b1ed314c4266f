//! `keywright install-links DIR`: the links are made, answer as the tools they are named
//! after, are left alone when present, and never replace anything else without --force.

use std::os::unix::fs::symlink;

use super::super::common::{Env, ssh_keygen_path};
use super::super::json::assert_documented;

fn target() -> std::path::PathBuf {
    std::fs::canonicalize(env!("CARGO_BIN_EXE_keywright")).unwrap()
}

#[test]
fn links_are_made_and_answer_as_ssh_keygen() {
    let env = Env::new();
    env.fixture("id_ed25519");
    let run = env.kw(["install-links", "bin"]).success();
    let target = target();
    assert_eq!(
        run.out(),
        format!(
            "created bin\nlinked bin/ssh-keygen -> {0}\nlinked bin/ssh-copy-id -> {0}\n",
            target.display()
        )
    );
    for name in ["ssh-keygen", "ssh-copy-id"] {
        assert_eq!(std::fs::read_link(env.path(&format!("bin/{name}"))).unwrap(), target);
    }
    let ours = env.sh("bin/ssh-keygen -lvf id_ed25519").success().out();
    let theirs = env.ssh_keygen(["-lvf", "id_ed25519"]).success().out();
    assert_eq!(ours, theirs);
    // With the directory first on PATH, `ssh-keygen` is keywright.
    let which = env.sh_with(
        "command -v ssh-keygen",
        &[("PATH", &format!("{}:/usr/bin:/bin", env.path("bin").display()))],
    );
    assert_eq!(which.success().out().trim(), env.path("bin/ssh-keygen").display().to_string());
}

#[test]
fn a_second_run_changes_nothing() {
    let env = Env::new();
    env.kw(["install-links", "bin"]).success();
    let run = env.kw(["install-links", "bin"]).success();
    let target = target();
    assert_eq!(
        run.out(),
        format!(
            "already linked bin/ssh-keygen -> {0}\nalready linked bin/ssh-copy-id -> {0}\n",
            target.display()
        )
    );
    let json = env.kw(["install-links", "bin", "--format", "json"]).success().stdout;
    assert_documented("install-links", &json);
    let value: serde_json::Value = serde_json::from_slice(&json).unwrap();
    assert_eq!(value["links"][0]["outcome"], "present");
    assert_eq!(value["created_dir"], false);
}

#[test]
fn anything_else_is_replaced_only_with_force_and_never_half() {
    let env = Env::new();
    env.write("bin/ssh-copy-id", "#!/bin/sh\n");
    symlink(ssh_keygen_path(), env.path("bin/ssh-keygen")).unwrap();
    let run = env.kw(["install-links", "bin"]).code(2);
    assert!(run.stdout.is_empty());
    assert_eq!(
        run.stderr,
        format!(
            "keywright: error: bin/ssh-keygen: exists and is a link to {}, not a link to keywright\n\
             keywright: hint: use --force to replace it (and keep a copy first if it is a program you need)\n",
            ssh_keygen_path()
        )
    );
    // Nothing was written: the other name is untouched too.
    assert_eq!(env.read_string("bin/ssh-copy-id"), "#!/bin/sh\n");
    let json = env.kw(["install-links", "--force", "bin", "--format", "json"]).success().stdout;
    assert_documented("install-links", &json);
    let value: serde_json::Value = serde_json::from_slice(&json).unwrap();
    assert_eq!(value["links"][0]["outcome"], "replaced");
    assert_eq!(value["links"][1]["outcome"], "replaced");
    assert_eq!(std::fs::read_link(env.path("bin/ssh-copy-id")).unwrap(), target());
}

#[test]
fn a_directory_in_the_way_is_refused() {
    let env = Env::new();
    env.write("file", "x");
    let run = env.kw(["install-links", "file"]).code(2);
    assert_eq!(run.stderr, "keywright: error: file: not a directory\n");
    std::fs::create_dir_all(env.path("bin/ssh-keygen")).unwrap();
    let run = env.kw(["install-links", "--force", "bin"]).code(2);
    assert!(run.stderr.starts_with("keywright: error: bin/ssh-keygen: is a directory"), "{}", run.stderr);
    assert!(!env.path("bin/ssh-copy-id").exists());
}
