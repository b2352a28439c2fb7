//! One row of `summary.csv` (and of the terminal table and the JSON): a
//! cell's settings and its summary's figures, as plain fields.

use serde::Serialize;

use crate::model::cell::Cell;
use crate::model::summary::Summary;

/// One summary row: a cell and what its trials add up to.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub instance_type: String,
    pub formula: String,
    pub order: String,
    pub policy: String,
    pub trials: u64,
    pub seed: u64,
    pub system_pods: u32,
    pub system_ip_pods: u32,
    pub sg_pods: u32,
    pub ip_pods: u32,
    pub max_pods: u32,
    pub ip_capacity: u32,
    pub branch_capacity: u32,
    pub running_mean: f64,
    pub ip_failed_mean: f64,
    pub pending_mean: f64,
    pub failure_rate_mean: f64,
    pub failure_rate_p50: f64,
    pub failure_rate_p95: f64,
    pub failure_rate_max: f64,
    pub trials_with_failure: u64,
    pub wasted_ips_mean: f64,
    pub wasted_ips_max: u32,
    pub stranded_slots_mean: f64,
    pub first_ip_failure_min: Option<u32>,
    pub nodes_mean: f64,
    // Columns after the required ones.
    pub host_pods: u32,
    pub failure_rate_ci95_low: Option<f64>,
    pub failure_rate_ci95_high: Option<f64>,
    pub running_sg_mean: f64,
    pub running_ip_mean: f64,
    pub running_host_mean: f64,
    pub pending_sg_mean: f64,
    pub pending_ip_mean: f64,
    pub pending_host_mean: f64,
    pub sgp: bool,
    pub prefix_delegation: bool,
    pub nodes: String,
    pub note: String,
    /// `exact` where the figures below are computed exactly (one node,
    /// random orders) or the order is deterministic; else `monte-carlo`.
    pub method: String,
    /// Monte Carlo: the share of trials with a failure, and its 95% Wilson interval.
    pub failure_probability: f64,
    pub failure_probability_ci95_low: Option<f64>,
    pub failure_probability_ci95_high: Option<f64>,
    /// Exact figures over uniformly random orders (empty unless `method = exact`
    /// for a random order).
    pub exact_failure_probability: Option<f64>,
    pub exact_failure_rate_mean: Option<f64>,
    pub exact_failure_rate_p50: Option<f64>,
    pub exact_failure_rate_p95: Option<f64>,
    pub exact_failure_rate_max: Option<f64>,
    pub exact_wasted_ips_mean: Option<f64>,
    pub exact_stranded_slots_mean: Option<f64>,
    pub exact_pending_mean: Option<f64>,
    pub exact_first_ip_failure_min: Option<u32>,
}

impl Row {
    pub fn new(cell: &Cell, s: &Summary, seed: u64) -> Row {
        let node = &cell.cluster.node;
        Row {
            instance_type: cell.instance_type.clone(),
            formula: cell.formula.clone(),
            order: cell.order.to_string(),
            policy: cell.policy.to_string(),
            trials: s.trials,
            seed,
            system_pods: node.system.host,
            system_ip_pods: node.system.ip,
            sg_pods: cell.counts.sg,
            ip_pods: cell.counts.ip,
            max_pods: node.max_pods,
            ip_capacity: node.ip_capacity,
            branch_capacity: node.branch_capacity,
            running_mean: s.running_total(),
            ip_failed_mean: s.ip_failed_mean,
            pending_mean: s.pending_total(),
            failure_rate_mean: s.failure_rate_mean,
            failure_rate_p50: s.failure_rate_p50,
            failure_rate_p95: s.failure_rate_p95,
            failure_rate_max: s.failure_rate_max,
            trials_with_failure: s.trials_with_failure,
            wasted_ips_mean: s.wasted_ips_mean,
            wasted_ips_max: s.wasted_ips_max,
            stranded_slots_mean: s.stranded_slots_mean,
            first_ip_failure_min: s.first_ip_failure_min,
            nodes_mean: s.nodes_mean,
            host_pods: cell.counts.host,
            failure_rate_ci95_low: s.failure_rate_ci95.map(|c| c.0),
            failure_rate_ci95_high: s.failure_rate_ci95.map(|c| c.1),
            running_sg_mean: s.running_mean[0],
            running_ip_mean: s.running_mean[1],
            running_host_mean: s.running_mean[2],
            pending_sg_mean: s.pending_mean[0],
            pending_ip_mean: s.pending_mean[1],
            pending_host_mean: s.pending_mean[2],
            sgp: cell.settings.sgp,
            prefix_delegation: cell.settings.prefix_delegation,
            nodes: match cell.cluster.nodes {
                crate::model::replay::Nodes::Fixed(n) => format!("fixed:{n}"),
                crate::model::replay::Nodes::Autoscale { initial, max } => format!("autoscale:{initial}..{max}"),
            },
            note: cell.note.clone().unwrap_or_default(),
            method: if s.exact.is_some() || !cell.order.is_random() {
                "exact".into()
            } else {
                "monte-carlo".into()
            },
            failure_probability: s.failure_probability(),
            failure_probability_ci95_low: s.failure_probability_ci95.map(|c| c.0),
            failure_probability_ci95_high: s.failure_probability_ci95.map(|c| c.1),
            exact_failure_probability: s.exact.map(|e| e.failure_probability),
            exact_failure_rate_mean: s.exact.map(|e| e.failure_rate_mean),
            exact_failure_rate_p50: s.exact.map(|e| e.failure_rate_p50),
            exact_failure_rate_p95: s.exact.map(|e| e.failure_rate_p95),
            exact_failure_rate_max: s.exact.map(|e| e.failure_rate_max),
            exact_wasted_ips_mean: s.exact.map(|e| e.wasted_ips_mean),
            exact_stranded_slots_mean: s.exact.map(|e| e.stranded_slots_mean),
            exact_pending_mean: s.exact.map(|e| e.pending_mean),
            exact_first_ip_failure_min: s.exact.and_then(|e| e.first_ip_failure_min),
        }
    }
}

/// Rows for every cell of a sweep.
pub fn rows(cells: &[Cell], summaries: &[Summary], seed: u64) -> Vec<Row> {
    cells.iter().zip(summaries).map(|(c, s)| Row::new(c, s, seed)).collect()
}
