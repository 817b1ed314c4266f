//! The text form of a signature file: `-----BEGIN SSH SIGNATURE-----`, the SSHSIG blob in
//! base64 broken into lines of 70 characters, `-----END SSH SIGNATURE-----`
//! (PROTOCOL.sshsig "Armored format"). Written byte for byte as `ssh-keygen -Y sign`
//! writes it and read as leniently as sshsig.c's `sshsig_dearmor` reads it: the header
//! must start the file, the footer must start a line, and blanks in the base64 are skipped.

use super::SignatureProblem;

const BEGIN: &[u8] = b"-----BEGIN SSH SIGNATURE-----\n";
const END: &[u8] = b"-----END SSH SIGNATURE-----";
/// ssh-keygen's line width (`sshbuf_dtob64` with line breaks).
const WIDTH: usize = 70;

/// The armoured text of an SSHSIG blob, ending in a newline.
pub fn armor(blob: &[u8]) -> String {
    let base64 = data_encoding::BASE64.encode(blob);
    let mut text = String::with_capacity(base64.len() + base64.len() / WIDTH + 64);
    text.push_str("-----BEGIN SSH SIGNATURE-----\n");
    for line in base64.as_bytes().chunks(WIDTH) {
        // Base64 is ASCII.
        text.push_str(&String::from_utf8_lossy(line));
        text.push('\n');
    }
    text.push_str("-----END SSH SIGNATURE-----\n");
    text
}

/// The SSHSIG blob in armoured text.
///
/// # Errors
/// The header or footer is missing, or the base64 between them is not base64.
pub fn dearmor(text: &[u8]) -> Result<Vec<u8>, SignatureProblem> {
    let body = text.strip_prefix(BEGIN).ok_or(SignatureProblem::MissingHeader)?;
    let footer = memchr::memmem::find(body, &[b"\n", END].concat()).ok_or(SignatureProblem::MissingFooter)?;
    // sshbuf_dup_string refuses a NUL before the end; b64_pton skips white space.
    let base64 = &body[..footer];
    let base64 = base64.strip_suffix(b"\0").unwrap_or(base64);
    if base64.contains(&0) {
        return Err(SignatureProblem::NotBase64);
    }
    crate::key::text::decode_base64(base64).ok_or(SignatureProblem::NotBase64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_openssh_line_width() {
        let blob: Vec<u8> = (0..=255).collect();
        let text = armor(&blob);
        assert!(text.lines().skip(1).all(|line| line.len() <= WIDTH || line.starts_with("-----")));
        assert_eq!(text.lines().nth(1).map(str::len), Some(WIDTH));
        assert_eq!(dearmor(text.as_bytes()), Ok(blob));
    }

    #[test]
    fn refuses_what_sshsig_dearmor_refuses() {
        assert_eq!(
            dearmor(b" -----BEGIN SSH SIGNATURE-----\nQQ==\n-----END SSH SIGNATURE-----\n"),
            Err(SignatureProblem::MissingHeader)
        );
        assert_eq!(dearmor(b"-----BEGIN SSH SIGNATURE-----\nQQ==\n"), Err(SignatureProblem::MissingFooter));
        assert_eq!(
            dearmor(b"-----BEGIN SSH SIGNATURE-----\nQ!==\n-----END SSH SIGNATURE-----"),
            Err(SignatureProblem::NotBase64)
        );
        assert_eq!(
            dearmor(b"-----BEGIN SSH SIGNATURE-----\nQ Q\n= =\n-----END SSH SIGNATURE-----"),
            Ok(b"A".to_vec())
        );
    }
}
