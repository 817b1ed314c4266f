//! allowed_signers files as verify, find-principals and match-principals read them:
//! nothing panics, a line's options written back read as the same options, and a line
//! match-principals returns is one whose principals field matches.
#![no_main]

use std::path::Path;

use keywright::known_hosts::pattern::{ListMatch, match_list_exact};
use keywright::sig::SignersFile;
use keywright::sig::allowed::{Parsed, parse_line};
use keywright::sig::lookup::{check_allowed, find_principals, match_principals};
use keywright::sig::options::{Options, format};
use libfuzzer_sys::fuzz_target;

const KEY: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGIrVZlC1iPIHCa8aMN6tFuV5UtyIYE6mjoM3htErex4";

fuzz_target!(|data: &[u8]| {
    let file = SignersFile::from_bytes(Path::new("allowed"), data.to_vec());
    let key = keywright::key::text::read_key(KEY.as_bytes()).expect("the key parses").0;
    let time = 1_800_000_000;
    let _ = check_allowed(&file, &key, b"alice", b"git", time);
    let _ = find_principals(&file, &key, time);
    if let Ok(matched) = match_principals(&file, b"alice") {
        for m in matched {
            assert_eq!(match_list_exact(b"alice", &m.principals), ListMatch::Positive);
        }
    }
    for (number, line) in file.lines() {
        if let Parsed::Entry(entry) = parse_line(number, line) {
            let utf8 = entry.options.namespaces.as_deref().is_none_or(|n| std::str::from_utf8(n).is_ok());
            if let (Some(text), true) = (format(&entry.options), utf8) {
                assert_eq!(Options::parse(text.as_bytes()).as_ref(), Ok(&entry.options), "{text}");
            }
        }
    }
});
