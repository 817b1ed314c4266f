use std::path::PathBuf;

use clap::Args;

use super::examples;
use super::fingerprint::OutputFormat;

/// Verify an SSH signature against allowed signers (ssh-keygen -Y verify)
#[derive(Debug, Args)]
#[command(
    long_about = "Check that SIG is a good signature of FILE (standard input when FILE is - or \
                  missing) for NAMESPACE, made by PRINCIPAL with a key the allowed_signers file \
                  lists for PRINCIPAL (or by a certificate of a CA listed with cert-authority), \
                  valid at the verify time (now, or --verify-time), and not in the revocation \
                  file. On success prints ssh-keygen's line, Good \"NAMESPACE\" signature for \
                  PRINCIPAL with TYPE key FINGERPRINT, which git reads. Otherwise says why, and \
                  why each allowed_signers line that names PRINCIPAL did not admit the key. \
                  --no-validate checks the signature alone (ssh-keygen -Y check-novalidate). \
                  Exit status 0 when good, 1 when not, 2 on errors (an unreadable file, a \
                  damaged signature).",
    after_help = examples::render(examples::VERIFY)
)]
pub struct VerifyArgs {
    /// The allowed_signers file (ssh-keygen(1) ALLOWED SIGNERS)
    #[arg(
        short = 'f',
        long = "signers",
        value_name = "ALLOWED_SIGNERS",
        required_unless_present = "no_validate"
    )]
    pub signers: Option<PathBuf>,

    /// Who must have signed, as allowed_signers names them (alice@example.com)
    #[arg(short = 'I', long, value_name = "PRINCIPAL", required_unless_present = "no_validate")]
    pub principal: Option<String>,

    /// The namespace the signature must be for
    #[arg(short = 'n', long, value_name = "NAMESPACE", value_parser = clap::builder::NonEmptyStringValueParser::new())]
    pub namespace: String,

    /// The signature file
    #[arg(short = 's', long, value_name = "SIG")]
    pub signature: PathBuf,

    /// Revoked keys: a key revocation list (KRL) or public keys, one a line
    #[arg(short = 'r', long, value_name = "FILE")]
    pub revoked: Option<PathBuf>,

    /// Check validity at this time, not now: YYYYMMDD[HHMM[SS]], local time unless it ends in Z
    #[arg(long, value_name = "TIME")]
    pub verify_time: Option<String>,

    /// Check only that the signature is intact and for NAMESPACE, not who made it
    #[arg(long, conflicts_with_all = ["signers", "principal", "revoked", "verify_time"])]
    pub no_validate: bool,

    /// Output format
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,

    /// The signed data [default: standard input]
    #[arg(value_name = "FILE")]
    pub file: Option<PathBuf>,
}
