//! The validated `[timed]` settings (MODEL.md §9): every delay and limit of
//! the timed model, with the defaults of notes/sgp-behaviour.md. Read and
//! checked in `input::timed`; the simulation takes only this form.

use super::dist::Delay;
use super::time::Time;
use crate::model::formula::Formula;
use crate::model::instance::InstanceType;

/// How workload pods arrive (MODEL.md §9, first rule). The kinds come in the
/// cell's order (§7); the process gives the times.
#[derive(Debug, Clone, PartialEq)]
pub enum Arrivals {
    /// Every pod at t = 0.
    AtOnce,
    /// Pod `i` at `i / rate` seconds.
    Rate(f64),
    /// A Poisson process: exponential gaps with mean `1 / rate`.
    Poisson(f64),
    /// Deployment waves: `step` pods every `every` (replicas scaled up in steps).
    Waves { step: u32, every: Time },
    /// A trace file: times, kinds and optional lifetimes. The path is as
    /// written; the runner resolves it beside the scenario file.
    Trace { file: String },
}

/// Karpenter (MODEL.md §9 rows 3–5).
#[derive(Debug, Clone, PartialEq)]
pub struct Karpenter {
    /// `BATCH_IDLE_DURATION`: launch once no pod has joined the batch for this long. Default 1 s.
    pub batch_idle: Time,
    /// `BATCH_MAX_DURATION`: launch at the latest this long after the batch began. Default 10 s.
    pub batch_max: Time,
    /// From launch to Ready. Default 90 s, the seed's measured node start-up.
    pub launch: Delay,
    /// The NodePool's instance types with their prices; empty: the cell's type alone.
    pub nodepool: Vec<PoolEntry>,
    /// The formula whose `M` Karpenter counts as a node's pods, when it is
    /// not the kubelet's: a maxPods set behind its back (the seed's
    /// UserData), while Karpenter counts `ENILimitedPods` (`aws-default`).
    /// `None`: Karpenter and the kubelet agree (the EC2NodeClass's
    /// `spec.kubelet.maxPods` sets both).
    pub max_pods: Option<Formula>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PoolEntry {
    pub instance_type: InstanceType,
    pub price: Option<f64>,
}

/// The VPC resource controller (MODEL.md §9 rows 6, 7 and 10).
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceController {
    /// From Ready until branch capacity is advertised. Default 5 s (notes R2.2).
    pub trunk_delay: Delay,
    /// Creating and associating one branch ENI. Default 1.5 s (notes R1.6).
    pub branch_create: Delay,
    /// Calls per second on each of the controller's two EC2 clients (`user`
    /// and `instance`), cluster-wide; 0 = unlimited. A branch creation takes
    /// one call on each, a deletion one on each, a trunk initialisation
    /// `trunk_calls` on the user client. Default 12 (notes R8).
    pub branch_rate: f64,
    /// Each client's token-bucket burst. Default 18 (notes R8).
    pub branch_burst: u32,
    /// User-client calls per trunk initialisation. Default 6 (notes R2.1, R8).
    pub trunk_calls: u32,
    /// Trunk initialisations run on this many node workers at once. Default
    /// 10 (`node-mgr-workers`, notes R2.1, R2.2).
    pub node_workers: u32,
    /// Before its worker, each new node goes through one serial step, one
    /// node at a time (the node manager's global lock). Default 0.3 s (notes R2.2).
    pub node_serial: Delay,
    /// A deleted branch ENI's cool-down. Default 60 s (notes R3.2, `cooldown.go`).
    pub branch_cooldown: Delay,
}

/// The VPC CNI's IPAMD (MODEL.md §9 rows 8–11).
#[derive(Debug, Clone, PartialEq)]
pub struct Cni {
    /// `WARM_ENI_TARGET`. Default 1 (notes R4.1).
    pub warm_eni_target: u32,
    /// `WARM_IP_TARGET`: replaces the ENI target when set.
    pub warm_ip_target: Option<u32>,
    /// `MINIMUM_IP_TARGET`: replaces the ENI target when set.
    pub minimum_ip_target: Option<u32>,
    /// The pool loop's period. Default 5 s (`ipPoolMonitorInterval`, notes R4.2).
    pub pool_interval: Time,
    /// With `WARM_IP_TARGET` or `MINIMUM_IP_TARGET` set, the pool shrinks at
    /// most this often (`decreaseIPPoolInterval`). Default 30 s (notes R4.2).
    pub shrink_interval: Time,
    /// An ENI younger than this is never freed (`minENILifeTime`). Default 60 s (notes R4.2).
    pub eni_min_age: Time,
    /// From the pool decision to usable IPs on a new ENI. Default 4 s (notes R4.3).
    pub eni_attach: Delay,
    /// `IP_COOLDOWN_PERIOD`. Default 30 s (notes R4.6).
    pub ip_cooldown: Delay,
    /// The kubelet's sandbox retry period. Default 10 s (notes R1.5).
    pub kubelet_retry: Delay,
}

/// The subnets the nodes draw their addresses from (MODEL.md §9, the subnet
/// row; notes R2.5, R4.2). `None`: unlimited (only the peak use is measured).
#[derive(Debug, Clone, PartialEq)]
pub struct Subnets {
    /// Usable addresses of the node subnet (a `/N` prefix gives
    /// `2^(32-N) - 5`: AWS reserves five per subnet). The nodes present at
    /// the start draw from it first.
    pub node: Option<u64>,
    /// Usable addresses of the ENIConfig's subnet, where pod ENIs, trunk and
    /// branch ENIs go with custom networking (without it they all draw from
    /// the node subnet, and this is refused).
    pub eniconfig: Option<u64>,
    /// IPAMD's pause after `InsufficientFreeAddressesInSubnet`. Default 120 s (notes R4.2).
    pub attach_pause: Time,
    /// The controller's first retry of a failed branch creation or trunk
    /// initialisation, doubled each failure up to `retry_max`. Default 30 s
    /// and 10 min (notes R2.5, RC PR #668).
    pub retry: Time,
    pub retry_max: Time,
}

/// The validated `[timed]` table.
#[derive(Debug, Clone, PartialEq)]
pub struct Timed {
    pub horizon: Option<Time>,
    pub trials: Option<u32>,
    pub arrivals: Arrivals,
    pub lifetime: Option<Delay>,
    pub replace: bool,
    pub timeline_interval: Time,
    pub timeline_trial: u32,
    pub karpenter: Karpenter,
    pub rc: ResourceController,
    pub cni: Cni,
    pub subnet: Subnets,
}

impl Subnets {
    /// The controller's retry interval after a failure: `retry`, then
    /// doubled each time up to `retry_max` (notes R2.5, RC PR #668). `last`
    /// is the previous interval, `ZERO` before the first failure.
    pub fn next_backoff(&self, last: Time) -> Time {
        if last == Time::ZERO {
            self.retry
        } else {
            Time(last.0.saturating_mul(2)).min(self.retry_max)
        }
    }

    /// Moves a retry chain (`backoff`, next retry `at`) past the retries
    /// that would have failed before `now`, each doubling the backoff: `at`
    /// becomes the chain's first retry at or after `now`.
    pub fn catch_up(&self, backoff: &mut Time, at: &mut Time, now: Time) {
        while *at < now {
            *backoff = self.next_backoff(*backoff);
            *at = *at + *backoff;
        }
    }
}

impl Default for Subnets {
    fn default() -> Self {
        Subnets {
            node: None,
            eniconfig: None,
            attach_pause: Time::secs(120),
            retry: Time::secs(30),
            retry_max: Time::secs(600),
        }
    }
}

impl Default for Karpenter {
    fn default() -> Self {
        Karpenter {
            batch_idle: Time::secs(1),
            batch_max: Time::secs(10),
            launch: Delay::secs(90),
            nodepool: Vec::new(),
            max_pods: None,
        }
    }
}

impl Default for ResourceController {
    fn default() -> Self {
        ResourceController {
            trunk_delay: Delay::secs(5),
            branch_create: Delay::Fixed(Time(1_500_000)),
            branch_rate: 12.0,
            branch_burst: 18,
            trunk_calls: 6,
            node_workers: 10,
            node_serial: Delay::Fixed(Time(300_000)),
            branch_cooldown: Delay::secs(60),
        }
    }
}

impl Default for Cni {
    fn default() -> Self {
        Cni {
            warm_eni_target: 1,
            warm_ip_target: None,
            minimum_ip_target: None,
            pool_interval: Time::secs(5),
            shrink_interval: Time::secs(30),
            eni_min_age: Time::secs(60),
            eni_attach: Delay::secs(4),
            ip_cooldown: Delay::secs(30),
            kubelet_retry: Delay::secs(10),
        }
    }
}

impl Default for Timed {
    fn default() -> Self {
        Timed {
            horizon: None,
            trials: None,
            arrivals: Arrivals::AtOnce,
            lifetime: None,
            replace: false,
            timeline_interval: Time::secs(10),
            timeline_trial: 0,
            karpenter: Karpenter::default(),
            rc: ResourceController::default(),
            cni: Cni::default(),
            subnet: Subnets::default(),
        }
    }
}

impl Timed {
    /// Every delay zero, every arrival at once, no rate limit: the limit in
    /// which the timed model is the static replay (MODEL.md §8).
    pub fn zero_delay() -> Timed {
        Timed {
            karpenter: Karpenter {
                batch_idle: Time::ZERO,
                batch_max: Time::ZERO,
                launch: Delay::ZERO,
                nodepool: Vec::new(),
                max_pods: None,
            },
            rc: ResourceController {
                trunk_delay: Delay::ZERO,
                branch_create: Delay::ZERO,
                branch_rate: 0.0,
                branch_burst: 1,
                trunk_calls: 6,
                node_workers: u32::MAX,
                node_serial: Delay::ZERO,
                branch_cooldown: Delay::ZERO,
            },
            cni: Cni {
                pool_interval: Time::ZERO,
                eni_attach: Delay::ZERO,
                ip_cooldown: Delay::ZERO,
                kubelet_retry: Delay::ZERO,
                ..Cni::default()
            },
            ..Timed::default()
        }
    }

    /// True when a trial draws anything beyond a random order: then every
    /// cell runs the scenario's trials, not just the random-order ones.
    pub fn is_stochastic(&self) -> bool {
        matches!(self.arrivals, Arrivals::Poisson(_))
            || self.lifetime.is_some_and(|d| d.is_random())
            || self.karpenter.launch.is_random()
            || self.rc.trunk_delay.is_random()
            || self.rc.branch_create.is_random()
            || self.rc.branch_cooldown.is_random()
            || self.rc.node_serial.is_random()
            || self.cni.eni_attach.is_random()
            || self.cni.ip_cooldown.is_random()
            || self.cni.kubelet_retry.is_random()
    }
}
