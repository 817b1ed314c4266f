//! `-N` and `-P` on the front's command line are hidden from `ps` as the native options
//! are (ssh-keygen leaves them readable in /proc/PID/cmdline for the whole run).

use std::process::Stdio;
use std::time::Duration;

use super::super::common::{Env, FIXTURE_PASSPHRASE};
use super::{Via, command};

const SECRET: &str = "hunter2-front-secret";

#[test]
fn passphrases_given_as_arguments_are_hidden_from_ps() {
    for via in [Via::Link, Via::Subcommand] {
        let env = Env::new();
        env.fixture("id_ed25519_enc");
        let args = ["-p", "-f", "id_ed25519_enc", "-P", FIXTURE_PASSPHRASE, "-a", "100", "-qN", SECRET];
        let mut child = command(&env, Some(via), &args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let cmdline_path = format!("/proc/{}/cmdline", child.id());
        let mut seen = Vec::new();
        while child.try_wait().unwrap().is_none() {
            if let Ok(bytes) = std::fs::read(&cmdline_path)
                && !bytes.is_empty()
            {
                seen.push(String::from_utf8_lossy(&bytes).replace('\0', " "));
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        let output = child.wait_with_output().unwrap();
        assert!(output.status.success(), "{via:?}: {}", String::from_utf8_lossy(&output.stderr));
        env.oracle_public("id_ed25519_enc", SECRET).success();
        let hidden = format!(
            "-p -f id_ed25519_enc -P {} -a 100 -qN {} ",
            "*".repeat(FIXTURE_PASSPHRASE.len()),
            "*".repeat(SECRET.len())
        );
        let first = seen.iter().position(|line| line.ends_with(&hidden));
        let Some(first) = first else {
            panic!("{via:?}: never hidden ({} reads): {:?}", seen.len(), seen.last())
        };
        assert!(seen[first..].iter().all(|line| line.ends_with(&hidden)), "{via:?}: shown again: {seen:?}");
        assert!(seen.iter().skip(first).all(|line| !line.contains(SECRET)));
    }
}
