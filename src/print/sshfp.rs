//! `keywright sshfp` as text: ssh-keygen -r's zone file lines (with -g, RFC 3597's
//! generic form: `TYPE44 \# LENGTH ALGORITHM DIGEST-TYPE DIGEST`).

use std::io;

use super::{Render, Text};
use crate::report::sshfp::Sshfp;

impl Render for Sshfp {
    fn text(&self, out: &mut Text<'_>) -> io::Result<()> {
        for record in &self.records {
            match self.generic {
                true => out.write(format_args!(
                    "{} IN TYPE44 \\# {} {:02x} {:02x} {}\n",
                    self.host,
                    2 + record.fingerprint.len() / 2,
                    record.algorithm,
                    record.digest_type,
                    record.fingerprint
                ))?,
                false => out.write(format_args!(
                    "{} IN SSHFP {} {} {}\n",
                    self.host, record.algorithm, record.digest_type, record.fingerprint
                ))?,
            }
        }
        Ok(())
    }
}
