//! The sweep runner: cells × trials, in parallel, with results that do not
//! depend on the number of threads (MODEL.md §7).
//!
//! Rayon lives here and nowhere else. Work is split into (cell, block of
//! trials) items; each item's result is merged back in (cell, trial) order
//! and every sum is an exact integer, so 1 thread and N threads give the
//! same bytes.

use rayon::prelude::*;

use crate::model::node::NodeSettings;
use crate::model::order::{Order, RandomArrivals};
use crate::model::replay::{Cluster, Outcome, Policy, Replayer};
use crate::model::rng::{stable_hash, trial_rng};
use crate::model::stats::{mean_ci95, percentile};
use crate::model::workload::{Counts, Kind};

/// Trials per work item: big enough to amortise scheduling, small enough to
/// balance a sweep with few cells over the cores.
const BLOCK: u32 = 64;

/// One combination of instance type, formula, order, policy and workload.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    pub instance_type: String,
    pub formula: String,
    pub order: Order,
    pub policy: Policy,
    pub settings: NodeSettings,
    pub counts: Counts,
    pub cluster: Cluster,
    /// 1 for the deterministic orders.
    pub trials: u32,
    /// Set where the formula's value is flagged (e.g. outside the seed's table).
    pub note: Option<String>,
}

impl Cell {
    /// The key of this cell's random streams: the type, formula, order and
    /// workload (MODEL.md §7). The policy and node count are left out on
    /// purpose, so that policies are compared on the same random orders.
    pub fn stream_key(&self) -> u64 {
        let key = format!(
            "{}|{}|{}|{},{},{}",
            self.instance_type, self.formula, self.order, self.counts.sg, self.counts.ip, self.counts.host
        );
        stable_hash(key.as_bytes())
    }

    /// Replays trial `trial` of this cell. `buf` is the arrival buffer,
    /// reused across calls.
    pub fn run_trial(&self, seed: u64, trial: u32, replayer: &mut Replayer, buf: &mut Vec<Kind>) -> Outcome {
        self.run_keyed_trial(self.stream_key(), seed, trial, replayer, buf)
    }

    /// As [`Cell::run_trial`], with the stream key computed once by the caller.
    fn run_keyed_trial(
        &self,
        key: u64,
        seed: u64,
        trial: u32,
        replayer: &mut Replayer,
        buf: &mut Vec<Kind>,
    ) -> Outcome {
        let mut rng = trial_rng(seed, key, u64::from(trial));
        if self.order == Order::Random {
            // Drawn lazily: a saturated replay stops drawing.
            replayer.run(&self.cluster, self.counts, RandomArrivals::new(&mut rng, self.counts))
        } else {
            self.order.arrange(self.counts, &mut rng, buf);
            replayer.run(&self.cluster, self.counts, buf.iter().copied())
        }
    }
}

/// Exact running totals over a cell's trials: what every summary (static or
/// timed) is computed from.
#[derive(Debug, Clone, Default)]
pub(crate) struct Totals {
    /// Trials added.
    pub(crate) n: u64,
    running: [u64; 3],
    ip_failed: u64,
    ip_failed_sq: u128,
    pending: [u64; 3],
    wasted: u64,
    wasted_max: u32,
    stranded: u64,
    first_fail_min: Option<u32>,
    nodes: u64,
    with_failure: u64,
    /// ip-failed count per trial, for the percentiles.
    failed_each: Vec<u32>,
}

impl Totals {
    pub(crate) fn add(&mut self, o: &Outcome) {
        self.n += 1;
        for k in 0..3 {
            self.running[k] += u64::from(o.running[k]);
            self.pending[k] += u64::from(o.pending[k]);
        }
        self.ip_failed += u64::from(o.ip_failed);
        self.ip_failed_sq += u128::from(o.ip_failed) * u128::from(o.ip_failed);
        self.wasted += u64::from(o.wasted_ips);
        self.wasted_max = self.wasted_max.max(o.wasted_ips);
        self.stranded += u64::from(o.stranded_slots);
        if let Some(f) = o.first_ip_failure {
            self.first_fail_min = Some(self.first_fail_min.map_or(f, |m| m.min(f)));
        }
        self.nodes += u64::from(o.nodes);
        self.with_failure += u64::from(o.ip_failed > 0);
        self.failed_each.push(o.ip_failed);
    }

    fn merge(&mut self, other: Totals) {
        self.n += other.n;
        for k in 0..3 {
            self.running[k] += other.running[k];
            self.pending[k] += other.pending[k];
        }
        self.ip_failed += other.ip_failed;
        self.ip_failed_sq += other.ip_failed_sq;
        self.wasted += other.wasted;
        self.wasted_max = self.wasted_max.max(other.wasted_max);
        self.stranded += other.stranded;
        self.first_fail_min = match (self.first_fail_min, other.first_fail_min) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self.nodes += other.nodes;
        self.with_failure += other.with_failure;
        self.failed_each.extend(other.failed_each);
    }

    pub(crate) fn summarize(mut self, workload: u32) -> Summary {
        let n = self.n.max(1) as f64;
        let w = f64::from(workload.max(1));
        self.failed_each.sort_unstable();
        let rate = |x: Option<u32>| x.map_or(0.0, |v| f64::from(v) / w);
        Summary {
            trials: self.n,
            running_mean: self.running.map(|r| r as f64 / n),
            ip_failed_mean: self.ip_failed as f64 / n,
            pending_mean: self.pending.map(|p| p as f64 / n),
            failure_rate_mean: self.ip_failed as f64 / n / w,
            failure_rate_p50: rate(percentile(&self.failed_each, 0.50)),
            failure_rate_p95: rate(percentile(&self.failed_each, 0.95)),
            failure_rate_max: rate(self.failed_each.last().copied()),
            failure_rate_ci95: mean_ci95(self.n, u128::from(self.ip_failed), self.ip_failed_sq, w, true),
            trials_with_failure: self.with_failure,
            wasted_ips_mean: self.wasted as f64 / n,
            wasted_ips_max: self.wasted_max,
            stranded_slots_mean: self.stranded as f64 / n,
            first_ip_failure_min: self.first_fail_min,
            nodes_mean: self.nodes as f64 / n,
        }
    }
}

/// What a cell's trials add up to.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub trials: u64,
    /// Mean running pods per kind.
    pub running_mean: [f64; 3],
    pub ip_failed_mean: f64,
    pub pending_mean: [f64; 3],
    pub failure_rate_mean: f64,
    pub failure_rate_p50: f64,
    pub failure_rate_p95: f64,
    pub failure_rate_max: f64,
    /// 95% confidence interval of the mean failure rate (Student's t); `None`
    /// for a single trial.
    pub failure_rate_ci95: Option<(f64, f64)>,
    pub trials_with_failure: u64,
    pub wasted_ips_mean: f64,
    pub wasted_ips_max: u32,
    pub stranded_slots_mean: f64,
    pub first_ip_failure_min: Option<u32>,
    pub nodes_mean: f64,
}

impl Summary {
    pub fn running_total(&self) -> f64 {
        self.running_mean.iter().sum()
    }

    pub fn pending_total(&self) -> f64 {
        self.pending_mean.iter().sum()
    }
}

/// One trial's outcome, for `--trials-csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct TrialRecord {
    pub cell: usize,
    pub trial: u32,
    pub outcome: Outcome,
}

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
    use crate::model::node::{NodeSpec, SystemPods};
    use crate::model::replay::Nodes;

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
