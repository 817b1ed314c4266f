//! The message hash an SSH signature signs (PROTOCOL.sshsig: `H(message)`, SHA-256 or
//! SHA-512), computed in one pass over the input in fixed-size chunks: a 100 MiB file is
//! hashed in the same 256 KiB of memory as a small one, and never read twice.

use std::io::{self, Read};

use ssh_key::HashAlg;

/// How much is read at a time.
const CHUNK: usize = 256 * 1024;

/// A message's hash, with the algorithm that made it.
#[derive(Clone, PartialEq, Eq)]
pub struct MessageHash {
    alg: HashAlg,
    bytes: [u8; 64],
}

impl MessageHash {
    /// The algorithm.
    pub fn alg(&self) -> HashAlg {
        self.alg
    }

    /// The digest bytes (32 or 64).
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..self.alg.digest_size()]
    }
}

impl std::fmt::Debug for MessageHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "MessageHash({})", self.alg)
    }
}

/// Hashes everything `input` gives until its end.
///
/// # Errors
/// Reading failed.
pub fn hash_reader(alg: HashAlg, input: &mut dyn Read) -> io::Result<MessageHash> {
    match alg {
        HashAlg::Sha256 => stream::<sha2::Sha256>(alg, input),
        _ => stream::<sha2::Sha512>(alg, input),
    }
}

fn stream<D: sha2::Digest>(alg: HashAlg, input: &mut dyn Read) -> io::Result<MessageHash> {
    let mut hasher = D::new();
    let mut buffer = vec![0u8; CHUNK];
    loop {
        match input.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => hasher.update(&buffer[..n]),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
    let mut bytes = [0u8; 64];
    let digest = hasher.finalize();
    bytes[..digest.len()].copy_from_slice(&digest);
    Ok(MessageHash { alg, bytes })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_hash_like_one_call() {
        let data: Vec<u8> = (0..(CHUNK * 2 + 17)).map(|i| (i % 251) as u8).collect();
        for alg in [HashAlg::Sha256, HashAlg::Sha512] {
            let expected = alg.digest(&data);
            assert_eq!(hash_reader(alg, &mut &data[..]).unwrap().as_bytes(), &expected[..]);
        }
    }
}
