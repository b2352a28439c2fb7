//! Workload pods: their kinds and counts (MODEL.md §1, §6).

use std::fmt;

use crate::model::node::NodeSpec;

/// The three kinds of workload pod.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum Kind {
    /// Matched by a SecurityGroupPolicy: a slot and a branch ENI.
    Sg = 0,
    /// Ordinary pod networking: a slot and an IP from the node's pool.
    Ip = 1,
    /// `hostNetwork: true`: a slot only.
    Host = 2,
}

impl Kind {
    pub const ALL: [Kind; 3] = [Kind::Sg, Kind::Ip, Kind::Host];

    pub fn index(self) -> usize {
        self as usize
    }

    pub fn name(self) -> &'static str {
        match self {
            Kind::Sg => "sg",
            Kind::Ip => "ip",
            Kind::Host => "host",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How many workload pods of each kind arrive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Counts {
    pub sg: u32,
    pub ip: u32,
    pub host: u32,
}

impl Counts {
    /// All workload pods. Counts are validated to sum below
    /// `input::bounds::MAX_PODS_PER_CELL`; see [`Counts::total_wide`] before that.
    pub fn total(&self) -> u32 {
        self.sg + self.ip + self.host
    }

    /// The total without overflow, for validation.
    pub fn total_wide(&self) -> u64 {
        u64::from(self.sg) + u64::from(self.ip) + u64::from(self.host)
    }

    pub fn get(&self, k: Kind) -> u32 {
        match k {
            Kind::Sg => self.sg,
            Kind::Ip => self.ip,
            Kind::Host => self.host,
        }
    }
}

/// A workload as a scenario states it: fixed counts, or the seed's fill.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Workload {
    /// The same counts for every cell: compares formulas on equal demand.
    Counts(Counts),
    /// The seed's experiment (MODEL.md §6), per node: `B` SG pods (the
    /// type's branch ENIs) and `M - S` IP pods (`S` the hostNetwork system
    /// pods), times `nodes`. It depends on the formula through `M`.
    SeedFill { nodes: u32 },
}

impl Workload {
    /// The counts for one node type (`branch_enis`, its `B`) and formula.
    /// Saturating: an absurd product is caught by the scenario's count check.
    pub fn counts(&self, branch_enis: u32, node: &NodeSpec) -> Counts {
        match *self {
            Workload::Counts(c) => c,
            Workload::SeedFill { nodes } => Counts {
                sg: branch_enis.saturating_mul(nodes),
                ip: node.max_pods.saturating_sub(node.system.host).saturating_mul(nodes),
                host: 0,
            },
        }
    }
}
