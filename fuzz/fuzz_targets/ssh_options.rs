//! `copy-id -o KEY=VALUE`: the values a command line (or a script fed from elsewhere)
//! gives, parsed and applied to a target the way a connection would use them.
//!
//! Input: the first line is the target; every other line is one `-o` argument.
#![no_main]

use std::path::Path;

use keywright::remote::config::{Config, Overrides};
use keywright::remote::target::Target;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let mut lines = text.split('\n');
    let Ok(target) = Target::parse(lines.next().unwrap_or_default()) else { return };
    let options: Vec<String> = lines.map(str::to_string).collect();
    let Ok(overrides) = Overrides::parse(&options, None, None) else { return };
    // No config file: the options alone decide, and relative paths resolve against a
    // directory that does not exist.
    let (ssh_dir, home) = (Path::new("/nonexistent-fuzz/.ssh"), Path::new("/nonexistent-fuzz"));
    let Ok(config) = Config::from_text(Path::new("fuzz-empty-config"), "", ssh_dir, home) else { return };
    let Ok(resolved) = config.resolve(&target, &overrides, "fuzzer") else { return };
    assert_ne!(resolved.port, 0);
    assert!(!resolved.host_name.is_empty());
});
