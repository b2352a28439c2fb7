//! What a timed cell's trials add up to: the static summary (the same
//! definitions as the static sweep, MODEL.md §6) and the timed measures of
//! §9, from exact integer totals merged in trial order.

use super::sim::{Sample, TrialOutcome};
use super::time::Time;
use crate::model::summary::{Summary, Totals, TrialRecord};

/// What a cell's trials add up to: the static summary (same definitions as
/// the static sweep) and the timed measures.
#[derive(Debug, Clone, PartialEq)]
pub struct CellResult {
    pub summary: Summary,
    pub timed: TimedSummary,
    /// The timeline of the scenario's chosen trial (empty if the cell has fewer trials).
    pub timeline: Vec<Sample>,
}

/// Timed measures, as means over the trials unless named otherwise.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TimedSummary {
    pub starting_mean: f64,
    pub completed_mean: f64,
    pub not_arrived_mean: f64,
    pub arrivals_mean: f64,
    /// Per kind: mean over trials of the trial's p50 and p95 time to
    /// running (trials where some pod of the kind ran), and the largest max.
    pub ttr_p50_mean: [Option<f64>; 3],
    pub ttr_p95_mean: [Option<f64>; 3],
    pub ttr_max: [Option<f64>; 3],
    pub ip_failed_pod_seconds_mean: f64,
    pub nodes_launched_mean: f64,
    pub node_hours_mean: f64,
    pub cost_mean: Option<f64>,
    pub ip_hours_wasted_mean: f64,
    pub events_mean: f64,
    pub end_max: Time,
}

/// Exact running totals over a cell's trials: the static summary's, then the timed ones.
#[derive(Default)]
pub struct TimedTotals {
    base: Totals,
    starting: u64,
    completed: u64,
    not_arrived: u64,
    arrivals: u64,
    ttr_p50: [(u64, u128); 3],
    ttr_p95: [(u64, u128); 3],
    ttr_max: [Option<Time>; 3],
    ip_failed_us: u128,
    launched: u64,
    node_us: u128,
    cost: Option<f64>,
    costed: bool,
    wasted_ip_us: u128,
    events: u64,
    end_max: Time,
}

impl TimedTotals {
    pub fn add(&mut self, t: &TrialOutcome) {
        self.base.add(&t.outcome);
        for k in 0..3 {
            self.starting += u64::from(t.starting[k]);
            self.completed += t.completed[k];
            let l = &t.latency[k];
            if let (Some(p50), Some(p95)) = (l.p50, l.p95) {
                self.ttr_p50[k].0 += 1;
                self.ttr_p50[k].1 += u128::from(p50.0);
                self.ttr_p95[k].0 += 1;
                self.ttr_p95[k].1 += u128::from(p95.0);
            }
            self.ttr_max[k] = self.ttr_max[k].max(l.max);
        }
        self.not_arrived += u64::from(t.not_arrived);
        self.arrivals += t.arrivals;
        self.ip_failed_us += u128::from(t.ip_failed_time.0);
        self.launched += u64::from(t.nodes_launched);
        self.node_us += u128::from(t.node_time.0);
        // Trials are added in trial order: the float sum is the same on any thread count.
        self.cost = match (self.costed, self.cost, t.cost) {
            (false, _, c) => c,
            (true, Some(a), Some(c)) => Some(a + c),
            _ => None,
        };
        self.costed = true;
        self.wasted_ip_us += t.wasted_ip_us;
        self.events += t.events;
        self.end_max = self.end_max.max(t.end);
    }

    pub fn finish(self, workload: u32) -> (Summary, TimedSummary) {
        let n = self.base.n.max(1) as f64;
        let summary = self.base.summarize(workload);
        let secs = |(k, sum): (u64, u128)| (k > 0).then(|| sum as f64 / k as f64 / 1e6);
        let timed = TimedSummary {
            starting_mean: self.starting as f64 / n,
            completed_mean: self.completed as f64 / n,
            not_arrived_mean: self.not_arrived as f64 / n,
            arrivals_mean: self.arrivals as f64 / n,
            ttr_p50_mean: self.ttr_p50.map(secs),
            ttr_p95_mean: self.ttr_p95.map(secs),
            ttr_max: self.ttr_max.map(|m| m.map(Time::as_secs_f64)),
            ip_failed_pod_seconds_mean: self.ip_failed_us as f64 / 1e6 / n,
            nodes_launched_mean: self.launched as f64 / n,
            node_hours_mean: self.node_us as f64 / 3.6e9 / n,
            cost_mean: self.cost.map(|c| c / n),
            ip_hours_wasted_mean: self.wasted_ip_us as f64 / 3.6e9 / n,
            events_mean: self.events as f64 / n,
            end_max: self.end_max,
        };
        (summary, timed)
    }
}

/// The result of a timed sweep, in cell order.
#[derive(Debug, Clone, PartialEq)]
pub struct TimedResult {
    pub seed: u64,
    pub cells: Vec<CellResult>,
    /// Every trial's outcome (timelines removed), in (cell, trial) order; empty unless asked for.
    pub trials: Vec<TrialRecord<TrialOutcome>>,
}
