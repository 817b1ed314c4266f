//! `authorized-keys` edits on any file: reading and writing back changes nothing, and an
//! edit keeps every line that holds no key, byte for byte and in order.
#![no_main]

use keywright::authorized_keys::{AuthorizedKeys, Edit, Line, Matcher, Wanted, edit};
use libfuzzer_sys::fuzz_target;

const NEW_KEY: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGIrVZlC1iPIHCa8aMN6tFuV5UtyIYE6mjoM3htErex4 new";

fn other_lines(file: &AuthorizedKeys) -> Vec<Vec<u8>> {
    file.lines
        .iter()
        .filter_map(|line| match line {
            Line::Other(text) => Some(text.clone()),
            Line::Key(_) => None,
        })
        .collect()
}

fuzz_target!(|data: &[u8]| {
    let parsed = AuthorizedKeys::parse(data);
    assert_eq!(parsed.to_bytes(), data, "reading and writing back changed the file");
    let key = ssh_key::PublicKey::from_openssh(NEW_KEY).expect("the new key parses").key_data().clone();
    let wanted = Wanted { key: key.clone(), options: Some(b"no-pty".to_vec()), comment: b"new".to_vec() };
    for edits in [
        vec![Edit::Add(vec![wanted.clone()])],
        vec![Edit::Set(vec![wanted.clone()])],
        vec![Edit::Remove(vec![Matcher::Key(key.clone()), Matcher::Comment(b"x".to_vec())])],
    ] {
        let edited = edit::apply(data, &edits);
        let after = AuthorizedKeys::parse(edited.after.as_deref().unwrap_or(data));
        assert_eq!(other_lines(&after), other_lines(&parsed), "an edit lost or changed a line without a key");
    }
});
