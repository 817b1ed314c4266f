//! ssh-copy-id's command line, read as its `getopts` loop reads it: option by option, each
//! acting as it comes (`-i` checks its files at once), the first operand ending the
//! options, then exactly one `[user@]hostname`.
//!
//! The option string is 9.2's `i:o:p:F:fnsh?` with `-t target_path` and `-x` added as
//! later versions define them (upstream 2023). `-i` takes a value as 9.2's getopts
//! requires; an empty one (`-i ''`) means the default key, as the script has it. (Later
//! versions guess whether the next word is `-i`'s value; 9.2 scripts never rely on that.)

use std::ffi::OsString;

use super::keys::{self, IdFile};
use super::say::{Say, Stop};
use crate::context::Context;
use crate::front::getopt;

/// The option letters, as getopts takes them.
pub const OPTSTRING: &str = "i:o:p:F:t:fnsxh?";

/// Where the keys go when `-t` does not say.
pub const DEFAULT_TARGET_PATH: &str = ".ssh/authorized_keys";

/// What the command line asks for, once the loop is done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invocation {
    /// `-i`'s files, checked.
    pub id_file: Option<IdFile>,
    /// `-o`, `-p` and `-F` in the order given: they go to ssh so, and into the closing
    /// advice so.
    pub ssh_options: Vec<(u8, String)>,
    /// `-f`: no check for installed keys.
    pub forced: bool,
    /// `-n`: nothing is written.
    pub dry_run: bool,
    /// `-s`: through SFTP.
    pub sftp: bool,
    /// `-t`: the remote file, relative to the remote home unless absolute.
    pub target_path: String,
    /// `[user@]hostname`, as given.
    pub destination: String,
}

/// Reads the command line; `-i`'s checks and every refusal print as the script prints
/// them.
///
/// # Errors
/// A usage error, `-h`, or an ID file the script would refuse.
pub fn read(ctx: &Context, say: &Say, args: &[OsString]) -> Result<Invocation, Stop> {
    let (parsed, error) = getopt::parse_partial(args, OPTSTRING);
    let mut invocation = Invocation {
        id_file: None,
        ssh_options: Vec::new(),
        forced: false,
        dry_run: false,
        sftp: false,
        target_path: DEFAULT_TARGET_PATH.to_string(),
        destination: String::new(),
    };
    for option in parsed.options {
        let value = option.value.map(|v| v.to_string_lossy().into_owned()).unwrap_or_default();
        match option.letter {
            b'i' if invocation.id_file.is_some() => return Err(say.second_i()),
            b'i' => {
                // `${OPTARG:-$DEFAULT_PUB_ID_FILE}`
                let given = match value.is_empty() {
                    true => keys::newest_id_pub(&ctx.ssh_dir()).unwrap_or_default(),
                    false => value,
                };
                // -f counts only when it came before -i (the script checks as it goes).
                invocation.id_file = Some(keys::use_id_file(say, given.as_ref(), invocation.forced)?);
            }
            letter @ (b'o' | b'p' | b'F') => invocation.ssh_options.push((letter, value)),
            b't' => invocation.target_path = value,
            b'x' => say.trace(),
            b'f' => invocation.forced = true,
            b'n' => invocation.dry_run = true,
            b's' => invocation.sftp = true,
            // -h and -?
            _ => return Err(say.usage()),
        }
    }
    if let Some(error) = error {
        return Err(say.bad_option(error));
    }
    match parsed.operands.as_slice() {
        [] => Err(say.usage()),
        [destination] => {
            invocation.destination = destination.to_string_lossy().into_owned();
            Ok(invocation)
        }
        _ => Err(say.too_many_arguments()),
    }
}
