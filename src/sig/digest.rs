//! The message hash an SSH signature signs (PROTOCOL.sshsig: `H(message)`, SHA-256 or
//! SHA-512), computed in one pass over the input: a 100 MiB file is hashed in the same
//! 1.5 MiB of memory as a small one, and never read twice. An input that ends within its
//! first MiB (a commit, a tag) is hashed by ring, the fastest SHA-2 built in; a larger
//! one by the system's OpenSSL when it is there ([`super::libcrypto`], why there), by
//! ring otherwise.

use std::io::{self, Read};
use std::sync::mpsc;

use ssh_key::HashAlg;

use super::libcrypto;

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

/// Hashes everything `input` gives until its end. Past the first MiB, a second thread
/// reads the next chunk while this one hashes the last (two chunks in flight at most):
/// the hash is the cost, and the copying of the reads need not add to it.
///
/// # Errors
/// Reading failed.
pub fn hash_reader(alg: HashAlg, input: &mut (dyn Read + Send)) -> io::Result<MessageHash> {
    let mut head = Vec::with_capacity(CHUNK);
    Read::take(&mut *input, READ_AHEAD_AFTER as u64).read_to_end(&mut head)?;
    let bytes = if head.len() < READ_AHEAD_AFTER {
        Hasher::Ring(ring_context(alg)).finish(&head)?
    } else {
        let mut hasher =
            libcrypto::Sha::new(alg).map_or_else(|| Hasher::Ring(ring_context(alg)), Hasher::Libcrypto);
        hasher.update(&head);
        head.truncate(CHUNK);
        read_ahead(input, &mut hasher, head)?;
        hasher.finish(&[])?
    };
    Ok(MessageHash { alg, bytes })
}

fn ring_context(alg: HashAlg) -> ring::digest::Context {
    ring::digest::Context::new(match alg {
        HashAlg::Sha256 => &ring::digest::SHA256,
        _ => &ring::digest::SHA512,
    })
}

/// The SHA-2 implementation hashing one input.
enum Hasher {
    Ring(ring::digest::Context),
    Libcrypto(libcrypto::Sha),
}

impl Hasher {
    fn update(&mut self, data: &[u8]) {
        match self {
            Self::Ring(context) => context.update(data),
            Self::Libcrypto(sha) => sha.update(data),
        }
    }

    /// Hashes `last`, then gives the digest (32 or 64 bytes at the start).
    fn finish(mut self, last: &[u8]) -> io::Result<[u8; 64]> {
        self.update(last);
        match self {
            Self::Ring(context) => {
                let digest = context.finish();
                let mut bytes = [0u8; 64];
                bytes[..digest.as_ref().len()].copy_from_slice(digest.as_ref());
                Ok(bytes)
            }
            Self::Libcrypto(sha) => {
                sha.finish().ok_or_else(|| io::Error::other("OpenSSL's libcrypto failed to hash"))
            }
        }
    }
}

/// Inputs larger than this are read on a thread of their own (a small file is not worth
/// one: signing a commit must start fast).
const READ_AHEAD_AFTER: usize = 1 << 20;

/// One read, retried when interrupted; 0 at the end.
fn read_some(input: &mut dyn Read, buffer: &mut [u8]) -> io::Result<usize> {
    loop {
        match input.read(buffer) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            other => return other,
        }
    }
}

/// Hashes the rest of `input`, read by a second thread into two buffers that go back and
/// forth: the reader fills one while this thread hashes the other.
fn read_ahead(input: &mut (dyn Read + Send), hasher: &mut Hasher, first: Vec<u8>) -> io::Result<()> {
    let (filled, full) = mpsc::sync_channel::<io::Result<(Vec<u8>, usize)>>(2);
    let (emptied, empty) = mpsc::sync_channel::<Vec<u8>>(2);
    for buffer in [first, vec![0u8; CHUNK]] {
        // The channel has room for both.
        let _ = emptied.send(buffer);
    }
    std::thread::scope(|scope| {
        scope.spawn(move || {
            // Ends at the end of the input, on an error, or when the hasher stops
            // handing buffers back (it dropped its end).
            for mut buffer in empty {
                let read = read_some(input, &mut buffer).map(|n| (buffer, n));
                let last = !matches!(read, Ok((_, n)) if n > 0);
                if filled.send(read).is_err() || last {
                    return;
                }
            }
        });
        let hashed = (|| {
            for read in full.iter() {
                let (buffer, n) = read?;
                if n == 0 {
                    return Ok(());
                }
                hasher.update(&buffer[..n]);
                // The reader may have stopped already; then the buffer is not needed.
                let _ = emptied.send(buffer);
            }
            Ok(())
        })();
        // Unblocks a reader still waiting for a buffer, so that the scope can end.
        drop(emptied);
        drop(full);
        hashed
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_hash_like_one_call() {
        let data: Vec<u8> = (0..(READ_AHEAD_AFTER + CHUNK * 3 + 17)).map(|i| (i % 251) as u8).collect();
        for alg in [HashAlg::Sha256, HashAlg::Sha512] {
            let expected = alg.digest(&data);
            assert_eq!(hash_reader(alg, &mut &data[..]).unwrap().as_bytes(), &expected[..]);
            let small = &data[..CHUNK + 5];
            assert_eq!(hash_reader(alg, &mut &small[..]).unwrap().as_bytes(), &alg.digest(small)[..]);
        }
    }

    /// A read error past the first MiB ends the hashing with that error, not a hang.
    #[test]
    fn a_read_error_on_the_reader_thread_is_returned() {
        struct Failing(usize);
        impl Read for Failing {
            fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
                self.0 += buffer.len();
                match self.0 > 3 * READ_AHEAD_AFTER {
                    true => Err(io::Error::other("disk on fire")),
                    false => Ok(buffer.len()),
                }
            }
        }
        let error = hash_reader(HashAlg::Sha512, &mut Failing(0)).unwrap_err();
        assert_eq!(error.to_string(), "disk on fire");
    }
}
