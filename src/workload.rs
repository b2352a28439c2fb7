//! Workload pods: their kinds and counts (MODEL.md §1, §6).

use std::fmt;

use crate::node::NodeSpec;

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
    pub fn total(&self) -> u32 {
        self.sg + self.ip + self.host
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
    /// The seed's experiment, per node: `B` SG pods and every free slot's
    /// worth of IP pods (`M - S` with host-only system pods), times `nodes`.
    /// It depends on the formula through `M`.
    SeedFill { nodes: u32 },
}

impl Workload {
    /// The counts for one node type and formula.
    pub fn counts(&self, node: &NodeSpec) -> Counts {
        match *self {
            Workload::Counts(c) => c,
            Workload::SeedFill { nodes } => Counts {
                sg: node.branch_capacity * nodes,
                ip: node.free_slots() * nodes,
                host: 0,
            },
        }
    }
}
