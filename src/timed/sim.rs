//! The timed engine (MODEL.md §9): a discrete-event simulation of the
//! scheduler, Karpenter, the VPC resource controller and the VPC CNI. Pure:
//! a cell, a validated `[timed]` table, arrivals and a seeded stream go in, a
//! [`TrialOutcome`] comes out. No I/O, no clock, no threads.
//!
//! Where each rule lives (one rule, one function):
//!
//! | §9 rule | function |
//! | --- | --- |
//! | events by (time, sequence), FIFO at equal times | [`super::queue::Queue`], `Sim::step` |
//! | arrivals | `Sim::step` (the source), `Sim::arrive` |
//! | scheduler: bind on arrival, retry when capacity appears | `Sim::arrive`, `Sim::retry`, `Sim::bind` |
//! | Karpenter batching (idle / max) | `Sim::karpenter_enqueue`, `Sim::on_batch` |
//! | Karpenter's own view (`NodeType::karpenter`: its `M` may differ from the kubelet's), no double launch, node limit, cheapest type | `Sim::view_fits`, `Sim::karpenter_launch`, `Sim::choose_type` |
//! | launch latency → Ready | `Sim::launch`, `Sim::on_node_ready` |
//! | trunk delay before branch capacity | `Sim::on_node_ready`, `Sim::on_trunk_ready` |
//! | branch ENI creation and deletion, the EC2 clients' token buckets | `Sim::controller_start`, `Sim::controller_create`, `Sim::on_branch_cooled`, `Sim::take_token` |
//! | trunk initialisation: serial step, node workers, user-client calls | `Sim::trunk_request`, `Sim::trunk_worker`, `Sim::on_trunk_ready` |
//! | IP from the pool, ENI attach, warm targets | `Sim::ip_bind`, `Sim::pool_low`, `Sim::pool_maybe`, `Sim::on_eni_attached` |
//! | pod end: slot at once, IP and branch after cool-downs | `Sim::on_end`, `Sim::on_ip_free`, `Sim::on_branch_cooled`, `Sim::on_branch_deleted` |
//! | pool shrink under WARM_IP_TARGET / MINIMUM_IP_TARGET | `Sim::pool_high`, `Sim::shrink_maybe`, `Sim::on_shrink_check` |
//! | ip-failed pods start when an IP frees, at a periodic kubelet retry | `Sim::serve_ip_waiters`, `Sim::next_kubelet_retry`, `Sim::on_kubelet_retry` |
//! | subnets: each ENI's, trunk's and branch's addresses; refused launches, attach pause, retries with backoff | `NodeType::launch_addresses`, `Sim::take_addresses`, `Sim::take_launch_addresses`, `Sim::release_addresses`, `Sim::pause_growth`, `Sim::wake_blocked` |
//!
//! **The zero-delay rule.** Arrivals are not pre-scheduled: they come from a
//! source merged with the queue, and at equal times the queue's events run
//! first. An arrival counts as scheduled when it is pulled. So with every
//! delay zero, everything one arrival triggers (Karpenter's launch, the node
//! turning Ready, its trunk, the retry that binds the pod) happens before the
//! next pod arrives, exactly as the static replay adds a node and places the
//! pod before the next one (MODEL.md §8). The property test
//! `zero_delays_give_the_static_replay` checks it.

use std::collections::VecDeque;

use rand_chacha::ChaCha8Rng;

use super::dist::Delay;
use super::index::NodeIndex;
use super::queue::Queue;
use super::settings::Timed;
use super::time::Time;
use crate::model::node::{NodeSpec, Res};
use crate::model::placement::Policy;
use crate::model::placement::{self, Usage};
use crate::model::replay::{Nodes, Outcome};
use crate::model::stats::percentile;
use crate::model::workload::{self, Kind, MAX_CLASSES};

const NONE: u32 = u32::MAX;

/// One instance type as the engine sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeType {
    pub name: String,
    /// Slots, IP capacity, branch capacity and system pods under the cell's
    /// formula: the kubelet's and the scheduler's node.
    pub spec: NodeSpec,
    /// The same type in Karpenter's view: its pods by `[timed.karpenter]
    /// max_pods` when that is set, else `spec` (MODEL.md §9 row 4).
    pub karpenter: NodeSpec,
    /// ENIs that hold pod IPs: `E - t - c` (the trunk holds none from CNI
    /// v1.16.4 on; with custom networking the primary holds none either).
    pub enis: u32,
    /// Pod IPs per ENI: `(I - 1) * k`.
    pub ips_per_eni: u32,
    /// Addresses the trunk ENI takes from the pods' subnet beyond the pod-IP
    /// ENIs: 1 where it holds no pod IPs, 0 before CNI v1.16.4, where it is
    /// one of the `enis` that hold them (and 0 with no trunk).
    pub trunk_addresses: u64,
    pub price: Option<f64>,
}

/// The cluster of one cell: the types, which the first nodes are, which
/// Karpenter may launch, how many nodes, and the scheduler's policy.
#[derive(Debug, Clone, PartialEq)]
pub struct World {
    pub types: Vec<NodeType>,
    /// The type of the nodes present at t = 0.
    pub initial_type: u16,
    /// Indices into `types` of the NodePool's types, in the scenario's order.
    pub pool: Vec<u16>,
    /// Fixed: no autoscaler. Autoscale: Karpenter, up to `max` nodes in all.
    pub nodes: Nodes,
    pub policy: Policy,
    /// Custom networking: pod ENIs, trunks and branches draw from the
    /// ENIConfig's subnet, the primary ENI (no pod IPs) from the node's.
    pub custom_networking: bool,
    /// The kind of each pod class (`workload::Pod::class`), in class order:
    /// sg, ip, host without groups.
    pub kinds: Vec<Kind>,
}

impl NodeType {
    /// Addresses one pod-IP ENI takes from its subnet: its primary address
    /// and its pod IPs (with prefix delegation, the prefixes' addresses).
    pub fn eni_addresses(&self) -> u64 {
        1 + u64::from(self.ips_per_eni)
    }

    /// The pod-IP ENIs a node has when it turns Ready before any warm
    /// target: the first, and more while the system IP pods need them
    /// (IPAMD's `nodeInit`, notes R4.4).
    pub fn start_enis(&self) -> u32 {
        let mut e = self.enis.min(1);
        let ips = |e: u32| (e * self.ips_per_eni).min(self.spec.ip_capacity);
        while ips(e) < self.spec.system.ip && e < self.enis && ips(e) < self.spec.max_pods {
            e += 1;
        }
        e
    }

    /// The addresses a node of this type takes before it can run a pod,
    /// from the node subnet and from the pods' subnet (the same subnet
    /// without custom networking): the primary ENI (with custom networking
    /// its one address, else it is the first pod-IP ENI) and the start ENIs.
    /// A launch that cannot have them fails.
    pub fn launch_addresses(&self, custom_networking: bool) -> [u64; 2] {
        let enis = u64::from(self.start_enis()) * self.eni_addresses();
        if custom_networking { [1, enis] } else { [enis, 0] }
    }
}

/// Where a workload pod is. Every pod is in exactly one state at every instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u8)]
pub enum State {
    /// Not yet arrived (or, when replaced, its replacement not yet created).
    NotArrived = 0,
    /// Unbound: the scheduler said no.
    Pending = 1,
    /// Bound, ContainerCreating: waiting for its branch ENI (or a branch cool-down).
    Starting = 2,
    /// Bound IP pod, ContainerCreating: waiting for an ENI being attached.
    WaitingIp = 3,
    /// Bound IP pod with no IP and no ENI to come: waits for an IP to be freed.
    IpFailed = 4,
    Running = 5,
    /// Ended (its lifetime is over).
    Done = 6,
}

pub const STATES: [State; 7] = [
    State::NotArrived,
    State::Pending,
    State::Starting,
    State::WaitingIp,
    State::IpFailed,
    State::Running,
    State::Done,
];

impl State {
    pub fn name(self) -> &'static str {
        match self {
            State::NotArrived => "not-arrived",
            State::Pending => "pending",
            State::Starting => "starting",
            State::WaitingIp => "waiting-ip",
            State::IpFailed => "ip-failed",
            State::Running => "running",
            State::Done => "done",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ev {
    /// A replacement pod is created (the slot's previous pod ended).
    Arrive(u32),
    End(u32),
    NodeReady(u32),
    TrunkReady(u32),
    BranchReady(u32),
    /// A branch ENI's cool-down ends: its deletion starts.
    BranchFree(u32),
    BranchDeleted(u32),
    /// A new node leaves the controller's serial step for a node worker.
    TrunkSerialDone(u32),
    IpFree(u32),
    /// A branch creation that failed for want of subnet addresses is retried.
    BranchRetry(u32),
    /// A trunk initialisation that failed for want of subnet addresses is retried.
    TrunkRetry(u32),
    PoolCheck(u32),
    EniAttached(u32),
    ShrinkCheck(u32),
    KubeletRetry(u32),
    Batch,
}

/// The resource controller's two EC2 clients (notes R8).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Client {
    /// Create, delete, attach, describe and modify network interfaces.
    User = 0,
    /// Associate and disassociate trunk interfaces.
    Instance = 1,
}

#[derive(Debug, Clone, Copy)]
struct Pod {
    kind: Kind,
    /// Its class: what it requests (`workload::Pod::class`).
    class: u8,
    state: State,
    node: u32,
    /// The in-flight node Karpenter expects this pending pod to go to.
    nominated: u32,
    /// Next pod in the node's IP or branch wait list.
    next: u32,
    /// Neighbours in the nominated node's list of nominated pods.
    nominated_prev: u32,
    nominated_next: u32,
    arrived: Time,
    /// When the pod entered its current state.
    since: Time,
    /// The trace's lifetime, or `NEVER` for the scenario's.
    life: Time,
    /// Arrival index, 1-based, replacements included.
    index: u32,
    pend_seq: u64,
    has_ip: bool,
    /// The pod waited for subnet addresses (counted once per pod).
    subnet_waited: bool,
    /// Its launch or its branch creation failed for want of addresses, and
    /// nothing is scheduled for it.
    blocked: Blocked,
    /// In [`Sim::blocked_pods`] (maybe no longer blocked: it is skipped then).
    listed: bool,
    /// Its branch creation's retry interval and next retry (`backoff` ZERO:
    /// none failed yet).
    backoff: Time,
    retry_at: Time,
}

/// What a pod waits for after a subnet refused it addresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Blocked {
    No,
    /// Its node's launch (it is pending).
    Launch,
    /// Its branch ENI's creation (it is starting).
    Branch,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Launching,
    Ready,
}

#[derive(Debug, Clone, Copy)]
struct Node {
    ty: u16,
    phase: Phase,
    /// Branch capacity advertised (the trunk is up).
    trunk: bool,
    /// Karpenter considers it initialised: its view no longer applies.
    initialized: bool,
    /// In Karpenter's open lists ([`Sim::open_list`]), one bit a list.
    in_open: u32,
    attaching: bool,
    launched: Time,
    ready_at: Time,
    trunk_at: Time,
    check_at: Time,
    /// The pool's next shrink check (`NEVER`: none scheduled), and its last shrink.
    shrink_at: Time,
    last_shrink: Time,
    /// Where this node's ENI attach times start in [`Sim::eni_attached`].
    eni_base: u32,
    /// IPAMD's growth is paused until then (the subnet ran out).
    grow_after: Time,
    /// Its trunk initialisation's retry interval and next retry (`trunk_backoff`
    /// ZERO: none failed yet).
    trunk_backoff: Time,
    trunk_retry_at: Time,
    /// The subnet refused its pool an ENI, or its trunk: nothing is
    /// scheduled for it until addresses are released. In [`Sim::blocked_nodes`].
    pool_blocked: bool,
    trunk_blocked: bool,
    listed: bool,
    /// Pods bound here, system pods included (the scheduler's count).
    slots: u32,
    /// Bound SG pods (the scheduler's count of `pod-eni`).
    branches: u32,
    /// Bound pods' CPU and memory requests, system pods included (the
    /// filter's sum), and the same with the scores' non-zero defaults.
    requested: Res,
    non_zero: Res,
    /// The resource controller's count: branches created or being created.
    controller_used: u32,
    /// Branches in their cool-down, and past it while their deletion's EC2
    /// calls wait for tokens: together, the delete queue.
    controller_cooling: u32,
    controller_deleting: u32,
    branch_wait_head: u32,
    branch_wait_tail: u32,
    /// ENIs holding pod IPs, attached.
    enis: u32,
    ip_total: u32,
    ip_assigned: u32,
    ip_cooling: u32,
    ip_wait_head: u32,
    ip_wait_tail: u32,
    /// Pods in the IP wait list (none of them holds an IP).
    ip_waiting: u32,
    /// Of those, pods still expecting an ENI.
    ip_waiting_eni: u32,
    /// Pending pods nominated here, and how many of them are SG pods.
    nominated_slots: u32,
    nominated_branches: u32,
    /// Their CPU and memory requests.
    nominated_res: Res,
    /// The first of them (a list through `Pod::nominated_next`).
    nominated_head: u32,
}

impl Node {
    /// The usage §5 and §6 look at: the scheduler's slots and branches, the
    /// CNI's assigned IPs.
    fn usage(&self) -> Usage {
        Usage {
            slots: self.slots,
            ips: self.ip_assigned,
            branches: self.branches,
            requested: self.requested,
            non_zero: self.non_zero,
        }
    }
}

/// Latency summary of one kind: time from arrival to running.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Latency {
    /// Pods that reached running.
    pub n: u64,
    pub p50: Option<Time>,
    pub p95: Option<Time>,
    pub max: Option<Time>,
}

/// One timeline sample: the state of the cluster at `t`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Sample {
    pub t: Time,
    pub running: u32,
    pub pending: u32,
    pub starting: u32,
    pub waiting_ip: u32,
    pub ip_failed: u32,
    pub completed: u64,
    pub nodes_launching: u32,
    pub nodes_ready: u32,
}

/// What one timed trial comes to.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TrialOutcome {
    /// The static measures, at the end of the run (MODEL.md §6): running,
    /// ip-failed and pending pods, wasted IPs, stranded slots, first IP
    /// failure (the 1-based arrival index of the first pod, in time, to
    /// become ip-failed; with zero delays the static replay's), nodes.
    pub outcome: Outcome,
    /// Bound but not yet running (branch, ENI or cool-down), per kind.
    pub starting: [u32; 3],
    /// Pods whose lifetime ended, per kind.
    pub completed: [u64; 3],
    /// Pods not yet arrived at the horizon.
    pub not_arrived: u32,
    pub arrivals: u64,
    pub latency: [Latency; 3],
    /// Time spent ip-failed, summed over pods.
    pub ip_failed_time: Time,
    pub nodes_launched: u32,
    /// Node-time from launch to the end, summed over nodes.
    pub node_time: Time,
    /// Node-hours times each type's price; `None` unless every node's type has one.
    pub cost: Option<f64>,
    /// Wasted IPs (free IPs on full nodes) integrated over time, in IP-microseconds.
    pub wasted_ip_us: u128,
    /// The most addresses in use at once in the node subnet and in the
    /// ENIConfig's subnet (0 without custom networking: all in the node's).
    pub subnet_peak: [u64; 2],
    /// Pods that waited for subnet addresses: an ENI attach, a branch
    /// creation, their node's trunk, or a node launch that failed.
    pub subnet_waited: u32,
    pub events: u64,
    pub end: Time,
    pub timeline: Vec<Sample>,
}

/// A trial's arrivals, in arrival order: each pod (its kind and class) and
/// arrival time, and, from a trace, its lifetime (`None`: the scenario's
/// lifetime rule).
#[derive(Debug, Clone, Copy)]
pub struct Incoming<'x> {
    pub pods: &'x [workload::Pod],
    pub times: &'x [Time],
    pub lifetimes: Option<&'x [Option<Time>]>,
}

/// A simulation's state. Keep one per thread: its buffers are reused by
/// [`Sim::start`], so a warm `Sim` allocates nothing per event.
#[derive(Debug, Default)]
pub struct Sim<'a> {
    world: Option<&'a World>,
    cfg: Option<&'a Timed>,
    rng: Option<ChaCha8Rng>,
    queue: Queue<Ev>,
    pods: Vec<Pod>,
    nodes: Vec<Node>,
    /// The scheduler's indexes ([`Sim::fit_index`]): the nodes a pod fits,
    /// by its score; one per set of pod classes that ask the same.
    fit: Vec<NodeIndex>,
    /// Whether any pod requests CPU or memory (set by [`Sim::start`]).
    counted: bool,
    /// Each pod class's scheduler index and Karpenter open list, and how
    /// many of each are in use (set by [`Sim::start`]).
    fit_of: [u8; MAX_CLASSES],
    list_of: [u8; MAX_CLASSES],
    /// The first class of each scheduler index: the pod it is kept for.
    fit_class: [u8; MAX_CLASSES],
    n_fit: usize,
    n_lists: usize,
    /// Pending pods per scheduler index, in the order they became pending.
    pending: Vec<VecDeque<u32>>,
    /// Pending pods in Karpenter's current batch, in the order they joined it.
    karpenter_batch: VecDeque<u32>,
    /// In-flight nodes that may have room in Karpenter's view, in launch
    /// order, per list of [`Sim::open_list`].
    open: Vec<VecDeque<u32>>,
    /// When each node's pod-IP ENIs were attached, oldest first: node `n`'s
    /// `enis` attach times from its `eni_base` (the pool shrinks newest first).
    eni_attached: Vec<Time>,
    /// Arrival-to-running times of the pods that reached running, per kind, in µs.
    latencies: [Vec<u64>; 3],
    timeline: Vec<Sample>,
    record_timeline: bool,
    count: [[u32; 3]; 7],
    completed: [u64; 3],
    now: Time,
    last: Time,
    next_sample: Time,
    /// The next pod the arrival source gives (an index into `pods`).
    next_arrival: usize,
    /// Pods given by the arrivals (replacements come after them in `pods`).
    n_initial: usize,
    arrivals: u64,
    pend_seq: u64,
    events: u64,
    first_ip_failure: Option<u32>,
    batch_open: bool,
    batch_start: Time,
    batch_last: Time,
    /// The resource controller's token buckets, user and instance client:
    /// GCRA's theoretical arrival time of the next call, in µs ([`Sim::take_token`]).
    controller_next_token: [u64; 2],
    /// When the node manager's serial step is free again.
    trunk_serial_free: Time,
    /// Node workers initialising a trunk, and the nodes waiting for one.
    trunk_workers_busy: u32,
    trunk_waiting: VecDeque<u32>,
    /// Addresses in use and the most in use at once, per subnet (node,
    /// ENIConfig), and each subnet's usable addresses (`None`: unlimited).
    subnet_used: [u64; 2],
    subnet_peak: [u64; 2],
    subnet_limit: [Option<u64>; 2],
    /// The subnet pod ENIs, trunks and branches draw from: the ENIConfig's
    /// (1) with custom networking, else the node's (0).
    pod_subnet: usize,
    subnet_waited: u32,
    /// Pods whose node launch or branch creation failed for want of
    /// addresses, and nodes whose ENI attach or trunk did: each tries again
    /// when addresses are released, at the instant its retries would reach
    /// (so a subnet that never frees ends the run instead of retrying for ever).
    blocked_pods: Vec<u32>,
    blocked_nodes: Vec<u32>,
    wasted_now: u64,
    wasted_us: u128,
    ip_failed_us: u128,
    nodes_launched: u32,
    launching: u32,
    ready: u32,
}

impl<'a> Sim<'a> {
    pub fn new() -> Sim<'a> {
        Sim::default()
    }

    fn world(&self) -> &'a World {
        self.world.expect("started")
    }

    fn settings(&self) -> &'a Timed {
        self.cfg.expect("started")
    }

    fn draw(&mut self, d: Delay) -> Time {
        d.sample(self.rng.as_mut().expect("started"))
    }

    fn ty(&self, n: u32) -> &'a NodeType {
        &self.world().types[self.nodes[n as usize].ty as usize]
    }

    fn karpenter(&self) -> bool {
        matches!(self.world().nodes, Nodes::Autoscale { .. })
    }

    /// The scheduler's index for a pod of this class: pod classes that fit
    /// the same nodes by the same score share one (without requests, SG
    /// pods one and every other pod the other; with them, the classes that
    /// are SG or not alike and ask the same CPU and memory).
    #[inline]
    fn fit_index(&self, class: u8) -> usize {
        usize::from(self.fit_of[usize::from(class)])
    }

    /// Karpenter's open list a pending pod of this class looks in: SG pods
    /// need a slot and a branch, the others a slot, and, where pods request
    /// CPU or memory, their requests too. Classes that ask the same share
    /// one list, as one rule then decides for all of them.
    #[inline]
    fn open_list(&self, class: u8) -> usize {
        usize::from(self.list_of[usize::from(class)])
    }

    /// Sets [`Sim::fit_index`] and [`Sim::open_list`] for the world's pod
    /// classes: a class shares the index (list) of the first class that asks
    /// the same on every type.
    fn share_indexes(&mut self, world: &World) {
        let sg = |c: usize| world.kinds[c] == Kind::Sg;
        let same = |a: usize, b: usize, scored: bool| {
            sg(a) == sg(b)
                && (!self.counted
                    || world.types.iter().all(|t| {
                        let r = &t.spec.res;
                        r.requested(a) == r.requested(b) && (!scored || r.scored_pod(a) == r.scored_pod(b))
                    }))
        };
        let (mut n_fit, mut n_lists) = (0, 0);
        for c in 0..world.kinds.len() {
            self.fit_of[c] = match (0..c).find(|&d| same(d, c, true)) {
                Some(d) => self.fit_of[d],
                None => {
                    self.fit_class[n_fit] = c as u8;
                    n_fit += 1;
                    (n_fit - 1) as u8
                }
            };
            self.list_of[c] = match (0..c).find(|&d| same(d, c, false)) {
                Some(d) => self.list_of[d],
                None => {
                    n_lists += 1;
                    (n_lists - 1) as u8
                }
            };
        }
        self.n_fit = n_fit;
        self.n_lists = n_lists;
        if self.fit.len() < n_fit {
            self.fit.resize_with(n_fit, NodeIndex::default);
            self.pending.resize_with(n_fit, VecDeque::new);
        }
        if self.open.len() < n_lists {
            self.open.resize_with(n_lists, VecDeque::new);
        }
    }

    /// Runs one trial to its end.
    pub fn run(
        &mut self,
        world: &'a World,
        cfg: &'a Timed,
        incoming: Incoming<'_>,
        rng: ChaCha8Rng,
        record_timeline: bool,
    ) -> TrialOutcome {
        self.start(world, cfg, incoming, rng, record_timeline);
        while self.step() {}
        self.finish()
    }

    /// Sets up a trial: the initial nodes (Ready, trunk up) and the arrivals.
    /// `incoming.times` must be non-decreasing and as long as `incoming.pods`.
    pub fn start(
        &mut self,
        world: &'a World,
        cfg: &'a Timed,
        incoming: Incoming<'_>,
        rng: ChaCha8Rng,
        record_timeline: bool,
    ) {
        let Incoming {
            pods: arriving,
            times,
            lifetimes,
        } = incoming;
        assert_eq!(arriving.len(), times.len(), "one arrival time per pod");
        assert!(
            arriving
                .iter()
                .all(|p| world.kinds.get(usize::from(p.class)) == Some(&p.kind)),
            "every pod's class is one of the world's, of its kind"
        );
        assert!(world.kinds.len() <= MAX_CLASSES && (32..).contains(&(u32::BITS as usize)));
        assert!(times.windows(2).all(|w| w[0] <= w[1]), "arrival times are sorted");
        self.world = Some(world);
        self.cfg = Some(cfg);
        self.rng = Some(rng);
        self.queue.clear();
        self.pods.clear();
        self.pods
            .extend(arriving.iter().zip(times).enumerate().map(|(i, (&a, &t))| Pod {
                kind: a.kind,
                class: a.class,
                state: State::NotArrived,
                node: NONE,
                nominated: NONE,
                next: NONE,
                nominated_prev: NONE,
                nominated_next: NONE,
                arrived: t,
                since: Time::ZERO,
                life: lifetimes.and_then(|l| l[i]).unwrap_or(Time::NEVER),
                index: 0,
                pend_seq: 0,
                has_ip: false,
                subnet_waited: false,
                blocked: Blocked::No,
                listed: false,
                backoff: Time::ZERO,
                retry_at: Time::ZERO,
            }));
        self.nodes.clear();
        self.eni_attached.clear();
        self.counted = world.types.iter().any(|t| t.spec.res.counted());
        self.share_indexes(world);
        let initial = world.nodes.initial() as usize;
        for f in &mut self.fit[..self.n_fit] {
            f.reset(initial.max(world.nodes.max() as usize).min(1 << 20));
        }
        for q in &mut self.pending {
            q.clear();
        }
        self.karpenter_batch.clear();
        for o in &mut self.open {
            o.clear();
        }
        for l in &mut self.latencies {
            l.clear();
        }
        self.timeline.clear();
        self.record_timeline = record_timeline;
        self.count = [[0; 3]; 7];
        for p in arriving {
            self.count[State::NotArrived as usize][p.kind.index()] += 1;
        }
        self.completed = [0; 3];
        self.now = Time::ZERO;
        self.last = Time::ZERO;
        self.next_sample = Time::ZERO;
        self.next_arrival = 0;
        self.n_initial = arriving.len();
        self.arrivals = 0;
        self.pend_seq = 0;
        self.events = 0;
        self.first_ip_failure = None;
        self.batch_open = false;
        self.controller_next_token = [0; 2];
        self.trunk_serial_free = Time::ZERO;
        self.trunk_workers_busy = 0;
        self.trunk_waiting.clear();
        self.wasted_now = 0;
        self.wasted_us = 0;
        self.ip_failed_us = 0;
        self.nodes_launched = 0;
        self.launching = 0;
        self.ready = 0;
        self.subnet_used = [0; 2];
        self.subnet_peak = [0; 2];
        self.subnet_limit = [cfg.subnet.node, cfg.subnet.eniconfig];
        self.pod_subnet = usize::from(world.custom_networking);
        self.subnet_waited = 0;
        self.blocked_pods.clear();
        self.blocked_nodes.clear();
        // The nodes present at the start have long been up: Ready, trunk
        // attached. Their addresses are taken whatever the subnet holds
        // (validation keeps them within it), before any warm ENI.
        let ty = &world.types[world.initial_type as usize];
        let a = ty.launch_addresses(world.custom_networking);
        let init = initial as u64;
        self.use_addresses(0, a[0] * init);
        self.use_addresses(1, a[1] * init);
        self.use_addresses(self.pod_subnet, ty.trunk_addresses * init);
        for _ in 0..initial {
            let n = self.new_node(world.initial_type);
            self.node_up(n);
            let node = &mut self.nodes[n as usize];
            node.trunk = true;
            node.trunk_at = Time::ZERO;
            node.initialized = true;
            self.update_index(n);
        }
    }

    /// Processes the next event; false when nothing is left before the horizon.
    pub fn step(&mut self) -> bool {
        let tq = self.queue.peek_time();
        let ta = (self.next_arrival < self.n_initial).then(|| self.pods[self.next_arrival].arrived);
        // At equal times the queue goes first: the arrival is scheduled only
        // when pulled (the zero-delay rule, see the module doc).
        let (t, from_queue) = match (tq, ta) {
            (Some(q), Some(a)) if q <= a => (q, true),
            (_, Some(a)) => (a, false),
            (Some(q), None) => (q, true),
            (None, None) => return false,
        };
        if self.settings().horizon.is_some_and(|h| t > h) {
            return false;
        }
        self.advance(t);
        self.events += 1;
        if from_queue {
            let (_, ev) = self.queue.pop().expect("peeked");
            self.handle(ev);
        } else {
            let p = self.next_arrival as u32;
            self.next_arrival += 1;
            self.arrive(p);
        }
        true
    }

    /// Closes the trial at the horizon (or the last event) and measures it.
    pub fn finish(&mut self) -> TrialOutcome {
        let end = self.settings().horizon.unwrap_or(self.now);
        self.advance(end);
        if self.record_timeline {
            while self.next_sample <= end {
                self.push_sample(self.next_sample);
                self.next_sample = self.next_sample + self.settings().timeline_interval;
            }
        }
        let w = self.world();
        let mut out = TrialOutcome::default();
        let c = &self.count;
        for k in Kind::ALL {
            let i = k.index();
            out.outcome.running[i] = c[State::Running as usize][i];
            out.outcome.pending[i] = c[State::Pending as usize][i];
            out.starting[i] = c[State::Starting as usize][i] + c[State::WaitingIp as usize][i];
            out.not_arrived += c[State::NotArrived as usize][i];
        }
        out.outcome.ip_failed = c[State::IpFailed as usize].iter().sum();
        out.outcome.first_ip_failure = self.first_ip_failure;
        out.outcome.wasted_ips = self.wasted_now as u32;
        out.outcome.nodes = self.nodes.len() as u32;
        let mut cost = Some(0.0f64);
        for node in &self.nodes {
            let ty = &w.types[node.ty as usize];
            let s = &ty.spec;
            if node.phase == Phase::Ready {
                out.outcome.stranded_slots += placement::stranded_slots(s, node.usage());
            }
            let up = end - node.launched;
            out.node_time = out.node_time + up;
            cost = match (cost, ty.price) {
                (Some(c), Some(p)) => Some(c + up.as_secs_f64() / 3600.0 * p),
                _ => None,
            };
        }
        out.cost = cost;
        out.completed = self.completed;
        out.arrivals = self.arrivals;
        for k in 0..3 {
            let l = &mut self.latencies[k];
            l.sort_unstable();
            let pick = |p: f64| percentile(l, p).map(Time);
            out.latency[k] = Latency {
                n: l.len() as u64,
                p50: pick(0.50),
                p95: pick(0.95),
                max: l.last().map(|&v| Time(v)),
            };
        }
        out.ip_failed_time = Time(self.ip_failed_us.min(u128::from(u64::MAX)) as u64);
        out.nodes_launched = self.nodes_launched;
        out.wasted_ip_us = self.wasted_us;
        out.subnet_peak = self.subnet_peak;
        out.subnet_waited = self.subnet_waited;
        out.events = self.events;
        out.end = end;
        out.timeline = std::mem::take(&mut self.timeline);
        out
    }

    /// Moves the clock to `t`, integrating the measures over time and taking
    /// the timeline samples that fall before `t` (a sample at `s` shows the
    /// state after every event at or before `s`).
    fn advance(&mut self, t: Time) {
        if t <= self.last {
            self.now = self.now.max(t);
            return;
        }
        if self.record_timeline {
            while self.next_sample < t {
                self.push_sample(self.next_sample);
                self.next_sample = self.next_sample + self.settings().timeline_interval;
            }
        }
        let dt = u128::from((t - self.last).0);
        self.wasted_us += u128::from(self.wasted_now) * dt;
        let failed: u32 = self.count[State::IpFailed as usize].iter().sum();
        self.ip_failed_us += u128::from(failed) * dt;
        self.last = t;
        self.now = t;
    }

    fn push_sample(&mut self, t: Time) {
        let sum = |s: State| self.count[s as usize].iter().sum::<u32>();
        self.timeline.push(Sample {
            t,
            running: sum(State::Running),
            pending: sum(State::Pending),
            starting: sum(State::Starting),
            waiting_ip: sum(State::WaitingIp),
            ip_failed: sum(State::IpFailed),
            completed: self.completed.iter().sum(),
            nodes_launching: self.launching,
            nodes_ready: self.ready,
        });
    }

    fn schedule(&mut self, at: Time, ev: Ev) {
        self.queue.push(at, ev);
    }

    fn handle(&mut self, ev: Ev) {
        match ev {
            Ev::Arrive(p) => self.on_replacement(p),
            Ev::End(p) => self.on_end(p),
            Ev::NodeReady(n) => self.on_node_ready(n),
            Ev::TrunkReady(n) => self.on_trunk_ready(n),
            Ev::BranchReady(p) => self.run_pod(p),
            Ev::BranchFree(n) => self.on_branch_cooled(n),
            Ev::BranchDeleted(n) => self.on_branch_deleted(n),
            Ev::TrunkSerialDone(n) => {
                self.trunk_worker(n);
            }
            Ev::IpFree(n) => self.on_ip_free(n),
            Ev::BranchRetry(p) => self.controller_create(p),
            Ev::TrunkRetry(n) => {
                self.trunk_worker(n);
            }
            Ev::PoolCheck(n) => self.on_pool_check(n),
            Ev::EniAttached(n) => self.on_eni_attached(n),
            Ev::ShrinkCheck(n) => self.on_shrink_check(n),
            Ev::KubeletRetry(p) => self.on_kubelet_retry(p),
            Ev::Batch => self.on_batch(),
        }
    }

    fn set_state(&mut self, p: u32, s: State) {
        let now = self.now;
        let pod = &mut self.pods[p as usize];
        let k = pod.kind.index();
        self.count[pod.state as usize][k] -= 1;
        self.count[s as usize][k] += 1;
        pod.state = s;
        pod.since = now;
    }

    // ----- the scheduler (MODEL.md §5 and §9 row 2) -----

    /// A pod arrives: bound at once if a node fits, else pending.
    fn arrive(&mut self, p: u32) {
        self.arrivals += 1;
        self.pods[p as usize].index = self.arrivals.min(u64::from(u32::MAX)) as u32;
        self.pods[p as usize].arrived = self.now;
        let chosen = self.fit[self.fit_index(self.pods[p as usize].class)].best();
        match chosen {
            Some(n) => self.bind(p, n),
            None => self.make_pending(p),
        }
    }

    /// A replacement for an ended pod is created (a Deployment keeps its replicas).
    fn on_replacement(&mut self, p: u32) {
        let pod = &mut self.pods[p as usize];
        pod.node = NONE;
        pod.nominated = NONE;
        pod.next = NONE;
        pod.has_ip = false;
        pod.subnet_waited = false;
        pod.blocked = Blocked::No;
        pod.backoff = Time::ZERO;
        self.set_state(p, State::NotArrived);
        self.arrive(p);
    }

    fn make_pending(&mut self, p: u32) {
        self.set_state(p, State::Pending);
        self.pend_seq += 1;
        self.pods[p as usize].pend_seq = self.pend_seq;
        let f = self.fit_index(self.pods[p as usize].class);
        self.pending[f].push_back(p);
        if self.karpenter() {
            self.karpenter_enqueue(p);
        }
    }

    /// Capacity appeared: pending pods are tried again in the order they
    /// became pending. A pod that does not fit at its turn cannot fit later
    /// in the same pass (binding only takes capacity), and every pod of a
    /// queue asks the same (a queue per scheduler index), so each queue
    /// stops at its first misfit.
    fn retry(&mut self) {
        loop {
            let mut best: Option<(u32, u32, u64, usize)> = None;
            for f in 0..self.n_fit {
                let Some((p, n)) = self.pending[f].front().copied().zip(self.fit[f].best()) else {
                    continue;
                };
                let seq = self.pods[p as usize].pend_seq;
                if best.is_none_or(|b| seq < b.2) {
                    best = Some((p, n, seq, f));
                }
            }
            let Some((p, n, _, f)) = best else { return };
            self.pending[f].pop_front();
            self.bind(p, n);
        }
    }

    /// Refreshes node `n` in the scheduler's index (filter and score of §5).
    fn update_index(&mut self, n: u32) {
        let node = &self.nodes[n as usize];
        let s = &self.world().types[node.ty as usize].spec;
        let policy = self.world().policy;
        // A node takes pods once Ready, and SG pods once its trunk is up.
        let ready = node.phase == Phase::Ready;
        let advertised = if node.trunk { s.branch_capacity } else { 0 };
        let u = node.usage();
        let kinds = &self.world().kinds;
        for f in 0..self.n_fit {
            let class = self.fit_class[f];
            let pod = workload::Pod {
                kind: kinds[usize::from(class)],
                class,
            };
            let key = if self.counted {
                let fits = ready && placement::fits(s, advertised, &u, pod);
                fits.then(|| NodeIndex::key(placement::score(policy, s, &u, pod), n))
            } else {
                // By slots and branches alone.
                let sg = pod.kind == Kind::Sg;
                let fits = ready && placement::fits_network(s.max_pods, advertised, node.slots, node.branches, sg);
                fits.then(|| NodeIndex::key(placement::slot_score(policy, node.slots), n))
            };
            self.fit[f].set(n, key);
        }
    }

    /// Wasted IPs of one node (MODEL.md §6): free IPs on a full node.
    fn wasted_of(&self, n: u32) -> u64 {
        let node = &self.nodes[n as usize];
        if node.phase == Phase::Ready {
            u64::from(placement::wasted_ips(&self.ty(n).spec, node.usage()))
        } else {
            0
        }
    }

    fn rewaste(&mut self, n: u32, before: u64) {
        self.wasted_now = self.wasted_now - before + self.wasted_of(n);
    }

    /// Binds pod `p` to node `n`: a slot (and a branch for an SG pod, as the
    /// scheduler counts it), then the network.
    fn bind(&mut self, p: u32, n: u32) {
        let w0 = self.wasted_of(n);
        let kind = self.pods[p as usize].kind;
        let class = self.pods[p as usize].class;
        {
            let spec = &self.world().types[self.nodes[n as usize].ty as usize].spec;
            let mut u = self.nodes[n as usize].usage();
            u.bind(spec, workload::Pod { kind, class });
            let node = &mut self.nodes[n as usize];
            node.slots = u.slots;
            node.branches = u.branches;
            node.requested = u.requested;
            node.non_zero = u.non_zero;
        }
        self.unnominate(p);
        let pod = &mut self.pods[p as usize];
        pod.node = n;
        if pod.blocked == Blocked::Launch {
            // Placed on a node after all: nothing waits for its launch.
            pod.blocked = Blocked::No;
        }
        self.update_index(n);
        match kind {
            Kind::Sg => self.controller_start(p, n),
            Kind::Ip => self.ip_bind(p, n),
            Kind::Host => self.run_pod(p),
        }
        self.rewaste(n, w0);
    }

    /// The pod is running: its latency is recorded and its lifetime starts.
    fn run_pod(&mut self, p: u32) {
        self.set_state(p, State::Running);
        let pod = self.pods[p as usize];
        self.latencies[pod.kind.index()].push((self.now - pod.arrived).0);
        let life = if pod.life != Time::NEVER {
            Some(pod.life)
        } else {
            self.settings().lifetime.map(|d| self.draw(d))
        };
        if let Some(l) = life {
            self.schedule(self.now + l, Ev::End(p));
        }
    }

    /// A pod ends (MODEL.md §9 row 10): its slot is free at once, and the
    /// scheduler sees its branch free at once; the IP and the branch ENI
    /// themselves come back after their cool-downs.
    fn on_end(&mut self, p: u32) {
        let pod = self.pods[p as usize];
        let n = pod.node;
        let w0 = self.wasted_of(n);
        let (ip_cd, br_cd) = (self.settings().cni.ip_cooldown, self.settings().rc.branch_cooldown);
        {
            let spec = &self.world().types[self.nodes[n as usize].ty as usize].spec;
            let mut u = self.nodes[n as usize].usage();
            u.unbind(
                spec,
                workload::Pod {
                    kind: pod.kind,
                    class: pod.class,
                },
            );
            let node = &mut self.nodes[n as usize];
            node.slots = u.slots;
            node.branches = u.branches;
            node.requested = u.requested;
            node.non_zero = u.non_zero;
        }
        match pod.kind {
            Kind::Sg => {
                let node = &mut self.nodes[n as usize];
                node.controller_used -= 1;
                node.controller_cooling += 1;
                let d = self.draw(br_cd);
                self.schedule(self.now + d, Ev::BranchFree(n));
            }
            Kind::Ip => {
                debug_assert!(pod.has_ip, "a running IP pod holds an IP");
                let node = &mut self.nodes[n as usize];
                node.ip_assigned -= 1;
                node.ip_cooling += 1;
                let d = self.draw(ip_cd);
                self.schedule(self.now + d, Ev::IpFree(n));
            }
            Kind::Host => {}
        }
        self.pods[p as usize].has_ip = false;
        self.set_state(p, State::Done);
        self.completed[pod.kind.index()] += 1;
        self.update_index(n);
        self.rewaste(n, w0);
        if self.settings().replace {
            self.schedule(self.now, Ev::Arrive(p));
        }
        self.retry();
    }

    // ----- Karpenter (MODEL.md §9 rows 3-5) -----

    /// A pod joins Karpenter's batch. The batch closes when no pod has
    /// joined for `batch_idle`, or `batch_max` after it opened
    /// (`BATCH_IDLE_DURATION`, `BATCH_MAX_DURATION`; notes R7.1).
    fn karpenter_enqueue(&mut self, p: u32) {
        self.karpenter_batch.push_back(p);
        self.batch_last = self.now;
        if !self.batch_open {
            self.batch_open = true;
            self.batch_start = self.now;
            let k = &self.settings().karpenter;
            let at = (self.now + k.batch_idle).min(self.now + k.batch_max);
            self.schedule(at, Ev::Batch);
        }
    }

    fn on_batch(&mut self) {
        let k = &self.settings().karpenter;
        let deadline = (self.batch_last + k.batch_idle).min(self.batch_start + k.batch_max);
        if self.now < deadline {
            self.schedule(deadline, Ev::Batch);
            return;
        }
        self.batch_open = false;
        self.karpenter_launch();
    }

    /// Whether a pod of `kind` has room on node `n` as Karpenter sees it:
    /// its slots (`M`, or the `[timed.karpenter] max_pods` formula's), branches `B` (no IPs) and allocatable CPU and memory, less
    /// bound and nominated pods, by the scheduler's filter. Before a node is
    /// initialised its branch capacity counts in full even with no trunk yet
    /// (KCORE `statenode.go` `Allocatable()`): no double launch.
    fn view_fits(&self, n: u32, pod: workload::Pod) -> bool {
        let node = &self.nodes[n as usize];
        let s = &self.ty(n).karpenter;
        let mut u = node.usage();
        u.slots += node.nominated_slots;
        u.branches += node.nominated_branches;
        u.requested = u.requested.plus_times(node.nominated_res, 1);
        placement::fits(s, s.branch_capacity, &u, pod)
    }

    fn nominate(&mut self, p: u32, n: u32) {
        let pod = self.pods[p as usize];
        let sg = pod.kind == Kind::Sg;
        let r = self.ty(n).spec.res.requested(usize::from(pod.class));
        let head = self.nodes[n as usize].nominated_head;
        let pod = &mut self.pods[p as usize];
        pod.nominated = n;
        pod.nominated_prev = NONE;
        pod.nominated_next = head;
        if head != NONE {
            self.pods[head as usize].nominated_prev = p;
        }
        let node = &mut self.nodes[n as usize];
        node.nominated_head = p;
        node.nominated_slots += 1;
        node.nominated_branches += u32::from(sg);
        node.nominated_res = node.nominated_res.plus_times(r, 1);
    }

    fn unnominate(&mut self, p: u32) {
        let m = self.pods[p as usize].nominated;
        if m == NONE {
            return;
        }
        let pod = self.pods[p as usize];
        let sg = pod.kind == Kind::Sg;
        let r = self.ty(m).spec.res.requested(usize::from(pod.class));
        let lists = self.n_lists;
        if pod.nominated_prev == NONE {
            self.nodes[m as usize].nominated_head = pod.nominated_next;
        } else {
            self.pods[pod.nominated_prev as usize].nominated_next = pod.nominated_next;
        }
        if pod.nominated_next != NONE {
            self.pods[pod.nominated_next as usize].nominated_prev = pod.nominated_prev;
        }
        let pod = &mut self.pods[p as usize];
        pod.nominated = NONE;
        pod.nominated_prev = NONE;
        pod.nominated_next = NONE;
        let node = &mut self.nodes[m as usize];
        node.nominated_slots -= 1;
        node.nominated_branches -= u32::from(sg);
        node.nominated_res.cpu -= r.cpu;
        node.nominated_res.memory -= r.memory;
        if !node.initialized {
            for c in 0..lists {
                if node.in_open & (1 << c) == 0 {
                    node.in_open |= 1 << c;
                    self.open[c].push_back(m);
                }
            }
        }
    }

    /// The batch closes: each pending pod not yet expected on an in-flight
    /// node is nominated to one with room in Karpenter's view, or to a new
    /// node. Pods that fit no type of the NodePool, or that would pass the
    /// node limit, stay pending.
    fn karpenter_launch(&mut self) {
        let valid = |s: &Self, p: u32| {
            let pod = &s.pods[p as usize];
            pod.state == State::Pending && pod.nominated == NONE
        };
        let mut rem = [0u32; MAX_CLASSES];
        for &p in &self.karpenter_batch {
            if valid(self, p) {
                rem[usize::from(self.pods[p as usize].class)] += 1;
            }
        }
        let max = self.world().nodes.max() as usize;
        while let Some(p) = self.karpenter_batch.pop_front() {
            if !valid(self, p) {
                continue;
            }
            let pod = workload::Pod {
                kind: self.pods[p as usize].kind,
                class: self.pods[p as usize].class,
            };
            let before = rem;
            rem[usize::from(pod.class)] -= 1;
            // The first in-flight node with room for this pod in Karpenter's
            // view; nodes without room leave the list (they come back if a
            // pod nominated there binds elsewhere).
            let c = self.open_list(pod.class);
            let found = loop {
                let Some(&m) = self.open[c].front() else { break None };
                if !self.nodes[m as usize].initialized && self.view_fits(m, pod) {
                    break Some(m);
                }
                self.open[c].pop_front();
                self.nodes[m as usize].in_open &= !(1 << c);
            };
            if let Some(m) = found {
                self.nominate(p, m);
                continue;
            }
            if self.nodes.len() >= max {
                continue;
            }
            let Some(t) = self.choose_type(pod, &before) else {
                continue;
            };
            if !self.take_launch_addresses(t) {
                // EC2 refuses the instance (InsufficientFreeAddressesInSubnet):
                // the pod stays pending until addresses are released.
                self.subnet_wait(p);
                self.block_pod(p, Blocked::Launch);
                continue;
            }
            let m = self.launch(t);
            self.nominate(p, m);
        }
    }

    /// The NodePool type for a new node whose first pod is `pod`, with
    /// `rem` pods per class left in the batch (that one included): the
    /// cheapest type that takes the whole rest of the batch; when none does,
    /// the one that takes most of it ([`placement::pods_taken`]), then the
    /// cheapest; ties to the NodePool's order. A type whose empty node does
    /// not fit the pod is never chosen: without branch ENIs for an SG pod
    /// (KAWS `types.go`: pod-eni 0), or without the CPU or memory it asks.
    fn choose_type(&self, pod: workload::Pod, rem: &[u32; MAX_CLASSES]) -> Option<u16> {
        let w = self.world();
        let mut best: Option<(u32, f64, u16)> = None;
        for &t in &w.pool {
            let s = &w.types[t as usize].karpenter;
            if !placement::fits_empty(s, pod) {
                continue;
            }
            let placed = placement::pods_taken(s, &w.kinds, &rem[..w.kinds.len()]);
            let price = w.types[t as usize].price.unwrap_or(0.0);
            let better = match best {
                None => true,
                Some((bp, bprice, _)) => placed > bp || (placed == bp && price < bprice),
            };
            if better {
                best = Some((placed, price, t));
            }
        }
        best.map(|b| b.2)
    }

    fn new_node(&mut self, ty: u16) -> u32 {
        let n = self.nodes.len() as u32;
        let s = &self.world().types[ty as usize].spec;
        let enis = self.world().types[ty as usize].enis as usize;
        let eni_base = self.eni_attached.len() as u32;
        self.eni_attached.extend(std::iter::repeat_n(Time::NEVER, enis));
        self.nodes.push(Node {
            ty,
            phase: Phase::Launching,
            trunk: false,
            initialized: false,
            in_open: 0,
            attaching: false,
            launched: self.now,
            ready_at: Time::NEVER,
            trunk_at: Time::NEVER,
            check_at: Time::NEVER,
            shrink_at: Time::NEVER,
            last_shrink: Time::ZERO,
            eni_base,
            grow_after: Time::ZERO,
            trunk_backoff: Time::ZERO,
            trunk_retry_at: Time::ZERO,
            pool_blocked: false,
            trunk_blocked: false,
            listed: false,
            slots: s.system.total(),
            branches: 0,
            requested: s.res.system(&s.system),
            non_zero: s.res.system_scored(&s.system),
            controller_used: 0,
            controller_cooling: 0,
            controller_deleting: 0,
            branch_wait_head: NONE,
            branch_wait_tail: NONE,
            enis: 0,
            ip_total: 0,
            ip_assigned: 0,
            ip_cooling: 0,
            ip_wait_head: NONE,
            ip_wait_tail: NONE,
            ip_waiting: 0,
            ip_waiting_eni: 0,
            nominated_slots: 0,
            nominated_branches: 0,
            nominated_res: Res::ZERO,
            nominated_head: NONE,
        });
        self.nodes_launched += 1;
        self.launching += 1;
        for f in &mut self.fit[..self.n_fit] {
            f.set(n, None);
        }
        n
    }

    /// Karpenter launches a node; it is Ready after the launch latency
    /// (default 90 s, the seed's measured start-up).
    fn launch(&mut self, ty: u16) -> u32 {
        let n = self.new_node(ty);
        for c in 0..self.n_lists {
            self.nodes[n as usize].in_open |= 1 << c;
            self.open[c].push_back(n);
        }
        let d = self.draw(self.settings().karpenter.launch);
        self.schedule(self.now + d, Ev::NodeReady(n));
        n
    }

    /// The node turns Ready: system pods placed, the CNI's pool pre-scaled
    /// (notes R4.4: IPAMD attaches its warm ENIs before Ready).
    fn node_up(&mut self, n: u32) {
        let ty = self.ty(n);
        let now = self.now;
        {
            let node = &mut self.nodes[n as usize];
            node.phase = Phase::Ready;
            node.ready_at = now;
            // The start ENIs' addresses were taken at launch.
            node.enis = ty.start_enis();
            node.ip_total = (node.enis * ty.ips_per_eni).min(ty.spec.ip_capacity);
            node.last_shrink = now;
            node.ip_assigned = ty.spec.system.ip;
        }
        assert!(
            self.nodes[n as usize].ip_total >= ty.spec.system.ip,
            "validated: system IP pods fit"
        );
        while self.pool_low(n) {
            if !self.use_eni_addresses(n) {
                self.pause_growth(n);
                break;
            }
            self.attach(n);
        }
        let base = self.nodes[n as usize].eni_base as usize;
        self.eni_attached[base..base + self.nodes[n as usize].enis as usize].fill(now);
        self.launching -= 1;
        self.ready += 1;
        self.update_index(n);
    }

    fn on_node_ready(&mut self, n: u32) {
        let w0 = self.wasted_of(n);
        self.node_up(n);
        self.rewaste(n, w0);
        // The trunk delay (MODEL.md §9 row 6, notes R2.2): branch capacity
        // is advertised this long after Ready; SG pods stay pending till then.
        if self.ty(n).spec.branch_capacity > 0 {
            // With no delay anywhere the branches are advertised with Ready,
            // before the scheduler's retry, so SG pods compete for the slots.
            if !self.trunk_request(n) {
                self.retry();
            }
        } else {
            self.retry();
            self.initialize(n);
        }
    }

    /// A new node asks the resource controller for its trunk (MODEL.md §9,
    /// the trunk and API rows; notes R2.1, R2.2): first the node manager's
    /// serial step, one node at a time in the order they turned Ready, then
    /// a node worker. Returns true when the trunk is up already (no delay
    /// at all).
    fn trunk_request(&mut self, n: u32) -> bool {
        let serial = self.settings().rc.node_serial;
        if serial.is_zero() && self.trunk_serial_free <= self.now {
            return self.trunk_worker(n);
        }
        // One FIFO server whose service times are drawn on arrival: its
        // finish times are known now, and nodes leave it in arrival order.
        let start = self.now.max(self.trunk_serial_free);
        let done = start + self.draw(serial);
        self.trunk_serial_free = done;
        self.schedule(done, Ev::TrunkSerialDone(n));
        false
    }

    /// The node leaves the serial step for a node worker: at once if one is
    /// free, else it waits for one, first come first served. Returns true
    /// when the trunk is up already.
    fn trunk_worker(&mut self, n: u32) -> bool {
        if self.trunk_workers_busy >= self.settings().rc.node_workers {
            self.trunk_waiting.push_back(n);
            return false;
        }
        if !self.take_addresses(self.pod_subnet, self.ty(n).trunk_addresses) {
            // `InsufficientFreeAddressesInSubnet` on the trunk ENI: the
            // controller retries with backoff (notes R2.5); its SG pods wait.
            let sub = &self.settings().subnet;
            let node = &mut self.nodes[n as usize];
            node.trunk_backoff = sub.next_backoff(node.trunk_backoff);
            node.trunk_retry_at = self.now + node.trunk_backoff;
            node.trunk_blocked = true;
            self.list_node(n);
            let mut p = self.nodes[n as usize].nominated_head;
            while p != NONE {
                if self.pods[p as usize].kind == Kind::Sg {
                    self.subnet_wait(p);
                }
                p = self.pods[p as usize].nominated_next;
            }
            // The worker it would have had takes the next node waiting.
            if let Some(next) = self.trunk_waiting.pop_front() {
                self.trunk_worker(next);
            }
            return false;
        }
        self.trunk_workers_busy += 1;
        // The initialisation's EC2 calls, one after another on the user
        // client (about six, `InitTrunk`), then the rest of the trunk delay.
        let mut t = self.now;
        for _ in 0..self.settings().rc.trunk_calls {
            t = self.take_token(Client::User, t);
        }
        let d = self.draw(self.settings().rc.trunk_delay);
        if t + d == self.now {
            self.on_trunk_ready(n);
            true
        } else {
            self.schedule(t + d, Ev::TrunkReady(n));
            false
        }
    }

    fn on_trunk_ready(&mut self, n: u32) {
        let node = &mut self.nodes[n as usize];
        node.trunk = true;
        node.trunk_at = self.now;
        self.update_index(n);
        self.retry();
        self.initialize(n);
        // Its worker takes the next node waiting.
        self.trunk_workers_busy -= 1;
        if let Some(next) = self.trunk_waiting.pop_front() {
            self.trunk_worker(next);
        }
    }

    /// Karpenter's view of the node ends (its NodeClaim is initialised);
    /// pods it nominated there that could not bind go back to its batch.
    fn initialize(&mut self, n: u32) {
        self.nodes[n as usize].initialized = true;
        // Pods leave the list when they bind, so whoever is left is pending.
        while self.nodes[n as usize].nominated_head != NONE {
            let p = self.nodes[n as usize].nominated_head;
            debug_assert_eq!(self.pods[p as usize].state, State::Pending);
            self.unnominate(p);
            self.karpenter_enqueue(p);
        }
    }

    // ----- the resource controller (MODEL.md §9 rows 6, 7, 10) -----

    /// One call on one of the controller's EC2 clients, cluster-wide token
    /// buckets of `branch_rate` per second and burst `branch_burst` each (RC
    /// QPS defaults, notes R8), as GCRA on integer microseconds: the call is
    /// made at `at` or, when the bucket is empty, when it has a token again.
    /// Returns when the call is made. Calls reserve tokens in the order they
    /// are asked for, so a bucket is a FIFO queue of calls.
    fn take_token(&mut self, client: Client, at: Time) -> Time {
        let rc = &self.settings().rc;
        if rc.branch_rate == 0.0 {
            return at;
        }
        // Validation keeps the rate at 0.001/s or more and the burst at most
        // 1e6, so these stay far below u64::MAX; saturating all the same, so
        // that no rate can wrap the bucket round and lift the limit.
        let interval = ((1e6 / rc.branch_rate).round() as u64).max(1);
        let tau = interval.saturating_mul(u64::from(rc.branch_burst.saturating_sub(1)));
        let tat = &mut self.controller_next_token[client as usize];
        let start = at.0.max(tat.saturating_sub(tau));
        *tat = (*tat).max(start).saturating_add(interval);
        Time(start)
    }

    /// A bound SG pod waits for its branch ENI (notes R1.4): created at once
    /// if the controller has room (`in use + delete queue < B`, `trunk.go`
    /// `canCreateMore`), else it waits in ContainerCreating until a branch in
    /// the delete queue is deleted (R3.3).
    fn controller_start(&mut self, p: u32, n: u32) {
        self.set_state(p, State::Starting);
        let b = self.ty(n).spec.branch_capacity;
        let node = &mut self.nodes[n as usize];
        if node.controller_used + node.controller_cooling + node.controller_deleting < b {
            node.controller_used += 1;
            self.controller_create(p);
        } else {
            self.pods[p as usize].next = NONE;
            if node.branch_wait_tail == NONE {
                node.branch_wait_head = p;
            } else {
                self.pods[node.branch_wait_tail as usize].next = p;
            }
            node.branch_wait_tail = p;
        }
    }

    /// `CreateNetworkInterface` on the user client, then
    /// `AssociateTrunkInterface` on the instance client (notes R1.4), then
    /// the rest of the creation delay.
    fn controller_create(&mut self, p: u32) {
        if !self.take_addresses(self.pod_subnet, 1) {
            // `InsufficientFreeAddressesInSubnet`: retried with backoff (notes R2.5).
            self.subnet_wait(p);
            let sub = &self.settings().subnet;
            let pod = &mut self.pods[p as usize];
            pod.backoff = sub.next_backoff(pod.backoff);
            pod.retry_at = self.now + pod.backoff;
            self.block_pod(p, Blocked::Branch);
            return;
        }
        let created = self.take_token(Client::User, self.now);
        let associated = self.take_token(Client::Instance, created);
        let d = self.draw(self.settings().rc.branch_create);
        self.schedule(associated + d, Ev::BranchReady(p));
    }

    /// A branch ENI's cool-down ends (`cooldown.go`, 60 s): it is deleted,
    /// `DisassociateTrunkInterface` on the instance client, then
    /// `DeleteNetworkInterface` on the user client (notes R3.2, R8); it
    /// leaves the delete queue when the last call is made.
    fn on_branch_cooled(&mut self, n: u32) {
        let node = &mut self.nodes[n as usize];
        node.controller_cooling -= 1;
        node.controller_deleting += 1;
        let off = self.take_token(Client::Instance, self.now);
        let deleted = self.take_token(Client::User, off);
        if deleted == self.now {
            self.on_branch_deleted(n);
        } else {
            self.schedule(deleted, Ev::BranchDeleted(n));
        }
    }

    /// A branch ENI is deleted: the controller may create one more; the
    /// first SG pod waiting here gets it.
    fn on_branch_deleted(&mut self, n: u32) {
        self.release_addresses(self.pod_subnet, 1);
        let node = &mut self.nodes[n as usize];
        node.controller_deleting -= 1;
        let p = node.branch_wait_head;
        if p != NONE {
            node.branch_wait_head = self.pods[p as usize].next;
            if node.branch_wait_head == NONE {
                node.branch_wait_tail = NONE;
            }
            node.controller_used += 1;
            self.pods[p as usize].next = NONE;
            self.controller_create(p);
        }
    }

    // ----- subnets (MODEL.md §9, the subnet row) -----

    /// Takes `k` addresses from subnet `s` if it has them.
    fn take_addresses(&mut self, s: usize, k: u64) -> bool {
        if self.subnet_limit[s].is_some_and(|l| self.subnet_used[s] + k > l) {
            return false;
        }
        self.use_addresses(s, k);
        true
    }

    /// Takes `k` addresses from subnet `s`, whatever it holds.
    fn use_addresses(&mut self, s: usize, k: u64) {
        self.subnet_used[s] += k;
        self.subnet_peak[s] = self.subnet_peak[s].max(self.subnet_used[s]);
    }

    /// A new node's addresses: its primary ENI and start ENIs, from both
    /// subnets or from neither.
    fn take_launch_addresses(&mut self, ty: u16) -> bool {
        let w = self.world();
        let a = w.types[ty as usize].launch_addresses(w.custom_networking);
        let fits = |s: usize| self.subnet_limit[s].is_none_or(|l| self.subnet_used[s] + a[s] <= l);
        if !(fits(0) && fits(1)) {
            return false;
        }
        self.use_addresses(0, a[0]);
        self.use_addresses(1, a[1]);
        true
    }

    /// The addresses of one more pod-IP ENI on node `n`.
    fn use_eni_addresses(&mut self, n: u32) -> bool {
        let k = self.ty(n).eni_addresses();
        self.take_addresses(self.pod_subnet, k)
    }

    /// Addresses go back to subnet `s` (a branch ENI or a pool ENI deleted):
    /// whatever failed for want of addresses tries again.
    fn release_addresses(&mut self, s: usize, k: u64) {
        self.subnet_used[s] -= k;
        if !self.blocked_pods.is_empty() || !self.blocked_nodes.is_empty() {
            self.wake_blocked();
        }
    }

    fn block_pod(&mut self, p: u32, why: Blocked) {
        let pod = &mut self.pods[p as usize];
        pod.blocked = why;
        if !pod.listed {
            pod.listed = true;
            self.blocked_pods.push(p);
        }
    }

    fn list_node(&mut self, n: u32) {
        if !self.nodes[n as usize].listed {
            self.nodes[n as usize].listed = true;
            self.blocked_nodes.push(n);
        }
    }

    /// Addresses were released: each blocked pod or node tries again where
    /// its retries, had they run while the subnet stayed full, would be now
    /// (each of them a failure that doubled the backoff or renewed IPAMD's
    /// pause): a pending pod whose launch failed goes back to Karpenter's
    /// batch, a branch creation and a trunk initialisation retry at their
    /// next backoff instant, a pool at its first loop tick past its pause.
    fn wake_blocked(&mut self) {
        let now = self.now;
        let sub = &self.settings().subnet;
        let mut pods = std::mem::take(&mut self.blocked_pods);
        for p in pods.drain(..) {
            let pod = &mut self.pods[p as usize];
            pod.listed = false;
            let why = std::mem::replace(&mut pod.blocked, Blocked::No);
            match why {
                Blocked::No => {}
                Blocked::Launch => {
                    if pod.state == State::Pending && pod.nominated == NONE {
                        self.karpenter_enqueue(p);
                    }
                }
                Blocked::Branch => {
                    debug_assert_eq!(pod.state, State::Starting);
                    sub.catch_up(&mut pod.backoff, &mut pod.retry_at, now);
                    let at = pod.retry_at;
                    self.schedule(at, Ev::BranchRetry(p));
                }
            }
        }
        self.blocked_pods = pods;
        let interval = self.settings().cni.pool_interval;
        let mut nodes = std::mem::take(&mut self.blocked_nodes);
        for n in nodes.drain(..) {
            let node = &mut self.nodes[n as usize];
            node.listed = false;
            if node.trunk_blocked {
                node.trunk_blocked = false;
                sub.catch_up(&mut node.trunk_backoff, &mut node.trunk_retry_at, now);
                let at = node.trunk_retry_at;
                self.schedule(at, Ev::TrunkRetry(n));
            }
            let node = &mut self.nodes[n as usize];
            if node.pool_blocked {
                node.pool_blocked = false;
                loop {
                    let check = node.grow_after.next_tick(node.ready_at, interval);
                    if check >= now {
                        break;
                    }
                    node.grow_after = check + sub.attach_pause;
                }
                self.pool_maybe(n);
            }
        }
        self.blocked_nodes = nodes;
    }

    /// The subnet could not give node `n` an ENI: IPAMD's growth pauses
    /// (`attach_pause`, 120 s after `InsufficientFreeAddressesInSubnet`,
    /// notes R4.2); the pods waiting for that ENI wait on the subnet.
    fn pause_growth(&mut self, n: u32) {
        self.nodes[n as usize].grow_after = self.now + self.settings().subnet.attach_pause;
        self.nodes[n as usize].pool_blocked = true;
        self.list_node(n);
        let mut p = self.nodes[n as usize].ip_wait_head;
        while p != NONE {
            if self.pods[p as usize].state == State::WaitingIp {
                self.subnet_wait(p);
            }
            p = self.pods[p as usize].next;
        }
    }

    fn subnet_wait(&mut self, p: u32) {
        let pod = &mut self.pods[p as usize];
        if !pod.subnet_waited {
            pod.subnet_waited = true;
            self.subnet_waited += 1;
        }
    }

    // ----- the VPC CNI (MODEL.md §9 rows 8, 9, 11) -----

    fn free_ips(&self, n: u32) -> u32 {
        let node = &self.nodes[n as usize];
        node.ip_total - node.ip_assigned - node.ip_cooling
    }

    /// IPAMD can attach another ENI: a slot is left and the pool is below
    /// maxPods (`isDatastorePoolTooLow` stops at `TotalIPs >= maxPods`, R4.1).
    fn can_grow(&self, n: u32) -> bool {
        let node = &self.nodes[n as usize];
        let ty = self.ty(n);
        node.enis < ty.enis && node.ip_total < ty.spec.max_pods
    }

    /// The pool is too low: pods wait for an IP, or the warm target is not
    /// met (`WARM_ENI_TARGET` whole spare ENIs; `WARM_IP_TARGET` spare IPs
    /// and `MINIMUM_IP_TARGET` total IPs replace it when set; R4.1).
    fn pool_low(&self, n: u32) -> bool {
        if !self.can_grow(n) {
            return false;
        }
        let node = &self.nodes[n as usize];
        let cni = &self.settings().cni;
        let free = self.free_ips(n);
        let target_low = if cni.warm_ip_target.is_some() || cni.minimum_ip_target.is_some() {
            cni.warm_ip_target.is_some_and(|w| free < w) || cni.minimum_ip_target.is_some_and(|m| node.ip_total < m)
        } else {
            free < cni.warm_eni_target * self.ty(n).ips_per_eni
        };
        node.ip_waiting_eni > 0 || target_low
    }

    fn attach(&mut self, n: u32) {
        let ty = self.ty(n);
        let now = self.now;
        let node = &mut self.nodes[n as usize];
        self.eni_attached[(node.eni_base + node.enis) as usize] = now;
        node.enis += 1;
        node.ip_total = (node.ip_total + ty.ips_per_eni).min(ty.spec.ip_capacity);
    }

    /// Schedules the pool loop's next tick (every `pool_interval` from
    /// Ready, `ipPoolMonitorInterval`) if the pool is low and nothing is
    /// under way.
    fn pool_maybe(&mut self, n: u32) {
        let node = &self.nodes[n as usize];
        if node.phase != Phase::Ready || node.attaching || node.check_at != Time::NEVER || !self.pool_low(n) {
            self.shrink_maybe(n);
            return;
        }
        let t = self
            .now
            .max(node.grow_after)
            .next_tick(node.ready_at, self.settings().cni.pool_interval);
        self.nodes[n as usize].check_at = t;
        self.schedule(t, Ev::PoolCheck(n));
    }

    fn on_pool_check(&mut self, n: u32) {
        self.nodes[n as usize].check_at = Time::NEVER;
        if !self.nodes[n as usize].attaching && self.pool_low(n) {
            if !self.use_eni_addresses(n) {
                self.pause_growth(n);
                return;
            }
            self.nodes[n as usize].attaching = true;
            let d = self.draw(self.settings().cni.eni_attach);
            self.schedule(self.now + d, Ev::EniAttached(n));
        }
    }

    /// The pool holds an ENI that the warm targets do not need (MODEL.md §9,
    /// the pool row; notes R4.2): only with `WARM_IP_TARGET` or
    /// `MINIMUM_IP_TARGET` set, never the last ENI, and only when, without
    /// the newest ENI's IPs, the pool still holds the IPs in use or cooling
    /// plus `WARM_IP_TARGET` free, and at least `MINIMUM_IP_TARGET` in all.
    /// IPs are taken from the oldest ENIs first, so the newest is the one
    /// left unused.
    fn pool_high(&self, n: u32) -> bool {
        let cni = &self.settings().cni;
        if cni.warm_ip_target.is_none() && cni.minimum_ip_target.is_none() {
            return false;
        }
        let node = &self.nodes[n as usize];
        if node.phase != Phase::Ready || node.enis <= 1 || node.attaching || node.ip_waiting > 0 {
            return false;
        }
        let ty = self.ty(n);
        let after = ((node.enis - 1) * ty.ips_per_eni).min(ty.spec.ip_capacity);
        let need = (node.ip_assigned + node.ip_cooling + cni.warm_ip_target.unwrap_or(0))
            .max(cni.minimum_ip_target.unwrap_or(0));
        after >= need
    }

    /// Schedules a shrink check at the pool loop's first tick at which the
    /// last shrink is `shrink_interval` old and the newest ENI `eni_min_age`
    /// old (`decreaseIPPoolInterval`, `minENILifeTime`), if the pool is too
    /// high and no check is pending.
    fn shrink_maybe(&mut self, n: u32) {
        if self.nodes[n as usize].shrink_at != Time::NEVER || !self.pool_high(n) {
            return;
        }
        let node = &self.nodes[n as usize];
        let t = self
            .now
            .max(self.shrink_allowed(n))
            .next_tick(node.ready_at, self.settings().cni.pool_interval);
        self.nodes[n as usize].shrink_at = t;
        self.schedule(t, Ev::ShrinkCheck(n));
    }

    /// The first instant node `n` may shrink: its last shrink
    /// `shrink_interval` ago and its newest ENI `eni_min_age` old.
    fn shrink_allowed(&self, n: u32) -> Time {
        let cni = &self.settings().cni;
        let node = &self.nodes[n as usize];
        let newest = self.eni_attached[(node.eni_base + node.enis - 1) as usize];
        (node.last_shrink + cni.shrink_interval).max(newest + cni.eni_min_age)
    }

    /// The shrink check: the newest ENI is freed if the pool is still too
    /// high, one ENI per check; the next check comes no sooner than
    /// `shrink_interval` later.
    fn on_shrink_check(&mut self, n: u32) {
        self.nodes[n as usize].shrink_at = Time::NEVER;
        if !self.pool_high(n) {
            return;
        }
        if self.now < self.shrink_allowed(n) {
            // An ENI came since the check was set: wait until it is old enough.
            self.shrink_maybe(n);
            return;
        }
        let ty = self.ty(n);
        let now = self.now;
        let node = &mut self.nodes[n as usize];
        node.enis -= 1;
        node.ip_total = (node.enis * ty.ips_per_eni).min(ty.spec.ip_capacity);
        node.last_shrink = now;
        self.eni_attached[(node.eni_base + node.enis) as usize] = Time::NEVER;
        self.release_addresses(self.pod_subnet, ty.eni_addresses());
        self.shrink_maybe(n);
    }

    fn on_eni_attached(&mut self, n: u32) {
        self.nodes[n as usize].attaching = false;
        self.attach(n);
        self.serve_ip_waiters(n);
        self.pool_maybe(n);
    }

    /// A bound IP pod takes a free IP at once; with none free it waits for
    /// an ENI if one can still be attached, else it is ip-failed (R4.5).
    fn ip_bind(&mut self, p: u32, n: u32) {
        if self.free_ips(n) > 0 {
            self.nodes[n as usize].ip_assigned += 1;
            self.pods[p as usize].has_ip = true;
            self.run_pod(p);
        } else {
            let grow = self.can_grow(n);
            let node = &mut self.nodes[n as usize];
            self.pods[p as usize].next = NONE;
            if node.ip_wait_tail == NONE {
                node.ip_wait_head = p;
            } else {
                self.pods[node.ip_wait_tail as usize].next = p;
            }
            node.ip_wait_tail = p;
            node.ip_waiting += 1;
            if grow {
                node.ip_waiting_eni += 1;
                let paused = node.grow_after > self.now;
                self.set_state(p, State::WaitingIp);
                if paused {
                    self.subnet_wait(p);
                }
            } else {
                self.fail_ip(p);
            }
        }
        self.pool_maybe(n);
    }

    fn fail_ip(&mut self, p: u32) {
        self.set_state(p, State::IpFailed);
        if self.first_ip_failure.is_none() {
            self.first_ip_failure = Some(self.pods[p as usize].index);
        }
    }

    /// An IP's cool-down ends (`IP_COOLDOWN_PERIOD`, 30 s, R4.6).
    fn on_ip_free(&mut self, n: u32) {
        self.nodes[n as usize].ip_cooling -= 1;
        self.serve_ip_waiters(n);
        self.pool_maybe(n);
    }

    /// Free IPs go to the node's waiting pods, first come first served. A
    /// pod waiting for an ENI runs when it is attached; an ip-failed pod
    /// starts at the kubelet's next sandbox retry (every `kubelet_retry`
    /// from its failure; a random retry delay is drawn afresh). When no ENI
    /// can come any more, the pods still waiting are ip-failed.
    fn serve_ip_waiters(&mut self, n: u32) {
        let w0 = self.wasted_of(n);
        while self.free_ips(n) > 0 {
            let node = &mut self.nodes[n as usize];
            let p = node.ip_wait_head;
            if p == NONE {
                break;
            }
            node.ip_wait_head = self.pods[p as usize].next;
            if node.ip_wait_head == NONE {
                node.ip_wait_tail = NONE;
            }
            node.ip_waiting -= 1;
            node.ip_assigned += 1;
            let pod = &mut self.pods[p as usize];
            pod.next = NONE;
            pod.has_ip = true;
            match pod.state {
                State::WaitingIp => {
                    self.nodes[n as usize].ip_waiting_eni -= 1;
                    self.run_pod(p);
                }
                State::IpFailed => {
                    let since = pod.since;
                    let t = self.next_kubelet_retry(since);
                    self.schedule(t, Ev::KubeletRetry(p));
                }
                s => unreachable!("a pod waiting for an IP is waiting-ip or ip-failed, not {s:?}"),
            }
        }
        if self.nodes[n as usize].ip_waiting_eni > 0 && !self.can_grow(n) {
            let mut p = self.nodes[n as usize].ip_wait_head;
            while p != NONE {
                if self.pods[p as usize].state == State::WaitingIp {
                    self.fail_ip(p);
                }
                p = self.pods[p as usize].next;
            }
            self.nodes[n as usize].ip_waiting_eni = 0;
        }
        self.rewaste(n, w0);
    }

    /// The kubelet's first sandbox retry at or after now, for a pod that
    /// failed at `since` (MODEL.md §9, last row): retries are periodic from
    /// the failure, `since + d1`, `since + d1 + d2`, ..., each period drawn
    /// afresh from the setting (a fixed period draws nothing). The periods
    /// are drawn here, when the pod gets its IP, rather than one event per
    /// period: the same instants, without an event every 10 s for every
    /// ip-failed pod. A period drawn as zero retries at once.
    fn next_kubelet_retry(&mut self, since: Time) -> Time {
        match self.settings().cni.kubelet_retry {
            Delay::Fixed(r) => self.now.next_tick(since, r),
            d => {
                let mut t = since;
                while t < self.now {
                    let period = self.draw(d);
                    if period == Time::ZERO {
                        return self.now;
                    }
                    t = t + period;
                }
                t
            }
        }
    }

    fn on_kubelet_retry(&mut self, p: u32) {
        debug_assert!(self.pods[p as usize].has_ip);
        self.run_pod(p);
    }
}

#[cfg(test)]
#[path = "sim_tests.rs"]
mod tests;
