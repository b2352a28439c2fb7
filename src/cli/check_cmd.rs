//! `sgpsim check SCENARIO`: runs a scenario and compares its `[[expect]]`
//! entries (published figures) with the model; exit 1 when one differs.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use super::{TableOrJson, emit};
use crate::check;
use crate::error::{Error, InputError};
use crate::input::catalog::Catalog;
use crate::input::{source, trace};
use crate::runner::pool::Pool;

#[derive(Debug, Args)]
pub(crate) struct CheckArgs {
    /// The scenario file; `-` reads standard input.
    scenario: PathBuf,
    /// Worker threads (default: one per core).
    #[arg(long, value_name = "T")]
    threads: Option<usize>,
    /// The report as text, or as one JSON object.
    #[arg(long, value_enum, default_value = "table")]
    format: TableOrJson,
}

pub(crate) fn run(catalog: &Catalog, a: CheckArgs, out: &mut dyn Write) -> Result<(), Error> {
    let (sc, _) = source::scenario(&a.scenario, catalog)?;
    let shown = source::shown(&a.scenario);
    if sc.expects.is_empty() {
        return Err(InputError::file(
            shown,
            "has no `[[expect]]` entries to check",
            "add expectations (see scenarios/seed-tables.toml), or use `sgpsim run`",
        )
        .into());
    }
    // A timed scenario is checked with the timed engine (MODEL.md §9), a
    // static one with the replay of §5.
    let pool = Pool::new(a.threads)?;
    let trace = match &sc.timed {
        Some(t) => trace::for_scenario(t, &sc, &a.scenario)?,
        None => None,
    };
    let lines = check::run(&sc, trace.as_ref(), &pool).map_err(|e| e.in_file(shown.clone()))?;
    match a.format {
        TableOrJson::Table => emit(out, check::report(&shown, sc.seed, &lines).as_bytes()),
        TableOrJson::Json => emit(out, &check::report_json(&shown, sc.seed, &lines)),
    }
    match check::failed(&lines) {
        0 => Ok(()),
        failed => Err(Error::CheckFailed {
            failed,
            total: lines.len(),
        }),
    }
}
