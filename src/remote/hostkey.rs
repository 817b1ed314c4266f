//! Host key checks against known_hosts, decision for decision as OpenSSH 9.2's `ssh`
//! makes them (hostfile.c `check_hostkeys_by_key_or_type`, sshconnect.c
//! `check_host_key`), measured cell by cell in `tests/cli/hostkey_policy.rs`:
//! - a plain key is trusted when a plain line for the host holds it; when the host has
//!   plain lines but none holds it, the key *changed*, whatever their key types (a host
//!   known by its RSA key that offers Ed25519 has changed; ssh avoids that case by asking
//!   for the recorded types first, see [`HostKeys::preferred_algorithms`]);
//! - a key (or a certificate's key or CA) on a `@revoked` line is revoked;
//! - a certificate is judged against the `@cert-authority` lines only; a certificate that
//!   does not hold up (unknown CA, expired, wrong principal, critical options, a CA
//!   signature algorithm ssh refuses) is dropped and its plain key judged instead.
//!
//! Unknown keys are the caller's decision (StrictHostKeyChecking).

use std::path::{Path, PathBuf};

use russh::keys::{Algorithm, EcdsaCurve, HashAlg};
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
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Recorded for the host (or certified by a CA recorded for it).
    Trusted,
    /// No plain key at all is recorded for the host.
    Unknown,
    /// Plain keys are recorded for the host, none of them this one. `offending` is the
    /// last such line (the one ssh names): file, line and its key's type (`RSA`).
    Changed { offending: (PathBuf, usize, String) },
    /// Marked `@revoked` at this line.
    Revoked { file: PathBuf, line: usize },
}

/// What a host certificate is worth.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CertVerdict {
    /// Certified by a CA recorded for the host, and valid.
    Trusted,
    /// The certificate, its key or its CA is `@revoked` (no fallback, as in ssh).
    Revoked { file: PathBuf, line: usize },
    /// Not to be trusted as a certificate: judge its plain key instead. `Some(why)` is
    /// ssh's one-line reason, printed when a CA for the host was found (ssh says nothing
    /// when none was).
    Fallback(Option<String>),
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

/// ssh 9.2's default CASignatureAlgorithms: no `ssh-rsa` (SHA-1) signatures.
fn ca_signature_allowed(algorithm: &Algorithm) -> bool {
    !matches!(algorithm, Algorithm::Rsa { hash: None } | Algorithm::Dsa)
}

impl HostKeys {
    /// What the files record for the host, in file order (missing or unreadable files
    /// count as empty, as they do for ssh).
    pub fn recorded(&self) -> Vec<Recorded> {
        let mut out = Vec::new();
        for path in &self.files {
            let Ok(file) = KnownHosts::read(path) else { continue };
            out.extend(Self::recorded_in(&file, &self.lookup));
        }
        out
    }

    /// What one file records for `lookup`.
    pub fn recorded_in(file: &KnownHosts, lookup: &str) -> Vec<Recorded> {
        let mut out = Vec::new();
        for found in file.find(lookup) {
            if let Ok((key, _)) = found.entry.key() {
                out.push(Recorded {
                    file: file.path().to_path_buf(),
                    line: found.number,
                    marker: found.marker,
                    key,
                });
            }
        }
        out
    }

    /// Judges an offered plain key: the first plain line holding it trusts it; otherwise
    /// the last plain line for the host is the offending one. Revocation wins over both.
    pub fn verify_key(offered: &KeyData, recorded: &[Recorded]) -> Verdict {
        if let Some(r) = revoked(recorded, offered) {
            return Verdict::Revoked { file: r.file.clone(), line: r.line };
        }
        let mut plain = recorded.iter().filter(|r| r.marker.is_none());
        if plain.clone().any(|r| r.key == *offered) {
            return Verdict::Trusted;
        }
        match plain.next_back() {
            Some(r) => Verdict::Changed { offending: (r.file.clone(), r.line, describe_key(&r.key).0) },
            None => Verdict::Unknown,
        }
    }

    /// Judges an offered host certificate against the `@cert-authority` lines, in ssh's
    /// order of checks (sshkey_cert_check_host), at `now` (seconds since the epoch).
    pub fn verify_certificate(&self, cert: &Certificate, recorded: &[Recorded], now: u64) -> CertVerdict {
        if let Some(r) =
            revoked(recorded, cert.public_key()).or_else(|| revoked(recorded, cert.signature_key()))
        {
            return CertVerdict::Revoked { file: r.file.clone(), line: r.line };
        }
        let trusted_ca = recorded
            .iter()
            .any(|r| r.marker == Some(Marker::CertAuthority) && r.key == *cert.signature_key());
        if !trusted_ca {
            return CertVerdict::Fallback(None);
        }
        match self.certificate_problem(cert, now) {
            Some(why) => CertVerdict::Fallback(Some(why.into())),
            None => CertVerdict::Trusted,
        }
    }

    /// ssh's reason for refusing a certificate from a trusted CA, if any. ssh checks the
    /// signature when it parses the key, so a bad one never gets this far there.
    fn certificate_problem(&self, cert: &Certificate, now: u64) -> Option<&'static str> {
        if cert.cert_type() != CertType::Host {
            return Some("Certificate invalid: not a host certificate");
        }
        if now < cert.valid_after() {
            return Some("Certificate invalid: not yet valid");
        }
        if now >= cert.valid_before() {
            return Some("Certificate invalid: expired");
        }
        // ssh compares principals with strcmp against the lower-cased host name.
        let principals = cert.valid_principals();
        if !principals.is_empty() && !principals.contains(&self.host_name) {
            return Some("Certificate invalid: name is not a listed principal");
        }
        if !cert.critical_options().is_empty() {
            return Some("Certificate contains unsupported critical options");
        }
        if !ca_signature_allowed(&cert.signature().algorithm()) {
            return Some("Certificate signed with disallowed algorithm");
        }
        match cert.verify_signature() {
            Ok(()) => None,
            Err(_) => Some("Certificate invalid: signature does not verify"),
        }
    }

    /// Host key algorithms to offer, as ssh 9.2 orders its default HostKeyAlgorithms
    /// (sshconnect.c `order_hostkeyalgs`): when the host has a plain key of the type ssh
    /// prefers most (Ed25519), the default order; otherwise the types recorded for the
    /// host first, keeping the default order among them. Without this a host known by
    /// its RSA key would be asked for Ed25519 and its key would look changed.
    pub fn preferred_algorithms(recorded: &[Recorded]) -> Vec<Algorithm> {
        let defaults = default_host_key_algorithms();
        let known = |a: &Algorithm| {
            recorded.iter().any(|r| r.marker.is_none() && same_key_type(&r.key.algorithm(), a))
        };
        if defaults.first().is_some_and(known) {
            return defaults;
        }
        let (first, last): (Vec<Algorithm>, Vec<Algorithm>) = defaults.into_iter().partition(known);
        first.into_iter().chain(last).collect()
    }

    /// Certificate algorithms to ask for, always (as ssh's default HostKeyAlgorithms
    /// does): all in the default order when a CA is recorded for the host, else those of
    /// the recorded plain key types first. russh offers them all before the plain ones,
    /// where ssh puts the plain recorded types before the other types' certificates: a
    /// server with a plain key of a recorded type and a certificate of another type is
    /// the one case where we would negotiate the certificate and ssh the plain key.
    pub fn certificate_algorithms(recorded: &[Recorded]) -> Vec<Algorithm> {
        match recorded.iter().any(|r| r.marker == Some(Marker::CertAuthority)) {
            true => default_host_key_algorithms(),
            false => Self::preferred_algorithms(recorded),
        }
    }
}

/// ssh 9.2's default HostKeyAlgorithms, plain part, as far as russh supports them (no
/// security keys; no `ssh-rsa`, which 9.2 no longer offers).
fn default_host_key_algorithms() -> Vec<Algorithm> {
    vec![
        Algorithm::Ed25519,
        Algorithm::Ecdsa { curve: EcdsaCurve::NistP256 },
        Algorithm::Ecdsa { curve: EcdsaCurve::NistP384 },
        Algorithm::Ecdsa { curve: EcdsaCurve::NistP521 },
        Algorithm::Rsa { hash: Some(HashAlg::Sha512) },
        Algorithm::Rsa { hash: Some(HashAlg::Sha256) },
    ]
}

/// Whether a recorded key's algorithm is the key type of a signature algorithm (every
/// RSA hash is the one RSA key type).
fn same_key_type(key: &Algorithm, algorithm: &Algorithm) -> bool {
    match (key, algorithm) {
        (Algorithm::Rsa { .. }, Algorithm::Rsa { .. }) => true,
        (a, b) => a == b,
    }
}

/// The `@revoked` line for `key`, if any.
fn revoked<'a>(recorded: &'a [Recorded], key: &KeyData) -> Option<&'a Recorded> {
    recorded.iter().find(|r| r.marker == Some(Marker::Revoked) && r.key == *key)
}

/// `ED25519 key fingerprint is SHA256:…`-style description of a key.
pub fn describe_key(key: &KeyData) -> (String, Fingerprint) {
    let type_name = describe(key).map_or_else(|| "unknown".to_string(), |d| d.type_name);
    (type_name, Fingerprint::of_key(HashKind::Sha256, key))
}

/// ssh's last line when it refuses a host key.
pub const VERIFICATION_FAILED: &str = "Host key verification failed.\n";

/// What ssh prints when StrictHostKeyChecking=no lets it go on with a changed or revoked
/// key: it will not type a password into that server.
pub const PASSWORDS_DISABLED: &str = "Password authentication is disabled to avoid man-in-the-middle attacks.\n\
     Keyboard-interactive authentication is disabled to avoid man-in-the-middle attacks.\n";

/// OpenSSH's warning for a changed host key (sshconnect.c), up to the line that depends
/// on StrictHostKeyChecking ([`changed_strict`] or [`PASSWORDS_DISABLED`]).
pub fn changed_warning(
    host: &str,
    key: &KeyData,
    offending: &(PathBuf, usize, String),
    user_file: &Path,
) -> String {
    let (type_name, fingerprint) = describe_key(key);
    let (file, line, offending_type) = offending;
    let file = file.display();
    format!(
        "@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\n\
         @    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @\n\
         @@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\n\
         IT IS POSSIBLE THAT SOMEONE IS DOING SOMETHING NASTY!\n\
         Someone could be eavesdropping on you right now (man-in-the-middle attack)!\n\
         It is also possible that a host key has just been changed.\n\
         The fingerprint for the {type_name} key sent by the remote host is\n{fingerprint}.\n\
         Please contact your system administrator.\n\
         Add correct host key in {} to get rid of this message.\n\
         Offending {offending_type} key in {file}:{line}\n  \
         remove with:\n  \
         ssh-keygen -f \"{file}\" -R \"{host}\"\n",
        user_file.display()
    )
}

/// ssh's refusal of a changed key under StrictHostKeyChecking yes, ask or accept-new.
pub fn changed_strict(host: &str) -> String {
    format!("Host key for {host} has changed and you have requested strict checking.\n{VERIFICATION_FAILED}")
}

/// OpenSSH's warning for a revoked host key, up to the line that depends on
/// StrictHostKeyChecking ([`revoked_strict`] or [`PASSWORDS_DISABLED`]).
pub fn revoked_warning(host: &str, key: &KeyData) -> String {
    let (type_name, _) = describe_key(key);
    format!(
        "@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\n\
         @       WARNING: REVOKED HOST KEY DETECTED!               @\n\
         @@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\n\
         The {type_name} host key for {host} is marked as revoked.\n\
         This could mean that a stolen key is being used to\n\
         impersonate this host.\n"
    )
}

/// ssh's refusal of a revoked key under StrictHostKeyChecking yes, ask or accept-new.
pub fn revoked_strict(host: &str, key: &KeyData) -> String {
    let (type_name, _) = describe_key(key);
    format!(
        "{type_name} host key for {host} was revoked and you have requested strict checking.\n{VERIFICATION_FAILED}"
    )
}

/// ssh's refusal of an unknown key under StrictHostKeyChecking=yes.
pub fn unknown_strict(host: &str, key: &KeyData) -> String {
    let (type_name, _) = describe_key(key);
    format!(
        "No {type_name} host key is known for {host} and you have requested strict checking.\n{VERIFICATION_FAILED}"
    )
}

/// ssh's note after learning a key.
pub fn learnt(host: &str, key: &KeyData) -> String {
    let (type_name, _) = describe_key(key);
    format!("Warning: Permanently added '{host}' ({type_name}) to the list of known hosts.\n")
}

/// OpenSSH's question for an unknown host key; `address` is the `[ip]:port` form of the
/// address connected to. (ssh also lists other names the key is known by; we always
/// say there are none.)
pub fn unknown_question(host: &str, address: &str, key: &KeyData) -> String {
    let (type_name, fingerprint) = describe_key(key);
    format!(
        "The authenticity of host '{host} ({address})' can't be established.\n\
         {type_name} key fingerprint is {fingerprint}.\n\
         This key is not known by any other names.\n\
         Are you sure you want to continue connecting (yes/no/[fingerprint])? "
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const ED_A: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGIrVZlC1iPIHCa8aMN6tFuV5UtyIYE6mjoM3htErex4";

    fn key(text: &str) -> KeyData {
        ssh_key::PublicKey::from_openssh(text).unwrap().key_data().clone()
    }

    fn other_ed25519() -> KeyData {
        let private =
            ssh_key::PrivateKey::random(&mut rand_core::UnwrapErr(getrandom::SysRng), Algorithm::Ed25519);
        private.unwrap().public_key().key_data().clone()
    }

    fn at(line: usize, marker: Option<Marker>, key: &KeyData) -> Recorded {
        Recorded { file: PathBuf::from("kh"), line, marker, key: key.clone() }
    }

    /// ssh 9.2 (hostfile.c): any plain line for the host that does not hold the key makes
    /// it a changed key, whatever its type, and the last such line is the one named; a
    /// matching line anywhere wins; a revocation wins over everything.
    #[test]
    fn verify_key_decides_as_ssh() {
        let (offered, other) = (key(ED_A), other_ed25519());
        assert_eq!(HostKeys::verify_key(&offered, &[]), Verdict::Unknown);
        let ca = at(1, Some(Marker::CertAuthority), &other);
        assert_eq!(HostKeys::verify_key(&offered, std::slice::from_ref(&ca)), Verdict::Unknown);
        let changed = [at(1, None, &other), at(2, None, &other)];
        assert_eq!(
            HostKeys::verify_key(&offered, &changed),
            Verdict::Changed { offending: (PathBuf::from("kh"), 2, "ED25519".into()) }
        );
        let then_trusted = [at(1, None, &other), at(2, None, &offered)];
        assert_eq!(HostKeys::verify_key(&offered, &then_trusted), Verdict::Trusted);
        let revoked = [at(1, None, &offered), at(2, Some(Marker::Revoked), &offered)];
        assert_eq!(
            HostKeys::verify_key(&offered, &revoked),
            Verdict::Revoked { file: PathBuf::from("kh"), line: 2 }
        );
    }

    /// ssh's order_hostkeyalgs: the default order when the most preferred type is known,
    /// else the known types first.
    #[test]
    fn algorithms_are_ordered_as_ssh_orders_them() {
        let rsa = Algorithm::Rsa { hash: Some(HashAlg::Sha512) };
        assert_eq!(HostKeys::preferred_algorithms(&[]), default_host_key_algorithms());
        let known_ed = [at(1, None, &key(ED_A))];
        assert_eq!(HostKeys::preferred_algorithms(&known_ed), default_host_key_algorithms());
        let rsa_line =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/keys/id_rsa_2048.pub"));
        let known_rsa = at(1, None, &key(rsa_line.unwrap().trim_end()));
        let order = HostKeys::preferred_algorithms(&[known_rsa]);
        assert_eq!(order[..2], [rsa, Algorithm::Rsa { hash: Some(HashAlg::Sha256) }]);
        assert_eq!(order[2], Algorithm::Ed25519);
    }
}
