//! `sgpsim report DIR`: redraws a results directory's charts and report
//! from its files, without re-running anything.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use super::{emit, io};
use crate::error::Error;
use crate::report;

#[derive(Debug, Args)]
pub(crate) struct ReportArgs {
    /// A results directory written by `sgpsim run` (e.g. results/default).
    dir: PathBuf,
    /// Print nothing on success.
    #[arg(long, short)]
    quiet: bool,
}

pub(crate) fn run(a: ReportArgs, out: &mut dyn Write) -> Result<(), Error> {
    let written = report::redraw(&a.dir)?;
    if !a.quiet {
        emit(out, io::written(&written.files, &written.skipped).as_bytes());
    }
    Ok(())
}
