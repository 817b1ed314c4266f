//! `copy-id --hosts-file`: one target a line, as an inventory (or a hostile file) lists
//! them.
#![no_main]

use keywright::remote::target::{Target, parse_list};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(targets) = parse_list("fuzz-hosts", text) else { return };
    assert!(targets.len() <= text.lines().count(), "more targets than lines");
    for target in targets {
        assert!(!target.host.is_empty(), "empty host from {:?}", target.text);
        assert!(!target.host.contains(char::is_whitespace), "blank in host {:?}", target.host);
        assert!(!target.text.contains('#'), "comment kept in {:?}", target.text);
        assert_ne!(target.port, Some(0));
        // A listed target means what it means on the command line.
        assert_eq!(Target::parse(&target.text).ok().as_ref(), Some(&target));
    }
});
