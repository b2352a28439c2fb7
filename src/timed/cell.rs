//! A timed cell: a static cell with the cluster the timed engine needs, and
//! how one of its trials runs. Its stream is the static replay's, so the
//! same seed draws the same order in both models (MODEL.md §7, §8).

use super::arrivals::{self, Trace};
use super::settings::{Arrivals, Timed};
use super::sim::{Incoming, Sim, TrialOutcome, World};
use super::time::Time;
use crate::model::cell::Cell;
use crate::model::order::Classes;
use crate::model::rng::trial_rng;
use crate::model::workload::{Kind, Pod};

/// A static cell with the cluster the timed engine needs.
#[derive(Debug, Clone, PartialEq)]
pub struct TimedCell {
    pub cell: Cell,
    pub world: World,
    pub trials: u32,
}

/// Buffers one thread reuses from trial to trial.
#[derive(Debug, Default)]
pub struct Buffers {
    kinds: Vec<Kind>,
    pods: Vec<Pod>,
    times: Vec<Time>,
    lifetimes: Vec<Option<Time>>,
}

/// Runs trial `trial` of one cell. Its stream is the static replay's
/// (`trial_rng(seed, cell.stream_key(), trial)`): the order is drawn first,
/// exactly as the static sweep draws it, then the times, then the delays.
/// A workload with groups takes its pods' groups from a stream of its own
/// (`Cell::class_stream_key`), as the static replay does.
pub fn run_trial<'a>(
    tc: &'a TimedCell,
    timed: &'a Timed,
    seed: u64,
    trial: u32,
    trace: Option<&Trace>,
    sim: &mut Sim<'a>,
    record_timeline: bool,
) -> TrialOutcome {
    let mut b = Buffers::default();
    run_trial_with(tc, timed, seed, trial, trace, sim, &mut b, record_timeline)
}

#[expect(
    clippy::too_many_arguments,
    reason = "the trial's identity (seed, trial), its inputs (cell, settings, trace) and the caller's reusable state (engine, buffers) are separate; a struct would only rename them"
)]
pub fn run_trial_with<'a>(
    tc: &'a TimedCell,
    timed: &'a Timed,
    seed: u64,
    trial: u32,
    trace: Option<&Trace>,
    sim: &mut Sim<'a>,
    b: &mut Buffers,
    record_timeline: bool,
) -> TrialOutcome {
    let mut rng = trial_rng(seed, tc.cell.stream_key(), u64::from(trial));
    let lifetimes = match (trace, &timed.arrivals) {
        (Some(tr), Arrivals::Trace { .. }) => {
            b.pods.clear();
            b.pods.extend(tr.rows.iter().map(|r| Pod {
                kind: r.kind,
                class: r.class,
            }));
            b.times.clear();
            b.times.extend(tr.rows.iter().map(|r| r.time));
            b.lifetimes.clear();
            b.lifetimes.extend(tr.rows.iter().map(|r| r.lifetime));
            Some(&b.lifetimes[..])
        }
        _ => {
            tc.cell.order.arrange(tc.cell.counts, &mut rng, &mut b.kinds);
            b.pods.clear();
            if tc.cell.mix.is_kinds() {
                b.pods.extend(b.kinds.iter().map(|&k| Pod::of_kind(k)));
            } else {
                let mut classes = trial_rng(seed, tc.cell.class_stream_key(), u64::from(trial));
                let random = tc.cell.order.is_random().then_some(&mut classes);
                b.pods.extend(Classes::new(
                    b.kinds.iter().copied(),
                    tc.cell.mix,
                    tc.cell.order,
                    random,
                ));
            }
            arrivals::times(&timed.arrivals, b.pods.len(), &mut rng, &mut b.times);
            None
        }
    };
    let incoming = Incoming {
        pods: &b.pods,
        times: &b.times,
        lifetimes,
    };
    sim.run(&tc.world, timed, incoming, rng, record_timeline)
}
