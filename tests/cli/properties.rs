//! Round trips as properties: any key we generate survives encoding and parsing, with
//! any comment and passphrase.

use keywright::key::private::{Protection, encode, pub_file_contents};
use keywright::key::scan::{Line, Scanner};
use keywright::key::{KeySpec, KeyType, PrivateKeyFile};
use proptest::prelude::*;
use zeroize::Zeroizing;

fn spec() -> impl Strategy<Value = KeySpec> {
    prop_oneof![
        Just(KeySpec::new(KeyType::Ed25519, None).unwrap()),
        Just(KeySpec::new(KeyType::Ecdsa, Some(256)).unwrap()),
        Just(KeySpec::new(KeyType::Ecdsa, Some(384)).unwrap()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// generate → encode → parse → decrypt gives the same key and comment.
    #[test]
    fn private_key_round_trip(spec in spec(), comment in "\\PC{0,40}", passphrase in proptest::option::of("\\PC{1,20}"), rounds in 1u32..3) {
        let key = spec.generate(&comment).unwrap();
        let protection = Protection::new(passphrase.clone().map(Zeroizing::new), Some(rounds));
        let text = encode(&key, &protection).unwrap();
        let file = PrivateKeyFile::parse(std::path::Path::new("k"), text.as_bytes()).unwrap();
        prop_assert_eq!(file.is_encrypted(), passphrase.is_some());
        let public = file.public_key().unwrap();
        prop_assert_eq!(public.key_data(), key.public_key().key_data());
        let back = file.decrypt(passphrase.as_deref()).unwrap();
        prop_assert_eq!(back.key_data(), key.key_data());
        prop_assert_eq!(back.comment().as_str_lossy(), comment.as_str());
        if passphrase.is_some() {
            prop_assert!(file.decrypt(Some("not the passphrase")).is_err());
        }
    }

    /// A .pub line we write is read back with its key and comment by ssh-keygen's rules.
    #[test]
    fn public_line_round_trip(spec in spec(), comment in "[!-\"$-~][ -~]{0,30}") {
        let key = spec.generate(&comment).unwrap();
        let line = pub_file_contents(key.public_key());
        let mut scanner = Scanner::new();
        match scanner.scan(line.strip_suffix(b"\n").unwrap(), true) {
            Line::Key(found) => {
                prop_assert_eq!(&found.key, key.public_key().key_data());
                prop_assert_eq!(found.own_comment, Some(comment.as_bytes()));
            }
            other => prop_assert!(false, "not read back: {:?}", other),
        }
    }
}
