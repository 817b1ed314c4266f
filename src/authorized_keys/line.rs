//! One authorized_keys file as lines: key lines parsed, every other line kept as it was.

use ssh_key::public::KeyData;

use crate::key::scan::authorized_key;

/// A whole file: its lines in order, and whether the last one ended with a newline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizedKeys {
    pub lines: Vec<Line>,
    /// Whether the file ended with `\n` (an empty file counts as ending with one).
    pub final_newline: bool,
}

/// One line, without its `\n`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line {
    /// A key sshd would read.
    Key(KeyLine),
    /// A blank line, a `#` comment, or a line sshd skips: kept as it is.
    Other(Vec<u8>),
}

/// A key line: `[options] type base64 [comment]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyLine {
    /// The line as read (or as it will be written).
    pub text: Vec<u8>,
    /// The options field, as written (`from="a,b",no-pty`).
    pub options: Option<Vec<u8>>,
    /// The key type as the line names it (`ssh-ed25519`, `rsa-sha2-512`).
    pub key_type: Vec<u8>,
    /// The key (for a certificate line, the certificate); boxed, as a certificate is
    /// large beside the rest of the line.
    pub key: Box<KeyData>,
    /// The comment, blanks at its end taken off; empty when none.
    pub comment: Vec<u8>,
}

impl AuthorizedKeys {
    /// Reads `contents` (any bytes: what is not a key line is kept as it is).
    pub fn parse(contents: &[u8]) -> Self {
        let final_newline = contents.is_empty() || contents.ends_with(b"\n");
        let body = contents.strip_suffix(b"\n").unwrap_or(contents);
        let lines = match contents.is_empty() {
            true => Vec::new(),
            false => body.split(|&b| b == b'\n').map(Line::parse).collect(),
        };
        AuthorizedKeys { lines, final_newline }
    }

    /// The file's bytes: untouched lines exactly as they were read.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        for (index, line) in self.lines.iter().enumerate() {
            if index > 0 {
                out.push(b'\n');
            }
            out.extend_from_slice(line.text());
        }
        if !self.lines.is_empty() && self.final_newline {
            out.push(b'\n');
        }
        out
    }

    /// The key lines with their line numbers (from 1).
    pub fn keys(&self) -> impl Iterator<Item = (usize, &KeyLine)> {
        self.lines.iter().enumerate().filter_map(|(index, line)| match line {
            Line::Key(key) => Some((index + 1, key)),
            Line::Other(_) => None,
        })
    }
}

impl Line {
    /// Reads one line (without its `\n`).
    pub fn parse(text: &[u8]) -> Self {
        match KeyLine::parse(text) {
            Some(key) => Line::Key(key),
            None => Line::Other(text.to_vec()),
        }
    }

    /// The line's bytes.
    pub fn text(&self) -> &[u8] {
        match self {
            Line::Key(key) => &key.text,
            Line::Other(text) => text,
        }
    }
}

impl KeyLine {
    /// Reads a key line as sshd does; `None` when sshd would find no key on it.
    pub fn parse(text: &[u8]) -> Option<Self> {
        let found = authorized_key(text)?;
        let after_options = crate::key::text::skip_blanks(&text[skip_to(text, found.options)..]);
        let type_end = after_options.iter().position(|&b| crate::key::text::is_blank(b))?;
        Some(KeyLine {
            text: text.to_vec(),
            options: found.options.map(<[u8]>::to_vec),
            key_type: after_options[..type_end].to_vec(),
            key: Box::new(found.key),
            comment: trim_end(found.rest).to_vec(),
        })
    }

    /// A new line for `key`: its options and comment as given (`type` is the key's own).
    pub fn new(key: KeyData, options: Option<Vec<u8>>, comment: Vec<u8>) -> Self {
        let key_type = key.algorithm().as_str().as_bytes().to_vec();
        let mut line = KeyLine { text: Vec::new(), options, key_type, key: Box::new(key), comment };
        line.text = line.render();
        line
    }

    /// The line written from its parts: `[options ]type base64[ comment]`.
    pub fn render(&self) -> Vec<u8> {
        let mut text = Vec::new();
        if let Some(options) = &self.options {
            text.extend_from_slice(options);
            text.push(b' ');
        }
        text.extend_from_slice(&self.key_type);
        text.push(b' ');
        text.extend_from_slice(base64(&self.key).as_bytes());
        if !self.comment.is_empty() {
            text.push(b' ');
            text.extend_from_slice(&self.comment);
        }
        text
    }

    /// The options one by one: split at commas outside double quotes.
    pub fn option_list(&self) -> Vec<String> {
        self.options.as_deref().map(split_options).unwrap_or_default()
    }
}

/// Where the key starts after the options (and the blanks after them) in `text`.
fn skip_to(text: &[u8], options: Option<&[u8]>) -> usize {
    let leading = text.len() - crate::key::text::skip_blanks(text).len();
    leading + options.map_or(0, <[u8]>::len)
}

/// The key's base64 blob.
pub fn base64(key: &KeyData) -> String {
    let mut blob = Vec::new();
    let _ = ssh_key::encoding::Encode::encode(key, &mut blob);
    data_encoding::BASE64.encode(&blob)
}

/// `options` split at the commas that are not inside double quotes (`\"` is no quote),
/// as sshd's `sshauthopt_parse` reads them.
pub fn split_options(options: &[u8]) -> Vec<String> {
    let mut parts = Vec::new();
    let (mut quoted, mut start, mut i) = (false, 0, 0);
    while i < options.len() {
        match options[i] {
            b'\\' if options.get(i + 1) == Some(&b'"') => i += 1,
            b'"' => quoted = !quoted,
            b',' if !quoted => {
                parts.push(String::from_utf8_lossy(&options[start..i]).into_owned());
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    parts.push(String::from_utf8_lossy(&options[start..]).into_owned());
    parts
}

/// Whether `options` can stand as the options field of a line: not empty, no blank or
/// newline outside double quotes, quotes closed, no empty option.
pub fn valid_options(options: &[u8]) -> bool {
    let mut quoted = false;
    let mut i = 0;
    while i < options.len() {
        match options[i] {
            b'\n' | b'\r' | 0 => return false,
            b'\\' if options.get(i + 1) == Some(&b'"') => i += 1,
            b'"' => quoted = !quoted,
            b' ' | b'\t' if !quoted => return false,
            _ => {}
        }
        i += 1;
    }
    !quoted && !options.is_empty() && split_options(options).iter().all(|o| !o.is_empty())
}

fn trim_end(text: &[u8]) -> &[u8] {
    let end = text.iter().rposition(|&b| !b.is_ascii_whitespace()).map_or(0, |i| i + 1);
    &text[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    const ED: &str = include_str!("../../testdata/keys/id_ed25519.pub");

    #[test]
    fn untouched_files_come_back_byte_for_byte() {
        let data = ED.trim_end();
        for file in [
            String::new(),
            "\n".to_string(),
            format!("# c\n\n{data}\ngarbage\n"),
            data.to_string(),
            format!("from=\"a, b\",no-pty  {data} me\r\n\n\n"),
        ] {
            let parsed = AuthorizedKeys::parse(file.as_bytes());
            assert_eq!(parsed.to_bytes(), file.as_bytes(), "{file:?}");
        }
    }

    #[test]
    fn key_lines_have_their_parts() {
        let data = ED.trim_end();
        let (kind, rest) = data.split_once(' ').unwrap_or_default();
        let blob = rest.split(' ').next().unwrap_or_default();
        let text = format!("command=\"echo a, b\",no-pty\t{kind} {blob} al@x  ");
        let Line::Key(key) = Line::parse(text.as_bytes()) else { panic!("no key in {text}") };
        assert_eq!(key.options.as_deref(), Some(&b"command=\"echo a, b\",no-pty"[..]));
        assert_eq!(key.key_type, kind.as_bytes());
        assert_eq!(key.comment, b"al@x");
        assert_eq!(key.option_list(), ["command=\"echo a, b\"", "no-pty"]);
        assert_eq!(key.text, text.as_bytes());
        let rendered = KeyLine::new(*key.key.clone(), key.options.clone(), key.comment.clone()).render();
        assert_eq!(rendered, format!("command=\"echo a, b\",no-pty {kind} {blob} al@x").as_bytes());
    }

    #[test]
    fn options_are_checked_before_they_are_written() {
        assert!(valid_options(b"from=\"10.0.0.0/8\",no-pty"));
        assert!(valid_options(b"command=\"echo a b\""));
        for bad in [&b""[..], b"no-pty,", b"a b", b"command=\"x", b"a\nb", b",no-pty"] {
            assert!(!valid_options(bad), "{bad:?}");
        }
    }
}
