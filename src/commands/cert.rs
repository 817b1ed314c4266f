//! `keywright cert sign|show`: ssh-keygen -s and -L.

use anyhow::Result;

use super::{Status, show};
use crate::cli::cert::{CertArgs, CertCommand};
use crate::context::Context;
use crate::print::Printer;

pub mod show;
pub mod sign;

pub fn run(ctx: &Context, printer: &Printer, args: CertArgs) -> Result<Status> {
    match args.command {
        CertCommand::Sign(args) => show(printer, sign::run(ctx, printer, &args)),
        CertCommand::Show(args) => show(printer, show::run(printer, &args)),
    }
}
