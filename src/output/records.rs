//! The plain records charts take besides summary rows, and the CSV forms the
//! run step writes them in (read back by [`crate::output::read`]).

use crate::model::cell::Cell;
use crate::model::exact::NodeRoom;
use crate::model::order::Order;
use crate::model::summary::Summary;
use crate::output::num;

/// `failure-spread.csv`: the distribution of one random-order cell's
/// failure rate over its trials, as quantiles (not the trials themselves).
#[derive(Debug, Clone, PartialEq)]
pub struct SpreadRow {
    pub instance_type: String,
    pub formula: String,
    pub policy: String,
    pub trials: u64,
    pub seed: u64,
    /// Failure rates (ip-failed / workload pods), each in 0..=1.
    pub min: f64,
    pub p05: f64,
    pub p25: f64,
    pub p50: f64,
    pub p75: f64,
    pub p95: f64,
    pub max: f64,
    pub mean: f64,
    pub trials_with_failure: u64,
}

impl SpreadRow {
    /// The spread of every random-order cell, from the main sweep's own
    /// trials (nothing is replayed again).
    pub fn from_sweep(cells: &[Cell], summaries: &[Summary], seed: u64) -> Vec<SpreadRow> {
        cells
            .iter()
            .zip(summaries)
            .filter(|(c, _)| c.order == Order::Random)
            .map(|(c, s)| SpreadRow {
                instance_type: c.instance_type.clone(),
                formula: c.formula.clone(),
                policy: c.policy.to_string(),
                trials: s.trials,
                seed,
                min: s.failure_rate_min,
                p05: s.failure_rate_p05,
                p25: s.failure_rate_p25,
                p50: s.failure_rate_p50,
                p75: s.failure_rate_p75,
                p95: s.failure_rate_p95,
                max: s.failure_rate_max,
                mean: s.failure_rate_mean,
                trials_with_failure: s.trials_with_failure,
            })
            .collect()
    }
}

pub const SPREAD_COLUMNS: [&str; 14] = [
    "instance_type",
    "formula",
    "policy",
    "trials",
    "seed",
    "failure_rate_min",
    "failure_rate_p05",
    "failure_rate_p25",
    "failure_rate_p50",
    "failure_rate_p75",
    "failure_rate_p95",
    "failure_rate_max",
    "failure_rate_mean",
    "trials_with_failure",
];

/// `safe-region.csv`: one grid point of the safe-region map, a single node
/// of `instance_type` with `max_pods` slots and a workload of
/// `max_pods - system pods` pods of which `sg_share` are SG pods, replayed
/// in random orders.
#[derive(Debug, Clone, PartialEq)]
pub struct SafeCell {
    pub instance_type: String,
    pub policy: String,
    /// SG pods / workload pods, in 0..=1 (the intended share; the counts are rounded).
    pub sg_share: f64,
    pub max_pods: u32,
    pub sg_pods: u32,
    pub ip_pods: u32,
    /// `exact`: computed over every arrival order, not sampled.
    pub method: String,
    /// The probability that a random order leaves a pod without an IP.
    pub failure_probability: f64,
    pub failure_rate_mean: f64,
}

pub const SAFE_REGION_COLUMNS: [&str; 9] = [
    "instance_type",
    "policy",
    "sg_share",
    "max_pods",
    "sg_pods",
    "ip_pods",
    "method",
    "failure_probability",
    "failure_rate_mean",
];

/// `node-room.csv`: what a node of `instance_type` under `formula` has for
/// the workload's CPU and memory (Karpenter's allocatable less the system
/// pods' requests) and what one SG and one IP pod request. A run writes it
/// where its pods request CPU or memory with one request per kind, so that
/// the report counts the nodes the run had, whatever catalog it read.
#[derive(Debug, Clone, PartialEq)]
pub struct RoomRow {
    pub instance_type: String,
    pub formula: String,
    /// Karpenter's `RESERVED_ENIS` under the formula (its kube-reserved
    /// memory counts the ENI-limited pods less these ENIs): N under
    /// `karpenter-reserved-enis:N`, else 0.
    pub reserved_enis: u32,
    pub room: NodeRoom,
}

pub const NODE_ROOM_COLUMNS: [&str; 9] = [
    "instance_type",
    "formula",
    "reserved_enis",
    "free_cpu_millicores",
    "free_memory_bytes",
    "sg_cpu_millicores",
    "sg_memory_bytes",
    "ip_cpu_millicores",
    "ip_memory_bytes",
];

/// `node-room.csv`.
pub fn node_room_csv(rows: &[RoomRow]) -> Vec<u8> {
    crate::output::csv::plain(
        &NODE_ROOM_COLUMNS,
        rows.iter().map(|r| {
            let NodeRoom { free, sg, ip } = r.room;
            let mut line = vec![r.instance_type.clone(), r.formula.clone(), r.reserved_enis.to_string()];
            for res in [free, sg, ip] {
                line.push(res.cpu.to_string());
                line.push(res.memory.to_string());
            }
            line
        }),
    )
}

/// One row of `timeline.csv`: the state of one cell's chosen trial at a
/// sample time (MODEL.md §9's measures over time).
#[derive(Debug, Clone, PartialEq)]
pub struct TimelineSample {
    pub instance_type: String,
    pub formula: String,
    pub order: String,
    pub policy: String,
    pub trial: u64,
    pub time_s: f64,
    pub running: f64,
    pub pending: f64,
    pub starting: f64,
    pub waiting_ip: f64,
    pub ip_failed: f64,
    pub completed: f64,
    pub nodes_launching: f64,
    pub nodes_ready: f64,
}

/// The columns of `timeline.csv`, in order: what the timed run writes and
/// `sgpsim report` reads.
pub const TIMELINE_COLUMNS: [&str; 14] = [
    "instance_type",
    "formula",
    "order",
    "policy",
    "trial",
    "time_s",
    "running",
    "pending",
    "starting",
    "waiting_ip",
    "ip_failed",
    "completed",
    "nodes_launching",
    "nodes_ready",
];

/// `failure-spread.csv`.
pub fn spread_csv(rows: &[SpreadRow]) -> Vec<u8> {
    crate::output::csv::plain(
        &SPREAD_COLUMNS,
        rows.iter().map(|r| {
            vec![
                r.instance_type.clone(),
                r.formula.clone(),
                r.policy.clone(),
                r.trials.to_string(),
                r.seed.to_string(),
                num(r.min),
                num(r.p05),
                num(r.p25),
                num(r.p50),
                num(r.p75),
                num(r.p95),
                num(r.max),
                num(r.mean),
                r.trials_with_failure.to_string(),
            ]
        }),
    )
}

/// `safe-region.csv`.
pub fn safe_region_csv(cells: &[SafeCell]) -> Vec<u8> {
    crate::output::csv::plain(
        &SAFE_REGION_COLUMNS,
        cells.iter().map(|c| {
            vec![
                c.instance_type.clone(),
                c.policy.clone(),
                num(c.sg_share),
                c.max_pods.to_string(),
                c.sg_pods.to_string(),
                c.ip_pods.to_string(),
                c.method.clone(),
                num(c.failure_probability),
                num(c.failure_rate_mean),
            ]
        }),
    )
}

/// `timeline.csv`.
pub fn timeline_csv(samples: &[TimelineSample]) -> Vec<u8> {
    crate::output::csv::plain(
        &TIMELINE_COLUMNS,
        samples.iter().map(|s| {
            vec![
                s.instance_type.clone(),
                s.formula.clone(),
                s.order.clone(),
                s.policy.clone(),
                s.trial.to_string(),
                num(s.time_s),
                num(s.running),
                num(s.pending),
                num(s.starting),
                num(s.waiting_ip),
                num(s.ip_failed),
                num(s.completed),
                num(s.nodes_launching),
                num(s.nodes_ready),
            ]
        }),
    )
}
