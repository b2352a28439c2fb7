//! The properties of issue 3, proven on the engine: the zero-delay limit is
//! the static replay, equal times are FIFO and seeds reproduce byte for byte
//! on any thread count, no SG pod runs before its trunk, no IP pod holds an
//! IP its node lacks, no cool-down is cut short, and pods are conserved.

use proptest::prelude::*;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use super::*;
use crate::input::catalog::Catalog;
use crate::model::node::{NodeSpec, Res, Resources, SystemPods};
use crate::model::placement::Policy;
use crate::model::replay::{Cluster, Nodes, Replayer};
use crate::model::requests::PodReq;
use crate::model::workload::{Counts, Kind, Pod};
use crate::timed::dist::Delay;
use crate::timed::settings::{Arrivals, PoolEntry, Timed};
use crate::timed::time::Time;

fn node_type(m: u32, enis: u32, ipe: u32, b: u32, system: SystemPods) -> NodeType {
    let spec = NodeSpec {
        max_pods: m,
        ip_capacity: enis * ipe,
        branch_capacity: b,
        system,
        res: crate::model::node::Resources::NONE,
    };
    NodeType {
        name: "t".into(),
        spec,
        karpenter: spec,
        enis,
        ips_per_eni: ipe,
        trunk_addresses: u64::from(b > 0),
        price: None,
    }
}

/// The same type with every pod, system pods included, requesting 1m CPU
/// and 1 byte on 100m and 100 bytes allocatable: with `M < 100` the filter
/// never refuses and NodeResourcesFit's scores are `slots + 1` (most
/// allocated) and `100 - slots - 1` (least), the slot order exactly. So the
/// resource path must give the slot-only figures.
fn unit_requests(mut t: NodeType) -> NodeType {
    assert!(t.spec.max_pods < 100);
    let one = PodReq::unset_if_zero(Res { cpu: 1, memory: 1 });
    t.spec.res = Resources::new(Res { cpu: 100, memory: 100 }, one, one, &[one; 3]);
    t.karpenter = t.spec;
    t
}

/// Random requests per kind on a small allocatable (some zero: unset).
fn requests_strategy() -> impl Strategy<Value = Resources> {
    let r = || {
        (0u64..4, 0u64..4).prop_map(|(c, m)| Res {
            cpu: c * 250,
            memory: m * 256,
        })
    };
    (1u64..9, 1u64..9, r(), r(), r(), r(), r()).prop_map(|(c, m, sh, si, a, b, h)| {
        Resources::new(
            Res {
                cpu: c * 500,
                memory: m * 512,
            },
            PodReq::unset_if_zero(sh),
            PodReq::unset_if_zero(si),
            &[a, b, h].map(PodReq::unset_if_zero),
        )
    })
}

fn world(t: NodeType, nodes: Nodes, policy: Policy) -> World {
    World {
        types: vec![t],
        initial_type: 0,
        pool: vec![0],
        nodes,
        policy,
        custom_networking: false,
        kinds: Kind::ALL.to_vec(),
    }
}

fn counts(kinds: &[Kind]) -> Counts {
    let n = |k| kinds.iter().filter(|x| **x == k).count() as u32;
    Counts {
        sg: n(Kind::Sg),
        ip: n(Kind::Ip),
        host: n(Kind::Host),
    }
}

/// Pods of a workload without groups: each of its kind's class.
fn pods(kinds: &[Kind]) -> Vec<Pod> {
    kinds.iter().map(|&k| Pod::of_kind(k)).collect()
}

/// A trial's arrivals, from a trace's lifetimes or, with `None`, the scenario's rule.
fn incoming<'x>(pods: &'x [Pod], times: &'x [Time], lifetimes: Option<&'x [Option<Time>]>) -> Incoming<'x> {
    Incoming { pods, times, lifetimes }
}

fn run(w: &World, cfg: &Timed, kinds: &[Kind], times: &[Time], seed: u64) -> TrialOutcome {
    Sim::new().run(
        w,
        cfg,
        Incoming {
            pods: &pods(kinds),
            times,
            lifetimes: None,
        },
        ChaCha8Rng::seed_from_u64(seed),
        true,
    )
}

fn kind_strategy() -> impl Strategy<Value = Kind> {
    prop_oneof![Just(Kind::Sg), Just(Kind::Ip), Just(Kind::Host)]
}

fn nodes_strategy() -> impl Strategy<Value = Nodes> {
    prop_oneof![
        (1u32..5).prop_map(Nodes::Fixed),
        (0u32..3, 1u32..8).prop_map(|(i, extra)| Nodes::Autoscale {
            initial: i,
            max: i.max(1) + extra
        }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    /// MODEL.md §8: with every delay zero and every pod arriving at once the
    /// timed engine gives exactly the static replay's outcome, for any node
    /// type, formula (any `M`), order, policy and fixed or autoscaled cluster.
    #[test]
    fn zero_delays_give_the_static_replay(
        enis in 1u32..4,
        ipe in 1u32..6,
        b in 0u32..6,
        host in 0u32..3,
        sys_ip in 0u32..2,
        extra_m in 1u32..25,
        kinds in proptest::collection::vec(kind_strategy(), 0..120),
        nodes in nodes_strategy(),
        p in 0usize..3,
        warm in 0u32..3,
    ) {
        let system = SystemPods { host, ip: sys_ip.min(enis * ipe) };
        let m = system.total() + extra_m;
        let t = node_type(m, enis, ipe, b, system);
        let policy = Policy::ALL[p];
        let w = world(t.clone(), nodes, policy);
        let mut cfg = Timed::zero_delay();
        cfg.cni.warm_eni_target = warm;
        let times = vec![Time::ZERO; kinds.len()];
        let timed = run(&w, &cfg, &kinds, &times, 1);
        let cluster = Cluster { node: t.spec, nodes, policy };
        let want = Replayer::new().run(&cluster, counts(&kinds), kinds.iter().copied());
        prop_assert_eq!(timed.outcome, want);
        prop_assert_eq!(timed.starting, [0, 0, 0]);
        prop_assert_eq!(timed.not_arrived, 0);
    }

    /// MODEL.md §8 with CPU and memory and workload groups: with every
    /// delay zero, pods of up to five classes (random kinds and requests,
    /// some asking the same, some nothing) give the static replay's outcome,
    /// on fixed and autoscaled clusters, under every policy.
    #[test]
    fn zero_delays_give_the_static_replay_with_groups(
        enis in 1u32..4,
        ipe in 1u32..6,
        b in 0u32..6,
        extra_m in 1u32..25,
        classes in proptest::collection::vec((kind_strategy(), 0u64..4, 0u64..3), 1..6),
        sys in (0u64..3, 0u64..3),
        arrivals in proptest::collection::vec(0usize..100, 0..120),
        nodes in nodes_strategy(),
        p in 0usize..3,
        alloc in (2u64..12, 2u64..12),
    ) {
        let mut classes = classes;
        classes.sort_by_key(|c| c.0);
        let kinds: Vec<Kind> = classes.iter().map(|c| c.0).collect();
        let req = |cpu: u64, memory: u64| PodReq::unset_if_zero(Res { cpu: cpu * 100, memory: memory * 100 });
        let pods_req: Vec<PodReq> = classes.iter().map(|c| req(c.1, c.2)).collect();
        let system = SystemPods { host: 1, ip: 0 };
        let mut t = node_type(system.total() + extra_m, enis, ipe, b, system);
        t.spec.res = Resources::new(
            Res { cpu: alloc.0 * 100, memory: alloc.1 * 100 },
            req(sys.0, sys.1),
            req(0, 0),
            &pods_req,
        );
        t.karpenter = t.spec;
        prop_assume!(t.spec.room().is_ok());
        let arriving: Vec<Pod> = arrivals
            .iter()
            .map(|&a| {
                let c = a % classes.len();
                Pod { kind: kinds[c], class: c as u8 }
            })
            .collect();
        let policy = Policy::ALL[p];
        let mut w = world(t.clone(), nodes, policy);
        w.kinds = kinds.clone();
        let times = vec![Time::ZERO; arriving.len()];
        let timed = Sim::new().run(&w, &Timed::zero_delay(), incoming(&arriving, &times, None), ChaCha8Rng::seed_from_u64(1), false);
        let cluster = Cluster { node: t.spec, nodes, policy };
        let c = counts(&arriving.iter().map(|p| p.kind).collect::<Vec<_>>());
        let want = Replayer::new().run(&cluster, c, arriving.iter().copied());
        prop_assert_eq!(timed.outcome, want);
        prop_assert_eq!(timed.not_arrived, 0);
    }

    /// Pods are conserved, capacities hold and cool-downs are never cut
    /// short, after every single event of random timed runs with churn.
    #[test]
    fn invariants_hold_after_every_event(
        enis in 1u32..4,
        ipe in 1u32..5,
        b in 0u32..5,
        extra_m in 1u32..16,
        kinds in proptest::collection::vec(kind_strategy(), 1..80),
        nodes in nodes_strategy(),
        p in 0usize..3,
        gaps in proptest::collection::vec(0u64..4, 80),
        delays in proptest::collection::vec(0u64..40, 9),
        life in 1u64..200,
        seed in 0u64..1000,
    ) {
        let system = SystemPods { host: 1, ip: 0 };
        let t = node_type(system.total() + extra_m, enis, ipe, b, system);
        let w = world(t, nodes, Policy::ALL[p]);
        let mut cfg = Timed::default();
        let s = |i: usize| Delay::secs(delays[i]);
        cfg.karpenter.batch_idle = Time::secs(delays[0] % 3);
        cfg.karpenter.batch_max = Time::secs(delays[0] % 3 + 5);
        cfg.karpenter.launch = s(1);
        cfg.rc.trunk_delay = s(2);
        cfg.rc.branch_create = Delay::Uniform { lo: Time::ZERO, hi: Time::secs(delays[3]) };
        cfg.rc.branch_cooldown = s(4);
        cfg.rc.branch_rate = 2.0;
        cfg.rc.branch_burst = 3;
        cfg.cni.eni_attach = Delay::Exponential { mean: delays[5] as f64 / 4.0 + 0.1 };
        cfg.cni.ip_cooldown = s(6);
        cfg.cni.kubelet_retry = s(7);
        cfg.cni.pool_interval = Time::secs(delays[8] % 6);
        // Half the runs shrink the pool: WARM_IP_TARGET (and MINIMUM_IP_TARGET) set.
        if delays[7] % 2 == 0 {
            cfg.cni.warm_ip_target = Some((delays[6] % 4) as u32);
            cfg.cni.minimum_ip_target = (delays[5] % 3 == 0).then_some((delays[4] % 7) as u32);
            cfg.cni.shrink_interval = Time::secs(delays[3] % 40);
            cfg.cni.eni_min_age = Time::secs(delays[2] % 70);
        }
        cfg.lifetime = Some(Delay::Uniform { lo: Time::secs(1), hi: Time::secs(life) });
        // A third of the runs have a small subnet (the running nodes fit it),
        // half of those with custom networking and a small ENIConfig subnet too.
        let mut w = w;
        if delays[8] % 3 == 0 {
            w.custom_networking = delays[7] % 2 == 1;
            let ty = &w.types[0];
            let a = ty.launch_addresses(w.custom_networking);
            let trunk = u64::from(ty.spec.branch_capacity > 0);
            let init = u64::from(nodes.initial());
            let pods = usize::from(w.custom_networking);
            let mut need = [a[0] * init, a[1] * init];
            need[pods] += trunk * init;
            cfg.subnet.node = Some(need[0] + delays[2] % 25);
            if w.custom_networking {
                cfg.subnet.eniconfig = Some(need[1] + delays[3] % 25);
            }
            cfg.subnet.retry = Time::secs(delays[4] % 20 + 1);
            cfg.subnet.retry_max = Time::secs(delays[4] % 20 + 1 + delays[5]);
            cfg.subnet.attach_pause = Time::secs(delays[6] % 30 + 1);
        }
        let mut at = 0;
        let times: Vec<Time> = kinds.iter().zip(&gaps).map(|(_, g)| { at += g; Time::secs(at) }).collect();
        let mut sim = Sim::new();
        sim.start(&w, &cfg, incoming(&pods(&kinds), &times, None), ChaCha8Rng::seed_from_u64(seed), false);
        let mut steps = 0;
        while sim.step() {
            sim.audit(&cfg);
            steps += 1;
            prop_assert!(steps < 100_000, "the run ends");
        }
        let out = sim.finish();
        // Every pod that arrived ran and ended (lifetimes are finite), unless it is stuck.
        let stuck = out.outcome.pending.iter().sum::<u32>() + out.outcome.ip_failed + out.starting.iter().sum::<u32>();
        prop_assert_eq!(out.completed.iter().sum::<u64>() + u64::from(stuck) + u64::from(out.outcome.running.iter().sum::<u32>()), kinds.len() as u64);
    }

    /// MODEL.md §5 without requests: the CPU and memory path, given requests
    /// that order nodes as slots do and never refuse ([`unit_requests`]),
    /// gives exactly the slot-only figures, timeline included, with churn,
    /// delays and a two-type NodePool (Karpenter's choice of type and count).
    #[test]
    fn resource_path_equals_the_slot_path(
        enis in 1u32..4,
        ipe in 1u32..5,
        b in 0u32..5,
        extra_m in 1u32..16,
        extra_m2 in 1u32..40,
        kinds in proptest::collection::vec(kind_strategy(), 1..80),
        nodes in nodes_strategy(),
        p in 0usize..3,
        gaps in proptest::collection::vec(0u64..4, 80),
        delays in proptest::collection::vec(0u64..40, 4),
        life in 1u64..200,
        seed in 0u64..1000,
    ) {
        let system = SystemPods { host: 1, ip: 0 };
        let small = node_type(system.total() + extra_m, enis, ipe, b, system);
        let mut big = node_type(system.total() + extra_m2, enis + 1, ipe, b + 1, system);
        big.name = "big".into();
        big.price = Some(2.0);
        let mut slot_world = world(small.clone(), nodes, Policy::ALL[p]);
        slot_world.types.push(big.clone());
        slot_world.pool = vec![0, 1];
        let mut res_world = world(unit_requests(small), nodes, Policy::ALL[p]);
        res_world.types.push(unit_requests(big));
        res_world.pool = vec![0, 1];
        let mut cfg = Timed::default();
        cfg.karpenter.batch_idle = Time::secs(delays[0] % 3);
        cfg.karpenter.launch = Delay::secs(delays[1]);
        cfg.rc.trunk_delay = Delay::secs(delays[2]);
        cfg.cni.ip_cooldown = Delay::secs(delays[3]);
        cfg.lifetime = Some(Delay::Uniform { lo: Time::secs(1), hi: Time::secs(life) });
        let mut at = 0;
        let times: Vec<Time> = kinds.iter().zip(&gaps).map(|(_, g)| { at += g; Time::secs(at) }).collect();
        let slots = run(&slot_world, &cfg, &kinds, &times, seed);
        let mut sim = Sim::new();
        sim.start(&res_world, &cfg, incoming(&pods(&kinds), &times, None), ChaCha8Rng::seed_from_u64(seed), true);
        while sim.step() {
            sim.audit(&cfg);
        }
        prop_assert_eq!(sim.finish(), slots);
    }

    /// With random requests, no node's bound pods ever request more than
    /// its allocatable, and the sums the engine keeps match a recount
    /// ([`Sim::audit`]), after every event.
    #[test]
    fn requests_never_exceed_allocatable(
        extra_m in 1u32..30,
        res in requests_strategy(),
        kinds in proptest::collection::vec(kind_strategy(), 1..80),
        nodes in nodes_strategy(),
        p in 0usize..3,
        gaps in proptest::collection::vec(0u64..4, 80),
        life in 1u64..200,
        seed in 0u64..1000,
    ) {
        let system = SystemPods { host: 1, ip: 1 };
        let mut t = node_type(system.total() + extra_m, 3, 6, 4, system);
        t.spec.res = res;
        t.karpenter = t.spec;
        prop_assume!(t.spec.room().is_ok());
        let w = world(t, nodes, Policy::ALL[p]);
        let cfg = Timed { lifetime: Some(Delay::Uniform { lo: Time::secs(1), hi: Time::secs(life) }), ..Timed::default() };
        let mut at = 0;
        let times: Vec<Time> = kinds.iter().zip(&gaps).map(|(_, g)| { at += g; Time::secs(at) }).collect();
        let mut sim = Sim::new();
        sim.start(&w, &cfg, incoming(&pods(&kinds), &times, None), ChaCha8Rng::seed_from_u64(seed), false);
        let mut steps = 0;
        while sim.step() {
            sim.audit(&cfg);
            steps += 1;
            prop_assert!(steps < 100_000, "the run ends");
        }
    }
}

impl Sim<'_> {
    /// Checks every invariant against a recount from the pods (test only).
    fn audit(&self, cfg: &Timed) {
        let w = self.world.expect("started");
        let mut count = [[0u32; 3]; 7];
        let mut slots = vec![0u32; self.nodes.len()];
        let mut requested = vec![Res::ZERO; self.nodes.len()];
        let mut branches = vec![0u32; self.nodes.len()];
        let mut ips = vec![0u32; self.nodes.len()];
        let mut ip_released: Vec<Vec<Time>> = vec![Vec::new(); self.nodes.len()];
        let mut br_released: Vec<Vec<Time>> = vec![Vec::new(); self.nodes.len()];
        for pod in &self.pods {
            count[pod.state as usize][pod.kind.index()] += 1;
            let bound = matches!(
                pod.state,
                State::Starting | State::WaitingIp | State::IpFailed | State::Running
            );
            if bound {
                let n = pod.node as usize;
                slots[n] += 1;
                requested[n] = requested[n].plus_times(
                    w.types[self.nodes[n].ty as usize]
                        .spec
                        .res
                        .requested(usize::from(pod.class)),
                    1,
                );
                branches[n] += u32::from(pod.kind == Kind::Sg);
                ips[n] += u32::from(pod.has_ip);
                let node = &self.nodes[n];
                if pod.kind == Kind::Sg {
                    assert!(
                        node.trunk,
                        "an SG pod is bound only where branch capacity is advertised"
                    );
                    if pod.state == State::Running {
                        assert!(pod.since >= node.trunk_at, "an SG pod runs after its node's trunk");
                    }
                }
                if pod.kind == Kind::Ip && pod.state == State::Running {
                    assert!(pod.has_ip, "a running IP pod holds an IP");
                }
                if pod.kind != Kind::Ip {
                    assert!(!pod.has_ip);
                }
            } else {
                assert!(!pod.has_ip, "only a bound pod holds an IP");
            }
            if pod.state == State::Done {
                let n = pod.node as usize;
                match pod.kind {
                    Kind::Ip => ip_released[n].push(pod.since),
                    Kind::Sg => br_released[n].push(pod.since),
                    Kind::Host => {}
                }
            }
        }
        assert_eq!(count, self.count, "state counters match the pods");
        for (i, limit) in [cfg.subnet.node, cfg.subnet.eniconfig].into_iter().enumerate() {
            assert!(self.subnet_peak[i] >= self.subnet_used[i]);
            if let Some(l) = limit {
                assert!(
                    self.subnet_used[i] <= l,
                    "subnet {i}: {} addresses used of {l}",
                    self.subnet_used[i]
                );
            }
        }
        assert_eq!(
            count.iter().flatten().sum::<u32>() as usize,
            self.pods.len(),
            "each pod in exactly one state"
        );
        let cd = |d: Delay| match d {
            Delay::Fixed(t) => Some(t),
            _ => None,
        };
        let mut wasted = 0u64;
        for (n, node) in self.nodes.iter().enumerate() {
            let ty = &w.types[node.ty as usize];
            let s = &ty.spec;
            assert_eq!(node.slots, s.system.total() + slots[n], "slots of node {n}");
            let req = s.res.system(&s.system).plus_times(requested[n], 1);
            assert_eq!(node.requested, req, "requests of node {n}");
            assert!(
                !s.res.counted() || req.within(&s.res.allocatable),
                "node {n}: {req:?} within {:?}",
                s.res.allocatable
            );
            assert!(node.slots <= s.max_pods);
            assert_eq!(node.branches, branches[n]);
            assert!(node.branches <= s.branch_capacity);
            assert!(
                node.controller_used + node.controller_cooling + node.controller_deleting <= s.branch_capacity,
                "the controller never exceeds B"
            );
            if node.phase == Phase::Ready {
                assert_eq!(node.ip_assigned, s.system.ip + ips[n], "IPs held on node {n}");
                assert!(
                    node.ip_assigned + node.ip_cooling <= node.ip_total,
                    "no pod holds an IP its node lacks"
                );
                assert!(node.ip_total <= node.enis * ty.ips_per_eni && node.ip_total <= s.ip_capacity);
                assert!(node.enis <= ty.enis);
                assert!(node.ready_at >= node.launched);
                if node.trunk && node.launched > Time::ZERO {
                    let d = cd(cfg.rc.trunk_delay).expect("fixed in this test");
                    assert!(node.trunk_at >= node.ready_at + d, "the trunk delay has passed");
                }
                if node.slots == s.max_pods {
                    wasted += u64::from(s.ip_capacity - node.ip_assigned);
                }
            } else {
                assert_eq!(slots[n], 0, "nothing binds to a launching node");
            }
            // No cool-down cut short, none stuck: the IPs (branches) still
            // cooling are those released less than a cool-down ago, give or
            // take the ones whose cool-down ends exactly now.
            for (released, cooling, d) in [
                (&ip_released[n], node.ip_cooling, cd(cfg.cni.ip_cooldown)),
                (&br_released[n], node.controller_cooling, cd(cfg.rc.branch_cooldown)),
            ] {
                let Some(d) = d else { continue };
                let surely = released.iter().filter(|&&t| t + d > self.now).count() as u32;
                let maybe = released.iter().filter(|&&t| t + d >= self.now).count() as u32;
                assert!(
                    surely <= cooling && cooling <= maybe,
                    "node {n}: {surely} <= {cooling} <= {maybe} at {}",
                    self.now
                );
            }
        }
        assert_eq!(wasted, self.wasted_now);
    }
}

/// The static replay's §10 figure, timed: m5.large-like node, ip-first fill.
#[test]
fn first_ip_failure_at_ip_pod_19_with_defaults() {
    let t = node_type(29, 2, 9, 9, SystemPods { host: 2, ip: 0 });
    let w = world(t, Nodes::Fixed(1), Policy::MostAllocated);
    let mut kinds = vec![Kind::Ip; 27];
    kinds.extend([Kind::Sg; 9]);
    let cfg = Timed::default();
    let out = run(&w, &cfg, &kinds, &vec![Time::ZERO; kinds.len()], 1);
    assert_eq!(out.outcome.first_ip_failure, Some(19));
    assert_eq!(out.outcome.ip_failed, 9);
    assert_eq!(out.outcome.pending, [9, 0, 0]);
    // A new node has one ENI's worth of free IPs (WARM_ENI_TARGET=1); the
    // first pod takes one, the pool loop attaches the second ENI (4 s), and
    // IP pods 10 to 18 run then.
    assert_eq!(out.latency[1].p50, Some(Time::ZERO));
    assert_eq!(out.latency[1].max, Some(Time::secs(4)));
}

/// SG pods on a new node wait for the batch, the launch and the trunk delay;
/// IP pods only for the batch and the launch.
#[test]
fn sg_pods_wait_for_the_trunk_delay() {
    let t = node_type(29, 2, 9, 9, SystemPods { host: 2, ip: 0 });
    let w = world(t, Nodes::Autoscale { initial: 0, max: 10 }, Policy::MostAllocated);
    let mut cfg = Timed::default();
    cfg.rc.trunk_delay = Delay::secs(30);
    cfg.rc.branch_create = Delay::secs(2);
    let kinds = [Kind::Ip, Kind::Sg];
    let out = run(&w, &cfg, &kinds, &[Time::ZERO; 2], 1);
    assert_eq!(out.nodes_launched, 1, "one node takes both: no double launch");
    // Batch closes after 1 s idle; Ready 90 s later; the controller's 0.3 s
    // serial step, the 30 s trunk delay, the 2 s creation.
    assert_eq!(out.latency[1].max, Some(Time::secs(91)));
    assert_eq!(out.latency[0].max, Some(Time(123_300_000)));
}

/// No second node is launched for pods a launching node will take, even
/// after it is Ready but before its branch capacity shows (KCORE statenode).
#[test]
fn no_double_launch_while_the_trunk_is_pending() {
    let t = node_type(29, 2, 9, 9, SystemPods { host: 2, ip: 0 });
    let w = world(t, Nodes::Autoscale { initial: 0, max: 10 }, Policy::MostAllocated);
    let mut cfg = Timed::default();
    cfg.rc.trunk_delay = Delay::secs(600);
    // 9 SG pods, one every 20 s: the later ones find the node Ready without branches.
    let kinds = [Kind::Sg; 9];
    let times: Vec<Time> = (0..9).map(|i| Time::secs(20 * i)).collect();
    let out = run(&w, &cfg, &kinds, &times, 1);
    assert_eq!(out.nodes_launched, 1);
    assert_eq!(out.outcome.running[0], 9);
    // A tenth SG pod does not fit the node's 9 branches: a second node.
    let kinds = [Kind::Sg; 10];
    let out = run(&w, &cfg, &kinds, &[Time::ZERO; 10], 1);
    assert_eq!(out.nodes_launched, 2);
}

/// The branch cool-down: the scheduler sees a freed branch at once, the
/// controller only after 60 s, so the replacement waits in ContainerCreating.
#[test]
fn branch_cooldown_holds_the_replacement() {
    let t = node_type(29, 2, 9, 1, SystemPods { host: 2, ip: 0 });
    let w = world(t, Nodes::Fixed(1), Policy::MostAllocated);
    let mut cfg = Timed::default();
    cfg.rc.branch_create = Delay::secs(1);
    cfg.lifetime = Some(Delay::secs(100));
    cfg.replace = true;
    cfg.horizon = Some(Time::secs(150));
    let out = run(&w, &cfg, &[Kind::Sg], &[Time::ZERO], 1);
    // First pod: running at 1 s, ends at 101 s; its replacement binds at once,
    // then waits for the cool-down (161 s): still starting at the horizon.
    assert_eq!(out.completed[0], 1);
    assert_eq!(out.starting[0], 1);
    assert_eq!(out.outcome.running[0], 0);
    cfg.horizon = Some(Time::secs(200));
    let out = run(&w, &cfg, &[Kind::Sg], &[Time::ZERO], 1);
    assert_eq!(out.outcome.running[0], 1);
    assert_eq!(
        out.latency[0].max,
        Some(Time::secs(61)),
        "60 s cool-down + 1 s creation"
    );
}

/// ip-failed pods start when an IP frees (after its 30 s cool-down), at the
/// kubelet's next 10 s retry after their failure.
#[test]
fn ip_failed_pods_start_after_the_ip_cooldown() {
    // One ENI of 2 IPs, no more ENIs: the third IP pod is ip-failed.
    let t = node_type(10, 1, 2, 0, SystemPods { host: 1, ip: 0 });
    let w = world(t, Nodes::Fixed(1), Policy::MostAllocated);
    let cfg = Timed {
        horizon: Some(Time::secs(500)),
        ..Timed::default()
    };
    let kinds = [Kind::Ip, Kind::Ip, Kind::Ip];
    let times = [Time::ZERO, Time::ZERO, Time::secs(5)];
    let lifetimes = [Some(Time::secs(100)), None, None];
    let mut sim = Sim::new();
    let out = sim.run(
        &w,
        &cfg,
        incoming(&pods(&kinds), &times, Some(&lifetimes)),
        ChaCha8Rng::seed_from_u64(1),
        false,
    );
    // Failed at 5 s; the IP frees at 130 s; retries at 5 + 10k: runs at 135 s.
    assert_eq!(out.latency[1].max, Some(Time::secs(130)));
    assert_eq!(out.outcome.first_ip_failure, Some(3));
    assert_eq!(out.ip_failed_time, Time::secs(130));
    assert_eq!(out.outcome.running[1], 2);
}

/// A random kubelet retry period is drawn each period from the failure
/// (MODEL.md §9, last row), so the pod starts in the period in which its IP
/// frees: within one period (at most 15 s) of the IP, and about half a
/// period after it on average. Drawing one period from the IP's release
/// (the old rule) would give 10 to 15 s after it, every time.
#[test]
fn a_random_kubelet_retry_is_periodic_from_the_failure() {
    let t = node_type(10, 1, 2, 0, SystemPods { host: 1, ip: 0 });
    let w = world(t, Nodes::Fixed(1), Policy::MostAllocated);
    let mut cfg = Timed {
        horizon: Some(Time::secs(500)),
        ..Timed::default()
    };
    cfg.cni.kubelet_retry = Delay::Uniform {
        lo: Time::secs(10),
        hi: Time::secs(15),
    };
    let kinds = [Kind::Ip, Kind::Ip, Kind::Ip];
    let times = [Time::ZERO, Time::ZERO, Time::secs(5)];
    let lifetimes = [Some(Time::secs(100)), None, None];
    let mut sim = Sim::new();
    let mut after_ip = Vec::new();
    for seed in 0..300 {
        let out = sim.run(
            &w,
            &cfg,
            incoming(&pods(&kinds), &times, Some(&lifetimes)),
            ChaCha8Rng::seed_from_u64(seed),
            false,
        );
        // Failed at 5 s, IP free at 130 s: running at 5 s + latency.
        let start = Time::secs(5) + out.latency[1].max.expect("the third pod runs");
        assert!(
            start >= Time::secs(130),
            "seed {seed}: started at {start:?}, before its IP"
        );
        let wait = (start - Time::secs(130)).as_secs_f64();
        assert!(wait <= 15.0, "seed {seed}: {wait} s after the IP, more than one period");
        after_ip.push(wait);
    }
    let mean = after_ip.iter().sum::<f64>() / after_ip.len() as f64;
    // A renewal process's residual time: E[X^2] / (2 E[X]) = 6.3 s for U(10, 15).
    assert!((4.5..8.5).contains(&mean), "mean wait after the IP {mean} s");
}

/// With a free ENI slot, a pod with no free IP waits for the attach (pool
/// loop tick + attach delay), and is never counted ip-failed.
#[test]
fn eni_attach_when_the_pool_is_empty() {
    let t = node_type(20, 3, 2, 0, SystemPods { host: 1, ip: 0 });
    let w = world(t, Nodes::Fixed(1), Policy::MostAllocated);
    let mut cfg = Timed::default();
    cfg.cni.warm_eni_target = 0;
    cfg.cni.eni_attach = Delay::secs(4);
    let kinds = [Kind::Ip; 3];
    let times = [Time::ZERO, Time::ZERO, Time::secs(7)];
    let out = run(&w, &cfg, &kinds, &times, 1);
    // Third pod at 7 s: next pool tick at 10 s, ENI ready at 14 s.
    assert_eq!(out.latency[1].max, Some(Time::secs(7)));
    assert_eq!(out.outcome.ip_failed, 0);
    assert_eq!(out.ip_failed_time, Time::ZERO);
}

/// The branch rate limit: 30 SG pods at once, 12 per second after a burst
/// of 18: the 30th starts 1 s after the first.
#[test]
fn branch_creations_are_rate_limited() {
    let t = node_type(100, 2, 9, 50, SystemPods { host: 2, ip: 0 });
    let w = world(t, Nodes::Fixed(1), Policy::MostAllocated);
    let mut cfg = Timed::default();
    cfg.rc.branch_create = Delay::ZERO;
    let out = run(&w, &cfg, &[Kind::Sg; 30], &[Time::ZERO; 30], 1);
    let interval = (1e6f64 / 12.0).round() as u64;
    assert_eq!(out.latency[0].max, Some(Time(12 * interval)));
    assert_eq!(out.latency[0].p50, Some(Time::ZERO));
    cfg.rc.branch_rate = 0.0;
    let out = run(&w, &cfg, &[Kind::Sg; 30], &[Time::ZERO; 30], 1);
    assert_eq!(out.latency[0].max, Some(Time::ZERO), "rate 0: unlimited");
}

/// Karpenter picks the cheapest NodePool type that takes the whole batch.
#[test]
fn karpenter_picks_the_cheapest_type_that_fits() {
    let small = NodeType {
        name: "small".into(),
        price: Some(1.0),
        ..node_type(12, 2, 9, 9, SystemPods { host: 2, ip: 0 })
    };
    let big = NodeType {
        name: "big".into(),
        price: Some(3.0),
        ..node_type(52, 4, 14, 30, SystemPods { host: 2, ip: 0 })
    };
    let w = World {
        types: vec![small, big],
        initial_type: 0,
        pool: vec![0, 1],
        nodes: Nodes::Autoscale { initial: 0, max: 10 },
        policy: Policy::MostAllocated,
        custom_networking: false,
        kinds: Kind::ALL.to_vec(),
    };
    let cfg = Timed {
        horizon: Some(Time::secs(3600)),
        ..Timed::default()
    };
    // 10 pods fit the small type: one small node, launched when the batch
    // closes at 1 s: 3599 s of it at 1 per hour.
    let out = run(&w, &cfg, &[Kind::Ip; 10], &[Time::ZERO; 10], 1);
    assert_eq!(out.nodes_launched, 1);
    assert_eq!(out.node_time, Time::secs(3599));
    assert!((out.cost.unwrap() - 3599.0 / 3600.0).abs() < 1e-9);
    // 40 pods fit only the big one: one big node rather than four small ones.
    let out = run(&w, &cfg, &[Kind::Host; 40], &[Time::ZERO; 40], 1);
    assert_eq!(out.nodes_launched, 1);
    assert!((out.cost.unwrap() - 3.0 * 3599.0 / 3600.0).abs() < 1e-9);
}

/// The batch window: pods arriving every 0.5 s keep the batch open until
/// its 10 s maximum, then one launch covers them all.
#[test]
fn batches_close_at_idle_or_max() {
    let t = node_type(60, 3, 20, 9, SystemPods { host: 2, ip: 0 });
    let w = world(t, Nodes::Autoscale { initial: 0, max: 10 }, Policy::MostAllocated);
    let cfg = Timed::default();
    let kinds = [Kind::Host; 30];
    let times: Vec<Time> = (0..30).map(|i| Time(i * 500_000)).collect();
    let out = run(&w, &cfg, &kinds, &times, 1);
    // Batch opens at 0, closes at 10 s (max): 21 pods; the rest start a
    // batch at 10.5 s that closes 1 s after the last (14.5 s) at 15.5 s,
    // and goes to the launching node: one node for all.
    assert_eq!(out.nodes_launched, 1);
    assert_eq!(out.latency[2].max, Some(Time::secs(100)));
}

/// Equal seeds, equal bytes; different thread counts, equal bytes.
#[test]
fn same_seed_same_bytes_on_any_thread_count() {
    let text = r#"
        seed = 11
        trials = 6
        instance_types = ["m5.large"]
        formulas = ["aws-default", "conservative"]
        orders = ["random", "sg-first"]
        policies = ["most-allocated", "least-allocated"]
        system_pods = { host = 2 }
        workload = { sg_pods = 30, ip_pods = 60, host_pods = 5 }
        nodes = { autoscale = true, initial = 1, max = 20 }
        [timed]
        horizon = 900
        arrivals = { process = "poisson", rate = 1 }
        lifetime = { dist = "exponential", mean = 200 }
        replace = true
        [timed.karpenter]
        launch = { dist = "lognormal", median = 60, sigma = 0.3 }
        [timed.resource_controller]
        trunk_delay = { dist = "uniform", min = 2, max = 10 }
    "#;
    let (sc, timed) = scenario(text);
    let cells = crate::input::scenario::timed_cells(&sc, &timed, None).unwrap();
    let one = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
    let many = rayon::ThreadPoolBuilder::new().num_threads(3).build().unwrap();
    let a = one.install(|| crate::runner::timed::run(&cells, &timed, sc.seed, None, true));
    let b = many.install(|| crate::runner::timed::run(&cells, &timed, sc.seed, None, true));
    assert_eq!(a, b);
    assert_eq!(
        crate::output::timed::summary(&cells, &a, &timed),
        crate::output::timed::summary(&cells, &b, &timed)
    );
    assert_eq!(
        crate::output::timed::timeline(&cells, &a, &timed),
        crate::output::timed::timeline(&cells, &b, &timed)
    );
    assert_eq!(a.trials.len(), 8 * 6);
    // A trial re-runs alone to the same outcome.
    let mut sim = Sim::new();
    let alone = crate::timed::cell::run_trial(&cells[0], &timed, sc.seed, 4, None, &mut sim, false);
    assert_eq!(alone, a.trials[4].outcome);
    // And the churn really happened.
    assert!(a.trials.iter().all(|t| t.outcome.completed.iter().sum::<u64>() > 0));
}

fn scenario(text: &str) -> (crate::input::scenario::Scenario, Timed) {
    let raw: toml::Table = toml::from_str(text).unwrap();
    let timed_raw = raw.get("timed").cloned().unwrap();
    let mut rest = raw.clone();
    rest.remove("timed");
    let sc = crate::input::scenario::Scenario::from_toml(&toml::to_string(&rest).unwrap(), "t", &Catalog::bundled())
        .unwrap();
    let timed = crate::input::timed::validate(timed_raw.try_into().unwrap(), &Catalog::bundled()).unwrap();
    (sc, timed)
}

/// On real types and formulas, the whole zero-delay sweep (every order,
/// random ones included, and both policies) equals the static sweep, with
/// today's node settings and with custom networking, older CNIs and
/// podsPerCore (MODEL.md §8).
#[test]
fn zero_delay_sweep_equals_the_static_sweep() {
    for settings in [
        "",
        "custom_networking = true",
        "custom_networking = true\ncni_version = \"1.19.0\"",
        "cni_version = \"1.16.3\"",
        "pods_per_core = 10\ncustom_networking = true",
    ] {
        let text = format!(
            r#"
            {settings}
            seed = 5
            trials = 40
            instance_types = ["m5.large", "m5.xlarge", "c6i.2xlarge", "t3.medium"]
            formulas = ["aws-default", "conservative", "aggressive", "prefix-delegation", "aws-custom-networking"]
            orders = ["sg-first", "ip-first", "random", "interleaved"]
            policies = ["most-allocated", "least-allocated", "first-fit"]
            system_pods = {{ host = 3 }}
            workload = {{ fill = "seed", nodes = 3 }}
            nodes = {{ autoscale = true, initial = 1, max = 3 }}
            [timed]
        "#
        );
        let (sc, _) = scenario(&text);
        let timed = Timed {
            arrivals: Arrivals::AtOnce,
            ..Timed::zero_delay()
        };
        let cells = crate::input::scenario::timed_cells(&sc, &timed, None).unwrap();
        let timed_result = crate::runner::timed::run(&cells, &timed, sc.seed, None, false);
        let static_cells = sc.cells().unwrap();
        let static_result = crate::runner::sweep::run(&static_cells, sc.seed, false);
        for ((c, t), s) in static_cells
            .iter()
            .zip(&timed_result.cells)
            .zip(&static_result.summaries)
        {
            assert_eq!(
                &t.summary, s,
                "{settings:?}: {} {} {} {}",
                c.instance_type, c.formula, c.order, c.policy
            );
        }
    }
}

/// The first timed cell of a one-type scenario with `settings`: its node type.
fn node_type_of(settings: &str, ty: &str, formula: &str, host: u32) -> World {
    let text = format!(
        r#"
        {settings}
        instance_types = ["{ty}"]
        formulas = ["{formula}"]
        orders = ["ip-first"]
        system_pods = {{ host = {host} }}
        workload = {{ ip_pods = 1 }}
        [timed]
    "#
    );
    let (sc, timed) = scenario(&text);
    let cells = crate::input::scenario::timed_cells(&sc, &timed, None).unwrap();
    cells[0].world.clone()
}

/// Issue 11's case, by hand, in the timed engine with its default delays: a
/// planner computes conservative = 45 on m5.xlarge (S = 3, 42 IPs with the
/// trunk) and sets it, but the cluster runs custom networking: the primary
/// ENI takes no pod IPs, so two ENIs of 14 hold pods, 28 IPs. 42 IP pods at
/// once: 28 run, the 29th is the first without an IP, 14 fail for good.
/// With the conservative formula under custom networking (M = 3 + 28 = 31)
/// none fail, and 14 pods are pending instead (the autoscaler's cue).
#[test]
fn custom_networking_fails_14_pods_at_maxpods_45_on_m5_xlarge() {
    let w = node_type_of("custom_networking = true", "m5.xlarge", "fixed:45", 3);
    let t = &w.types[0];
    assert_eq!((t.enis, t.ips_per_eni, t.spec.ip_capacity), (2, 14, 28));
    let kinds = vec![Kind::Ip; 42];
    let at_once = vec![Time::ZERO; kinds.len()];
    let out = run(&w, &Timed::default(), &kinds, &at_once, 1);
    assert_eq!(out.outcome.ip_failed, 14);
    assert_eq!(out.outcome.first_ip_failure, Some(29));
    assert_eq!(out.outcome.running[1], 28);
    // One pod ENI is attached at Ready (14 IPs); the pool loop attaches the
    // second (4 s), and pods 15 to 28 run then.
    assert_eq!(out.latency[1].max, Some(Time::secs(4)));
    // Without custom networking the same maxPods never fails.
    let plain = node_type_of("", "m5.xlarge", "fixed:45", 3);
    assert_eq!(plain.types[0].enis, 3);
    assert_eq!(run(&plain, &Timed::default(), &kinds, &at_once, 1).outcome.ip_failed, 0);
    // Conservative follows the setting.
    let cons = node_type_of("custom_networking = true", "m5.xlarge", "conservative", 3);
    assert_eq!(cons.types[0].spec.max_pods, 31);
    let out = run(&cons, &Timed::default(), &kinds, &at_once, 1);
    assert_eq!((out.outcome.ip_failed, out.outcome.pending[1]), (0, 14));
}

/// CNI versions in the timed engine, by hand. m5.large (E = 3, I = 10,
/// trunk) before v1.16.4: the trunk ENI's IPs go to pods, three ENIs of 9,
/// so aws-default's 29 with S = 2 fits 27 IP pods and none fail (today's
/// CNI: the 19th fails). t3.medium (E = 3, I = 6, no trunk) at v1.19.0: a
/// slot is held back anyway, two ENIs of 5: aws-default's 17 with S = 2
/// binds 15 IP pods, the 11th fails, 5 in all.
#[test]
fn the_cni_version_sets_the_pod_enis() {
    let old = node_type_of("cni_version = \"1.16.3\"", "m5.large", "aws-default", 2);
    assert_eq!((old.types[0].enis, old.types[0].spec.ip_capacity), (3, 27));
    let kinds = vec![Kind::Ip; 27];
    let out = run(&old, &Timed::default(), &kinds, &[Time::ZERO; 27], 1);
    assert_eq!((out.outcome.ip_failed, out.outcome.first_ip_failure), (0, None));
    let now = node_type_of("", "m5.large", "aws-default", 2);
    let out = run(&now, &Timed::default(), &kinds, &[Time::ZERO; 27], 1);
    assert_eq!((out.outcome.ip_failed, out.outcome.first_ip_failure), (9, Some(19)));

    let t3 = node_type_of("cni_version = \"1.19.0\"", "t3.medium", "aws-default", 2);
    assert_eq!((t3.types[0].enis, t3.types[0].spec.ip_capacity), (2, 10));
    assert_eq!(t3.types[0].spec.branch_capacity, 0);
    let kinds = vec![Kind::Ip; 15];
    let out = run(&t3, &Timed::default(), &kinds, &[Time::ZERO; 15], 1);
    assert_eq!((out.outcome.ip_failed, out.outcome.first_ip_failure), (5, Some(11)));
    let t3_now = node_type_of("cni_version = \"1.20.4\"", "t3.medium", "aws-default", 2);
    assert_eq!(t3_now.types[0].enis, 3);
    let out = run(&t3_now, &Timed::default(), &kinds, &[Time::ZERO; 15], 1);
    assert_eq!(out.outcome.ip_failed, 0);
}

/// podsPerCore in the timed engine: m5.large has 2 vCPUs, so podsPerCore 5
/// caps aws-default's 29 at 10: with S = 2, 8 IP pods bind, 19 stay pending.
#[test]
fn pods_per_core_caps_the_slots() {
    let w = node_type_of("pods_per_core = 5", "m5.large", "aws-default", 2);
    assert_eq!(w.types[0].spec.max_pods, 10);
    let kinds = vec![Kind::Ip; 27];
    let out = run(&w, &Timed::default(), &kinds, &[Time::ZERO; 27], 1);
    assert_eq!(
        (out.outcome.running[1], out.outcome.pending[1], out.outcome.ip_failed),
        (8, 19, 0)
    );
}

/// A NodePool with a type unfit for SG pods: Karpenter never picks it for them.
#[test]
fn sg_pods_never_launch_a_type_without_branches() {
    let cat = Catalog::bundled();
    let t3 = cat.get("t3.large").unwrap().clone();
    let w = World {
        types: vec![NodeType {
            name: "t3.large".into(),
            ..node_type(35, 3, 11, 0, SystemPods { host: 2, ip: 0 })
        }],
        initial_type: 0,
        pool: vec![0],
        nodes: Nodes::Autoscale { initial: 0, max: 5 },
        policy: Policy::MostAllocated,
        custom_networking: false,
        kinds: Kind::ALL.to_vec(),
    };
    let cfg = Timed {
        karpenter: crate::timed::settings::Karpenter {
            nodepool: vec![PoolEntry {
                instance_type: t3,
                price: None,
            }],
            ..Default::default()
        },
        ..Timed::default()
    };
    let out = run(&w, &cfg, &[Kind::Sg; 3], &[Time::ZERO; 3], 1);
    assert_eq!(out.nodes_launched, 0);
    assert_eq!(out.outcome.pending, [3, 0, 0]);
}

/// Counts this thread's allocations while `COUNTING` holds `Some` (test binary only).
struct CountingAlloc;

thread_local! {
    static COUNTING: std::cell::Cell<Option<u64>> = const { std::cell::Cell::new(None) };
}

fn count_one() {
    // `try_with`: the allocator may run while the thread is being torn down.
    let _ = COUNTING.try_with(|c| {
        if let Some(n) = c.get() {
            c.set(Some(n + 1));
        }
    });
}

unsafe impl std::alloc::GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: std::alloc::Layout) -> *mut u8 {
        count_one();
        unsafe { std::alloc::System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: std::alloc::Layout) {
        unsafe { std::alloc::System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: std::alloc::Layout, new_size: usize) -> *mut u8 {
        count_one();
        unsafe { std::alloc::System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

/// The engine allocates nothing per event once warm: a second run of a
/// churn trial (thousands of events: arrivals, ends, replacements, cool-downs,
/// ENI attaches, branch creations, Karpenter launches) allocates nothing at all.
#[test]
fn a_warm_engine_allocates_nothing() {
    let t = node_type(29, 2, 9, 9, SystemPods { host: 2, ip: 0 });
    let w = world(t, Nodes::Autoscale { initial: 2, max: 40 }, Policy::LeastAllocated);
    let cfg = Timed {
        horizon: Some(Time::secs(3600)),
        lifetime: Some(Delay::Exponential { mean: 300.0 }),
        replace: true,
        ..Timed::default()
    };
    let kinds: Vec<Kind> = (0..400).map(|i| Kind::ALL[i % 3]).collect();
    let arriving = pods(&kinds);
    let times: Vec<Time> = (0..400).map(|i| Time(i * 250_000)).collect();
    let mut sim = Sim::new();
    let first = sim.run(
        &w,
        &cfg,
        incoming(&arriving, &times, None),
        ChaCha8Rng::seed_from_u64(3),
        false,
    );
    COUNTING.with(|c| c.set(Some(0)));
    let second = sim.run(
        &w,
        &cfg,
        incoming(&arriving, &times, None),
        ChaCha8Rng::seed_from_u64(3),
        false,
    );
    let allocations = COUNTING.with(|c| c.replace(None)).unwrap();
    assert_eq!(first, second);
    assert!(second.events > 5_000, "{} events", second.events);
    assert!(second.completed.iter().sum::<u64>() > 1_000 && second.nodes_launched > 0);
    assert_eq!(allocations, 0, "allocations in a warm run of {} events", second.events);
}

/// The timed engine on a CPU-bound workload: nodes of 29 slots and 18 pod
/// IPs, 1000m allocatable, IP pods of 250m. Karpenter sizes launches by CPU
/// (4 pods a node), nodes fill on CPU long before maxPods, and no pod is
/// left without an IP; without requests the same 20 pods go to one node,
/// where 2 find no IP.
#[test]
fn cpu_bound_nodes_fill_before_max_pods() {
    let system = SystemPods { host: 2, ip: 0 };
    let plain = node_type(29, 2, 9, 9, system);
    let mut cpu = plain.clone();
    let quarter = Res { cpu: 250, memory: 0 };
    cpu.spec.res = Resources::new(
        Res {
            cpu: 1000,
            memory: 1 << 30,
        },
        PodReq::unset_if_zero(Res::ZERO),
        PodReq::unset_if_zero(Res::ZERO),
        &[Res::ZERO, quarter, Res::ZERO].map(PodReq::unset_if_zero),
    );
    cpu.karpenter = cpu.spec;
    let nodes = Nodes::Autoscale { initial: 0, max: 10 };
    let kinds = vec![Kind::Ip; 20];
    let times = vec![Time::ZERO; 20];
    let cfg = Timed::default();
    let out = run(&world(cpu, nodes, Policy::MostAllocated), &cfg, &kinds, &times, 1);
    assert_eq!(out.nodes_launched, 5, "20 pods of 250m, 4 a node");
    assert_eq!((out.outcome.ip_failed, out.outcome.running[1]), (0, 20));
    let out = run(&world(plain, nodes, Policy::MostAllocated), &cfg, &kinds, &times, 1);
    assert_eq!(out.nodes_launched, 1);
    assert_eq!((out.outcome.ip_failed, out.outcome.running[1]), (2, 18));
}

/// Karpenter's choice of type counts CPU: of 8 pending pods of 500m, a
/// 1930m type takes 3 (4 x 500m > 1930m) and a 4000m type all 8, so the
/// cheapest type that takes the whole batch is the large one, though both
/// have the slots for all 8.
#[test]
fn karpenter_sizes_by_cpu() {
    let system = SystemPods { host: 0, ip: 0 };
    let half = Res { cpu: 500, memory: 0 };
    let with = |mut t: NodeType, cpu: u64, name: &str, price: f64| {
        t.spec.res = Resources::new(
            Res { cpu, memory: 1 << 30 },
            PodReq::unset_if_zero(Res::ZERO),
            PodReq::unset_if_zero(Res::ZERO),
            &[Res::ZERO, Res::ZERO, half].map(PodReq::unset_if_zero),
        );
        t.karpenter = t.spec;
        t.name = name.into();
        t.price = Some(price);
        t
    };
    let small = with(node_type(29, 3, 10, 9, system), 1930, "small", 1.0);
    let large = with(node_type(58, 4, 15, 18, system), 4000, "large", 2.0);
    let w = World {
        types: vec![small, large],
        initial_type: 0,
        pool: vec![0, 1],
        nodes: Nodes::Autoscale { initial: 0, max: 10 },
        policy: Policy::MostAllocated,
        custom_networking: false,
        kinds: Kind::ALL.to_vec(),
    };
    let kinds = vec![Kind::Host; 8];
    let out = run(&w, &Timed::default(), &kinds, &[Time::ZERO; 8], 1);
    assert_eq!(out.nodes_launched, 1, "one large node takes all 8");
    assert_eq!(out.outcome.running[2], 8);
}

/// Karpenter's view apart from the kubelet's (MODEL.md §9 row 4): the
/// kubelet takes 8 workload pods a node (M = 10, 2 host system pods) while
/// Karpenter counts 18 (its view's M = 20, as when maxPods is set behind its
/// back). 36 IP pods at once, launch 90 s, batches close 1 s after the last
/// pod joins. Agreeing, Karpenter launches the 5 nodes needed at 1 s and
/// every pod runs at 91 s. Apart, by hand: at 1 s it launches 2 nodes for
/// 18 pods each; at 91 s they take 8 each and the 20 left go back to the
/// batch when the nodes are initialised; at 92 s 2 more nodes (18 and 2 in
/// its view); at 182 s they take 16, and the last 4 get a fifth node at
/// 183 s, running at 273 s. The same 5 nodes, three rounds late.
#[test]
fn karpenter_sized_by_its_own_view_of_max_pods() {
    let system = SystemPods { host: 2, ip: 0 };
    let agree = node_type(10, 3, 20, 0, system);
    let mut apart = agree.clone();
    apart.karpenter.max_pods = 20;
    let cfg = Timed::default();
    let kinds = [Kind::Ip; 36];
    let times = [Time::ZERO; 36];
    let nodes = Nodes::Autoscale { initial: 0, max: 20 };
    let out = run(&world(agree, nodes, Policy::MostAllocated), &cfg, &kinds, &times, 1);
    assert_eq!((out.nodes_launched, out.outcome.running[1]), (5, 36));
    assert_eq!(out.latency[1].max, Some(Time::secs(91)));
    let out = run(&world(apart, nodes, Policy::MostAllocated), &cfg, &kinds, &times, 1);
    assert_eq!((out.nodes_launched, out.outcome.running[1]), (5, 36));
    assert_eq!(out.latency[1].max, Some(Time::secs(273)));
    assert_eq!(out.latency[1].p50, Some(Time::secs(182)), "pods 17 to 32 run at 182 s");
}

/// `[timed.karpenter] max_pods` names a formula: Karpenter's view of every
/// type follows it while the kubelet keeps the cell's formula; a bad name
/// is refused naming the setting.
#[test]
fn karpenter_max_pods_is_read_from_the_scenario() {
    let w = node_type_of("", "m5.large", "conservative", 2);
    assert_eq!(w.types[0].spec.max_pods, w.types[0].karpenter.max_pods);
    let text = r#"
        instance_types = ["m5.large"]
        formulas = ["conservative"]
        orders = ["ip-first"]
        system_pods = { host = 2 }
        workload = { ip_pods = 1 }
        [timed.karpenter]
        max_pods = "aws-default"
    "#;
    let (sc, timed) = scenario(text);
    let cells = crate::input::scenario::timed_cells(&sc, &timed, None).unwrap();
    let t = &cells[0].world.types[0];
    // m5.large: conservative with 2 host pods is 20; Karpenter's ENI-limited pods 29.
    assert_eq!((t.spec.max_pods, t.karpenter.max_pods), (20, 29));
    let bad = text.replace("\"aws-default\"", "\"aws-defualt\"");
    let raw: toml::Table = toml::from_str(&bad).unwrap();
    let timed_raw = raw.get("timed").cloned().unwrap().try_into().unwrap();
    let err = crate::input::timed::validate(timed_raw, &Catalog::bundled()).unwrap_err();
    assert_eq!(err.field.as_deref(), Some("timed.karpenter.max_pods"), "{err}");
}

/// The pool shrinks under `WARM_IP_TARGET` (MODEL.md §9, notes R4.2), by
/// hand. One node of 3 ENIs × 4 IPs, `WARM_IP_TARGET = 2`, 8 IP pods at 0 s
/// living 100 s. The pool grows: the second ENI at 4 s (the loop ticks at
/// 0 s, attach 4 s), the third at 9 s (tick 5 s) to keep 2 IPs free. Pods 1-4
/// end at 100 s, 5-8 at 104 s; their IPs cool until 130 and 134 s. At 130 s
/// four IPs are back and 4 still cool: without the third ENI the pool holds
/// 8 >= 4 cooling + 2 warm, so it goes at once (9 s old, 60 s needed: met).
/// At 134 s the second is not needed either, but the last shrink was at 130 s:
/// it goes at 160 s. `MINIMUM_IP_TARGET = 10` keeps all three (8 < 10).
/// (The node is present at the start: Ready at 0 s, its pool loop ticks
/// every 5 s from then.)
#[test]
fn the_pool_shrinks_under_warm_ip_target() {
    let t = node_type(20, 3, 4, 0, SystemPods { host: 1, ip: 0 });
    let w = world(t, Nodes::Fixed(1), Policy::MostAllocated);
    let mut cfg = Timed::default();
    cfg.cni.warm_ip_target = Some(2);
    let kinds = [Kind::Ip; 8];
    let times = [Time::ZERO; 8];
    let lifetimes = [Some(Time::secs(100)); 8];
    let changes = |cfg: &Timed| {
        let mut sim = Sim::new();
        let arriving = pods(&kinds);
        let incoming = incoming(&arriving, &times, Some(&lifetimes));
        sim.start(&w, cfg, incoming, ChaCha8Rng::seed_from_u64(1), false);
        let mut seen = vec![(0, sim.nodes[0].enis)];
        while sim.step() {
            let enis = sim.nodes[0].enis;
            if enis != seen.last().unwrap().1 {
                seen.push((sim.now.0 / 1_000_000, enis));
            }
        }
        let out = sim.finish();
        assert_eq!(out.completed[1], 8);
        seen
    };
    assert_eq!(changes(&cfg), [(0, 1), (4, 2), (9, 3), (130, 2), (160, 1)]);
    // MINIMUM_IP_TARGET = 10 attaches all three at the start (pre-scaling), and keeps them.
    cfg.cni.minimum_ip_target = Some(10);
    assert_eq!(changes(&cfg), [(0, 3)]);
    cfg.cni.minimum_ip_target = None;
    cfg.cni.warm_ip_target = None;
    let seen = changes(&cfg);
    assert!(
        seen.windows(2).all(|w| w[1].1 > w[0].1),
        "WARM_ENI_TARGET alone never shrinks: {seen:?}"
    );
}

/// Trunk initialisations queue (MODEL.md §9, the API row; notes R2.2), by
/// hand. 20 SG pods, one per node (M = 3 with 2 host pods, B = 1): Karpenter
/// launches 20 nodes at 1 s, all Ready at 91 s. The serial step takes 1 s a
/// node, so node i leaves it at 92 + i s; 2 workers and a 10 s trunk delay:
/// nodes 0 and 1 are up at 102 and 103 s, 2 and 3 take their workers then
/// (112, 113 s), and so on: node i at 102 + 10 (i / 2) + i % 2 s, the last
/// at 193 s. With 20 workers node i is up at 102 + i s.
#[test]
fn trunk_initialisations_queue_for_the_node_workers() {
    let t = node_type(3, 2, 9, 1, SystemPods { host: 2, ip: 0 });
    let w = world(t, Nodes::Autoscale { initial: 0, max: 20 }, Policy::MostAllocated);
    let mut cfg = Timed::default();
    cfg.rc.node_serial = Delay::secs(1);
    cfg.rc.node_workers = 2;
    cfg.rc.trunk_delay = Delay::secs(10);
    cfg.rc.branch_create = Delay::ZERO;
    let kinds = [Kind::Sg; 20];
    let times = [Time::ZERO; 20];
    let trunks = |cfg: &Timed| {
        let mut sim = Sim::new();
        let arriving = pods(&kinds);
        let incoming = incoming(&arriving, &times, None);
        sim.start(&w, cfg, incoming, ChaCha8Rng::seed_from_u64(1), false);
        while sim.step() {}
        let at: Vec<u64> = sim.nodes.iter().map(|n| n.trunk_at.0 / 1_000_000).collect();
        let out = sim.finish();
        assert_eq!((out.nodes_launched, out.outcome.running[0]), (20, 20));
        (at, out.latency[0].max)
    };
    let (at, max) = trunks(&cfg);
    let want: Vec<u64> = (0..20).map(|i| 102 + 10 * (i / 2) + i % 2).collect();
    assert_eq!(at, want);
    assert_eq!(max, Some(Time::secs(193)));
    cfg.rc.node_workers = 20;
    let (at, _) = trunks(&cfg);
    assert_eq!(at, (0..20).map(|i| 102 + i).collect::<Vec<u64>>());
}

/// The controller's EC2 budget (MODEL.md §9, the API row; notes R8), by
/// hand, at one call per second per client and no burst. A creation takes
/// a call on each client, so SG pods start 1 s apart: the second at 1 s.
/// When the first ends at once (lifetime 0, cool-down 0) its deletion takes
/// a call on each client too, at 1 s, and the second pod's creation waits
/// until 2 s: churn halves the creation rate.
#[test]
fn branch_deletions_take_the_creations_tokens() {
    let t = node_type(20, 2, 9, 10, SystemPods { host: 2, ip: 0 });
    let w = world(t, Nodes::Fixed(1), Policy::MostAllocated);
    let mut cfg = Timed::default();
    cfg.rc.branch_rate = 1.0;
    cfg.rc.branch_burst = 1;
    cfg.rc.branch_create = Delay::ZERO;
    cfg.rc.branch_cooldown = Delay::ZERO;
    let kinds = [Kind::Sg, Kind::Sg];
    let times = [Time::ZERO; 2];
    let second = |lifetimes: [Option<Time>; 2]| {
        let out = Sim::new().run(
            &w,
            &cfg,
            incoming(&pods(&kinds), &times, Some(&lifetimes)),
            ChaCha8Rng::seed_from_u64(1),
            false,
        );
        out.latency[0].max
    };
    assert_eq!(second([None, None]), Some(Time::secs(1)));
    assert_eq!(second([Some(Time::ZERO), None]), Some(Time::secs(2)));
}

/// A trunk initialisation's calls take the user client's tokens, by hand.
/// One SG pod, one call per second per client, no burst: the node is Ready
/// at 91 s and leaves the 0.3 s serial step at 91.3 s; its 6 calls go at
/// 91.3, 92.3, ..., 96.3 s, the trunk is up 5 s later (101.3 s), and the
/// branch is created 1.5 s after that: running at 102.8 s. With no calls
/// the trunk is up at 96.3 s and the pod runs at 97.8 s.
#[test]
fn trunk_initialisations_take_the_user_clients_tokens() {
    let t = node_type(29, 2, 9, 9, SystemPods { host: 2, ip: 0 });
    let w = world(t, Nodes::Autoscale { initial: 0, max: 2 }, Policy::MostAllocated);
    let mut cfg = Timed::default();
    cfg.rc.branch_rate = 1.0;
    cfg.rc.branch_burst = 1;
    let out = run(&w, &cfg, &[Kind::Sg], &[Time::ZERO], 1);
    assert_eq!(out.latency[0].max, Some(Time(102_800_000)));
    cfg.rc.trunk_calls = 0;
    let out = run(&w, &cfg, &[Kind::Sg], &[Time::ZERO], 1);
    assert_eq!(out.latency[0].max, Some(Time(97_800_000)));
}

/// Subnets (MODEL.md §9, the subnet row), by hand. One m5.large-like node
/// (1 ENI of 9 pod IPs up, 9 branches) takes 10 addresses for its ENI and 1
/// for its trunk; a 12-address subnet leaves one, for the first SG pod's
/// branch. The second SG pod's creation fails at 0 s and is retried at 30,
/// 90 and 210 s (30 s doubling). The first pod ends at 101.5 s, its branch
/// is deleted after the 60 s cool-down (161.5 s), so the retry at 210 s
/// succeeds: running 1.5 s later. With the backoff capped at 40 s the
/// retries are 30, 70, 110, 150, 190 s: running at 191.5 s.
#[test]
fn a_full_subnet_fails_branch_creations_and_retries_with_backoff() {
    let t = node_type(29, 2, 9, 9, SystemPods { host: 2, ip: 0 });
    let w = world(t, Nodes::Fixed(1), Policy::MostAllocated);
    let mut cfg = Timed::default();
    cfg.subnet.node = Some(12);
    let kinds = [Kind::Sg, Kind::Sg];
    let times = [Time::ZERO; 2];
    let lifetimes = [Some(Time::secs(100)), None];
    let second = |cfg: &Timed| {
        Sim::new().run(
            &w,
            cfg,
            incoming(&pods(&kinds), &times, Some(&lifetimes)),
            ChaCha8Rng::seed_from_u64(1),
            false,
        )
    };
    let out = second(&cfg);
    assert_eq!(out.latency[0].max, Some(Time(211_500_000)));
    assert_eq!(out.subnet_waited, 1);
    assert_eq!(out.subnet_peak, [12, 0]);
    cfg.subnet.retry_max = Time::secs(40);
    assert_eq!(second(&cfg).latency[0].max, Some(Time(191_500_000)));
    // Unlimited: both run 1.5 s after arriving; the peak is what a
    // subnet needs for no wait.
    cfg.subnet.node = None;
    let out = second(&cfg);
    assert_eq!(out.latency[0].max, Some(Time(1_500_000)));
    assert_eq!((out.subnet_peak, out.subnet_waited), ([13, 0], 0));
}

/// An exhausted subnet pauses the pool's growth (120 s) and IPAMD retries
/// at its loop ticks past each pause. A node of 1 ENI of 2 IPs (3
/// addresses) and a trunk (1) holds 4 of a 7-address subnet; an SG pod's
/// branch takes a fifth, two IP pods the ENI's 2 IPs, and a third IP pod
/// (7 s) waits for an ENI of 3 addresses: the check at 10 s fails, growth
/// pauses until 130 s, the check then fails again (until 250 s). The SG
/// pod ends at 101.5 s and its branch is deleted at 161.5 s, giving 3
/// addresses: the check at 250 s attaches, the ENI is ready at 254 s.
#[test]
fn an_exhausted_subnet_pauses_eni_attaches() {
    let t = node_type(20, 3, 2, 1, SystemPods { host: 1, ip: 0 });
    let w = world(t, Nodes::Fixed(1), Policy::MostAllocated);
    let mut cfg = Timed::default();
    cfg.cni.warm_eni_target = 0;
    cfg.subnet.node = Some(7);
    let kinds = [Kind::Sg, Kind::Ip, Kind::Ip, Kind::Ip];
    let times = [Time::ZERO, Time::ZERO, Time::ZERO, Time::secs(7)];
    let lifetimes = [Some(Time::secs(100)), None, None, None];
    let third = |cfg: &Timed| {
        Sim::new().run(
            &w,
            cfg,
            incoming(&pods(&kinds), &times, Some(&lifetimes)),
            ChaCha8Rng::seed_from_u64(1),
            false,
        )
    };
    let out = third(&cfg);
    assert_eq!(out.latency[1].max, Some(Time::secs(254 - 7)));
    assert_eq!((out.subnet_peak, out.subnet_waited), ([7, 0], 1));
    assert_eq!(out.outcome.ip_failed, 0);
    // Without the limit the ENI comes at the next tick: 14 s.
    cfg.subnet.node = None;
    let out = third(&cfg);
    assert_eq!(out.latency[1].max, Some(Time::secs(7)));
    assert_eq!((out.subnet_peak, out.subnet_waited), ([8, 0], 0));
}

/// A subnet that never frees ends the run (no retry for ever): a launch
/// refused leaves its SG pod pending; a trunk refused leaves the node
/// without branches and the SG pod nominated there pending. A node takes
/// 10 addresses (its ENI) and its trunk 1.
#[test]
fn a_subnet_that_never_frees_ends_the_run() {
    let t = node_type(29, 2, 9, 9, SystemPods { host: 2, ip: 0 });
    let w = world(t, Nodes::Autoscale { initial: 0, max: 10 }, Policy::MostAllocated);
    let mut cfg = Timed::default();
    // (subnet size, nodes launched, SG pod pending, SG pod running, pods that waited, peak)
    for (size, launched, pending, running, waited, peak) in
        [(9, 0, 1, 0, 1, 0), (10, 1, 1, 0, 1, 10), (12, 1, 0, 1, 0, 12)]
    {
        cfg.subnet.node = Some(size);
        let out = run(&w, &cfg, &[Kind::Sg], &[Time::ZERO], 1);
        assert_eq!(
            (
                out.nodes_launched,
                out.outcome.pending[0],
                out.outcome.running[0],
                out.subnet_waited,
                out.subnet_peak
            ),
            (launched, pending, running, waited, [peak, 0]),
            "subnet of {size}"
        );
    }
}

/// With custom networking the primary ENI takes one address of the node
/// subnet and the pod ENIs, trunks and branches draw from the ENIConfig's:
/// two running nodes (one pod ENI of 10 addresses, a trunk) and an SG pod
/// use 2 node addresses and 23 of the ENIConfig's.
#[test]
fn custom_networking_draws_pod_addresses_from_the_eniconfig_subnet() {
    let t = node_type(29, 2, 9, 9, SystemPods { host: 2, ip: 0 });
    let mut w = world(t, Nodes::Fixed(2), Policy::MostAllocated);
    w.custom_networking = true;
    let cfg = Timed::default();
    let out = run(&w, &cfg, &[Kind::Sg], &[Time::ZERO], 1);
    assert_eq!(out.subnet_peak, [2, 23]);
    w.custom_networking = false;
    let out = run(&w, &cfg, &[Kind::Sg], &[Time::ZERO], 1);
    assert_eq!(out.subnet_peak, [23, 0]);
}

/// Before CNI v1.16.4 the trunk ENI is one of the ENIs that hold pod IPs
/// (m5.large: 3 of them, not 2), so its addresses are the pool's and it
/// takes none of its own: one running node and an SG pod use one address
/// fewer than with the current CNI, whose trunk holds no pod IP and takes
/// one address (the stop of 2026-12-03 counted it twice).
#[test]
fn an_old_cni_counts_the_trunk_once() {
    let new = node_type_of("", "m5.large", "aws-default", 2);
    let old = node_type_of("cni_version = \"1.15.0\"", "m5.large", "aws-default", 2);
    assert_eq!((new.types[0].enis, new.types[0].trunk_addresses), (2, 1));
    assert_eq!((old.types[0].enis, old.types[0].trunk_addresses), (3, 0));
    let peak = |mut w: World| {
        w.nodes = Nodes::Fixed(1);
        run(&w, &Timed::default(), &[Kind::Sg], &[Time::ZERO], 1).subnet_peak[0]
    };
    assert_eq!(peak(new) - peak(old), 1);
}

/// `[timed.subnet]` against the scenario: m5.xlarge (15 addresses per ENI,
/// a trunk) running 4 nodes at the start takes 4 × 16 = 64 node-subnet
/// addresses, so 63 is refused naming the field and the size it needs; the
/// ENIConfig's subnet needs custom networking, where each node takes 1
/// node-subnet address (its primary) and 16 of the ENIConfig's.
#[test]
fn subnets_are_checked_against_the_running_nodes() {
    let text = |settings: &str, subnet: &str| {
        format!(
            r#"
            instance_types = ["m5.xlarge"]
            formulas = ["conservative"]
            orders = ["ip-first"]
            system_pods = {{ host = 3 }}
            workload = {{ ip_pods = 1 }}
            nodes = {{ count = 4 }}
            {settings}
            [timed.subnet]
            {subnet}
        "#
        )
    };
    let cells = |t: &str| {
        let (sc, timed) = scenario(t);
        crate::input::scenario::timed_cells(&sc, &timed, None)
    };
    assert!(cells(&text("", "node = 64")).is_ok());
    let err = cells(&text("", "node = 63")).unwrap_err();
    assert_eq!(err.field.as_deref(), Some("timed.subnet.node"), "{err}");
    assert!(err.fix.contains("64"), "{err}");
    let err = cells(&text("", "eniconfig = 100")).unwrap_err();
    assert_eq!(err.field.as_deref(), Some("timed.subnet.eniconfig"), "{err}");
    let custom = "custom_networking = true";
    assert!(cells(&text(custom, "node = 4\neniconfig = 64")).is_ok());
    let err = cells(&text(custom, "node = 4\neniconfig = 63")).unwrap_err();
    assert_eq!(err.field.as_deref(), Some("timed.subnet.eniconfig"), "{err}");
    let err = cells(&text(custom, "node = 3")).unwrap_err();
    assert_eq!(err.field.as_deref(), Some("timed.subnet.node"), "{err}");
}
