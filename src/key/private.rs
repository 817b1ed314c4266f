//! Private key files in every format OpenSSH reads: its own format (PROTOCOL.key), and
//! the legacy PEM forms written by OpenSSL (`BEGIN RSA PRIVATE KEY`, `BEGIN EC PRIVATE
//! KEY`, PKCS#8 `BEGIN PRIVATE KEY`, encrypted PKCS#8, and PEM with `Proc-Type:
//! 4,ENCRYPTED`). We always write OpenSSH's own format, as `ssh-keygen` does by default.
//!
//! OpenSSH-format keys are kept as ssh-key parsed them, encrypted or not, so that their
//! public half, KDF and cipher can be read without the passphrase. The legacy formats are
//! decoded by russh's reader, which covers what OpenSSL and `ssh-keygen -m PEM` write.

use std::path::{Path, PathBuf};

use ssh_key::private::PrivateKey;
use ssh_key::{Cipher, Kdf, LineEnding, PublicKey};

use super::envelope::{self, EnvelopeError};
use super::ppk::PpkError;
use zeroize::Zeroizing;

use crate::error::{Error, Result, UnsupportedKey};

/// A private key file as read from disk, not yet decrypted.
#[derive(Debug)]
pub struct PrivateKeyFile {
    path: PathBuf,
    form: Form,
    /// The file's mode when others may read it (see [`PrivateKeyFile::unprotected`]).
    unprotected: Option<u32>,
}

enum Form {
    /// `BEGIN OPENSSH PRIVATE KEY`, possibly encrypted.
    OpenSsh(Box<PrivateKey>),
    /// A legacy PEM or PKCS#8 file, kept as text until decrypted.
    Pem { text: Zeroizing<String>, encrypted: bool, iv: Option<[u8; 16]> },
    /// A PuTTY `.ppk` file (version 2 or 3), kept as text until decrypted.
    Ppk { text: Zeroizing<String>, encrypted: bool },
}

impl PrivateKeyFile {
    /// Reads and recognises a private key file.
    ///
    /// # Errors
    /// The file cannot be read, is too large, or is not a private key we can read.
    pub fn read(path: &Path) -> Result<Self> {
        let bytes =
            Zeroizing::new(crate::fsutil::read_capped(path, super::source::MAX_KEY_BYTES, "a private key")?);
        let mut file = Self::parse(path, &bytes)?;
        file.unprotected = std::fs::metadata(path).ok().and_then(|meta| too_open(&meta));
        Ok(file)
    }

    /// The file's mode when others than its owner may read or write it: OpenSSH's
    /// `sshkey_perm_ok` refuses such a key (a file of another user, read by root, is not
    /// checked, as there). `None` for a key read from a pipe or stdin.
    pub fn unprotected(&self) -> Option<u32> {
        self.unprotected
    }

    /// Refuses a key others may read, as ssh and ssh-keygen do (see
    /// [`unprotected_warning`] for their words).
    ///
    /// # Errors
    /// [`Error::UnprotectedKey`] when [`PrivateKeyFile::unprotected`] gives a mode.
    pub fn require_protected(&self) -> Result<()> {
        match self.unprotected {
            Some(mode) => Err(Error::UnprotectedKey { path: self.path.clone(), mode }),
            None => Ok(()),
        }
    }

    /// Refuses the file at `path` before reading it when others may access it, as
    /// OpenSSH's `sshkey_load_private` checks first (so such a file is refused as such,
    /// whatever it holds). A path that cannot be examined is left to the reader to report.
    ///
    /// # Errors
    /// [`Error::UnprotectedKey`].
    pub fn require_protected_path(path: &Path) -> Result<()> {
        match std::fs::metadata(path).ok().and_then(|meta| too_open(&meta)) {
            Some(mode) => Err(Error::UnprotectedKey { path: path.to_path_buf(), mode }),
            None => Ok(()),
        }
    }

    /// Recognises a private key in `bytes`; `path` names it in errors.
    ///
    /// # Errors
    /// The bytes are not a private key we can read.
    pub fn parse(path: &Path, bytes: &[u8]) -> Result<Self> {
        let bad =
            |reason: &str| Error::BadPrivateKey { path: path.to_path_buf(), reason: reason.to_string() };
        let unsupported = |what| Error::UnsupportedPrivateKey { path: path.to_path_buf(), what };
        let text = std::str::from_utf8(bytes).map_err(|_| bad("not a private key (binary data)"))?;
        if super::ppk::is_ppk(text) {
            let encrypted = super::ppk::is_encrypted(text);
            let form = Form::Ppk { text: Zeroizing::new(text.to_string()), encrypted };
            return Ok(PrivateKeyFile { path: path.to_path_buf(), form, unprotected: None });
        }
        // SSH.COM's armour has four dashes and spaces (RFC 4716 style), not PEM's five.
        if text.lines().any(|line| line.trim() == "---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----") {
            return Err(unsupported(UnsupportedKey::SshCom));
        }
        let Some(label) = pem_label(text) else { return Err(not_a_private_key(path, bytes)) };
        let form = match label {
            "OPENSSH PRIVATE KEY" if !text.contains("-----END OPENSSH PRIVATE KEY-----") => {
                return Err(bad("truncated OpenSSH private key (its END line is missing)"));
            }
            "OPENSSH PRIVATE KEY" => {
                Form::OpenSsh(Box::new(parse_openssh(text).map_err(|reason| bad(&reason))?))
            }
            "RSA PRIVATE KEY" | "EC PRIVATE KEY" | "PRIVATE KEY" | "ENCRYPTED PRIVATE KEY" => {
                let iv = pem_encryption(path, text)?;
                if let Some(reason) = super::pkcs8_cost::excessive_kdf(text) {
                    return Err(Error::ExcessiveKdf { path: path.to_path_buf(), reason });
                }
                let encrypted = label == "ENCRYPTED PRIVATE KEY" || iv.is_some();
                Form::Pem { text: Zeroizing::new(text.to_string()), encrypted, iv }
            }
            "DSA PRIVATE KEY" => return Err(unsupported(UnsupportedKey::Dsa)),
            "SSH2 ENCRYPTED PRIVATE KEY" => return Err(unsupported(UnsupportedKey::SshCom)),
            _ => return Err(bad("not a private key (a PEM file of another kind)")),
        };
        Ok(PrivateKeyFile { path: path.to_path_buf(), form, unprotected: None })
    }

    /// The file this key came from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether a passphrase is needed to use the key.
    pub fn is_encrypted(&self) -> bool {
        match &self.form {
            Form::OpenSsh(key) => key.is_encrypted(),
            Form::Pem { encrypted, .. } | Form::Ppk { encrypted, .. } => *encrypted,
        }
    }

    /// Whether the file is in OpenSSH's own format (the others are rewritten in it).
    pub fn is_openssh_format(&self) -> bool {
        matches!(self.form, Form::OpenSsh(_))
    }

    /// Whether the file is PuTTY's `.ppk`.
    pub fn is_ppk(&self) -> bool {
        matches!(self.form, Form::Ppk { .. })
    }

    /// KDF rounds of an encrypted OpenSSH-format key.
    pub fn kdf_rounds(&self) -> Option<u32> {
        match &self.form {
            Form::OpenSsh(key) => match key.kdf() {
                Kdf::Bcrypt { rounds, .. } => Some(*rounds),
                _ => None,
            },
            Form::Pem { .. } | Form::Ppk { .. } => None,
        }
    }

    /// The cipher of an encrypted OpenSSH-format key.
    pub fn cipher(&self) -> Option<Cipher> {
        match &self.form {
            Form::OpenSsh(key) if key.is_encrypted() => Some(key.cipher()),
            _ => None,
        }
    }

    /// The public key, where it can be had without a passphrase. Its comment is empty
    /// when the key is encrypted (OpenSSH stores the comment inside the encryption).
    pub fn public_key(&self) -> Option<PublicKey> {
        match &self.form {
            Form::OpenSsh(key) => Some(key.public_key().clone()),
            Form::Pem { encrypted: true, .. } => None,
            Form::Pem { .. } => self.decrypt(None).ok().map(|key| key.public_key().clone()),
            // PuTTY keeps the public key and the comment in clear.
            Form::Ppk { text, .. } => super::ppk::public_key(text).ok(),
        }
    }

    /// The usable (decrypted) key. `passphrase` is ignored for a key that is not
    /// encrypted.
    ///
    /// # Errors
    /// [`Error::WrongPassphrase`] when the passphrase is missing or wrong, or
    /// [`Error::BadPrivateKey`] when the key is damaged.
    pub fn decrypt(&self, passphrase: Option<&str>) -> Result<PrivateKey> {
        let wrong = || Error::WrongPassphrase { path: self.path.clone() };
        match &self.form {
            Form::OpenSsh(key) if key.is_encrypted() => {
                let passphrase = passphrase.ok_or_else(wrong)?;
                envelope::decrypt(key, passphrase.as_bytes()).map_err(|e| match e {
                    EnvelopeError::WrongPassphrase => wrong(),
                    EnvelopeError::Damaged(reason) | EnvelopeError::Unsupported(reason) => {
                        Error::BadPrivateKey {
                            path: self.path.clone(),
                            reason: format!("damaged private key ({reason})"),
                        }
                    }
                })
            }
            Form::OpenSsh(key) => Ok(key.as_ref().clone()),
            Form::Ppk { text, encrypted } => {
                let passphrase = if *encrypted { Some(passphrase.ok_or_else(wrong)?) } else { None };
                super::ppk::decrypt(text, passphrase).map_err(|e| match e {
                    PpkError::Mac | PpkError::Encrypted if *encrypted => wrong(),
                    PpkError::Mac => Error::BadPrivateKey {
                        path: self.path.clone(),
                        reason: "PuTTY key altered or damaged: its MAC does not match".to_string(),
                    },
                    other => Error::BadPrivateKey { path: self.path.clone(), reason: other.to_string() },
                })
            }
            Form::Pem { text, iv: Some(iv), .. } => {
                decrypt_legacy_pem(&self.path, text, *iv, passphrase.ok_or_else(wrong)?)
            }
            Form::Pem { text, encrypted, iv: None } => {
                let passphrase = if *encrypted { Some(passphrase.ok_or_else(wrong)?) } else { None };
                match russh::keys::decode_secret_key(text, passphrase) {
                    Ok(key) => Ok(key),
                    // Only a failed decryption means a wrong passphrase (PBES2's padding
                    // check); a file that decrypts but does not parse is damaged.
                    Err(
                        russh::keys::Error::Pkcs8(pkcs8::Error::EncryptedPrivateKey(_))
                        | russh::keys::Error::Unpad(_),
                    ) if *encrypted => Err(wrong()),
                    Err(e) => Err(Error::BadPrivateKey { path: self.path.clone(), reason: pem_reason(&e) }),
                }
            }
        }
    }
}

/// How a private key is protected when written.
#[derive(Clone)]
pub struct Protection {
    /// `None` or an empty passphrase writes the key unencrypted, as ssh-keygen does.
    pub passphrase: Option<Zeroizing<String>>,
    /// bcrypt-pbkdf rounds (`ssh-keygen -a`).
    pub rounds: u32,
    /// The cipher (`ssh-keygen -Z`); OpenSSH's default is aes256-ctr.
    pub cipher: Cipher,
    /// The file format (`ssh-keygen -m`); OpenSSH's own by default.
    pub format: PrivateFormat,
}

/// The formats a private key is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PrivateFormat {
    /// OpenSSH's own (PROTOCOL.key), the default.
    #[default]
    OpenSsh,
    /// PKCS#1 or SEC1 PEM (`ssh-keygen -m PEM`); Ed25519 keys are written in OpenSSH's
    /// format instead, as ssh-keygen 9.2 does.
    Pem,
    /// PKCS#8 (`ssh-keygen -m PKCS8`); Ed25519 as with `Pem`.
    Pkcs8,
    /// PuTTY's `.ppk`, version 3.
    Ppk,
}

// The Debug forms never show key material or passphrases, so no `{:?}` can leak them.
impl std::fmt::Debug for Form {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Form::OpenSsh(key) => f
                .debug_struct("OpenSsh")
                .field("algorithm", &key.algorithm())
                .field("encrypted", &key.is_encrypted())
                .finish_non_exhaustive(),
            Form::Pem { encrypted, .. } => {
                f.debug_struct("Pem").field("encrypted", encrypted).finish_non_exhaustive()
            }
            Form::Ppk { encrypted, .. } => {
                f.debug_struct("Ppk").field("encrypted", encrypted).finish_non_exhaustive()
            }
        }
    }
}

impl std::fmt::Debug for Protection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let passphrase = self.passphrase.as_ref().map(|_| "<hidden>");
        f.debug_struct("Protection")
            .field("passphrase", &passphrase)
            .field("rounds", &self.rounds)
            .field("cipher", &self.cipher)
            .field("format", &self.format)
            .finish()
    }
}

/// OpenSSH's default KDF rounds.
pub const DEFAULT_ROUNDS: u32 = 16;

impl Protection {
    /// Protection with `passphrase` and OpenSSH's defaults otherwise.
    pub fn new(passphrase: Option<Zeroizing<String>>, rounds: Option<u32>) -> Self {
        Protection {
            passphrase,
            rounds: rounds.unwrap_or(DEFAULT_ROUNDS),
            cipher: Cipher::Aes256Ctr,
            format: PrivateFormat::OpenSsh,
        }
    }

    fn active_passphrase(&self) -> Option<&str> {
        self.passphrase.as_deref().map(String::as_str).filter(|p| !p.is_empty())
    }

    /// Whether the written key will be encrypted.
    pub fn encrypts(&self) -> bool {
        self.active_passphrase().is_some()
    }
}

/// Encodes a decrypted key in the format `protection` names, encrypted as it says.
///
/// # Errors
/// The key is still encrypted, a passphrase too short for PEM or PKCS#8
/// ([`Error::PassphraseTooShort`]), or the random source or KDF failed.
pub fn encode(key: &PrivateKey, protection: &Protection) -> Result<Zeroizing<String>> {
    use super::legacy::{self, LegacyError};
    let failed = |reason: String| Error::Crypto { what: "encoding the private key", reason };
    let legacy_failed = |e: LegacyError| match e {
        LegacyError::ShortPassphrase => Error::PassphraseTooShort { min: legacy::MIN_PASSPHRASE },
        other => failed(other.to_string()),
    };
    let passphrase = protection.active_passphrase();
    match protection.format {
        PrivateFormat::Pem if legacy::has_legacy_form(key) => {
            return legacy::encode_pem(key, passphrase).map_err(legacy_failed);
        }
        PrivateFormat::Pkcs8 if legacy::has_legacy_form(key) => {
            return legacy::encode_pkcs8(key, passphrase).map_err(legacy_failed);
        }
        PrivateFormat::Ppk => {
            return super::ppk::encode(key, passphrase).map_err(|e| failed(e.to_string()));
        }
        _ => {}
    }
    match passphrase {
        None => key.to_openssh(LineEnding::LF).map_err(|e| failed(e.to_string())),
        Some(passphrase) => {
            envelope::encrypt(key, protection.cipher, protection.rounds, passphrase.as_bytes())
                .map_err(|e| failed(format!("{e:?}")))
        }
    }
}

/// The public key line `ssh-keygen -y` prints: `type base64`, then ` comment` when there
/// is one, then a newline. The comment's bytes are written as they are, like OpenSSH.
pub fn public_line(key: &PublicKey) -> Vec<u8> {
    let comment = key.comment().as_bytes();
    let mut line = key_text(key).into_bytes();
    if !comment.is_empty() {
        line.push(b' ');
        line.extend_from_slice(comment);
    }
    line.push(b'\n');
    line
}

/// The contents of a `.pub` file as ssh-keygen writes it: `type base64 comment` and a
/// newline, with the separating space even when the comment is empty.
pub fn pub_file_contents(key: &PublicKey) -> Vec<u8> {
    let mut line = key_text(key).into_bytes();
    line.push(b' ');
    line.extend_from_slice(key.comment().as_bytes());
    line.push(b'\n');
    line
}

/// `type base64`, without comment.
fn key_text(key: &PublicKey) -> String {
    let mut plain = key.clone();
    plain.set_comment("");
    plain.to_openssh().unwrap_or_default().trim_end().to_string()
}

/// The error for a file without a PEM BEGIN line: empty, a public key, or something else.
/// OpenSSH's `sshkey_perm_ok` test: the file is ours and group or others have any access.
fn too_open(meta: &std::fs::Metadata) -> Option<u32> {
    use std::os::unix::fs::MetadataExt;
    let mode = meta.mode() & 0o7777;
    (meta.uid() == nix::unistd::getuid().as_raw() && mode & 0o077 != 0).then_some(mode)
}

/// ssh-keygen 9.2's warning about a key others may read, byte for byte as it writes it
/// (its log adds `\r` before each `\n` on stderr), without the line that follows it
/// (`Load key "PATH": bad permissions` for -y, `Failed to load key PATH: bad
/// permissions` for -p, `Cannot load private key "PATH": bad permissions` for -c; it
/// then exits 255).
pub fn unprotected_warning(path: &Path, mode: u32) -> String {
    let rule = "@".repeat(59);
    format!(
        "{rule}\n@         WARNING: UNPROTECTED PRIVATE KEY FILE!          @\n{rule}\n\
         Permissions {mode:04o} for '{}' are too open.\n\
         It is required that your private key files are NOT accessible by others.\n\
         This private key will be ignored.\n",
        path.display()
    )
}

fn not_a_private_key(path: &Path, bytes: &[u8]) -> Error {
    let first = bytes.split(|&b| b == b'\n').find(|l| !crate::key::text::skip_blanks(l).is_empty());
    let reason = match first {
        None => "empty file, not a private key",
        Some(line) if crate::key::text::read_key(crate::key::scan::c_string(line)).is_some() => {
            return Error::PublicNotPrivate { path: path.to_path_buf() };
        }
        Some(_) => "not a private key (no -----BEGIN line)",
    };
    Error::BadPrivateKey { path: path.to_path_buf(), reason: reason.to_string() }
}

/// The label of the first PEM `-----BEGIN …-----` line.
fn pem_label(text: &str) -> Option<&str> {
    text.lines().map(str::trim).find_map(|line| line.strip_prefix("-----BEGIN ")?.strip_suffix("-----"))
}

fn parse_openssh(text: &str) -> std::result::Result<PrivateKey, String> {
    use ssh_key::encoding::Error as Encoding;
    PrivateKey::from_openssh(text.trim_start()).map_err(|e| {
        let what = match e {
            ssh_key::Error::Crypto => "check bytes do not match",
            ssh_key::Error::PublicKey => "its private key does not match its public key",
            ssh_key::Error::AlgorithmUnknown => return "unknown key type".to_string(),
            // The cipher, KDF and key type names are labels.
            ssh_key::Error::Encoding(Encoding::Label(label)) => {
                return format!("unsupported cipher, KDF or key type \"{}\"", label.label().escape_debug());
            }
            ssh_key::Error::Encoding(Encoding::Base64(_) | Encoding::Pem(_)) => "invalid base64",
            ssh_key::Error::Encoding(Encoding::Length | Encoding::Overflow) => "a length is wrong",
            ssh_key::Error::Encoding(Encoding::TrailingData { .. }) => "unexpected data at the end",
            _ => "bad structure",
        };
        format!("damaged or truncated OpenSSH private key ({what})")
    })
}

/// Encrypted PEM files (RFC 1421 headers, as OpenSSL writes them) name their cipher and
/// IV in `DEK-Info`; OpenSSH writes AES-128-CBC, the one we read. Returns the IV of an
/// encrypted file, `None` for a file without encryption headers.
///
/// # Errors
/// Another cipher ([`UnsupportedKey::PemCipher`]), or headers that are malformed: an
/// `ENCRYPTED` Proc-Type without DEK-Info, an IV that is not 32 hex digits
/// ([`Error::BadPemHeader`]).
fn pem_encryption(path: &Path, text: &str) -> Result<Option<[u8; 16]>> {
    let header = |name: &str| text.lines().find_map(|l| l.trim().strip_prefix(name).map(str::trim));
    let encrypted = header("Proc-Type:").is_some_and(|p| p.ends_with("ENCRYPTED"));
    let bad = |h: &str| Error::BadPemHeader { path: path.to_path_buf(), header: h.to_string() };
    let dek = match header("DEK-Info:") {
        None if encrypted => return Err(bad("Proc-Type: 4,ENCRYPTED without DEK-Info")),
        None => return Ok(None),
        Some(dek) => dek,
    };
    let (cipher, iv_hex) = dek.split_once(',').ok_or_else(|| bad(dek))?;
    if !cipher.trim().eq_ignore_ascii_case("AES-128-CBC") {
        // A known PEM cipher we do not read is refused as such; a name that is none is
        // a malformed header.
        let known = ["DES-CBC", "DES-EDE3-CBC", "AES-192-CBC", "AES-256-CBC"];
        return match known.iter().any(|k| cipher.trim().eq_ignore_ascii_case(k)) {
            true => Err(Error::UnsupportedPrivateKey {
                path: path.to_path_buf(),
                what: UnsupportedKey::PemCipher,
            }),
            false => Err(bad(dek)),
        };
    }
    let iv = data_encoding::HEXLOWER_PERMISSIVE.decode(iv_hex.trim().as_bytes()).map_err(|_| bad(dek))?;
    <[u8; 16]>::try_from(iv.as_slice()).map(Some).map_err(|_| bad(dek))
}

/// Decrypts a legacy encrypted PEM key (`BEGIN RSA PRIVATE KEY` or `BEGIN EC PRIVATE
/// KEY` with `Proc-Type: 4,ENCRYPTED`): AES-128-CBC under OpenSSL's `EVP_BytesToKey`
/// (one MD5 of the passphrase and the IV's first 8 bytes), then the plain key is read as
/// the unencrypted PEM it was. Done here because russh's reader decodes only RSA keys
/// this way, so that an EC key failed as if the passphrase were wrong.
///
/// # Errors
/// [`Error::WrongPassphrase`] when the padding or the decrypted structure shows the
/// passphrase is wrong; [`Error::BadPrivateKey`] when the file is damaged.
fn decrypt_legacy_pem(path: &Path, text: &str, iv: [u8; 16], passphrase: &str) -> Result<PrivateKey> {
    let damaged = |what: &str| Error::BadPrivateKey { path: path.to_path_buf(), reason: what.to_string() };
    let label = pem_label(text).ok_or_else(|| damaged("damaged PEM private key (no BEGIN line)"))?;
    // The body: the base64 lines after the headers, up to the END line.
    let mut body = Zeroizing::new(String::new());
    for line in text.lines().skip_while(|l| !l.starts_with("-----BEGIN ")).skip(1) {
        let line = line.trim();
        if line.starts_with("-----END ") {
            break;
        }
        if !line.contains(':') {
            body.push_str(line);
        }
    }
    let mut data = Zeroizing::new(
        data_encoding::BASE64
            .decode(body.as_bytes())
            .map_err(|_| damaged("damaged PEM private key (invalid base64)"))?,
    );
    if data.is_empty() || !data.len().is_multiple_of(16) {
        return Err(damaged("damaged PEM private key (its length is no multiple of the cipher's block)"));
    }
    let key = super::legacy::pem_cipher_key(passphrase, &iv);
    Cipher::Aes128Cbc
        .decrypt(&key, &iv, &mut data, None)
        .map_err(|_| damaged("damaged PEM private key (it does not decrypt)"))?;
    // PKCS#7 padding, then a DER SEQUENCE: a wrong passphrase fails one or the other
    // (OpenSSL's "bad decrypt"), all but never both.
    let wrong = || Error::WrongPassphrase { path: path.to_path_buf() };
    let pad = usize::from(*data.last().unwrap_or(&0));
    if pad == 0 || pad > 16 || !data[data.len() - pad..].iter().all(|&b| usize::from(b) == pad) {
        return Err(wrong());
    }
    let der = &data[..data.len() - pad];
    if der.first() != Some(&0x30) {
        return Err(wrong());
    }
    let plain = Zeroizing::new(format!(
        "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
        data_encoding::BASE64_MIME.encode(der)
    ));
    russh::keys::decode_secret_key(&plain, None)
        .map_err(|e| Error::BadPrivateKey { path: path.to_path_buf(), reason: pem_reason(&e) })
}

fn pem_reason(error: &russh::keys::Error) -> String {
    match error {
        russh::keys::Error::UnsupportedKeyType { key_type_string, .. } => {
            format!("unsupported key type {key_type_string}")
        }
        russh::keys::Error::UnknownAlgorithm(oid) => format!("unknown key algorithm {oid}"),
        _ => "damaged or truncated PEM private key".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pem_headers_are_read_or_refused_by_what_is_wrong() {
        let path = Path::new("k");
        let key = |headers: &str| {
            format!("-----BEGIN EC PRIVATE KEY-----\n{headers}\nAAAA\n-----END EC PRIVATE KEY-----\n")
        };
        assert_eq!(pem_encryption(path, &key("")).unwrap(), None);
        let good = key("Proc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,000102030405060708090A0B0C0D0E0F\n");
        assert_eq!(pem_encryption(path, &good).unwrap(), Some(std::array::from_fn(|i| i as u8)));
        for bad in [
            "Proc-Type: 4,ENCRYPTED\n",
            "Proc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,0001\n",
            "Proc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC\n",
            "Proc-Type: 4,ENCRYPTED\nDEK-Info: ROT13,000102030405060708090A0B0C0D0E0F\n",
        ] {
            assert!(matches!(pem_encryption(path, &key(bad)), Err(Error::BadPemHeader { .. })), "{bad}");
        }
        let des = key("Proc-Type: 4,ENCRYPTED\nDEK-Info: DES-EDE3-CBC,0001020304050607\n");
        assert!(matches!(pem_encryption(path, &des), Err(Error::UnsupportedPrivateKey { .. })));
    }

    /// ssh-keygen 9.2's words, measured with `ssh-keygen -y -f /root/k` on a 0644 key
    /// (stderr, with its `\r`s taken out).
    #[test]
    fn the_unprotected_key_warning_is_ssh_keygens() {
        let measured = "@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\n\
                        @         WARNING: UNPROTECTED PRIVATE KEY FILE!          @\n\
                        @@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\n\
                        Permissions 0644 for '/root/k' are too open.\n\
                        It is required that your private key files are NOT accessible by others.\n\
                        This private key will be ignored.\n";
        assert_eq!(unprotected_warning(Path::new("/root/k"), 0o644), measured);
    }

    #[test]
    fn a_key_others_can_access_is_refused_on_request() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k");
        let keys = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/keys");
        std::fs::copy(keys.join("id_ed25519"), &path).unwrap();
        for (mode, open) in [(0o600, false), (0o700, false), (0o640, true), (0o604, true), (0o602, true)] {
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
            let file = PrivateKeyFile::read(&path).unwrap();
            assert_eq!(file.unprotected(), open.then_some(mode), "{mode:o}");
            let refused = file.require_protected();
            assert_eq!(matches!(refused, Err(Error::UnprotectedKey { .. })), open, "{mode:o}");
        }
    }
}
