//! The OpenSSH fronts: keywright invoked as `ssh-keygen` or `ssh-copy-id` (a link named so,
//! or `keywright ssh-keygen ARGS…`) parses that tool's command line and prints its exact
//! output, over the same commands and reports as the native command line. A front adds
//! parsing and rendering, never logic.

use std::ffi::{OsStr, OsString};
use std::path::Path;
use std::process::ExitCode;

pub mod getopt;
pub mod ssh_copy_id;
pub mod ssh_keygen;

/// The OpenSSH tool keywright stands in for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Front {
    SshKeygen,
    SshCopyId,
}

impl Front {
    /// The tool's name, as its links are named and as it names itself in messages.
    pub fn name(self) -> &'static str {
        match self {
            Front::SshKeygen => "ssh-keygen",
            Front::SshCopyId => "ssh-copy-id",
        }
    }

    fn named(name: &OsStr) -> Option<Front> {
        [Front::SshKeygen, Front::SshCopyId].into_iter().find(|front| name == front.name())
    }

    /// Runs the front with the arguments after the program name.
    pub fn main(self, args: Vec<OsString>) -> ExitCode {
        match self {
            Front::SshKeygen => ssh_keygen::main(args),
            Front::SshCopyId => ssh_copy_id::main(args),
        }
    }
}

/// Which front a command line asks for, and the arguments it gets: the program's own
/// name (`ssh-keygen`, through a link), or keywright's first argument
/// (`keywright ssh-keygen -lf key`). `None` for keywright's native command line.
pub fn invoked_as(args: &[OsString]) -> Option<(Front, Vec<OsString>)> {
    let program = args.first().map(Path::new).and_then(Path::file_name)?;
    if let Some(front) = Front::named(program) {
        return Some((front, args[1..].to_vec()));
    }
    let front = Front::named(args.get(1)?)?;
    Some((front, args[2..].to_vec()))
}
