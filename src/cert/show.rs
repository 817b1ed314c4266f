//! A certificate's fields as `ssh-keygen -L` shows them (`print_cert`): type, key and
//! CA fingerprints, signature algorithm, key id, serial, validity, principals, and each
//! critical option and extension with what ssh-keygen prints for it.

use ssh_key::Certificate;
use ssh_key::certificate::CertType;
use ssh_key::public::KeyData;

use super::Validity;
use crate::key::{Fingerprint, HashKind, describe};

/// What one certificate says.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CertView {
    /// The certificate's key type name (`ssh-ed25519-cert-v01@openssh.com`).
    pub key_type: String,
    /// `user` or `host`.
    pub cert_type: &'static str,
    /// `ED25519-CERT`.
    pub public_key_type: String,
    pub public_key_fingerprint: String,
    /// `ED25519`.
    pub ca_type: String,
    pub ca_fingerprint: String,
    /// The CA's signature algorithm (`rsa-sha2-512` for an RSA CA).
    pub signature_algorithm: String,
    pub key_id: String,
    pub serial: u64,
    pub validity: Validity,
    /// Empty: valid for every principal.
    pub principals: Vec<String>,
    pub critical_options: Vec<ShownOption>,
    pub extensions: Vec<ShownOption>,
}

/// One option and how ssh-keygen shows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ShownOption {
    pub name: String,
    /// The value (`force-command`, `source-address`, and any other with data).
    pub value: Option<String>,
    /// Whether ssh-keygen knows this option (it shows the raw data of others).
    pub known: bool,
}

impl CertView {
    /// The fields of `cert`, fingerprints in `hash`; `None` for a key type OpenSSH does
    /// not know.
    pub fn of(cert: &Certificate, hash: HashKind) -> Option<Self> {
        let key = KeyData::Certificate(Box::new(cert.clone()));
        let subject = describe(&key)?;
        let ca = describe(cert.signature_key())?;
        Some(CertView {
            key_type: crate::key::describe::line_type_name(&key),
            cert_type: match cert.cert_type() {
                CertType::Host => "host",
                _ => "user",
            },
            public_key_type: subject.type_name,
            public_key_fingerprint: Fingerprint::of_key(hash, &key).to_string(),
            ca_type: ca.type_name,
            ca_fingerprint: Fingerprint::of_key(hash, cert.signature_key()).to_string(),
            signature_algorithm: cert.signature().algorithm().as_str().to_string(),
            key_id: cert.key_id().to_string(),
            serial: cert.serial(),
            validity: Validity { after: cert.valid_after(), before: cert.valid_before() },
            principals: cert.valid_principals().to_vec(),
            critical_options: shown(cert.critical_options().iter(), true),
            extensions: shown(cert.extensions().iter(), false),
        })
    }
}

fn shown<'a>(options: impl Iterator<Item = (&'a String, &'a String)>, critical: bool) -> Vec<ShownOption> {
    options
        .map(|(name, value)| {
            let known = match critical {
                true => matches!(name.as_str(), "force-command" | "source-address" | "verify-required"),
                false => matches!(
                    name.as_str(),
                    "permit-X11-forwarding"
                        | "permit-agent-forwarding"
                        | "permit-port-forwarding"
                        | "permit-pty"
                        | "permit-user-rc"
                        | "no-touch-required"
                ),
            };
            let value = (!value.is_empty()).then(|| value.clone());
            ShownOption { name: name.clone(), value, known }
        })
        .collect()
}

/// What ssh-keygen prints after an option's name: ` VALUE` for the known options with
/// a value, the data in hex for unknown ones (` UNKNOWN OPTION: 00000003616263 (len 7)`,
/// the data being the value as an SSH string), ` UNKNOWN FLAG OPTION` for unknown flags.
pub fn option_suffix(option: &ShownOption) -> String {
    match (&option.value, option.known) {
        (Some(value), true) => format!(" {value}"),
        (None, true) => String::new(),
        (Some(value), false) => {
            let mut data = (value.len() as u32).to_be_bytes().to_vec();
            data.extend_from_slice(value.as_bytes());
            format!(" UNKNOWN OPTION: {} (len {})", data_encoding::HEXLOWER.encode(&data), data.len())
        }
        (None, false) => " UNKNOWN FLAG OPTION".to_string(),
    }
}

/// The validity as ssh-keygen prints it (`sshkey_format_cert_validity`), in local time.
pub fn validity_text(validity: &Validity) -> String {
    use crate::sig::time::format_local;
    match (validity.after, validity.before) {
        (0, super::validity::FOREVER) => "forever".to_string(),
        (0, before) => format!("before {}", format_local(before)),
        (after, super::validity::FOREVER) => format!("after {}", format_local(after)),
        (after, before) => format!("from {} to {}", format_local(after), format_local(before)),
    }
}
