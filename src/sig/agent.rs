//! Signing with a key held by ssh-agent, as `ssh-keygen -Y sign` does when the agent
//! holds the key (or `-U` demands it): one connection for the whole run, one sign request
//! a file, RSA asked for rsa-sha2-512.
//!
//! The client is russh's (`AgentClient`), the one copy-id already uses: it speaks the
//! agent protocol (draft-miller-ssh-agent) for plain keys and certificates and decodes
//! the answer into ssh-key's `Signature`. It is asynchronous, so a small current-thread
//! runtime drives it; a run that never meets an agent never builds one.

use std::path::{Path, PathBuf};

use russh::keys::agent::AgentIdentity;
use russh::keys::agent::client::AgentClient;
use ssh_key::public::KeyData;
use ssh_key::{Algorithm, HashAlg, PublicKey, Signature};

use crate::error::{Error, Result};

/// A connection to ssh-agent.
pub struct Agent {
    socket: PathBuf,
    runtime: tokio::runtime::Runtime,
    client: AgentClient<tokio::net::UnixStream>,
}

impl std::fmt::Debug for Agent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Agent").field("socket", &self.socket).finish_non_exhaustive()
    }
}

impl Agent {
    /// Connects to the agent listening on `socket` (`$SSH_AUTH_SOCK`).
    ///
    /// # Errors
    /// [`Error::AgentUnreachable`]: nothing listens there.
    pub fn connect(socket: &Path) -> Result<Self> {
        let unreachable = |cause: String| Error::AgentUnreachable { socket: socket.to_path_buf(), cause };
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .build()
            .map_err(|e| unreachable(crate::error::describe_io(&e)))?;
        let client =
            runtime.block_on(AgentClient::connect_uds(socket)).map_err(|e| unreachable(e.to_string()))?;
        Ok(Agent { socket: socket.to_path_buf(), runtime, client })
    }

    /// Whether the agent holds `key` (a certificate must be held as that certificate).
    ///
    /// # Errors
    /// The agent did not answer the question.
    pub fn holds(&mut self, key: &KeyData) -> Result<bool> {
        let identities = self.runtime.block_on(self.client.request_identities());
        let identities = identities.map_err(|e| self.failed(e))?;
        Ok(identities.iter().any(|identity| identity_key(identity) == *key))
    }

    /// Has the agent sign `data` with `key` (RSA with SHA-512).
    ///
    /// # Errors
    /// [`Error::AgentSign`]: the agent refused or answered with something else.
    pub fn sign(&mut self, key: &KeyData, data: &[u8]) -> Result<Signature> {
        self.sign_hashed(key, data, HashAlg::Sha512)
    }

    /// [`Agent::sign`] with RSA's hash chosen (rsa-sha2-256 or rsa-sha2-512).
    ///
    /// # Errors
    /// [`Error::AgentSign`]: the agent refused or answered with something else.
    pub fn sign_hashed(&mut self, key: &KeyData, data: &[u8], hash: HashAlg) -> Result<Signature> {
        let public = PublicKey::new(key.clone(), "");
        let request = self.client.sign_request_signature(&public, Some(hash), data);
        let signature = self.runtime.block_on(request).map_err(|e| self.failed(e))?;
        // An agent that ignores the flag would answer with SHA-1, which no verifier takes.
        let wanted_rsa = Algorithm::Rsa { hash: Some(hash) };
        if matches!(super::lookup::plain(key), KeyData::Rsa(_)) && signature.algorithm() != wanted_rsa {
            let cause = format!("it answered with {} instead of {wanted_rsa}", signature.algorithm());
            return Err(Error::AgentSign { socket: self.socket.clone(), cause });
        }
        Ok(signature)
    }

    fn failed(&self, error: russh::keys::Error) -> Error {
        let cause = match error {
            russh::keys::Error::AgentFailure => "the agent refused".to_string(),
            other => other.to_string(),
        };
        Error::AgentSign { socket: self.socket.clone(), cause }
    }
}

/// The key an identity is: the certificate itself for a certificate.
fn identity_key(identity: &AgentIdentity) -> KeyData {
    match identity {
        AgentIdentity::Certificate { certificate, .. } => KeyData::Certificate(Box::new(certificate.clone())),
        AgentIdentity::PublicKey { key, .. } => key.key_data().clone(),
    }
}
