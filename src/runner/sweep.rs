//! The sweep runner: cells × trials, in parallel, with results that do not
//! depend on the number of threads (MODEL.md §7).
//!
//! Rayon lives in `runner/` and nowhere else. Work is split into (cell, block of
//! trials) items; each item's result is merged back in (cell, trial) order
//! and every sum is an exact integer, so 1 thread and N threads give the
//! same bytes.

use std::sync::atomic::{AtomicU64, Ordering};

use rayon::prelude::*;

use crate::model::cell::Cell;
use crate::model::replay::Replayer;
use crate::model::summary::{Summary, Totals, TrialRecord};

/// Trials per work item: big enough to amortise scheduling, small enough to
/// balance a sweep with few cells over the cores.
const BLOCK: u32 = 64;

/// The result of a sweep, in cell order.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepResult {
    pub seed: u64,
    pub summaries: Vec<Summary>,
    /// Per-trial outcomes, in (cell, trial) order; empty unless asked for.
    pub trials: Vec<TrialRecord>,
}

/// Runs every trial of every cell on the current rayon pool.
pub fn run(cells: &[Cell], seed: u64, keep_trials: bool) -> SweepResult {
    run_counted(cells, seed, keep_trials, &AtomicU64::new(0))
}

/// [`run`], adding to `trials_done` as blocks of trials finish (for a
/// progress bar; the results do not depend on it).
pub fn run_counted(cells: &[Cell], seed: u64, keep_trials: bool, trials_done: &AtomicU64) -> SweepResult {
    let items: Vec<(usize, u32)> = cells
        .iter()
        .enumerate()
        .flat_map(|(c, cell)| (0..cell.trials.div_ceil(BLOCK)).map(move |b| (c, b * BLOCK)))
        .collect();
    let parts: Vec<(usize, Totals, Vec<TrialRecord>)> = items
        .par_iter()
        .map_init(
            || (Replayer::new(), Vec::new()),
            |(replayer, buf), &(c, start)| {
                let cell = &cells[c];
                let end = (start + BLOCK).min(cell.trials);
                let mut acc = Totals::default();
                let mut kept = Vec::new();
                let key = cell.stream_key();
                for trial in start..end {
                    let outcome = cell.run_keyed_trial(key, seed, trial, replayer, buf);
                    acc.add(&outcome);
                    if keep_trials {
                        kept.push(TrialRecord {
                            cell: c,
                            trial,
                            outcome,
                        });
                    }
                }
                trials_done.fetch_add(u64::from(end - start), Ordering::Relaxed);
                (c, acc, kept)
            },
        )
        .collect();

    let mut accs: Vec<Totals> = vec![Totals::default(); cells.len()];
    let mut trials = Vec::new();
    for (c, acc, kept) in parts {
        accs[c].merge(acc);
        trials.extend(kept);
    }
    let summaries = accs
        .into_iter()
        .zip(cells)
        .map(|(acc, cell)| acc.summarize(cell.counts.total()))
        .collect();
    SweepResult {
        seed,
        summaries,
        trials,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::node::NodeSettings;
    use crate::model::node::{NodeSpec, SystemPods};
    use crate::model::order::Order;
    use crate::model::placement::Policy;
    use crate::model::replay::{Cluster, Nodes};
    use crate::model::workload::Counts;

    fn cell(order: Order, trials: u32) -> Cell {
        Cell {
            instance_type: "m5.xlarge".into(),
            formula: "aws-default".into(),
            order,
            policy: Policy::MostAllocated,
            settings: NodeSettings::default(),
            counts: Counts {
                sg: 18,
                ip: 55,
                host: 0,
            },
            cluster: Cluster {
                node: NodeSpec {
                    max_pods: 58,
                    ip_capacity: 42,
                    branch_capacity: 18,
                    system: SystemPods { host: 3, ip: 0 },
                },
                nodes: Nodes::Fixed(1),
                policy: Policy::MostAllocated,
            },
            trials,
            note: None,
        }
    }

    #[test]
    fn same_bytes_on_one_and_many_threads() {
        let cells = vec![
            cell(Order::Random, 300),
            cell(Order::IpFirst, 1),
            cell(Order::Random, 7),
        ];
        let one = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
        let many = rayon::ThreadPoolBuilder::new().num_threads(4).build().unwrap();
        let a = one.install(|| run(&cells, 9, true));
        let b = many.install(|| run(&cells, 9, true));
        assert_eq!(a, b);
        assert_eq!(a.trials.len(), 308);
    }

    #[test]
    fn a_trial_reruns_alone() {
        let cells = vec![cell(Order::Random, 100)];
        let all = run(&cells, 5, true);
        let mut r = Replayer::new();
        let mut buf = Vec::new();
        assert_eq!(cells[0].run_trial(5, 77, &mut r, &mut buf), all.trials[77].outcome);
    }

    #[test]
    fn random_orders_fail_sometimes_on_aws_default() {
        let s = &run(&[cell(Order::Random, 200)], 1, false).summaries[0];
        assert_eq!(s.trials, 200);
        assert!(s.trials_with_failure > 0 && s.failure_rate_mean > 0.0);
        let (lo, hi) = s.failure_rate_ci95.unwrap();
        assert!(lo <= s.failure_rate_mean && s.failure_rate_mean <= hi);
        assert!(s.failure_rate_p50 <= s.failure_rate_p95 && s.failure_rate_p95 <= s.failure_rate_max);
    }
}
