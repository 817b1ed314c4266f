//! What ssh-keygen writes on stderr: its log lines (each ending in `\r\n`, escaped as
//! OpenSSH's log escapes them), its usage text, and the exits that go with them
//! (`fatal`: 255; a usage error: 1).

use std::io::Write;
use std::process::ExitCode;

/// ssh-keygen 9.2's usage text, as it prints it (measured: `ssh-keygen -?`).
pub const USAGE: &str = concat!(
    "usage: ssh-keygen [-q] [-a rounds] [-b bits] [-C comment] [-f output_keyfile]\n",
    "                  [-m format] [-N new_passphrase] [-O option]\n",
    "                  [-t dsa | ecdsa | ecdsa-sk | ed25519 | ed25519-sk | rsa]\n",
    "                  [-w provider] [-Z cipher]\n",
    "       ssh-keygen -p [-a rounds] [-f keyfile] [-m format] [-N new_passphrase]\n",
    "                   [-P old_passphrase] [-Z cipher]\n",
    "       ssh-keygen -i [-f input_keyfile] [-m key_format]\n",
    "       ssh-keygen -e [-f input_keyfile] [-m key_format]\n",
    "       ssh-keygen -y [-f input_keyfile]\n",
    "       ssh-keygen -c [-a rounds] [-C comment] [-f keyfile] [-P passphrase]\n",
    "       ssh-keygen -l [-v] [-E fingerprint_hash] [-f input_keyfile]\n",
    "       ssh-keygen -B [-f input_keyfile]\n",
    "       ssh-keygen -D pkcs11\n",
    "       ssh-keygen -F hostname [-lv] [-f known_hosts_file]\n",
    "       ssh-keygen -H [-f known_hosts_file]\n",
    "       ssh-keygen -K [-a rounds] [-w provider]\n",
    "       ssh-keygen -R hostname [-f known_hosts_file]\n",
    "       ssh-keygen -r hostname [-g] [-f input_keyfile]\n",
    "       ssh-keygen -M generate [-O option] output_file\n",
    "       ssh-keygen -M screen [-f input_file] [-O option] output_file\n",
    "       ssh-keygen -I certificate_identity -s ca_key [-hU] [-D pkcs11_provider]\n",
    "                  [-n principals] [-O option] [-V validity_interval]\n",
    "                  [-z serial_number] file ...\n",
    "       ssh-keygen -L [-f input_keyfile]\n",
    "       ssh-keygen -A [-a rounds] [-f prefix_path]\n",
    "       ssh-keygen -k -f krl_file [-u] [-s ca_public] [-z version_number]\n",
    "                  file ...\n",
    "       ssh-keygen -Q [-l] -f krl_file [file ...]\n",
    "       ssh-keygen -Y find-principals -s signature_file -f allowed_signers_file\n",
    "       ssh-keygen -Y match-principals -I signer_identity -f allowed_signers_file\n",
    "       ssh-keygen -Y check-novalidate -n namespace -s signature_file\n",
    "       ssh-keygen -Y sign -f key_file -n namespace file [-O option] ...\n",
    "       ssh-keygen -Y verify -f allowed_signers_file -I signer_identity\n",
    "                  -n namespace -s signature_file [-r krl_file] [-O option]\n",
);

/// Writes one log line on stderr, as ssh-keygen's `logit`/`error` do.
pub fn line(message: &str) {
    line_bytes(message.as_bytes());
}

/// [`line`] for a message holding bytes from a file or the command line.
pub fn line_bytes(message: &[u8]) {
    let _ = std::io::stdout().flush();
    let _ = std::io::stderr().lock().write_all(&crate::sanitize::openssh_log(message));
}

/// ssh-keygen's `fatal`: the message, then exit 255.
pub fn fatal(message: &str) -> ExitCode {
    line(message);
    ExitCode::from(255)
}

/// ssh-keygen's `usage()` after an optional message: exit 1.
pub fn usage(message: Option<&str>) -> ExitCode {
    if let Some(message) = message {
        line(message);
    }
    let _ = std::io::stderr().lock().write_all(USAGE.as_bytes());
    ExitCode::from(1)
}
