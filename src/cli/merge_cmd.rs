//! `sgpsim merge PART_DIR...`: checks that the parts of a sharded run
//! (`sgpsim run --shard I/N`) belong together and cover the sweep exactly
//! once, then writes the results directory one `sgpsim run` would have
//! written, byte for byte.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::Args;

use super::{TableOrJson, emit, io};
use crate::error::{Error, InputError};
use crate::input::catalog::Catalog;
use crate::output::run_json;
use crate::runner::pool::Pool;
use crate::shard;

#[derive(Debug, Args)]
pub(crate) struct MergeArgs {
    /// The parts' directories (`run --shard I/N --out DIR`), in any order, or
    /// a folder whose subfolders are the parts.
    #[arg(required = true, value_name = "PART_DIR")]
    parts: Vec<PathBuf>,
    /// Output directory (default: results/<scenario name>/), replaced whole.
    /// A scenario without `name` is named after this directory in the report,
    /// as with `run`.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Worker threads for the exact figures and the report (default: one per core).
    #[arg(long, value_name = "T")]
    threads: Option<usize>,
    /// Wait up to SECONDS for every part to appear before merging (for a merge
    /// started beside the parts, e.g. the Job `export job` writes).
    #[arg(long, value_name = "SECONDS")]
    wait: Option<u64>,
    /// Print nothing on success.
    #[arg(long, short)]
    quiet: bool,
    /// What to print: the summary table, or the summary and the files written as JSON.
    #[arg(long, value_enum, default_value = "table")]
    format: TableOrJson,
}

pub(crate) fn run(catalog: &Catalog, a: MergeArgs, out: &mut dyn Write) -> Result<(), Error> {
    let pool = Pool::new(a.threads)?;
    if let Some(dir) = &a.out {
        if crate::input::source::is_stdin(dir) {
            return Err(InputError::field("--out", "a merge writes a directory of files", "give a directory").into());
        }
        crate::output::directory::probe(dir).map_err(|e| e.at("--out"))?;
    }
    // The results directory's name matters only for a scenario without
    // `name`; the default is known once the parts are read.
    let named = a.out.clone();
    if let Some(limit) = a.wait {
        wait_for_parts(&a.parts, limit);
    }
    let first = shard::part_dirs(&a.parts)?;
    let dir = match named {
        Some(d) => d,
        None => Path::new("results").join(shard::scenario_name(&first[0])?),
    };
    let (results, report) = shard::merge(&a.parts, catalog, &pool, &dir)?;
    results.files.replace(&dir).map_err(|e| e.at("--out"))?;
    if a.quiet {
        return Ok(());
    }
    match a.format {
        TableOrJson::Table => {
            let listed: Vec<PathBuf> = results.listed.iter().map(|name| dir.join(name)).collect();
            let text = format!(
                "{}\n{}{}",
                results.table,
                io::written(&listed, &results.skipped),
                report.describe()
            );
            emit(out, text.as_bytes());
        }
        TableOrJson::Json => emit(
            out,
            &run_json::render(
                &report.scenario,
                report.seed,
                &dir,
                &results.listed,
                &results.skipped,
                results.files.get("summary.csv").unwrap_or_default(),
            ),
        ),
    }
    Ok(())
}

/// Polls until `dirs` holds every part (or `limit` seconds pass; the merge
/// then says what is missing).
fn wait_for_parts(dirs: &[PathBuf], limit: u64) {
    let start = std::time::Instant::now();
    loop {
        if let Some((have, n)) = shard::parts_present(dirs)
            && have >= n as usize
        {
            return;
        }
        if start.elapsed().as_secs() >= limit {
            return;
        }
        std::thread::sleep(std::time::Duration::from_secs(2));
    }
}
