//! The SSHSIG blob (PROTOCOL.sshsig): `"SSHSIG"`, version 1, the signer's public key (a
//! certificate too), the namespace, a reserved string, the hash algorithm and the
//! signature over the signed data.
//!
//! ssh-key's `SshSig` covers the format, but verifies only a message held whole in
//! memory (its prehash verification is private), and refuses what OpenSSH refuses with
//! other words; so the fields are read here with ssh-key's decoders, in sshsig.c's order
//! and with its checks, and the signed data is ssh-key's
//! ([`ssh_key::SshSig::signed_data_for_prehash`]).

use ssh_key::encoding::{Decode, Encode, Reader};
use ssh_key::public::KeyData;
use ssh_key::{HashAlg, Signature};

use super::SignatureProblem;
use super::digest::MessageHash;

const MAGIC: &[u8; 6] = b"SSHSIG";
const VERSION: u32 = 1;

/// A decoded SSHSIG blob.
#[derive(Debug, Clone)]
pub struct Sshsig {
    /// The signer's public key; a certificate when a certificate signed.
    pub key: KeyData,
    /// The namespace the signature was made for, as the blob has it.
    pub namespace: Vec<u8>,
    pub hash: HashAlg,
    /// The signature, still encoded (OpenSSH parses it only when verifying).
    pub signature: Vec<u8>,
}

impl Sshsig {
    /// Reads a blob as sshsig.c reads it, with its checks: the magic and version, the
    /// hash algorithm (`sha256` or `sha512`), a key OpenSSH can use (a certificate's own
    /// signature valid), and nothing after the signature.
    ///
    /// # Errors
    /// What makes the blob no signature OpenSSH would read.
    pub fn decode(blob: &[u8]) -> Result<Self, SignatureProblem> {
        let mut reader = blob;
        let malformed = |_| SignatureProblem::Malformed;
        let mut magic = [0u8; 6];
        reader.read(&mut magic).map_err(malformed)?;
        let version = u32::decode(&mut reader).map_err(malformed)?;
        if &magic != MAGIC {
            return Err(SignatureProblem::Malformed);
        }
        if version > VERSION {
            return Err(SignatureProblem::Version(version));
        }
        let key_blob = Vec::<u8>::decode(&mut reader).map_err(malformed)?;
        let namespace = c_string_field(&mut reader)?;
        let _reserved = Vec::<u8>::decode(&mut reader).map_err(malformed)?;
        let hash = hash_alg(&c_string_field(&mut reader)?)?;
        let signature = Vec::<u8>::decode(&mut reader).map_err(malformed)?;
        let key = signer_key(&key_blob)?;
        if !reader.is_empty() {
            return Err(SignatureProblem::TrailingData);
        }
        Ok(Sshsig { key, namespace, hash, signature })
    }

    /// Encodes the blob, for a new signature (the reserved string empty, version 1).
    pub fn encode(&self) -> Vec<u8> {
        let mut out = MAGIC.to_vec();
        out.extend_from_slice(&VERSION.to_be_bytes());
        put_string(&mut out, &key_blob(&self.key));
        put_string(&mut out, &self.namespace);
        put_string(&mut out, b"");
        put_string(&mut out, self.hash.as_str().as_bytes());
        put_string(&mut out, &self.signature);
        out
    }

    /// The signature, decoded; `None` when it is not a signature at all.
    pub fn decoded_signature(&self) -> Option<Signature> {
        let mut reader = &self.signature[..];
        let signature = Signature::decode(&mut reader).ok()?;
        reader.is_empty().then_some(signature)
    }

    /// The algorithm name the encoded signature starts with (`rsa-sha2-512`).
    pub fn signature_type(&self) -> Option<&[u8]> {
        crate::key::text::blob_type_name(&self.signature)
    }
}

/// The signer's key alone, read as sshsig.c's `sshsig_get_pubkey` reads it for
/// find-principals: the magic, the version and the key; the rest is not looked at.
///
/// # Errors
/// The blob does not start as a signature OpenSSH would read.
pub fn signer_of(blob: &[u8]) -> Result<KeyData, SignatureProblem> {
    let mut reader = blob;
    let malformed = |_| SignatureProblem::Malformed;
    let mut magic = [0u8; 6];
    reader.read(&mut magic).map_err(malformed)?;
    let version = u32::decode(&mut reader).map_err(malformed)?;
    if &magic != MAGIC {
        return Err(SignatureProblem::Malformed);
    }
    if version > VERSION {
        return Err(SignatureProblem::Version(version));
    }
    signer_key(&Vec::<u8>::decode(&mut reader).map_err(malformed)?)
}

/// The data the signer signs: OpenSSH's `toverify`/`tosign`, always with an empty
/// reserved string.
///
/// # Errors
/// An empty namespace (no signature is made or accepted for none).
pub fn signed_data(namespace: &str, hash: &MessageHash) -> Result<Vec<u8>, SignatureProblem> {
    ssh_key::SshSig::signed_data_for_prehash(namespace, hash.alg(), hash.as_bytes())
        .map_err(|_| SignatureProblem::Malformed)
}

/// The public key blob of a key (a certificate's whole blob for a certificate).
pub fn key_blob(key: &KeyData) -> Vec<u8> {
    let mut out = Vec::new();
    // Encoding a decoded key into a Vec cannot fail.
    let _ = key.encode(&mut out);
    out
}

/// An SSH `string` in which OpenSSH expects a C string: no NUL inside.
fn c_string_field(reader: &mut &[u8]) -> Result<Vec<u8>, SignatureProblem> {
    let text = Vec::<u8>::decode(reader).map_err(|_| SignatureProblem::Malformed)?;
    match text.contains(&0) {
        true => Err(SignatureProblem::Malformed),
        false => Ok(text),
    }
}

fn hash_alg(name: &[u8]) -> Result<HashAlg, SignatureProblem> {
    match name {
        b"sha256" => Ok(HashAlg::Sha256),
        b"sha512" => Ok(HashAlg::Sha512),
        other => Err(SignatureProblem::UnsupportedHash(String::from_utf8_lossy(other).into_owned())),
    }
}

/// The signer's key: any key OpenSSH reads, a certificate only with a valid CA signature
/// (OpenSSH checks it while parsing the certificate).
fn signer_key(blob: &[u8]) -> Result<KeyData, SignatureProblem> {
    let key = crate::key::text::decode_blob(blob).ok_or(SignatureProblem::BadKey)?;
    if let KeyData::Certificate(cert) = &key {
        // The certificate's own signature only; whether its CA is trusted is for the
        // allowed_signers lookup to decide.
        cert.verify_signature().map_err(|_| SignatureProblem::BadCertificate)?;
    }
    Ok(key)
}

fn put_string(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(&(bytes.len() as u32).to_be_bytes());
    out.extend_from_slice(bytes);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `ssh-keygen -Y sign -f testdata/keys/id_ed25519 -n file` of "hello\n".
    const HELLO_SIG: &str = "-----BEGIN SSH SIGNATURE-----
U1NIU0lHAAAAAQAAADMAAAALc3NoLWVkMjU1MTkAAAAg9XkkzfGiLkB6H7oXnhJgZoWmRc
FoF+geGiFZBNDj1h4AAAAEZmlsZQAAAAAAAAAGc2hhNTEyAAAAUwAAAAtzc2gtZWQyNTUx
OQAAAED32mEtg2D7mKeDfWaTCPMTGbubBruhZI8n+wD703ncdghuLcV/gCvLXZH4zNeLCM
/bOBiUT1st23Xmyeydu18L
-----END SSH SIGNATURE-----
";

    #[test]
    fn reads_and_rewrites_ssh_keygens_signature() {
        let blob = super::super::armor::dearmor(HELLO_SIG.as_bytes()).unwrap();
        let sig = Sshsig::decode(&blob).unwrap();
        assert_eq!(sig.namespace, b"file");
        assert_eq!(sig.hash, HashAlg::Sha512);
        assert!(sig.key.is_ed25519());
        assert_eq!(sig.encode(), blob);
        assert_eq!(sig.signature_type(), Some(&b"ssh-ed25519"[..]));
    }

    proptest::proptest! {
        /// A damaged signature is refused, never a panic; what still decodes encodes back.
        #[test]
        fn damaged_blobs_are_refused_or_read(at in 0..200usize, byte: u8, cut in 0..200usize) {
            let mut blob = super::super::armor::dearmor(HELLO_SIG.as_bytes()).unwrap();
            let at = at % blob.len();
            blob[at] = byte;
            blob.truncate(blob.len() - cut.min(blob.len()));
            // Version 0 is read (as OpenSSH reads it) and written back as 1; a reserved
            // string is read and written back empty.
            if let (Ok(sig), Some(&[0, 0, 0, 1])) = (Sshsig::decode(&blob), blob.get(6..10)) {
                let encoded = sig.encode();
                proptest::prop_assert!(encoded.len() != blob.len() || encoded == blob);
            }
            let _ = signer_of(&blob);
        }
    }

    #[test]
    fn refuses_what_sshsig_refuses() {
        let blob = super::super::armor::dearmor(HELLO_SIG.as_bytes()).unwrap();
        let mut trailing = blob.clone();
        trailing.push(0);
        assert_eq!(Sshsig::decode(&trailing).err(), Some(SignatureProblem::TrailingData));
        let mut version = blob.clone();
        version[9] = 2;
        assert_eq!(Sshsig::decode(&version).err(), Some(SignatureProblem::Version(2)));
        let mut magic = blob.clone();
        magic[0] = b'X';
        assert_eq!(Sshsig::decode(&magic).err(), Some(SignatureProblem::Malformed));
        assert_eq!(Sshsig::decode(&blob[..40]).err(), Some(SignatureProblem::Malformed));
        let at = blob.windows(6).position(|w| w == b"sha512").unwrap();
        let mut hash = blob.clone();
        hash[at + 3..at + 6].copy_from_slice(b"999");
        assert_eq!(Sshsig::decode(&hash).err(), Some(SignatureProblem::UnsupportedHash("sha999".into())));
    }
}
