//! `sgpsim run SCENARIO`: runs a scenario (static, or timed with `[timed]`)
//! and writes its results directory whole.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::Args;

use super::{SweepFlags, apply_overrides};
use crate::error::{Error, InputError};
use crate::input::catalog::Catalog;
use crate::input::scenario::Scenario;
use crate::results::{self, Results};
use crate::runner::pool::Pool;

#[derive(Debug, Args)]
pub struct RunArgs {
    pub scenario: PathBuf,
    /// Output directory (default: results/<scenario name>/). It is replaced
    /// whole: it must be new, or hold only an earlier run's files.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Also write one row per trial to DIR/trials.csv.
    #[arg(long)]
    pub trials_csv: bool,
    /// Do not print the table.
    #[arg(long, short)]
    pub quiet: bool,
    #[command(flatten)]
    pub sweep: SweepFlags,
}

pub fn run(catalog: &Catalog, a: RunArgs, out: &mut dyn Write) -> Result<(), Error> {
    let mut sc = Scenario::load(&a.scenario, catalog)?;
    apply_overrides(&mut sc, &a.sweep)?;
    let pool = Pool::new(a.sweep.threads)?;
    let shown = a.scenario.display().to_string();
    let text = std::fs::read(&a.scenario).map_err(|e| InputError::io(&shown, "read the scenario", &e))?;
    let dir = a.out.clone().unwrap_or_else(|| Path::new("results").join(&sc.name));
    crate::output::directory::probe(&dir).map_err(|e| e.at("--out"))?;
    let results = match sc.timed.clone() {
        Some(timed) => {
            let timed = crate::timed::settings::Timed {
                trials: a.sweep.trials.or(timed.trials),
                ..timed
            };
            let trace = crate::input::trace::for_scenario(&timed, &a.scenario)?;
            results::timed_run(&sc, &timed, trace.as_ref(), &text, &pool, a.trials_csv, &dir)
                .map_err(|e| in_file(e, &shown))?
        }
        None => results::static_run(&sc, &text, &pool, a.trials_csv, &dir)?,
    };
    results.files.replace(&dir).map_err(|e| e.at("--out"))?;
    if !a.quiet {
        let _ = out.write_all(describe(&results, &dir).as_bytes());
    }
    Ok(())
}

/// Names the scenario file in an input error that names none.
fn in_file(e: Error, file: &str) -> Error {
    match e {
        Error::Input(i) => Error::Input(i.in_file(file)),
        other => other,
    }
}

/// The table, then one line per file written and per chart left out.
fn describe(r: &Results, dir: &Path) -> String {
    let mut text = r.table.clone();
    text.push('\n');
    for name in &r.listed {
        text.push_str(&format!("wrote {}\n", dir.join(name).display()));
    }
    for (name, why) in &r.skipped {
        text.push_str(&format!("skipped the {name} chart: {why}\n"));
    }
    text
}
