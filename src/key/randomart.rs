//! OpenSSH's "randomart" (the drunken bishop of `sshkey.c`), drawn from any digest.
//!
//! ssh-key has a renderer, but it draws no MD5 art and does not shorten a title that
//! does not fit the frame as OpenSSH does, so `ssh-keygen -lv` output needs this one.

const WIDTH: usize = 17;
const HEIGHT: usize = 9;
/// Symbols by number of visits; the last two mark the start and the end.
const SYMBOLS: &[u8] = b" .o+=*BOX@%&#/^SE";

/// Draws the randomart box for `digest`, titled `[TYPE BITS]` on top and `[HASH]` below,
/// without a trailing newline.
pub fn randomart(type_name: &str, bits: u32, hash_label: &str, digest: &[u8]) -> String {
    let field = walk(digest);
    let mut art = String::with_capacity((WIDTH + 3) * (HEIGHT + 2));
    border(&mut art, &title(type_name, bits));
    art.push('\n');
    for y in 0..HEIGHT {
        art.push('|');
        for column in &field {
            art.push(SYMBOLS[column[y] as usize] as char);
        }
        art.push_str("|\n");
    }
    border(&mut art, &fit(format!("[{hash_label}]")));
    art
}

/// The bishop starts in the centre; each digest byte gives four diagonal moves, two bits
/// at a time from the least significant, and the walls stop it.
fn walk(digest: &[u8]) -> [[u8; HEIGHT]; WIDTH] {
    let mut field = [[0u8; HEIGHT]; WIDTH];
    let end_mark = (SYMBOLS.len() - 1) as u8;
    let (mut x, mut y) = (WIDTH / 2, HEIGHT / 2);
    for &byte in digest {
        let mut input = byte;
        for _ in 0..4 {
            x = if input & 1 != 0 { (x + 1).min(WIDTH - 1) } else { x.saturating_sub(1) };
            y = if input & 2 != 0 { (y + 1).min(HEIGHT - 1) } else { y.saturating_sub(1) };
            if field[x][y] < end_mark - 2 {
                field[x][y] += 1;
            }
            input >>= 2;
        }
    }
    field[WIDTH / 2][HEIGHT / 2] = end_mark - 1;
    field[x][y] = end_mark;
    field
}

/// `[TYPE BITS]`, or `[TYPE]` when that does not fit the frame, as OpenSSH decides it.
fn title(type_name: &str, bits: u32) -> String {
    let full = format!("[{type_name} {bits}]");
    // OpenSSH formats into a 17-byte buffer and falls back only when the text would
    // have needed more than 17 bytes; text of exactly 17 loses its last character.
    if full.len() > WIDTH { fit(format!("[{type_name}]")) } else { fit(full) }
}

/// What survives of `text` in OpenSSH's 17-byte (16 characters + NUL) buffer.
fn fit(mut text: String) -> String {
    text.truncate(WIDTH - 1);
    text
}

fn border(art: &mut String, label: &str) {
    let left = (WIDTH - label.len()) / 2;
    art.push('+');
    art.push_str(&"-".repeat(left));
    art.push_str(label);
    art.push_str(&"-".repeat(WIDTH - left - label.len()));
    art.push('+');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_fit_as_openssh_fits_them() {
        assert_eq!(title("RSA", 3072), "[RSA 3072]");
        assert_eq!(title("ED25519-CERT", 256), "[ED25519-CERT]");
        assert_eq!(title("ECDSA-SK-CERT", 256), "[ECDSA-SK-CERT]");
        assert_eq!(title("ED25519-SK", 256), "[ED25519-SK 256]");
    }

    #[test]
    fn borders_centre_the_label() {
        let art = randomart("RSA", 3072, "SHA256", &[0u8; 32]);
        let lines: Vec<&str> = art.lines().collect();
        assert_eq!(lines[0], "+---[RSA 3072]----+");
        assert_eq!(lines[10], "+----[SHA256]-----+");
        assert_eq!(lines.len(), 11);
        let md5 = randomart("ED25519", 256, "MD5", &[0u8; 16]);
        assert_eq!(md5.lines().next(), Some("+--[ED25519 256]--+"));
        assert!(md5.ends_with("+------[MD5]------+"));
    }
}
