//! A cell: one combination of instance type, formula, order, policy and
//! workload, and how one of its trials is replayed (MODEL.md §5, §7).

use super::node::NodeSettings;
use super::order::{Order, RandomArrivals};
use super::placement::Policy;
use super::replay::{Cluster, Outcome, Replayer};
use super::rng::{stable_hash, trial_rng};
use super::workload::{Counts, Kind};

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
    pub fn run_keyed_trial(
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
