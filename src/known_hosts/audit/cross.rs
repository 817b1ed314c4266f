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

use super::{Chunk, Fact, Finding, Hasher, Pin, Rule, key_id, key_type, name_at};
use crate::known_hosts::line::{self, HostLine, Line, Marker};

/// What the checks read: the file, the candidate hosts, and the chunks' facts and names.
pub(super) struct Input<'a> {
    file: &'a str,
    data: &'a [u8],
    candidates: &'a [String],
    chunks: &'a [Chunk],
    /// The index of each chunk's first fact among all facts.
    bases: Vec<usize>,
}

impl<'a> Input<'a> {
    pub(super) fn new(file: &'a str, data: &'a [u8], candidates: &'a [String], chunks: &'a [Chunk]) -> Self {
        let bases = chunks
            .iter()
            .scan(0, |next, chunk| {
                let base = *next;
                *next += chunk.facts.len();
                Some(base)
            })
            .collect();
        Input { file, data, candidates, chunks, bases }
    }

    /// The fact with this index among all facts.
    fn fact(&self, index: usize) -> Option<&Fact> {
        let chunk = self.bases.partition_point(|&base| base <= index).checked_sub(1)?;
        self.chunks[chunk].facts.get(index - self.bases[chunk])
    }

    /// A fact's line, read again: it is an entry whose key was read.
    fn entry(&self, fact: &Fact) -> Option<HostLine<'a>> {
        let rest = self.data.get(fact.start..)?;
        let text = &rest[..memchr::memchr(b'\n', rest).unwrap_or(rest.len())];
        match line::parse(text) {
            Line::Entry(entry) => Some(entry),
            _ => None,
        }
    }

    fn finding(&self, line: usize, rule: Rule, at: usize, message: String) -> Sorted {
        let severity = rule.default_severity();
        (line, rule.id(), at, Finding { file: self.file.to_string(), line, rule, severity, message })
    }
}

/// Which of `shards` shards a name's hash falls in.
pub(super) fn shard_of(hash: u64, shards: usize) -> usize {
    // The high half: the low bits pick hash table buckets elsewhere; these are free.
    (hash >> 32) as usize % shards
}

/// A finding and where it sorts: its line, its rule, and where its name starts in the line
/// (shards find them out of order).
type Sorted = (usize, &'static str, usize, Finding);

/// The findings of the checks across lines, in file order.
pub(super) fn checks(input: &Input<'_>) -> Vec<Finding> {
    let shards = input.chunks.first().map_or(1, |chunk| chunk.pins.len());
    let revoked = revoked_keys(input);
    let shard = |shard: usize| {
        let mut found = shard_findings(input, shard);
        // The chunks of the shard's number: every chunk is some shard's.
        for chunk in input.chunks.iter().skip(shard).step_by(shards) {
            found.extend(trusted_revoked(input, &revoked, &chunk.facts));
        }
        found
    };
    let mut found: Vec<Sorted> = match shards {
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

/// The duplicates and conflicts among the names of one shard.
fn shard_findings(input: &Input<'_>, shard: usize) -> Vec<Sorted> {
    let count = input.chunks.iter().map(|chunk| chunk.pins[shard].len()).sum();
    let mut pins = Vec::with_capacity(count);
    for (chunk, &base) in input.chunks.iter().zip(&input.bases) {
        // See `Pin`: fact indices fit 32 bits.
        pins.extend(chunk.pins[shard].iter().map(|pin| Pin { fact: pin.fact + base as u32, ..*pin }));
    }
    pins.sort_unstable_by_key(|pin| (pin.hash, pin.fact, pin.at));
    let mut found = Vec::new();
    for group in pins.chunk_by(|a, b| a.hash == b.hash).filter(|group| group.len() > 1) {
        compare(input, group, &mut found);
    }
    found
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
    fn read(input: &Input<'a>, pin: &Pin) -> Option<Self> {
        let fact = input.fact(pin.fact as usize)?;
        let entry = input.entry(fact)?;
        let at = pin.at as usize;
        Some(Member {
            number: fact.number,
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
fn compare(input: &Input<'_>, group: &[Pin], found: &mut Vec<Sorted>) {
    let mut first_with_key = FirstWithKey::with_hasher(Hasher::default());
    // More than one only if hashes collide.
    let mut firsts_of_type: Vec<FirstOfType<'_>> = Vec::new();
    for member in group.iter().filter_map(|pin| Member::read(input, pin)) {
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
fn revoked_keys<'a>(input: &Input<'a>) -> HashMap<&'a [u8], usize, Hasher> {
    let mut revoked = HashMap::with_hasher(Hasher::default());
    for chunk in input.chunks.iter().filter(|chunk| chunk.revoked) {
        for fact in chunk.facts.iter().filter(|fact| fact.marker == Some(Marker::Revoked)) {
            if let Some(entry) = input.entry(fact) {
                revoked.insert(key_id(&entry), fact.number);
            }
        }
    }
    revoked
}

/// The lines among `facts` that trust a key `revoked` holds.
fn trusted_revoked(
    input: &Input<'_>,
    revoked: &HashMap<&[u8], usize, Hasher>,
    facts: &[Fact],
) -> Vec<Sorted> {
    if revoked.is_empty() {
        return Vec::new();
    }
    let trusting = facts.iter().filter(|fact| fact.marker != Some(Marker::Revoked));
    trusting
        .filter_map(|fact| {
            let line = revoked.get(key_id(&input.entry(fact)?))?;
            let message = format!("this key is @revoked on line {line} but trusted here");
            Some(input.finding(fact.number, Rule::RevokedKeyTrusted, 0, message))
        })
        .collect()
}
