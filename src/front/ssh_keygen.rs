//! keywright as `ssh-keygen`: OpenSSH 9.2's command line (its getopt grammar, which
//! operation a combination of flags selects, its checks in its order) over the same
//! commands as the native command line, their reports rendered in ssh-keygen's exact
//! lines, messages and exit statuses (0, 1 for a usage error or a clean no, 255 for
//! `fatal`). Questions are asked as ssh-keygen asks them ([`Dialog::OpenSsh`]).
//!
//! Covered (issue 12): `-t -b -C -f -N -P -a -q -l -E -v -y -p -c -F -R -H`, with `-o` (a
//! no-op in 9.2) and `-O`; and `-Y sign|verify|find-principals|match-principals|
//! check-novalidate` with `-f -n -s -I -r -U -O -q` ([`sig`]); and (issue 13) `-A [-f
//! PREFIX]`, `-r HOST [-g] [-f KEY]` and `-B` ([`host`], [`fingerprint`]), `-e`, `-i`
//! (and `-X`, its 9.2 synonym) with `-m RFC4716|PKCS8|PEM`, and `-m` for `-p` and key
//! generation ([`convert`]); and (issue 14) certificates, `-s CA -I ID [-h] [-n
//! PRINCIPALS] [-V VALIDITY] [-z SERIAL] [-O OPTION] [-U] [-t ALG] FILE…` and `-L [-f
//! FILE]` ([`cert`]), and key revocation lists, `-k [-u] -f KRL [-s CA] [-z VERSION]
//! SPEC…` and `-Q [-l] -f KRL FILE…` ([`krl`]). Every other letter is refused by name
//! with ssh-keygen's usage ([`flags::LETTERS`]).
//!
//! Deliberate differences, each safer than 9.2: a private key that is overwritten ends up
//! 0600 (ssh-keygen keeps an existing file's mode); known_hosts rewrites go through a
//! symlink to its target and keep the file's mode exactly (ssh-keygen replaces the link
//! and masks the mode with 0644); RSA keys under 2048 bits and DSA keys are not made;
//! the home directory is `$HOME` (ssh-keygen reads the password database).

use std::ffi::OsString;
use std::process::ExitCode;

use crate::context::{Context, Dialog};

mod cert;
mod convert;
mod errors;
mod fingerprint;
pub mod flags;
mod host;
mod keys;
mod known_hosts;
mod krl;
pub mod log;
mod sig;

use flags::Flags;

/// Runs ssh-keygen's command line (without the program name).
pub fn main(args: Vec<OsString>) -> ExitCode {
    crate::secret::harden_process();
    // The arguments before ours: the program name, and `ssh-keygen` after `keywright`.
    let skip = std::env::args_os().count().saturating_sub(args.len());
    crate::secret::argv::hide_front_secrets(skip, flags::OPTSTRING, b"NP");
    let flags = match flags::parse(&args) {
        Ok(flags) => flags,
        Err(exit) => return exit,
    };
    let ctx = Context::from_env(false).with_dialog(Dialog::OpenSsh);
    run(&ctx, &flags)
}

/// The operation the flags select, in ssh-keygen's order of precedence, after its
/// checks of the combination.
fn run(ctx: &Context, flags: &Flags) -> ExitCode {
    // -Y is looked at first, before any check of the other flags (as 9.2 does).
    if let Some(op) = &flags.sign_op {
        return sig::run(ctx, flags, op);
    }
    // Checked as 9.2 checks them: -s (a CA to sign with, or -k's CA) needs a file, and
    // only -k and -Q take operands otherwise.
    let krl = flags.gen_krl || flags.check_krl;
    if flags.signature.is_some() {
        if flags.operands.is_empty() && !flags.gen_krl {
            return log::usage(Some("Too few arguments."));
        }
    } else if !flags.operands.is_empty() && !krl {
        return log::usage(Some("Too many arguments."));
    }
    if flags.change_passphrase && flags.change_comment {
        return log::usage(Some("Can only have one of -p and -c."));
    }
    if flags.fingerprint && (flags.delete_host || flags.hash_hosts) {
        return log::usage(Some("Cannot use -l with -H or -R."));
    }
    if flags.gen_krl {
        return krl::generate(ctx, flags);
    }
    if flags.check_krl {
        return krl::check(ctx, flags);
    }
    if flags.signature.is_some() {
        return cert::sign(ctx, flags);
    }
    if flags.show_cert {
        return cert::show(ctx, flags);
    }
    if flags.delete_host || flags.hash_hosts || flags.find_host {
        return known_hosts::run(ctx, flags);
    }
    if flags.fingerprint || flags.bubblebabble {
        return fingerprint::run(ctx, flags);
    }
    if flags.change_passphrase {
        return keys::change_passphrase(ctx, flags);
    }
    if flags.change_comment {
        return keys::change_comment(ctx, flags);
    }
    if flags.export {
        return convert::export(ctx, flags);
    }
    if flags.import {
        return convert::import(ctx, flags);
    }
    if flags.print_public {
        return keys::print_public(ctx, flags);
    }
    if let Some(host) = &flags.revocation {
        return host::sshfp(ctx, flags, host.as_os_str());
    }
    if flags.host_keys {
        return host::generate_all(ctx, flags);
    }
    keys::generate(ctx, flags)
}

/// The exit status of a report's status, as ssh-keygen exits.
fn exit(status: crate::report::Status) -> ExitCode {
    match status {
        crate::report::Status::Success => ExitCode::SUCCESS,
        crate::report::Status::Negative => ExitCode::from(1),
        crate::report::Status::Failed => ExitCode::from(255),
    }
}
