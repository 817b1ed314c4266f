//! The SSH connection: russh's client with our host key policy.

use std::borrow::Cow;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use russh::client::{self, Handle, Handler};
use russh::keys::PublicKeyOrCertificate;
use ssh_key::public::KeyData;

use super::config::{Resolved, StrictHostKeyChecking};
use super::fs::shell_word;
use super::hostkey::{self, HostKeys, Recorded, Verdict};
use super::terminal::Terminal;
use super::{Failure, fail};
use crate::known_hosts::edit::{self, AddOptions, Added};
use crate::known_hosts::{HostQuery, KnownHosts};

/// russh's callbacks: only the host key check is ours.
pub struct Client {
    policy: Arc<Policy>,
    /// Why the host key was refused, for the error message (russh only says it was).
    refusal: Arc<Mutex<Option<Failure>>>,
}

/// What the host key check needs.
struct Policy {
    keys: HostKeys,
    recorded: Vec<Recorded>,
    strict: StrictHostKeyChecking,
    hash: bool,
    /// Where a newly accepted key is recorded (the first UserKnownHostsFile).
    learn_into: std::path::PathBuf,
    terminal: Arc<Terminal>,
}

impl Handler for Client {
    type Error = russh::Error;

    async fn check_server_key(&mut self, offered: &PublicKeyOrCertificate) -> Result<bool, Self::Error> {
        let (verdict, key) = match offered {
            PublicKeyOrCertificate::PublicKey { key, .. } => {
                (self.policy.keys.verify_key(key.key_data(), &self.policy.recorded), key.key_data().clone())
            }
            PublicKeyOrCertificate::Certificate(cert) => {
                (self.policy.keys.verify_certificate(cert, &self.policy.recorded), cert.public_key().clone())
            }
        };
        let refusal = self.policy.decide(verdict, &key).await;
        let accepted = refusal.is_none();
        *self.refusal.lock().unwrap_or_else(|p| p.into_inner()) = refusal;
        Ok(accepted)
    }
}

impl Policy {
    /// `None` to go on, or why the key is refused.
    async fn decide(&self, verdict: Verdict, key: &KeyData) -> Option<Failure> {
        let host = &self.keys.lookup;
        match verdict {
            Verdict::Trusted => None,
            Verdict::Changed { offending } => {
                self.terminal.print(&hostkey::changed_warning(host, key, &offending, &self.learn_into));
                let (file, line) = offending.first().cloned().unwrap_or_default();
                let file = file.display().to_string();
                Some(Failure::new(format!("host key verification failed: the host key changed ({file}:{line})")).hint(format!(
                    "if the change is expected, check the new fingerprint out of band, then remove the old key with `keywright known-hosts remove -f {} {}`",
                    shell_word(&file),
                    shell_word(host)
                )))
            }
            Verdict::Revoked { file, line } => {
                self.terminal.print(&hostkey::revoked_warning(host, key, &file, line));
                Some(
                    Failure::new(format!(
                        "host key verification failed: the host key is revoked ({}:{line})",
                        file.display()
                    ))
                    .hint("a revoked key is never trusted again: ask the host's administrator for its current key"),
                )
            }
            Verdict::BadCertificate(why) => Some(Failure::new(format!(
                "host key verification failed: the host certificate is not trusted: {why}"
            ))),
            Verdict::Unknown { other_types } => self.unknown(key, other_types).await,
        }
    }

    async fn unknown(&self, key: &KeyData, other_types: bool) -> Option<Failure> {
        let host = &self.keys.lookup;
        let (type_name, fingerprint) = hostkey::describe_key(key);
        let accept = match self.strict {
            StrictHostKeyChecking::AcceptNew | StrictHostKeyChecking::No => true,
            StrictHostKeyChecking::Yes => false,
            StrictHostKeyChecking::Ask => self.ask(key, other_types).await,
        };
        if !accept {
            let refused = Failure::new(format!(
                "host key verification failed: {host} is not a known host ({type_name} {fingerprint})"
            ));
            return Some(match (self.strict, self.terminal.can_ask()) {
                (StrictHostKeyChecking::Ask, true) => refused,
                _ => refused.hint(format!(
                    "check the fingerprint out of band, then add the key with `keywright known-hosts add {} KEY`, or pass -o StrictHostKeyChecking=accept-new",
                    shell_word(host)
                )),
            });
        }
        if let Err(failure) = self.learn(key) {
            return Some(failure);
        }
        self.terminal.print(&format!(
            "Warning: Permanently added '{host}' ({type_name}) to the list of known hosts.\n"
        ));
        None
    }

    async fn ask(&self, key: &KeyData, other_types: bool) -> bool {
        let host = self.keys.lookup.clone();
        let mut question = hostkey::unknown_question(&host, key, other_types);
        let fingerprint = hostkey::describe_key(key).1.to_string();
        loop {
            let Some(answer) = self.terminal.question(question.clone(), host.clone()).await else {
                return false;
            };
            match answer.to_ascii_lowercase().as_str() {
                "yes" => return true,
                "no" => return false,
                _ if answer == fingerprint => return true,
                _ => question = "Please type 'yes', 'no' or the fingerprint: ".into(),
            }
        }
    }

    /// Records an accepted key, hashed unless HashKnownHosts says no, under the file lock.
    fn learn(&self, key: &KeyData) -> Result<(), Failure> {
        let failed = |e: crate::Error| Failure::new(format!("cannot record the host key: {e}"));
        if let Some(dir) = self.learn_into.parent() {
            crate::fsutil::ensure_private_dir(dir).map_err(failed)?;
        }
        let update = crate::fsutil::Update::begin(&self.learn_into).map_err(failed)?;
        let data = update
            .read(crate::known_hosts::file::MAX_FILE, "a known_hosts file")
            .map_err(failed)?
            .unwrap_or_default();
        let file = KnownHosts::from_bytes(&self.learn_into, data);
        match edit::add(&file, &self.keys.lookup, key, AddOptions { hash: self.hash, replace: false })
            .map_err(failed)?
        {
            Added::Appended { content, .. } => {
                update.commit(&content, crate::fsutil::FileMode::KeepOr(0o600), false).map_err(failed)
            }
            _ => Ok(()),
        }
    }
}

/// Connects to the resolved host and checks its key; `timeout` bounds the whole
/// handshake (russh has no connect timeout of its own).
///
/// # Errors
/// The host cannot be reached in time, or its key is refused.
pub async fn connect(
    resolved: &Resolved,
    terminal: Arc<Terminal>,
    timeout: Duration,
) -> Result<Handle<Client>, Failure> {
    let query = HostQuery::parse(&resolved.host_name, Some(resolved.port))
        .map_err(|e| Failure::new(e.to_string()))?;
    let files = resolved.user_known_hosts.iter().chain(&resolved.global_known_hosts).cloned().collect();
    let keys = HostKeys { lookup: query.lookup, host_name: resolved.host_name.to_ascii_lowercase(), files };
    let recorded = keys.recorded();
    let config = client::Config {
        preferred: russh::Preferred {
            key: Cow::Owned(HostKeys::preferred_algorithms(&recorded)),
            host_key_certificates: Cow::Owned(HostKeys::certificate_algorithms(&recorded)),
            ..russh::Preferred::default()
        },
        inactivity_timeout: Some(timeout),
        keepalive_interval: Some(Duration::from_secs(15)),
        keepalive_max: 3,
        nodelay: true,
        ..Default::default()
    };
    let learn_into = resolved.user_known_hosts.first().cloned().unwrap_or_default();
    let policy = Policy {
        keys,
        recorded,
        strict: resolved.strict,
        hash: resolved.hash_known_hosts,
        learn_into,
        terminal,
    };
    let refusal = Arc::new(Mutex::new(None));
    let client = Client { policy: Arc::new(policy), refusal: Arc::clone(&refusal) };
    let address = (resolved.host_name.as_str(), resolved.port);
    let connecting = client::connect(Arc::new(config), address, client);
    let limit = resolved.connect_timeout.map_or(timeout, |t| t.min(timeout));
    match tokio::time::timeout(limit, connecting).await {
        Ok(Ok(handle)) => Ok(handle),
        Ok(Err(err)) => {
            let refusal = refusal.lock().unwrap_or_else(|p| p.into_inner()).take();
            Err(refusal.unwrap_or_else(|| {
                fail(format!("cannot connect to {}:{}", resolved.host_name, resolved.port), &err)
            }))
        }
        Err(_) => Err(Failure::new(format!(
            "timed out after {}s connecting to {}:{}",
            limit.as_secs(),
            resolved.host_name,
            resolved.port
        ))
        .hint("check that the host is up and sshd listens on that port; if it is only slow, give it longer with --timeout")),
    }
}
