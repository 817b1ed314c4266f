//! ssh-keygen's command line as its getopt reads it (measured on 9.2: OpenSSH's own
//! getopt, which does not permute even on glibc), the checks of a combination, and the
//! usage errors: unknown letters, missing values, bad values, letters this front does
//! not do yet.

use super::super::common::Env;
use super::{compare, keys, run_all};

const PUB: &[&str] = &["id_ed25519"];

#[test]
fn bundles_and_attached_values_read_as_ssh_keygen_reads_them() {
    for args in [
        &["-lf", "id_ed25519.pub"][..],
        &["-lfid_ed25519.pub"],
        &["-lvf", "id_ed25519.pub"],
        &["-l", "-v", "-f", "id_ed25519.pub"],
        &["-vlE", "md5", "-f", "id_ed25519.pub"],
        &["-lEsha512", "-fid_ed25519.pub"],
        &["-l", "-f", "id_ed25519.pub", "--"],
        &["-o", "-l", "-O", "x", "-O", "y", "-f", "id_ed25519.pub"],
        &["-qlf", "id_ed25519.pub"],
    ] {
        compare(&keys(PUB), args, b"");
    }
}

#[test]
fn operands_end_the_options_and_are_too_many() {
    for args in [
        &["-l", "id_ed25519.pub", "-f", "id_ed25519.pub"][..],
        &["-lf", "id_ed25519.pub", "extra"],
        &["-l", "-f", "id_ed25519.pub", "--", "-v"],
        &["-l-", "-f", "id_ed25519.pub"],
        &["-", "-l"],
        // POSIXLY_CORRECT or not, 9.2 never permutes.
        &["extra", "-lf", "id_ed25519.pub"],
    ] {
        compare(&keys(PUB), args, b"");
    }
}

#[test]
fn a_value_is_the_next_argument_whatever_it_looks_like() {
    // -f takes "-l" as the file name; -C takes "--".
    compare(&keys(PUB), &["-y", "-f", "-l"], b"");
    compare(&keys(PUB), &["-c", "-C", "--", "-f", "id_ed25519"], b"");
}

#[test]
fn unknown_letters_and_missing_values_are_usage_errors() {
    for args in [
        &["-j"][..],
        &["-lj", "-f", "x"],
        &["-l-f", "x"],
        &["--version"],
        &["-?"],
        &["-:"],
        &["-f"],
        &["-lF"],
        &["-l", "-E"],
    ] {
        compare(&keys(PUB), args, b"");
    }
}

#[test]
fn bad_values_are_fatal_in_the_order_given() {
    for args in [
        &["-b", "0"][..],
        &["-b", "x", "-j"],
        &["-b", " 99999999999"],
        &["-b", "-1"],
        &["-a", "0"],
        &["-a", "3000000000"],
        &["-a", "4x"],
        &["-E", "foo"],
        &["-E", "SHA1", "-lf", "id_ed25519.pub"],
        &["-E", "sha384", "-lvf", "id_ed25519.pub"],
        &["-E", "md5", "-b", "1", "-j"],
    ] {
        compare(&keys(PUB), args, b"");
    }
}

#[test]
fn combinations_ssh_keygen_refuses() {
    for args in [
        &["-p", "-c", "-f", "id_ed25519"][..],
        &["-l", "-H", "-f", "kh"],
        &["-l", "-R", "host", "-f", "kh"],
        &["-p", "-f", "id_ed25519", "stray"],
    ] {
        compare(&keys(PUB), args, b"");
    }
}

/// Which operation wins when several are asked for: ssh-keygen's order.
#[test]
fn precedence_of_operations() {
    let setup = |env: &Env| {
        keys(PUB)(env);
        env.write("kh", format!("host {}", super::pub_line("id_ed25519")));
    };
    for args in [
        &["-y", "-l", "-f", "id_ed25519"][..],
        &["-p", "-y", "-N", "", "-f", "id_ed25519"],
        &["-F", "host", "-y", "-f", "kh"],
        &["-c", "-y", "-C", "new", "-f", "id_ed25519"],
    ] {
        compare(&setup, args, b"");
    }
}

/// A letter this front does not do yet: one line naming it and the usage, exit 1,
/// never another meaning.
#[test]
fn letters_not_covered_yet_are_refused_by_name() {
    let letters = keywright::front::ssh_keygen::flags::LETTERS;
    let later: Vec<u8> = letters
        .iter()
        .filter(|(_, s)| matches!(s, keywright::front::ssh_keygen::flags::Support::Later(_)))
        .map(|(l, _)| *l)
        .collect();
    assert!(!later.is_empty());
    let usage = run_all(&keys(PUB), &["-j"], b"").oracle_run.stderr;
    let usage = usage.split_once("\r\n").unwrap().1.to_string();
    for letter in later {
        let flag = format!("-{}", letter as char);
        let twins = run_all(&keys(PUB), &[flag.as_str(), "x"], b"");
        for (via, _, run) in &twins.fronts {
            assert_eq!(run.code, 1, "{flag} ({via:?})");
            assert!(run.stdout.is_empty(), "{flag}");
            let (first, rest) = run.stderr.split_once("\r\n").unwrap();
            assert!(
                first.starts_with(&format!("option {flag} ("))
                    && first.ends_with("is not supported by keywright's ssh-keygen yet"),
                "{first}"
            );
            assert_eq!(rest, usage, "{flag}");
        }
    }
}
