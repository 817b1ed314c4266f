//! KEY arguments of `authorized-keys`: a public key file, a key line, or (to find or
//! remove keys) a fingerprint; and the keys the user logs in with, which `set` must keep.

use std::path::{Path, PathBuf};

use anyhow::Result;
use ssh_key::public::KeyData;

use crate::authorized_keys::line::valid_options;
use crate::authorized_keys::{KeyLine, Line, Matcher, Wanted};
use crate::cli::authorized_keys::Shape;
use crate::context::Context;
use crate::error::{CommentOf, Error};
use crate::key::text::check_one_line;

/// The largest key file read.
const MAX_KEY_FILE: u64 = 1 << 20;

/// The keys `arg` names, as key lines: the argument itself when it is a key line, else
/// every key line of the file it names.
fn key_lines(arg: &str) -> Result<Vec<KeyLine>> {
    if let Some(line) = KeyLine::parse(arg.trim_end().as_bytes()) {
        return Ok(vec![line]);
    }
    let path = Path::new(arg);
    if !path.is_file() {
        return Err(Error::NotAKeyArgument { arg: arg.to_string() }.into());
    }
    let contents = crate::fsutil::read_capped(path, MAX_KEY_FILE, "a public key file")?;
    let lines: Vec<KeyLine> = contents
        .split(|&b| b == b'\n')
        .filter_map(|text| match Line::parse(text) {
            Line::Key(key) => Some(key),
            Line::Other(_) => None,
        })
        .collect();
    if lines.is_empty() {
        return Err(Error::NoPublicKey { path: path.to_path_buf(), first_bad_line: None }.into());
    }
    Ok(lines)
}

/// The keys to add or set, shaped by `--options` and `--comment`.
///
/// # Errors
/// An argument that names no key, or options or a comment that cannot be written.
pub fn wanted(args: &[String], shape: &Shape) -> Result<Vec<Wanted>> {
    let options = match &shape.key_options {
        Some(options) if !valid_options(options.as_bytes()) => {
            return Err(Error::BadKeyOptions { options: options.clone() }.into());
        }
        options => options.as_ref().map(|o| o.as_bytes().to_vec()),
    };
    if let Some(comment) = &shape.comment {
        check_one_line(comment.as_bytes(), CommentOf::Argument)?;
    }
    let mut wanted = Vec::new();
    for arg in args {
        for line in key_lines(arg)? {
            wanted.push(Wanted {
                key: *line.key,
                options: options.clone().or(line.options),
                comment: shape.comment.as_ref().map_or(line.comment, |c| c.as_bytes().to_vec()),
            });
        }
    }
    Ok(wanted)
}

/// What a KEY argument of `list --key`, `remove` or `rotate`'s OLD matches.
///
/// # Errors
/// An argument that is no fingerprint and names no key.
pub fn matchers(arg: &str) -> Result<Vec<Matcher>> {
    let looks_like_fingerprint = ["SHA256:", "SHA512:", "SHA384:", "SHA1:", "MD5:"]
        .iter()
        .any(|prefix| arg.len() > prefix.len() && arg[..prefix.len()].eq_ignore_ascii_case(prefix));
    if looks_like_fingerprint && !Path::new(arg).exists() {
        return Ok(vec![Matcher::Fingerprint(arg.to_string())]);
    }
    Ok(key_lines(arg)?.into_iter().map(|line| Matcher::Key(*line.key)).collect())
}

/// `rotate`'s NEW: the private key to log in with and its public key line.
///
/// # Errors
/// No private key file, or no public key beside it.
pub fn new_key(arg: &Path) -> Result<(PathBuf, KeyLine)> {
    let private = match arg.extension().and_then(|e| e.to_str()) {
        Some("pub") => arg.with_extension(""),
        _ => arg.to_path_buf(),
    };
    if !private.is_file() {
        return Err(Error::RotateNeedsPrivateKey { key: private }.into());
    }
    let public = crate::fsutil::with_suffix(&private, ".pub");
    let line = key_lines(&public.to_string_lossy())
        .ok()
        .and_then(|lines| lines.into_iter().next())
        .ok_or_else(|| Error::RotateNeedsPrivateKey { key: private.clone() })?;
    Ok((private, line))
}

/// The keys the user logs in with: the agent's, and the public halves of `identities`.
pub async fn login_keys(ctx: &Context, identities: &[PathBuf]) -> Vec<KeyData> {
    let mut keys: Vec<KeyData> = match crate::commands::copy_id::keys::from_agent(ctx).await {
        Ok(Some(agent)) => agent.keys.into_iter().map(|k| k.key).collect(),
        _ => Vec::new(),
    };
    keys.extend(
        identities.iter().filter_map(|path| crate::key::source::pub_beside(path).map(|(key, _)| key)),
    );
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    const ED: &str = include_str!("../../../testdata/keys/id_ed25519.pub");

    fn shape(options: Option<&str>, comment: Option<&str>) -> Shape {
        Shape { key_options: options.map(String::from), comment: comment.map(String::from) }
    }

    #[test]
    fn a_key_line_keeps_its_options_and_comment_unless_told_otherwise() {
        let line = format!("no-pty {}", ED.trim_end());
        let own = wanted(std::slice::from_ref(&line), &shape(None, None)).unwrap();
        assert_eq!(own[0].options.as_deref(), Some(&b"no-pty"[..]));
        assert_eq!(own[0].comment, b"id_ed25519@keywright.test");
        let told = wanted(&[line], &shape(Some("from=\"a,b\""), Some("ci"))).unwrap();
        assert_eq!(told[0].options.as_deref(), Some(&b"from=\"a,b\""[..]));
        assert_eq!(told[0].comment, b"ci");
    }

    #[test]
    fn bad_arguments_say_what_is_wrong() {
        let error = wanted(&["nonsense".into()], &shape(None, None)).unwrap_err();
        assert!(error.to_string().starts_with("\"nonsense\": not a public key file"), "{error}");
        let error = wanted(&[ED.into()], &shape(Some("a b"), None)).unwrap_err();
        assert!(error.to_string().contains("not valid authorized_keys options"), "{error}");
        assert!(matches!(matchers("SHA256:abc").unwrap().as_slice(), [Matcher::Fingerprint(_)]));
    }
}
