//! `docs/json.md` is the contract for every command's JSON: its schema is checked here
//! against the real output of each command (copy-id's in `copy_id_faults.rs`, against the
//! fake server), and it is strict (every field listed, no other field allowed), so a field
//! added, renamed or dropped without the page fails.

use serde_json::Value;

use super::common::*;

/// The documents the page defines, each checked by a test in this suite.
const DOCUMENTED: &[&str] = &[
    "fingerprint",
    "known-hosts find",
    "known-hosts list",
    "known-hosts audit",
    // Checked in reach.rs.
    "known-hosts scan",
    "known-hosts verify",
    "copy-id",
    "install-links",
    // Checked in signers.rs.
    "verify",
    "signers find",
    "signers match",
    "signers list",
    "signers audit",
    // Checked in host_keys.rs.
    "host-keys",
    "host-keys check",
    "sshfp",
    // Checked in authorized_keys.rs.
    "authorized-keys list",
    "authorized-keys add",
    "authorized-keys remove",
    "authorized-keys set",
    "authorized-keys rotate",
    // Checked in krl.rs.
    "krl show",
    "krl query",
    // Checked in cert.rs.
    "cert sign",
    "cert show",
];

/// Definitions the documents share, not documents themselves.
const SHARED: &[&str] = &[
    "key",
    "known_hosts_entry",
    "copy_id_key",
    "sig_notes",
    "authorized_keys",
    "authorized_key",
    "krl_key",
    "cert_validity",
    "cert_option",
];

/// The schema block of docs/json.md (the one after `<!-- schema -->`).
fn schema() -> Value {
    let page = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/json.md")).unwrap();
    let (_, after) = page.split_once("<!-- schema -->\n```json\n").expect("docs/json.md has no schema block");
    let (block, _) = after.split_once("\n```").expect("the schema block is not closed");
    serde_json::from_str(block).unwrap_or_else(|e| panic!("docs/json.md's schema is not JSON: {e}"))
}

/// The violations of `output` against the page's schema for `command` (empty when it
/// conforms), or why `output` is not JSON at all.
fn violations(command: &str, output: &[u8]) -> Vec<String> {
    let mut document = schema();
    let name = definition(command);
    assert!(document["$defs"].get(&name).is_some(), "docs/json.md defines no {name:?}");
    document["$ref"] = Value::String(format!("#/$defs/{name}"));
    let validator = jsonschema::validator_for(&document).expect("docs/json.md's schema does not compile");
    let value: Value = match serde_json::from_slice(output) {
        Ok(value) => value,
        Err(e) => return vec![format!("not JSON ({e}): {}", String::from_utf8_lossy(output))],
    };
    validator.iter_errors(&value).map(|e| format!("{e} at {}", e.instance_path())).collect()
}

/// The schema's name for a command's document: its words joined by `_`.
fn definition(command: &str) -> String {
    command.replace([' ', '-'], "_")
}

/// Asserts that `output` is `command`'s JSON as docs/json.md documents it.
#[track_caller]
pub fn assert_documented(command: &str, output: &[u8]) {
    let errors = violations(command, output);
    assert!(
        errors.is_empty(),
        "{command}'s JSON differs from docs/json.md: {errors:#?}\n{}",
        String::from_utf8_lossy(output)
    );
}

#[test]
fn the_page_documents_exactly_the_commands_checked() {
    let schema = schema();
    let defined: Vec<&str> = schema["$defs"].as_object().unwrap().keys().map(String::as_str).collect();
    let mut expected: Vec<String> = DOCUMENTED
        .iter()
        .map(|command| definition(command))
        .chain(SHARED.iter().map(|s| s.to_string()))
        .collect();
    let mut defined_sorted = defined.clone();
    defined_sorted.sort_unstable();
    expected.sort_unstable();
    assert_eq!(defined_sorted, expected, "docs/json.md's $defs and this test's list differ");
    // Every command whose options offer `--format json` is documented, and only those.
    let env = Env::new();
    for page in keywright::cli::Page::ALL {
        let path: Vec<&str> = page.path().split(' ').filter(|w| *w != "keywright").collect();
        let help = env.kw(path.iter().chain(&["--help"])).success().out();
        let offers_json = help.contains("--format <FORMAT>") && help.contains("json");
        assert_eq!(
            offers_json,
            DOCUMENTED.contains(&page.path()),
            "{}: --format json and docs/json.md",
            page.path()
        );
    }
}

/// The schema is strict: the real output with one field more, or one field less, fails.
#[test]
fn the_schema_rejects_an_undocumented_or_missing_field() {
    let env = Env::new();
    env.fixture("id_ed25519");
    let out = env.kw(["fingerprint", "--format", "json", "id_ed25519.pub"]).success().stdout;
    assert_documented("fingerprint", &out);
    let mut value: Value = serde_json::from_slice(&out).unwrap();
    value[0]["key_type"] = Value::String("ssh-ed25519".into());
    assert!(!violations("fingerprint", value.to_string().as_bytes()).is_empty(), "an extra field passed");
    let mut value: Value = serde_json::from_slice(&out).unwrap();
    value[0].as_object_mut().unwrap().remove("bits");
    assert!(!violations("fingerprint", value.to_string().as_bytes()).is_empty(), "a missing field passed");
}

#[test]
fn fingerprint_json_is_as_documented() {
    let env = Env::new();
    for name in KEY_FIXTURES {
        env.fixture(name);
    }
    let publics: Vec<String> = KEY_FIXTURES.iter().map(|name| format!("{name}.pub")).collect();
    let out = env
        .kw(["fingerprint", "--format", "json"].iter().copied().chain(publics.iter().map(String::as_str)))
        .success()
        .stdout;
    assert_documented("fingerprint", &out);
    let randomart =
        env.kw(["fingerprint", "--format", "json", "-v", "-E", "md5", "id_ed25519.pub"]).success().stdout;
    assert_documented("fingerprint", &randomart);
    let private = env.kw(["fingerprint", "--format", "json", "id_ed25519"]).success().stdout;
    assert_documented("fingerprint", &private);
    let line = std::fs::read(env.path("id_ed25519.pub")).unwrap();
    let stdin = env.kw_stdin(["fingerprint", "--format", "json", "-"], &line).success().stdout;
    assert_documented("fingerprint", &stdin);
    let none = env.kw(["fingerprint", "--format", "json", "id_ed25519.pub", "missing.pub"]).code(2).stdout;
    assert_documented("fingerprint", &none);
}

/// A file with every kind of line find and list describe: plain, hashed, markers, a
/// comment, and (for find) a key that does not decode.
fn known_hosts(env: &Env) -> std::path::PathBuf {
    let key = |name: &str| {
        let line = std::fs::read_to_string(testdata(&format!("keys/{name}.pub"))).unwrap();
        line.split_whitespace().take(2).collect::<Vec<_>>().join(" ")
    };
    let text = format!(
        "host1.example.com {ed} a comment\n\
         |1|F1E1KeoE/eEWhi10WpGv4OdiO6Y=|3988QV0VE8wmZL7suNrYQLITLCg= {rsa}\n\
         @cert-authority *.example.com {ecdsa}\n\
         @revoked host1.example.com {rsa}\n\
         host1.example.com ssh-ed25519 AAAAnotakey\n",
        ed = key("id_ed25519"),
        rsa = key("id_rsa_2048"),
        ecdsa = key("id_ecdsa_256"),
    );
    env.write("known_hosts_json", text)
}

#[test]
fn known_hosts_json_is_as_documented() {
    let env = Env::new();
    let file = known_hosts(&env);
    let file = file.to_str().unwrap();
    let found =
        env.kw(["known-hosts", "find", "-f", file, "--format", "json", "host1.example.com"]).success();
    assert_documented("known-hosts find", &found.stdout);
    let found: Value = serde_json::from_slice(&found.stdout).unwrap();
    assert!(found.as_array().unwrap().len() >= 3, "{found:#}");
    let none = env.kw(["known-hosts", "find", "-f", file, "--format", "json", "nowhere.example.org"]).code(1);
    assert_documented("known-hosts find", &none.stdout);
    let listed = env.kw(["known-hosts", "list", "-f", file, "--format", "json"]).success();
    assert_documented("known-hosts list", &listed.stdout);
    let audited = env.kw(["known-hosts", "audit", "--format", "json", file]).code(1);
    assert_documented("known-hosts audit", &audited.stdout);
    let clean = env.write("clean", "");
    let clean = env.kw(["known-hosts", "audit", "--format", "json", clean.to_str().unwrap()]).success();
    assert_documented("known-hosts audit", &clean.stdout);
}
