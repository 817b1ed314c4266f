//! `keywright cert sign` and `cert show` as text: ssh-keygen -s's `Signed … key` lines
//! and ssh-keygen -L's layout, byte for byte (what came from a certificate escaped as
//! OpenSSH escapes untrusted text; ssh-keygen prints it raw).

use std::io;

use super::{Render, Text};
use crate::cert::show::{CertView, ShownOption, option_suffix, validity_text};
use crate::report::cert::{Issued, IssuedCert, Shown};

impl Render for Issued {
    fn text(&self, out: &mut Text<'_>) -> io::Result<()> {
        if out.quiet() {
            return Ok(());
        }
        for cert in &self.certificates {
            out.write(signed_line(cert))?;
            out.write("\n")?;
        }
        Ok(())
    }
}

/// ssh-keygen's line for a certificate issued (without its end of line).
pub fn signed_line(cert: &IssuedCert) -> String {
    let principals = match &cert.principals {
        Some(names) => format!(" for {}", names.join(",")),
        None => String::new(),
    };
    format!(
        "Signed {} key {}: id \"{}\" serial {}{} valid {}",
        if cert.host { "host" } else { "user" },
        cert.certificate.display(),
        cert.key_id,
        cert.serial,
        principals,
        validity_text(&cert.validity)
    )
}

impl Render for Shown {
    fn text(&self, out: &mut Text<'_>) -> io::Result<()> {
        for cert in &self.certificates {
            match cert.numbered {
                true => out.untrusted(format!("{}:{}:\n", cert.file, cert.line).as_bytes())?,
                false => out.untrusted(format!("{}:\n", cert.file).as_bytes())?,
            }
            view(&cert.view, out)?;
        }
        Ok(())
    }
}

/// ssh-keygen's `print_cert`.
fn view(cert: &CertView, out: &mut Text<'_>) -> io::Result<()> {
    out.write(format_args!("        Type: {} {} certificate\n", cert.key_type, cert.cert_type))?;
    out.write(format_args!(
        "        Public key: {} {}\n",
        cert.public_key_type, cert.public_key_fingerprint
    ))?;
    out.write(format_args!(
        "        Signing CA: {} {} (using {})\n",
        cert.ca_type, cert.ca_fingerprint, cert.signature_algorithm
    ))?;
    out.write("        Key ID: \"")?;
    out.untrusted(cert.key_id.as_bytes())?;
    out.write(format_args!("\"\n        Serial: {}\n", cert.serial))?;
    out.write(format_args!("        Valid: {}\n", validity_text(&cert.validity)))?;
    out.write("        Principals: ")?;
    match cert.principals.is_empty() {
        true => out.write("(none)\n")?,
        false => {
            for name in &cert.principals {
                out.write("\n                ")?;
                out.untrusted(name.as_bytes())?;
            }
            out.write("\n")?;
        }
    }
    options(out, "Critical Options", &cert.critical_options)?;
    options(out, "Extensions", &cert.extensions)
}

fn options(out: &mut Text<'_>, title: &str, options: &[ShownOption]) -> io::Result<()> {
    out.write(format_args!("        {title}: "))?;
    if options.is_empty() {
        return out.write("(none)\n");
    }
    out.write("\n")?;
    for option in options {
        out.write("                ")?;
        out.untrusted(format!("{}{}", option.name, option_suffix(option)).as_bytes())?;
        out.write("\n")?;
    }
    Ok(())
}
