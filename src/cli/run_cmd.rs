//! `sgpsim run SCENARIO`: runs a scenario (static, or timed with `[timed]`)
//! and writes its results directory whole; prints the summary table, or
//! with `--format json` the summary and the files as JSON.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicU64;

use clap::Args;

use super::flags::SweepFlags;
use super::{TableOrJson, emit, io, progress};
use crate::error::{Error, InputError};
use crate::input::catalog::Catalog;
use crate::input::scenario::timed_cells;
use crate::input::source;
use crate::input::trace;
use crate::output::run_json;
use crate::results::{self, Results};
use crate::runner::pool::Pool;
use crate::shard::{self, Setup, Shard};
use crate::timed::settings::Timed;

#[derive(Debug, Args)]
pub(crate) struct RunArgs {
    /// The scenario file; `-` reads standard input (then --out is needed, and
    /// a trace file is found from the current directory).
    scenario: PathBuf,
    /// Output directory (default: results/<scenario name>/). It is replaced
    /// whole: it must be new, or hold only an earlier run's files.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Also write one row per trial to DIR/trials.csv.
    #[arg(long)]
    trials_csv: bool,
    /// Print nothing on success: no table, no progress bar.
    #[arg(long, short)]
    quiet: bool,
    /// What to print: the summary table, or the summary and the files written as JSON.
    #[arg(long, value_enum, default_value = "table")]
    format: TableOrJson,
    /// Run only part I of N of the sweep (0 <= I < N) and write it to --out as
    /// a part for `sgpsim merge`; `auto/N` takes I from JOB_COMPLETION_INDEX
    /// (a Kubernetes Indexed Job).
    #[arg(long, value_name = "I/N")]
    shard: Option<String>,
    #[command(flatten)]
    sweep: SweepFlags,
}

pub(crate) fn run(catalog: &Catalog, a: RunArgs, out: &mut dyn Write) -> Result<(), Error> {
    let (mut sc, text) = source::scenario(&a.scenario, catalog)?;
    a.sweep.apply(&mut sc)?;
    let pool = Pool::new(a.sweep.threads)?;
    if let Some(shard) = &a.shard {
        let index = std::env::var(shard::JOB_INDEX_VAR).ok();
        let shard = Shard::parse(shard, index.as_deref())?;
        return run_part(catalog, &a, sc, text, shard, &pool, out);
    }
    let dir = match &a.out {
        Some(dir) if source::is_stdin(dir) => {
            return Err(InputError::field(
                "--out",
                "a run writes a directory of files, not one stream",
                "give a directory; `--format json` prints the summary and the files' names on standard output",
            )
            .into());
        }
        Some(dir) => dir.clone(),
        None if source::is_stdin(&a.scenario) => {
            return Err(InputError::field(
                "--out",
                "a scenario from standard input has no file name to name its results directory after",
                "give --out DIR",
            )
            .into());
        }
        None => Path::new("results").join(&sc.name),
    };
    crate::output::directory::probe(&dir).map_err(|e| e.at("--out"))?;
    let shown = source::shown(&a.scenario);
    let show_progress = !a.quiet && progress::stderr_is_terminal();
    let results = match sc.timed.clone() {
        Some(timed) => {
            let timed = Timed {
                trials: a.sweep.trials.or(timed.trials),
                ..timed
            };
            let trace = trace::for_scenario(&timed, &sc, &a.scenario)?;
            let total = if show_progress {
                timed_cells(&sc, &timed, trace.as_ref())
                    .map_err(|e| in_file(e.into(), &shown))?
                    .iter()
                    .map(|c| u64::from(c.trials))
                    .sum()
            } else {
                0
            };
            progress::counting(show_progress, total, |done| {
                results::timed_run(
                    &sc,
                    &timed,
                    trace.as_ref(),
                    text.as_bytes(),
                    &pool,
                    a.trials_csv,
                    &dir,
                    done,
                )
            })
            .map_err(|e| in_file(e, &shown))?
        }
        None => {
            let total = if show_progress {
                sc.cells()?.iter().map(|c| u64::from(c.trials)).sum()
            } else {
                0
            };
            progress::counting(show_progress, total, |done| {
                results::static_run(&sc, text.as_bytes(), &pool, a.trials_csv, &dir, done)
            })?
        }
    };
    results.files.replace(&dir).map_err(|e| e.at("--out"))?;
    if a.quiet {
        return Ok(());
    }
    match a.format {
        TableOrJson::Table => emit(out, describe(&results, &dir).as_bytes()),
        TableOrJson::Json => emit(
            out,
            &run_json::render(
                &sc.name,
                sc.seed,
                &dir,
                &results.listed,
                &results.skipped,
                results.files.get("summary.csv").unwrap_or_default(),
            ),
        ),
    }
    Ok(())
}

/// `run --shard I/N`: one part of the sweep, written to --out as `part.json`.
fn run_part(
    catalog: &Catalog,
    a: &RunArgs,
    sc: crate::input::scenario::Scenario,
    text: String,
    shard: Shard,
    pool: &Pool,
    out: &mut dyn Write,
) -> Result<(), Error> {
    let Some(dir) = a.out.clone().filter(|d| !source::is_stdin(d)) else {
        return Err(InputError::field(
            "--out",
            "a part of a sharded run needs a directory of its own",
            "give --out DIR, e.g. --out parts/0 for part 0, then `sgpsim merge parts --out results/NAME`",
        )
        .into());
    };
    crate::output::directory::probe(&dir).map_err(|e| e.at("--out"))?;
    let shown = source::shown(&a.scenario);
    let timed = sc.timed.clone().map(|t| Timed {
        trials: a.sweep.trials.or(t.trials),
        ..t
    });
    let trace = match &timed {
        Some(t) => Setup::load_trace(t, &sc, &a.scenario)?,
        None => None,
    };
    let setup = Setup {
        stem: source::stem(&a.scenario),
        trials: a.sweep.trials,
        sc,
        text,
        timed,
        trace,
    };
    // A part runs in a batch job: no progress bar.
    let (files, report) = shard::run_part(&setup, catalog, shard, pool, a.trials_csv, &AtomicU64::new(0))
        .map_err(|e| in_file(e, &shown))?;
    files.replace(&dir).map_err(|e| e.at("--out"))?;
    if a.quiet {
        return Ok(());
    }
    match a.format {
        TableOrJson::Table => emit(out, report.describe(&dir).as_bytes()),
        TableOrJson::Json => {
            let v = serde_json::json!({
                "scenario": setup.sc.name,
                "seed": setup.sc.seed,
                "part": shard.index,
                "parts": shard.count,
                "dir": dir.display().to_string(),
                "trials": report.trials,
                "slices": report.slices,
                "work": report.work,
                "total_work": report.total_work,
                "plan_imbalance": report.imbalance,
                "elapsed_s": report.elapsed_s,
            });
            let mut bytes = serde_json::to_vec_pretty(&v).expect("memory");
            bytes.push(b'\n');
            emit(out, &bytes);
        }
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
    let listed: Vec<PathBuf> = r.listed.iter().map(|name| dir.join(name)).collect();
    format!("{}\n{}", r.table, io::written(&listed, &r.skipped))
}
