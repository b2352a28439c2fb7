//! The edge of `sgpsim run` for a scenario with `[timed]`: reads the trace,
//! runs the cells on a thread pool, writes `summary.csv`, `timeline.csv`
//! (and `trials.csv` when asked) whole or not at all.

use std::io::Write;
use std::path::Path;

use crate::error::{Error, InputError};
use crate::input::scenario::Scenario;
use crate::output;
use crate::output::timed as timed_output;
use crate::runner::timed as run;
use crate::timed::arrivals::Trace;
use crate::timed::settings::{Arrivals, Timed};

/// Options of `sgpsim run` that matter here.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    pub threads: Option<usize>,
    pub trials_csv: bool,
    pub quiet: bool,
}

/// Loads the trace of a trace-driven scenario, beside the scenario file.
pub fn load_trace(timed: &Timed, scenario_path: &Path) -> Result<Option<Trace>, InputError> {
    match &timed.arrivals {
        Arrivals::Trace { file } => {
            let p = Path::new(file);
            let full = if p.is_absolute() {
                p.to_path_buf()
            } else {
                scenario_path.parent().unwrap_or(Path::new(".")).join(p)
            };
            crate::input::trace::load(&full).map(Some).map_err(|e| InputError {
                field: e.field.or(Some("timed.arrivals.file".into())),
                ..e
            })
        }
        _ => Ok(None),
    }
}

/// Runs a timed scenario and writes its files into `dir` (which exists).
pub fn run_scenario(
    sc: &Scenario,
    timed: &Timed,
    scenario_path: &Path,
    dir: &Path,
    opts: Options,
    out: &mut dyn Write,
) -> Result<(), Error> {
    let trace = load_trace(timed, scenario_path)?;
    let cells = crate::input::scenario::timed_cells(sc, timed, trace.as_ref())
        .map_err(|e| e.in_file(scenario_path.display().to_string()))?;
    let go = || run::run(&cells, timed, sc.seed, trace.as_ref(), opts.trials_csv);
    let result = crate::runner::pool::Pool::new(opts.threads)?.install(go);
    output::write_atomic(&dir.join("summary.csv"), &timed_output::summary(&cells, &result, timed))?;
    output::write_atomic(
        &dir.join("timeline.csv"),
        &timed_output::timeline(&cells, &result, timed),
    )?;
    if let Ok(text) = std::fs::read(scenario_path) {
        output::write_atomic(&dir.join("scenario.toml"), &text)?;
    }
    if opts.trials_csv {
        output::write_atomic(&dir.join("trials.csv"), &timed_output::trials(&cells, &result))?;
    }
    if !opts.quiet {
        let mut text = format!(
            "timed scenario {} (seed {}, arrivals {}, {} cells)\n\n",
            sc.name,
            sc.seed,
            timed_output::arrivals_label(&timed.arrivals),
            cells.len()
        );
        text.push_str(&timed_output::table(&cells, &result));
        text.push_str(&format!(
            "\nwrote {}\nwrote {}\n",
            dir.join("summary.csv").display(),
            dir.join("timeline.csv").display()
        ));
        if opts.trials_csv {
            text.push_str(&format!("wrote {}\n", dir.join("trials.csv").display()));
        }
        let _ = out.write_all(text.as_bytes());
    }
    Ok(())
}
