//! `sgpsim report DIR`: redraws a results directory's charts and report
//! from its files, without re-running anything; and the report step of
//! `sgpsim run`.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use crate::error::Error;
use crate::report::{self, Written};

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// A results directory written by `sgpsim run` (e.g. results/default).
    pub dir: PathBuf,
    /// Print nothing on success.
    #[arg(long, short)]
    pub quiet: bool,
}

/// What was written, one line per file, and what was left out.
fn describe(w: &Written) -> String {
    let mut text = String::new();
    for f in &w.files {
        text.push_str(&format!("wrote {}\n", f.display()));
    }
    for (name, why) in &w.skipped {
        text.push_str(&format!("skipped the {name} chart: {why}\n"));
    }
    text
}

pub fn run(a: ReportArgs, out: &mut dyn Write) -> Result<(), Error> {
    let written = report::redraw(&a.dir)?;
    if !a.quiet {
        let _ = out.write_all(describe(&written).as_bytes());
    }
    Ok(())
}
