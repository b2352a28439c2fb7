//! What a timed cell's trials add up to: the static summary (the same
//! definitions as the static sweep, MODEL.md §6) and the timed measures of
//! §9, from exact integer totals merged in trial order.

use super::sim::{Sample, TrialOutcome};
use super::time::Time;
use crate::model::summary::{Summary, Totals, TotalsFigures, TrialRecord};

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
    /// The most addresses in use at once over the trials, in the node
    /// subnet and in the ENIConfig's: with no subnet limit, the smallest
    /// subnets with which no pod waits on addresses.
    pub subnet_peak_max: [u64; 2],
    /// Pods that waited on a subnet.
    pub subnet_waited_mean: f64,
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
    /// Each trial's cost, in trial order: a float sum depends on its order,
    /// so it is added up once, at the end, in trial order.
    costs: Vec<Option<f64>>,
    wasted_ip_us: u128,
    subnet_peak_max: [u64; 2],
    subnet_waited: u64,
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
        self.costs.push(t.cost);
        self.wasted_ip_us += t.wasted_ip_us;
        for s in 0..2 {
            self.subnet_peak_max[s] = self.subnet_peak_max[s].max(t.subnet_peak[s]);
        }
        self.subnet_waited += u64::from(t.subnet_waited);
        self.events += t.events;
        self.end_max = self.end_max.max(t.end);
    }

    /// Adds the totals of the trials that follow these ones (in trial
    /// order: the costs are kept in sequence).
    pub fn merge(&mut self, later: TimedTotals) {
        self.base.merge(later.base);
        for k in 0..3 {
            self.ttr_p50[k].0 += later.ttr_p50[k].0;
            self.ttr_p50[k].1 += later.ttr_p50[k].1;
            self.ttr_p95[k].0 += later.ttr_p95[k].0;
            self.ttr_p95[k].1 += later.ttr_p95[k].1;
            self.ttr_max[k] = self.ttr_max[k].max(later.ttr_max[k]);
        }
        self.starting += later.starting;
        self.completed += later.completed;
        self.not_arrived += later.not_arrived;
        self.arrivals += later.arrivals;
        self.ip_failed_us += later.ip_failed_us;
        self.launched += later.launched;
        self.node_us += later.node_us;
        self.costs.extend(later.costs);
        self.wasted_ip_us += later.wasted_ip_us;
        for s in 0..2 {
            self.subnet_peak_max[s] = self.subnet_peak_max[s].max(later.subnet_peak_max[s]);
        }
        self.subnet_waited += later.subnet_waited;
        self.events += later.events;
        self.end_max = self.end_max.max(later.end_max);
    }

    /// These totals as plain figures (what a shard writes).
    pub fn figures(&self) -> TimedFigures {
        TimedFigures {
            base: self.base.figures(),
            starting: self.starting,
            completed: self.completed,
            not_arrived: self.not_arrived,
            arrivals: self.arrivals,
            ttr_p50: self.ttr_p50,
            ttr_p95: self.ttr_p95,
            ttr_max: self.ttr_max.map(|m| m.map(|t| t.0)),
            ip_failed_us: self.ip_failed_us,
            launched: self.launched,
            node_us: self.node_us,
            costs: self.costs.clone(),
            wasted_ip_us: self.wasted_ip_us,
            subnet_peak_max: self.subnet_peak_max,
            subnet_waited: self.subnet_waited,
            events: self.events,
            end_max: self.end_max.0,
        }
    }

    /// The totals whose [`TimedTotals::figures`] these are.
    pub fn from_figures(f: &TimedFigures) -> TimedTotals {
        TimedTotals {
            base: Totals::from_figures(&f.base),
            starting: f.starting,
            completed: f.completed,
            not_arrived: f.not_arrived,
            arrivals: f.arrivals,
            ttr_p50: f.ttr_p50,
            ttr_p95: f.ttr_p95,
            ttr_max: f.ttr_max.map(|m| m.map(Time)),
            ip_failed_us: f.ip_failed_us,
            launched: f.launched,
            node_us: f.node_us,
            costs: f.costs.clone(),
            wasted_ip_us: f.wasted_ip_us,
            subnet_peak_max: f.subnet_peak_max,
            subnet_waited: f.subnet_waited,
            events: f.events,
            end_max: Time(f.end_max),
        }
    }

    pub fn finish(self, workload: u32) -> (Summary, TimedSummary) {
        let n = self.base.n.max(1) as f64;
        // Added in trial order, from the first trial's cost: the same float
        // sum on any thread count and from any split into shards.
        let mut costs = self.costs.iter();
        let cost = costs
            .next()
            .and_then(|&first| costs.try_fold(first?, |a, c| c.map(|c| a + c)));
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
            cost_mean: cost.map(|c| c / n),
            ip_hours_wasted_mean: self.wasted_ip_us as f64 / 3.6e9 / n,
            subnet_peak_max: self.subnet_peak_max,
            subnet_waited_mean: self.subnet_waited as f64 / n,
            events_mean: self.events as f64 / n,
            end_max: self.end_max,
        };
        (summary, timed)
    }
}

/// [`TimedTotals`] as plain figures: integers (times in microseconds) and
/// each trial's cost in trial order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TimedFigures {
    pub base: TotalsFigures,
    pub starting: u64,
    pub completed: u64,
    pub not_arrived: u64,
    pub arrivals: u64,
    pub ttr_p50: [(u64, u128); 3],
    pub ttr_p95: [(u64, u128); 3],
    pub ttr_max: [Option<u64>; 3],
    pub ip_failed_us: u128,
    pub launched: u64,
    pub node_us: u128,
    pub costs: Vec<Option<f64>>,
    pub wasted_ip_us: u128,
    pub subnet_peak_max: [u64; 2],
    pub subnet_waited: u64,
    pub events: u64,
    pub end_max: u64,
}

/// The result of a timed sweep, in cell order.
#[derive(Debug, Clone, PartialEq)]
pub struct TimedResult {
    pub seed: u64,
    pub cells: Vec<CellResult>,
    /// Every trial's outcome (timelines removed), in (cell, trial) order; empty unless asked for.
    pub trials: Vec<TrialRecord<TrialOutcome>>,
}
