//! ssh_config handling: our Include inlining and Match neutralising, ssh2-config's
//! parser, and resolving a host's options from the result.
//!
//! Input: the first line is the target (`user@host:port`); the rest is the config.
#![no_main]

use std::path::Path;

use keywright::remote::config::{Config, Overrides};
use keywright::remote::target::Target;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (target, config) = text.split_once('\n').unwrap_or((text, ""));
    // Include paths resolve against directories that do not exist, so only absolute
    // patterns reach the file system (and files are read with a size cap).
    let (ssh_dir, home) = (Path::new("/nonexistent-fuzz/.ssh"), Path::new("/nonexistent-fuzz"));
    let Ok(config) = Config::from_text(Path::new("fuzz_config"), config, ssh_dir, home) else { return };
    let Ok(target) = Target::parse(target) else { return };
    let _ = config.resolve(&target, &Overrides::default(), "fuzzer");
});
