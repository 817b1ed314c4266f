//! The integration tests: one binary (linked once), one module per command. Every test
//! runs the real `keywright` binary in a temporary home directory, in batch mode, with
//! the agent and locale variables controlled; OpenSSH's tools are the oracle.

mod cli {
    mod authorized_keys;
    mod bad_inputs;
    mod cert;
    mod comment;
    mod common;
    mod convert;
    mod copy_id;
    mod copy_id_faults;
    mod copy_id_hostcert;
    mod errors;
    mod examples;
    mod faults;
    mod fingerprint;
    mod generate;
    mod git_signing;
    mod host_keys;
    mod hostkey_policy;
    mod json;
    mod known_hosts;
    mod krl;
    mod man;
    mod openssh_corpus;
    mod passphrase;
    mod paths;
    mod properties;
    mod public;
    mod reach;
    mod remote_trust;
    mod secrets;
    mod sign;
    mod signers;
    mod ssh_copy_id;
    mod ssh_keygen;
    mod support;
}
