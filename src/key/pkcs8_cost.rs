//! The cost an encrypted PKCS#8 file (`BEGIN ENCRYPTED PRIVATE KEY`) asks of its key
//! derivation, checked before russh derives anything.
//!
//! The file chooses its own KDF parameters, so a few hundred bytes can ask scrypt for
//! terabytes of memory (which aborts the process) or PBKDF2 for hours of work. OpenSSL,
//! which `ssh-keygen` decrypts these files with, refuses scrypt beyond 32 MiB; we refuse
//! the same, and also bound the work so that reading a key file never takes minutes.

use data_encoding::BASE64_MIME;
use pkcs8::EncryptedPrivateKeyInfoRef;
use pkcs8::der::Decode;
use pkcs8::pkcs5::pbes2::Kdf;

/// OpenSSL's default `maxmem` for scrypt in PKCS#8 decryption (SCRYPT_MAX_MEM).
pub const MAX_SCRYPT_MEMORY: u64 = 32 * 1024 * 1024;
/// scrypt's work is N·r·p block mixes; OpenSSL writes N=16384, r=8, p=1 (2^17). We allow
/// 128 times that: a few seconds.
pub const MAX_SCRYPT_WORK: u64 = 1 << 24;
/// OpenSSL writes 2048 iterations and current guidance asks for 600000; ten million is a
/// few seconds of HMAC-SHA256.
pub const MAX_PBKDF2_ITERATIONS: u32 = 10_000_000;

/// Why the KDF of an encrypted PKCS#8 file is refused, as one phrase; `None` when it is
/// affordable, or when the file cannot be parsed this far (russh then reports that).
pub fn excessive_kdf(pem: &str) -> Option<String> {
    let der = BASE64_MIME.decode(pem_body(pem)?.as_bytes()).ok()?;
    let info = EncryptedPrivateKeyInfoRef::from_der(&der).ok()?;
    match &info.encryption_algorithm.pbes2()?.kdf {
        Kdf::Pbkdf2(params) if params.iteration_count > MAX_PBKDF2_ITERATIONS => Some(format!(
            "its PBKDF2 asks for {} iterations, more than the {MAX_PBKDF2_ITERATIONS} keywright allows",
            params.iteration_count
        )),
        Kdf::Scrypt(params) => {
            let (n, r, p) =
                (params.cost_parameter, u64::from(params.block_size), u64::from(params.parallelization));
            scrypt_refusal(n, r, p)
        }
        _ => None,
    }
}

/// OpenSSL's memory formula: the N+2 blocks of V and the p blocks of B, 128·r bytes each.
fn scrypt_refusal(n: u64, r: u64, p: u64) -> Option<String> {
    let memory = n.saturating_add(2).saturating_add(p).saturating_mul(r).saturating_mul(128);
    if memory > MAX_SCRYPT_MEMORY {
        return Some(format!(
            "its scrypt asks for {} MiB of memory, more than the {} MiB OpenSSL allows",
            memory / (1024 * 1024),
            MAX_SCRYPT_MEMORY / (1024 * 1024)
        ));
    }
    let work = n.saturating_mul(r).saturating_mul(p);
    (work > MAX_SCRYPT_WORK)
        .then(|| format!("its scrypt parameters (N={n}, r={r}, p={p}) ask for too much work"))
}

/// The base64 between the BEGIN and END lines, read line by line as russh reads it.
fn pem_body(pem: &str) -> Option<String> {
    let mut lines = pem.lines().map(str::trim);
    lines.find(|line| *line == "-----BEGIN ENCRYPTED PRIVATE KEY-----")?;
    Some(lines.take_while(|line| !line.starts_with("-----END ")).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn openssl_defaults_pass_and_its_memory_limit_holds() {
        assert_eq!(scrypt_refusal(1 << 14, 8, 1), None);
        assert!(scrypt_refusal(1 << 15, 8, 1).is_some(), "OpenSSL refuses exactly 32 MiB plus B");
        assert!(scrypt_refusal(1 << 16, 8, 1).unwrap().contains("64 MiB"));
        assert!(scrypt_refusal(1 << 40, 8, 1).is_some());
        assert!(scrypt_refusal(u64::MAX, u64::MAX, u64::MAX).is_some());
        assert!(scrypt_refusal(1 << 10, 8, 4096).unwrap().contains("too much work"));
    }
}
