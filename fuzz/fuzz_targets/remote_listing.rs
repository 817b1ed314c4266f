//! `ls -ld` lines as the server prints them for the shell transport's `lstat`: the mode
//! field decides what keywright will write over or chmod.
#![no_main]

use keywright::remote::fs::{Kind, parse_ls};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let line = String::from_utf8_lossy(data);
    let Ok(stat) = parse_ls(&line) else { return };
    assert!(stat.mode <= 0o7777, "mode {:o} from {line:?}", stat.mode);
    let first = line.split_whitespace().next().unwrap_or_default();
    // Only the field's first letter says what the file is.
    let kind = match first.chars().next() {
        Some('-') => Kind::File,
        Some('d') => Kind::Dir,
        Some('l') => Kind::Symlink,
        _ => Kind::Other,
    };
    assert_eq!(stat.kind, kind, "{line:?}");
});
