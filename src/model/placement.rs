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
use super::node::{NodeSpec, Res, Resources};
use super::workload::{Kind, Pod};

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
/// branch ENIs, CPU and memory requests) and what the CNI counts (IPs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Usage {
    pub slots: u32,
    pub ips: u32,
    pub branches: u32,
    /// The bound pods' requests (the filter's sum).
    pub requested: Res,
    /// The same with kube-scheduler's non-zero defaults (the scores' sum,
    /// `NodeInfo.NonZeroRequested`).
    pub non_zero: Res,
}

impl Usage {
    /// An empty node of this spec: its system pods placed.
    #[inline]
    pub fn empty(spec: &NodeSpec) -> Usage {
        Usage {
            slots: spec.system.total(),
            ips: spec.system.ip,
            branches: 0,
            requested: spec.res.system(&spec.system),
            non_zero: spec.res.system_scored(&spec.system),
        }
    }

    /// Step 4's count of pod `pod` bound here: a slot, a branch ENI for an
    /// SG pod, and its class's requests. (Its IP is the network's business:
    /// [`gets_ip`].)
    #[inline]
    pub fn bind(&mut self, spec: &NodeSpec, pod: Pod) {
        let class = usize::from(pod.class);
        self.slots += 1;
        self.branches += u32::from(pod.kind == Kind::Sg);
        self.requested = self.requested.plus_times(spec.res.requested(class), 1);
        self.non_zero = self.non_zero.plus_times(spec.res.scored_pod(class), 1);
    }

    /// The reverse of [`Usage::bind`]: the pod ends (its IP, if it held
    /// one, is the caller's business).
    #[inline]
    pub fn unbind(&mut self, spec: &NodeSpec, pod: Pod) {
        let class = usize::from(pod.class);
        let r = spec.res.requested(class);
        let nz = spec.res.scored_pod(class);
        self.slots -= 1;
        self.branches -= u32::from(pod.kind == Kind::Sg);
        self.requested.cpu -= r.cpu;
        self.requested.memory -= r.memory;
        self.non_zero.cpu -= nz.cpu;
        self.non_zero.memory -= nz.memory;
    }
}

/// Step 1, the scheduler's filter: a free slot, for an SG pod a free branch
/// ENI, and, where pods request CPU or memory, room for the pod's requests
/// within the node's allocatable (NodeResourcesFit's filter). `branch_capacity`
/// is what the node advertises now (the timed model advertises 0 until the
/// trunk is up).
#[inline]
pub fn fits(spec: &NodeSpec, branch_capacity: u32, u: &Usage, pod: Pod) -> bool {
    fits_network(
        spec.max_pods,
        branch_capacity,
        u.slots,
        u.branches,
        pod.kind == Kind::Sg,
    ) & fits_resources(spec, u, pod)
}

/// The filter's slot and branch part.
#[inline]
pub fn fits_network(max_pods: u32, branch_capacity: u32, slots: u32, branches: u32, sg: bool) -> bool {
    (slots < max_pods) & (!sg | (branches < branch_capacity))
}

/// The branch ENIs a node may hold and still take a pod: its advertised
/// `branch_capacity` for an SG pod, no limit for the others (a node's
/// branches never reach `u32::MAX`).
#[inline]
pub fn branch_limit(branch_capacity: u32, sg: bool) -> u32 {
    if sg { branch_capacity } else { u32::MAX }
}

/// [`fits_network`] for one pod against many nodes: the pod's
/// [`branch_limit`] taken once, then two comparisons a node. The scan over
/// a cluster's nodes uses it: with `!sg | ...` inside the scan the compiler
/// re-tests the pod's kind at every node (it sinks the comparison next to
/// its use), which cost the 100-node autoscaling trial 25%.
#[inline]
pub fn fits_network_within(max_pods: u32, branch_limit: u32, slots: u32, branches: u32) -> bool {
    (slots < max_pods) & (branches < branch_limit)
}

/// The filter's CPU and memory part: `used + request <= allocatable` for
/// each. Always true when no pod requests either.
#[inline]
pub fn fits_resources(spec: &NodeSpec, u: &Usage, pod: Pod) -> bool {
    !spec.res.counted() | requests_fit(&spec.res, u.requested, usize::from(pod.class))
}

/// The rule itself, on the bound pods' `requested` sum: a pod of class
/// `class` fits when `requested + request <= allocatable` on CPU and on
/// memory (the one-node fast path, which keeps the sum in a register, calls
/// it too).
#[inline]
pub fn requests_fit(res: &Resources, requested: Res, class: usize) -> bool {
    requested.plus_times(res.requested(class), 1).within(&res.allocatable)
}

/// Whether the pod fits an empty node of this spec (MODEL.md §5 step 2:
/// the autoscaler adds no node for a pod that fits none).
#[inline]
pub fn fits_empty(spec: &NodeSpec, pod: Pod) -> bool {
    fits(spec, spec.branch_capacity, &Usage::empty(spec), pod)
}

/// kube-scheduler's `MaxNodeScore`.
pub const MAX_NODE_SCORE: u64 = 100;

/// NodeResourcesFit's score of one node for a pod of class `class` (0 to 100, the
/// higher the better), as kube-scheduler computes it: for CPU and memory,
/// `requested` = the node's non-zero requests plus the pod's; least-allocated
/// scores `(allocatable - requested) * 100 / allocatable` (0 when requested is
/// above allocatable), most-allocated `min(requested, allocatable) * 100 /
/// allocatable`; the node's score is the integer mean over the two, weight 1
/// each (kubernetes `pkg/scheduler/framework/plugins/noderesources`
/// `least_allocated.go`, `most_allocated.go`, `resource_allocation.go`).
pub fn resource_fit_score(most: bool, spec: &NodeSpec, u: &Usage, class: usize) -> u64 {
    let req = u.non_zero.plus_times(spec.res.scored_pod(class), 1);
    let alloc = spec.res.allocatable;
    let one = |requested: u64, capacity: u64| -> u64 {
        if capacity == 0 {
            0
        } else if most {
            // u128: requested * 100 cannot overflow.
            (u128::from(requested.min(capacity)) * u128::from(MAX_NODE_SCORE) / u128::from(capacity)) as u64
        } else if requested > capacity {
            0
        } else {
            (u128::from(capacity - requested) * u128::from(MAX_NODE_SCORE) / u128::from(capacity)) as u64
        }
    };
    (one(req.cpu, alloc.cpu) + one(req.memory, alloc.memory)) / 2
}

/// Step 3, the policy's score of a fitting node for the pod: the
/// smallest score wins, ties go to the lowest node index. Without requests,
/// by slots (most-allocated: most slots used; least-allocated: fewest);
/// with them, `100 -` NodeResourcesFit's score ([`resource_fit_score`]).
#[inline]
pub fn score(policy: Policy, spec: &NodeSpec, u: &Usage, pod: Pod) -> u32 {
    let class = usize::from(pod.class);
    if spec.res.counted() {
        return match policy {
            Policy::MostAllocated => (MAX_NODE_SCORE - resource_fit_score(true, spec, u, class)) as u32,
            Policy::LeastAllocated => (MAX_NODE_SCORE - resource_fit_score(false, spec, u, class)) as u32,
            Policy::FirstFit => 0,
        };
    }
    slot_score(policy, u.slots)
}

/// [`score`] without requests: by the `slots` used.
#[inline]
pub fn slot_score(policy: Policy, slots: u32) -> u32 {
    match policy {
        Policy::MostAllocated => u32::MAX - slots,
        Policy::LeastAllocated => slots,
        Policy::FirstFit => 0,
    }
}

/// Karpenter's estimate of how many of `rem` pending pods (per class, the
/// classes of `kinds`, in kind order) one new node of this spec takes, in
/// its own view (slots, branch ENIs, CPU and memory; no IPs): SG pods
/// first, then IP pods, then host pods, class by class, each as many as fit
/// what the ones before left. Without requests this is
/// `min(free slots, rem_ip + rem_host + min(rem_sg, B))`.
pub fn pods_taken(spec: &NodeSpec, kinds: &[Kind], rem: &[u32]) -> u32 {
    let empty = Usage::empty(spec);
    let mut slots = spec.max_pods.saturating_sub(empty.slots);
    let mut branches = spec.branch_capacity;
    let mut left = spec.res.allocatable.saturating_sub(empty.requested);
    let counted = spec.res.counted();
    let mut taken = 0u32;
    for (class, (&k, &waiting)) in kinds.iter().zip(rem).enumerate() {
        let mut n = waiting.min(slots);
        if k == Kind::Sg {
            n = n.min(branches);
        }
        if counted {
            let r = spec.res.requested(class);
            let most = left.fits_times(r).unwrap_or(u64::MAX);
            n = n.min(most.min(u64::from(u32::MAX)) as u32);
            left.cpu -= r.cpu * u64::from(n);
            left.memory -= r.memory * u64::from(n);
        }
        if k == Kind::Sg {
            branches -= n;
        }
        slots -= n;
        taken += n;
    }
    taken
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
    use crate::model::node::{MIB, Resources, SystemPods};
    use crate::model::requests::PodReq;

    fn spec(m: u32, ips: u32, br: u32) -> NodeSpec {
        NodeSpec {
            max_pods: m,
            ip_capacity: ips,
            branch_capacity: br,
            system: SystemPods { host: 2, ip: 1 },
            res: crate::model::node::Resources::NONE,
        }
    }

    fn used(slots: u32, branches: u32) -> Usage {
        Usage {
            slots,
            branches,
            ..Usage::default()
        }
    }

    #[test]
    fn filter_needs_a_slot_and_for_sg_pods_a_branch() {
        assert!(fits_network(10, 2, 9, 2, false));
        assert!(!fits_network(10, 2, 9, 2, true), "no branch left");
        assert!(!fits_network(10, 2, 10, 0, false), "no slot left");
        assert!(!fits_network(10, 0, 3, 0, true), "no trunk: no SG pod");
        let s = spec(10, 6, 2);
        assert!(fits(&s, 2, &used(9, 1), Pod::of_kind(Kind::Sg)) && !fits(&s, 2, &used(9, 2), Pod::of_kind(Kind::Sg)));
        assert!(
            fits(&s, 0, &used(9, 0), Pod::of_kind(Kind::Ip)) && !fits(&s, 0, &used(10, 0), Pod::of_kind(Kind::Host))
        );
    }

    /// The scan's form of the filter is the filter.
    #[test]
    fn the_scan_filter_is_the_filter() {
        for (m, br) in [(0, 0), (1, 0), (3, 2), (10, 1)] {
            for slots in 0..=m + 1 {
                for branches in 0..=br + 1 {
                    for sg in [false, true] {
                        assert_eq!(
                            fits_network_within(m, branch_limit(br, sg), slots, branches),
                            fits_network(m, br, slots, branches, sg),
                            "{m} {br} {slots} {branches} {sg}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn scores_pack_spread_or_take_the_first() {
        let s = spec(10, 6, 2);
        let sc = |p, n| score(p, &s, &used(n, 0), Pod::of_kind(Kind::Ip));
        assert!(sc(Policy::MostAllocated, 8) < sc(Policy::MostAllocated, 3));
        assert!(sc(Policy::LeastAllocated, 3) < sc(Policy::LeastAllocated, 8));
        assert_eq!(sc(Policy::FirstFit, 3), sc(Policy::FirstFit, 8));
    }

    /// A node of 2000m and 4096 MiB allocatable, no system requests, IP pods
    /// of 500m / 1024 MiB, host pods with no requests.
    fn with_requests() -> NodeSpec {
        let mut s = spec(10, 6, 2);
        s.system = SystemPods { host: 0, ip: 0 };
        s.res = Resources::new(
            Res {
                cpu: 2000,
                memory: 4096 * MIB,
            },
            PodReq::ZERO,
            PodReq::ZERO,
            &[
                PodReq::unset_if_zero(Res::ZERO),
                PodReq::unset_if_zero(Res {
                    cpu: 500,
                    memory: 1024 * MIB,
                }),
                PodReq::unset_if_zero(Res::ZERO),
            ],
        );
        s
    }

    /// The filter by hand: four 500m pods fill 2000m; the fifth does not fit,
    /// slots or not. A pod with no request always fits (NodeResourcesFit
    /// filters on requests, not on the scores' defaults).
    #[test]
    fn the_filter_counts_cpu_and_memory() {
        let s = with_requests();
        let mut u = Usage::empty(&s);
        for _ in 0..4 {
            assert!(fits(&s, 2, &u, Pod::of_kind(Kind::Ip)));
            u.bind(&s, Pod::of_kind(Kind::Ip));
        }
        assert_eq!(
            u.requested,
            Res {
                cpu: 2000,
                memory: 4096 * MIB
            }
        );
        assert!(!fits(&s, 2, &u, Pod::of_kind(Kind::Ip)), "2000m + 500m > 2000m");
        assert!(fits(&s, 2, &u, Pod::of_kind(Kind::Host)), "no request: fits");
        u.unbind(&s, Pod::of_kind(Kind::Ip));
        assert!(fits(&s, 2, &u, Pod::of_kind(Kind::Ip)));
        // Memory alone: 3 GiB pods on 4096 MiB, one fits, not two.
        let mut m = with_requests();
        let alloc = m.res.allocatable;
        let ip_pods = |cpu, memory| {
            let one = PodReq::unset_if_zero;
            Resources::new(
                alloc,
                PodReq::ZERO,
                PodReq::ZERO,
                &[one(Res::ZERO), one(Res { cpu, memory }), one(Res::ZERO)],
            )
        };
        m.res = ip_pods(1, 3072 * MIB);
        let mut u = Usage::empty(&m);
        u.bind(&m, Pod::of_kind(Kind::Ip));
        assert!(!fits(&m, 2, &u, Pod::of_kind(Kind::Ip)));
        // Too big for an empty node: the autoscaler adds none for it.
        m.res = ip_pods(2001, 3072 * MIB);
        assert!(!fits_empty(&m, Pod::of_kind(Kind::Ip)));
        assert!(fits_empty(&m, Pod::of_kind(Kind::Host)));
    }

    /// Karpenter's count of pods one node takes, by hand: 10 slots, 2
    /// branches; with 2000m and 500m IP pods, 4 of them.
    #[test]
    fn karpenter_counts_pods_a_node_takes() {
        let s = spec(10, 6, 2);
        // 7 free slots: 2 SG (the branches) + 5 of the 6 others.
        assert_eq!(pods_taken(&s, &Kind::ALL, &[5, 3, 3]), 7);
        assert_eq!(pods_taken(&s, &Kind::ALL, &[5, 1, 1]), 4);
        let r = with_requests();
        // 10 free slots, 2000m: four 500m IP pods, then host pods (no request) fill the slots.
        assert_eq!(pods_taken(&r, &Kind::ALL, &[0, 9, 0]), 4);
        assert_eq!(pods_taken(&r, &Kind::ALL, &[0, 9, 3]), 7);
        assert_eq!(pods_taken(&r, &Kind::ALL, &[3, 9, 0]), 6, "2 SG + 4 IP");
        // Two SG classes, 2 branches: the first (1500m each) takes one pod,
        // its CPU stopping it, and leaves a branch to the second (no request).
        let mut two = spec(10, 6, 2);
        two.system = SystemPods { host: 0, ip: 0 };
        let one = PodReq::unset_if_zero;
        two.res = Resources::new(
            Res {
                cpu: 2000,
                memory: 4096 * MIB,
            },
            PodReq::ZERO,
            PodReq::ZERO,
            &[one(Res { cpu: 1500, memory: 0 }), one(Res::ZERO)],
        );
        assert_eq!(
            pods_taken(&two, &[Kind::Sg, Kind::Sg], &[2, 2]),
            2,
            "1 of each SG class"
        );
    }

    /// NodeResourcesFit's scores by hand. One 500m / 1024 MiB pod bound;
    /// the next IP pod makes 1000m of 2000m (50) and 2048 of 4096 MiB (50):
    /// most-allocated 50, least-allocated 50. A host pod (no request) counts
    /// as 100m and 200 MiB: requested 600m (30) and 1224 MiB (1224 * 100 /
    /// 4096 = 29.88, so 29); most-allocated (30 + 29) / 2 = 29, least
    /// (70 + 70) / 2 = 70 ((4096 - 1224) * 100 / 4096 = 70.1).
    #[test]
    fn scores_follow_node_resources_fit() {
        let s = with_requests();
        let mut u = Usage::empty(&s);
        u.bind(&s, Pod::of_kind(Kind::Ip));
        assert_eq!(resource_fit_score(true, &s, &u, Kind::Ip.index()), 50);
        assert_eq!(resource_fit_score(false, &s, &u, Kind::Ip.index()), 50);
        assert_eq!(resource_fit_score(true, &s, &u, Kind::Host.index()), 29);
        assert_eq!(resource_fit_score(false, &s, &u, Kind::Host.index()), 70);
        assert_eq!(score(Policy::MostAllocated, &s, &u, Pod::of_kind(Kind::Ip)), 50);
        // Packing prefers the fuller node, spreading the emptier.
        let empty = Usage::empty(&s);
        assert!(
            score(Policy::MostAllocated, &s, &u, Pod::of_kind(Kind::Ip))
                < score(Policy::MostAllocated, &s, &empty, Pod::of_kind(Kind::Ip))
        );
        assert!(
            score(Policy::LeastAllocated, &s, &empty, Pod::of_kind(Kind::Ip))
                < score(Policy::LeastAllocated, &s, &u, Pod::of_kind(Kind::Ip))
        );
        // Past allocatable (possible only through the defaults): most caps at 100, least gives 0.
        let mut full = empty;
        full.non_zero = Res {
            cpu: 5000,
            memory: 9000 * MIB,
        };
        assert_eq!(resource_fit_score(true, &s, &full, Kind::Host.index()), 100);
        assert_eq!(resource_fit_score(false, &s, &full, Kind::Host.index()), 0);
    }

    #[test]
    fn measures_of_one_node() {
        let s = spec(10, 6, 2);
        assert_eq!(
            Usage::empty(&s),
            Usage {
                slots: 3,
                ips: 1,
                branches: 0,
                ..Usage::default()
            }
        );
        // Full, 2 IPs free: 2 wasted; not stranded (an IP is free).
        let full = Usage {
            slots: 10,
            ips: 4,
            branches: 2,
            ..Usage::default()
        };
        assert_eq!((wasted_ips(&s, full), stranded_slots(&s, full)), (2, 0));
        // IPs and branches gone, 3 slots free: 3 stranded, nothing wasted (not full).
        let stuck = Usage {
            slots: 7,
            ips: 6,
            branches: 2,
            ..Usage::default()
        };
        assert_eq!((wasted_ips(&s, stuck), stranded_slots(&s, stuck)), (0, 3));
        assert!(gets_ip(6, 5) && !gets_ip(6, 6));
    }
}
