//! Local paths that are not what they seem ("Trust nothing from outside", local paths):
//! FIFOs and devices where a file is read or rewritten, symlinks in sticky world-writable
//! directories, and dangling links where a key file is created. Every run here has a
//! deadline, so a regression to a blocking open or an endless read fails as a HANG.
//! Tests that need `mknod` or `chown` run only as root (as the test suite does) and say
//! so when skipped.

use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::path::Path;
use std::time::Duration;

use super::common::*;
use super::support;

/// Far more than any of these runs needs; a run still going then is waiting on a FIFO
/// or reading a device that never ends.
const LIMIT: Duration = Duration::from_secs(20);

/// `keywright ARGS`, failing the test as a HANG after [`LIMIT`].
fn kw_within(env: &Env, args: &[&str]) -> Run {
    support::spawn(env.kw_command(args), None).finish_within(LIMIT)
}

/// Asserts one run's exit code and its whole stderr.
#[track_caller]
fn assert_fails(env: &Env, args: &[&str], code: i32, stderr: &str) {
    let run = kw_within(env, args);
    assert_eq!((run.code, run.stderr.as_str()), (code, stderr), "{args:?}");
}

fn mkfifo(env: &Env, name: &str) {
    nix::unistd::mkfifo(&env.path(name), nix::sys::stat::Mode::from_bits_truncate(0o600)).unwrap();
}

fn is_fifo(path: &Path) -> bool {
    std::fs::symlink_metadata(path).unwrap().file_type().is_fifo()
}

fn skipped(test: &str) {
    eprintln!("{test}: skipped: needs root (mknod, chown)");
}

const FIFO_HINT: &str = "keywright: hint: reading a FIFO waits for a writer that may never come; save the data to a file and give its path\n";
const DEVICE_HINT: &str = "keywright: hint: give the path of a regular file\n";
const REWRITE_HINT: &str = "keywright: hint: the file is rewritten by renaming a new one over it, which would destroy this one; give the path of a regular file\n";

/// Before the fix every one of these waited forever in open(2) (or in a read): a FIFO
/// that no one writes to is refused where a file belongs, and reads as empty where a
/// pipe is accepted (fingerprint, a key list, a passphrase file).
#[test]
fn a_fifo_without_a_writer_is_an_error_never_a_hang() {
    let env = Env::new();
    mkfifo(&env, "fifo");
    env.fixture("id_ed25519");
    env.fixture("id_ed25519_enc");
    let refused = format!("keywright: error: fifo: not a regular file (a FIFO)\n{FIFO_HINT}");
    for args in [
        &["public", "-f", "fifo"][..],
        &["passphrase", "-f", "fifo", "-N", "new"],
        &["known-hosts", "list", "-f", "fifo"],
        &["known-hosts", "find", "-f", "fifo", "example.com"],
    ] {
        assert_fails(&env, args, 2, &refused);
    }
    let no_keys = "keywright: error: fifo: no public key found (the file has no key lines)\n\
                   keywright: hint: expected OpenSSH public keys (type base64 [comment]), authorized_keys or known_hosts lines, or a private key\n";
    assert_fails(&env, &["fingerprint", "fifo"], 2, no_keys);
    assert_fails(&env, &["known-hosts", "add", "-f", "kh", "example.com", "fifo"], 2, no_keys);
    assert_fails(
        &env,
        &["public", "-f", "id_ed25519_enc", "--passphrase-file", "fifo"],
        2,
        "keywright: error: fifo: cannot use as passphrase file: it is empty (an empty line means no passphrase)\n",
    );
    assert!(is_fifo(&env.path("fifo")) && !env.path("kh").exists());

    // A FIFO where ssh-keygen looks for the .pub beside a key is passed over, as an
    // unreadable .pub is: the key's own public half is shown.
    std::fs::remove_file(env.path("id_ed25519.pub")).unwrap();
    mkfifo(&env, "id_ed25519.pub");
    let run = kw_within(&env, &["fingerprint", "id_ed25519"]).success();
    assert_eq!(
        run.out(),
        "256 SHA256:9G1TIVJJ8ESKPND3yHAWXQEn8loDP++a/IN3VLwgLng id_ed25519@keywright.test (ED25519)\n"
    );
}

/// A character device where a key or list of keys is read is refused at once; before the
/// fix `fingerprint /dev/zero` read forever and `public -f /dev/zero` read 1 MiB of
/// zeros to call it "too large to be a private key (0 bytes)".
#[test]
fn a_device_where_a_file_is_read_is_refused_not_read_forever() {
    let env = Env::new();
    env.fixture("id_ed25519_enc");
    let refused =
        format!("keywright: error: /dev/zero: not a regular file (a character device)\n{DEVICE_HINT}");
    for args in [
        &["fingerprint", "/dev/zero"][..],
        &["public", "-f", "/dev/zero"],
        &["public", "-f", "id_ed25519_enc", "--passphrase-file", "/dev/zero"],
        &["known-hosts", "add", "-f", "kh", "example.com", "/dev/zero"],
        // A known_hosts file may be a device (below), but not one that never ends.
        &["known-hosts", "list", "-f", "/dev/zero"],
    ] {
        assert_fails(&env, args, 2, &refused);
    }
    assert!(!env.path("kh").exists());
}

/// `-o UserKnownHostsFile=/dev/null`: a character device given as a known_hosts file is
/// read as ssh reads it, an empty file. (This passed before the fix too; it fails if the
/// refusal of devices above reaches known_hosts reads.)
#[test]
fn dev_null_as_known_hosts_reads_as_an_empty_file() {
    let env = Env::new();
    let find = kw_within(&env, &["known-hosts", "find", "-f", "/dev/null", "example.com"]).code(1);
    assert_eq!((find.out().as_str(), find.stderr.as_str()), ("", ""));
    let list = kw_within(&env, &["known-hosts", "list", "-f", "/dev/null"]).success();
    assert_eq!((list.out().as_str(), list.stderr.as_str()), ("", ""));
    let audit = kw_within(&env, &["known-hosts", "audit", "--format", "json", "/dev/null"]).success();
    assert_eq!(audit.stderr, "");
}

/// A rewrite renames a new file over the old one, which over a device node made it a
/// regular file: as root, `keywright known-hosts add -f /dev/null` replaced /dev/null.
/// Refused now, whether the device is named directly or through a symlink.
#[test]
fn a_character_device_is_never_replaced_by_a_rewrite() {
    if !is_root() {
        return skipped("a_character_device_is_never_replaced_by_a_rewrite");
    }
    let env = Env::new();
    let key = key_line("id_ed25519");
    // A /dev/null of our own (major 1, minor 3), and a known_hosts link to it.
    let null = env.path("null");
    let dev = nix::sys::stat::makedev(1, 3);
    let mode = nix::sys::stat::Mode::from_bits_truncate(0o666);
    nix::sys::stat::mknod(&null, nix::sys::stat::SFlag::S_IFCHR, mode, dev).unwrap();
    std::os::unix::fs::symlink("null", env.path("kh_link")).unwrap();
    let refused = format!(
        "keywright: error: null: not a regular file (a character device); not replacing it\n{REWRITE_HINT}"
    );
    for args in [
        &["known-hosts", "add", "-f", "null", "example.com", &key][..],
        &["known-hosts", "add", "-f", "kh_link", "example.com", &key],
        &["known-hosts", "hash", "-f", "null"],
        &["known-hosts", "remove", "-f", "null", "example.com"],
    ] {
        let run = kw_within(&env, args);
        let meta = std::fs::symlink_metadata(&null).unwrap();
        assert!(meta.file_type().is_char_device() && meta.rdev() == dev, "{args:?} replaced the device");
        assert_eq!((run.code, run.stderr.as_str()), (2, refused.as_str()), "{args:?}");
    }
    assert_eq!(std::fs::read(&null).unwrap(), b"", "still a null device");
}

/// Over a FIFO a rewrite first waited forever to read it; it is refused now, also as the
/// `.old` backup, whose name a rewrite reuses (a regular file or link there is replaced,
/// a FIFO was silently removed).
#[test]
fn a_fifo_is_never_replaced_by_a_rewrite() {
    let env = Env::new();
    let key = key_line("id_ed25519");
    env.write("kh", format!("example.com {key}\n"));
    mkfifo(&env, "kh.old");
    let old_refused =
        format!("keywright: error: kh.old: not a regular file (a FIFO); not replacing it\n{REWRITE_HINT}");
    assert_fails(&env, &["known-hosts", "hash", "-f", "kh"], 2, &old_refused);
    assert!(is_fifo(&env.path("kh.old")));
    assert_eq!(env.read_string("kh"), format!("example.com {key}\n"));

    mkfifo(&env, "fifo");
    let refused =
        format!("keywright: error: fifo: not a regular file (a FIFO); not replacing it\n{REWRITE_HINT}");
    assert_fails(&env, &["known-hosts", "add", "-f", "fifo", "example.com", &key], 2, &refused);
    assert_fails(&env, &["known-hosts", "remove", "-f", "fifo", "example.com"], 2, &refused);
    assert!(is_fifo(&env.path("fifo")));
}

/// The kernel's protected_symlinks rule, applied by keywright's own symlink walk (the
/// sysctl may be off, and a user-space readlink bypasses it anyway): in a sticky
/// world-writable directory, a link is followed only if it is ours or the directory
/// owner's. Before the fix every link here was followed and its target rewritten.
#[test]
fn a_link_planted_in_a_sticky_world_writable_directory_is_not_followed() {
    if !is_root() {
        return skipped("a_link_planted_in_a_sticky_world_writable_directory_is_not_followed");
    }
    let env = Env::new();
    std::fs::set_permissions(env.home(), std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::create_dir(env.path("tmp")).unwrap();
    std::fs::set_permissions(env.path("tmp"), std::fs::Permissions::from_mode(0o1777)).unwrap();
    let key = key_line("id_ed25519");
    let original = format!("old.example.com {key}\n");
    // The target is nobody's, in a directory of nobody's, for the runs as nobody.
    env.write("mine/kh", &original);
    env.give_to_nobody(&["mine", "mine/kh"]);
    let link = |name: &str, owner: u32| {
        std::os::unix::fs::symlink("../mine/kh", env.path(name)).unwrap();
        std::os::unix::fs::lchown(env.path(name), Some(owner), Some(owner)).unwrap();
    };
    // Root follows its own links and the directory owner's (root's) only.
    link("tmp/nobodys", NOBODY);
    let add = |file: &'static str| ["known-hosts", "add", "-q", "-f", file, "new.example.com", key.as_str()];
    assert_fails(
        &env,
        &add("tmp/nobodys"),
        2,
        "keywright: error: tmp/nobodys: not following this symlink: it is in tmp, a sticky world-writable directory, and belongs to neither you nor the directory's owner\n\
         keywright: hint: anyone can plant a link there; if you trust its target, give the target's path instead\n",
    );
    assert_eq!(env.read_string("mine/kh"), original);
    // Nor is it followed to read: the target may be a secret made to look like a list.
    assert_fails(
        &env,
        &["known-hosts", "list", "-f", "tmp/nobodys"],
        2,
        "keywright: error: tmp/nobodys: not following this symlink: it is in tmp, a sticky world-writable directory, and belongs to neither you nor the directory's owner\n\
         keywright: hint: anyone can plant a link there; if you trust its target, give the target's path instead\n",
    );
    link("tmp/roots", 0);
    kw_within(&env, &add("tmp/roots")).success();
    assert!(env.read_string("mine/kh").starts_with(&original) && env.read_string("mine/kh") != original);
    assert!(std::fs::symlink_metadata(env.path("tmp/roots")).unwrap().file_type().is_symlink());

    // As nobody: a third user's link is refused, nobody's own is followed.
    env.write("mine/kh", &original);
    link("tmp/strangers", 4242);
    let run = env.run(env.kw_command_unprivileged(add("tmp/strangers")), None);
    assert_eq!(
        (run.code, run.stderr.lines().next()),
        (
            2,
            Some(
                "keywright: error: tmp/strangers: not following this symlink: it is in tmp, a sticky world-writable directory, and belongs to neither you nor the directory's owner"
            )
        )
    );
    assert_eq!(env.read_string("mine/kh"), original);
    env.run(env.kw_command_unprivileged(add("tmp/nobodys")), None).success();
    assert_ne!(env.read_string("mine/kh"), original);
}

/// `generate -f LINK` with LINK pointing at a missing file created the key at the link's
/// target without a word (as ssh-keygen does); a key must not appear somewhere the user
/// did not name, so it is refused, for -f and for the default ~/.ssh path alike.
#[test]
fn a_key_is_not_created_through_a_dangling_symlink() {
    let env = Env::new();
    std::os::unix::fs::symlink("elsewhere/id_new", env.path("id_link")).unwrap();
    std::fs::create_dir(env.path("elsewhere")).unwrap();
    for force in [&[][..], &["--force"]] {
        let args = [&["generate", "-q", "-f", "id_link", "--no-passphrase"][..], force].concat();
        assert_fails(
            &env,
            &args,
            2,
            "keywright: error: id_link: is a symlink to elsewhere/id_new, which does not exist; not creating a key file through it\n\
             keywright: hint: if the key belongs at the link's target, give that path (-f elsewhere/id_new); otherwise remove the link\n",
        );
    }
    assert!(!env.path("elsewhere/id_new").exists() && !env.path("id_link.pub").exists());
    assert!(std::fs::symlink_metadata(env.path("id_link")).unwrap().file_type().is_symlink());

    std::fs::create_dir(env.path(".ssh")).unwrap();
    std::os::unix::fs::symlink(env.path("elsewhere/id_ed25519"), env.path(".ssh/id_ed25519")).unwrap();
    let (link, target) = (env.path(".ssh/id_ed25519"), env.path("elsewhere/id_ed25519"));
    let expected = format!(
        "keywright: error: {}: is a symlink to {1}, which does not exist; not creating a key file through it\n\
         keywright: hint: if the key belongs at the link's target, give that path (-f {1}); otherwise remove the link\n",
        link.display(),
        target.display()
    );
    assert_fails(&env, &["generate", "-q", "--no-passphrase"], 2, &expected);
    assert!(!env.path("elsewhere/id_ed25519").exists());
}

/// Process substitution hands keywright a pipe, a legitimate way to pass a secret or a
/// list of keys; it is read, and a writer that is slow to write is waited for (the pipe
/// is opened without blocking, then made blocking again). Before the fix a private key
/// given this way to fingerprint was read twice (the second read found the pipe drained).
#[test]
fn a_pipe_from_process_substitution_is_read() {
    let env = Env::new();
    env.fixture("id_ed25519");
    env.fixture("id_ed25519_enc");
    let run = env.sh(
        "keywright public -f id_ed25519_enc --passphrase-file <(sleep 1; printf 'keywright-test\\n') && \
         keywright fingerprint <(cat id_ed25519.pub) && keywright fingerprint <(cat id_ed25519) && \
         keywright known-hosts add -q --no-hash -f kh example.com <(cat id_ed25519.pub)",
    );
    let fingerprint =
        "256 SHA256:9G1TIVJJ8ESKPND3yHAWXQEn8loDP++a/IN3VLwgLng id_ed25519@keywright.test (ED25519)\n";
    let public = env.read_string("id_ed25519_enc.pub");
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
    assert_eq!(run.out(), format!("{public}{fingerprint}{fingerprint}"));
    assert_eq!(env.read_string("kh"), format!("example.com {}\n", key_line("id_ed25519")));
}

/// With only KEY.pub a dangling symlink, generate wrote KEY before the .pub was refused,
/// leaving half a key pair; comment rewrote the key the same way. Both files are checked
/// before either is written.
#[test]
fn a_dangling_pub_link_stops_generate_and_comment_before_anything_is_written() {
    let env = Env::new();
    std::os::unix::fs::symlink("elsewhere/new.pub", env.path("new.pub")).unwrap();
    let refusal = |link: &str, target: &str| {
        format!(
            "keywright: error: {link}: is a symlink to {target}, which does not exist; not creating a key file through it\n\
             keywright: hint: if the key belongs at the link's target, give that path (-f {target}); otherwise remove the link\n"
        )
    };
    assert_fails(
        &env,
        &["generate", "-q", "-f", "new", "--no-passphrase"],
        2,
        &refusal("new.pub", "elsewhere/new.pub"),
    );
    assert!(!env.path("new").exists());

    env.fixture("id_ed25519");
    std::fs::remove_file(env.path("id_ed25519.pub")).unwrap();
    std::os::unix::fs::symlink("gone/id_ed25519.pub", env.path("id_ed25519.pub")).unwrap();
    let before = env.read("id_ed25519");
    assert_fails(
        &env,
        &["comment", "-q", "-f", "id_ed25519", "-C", "new"],
        2,
        &refusal("id_ed25519.pub", "gone/id_ed25519.pub"),
    );
    assert_eq!(env.read("id_ed25519"), before);
}
