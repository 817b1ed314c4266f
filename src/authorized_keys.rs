//! authorized_keys files (sshd(8), AUTHORIZED_KEYS FILE FORMAT), as a lossless list of
//! lines and the edits `keywright authorized-keys` makes to them.
//!
//! Lines are read as sshd 9.2 reads them ([`crate::key::scan::authorized_key`]): options
//! (commas and blanks inside double quotes included), any key type OpenSSH knows
//! (certificates and `sk-` keys too), and a comment. A line that holds no key (blank,
//! `#` comment, or something sshd would skip) is kept byte for byte, and so is every key
//! line an edit does not touch: the file a user wrote stays theirs.
//!
//! The edits ([`edit`]) are pure functions from the old contents to the new ones, shared
//! by the local file and the remote one (`remote::install::edit` does the safe writing).

pub mod diff;
pub mod edit;
pub mod line;

pub use edit::{Change, Edit, Edited, Matcher, Wanted};
pub use line::{AuthorizedKeys, KeyLine, Line};
