//! `--inventory`: Ansible INI and YAML inventories, as a fleet (or a hostile file) has
//! them. No panic, ranges stay bounded, and every target is one a connection can use.
#![no_main]

use std::path::Path;

use keywright::remote::inventory::Inventory;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    for name in ["inventory", "inventory.yml"] {
        let Ok(inventory) = Inventory::parse(Path::new(name), text) else { continue };
        let Ok(targets) = inventory.targets(None) else { continue };
        assert!(targets.len() <= 100_000 * (text.lines().count() + 1), "ranges unbounded");
        for target in targets {
            assert!(!target.host.is_empty(), "empty host from {:?}", target.text);
            assert!(!target.host.contains(char::is_whitespace), "blank in host {:?}", target.host);
            assert_ne!(target.port, Some(0));
        }
    }
});
