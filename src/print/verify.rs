//! `keywright verify` as text: ssh-keygen's `Good "NS" signature for P with TYPE key FP`
//! line, which git parses; otherwise why not.

use std::io;

use super::{Render, Text};
use crate::report::verify::Verified;
use crate::sig::verify::Refusal;

impl Render for Verified {
    fn text(&self, out: &mut Text<'_>) -> io::Result<()> {
        let Some(refusal) = &self.refusal else {
            out.write(format_args!("Good \"{}\" signature ", self.namespace))?;
            if let Some(principal) = &self.principal {
                out.write("for ")?;
                out.untrusted(principal.as_bytes())?;
                out.write(" ")?;
            }
            return out.write(format_args!("with {} key {}\n", self.key.key_type, self.key.fingerprint));
        };
        out.write("Could not verify signature: ")?;
        let why = match (refusal, &self.signers_file, &self.principal) {
            (Refusal::Namespace { .. }, _, _) => {
                format!("{refusal}, not \"{}\"", self.namespace.escape_debug())
            }
            (Refusal::NotAllowed, Some(file), Some(principal)) => {
                format!("no line of {} allows this key for {principal}", file.display())
            }
            _ => refusal.to_string(),
        };
        // The namespace comes from the signature file: untrusted text.
        out.untrusted(why.as_bytes())?;
        out.write("\n")
    }
}
