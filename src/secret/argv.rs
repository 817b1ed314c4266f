//! Hiding passphrases given on the command line (`-N`, `-P`) from `ps`.
//!
//! ssh-keygen leaves them in its arguments, where any user can read them through
//! `/proc/PID/cmdline` for as long as the key takes to make. We overwrite them with `*` in
//! place as soon as the arguments are parsed, as MySQL's client does with `-p`: the window
//! shrinks from the whole run to the moment before `main` gets there. `--passphrase-file`
//! stays the way that never exposes the secret at all.
//!
//! No crate does this (setproctitle-style crates rewrite the whole title, and only through
//! memory they own); it needs one `unsafe` write, justified below.

use std::ffi::OsString;
use std::os::unix::ffi::OsStrExt;

/// What a command line option is to the scanner: does it take a value, and is that value
/// a secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct OptionKind {
    takes_value: bool,
    secret: bool,
}

/// Replaces the value of every secret option in this process's arguments (as the kernel
/// shows them in `/proc/self/cmdline`) with `*`s of the same length. `command` builds the
/// parsed CLI's definition: an option is secret when its value is named `PASSPHRASE`.
/// Does nothing when the arguments cannot be found exactly as expected.
///
/// The definition is built (tens of microseconds) only when clap has parsed a non-empty passphrase
/// argument ([`super::Given`]), so runs without one, nearly all, pay nothing.
pub fn hide_secret_arguments(command: impl FnOnce() -> clap::Command) {
    if !super::Given::any_parsed() {
        return;
    }
    let args: Vec<OsString> = std::env::args_os().collect();
    let ranges = secret_ranges(&command(), &args);
    if ranges.is_empty() {
        return;
    }
    // Not worth failing the run over: when the area is not as expected the secret stays
    // visible, as it does with ssh-keygen.
    let _ = overwrite(&args, &ranges);
}

/// Hides the secret values of a front's getopt command line (ssh-keygen's `-N` and `-P`):
/// `skip` arguments come before the front's own (the program name, and `ssh-keygen` in
/// `keywright ssh-keygen …`), `optstring` is the tool's option string, `secret` the
/// letters whose values are secrets. Nothing is read or written when no secret letter
/// has a non-empty value.
pub fn hide_front_secrets(skip: usize, optstring: &str, secret: &[u8]) {
    let args: Vec<OsString> = std::env::args_os().collect();
    let ranges = getopt_secret_ranges(&args, skip, optstring, secret);
    if !ranges.is_empty() {
        // As above: when the area is not as expected the secret stays visible.
        let _ = overwrite(&args, &ranges);
    }
}

/// Where each argument starts in the arguments laid end to end, each followed by NUL (the
/// layout of `/proc/self/cmdline`).
fn starts(args: &[OsString]) -> Vec<usize> {
    let mut starts = Vec::with_capacity(args.len());
    let mut offset = 0;
    for arg in args {
        starts.push(offset);
        offset += arg.len() + 1;
    }
    starts
}

/// Byte ranges of the non-empty values of `secret` letters, the arguments read as POSIX
/// getopt reads them (bundles, values attached or apart, `--` or the first operand
/// ending the options; see [`crate::front::getopt`]).
fn getopt_secret_ranges(
    args: &[OsString],
    skip: usize,
    optstring: &str,
    secret: &[u8],
) -> Vec<std::ops::Range<usize>> {
    let starts = starts(args);
    let takes_value = |letter: u8| {
        let spec = optstring.as_bytes();
        spec.iter().position(|&c| c == letter && c != b':').is_some_and(|at| spec.get(at + 1) == Some(&b':'))
    };
    let mut ranges = Vec::new();
    let mut i = skip;
    while i < args.len() {
        let arg = args[i].as_bytes();
        if arg == b"--" || arg.len() < 2 || arg[0] != b'-' {
            break;
        }
        for (at, &letter) in arg.iter().enumerate().skip(1) {
            if !takes_value(letter) {
                continue;
            }
            let range = match at + 1 < arg.len() {
                true => starts[i] + at + 1..starts[i] + arg.len(),
                false => {
                    i += 1;
                    match args.get(i) {
                        Some(value) => starts[i]..starts[i] + value.len(),
                        None => break,
                    }
                }
            };
            if secret.contains(&letter) && !range.is_empty() {
                ranges.push(range);
            }
            break;
        }
        i += 1;
    }
    ranges
}

/// Byte ranges of secret values in the arguments laid end to end, each followed by NUL
/// (the layout of `/proc/self/cmdline`).
fn secret_ranges(command: &clap::Command, args: &[OsString]) -> Vec<std::ops::Range<usize>> {
    let starts = starts(args);
    let mut ranges = Vec::new();
    let mut current = command;
    let mut i = 1;
    while i < args.len() {
        let arg = args[i].as_bytes();
        if arg == b"--" {
            break;
        }
        if let Some(long) = arg.strip_prefix(b"--") {
            let (name, inline) = match long.iter().position(|&b| b == b'=') {
                Some(eq) => (&long[..eq], true),
                None => (long, false),
            };
            let kind = long_kind(current, name);
            if kind.takes_value && !inline {
                i += 1;
            }
        } else if arg.len() > 1 && arg[0] == b'-' {
            // A cluster of short options (`-qN`): the first that takes a value takes the
            // rest of the cluster, or the next argument when nothing is left.
            for (at, &letter) in arg.iter().enumerate().skip(1) {
                let kind = short_kind(current, letter);
                if !kind.takes_value {
                    continue;
                }
                if at + 1 < arg.len() {
                    if kind.secret {
                        ranges.push(starts[i] + at + 1..starts[i] + arg.len());
                    }
                } else {
                    i += 1;
                    if kind.secret && i < args.len() {
                        ranges.push(starts[i]..starts[i] + args[i].len());
                    }
                }
                break;
            }
        } else if let Some(sub) = std::str::from_utf8(arg).ok().and_then(|name| current.find_subcommand(name))
        {
            current = sub;
        }
        i += 1;
    }
    ranges
}

fn kind_of(arg: &clap::Arg) -> OptionKind {
    let names = arg.get_value_names().unwrap_or_default();
    OptionKind {
        takes_value: arg.get_action().takes_values(),
        secret: names.iter().any(|name| name.as_str() == "PASSPHRASE"),
    }
}

const FLAG: OptionKind = OptionKind { takes_value: false, secret: false };

fn short_kind(command: &clap::Command, letter: u8) -> OptionKind {
    command.get_arguments().find(|a| a.get_short() == Some(letter as char)).map_or(FLAG, kind_of)
}

fn long_kind(command: &clap::Command, name: &[u8]) -> OptionKind {
    command.get_arguments().find(|a| a.get_long().map(str::as_bytes) == Some(name)).map_or(FLAG, kind_of)
}

/// Where the kernel keeps this process's argument strings: fields 48 and 49 of
/// `/proc/self/stat` (proc(5)), counted after the command name, which may itself contain
/// spaces and parentheses.
fn argument_area() -> Option<(usize, usize)> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let after_name = &stat[stat.rfind(')')? + 1..];
    let mut fields = after_name.split_whitespace().skip(48 - 3);
    let start = fields.next()?.parse().ok()?;
    let end = fields.next()?.parse().ok()?;
    Some((start, end))
}

#[allow(unsafe_code)]
fn overwrite(args: &[OsString], ranges: &[std::ops::Range<usize>]) -> Result<(), &'static str> {
    let (start, end) = argument_area().ok_or("no argument area in /proc/self/stat")?;
    let expected: Vec<u8> = args.iter().flat_map(|a| a.as_bytes().iter().copied().chain([0])).collect();
    if end.checked_sub(start) != Some(expected.len()) {
        return Err("the argument area is not the arguments");
    }
    // SAFETY: [start, end) is the block of argument strings the kernel put at the top of
    // this process's initial stack: mapped, writable, and ours for the life of the process.
    // No Rust reference points into it (std keeps raw `argv` pointers and copies strings
    // out on each `args_os()` call), and no other thread runs yet, so nothing observes the
    // bytes while they change. Its length and contents are checked first to be exactly the
    // arguments, so every range below lies inside it.
    let area = unsafe { std::slice::from_raw_parts_mut(start as *mut u8, end - start) };
    if area != expected.as_slice() {
        return Err("the argument area has changed");
    }
    for range in ranges {
        area[range.clone()].fill(b'*');
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    fn hidden(args: &[&str]) -> String {
        let args: Vec<OsString> = args.iter().map(OsString::from).collect();
        let mut line: Vec<u8> =
            args.iter().flat_map(|a| a.as_bytes().iter().copied().chain([b' '])).collect();
        for range in secret_ranges(&crate::cli::Cli::command(), &args) {
            line[range].fill(b'*');
        }
        String::from_utf8(line).unwrap().trim_end().to_owned()
    }

    #[test]
    fn secret_values_are_found_in_every_spelling() {
        assert_eq!(hidden(&["kw", "generate", "-N", "abc", "-f", "k"]), "kw generate -N *** -f k");
        assert_eq!(hidden(&["kw", "generate", "-Nabc"]), "kw generate -N***");
        assert_eq!(hidden(&["kw", "generate", "-qNabc"]), "kw generate -qN***");
        assert_eq!(hidden(&["kw", "generate", "-qN", "abc"]), "kw generate -qN ***");
        assert_eq!(
            hidden(&["kw", "--batch", "passphrase", "-P", "a", "-N", "b"]),
            "kw --batch passphrase -P * -N *"
        );
    }

    fn hidden_front(args: &[&str], skip: usize) -> String {
        let args: Vec<OsString> = args.iter().map(OsString::from).collect();
        let mut line: Vec<u8> =
            args.iter().flat_map(|a| a.as_bytes().iter().copied().chain([b' '])).collect();
        let optstring = crate::front::ssh_keygen::flags::OPTSTRING;
        for range in getopt_secret_ranges(&args, skip, optstring, b"NP") {
            line[range].fill(b'*');
        }
        String::from_utf8(line).unwrap().trim_end().to_owned()
    }

    #[test]
    fn front_secrets_are_found_as_getopt_reads_them() {
        assert_eq!(hidden_front(&["ssh-keygen", "-qN", "abc", "-f", "k"], 1), "ssh-keygen -qN *** -f k");
        assert_eq!(hidden_front(&["kw", "ssh-keygen", "-pPold", "-Nnew"], 2), "kw ssh-keygen -pP*** -N***");
        // -C's value is no secret, nor is what follows the options.
        assert_eq!(hidden_front(&["ssh-keygen", "-C", "-N", "x", "-N"], 1), "ssh-keygen -C -N x -N");
        assert_eq!(hidden_front(&["ssh-keygen", "-fN", "--", "-N", "x"], 1), "ssh-keygen -fN -- -N x");
        assert_eq!(hidden_front(&["ssh-keygen", "-N", ""], 1), "ssh-keygen -N");
    }

    #[test]
    fn other_values_are_left_alone() {
        // -C's value is a comment, not a secret; in `-fN`, N is the file name.
        assert_eq!(hidden(&["kw", "comment", "-f", "k", "-C", "abc"]), "kw comment -f k -C abc");
        assert_eq!(hidden(&["kw", "generate", "-fN"]), "kw generate -fN");
        assert_eq!(
            hidden(&["kw", "fingerprint", "-f", "x", "--", "-N", "abc"]),
            "kw fingerprint -f x -- -N abc"
        );
        assert_eq!(
            hidden(&["kw", "generate", "--passphrase-file", "-N"]),
            "kw generate --passphrase-file -N"
        );
    }
}
