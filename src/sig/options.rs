//! The options of an allowed_signers line (`cert-authority`, `namespaces="…"`,
//! `valid-after="…"`, `valid-before="…"`), read as OpenSSH 9.2's `sshsigopt_parse` reads
//! them: names in any case, values in double quotes with `\"` inside, options separated
//! by commas, and an unknown option an error.

use super::time::{self, Seconds};

/// The options of one line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    /// `cert-authority`: the key is a CA; certificates it signed may sign.
    pub cert_authority: bool,
    /// `namespaces="…"`: the namespace patterns the key may sign in (bytes, as the file
    /// has them, unquoted).
    pub namespaces: Option<Vec<u8>>,
    /// `valid-after="…"`: the key is not valid before this time.
    pub valid_after: Option<Seconds>,
    /// `valid-before="…"`: the key is not valid after this time.
    pub valid_before: Option<Seconds>,
}

/// Why a line's options were refused (OpenSSH's reasons, one each).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OptionError {
    /// A name that is no option, or text after an option that is no comma.
    Unknown,
    /// A comma with nothing after it.
    UnexpectedEnd,
    /// A value without its opening `"`.
    MissingStartQuote,
    /// A value without its closing `"`.
    MissingEndQuote,
    /// The option (`namespaces`, `valid-after`, `valid-before`) given twice.
    Repeated(&'static str),
    /// A `valid-after` or `valid-before` value that is no time.
    BadTime(&'static str),
    /// `valid-before` is not after `valid-after`.
    BeforeNotAfterAfter,
}

impl std::fmt::Display for OptionError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OptionError::Unknown => f.write_str("unknown option"),
            OptionError::UnexpectedEnd => f.write_str("a comma ends the options"),
            OptionError::MissingStartQuote => f.write_str("an option value does not start with \""),
            OptionError::MissingEndQuote => f.write_str("an option value does not end with \""),
            OptionError::Repeated(name) => write!(f, "{name} is given twice"),
            OptionError::BadTime(name) => {
                write!(f, "{name} is not a time (YYYYMMDD[HHMM[SS]], optionally ending in Z for UTC)")
            }
            OptionError::BeforeNotAfterAfter => f.write_str("valid-before is not after valid-after"),
        }
    }
}

impl Options {
    /// Parses the option text of a line (what precedes the key, without the blank after
    /// it); empty text is no options.
    ///
    /// # Errors
    /// The first problem found, as OpenSSH finds it.
    pub fn parse(text: &[u8]) -> Result<Self, OptionError> {
        let mut options = Options::default();
        let mut rest = text;
        while !rest.is_empty() {
            rest = options.take_one(rest)?;
            match rest.split_first() {
                None => break,
                Some((b',', [])) => return Err(OptionError::UnexpectedEnd),
                Some((b',', after)) => rest = after,
                Some(_) => return Err(OptionError::Unknown),
            }
        }
        match (options.valid_after, options.valid_before) {
            (Some(after), Some(before)) if before <= after => Err(OptionError::BeforeNotAfterAfter),
            _ => Ok(options),
        }
    }

    /// Reads the option at the start of `text`, if it is one, and returns what follows
    /// it. Text that starts with no option name is returned as it is, as OpenSSH skips
    /// nothing then (the caller finds no comma and calls it unknown).
    fn take_one<'a>(&mut self, text: &'a [u8]) -> Result<&'a [u8], OptionError> {
        // OpenSSH compares a prefix: `cert-authorityX` is the flag, then an unknown `X`.
        if starts_with_ignore_case(text, b"cert-authority") {
            self.cert_authority = true;
            return Ok(&text[b"cert-authority".len()..]);
        }
        if let Some(value) = value_of(text, b"namespaces") {
            if self.namespaces.is_some() {
                return Err(OptionError::Repeated("namespaces"));
            }
            let (namespaces, rest) = dequote(value)?;
            self.namespaces = Some(namespaces);
            return Ok(rest);
        }
        for (name, slot) in [("valid-after", &mut self.valid_after), ("valid-before", &mut self.valid_before)]
        {
            if let Some(value) = value_of(text, name.as_bytes()) {
                if slot.is_some() {
                    return Err(OptionError::Repeated(name));
                }
                let (value, rest) = dequote(value)?;
                let time = std::str::from_utf8(&value).ok().and_then(time::parse).filter(|&t| t != 0);
                *slot = Some(time.ok_or(OptionError::BadTime(name))?);
                return Ok(rest);
            }
        }
        Ok(text)
    }
}

/// The text after `name=` when `text` starts with it (the name in any case).
fn value_of<'a>(text: &'a [u8], name: &[u8]) -> Option<&'a [u8]> {
    match starts_with_ignore_case(text, name) && text.get(name.len()) == Some(&b'=') {
        true => Some(&text[name.len() + 1..]),
        false => None,
    }
}

fn starts_with_ignore_case(text: &[u8], prefix: &[u8]) -> bool {
    text.len() >= prefix.len() && text[..prefix.len()].eq_ignore_ascii_case(prefix)
}

/// A double-quoted value (`\"` stands for `"`) and the text after its closing quote.
fn dequote(text: &[u8]) -> Result<(Vec<u8>, &[u8]), OptionError> {
    let Some(body) = text.strip_prefix(b"\"") else { return Err(OptionError::MissingStartQuote) };
    let mut value = Vec::new();
    let mut at = 0;
    while at < body.len() && body[at] != b'"' {
        if body[at] == b'\\' && body.get(at + 1) == Some(&b'"') {
            at += 1;
        }
        value.push(body[at]);
        at += 1;
    }
    match at < body.len() {
        true => Ok((value, &body[at + 1..])),
        false => Err(OptionError::MissingEndQuote),
    }
}

/// Writes options in the form [`Options::parse`] reads (and OpenSSH reads): `None` when
/// there are none. Times are written in UTC (`…Z`), so the line means the same in every
/// time zone.
pub fn format(options: &Options) -> Option<String> {
    let mut parts = Vec::new();
    if options.cert_authority {
        parts.push("cert-authority".to_string());
    }
    if let Some(namespaces) = &options.namespaces {
        let namespaces = String::from_utf8_lossy(namespaces).replace('"', "\\\"");
        parts.push(format!("namespaces=\"{namespaces}\""));
    }
    for (name, time) in [("valid-after", options.valid_after), ("valid-before", options.valid_before)] {
        if let Some(time) = time {
            parts.push(format!("{name}=\"{}\"", format_utc(time)));
        }
    }
    (!parts.is_empty()).then(|| parts.join(","))
}

/// A time as `YYYYMMDDHHMMSSZ`.
fn format_utc(time: Seconds) -> String {
    let seconds = i64::try_from(time).unwrap_or(i64::MAX);
    match chrono::DateTime::<chrono::Utc>::from_timestamp(seconds, 0) {
        Some(at) => at.format("%Y%m%d%H%M%SZ").to_string(),
        None => "99991231235959Z".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each reason as `ssh-keygen -Y find-principals` gave it for the same options.
    #[test]
    fn refuses_what_openssh_refuses() {
        let cases: &[(&[u8], OptionError)] = &[
            (b"bogus-opt", OptionError::Unknown),
            (b",bob", OptionError::Unknown),
            (b"cert-authority,", OptionError::UnexpectedEnd),
            (b"valid-after=20200101", OptionError::MissingStartQuote),
            (b"namespaces=\"git", OptionError::MissingEndQuote),
            (b"namespaces=\"a\",namespaces=\"b\"", OptionError::Repeated("namespaces")),
            (b"valid-after=\"20300101246000\"", OptionError::BadTime("valid-after")),
            (b"valid-after=\"20300101Z\",valid-before=\"20200101Z\"", OptionError::BeforeNotAfterAfter),
            (b"cert-authorityX", OptionError::Unknown),
        ];
        for (text, expected) in cases {
            assert_eq!(Options::parse(text), Err(*expected), "{}", String::from_utf8_lossy(text));
        }
    }

    #[test]
    fn reads_every_option() {
        let text = b"CERT-AUTHORITY,Namespaces=\"git,fi\\\"le*\",valid-after=\"20200101Z\",valid-before=\"20300101Z\"";
        let options = Options::parse(text).unwrap();
        assert!(options.cert_authority);
        assert_eq!(options.namespaces.as_deref(), Some(&b"git,fi\"le*"[..]));
        assert_eq!(options.valid_after, Some(1_577_836_800));
        assert_eq!(options.valid_before, Some(1_893_456_000));
        assert!(Options::parse(b"cert-authority,cert-authority").unwrap().cert_authority);
        let written = format(&options).unwrap();
        assert_eq!(Options::parse(written.as_bytes()).unwrap(), options);
        assert_eq!(format(&Options::default()), None);
    }
}
