//! `sgpsim run --shard I/N`: one part of the sweep, run and written as its
//! exact partial totals; and the plan's figures for `export job`.

use std::path::Path;
use std::sync::atomic::AtomicU64;
use std::time::Instant;

use super::part::{self, FORMAT, PART_FILE, PartFile, SliceData, SliceFile};
use super::plan::Plan;
use super::setup::*;
use super::spec::*;
use crate::error::Error;
use crate::input::catalog::Catalog;
use crate::output::directory::Files;
use crate::runner::pool::Pool;
use crate::runner::{Slice, sweep};

/// What a part run did, for the terminal.
#[derive(Debug, Clone)]
pub struct PartReport {
    pub shard: Shard,
    pub slices: usize,
    /// Cells this part has trials of, and in the sweep.
    pub cells: usize,
    pub total_cells: usize,
    pub trials: u64,
    pub work: u64,
    pub total_work: u64,
    /// The plan's largest part over its mean part (1 is even).
    pub imbalance: f64,
    pub elapsed_s: f64,
}

impl PartReport {
    pub fn describe(&self, dir: &Path) -> String {
        let share = if self.total_work == 0 {
            0.0
        } else {
            100.0 * self.work as f64 / self.total_work as f64
        };
        format!(
            "part {} of the sweep: {} trial{} in {} of {} cells, {:.2}% of the estimated work \
             (even: {:.2}%; the plan's largest part is {:.3}× the mean), {:.3} s\nwrote {}\n",
            self.shard,
            self.trials,
            if self.trials == 1 { "" } else { "s" },
            self.cells,
            self.total_cells,
            share,
            100.0 / f64::from(self.shard.count),
            self.imbalance,
            self.elapsed_s,
            dir.join(PART_FILE).display()
        )
    }
}

/// Runs part `shard` of the sweep on `pool`: its `part.json`, as files.
pub fn run_part(
    setup: &Setup,
    catalog: &Catalog,
    shard: Shard,
    pool: &Pool,
    trials_csv: bool,
    trials_done: &AtomicU64,
) -> Result<(Files, PartReport), Error> {
    let cells = setup.cells()?;
    let plan = Plan::new(&cells.work(), shard.count);
    let slices = &plan.parts[shard.index as usize];
    let seed = setup.sc.seed;
    let started = Instant::now();
    let (threads, data) = pool.install(|| {
        let data: Vec<SliceFile> = match &cells {
            Cells::Static(cells) => sweep::run_slices(cells, seed, slices, trials_csv, trials_done)
                .into_iter()
                .map(|r| {
                    slice_file(
                        r.slice,
                        SliceData::Static {
                            totals: (&r.totals.figures()).into(),
                            trials: part::static_trials(&r.trials),
                        },
                    )
                })
                .collect(),
            Cells::Timed(cells) => {
                let timed = setup.timed.as_ref().expect("timed cells have settings");
                crate::runner::timed::run_slices(cells, timed, seed, setup.trace(), slices, trials_csv, trials_done)
                    .into_iter()
                    .map(|r| {
                        slice_file(
                            r.slice,
                            SliceData::Timed {
                                totals: Box::new((&r.totals.figures()).into()),
                                timeline: r.timeline.map(|t| t.iter().map(Into::into).collect()),
                                trials: part::timed_trials(&r.trials),
                            },
                        )
                    })
                    .collect()
            }
        };
        (pool.threads(), data)
    });
    let elapsed_s = started.elapsed().as_secs_f64();
    let total_work: u64 = plan.work.iter().sum();
    let file = PartFile {
        format: FORMAT.into(),
        sgpsim: env!("CARGO_PKG_VERSION").into(),
        part: shard.index,
        parts: shard.count,
        scenario: setup.id(),
        catalog: catalog_hash(catalog),
        trials_csv,
        cells: cells.len(),
        work: plan.work[shard.index as usize],
        total_work,
        elapsed_s,
        threads,
        slices: data,
    };
    let mut bytes = serde_json::to_vec(&file).map_err(|e| Error::Internal(format!("part.json: {e}")))?;
    bytes.push(b'\n');
    let mut files = Files::new();
    files.put(PART_FILE, bytes);
    let mut in_cells: Vec<usize> = slices.iter().map(|s| s.cell).collect();
    in_cells.dedup();
    let report = PartReport {
        shard,
        slices: slices.len(),
        cells: in_cells.len(),
        total_cells: cells.len(),
        trials: slices.iter().map(|s| u64::from(s.trials())).sum(),
        work: file.work,
        total_work,
        imbalance: plan.imbalance(),
        elapsed_s,
    };
    Ok((files, report))
}

pub(super) fn slice_file(s: Slice, data: SliceData) -> SliceFile {
    SliceFile {
        cell: s.cell,
        start: s.start,
        end: s.end,
        data,
    }
}

/// The plan's figures for `shards` parts of `setup`'s sweep (what
/// `export job` sizes its requests from).
pub fn estimate(setup: &Setup, shards: u32) -> Result<crate::deploy::job::Estimate, Error> {
    let cells = setup.cells()?;
    let work = cells.work();
    let plan = Plan::new(&work, shards);
    // The timed engine restarts replaced pods: the per-trial work of the plan
    // counts each pod once, so scale by the lives of a pod.
    let lives = match (&setup.timed, setup.timed.as_ref().and_then(|t| t.horizon)) {
        (Some(t), Some(h)) if t.replace => match t.lifetime {
            Some(l) => (h.as_secs_f64() / crate::input::delay::mean_secs(&l).max(1e-6)).min(1e9) as u64 + 1,
            None => 1,
        },
        _ => 1,
    };
    let part_trials = |p: &Vec<Slice>| p.iter().map(|s| u64::from(s.trials())).sum::<u64>();
    Ok(crate::deploy::job::Estimate {
        timed: setup.timed.is_some(),
        part_work_max: plan.work.iter().max().copied().unwrap_or(0).saturating_mul(lives),
        pods_per_trial_max: work.iter().map(|w| w.per_trial).max().unwrap_or(0),
        part_trials_max: plan.parts.iter().map(part_trials).max().unwrap_or(0),
        trials: work.iter().map(|w| u64::from(w.trials)).sum(),
    })
}
