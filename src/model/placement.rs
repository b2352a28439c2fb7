//! Placement (MODEL.md §5) and the per-node measures (§6), stated once.
//!
//! The static replay (its general loop and its one-node fast path), the
//! timed engine and its node index all decide with these functions, so a
//! rule of §5 or §6 changes in one place. They take a node's usage and its
//! [`NodeSpec`] and are written without branches on the pod's kind (`&` and
//! `|`, not `&&` and `||`): in a random order the kind is unpredictable.

use std::fmt;
use std::str::FromStr;

use super::invalid::Invalid;
use super::node::NodeSpec;

/// How the scheduler scores fitting nodes (MODEL.md §5 step 3). Ties go to
/// the lowest node index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Policy {
    /// Most slots used: bin-packing.
    MostAllocated,
    /// Fewest slots used: spreading.
    LeastAllocated,
    /// Lowest index.
    FirstFit,
}

impl Policy {
    pub const ALL: [Policy; 3] = [Policy::MostAllocated, Policy::LeastAllocated, Policy::FirstFit];

    pub fn name(self) -> &'static str {
        match self {
            Policy::MostAllocated => "most-allocated",
            Policy::LeastAllocated => "least-allocated",
            Policy::FirstFit => "first-fit",
        }
    }
}

impl fmt::Display for Policy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Policy {
    type Err = Invalid;
    fn from_str(s: &str) -> Result<Policy, Invalid> {
        Policy::ALL.into_iter().find(|p| p.name() == s).ok_or_else(|| {
            Invalid::new(
                "policy",
                format!("unknown policy `{s}`"),
                "use one of most-allocated, least-allocated, first-fit",
            )
        })
    }
}

/// One node's usage, system pods included: what the scheduler counts (slots,
/// branch ENIs) and what the CNI counts (IPs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Usage {
    pub slots: u32,
    pub ips: u32,
    pub branches: u32,
}

impl Usage {
    /// An empty node of this spec: its system pods placed.
    #[inline]
    pub fn empty(spec: &NodeSpec) -> Usage {
        Usage {
            slots: spec.system.total(),
            ips: spec.system.ip,
            branches: 0,
        }
    }
}

/// Step 1, the scheduler's filter: a free slot, and for an SG pod a free
/// branch ENI. `branch_capacity` is what the node advertises now (the timed
/// model advertises 0 until the trunk is up).
#[inline]
pub fn fits(max_pods: u32, branch_capacity: u32, slots: u32, branches: u32, sg: bool) -> bool {
    (slots < max_pods) & (!sg | (branches < branch_capacity))
}

/// Step 3, the policy's score of a fitting node with `slots` used: the
/// smallest score wins, ties go to the lowest node index.
#[inline]
pub fn score(policy: Policy, slots: u32) -> u32 {
    match policy {
        Policy::MostAllocated => u32::MAX - slots,
        Policy::LeastAllocated => slots,
        Policy::FirstFit => 0,
    }
}

/// Step 4, the network at bind time: an IP pod gets an IP while the node's
/// pool has one left; otherwise it is ip-failed and keeps its slot.
#[inline]
pub fn gets_ip(ip_capacity: u32, ips: u32) -> bool {
    ips < ip_capacity
}

/// §6 wasted IPs of one node: its free IPs, if every slot is used.
#[inline]
pub fn wasted_ips(spec: &NodeSpec, u: Usage) -> u32 {
    if u.slots >= spec.max_pods {
        spec.ip_capacity.saturating_sub(u.ips)
    } else {
        0
    }
}

/// §6 stranded slots of one node: its free slots, if it has no free IP and
/// no free branch ENI (no pod that needs either can use them).
#[inline]
pub fn stranded_slots(spec: &NodeSpec, u: Usage) -> u32 {
    if u.ips >= spec.ip_capacity && u.branches >= spec.branch_capacity {
        spec.max_pods.saturating_sub(u.slots)
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::node::SystemPods;

    fn spec(m: u32, ips: u32, br: u32) -> NodeSpec {
        NodeSpec {
            max_pods: m,
            ip_capacity: ips,
            branch_capacity: br,
            system: SystemPods { host: 2, ip: 1 },
        }
    }

    #[test]
    fn filter_needs_a_slot_and_for_sg_pods_a_branch() {
        assert!(fits(10, 2, 9, 2, false));
        assert!(!fits(10, 2, 9, 2, true), "no branch left");
        assert!(!fits(10, 2, 10, 0, false), "no slot left");
        assert!(!fits(10, 0, 3, 0, true), "no trunk: no SG pod");
    }

    #[test]
    fn scores_pack_spread_or_take_the_first() {
        assert!(score(Policy::MostAllocated, 8) < score(Policy::MostAllocated, 3));
        assert!(score(Policy::LeastAllocated, 3) < score(Policy::LeastAllocated, 8));
        assert_eq!(score(Policy::FirstFit, 3), score(Policy::FirstFit, 8));
    }

    #[test]
    fn measures_of_one_node() {
        let s = spec(10, 6, 2);
        assert_eq!(
            Usage::empty(&s),
            Usage {
                slots: 3,
                ips: 1,
                branches: 0
            }
        );
        // Full, 2 IPs free: 2 wasted; not stranded (an IP is free).
        let full = Usage {
            slots: 10,
            ips: 4,
            branches: 2,
        };
        assert_eq!((wasted_ips(&s, full), stranded_slots(&s, full)), (2, 0));
        // IPs and branches gone, 3 slots free: 3 stranded, nothing wasted (not full).
        let stuck = Usage {
            slots: 7,
            ips: 6,
            branches: 2,
        };
        assert_eq!((wasted_ips(&s, stuck), stranded_slots(&s, stuck)), (0, 3));
        assert!(gets_ip(6, 5) && !gets_ip(6, 6));
    }
}
