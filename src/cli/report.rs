//! `sgpsim report DIR`: redraws a results directory's charts and report
//! from its files, without re-running anything; and the report step of
//! `sgpsim run`.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::Args;

use crate::error::Error;
use crate::input::scenario::Scenario;
use crate::model::cell::Cell;
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
    let written = report::write_report(&a.dir)?;
    if !a.quiet {
        let _ = out.write_all(describe(&written).as_bytes());
    }
    Ok(())
}

/// The report step of `sgpsim run`, once `summary.csv` and `scenario.toml`
/// are in `dir`: returns the lines to print.
pub fn after_run(dir: &Path, sc: &Scenario, cells: &[Cell]) -> Result<String, Error> {
    let written = report::write_all(dir, sc, cells)?;
    Ok(describe(&written))
}

/// The report step of `sgpsim run` for a timed scenario, once its files
/// (summary.csv, timeline.csv, scenario.toml) are in `dir`.
pub fn after_timed_run(dir: &Path) -> Result<String, Error> {
    Ok(describe(&report::write_report(dir)?))
}
