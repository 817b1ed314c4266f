//! Host key checks against known_hosts, as ssh makes them: a key recorded for the host
//! is trusted; a different key of a recorded type means the key changed; a `@revoked`
//! key is never accepted; a host certificate is trusted when a `@cert-authority` line for
//! the host holds its CA. Unknown keys are the caller's decision (StrictHostKeyChecking).

use std::path::{Path, PathBuf};

use russh::keys::{Algorithm, HashAlg};
use ssh_key::Certificate;
use ssh_key::certificate::CertType;
use ssh_key::public::KeyData;

use crate::key::{Fingerprint, HashKind, describe};
use crate::known_hosts::{KnownHosts, Marker};

/// A known_hosts entry that applies to the host.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub file: PathBuf,
    pub line: usize,
    pub marker: Option<Marker>,
    pub key: KeyData,
}

/// What known_hosts says about the key the server offered.
#[derive(Debug, Clone)]
pub enum Verdict {
    /// Recorded for the host (or certified by a CA recorded for it).
    Trusted,
    /// Not recorded. `other_types` tells whether keys of other types are.
    Unknown { other_types: bool },
    /// A different key of the same type is recorded: these lines.
    Changed { offending: Vec<(PathBuf, usize)> },
    /// Marked `@revoked` at this line.
    Revoked { file: PathBuf, line: usize },
    /// A host certificate that does not hold up.
    BadCertificate(String),
}

/// The known_hosts files to consult for one host.
#[derive(Debug, Clone)]
pub struct HostKeys {
    /// `host` or `[host]:port`, lower case: the name looked up.
    pub lookup: String,
    /// The host name certificates must name.
    pub host_name: String,
    pub files: Vec<PathBuf>,
}

impl HostKeys {
    /// What the files record for the host (missing or unreadable files count as empty,
    /// as they do for ssh).
    pub fn recorded(&self) -> Vec<Recorded> {
        let mut out = Vec::new();
        for path in &self.files {
            let Ok(file) = KnownHosts::read(path) else { continue };
            for found in file.find(&self.lookup) {
                if let Ok((key, _)) = found.entry.key() {
                    out.push(Recorded { file: path.clone(), line: found.number, marker: found.marker, key });
                }
            }
        }
        out
    }

    /// Judges an offered plain key.
    pub fn verify_key(&self, offered: &KeyData, recorded: &[Recorded]) -> Verdict {
        if let Some(revoked) =
            recorded.iter().find(|r| r.marker == Some(Marker::Revoked) && r.key == *offered)
        {
            return Verdict::Revoked { file: revoked.file.clone(), line: revoked.line };
        }
        let plain: Vec<&Recorded> = recorded.iter().filter(|r| r.marker.is_none()).collect();
        if plain.iter().any(|r| r.key == *offered) {
            return Verdict::Trusted;
        }
        let offered_type = crate::key::describe::line_type_name(offered);
        let offending: Vec<(PathBuf, usize)> = plain
            .iter()
            .filter(|r| crate::key::describe::line_type_name(&r.key) == offered_type)
            .map(|r| (r.file.clone(), r.line))
            .collect();
        match offending.is_empty() {
            true => Verdict::Unknown { other_types: !plain.is_empty() },
            false => Verdict::Changed { offending },
        }
    }

    /// Judges an offered host certificate against the `@cert-authority` lines.
    pub fn verify_certificate(&self, cert: &Certificate, recorded: &[Recorded]) -> Verdict {
        let revoked =
            |key: &KeyData| recorded.iter().find(|r| r.marker == Some(Marker::Revoked) && r.key == *key);
        if let Some(r) = revoked(cert.public_key()).or_else(|| revoked(cert.signature_key())) {
            return Verdict::Revoked { file: r.file.clone(), line: r.line };
        }
        let trusted_ca = recorded
            .iter()
            .any(|r| r.marker == Some(Marker::CertAuthority) && r.key == *cert.signature_key());
        if !trusted_ca {
            return Verdict::BadCertificate("its CA is not a @cert-authority for this host".into());
        }
        if cert.cert_type() != CertType::Host {
            return Verdict::BadCertificate("it is a user certificate".into());
        }
        let principals = cert.valid_principals();
        if !principals.is_empty() && !principals.iter().any(|p| p.eq_ignore_ascii_case(&self.host_name)) {
            return Verdict::BadCertificate(format!("it is not valid for {}", self.host_name));
        }
        let ca = cert.signature_key().fingerprint(ssh_key::HashAlg::Sha256);
        match cert.validate([&ca]) {
            Ok(()) => Verdict::Trusted,
            Err(e) => Verdict::BadCertificate(format!("it does not verify ({e})")),
        }
    }

    /// Host key algorithms to offer, those already recorded for the host first (which ssh
    /// does implicitly; otherwise a host known by its RSA key would be asked for Ed25519
    /// and look unknown).
    pub fn preferred_algorithms(recorded: &[Recorded]) -> Vec<Algorithm> {
        let defaults = russh::Preferred::default().key.to_vec();
        let mut first: Vec<Algorithm> = Vec::new();
        for r in recorded.iter().filter(|r| r.marker.is_none()) {
            let algorithms = match r.key.algorithm() {
                Algorithm::Rsa { .. } => vec![
                    Algorithm::Rsa { hash: Some(HashAlg::Sha512) },
                    Algorithm::Rsa { hash: Some(HashAlg::Sha256) },
                ],
                other => vec![other],
            };
            for algorithm in algorithms {
                if !first.contains(&algorithm) {
                    first.push(algorithm);
                }
            }
        }
        first.iter().cloned().chain(defaults.into_iter().filter(|a| !first.contains(a))).collect()
    }

    /// Certificate algorithms to ask for: only when a CA is recorded for the host.
    pub fn certificate_algorithms(recorded: &[Recorded]) -> Vec<Algorithm> {
        match recorded.iter().any(|r| r.marker == Some(Marker::CertAuthority)) {
            true => russh::Preferred::default().key.to_vec(),
            false => Vec::new(),
        }
    }
}

/// `ED25519 key fingerprint is SHA256:…`-style description of a key.
pub fn describe_key(key: &KeyData) -> (String, Fingerprint) {
    let type_name = describe(key).map_or_else(|| "unknown".to_string(), |d| d.type_name);
    (type_name, Fingerprint::of_key(HashKind::Sha256, key))
}

/// OpenSSH's warning for a changed host key (sshconnect.c), with the lines to look at.
pub fn changed_warning(
    host: &str,
    key: &KeyData,
    offending: &[(PathBuf, usize)],
    user_file: &Path,
) -> String {
    let (type_name, fingerprint) = describe_key(key);
    let mut text = String::from(
        "@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\n\
         @    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @\n\
         @@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\n\
         IT IS POSSIBLE THAT SOMEONE IS DOING SOMETHING NASTY!\n\
         Someone could be eavesdropping on you right now (man-in-the-middle attack)!\n\
         It is also possible that a host key has just been changed.\n",
    );
    text.push_str(&format!(
        "The fingerprint for the {type_name} key sent by the remote host is\n{fingerprint}.\n"
    ));
    text.push_str("Please contact your system administrator.\n");
    text.push_str(&format!("Add correct host key in {} to get rid of this message.\n", user_file.display()));
    for (file, line) in offending {
        text.push_str(&format!("Offending {type_name} key in {}:{line}\n", file.display()));
    }
    text.push_str(&format!("Host key for {host} has changed and you have requested strict checking.\nHost key verification failed.\n"));
    text
}

/// OpenSSH's warning for a revoked host key.
pub fn revoked_warning(host: &str, key: &KeyData, file: &Path, line: usize) -> String {
    let (type_name, _) = describe_key(key);
    format!(
        "@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\n\
         @       WARNING: REVOKED HOST KEY DETECTED!               @\n\
         @@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\n\
         The {type_name} host key for {host} is marked as revoked.\n\
         This could mean that a stolen key is being used to\n\
         impersonate this host.\n\
         Revoked key in {}:{line}\n",
        file.display()
    )
}

/// OpenSSH's question for an unknown host key.
pub fn unknown_question(host: &str, key: &KeyData, other_types: bool) -> String {
    let (type_name, fingerprint) = describe_key(key);
    let names = match other_types {
        true => "but keys of different type are already known for this host.",
        false => "This key is not known by any other names.",
    };
    format!(
        "The authenticity of host '{host}' can't be established.\n{type_name} key fingerprint is {fingerprint}.\n{names}\n\
         Are you sure you want to continue connecting (yes/no/[fingerprint])? "
    )
}
