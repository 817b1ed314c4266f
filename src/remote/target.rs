//! Copy-id targets as users type them: `[user@]host[:port]`, `ssh://[user@]host[:port]`,
//! `[host]:port` for IPv6, or a Host alias of the ssh config.

use crate::error::{Error, Result};

/// A target before the ssh config has been applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// As given, for messages.
    pub text: String,
    pub user: Option<String>,
    /// Host name, address or config alias (no brackets).
    pub host: String,
    pub port: Option<u16>,
}

impl Target {
    /// Parses one target.
    ///
    /// # Errors
    /// An empty host, a bad port, or an unbalanced bracket.
    pub fn parse(text: &str) -> Result<Self> {
        let invalid =
            |reason: &str| Error::InvalidHost { host: text.to_string(), reason: reason.to_string() };
        let rest = text.strip_prefix("ssh://").map(|r| r.trim_end_matches('/')).unwrap_or(text);
        let (user, address) = match rest.rsplit_once('@') {
            Some((user, address)) if !user.is_empty() => (Some(user.to_string()), address),
            Some(_) => return Err(invalid("the user before @ is empty")),
            None => (None, rest),
        };
        let (host, port) = split_host_port(address).map_err(invalid)?;
        if host.is_empty() || host.chars().any(char::is_whitespace) {
            return Err(invalid("expected [user@]host[:port]"));
        }
        Ok(Target { text: text.to_string(), user, host: host.to_string(), port })
    }
}

fn split_host_port(address: &str) -> std::result::Result<(&str, Option<u16>), &'static str> {
    let port = |text: &str| text.parse::<u16>().ok().filter(|&p| p != 0).ok_or("the port must be 1-65535");
    if let Some(rest) = address.strip_prefix('[') {
        let (host, after) = rest.split_once(']').ok_or("missing ']'")?;
        return match after.strip_prefix(':') {
            Some(p) => Ok((host, Some(port(p)?))),
            None if after.is_empty() => Ok((host, None)),
            None => Err("expected ':' after ']'"),
        };
    }
    match address.split_once(':') {
        // More than one colon is an IPv6 address without a port.
        Some((host, p)) if !p.contains(':') => Ok((host, Some(port(p)?))),
        _ => Ok((address, None)),
    }
}

/// Targets listed in a file: one per line, blank lines and `#` comments skipped.
///
/// # Errors
/// A line that is not a valid target (named by line number).
pub fn parse_list(name: &str, text: &str) -> Result<Vec<Target>> {
    let mut targets = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let line = line.split('#').next().unwrap_or_default().trim();
        if line.is_empty() {
            continue;
        }
        // The line's place goes before the host, so "not a valid host" is said once.
        targets.push(Target::parse(line).map_err(|e| match e {
            Error::InvalidHost { host, reason } => {
                Error::InvalidHost { host: format!("{name}:{}: {host}", number + 1), reason }
            }
            other => other,
        })?);
    }
    Ok(targets)
}

/// Where a command's targets come from: arguments, a `--hosts-file`, an Ansible
/// `--inventory` (narrowed by `--limit`).
#[derive(Debug, Default, Clone, Copy)]
pub struct Sources<'a> {
    pub targets: &'a [String],
    /// One target per line; `-` is standard input.
    pub hosts_file: Option<&'a std::path::Path>,
    /// An Ansible inventory, INI or YAML.
    pub inventory: Option<&'a std::path::Path>,
    /// Ansible's `--limit`: groups or hosts of the inventory.
    pub limit: Option<&'a str>,
}

/// Every target of a command, in order: the arguments, then the hosts file's, then the
/// inventory's. This is the one place target lists are read (copy-id and the
/// authorized-keys commands share it).
///
/// # Errors
/// An invalid target, an unreadable file or inventory, a `--limit` that names nothing,
/// or no target at all.
pub fn collect(sources: Sources<'_>) -> Result<Vec<Target>> {
    let mut targets = sources.targets.iter().map(|t| Target::parse(t)).collect::<Result<Vec<_>>>()?;
    if let Some(file) = sources.hosts_file {
        let (name, text) = read_list(file, "a hosts file")?;
        targets.extend(parse_list(&name, &text)?);
    }
    if let Some(file) = sources.inventory {
        let (_, text) = read_list(file, "an Ansible inventory")?;
        let inventory = super::inventory::Inventory::parse(file, &text)?;
        targets.extend(inventory.targets(sources.limit)?);
    }
    if targets.is_empty() {
        return Err(Error::NoTargets);
    }
    Ok(targets)
}

/// A list's name for messages and its text; `-` reads standard input. A pipe is
/// accepted (an inventory script's output as `--hosts-file <(…)`).
fn read_list(file: &std::path::Path, what: &'static str) -> Result<(String, String)> {
    if file.to_str() == Some("-") {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin().lock(), &mut text)
            .map_err(|e| Error::io(file, e))?;
        return Ok(("(stdin)".to_string(), text));
    }
    let expect = crate::fsutil::Expect { what, accept: crate::fsutil::Accept::Pipe };
    let bytes = crate::fsutil::read_capped(file, 16 << 20, expect)?;
    Ok((file.display().to_string(), String::from_utf8_lossy(&bytes).into_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(text: &str) -> (Option<String>, String, Option<u16>) {
        let t = Target::parse(text).unwrap();
        (t.user, t.host, t.port)
    }

    #[test]
    fn forms() {
        assert_eq!(parts("host"), (None, "host".into(), None));
        assert_eq!(parts("alice@host:2222"), (Some("alice".into()), "host".into(), Some(2222)));
        assert_eq!(parts("ssh://bob@10.0.0.1:22/"), (Some("bob".into()), "10.0.0.1".into(), Some(22)));
        assert_eq!(parts("[::1]:2200"), (None, "::1".into(), Some(2200)));
        assert_eq!(parts("fe80::1"), (None, "fe80::1".into(), None));
        assert_eq!(parts("a@b@host"), (Some("a@b".into()), "host".into(), None));
        for bad in ["", "@host", "host:0", "host:x", "[::1", "user@"] {
            assert!(Target::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn lists_skip_comments() {
        let list = parse_list("f", "# fleet\nweb1\n\n  alice@web2:2200  # note\n").unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(list[1].port, Some(2200));
        let error = parse_list("f", "ok\nbad:port\n").unwrap_err().to_string();
        assert_eq!(error, "f:2: bad:port: not a valid host: the port must be 1-65535");
    }
}
