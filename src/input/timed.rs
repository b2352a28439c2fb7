//! The `[timed]` table of a scenario: as written ([`RawTimed`]) and validated
//! ([`Timed`]). Every rule of MODEL.md §9 has its setting here, with the
//! default from notes/sgp-behaviour.md.
//!
//! ```toml
//! [timed]
//! horizon = 3600                 # seconds simulated (default: until nothing is left to happen)
//! trials = 20                    # trials per cell when anything is random (default: the scenario's `trials`); else 1
//! arrivals = { process = "rate", rate = 5 }   # at-once | rate | poisson | waves | trace
//! lifetime = { dist = "exponential", mean = 600 }   # optional: pods end this long after they start
//! replace = true                 # a pod that ends is replaced at once (a Deployment keeps its replicas)
//! timeline = { interval = 10, trial = 0 }
//!
//! [timed.karpenter]
//! batch_idle = 1
//! batch_max = 10
//! launch = 90
//! nodepool = [{ type = "m5.large", price = 0.096 }, { type = "m5.xlarge", price = 0.192 }]
//! # max_pods = "aws-default"   # Karpenter's own pods count, when the kubelet's maxPods is set behind its back
//!
//! [timed.resource_controller]
//! trunk_delay = 5
//! branch_create = 1.5
//! branch_rate = 12               # calls per second on each EC2 client, cluster-wide; 0 = unlimited
//! branch_burst = 18              # each client's burst
//! branch_cooldown = 60
//! trunk_calls = 6                # user-client calls per trunk initialisation
//! node_workers = 10              # trunk initialisations at once
//! node_serial = 0.3              # the serial step per new node before its worker
//!
//! [timed.cni]
//! warm_eni_target = 1
//! # warm_ip_target = 5, minimum_ip_target = 10 replace warm_eni_target when set,
//! # and the pool then shrinks too: at most every shrink_interval, ENIs older than eni_min_age
//! pool_interval = 5
//! shrink_interval = 30
//! eni_min_age = 60
//! eni_attach = 4
//! ip_cooldown = 30
//! kubelet_retry = 10
//!
//! [timed.subnet]                 # optional: unlimited unless set (the peak use is reported either way)
//! node = "/22"                   # the node subnet: a prefix (2^(32-N) - 5 usable) or a count of usable addresses
//! # eniconfig = 2043             # the ENIConfig's subnet, with custom_networking = true
//! attach_pause = 120             # IPAMD's pause after InsufficientFreeAddressesInSubnet
//! retry = 30                     # a failed branch creation or trunk initialisation: first retry,
//! retry_max = 600                # doubled each time up to this
//! ```
//!
//! Delays are seconds or distributions (see [`crate::timed::dist`]).

use serde::Deserialize;

use crate::error::InputError;
use crate::input::catalog::Catalog;
use crate::input::delay::{self, RawDelay, check_secs};
use crate::model::formula::Formula;
use crate::timed::dist::Delay;
use crate::timed::settings::{Arrivals, Cni, Karpenter, PoolEntry, ResourceController, Subnets, Timed};
use crate::timed::time::Time;

/// `[timed]` as written.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTimed {
    pub horizon: Option<f64>,
    pub trials: Option<u32>,
    pub arrivals: Option<RawArrivals>,
    pub lifetime: Option<RawDelay>,
    pub replace: Option<bool>,
    pub timeline: Option<RawTimeline>,
    pub karpenter: Option<RawKarpenter>,
    pub resource_controller: Option<RawResourceController>,
    pub cni: Option<RawCni>,
    pub subnet: Option<RawSubnet>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSubnet {
    pub node: Option<RawSubnetSize>,
    pub eniconfig: Option<RawSubnetSize>,
    pub attach_pause: Option<f64>,
    pub retry: Option<f64>,
    pub retry_max: Option<f64>,
}

/// A subnet's size: usable addresses, or a CIDR prefix such as `"/22"`.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum RawSubnetSize {
    Addresses(i64),
    Prefix(String),
}

/// AWS keeps five addresses of every subnet (the first four and the last;
/// Amazon VPC User Guide, "Subnet CIDR blocks").
pub const SUBNET_RESERVED: u64 = 5;

/// The most addresses a subnet size may give (a /8's worth: far beyond any VPC subnet).
const MAX_SUBNET: i64 = 1 << 24;

fn subnet_size(raw: &RawSubnetSize, field: &str) -> Result<u64, InputError> {
    match raw {
        RawSubnetSize::Addresses(n) if (1..=MAX_SUBNET).contains(n) => Ok(*n as u64),
        RawSubnetSize::Addresses(n) => Err(InputError::field(
            field,
            format!("{n} addresses is outside 1..={MAX_SUBNET}"),
            "give the subnet's usable addresses, e.g. 1019, or its prefix, e.g. \"/22\"",
        )),
        RawSubnetSize::Prefix(p) => {
            let bits = p.strip_prefix('/').and_then(|b| b.parse::<u32>().ok());
            match bits {
                // AWS subnets are /16 to /28.
                Some(b @ 16..=28) => Ok((1u64 << (32 - b)) - SUBNET_RESERVED),
                _ => Err(InputError::field(
                    field,
                    format!(
                        "`{}` is not a subnet prefix from /16 to /28",
                        crate::model::formula::shown(p)
                    ),
                    "give a prefix such as \"/22\" (1019 usable addresses), or a count of usable addresses",
                )),
            }
        }
    }
}

/// The longest prefix (the smallest subnet, /16 to /28) with at least
/// `addresses` usable; `None` when even a /16 is too small.
pub fn smallest_prefix(addresses: u64) -> Option<u32> {
    (16..=28)
        .rev()
        .find(|&b| (1u64 << (32 - b)) - SUBNET_RESERVED >= addresses)
}

fn validate_subnet(raw: Option<RawSubnet>) -> Result<Subnets, InputError> {
    let r = raw.unwrap_or_default();
    let d = Subnets::default();
    let positive = |v: Option<f64>, field: &str, default: Time| -> Result<Time, InputError> {
        let Some(v) = v else { return Ok(default) };
        let name = format!("{F}.subnet.{field}");
        let v = check_secs(v, &name)?;
        if v == 0.0 {
            return Err(InputError::field(
                name,
                "0 s would retry at the same instant for ever",
                format!("give seconds above zero, e.g. {}", default.as_secs_f64()),
            ));
        }
        Ok(Time::from_secs_f64(v))
    };
    let s = Subnets {
        node: r
            .node
            .as_ref()
            .map(|v| subnet_size(v, "timed.subnet.node"))
            .transpose()?,
        eniconfig: r
            .eniconfig
            .as_ref()
            .map(|v| subnet_size(v, "timed.subnet.eniconfig"))
            .transpose()?,
        attach_pause: positive(r.attach_pause, "attach_pause", d.attach_pause)?,
        retry: positive(r.retry, "retry", d.retry)?,
        retry_max: positive(r.retry_max, "retry_max", d.retry_max)?,
    };
    if s.retry_max < s.retry {
        return Err(InputError::field(
            "timed.subnet.retry_max",
            format!(
                "the longest retry ({} s) is shorter than the first ({} s)",
                s.retry_max.as_secs_f64(),
                s.retry.as_secs_f64()
            ),
            "give retry_max at least retry, e.g. 600",
        ));
    }
    Ok(s)
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawArrivals {
    pub process: String,
    /// Pods per second (`rate`, `poisson`).
    pub rate: Option<f64>,
    /// Pods per wave (`waves`).
    pub step: Option<u32>,
    /// Seconds between waves (`waves`).
    pub every: Option<f64>,
    /// CSV of `time,kind[,lifetime]` (`trace`), relative to the scenario file.
    pub file: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTimeline {
    pub interval: Option<f64>,
    pub trial: Option<u32>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawKarpenter {
    pub batch_idle: Option<f64>,
    pub batch_max: Option<f64>,
    pub launch: Option<RawDelay>,
    pub nodepool: Option<Vec<RawPoolEntry>>,
    /// The formula Karpenter counts pods by, when the kubelet's maxPods is
    /// set behind its back (e.g. `"aws-default"` under the seed's UserData).
    pub max_pods: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPoolEntry {
    #[serde(rename = "type")]
    pub instance_type: String,
    /// On-demand price per hour, in any currency.
    pub price: Option<f64>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawResourceController {
    pub trunk_delay: Option<RawDelay>,
    pub branch_create: Option<RawDelay>,
    pub branch_rate: Option<f64>,
    pub branch_burst: Option<u32>,
    pub branch_cooldown: Option<RawDelay>,
    pub trunk_calls: Option<u32>,
    pub node_workers: Option<u32>,
    pub node_serial: Option<RawDelay>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCni {
    pub warm_eni_target: Option<u32>,
    pub warm_ip_target: Option<u32>,
    pub minimum_ip_target: Option<u32>,
    pub pool_interval: Option<f64>,
    pub shrink_interval: Option<f64>,
    pub eni_min_age: Option<f64>,
    pub eni_attach: Option<RawDelay>,
    pub ip_cooldown: Option<RawDelay>,
    pub kubelet_retry: Option<RawDelay>,
}

/// The prefix of every field name in this table.
const F: &str = "timed";

/// The slowest branch-creation rate accepted (per second), 0 aside.
pub const MIN_BRANCH_RATE: f64 = 0.001;

/// Validates `[timed]`; field names in errors start with `timed.`.
pub fn validate(raw: RawTimed, catalog: &Catalog) -> Result<Timed, InputError> {
    let d = Timed::default();
    let delay = |r: &Option<RawDelay>, field: &str, default: Delay| -> Result<Delay, InputError> {
        r.as_ref()
            .map_or(Ok(default), |r| delay::validate(r, &format!("{F}.{field}")))
    };
    let secs = |v: Option<f64>, field: &str, default: Time| -> Result<Time, InputError> {
        v.map_or(Ok(default), |v| {
            check_secs(v, &format!("{F}.{field}")).map(Time::from_secs_f64)
        })
    };

    let horizon = match raw.horizon {
        None => None,
        Some(h) => {
            let h = check_secs(h, "timed.horizon")?;
            if h == 0.0 {
                return Err(InputError::field(
                    "timed.horizon",
                    "a horizon of 0 s simulates nothing",
                    "give seconds, e.g. 3600",
                ));
            }
            Some(Time::from_secs_f64(h))
        }
    };
    if let Some(t) = raw.trials {
        crate::input::bounds::check_trials(t, "timed.trials")?;
    }
    let arrivals = validate_arrivals(raw.arrivals)?;
    let lifetime = raw
        .lifetime
        .as_ref()
        .map(|l| delay::validate(l, "timed.lifetime"))
        .transpose()?;
    let replace = raw.replace.unwrap_or(false);
    if replace && horizon.is_none() {
        return Err(InputError::field(
            "timed.replace",
            "pods replaced for ever need an end",
            "add `horizon = <seconds>` to [timed]",
        ));
    }
    if replace && lifetime.is_none() && !matches!(arrivals, Arrivals::Trace { .. }) {
        return Err(InputError::field(
            "timed.replace",
            "`replace = true` has no effect without `lifetime`",
            "add `lifetime = <seconds or a distribution>`, or drop `replace`",
        ));
    }
    if replace && lifetime.is_some_and(|l| delay::mean_secs(&l) == 0.0) {
        return Err(InputError::field(
            "timed.lifetime",
            "a lifetime of 0 s with `replace = true` ends and replaces every pod at one instant, for ever",
            "give pods a lifetime above zero, e.g. `lifetime = 300`, or drop `replace`",
        ));
    }
    let tl = raw.timeline.unwrap_or_default();
    let timeline_interval = secs(tl.interval, "timeline.interval", d.timeline_interval)?;
    if timeline_interval == Time::ZERO {
        return Err(InputError::field(
            "timed.timeline.interval",
            "an interval of 0 s would sample without end",
            "give seconds between samples, e.g. 10",
        ));
    }
    let timeline_trial = tl.trial.unwrap_or(0);

    let k = raw.karpenter.unwrap_or_default();
    let dk = &d.karpenter;
    let mut nodepool = Vec::new();
    for (i, e) in k.nodepool.unwrap_or_default().into_iter().enumerate() {
        let field = format!("timed.karpenter.nodepool[{i}]");
        let t = catalog
            .get(&e.instance_type)
            .ok_or_else(|| catalog.unknown(&e.instance_type, &format!("{field}.type")))?;
        if let Some(p) = e.price
            && !(p.is_finite() && p >= 0.0)
        {
            return Err(InputError::field(
                format!("{field}.price"),
                format!("price {p:?} is not a price"),
                "give the hourly price, e.g. 0.096",
            ));
        }
        if nodepool.iter().any(|x: &PoolEntry| x.instance_type.name == t.name) {
            return Err(InputError::field(
                format!("{field}.type"),
                format!("{} is listed twice", t.name),
                "list each type once",
            ));
        }
        nodepool.push(PoolEntry {
            instance_type: t.clone(),
            price: e.price,
        });
    }
    let priced = nodepool.iter().filter(|e| e.price.is_some()).count();
    if priced != 0 && priced != nodepool.len() {
        return Err(InputError::field(
            "timed.karpenter.nodepool",
            "some types have a price and some do not",
            "give every type a price, or none",
        ));
    }
    let karpenter = Karpenter {
        batch_idle: secs(k.batch_idle, "karpenter.batch_idle", dk.batch_idle)?,
        batch_max: secs(k.batch_max, "karpenter.batch_max", dk.batch_max)?,
        launch: delay(&k.launch, "karpenter.launch", dk.launch)?,
        nodepool,
        max_pods: k
            .max_pods
            .as_deref()
            .map(|f| Formula::parse(f).map_err(|e| InputError::field("timed.karpenter.max_pods", e.problem, e.fix)))
            .transpose()?,
    };
    if karpenter.batch_idle > karpenter.batch_max {
        return Err(InputError::field(
            "timed.karpenter.batch_idle",
            "the idle window is longer than the whole batch may last",
            "make batch_idle at most batch_max (Karpenter's defaults: 1 and 10)",
        ));
    }

    let r = raw.resource_controller.unwrap_or_default();
    let dr = &d.rc;
    let branch_rate = r.branch_rate.unwrap_or(dr.branch_rate);
    // A rate below the minimum would make the token bucket's interval (in
    // microseconds) overflow; one creation per 1000 s is far slower than any controller.
    if !(branch_rate == 0.0 || (branch_rate.is_finite() && (MIN_BRANCH_RATE..=1e6).contains(&branch_rate))) {
        return Err(InputError::field(
            "timed.resource_controller.branch_rate",
            format!("{branch_rate:?} per second is outside {MIN_BRANCH_RATE}..=1000000"),
            format!("give creations per second from {MIN_BRANCH_RATE} to 1000000, e.g. 12, or 0 for no limit"),
        ));
    }
    let branch_burst = r.branch_burst.unwrap_or(dr.branch_burst);
    if branch_burst == 0 || branch_burst > 1_000_000 {
        return Err(InputError::field(
            "timed.resource_controller.branch_burst",
            format!("a burst of {branch_burst} is outside 1..=1000000"),
            "give the token bucket's size, e.g. 18",
        ));
    }
    let trunk_calls = r.trunk_calls.unwrap_or(dr.trunk_calls);
    if trunk_calls > 1000 {
        return Err(InputError::field(
            "timed.resource_controller.trunk_calls",
            format!("{trunk_calls} EC2 calls per trunk initialisation is far beyond the controller's six"),
            "give the user-client calls per trunk, e.g. 6",
        ));
    }
    let node_workers = r.node_workers.unwrap_or(dr.node_workers);
    if node_workers == 0 {
        return Err(InputError::field(
            "timed.resource_controller.node_workers",
            "with no node workers no trunk is ever initialised",
            "give the controller's node workers, e.g. 10 (20 from RC PR #675)",
        ));
    }
    let rc = ResourceController {
        trunk_delay: delay(&r.trunk_delay, "resource_controller.trunk_delay", dr.trunk_delay)?,
        branch_create: delay(&r.branch_create, "resource_controller.branch_create", dr.branch_create)?,
        branch_rate,
        branch_burst,
        trunk_calls,
        node_workers,
        node_serial: delay(&r.node_serial, "resource_controller.node_serial", dr.node_serial)?,
        branch_cooldown: delay(
            &r.branch_cooldown,
            "resource_controller.branch_cooldown",
            dr.branch_cooldown,
        )?,
    };

    let c = raw.cni.unwrap_or_default();
    let dc = &d.cni;
    let cni = Cni {
        warm_eni_target: c.warm_eni_target.unwrap_or(dc.warm_eni_target),
        warm_ip_target: c.warm_ip_target,
        minimum_ip_target: c.minimum_ip_target,
        pool_interval: secs(c.pool_interval, "cni.pool_interval", dc.pool_interval)?,
        shrink_interval: secs(c.shrink_interval, "cni.shrink_interval", dc.shrink_interval)?,
        eni_min_age: secs(c.eni_min_age, "cni.eni_min_age", dc.eni_min_age)?,
        eni_attach: delay(&c.eni_attach, "cni.eni_attach", dc.eni_attach)?,
        ip_cooldown: delay(&c.ip_cooldown, "cni.ip_cooldown", dc.ip_cooldown)?,
        kubelet_retry: delay(&c.kubelet_retry, "cni.kubelet_retry", dc.kubelet_retry)?,
    };
    for (v, field) in [
        (Some(cni.warm_eni_target), "warm_eni_target"),
        (cni.warm_ip_target, "warm_ip_target"),
        (cni.minimum_ip_target, "minimum_ip_target"),
    ] {
        if v.is_some_and(|v| v > 100_000) {
            return Err(InputError::field(
                format!("timed.cni.{field}"),
                "the target is absurdly large",
                "give a small count, e.g. 1",
            ));
        }
    }
    Ok(Timed {
        horizon,
        trials: raw.trials,
        arrivals,
        lifetime,
        replace,
        timeline_interval,
        timeline_trial,
        karpenter,
        rc,
        cni,
        subnet: validate_subnet(raw.subnet)?,
    })
}

fn validate_arrivals(raw: Option<RawArrivals>) -> Result<Arrivals, InputError> {
    let Some(a) = raw else { return Ok(Arrivals::AtOnce) };
    let f = "timed.arrivals";
    let unused = |name: &str, given: bool, process: &str| -> Result<(), InputError> {
        if given {
            Err(InputError::field(
                format!("{f}.{name}"),
                format!("`{name}` does not apply to process `{process}`"),
                format!("drop `{name}`"),
            ))
        } else {
            Ok(())
        }
    };
    let rate = |r: Option<f64>| -> Result<f64, InputError> {
        let r = r.ok_or_else(|| {
            InputError::field(
                format!("{f}.rate"),
                "no rate is given",
                "add `rate = <pods per second>`",
            )
        })?;
        if r.is_finite() && r > 0.0 && r <= 1e7 {
            Ok(r)
        } else {
            Err(InputError::field(
                format!("{f}.rate"),
                format!("{r:?} pods per second is outside (0, 1e7]"),
                "give pods per second, e.g. 5",
            ))
        }
    };
    match a.process.as_str() {
        "at-once" => {
            unused("rate", a.rate.is_some(), "at-once")?;
            unused("step", a.step.is_some(), "at-once")?;
            unused("every", a.every.is_some(), "at-once")?;
            unused("file", a.file.is_some(), "at-once")?;
            Ok(Arrivals::AtOnce)
        }
        p @ ("rate" | "poisson") => {
            unused("step", a.step.is_some(), p)?;
            unused("every", a.every.is_some(), p)?;
            unused("file", a.file.is_some(), p)?;
            let r = rate(a.rate)?;
            Ok(if p == "rate" {
                Arrivals::Rate(r)
            } else {
                Arrivals::Poisson(r)
            })
        }
        "waves" => {
            unused("rate", a.rate.is_some(), "waves")?;
            unused("file", a.file.is_some(), "waves")?;
            let step = a.step.filter(|s| *s > 0).ok_or_else(|| {
                InputError::field(
                    format!("{f}.step"),
                    "waves need a step above zero",
                    "add `step = <pods per wave>`",
                )
            })?;
            let every = a.every.ok_or_else(|| {
                InputError::field(
                    format!("{f}.every"),
                    "waves need `every`",
                    "add `every = <seconds between waves>`",
                )
            })?;
            let every = Time::from_secs_f64(check_secs(every, &format!("{f}.every"))?);
            Ok(Arrivals::Waves { step, every })
        }
        "trace" => {
            unused("rate", a.rate.is_some(), "trace")?;
            unused("step", a.step.is_some(), "trace")?;
            unused("every", a.every.is_some(), "trace")?;
            let file = a.file.filter(|s| !s.is_empty()).ok_or_else(|| {
                InputError::field(
                    format!("{f}.file"),
                    "a trace needs a file",
                    "add `file = \"trace.csv\"` (columns time,kind[,lifetime])",
                )
            })?;
            Ok(Arrivals::Trace { file })
        }
        other => Err(InputError::field(
            format!("{f}.process"),
            format!("unknown arrival process `{}`", crate::model::formula::shown(other)),
            "use at-once, rate, poisson, waves or trace",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Timed, InputError> {
        let raw: RawTimed = toml::from_str(text).map_err(|e| InputError::field("toml", e.to_string(), ""))?;
        validate(raw, &Catalog::bundled())
    }

    #[test]
    fn defaults_follow_model_section_9() {
        let t = parse("").unwrap();
        assert_eq!(t.karpenter.batch_idle, Time::secs(1));
        assert_eq!(t.karpenter.batch_max, Time::secs(10));
        assert_eq!(t.karpenter.launch, Delay::secs(90));
        assert_eq!(t.rc.trunk_delay, Delay::secs(5));
        assert_eq!(t.rc.branch_create, Delay::Fixed(Time(1_500_000)));
        assert_eq!((t.rc.branch_rate, t.rc.branch_burst), (12.0, 18));
        assert_eq!(t.rc.branch_cooldown, Delay::secs(60));
        assert_eq!(t.cni.warm_eni_target, 1);
        assert_eq!(t.cni.pool_interval, Time::secs(5));
        assert_eq!(t.cni.eni_attach, Delay::secs(4));
        assert_eq!(t.cni.ip_cooldown, Delay::secs(30));
        assert_eq!(t.cni.kubelet_retry, Delay::secs(10));
        assert!(!t.is_stochastic());
    }

    #[test]
    fn a_full_table() {
        let t = parse(
            r#"
            horizon = 3600
            arrivals = { process = "poisson", rate = 2.5 }
            lifetime = { dist = "exponential", mean = 300 }
            replace = true
            [karpenter]
            nodepool = [{ type = "m5.large", price = 0.096 }, { type = "m5.xlarge", price = 0.192 }]
            [resource_controller]
            trunk_delay = { dist = "uniform", min = 2, max = 10 }
            [cni]
            warm_ip_target = 5
            "#,
        )
        .unwrap();
        assert_eq!(t.arrivals, Arrivals::Poisson(2.5));
        assert_eq!(t.karpenter.nodepool.len(), 2);
        assert_eq!(t.cni.warm_ip_target, Some(5));
        assert!(t.is_stochastic());
    }

    /// A subnet is a count of usable addresses or a prefix, less the five
    /// addresses AWS keeps; unlimited unless set.
    #[test]
    fn subnet_sizes() {
        let t = parse("").unwrap();
        assert_eq!((t.subnet.node, t.subnet.eniconfig), (None, None));
        assert_eq!(t.subnet.attach_pause, Time::secs(120));
        let t = parse("[subnet]\nnode = \"/22\"\neniconfig = 300").unwrap();
        assert_eq!(t.subnet.node, Some(1019));
        assert_eq!(t.subnet.eniconfig, Some(300));
        assert_eq!(parse("[subnet]\nnode = \"/28\"").unwrap().subnet.node, Some(11));
        assert_eq!(smallest_prefix(1019), Some(22));
        assert_eq!(smallest_prefix(1020), Some(21));
        assert_eq!(smallest_prefix(11), Some(28));
        assert_eq!(smallest_prefix(70_000), None);
        // Retries double from 30 s up to 10 min.
        let s = &t.subnet;
        let mut b = Time::ZERO;
        let seq: Vec<u64> = (0..7)
            .map(|_| {
                b = s.next_backoff(b);
                b.0 / 1_000_000
            })
            .collect();
        assert_eq!(seq, [30, 60, 120, 240, 480, 600, 600]);
    }

    #[test]
    fn errors_name_the_field() {
        let cases = [
            ("arrivals = { process = \"bursty\" }", "timed.arrivals.process"),
            ("arrivals = { process = \"rate\" }", "timed.arrivals.rate"),
            (
                "arrivals = { process = \"rate\", rate = 1, step = 3 }",
                "timed.arrivals.step",
            ),
            ("arrivals = { process = \"waves\", step = 3 }", "timed.arrivals.every"),
            ("arrivals = { process = \"trace\" }", "timed.arrivals.file"),
            ("replace = true\nlifetime = 3", "timed.replace"),
            ("horizon = -1", "timed.horizon"),
            (
                "[karpenter]\nnodepool = [{ type = \"m5.larg\" }]",
                "timed.karpenter.nodepool[0].type",
            ),
            (
                "[karpenter]\nnodepool = [{ type = \"m5.large\", price = 1 }, { type = \"m5.xlarge\" }]",
                "timed.karpenter.nodepool",
            ),
            ("[karpenter]\nbatch_idle = 20", "timed.karpenter.batch_idle"),
            (
                "[resource_controller]\nbranch_burst = 0",
                "timed.resource_controller.branch_burst",
            ),
            (
                "[cni]\nip_cooldown = { dist = \"uniform\", min = 5, max = 1 }",
                "timed.cni.ip_cooldown.min",
            ),
            ("timeline = { interval = 0 }", "timed.timeline.interval"),
            ("[subnet]\nnode = \"/30\"", "timed.subnet.node"),
            ("[subnet]\nnode = 0", "timed.subnet.node"),
            ("[subnet]\neniconfig = \"22\"", "timed.subnet.eniconfig"),
            ("[subnet]\nretry = 0", "timed.subnet.retry"),
            ("[subnet]\nretry = 60\nretry_max = 30", "timed.subnet.retry_max"),
        ];
        for (text, field) in cases {
            let e = parse(text).unwrap_err();
            assert_eq!(e.field.as_deref(), Some(field), "{text}: {e}");
            assert!(!e.fix.is_empty());
        }
    }
}
