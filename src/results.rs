//! What `sgpsim run` makes of a scenario: every file of its results
//! directory, built in memory from the runner's results and the report drawn
//! from those same bytes, so that the directory is written whole (see
//! `output::directory`) and `sgpsim report DIR` redraws it byte for byte.

use std::path::Path;
use std::sync::atomic::AtomicU64;

use crate::error::Error;
use crate::input::scenario::Scenario;
use crate::model::cell::Cell;
use crate::output::directory::Files;
use crate::output::records::SafeCell;
use crate::output::records::{RoomRow, SpreadRow, node_room_csv, safe_region_csv, spread_csv};
use crate::output::{self, csv, table};
use crate::report;
use crate::runner::pool::Pool;
use crate::runner::sweep::SweepResult;
use crate::runner::{safe_region, sweep};
use crate::timed::arrivals::Trace;
use crate::timed::cell::TimedCell;
use crate::timed::settings::Timed;
use crate::timed::summary::TimedResult;

/// A run's results: its files, what to print, and the files in the order
/// they are reported.
#[derive(Debug, Clone)]
pub struct Results {
    pub files: Files,
    /// The heading and the summary table, for the terminal.
    pub table: String,
    /// Files in the order `run` lists them.
    pub listed: Vec<String>,
    /// Charts left out, with the reason.
    pub skipped: Vec<(&'static str, String)>,
}

/// Runs a static scenario on `pool` and builds its results directory.
/// `scenario_text` is the scenario file as written, kept beside the results;
/// `trials_done` counts the summary's trials as they finish.
pub fn static_run(
    sc: &Scenario,
    scenario_text: &[u8],
    pool: &Pool,
    trials_csv: bool,
    dir: &Path,
    trials_done: &AtomicU64,
) -> Result<Results, Error> {
    let cells = sc.cells()?;
    let (result, safe) = pool.install(|| {
        (
            sweep::run_counted(&cells, sc.seed, trials_csv, trials_done),
            safe_region::safe_region(sc),
        )
    });
    static_results(sc, scenario_text, &cells, &result, &safe, trials_csv, dir)
}

/// A static run's results directory from its sweep's result and the
/// safe-region grid: what `run` writes, and what `merge` writes from the
/// parts of a sharded run (one writer for both).
pub fn static_results(
    sc: &Scenario,
    scenario_text: &[u8],
    cells: &[Cell],
    result: &SweepResult,
    safe: &[SafeCell],
    trials_csv: bool,
    dir: &Path,
) -> Result<Results, Error> {
    let rows = output::rows(cells, &result.summaries, sc.seed);
    let mut files = Files::new();
    let mut listed = vec!["summary.csv".to_string()];
    files.put("summary.csv", csv::summary(&rows));
    files.put("scenario.toml", scenario_text.to_vec());
    if trials_csv {
        files.put("trials.csv", csv::trials(cells, &result.trials, sc.seed));
        listed.push("trials.csv".into());
    }
    let spread = SpreadRow::from_sweep(cells, &result.summaries, sc.seed);
    files.put(report::SPREAD_CSV, spread_csv(&spread));
    files.put(report::SAFE_REGION_CSV, safe_region_csv(safe));
    listed.extend([report::SPREAD_CSV.to_string(), report::SAFE_REGION_CSV.to_string()]);
    put_node_rooms(sc, &mut files, &mut listed);
    let written = report::render(&mut files, dir)?;
    listed.extend(written.files.iter().map(|p| relative(p, dir)));
    let table = format!(
        "scenario {} (seed {}, {} random trials per cell, {} cells)\n\n{}",
        sc.name,
        sc.seed,
        sc.trials,
        cells.len(),
        table::summary(&rows)
    );
    Ok(Results {
        files,
        table,
        listed,
        skipped: written.skipped,
    })
}

/// Runs a timed scenario (its `[timed]` table as `timed`, its trace if any)
/// on `pool` and builds its results directory; `trials_done` counts trials
/// as they finish.
#[expect(clippy::too_many_arguments, reason = "one call per run; each argument is distinct")]
pub fn timed_run(
    sc: &Scenario,
    timed: &Timed,
    trace: Option<&Trace>,
    scenario_text: &[u8],
    pool: &Pool,
    trials_csv: bool,
    dir: &Path,
    trials_done: &AtomicU64,
) -> Result<Results, Error> {
    let cells = crate::input::scenario::timed_cells(sc, timed, trace)?;
    let result =
        pool.install(|| crate::runner::timed::run_counted(&cells, timed, sc.seed, trace, trials_csv, trials_done));
    timed_results(sc, timed, scenario_text, &cells, &result, trials_csv, dir)
}

/// A timed run's results directory from its result: what `run` writes,
/// and what `merge` writes from the parts of a sharded run.
pub fn timed_results(
    sc: &Scenario,
    timed: &Timed,
    scenario_text: &[u8],
    cells: &[TimedCell],
    result: &TimedResult,
    trials_csv: bool,
    dir: &Path,
) -> Result<Results, Error> {
    use crate::output::timed as timed_output;
    let mut files = Files::new();
    files.put("summary.csv", timed_output::summary(cells, result, timed));
    files.put("timeline.csv", timed_output::timeline(cells, result, timed));
    files.put("scenario.toml", scenario_text.to_vec());
    let mut listed = vec!["summary.csv".to_string(), "timeline.csv".to_string()];
    if trials_csv {
        files.put("trials.csv", timed_output::trials(cells, result));
        listed.push("trials.csv".into());
    }
    put_node_rooms(sc, &mut files, &mut listed);
    let written = report::render(&mut files, dir)?;
    listed.extend(written.files.iter().map(|p| relative(p, dir)));
    let table = format!(
        "timed scenario {} (seed {}, arrivals {}, {} cells)\n\n{}",
        sc.name,
        sc.seed,
        timed_output::arrivals_label(&timed.arrivals),
        cells.len(),
        timed_output::table(cells, result)
    );
    Ok(Results {
        files,
        table,
        listed,
        skipped: written.skipped,
    })
}

fn relative(p: &Path, dir: &Path) -> String {
    p.strip_prefix(dir).unwrap_or(p).to_string_lossy().replace('\\', "/")
}

/// `node-room.csv`, where the scenario's pods request CPU or memory with one
/// request per kind (not with workload groups, whose classes are not the
/// kinds): each type's room under each formula, from the catalog the run
/// read, so that the report counts the nodes the run had.
fn put_node_rooms(sc: &Scenario, files: &mut Files, listed: &mut Vec<String>) {
    if !sc.requests.counted() || matches!(sc.workload, crate::model::workload::Workload::Groups(_)) {
        return;
    }
    let mut rows = Vec::new();
    for t in &sc.types {
        for f in &sc.formulas {
            if let Ok(res) = sc.resources(t, f) {
                rows.push(RoomRow {
                    instance_type: t.name.clone(),
                    formula: f.name(),
                    reserved_enis: f.reserved_enis(),
                    room: crate::model::exact::NodeRoom::of(&res, &sc.system_for(t)),
                });
            }
        }
    }
    files.put(report::NODE_ROOM_CSV, node_room_csv(&rows));
    listed.push(report::NODE_ROOM_CSV.to_string());
}
