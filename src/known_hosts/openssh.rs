//! ssh-keygen 9.2's own pass over a known_hosts file (`-F`, `-R`, `-H` and their
//! combinations), for the ssh-keygen front, whose output files must be the ones
//! ssh-keygen writes. Its rules differ from keywright's edits ([`super::edit`]) on purpose,
//! and are kept apart so that neither bends the other:
//! - `-R` deletes every line that names the host, a wildcard pattern or a line listing
//!   other hosts included (keywright's `remove` takes out only that host);
//! - any line OpenSSH calls invalid stops `-R` and `-H` from writing the file at all;
//! - every line is written back followed by `\n` (a last line without one gains it), and
//!   ends at a NUL byte, as C strings do;
//! - `-H` stops at the first empty name of a list (`,a` loses the whole line) and writes
//!   every line again even when nothing was left to hash;
//! - names are matched in lower case against patterns, but hashed as given (so `-F HOST`
//!   does not find a hashed `host`).
//!
//! Measured against /usr/bin/ssh-keygen 9.2 (tests/cli/ssh_keygen); the walk follows
//! `hostkeys_foreach` as [`super::line`] does.

use ssh_key::public::KeyData;

use super::line::{Marker, is_key_type};
use super::pattern::{FIELD_LEN, HashedName, ListMatch, Salts, match_list};
use crate::error::{Error, Result};
use crate::key::text::{is_blank, read_key, skip_blanks};

/// What the pass does: ssh-keygen's `-F`, `-R`, `-H` and `-l` as given together.
#[derive(Debug, Clone, Copy, Default)]
pub struct Pass<'h> {
    /// The host of `-F` or `-R` (the last given), as typed.
    pub host: Option<&'h [u8]>,
    /// `-F`: print the host's lines.
    pub find: bool,
    /// `-R`: leave the host's lines out.
    pub delete: bool,
    /// `-H`: hash plain names.
    pub hash: bool,
    /// `-l` with `-F`: the found lines' keys, for fingerprints (a line whose key does not
    /// decode is then invalid).
    pub keys: bool,
}

/// One step of the pass, in file order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event<'a> {
    /// A line for the host: found by `-F`, or deleted by `-R`.
    Found { number: usize, marker: Option<Marker> },
    /// A line of output (without its newline): the new file for `-R`/`-H`, stdout for `-F`.
    Line(Vec<u8>),
    /// A line of output taken unchanged from the file (without its newline).
    Kept(&'a [u8]),
    /// `-F -l`: the found line's key and the comment after it.
    Key { key: KeyData, comment: &'a [u8] },
    /// A line OpenSSH rejects (reported by `-R` and `-H`).
    Invalid { number: usize },
    /// A line with a marker OpenSSH does not know (told at its verbose level, by every
    /// pass; `-F` then skips the line, the others call it invalid).
    BadMarker { number: usize },
    /// `-H`: a host field with wildcards, which cannot be hashed and stays in clear.
    Wildcard { number: usize, hosts: &'a [u8] },
}

/// How the pass ended.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Outcome {
    /// A line for the host was found.
    pub found: bool,
    /// Some line was invalid: `-R`/`-H` must not write.
    pub invalid: bool,
    /// Some plain name was hashed (the old file still holds it in clear).
    pub hashed: bool,
}

/// Walks `data` (the file's contents) as ssh-keygen does for `pass`, giving each step to
/// `sink` in order.
///
/// # Errors
/// The random source for the salts failed.
pub fn walk<'a>(data: &'a [u8], pass: &Pass<'_>, sink: &mut dyn FnMut(Event<'a>)) -> Result<Outcome> {
    let mut walker = Walker { pass, salts: Salts::new(), outcome: Outcome::default(), lower: None };
    walker.lower = pass.host.map(<[u8]>::to_ascii_lowercase);
    for (index, line) in split_lines(data).enumerate() {
        walker.line(index + 1, line, sink)?;
    }
    Ok(walker.outcome)
}

/// The lines as C's `getline` gives them: split at `\n`, a last line without one
/// included, each cut at a NUL byte.
fn split_lines(data: &[u8]) -> impl Iterator<Item = &[u8]> {
    let data = data.strip_suffix(b"\n").unwrap_or(data);
    let lines = (!data.is_empty()).then(|| data.split(|&b| b == b'\n'));
    lines.into_iter().flatten().map(crate::key::scan::c_string)
}

/// A line as `hostkeys_foreach` classifies it.
enum Status<'a> {
    Comment,
    Invalid,
    Entry { fields: Fields<'a>, matched: bool },
}

/// An entry's fields, borrowed from its line.
#[derive(Clone, Copy)]
struct Fields<'a> {
    marker: Option<Marker>,
    hosts: &'a [u8],
    /// From the key type to the end of the line.
    rawkey: &'a [u8],
}

struct Walker<'p, 'h> {
    pass: &'p Pass<'h>,
    salts: Salts,
    outcome: Outcome,
    /// The host in lower case, for patterns (hashed names are compared as typed).
    lower: Option<Vec<u8>>,
}

impl<'a> Walker<'_, '_> {
    fn line(&mut self, number: usize, line: &'a [u8], sink: &mut dyn FnMut(Event<'a>)) -> Result<()> {
        if has_bad_marker(line) {
            sink(Event::BadMarker { number });
        }
        match self.classify(line) {
            // -F looks only at the host's lines; comments and blank lines are not its.
            None => Ok(()),
            Some(Status::Comment) => {
                if !self.pass.find {
                    sink(Event::Kept(line));
                }
                Ok(())
            }
            Some(Status::Invalid) => {
                if !self.pass.find {
                    self.outcome.invalid = true;
                    sink(Event::Invalid { number });
                    sink(Event::Kept(line));
                }
                Ok(())
            }
            Some(Status::Entry { fields, matched }) if self.pass.find || !self.pass.hash => {
                self.find_or_delete(number, line, fields, matched, sink)
            }
            Some(Status::Entry { fields, .. }) => self.hash_line(number, line, fields, sink),
        }
    }

    /// ssh-keygen's `known_hosts_find_delete`.
    fn find_or_delete(
        &mut self,
        number: usize,
        line: &'a [u8],
        fields: Fields<'a>,
        matched: bool,
        sink: &mut dyn FnMut(Event<'a>),
    ) -> Result<()> {
        if !matched {
            if self.pass.delete {
                sink(Event::Kept(line));
            }
            return Ok(());
        }
        if self.pass.delete {
            // Marker lines apply to more than this host: they stay.
            if fields.marker.is_some() {
                sink(Event::Kept(line));
            } else {
                self.outcome.found = true;
                sink(Event::Found { number, marker: None });
            }
            return Ok(());
        }
        self.outcome.found = true;
        sink(Event::Found { number, marker: fields.marker });
        if self.pass.hash {
            return self.hash_line(number, line, fields, sink);
        }
        match (self.pass.keys, read_key(fields.rawkey)) {
            (true, Some((key, comment))) => sink(Event::Key { key, comment }),
            _ => sink(Event::Kept(line)),
        }
        Ok(())
    }

    /// ssh-keygen's `known_hosts_hash` for a valid entry.
    fn hash_line(
        &mut self,
        number: usize,
        line: &'a [u8],
        fields: Fields<'a>,
        sink: &mut dyn FnMut(Event<'a>),
    ) -> Result<()> {
        let wild = fields.hosts.iter().any(|b| matches!(b, b'*' | b'?' | b'!'));
        if fields.hosts.first() == Some(&b'|') || wild || fields.marker.is_some() {
            sink(Event::Kept(line));
            if wild && !self.pass.find {
                sink(Event::Wildcard { number, hosts: fields.hosts });
            }
            return Ok(());
        }
        // One line per name, up to the first empty one (ssh-keygen's strsep loop).
        for name in fields.hosts.split(|&b| b == b',').take_while(|name| !name.is_empty()) {
            let salt = self
                .salts
                .take()
                .map_err(|e| Error::Crypto { what: "hashing a host name", reason: e.to_string() })?;
            let mut field = [0u8; FIELD_LEN];
            let mut out = HashedName::with_salt(salt, name).write_field(&mut field).to_vec();
            out.push(b' ');
            out.extend_from_slice(fields.rawkey);
            sink(Event::Line(out));
            self.outcome.hashed = true;
        }
        Ok(())
    }

    /// `hostkeys_foreach`'s view of a line; `None` for a line `-F` skips.
    fn classify(&self, line: &'a [u8]) -> Option<Status<'a>> {
        let start = skip_blanks(line);
        if start.is_empty() || start[0] == b'#' {
            return (!self.pass.find).then_some(Status::Comment);
        }
        let Some((marker, at_hosts)) = marker(start) else {
            return (!self.pass.find).then_some(Status::Invalid);
        };
        let hosts_len = at_hosts.iter().position(|&b| is_blank(b)).unwrap_or(at_hosts.len());
        let hosts = &at_hosts[..hosts_len];
        let matched = match self.matches(hosts) {
            Some(matched) => matched,
            None => return Some(Status::Invalid),
        };
        if self.pass.find && !matched {
            return None;
        }
        // ssh-keygen cuts the host field off with a NUL where its blank was.
        let after = at_hosts.get(hosts_len + 1..).unwrap_or_default();
        let rawkey = skip_blanks(after);
        if rawkey.is_empty() || rawkey[0] == b'#' || !self.key_is_valid(rawkey) {
            return Some(Status::Invalid);
        }
        Some(Status::Entry { fields: Fields { marker, hosts, rawkey }, matched })
    }

    /// Whether the host field names the host; `None` for a hashed field that does not
    /// decode (the line is then invalid). Without a host nothing matches.
    fn matches(&self, hosts: &[u8]) -> Option<bool> {
        let (Some(host), Some(lower)) = (self.pass.host, &self.lower) else { return Some(false) };
        if hosts.first() == Some(&b'|') {
            return hashed_match(hosts, host);
        }
        Some(match_list(lower, hosts) == ListMatch::Positive)
    }

    /// The key part as `hostkeys_foreach` checks it: decoded when keys are wanted,
    /// otherwise a known type name followed by something.
    fn key_is_valid(&self, rawkey: &[u8]) -> bool {
        if self.pass.keys {
            return read_key(rawkey).is_some();
        }
        let type_len = rawkey.iter().position(|&b| is_blank(b)).unwrap_or(rawkey.len());
        if type_len <= 1 || type_len >= 128 || type_len == rawkey.len() || !is_key_type(&rawkey[..type_len]) {
            return false;
        }
        let rest = skip_blanks(&rawkey[type_len..]);
        !rest.is_empty() && rest[0] != b'#'
    }
}

/// A hashed host field against the host, as `match_maybe_hashed` compares them: only
/// the salt must decode (20 bytes, or the line is invalid); the field then names the host
/// if it is exactly the host's hash with that salt.
fn hashed_match(hosts: &[u8], host: &[u8]) -> Option<bool> {
    let rest = hosts.strip_prefix(b"|1|")?;
    let salt = &rest[..rest.iter().position(|&b| b == b'|')?];
    if salt.is_empty() || salt.len() > 1024 {
        return None;
    }
    match data_encoding::BASE64.decode(salt) {
        Ok(bytes) if bytes.len() == super::pattern::HASH_LEN => {}
        _ => return None,
    }
    Some(HashedName::parse(hosts).is_some_and(|hashed| hashed.matches(host)))
}

/// Whether the line's first word is a marker OpenSSH rejects.
fn has_bad_marker(line: &[u8]) -> bool {
    let start = skip_blanks(line);
    !start.is_empty() && start[0] != b'#' && marker(start).is_none()
}

/// OpenSSH's `check_markers` on a line starting at its first word: the marker and the
/// text from the host field on; `None` for an invalid marker.
fn marker(start: &[u8]) -> Option<(Option<Marker>, &[u8])> {
    if start.first() != Some(&b'@') {
        return Some((None, start));
    }
    // OpenSSH looks for the first space anywhere after the marker, then a tab.
    let end = start.iter().position(|&b| b == b' ').or_else(|| start.iter().position(|&b| b == b'\t'))?;
    let marker = match &start[..end] {
        b"@cert-authority" => Marker::CertAuthority,
        b"@revoked" => Marker::Revoked,
        _ => return None,
    };
    let rest = skip_blanks(&start[end..]);
    // A second marker makes the line invalid.
    (rest.first() != Some(&b'@')).then_some((Some(marker), rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGIrVZlC1iPIHCa8aMN6tFuV5UtyIYE6mjoM3htErex4";

    fn run(data: &str, pass: Pass<'_>) -> (Vec<String>, Outcome) {
        let mut seen = Vec::new();
        let outcome = walk(data.as_bytes(), &pass, &mut |event| {
            seen.push(match event {
                Event::Found { number, marker } => format!("found {number} {marker:?}"),
                Event::Line(line) => format!("line {}", String::from_utf8_lossy(&line)),
                Event::Kept(line) => format!("kept {}", String::from_utf8_lossy(line)),
                Event::Key { comment, .. } => format!("key {}", String::from_utf8_lossy(comment)),
                Event::Invalid { number } => format!("invalid {number}"),
                Event::BadMarker { number } => format!("marker {number}"),
                Event::Wildcard { number, .. } => format!("wild {number}"),
            })
        })
        .unwrap();
        (seen, outcome)
    }

    #[test]
    fn delete_takes_whole_lines_wildcards_included_and_keeps_markers() {
        let data = format!("# c\na,b {KEY}\nx* {KEY}\n@revoked a {KEY}\nc {KEY}");
        let (seen, outcome) = run(&data, Pass { host: Some(b"A"), delete: true, ..Pass::default() });
        assert_eq!(
            seen,
            [
                "kept # c".to_string(),
                "found 2 None".into(),
                format!("kept x* {KEY}"),
                format!("kept @revoked a {KEY}"),
                format!("kept c {KEY}"),
            ]
        );
        assert!(outcome.found && !outcome.invalid);
        let (seen, _) = run(&data, Pass { host: Some(b"xy"), delete: true, ..Pass::default() });
        assert_eq!(seen[2], "found 3 None");
    }

    #[test]
    fn invalid_lines_are_reported_by_rewrites_only() {
        let data = format!("bad\na {KEY}\n@bogus a {KEY}\n");
        let (seen, outcome) = run(&data, Pass { hash: true, ..Pass::default() });
        assert!(outcome.invalid);
        assert_eq!(seen.iter().filter(|s| s.starts_with("invalid")).count(), 2);
        let (seen, outcome) = run(&data, Pass { host: Some(b"a"), find: true, ..Pass::default() });
        assert_eq!(seen, ["found 2 None".to_string(), format!("kept a {KEY}"), "marker 3".into()]);
        assert!(!outcome.invalid);
    }

    #[test]
    fn hashing_stops_at_an_empty_name_and_keeps_patterns() {
        let data = format!("a,,b {KEY}\n,c {KEY}\nw* {KEY}\n");
        let (seen, outcome) = run(&data, Pass { hash: true, ..Pass::default() });
        assert_eq!(seen.len(), 3, "{seen:?}");
        assert!(seen[0].starts_with("line |1|") && seen[0].ends_with(KEY));
        assert_eq!(seen[1], format!("kept w* {KEY}"));
        assert_eq!(seen[2], "wild 3");
        assert!(outcome.hashed);
    }

    /// Regression: a hashed field whose digest is not canonical base64 (but whose salt
    /// is) made the whole file invalid; ssh-keygen only decodes the salt.
    #[test]
    fn only_the_salt_of_a_hashed_field_must_decode() {
        let data =
            format!("|1|AAAAAAAAAAAAAAAAAAAAAAAAAAA=|BBBBBBBBBBBBBBBBBBBBBBBBBBB= {KEY}\n|1|x|y {KEY}\n");
        let (seen, outcome) = run(&data, Pass { host: Some(b"h"), delete: true, ..Pass::default() });
        assert_eq!(
            seen[0],
            format!("kept |1|AAAAAAAAAAAAAAAAAAAAAAAAAAA=|BBBBBBBBBBBBBBBBBBBBBBBBBBB= {KEY}")
        );
        assert_eq!(seen[1], "invalid 2");
        assert!(outcome.invalid);
    }

    #[test]
    fn hashed_names_are_compared_as_typed() {
        let hashed = HashedName::new(b"host").unwrap().to_field();
        let data = format!("{hashed} {KEY}\n");
        for (host, found) in [(&b"host"[..], true), (b"HOST", false)] {
            let (_, outcome) = run(&data, Pass { host: Some(host), find: true, ..Pass::default() });
            assert_eq!(outcome.found, found);
        }
    }
}
