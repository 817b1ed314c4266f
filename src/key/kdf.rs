//! bcrypt-pbkdf, the KDF of OpenSSH private keys, with its output blocks computed in
//! parallel.
//!
//! The KDF's cost is what the user asked for (`-a ROUNDS`), and its output is made of
//! independent 32-byte blocks: two for aes256-ctr (48 bytes of key and IV). OpenSSH and
//! the bcrypt-pbkdf crate compute them one after the other; computing them on separate
//! cores gives the same bytes in half the time on a machine with two. The crate exposes
//! no way to compute one block, so the algorithm (OpenBSD's bcrypt_pbkdf.c) is written
//! here on top of the blowfish crate's bcrypt primitives; the tests compare it with the
//! crate byte for byte.

use blowfish::Blowfish;
use sha2::{Digest, Sha512};
use zeroize::Zeroizing;

/// One bcrypt-hash output.
const BLOCK: usize = 32;
/// OpenSSH's limit on the output (`bcrypt_pbkdf` refuses more).
const MAX_OUTPUT: usize = BLOCK * BLOCK;
/// The text bcrypt-hash encrypts.
const MAGIC: &[u8; BLOCK] = b"OxychromaticBlowfishSwatDynamite";

/// Fills `output` with bcrypt-pbkdf(passphrase, salt, rounds).
///
/// # Errors
/// The parameters OpenSSH refuses: empty passphrase or salt, zero rounds, or an empty
/// or oversized output.
pub fn bcrypt_pbkdf(
    passphrase: &[u8],
    salt: &[u8],
    rounds: u32,
    output: &mut [u8],
) -> Result<(), &'static str> {
    if passphrase.is_empty()
        || salt.is_empty()
        || rounds == 0
        || output.is_empty()
        || output.len() > MAX_OUTPUT
    {
        return Err("invalid bcrypt-pbkdf parameters");
    }
    let stride = output.len().div_ceil(BLOCK);
    let sha_passphrase = Zeroizing::new(<[u8; 64]>::from(Sha512::digest(passphrase)));
    let blocks: Vec<Zeroizing<[u8; BLOCK]>> = std::thread::scope(|scope| {
        let workers: Vec<_> = (2..=stride as u32)
            .map(|count| {
                scope.spawn({
                    let sha_passphrase = &sha_passphrase;
                    move || block(sha_passphrase, salt, rounds, count)
                })
            })
            .collect();
        let first = block(&sha_passphrase, salt, rounds, 1);
        let rest = workers.into_iter().map(|w| w.join().unwrap_or_else(|_| Zeroizing::new([0; BLOCK])));
        std::iter::once(first).chain(rest).collect()
    });
    // Output byte i comes from block i % stride, at position i / stride.
    for (i, byte) in output.iter_mut().enumerate() {
        *byte = blocks[i % stride][i / stride];
    }
    Ok(())
}

/// Block `count` (from 1): the XOR of `rounds` chained bcrypt hashes.
fn block(sha_passphrase: &[u8; 64], salt: &[u8], rounds: u32, count: u32) -> Zeroizing<[u8; BLOCK]> {
    let mut salted = Sha512::new();
    salted.update(salt);
    salted.update(count.to_be_bytes());
    let mut sha_salt = Zeroizing::new(<[u8; 64]>::from(salted.finalize()));
    let mut hash = bcrypt_hash(sha_passphrase, &sha_salt);
    let mut out = hash.clone();
    for _ in 1..rounds {
        *sha_salt = <[u8; 64]>::from(Sha512::digest(*hash));
        hash = bcrypt_hash(sha_passphrase, &sha_salt);
        out.iter_mut().zip(hash.iter()).for_each(|(o, h)| *o ^= h);
    }
    out
}

/// bcrypt-hash: an expensive Blowfish key schedule over both inputs, then 64
/// encryptions of [`MAGIC`], returned as little-endian words.
fn bcrypt_hash(sha_passphrase: &[u8; 64], sha_salt: &[u8; 64]) -> Zeroizing<[u8; BLOCK]> {
    let mut state = Blowfish::bc_init_state();
    state.salted_expand_key(sha_salt, sha_passphrase);
    for _ in 0..64 {
        state.bc_expand_key(sha_salt);
        state.bc_expand_key(sha_passphrase);
    }
    let mut words = [0u32; BLOCK / 4];
    for (word, bytes) in words.iter_mut().zip(MAGIC.chunks_exact(4)) {
        *word = u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
    }
    for _ in 0..64 {
        for pair in words.chunks_exact_mut(2) {
            let [l, r] = state.bc_encrypt([pair[0], pair[1]]);
            pair[0] = l;
            pair[1] = r;
        }
    }
    let mut out = Zeroizing::new([0u8; BLOCK]);
    for (bytes, word) in out.chunks_exact_mut(4).zip(words) {
        bytes.copy_from_slice(&word.to_le_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_bytes_as_the_bcrypt_pbkdf_crate() {
        for (len, rounds) in [(48, 1), (48, 3), (32, 2), (64, 2), (44, 1), (1, 1), (100, 2), (16, 4)] {
            let mut ours = vec![0u8; len];
            let mut theirs = vec![0u8; len];
            bcrypt_pbkdf(b"password", b"salty salt", rounds, &mut ours).unwrap();
            bcrypt_pbkdf::bcrypt_pbkdf(b"password", b"salty salt", rounds, &mut theirs).unwrap();
            assert_eq!(ours, theirs, "len {len} rounds {rounds}");
        }
    }

    #[test]
    fn refuses_what_openssh_refuses() {
        let mut out = [0u8; 48];
        assert!(bcrypt_pbkdf(b"", b"salt", 1, &mut out).is_err());
        assert!(bcrypt_pbkdf(b"pw", b"", 1, &mut out).is_err());
        assert!(bcrypt_pbkdf(b"pw", b"salt", 0, &mut out).is_err());
        assert!(bcrypt_pbkdf(b"pw", b"salt", 1, &mut [0u8; 1025]).is_err());
    }
}
