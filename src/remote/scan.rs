//! Host keys of hosts we do not know yet, as ssh-keyscan fetches them: one connection
//! per key type, each offering only that type's host key algorithms, so the server shows
//! the key of that type. The key is never trusted here: the connection stops at the key
//! exchange (the callback says no), and what to do with the keys is the caller's choice.
//!
//! Everything is bounded: every connection ends by its timeout, the banner read is
//! capped, and at most [`MAX_CONNECTIONS`] connections are open at once.

use std::borrow::Cow;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use russh::client::{self, Handler};
use russh::keys::PublicKeyOrCertificate;
use ssh_key::public::KeyData;
use ssh_key::{Algorithm, EcdsaCurve, HashAlg};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// How many connections are open at once (ssh-keyscan's default is about the process's
/// file limit; this keeps a large scan from exhausting it).
const MAX_CONNECTIONS: usize = 128;
/// How much of the server's first bytes are kept to find its `SSH-` line (RFC 4253 lets
/// lines come before it; the id line itself is at most 255 bytes).
const BANNER_CAP: usize = 8192;

/// A key type as ssh-keyscan's `-t` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum KeyKind {
    Dsa,
    Rsa,
    Ecdsa,
    Ed25519,
    EcdsaSk,
    Ed25519Sk,
}

impl KeyKind {
    /// ssh-keyscan's default: every type but DSA.
    pub const DEFAULT: [KeyKind; 5] =
        [KeyKind::Rsa, KeyKind::Ecdsa, KeyKind::Ed25519, KeyKind::EcdsaSk, KeyKind::Ed25519Sk];

    /// Parses one `-t` name (`rsa`, `ecdsa`, `ed25519`, `ecdsa-sk`, `ed25519-sk`, `dsa`;
    /// also the key line names such as `ssh-ed25519`).
    pub fn parse(name: &str) -> Option<Self> {
        Some(match name.to_ascii_lowercase().as_str() {
            "dsa" | "ssh-dss" => KeyKind::Dsa,
            "rsa" | "ssh-rsa" | "rsa-sha2-256" | "rsa-sha2-512" => KeyKind::Rsa,
            "ecdsa" | "ecdsa-sha2-nistp256" | "ecdsa-sha2-nistp384" | "ecdsa-sha2-nistp521" => KeyKind::Ecdsa,
            "ed25519" | "ssh-ed25519" => KeyKind::Ed25519,
            "ecdsa-sk" | "sk-ecdsa-sha2-nistp256@openssh.com" => KeyKind::EcdsaSk,
            "ed25519-sk" | "sk-ssh-ed25519@openssh.com" => KeyKind::Ed25519Sk,
            _ => return None,
        })
    }

    /// The kind of a key (for comparing recorded keys with live ones).
    pub fn of(key: &KeyData) -> Option<Self> {
        Some(match key.algorithm() {
            Algorithm::Dsa => KeyKind::Dsa,
            Algorithm::Rsa { .. } => KeyKind::Rsa,
            Algorithm::Ecdsa { .. } => KeyKind::Ecdsa,
            Algorithm::Ed25519 => KeyKind::Ed25519,
            Algorithm::SkEcdsaSha2NistP256 => KeyKind::EcdsaSk,
            Algorithm::SkEd25519 => KeyKind::Ed25519Sk,
            _ => return None,
        })
    }

    /// The host key algorithms offered for this kind, in ssh-keyscan's order.
    fn algorithms(self) -> Vec<Algorithm> {
        match self {
            KeyKind::Dsa => vec![Algorithm::Dsa],
            KeyKind::Rsa => vec![
                Algorithm::Rsa { hash: Some(HashAlg::Sha512) },
                Algorithm::Rsa { hash: Some(HashAlg::Sha256) },
                Algorithm::Rsa { hash: None },
            ],
            KeyKind::Ecdsa => [EcdsaCurve::NistP256, EcdsaCurve::NistP384, EcdsaCurve::NistP521]
                .into_iter()
                .map(|curve| Algorithm::Ecdsa { curve })
                .collect(),
            KeyKind::Ed25519 => vec![Algorithm::Ed25519],
            KeyKind::EcdsaSk => vec![Algorithm::SkEcdsaSha2NistP256],
            KeyKind::Ed25519Sk => vec![Algorithm::SkEd25519],
        }
    }
}

/// What one connection (one host, one key type) found.
#[derive(Debug, Clone)]
pub struct Probe {
    pub kind: KeyKind,
    /// The server's `SSH-…` identification line, as received (not yet escaped).
    pub banner: Option<Vec<u8>>,
    /// The host key it showed.
    pub key: Option<KeyData>,
    /// Why no key came, when none did.
    pub failure: Option<String>,
}

/// What to scan.
#[derive(Debug, Clone)]
pub struct Request {
    /// `(host, port)` to connect to.
    pub hosts: Vec<(String, u16)>,
    pub kinds: Vec<KeyKind>,
    /// Per connection: connecting, the banner and the key exchange.
    pub timeout: Duration,
}

/// [`scan`] for a caller that is not async (`known-hosts scan` and `verify`): `(host,
/// port)` pairs, every kind on each, each connection within `timeout`. It runs on a
/// runtime of its own, shut down (every connection's task with it) before this returns.
///
/// # Errors
/// The runtime's threads could not be started.
pub fn scan_blocking(
    hosts: Vec<(String, u16)>,
    kinds: Vec<KeyKind>,
    timeout: Duration,
) -> std::io::Result<Vec<Vec<Probe>>> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    Ok(runtime.block_on(scan(&Request { hosts, kinds, timeout })))
}

/// Scans every host for every kind; the probes of each host, in `kinds` order, in the
/// order the hosts were given.
pub async fn scan(request: &Request) -> Vec<Vec<Probe>> {
    let permits = Arc::new(tokio::sync::Semaphore::new(MAX_CONNECTIONS));
    let mut tasks = tokio::task::JoinSet::new();
    for (host_index, (host, port)) in request.hosts.iter().enumerate() {
        for (kind_index, &kind) in request.kinds.iter().enumerate() {
            let (host, port, timeout, permits) = (host.clone(), *port, request.timeout, Arc::clone(&permits));
            tasks.spawn(async move {
                let _permit = permits.acquire_owned().await;
                ((host_index, kind_index), probe(&host, port, kind, timeout).await)
            });
        }
    }
    let mut found = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        if let Ok(result) = joined {
            found.push(result);
        }
    }
    found.sort_by_key(|(at, _)| *at);
    let mut hosts: Vec<Vec<Probe>> = vec![Vec::new(); request.hosts.len()];
    for ((host_index, _), probe) in found {
        hosts[host_index].push(probe);
    }
    hosts
}

/// One connection that asks for `kind`'s host key.
pub async fn probe(host: &str, port: u16, kind: KeyKind, timeout: Duration) -> Probe {
    let banner = Arc::new(Mutex::new(Vec::new()));
    let key = Arc::new(Mutex::new(None));
    let attempt = async {
        let stream =
            tokio::net::TcpStream::connect((host, port)).await.map_err(|e| cannot_connect(host, port, &e))?;
        let _ = stream.set_nodelay(true);
        let tapped = Tap { inner: stream, seen: Arc::clone(&banner) };
        let config = client::Config {
            preferred: russh::Preferred {
                key: Cow::Owned(kind.algorithms()),
                host_key_certificates: Cow::Owned(Vec::new()),
                ..russh::Preferred::default()
            },
            inactivity_timeout: Some(timeout),
            ..Default::default()
        };
        let catcher = Catcher { key: Arc::clone(&key) };
        match client::connect_stream(Arc::new(config), tapped, catcher).await {
            // The catcher refuses every key, so this is never reached; no session is used.
            Ok(_) => Ok(()),
            Err(err) => Err(super::describe(&err)),
        }
    };
    let failure = match tokio::time::timeout(timeout, attempt).await {
        Ok(Ok(())) => None,
        Ok(Err(why)) => Some(why),
        Err(_) => Some(format!("timed out after {} s", timeout.as_secs())),
    };
    let key = key.lock().unwrap_or_else(|p| p.into_inner()).take();
    let seen = banner.lock().unwrap_or_else(|p| p.into_inner());
    Probe { kind, banner: id_line(&seen), failure: failure.filter(|_| key.is_none()), key }
}

/// Why a TCP connection failed, as copy-id says it.
fn cannot_connect(host: &str, port: u16, err: &std::io::Error) -> String {
    let (host, port) = (host.to_string(), port);
    let error = match err.kind() {
        std::io::ErrorKind::ConnectionRefused => crate::error::Error::ConnectionRefused { host, port },
        _ => crate::error::Error::CannotConnect { host, port, cause: super::describe(err), network: true },
    };
    error.to_string()
}

/// The server's identification line among the first bytes it sent: the first line that
/// starts with `SSH-`, without its line end.
fn id_line(seen: &[u8]) -> Option<Vec<u8>> {
    seen.split(|&b| b == b'\n')
        .find(|line| line.starts_with(b"SSH-"))
        .map(|line| line.strip_suffix(b"\r").unwrap_or(line).to_vec())
}

/// Catches the host key and refuses it: the scan never goes past the key exchange.
struct Catcher {
    key: Arc<Mutex<Option<KeyData>>>,
}

impl Handler for Catcher {
    type Error = russh::Error;

    async fn check_server_key(&mut self, offered: &PublicKeyOrCertificate) -> Result<bool, Self::Error> {
        if let PublicKeyOrCertificate::PublicKey { key, .. } = offered {
            *self.key.lock().unwrap_or_else(|p| p.into_inner()) = Some(key.key_data().clone());
        }
        Ok(false)
    }
}

/// A stream that keeps a copy of the first [`BANNER_CAP`] bytes read, for the server's
/// identification line (russh does not hand it to the handler).
struct Tap<S> {
    inner: S,
    seen: Arc<Mutex<Vec<u8>>>,
}

impl<S: AsyncRead + Unpin> AsyncRead for Tap<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let polled = Pin::new(&mut this.inner).poll_read(cx, buf);
        if let Poll::Ready(Ok(())) = &polled {
            let mut seen = this.seen.lock().unwrap_or_else(|p| p.into_inner());
            let room = BANNER_CAP.saturating_sub(seen.len());
            let new = &buf.filled()[before..];
            seen.extend_from_slice(&new[..new.len().min(room)]);
        }
        polled
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Tap<S> {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, data: &[u8]) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, data)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_id_line_follows_pre_banner_lines() {
        assert_eq!(
            id_line(b"hello\r\nSSH-2.0-OpenSSH_9.2\r\n\0\0").as_deref(),
            Some(&b"SSH-2.0-OpenSSH_9.2"[..])
        );
        assert_eq!(id_line(b"no id"), None);
    }

    #[test]
    fn kinds_parse_as_ssh_keyscan_names_them() {
        assert_eq!(KeyKind::parse("ED25519"), Some(KeyKind::Ed25519));
        assert_eq!(KeyKind::parse("ecdsa-sk"), Some(KeyKind::EcdsaSk));
        assert_eq!(KeyKind::parse("ssh-rsa"), Some(KeyKind::Rsa));
        assert_eq!(KeyKind::parse("rsa1"), None);
    }
}
