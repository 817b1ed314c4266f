//! POSIX sh quoting: for the shell transport's commands, and for the command lines our
//! hints show the user.

/// Quotes a string for POSIX sh.
pub fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "'\\''"))
}

/// `text` as one sh word for a command line shown to the user: quoted only when needed
/// (`[host]:port` is a glob pattern to the shell).
pub fn shell_word(text: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "@%+=:,./_-".contains(c);
    match !text.is_empty() && text.chars().all(plain) {
        true => text.to_string(),
        false => quote(text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        assert_eq!(quote("a b"), "'a b'");
        assert_eq!(quote("it's"), "'it'\\''s'");
        assert_eq!(shell_word("web-1.example.com"), "web-1.example.com");
        assert_eq!(shell_word("/home/me/.ssh/known_hosts"), "/home/me/.ssh/known_hosts");
        assert_eq!(shell_word("[127.0.0.1]:2222"), "'[127.0.0.1]:2222'");
        assert_eq!(shell_word(""), "''");
    }
}
