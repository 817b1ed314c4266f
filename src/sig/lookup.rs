//! Who may have signed: the three lookups of an allowed_signers file that `ssh-keygen -Y`
//! makes (sshsig.c `sshsig_check_allowed_keys`, `sshsig_find_principals`,
//! `sshsig_match_principals`), line by line and in OpenSSH's order, so that the same
//! file gives the same answer and the same complaints about the same lines.
//!
//! - [`check_allowed`] (verify): the first line that names the principal and holds the
//!   signer's key (or, with `cert-authority`, the CA of the signer's certificate), and
//!   allows the namespace and the time.
//! - [`find_principals`]: the principals of the first line that holds the signer's key.
//! - [`match_principals`]: every line whose principal patterns match an identity.
//!
//! A line that names the principal but is unusable (unreadable, expired, another
//! namespace) is noted with why and the search goes on, as OpenSSH logs it and goes on.

use ssh_key::Certificate;
use ssh_key::certificate::CertType;
use ssh_key::public::KeyData;

use super::allowed::{Head, LineProblem, SignersFile, body, head, split_principals};
use super::time::Seconds;
use crate::known_hosts::pattern::{ListMatch, glob, match_list_exact};

/// Why a line that was looked at did not admit the signer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineNote {
    /// The line cannot be read.
    Unreadable(LineProblem),
    /// The line's CA signed the signer's certificate, but the certificate does not allow
    /// the principal asked for (or at all, at that time).
    Certificate(CertProblem),
    /// The line's CA signed the signer's certificate, but none of the certificate's
    /// principals matches the line's patterns (find-principals).
    NoValidPrincipals,
    /// The line restricts the key to other namespaces.
    Namespace { namespace: Vec<u8> },
    /// The verify time is before the line's `valid-after`.
    NotYetValid { time: Seconds, valid_after: Seconds },
    /// The verify time is after the line's `valid-before`.
    Expired { time: Seconds, valid_before: Seconds },
}

impl LineNote {
    /// A stable name for programs.
    pub fn code(&self) -> &'static str {
        match self {
            LineNote::Unreadable(_) => "invalid-line",
            LineNote::Certificate(_) => "certificate",
            LineNote::NoValidPrincipals => "no-valid-principals",
            LineNote::Namespace { .. } => "namespace",
            LineNote::NotYetValid { .. } => "not-yet-valid",
            LineNote::Expired { .. } => "expired",
        }
    }
}

impl std::fmt::Display for LineNote {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use super::time::format_local as at;
        match self {
            LineNote::Unreadable(problem) => write!(f, "{problem}"),
            LineNote::Certificate(problem) => write!(f, "the CA signed the certificate, but {problem}"),
            LineNote::NoValidPrincipals => {
                f.write_str("the CA signed the certificate, but none of its principals matches this line")
            }
            LineNote::Namespace { namespace } => write!(
                f,
                "the key may not sign in namespace \"{}\"",
                String::from_utf8_lossy(namespace).escape_debug()
            ),
            LineNote::NotYetValid { time, valid_after } => {
                write!(
                    f,
                    "the key is not valid yet: {} is before valid-after {}",
                    at(*time),
                    at(*valid_after)
                )
            }
            LineNote::Expired { time, valid_before } => {
                write!(f, "the key has expired: {} is after valid-before {}", at(*time), at(*valid_before))
            }
        }
    }
}

/// Why a certificate does not allow signing as a principal at a time (sshkey.c
/// `sshkey_cert_check_authority`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CertProblem {
    NotUserCertificate,
    NotYetValid,
    Expired,
    /// The certificate lists no principals, so it is valid for no one.
    NoPrincipals,
    PrincipalNotListed,
}

impl std::fmt::Display for CertProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            CertProblem::NotUserCertificate => "it is not a user certificate",
            CertProblem::NotYetValid => "it is not valid yet",
            CertProblem::Expired => "it has expired",
            CertProblem::NoPrincipals => "it lists no principals",
            CertProblem::PrincipalNotListed => "the principal is not one it lists",
        })
    }
}

/// A note about one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Noted {
    pub line: usize,
    pub note: LineNote,
}

/// The line that admitted a signer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Admitted {
    pub line: usize,
    /// The line's principals field; for a `cert-authority` line in find-principals, the
    /// certificate's principals that the line's patterns match, comma-separated.
    pub principals: Vec<u8>,
}

/// The answer of a lookup: the line that admitted the signer, if one did, and why each
/// line before it that was looked at did not.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Lookup {
    pub admitted: Option<Admitted>,
    pub notes: Vec<Noted>,
}

/// What is asked of each line.
struct Query<'a> {
    signer: &'a KeyData,
    principal: Option<&'a [u8]>,
    namespace: Option<&'a [u8]>,
    time: Seconds,
}

/// verify: whether `principal` may have made a signature with `signer` in `namespace`
/// at `time`.
pub fn check_allowed(
    file: &SignersFile,
    signer: &KeyData,
    principal: &[u8],
    namespace: &[u8],
    time: Seconds,
) -> Lookup {
    search(file, &Query { signer, principal: Some(principal), namespace: Some(namespace), time })
}

/// find-principals: who may have made a signature with `signer` at `time` (any
/// namespace: OpenSSH does not check it here).
pub fn find_principals(file: &SignersFile, signer: &KeyData, time: Seconds) -> Lookup {
    search(file, &Query { signer, principal: None, namespace: None, time })
}

fn search(file: &SignersFile, query: &Query<'_>) -> Lookup {
    let mut lookup = Lookup::default();
    for (number, line) in file.lines() {
        match check_line(line, query) {
            Verdict::Skip => {}
            Verdict::Note(note) => lookup.notes.push(Noted { line: number, note }),
            Verdict::Admit(principals) => {
                lookup.admitted = Some(Admitted { line: number, principals });
                break;
            }
        }
    }
    lookup
}

enum Verdict {
    Skip,
    Note(LineNote),
    Admit(Vec<u8>),
}

/// One line, as sshsig.c's `check_allowed_keys_line`.
fn check_line(line: &[u8], query: &Query<'_>) -> Verdict {
    let (principals, rest) = match head(line) {
        Head::Skip => return Verdict::Skip,
        Head::Invalid => return Verdict::Note(LineNote::Unreadable(LineProblem::InvalidLine)),
        Head::Signer { principals, rest } => (principals, rest),
    };
    // A line for other principals is not read further (nor complained about).
    if let Some(principal) = query.principal
        && match_list_exact(principal, &principals) != ListMatch::Positive
    {
        return Verdict::Skip;
    }
    let body = match body(rest) {
        Ok(body) => body,
        Err(problem) => return Verdict::Note(LineNote::Unreadable(problem)),
    };
    let mut principals = principals.into_owned();
    if !body.options.cert_authority && body.key == *query.signer {
        // The signer's own key.
    } else if let (true, KeyData::Certificate(cert)) = (body.options.cert_authority, query.signer)
        && plain(cert.signature_key()) == plain(&body.key)
    {
        match query.principal {
            Some(principal) => {
                if let Err(problem) = authorize(cert, query.time, Some(principal)) {
                    return Verdict::Note(LineNote::Certificate(problem));
                }
            }
            None => match certified_principals(&principals, cert, query.time) {
                Some(certified) => principals = certified,
                None => return Verdict::Note(LineNote::NoValidPrincipals),
            },
        }
    } else {
        return Verdict::Skip;
    }
    match restriction(&body.options, query) {
        Some(note) => Verdict::Note(note),
        None => Verdict::Admit(principals),
    }
}

/// What in a line's options keeps it from admitting the signer now: its namespaces,
/// then its validity window (inclusive at both ends).
fn restriction(options: &super::options::Options, query: &Query<'_>) -> Option<LineNote> {
    if let (Some(namespaces), Some(namespace)) = (&options.namespaces, query.namespace)
        && match_list_exact(namespace, namespaces) != ListMatch::Positive
    {
        return Some(LineNote::Namespace { namespace: namespace.to_vec() });
    }
    let time = query.time;
    if let Some(valid_after) = options.valid_after.filter(|&after| time < after) {
        return Some(LineNote::NotYetValid { time, valid_after });
    }
    if let Some(valid_before) = options.valid_before.filter(|&before| time > before) {
        return Some(LineNote::Expired { time, valid_before });
    }
    None
}

/// A key without its certificate (OpenSSH's `sshkey_equal_public` compares these).
pub fn plain(key: &KeyData) -> &KeyData {
    match key {
        KeyData::Certificate(cert) => cert.public_key(),
        other => other,
    }
}

/// Whether a user certificate allows signing at `time`, as `principal` when one is asked
/// for (an exact principal: no patterns).
pub fn authorize(cert: &Certificate, time: Seconds, principal: Option<&[u8]>) -> Result<(), CertProblem> {
    if cert.cert_type() != CertType::User {
        return Err(CertProblem::NotUserCertificate);
    }
    if time < cert.valid_after() {
        return Err(CertProblem::NotYetValid);
    }
    if time >= cert.valid_before() {
        return Err(CertProblem::Expired);
    }
    if cert.valid_principals().is_empty() {
        return Err(CertProblem::NoPrincipals);
    }
    match principal {
        Some(name) if !cert.valid_principals().iter().any(|listed| listed.as_bytes() == name) => {
            Err(CertProblem::PrincipalNotListed)
        }
        _ => Ok(()),
    }
}

/// The certificate's principals that the line's patterns match (each pattern in turn,
/// `*` and `?` only, as sshsig.c's `cert_filter_principals`), comma-separated; `None`
/// when there are none or the certificate is not valid at `time`.
fn certified_principals(patterns: &[u8], cert: &Certificate, time: Seconds) -> Option<Vec<u8>> {
    if authorize(cert, time, None).is_err() {
        return None;
    }
    let mut found = Vec::new();
    for pattern in split_principals(patterns) {
        for principal in cert.valid_principals() {
            if glob(principal.as_bytes(), pattern) {
                if !found.is_empty() {
                    found.push(b',');
                }
                found.extend_from_slice(principal.as_bytes());
            }
        }
    }
    (!found.is_empty()).then_some(found)
}

/// A line whose principal patterns match the identity (match-principals).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matched {
    pub line: usize,
    /// The line's principals field, as the file has it (quotes removed).
    pub principals: Vec<u8>,
}

/// A line match-principals stopped at: OpenSSH gives up on the whole file there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stopped {
    pub line: usize,
    pub problem: LineProblem,
}

/// match-principals: every line whose principal patterns match `identity`, in file
/// order. As sshsig.c, a line that cannot be split, or that names the identity but
/// cannot be read, ends the search with no answer.
///
/// # Errors
/// The line that ended the search, and why.
pub fn match_principals(file: &SignersFile, identity: &[u8]) -> Result<Vec<Matched>, Stopped> {
    let mut matched = Vec::new();
    for (line, text) in file.lines() {
        let (principals, rest) = match head(text) {
            Head::Skip => continue,
            Head::Invalid => return Err(Stopped { line, problem: LineProblem::InvalidLine }),
            Head::Signer { principals, rest } => (principals, rest),
        };
        if match_list_exact(identity, &principals) != ListMatch::Positive {
            continue;
        }
        if let Err(problem) = body(rest) {
            return Err(Stopped { line, problem });
        }
        matched.push(Matched { line, principals: principals.into_owned() });
    }
    Ok(matched)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::sig::options::OptionError;

    const ED: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPV5JM3xoi5Aeh+6F54SYGaFpkXBaBfoHhohWQTQ49Ye";
    const OTHER: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGIrVZlC1iPIHCa8aMN6tFuV5UtyIYE6mjoM3htErex4";

    fn file(text: &str) -> SignersFile {
        SignersFile::from_bytes(Path::new("allowed"), text.as_bytes().to_vec())
    }

    fn key() -> KeyData {
        crate::key::text::read_key(ED.as_bytes()).unwrap().0
    }

    const NOW: Seconds = 1_800_000_000;

    /// Cases of `ssh-keygen -Y verify` and `find-principals`, with what they printed.
    #[test]
    fn verify_lookup_like_openssh() {
        let text = format!(
            "garbage line\nbob {OTHER}\nalice valid-before=\"20200101Z\" {ED}\nalice namespaces=\"git\" {ED}\n*,!mallory {ED}\n"
        );
        let lookup = check_allowed(&file(&text), &key(), b"alice", b"file", NOW);
        assert_eq!(lookup.admitted, Some(Admitted { line: 5, principals: b"*,!mallory".to_vec() }));
        let notes: Vec<usize> = lookup.notes.iter().map(|n| n.line).collect();
        assert_eq!(notes, [3, 4]);
        assert_eq!(lookup.notes[0].note, LineNote::Expired { time: NOW, valid_before: 1_577_836_800 });
        assert_eq!(lookup.notes[1].note, LineNote::Namespace { namespace: b"file".to_vec() });
        let mallory = check_allowed(&file(&text), &key(), b"mallory", b"file", NOW);
        assert_eq!(mallory.admitted, None);
        // find-principals reads every line, and ignores namespaces.
        let found = find_principals(&file(&text), &key(), NOW);
        assert_eq!(found.admitted.map(|a| a.line), Some(4));
        assert_eq!(found.notes[0], Noted { line: 1, note: LineNote::Unreadable(LineProblem::MissingKey) });
    }

    #[test]
    fn match_principals_like_openssh() {
        let good = format!("alice,bob {ED}\n# c\n*,!mallory {ED}\n");
        let matched = match_principals(&file(&good), b"bob").unwrap();
        assert_eq!(matched.iter().map(|m| m.line).collect::<Vec<_>>(), [1, 3]);
        assert_eq!(matched[1].principals, b"*,!mallory");
        assert_eq!(match_principals(&file(&good), b"mallory").unwrap(), []);
        let bad = format!("{good}bad opt {ED}\n");
        assert_eq!(match_principals(&file(&bad), b"bob").unwrap().len(), 2);
        let stopped = match_principals(&file(&bad), b"bad").unwrap_err();
        assert_eq!(stopped, Stopped { line: 4, problem: LineProblem::BadOptions(OptionError::Unknown) });
        // A line for others is not read, unless it cannot even be split.
        assert_eq!(match_principals(&file(&bad), b"mallory").unwrap(), []);
        assert_eq!(match_principals(&file("alice"), b"zed").unwrap_err().problem, LineProblem::InvalidLine);
    }
}
