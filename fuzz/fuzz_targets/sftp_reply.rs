//! SFTP replies as a server sends them (the packet after its length, which russh-sftp
//! bounds at 256 KiB): russh-sftp's decoder, then what keywright takes from each reply,
//! a file's kind and mode, listed names and status messages, as it would print them.
#![no_main]

use bytes::Bytes;
use keywright::remote::fs::{MAX_MESSAGE, server_path, stat_of};
use keywright::sanitize::server_line;
use libfuzzer_sys::fuzz_target;
use russh_sftp::protocol::Packet;

fuzz_target!(|data: &[u8]| {
    let mut bytes = Bytes::copy_from_slice(data);
    let Ok(packet) = Packet::try_from(&mut bytes) else { return };
    match packet {
        Packet::Attrs(attrs) => assert!(stat_of(&attrs.attrs).mode <= 0o7777),
        Packet::Name(name) => {
            for file in &name.files {
                assert!(stat_of(&file.attrs).mode <= 0o7777);
                assert_one_line(&server_path(&file.filename));
            }
        }
        Packet::Status(status) => {
            assert_one_line(&server_line(status.error_message.as_bytes(), MAX_MESSAGE));
        }
        _ => {}
    }
});

/// Server text on a result line can neither break it nor move the cursor.
fn assert_one_line(text: &str) {
    assert!(!text.contains(['\n', '\r', '\u{1b}']), "control character in {text:?}");
}
