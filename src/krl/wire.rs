//! The binary KRL (PROTOCOL.krl): reading it as krl.c's `ssh_krl_from_blob` reads it
//! (bounded, every malformed input an error, signatures checked) and writing it as
//! `ssh_krl_to_blob` writes it, byte for byte: the same section order, the same choice
//! between serial lists, ranges and bitmaps (krl.c's cost estimate, reproduced below).

use ssh_key::public::KeyData;

use super::{Ca, Krl, RevokedCerts};
use crate::key::text::{blob_type_name, decode_blob};

/// `KRL_MAGIC`: "SSHKRL\n\0".
pub const MAGIC: &[u8] = b"SSHKRL\n\0";
const FORMAT_VERSION: u32 = 1;

const SECTION_CERTIFICATES: u8 = 1;
const SECTION_EXPLICIT_KEY: u8 = 2;
const SECTION_FINGERPRINT_SHA1: u8 = 3;
const SECTION_SIGNATURE: u8 = 4;
const SECTION_FINGERPRINT_SHA256: u8 = 5;

const CERT_SERIAL_LIST: u8 = 0x20;
const CERT_SERIAL_RANGE: u8 = 0x21;
const CERT_SERIAL_BITMAP: u8 = 0x22;
const CERT_KEY_ID: u8 = 0x23;

/// The largest string OpenSSH's buffers take (`SSHBUF_SIZE_MAX - 4`).
const MAX_STRING: usize = 0x800_0000 - 4;
/// The largest big number OpenSSH reads, in bytes (`SSHBUF_MAX_BIGNUM`), so the largest
/// serial bitmap one section can hold.
const MAX_BIGNUM: usize = 16384 / 8;
/// The most bits a bitmap may have (`BITMAP_MAX`).
const MAX_BITMAP_BITS: u64 = 1 << 24;

/// Why a KRL was refused, in the words of OpenSSH's `ssh_err()`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    BadMagic,
    Incomplete,
    InvalidFormat,
    InvalidArgument,
    NegativeBignum,
    BignumTooLarge,
    StringTooLarge,
    UnknownKeyType,
    BadSignature,
    Revoked,
    Untrusted,
}

impl Reason {
    /// OpenSSH's words (`ssh_err`).
    pub fn ssh_err(self) -> &'static str {
        match self {
            Reason::BadMagic => "KRL file has invalid magic number",
            Reason::Incomplete => "incomplete message",
            Reason::InvalidFormat => "invalid format",
            Reason::InvalidArgument => "invalid argument",
            Reason::NegativeBignum => "bignum is negative",
            Reason::BignumTooLarge => "bignum is too large",
            Reason::StringTooLarge => "string is too large",
            Reason::UnknownKeyType => "unknown or unsupported key type",
            Reason::BadSignature => "incorrect signature",
            Reason::Revoked => "Key is revoked",
            Reason::Untrusted => "incorrect signature",
        }
    }
}

/// A KRL that cannot be read: why, and the line krl.c logs first, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KrlError {
    pub reason: Reason,
    pub logged: Option<String>,
}

impl std::fmt::Display for KrlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.logged {
            Some(logged) => write!(f, "{} ({})", self.reason.ssh_err(), logged),
            None => f.write_str(self.reason.ssh_err()),
        }
    }
}

impl std::error::Error for KrlError {}

impl From<Reason> for KrlError {
    fn from(reason: Reason) -> Self {
        KrlError { reason, logged: None }
    }
}

fn logged(reason: Reason, line: String) -> KrlError {
    KrlError { reason, logged: Some(line) }
}

type Parsed<T> = Result<T, KrlError>;

/// SSH wire values read from a byte slice, as sshbuf reads them.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Parsed<&'a [u8]> {
        if self.0.len() < n {
            return Err(Reason::Incomplete.into());
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }

    fn u8(&mut self) -> Parsed<u8> {
        Ok(self.take(1)?[0])
    }

    fn u32(&mut self) -> Parsed<u32> {
        let bytes = self.take(4)?;
        Ok(u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]))
    }

    fn u64(&mut self) -> Parsed<u64> {
        let mut out = [0u8; 8];
        out.copy_from_slice(self.take(8)?);
        Ok(u64::from_be_bytes(out))
    }

    fn string(&mut self) -> Parsed<&'a [u8]> {
        let peek = Reader(self.0).u32()? as usize;
        if peek > MAX_STRING {
            return Err(Reason::StringTooLarge.into());
        }
        if self.0.len() - 4 < peek {
            return Err(Reason::Incomplete.into());
        }
        self.take(4)?;
        self.take(peek)
    }

    /// A string without a NUL in it (`sshbuf_get_cstring`).
    fn cstring(&mut self) -> Parsed<&'a [u8]> {
        let text = self.string()?;
        if text.contains(&0) {
            return Err(Reason::InvalidFormat.into());
        }
        Ok(text)
    }

    /// An unsigned big number's magnitude (`sshbuf_get_bignum2_bytes_direct`).
    fn bignum(&mut self) -> Parsed<&'a [u8]> {
        let mut peek = Reader(self.0);
        let bytes = peek.string()?;
        if bytes.first().is_some_and(|&b| b & 0x80 != 0) {
            return Err(Reason::NegativeBignum.into());
        }
        if bytes.len() > MAX_BIGNUM + 1 || (bytes.len() == MAX_BIGNUM + 1 && bytes[0] != 0) {
            return Err(Reason::BignumTooLarge.into());
        }
        self.0 = peek.0;
        let start = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
        Ok(&bytes[start..])
    }

    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// A key blob as `sshkey_from_blob` takes it.
fn key_from_blob(blob: &[u8]) -> Parsed<KeyData> {
    if let Some(key) = decode_blob(blob) {
        return Ok(key);
    }
    let known = blob_type_name(blob)
        .and_then(|name| std::str::from_utf8(name).ok())
        .and_then(|name| ssh_key::Algorithm::new(name).ok())
        .is_some_and(|algorithm| crate::key::describe::is_known(&algorithm));
    Err(if known { Reason::InvalidFormat } else { Reason::UnknownKeyType }.into())
}

/// Reads a KRL, checking the signatures it carries (if any): each must be valid, and
/// not every signing key may be revoked by the list itself.
///
/// # Errors
/// Why the data is no KRL OpenSSH would load.
pub fn decode(data: &[u8]) -> Result<Krl, KrlError> {
    if !data.starts_with(MAGIC) {
        return Err(Reason::BadMagic.into());
    }
    let mut reader = Reader(&data[MAGIC.len()..]);
    if reader.u32()? != FORMAT_VERSION {
        return Err(Reason::InvalidFormat.into());
    }
    let mut krl =
        Krl { version: reader.u64()?, generated: reader.u64()?, flags: reader.u64()?, ..Krl::default() };
    reader.string()?;
    krl.comment = reader.cstring()?.to_vec();
    let sections = reader.0;
    let signers = check_signatures(data, sections)?;
    let mut reader = Reader(sections);
    while !reader.is_empty() {
        let kind = reader.u8()?;
        let body = reader.string()?;
        match kind {
            SECTION_CERTIFICATES => parse_certs(body, &mut krl)?,
            SECTION_EXPLICIT_KEY => blob_section(body, &mut krl.keys, None)?,
            SECTION_FINGERPRINT_SHA1 => blob_section(body, &mut krl.sha1s, Some(20))?,
            SECTION_FINGERPRINT_SHA256 => blob_section(body, &mut krl.sha256s, Some(32))?,
            SECTION_SIGNATURE => {
                reader.string()?;
            }
            other => return Err(logged(Reason::InvalidFormat, format!("Unsupported KRL section {other}"))),
        }
    }
    // The list may revoke keys that signed it: those signatures do not count.
    let signed = !signers.is_empty();
    krl.signed_by = signers.into_iter().filter(|key| krl.check(key).is_none()).collect();
    if signed && krl.signed_by.is_empty() {
        return Err(logged(Reason::Revoked, "All keys used to sign KRL were revoked".into()));
    }
    Ok(krl)
}

/// The first pass of krl.c: every signature section (they come last) is checked over the
/// KRL before it; returns the keys that signed.
fn check_signatures(data: &[u8], sections: &[u8]) -> Parsed<Vec<KeyData>> {
    let mut reader = Reader(sections);
    let mut signers: Vec<KeyData> = Vec::new();
    while !reader.is_empty() {
        let kind = reader.u8()?;
        let body = reader.string()?;
        if kind != SECTION_SIGNATURE {
            if !signers.is_empty() {
                return Err(logged(
                    Reason::InvalidFormat,
                    "KRL contains non-signature section after signature".into(),
                ));
            }
            continue;
        }
        let key = key_from_blob(body).map_err(|_| KrlError::from(Reason::InvalidFormat))?;
        let signed = &data[..data.len() - reader.0.len()];
        let signature = reader.string().map_err(|_| KrlError::from(Reason::InvalidFormat))?;
        verify(&key, signed, signature)?;
        if signers.contains(&key) {
            return Err(logged(Reason::InvalidFormat, "KRL signed more than once with the same key".into()));
        }
        signers.push(key);
    }
    Ok(signers)
}

/// `sshkey_verify` of a KRL signature.
fn verify(key: &KeyData, data: &[u8], signature: &[u8]) -> Parsed<()> {
    let mut reader = signature;
    let signature = <ssh_key::Signature as ssh_key::encoding::Decode>::decode(&mut reader)
        .map_err(|_| KrlError::from(Reason::InvalidFormat))?;
    signature::Verifier::verify(key, data, &signature).map_err(|_| KrlError::from(Reason::BadSignature))
}

/// A certificates section: the CA (empty: every CA), a reserved string, subsections.
fn parse_certs(body: &[u8], krl: &mut Krl) -> Parsed<()> {
    let mut reader = Reader(body);
    let ca_blob = reader.string()?;
    reader.string()?;
    let ca = match ca_blob.is_empty() {
        true => None,
        false => Some(key_from_blob(ca_blob)?),
    };
    while !reader.is_empty() {
        let kind = reader.u8()?;
        let mut sub = Reader(reader.string()?);
        match kind {
            CERT_SERIAL_LIST => {
                while !sub.is_empty() {
                    let serial = sub.u64()?;
                    revoke_serials(krl, ca.as_ref(), serial, serial)?;
                }
            }
            CERT_SERIAL_RANGE => {
                let (lo, hi) = (sub.u64()?, sub.u64()?);
                revoke_serials(krl, ca.as_ref(), lo, hi)?;
            }
            CERT_SERIAL_BITMAP => {
                let offset = sub.u64()?;
                let bitmap = sub.bignum()?;
                revoke_bitmap(krl, ca.as_ref(), offset, bitmap)?;
            }
            CERT_KEY_ID => {
                while !sub.is_empty() {
                    let key_id = sub.cstring()?;
                    krl.revoke_key_id(ca.as_ref(), key_id);
                }
            }
            other => {
                return Err(logged(
                    Reason::InvalidFormat,
                    format!("Unsupported KRL certificate section {other}"),
                ));
            }
        }
        if !sub.is_empty() {
            return Err(logged(
                Reason::InvalidFormat,
                "KRL certificate section contains unparsed data".into(),
            ));
        }
    }
    Ok(())
}

fn revoke_serials(krl: &mut Krl, ca: Option<&KeyData>, lo: u64, hi: u64) -> Parsed<()> {
    krl.revoke_serials(ca, lo, hi).map_err(|_| Reason::InvalidArgument.into())
}

/// A serial bitmap: bit N (counted from the least significant bit of the big-endian
/// number) revokes serial `offset + N`.
fn revoke_bitmap(krl: &mut Krl, ca: Option<&KeyData>, offset: u64, bitmap: &[u8]) -> Parsed<()> {
    // The bits up to the highest one set (leading zero bytes are already gone).
    let nbits = match bitmap.first() {
        Some(&top) => (bitmap.len() as u64 - 1) * 8 + u64::from(8 - top.leading_zeros()),
        None => 0,
    };
    for index in 0..nbits {
        let byte = bitmap[bitmap.len() - 1 - (index / 8) as usize];
        if index > 0 && offset.wrapping_add(index) == 0 {
            return Err(logged(Reason::InvalidFormat, "revoked_certs_from_blob: bitmap wraps u64".into()));
        }
        if byte & (1 << (index % 8)) != 0 {
            let serial = offset.wrapping_add(index);
            revoke_serials(krl, ca, serial, serial)?;
        }
    }
    Ok(())
}

/// A section of strings (keys or digests of `len` bytes).
fn blob_section(
    body: &[u8],
    into: &mut std::collections::BTreeSet<Vec<u8>>,
    len: Option<usize>,
) -> Parsed<()> {
    let mut reader = Reader(body);
    while !reader.is_empty() {
        let blob = reader.string()?;
        if len.is_some_and(|len| len != blob.len()) {
            return Err(logged(Reason::InvalidFormat, "blob_section: bad length".into()));
        }
        into.insert(blob.to_vec());
    }
    Ok(())
}

/// SSH wire values appended to a byte vector.
trait Put {
    fn put_u64(&mut self, value: u64);
    fn put_string(&mut self, bytes: &[u8]);
}

impl Put for Vec<u8> {
    fn put_u64(&mut self, value: u64) {
        self.extend_from_slice(&value.to_be_bytes());
    }

    fn put_string(&mut self, bytes: &[u8]) {
        self.extend_from_slice(&(bytes.len() as u32).to_be_bytes());
        self.extend_from_slice(bytes);
    }
}

/// Writes a KRL as `ssh_krl_to_blob` writes it (unsigned), stamped `generated` (seconds
/// since 1970) when it has no date yet.
pub fn encode(krl: &Krl, now: u64) -> Vec<u8> {
    let mut out = MAGIC.to_vec();
    out.extend_from_slice(&FORMAT_VERSION.to_be_bytes());
    out.put_u64(krl.version);
    out.put_u64(if krl.generated == 0 { now } else { krl.generated });
    out.put_u64(krl.flags);
    out.put_string(b"");
    out.put_string(&krl.comment);
    for certs in &krl.certs {
        out.push(SECTION_CERTIFICATES);
        out.put_string(&certs_section(certs));
    }
    for (kind, set) in [
        (SECTION_EXPLICIT_KEY, &krl.keys),
        (SECTION_FINGERPRINT_SHA1, &krl.sha1s),
        (SECTION_FINGERPRINT_SHA256, &krl.sha256s),
    ] {
        let mut section = Vec::new();
        for blob in set {
            section.put_string(blob);
        }
        if !section.is_empty() {
            out.push(kind);
            out.put_string(&section);
        }
    }
    out
}

/// One CA's section: its key (or nothing), a reserved string, the serials, the key IDs.
fn certs_section(certs: &RevokedCerts) -> Vec<u8> {
    let mut out = Vec::new();
    out.put_string(certs.ca.as_ref().map_or(&[][..], |ca: &Ca| &ca.blob));
    out.put_string(b"");
    let ranges: Vec<(u64, u64)> = certs.serials.ranges().collect();
    SerialWriter::default().write(&ranges, &mut out);
    let mut ids = Vec::new();
    for id in &certs.key_ids {
        ids.put_string(id);
    }
    if !ids.is_empty() {
        out.push(CERT_KEY_ID);
        out.put_string(&ids);
    }
    out
}

/// krl.c's `revoked_certs_generate` state machine: each run of serials goes into the
/// section type its cost estimate picks, and a section ends when the type changes.
#[derive(Default)]
struct SerialWriter {
    state: u8,
    section: Vec<u8>,
    bitmap: Vec<u8>,
    bitmap_start: u64,
}

impl SerialWriter {
    fn write(mut self, ranges: &[(u64, u64)], out: &mut Vec<u8>) {
        let mut last = 0;
        for (i, &(lo, hi)) in ranges.iter().enumerate() {
            let next = ranges.get(i + 1);
            let gap = next.map_or(0, |&(next_lo, _)| next_lo - hi);
            let contig = 1 + (hi - lo);
            let last_gap = if self.state == 0 { 0 } else { lo.wrapping_sub(last) };
            let (next_state, restart) = choose_next_state(self.state, contig, next.is_none(), last_gap, gap);
            if self.state != 0 && (restart || next_state != self.state || self.state == CERT_SERIAL_RANGE) {
                self.flush(out);
            }
            if next_state != self.state || restart {
                self.start(next_state, lo);
            }
            match self.state {
                CERT_SERIAL_LIST => {
                    for serial in lo..=hi {
                        self.section.put_u64(serial);
                    }
                }
                CERT_SERIAL_RANGE => {
                    self.section.put_u64(lo);
                    self.section.put_u64(hi);
                }
                _ => {
                    for serial in lo..=hi {
                        self.set_bit(serial - self.bitmap_start);
                    }
                }
            }
            last = hi;
        }
        if self.state != 0 {
            self.flush(out);
        }
    }

    fn start(&mut self, state: u8, lo: u64) {
        self.state = state;
        self.section.clear();
        if state == CERT_SERIAL_BITMAP {
            self.bitmap.clear();
            self.bitmap_start = lo;
            self.section.put_u64(lo);
        }
    }

    /// Bits are kept least significant byte first; written as a big-endian mpint.
    fn set_bit(&mut self, index: u64) {
        // The cost estimate only picks a bitmap for short runs and gaps; krl.c's bitmap
        // refuses more bits than this too.
        if index >= MAX_BITMAP_BITS {
            return;
        }
        let byte = (index / 8) as usize;
        if self.bitmap.len() <= byte {
            self.bitmap.resize(byte + 1, 0);
        }
        self.bitmap[byte] |= 1 << (index % 8);
    }

    fn flush(&mut self, out: &mut Vec<u8>) {
        if self.state == CERT_SERIAL_BITMAP {
            let mut magnitude: Vec<u8> = self.bitmap.iter().rev().copied().skip_while(|&b| b == 0).collect();
            if magnitude.first().is_some_and(|&b| b & 0x80 != 0) {
                magnitude.insert(0, 0);
            }
            self.section.put_string(&magnitude);
        }
        out.push(self.state);
        out.put_string(&self.section);
        self.section.clear();
    }
}

/// krl.c's `choose_next_state`: the section type that stores the next run of `contig`
/// serials in the fewest bytes, given the gap since the last run and to the next one;
/// and whether a new bitmap section should start.
fn choose_next_state(current: u8, contig: u64, last: bool, last_gap: u64, next_gap: u64) -> (u8, bool) {
    let contig = contig.min(1 << 31);
    let last_gap = last_gap.min(1 << 31);
    let next_gap = next_gap.min(1 << 31);
    // The cost of switching to each type from the current one (a range section holds
    // one range, so it always costs its type byte).
    let (mut list, mut bitmap, mut restart, mut range) = match current {
        CERT_SERIAL_LIST => (0u64, 8 + 64, 8 + 64, 8u64),
        CERT_SERIAL_BITMAP => (8, 0, 8 + 64, 8),
        _ => (8, 8 + 64, 8 + 64, 8),
    };
    let tail = |cost: u64| if last { 0 } else { cost };
    list += 64 * contig + tail(8 + 64);
    range += 2 * 64 + tail(8 + 64);
    bitmap += last_gap + contig + tail(next_gap.min(8 + 64));
    restart += contig + tail(next_gap.min(8 + 64));
    let bytes = |bits: u64| bits.div_ceil(8);
    let (list, bitmap, restart, range) = (bytes(list), bytes(bitmap), bytes(restart), bytes(range));
    let (mut state, mut cost, mut force) = (CERT_SERIAL_BITMAP, bitmap, false);
    if range < cost {
        state = CERT_SERIAL_RANGE;
        cost = range;
    }
    if list < cost {
        state = CERT_SERIAL_LIST;
        cost = list;
    }
    if restart < cost {
        state = CERT_SERIAL_BITMAP;
        force = true;
    }
    (state, force)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_written_list_reads_back_the_same() {
        let mut krl = Krl::new();
        krl.version = 7;
        krl.comment = b"test".to_vec();
        for serial in [1, 2, 3, 5, 9, 100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 1000, 5000] {
            krl.revoke_serials(None, serial, serial).unwrap();
        }
        krl.revoke_serials(None, 10_000, 20_000).unwrap();
        krl.revoke_key_id(None, b"alice");
        krl.revoke_sha256(&[7; 32]);
        krl.revoke_sha1(&[9; 20]);
        let data = encode(&krl, 1234);
        let mut back = decode(&data).unwrap();
        assert_eq!(back.generated, 1234);
        back.generated = 0;
        assert_eq!(back, krl);
        assert_eq!(encode(&back, 1234), data);
    }

    #[test]
    fn truncated_and_damaged_lists_are_refused() {
        let mut krl = Krl::new();
        krl.revoke_serials(None, 1, 1).unwrap();
        let data = encode(&krl, 1);
        // The header alone (44 bytes with no comment) is an empty list.
        let header = encode(&Krl::new(), 1).len();
        assert_eq!(decode(&data[..header]).unwrap(), Krl { generated: 1, ..Krl::new() });
        for cut in (0..data.len()).filter(|&cut| cut != header) {
            assert!(decode(&data[..cut]).is_err(), "{cut}");
        }
        assert_eq!(decode(b"nope").unwrap_err().reason, Reason::BadMagic);
    }
}
