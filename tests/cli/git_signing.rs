//! git's SSH signing with the front as `gpg.ssh.program`, judged by the same run with
//! OpenSSH's ssh-keygen: the cases of git's t/t7528-signed-commit-ssh.sh and
//! t/lib-gpg.sh (commits and tags signed with Ed25519, RSA and ECDSA keys and with a
//! literal key held by ssh-agent; `verify-commit`, `verify-tag`, `log --show-signature`
//! and the `%G?` formats, for good, unknown-signer, expired, not-yet-valid, timeboxed,
//! tampered and revoked signatures). Each run has its own home and git configuration
//! (`GIT_CONFIG_GLOBAL`, no system file), fixed dates (as git's `test_tick`) and UTC, so
//! the two transcripts must be equal once the home's path is masked (and, for keys whose
//! signatures differ each time, object ids and signature blocks).

use std::path::Path;
use std::process::Command;

use super::common::{Env, key_line};
use super::support::spawn;
use super::support::sshd::Agent;

/// The ssh-keygen git calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Program {
    OpenSsh,
    Front,
}

/// git's commands with their exit statuses, in a bash script run in a fresh home.
const PRELUDE: &str = r#"
set -u
r() { echo "\$ $*"; "$@"; echo "[exit $?]"; }
tick=1112911993
test_tick() { tick=$((tick + 60)); export GIT_COMMITTER_DATE="$tick -0700" GIT_AUTHOR_DATE="$tick -0700"; }
git init -q repo && cd repo
git config user.name "C O Mitter" && git config user.email committer@example.com
git config gpg.format ssh
git config gpg.ssh.allowedSignersFile "$HOME/allowed"
fmt='%G?|%GS|%GK|%GF|%GP|%GT'
commit() { test_tick; echo "$1" >"$1" && git add "$1" && git commit -q "${@:2}" -m "$1"; }
"#;

/// Runs `script` after [`PRELUDE`] in a home with the key fixtures and `allowed`.
fn transcript(program: Program, script: &str, agent: Option<&Agent>) -> String {
    let env = Env::new();
    for key in ["id_ed25519", "id_rsa_2048", "id_ecdsa_256", "id_ecdsa_384"] {
        env.fixture(key);
    }
    let line = |name: &str| key_line(name).split(' ').take(2).collect::<Vec<_>>().join(" ");
    let allowed = format!(
        "committer@example.com {}\nrsa@example.com {}\necdsa@example.com {}\n",
        line("id_ed25519"),
        line("id_rsa_2048"),
        line("id_ecdsa_256")
    );
    env.write("allowed", allowed);
    // Timeboxed signers (lib-gpg.sh): the commits are dated 2005-04-07.
    let ed = line("id_ed25519");
    env.write("expired", format!("committer@example.com valid-before=\"20050407000000\" {ed}\n"));
    env.write("future", format!("committer@example.com valid-after=\"20050408000000\" {ed}\n"));
    env.write(
        "timeboxed",
        format!(
            "committer@example.com valid-after=\"20050101000000\",valid-before=\"20050501000000\" {ed}\n"
        ),
    );
    env.write("revoked", format!("{ed}\n"));
    let keygen = match program {
        Program::OpenSsh => super::common::ssh_keygen_path().into(),
        Program::Front => {
            let link = env.path("bin/ssh-keygen");
            std::fs::create_dir_all(env.path("bin")).unwrap();
            std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_keywright"), &link).unwrap();
            link
        }
    };
    env.write("global.gitconfig", format!("[gpg \"ssh\"]\n\tprogram = {}\n", keygen.display()));
    let mut cmd = Command::new("bash");
    cmd.arg("-c").arg(format!("{PRELUDE}\n{script}")).current_dir(env.home());
    git_env(&mut cmd, &env.home().join("global.gitconfig"), env.home());
    match agent {
        Some(agent) => cmd.env("SSH_AUTH_SOCK", agent.sock()),
        None => cmd.env_remove("SSH_AUTH_SOCK"),
    };
    let run = spawn(cmd, Some(b"")).finish();
    let home = env.home().display().to_string();
    let text = format!("{}\n--- stderr ---\n{}", run.out(), run.stderr).replace(&home, "~");
    text.replace(&keygen.display().to_string().replace(&home, "~"), "<ssh-keygen>")
}

/// A private git environment: the test's global configuration only, no system file, no
/// terminal, UTC, the C locale.
fn git_env(cmd: &mut Command, global: &Path, home: &Path) {
    cmd.env("HOME", home)
        .env("GIT_CONFIG_GLOBAL", global)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("TZ", "UTC")
        .env("LC_ALL", "C")
        .env("GIT_PAGER", "cat")
        .env("PAGER", "cat")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env_remove("SSH_AGENT_PID")
        .env_remove("GNUPGHOME");
}

/// Runs `script` with both programs and asserts equal transcripts (after `mask`).
#[track_caller]
fn same(script: &str, mask: fn(&str) -> String, agent: Option<&Agent>) -> String {
    let oracle = mask(&transcript(Program::OpenSsh, script, agent));
    let front = mask(&transcript(Program::Front, script, agent));
    if front != oracle {
        let first = front.lines().zip(oracle.lines()).position(|(f, o)| f != o).unwrap_or(0);
        let around =
            |text: &str| text.lines().skip(first.saturating_sub(3)).take(8).collect::<Vec<_>>().join("\n");
        panic!(
            "git with the front differs from git with ssh-keygen 9.2 at line {}:\nfront:\n{}\nssh-keygen:\n{}",
            first + 1,
            around(&front),
            around(&oracle)
        );
    }
    oracle
}

fn as_is(text: &str) -> String {
    text.to_string()
}

/// Object ids and signature blocks as placeholders (RSA and ECDSA signatures differ
/// each time, and so do the ids of what they sign).
fn mask_signatures(text: &str) -> String {
    let mut out = Vec::new();
    let mut in_block = false;
    for line in text.lines() {
        if line.contains("-----BEGIN SSH SIGNATURE-----") {
            in_block = true;
            out.push("<signature>".to_string());
            continue;
        }
        if in_block {
            in_block = !line.contains("-----END SSH SIGNATURE-----");
            continue;
        }
        let words: Vec<String> = line
            .split(' ')
            .map(|w| match w.len() == 40 && w.bytes().all(|b| b.is_ascii_hexdigit()) {
                true => "<id>".to_string(),
                false => w.to_string(),
            })
            .collect();
        out.push(words.join(" "));
    }
    out.join("\n")
}

/// The verification commands of t7528, for the commits HEAD~N..HEAD.
const VERIFY: &str = r#"
for c in $(git rev-list HEAD); do
  r git verify-commit -v $c
  r git verify-commit --raw $c
  r git show -s --pretty="$fmt" $c
done
r git log --show-signature -1
r git log --pretty="$fmt %s"
"#;

#[test]
fn signed_commits_verify_as_with_ssh_keygen() {
    let script = format!(
        r#"
git config user.signingkey "$HOME/id_ed25519"
commit unsigned
commit signed -S
commit signed-by-config --gpg-sign
git config commit.gpgsign true
commit signed-by-default
commit explicitly-unsigned --no-gpg-sign
commit other-key -S"$HOME/id_ecdsa_384"
{VERIFY}
r git cat-file commit HEAD~1
"#
    );
    // The ECDSA signature (an unknown signer's) differs each time: ids are masked.
    let transcript = same(&script, mask_signatures, None);
    assert!(
        transcript.contains("Good \"git\" signature for committer@example.com with ED25519 key"),
        "{transcript}"
    );
}

#[test]
fn rsa_and_ecdsa_keys_sign() {
    let script = format!(
        r#"
commit rsa -S"$HOME/id_rsa_2048"
commit ecdsa -S"$HOME/id_ecdsa_256"
git config user.email rsa@example.com
commit rsa-as-rsa -S"$HOME/id_rsa_2048.pub"
{VERIFY}
"#
    );
    same(&script, mask_signatures, None);
}

/// lib-gpg.sh's timeboxed signers: the commit's date is the verify time.
#[test]
fn expired_not_yet_valid_and_timeboxed_signers() {
    let mut script = String::from("git config user.signingkey \"$HOME/id_ed25519\"\ncommit signed -S\n");
    for file in ["expired", "future", "timeboxed", "allowed"] {
        script.push_str(&format!("git config gpg.ssh.allowedSignersFile \"$HOME/{file}\"\n{VERIFY}\n"));
    }
    same(&script, as_is, None);
}

#[test]
fn tampered_and_revoked_signatures_fail() {
    let script = format!(
        r#"
git config user.signingkey "$HOME/id_ed25519"
commit signed -S
git cat-file commit HEAD | sed -e "s/signed/forged/" >forged
forged=$(git hash-object -w -t commit forged)
r git verify-commit $forged
r git show -s --pretty="$fmt" $forged
git config gpg.ssh.revocationFile "$HOME/revoked"
{VERIFY}
git config gpg.ssh.revocationFile "$HOME/nosuch"
{VERIFY}
"#
    );
    same(&script, as_is, None);
}

#[test]
fn signed_tags_verify_as_with_ssh_keygen() {
    let script = r#"
git config user.signingkey "$HOME/id_ed25519"
commit base
test_tick
git tag -s -m "signed tag" signed
git tag -s -u "$HOME/id_ecdsa_384" -m "other key" other
git tag -a -m "not signed" annotated
for t in signed other annotated; do
  r git verify-tag -v $t
  r git verify-tag --raw $t
  r git tag -v $t
  r git for-each-ref --format="%(refname) %(contents:subject)" refs/tags/$t
done
r git show signed
"#;
    same(script, mask_signatures, None);
}

/// A literal public key (`key::…`) whose private half ssh-agent holds: git writes it to
/// a temporary file and passes -U.
#[test]
fn literal_keys_sign_through_the_agent() {
    let agent = Agent::start();
    let keys = Env::new();
    agent.add(&keys.fixture("id_ed25519"));
    let script = format!(
        r#"
git config user.signingkey "key::{}"
commit literal -S
git config user.signingkey "{}"
commit bare-literal -S
{VERIFY}
"#,
        key_line("id_ed25519").trim_end(),
        key_line("id_ed25519").trim_end()
    );
    let transcript = same(&script, as_is, Some(&agent));
    assert!(transcript.contains("Good \"git\" signature for committer@example.com"), "{transcript}");
}
