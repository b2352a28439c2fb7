//! The model's invariants over random inputs (proptest).

use proptest::prelude::*;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use sgpsim::input::catalog::Catalog;
use sgpsim::model::formula::Formula;
use sgpsim::model::node::{NodeSettings, NodeSpec, Res, Resources, SystemPods, branch_capacity, ip_capacity};
use sgpsim::model::order::Order;
use sgpsim::model::placement::Policy;
use sgpsim::model::replay::{Cluster, Fate, Nodes, Replayer};
use sgpsim::model::requests::PodReq;
use sgpsim::model::workload::{Counts, Kind, Pod};

fn policy() -> impl Strategy<Value = Policy> {
    prop::sample::select(Policy::ALL.to_vec())
}

fn order() -> impl Strategy<Value = Order> {
    prop::sample::select(Order::ALL.to_vec())
}

fn nodes() -> impl Strategy<Value = Nodes> {
    prop_oneof![
        (1u32..6).prop_map(Nodes::Fixed),
        (0u32..3, 1u32..6).prop_map(|(i, extra)| Nodes::Autoscale {
            initial: i,
            max: i + extra
        }),
    ]
}

/// A node with arbitrary small capacities and system pods that fit.
fn node() -> impl Strategy<Value = NodeSpec> {
    (2u32..60, 0u32..40, 0u32..20, 0u32..4, 0u32..3).prop_map(|(m, ips, br, host, ip)| {
        let ip = ip.min(ips).min(m - 1);
        let host = host.min(m - ip - 1);
        NodeSpec {
            max_pods: m,
            ip_capacity: ips,
            branch_capacity: br,
            system: SystemPods { host, ip },
            res: Resources::NONE,
        }
    })
}

fn counts() -> impl Strategy<Value = Counts> {
    (0u32..80, 0u32..120, 0u32..10).prop_map(|(sg, ip, host)| Counts { sg, ip, host })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Every pod ends in exactly one state, no capacity is exceeded, and the
    /// early stop changes nothing.
    #[test]
    fn pods_conserved_and_capacities_respected(
        spec in node(), nodes in nodes(), policy in policy(), order in order(), c in counts(), seed in any::<u64>()
    ) {
        let cluster = Cluster { node: spec, nodes, policy };
        let mut seq = Vec::new();
        order.arrange(c, &mut ChaCha8Rng::seed_from_u64(seed), &mut seq);
        let mut r = Replayer::new();
        let mut fates = [[0u32; 3]; 3];
        let mut count = 0u32;
        let mut first_fail = None;
        let o = r.run_observed(&cluster, c, seq.iter().copied(), |i, k, f, n| {
            count += 1;
            fates[k.index()][f as usize] += 1;
            assert_eq!(n.is_none(), f == Fate::Pending);
            if f == Fate::IpFailed && first_fail.is_none() {
                first_fail = Some(i as u32 + 1);
            }
            assert!(k == Kind::Ip || f != Fate::IpFailed);
        });
        prop_assert_eq!(count, c.total());
        prop_assert_eq!(o.workload(), c.total());
        for k in Kind::ALL {
            prop_assert_eq!(o.running[k.index()], fates[k.index()][Fate::Running as usize]);
            prop_assert_eq!(o.pending[k.index()], fates[k.index()][Fate::Pending as usize]);
        }
        prop_assert_eq!(o.ip_failed, fates[1][Fate::IpFailed as usize]);
        prop_assert_eq!(o.first_ip_failure, first_fail);
        prop_assert!(o.nodes <= nodes.max() && o.nodes >= nodes.initial());
        for n in r.nodes() {
            prop_assert!(n.slots <= spec.max_pods);
            prop_assert!(n.ips <= spec.ip_capacity);
            prop_assert!(n.branches <= spec.branch_capacity);
        }
        let fast = Replayer::new().run(&cluster, c, seq.iter().copied());
        prop_assert_eq!(fast, o);
    }

    /// MODEL.md §5 without requests: the CPU and memory path, given requests
    /// that order nodes as slots do and never refuse (every pod, system pods
    /// included, asks 1m and 1 byte of 100m and 100 bytes, with `M < 100`:
    /// NodeResourcesFit's scores are then `slots + 1` and `100 - slots - 1`),
    /// places every pod where the slot-only path does, on fixed and
    /// autoscaled clusters, under every policy and order.
    #[test]
    fn resource_path_equals_the_slot_path(
        spec in node(), nodes in nodes(), policy in policy(), order in order(), c in counts(), seed in any::<u64>()
    ) {
        let one = PodReq::unset_if_zero(Res { cpu: 1, memory: 1 });
        let mut unit = spec;
        unit.res = Resources::new(Res { cpu: 100, memory: 100 }, one, one, &[one; 3]);
        prop_assert!(unit.res.counted() && !spec.res.counted());
        let mut seq = Vec::new();
        order.arrange(c, &mut ChaCha8Rng::seed_from_u64(seed), &mut seq);
        let place = |node: NodeSpec| {
            let mut at = Vec::new();
            let o = Replayer::new().run_observed(&Cluster { node, nodes, policy }, c, seq.iter().copied(), |_, _, f, n| at.push((f, n)));
            (o, at)
        };
        prop_assert_eq!(place(unit), place(spec));
    }

    /// With random requests, the filter holds: no node's pods, system pods
    /// included, request more than its allocatable, a pod fits no node only
    /// when no node has room for it (slots, branches, CPU and memory), and
    /// the autoscaler adds no node for a pod that fits no empty node.
    #[test]
    fn requests_never_exceed_allocatable(
        spec in node(), nodes in nodes(), policy in policy(), order in order(), c in counts(), seed in any::<u64>(),
        alloc in (1u64..9, 1u64..9), req in proptest::collection::vec((0u64..4, 0u64..4), 5),
    ) {
        let r = |i: usize| PodReq::unset_if_zero(Res { cpu: req[i].0 * 250, memory: req[i].1 * 256 });
        let mut spec = spec;
        spec.res = Resources::new(Res { cpu: alloc.0 * 500, memory: alloc.1 * 512 }, r(0), r(1), &[r(2), r(3), r(4)]);
        prop_assume!(spec.room().is_ok());
        let mut seq = Vec::new();
        order.arrange(c, &mut ChaCha8Rng::seed_from_u64(seed), &mut seq);
        let cluster = Cluster { node: spec, nodes, policy };
        let mut rep = Replayer::new();
        let mut bound: Vec<Res> = Vec::new();
        let o = rep.run_observed(&cluster, c, seq.iter().copied(), |_, k, _, n| {
            if let Some(n) = n {
                bound.resize(bound.len().max(n + 1), spec.res.system(&spec.system));
                bound[n] = bound[n].plus_times(spec.res.requested(k.index()), 1);
            }
        });
        for (i, u) in rep.nodes().iter().enumerate() {
            let want = bound.get(i).copied().unwrap_or(spec.res.system(&spec.system));
            prop_assert_eq!(u.requested, want);
            prop_assert!(u.requested.within(&spec.res.allocatable), "{:?} within {:?}", u.requested, spec.res.allocatable);
        }
        for k in Kind::ALL {
            let never = !sgpsim::model::placement::fits_empty(&spec, Pod::of_kind(k));
            if never {
                prop_assert_eq!(o.running[k.index()] + u32::from(k == Kind::Ip) * o.ip_failed, 0);
            }
            if o.pending[k.index()] > 0 {
                // Pending: no node has room at the end (capacity only shrinks here).
                prop_assert!(rep.nodes().iter().all(|u| !sgpsim::model::placement::fits(&spec, spec.branch_capacity, u, Pod::of_kind(k))));
            }
        }
        let fast = Replayer::new().run(&cluster, c, seq.iter().copied());
        prop_assert_eq!(fast, o);
    }

    /// `conservative` never leaves a pod without an IP, in any order, on any
    /// type, when all system pods are host pods.
    #[test]
    fn conservative_never_fails(
        ty in 0usize..1401, host in 0u32..5, sgp in any::<bool>(), pd in any::<bool>(), nodes in nodes(),
        policy in policy(), order in order(), c in counts(), seed in any::<u64>(),
        custom in any::<bool>(), cni in prop_oneof![Just(None), Just(Some((1, 12, 0))), Just(Some((1, 19, 0)))]
    ) {
        let catalog = Catalog::bundled();
        let t = catalog.iter().nth(ty).unwrap();
        // Whatever the CNI's version and custom networking, conservative counts the pod IPs they leave.
        let settings = NodeSettings { sgp, prefix_delegation: pd, custom_networking: custom, cni_version: cni, pods_per_core: None };
        let sys = SystemPods { host, ip: 0 };
        let m = Formula::Conservative.max_pods(t, &settings, sys).unwrap().value;
        prop_assume!(m > host);
        let cluster = Cluster {
            node: NodeSpec { max_pods: m, ip_capacity: ip_capacity(t, &settings), branch_capacity: branch_capacity(t, &settings), system: sys, res: Resources::NONE },
            nodes,
            policy,
        };
        let mut seq = Vec::new();
        order.arrange(c, &mut ChaCha8Rng::seed_from_u64(seed), &mut seq);
        let o = Replayer::new().run(&cluster, c, seq.iter().copied());
        prop_assert_eq!(o.ip_failed, 0, "{} {:?}", t.name, o);
    }

    /// Under the static model, aws-default on a trunk type fails exactly when
    /// more IP pods are bound to a node than it has IPs: with IP pods first
    /// on one node, the first failure is IP pod (IP capacity + 1).
    #[test]
    fn ip_first_fails_at_capacity_plus_one(ty in 0usize..1401, host in 0u32..4) {
        let catalog = Catalog::bundled();
        let t = catalog.iter().nth(ty).unwrap();
        let s = NodeSettings::default();
        let sys = SystemPods { host, ip: 0 };
        let m = Formula::AwsDefault.max_pods(t, &s, sys).unwrap().value;
        let cap = ip_capacity(t, &s);
        let cluster = Cluster {
            node: NodeSpec { max_pods: m, ip_capacity: cap, branch_capacity: branch_capacity(t, &s), system: sys, res: Resources::NONE },
            nodes: Nodes::Fixed(1),
            policy: Policy::FirstFit,
        };
        let c = Counts { sg: 0, ip: m - host, host: 0 };
        let o = Replayer::new().run(&cluster, c, std::iter::repeat_n(Kind::Ip, c.ip as usize));
        if m - host > cap {
            prop_assert_eq!(o.first_ip_failure, Some(cap + 1));
            prop_assert_eq!(o.ip_failed, m - host - cap);
        } else {
            prop_assert_eq!(o.ip_failed, 0);
        }
    }
}
