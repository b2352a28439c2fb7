//! What a cell's trials add up to (MODEL.md §6 measures over §7's trials):
//! exact integer totals, merged in (cell, trial) order, summarised once.

use super::cell::Exact;
use super::replay::Outcome;
use super::stats::{mean_ci95, percentile, wilson95};

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

    pub(crate) fn merge(&mut self, other: Totals) {
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

    /// These totals as plain figures, the per-trial failure counts as a
    /// histogram (ascending): what a shard writes, exact to the last bit.
    pub fn figures(&self) -> TotalsFigures {
        let mut sorted = self.failed_each.clone();
        sorted.sort_unstable();
        let mut failed_histogram: Vec<(u32, u64)> = Vec::new();
        for v in sorted {
            match failed_histogram.last_mut() {
                Some((last, count)) if *last == v => *count += 1,
                _ => failed_histogram.push((v, 1)),
            }
        }
        TotalsFigures {
            n: self.n,
            running: self.running,
            ip_failed: self.ip_failed,
            ip_failed_sq: self.ip_failed_sq,
            pending: self.pending,
            wasted: self.wasted,
            wasted_max: self.wasted_max,
            stranded: self.stranded,
            first_fail_min: self.first_fail_min,
            nodes: self.nodes,
            with_failure: self.with_failure,
            failed_histogram,
        }
    }

    /// The totals whose [`Totals::figures`] these are. The percentiles are
    /// taken over the sorted multiset, so the expanded histogram gives the
    /// same summary as the trials themselves.
    pub fn from_figures(f: &TotalsFigures) -> Totals {
        Totals {
            n: f.n,
            running: f.running,
            ip_failed: f.ip_failed,
            ip_failed_sq: f.ip_failed_sq,
            pending: f.pending,
            wasted: f.wasted,
            wasted_max: f.wasted_max,
            stranded: f.stranded,
            first_fail_min: f.first_fail_min,
            nodes: f.nodes,
            with_failure: f.with_failure,
            failed_each: f
                .failed_histogram
                .iter()
                .flat_map(|&(v, k)| std::iter::repeat_n(v, k as usize))
                .collect(),
        }
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
            failure_rate_min: rate(self.failed_each.first().copied()),
            failure_rate_p05: rate(percentile(&self.failed_each, 0.05)),
            failure_rate_p25: rate(percentile(&self.failed_each, 0.25)),
            failure_rate_p50: rate(percentile(&self.failed_each, 0.50)),
            failure_rate_p75: rate(percentile(&self.failed_each, 0.75)),
            failure_rate_p95: rate(percentile(&self.failed_each, 0.95)),
            failure_rate_max: rate(self.failed_each.last().copied()),
            failure_rate_ci95: mean_ci95(self.n, u128::from(self.ip_failed), self.ip_failed_sq, w, true),
            trials_with_failure: self.with_failure,
            failure_probability_ci95: wilson95(self.with_failure, self.n),
            exact: None,
            wasted_ips_mean: self.wasted as f64 / n,
            wasted_ips_max: self.wasted_max,
            stranded_slots_mean: self.stranded as f64 / n,
            first_ip_failure_min: self.first_fail_min,
            nodes_mean: self.nodes as f64 / n,
        }
    }
}

/// [`Totals`] as plain figures: integer sums, extremes and the histogram of
/// ip-failed pods per trial (value, trials), ascending. Totals merge exactly
/// in any order, so partial totals of trial ranges run apart (shards) add
/// up to the totals of one run.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TotalsFigures {
    pub n: u64,
    pub running: [u64; 3],
    pub ip_failed: u64,
    pub ip_failed_sq: u128,
    pub pending: [u64; 3],
    pub wasted: u64,
    pub wasted_max: u32,
    pub stranded: u64,
    pub first_fail_min: Option<u32>,
    pub nodes: u64,
    pub with_failure: u64,
    pub failed_histogram: Vec<(u32, u64)>,
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
    /// Nearest-rank quantiles of the failure rate over the trials (the
    /// failure spread of the report).
    pub failure_rate_min: f64,
    pub failure_rate_p05: f64,
    pub failure_rate_p25: f64,
    pub failure_rate_p50: f64,
    pub failure_rate_p75: f64,
    pub failure_rate_p95: f64,
    pub failure_rate_max: f64,
    /// 95% confidence interval of the mean failure rate (Student's t); `None`
    /// for a single trial.
    pub failure_rate_ci95: Option<(f64, f64)>,
    pub trials_with_failure: u64,
    /// 95% Wilson interval of the share of trials with a failure.
    pub failure_probability_ci95: Option<(f64, f64)>,
    /// The cell's exact figures, where they can be computed (set by the runner).
    pub exact: Option<Exact>,
    pub wasted_ips_mean: f64,
    pub wasted_ips_max: u32,
    pub stranded_slots_mean: f64,
    pub first_ip_failure_min: Option<u32>,
    pub nodes_mean: f64,
}

impl Summary {
    /// The share of trials with at least one ip-failed pod.
    pub fn failure_probability(&self) -> f64 {
        self.trials_with_failure as f64 / self.trials.max(1) as f64
    }

    pub fn running_total(&self) -> f64 {
        self.running_mean.iter().sum()
    }

    pub fn pending_total(&self) -> f64 {
        self.pending_mean.iter().sum()
    }
}

/// One trial's outcome, for `trials.csv`: the static replay's [`Outcome`]
/// or the timed engine's trial outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct TrialRecord<O = Outcome> {
    pub cell: usize,
    pub trial: u32,
    pub outcome: O,
}
