//! The host a user asks about, normalised to the name OpenSSH looks up: lower case,
//! and `[host]:port` for any port but 22 (OpenSSH's `put_host_port`).

use crate::error::{Error, Result};

/// A host to find, add or remove.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostQuery {
    /// How to show it: as typed, or the bracketed form when a port was given apart.
    pub display: String,
    /// The lower-case lookup name.
    pub lookup: String,
}

impl HostQuery {
    /// Accepts `host`, `[host]:port`, `host:port` (one colon only, so IPv6 addresses stay
    /// whole) and a separate `port`.
    ///
    /// # Errors
    /// An empty host, a malformed bracket form, a bad port, or a port given twice.
    pub fn parse(host: &str, port: Option<u16>) -> Result<Self> {
        let invalid = |why: &str| Error::InvalidHost { host: host.to_string(), reason: why.to_string() };
        if host.is_empty() || host.chars().any(|c| c.is_whitespace() || c == ',') {
            return Err(invalid("a host name is one word without commas"));
        }
        if host.chars().any(char::is_control) {
            return Err(invalid("a host name has no control characters"));
        }
        let (name, inline_port) = split_port(host).map_err(&invalid)?;
        if name.is_empty() {
            return Err(invalid("the host name is empty"));
        }
        // A line starting with these is a comment, a marker, a hashed name or a negation,
        // so an entry for such a name could never be found again.
        if name.starts_with(['#', '@', '|', '!']) {
            return Err(invalid("a host name does not start with #, @, | or !"));
        }
        let port = match (inline_port, port) {
            (Some(_), Some(_)) => return Err(invalid("the port is given twice")),
            (inline, separate) => inline.or(separate).unwrap_or(22),
        };
        let lookup = match port {
            22 => name.to_lowercase(),
            _ => format!("[{}]:{port}", name.to_lowercase()),
        };
        let display = if inline_port.is_none() && port == 22 || host.starts_with('[') {
            host.to_string()
        } else {
            lookup.clone()
        };
        Ok(HostQuery { display, lookup })
    }
}

fn split_port(host: &str) -> std::result::Result<(&str, Option<u16>), &'static str> {
    let parse_port =
        |text: &str| text.parse::<u16>().ok().filter(|&p| p != 0).ok_or("the port must be 1-65535");
    if let Some(rest) = host.strip_prefix('[') {
        let (name, after) = rest.split_once(']').ok_or("missing ']'")?;
        return match after {
            "" => Ok((name, None)),
            _ => Ok((name, Some(parse_port(after.strip_prefix(':').ok_or("expected ':' after ']'")?)?))),
        };
    }
    match host.matches(':').count() {
        1 => {
            let (name, port) = host.split_once(':').ok_or("bad port")?;
            Ok((name, Some(parse_port(port)?)))
        }
        _ => Ok((host, None)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lookup(host: &str, port: Option<u16>) -> String {
        HostQuery::parse(host, port).unwrap().lookup
    }

    #[test]
    fn forms() {
        assert_eq!(lookup("Host.Example.com", None), "host.example.com");
        assert_eq!(lookup("host:2222", None), "[host]:2222");
        assert_eq!(lookup("[host]:2222", None), "[host]:2222");
        assert_eq!(lookup("host", Some(2222)), "[host]:2222");
        assert_eq!(lookup("host:22", None), "host");
        assert_eq!(lookup("[host]:22", None), "host");
        assert_eq!(lookup("::1", None), "::1");
        assert_eq!(lookup("::1", Some(2200)), "[::1]:2200");
        assert_eq!(lookup("[::1]:2200", None), "[::1]:2200");
        assert!(HostQuery::parse("host:2222", Some(1)).is_err());
        assert!(HostQuery::parse("host:x", None).is_err());
        for unfindable in
            ["[|]:22", "[#a]", "[]", "[]:2222", ":22", "a\0b", "a\x7fb", "#host", "@revoked", "|1|x", "!host"]
        {
            assert!(HostQuery::parse(unfindable, None).is_err(), "{unfindable:?}");
        }
        assert!(HostQuery::parse("a,b", None).is_err());
        assert_eq!(HostQuery::parse("host", Some(2222)).unwrap().display, "[host]:2222");
        assert_eq!(HostQuery::parse("HOST", None).unwrap().display, "HOST");
    }
}
