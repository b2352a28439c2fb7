//! The timed runner: cells × trials in parallel, merged in (cell, trial)
//! order with exact integer sums, so 1 thread and N threads give the same
//! bytes. Rayon is used here and nowhere else in `timed`.

use std::sync::atomic::{AtomicU64, Ordering};

use rayon::prelude::*;

use super::Slice;
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
    let slices = Slice::whole(cells.iter().map(|c| c.trials));
    let parts = run_slices(cells, timed, seed, trace, &slices, keep_trials, trials_done);
    let mut accs: Vec<TimedTotals> = cells.iter().map(|_| TimedTotals::default()).collect();
    let mut timelines: Vec<Vec<Sample>> = vec![Vec::new(); cells.len()];
    let mut trials = Vec::new();
    for part in parts {
        let c = part.slice.cell;
        accs[c].merge(part.totals);
        if let Some(t) = part.timeline {
            timelines[c] = t;
        }
        trials.extend(part.trials);
    }
    finish(cells, seed, accs, timelines, trials)
}

/// What one slice of a timed cell's trials adds up to.
pub struct TimedSliceResult {
    pub slice: Slice,
    pub totals: TimedTotals,
    /// The timeline of the scenario's chosen trial, if this slice holds it.
    pub timeline: Option<Vec<Sample>>,
    /// The slice's trials (timelines removed), in trial order; empty unless asked for.
    pub trials: Vec<TrialRecord<TrialOutcome>>,
}

/// Runs the trials of `slices` on the current rayon pool; one result per
/// slice, in the order given, each trial's totals added in trial order.
pub fn run_slices(
    cells: &[TimedCell],
    timed: &Timed,
    seed: u64,
    trace: Option<&Trace>,
    slices: &[Slice],
    keep_trials: bool,
    trials_done: &AtomicU64,
) -> Vec<TimedSliceResult> {
    let items: Vec<(usize, u32)> = slices
        .iter()
        .enumerate()
        .flat_map(|(i, s)| (s.start..s.end).map(move |t| (i, t)))
        .collect();
    let outcomes: Vec<TrialOutcome> = items
        .par_iter()
        .map_init(
            || (Sim::new(), Buffers::default()),
            |(sim, bufs), &(i, trial)| {
                let record = trial == timed.timeline_trial;
                let outcome = run_trial_with(&cells[slices[i].cell], timed, seed, trial, trace, sim, bufs, record);
                trials_done.fetch_add(1, Ordering::Relaxed);
                outcome
            },
        )
        .collect();
    let mut out: Vec<TimedSliceResult> = slices
        .iter()
        .map(|&slice| TimedSliceResult {
            slice,
            totals: TimedTotals::default(),
            timeline: None,
            trials: Vec::new(),
        })
        .collect();
    for (&(i, trial), mut o) in items.iter().zip(outcomes) {
        let part = &mut out[i];
        part.totals.add(&o);
        if trial == timed.timeline_trial {
            part.timeline = Some(std::mem::take(&mut o.timeline));
        }
        if keep_trials {
            o.timeline = Vec::new();
            part.trials.push(TrialRecord {
                cell: part.slice.cell,
                trial,
                outcome: o,
            });
        }
    }
    out
}

/// The timed sweep's result from every cell's totals (each merged in trial
/// order), the chosen trial's timeline per cell and the kept trials.
pub fn finish(
    cells: &[TimedCell],
    seed: u64,
    accs: Vec<TimedTotals>,
    timelines: Vec<Vec<Sample>>,
    trials: Vec<TrialRecord<TrialOutcome>>,
) -> TimedResult {
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
