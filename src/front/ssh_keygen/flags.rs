//! ssh-keygen's command line: its option string, which letters this front does (the one
//! list later issues extend), and the options read in order as ssh-keygen 9.2 reads them,
//! values checked as it checks them (a bad `-b` stops the run before a later unknown
//! letter is looked at).

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;
use std::process::ExitCode;

use zeroize::Zeroizing;

use super::log;
use crate::front::getopt::{self, GetoptError};
use crate::key::HashKind;
use crate::key::PrivateFormat;
use crate::key::convert::PublicFormat;

/// ssh-keygen 9.2's option string (`ssh-keygen.c`, V_9_2_P1): a letter followed by `:`
/// takes a value. `g` appears twice; getopt reads the first, so `-g` takes none.
pub const OPTSTRING: &str =
    concat!("ABHKLQUXceghiklopquvy", "C:D:E:F:I:M:N:O:P:R:V:Y:Z:", "a:b:f:g:m:n:r:s:t:w:z:");

/// Whether this front does an option.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Support {
    /// Done here, as ssh-keygen 9.2 does it.
    Covered,
    /// Not yet: what the option is for, named in the refusal.
    Later(&'static str),
}

/// Every letter of [`OPTSTRING`] and whether it is covered. Later issues move their
/// letters to `Covered` here and nowhere else.
pub const LETTERS: &[(u8, Support)] = &[
    (b'a', Support::Covered),
    (b'b', Support::Covered),
    (b'C', Support::Covered),
    (b'c', Support::Covered),
    (b'E', Support::Covered),
    (b'F', Support::Covered),
    (b'f', Support::Covered),
    (b'H', Support::Covered),
    (b'l', Support::Covered),
    (b'N', Support::Covered),
    (b'O', Support::Covered),
    (b'o', Support::Covered),
    (b'P', Support::Covered),
    (b'p', Support::Covered),
    (b'q', Support::Covered),
    (b'R', Support::Covered),
    (b't', Support::Covered),
    (b'v', Support::Covered),
    (b'y', Support::Covered),
    // -Y and the letters its operations read; without -Y, -s -I -n -U are certificates'
    // letters, and -r is SSHFP's host.
    (b'Y', Support::Covered),
    (b'I', Support::Covered),
    (b'n', Support::Covered),
    (b'r', Support::Covered),
    (b's', Support::Covered),
    (b'U', Support::Covered),
    (b'A', Support::Covered),
    (b'B', Support::Covered),
    (b'g', Support::Covered),
    (b'e', Support::Covered),
    (b'i', Support::Covered),
    (b'm', Support::Covered),
    (b'X', Support::Covered),
    // Key revocation lists; -s is the CA with -k, and -z its version (a certificate's
    // serial with -s alone).
    (b'k', Support::Covered),
    (b'Q', Support::Covered),
    (b'u', Support::Covered),
    (b'z', Support::Covered),
    (b'D', Support::Later("PKCS#11 tokens")),
    (b'K', Support::Later("FIDO authenticators")),
    (b'M', Support::Later("moduli")),
    (b'w', Support::Later("FIDO authenticators")),
    (b'Z', Support::Later("private key ciphers")),
    // Certificates (issue 14): -s signs with -I -n -h -V -z -O -U; -L shows.
    (b'h', Support::Covered),
    (b'L', Support::Covered),
    (b'V', Support::Covered),
];

/// How far ssh-keygen's `-v` raised its log level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Verbosity(pub u8);

/// The options of one run, as ssh-keygen keeps them after reading them all.
#[derive(Default)]
pub struct Flags {
    pub quiet: bool,
    pub verbose: Verbosity,
    /// -l
    pub fingerprint: bool,
    /// -y
    pub print_public: bool,
    /// -B: fingerprints in Bubble Babble (the -l operation with another digest).
    pub bubblebabble: bool,
    /// -A: every missing host key under the -f prefix.
    pub host_keys: bool,
    /// -g: SSHFP records in RFC 3597's generic notation.
    pub generic: bool,
    /// -p
    pub change_passphrase: bool,
    /// -c
    pub change_comment: bool,
    /// -H
    pub hash_hosts: bool,
    /// -F
    pub find_host: bool,
    /// -R
    pub delete_host: bool,
    /// The host of the last -F or -R.
    pub host: Option<OsString>,
    /// -t, as typed.
    pub key_type: Option<String>,
    /// -b
    pub bits: Option<u32>,
    /// -C
    pub comment: Option<OsString>,
    /// -f
    pub file: Option<PathBuf>,
    /// -N
    pub new_passphrase: Option<Zeroizing<String>>,
    /// -P
    pub passphrase: Option<Zeroizing<String>>,
    /// -a
    pub rounds: Option<u32>,
    /// -E
    pub hash: HashKind,
    /// -O, in order (only -Y reads them; ssh-keygen 9.2 ignores them elsewhere too).
    pub options: Vec<OsString>,
    /// -Y: the signature operation, as typed.
    pub sign_op: Option<OsString>,
    /// -n: the namespace under -Y (certificate principals otherwise).
    pub namespace: Option<OsString>,
    /// -s: the signature file under -Y (the CA key otherwise).
    pub signature: Option<PathBuf>,
    /// -I: the signer identity under -Y (the certificate's key id otherwise).
    pub identity: Option<OsString>,
    /// -r: the revocation file under -Y verify, the SSHFP records' host name otherwise.
    pub revocation: Option<PathBuf>,
    /// -U: the key is in ssh-agent.
    pub agent: bool,
    /// -e: export a key.
    pub export: bool,
    /// -i (or -X, the same in 9.2): import a key.
    pub import: bool,
    /// -m: the conversion format of -e and -i.
    pub convert_format: Option<PublicFormat>,
    /// -m PEM or PKCS8: the format -p, -c and key generation write.
    pub private_format: PrivateFormat,
    /// -k: write a key revocation list.
    pub gen_krl: bool,
    /// -u: with -k, add to the existing list.
    pub update_krl: bool,
    /// -Q: check keys against a key revocation list.
    pub check_krl: bool,
    /// -z: the certificate serial, or with -k the KRL version
    pub z: Option<OsString>,
    /// What follows the options.
    pub operands: Vec<OsString>,
    /// -h: a host certificate.
    pub host_cert: bool,
    /// -L: show certificates.
    pub show_cert: bool,
    /// -V, read when given (ssh-keygen reads it there, its relative times from then).
    pub validity: Option<crate::cert::Validity>,
}

/// ssh-keygen's `PATH_MAX`-sized buffer for `-f`.
const PATH_MAX: usize = 4096;

/// Reads the command line (without the program name) as ssh-keygen does.
///
/// # Errors
/// The exit ssh-keygen takes, its message already printed: an unknown or uncovered
/// option or a missing value (usage, 1), or a bad value (255).
pub fn parse(args: &[OsString]) -> Result<Flags, ExitCode> {
    // getopt stops at the first bad letter; the letters before it are read first, as
    // ssh-keygen's loop reads them (a bad -b before it wins).
    let (options, stop) = getopt::parse_openssh(args, OPTSTRING);
    let mut flags = Flags { operands: options.operands, ..Flags::default() };
    for option in options.options {
        flags.take(option.letter, option.value)?;
    }
    match stop {
        None => Ok(flags),
        Some(GetoptError::Unknown(letter)) => {
            Err(log::usage(Some(&format!("unknown option -- {}", letter as char))))
        }
        Some(GetoptError::MissingValue(letter)) => {
            Err(log::usage(Some(&format!("option requires an argument -- {}", letter as char))))
        }
    }
}

impl Flags {
    /// One option, in order.
    fn take(&mut self, letter: u8, value: Option<OsString>) -> Result<(), ExitCode> {
        if let Some(Support::Later(what)) = support(letter) {
            let message =
                format!("option -{} ({what}) is not supported by keywright's ssh-keygen yet", letter as char);
            return Err(log::usage(Some(&message)));
        }
        let value = value.unwrap_or_default();
        match letter {
            b'A' => self.host_keys = true,
            b'B' => self.bubblebabble = true,
            b'e' => self.export = true,
            b'i' | b'X' => self.import = true,
            b'm' => self.key_format(&value)?,
            b'g' => self.generic = true,
            b'k' => self.gen_krl = true,
            b'Q' => self.check_krl = true,
            b'u' => self.update_krl = true,
            b'h' => self.host_cert = true,
            b'L' => self.show_cert = true,
            b'V' => self.validity = Some(validity(&value)?),
            b'z' => self.z = Some(value),
            b'a' => self.rounds = Some(number(&value, 1, i32::MAX as u64, "Invalid number: {} ({})")? as u32),
            b'b' => {
                self.bits = Some(number(&value, 1, u32::MAX as u64, "Bits has bad value {} ({})")? as u32)
            }
            b'C' => self.comment = Some(value),
            b'c' => self.change_comment = true,
            b'E' => self.hash = hash_kind(&value)?,
            b'F' => {
                self.find_host = true;
                self.host = Some(value);
            }
            b'f' if value.len() >= PATH_MAX => return Err(log::fatal("Identity filename too long")),
            b'f' => self.file = Some(PathBuf::from(value)),
            b'H' => self.hash_hosts = true,
            b'I' => self.identity = Some(value),
            b'l' => self.fingerprint = true,
            b'n' => self.namespace = Some(value),
            b'N' => self.new_passphrase = Some(secret(value)),
            b'O' => self.options.push(value),
            b'P' => self.passphrase = Some(secret(value)),
            b'p' => self.change_passphrase = true,
            b'q' => self.quiet = true,
            b'r' => self.revocation = Some(PathBuf::from(value)),
            b's' => self.signature = Some(PathBuf::from(value)),
            b'U' => self.agent = true,
            b'Y' => self.sign_op = Some(value),
            b'R' => {
                self.delete_host = true;
                self.host = Some(value);
            }
            b't' => self.key_type = Some(value.to_string_lossy().into_owned()),
            b'v' => self.verbose.0 = self.verbose.0.saturating_add(1),
            b'y' => self.print_public = true,
            // -o: "new format is already the default" (a no-op in 9.2).
            _ => {}
        }
        Ok(())
    }
}

impl Flags {
    /// `-m`: ssh-keygen's names in any case; PEM and PKCS8 also choose the private key
    /// format (RFC4716 leaves it).
    fn key_format(&mut self, value: &OsStr) -> Result<(), ExitCode> {
        let (convert, private) = match value.to_string_lossy().to_ascii_lowercase().as_str() {
            "rfc4716" | "ssh2" => (PublicFormat::Rfc4716, self.private_format),
            "pkcs8" => (PublicFormat::Pkcs8, PrivateFormat::Pkcs8),
            "pem" => (PublicFormat::Pem, PrivateFormat::Pem),
            _ => {
                let message = format!("Unsupported conversion format \"{}\"", value.to_string_lossy());
                return Err(log::fatal(&message));
            }
        };
        self.convert_format = Some(convert);
        self.private_format = private;
        Ok(())
    }
}

/// Whether this front does `letter`; `None` for a letter ssh-keygen does not have.
pub fn support(letter: u8) -> Option<Support> {
    LETTERS.iter().find(|(l, _)| *l == letter).map(|(_, support)| *support)
}

/// A passphrase argument, its bytes wiped when dropped (the argument's own buffer too).
fn secret(value: OsString) -> Zeroizing<String> {
    let bytes = Zeroizing::new(std::os::unix::ffi::OsStringExt::into_vec(value));
    Zeroizing::new(String::from_utf8_lossy(&bytes).into_owned())
}

/// `-V`: the validity, relative times from now, refused as ssh-keygen refuses it.
fn validity(value: &OsStr) -> Result<crate::cert::Validity, ExitCode> {
    crate::cert::Validity::parse(&value.to_string_lossy(), crate::sig::time::now())
        .map_err(|error| log::fatal(&error.to_string()))
}

/// `-E`: the digest names ssh-keygen knows, in any case.
fn hash_kind(value: &OsStr) -> Result<HashKind, ExitCode> {
    match value.to_string_lossy().to_ascii_lowercase().as_str() {
        "md5" => Ok(HashKind::Md5),
        "sha1" => Ok(HashKind::Sha1),
        "sha256" => Ok(HashKind::Sha256),
        "sha384" => Ok(HashKind::Sha384),
        "sha512" => Ok(HashKind::Sha512),
        _ => Err(log::fatal(&format!("Invalid hash algorithm \"{}\"", value.to_string_lossy()))),
    }
}

/// OpenBSD's `strtonum(value, min, max)`, failing as ssh-keygen fails with `message`
/// (`{}` the value, then why: invalid, too small, too large).
fn number(value: &OsStr, min: u64, max: u64, message: &str) -> Result<u64, ExitCode> {
    let fail = |why: &str| {
        let text = message.replacen("{}", &value.to_string_lossy(), 1).replacen("{}", why, 1);
        log::fatal(&text)
    };
    match strtonum(value.as_bytes()) {
        Err(why) => Err(fail(why)),
        Ok(n) if n < min as i128 => Err(fail("too small")),
        Ok(n) if n > max as i128 => Err(fail("too large")),
        Ok(n) => Ok(n as u64),
    }
}

/// `strtoll(…, 10)` over the whole text: leading white space and a sign allowed, digits
/// required, nothing after them. Out of `long long`'s range is "too small"/"too large".
fn strtonum(text: &[u8]) -> Result<i128, &'static str> {
    let text = match text.iter().position(|b| !matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')) {
        Some(start) => &text[start..],
        None => return Err("invalid"),
    };
    let (negative, digits) = match text.first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return Err("invalid");
    }
    let mut value: i128 = 0;
    for &digit in digits {
        value = value.saturating_mul(10).saturating_add(i128::from(digit - b'0'));
    }
    let value = if negative { -value } else { value };
    match value {
        v if v < i128::from(i64::MIN) => Err("too small"),
        v if v > i128::from(i64::MAX) => Err("too large"),
        v => Ok(v),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_letter_of_the_option_string_has_its_support_listed_once() {
        let mut letters: Vec<u8> = OPTSTRING.bytes().filter(|&b| b != b':').collect();
        // `g` is in 9.2's string twice (`g` and `g:`); getopt finds the first, a flag.
        letters.sort_unstable();
        letters.dedup();
        for letter in &letters {
            assert_eq!(LETTERS.iter().filter(|(l, _)| l == letter).count(), 1, "{}", *letter as char);
        }
        assert_eq!(LETTERS.len(), letters.len());
    }

    #[test]
    fn numbers_read_as_strtonum_reads_them() {
        assert_eq!(strtonum(b" +42"), Ok(42));
        assert_eq!(strtonum(b"-3"), Ok(-3));
        for bad in [&b""[..], b"4x", b"x", b"- 1", b"1 "] {
            assert_eq!(strtonum(bad), Err("invalid"), "{bad:?}");
        }
        assert_eq!(strtonum(b"99999999999999999999"), Err("too large"));
    }
}
