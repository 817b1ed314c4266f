//! The host key policy as a table, one row per cell: StrictHostKeyChecking × what
//! known_hosts says about the key the server offers. Every row runs OpenSSH's `ssh`
//! (BatchMode, `-F /dev/null`, a key the account accepts, `true`) and then `keywright
//! copy-id` (with the account's password) against the same sshd and the same known_hosts
//! file, and asserts that both made the row's decision: connected or not, learnt a key
//! or not (the same bytes), would type a password or not; that ssh's stderr is the row's
//! text; and that keywright printed exactly that text (before its own `keywright:` lines)
//! and the row's result line.
//!
//! One sshd per set of host keys, shared by its rows; the rows of one sshd run in order.
//!
//! Placeholders in the texts: `{host}` `[127.0.0.1]:PORT`, `{dest}` the copy-id target,
//! `{kh}` the known_hosts file, `{user}` the account, `{ed}` `{rsa}` `{ecdsa}` the SHA256
//! fingerprints of the server's host keys.

use std::path::PathBuf;

use super::common::*;
use super::support;
use super::support::sshd::{self, Sshd, TestUser};

/// What known_hosts holds before the row runs.
#[derive(Clone, Copy, Debug)]
enum Known {
    Nothing,
    /// The server's Ed25519 key.
    Ed25519,
    /// The server's RSA key (the "other type" rows' server offers only Ed25519).
    Rsa,
    /// Another Ed25519 key.
    Wrong,
    /// The server's Ed25519 key, `@revoked`, and also as a plain line.
    Revoked,
    /// `@cert-authority` for the host with the CA that signed the certificate.
    Ca,
    /// That, and the certified host key `@revoked`.
    CaRevoked,
}

const ADDED: &str = "{dest}: added 1 key(s)\n";
const LEARNT_ED: &str = "Warning: Permanently added '{host}' (ED25519) to the list of known hosts.\n";
const UNKNOWN_HINT: &str = "keywright: {dest}: hint: check the fingerprint out of band, then add the key with `keywright known-hosts add '{host}' KEY`, or pass -o StrictHostKeyChecking=accept-new\n";
const CHANGED_HINT: &str = "keywright: {dest}: hint: if the change is expected, check the new fingerprint out of band, then remove the old key with `keywright known-hosts remove -f {kh} '{host}'`\n";
const REVOKED_HINT: &str = "keywright: {dest}: hint: a revoked key is never trusted again: ask the host's administrator for its current key\n";
// StrictHostKeyChecking=no went on with a changed or revoked key and sent no password:
// the result said only "permission denied" and hinted to give a password, which had been
// given. It says why the password was not sent.
const CHANGED_WITHHELD: &str = "{dest}: failed: {user}@127.0.0.1: permission denied: the password was not sent because the host key changed ({kh}:1)\n";
const CHANGED_WITHHELD_HINT: &str = "keywright: {dest}: hint: with StrictHostKeyChecking=no, as with ssh, no password is sent to a host whose key changed or is revoked; if the change is expected, check the new fingerprint out of band, then remove the old key with `keywright known-hosts remove -f {kh} '{host}'`\n";
const REVOKED_WITHHELD: &str = "{dest}: failed: {user}@127.0.0.1: permission denied: the password was not sent because the host key is revoked ({kh}:{line})\n";
const REVOKED_WITHHELD_HINT: &str = "keywright: {dest}: hint: with StrictHostKeyChecking=no, as with ssh, no password is sent to a host whose key changed or is revoked; a revoked key is never trusted again: ask the host's administrator for its current key\n";

const CHANGED_HEAD: &str = "@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@
@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @
@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@
IT IS POSSIBLE THAT SOMEONE IS DOING SOMETHING NASTY!
Someone could be eavesdropping on you right now (man-in-the-middle attack)!
It is also possible that a host key has just been changed.
The fingerprint for the ED25519 key sent by the remote host is
{ed}.
Please contact your system administrator.
Add correct host key in {kh} to get rid of this message.
";
const REVOKED_HEAD: &str = "@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@
@       WARNING: REVOKED HOST KEY DETECTED!               @
@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@
The ED25519 host key for {host} is marked as revoked.
This could mean that a stolen key is being used to
impersonate this host.
";
const NO_PASSWORDS: &str = "Password authentication is disabled to avoid man-in-the-middle attacks.
Keyboard-interactive authentication is disabled to avoid man-in-the-middle attacks.
";

/// One cell of the policy: StrictHostKeyChecking × what known_hosts holds, ssh's
/// decision and the texts.
struct Cell {
    strict: &'static str,
    known: Known,
    /// HashKnownHosts for both clients.
    hash: bool,
    /// ssh's decision: it gets in (host key accepted; it then logs in with its key).
    connects: bool,
    /// ssh's decision: the file gains a line.
    learns: bool,
    /// ssh's decision: password authentication stays on (when it connects).
    passwords: bool,
    /// What ssh prints (stderr), and keywright before its own lines.
    warning: String,
    /// keywright's stdout.
    result: String,
    /// keywright's own stderr lines after the warning.
    notes: String,
}

/// A text made of pieces.
fn w(parts: &[&str]) -> String {
    parts.concat()
}

#[rustfmt::skip]
fn rows_plain() -> Vec<Cell> {
    let unknown_yes = w(&[
        "No ED25519 host key is known for {host} and you have requested strict checking.\n",
        "Host key verification failed.\n",
    ]);
    let unknown_failed =
        "{dest}: failed: host key verification failed: {host} is not a known host (ED25519 {ed})\n";
    let changed_failed = "{dest}: failed: host key verification failed: the host key changed ({kh}:1)\n";
    let revoked_failed = "{dest}: failed: host key verification failed: the host key is revoked ({kh}:1)\n";
    let offending_ed =
        "Offending ED25519 key in {kh}:1\n  remove with:\n  ssh-keygen -f \"{kh}\" -R \"{host}\"\n";
    let changed_strict = "Host key for {host} has changed and you have requested strict checking.\nHost key verification failed.\n";
    let revoked_strict = "ED25519 host key for {host} was revoked and you have requested strict checking.\nHost key verification failed.\n";
    // strict, known_hosts, hash, ssh connects, learns, passwords on; ssh's text; keywright's
    // result and its own lines.
    vec![
        // Host unknown.
        cell("yes", Known::Nothing, false, false, false, true, unknown_yes, w(&[unknown_failed]), w(&[UNKNOWN_HINT])),
        cell("ask", Known::Nothing, false, false, false, true, w(&["Host key verification failed.\n"]), w(&[unknown_failed]), w(&[UNKNOWN_HINT])),
        cell("accept-new", Known::Nothing, false, true, true, true, w(&[LEARNT_ED]), w(&[ADDED]), w(&[])),
        cell("no", Known::Nothing, false, true, true, true, w(&[LEARNT_ED]), w(&[ADDED]), w(&[])),
        cell("accept-new", Known::Nothing, true, true, true, true, w(&[LEARNT_ED]), w(&[ADDED]), w(&[])),
        // Key matches.
        cell("yes", Known::Ed25519, false, true, false, true, w(&[]), w(&[ADDED]), w(&[])),
        cell("ask", Known::Ed25519, false, true, false, true, w(&[]), w(&[ADDED]), w(&[])),
        cell("accept-new", Known::Ed25519, false, true, false, true, w(&[]), w(&[ADDED]), w(&[])),
        cell("no", Known::Ed25519, false, true, false, true, w(&[]), w(&[ADDED]), w(&[])),
        // Key changed (same type).
        cell("yes", Known::Wrong, false, false, false, true, w(&[CHANGED_HEAD, offending_ed, changed_strict]), w(&[changed_failed]), w(&[CHANGED_HINT])),
        cell("ask", Known::Wrong, false, false, false, true, w(&[CHANGED_HEAD, offending_ed, changed_strict]), w(&[changed_failed]), w(&[CHANGED_HINT])),
        cell("accept-new", Known::Wrong, false, false, false, true, w(&[CHANGED_HEAD, offending_ed, changed_strict]), w(&[changed_failed]), w(&[CHANGED_HINT])),
        cell("no", Known::Wrong, false, true, false, false, w(&[CHANGED_HEAD, offending_ed, NO_PASSWORDS]), w(&[CHANGED_WITHHELD]), w(&[CHANGED_WITHHELD_HINT])),
        // Key revoked.
        cell("yes", Known::Revoked, false, false, false, true, w(&[REVOKED_HEAD, revoked_strict]), w(&[revoked_failed]), w(&[REVOKED_HINT])),
        cell("ask", Known::Revoked, false, false, false, true, w(&[REVOKED_HEAD, revoked_strict]), w(&[revoked_failed]), w(&[REVOKED_HINT])),
        cell("accept-new", Known::Revoked, false, false, false, true, w(&[REVOKED_HEAD, revoked_strict]), w(&[revoked_failed]), w(&[REVOKED_HINT])),
        cell("no", Known::Revoked, false, true, false, false, w(&[REVOKED_HEAD, NO_PASSWORDS]), w(&[&REVOKED_WITHHELD.replace("{line}", "1")]), w(&[REVOKED_WITHHELD_HINT])),
    ]
}

/// The server offers only one type of key (`offered`: its Ed25519 key, or its RSA key);
/// known_hosts records only its key of the other type (`known`). ssh 9.2 calls that a
/// changed key (any plain line for the host that does not hold the key).
#[rustfmt::skip]
fn rows_other_type(offered: &str, known: Known, known_type: &str) -> Vec<Cell> {
    let head = CHANGED_HEAD.replace("ED25519 key sent", &format!("{offered} key sent"));
    let head = head.replace("{ed}", if offered == "RSA" { "{rsa}" } else { "{ed}" });
    let head = format!("{head}Offending {known_type} key in {{kh}}:1\n  remove with:\n  ssh-keygen -f \"{{kh}}\" -R \"{{host}}\"\n");
    let head = head.as_str();
    let strict = "Host key for {host} has changed and you have requested strict checking.\nHost key verification failed.\n";
    let failed = "{dest}: failed: host key verification failed: the host key changed ({kh}:1)\n";
    vec![
        cell("yes", known, false, false, false, true, w(&[head, strict]), w(&[failed]), w(&[CHANGED_HINT])),
        cell("ask", known, false, false, false, true, w(&[head, strict]), w(&[failed]), w(&[CHANGED_HINT])),
        cell("accept-new", known, false, false, false, true, w(&[head, strict]), w(&[failed]), w(&[CHANGED_HINT])),
        cell("no", known, false, true, false, false, w(&[head, NO_PASSWORDS]), w(&[CHANGED_WITHHELD]), w(&[CHANGED_WITHHELD_HINT])),
    ]
}

/// Rows for a server presenting a certificate whose problem ssh names with `why` (none:
/// a good one), with its CA recorded: a bad certificate counts as its plain ECDSA key.
#[rustfmt::skip]
fn rows_certificate(why: &str) -> Vec<Cell> {
    let revoked_cert_head = REVOKED_HEAD.replace("The ED25519 host key", "The ECDSA-CERT host key");
    let revoked_cert = format!("{revoked_cert_head}ECDSA-CERT host key for {{host}} was revoked and you have requested strict checking.\nHost key verification failed.\n");
    let revoked_failed = "{dest}: failed: host key verification failed: the host key is revoked ({kh}:2)\n";
    if why.is_empty() {
        return ["yes", "ask", "accept-new", "no"]
            .into_iter()
            .map(|strict| cell(strict, Known::Ca, false, true, false, true, w(&[]), w(&[ADDED]), w(&[])))
            .chain([
                cell("yes", Known::CaRevoked, false, false, false, true, w(&[&revoked_cert]), w(&[revoked_failed]), w(&[REVOKED_HINT])),
                cell("no", Known::CaRevoked, false, true, false, false, w(&[&revoked_cert_head, NO_PASSWORDS]), w(&[&REVOKED_WITHHELD.replace("{line}", "2")]), w(&[REVOKED_WITHHELD_HINT])),
            ])
            .collect();
    }
    let unknown_yes = format!(
        "{why}No ECDSA host key is known for {{host}} and you have requested strict checking.\nHost key verification failed.\n"
    );
    let learnt = format!("{why}Warning: Permanently added '{{host}}' (ECDSA) to the list of known hosts.\n");
    let failed = "{dest}: failed: host key verification failed: {host} is not a known host (ECDSA {ecdsa})\n";
    vec![
        cell("yes", Known::Ca, false, false, false, true, w(&[&unknown_yes]), w(&[failed]), w(&[UNKNOWN_HINT])),
        cell("ask", Known::Ca, false, false, false, true, w(&[why, "Host key verification failed.\n"]), w(&[failed]), w(&[UNKNOWN_HINT])),
        cell("accept-new", Known::Ca, false, true, true, true, w(&[&learnt]), w(&[ADDED]), w(&[])),
        cell("no", Known::Ca, false, true, true, true, w(&[&learnt]), w(&[ADDED]), w(&[])),
    ]
}

#[allow(clippy::too_many_arguments)]
fn cell(
    strict: &'static str,
    known: Known,
    hash: bool,
    connects: bool,
    learns: bool,
    passwords: bool,
    warning: String,
    result: String,
    notes: String,
) -> Cell {
    Cell { strict, known, hash, connects, learns, passwords, warning, result, notes }
}

/// One sshd, an account on it that accepts `id_ssh` and a password, and the values the
/// texts refer to.
struct Bench {
    env: Env,
    sshd: Sshd,
    user: TestUser,
    kh: PathBuf,
    /// The known_hosts line for each `Known`, before the row.
    ca_line: String,
    ecdsa_fingerprint: String,
    authorized: String,
}

impl Bench {
    fn start(env: Env, sshd: Sshd, ca_line: String, ecdsa_pub: Option<&str>) -> Bench {
        let user = sshd.user_with_password("policy-pw-1");
        env.ssh_keygen(["-q", "-t", "ed25519", "-N", "", "-C", "ssh-oracle", "-f", "id_ssh"]).success();
        let authorized = std::fs::read_to_string(env.path("id_ssh.pub")).unwrap();
        user.write_authorized_keys(&authorized);
        env.write("pw", format!("{}\n", user.password()));
        let ecdsa_fingerprint = ecdsa_pub.map(|p| fingerprint(&env, p)).unwrap_or_default();
        let kh = env.path("known_hosts");
        Bench { env, sshd, user, kh, ca_line, ecdsa_fingerprint, authorized }
    }

    fn host(&self) -> String {
        self.sshd.host_pattern()
    }

    fn dest(&self) -> String {
        format!("{}@127.0.0.1:{}", self.user.name(), self.sshd.port())
    }

    fn known(&self, known: Known) -> String {
        let host = self.host();
        match known {
            Known::Nothing => String::new(),
            Known::Ed25519 => format!("{}\n", self.sshd.host_key_line()),
            Known::Rsa => format!("{}\n", self.sshd.known_hosts_line_rsa()),
            Known::Wrong => format!("{host} {}\n", wrong_key()),
            Known::Revoked => format!("@revoked {0}\n{0}\n", self.sshd.host_key_line()),
            Known::Ca => self.ca_line.clone(),
            Known::CaRevoked => {
                let plain = std::fs::read_to_string(self.env.path("host_ecdsa.pub")).unwrap();
                format!("{}@revoked {host} {}\n", self.ca_line, plain.trim_end())
            }
        }
    }

    /// `template` with the placeholders filled in.
    fn fill(&self, template: &str) -> String {
        self.env.write("host_ed.pub", self.sshd.host_key("ed25519"));
        self.env.write("host_rsa.pub", self.sshd.host_key("rsa"));
        template
            .replace("{host}", &self.host())
            .replace("{dest}", &self.dest())
            .replace("{user}", self.user.name())
            .replace("{kh}", &self.kh.display().to_string())
            .replace("{ed}", &fingerprint(&self.env, "host_ed.pub"))
            .replace("{rsa}", &fingerprint(&self.env, "host_rsa.pub"))
            .replace("{ecdsa}", &self.ecdsa_fingerprint)
    }

    fn options(&self, row: &Cell) -> Vec<String> {
        [
            format!("UserKnownHostsFile={}", self.kh.display()),
            "GlobalKnownHostsFile=/dev/null".into(),
            format!("StrictHostKeyChecking={}", row.strict),
            format!("HashKnownHosts={}", if row.hash { "yes" } else { "no" }),
        ]
        .into_iter()
        .flat_map(|o| ["-o".to_string(), o])
        .collect()
    }

    fn ssh(&self, row: &Cell) -> Run {
        self.ssh_with(self.options(row))
    }

    /// ssh with `known_hosts` as its file and accept-new.
    fn ssh_with_known_hosts(&self, known_hosts: &std::path::Path) -> Run {
        let options = [
            format!("UserKnownHostsFile={}", known_hosts.display()),
            "GlobalKnownHostsFile=/dev/null".into(),
            "StrictHostKeyChecking=accept-new".into(),
        ];
        self.ssh_with(options.into_iter().flat_map(|o| ["-o".to_string(), o]).collect())
    }

    fn ssh_with(&self, options: Vec<String>) -> Run {
        let mut cmd = std::process::Command::new("ssh");
        cmd.args([
            "-F",
            "/dev/null",
            "-o",
            "BatchMode=yes",
            "-o",
            "IdentitiesOnly=yes",
            "-o",
            "UpdateHostKeys=no",
        ])
        .arg("-i")
        .arg(self.env.path("id_ssh"))
        .args(options)
        .args(["-o", "ConnectTimeout=20", "-p", &self.sshd.port().to_string()])
        .arg(format!("{}@127.0.0.1", self.user.name()))
        .arg("true")
        .env_remove("SSH_AUTH_SOCK");
        support::spawn(cmd, None).finish()
    }

    fn keywright(&self, row: &Cell) -> Run {
        let key = testdata("keys/id_ed25519.pub");
        let mut args: Vec<String> = vec![
            "copy-id".into(),
            "-q".into(),
            "-i".into(),
            key.display().to_string(),
            "--password-file".into(),
            "pw".into(),
        ];
        args.extend(self.options(row));
        args.push(self.dest());
        support::kw(&self.env, args, &[], None)
    }

    /// Whether sshd logged a password (or PAM keyboard-interactive) attempt for the user
    /// in `log`.
    fn password_sent(&self, log: &str) -> bool {
        let user = self.user.name();
        log.contains(&format!("password for {user} "))
            || log.contains(&format!("keyboard-interactive/pam for {user} "))
    }

    /// Runs `row` with ssh and with keywright, and checks both.
    fn check(&self, row: &Cell) {
        let what = format!("StrictHostKeyChecking={} known={:?} hash={}", row.strict, row.known, row.hash);
        let before = self.known(row.known);
        // ssh first.
        std::fs::write(&self.kh, &before).unwrap();
        let ssh = self.ssh(row);
        let ssh_after = std::fs::read_to_string(&self.kh).unwrap();
        assert_eq!(ssh.code == 0, row.connects, "{what}: ssh's decision\n{}", ssh.stderr);
        // ssh ends its messages with CR LF (log.c); the words are what must agree.
        assert_eq!(ssh.stderr.replace("\r\n", "\n"), self.fill(&row.warning), "{what}: ssh's text");
        assert_eq!(ssh_after != before, row.learns, "{what}: ssh learnt:\n{ssh_after}");
        // Then keywright, on the same file as it was.
        std::fs::write(&self.kh, &before).unwrap();
        let log_before = self.sshd.log_text().len();
        let kw = self.keywright(row);
        let kw_after = std::fs::read_to_string(&self.kh).unwrap();
        let log = self.sshd.log_text()[log_before..].to_string();
        self.user.write_authorized_keys(&self.authorized);
        assert_eq!(kw.out(), self.fill(&row.result), "{what}: keywright's result\nstderr:\n{}", kw.stderr);
        assert_eq!(
            kw.stderr,
            self.fill(&format!("{}{}", row.warning, row.notes)),
            "{what}: keywright's text"
        );
        assert_eq!(self.password_sent(&log), row.connects && row.passwords, "{what}: password sent?\n{log}");
        self.assert_same_file(&what, row, &ssh_after, &kw_after);
    }

    /// Both files hold the same lines; hashed names are compared by finding the host in
    /// them with ssh-keygen -F.
    fn assert_same_file(&self, what: &str, row: &Cell, ssh: &str, kw: &str) {
        if !row.hash {
            assert_eq!(kw, ssh, "{what}: known_hosts after keywright vs after ssh");
            return;
        }
        let found = |text: &str| {
            self.env.write("compare_kh", text);
            let run = self.env.ssh_keygen(["-F", &self.host(), "-f", "compare_kh"]);
            // `# Host … found: line N` and `|1|salt|hash TYPE KEY`: the salt differs.
            let lines: Vec<String> = run
                .out()
                .lines()
                .map(|l| {
                    l.split_once(' ')
                        .map_or(l, |(name, rest)| if name.starts_with("|1|") { rest } else { l })
                        .to_string()
                })
                .collect();
            (run.code, lines)
        };
        let kw_lines: Vec<&str> = kw.lines().collect();
        assert!(kw_lines.iter().all(|l| l.starts_with("|1|")), "{what}: hashed lines expected:\n{kw}");
        assert_eq!(found(kw), found(ssh), "{what}: ssh-keygen -F on keywright's file vs ssh's");
    }
}

/// The SHA256 fingerprint of a public key file in the home, by ssh-keygen.
fn fingerprint(env: &Env, file: &str) -> String {
    let out = env.ssh_keygen(["-l", "-f", file]).success().out();
    out.split_whitespace().nth(1).unwrap().to_string()
}

/// A key no server here has: `ssh-ed25519 AAAA…`.
fn wrong_key() -> String {
    let text = std::fs::read_to_string(testdata("keys/id_ed25519.pub")).unwrap();
    text.split_whitespace().take(2).collect::<Vec<_>>().join(" ")
}

fn run_rows(bench: &Bench, cells: Vec<Cell>) {
    for cell in cells {
        bench.check(&cell);
    }
}

#[test]
fn unknown_matching_changed_and_revoked_keys() {
    if !sshd::root_or_skip("unknown_matching_changed_and_revoked_keys") {
        return;
    }
    let bench = Bench::start(Env::new(), Sshd::start(), String::new(), None);
    run_rows(&bench, rows_plain());
}

#[test]
fn a_key_of_another_type_recorded_but_not_the_one_offered() {
    if !sshd::root_or_skip("a_key_of_another_type_recorded_but_not_the_one_offered") {
        return;
    }
    let sshd = Sshd::builder().config("HostKeyAlgorithms ssh-ed25519").start();
    let bench = Bench::start(Env::new(), sshd, String::new(), None);
    run_rows(&bench, rows_other_type("ED25519", Known::Rsa, "RSA"));
    let sshd = Sshd::builder().config("HostKeyAlgorithms rsa-sha2-512,rsa-sha2-256").start();
    let bench = Bench::start(Env::new(), sshd, String::new(), None);
    run_rows(&bench, rows_other_type("RSA", Known::Ed25519, "ED25519"));
}

/// Host certificates: the CA (Ed25519, or RSA signing with SHA-1 for the disallowed
/// algorithm) is `@cert-authority` for the host; `extra` are ssh-keygen -s options.
fn certificate_bench(ca_type: &str, extra: &[&str]) -> Bench {
    let env = Env::new();
    let mut ca = vec!["-q", "-t", ca_type, "-N", "", "-C", "", "-f", "ca"];
    if ca_type == "rsa" {
        ca.extend(["-b", "2048"]);
    }
    env.ssh_keygen(ca).success();
    env.ssh_keygen(["-q", "-t", "ecdsa", "-N", "", "-C", "", "-f", "host_ecdsa"]).success();
    let mut sign = vec!["-q", "-s", "ca", "-h", "-I", "policy-host"];
    sign.extend(extra);
    sign.push("host_ecdsa.pub");
    env.ssh_keygen(sign).success();
    let sshd = Sshd::builder()
        .config(&format!("HostKey {}", env.path("host_ecdsa").display()))
        .config(&format!("HostCertificate {}", env.path("host_ecdsa-cert.pub").display()))
        .start();
    let ca_public = std::fs::read_to_string(env.path("ca.pub")).unwrap();
    let ca_line = format!("@cert-authority {} {}", sshd.host_pattern(), ca_public.trim_end());
    Bench::start(env, sshd, format!("{ca_line}\n"), Some("host_ecdsa.pub"))
}

#[test]
fn host_certificates() {
    if !sshd::root_or_skip("host_certificates") {
        return;
    }
    let cases: [(&str, &[&str], &str); 5] = [
        ("ed25519", &["-n", "127.0.0.1"], ""),
        ("ed25519", &["-n", "127.0.0.1", "-V", "20200101:20200102"], "Certificate invalid: expired\n"),
        ("ed25519", &["-n", "other.example"], "Certificate invalid: name is not a listed principal\n"),
        (
            "ed25519",
            &["-n", "127.0.0.1", "-O", "critical:foo=bar"],
            "Certificate contains unsupported critical options\n",
        ),
        ("rsa", &["-n", "127.0.0.1", "-t", "ssh-rsa"], "Certificate signed with disallowed algorithm\n"),
    ];
    for (ca_type, extra, why) in cases {
        let bench = certificate_bench(ca_type, extra);
        run_rows(&bench, rows_certificate(why));
    }
}

// ---------------------------------------------------------------------------------------
// One name learnt twice in one run
// ---------------------------------------------------------------------------------------

/// Two targets naming the same `[127.0.0.1]:PORT`, a server that shows every connection a
/// new host key (a man in the middle of one of them), StrictHostKeyChecking=accept-new:
/// the first connection learns its key; the second, which offers another, is a changed
/// key and fails before authenticating, so its password is never sent. known_hosts
/// holds the one key learnt, and "Permanently added" is printed once.
///
/// Regression: with --jobs 2 both connections found the host unknown; the second one's
/// key could not be added (a conflict), yet it printed "Permanently added", went on and
/// sent the password to a server with an unrecorded key.
fn one_name_learnt_twice(jobs: &str) {
    use super::support::fake_server::{DEFAULT_PASSWORD, FakeServer};
    let server = FakeServer::builder().fresh_host_key_per_connection().also_user("second").start();
    let env = Env::new();
    let key = testdata("keys/id_ed25519.pub");
    env.write("pw", DEFAULT_PASSWORD);
    let kh = env.path("known_hosts");
    let targets =
        [format!("kwtest@127.0.0.1:{}", server.port()), format!("second@127.0.0.1:{}", server.port())];
    let args = [
        "copy-id",
        "-q",
        "--jobs",
        jobs,
        "-i",
        &key.display().to_string(),
        "--password-file",
        "pw",
        "-o",
        &format!("UserKnownHostsFile={}", kh.display()),
        "-o",
        "StrictHostKeyChecking=accept-new",
        "-o",
        "HashKnownHosts=no",
        &targets[0],
        &targets[1],
    ];
    let run = support::kw(&env, args, &[], None).code(1);
    let context = format!("stdout:\n{}\nstderr:\n{}\n{}", run.out(), run.stderr, server.log());
    let known = std::fs::read_to_string(&kh).unwrap();
    let events = server.events();
    // Which target won is up to the scheduler: the one whose password was accepted.
    let passwords: Vec<&String> = events.iter().filter(|e| e.starts_with("auth password")).collect();
    assert_eq!(passwords.len(), 1, "one password sent, to the first host only\n{context}");
    let (winner, loser) = match passwords[0].as_str() {
        "auth password user=kwtest: accepted" => (&targets[0], &targets[1]),
        "auth password user=second: accepted" => (&targets[1], &targets[0]),
        other => panic!("unexpected {other}\n{context}"),
    };
    let mut lines: Vec<String> = run.out().lines().map(str::to_string).collect();
    let summary = lines.pop();
    lines.sort();
    let mut expected = vec![
        format!("{winner}: added 1 key(s)"),
        format!("{loser}: failed: host key verification failed: the host key changed ({}:1)", kh.display()),
    ];
    expected.sort();
    assert_eq!(lines, expected, "{context}");
    assert_eq!(summary.as_deref(), Some("2 hosts: 1 added keys, 0 already had them, 1 failed"), "{context}");
    // The one line is the key of the connection that got in; the other connection's key
    // is the one the warning shows.
    assert_eq!(known.lines().count(), 1, "{context}\nknown_hosts:\n{known}");
    env.write("learnt.pub", known.split_once(' ').unwrap().1);
    let learnt = env.ssh_keygen(["-l", "-f", "learnt.pub"]).success().out();
    let learnt = learnt.split_whitespace().nth(1).unwrap().to_string();
    let shown: Vec<&str> =
        events.iter().filter_map(|e| e.split_once(": host key ").map(|(_, k)| k)).collect();
    assert_eq!(shown.len(), 2, "{context}");
    assert!(shown.contains(&learnt.as_str()), "learnt a key no connection showed\n{context}");
    let other = shown.iter().find(|k| **k != learnt).unwrap();
    let host = format!("[127.0.0.1]:{}", server.port());
    let kh = kh.display();
    let warning = format!(
        "@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@
@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @
@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@
IT IS POSSIBLE THAT SOMEONE IS DOING SOMETHING NASTY!
Someone could be eavesdropping on you right now (man-in-the-middle attack)!
It is also possible that a host key has just been changed.
The fingerprint for the ED25519 key sent by the remote host is
{other}.
Please contact your system administrator.
Add correct host key in {kh} to get rid of this message.
Offending ED25519 key in {kh}:1
  remove with:
  ssh-keygen -f \"{kh}\" -R \"{host}\"
Host key for {host} has changed and you have requested strict checking.
Host key verification failed.
"
    );
    // The two hosts print concurrently: the warning is one block, the rest is in order.
    assert_eq!(run.stderr.matches(&warning).count(), 1, "{context}");
    assert_eq!(
        run.stderr.replacen(&warning, "", 1),
        format!(
            "Warning: Permanently added '{host}' (ED25519) to the list of known hosts.\n\
             keywright: {loser}: hint: if the change is expected, check the new fingerprint out of band, then remove the old key with `keywright known-hosts remove -f {kh} '{host}'`\n"
        ),
        "{context}"
    );
}

#[test]
fn one_name_learnt_twice_in_one_run_two_jobs() {
    one_name_learnt_twice("2");
}

#[test]
fn one_name_learnt_twice_in_one_run_one_job() {
    one_name_learnt_twice("1");
}

// ---------------------------------------------------------------------------------------
// A character device as known_hosts
// ---------------------------------------------------------------------------------------

/// copy-id with `UserKnownHostsFile=DEVICE` and accept-new, as ssh: reading it gives
/// nothing, the key is learnt by appending its line to the device (ssh prints the same
/// words), the run goes on, and the device is still that device afterwards.
fn learn_into_device(test: &str, device: impl Fn(&Env) -> PathBuf) {
    use std::os::unix::fs::{FileTypeExt, MetadataExt};
    if !sshd::root_or_skip(test) {
        return;
    }
    let bench = Bench::start(Env::new(), Sshd::start(), String::new(), None);
    let device = device(&bench.env);
    let before = std::fs::metadata(&device).unwrap();
    assert!(before.file_type().is_char_device());
    let dir_before: Vec<_> =
        std::fs::read_dir(device.parent().unwrap()).unwrap().map(|e| e.unwrap().file_name()).collect();
    let key = testdata("keys/id_ed25519.pub");
    let args = [
        "copy-id",
        "-q",
        "-i",
        &key.display().to_string(),
        "--password-file",
        "pw",
        "-o",
        &format!("UserKnownHostsFile={}", device.display()),
        "-o",
        "GlobalKnownHostsFile=/dev/null",
        "-o",
        "StrictHostKeyChecking=accept-new",
        &bench.dest(),
    ];
    let run = support::kw(&bench.env, args, &[], None);
    let after = std::fs::metadata(&device).unwrap();
    assert!(after.file_type().is_char_device(), "{} was replaced", device.display());
    assert_eq!(
        (after.ino(), after.rdev()),
        (before.ino(), before.rdev()),
        "{} was replaced",
        device.display()
    );
    let dir_after: Vec<_> =
        std::fs::read_dir(device.parent().unwrap()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(dir_after.len(), dir_before.len(), "no lock or temporary file beside the device");
    let run = run.success();
    assert_eq!(run.out(), bench.fill(ADDED));
    assert_eq!(run.stderr, bench.fill(LEARNT_ED));
    let installed = std::fs::read_to_string(&key).unwrap();
    assert_eq!(bench.user.read_authorized_keys().unwrap(), format!("{}{installed}", bench.authorized));
    // ssh says the same.
    let ssh = bench.ssh_with_known_hosts(&device);
    assert_eq!((ssh.code, ssh.stderr.replace("\r\n", "\n")), (0, bench.fill(LEARNT_ED)));
}

/// The `-o UserKnownHostsFile=/dev/null` idiom.
#[test]
fn dev_null_as_known_hosts_is_used_as_ssh_uses_it() {
    learn_into_device("dev_null_as_known_hosts_is_used_as_ssh_uses_it", |_| PathBuf::from("/dev/null"));
}

/// The same with a null device of the test's own (mknod), which a broken copy-id may
/// replace without harm to the machine.
///
/// Regression: learning a key replaced the known_hosts "file" with a regular file (temp
/// file and rename), so `/dev/null` became a regular file holding the host's key.
#[test]
fn a_character_device_as_known_hosts_is_appended_to_never_replaced() {
    learn_into_device("a_character_device_as_known_hosts_is_appended_to_never_replaced", |env| {
        std::fs::create_dir(env.path("dev")).unwrap();
        let node = env.path("dev/null");
        let made = std::process::Command::new("mknod")
            .arg("-m")
            .arg("666")
            .arg(&node)
            .args(["c", "1", "3"])
            .status()
            .unwrap();
        assert!(made.success(), "mknod");
        node
    });
}

// ---------------------------------------------------------------------------------------
// StrictHostKeyChecking=ask on a terminal
// ---------------------------------------------------------------------------------------

/// On a terminal, ask puts ssh's question (the name, the address connected to, the
/// fingerprint); "no" refuses with ssh's line, "yes" learns the key as accept-new does.
#[test]
fn ask_puts_the_question_as_ssh_does() {
    use super::support::fake_server::{DEFAULT_PASSWORD, FakeServer};
    let server = FakeServer::start();
    let env = Env::new();
    env.write("pw", DEFAULT_PASSWORD);
    env.write("server.pub", server.known_hosts_line().split_once(' ').unwrap().1);
    let fingerprint = fingerprint(&env, "server.pub");
    let key = testdata("keys/id_ed25519.pub");
    let key = key.display().to_string();
    let target = server.target();
    let args = [
        "copy-id",
        "-q",
        "-i",
        &key,
        "--password-file",
        "pw",
        "-o",
        "UserKnownHostsFile=kh",
        "-o",
        "GlobalKnownHostsFile=/dev/null",
        "-o",
        "HashKnownHosts=no",
        &target,
    ];
    let host = format!("[127.0.0.1]:{}", server.port());
    let question = format!(
        "The authenticity of host '{host} ({host})' can't be established.\r\n\
         ED25519 key fingerprint is {fingerprint}.\r\n\
         This key is not known by any other names.\r\n\
         Are you sure you want to continue connecting (yes/no/[fingerprint])? "
    );
    let run = env.kw_tty(&[("[fingerprint])? ", "no")], &args).code(1);
    assert_eq!(
        run.out(),
        format!(
            "{question}no\r\nHost key verification failed.\r\n{target}: failed: host key verification failed: {host} is not a known host (ED25519 {fingerprint})\r\n"
        )
    );
    assert!(!env.path("kh").exists());
    let run = env.kw_tty(&[("[fingerprint])? ", "yes")], &args).success();
    assert_eq!(
        run.out(),
        format!(
            "{question}yes\r\nWarning: Permanently added '{host}' (ED25519) to the list of known hosts.\r\n{target}: added 1 key(s)\r\n"
        )
    );
    assert_eq!(env.read_string("kh"), format!("{}\n", server.known_hosts_line()));
}
