//! The edits. Each takes the file and returns its new contents and what changed; every
//! line an edit does not mean to change is copied byte for byte (comments, blank lines,
//! invalid lines, CRLF endings, a last line without newline).

use ssh_key::public::KeyData;

use super::file::{KnownHosts, LineRef, par_chunks};
use super::line::{self, HostLine, Line, Marker};
use super::pattern::{FIELD_LEN, HashedName, HostsMatch, ListMatch, Salts, match_hosts, match_list};
use crate::error::{Error, Result};

/// A line an edit left alone, and why the user should know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kept {
    pub number: usize,
    pub reason: KeptReason,
}

/// Why a line was kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeptReason {
    /// Host patterns with wildcards or negation (the host field as written).
    Pattern(Vec<u8>),
    /// A line OpenSSH rejects.
    Invalid(&'static str),
    /// A `@cert-authority` or `@revoked` line that names the host.
    Marker(Marker),
}

/// A file's new contents as spans of the old contents and new bytes, so that the lines
/// an edit leaves alone are written straight from the file as read, never copied.
#[derive(Debug, Clone)]
pub struct Rewrite<'a> {
    /// The file as read.
    old: &'a [u8],
    pieces: Vec<Piece>,
}

/// A run of lines kept from the file (by their byte range), or new bytes. Each new piece
/// grows by doubling from its first write: a fixed large first buffer would be allocated
/// again for every rewritten line between two kept ones.
#[derive(Debug, Clone)]
enum Piece {
    Old(std::ops::Range<usize>),
    New(Vec<u8>),
}

impl<'a> Rewrite<'a> {
    fn new(old: &'a [u8]) -> Self {
        Rewrite { old, pieces: Vec::new() }
    }

    /// Keeps a line as it is.
    fn keep(&mut self, line: &LineRef<'_>) {
        let range = line.start..line.start + line.full.len();
        match self.pieces.last_mut() {
            Some(Piece::Old(last)) if last.end == range.start => last.end = range.end,
            _ => self.pieces.push(Piece::Old(range)),
        }
    }

    /// Writes new bytes.
    fn write(&mut self, bytes: &[u8]) {
        match self.pieces.last_mut() {
            Some(Piece::New(last)) => last.extend_from_slice(bytes),
            _ => self.pieces.push(Piece::New(bytes.to_vec())),
        }
    }

    /// Adds the pieces of a later chunk of the same file.
    fn append(&mut self, other: Rewrite<'a>) {
        debug_assert!(std::ptr::eq(self.old, other.old), "a chunk of another file");
        self.pieces.extend(other.pieces);
    }

    /// The contents as slices, in order, for writing.
    pub fn parts(&self) -> Vec<&[u8]> {
        self.pieces
            .iter()
            .map(|piece| match piece {
                Piece::Old(range) => &self.old[range.clone()],
                Piece::New(bytes) => bytes.as_slice(),
            })
            .collect()
    }

    /// The contents in one buffer.
    pub fn to_vec(&self) -> Vec<u8> {
        self.parts().concat()
    }
}

/// What `hash` did.
#[derive(Debug)]
pub struct Hashed<'a> {
    pub content: Rewrite<'a>,
    /// How many lines had plain names hashed.
    pub hashed_lines: usize,
    pub kept: Vec<Kept>,
}

impl<'a> Hashed<'a> {
    fn new(data: &'a [u8]) -> Self {
        Hashed { content: Rewrite::new(data), hashed_lines: 0, kept: Vec::new() }
    }
}

/// Replaces every plain host name with its hash, one line per name, as `ssh-keygen -H`
/// does. Lines with patterns, markers or hashes already, and invalid lines, are kept.
///
/// # Errors
/// The random source for the salts failed.
pub fn hash(file: &KnownHosts) -> Result<Hashed<'_>> {
    let data = file.data();
    let chunks = par_chunks(data, |lines| {
        let mut out = Hashed::new(data);
        let mut salts = Salts::new();
        for line in lines {
            match line::parse(line.text) {
                Line::Entry(entry) if entry.has_pattern() && !entry.is_hashed() && entry.marker.is_none() => {
                    let hosts = entry.hosts.to_vec();
                    out.kept.push(Kept { number: line.number, reason: KeptReason::Pattern(hosts) });
                    out.content.keep(&line);
                }
                Line::Entry(entry) if !entry.is_hashed() && entry.marker.is_none() => {
                    match hash_entry(&mut out.content, &mut salts, &entry, &line)? {
                        true => out.hashed_lines += 1,
                        false => out.content.keep(&line),
                    }
                }
                Line::Invalid(why) => {
                    out.kept.push(Kept { number: line.number, reason: KeptReason::Invalid(why) });
                    out.content.keep(&line);
                }
                _ => out.content.keep(&line),
            }
        }
        Ok(out)
    });
    let mut all = Hashed::new(data);
    for chunk in chunks {
        let chunk = chunk?;
        all.content.append(chunk.content);
        all.hashed_lines += chunk.hashed_lines;
        all.kept.extend(chunk.kept);
    }
    Ok(all)
}

/// One line per name (lower-cased, hashed), each followed by the rest of the line;
/// `false`, writing nothing, when the host field holds no name at all (`,,`).
///
/// Empty names are skipped. ssh-keygen -H stops at the first one instead, so it drops
/// the names after it (`a,,b` keeps only `a`, and `,a` loses the whole entry) although
/// ssh matches them; we keep every name ssh would match.
fn hash_entry(
    out: &mut Rewrite<'_>,
    salts: &mut Salts,
    entry: &HostLine<'_>,
    line: &LineRef<'_>,
) -> Result<bool> {
    let ending = &line.full[line.text.len()..];
    let mut names = entry.hosts.split(|&b| b == b',').filter(|name| !name.is_empty()).peekable();
    if names.peek().is_none() {
        return Ok(false);
    }
    let mut field = [0u8; FIELD_LEN];
    while let Some(name) = names.next() {
        let salt =
            salts.take().map_err(|e| Error::Crypto { what: "hashing a host name", reason: e.to_string() })?;
        out.write(HashedName::with_salt(salt, name).write_field(&mut field));
        out.write(b" ");
        out.write(entry.rawkey);
        out.write(if names.peek().is_none() { ending } else { b"\n" });
    }
    Ok(true)
}

/// What `remove` may remove.
#[derive(Debug, Clone, Default)]
pub struct RemoveOptions {
    /// Also remove the host from `@cert-authority` and `@revoked` lines.
    pub markers: bool,
    /// Only entries with this key type.
    pub key_type: Option<KeyTypeFilter>,
}

/// What `remove` did.
#[derive(Debug)]
pub struct Removed<'a> {
    pub content: Rewrite<'a>,
    /// Lines deleted or rewritten without the name.
    pub touched: Vec<usize>,
    /// Lines that still apply to the host and were kept: wildcard patterns, markers.
    pub kept: Vec<Kept>,
}

impl<'a> Removed<'a> {
    fn new(data: &'a [u8]) -> Self {
        Removed { content: Rewrite::new(data), touched: Vec::new(), kept: Vec::new() }
    }
}

/// Removes `name` (a lower-case lookup name): a hashed line for it is deleted; on a line
/// listing several names only that name goes. Lines that match only through a wildcard
/// are kept, since they apply to other hosts too.
pub fn remove<'a>(file: &'a KnownHosts, name: &str, options: &RemoveOptions) -> Removed<'a> {
    let data = file.data();
    let chunks = par_chunks(data, |lines| {
        let mut out = Removed::new(data);
        for line in lines {
            remove_from_line(&mut out, &line, name, options);
        }
        out
    });
    let mut all = Removed::new(data);
    for chunk in chunks {
        all.content.append(chunk.content);
        all.touched.extend(chunk.touched);
        all.kept.extend(chunk.kept);
    }
    all
}

fn remove_from_line(out: &mut Removed<'_>, line: &LineRef<'_>, name: &str, options: &RemoveOptions) {
    // Only a line whose host field names the host is parsed in full.
    let named = line::host_field(line.text)
        .is_some_and(|hosts| match_hosts(hosts, name.as_bytes()) == HostsMatch::Yes);
    let entry = match named.then(|| line::parse(line.text)) {
        Some(Line::Entry(entry)) if options.key_type.as_ref().is_none_or(|f| f.matches(entry.key_type)) => {
            entry
        }
        _ => return out.content.keep(line),
    };
    if let (Some(marker), false) = (entry.marker, options.markers) {
        // Only a marker line that names the host itself is one --markers would change.
        if names_host(&entry, name) {
            out.kept.push(Kept { number: line.number, reason: KeptReason::Marker(marker) });
        }
        return out.content.keep(line);
    }
    remove_name(out, &entry, line, name);
}

fn remove_name(out: &mut Removed<'_>, entry: &HostLine<'_>, line: &LineRef<'_>, name: &str) {
    if entry.is_hashed() {
        out.touched.push(line.number);
        return;
    }
    let remaining: Vec<&[u8]> = entry
        .hosts
        .split(|&b| b == b',')
        .filter(|pattern| !pattern.eq_ignore_ascii_case(name.as_bytes()))
        .collect();
    if remaining.len() == entry.hosts.split(|&b| b == b',').count() {
        // Named only by a wildcard: the line serves other hosts too.
        let hosts = entry.hosts.to_vec();
        out.kept.push(Kept { number: line.number, reason: KeptReason::Pattern(hosts) });
        return out.content.keep(line);
    }
    out.touched.push(line.number);
    if remaining.is_empty() || remaining.iter().all(|p| p.starts_with(b"!")) {
        return;
    }
    let joined = remaining.join(&b","[..]);
    out.content.write(&line.full[..entry.hosts_at]);
    out.content.write(&joined);
    out.content.write(&line.full[entry.hosts_at + entry.hosts.len()..]);
    if match_list(name.as_bytes(), &joined) == ListMatch::Positive {
        out.kept.push(Kept { number: line.number, reason: KeptReason::Pattern(joined) });
    }
}

/// A key type given by name (`ssh-ed25519`) or short name (`ed25519`, `rsa`, `ecdsa`,
/// `dsa`), matched against entries' key types.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyTypeFilter {
    names: Vec<&'static str>,
}

impl KeyTypeFilter {
    /// Parses a type name.
    ///
    /// # Errors
    /// A name that is no key type.
    pub fn parse(text: &str) -> Result<Self> {
        let names: &[&'static str] = match text.to_ascii_lowercase().as_str() {
            "ed25519" | "ssh-ed25519" => &["ssh-ed25519"],
            "rsa" | "ssh-rsa" => &["ssh-rsa", "rsa-sha2-256", "rsa-sha2-512"],
            "ecdsa" => &["ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521"],
            "ecdsa-sha2-nistp256" => &["ecdsa-sha2-nistp256"],
            "ecdsa-sha2-nistp384" => &["ecdsa-sha2-nistp384"],
            "ecdsa-sha2-nistp521" => &["ecdsa-sha2-nistp521"],
            "dsa" | "ssh-dss" => &["ssh-dss"],
            _ => return Err(Error::UnknownKeyType { given: text.to_string() }),
        };
        Ok(KeyTypeFilter { names: names.to_vec() })
    }

    /// Whether an entry's key type is one of these.
    pub fn matches(&self, key_type: &[u8]) -> bool {
        self.names.iter().any(|name| name.as_bytes() == key_type)
    }
}

/// What `add` found or did.
#[derive(Debug)]
pub enum Added {
    /// The file already trusts this key for the host (line number), so nothing changed.
    Present(usize),
    /// The key was appended; `replaced` lists lines that lost the host's old key.
    Appended { content: Vec<u8>, replaced: Vec<usize> },
    /// Lines with a different key of the same type for the host; nothing changed.
    Conflict(Vec<usize>),
    /// A `@revoked` line (number) revokes this key for the host; nothing changed.
    Revoked(usize),
}

/// How `add` writes and what it may replace.
#[derive(Debug, Clone, Copy)]
pub struct AddOptions {
    pub hash: bool,
    pub replace: bool,
}

/// Appends `key` for `name` (a lower-case lookup name), unless the file already trusts
/// it; a different key of the same type for the host is a conflict unless `replace`.
///
/// # Errors
/// The random source for the salt failed.
pub fn add(file: &KnownHosts, name: &str, key: &KeyData, options: AddOptions) -> Result<Added> {
    let key_type = crate::key::describe::line_type_name(key);
    let mut conflicts = Vec::new();
    for found in file.find(name) {
        let Ok((existing, _)) = found.entry.key() else { continue };
        match (found.marker, existing == *key) {
            (Some(Marker::Revoked), true) => return Ok(Added::Revoked(found.number)),
            (None, true) => return Ok(Added::Present(found.number)),
            (None, false)
                if crate::key::describe::line_type_name(&existing) == key_type
                    && names_host(&found.entry, name) =>
            {
                conflicts.push(found.number);
            }
            _ => {}
        }
    }
    if !conflicts.is_empty() && !options.replace {
        return Ok(Added::Conflict(conflicts));
    }
    let mut content = match conflicts.is_empty() {
        true => file.data().to_vec(),
        false => without_name_on(file, name, &conflicts),
    };
    append_entry(&mut content, name, &key_type, key, options.hash)?;
    Ok(Added::Appended { content, replaced: conflicts })
}

/// Whether a line names the host itself (by hash or an exact name), not by wildcard.
fn names_host(entry: &HostLine<'_>, name: &str) -> bool {
    entry.is_hashed()
        || entry
            .hosts
            .split(|&b| b == b',')
            .any(|p| p.eq_ignore_ascii_case(name.as_bytes()) && !p.contains(&b'*'))
}

/// The file with `name` taken off the given lines.
fn without_name_on(file: &KnownHosts, name: &str, lines: &[usize]) -> Vec<u8> {
    let mut out = Removed::new(file.data());
    for line in file.lines() {
        match line::parse(line.text) {
            Line::Entry(entry) if lines.contains(&line.number) => remove_name(&mut out, &entry, &line, name),
            _ => out.content.keep(&line),
        }
    }
    out.content.to_vec()
}

/// What `add_cert_authority` did.
#[derive(Debug)]
pub enum AddedCa {
    /// The same `@cert-authority` line (pattern and key) is on this line already.
    Present(usize),
    /// The file with the line appended.
    Appended(Vec<u8>),
}

/// Appends `@cert-authority PATTERNS KEY` (sshd(8) SSH_KNOWN_HOSTS FILE FORMAT): host
/// certificates signed by `key` are trusted for the hosts `patterns` matches. The
/// patterns are written in clear (a hashed name cannot hold a wildcard); the same line
/// again is a no-op.
///
/// # Errors
/// Patterns that cannot be one known_hosts field (empty, blanks, `#` first).
pub fn add_cert_authority(file: &KnownHosts, patterns: &str, key: &KeyData) -> Result<AddedCa> {
    if patterns.is_empty()
        || patterns.starts_with('#')
        || patterns.bytes().any(|b| b.is_ascii_whitespace() || b == 0)
    {
        return Err(Error::BadCaPatterns { patterns: patterns.to_string() });
    }
    for line in file.lines() {
        let Line::Entry(entry) = line::parse(line.text) else { continue };
        let same_key = entry.key().is_ok_and(|(existing, _)| existing == *key);
        if entry.marker == Some(Marker::CertAuthority) && entry.hosts == patterns.as_bytes() && same_key {
            return Ok(AddedCa::Present(line.number));
        }
    }
    let mut content = file.data().to_vec();
    let key_type = crate::key::describe::line_type_name(key);
    append_entry(&mut content, &format!("@cert-authority {patterns}"), &key_type, key, false)?;
    Ok(AddedCa::Appended(content))
}

fn append_entry(content: &mut Vec<u8>, name: &str, key_type: &str, key: &KeyData, hash: bool) -> Result<()> {
    use ssh_key::encoding::Encode;
    if content.last().is_some_and(|&b| b != b'\n') {
        content.push(b'\n');
    }
    let field = match hash {
        true => HashedName::new(name.as_bytes())
            .map_err(|e| Error::Crypto { what: "hashing a host name", reason: e.to_string() })?
            .to_field(),
        false => name.to_string(),
    };
    let blob =
        key.encode_vec().map_err(|e| Error::Crypto { what: "encoding the key", reason: e.to_string() })?;
    content.extend_from_slice(
        format!("{field} {key_type} {}\n", data_encoding::BASE64.encode(&blob)).as_bytes(),
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    const KEY: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGIrVZlC1iPIHCa8aMN6tFuV5UtyIYE6mjoM3htErex4";

    fn known_hosts(text: String) -> KnownHosts {
        KnownHosts::from_bytes(Path::new("kh"), text.into_bytes())
    }

    #[test]
    fn remove_rewrites_only_the_lines_naming_the_host() {
        let file = known_hosts(format!("# c\r\na,b {KEY}\r\nc {KEY}\nb {KEY}"));
        let removed = remove(&file, "b", &RemoveOptions::default());
        assert_eq!(removed.content.to_vec(), format!("# c\r\na {KEY}\r\nc {KEY}\n").into_bytes());
        assert_eq!(removed.touched, [2, 4]);
    }

    /// Regression: every rewritten line between two kept ones got a 64 KiB buffer of its
    /// own, so hashing a file that alternates patterns and names took gigabytes.
    #[test]
    fn new_bytes_between_kept_lines_take_about_their_size() {
        let file = known_hosts((0..1000).map(|i| format!("h{i}.* {KEY}\nhost{i} {KEY}\n")).collect());
        let hashed = hash(&file).unwrap();
        assert_eq!((hashed.hashed_lines, hashed.kept.len()), (1000, 1000));
        let new = hashed.content.pieces.iter().filter_map(|piece| match piece {
            Piece::New(bytes) => Some((bytes.len(), bytes.capacity())),
            Piece::Old(_) => None,
        });
        let (len, capacity) = new.fold((0, 0), |(l, c), (len, cap)| (l + len, c + cap));
        assert!(capacity <= 2 * len, "{capacity} bytes held for {len}");
    }
}
