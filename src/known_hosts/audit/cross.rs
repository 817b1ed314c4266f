//! The checks across lines: the same key twice for a host (duplicate-entry), different
//! keys of one type for a host (conflicting-keys), and a `@revoked` key trusted by another
//! line (revoked-key-trusted).
//!
//! Every name a line pins was hashed with its key type in the parallel pass. Here each
//! shard of those hashes is sorted, one shard a core, and only names whose hash another
//! name shares are looked at closer: their lines are read again, and the names compared
//! byte for byte in file order, as one table of every name would compare them. A clean
//! file has no such names, so the work is the sort: hash tables of every name cost a
//! cache miss a name once they outgrew the caches, which made large files slower a line.

use std::borrow::Cow;
use std::collections::HashMap;
use std::collections::hash_map::Entry as MapEntry;
use std::ops::Range;

use super::{Chunk, Fact, Finding, Hasher, Pin, Rule, key_id, key_type, name_at};
use crate::known_hosts::line::{self, HostLine, Line, Marker};

/// What the checks read: the file's name, the candidate hosts, and the chunks' facts and
/// names.
pub(super) struct Input<'a> {
    file: &'a str,
    candidates: &'a [String],
    chunks: &'a [Chunk],
    /// The index of each chunk's first fact among all facts.
    bases: Vec<usize>,
}

impl<'a> Input<'a> {
    pub(super) fn new(file: &'a str, candidates: &'a [String], chunks: &'a [Chunk]) -> Self {
        let bases = chunks
            .iter()
            .scan(0, |next, chunk| {
                let base = *next;
                *next += chunk.facts.len();
                Some(base)
            })
            .collect();
        Input { file, candidates, chunks, bases }
    }

    /// The fact with this index among all facts, and its line number.
    fn fact(&self, index: usize) -> Option<(usize, &'a Fact)> {
        let chunk = self.bases.partition_point(|&base| base <= index).checked_sub(1)?;
        let fact = self.chunks[chunk].facts.get(index - self.bases[chunk])?;
        Some((self.chunks[chunk].number(fact), fact))
    }

    fn shards(&self) -> usize {
        self.chunks.first().map_or(1, |chunk| chunk.pins.len())
    }

    /// Whether a marker line asks for every line's key: `@revoked` (trusted elsewhere?)
    /// or `@cert-authority` (also a host key?).
    fn any_revoked(&self) -> bool {
        self.chunks.iter().any(|chunk| chunk.revoked || chunk.authority)
    }

    fn finding(&self, line: usize, rule: Rule, at: usize, message: String) -> Placed {
        let severity = rule.default_severity();
        (line, rule.id(), at, Finding { file: self.file.to_string(), line, rule, severity, message })
    }
}

/// Where the checks read a fact's line again.
pub(super) trait Lines: Sync {
    /// The line that starts at `start`, without its `\n`.
    fn line_at(&self, start: usize) -> Option<&[u8]>;
}

/// The whole file.
impl Lines for &[u8] {
    fn line_at(&self, start: usize) -> Option<&[u8]> {
        let rest = self.get(start..)?;
        Some(&rest[..memchr::memchr(b'\n', rest).unwrap_or(rest.len())])
    }
}

/// The lines read again from a file that was not held.
impl Lines for crate::known_hosts::stream::LinesAt {
    fn line_at(&self, start: usize) -> Option<&[u8]> {
        self.get(start)
    }
}

/// A fact's line, read again: it is an entry whose key was read.
fn entry<'l>(lines: &'l dyn Lines, fact: &Fact) -> Option<HostLine<'l>> {
    match line::parse(lines.line_at(fact.start)?) {
        Line::Entry(entry) => Some(entry),
        _ => None,
    }
}

/// Which of `shards` shards a name's hash falls in.
pub(super) fn shard_of(hash: u64, shards: usize) -> usize {
    // The high half: the low bits order the names within the shard.
    (hash >> 32) as usize % shards
}

/// A finding and where it sorts: its line, its rule, and where its name starts in the line
/// (shards find them out of order).
type Placed = (usize, &'static str, usize, Finding);

/// Those of one shard's names that may share a hash, sorted by hash (and in file order
/// where hashes are equal), and the runs of names that do share one.
struct Shard {
    pins: Vec<Pin>,
    groups: Vec<Range<usize>>,
}

/// The names of every shard, sorted.
pub(super) struct Sorted(Vec<Shard>);

/// Sorts each shard's names, one shard a core.
pub(super) fn sort(input: &Input<'_>) -> Sorted {
    let shards = input.shards();
    let shard = |shard: usize| sort_shard(input, shard);
    Sorted(match shards {
        1 => vec![shard(0)],
        _ => std::thread::scope(|scope| {
            let shard = &shard;
            let workers: Vec<_> = (0..shards).map(|s| scope.spawn(move || shard(s))).collect();
            workers
                .into_iter()
                .map(|w| w.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
                .collect()
        }),
    })
}

/// Finds a shard's names that share a hash. Two passes over the names mark the slots of a
/// bitmap (about 16 bits a name, so it stays in the core's cache) that one name and then
/// a second took; only the names in those slots, a few in a hundred, are sorted. A sort
/// of every name missed the cache at every step and was a sixth of a clean file's audit.
fn sort_shard(input: &Input<'_>, shard: usize) -> Shard {
    let pins = || {
        input.chunks.iter().zip(&input.bases).flat_map(move |(chunk, &base)| {
            // See `Pin`: fact indices fit 32 bits.
            chunk.pins[shard].iter().map(move |pin| Pin { fact: pin.fact + base as u32, ..*pin })
        })
    };
    let count: usize = input.chunks.iter().map(|chunk| chunk.pins[shard].len()).sum();
    let slots = (count.saturating_mul(16)).next_power_of_two().max(64);
    // The low bits: the shard was chosen by the high ones.
    let slot = |pin: &Pin| (pin.hash as usize) & (slots - 1);
    let (mut once, mut twice) = (vec![0u64; slots / 64], vec![0u64; slots / 64]);
    for pin in pins() {
        let (word, bit) = (slot(&pin) / 64, 1 << (slot(&pin) % 64));
        twice[word] |= once[word] & bit;
        once[word] |= bit;
    }
    let shared = |pin: &Pin| twice[slot(pin) / 64] & (1 << (slot(pin) % 64)) != 0;
    let mut pins: Vec<Pin> = pins().filter(shared).collect();
    pins.sort_unstable_by_key(|pin| (pin.hash, pin.fact, pin.at));
    let mut groups = Vec::new();
    let mut start = 0;
    for run in pins.chunk_by(|a, b| a.hash == b.hash) {
        if run.len() > 1 {
            groups.push(start..start + run.len());
        }
        start += run.len();
    }
    Shard { pins, groups }
}

impl Sorted {
    /// Whether any line must be read again: names that share a hash, or `@revoked` lines
    /// (then every line, for its key).
    pub(super) fn must_read_lines(&self, input: &Input<'_>) -> bool {
        input.any_revoked() || self.0.iter().any(|shard| !shard.groups.is_empty())
    }

    /// Where the lines [`Sorted::findings`] reads start, in order.
    pub(super) fn lines_to_read(&self, input: &Input<'_>) -> Vec<usize> {
        let mut starts: Vec<usize> = if input.any_revoked() {
            input.chunks.iter().flat_map(|chunk| chunk.facts.iter().map(|fact| fact.start)).collect()
        } else {
            let pins = self
                .0
                .iter()
                .flat_map(|shard| shard.groups.iter().flat_map(|group| &shard.pins[group.clone()]));
            pins.filter_map(|pin| Some(input.fact(pin.fact as usize)?.1.start)).collect()
        };
        starts.sort_unstable();
        starts.dedup();
        starts
    }

    /// The findings of the checks across lines, in file order, reading the lines
    /// [`Sorted::lines_to_read`] names from `lines`.
    pub(super) fn findings(&self, input: &Input<'_>, lines: &dyn Lines) -> Vec<Finding> {
        if !self.must_read_lines(input) {
            return Vec::new();
        }
        let revoked = revoked_keys(input, lines);
        let authorities = authority_keys(input, lines);
        let shards = self.0.len();
        let shard = |shard: usize| {
            let mut found = Vec::new();
            for group in &self.0[shard].groups {
                compare(input, lines, &self.0[shard].pins[group.clone()], &mut found);
            }
            // The chunks of the shard's number: every chunk is some shard's.
            for chunk in input.chunks.iter().skip(shard).step_by(shards) {
                found.extend(trusted_revoked(input, lines, &revoked, chunk));
                found.extend(authorities_as_host_keys(input, lines, &authorities, chunk));
            }
            found
        };
        let mut found: Vec<Placed> = match shards {
            1 => shard(0),
            _ => std::thread::scope(|scope| {
                let shard = &shard;
                let workers: Vec<_> = (0..shards).map(|s| scope.spawn(move || shard(s))).collect();
                workers
                    .into_iter()
                    .flat_map(|w| w.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
                    .collect()
            }),
        };
        found.sort_by_key(|&(line, rule, at, _)| (line, rule, at));
        found.into_iter().map(|(_, _, _, finding)| finding).collect()
    }
}

/// A name of a group, read again from its line.
struct Member<'a> {
    number: usize,
    marker: Option<Marker>,
    /// The line's host field.
    hosts: &'a [u8],
    host: Cow<'a, [u8]>,
    at: usize,
    key_id: &'a [u8],
    key_type: &'a [u8],
}

impl<'a> Member<'a> {
    fn read(input: &Input<'a>, lines: &'a dyn Lines, pin: &Pin) -> Option<Self> {
        let (number, fact) = input.fact(pin.fact as usize)?;
        let entry = entry(lines, fact)?;
        let at = pin.at as usize;
        Some(Member {
            number,
            marker: fact.marker,
            hosts: entry.hosts,
            host: name_at(entry.hosts, at, input.candidates),
            at,
            key_id: key_id(&entry),
            key_type: key_type(&entry),
        })
    }

    /// How to name the host in a message: hashed names say so.
    fn show(&self) -> String {
        match (self.hosts.first() == Some(&b'|'), self.host.first() == Some(&b'|')) {
            (true, true) => "hashed host".to_string(),
            (true, false) => format!("{} (hashed)", String::from_utf8_lossy(&self.host)),
            _ => String::from_utf8_lossy(&self.host).into_owned(),
        }
    }
}

/// (marker, host, key) → the first line with them.
type FirstWithKey<'a> = HashMap<(Option<Marker>, Cow<'a, [u8]>, &'a [u8]), usize, Hasher>;

/// A host's first key of a type, and its line.
struct FirstOfType<'a> {
    host: Cow<'a, [u8]>,
    key_type: &'a [u8],
    key_id: &'a [u8],
    line: usize,
}

/// The names of one hash, in file order (almost always one host and key type, unless two
/// differ and still hash alike): each is checked against the first name with the same
/// (marker, host, key), and the first without a marker with the same (host, key type).
fn compare<'a>(input: &Input<'a>, lines: &'a dyn Lines, group: &[Pin], found: &mut Vec<Placed>) {
    let mut first_with_key = FirstWithKey::with_hasher(Hasher::default());
    // More than one only if hashes collide.
    let mut firsts_of_type: Vec<FirstOfType<'_>> = Vec::new();
    for member in group.iter().filter_map(|pin| Member::read(input, lines, pin)) {
        match first_with_key.entry((member.marker, member.host.clone(), member.key_id)) {
            MapEntry::Occupied(first) if *first.get() != member.number => {
                let message = format!("{}: the same key is already on line {}", member.show(), first.get());
                found.push(input.finding(member.number, Rule::DuplicateEntry, member.at, message));
            }
            MapEntry::Occupied(_) => {}
            MapEntry::Vacant(slot) => {
                slot.insert(member.number);
            }
        }
        // Marker lines are not the host's keys, so they conflict with none.
        if member.marker.is_some() {
            continue;
        }
        match firsts_of_type
            .iter()
            .find(|first| first.host == member.host && first.key_type == member.key_type)
        {
            Some(first) if first.key_id != member.key_id => {
                let message = format!(
                    "{}: a different {} key is on line {}; one of them is stale",
                    member.show(),
                    String::from_utf8_lossy(member.key_type),
                    first.line,
                );
                found.push(input.finding(member.number, Rule::ConflictingKeys, member.at, message));
            }
            Some(_) => {}
            None => firsts_of_type.push(FirstOfType {
                host: member.host.clone(),
                key_type: member.key_type,
                key_id: member.key_id,
                line: member.number,
            }),
        }
    }
}

/// Every `@revoked` key and its last `@revoked` line (a key revoked twice names the last).
fn revoked_keys<'l>(input: &Input<'_>, lines: &'l dyn Lines) -> HashMap<&'l [u8], usize, Hasher> {
    let mut revoked = HashMap::with_hasher(Hasher::default());
    for chunk in input.chunks.iter().filter(|chunk| chunk.revoked) {
        for fact in chunk.facts.iter().filter(|fact| fact.marker == Some(Marker::Revoked)) {
            if let Some(entry) = entry(lines, fact) {
                revoked.insert(key_id(&entry), chunk.number(fact));
            }
        }
    }
    revoked
}

/// The lines of `chunk` that trust a key `revoked` holds.
fn trusted_revoked(
    input: &Input<'_>,
    lines: &dyn Lines,
    revoked: &HashMap<&[u8], usize, Hasher>,
    chunk: &Chunk,
) -> Vec<Placed> {
    if revoked.is_empty() {
        return Vec::new();
    }
    let trusting = chunk.facts.iter().filter(|fact| fact.marker != Some(Marker::Revoked));
    trusting
        .filter_map(|fact| {
            let line = revoked.get(key_id(&entry(lines, fact)?))?;
            let message = format!("this key is @revoked on line {line} but trusted here");
            Some(input.finding(chunk.number(fact), Rule::RevokedKeyTrusted, 0, message))
        })
        .collect()
}

/// Every `@cert-authority` key and its first such line.
fn authority_keys<'l>(input: &Input<'_>, lines: &'l dyn Lines) -> HashMap<&'l [u8], usize, Hasher> {
    let mut authorities = HashMap::with_hasher(Hasher::default());
    for chunk in input.chunks.iter().filter(|chunk| chunk.authority) {
        for fact in chunk.facts.iter().filter(|fact| fact.marker == Some(Marker::CertAuthority)) {
            if let Some(entry) = entry(lines, fact) {
                authorities.entry(key_id(&entry)).or_insert_with(|| chunk.number(fact));
            }
        }
    }
    authorities
}

/// The plain lines of `chunk` whose key is a CA's.
fn authorities_as_host_keys(
    input: &Input<'_>,
    lines: &dyn Lines,
    authorities: &HashMap<&[u8], usize, Hasher>,
    chunk: &Chunk,
) -> Vec<Placed> {
    if authorities.is_empty() {
        return Vec::new();
    }
    let plain = chunk.facts.iter().filter(|fact| fact.marker.is_none());
    plain
        .filter_map(|fact| {
            let line = authorities.get(key_id(&entry(lines, fact)?))?;
            let message = format!("this key is a @cert-authority on line {line} and a host key here");
            Some(input.finding(chunk.number(fact), Rule::CaAlsoHostKey, 0, message))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// The names of every run that shares a hash, as one full sort finds them.
    fn runs_by_full_sort(chunks: &[Chunk], bases: &[usize]) -> Vec<Vec<(u64, u32, u32)>> {
        let mut all: Vec<_> = chunks
            .iter()
            .zip(bases)
            .flat_map(|(chunk, &base)| {
                chunk.pins[0].iter().map(move |p| (p.hash, p.fact + base as u32, p.at))
            })
            .collect();
        all.sort_unstable();
        all.chunk_by(|a, b| a.0 == b.0).filter(|run| run.len() > 1).map(<[_]>::to_vec).collect()
    }

    proptest! {
        /// The bitmap lets through every name that shares a hash, and the runs it finds
        /// are a full sort's, in the same order: hashes drawn from a few values (many
        /// equal) or from a range whose low bits often meet in the bitmap (few equal).
        #[test]
        fn bitmap_then_sort_finds_the_runs_a_full_sort_finds(
            chunks in prop::collection::vec(
                prop::collection::vec(
                    prop_oneof![0..8u64, (0..4096u64).prop_map(|h| (h << 20) | (h % 7))], 0..300),
                1..4),
        ) {
            let chunks: Vec<Chunk> = chunks
                .into_iter()
                .map(|hashes| Chunk {
                    findings: Vec::new(),
                    facts: Vec::new(),
                    pins: vec![hashes.iter().enumerate().map(|(i, &hash)| Pin { hash, fact: i as u32 / 2, at: i as u32 % 2 }).collect()],
                    revoked: false,
                    authority: false,
                    first: 1,
                })
                .collect();
            let mut input = Input::new("kh", &[], &chunks);
            input.bases = chunks.iter().scan(0, |next, chunk| {
                let base = *next;
                *next += chunk.pins[0].len();
                Some(base)
            }).collect();
            let shard = sort_shard(&input, 0);
            let found: Vec<Vec<_>> = shard
                .groups
                .iter()
                .map(|group| shard.pins[group.clone()].iter().map(|p| (p.hash, p.fact, p.at)).collect())
                .collect();
            prop_assert_eq!(found, runs_by_full_sort(&chunks, &input.bases));
        }
    }
}
