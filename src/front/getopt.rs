//! POSIX getopt, as OpenSSH's tools parse their command lines: single-letter options,
//! bundled (`-lvf FILE`), values attached or separate (`-fFILE`, `-f FILE`), `--` ends the
//! options, and the first operand ends them too (OpenSSH's own getopt, which ssh-keygen
//! uses even on glibc systems, does not permute, POSIXLY_CORRECT or not: measured on
//! 9.2; the shell's `getopts`, which ssh-copy-id uses, neither). [`parse_openssh`] reads as
//! ssh-keygen does, where OpenSSH's getopt and the shell's differ. No crate parses exactly
//! this: clap and lexopt accept long options and report errors in their own words, and
//! the fronts must print OpenSSH's.

use std::ffi::OsString;
use std::os::unix::ffi::{OsStrExt, OsStringExt};

/// One option found on the command line, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opt {
    /// The option letter.
    pub letter: u8,
    /// Its value, for a letter followed by `:` in the option string.
    pub value: Option<OsString>,
}

/// Why a command line did not parse, in getopt's terms: the front prints OpenSSH's line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GetoptError {
    /// A letter the option string does not have (`unknown option -- x`).
    Unknown(u8),
    /// A letter that takes a value came last (`option requires an argument -- x`).
    MissingValue(u8),
}

/// The options and the operands after them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Parsed {
    pub options: Vec<Opt>,
    pub operands: Vec<OsString>,
}

/// Parses `args` (without the program name) against `optstring` (`"lf:v"`: a letter, then
/// `:` when it takes a value), up to the first error: the options before it, and the error.
/// The shell's `getopts` loop acts on each option as it comes (ssh-copy-id checks `-i`'s
/// file at once), so what those options do comes before the error's message.
pub fn parse_partial(args: &[OsString], optstring: &str) -> (Parsed, Option<GetoptError>) {
    scan(args, optstring, false)
}

/// [`parse_partial`] as OpenSSH's own getopt (`openbsd-compat/getopt_long.c`, which ssh-keygen
/// uses) reads: also giving back the options read before an error, since ssh-keygen acts
/// on each option as getopt returns it (a bad `-b` value is reported before a later
/// unknown letter); and a `-` that ends a bundle (`-l-`) ends the options there, the
/// whole argument becoming the first operand (the shell's `getopts` calls it an illegal
/// option instead, as [`parse_partial`] does).
pub fn parse_openssh(args: &[OsString], optstring: &str) -> (Parsed, Option<GetoptError>) {
    scan(args, optstring, true)
}

fn scan(args: &[OsString], optstring: &str, dash_ends_options: bool) -> (Parsed, Option<GetoptError>) {
    let mut parsed = Parsed::default();
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        let bytes = arg.as_bytes();
        if bytes == b"--" {
            break;
        }
        if bytes.len() < 2 || bytes[0] != b'-' {
            // The first operand ends the options; it and everything after are operands.
            parsed.operands.push(arg.clone());
            break;
        }
        for (at, &letter) in bytes[1..].iter().enumerate() {
            if dash_ends_options && letter == b'-' && at + 2 == bytes.len() {
                parsed.operands.push(arg.clone());
                parsed.operands.extend(rest.cloned());
                return (parsed, None);
            }
            let takes_value = match takes_value(optstring, letter) {
                Some(takes_value) => takes_value,
                None => return (parsed, Some(GetoptError::Unknown(letter))),
            };
            if !takes_value {
                parsed.options.push(Opt { letter, value: None });
                continue;
            }
            let attached = &bytes[at + 2..];
            let value = if attached.is_empty() {
                match rest.next() {
                    Some(value) => value.clone(),
                    None => return (parsed, Some(GetoptError::MissingValue(letter))),
                }
            } else {
                OsString::from_vec(attached.to_vec())
            };
            parsed.options.push(Opt { letter, value: Some(value) });
            break;
        }
    }
    parsed.operands.extend(rest.cloned());
    (parsed, None)
}

/// Whether `letter` takes a value; `None` when the option string lacks it (`:` itself is
/// never an option letter).
fn takes_value(optstring: &str, letter: u8) -> Option<bool> {
    let spec = optstring.as_bytes();
    let at = spec.iter().position(|&c| c == letter && c != b':')?;
    Some(spec.get(at + 1) == Some(&b':'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(args: &[&str], optstring: &str) -> Result<Parsed, GetoptError> {
        let args: Vec<OsString> = args.iter().map(OsString::from).collect();
        match parse_partial(&args, optstring) {
            (parsed, None) => Ok(parsed),
            (_, Some(error)) => Err(error),
        }
    }

    fn opt(letter: u8, value: Option<&str>) -> Opt {
        Opt { letter, value: value.map(OsString::from) }
    }

    #[test]
    fn bundles_and_values_attached_or_separate() {
        let parsed = run(&["-lvf", "key", "-Emd5", "-q"], "lvf:E:q").unwrap();
        assert_eq!(
            parsed.options,
            [
                opt(b'l', None),
                opt(b'v', None),
                opt(b'f', Some("key")),
                opt(b'E', Some("md5")),
                opt(b'q', None)
            ]
        );
        assert!(parsed.operands.is_empty());
    }

    #[test]
    fn a_value_may_start_with_a_dash() {
        let parsed = run(&["-C", "-x", "-f", "--"], "C:f:").unwrap();
        assert_eq!(parsed.options, [opt(b'C', Some("-x")), opt(b'f', Some("--"))]);
    }

    #[test]
    fn the_first_operand_or_double_dash_ends_the_options() {
        let parsed = run(&["-l", "file", "-f", "x"], "lf:").unwrap();
        assert_eq!(parsed.options, [opt(b'l', None)]);
        assert_eq!(parsed.operands, ["file", "-f", "x"]);
        let parsed = run(&["-l", "--", "-f"], "lf:").unwrap();
        assert_eq!(parsed.operands, ["-f"]);
        let parsed = run(&["-", "-l"], "l").unwrap();
        assert_eq!(parsed.operands, ["-", "-l"]);
    }

    /// OpenSSH's getopt (measured: `ssh-keygen -l-` says "Too many arguments.") treats a
    /// `-` that ends a bundle as the end of the options, the argument the first operand;
    /// the shell's getopts (dash and bash, measured) calls it an illegal option. A `-`
    /// inside a bundle is unknown to both.
    #[test]
    fn a_dash_ending_a_bundle_ends_openssh_options_only() {
        let args = |list: &[&str]| list.iter().map(OsString::from).collect::<Vec<_>>();
        let (parsed, error) = parse_openssh(&args(&["-l-", "x"]), "lf:");
        assert_eq!((parsed.options, error), (vec![opt(b'l', None)], None));
        assert_eq!(parsed.operands, ["-l-", "x"]);
        assert_eq!(run(&["-l-", "x"], "lf:"), Err(GetoptError::Unknown(b'-')));
        assert_eq!(parse_openssh(&args(&["-l-q"]), "lq").1, Some(GetoptError::Unknown(b'-')));
        assert_eq!(run(&["--x"], "x"), Err(GetoptError::Unknown(b'-')));
    }

    #[test]
    fn options_before_an_error_are_given_back() {
        let args: Vec<OsString> = ["-b", "0", "-j"].iter().map(OsString::from).collect();
        let (parsed, error) = parse_openssh(&args, "b:");
        assert_eq!(parsed.options, [opt(b'b', Some("0"))]);
        assert_eq!(error, Some(GetoptError::Unknown(b'j')));
    }

    #[test]
    fn errors_name_the_letter() {
        assert_eq!(run(&["-lj"], "lf:"), Err(GetoptError::Unknown(b'j')));
        assert_eq!(run(&["-l", "-f"], "lf:"), Err(GetoptError::MissingValue(b'f')));
        assert_eq!(run(&["-:"], "f:"), Err(GetoptError::Unknown(b':')));
    }

    #[test]
    fn partial_keeps_the_options_before_the_error() {
        let args: Vec<OsString> = ["-f", "-nz", "-i", "k"].iter().map(OsString::from).collect();
        let (parsed, error) = parse_partial(&args, "fni:");
        assert_eq!(parsed.options, [opt(b'f', None), opt(b'n', None)]);
        assert_eq!(error, Some(GetoptError::Unknown(b'z')));
        let (parsed, error) = parse_partial(&args[2..3], "fni:");
        assert!(parsed.options.is_empty());
        assert_eq!(error, Some(GetoptError::MissingValue(b'i')));
    }
}
