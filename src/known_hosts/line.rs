//! One known_hosts line, split as OpenSSH's `hostkeys_foreach` splits it:
//! `[@marker] hosts keytype base64 [comment]`.

use ssh_key::public::KeyData;

use crate::key::text::{diagnose, is_blank, read_key, skip_blanks};

/// A line's marker.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Marker {
    /// `@cert-authority`: the key is a CA for host certificates of the hosts.
    CertAuthority,
    /// `@revoked`: the key must never be accepted.
    Revoked,
}

impl Marker {
    /// As written in the file.
    pub fn keyword(self) -> &'static str {
        match self {
            Marker::CertAuthority => "@cert-authority",
            Marker::Revoked => "@revoked",
        }
    }

    /// As `ssh-keygen -F` tags it.
    pub fn tag(self) -> &'static str {
        match self {
            Marker::CertAuthority => "CA",
            Marker::Revoked => "REVOKED",
        }
    }
}

/// A host line's fields, borrowed from the line.
#[derive(Debug, Clone, Copy)]
pub struct HostLine<'a> {
    /// The marker, if any.
    pub marker: Option<Marker>,
    /// The host field: comma-separated patterns, or one `|1|salt|hash`.
    pub hosts: &'a [u8],
    /// Where the host field starts in the line.
    pub hosts_at: usize,
    /// The key type name (first word after the hosts).
    pub key_type: &'a [u8],
    /// From the key type to the end of the line (key, comment, and a `\r` if any).
    pub rawkey: &'a [u8],
}

/// What a line is.
#[derive(Debug, Clone, Copy)]
pub enum Line<'a> {
    /// Empty, blanks only, or a `#` comment.
    Blank,
    /// A host key entry.
    Entry(HostLine<'a>),
    /// A line OpenSSH rejects, and why.
    Invalid(&'static str),
}

/// Whether OpenSSH 9.2 knows `name` as a key type: a full name, or (as
/// `hostkeys_foreach` also accepts) a short name like RSA or ED25519 in any case.
pub fn is_key_type(name: &[u8]) -> bool {
    matches!(
        name,
        b"ssh-ed25519"
            | b"ssh-ed25519-cert-v01@openssh.com"
            | b"sk-ssh-ed25519@openssh.com"
            | b"sk-ssh-ed25519-cert-v01@openssh.com"
            | b"ecdsa-sha2-nistp256"
            | b"ecdsa-sha2-nistp384"
            | b"ecdsa-sha2-nistp521"
            | b"ecdsa-sha2-nistp256-cert-v01@openssh.com"
            | b"ecdsa-sha2-nistp384-cert-v01@openssh.com"
            | b"ecdsa-sha2-nistp521-cert-v01@openssh.com"
            | b"sk-ecdsa-sha2-nistp256@openssh.com"
            | b"sk-ecdsa-sha2-nistp256-cert-v01@openssh.com"
            | b"ssh-rsa"
            | b"rsa-sha2-256"
            | b"rsa-sha2-512"
            | b"ssh-rsa-cert-v01@openssh.com"
            | b"rsa-sha2-256-cert-v01@openssh.com"
            | b"rsa-sha2-512-cert-v01@openssh.com"
            | b"ssh-dss"
            | b"ssh-dss-cert-v01@openssh.com"
    ) || SHORT_TYPES.iter().any(|short| short.eq_ignore_ascii_case(name))
}

const SHORT_TYPES: &[&[u8]] = &[b"rsa", b"dsa", b"ecdsa", b"ed25519", b"ecdsa-sk", b"ed25519-sk"];

/// Just the host field of an entry line (`None` for blank, comment or bad-marker lines),
/// found without checking the rest of the line: the fast first look of whole-file
/// searches, which [`parse`] only the lines that match.
pub fn host_field(line: &[u8]) -> Option<&[u8]> {
    let line = crate::key::scan::c_string(line);
    let (_, hosts_at) = markers(line, first_word(line)?)?;
    Some(&line[hosts_at..word_end(line, hosts_at)])
}

/// Where the line's first word starts; `None` for a blank line or a `#` comment.
fn first_word(line: &[u8]) -> Option<usize> {
    let start = line.len() - skip_blanks(line).len();
    (start < line.len() && line[start] != b'#').then_some(start)
}

/// Where the word starting at `at` ends: at the next space or tab, or the line's end.
fn word_end(line: &[u8], at: usize) -> usize {
    memchr::memchr2(b' ', b'\t', &line[at..]).map_or(line.len(), |len| at + len)
}

/// Splits one line (without its `\n`). Text after a NUL byte is ignored, as OpenSSH's
/// C strings ignore it.
pub fn parse(line: &[u8]) -> Line<'_> {
    let line = crate::key::scan::c_string(line);
    let Some(start) = first_word(line) else { return Line::Blank };
    let Some((marker, hosts_at)) = markers(line, start) else { return Line::Invalid("invalid marker") };
    let hosts_end = word_end(line, hosts_at);
    let rawkey = skip_blanks(&line[hosts_end..]);
    if rawkey.is_empty() || rawkey[0] == b'#' {
        return Line::Invalid("no key after the host names");
    }
    let type_len = rawkey.iter().position(|&b| is_blank(b)).unwrap_or(rawkey.len());
    let key_type = &rawkey[..type_len];
    if type_len <= 1 || type_len >= 128 || type_len == rawkey.len() || !is_key_type(key_type) {
        return Line::Invalid("unknown key type");
    }
    let after_type = skip_blanks(&rawkey[type_len..]);
    if after_type.is_empty() || after_type[0] == b'#' {
        return Line::Invalid("no key after the key type");
    }
    Line::Entry(HostLine { marker, hosts: &line[hosts_at..hosts_end], hosts_at, key_type, rawkey })
}

/// OpenSSH's `check_markers`: at most one `@marker`, ended by a blank. Returns the
/// marker and where the host field starts, or `None` for an invalid marker.
fn markers(line: &[u8], start: usize) -> Option<(Option<Marker>, usize)> {
    let mut at = start;
    let mut marker = None;
    while line.get(at) == Some(&b'@') {
        if marker.is_some() {
            return None;
        }
        // OpenSSH looks for the first space anywhere after the marker, then a tab.
        let rest = &line[at..];
        let end = rest.iter().position(|&b| b == b' ').or_else(|| rest.iter().position(|&b| b == b'\t'))?;
        marker = Some(match &rest[..end] {
            b"@cert-authority" => Marker::CertAuthority,
            b"@revoked" => Marker::Revoked,
            _ => return None,
        });
        at += end;
        at = line.len() - skip_blanks(&line[at..]).len();
    }
    Some((marker, at))
}

impl<'a> HostLine<'a> {
    /// Whether the host field is a hashed name.
    pub fn is_hashed(&self) -> bool {
        self.hosts.first() == Some(&b'|')
    }

    /// Whether the host field holds wildcards or negations (which cannot be hashed).
    pub fn has_pattern(&self) -> bool {
        self.hosts.iter().any(|b| matches!(b, b'*' | b'?' | b'!'))
    }

    /// The key and the comment after it, or why the key cannot be read.
    pub fn key(&self) -> Result<(KeyData, &'a [u8]), &'static str> {
        read_key(self.rawkey).ok_or_else(|| diagnose(self.rawkey))
    }

    /// The base64 key text (second word of `rawkey`), for comparing keys cheaply.
    pub fn key_text(&self) -> &'a [u8] {
        let after_type = skip_blanks(&self.rawkey[self.key_type.len()..]);
        let end = memchr::memchr2(b' ', b'\t', after_type).unwrap_or(after_type.len());
        &after_type[..end]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGIrVZlC1iPIHCa8aMN6tFuV5UtyIYE6mjoM3htErex4";

    fn entry(line: &str) -> HostLine<'_> {
        match parse(line.as_bytes()) {
            Line::Entry(entry) => entry,
            other => panic!("{line}: {other:?}"),
        }
    }

    #[test]
    fn fields() {
        let line = format!("@revoked \t a,b {KEY} comment");
        let e = entry(&line);
        assert_eq!(e.marker, Some(Marker::Revoked));
        assert_eq!(e.hosts, b"a,b");
        assert_eq!(e.key_type, b"ssh-ed25519");
        assert!(e.rawkey.ends_with(b" comment"));
        assert_eq!(e.key().unwrap().1, b"comment");
        assert_eq!(&line.as_bytes()[e.hosts_at..e.hosts_at + 3], b"a,b");
    }

    #[test]
    fn what_openssh_rejects() {
        // OpenSSH ends a marker at the first space, so a tab after it breaks the line.
        for bad in [
            "@revoked\ta ".to_string() + KEY,
            "@bogus host ".to_string() + KEY,
            "@revoked @revoked h ".to_string() + KEY,
            "host".into(),
            "host # x".into(),
            "host ssh-ed25519".into(),
            "host ssh-ed25519 # nothing".into(),
            "host 1024 35 1234".into(),
            "host x AAAA".into(),
        ] {
            assert!(matches!(parse(bad.as_bytes()), Line::Invalid(_)), "{bad}");
        }
        for blank in ["", "   ", "# comment", "\t# x"] {
            assert!(matches!(parse(blank.as_bytes()), Line::Blank), "{blank}");
        }
    }

    #[test]
    fn host_field_is_found_as_parse_finds_it() {
        let entry_line = format!("@revoked \t a,b {KEY} comment");
        assert_eq!(host_field(entry_line.as_bytes()), Some(entry(&entry_line).hosts));
        // The rest of the line is not checked; text after a NUL is not there.
        for (line, hosts) in [("|1|abc|def\tx", "|1|abc|def"), ("hostonly", "hostonly"), ("  h\0ost k", "h")]
        {
            assert_eq!(host_field(line.as_bytes()), Some(hosts.as_bytes()), "{line:?}");
        }
        for none in ["", "  ", "# x", "@bogus host ssh-ed25519 AAAA", "\0host ssh-ed25519 AAAA"] {
            assert_eq!(host_field(none.as_bytes()), None, "{none:?}");
        }
    }

    #[test]
    fn short_type_names_are_accepted_like_openssh() {
        assert!(matches!(parse(b"host RSA AAAA"), Line::Entry(_)));
        assert!(matches!(parse(b"host ed25519 AAAA"), Line::Entry(_)));
    }
}
