//! Authentication in OpenSSH's order: agent keys, identity files, password,
//! keyboard-interactive. Only the methods the server still allows are tried, and with
//! IdentitiesOnly only the configured keys are offered, so a server never cuts us off
//! for too many failed keys.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use russh::MethodKind;
use russh::client::{AuthResult, Handle, KeyboardInteractiveAuthResponse, Prompt};
use russh::keys::agent::client::AgentClient;
use russh::keys::{HashAlg, PrivateKeyWithHashAlg};
use ssh_key::public::KeyData;
use ssh_key::{PrivateKey, PublicKey};
use tokio::sync::Mutex;

use super::fail;
use super::session::Client;
use super::terminal::Terminal;
use crate::error::Error;
use crate::key::PrivateKeyFile;
use crate::secret::Secret;

/// How many times a password is asked at the terminal, as ssh's NumberOfPasswordPrompts.
const PASSWORD_PROMPTS: usize = 3;

/// Identity files decrypted once per run and shared by all hosts (`None`: unusable).
#[derive(Debug, Default)]
pub struct KeyCache {
    keys: Mutex<HashMap<PathBuf, Option<Arc<PrivateKey>>>>,
}

/// What authentication may use for one host.
pub struct Credentials {
    pub user: String,
    /// `user@host`, for prompts and messages.
    pub display: String,
    pub identity_files: Vec<PathBuf>,
    pub identities_only: bool,
    /// CertificateFile: certificates offered with the identity whose key they certify.
    pub certificate_files: Vec<PathBuf>,
    /// A password given for the run (file or environment).
    pub password: Option<Secret>,
    /// Where ssh-agent listens (`$SSH_AUTH_SOCK`), if one runs.
    pub agent_socket: Option<PathBuf>,
    /// Set after the host key check found a changed or revoked key and went on
    /// (StrictHostKeyChecking=no): as ssh, no password or keyboard-interactive then. It
    /// holds the refusal a strict check would have given.
    pub passwords_withheld: Option<Arc<Error>>,
    pub terminal: Arc<Terminal>,
    pub keys: Arc<KeyCache>,
}

/// Which method got us in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Agent,
    IdentityFile,
    Password,
    KeyboardInteractive,
}

/// The server's word on what may still be tried.
struct Allowed(Option<Vec<MethodKind>>);

impl Allowed {
    fn allows(&self, kind: MethodKind) -> bool {
        self.0.as_ref().is_none_or(|methods| methods.contains(&kind))
    }

    fn update(&mut self, result: &AuthResult) {
        if let AuthResult::Failure { remaining_methods, .. } = result {
            self.0 = Some(remaining_methods.to_vec());
        }
    }
}

/// Logs in as `credentials.user`.
///
/// # Errors
/// Every method the server allows failed: the failure says whether a password was
/// rejected, withheld (the host key check forbade it) or there was nothing to try.
pub async fn authenticate(handle: &mut Handle<Client>, credentials: &Credentials) -> Result<Method, Error> {
    let mut allowed = Allowed(None);
    let mut tried = Tried::default();
    let offered = match agent(handle, credentials, &mut allowed).await? {
        Ok(method) => return Ok(method),
        Err(offered) => offered,
    };
    tried.keys = offered.len();
    if allowed.allows(MethodKind::PublicKey)
        && identity_files(handle, credentials, &offered, &mut allowed, &mut tried).await?
    {
        return Ok(Method::IdentityFile);
    }
    let passwords = credentials.passwords_withheld.is_none();
    if passwords
        && allowed.allows(MethodKind::Password)
        && password(handle, credentials, &mut allowed, &mut tried).await?
    {
        return Ok(Method::Password);
    }
    if passwords
        && allowed.allows(MethodKind::KeyboardInteractive)
        && keyboard_interactive(handle, credentials, &mut tried).await?
    {
        return Ok(Method::KeyboardInteractive);
    }
    Err(refused(credentials, &tried, &allowed))
}

/// What authentication sent that the server refused.
#[derive(Debug, Default)]
struct Tried {
    /// Public keys offered (agent and identity files).
    keys: usize,
    /// A password, or keyboard-interactive answers, were sent.
    password: bool,
}

/// Why nobody got in, in the words a user can act on: a password sent and rejected, a
/// password withheld by the host key check, or nothing (left) to try. A missing account
/// looks the same as a wrong password from outside, as sshd means it to.
fn refused(credentials: &Credentials, tried: &Tried, allowed: &Allowed) -> Error {
    let who = credentials.display.clone();
    if tried.password {
        return Error::PasswordRejected { who, given: credentials.password.is_some() };
    }
    let passwords_accepted =
        allowed.allows(MethodKind::Password) || allowed.allows(MethodKind::KeyboardInteractive);
    if let Some(why) = credentials.passwords_withheld.as_ref().filter(|_| passwords_accepted) {
        return Error::PasswordWithheld { who, why: Arc::clone(why) };
    }
    match passwords_accepted {
        false => Error::NoPasswordAccepted { who, keys_refused: tried.keys },
        true => Error::NoPasswordGiven { who, keys_refused: tried.keys },
    }
}

/// The public halves of the identity files, to match agent keys against under
/// IdentitiesOnly.
fn identity_public_keys(credentials: &Credentials) -> Vec<KeyData> {
    credentials.identity_files.iter().filter_map(|path| identity_public_key(path)).collect()
}

/// An identity file's public key, from its `.pub` or the parts of the file that are not
/// encrypted; no passphrase is asked.
fn identity_public_key(path: &Path) -> Option<KeyData> {
    let from_pub = crate::key::source::pub_beside(path).map(|(key, _)| key);
    from_pub.or_else(|| PrivateKeyFile::read(path).ok()?.public_key().map(|k| k.key_data().clone()))
}

/// Tries the agent's keys. `Ok(Err(offered))` when none worked: the keys tried.
async fn agent(
    handle: &mut Handle<Client>,
    credentials: &Credentials,
    allowed: &mut Allowed,
) -> Result<Result<Method, Vec<KeyData>>, Error> {
    let Some(socket) = &credentials.agent_socket else { return Ok(Err(Vec::new())) };
    let Ok(mut agent) = AgentClient::connect_uds(socket).await else { return Ok(Err(Vec::new())) };
    let identities = agent.request_identities().await.unwrap_or_default();
    // Only IdentitiesOnly needs them: otherwise no key files are read for the agent.
    let identity_keys = match credentials.identities_only && !identities.is_empty() {
        true => identity_public_keys(credentials),
        false => Vec::new(),
    };
    let mut offered = Vec::new();
    for identity in identities {
        let key: PublicKey = identity.public_key().into_owned();
        if credentials.identities_only && !identity_keys.contains(key.key_data()) {
            continue;
        }
        if !allowed.allows(MethodKind::PublicKey) {
            break;
        }
        let hash = rsa_hash(handle, &key).await;
        offered.push(key.key_data().clone());
        match handle.authenticate_publickey_with(credentials.user.as_str(), key, hash, &mut agent).await {
            Ok(AuthResult::Success) => return Ok(Ok(Method::Agent)),
            Ok(result) => allowed.update(&result),
            Err(e) => return Err(fail("agent authentication", &e)),
        }
    }
    Ok(Err(offered))
}

async fn identity_files(
    handle: &mut Handle<Client>,
    credentials: &Credentials,
    offered: &[KeyData],
    allowed: &mut Allowed,
    tried: &mut Tried,
) -> Result<bool, Error> {
    for path in &credentials.identity_files {
        if !allowed.allows(MethodKind::PublicKey) {
            break;
        }
        // A key the agent has offered already is not offered again, nor its passphrase
        // asked for (as ssh does).
        if !offered.is_empty() && identity_public_key(path).is_some_and(|public| offered.contains(&public)) {
            continue;
        }
        let Some(key) = load_identity(credentials, path).await else { continue };
        if offered.contains(key.public_key().key_data()) {
            continue;
        }
        let hash = rsa_hash(handle, key.public_key()).await;
        tried.keys += 1;
        let result = handle
            .authenticate_publickey(
                credentials.user.as_str(),
                PrivateKeyWithHashAlg::new(Arc::clone(&key), hash),
            )
            .await
            .map_err(|e| fail("public key authentication", &e))?;
        if result.success() {
            return Ok(true);
        }
        allowed.update(&result);
        // Then the key's certificates, as ssh offers them after the key itself.
        for cert in certificates_for(credentials, path, key.public_key().key_data()) {
            if !allowed.allows(MethodKind::PublicKey) {
                break;
            }
            tried.keys += 1;
            let result = handle
                .authenticate_openssh_cert(credentials.user.as_str(), Arc::clone(&key), cert)
                .await
                .map_err(|e| fail("certificate authentication", &e))?;
            if result.success() {
                return Ok(true);
            }
            allowed.update(&result);
        }
    }
    Ok(false)
}

/// The certificates of the identity at `path` with key `key`: `PATH-cert.pub` (ssh
/// loads it beside every identity), then each CertificateFile that certifies `key`.
/// Files that are missing, hold no certificate or certify another key are passed over,
/// as ssh passes them over.
fn certificates_for(credentials: &Credentials, path: &Path, key: &KeyData) -> Vec<ssh_key::Certificate> {
    let beside = crate::fsutil::with_suffix(path, "-cert.pub");
    let mut found: Vec<ssh_key::Certificate> = Vec::new();
    for file in std::iter::once(&beside).chain(&credentials.certificate_files) {
        let Some((KeyData::Certificate(cert), _)) = crate::key::source::first_public_key(file) else {
            continue;
        };
        if cert.public_key() == key && !found.contains(&cert) {
            found.push(*cert);
        }
    }
    found
}

/// An identity file, decrypted (asking for its passphrase once per run).
async fn load_identity(credentials: &Credentials, path: &PathBuf) -> Option<Arc<PrivateKey>> {
    let mut keys = credentials.keys.keys.lock().await;
    if let Some(known) = keys.get(path) {
        return known.clone();
    }
    let loaded = match PrivateKeyFile::read(path) {
        Ok(file) if !file.is_encrypted() => file.decrypt(None).ok(),
        Ok(file) => {
            let prompt = format!("Enter passphrase for key '{}': ", path.display());
            let passphrase = credentials.terminal.secret(prompt, path.display().to_string()).await;
            passphrase.and_then(|p| file.decrypt(Some(&p)).ok())
        }
        Err(_) => None,
    };
    let loaded = loaded.map(Arc::new);
    keys.insert(path.clone(), loaded.clone());
    loaded
}

/// OpenSSH refuses SHA-1 RSA signatures: use what the server announced.
async fn rsa_hash(handle: &Handle<Client>, key: &PublicKey) -> Option<HashAlg> {
    match key.algorithm().is_rsa() {
        true => handle.best_supported_rsa_hash().await.ok().flatten().flatten().or(Some(HashAlg::Sha512)),
        false => None,
    }
}

async fn password(
    handle: &mut Handle<Client>,
    credentials: &Credentials,
    allowed: &mut Allowed,
    tried: &mut Tried,
) -> Result<bool, Error> {
    let attempts = if credentials.password.is_some() { 1 } else { PASSWORD_PROMPTS };
    for _ in 0..attempts {
        let Some(password) = password_for(credentials).await else { return Ok(false) };
        tried.password = true;
        let result = handle
            .authenticate_password(credentials.user.as_str(), password.as_str())
            .await
            .map_err(|e| fail("password authentication", &e))?;
        if result.success() {
            return Ok(true);
        }
        allowed.update(&result);
        if !allowed.allows(MethodKind::Password) {
            break;
        }
    }
    Ok(false)
}

/// The run's password, or one asked at the terminal as ssh asks it.
async fn password_for(credentials: &Credentials) -> Option<Secret> {
    if let Some(password) = &credentials.password {
        return Some(password.clone());
    }
    let prompt = format!("{}'s password: ", credentials.display);
    credentials.terminal.secret(prompt, credentials.display.clone()).await
}

/// The most prompts one keyboard-interactive request may hold (sshd's own limit).
const MAX_PROMPTS: usize = 100;
/// The most of a prompt that is shown.
const MAX_PROMPT: usize = 1024;

/// Keyboard-interactive, answered as ssh answers it: the request's name and instruction
/// are shown, each prompt is prefixed with `(user@host)` so the user knows who asks, and
/// all of it is the server's text, so it is escaped and capped. The answers are wiped.
async fn keyboard_interactive(
    handle: &mut Handle<Client>,
    credentials: &Credentials,
    tried: &mut Tried,
) -> Result<bool, Error> {
    let failed = |e: russh::Error| fail("keyboard-interactive authentication", &e);
    let mut response = handle
        .authenticate_keyboard_interactive_start(credentials.user.as_str(), None::<String>)
        .await
        .map_err(failed)?;
    let mut password_used = false;
    loop {
        let (name, instructions, prompts) = match response {
            KeyboardInteractiveAuthResponse::Success => return Ok(true),
            KeyboardInteractiveAuthResponse::Failure { .. } => return Ok(false),
            KeyboardInteractiveAuthResponse::InfoRequest { name, instructions, prompts } => {
                (name, instructions, prompts)
            }
        };
        if prompts.len() > MAX_PROMPTS {
            return Err(Error::TooManyPrompts { asked: prompts.len(), max: MAX_PROMPTS });
        }
        let asks = prompts.iter().any(|p| p.echo || credentials.password.is_none());
        if asks && credentials.terminal.can_ask() {
            credentials
                .terminal
                .print(&crate::sanitize::server_lines(&credentials.display, &[&name, &instructions]));
        }
        let mut answers: Vec<Secret> = Vec::with_capacity(prompts.len());
        for prompt in &prompts {
            let Some(answer) = answer(credentials, prompt, &mut password_used).await else {
                return Ok(false);
            };
            answers.push(answer);
        }
        // russh takes the answers as plain Strings: each is moved out of its wiped
        // wrapper, so no second copy is made here; russh then encodes them into its
        // packet buffer (a CryptoVec, wiped on drop) and drops the Strings unwiped, which
        // this side cannot change.
        let plain: Vec<String> = answers.iter_mut().map(|a| std::mem::take(&mut **a)).collect();
        tried.password |= !plain.is_empty();
        response = handle.authenticate_keyboard_interactive_respond(plain).await.map_err(failed)?;
    }
}

/// The answer to one prompt: a given password answers the first hidden prompt (PAM's
/// "Password: "), the terminal the others; `None` when there is no answer.
async fn answer(credentials: &Credentials, prompt: &Prompt, password_used: &mut bool) -> Option<Secret> {
    let shown = format!(
        "({}) {}",
        credentials.display,
        crate::sanitize::server_text(prompt.prompt.as_bytes(), MAX_PROMPT).replace('\n', "\\012")
    );
    let subject = credentials.display.clone();
    match (&credentials.password, prompt.echo, *password_used) {
        (Some(password), false, false) => {
            *password_used = true;
            Some(password.clone())
        }
        (None, false, _) => credentials.terminal.secret(shown, subject).await,
        (_, true, _) => credentials.terminal.question_wiped(shown, subject).await,
        _ => None,
    }
}
