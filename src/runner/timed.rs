//! The timed runner: cells × trials in parallel, merged in (cell, trial)
//! order with exact integer sums, so 1 thread and N threads give the same
//! bytes. Rayon is used here and nowhere else in `timed`.

use std::sync::atomic::{AtomicU64, Ordering};

use rayon::prelude::*;

use crate::model::summary::TrialRecord;
use crate::timed::arrivals::Trace;
use crate::timed::cell::{Buffers, TimedCell, run_trial_with};
use crate::timed::settings::Timed;
use crate::timed::sim::{Sample, Sim, TrialOutcome};
use crate::timed::summary::{CellResult, TimedResult, TimedTotals};

/// Runs every trial of every cell on the current rayon pool.
pub fn run(cells: &[TimedCell], timed: &Timed, seed: u64, trace: Option<&Trace>, keep_trials: bool) -> TimedResult {
    run_counted(cells, timed, seed, trace, keep_trials, &AtomicU64::new(0))
}

/// [`run`], adding one to `trials_done` per trial finished (for a progress
/// bar; the results do not depend on it).
pub fn run_counted(
    cells: &[TimedCell],
    timed: &Timed,
    seed: u64,
    trace: Option<&Trace>,
    keep_trials: bool,
    trials_done: &AtomicU64,
) -> TimedResult {
    let items: Vec<(usize, u32)> = cells
        .iter()
        .enumerate()
        .flat_map(|(c, tc)| (0..tc.trials).map(move |t| (c, t)))
        .collect();
    let outcomes: Vec<TrialOutcome> = items
        .par_iter()
        .map_init(
            || (Sim::new(), Buffers::default()),
            |(sim, bufs), &(c, trial)| {
                let record = trial == timed.timeline_trial;
                let outcome = run_trial_with(&cells[c], timed, seed, trial, trace, sim, bufs, record);
                trials_done.fetch_add(1, Ordering::Relaxed);
                outcome
            },
        )
        .collect();
    let mut accs: Vec<TimedTotals> = cells.iter().map(|_| TimedTotals::default()).collect();
    let mut timelines: Vec<Vec<Sample>> = vec![Vec::new(); cells.len()];
    let mut trials = Vec::new();
    for (&(c, trial), mut o) in items.iter().zip(outcomes) {
        accs[c].add(&o);
        if trial == timed.timeline_trial {
            timelines[c] = std::mem::take(&mut o.timeline);
        }
        if keep_trials {
            o.timeline = Vec::new();
            trials.push(TrialRecord {
                cell: c,
                trial,
                outcome: o,
            });
        }
    }
    let cells_out = accs
        .into_iter()
        .zip(cells)
        .zip(timelines)
        .map(|((acc, tc), timeline)| {
            let (summary, timed) = acc.finish(tc.cell.counts.total());
            CellResult {
                summary,
                timed,
                timeline,
            }
        })
        .collect();
    TimedResult {
        seed,
        cells: cells_out,
        trials,
    }
}
