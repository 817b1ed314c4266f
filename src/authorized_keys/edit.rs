//! The edits of `keywright authorized-keys`, as pure functions from a file's lines to
//! new lines and what changed. They follow Ansible's `ansible.posix.authorized_key`
//! where it is safe to (README, "authorized-keys and Ansible", says where not):
//!
//! * add: a key whose key data is not in the file is appended; a key that is there with
//!   other options or another comment has its first line rewritten in place (Ansible
//!   moves it to the end); later lines with the same key data go, so a key is one line;
//! * remove: every line holding the key data goes, whatever its options;
//! * set: add, then every other key line goes; comment lines and lines that hold no key
//!   sshd reads stay (Ansible's `exclusive` drops them too).

use ssh_key::public::KeyData;

use super::line::{AuthorizedKeys, KeyLine, Line};
use crate::key::{Fingerprint, HashKind};

/// A key as it should be in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wanted {
    pub key: KeyData,
    pub options: Option<Vec<u8>>,
    /// Empty: no comment.
    pub comment: Vec<u8>,
}

/// Which key lines a removal means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Matcher {
    /// The lines holding this key data.
    Key(KeyData),
    /// The lines whose key has this fingerprint (`SHA256:…`, `MD5:…`, `SHA512:…`); a
    /// certificate's fingerprint is its key's, as ssh-keygen prints it.
    Fingerprint(String),
    /// The lines with exactly this comment.
    Comment(Vec<u8>),
}

/// One edit of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Edit {
    Add(Vec<Wanted>),
    Remove(Vec<Matcher>),
    /// The file holds exactly these keys.
    Set(Vec<Wanted>),
}

/// What an edit did to one key line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// Appended.
    Added(KeyLine),
    /// Rewritten in place (other options or comment).
    Updated { from: KeyLine, to: KeyLine },
    /// Already there as wanted.
    Present(KeyLine),
    /// Taken out; `line` is its number in the file before the edit.
    Removed { line: usize, key: KeyLine },
}

/// A file after edits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edited {
    /// The new contents, or `None` when nothing changed.
    pub after: Option<Vec<u8>>,
    pub changes: Vec<Change>,
}

impl Matcher {
    /// Whether `key` is one of the lines meant.
    pub fn matches(&self, line: &KeyLine) -> bool {
        match self {
            Matcher::Key(key) => *line.key == *key,
            Matcher::Comment(comment) => line.comment == *comment,
            Matcher::Fingerprint(text) => fingerprint_matches(text, &line.key),
        }
    }
}

/// Whether `text` is `key`'s fingerprint in the hash it names (SHA256 when it names
/// none).
fn fingerprint_matches(text: &str, key: &KeyData) -> bool {
    let (kind, _) = text.split_once(':').unwrap_or(("SHA256", text));
    let kind = match kind.to_ascii_uppercase().as_str() {
        "MD5" => HashKind::Md5,
        "SHA512" => HashKind::Sha512,
        "SHA384" => HashKind::Sha384,
        "SHA1" => HashKind::Sha1,
        _ => HashKind::Sha256,
    };
    let full = match text.contains(':') {
        true => text.to_string(),
        false => format!("SHA256:{text}"),
    };
    let ours = Fingerprint::of_key(kind, key).to_string();
    // MD5's hex is case-blind; base64 is not.
    match kind {
        HashKind::Md5 => ours.eq_ignore_ascii_case(&full),
        _ => ours == full,
    }
}

/// Applies `edits` in order to `contents`.
pub fn apply(contents: &[u8], edits: &[Edit]) -> Edited {
    let mut file = AuthorizedKeys::parse(contents);
    let mut changes = Vec::new();
    for edit in edits {
        match edit {
            Edit::Add(wanted) => add(&mut file, wanted, &mut changes),
            Edit::Remove(matchers) => {
                remove(&mut file, |line| matchers.iter().any(|m| m.matches(line)), &mut changes)
            }
            Edit::Set(wanted) => {
                add(&mut file, wanted, &mut changes);
                remove(&mut file, |line| !wanted.iter().any(|w| w.key == *line.key), &mut changes);
            }
        }
    }
    let changed = changes.iter().any(|c| !matches!(c, Change::Present(_)));
    let after = changed.then(|| file.to_bytes()).filter(|after| after != contents);
    Edited { after, changes }
}

fn add(file: &mut AuthorizedKeys, wanted: &[Wanted], changes: &mut Vec<Change>) {
    for (index, want) in wanted.iter().enumerate() {
        // A key named twice is added once (the first says how).
        if wanted[..index].iter().any(|w| w.key == want.key) {
            continue;
        }
        let new = KeyLine::new(want.key.clone(), want.options.clone(), want.comment.clone());
        let mut holding = file.lines.iter().enumerate().filter_map(|(i, line)| match line {
            Line::Key(key) if *key.key == want.key => Some(i),
            _ => None,
        });
        let Some(first) = holding.next() else {
            file.final_newline = true;
            file.lines.push(Line::Key(new.clone()));
            changes.push(Change::Added(new));
            continue;
        };
        let duplicates: Vec<usize> = holding.collect();
        let Line::Key(existing) = &file.lines[first] else { continue };
        match same_entry(existing, &new) {
            true => changes.push(Change::Present(existing.clone())),
            false => {
                changes.push(Change::Updated { from: existing.clone(), to: new.clone() });
                file.lines[first] = Line::Key(new);
            }
        }
        remove_lines(file, &duplicates, changes);
    }
}

/// Whether an existing line already says what `new` says: same options, type name and
/// comment (blanks between the fields do not count).
fn same_entry(existing: &KeyLine, new: &KeyLine) -> bool {
    existing.options == new.options && existing.comment == new.comment && existing.key_type == new.key_type
}

fn remove(file: &mut AuthorizedKeys, doomed: impl Fn(&KeyLine) -> bool, changes: &mut Vec<Change>) {
    let indexes: Vec<usize> = file
        .lines
        .iter()
        .enumerate()
        .filter_map(|(i, line)| match line {
            Line::Key(key) if doomed(key) => Some(i),
            _ => None,
        })
        .collect();
    remove_lines(file, &indexes, changes);
}

/// Removes the lines at `indexes` (ascending).
fn remove_lines(file: &mut AuthorizedKeys, indexes: &[usize], changes: &mut Vec<Change>) {
    for &index in indexes.iter().rev() {
        // The line before the last one ended with a newline: it stays so when it
        // becomes the last.
        if index + 1 == file.lines.len() {
            file.final_newline = true;
        }
        if let Line::Key(key) = file.lines.remove(index) {
            changes.push(Change::Removed { line: index + 1, key });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ED: &str = include_str!("../../testdata/keys/id_ed25519.pub");
    const EC: &str = include_str!("../../testdata/keys/id_ecdsa_256.pub");

    fn key(line: &str) -> KeyData {
        match Line::parse(line.trim_end().as_bytes()) {
            Line::Key(key) => *key.key,
            Line::Other(_) => panic!("no key in {line}"),
        }
    }

    fn plain(line: &str) -> String {
        let mut parts = line.trim_end().splitn(3, ' ');
        format!("{} {}", parts.next().unwrap_or_default(), parts.next().unwrap_or_default())
    }

    fn want(line: &str, options: Option<&str>, comment: &str) -> Wanted {
        Wanted {
            key: key(line),
            options: options.map(|o| o.as_bytes().to_vec()),
            comment: comment.as_bytes().to_vec(),
        }
    }

    fn text(edited: &Edited) -> String {
        String::from_utf8_lossy(edited.after.as_deref().unwrap_or(b"(unchanged)")).into_owned()
    }

    #[test]
    fn add_appends_keeping_a_last_line_without_newline() {
        let edited = apply(b"# only a comment", &[Edit::Add(vec![want(ED, None, "me")])]);
        assert_eq!(text(&edited), format!("# only a comment\n{} me\n", plain(ED)));
        assert!(matches!(edited.changes.as_slice(), [Change::Added(_)]));
    }

    #[test]
    fn add_updates_options_and_comment_in_place_and_drops_duplicates() {
        let before = format!("{} old\n{}\nno-pty {} twin\n", plain(ED), plain(EC), plain(ED));
        let edited = apply(before.as_bytes(), &[Edit::Add(vec![want(ED, Some("from=\"a,b\""), "new")])]);
        assert_eq!(text(&edited), format!("from=\"a,b\" {} new\n{}\n", plain(ED), plain(EC)));
        assert!(matches!(
            edited.changes.as_slice(),
            [Change::Updated { .. }, Change::Removed { line: 3, .. }]
        ));
    }

    #[test]
    fn add_of_a_present_key_changes_nothing() {
        let before = format!("no-pty  {} me\n", plain(ED));
        let edited = apply(before.as_bytes(), &[Edit::Add(vec![want(ED, Some("no-pty"), "me")])]);
        assert_eq!(edited.after, None);
        assert!(matches!(edited.changes.as_slice(), [Change::Present(_)]));
    }

    #[test]
    fn remove_takes_every_line_of_the_key_whatever_its_options() {
        let before = format!("{ED}# keep\ncommand=\"x\" {}\n{EC}", plain(ED));
        let last_gone =
            apply(format!("# keep\n{}", plain(ED)).as_bytes(), &[Edit::Remove(vec![Matcher::Key(key(ED))])]);
        assert_eq!(text(&last_gone), "# keep\n");
        for matcher in [
            Matcher::Key(key(ED)),
            Matcher::Fingerprint(Fingerprint::of_key(HashKind::Sha256, &key(ED)).to_string()),
            Matcher::Fingerprint(
                Fingerprint::of_key(HashKind::Md5, &key(ED)).to_string().to_uppercase().replace("MD5", "md5"),
            ),
        ] {
            let edited = apply(before.as_bytes(), &[Edit::Remove(vec![matcher.clone()])]);
            assert_eq!(text(&edited), format!("# keep\n{EC}"), "{matcher:?}");
        }
        let by_comment =
            apply(before.as_bytes(), &[Edit::Remove(vec![Matcher::Comment(b"nobody".to_vec())])]);
        assert_eq!(by_comment.after, None);
    }

    #[test]
    fn set_leaves_exactly_the_keys_and_keeps_comment_lines() {
        let before = format!("# team\n{ED}garbage\n{EC}");
        let edited = apply(before.as_bytes(), &[Edit::Set(vec![want(EC, None, "")])]);
        assert_eq!(text(&edited), format!("# team\ngarbage\n{}\n", plain(EC)));
    }
}
