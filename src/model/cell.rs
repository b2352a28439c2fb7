//! A cell: one combination of instance type, formula, order, policy and
//! workload, and how one of its trials is replayed (MODEL.md §5, §7).

use super::exact::{self, OneNode};
use super::node::NodeSettings;
use super::order::{Classes, Order, RandomArrivals};
use super::placement::Policy;
use super::replay::{Cluster, Nodes, Outcome, Replayer};
use super::rng::{stable_hash, trial_rng};
use super::workload::{Counts, Kind, Mix};

/// A cell's figures computed exactly rather than sampled (MODEL.md §7): the
/// distribution over uniformly random orders of one node's outcome.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Exact {
    /// `P(F > 0)`: the share of orders that leave a pod without an IP.
    pub failure_probability: f64,
    /// Failure rate (ip-failed / workload pods): mean, nearest-rank p50 and
    /// p95, and the largest that some order gives.
    pub failure_rate_mean: f64,
    pub failure_rate_p50: f64,
    pub failure_rate_p95: f64,
    pub failure_rate_max: f64,
    pub wasted_ips_mean: f64,
    pub stranded_slots_mean: f64,
    /// Expected pending pods (all kinds).
    pub pending_mean: f64,
    /// The earliest arrival index of a first ip-failed pod over all orders.
    pub first_ip_failure_min: Option<u32>,
}

/// One combination of instance type, formula, order, policy and workload.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    pub instance_type: String,
    pub formula: String,
    pub order: Order,
    pub policy: Policy,
    pub settings: NodeSettings,
    /// The workload's pods per kind (`mix.counts()`).
    pub counts: Counts,
    /// The workload's pods per class: one class per kind, or one per group
    /// of `[[workload.groups]]` (their requests are `cluster.node.res`).
    pub mix: Mix,
    pub cluster: Cluster,
    /// 1 for the deterministic orders.
    pub trials: u32,
    /// Set where the formula's value is flagged (e.g. outside the seed's table).
    pub note: Option<String>,
}

impl Cell {
    /// The key of this cell's random streams: the type, order and workload
    /// (MODEL.md §7). The formula is left out, so cells that differ only in
    /// the formula replay the same arrival orders (common random numbers):
    /// two formulas with the same `M` give the same figures, and a
    /// difference between formulas is never sampling noise. The policy and
    /// node count are left out too, so policies are compared on the same
    /// orders as well.
    pub fn stream_key(&self) -> u64 {
        let key = format!(
            "{}|{}|{},{},{}",
            self.instance_type, self.order, self.counts.sg, self.counts.ip, self.counts.host
        );
        stable_hash(key.as_bytes())
    }

    /// The key of the stream that assigns a random order's pods to their
    /// groups ([`Classes`]): the cell's stream key and the groups' counts.
    /// Only a workload with groups draws from it, so a workload without
    /// them keeps its figures, and one with them replays the same kinds'
    /// orders as its counts alone.
    pub fn class_stream_key(&self) -> u64 {
        let counts: Vec<String> = self.mix.class_counts().iter().map(u32::to_string).collect();
        stable_hash(format!("{}|classes|{}", self.stream_key(), counts.join(",")).as_bytes())
    }

    /// The exact figures of a random-order cell on exactly one node, where
    /// the state count stays within [`exact::STATE_BUDGET`]; `None` for
    /// other cells (a cluster, a deterministic order, too many pods).
    pub fn exact(&self) -> Option<Exact> {
        let one_node = matches!(
            self.cluster.nodes,
            Nodes::Fixed(1) | Nodes::Autoscale { initial: 1, max: 1 }
        );
        // The exact count knows slots, IPs and branches, not CPU or memory.
        if self.order != Order::Random || !one_node || self.cluster.node.res.counted() {
            return None;
        }
        let spec = &self.cluster.node;
        let d = exact::one_node(&OneNode {
            slots: spec.free_slots(),
            ips: spec.free_ips(),
            branches: spec.branch_capacity,
            sg: self.counts.sg,
            ip: self.counts.ip,
            host: self.counts.host,
        })?;
        let w = f64::from(self.counts.total().max(1));
        Some(Exact {
            failure_probability: d.any_failure(),
            failure_rate_mean: d.mean_failed() / w,
            failure_rate_p50: f64::from(d.percentile_failed(0.50)) / w,
            failure_rate_p95: f64::from(d.percentile_failed(0.95)) / w,
            failure_rate_max: f64::from(d.max_failed()) / w,
            wasted_ips_mean: d.wasted_ips,
            stranded_slots_mean: d.stranded_slots,
            pending_mean: d.pending.sg + d.pending.ip + d.pending.host,
            first_ip_failure_min: d.first_failure_min,
        })
    }

    /// Replays trial `trial` of this cell. `buf` is the arrival buffer,
    /// reused across calls.
    pub fn run_trial(&self, seed: u64, trial: u32, replayer: &mut Replayer, buf: &mut Vec<Kind>) -> Outcome {
        self.run_keyed_trial(self.stream_key(), seed, trial, replayer, buf)
    }

    /// As [`Cell::run_trial`], with the stream key computed once by the caller.
    pub fn run_keyed_trial(
        &self,
        key: u64,
        seed: u64,
        trial: u32,
        replayer: &mut Replayer,
        buf: &mut Vec<Kind>,
    ) -> Outcome {
        let mut rng = trial_rng(seed, key, u64::from(trial));
        if !self.mix.is_kinds() {
            let mut classes = trial_rng(seed, self.class_stream_key(), u64::from(trial));
            return if self.order == Order::Random {
                let kinds = RandomArrivals::new(&mut rng, self.counts);
                let pods = Classes::new(kinds, self.mix, self.order, Some(&mut classes));
                replayer.run(&self.cluster, self.counts, pods)
            } else {
                self.order.arrange(self.counts, &mut rng, buf);
                let pods = Classes::new(buf.iter().copied(), self.mix, self.order, None);
                replayer.run(&self.cluster, self.counts, pods)
            };
        }
        if self.order == Order::Random {
            // Drawn lazily: a saturated replay stops drawing.
            replayer.run(&self.cluster, self.counts, RandomArrivals::new(&mut rng, self.counts))
        } else {
            self.order.arrange(self.counts, &mut rng, buf);
            replayer.run(&self.cluster, self.counts, buf.iter().copied())
        }
    }
}
