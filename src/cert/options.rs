//! A certificate's critical options and extensions from `-O`, as ssh-keygen 9.2 reads
//! them (`add_cert_option`) and writes them (`finalise_cert_exts`): user certificates
//! start with the five `permit-*` extensions, host certificates with none; `clear`
//! drops the flags, `no-*` and `permit-*` (any case) turn one off or on;
//! `force-command=` and `source-address=` (a list of addresses or CIDR networks, checked
//! as sshd will read it) are critical options given once; `verify-required` is a
//! critical flag and `no-touch-required` an extension flag; `critical:NAME[=VALUE]` and
//! `extension:NAME[=VALUE]` add any other. Each section is sorted by name, as
//! PROTOCOL.certkeys requires.

use std::net::IpAddr;

use super::SpecError;

const X11: u32 = 1;
const AGENT: u32 = 1 << 1;
const PORT: u32 = 1 << 2;
const PTY: u32 = 1 << 3;
const USER_RC: u32 = 1 << 4;
const NO_TOUCH: u32 = 1 << 5;
const VERIFY: u32 = 1 << 6;
/// What a user certificate permits unless told otherwise.
const USER_DEFAULT: u32 = X11 | AGENT | PORT | PTY | USER_RC;

/// The flag options by name, each with its bit (`no-` and `permit-`/bare turn it off
/// and on).
const FLAGS: [(&str, &str, u32); 7] = [
    ("no-x11-forwarding", "permit-x11-forwarding", X11),
    ("no-agent-forwarding", "permit-agent-forwarding", AGENT),
    ("no-port-forwarding", "permit-port-forwarding", PORT),
    ("no-pty", "permit-pty", PTY),
    ("no-user-rc", "permit-user-rc", USER_RC),
    ("touch-required", "no-touch-required", NO_TOUCH),
    ("no-verify-required", "verify-required", VERIFY),
];

/// An option of the certificate: its name and, for a key/value option, its value.
pub type CertOption = (String, Option<String>);

/// The options of a certificate being prepared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertOptions {
    flags: u32,
    force_command: Option<String>,
    source_address: Option<String>,
    /// `critical:` and `extension:` options, in order, with whether each is critical.
    custom: Vec<(String, Option<String>, bool)>,
}

impl CertOptions {
    /// The options a user (`host` false) or host certificate starts with.
    pub fn new(host: bool) -> Self {
        let flags = if host { 0 } else { USER_DEFAULT };
        CertOptions { flags, force_command: None, source_address: None, custom: Vec::new() }
    }

    /// Applies one `-O` option.
    ///
    /// # Errors
    /// [`SpecError::Option`], in ssh-keygen's words.
    pub fn add(&mut self, option: &str) -> Result<(), SpecError> {
        let fail = |message: String| Err(SpecError::Option(message));
        if option.eq_ignore_ascii_case("clear") {
            self.flags = 0;
            return Ok(());
        }
        for (off, on, bit) in FLAGS {
            if option.eq_ignore_ascii_case(off) {
                self.flags &= !bit;
                return Ok(());
            }
            if option.eq_ignore_ascii_case(on) {
                self.flags |= bit;
                return Ok(());
            }
        }
        if let Some(value) = strip_prefix_ignore_case(option, "force-command=") {
            if value.is_empty() {
                return fail("Empty force-command option".into());
            }
            if self.force_command.is_some() {
                return fail("force-command already specified".into());
            }
            self.force_command = Some(value.to_string());
            return Ok(());
        }
        if let Some(value) = strip_prefix_ignore_case(option, "source-address=") {
            if value.is_empty() {
                return fail("Empty source-address option".into());
            }
            if self.source_address.is_some() {
                return fail("source-address already specified".into());
            }
            check_cidr_list(value).map_err(SpecError::SourceAddress)?;
            self.source_address = Some(value.to_string());
            return Ok(());
        }
        let custom = strip_prefix_ignore_case(option, "extension:")
            .map(|rest| (rest, false))
            .or_else(|| strip_prefix_ignore_case(option, "critical:").map(|rest| (rest, true)));
        let Some((rest, critical)) = custom else {
            return fail(format!("Unsupported certificate option \"{option}\""));
        };
        let (name, value) = match rest.split_once('=') {
            Some((name, value)) => (name, Some(value.to_string())),
            None => (rest, None),
        };
        self.custom.push((name.to_string(), value, critical));
        Ok(())
    }

    /// The critical options and the extensions the certificate carries, each sorted by
    /// name as ssh-keygen sorts them.
    ///
    /// # Errors
    /// [`SpecError::Duplicate`]: a name twice in one section.
    pub fn finish(&self) -> Result<(Vec<CertOption>, Vec<CertOption>), SpecError> {
        let mut critical: Vec<CertOption> = Vec::new();
        let mut extensions: Vec<CertOption> = Vec::new();
        if let Some(command) = &self.force_command {
            critical.push(("force-command".into(), Some(command.clone())));
        }
        if let Some(addresses) = &self.source_address {
            critical.push(("source-address".into(), Some(addresses.clone())));
        }
        let flag = |bit: u32| self.flags & bit != 0;
        if flag(VERIFY) {
            critical.push(("verify-required".into(), None));
        }
        let named = [
            (X11, "permit-X11-forwarding"),
            (AGENT, "permit-agent-forwarding"),
            (PORT, "permit-port-forwarding"),
            (PTY, "permit-pty"),
            (USER_RC, "permit-user-rc"),
            (NO_TOUCH, "no-touch-required"),
        ];
        extensions
            .extend(named.iter().filter(|(bit, _)| flag(*bit)).map(|(_, name)| (name.to_string(), None)));
        for (name, value, is_critical) in &self.custom {
            let section = if *is_critical { &mut critical } else { &mut extensions };
            section.push((name.clone(), value.clone()));
        }
        for section in [&mut critical, &mut extensions] {
            section.sort();
            if let Some(pair) = section.windows(2).find(|pair| pair[0].0 == pair[1].0) {
                return Err(SpecError::Duplicate(pair[0].0.clone()));
            }
        }
        Ok((critical, extensions))
    }
}

fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix).then(|| &text[prefix.len()..])
}

/// Checks a `source-address` list as sshd will read it (OpenSSH's
/// `addr_match_cidr_list`): comma-separated addresses or networks, no empty entry, a
/// mask no longer than the address and no host bits set under it.
///
/// # Errors
/// What is wrong with the first bad entry, as OpenSSH logs it.
pub fn check_cidr_list(list: &str) -> Result<(), String> {
    for entry in list.split(',') {
        let why = match entry {
            "" => Some(format!("addr_match_cidr_list: empty entry in list \"{list}\"")),
            _ => check_cidr(entry).err(),
        };
        if let Some(why) = why {
            return Err(why);
        }
    }
    Ok(())
}

fn check_cidr(entry: &str) -> Result<(), String> {
    let (address, mask) = match entry.split_once('/') {
        Some((address, mask)) => (address, Some(mask)),
        None => (entry, None),
    };
    let invalid = || format!("Invalid network entry \"{entry}\"");
    let address: IpAddr = address.parse().map_err(|_| invalid())?;
    let width = if address.is_ipv4() { 32 } else { 128 };
    let mask = match mask {
        None => width,
        Some(text) if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) && text.len() <= 3 => {
            text.parse::<u32>().map_err(|_| invalid())?
        }
        Some(_) => return Err(invalid()),
    };
    if mask > width {
        return Err(invalid());
    }
    let bits = match address {
        IpAddr::V4(v4) => u128::from(u32::from(v4)) << 96,
        IpAddr::V6(v6) => u128::from(v6),
    };
    let host_bits = bits.checked_shl(mask).unwrap_or(0);
    if host_bits != 0 {
        return Err(format!("Inconsistent mask length for network \"{entry}\""));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(options: &[CertOption]) -> Vec<&str> {
        options.iter().map(|(name, _)| name.as_str()).collect()
    }

    #[test]
    fn user_defaults_and_flags_as_ssh_keygen() {
        let (critical, extensions) = CertOptions::new(false).finish().unwrap();
        assert!(critical.is_empty());
        assert_eq!(
            names(&extensions),
            [
                "permit-X11-forwarding",
                "permit-agent-forwarding",
                "permit-port-forwarding",
                "permit-pty",
                "permit-user-rc"
            ]
        );
        let mut options = CertOptions::new(false);
        for option in ["no-pty", "NO-USER-RC", "verify-required", "force-command=/bin/true"] {
            options.add(option).unwrap();
        }
        options.add("source-address=10.0.0.0/8,::1").unwrap();
        options.add("extension:login@example.com=alice").unwrap();
        let (critical, extensions) = options.finish().unwrap();
        assert_eq!(names(&critical), ["force-command", "source-address", "verify-required"]);
        assert_eq!(extensions.first().map(|e| e.0.as_str()), Some("login@example.com"));
        assert!(!names(&extensions).contains(&"permit-pty"));
        let (_, host) = CertOptions::new(true).finish().unwrap();
        assert!(host.is_empty());
    }

    #[test]
    fn refusals_in_openssh_words() {
        let mut options = CertOptions::new(false);
        let message = |options: &mut CertOptions, text: &str| options.add(text).unwrap_err().to_string();
        assert_eq!(message(&mut options, "bogus"), "Unsupported certificate option \"bogus\"");
        assert_eq!(message(&mut options, "force-command="), "Empty force-command option");
        options.add("force-command=x").unwrap();
        assert_eq!(message(&mut options, "force-command=y"), "force-command already specified");
        for bad in ["10.0.0.1/8", "10.0.0.0/33", "host.example", "10.0.0.0/8,", "1.2.3.4/"] {
            assert!(check_cidr_list(bad).is_err(), "{bad}");
        }
        for good in ["10.0.0.0/8", "127.0.0.1", "::1/128", "0.0.0.0/0", "fe80::/10"] {
            assert_eq!(check_cidr_list(good), Ok(()), "{good}");
        }
        options.add("extension:permit-pty").unwrap();
        assert_eq!(options.finish().unwrap_err(), SpecError::Duplicate("permit-pty".into()));
    }
}
