//! The static replay (MODEL.md §5) and its measures (§6): the pure core.
//!
//! Pods arrive one at a time; each is filtered, scored, bound, then networked.
//! No I/O, no threads, no clock, no allocation per pod: a [`Replayer`] keeps
//! its node table between trials.

use super::node::NodeSpec;
use super::placement::{self, Policy, Usage};
use super::workload::{Counts, Kind, Pod};

/// How many nodes there are, and whether more may be added.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Nodes {
    /// A fixed cluster of this many nodes.
    Fixed(u32),
    /// Start with `initial` nodes; add one when a pod fits nowhere, up to `max`.
    Autoscale { initial: u32, max: u32 },
}

impl Nodes {
    pub fn initial(self) -> u32 {
        match self {
            Nodes::Fixed(n) => n,
            Nodes::Autoscale { initial, .. } => initial,
        }
    }

    pub fn max(self) -> u32 {
        match self {
            Nodes::Fixed(n) => n,
            Nodes::Autoscale { max, .. } => max,
        }
    }
}

/// Everything one replay needs besides the arrivals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Cluster {
    pub node: NodeSpec,
    pub nodes: Nodes,
    pub policy: Policy,
}

/// What became of one workload pod.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Fate {
    Running,
    /// Bound, but no IP: stuck in ContainerCreating, holding its slot.
    IpFailed,
    /// Not bound: the scheduler said no.
    Pending,
}

/// The outcome of one trial: counts per kind and the measures of §6.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Outcome {
    /// Running pods per kind (indexed by [`Kind::index`]).
    pub running: [u32; 3],
    /// IP pods bound without an IP.
    pub ip_failed: u32,
    /// Pending pods per kind.
    pub pending: [u32; 3],
    /// Sum over full nodes (`slots = M`) of their free IPs.
    pub wasted_ips: u32,
    /// Sum over nodes with no free IP and no free branch of their free slots.
    pub stranded_slots: u32,
    /// 1-based arrival index of the first ip-failed pod.
    pub first_ip_failure: Option<u32>,
    /// Nodes at the end (fixed ones plus any added).
    pub nodes: u32,
}

impl Outcome {
    pub fn workload(&self) -> u32 {
        self.running.iter().sum::<u32>() + self.ip_failed + self.pending.iter().sum::<u32>()
    }

    /// ip-failed / workload pods; 0 for an empty workload.
    pub fn failure_rate(&self) -> f64 {
        let n = self.workload();
        if n == 0 { 0.0 } else { self.ip_failed as f64 / n as f64 }
    }
}

/// Replays arrivals onto a cluster. Reuse one per thread: the node table
/// keeps its capacity between trials.
#[derive(Debug, Default)]
pub struct Replayer {
    nodes: Vec<Usage>,
    /// Tests only: skip the one-node fast path, so that the two paths can be
    /// compared on the same cells.
    #[cfg(test)]
    general_only: bool,
}

impl Replayer {
    pub fn new() -> Replayer {
        Replayer::default()
    }

    /// The node table as the last replay left it.
    pub fn nodes(&self) -> &[Usage] {
        &self.nodes
    }

    /// Replays `arrivals` (a sequence of `counts`' pods) and returns the outcome.
    ///
    /// Once no node has a free slot and none can be added, every later pod is
    /// pending whatever its kind: the replay stops pulling arrivals there and
    /// counts the rest from `counts`. A lazy random order therefore never
    /// draws the tail it would not use.
    /// Arrivals are pods ([`Pod`]), or kinds for a workload without groups.
    pub fn run<I>(&mut self, cluster: &Cluster, counts: Counts, arrivals: I) -> Outcome
    where
        I: IntoIterator,
        I::Item: Into<Pod>,
    {
        self.replay::<_, _, false>(cluster, counts, arrivals.into_iter().map(Into::into), |_, _, _, _| {})
    }

    /// As [`Replayer::run`], calling `seen(arrival index, kind, fate, node)`
    /// for every pod (`node` is `None` for pending pods), the tail included.
    pub fn run_observed<I, F>(&mut self, cluster: &Cluster, counts: Counts, arrivals: I, seen: F) -> Outcome
    where
        I: IntoIterator,
        I::Item: Into<Pod>,
        F: FnMut(usize, Kind, Fate, Option<usize>),
    {
        self.replay::<_, _, true>(cluster, counts, arrivals.into_iter().map(Into::into), seen)
    }

    fn replay<I, F, const DRAIN: bool>(
        &mut self,
        cluster: &Cluster,
        counts: Counts,
        arrivals: I,
        mut seen: F,
    ) -> Outcome
    where
        I: Iterator<Item = Pod>,
        F: FnMut(usize, Kind, Fate, Option<usize>),
    {
        let spec = &cluster.node;
        assert!(
            spec.room().is_ok(),
            "the scenario validates that system pods fit a node: {spec:?}"
        );
        let empty = Usage::empty(spec);
        self.nodes.clear();
        self.nodes.resize(cluster.nodes.initial() as usize, empty);
        let max_nodes = cluster.nodes.max() as usize;
        let can_add = matches!(cluster.nodes, Nodes::Autoscale { .. });
        let per_node_free = u64::from(spec.free_slots());
        let mut free_slots = per_node_free * self.nodes.len() as u64;

        let mut out = Outcome::default();
        let mut arrivals = arrivals.enumerate();
        let mut seen_pods = 0u64;
        // One node that stays one node: the fast path takes every arrival it
        // can; the general loop below then only sees an empty remainder.
        #[cfg(test)]
        let fast = !self.general_only;
        #[cfg(not(test))]
        let fast = true;
        if fast && self.nodes.len() == 1 && !(can_add && max_nodes > 1) {
            // Compiled twice: without requests the loop counts no CPU or memory.
            seen_pods = if spec.res.counted() {
                self.bind_one_node::<_, _, true>(spec, &mut out, &mut arrivals, &mut seen)
            } else {
                self.bind_one_node::<_, _, false>(spec, &mut out, &mut arrivals, &mut seen)
            };
            free_slots = u64::from(spec.max_pods - self.nodes[0].slots);
        }
        while free_slots > 0 || (can_add && self.nodes.len() < max_nodes) {
            // Saturated clusters leave the loop: the rest of the arrivals is pending.
            let Some((i, pod)) = arrivals.next() else { break };
            let kind = pod.kind;
            seen_pods += 1;
            // 1. Filter and 3. score.
            let mut chosen = self.pick(spec, cluster.policy, pod);
            // 2. No node fits: the autoscaler adds one, if an empty node would take the pod.
            if chosen.is_none() && can_add && self.nodes.len() < max_nodes && placement::fits_empty(spec, pod) {
                self.nodes.push(empty);
                free_slots += per_node_free;
                chosen = Some(self.nodes.len() - 1);
            }
            let Some(n) = chosen else {
                seen(i, kind, Fate::Pending, None);
                continue;
            };
            // 4. Bind: a slot; then the network: a branch ENI for an SG pod,
            // an IP for an IP pod if one is free, nothing for a host pod.
            // Written without branches on the kind: in a random order the
            // kind is unpredictable.
            let node = &mut self.nodes[n];
            let ip = kind == Kind::Ip;
            let gets_ip = ip & placement::gets_ip(spec.ip_capacity, node.ips);
            let failed = ip & !gets_ip;
            node.bind(spec, pod);
            node.ips += u32::from(gets_ip);
            free_slots -= 1;
            out.ip_failed += u32::from(failed);
            if failed && out.first_ip_failure.is_none() {
                out.first_ip_failure = Some(i as u32 + 1);
            }
            seen(i, kind, if failed { Fate::IpFailed } else { Fate::Running }, Some(n));
        }
        // Here the cluster is saturated (no free slot, no node to add) or
        // every pod has arrived: whatever is left is pending.
        if DRAIN {
            for (i, pod) in arrivals {
                seen_pods += 1;
                seen(i, pod.kind, Fate::Pending, None);
            }
            assert_eq!(seen_pods, u64::from(counts.total()), "arrivals match their counts");
        }

        // Everything else follows from the node table: every bound SG pod
        // holds a branch, every running IP pod an IP; the other bound pods
        // are host pods or ip-failed; whatever is not bound is pending.
        let (mut bound, mut ips, mut branches) = (0u64, 0u64, 0u64);
        for node in &self.nodes {
            out.wasted_ips += placement::wasted_ips(spec, *node);
            out.stranded_slots += placement::stranded_slots(spec, *node);
            bound += u64::from(node.slots - spec.system.total());
            ips += u64::from(node.ips - spec.system.ip);
            branches += u64::from(node.branches);
        }
        let failed = u64::from(out.ip_failed);
        let host = bound - ips - failed - branches;
        out.running = [branches as u32, ips as u32, host as u32];
        out.pending = [
            counts.sg - branches as u32,
            counts.ip - (ips + failed) as u32,
            counts.host - host as u32,
        ];
        out.nodes = self.nodes.len() as u32;
        out
    }

    /// Steps 1-4 for a cluster of exactly one node, the seed's experiment
    /// and the bulk of every sweep: the same rules as the general loop, with
    /// the node's usage held in registers and no branch on the pod's kind.
    /// Stops at saturation (no free slot) and returns the pods it took.
    /// `COUNTED`: pods request CPU or memory ([`super::node::Resources::counted`]); when
    /// false the requests, all zero, are not tracked.
    #[inline]
    fn bind_one_node<I, F, const COUNTED: bool>(
        &mut self,
        spec: &NodeSpec,
        out: &mut Outcome,
        arrivals: &mut I,
        seen: &mut F,
    ) -> u64
    where
        I: Iterator<Item = (usize, Pod)>,
        F: FnMut(usize, Kind, Fate, Option<usize>),
    {
        let Usage {
            mut slots,
            mut ips,
            mut branches,
            mut requested,
            mut non_zero,
        } = self.nodes[0];
        let res = &spec.res;
        let mut taken = 0u64;
        let mut failed_total = 0u32;
        let mut first_failure = None;
        if slots < spec.max_pods {
            for (i, pod) in arrivals.by_ref() {
                taken += 1;
                let kind = pod.kind;
                let class = usize::from(pod.class);
                let sg = kind == Kind::Sg;
                let ip = kind == Kind::Ip;
                // A slot is free (the loop stops at saturation), not
                // necessarily a branch, nor the CPU and memory.
                let mut fits = placement::fits_network(spec.max_pods, spec.branch_capacity, slots, branches, sg);
                if COUNTED {
                    fits &= placement::requests_fit(res, requested, class);
                    requested = requested.plus_times(res.requested(class), u32::from(fits));
                    non_zero = non_zero.plus_times(res.scored_pod(class), u32::from(fits));
                }
                let gets_ip = fits & ip & placement::gets_ip(spec.ip_capacity, ips);
                let failed = fits & ip & !gets_ip;
                slots += u32::from(fits);
                branches += u32::from(fits & sg);
                ips += u32::from(gets_ip);
                failed_total += u32::from(failed);
                if failed && first_failure.is_none() {
                    first_failure = Some(i as u32 + 1);
                }
                let fate = if !fits {
                    Fate::Pending
                } else if failed {
                    Fate::IpFailed
                } else {
                    Fate::Running
                };
                seen(i, kind, fate, fits.then_some(0));
                if slots == spec.max_pods {
                    break; // saturated: the rest is pending
                }
            }
        }
        self.nodes[0] = Usage {
            slots,
            ips,
            branches,
            requested,
            non_zero,
        };
        out.ip_failed = failed_total;
        out.first_ip_failure = first_failure;
        taken
    }

    /// The node the scheduler binds to, if any fits (§5 steps 1 and 3).
    #[inline]
    fn pick(&self, spec: &NodeSpec, policy: Policy, pod: Pod) -> Option<usize> {
        if spec.res.counted() {
            self.pick_by::<true>(spec, policy, pod)
        } else {
            self.pick_by::<false>(spec, policy, pod)
        }
    }

    /// [`Replayer::pick`], compiled with and without CPU and memory
    /// (`COUNTED`, [`super::node::Resources::counted`]): without, by slots and branches alone.
    #[inline]
    fn pick_by<const COUNTED: bool>(&self, spec: &NodeSpec, policy: Policy, pod: Pod) -> Option<usize> {
        // The pod's branch limit once, not its kind at every node.
        let branch_limit = placement::branch_limit(spec.branch_capacity, pod.kind == Kind::Sg);
        let mut best: Option<(usize, u32)> = None;
        for (i, n) in self.nodes.iter().enumerate() {
            let fits = if COUNTED {
                placement::fits(spec, spec.branch_capacity, n, pod)
            } else {
                placement::fits_network_within(spec.max_pods, branch_limit, n.slots, n.branches)
            };
            if !fits {
                continue;
            }
            let score = if COUNTED {
                placement::score(policy, spec, n, pod)
            } else {
                placement::slot_score(policy, n.slots)
            };
            if best.is_none_or(|(_, b)| score < b) {
                best = Some((i, score));
                if policy == Policy::FirstFit {
                    break;
                }
            }
        }
        best.map(|(i, _)| i)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::node::{Res, Resources, SystemPods};
    use crate::model::workload::Kind::*;

    fn one_node(m: u32, ips: u32, br: u32, s: u32) -> Cluster {
        Cluster {
            node: NodeSpec {
                max_pods: m,
                ip_capacity: ips,
                branch_capacity: br,
                system: SystemPods { host: s, ip: 0 },
                res: Resources::NONE,
            },
            nodes: Nodes::Fixed(1),
            policy: Policy::MostAllocated,
        }
    }

    /// A sequence of runs of kinds, and its counts.
    fn arrivals(parts: &[(Kind, u32)]) -> (Counts, Vec<Kind>) {
        let mut c = Counts::default();
        for (k, n) in parts {
            match k {
                Sg => c.sg += n,
                Ip => c.ip += n,
                Host => c.host += n,
            }
        }
        (
            c,
            parts
                .iter()
                .flat_map(|(k, n)| std::iter::repeat_n(*k, *n as usize))
                .collect(),
        )
    }

    fn run(r: &mut Replayer, c: &Cluster, parts: &[(Kind, u32)]) -> Outcome {
        let (counts, seq) = arrivals(parts);
        let fast = r.run(c, counts, seq.iter().copied());
        let observed = r.run_observed(c, counts, seq.iter().copied(), |_, _, _, _| {});
        assert_eq!(fast, observed, "the early stop changes nothing");
        fast
    }

    /// MODEL.md §10, second table: m5.large, aws-default, the seed's fill.
    #[test]
    fn m5_large_fill() {
        let c = one_node(29, 18, 9, 2);
        let mut r = Replayer::new();
        let ip_first = run(&mut r, &c, &[(Ip, 27), (Sg, 9)]);
        assert_eq!(ip_first.first_ip_failure, Some(19));
        assert_eq!(ip_first.ip_failed, 9);
        assert_eq!(ip_first.pending, [9, 0, 0]);
        let sg_first = run(&mut r, &c, &[(Sg, 9), (Ip, 27)]);
        assert_eq!(sg_first.ip_failed, 0);
        assert_eq!(sg_first.wasted_ips, 0);
        assert_eq!(sg_first.running, [9, 18, 0]);
        assert_eq!(sg_first.pending, [0, 9, 0]);
    }

    #[test]
    fn m5_xlarge_and_2xlarge_waste() {
        let mut r = Replayer::new();
        let x = run(&mut r, &one_node(58, 42, 18, 3), &[(Sg, 18), (Ip, 55)]);
        assert_eq!((x.ip_failed, x.wasted_ips), (0, 5));
        let x2 = run(&mut r, &one_node(58, 42, 38, 3), &[(Sg, 38), (Ip, 17)]);
        assert_eq!((x2.ip_failed, x2.wasted_ips), (0, 25));
        let ipf = run(&mut r, &one_node(58, 42, 38, 3), &[(Ip, 55), (Sg, 38)]);
        assert_eq!(ipf.first_ip_failure, Some(43));
    }

    #[test]
    fn stranded_slots_when_ips_and_branches_run_out() {
        let mut r = Replayer::new();
        // 10 slots, 2 IPs, 1 branch, 1 system pod: after 2 IP + 1 SG pods, 6 slots stranded.
        let o = run(&mut r, &one_node(10, 2, 1, 1), &[(Ip, 2), (Sg, 2)]);
        assert_eq!(o.stranded_slots, 6);
        assert_eq!(o.pending, [1, 0, 0]);
        assert_eq!(o.wasted_ips, 0);
    }

    #[test]
    fn policies_spread_or_pack() {
        let mut c = one_node(10, 8, 2, 1);
        c.nodes = Nodes::Fixed(3);
        let mut r = Replayer::new();
        let mut placed = Vec::new();
        c.policy = Policy::LeastAllocated;
        let (counts, seq) = arrivals(&[(Ip, 4)]);
        r.run_observed(&c, counts, seq.iter().copied(), |_, _, _, n| placed.push(n.unwrap()));
        assert_eq!(placed, vec![0, 1, 2, 0]);
        placed.clear();
        c.policy = Policy::MostAllocated;
        let (counts, seq) = arrivals(&[(Ip, 4)]);
        r.run_observed(&c, counts, seq.iter().copied(), |_, _, _, n| placed.push(n.unwrap()));
        assert_eq!(placed, vec![0, 0, 0, 0]);
    }

    #[test]
    fn autoscale_adds_nodes_up_to_the_limit_and_never_for_unplaceable_sg() {
        let mut c = one_node(5, 4, 0, 1);
        c.nodes = Nodes::Autoscale { initial: 0, max: 2 };
        let mut r = Replayer::new();
        let o = run(&mut r, &c, &[(Ip, 10), (Sg, 3)]);
        assert_eq!(o.nodes, 2);
        assert_eq!(o.running[Ip.index()], 8);
        assert_eq!(o.pending, [3, 2, 0]);
        let o = run(&mut r, &c, &[(Sg, 3)]);
        assert_eq!(o.nodes, 0, "an SG pod that fits no empty node launches nothing");
    }

    proptest::proptest! {
        /// The one-node fast path and the general loop give the same outcome
        /// on random one-node cells and random orders (MODEL.md §5 once),
        /// with CPU and memory requests or without.
        #[test]
        fn the_one_node_path_equals_the_general_path(
            m in 1u32..80, host in 0u32..4, ip_sys in 0u32..3, ips in 0u32..60, br in 0u32..30,
            sg in 0u32..40, ip in 0u32..70, h in 0u32..5, seed in 0u64..1000, p in 0usize..3,
            req in proptest::collection::vec((0u64..3, 0u64..3), 5), alloc in (1u64..20, 1u64..20),
        ) {
            // Requests in about half the cases (all zero: none counted).
            let r = |i: usize| crate::model::requests::PodReq::unset_if_zero(Res { cpu: req[i].0 * 100, memory: req[i].1 * 100 });
            let res = Resources::new(Res { cpu: alloc.0 * 200, memory: alloc.1 * 200 }, r(0), r(1), &[r(2), r(3), r(4)]);
            let spec = NodeSpec {
                max_pods: m + host + ip_sys,
                ip_capacity: ips + ip_sys,
                branch_capacity: br,
                system: SystemPods { host, ip: ip_sys },
                res,
            };
            proptest::prop_assume!(spec.room().is_ok());
            let cluster = Cluster { node: spec, nodes: Nodes::Fixed(1), policy: Policy::ALL[p] };
            let counts = Counts { sg, ip, host: h };
            let mut order = Vec::new();
            crate::model::order::Order::Random.arrange(
                counts,
                &mut <rand_chacha::ChaCha8Rng as rand::SeedableRng>::seed_from_u64(seed),
                &mut order,
            );
            let mut fast = Replayer::new();
            let mut general = Replayer { general_only: true, ..Replayer::new() };
            let a = fast.run(&cluster, counts, order.iter().copied());
            let b = general.run(&cluster, counts, order.iter().copied());
            proptest::prop_assert_eq!(a, b);
            proptest::prop_assert_eq!(fast.nodes(), general.nodes());
        }
    }
}
