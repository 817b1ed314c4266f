//! The name ssh-copy-id's messages start with: the script's `$0`.
//!
//! The script is run by the kernel as `sh PATH ARGS…`, where PATH is the path the caller
//! handed to execve: the link's path as typed (`./ssh-copy-id`, `/opt/bin/ssh-copy-id`),
//! or, for a bare `ssh-copy-id`, the PATH entry the caller's shell found
//! (`/usr/bin/ssh-copy-id`) — never argv[0] itself (measured with OpenSSH 9.2's script:
//! `exec -a other /usr/bin/ssh-copy-id -h` still says `/usr/bin/ssh-copy-id`). Linux keeps
//! that very path for every process, as the auxiliary vector's `AT_EXECFN`; it is read
//! here, before the process is made undumpable (which closes `/proc/self/mem`).

use std::ffi::{OsStr, OsString};
use std::io::{Read, Seek, SeekFrom};
use std::os::unix::ffi::OsStringExt;
use std::path::Path;

/// The front's name when it is run as `keywright ssh-copy-id ARGS`: no script path
/// exists then, and the tool's own name says whose messages these are.
const SUBCOMMAND_NAME: &str = "ssh-copy-id";

/// `$0` for a process whose argv[0] is `argv0`: the path it was executed by when it was
/// run under the name `ssh-copy-id` (a link), else plain `ssh-copy-id`.
pub fn name(argv0: Option<&OsStr>) -> String {
    let Some(argv0) = argv0 else { return SUBCOMMAND_NAME.to_string() };
    if Path::new(argv0).file_name() != Some(OsStr::new(SUBCOMMAND_NAME)) {
        return SUBCOMMAND_NAME.to_string();
    }
    // Without /proc (not Linux, or not mounted), argv[0] is the best guess: shells pass
    // the path as typed there too.
    let path = executed_path().filter(|p| Path::new(p).file_name() == Some(OsStr::new(SUBCOMMAND_NAME)));
    path.unwrap_or_else(|| argv0.to_os_string()).to_string_lossy().into_owned()
}

/// `AT_EXECFN`: the auxiliary vector's pointer to the path given to execve.
const AT_EXECFN: usize = 31;
/// The longest path the kernel accepts (PATH_MAX).
const PATH_MAX: usize = 4096;

/// The path this process was executed by, from `/proc/self/auxv` and `/proc/self/mem`.
fn executed_path() -> Option<OsString> {
    let auxv = std::fs::read("/proc/self/auxv").ok()?;
    let address = execfn_address(&auxv)?;
    let mut mem = std::fs::File::open("/proc/self/mem").ok()?;
    mem.seek(SeekFrom::Start(u64::try_from(address).ok()?)).ok()?;
    // The string sits at the very top of the stack: a read past the mapping's end
    // fails, so it is read in small pieces up to its NUL.
    let mut bytes = Vec::with_capacity(256);
    let mut piece = [0u8; 64];
    while bytes.len() < PATH_MAX {
        let read = mem.read(&mut piece).ok().filter(|&n| n > 0)?;
        match piece[..read].iter().position(|&b| b == 0) {
            Some(end) => {
                bytes.extend_from_slice(&piece[..end]);
                return (!bytes.is_empty()).then(|| OsString::from_vec(bytes));
            }
            None => bytes.extend_from_slice(&piece[..read]),
        }
    }
    None
}

/// The value of `AT_EXECFN` in an auxiliary vector: (type, value) pairs of native words.
fn execfn_address(auxv: &[u8]) -> Option<usize> {
    const WORD: usize = std::mem::size_of::<usize>();
    let word = |bytes: &[u8]| Some(usize::from_ne_bytes(bytes.try_into().ok()?));
    auxv.chunks_exact(2 * WORD)
        .filter_map(|pair| Some((word(&pair[..WORD])?, word(&pair[WORD..])?)))
        .take_while(|&(kind, _)| kind != 0)
        .find(|&(kind, _)| kind == AT_EXECFN)
        .map(|(_, value)| value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_subcommand_run_is_named_plainly() {
        assert_eq!(name(None), "ssh-copy-id");
        assert_eq!(name(Some(OsStr::new("/usr/local/bin/keywright"))), "ssh-copy-id");
    }

    #[test]
    fn the_auxiliary_vector_is_read_up_to_its_end() {
        let pair = |kind: usize, value: usize| [kind.to_ne_bytes(), value.to_ne_bytes()].concat();
        let auxv = [pair(6, 4096), pair(AT_EXECFN, 0x7ff0), pair(0, 0), pair(AT_EXECFN, 1)].concat();
        assert_eq!(execfn_address(&auxv), Some(0x7ff0));
        let ended = [pair(6, 4096), pair(0, 0), pair(AT_EXECFN, 1)].concat();
        assert_eq!(execfn_address(&ended), None);
    }

    /// The test binary's own path, as cargo executed it.
    #[test]
    #[cfg(target_os = "linux")]
    fn this_process_knows_the_path_it_was_executed_by() {
        let path = executed_path().expect("AT_EXECFN");
        let exe = std::env::current_exe().unwrap();
        assert_eq!(std::fs::canonicalize(path).unwrap(), std::fs::canonicalize(exe).unwrap());
    }
}
