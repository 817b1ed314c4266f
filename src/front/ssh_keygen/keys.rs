//! ssh-keygen's key operations through the native commands: generation, `-y`, `-p` and
//! `-c`, with its prompts, lines and exits.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use ssh_key::Cipher;
use zeroize::Zeroizing;

use super::errors::{self, reason};
use super::flags::Flags;
use super::log;
use crate::commands::comment::{self, CommentRequest, CommentText};
use crate::commands::generate::{self, GenerateRequest};
use crate::commands::passphrase::{self, PassphraseRequest};
use crate::commands::public::{self, PublicRequest};
use crate::context::Context;
use crate::error::Error;
use crate::key::private::DEFAULT_ROUNDS;
use crate::key::{KeySpec, KeyType};
use crate::print::Printer;
use crate::report::Report;
use crate::report::generate::{Generated, Generating};
use crate::secret::{Secret, Source, openssh};

/// ssh-keygen's type when `-t` is not given (9.2 built with OpenSSL; 9.5 made it ed25519).
const DEFAULT_TYPE: &str = "rsa";

/// What ssh-keygen 9.2 makes of a `-t` name.
enum TypeName {
    /// A type keywright makes, with the size the name implies (`ecdsa-sha2-nistp384`).
    Known(KeyType, Option<u32>),
    /// A type ssh-keygen makes and this front does not: what it is, and its default file.
    NotMade(&'static str, &'static str),
    /// No type ssh-keygen knows.
    Unknown,
}

const DSA: &str = "DSA keys, which are obsolete";
const FIDO: &str = "FIDO authenticator keys";

/// `sshkey_type_from_name`: a full name exactly, or a plain type's short name in any case.
fn type_name(name: &str) -> TypeName {
    match name {
        "ssh-ed25519" => return TypeName::Known(KeyType::Ed25519, None),
        "ssh-rsa" | "rsa-sha2-256" | "rsa-sha2-512" => return TypeName::Known(KeyType::Rsa, None),
        "ecdsa-sha2-nistp256" => return TypeName::Known(KeyType::Ecdsa, Some(256)),
        "ecdsa-sha2-nistp384" => return TypeName::Known(KeyType::Ecdsa, Some(384)),
        "ecdsa-sha2-nistp521" => return TypeName::Known(KeyType::Ecdsa, Some(521)),
        "ssh-dss" => return TypeName::NotMade(DSA, "id_dsa"),
        "sk-ecdsa-sha2-nistp256@openssh.com" => return TypeName::NotMade(FIDO, "id_ecdsa_sk"),
        "sk-ssh-ed25519@openssh.com" => return TypeName::NotMade(FIDO, "id_ed25519_sk"),
        _ => {}
    }
    match name.to_ascii_lowercase().as_str() {
        "ed25519" => TypeName::Known(KeyType::Ed25519, None),
        "rsa" => TypeName::Known(KeyType::Rsa, None),
        "ecdsa" => TypeName::Known(KeyType::Ecdsa, None),
        "dsa" => TypeName::NotMade(DSA, "id_dsa"),
        "ecdsa-sk" => TypeName::NotMade(FIDO, "id_ecdsa_sk"),
        "ed25519-sk" => TypeName::NotMade(FIDO, "id_ed25519_sk"),
        _ => TypeName::Unknown,
    }
}

/// The default file of a key type, in `~/.ssh` (ssh-keygen's `ask_filename`).
fn default_file(ctx: &Context, flags: &Flags) -> PathBuf {
    let name = match flags.key_type.as_deref().map(type_name) {
        Some(TypeName::Known(KeyType::Ed25519, _)) => "id_ed25519",
        Some(TypeName::Known(KeyType::Ecdsa, _)) => "id_ecdsa",
        Some(TypeName::NotMade(_, file)) => file,
        _ => "id_rsa",
    };
    ctx.ssh_dir().join(name)
}

/// `-f`, or the answer to ssh-keygen's question for it (the default when empty). `Err`
/// is the exit when standard input ends first (1, as ssh-keygen).
pub(super) fn file_or_ask(ctx: &Context, flags: &Flags, question: &str) -> Result<PathBuf, ExitCode> {
    if let Some(file) = &flags.file {
        return Ok(file.clone());
    }
    let default = default_file(ctx, flags);
    let prompt = format!("{question} ({}): ", default.display());
    match openssh::ask(&prompt, 1024) {
        Ok(Some(answer)) if !answer.is_empty() => {
            Ok(PathBuf::from(<std::ffi::OsString as std::os::unix::ffi::OsStringExt>::from_vec(answer)))
        }
        Ok(Some(_)) => Ok(default),
        Ok(None) | Err(_) => Err(ExitCode::from(1)),
    }
}

pub(super) fn given(secret: &Zeroizing<String>) -> Source {
    Source::Given(Secret::new(secret.to_string()))
}

/// A new key (ssh-keygen without an operation flag).
pub fn generate(ctx: &Context, flags: &Flags) -> ExitCode {
    let name = flags.key_type.clone().unwrap_or_else(|| DEFAULT_TYPE.to_string());
    let (key_type, implied_bits) = match type_name(&name) {
        TypeName::Known(key_type, bits) => (key_type, bits),
        TypeName::NotMade(what, _) => {
            let message = format!("-t {name}: keywright's ssh-keygen does not make {what}");
            return log::usage(Some(&message));
        }
        TypeName::Unknown => return log::fatal(&format!("unknown key type {name}")),
    };
    let bits = flags.bits.or(implied_bits);
    if let Err(error) = KeySpec::new(key_type, bits) {
        return log::fatal(&bad_size(&error));
    }
    let printer = Printer::openssh(ctx, flags.quiet);
    if printer.report(&Generating { key_type: name }).is_err() {
        return ExitCode::SUCCESS;
    }
    let path = match file_or_ask(ctx, flags, "Enter file in which to save the key") {
        Ok(path) => path,
        Err(exit) => return exit,
    };
    // ssh-keygen takes -P before -N for a new key's passphrase.
    let passphrase =
        flags.passphrase.as_ref().or(flags.new_passphrase.as_ref()).map_or(Source::Prompt, given);
    let request = GenerateRequest {
        key_type,
        bits,
        comment: flags.comment.as_ref().map(|c| c.to_string_lossy().into_owned()),
        file: Some(path.clone()),
        rounds: flags.rounds.unwrap_or(DEFAULT_ROUNDS),
        passphrase: Some(passphrase),
        force: false,
        format: flags.private_format,
        announce: false,
    };
    match generate::execute(ctx, &printer, request) {
        Ok(Generated::Declined) => ExitCode::from(1),
        Ok(saved) => {
            // A closed stdout after the key is saved changes nothing.
            let _ = printer.report(&saved);
            ExitCode::SUCCESS
        }
        Err(error) if errors::is_write_failure(&error, true) => {
            log::line(&format!("Saving key \"{}\" failed: {}", path.display(), reason(&error)));
            ExitCode::from(1)
        }
        Err(error) => log::fatal(&reason(&error)),
    }
}

/// ssh-keygen's words for a size it refuses (keywright's floor for RSA is 2048 bits).
fn bad_size(error: &Error) -> String {
    match error {
        Error::RsaTooWeak { bits, .. } if *bits < 1024 => {
            "Invalid RSA key length: minimum is 1024 bits".into()
        }
        Error::RsaTooWeak { min, .. } => format!("Invalid RSA key length: keywright's minimum is {min} bits"),
        Error::RsaTooLarge { max, .. } => format!("Invalid RSA key length: maximum is {max} bits"),
        Error::NoSuchEcdsaSize { .. } => {
            "Invalid ECDSA key length: valid lengths are 256, 384 or 521 bits".into()
        }
        other => other.to_string(),
    }
}

/// Runs a key operation on an existing key, failing as ssh-keygen does: the file is
/// stat'ed first (`PATH: REASON`), a load failure is `fatal` in the operation's words.
fn existing_key(
    ctx: &Context,
    flags: &Flags,
    load_failed: impl Fn(&Path) -> String,
    operation: impl FnOnce(&Printer, PathBuf) -> anyhow::Result<ExitCode>,
) -> ExitCode {
    let path = match file_or_ask(ctx, flags, "Enter file in which the key is") {
        Ok(path) => path,
        Err(exit) => return exit,
    };
    if let Err(exit) = errors::stat(&path) {
        return exit;
    }
    // -p, -c and -y print what they print whatever -q says.
    let printer = Printer::openssh(ctx, false);
    match operation(&printer, path.clone()) {
        Ok(exit) => exit,
        Err(error) if errors::is_mismatch(&error) => ExitCode::from(1),
        Err(error) if errors::is_write_failure(&error, false) => {
            log::line(&format!("Saving key \"{}\" failed: {}", path.display(), reason(&error)));
            ExitCode::from(1)
        }
        Err(error) => {
            errors::warn_if_unprotected(&error);
            log::fatal(&format!("{}: {}", load_failed(&path), reason(&error)))
        }
    }
}

/// `-y`.
pub fn print_public(ctx: &Context, flags: &Flags) -> ExitCode {
    existing_key(
        ctx,
        flags,
        |path| format!("Load key \"{}\"", path.display()),
        |printer, file| {
            let request = PublicRequest {
                file,
                passphrase: flags.passphrase.as_ref().map_or(Source::Prompt, given),
                prompt: "Enter passphrase: ".into(),
                strict: true,
            };
            let key = public::execute(ctx, printer, request)?;
            printer.report(&key)?;
            Ok(ExitCode::SUCCESS)
        },
    )
}

/// `-p`.
pub fn change_passphrase(ctx: &Context, flags: &Flags) -> ExitCode {
    existing_key(
        ctx,
        flags,
        |path| format!("Failed to load key {}", path.display()),
        |printer, file| {
            let request = PassphraseRequest {
                file,
                old: flags.passphrase.as_ref().map_or(Source::Prompt, given),
                new: Some(flags.new_passphrase.as_ref().map_or(Source::Prompt, given)),
                // ssh-keygen writes its defaults, not the key's.
                rounds: Some(flags.rounds.unwrap_or(DEFAULT_ROUNDS)),
                cipher: Some(Cipher::Aes256Ctr),
                strict: true,
                format: Some(flags.private_format),
            };
            let changed = passphrase::execute(ctx, printer, request)?;
            printer.report(&changed)?;
            Ok(ExitCode::SUCCESS)
        },
    )
}

/// `-c`.
pub fn change_comment(ctx: &Context, flags: &Flags) -> ExitCode {
    if let Some(exit) = refuse_comment_format(flags) {
        return exit;
    }
    existing_key(
        ctx,
        flags,
        |path| format!("Cannot load private key \"{}\"", path.display()),
        |printer, file| {
            // ssh-keygen -c unlocks with -P, or failing that -N.
            let secret = flags.passphrase.as_ref().or(flags.new_passphrase.as_ref());
            let request = CommentRequest {
                file,
                comment: match &flags.comment {
                    Some(comment) => CommentText::Given(comment.to_string_lossy().into_owned()),
                    None => CommentText::Ask,
                },
                passphrase: secret.map_or(Source::Prompt, given),
                rounds: Some(flags.rounds.unwrap_or(DEFAULT_ROUNDS)),
                cipher: Some(Cipher::Aes256Ctr),
                strict: true,
            };
            let change = comment::execute(ctx, printer, request)?;
            printer.report(&change)?;
            Ok(super::exit(change.status()))
        },
    )
}

/// ssh-keygen 9.2 keeps comments only in its own format: `-c` with `-m PEM` or `PKCS8`
/// refuses RSA and ECDSA keys (an Ed25519 key is written in OpenSSH's format anyway).
/// ssh-keygen says so after unlocking the key; the type is read here from the key's
/// public half (or its .pub) instead, so an encrypted key is refused without a question.
fn refuse_comment_format(flags: &Flags) -> Option<ExitCode> {
    if flags.private_format == crate::key::PrivateFormat::OpenSsh {
        return None;
    }
    let path = flags.file.as_ref()?;
    let file = crate::key::PrivateKeyFile::read(path).ok()?;
    let key = match file.public_key() {
        Some(key) => key.key_data().clone(),
        None => crate::key::source::pub_beside(path)?.0,
    };
    if matches!(key, ssh_key::public::KeyData::Ed25519(_)) {
        return None;
    }
    log::line("Comments are only supported for keys stored in the new format (-o).");
    Some(ExitCode::from(1))
}
