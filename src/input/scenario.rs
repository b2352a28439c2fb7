//! Scenario files: TOML as written ([`RawScenario`]), validated into a typed
//! [`Scenario`] before anything runs, then expanded into sweep cells.
//!
//! Every error names the file, the field and the fix.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::error::InputError;
use crate::input::bounds::{
    DEFAULT_SEED, DEFAULT_TRIALS, MAX_MAX_PODS, MAX_NODES, MAX_TIMELINE_ROWS, MAX_WORK, check_counts,
    check_system_pods, check_trials, check_work,
};
use crate::input::catalog::{Catalog, InstanceType};
use crate::input::expect::{Axes, Expect, RawExpect};
use crate::input::node_settings::{RawNodeSettings, Source};
use crate::input::requests::{RawRequest, RawSystemRequests, RawWorkloadRequests};
use crate::model::cell::Cell;
use crate::model::formula::Formula;
use crate::model::node::{
    NoRoom, NodeSettings, NodeSpec, Resources, SystemPods, allocatable, branch_capacity, eni_limited_pods, ip_capacity,
    ips_per_slot, pod_ip_enis, trunk_slot,
};
use crate::model::order::Order;
use crate::model::placement::Policy;
use crate::model::replay::{Cluster, Nodes};
use crate::model::requests::PodReq;
use crate::model::workload::{Counts, Kind, MAX_CLASSES, Mix, Workload};
use crate::timed::arrivals::Trace;
use crate::timed::cell::TimedCell;
use crate::timed::settings::Timed;
use crate::timed::sim::{NodeType, World};

/// A scenario file as written.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScenario {
    pub name: Option<String>,
    #[serde(default)]
    pub description: String,
    pub seed: Option<u64>,
    pub trials: Option<u32>,
    pub instance_types: Option<Vec<String>>,
    pub formulas: Option<Vec<String>>,
    pub orders: Option<Vec<String>>,
    pub policy: Option<String>,
    pub policies: Option<Vec<String>>,
    pub sgp: Option<bool>,
    pub prefix_delegation: Option<bool>,
    /// `AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG=true`: pod IPs from ENIConfig ENIs only.
    pub custom_networking: Option<bool>,
    /// The VPC CNI's version (`"1.19.0"`); the current CNI if absent.
    pub cni_version: Option<String>,
    /// `"ipv4"` (the default); `"ipv6"` is refused.
    pub ip_family: Option<String>,
    /// `"linux"` (the default); `"windows"` is refused.
    pub os: Option<String>,
    /// The kubelet's `podsPerCore`.
    pub pods_per_core: Option<u32>,
    #[serde(default)]
    pub system_pods: RawSystemPods,
    pub workload: Option<RawWorkload>,
    #[serde(default)]
    pub nodes: RawNodes,
    #[serde(default)]
    pub expect: Vec<RawExpect>,
    /// `[timed]`: run the timed engine (MODEL.md §9) instead of the static replay.
    pub timed: Option<crate::input::timed::RawTimed>,
}

/// `[system_pods]`: host and IP system pods, with per-type overrides.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSystemPods {
    #[serde(default = "default_system_host")]
    pub host: u32,
    #[serde(default)]
    pub ip: u32,
    /// `"m5.large" = { host = 2 }`: overrides for some types.
    #[serde(default)]
    pub by_type: BTreeMap<String, RawSystemOverride>,
    /// `[system_pods.requests]`: CPU and memory of one host and one IP system pod.
    pub requests: Option<RawSystemRequests>,
}

fn default_system_host() -> u32 {
    2
}

impl Default for RawSystemPods {
    fn default() -> Self {
        RawSystemPods {
            host: default_system_host(),
            ip: 0,
            by_type: BTreeMap::new(),
            requests: None,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSystemOverride {
    pub host: Option<u32>,
    pub ip: Option<u32>,
}

/// `[workload]`: counts, or `fill = "seed"`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawWorkload {
    pub fill: Option<String>,
    /// With `fill`: how many nodes' worth (default: the fixed node count, else 1).
    pub nodes: Option<u32>,
    pub sg_pods: Option<u32>,
    pub ip_pods: Option<u32>,
    pub host_pods: Option<u32>,
    /// `[workload.requests]`: CPU and memory of one pod per kind.
    pub requests: Option<RawWorkloadRequests>,
    /// `[[workload.groups]]`: pods of one kind with their own requests,
    /// instead of the counts.
    pub groups: Option<Vec<RawGroup>>,
}

/// One `[[workload.groups]]` entry: `pods` pods of one `kind`, each
/// requesting `requests` (the kind's `[workload.requests]` table if absent).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawGroup {
    pub name: Option<String>,
    pub kind: String,
    pub pods: u32,
    pub requests: Option<RawRequest>,
}

/// `[nodes]`: a fixed count, or autoscaling.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawNodes {
    pub count: Option<u32>,
    #[serde(default)]
    pub autoscale: bool,
    pub initial: Option<u32>,
    pub max: Option<u32>,
}

/// A validated scenario: the only form the sweep accepts.
#[derive(Debug, Clone)]
pub struct Scenario {
    pub name: String,
    pub description: String,
    pub seed: u64,
    /// Trials per random cell (deterministic orders run once).
    pub trials: u32,
    pub types: Vec<InstanceType>,
    pub formulas: Vec<Formula>,
    pub orders: Vec<Order>,
    pub policies: Vec<Policy>,
    pub settings: NodeSettings,
    pub system: SystemPods,
    pub system_by_type: BTreeMap<String, SystemPods>,
    /// CPU and memory requests of system and workload pods, the latter per
    /// pod class ([`Resources::NONE`] when none is given); each node adds
    /// its own allocatable ([`Scenario::node_spec`]).
    pub requests: Resources,
    pub workload: Workload,
    /// `[[workload.groups]]`: each group's name, kind and class (its own
    /// with [`Workload::Groups`]; its kind's where the groups are the kinds'
    /// counts); empty without groups. A trace's `group` column names them.
    pub groups: Vec<(String, Kind, u8)>,
    pub nodes: Nodes,
    pub expects: Vec<Expect>,
    /// The validated `[timed]` table, if any.
    pub timed: Option<crate::timed::settings::Timed>,
    /// The most work [`Scenario::cells`] accepts ([`MAX_WORK`] unless raised).
    pub max_work: u64,
}

fn non_empty<T>(v: Vec<T>, field: &str, fix: &str) -> Result<Vec<T>, InputError> {
    if v.is_empty() {
        Err(InputError::field(field, "the list is empty", fix))
    } else {
        Ok(v)
    }
}

impl Scenario {
    /// Reads and validates a scenario file.
    pub fn load(path: &Path, catalog: &Catalog) -> Result<Scenario, InputError> {
        let shown = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|e| InputError::io(&shown, "read the scenario", &e))?;
        let text = crate::input::utf8(&bytes, &shown)?;
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        Scenario::from_toml(text, &stem, catalog).map_err(|e| e.in_file(shown))
    }

    /// Parses and validates scenario TOML; `stem` names it when `name` is absent.
    pub fn from_toml(text: &str, stem: &str, catalog: &Catalog) -> Result<Scenario, InputError> {
        let raw: RawScenario = toml::from_str(text).map_err(|e| toml_error(text, &e))?;
        Scenario::validate(raw, stem, catalog)
    }

    /// Turns the file's form into the typed form, checking every field.
    pub fn validate(raw: RawScenario, stem: &str, catalog: &Catalog) -> Result<Scenario, InputError> {
        let name = raw.name.unwrap_or_else(|| stem.to_string());
        if name.is_empty() || name.contains(['/', '\\']) || name.starts_with('.') || name.len() > 200 {
            return Err(InputError::field(
                "name",
                format!(
                    "`{}` cannot name a results directory",
                    crate::model::formula::shown(&name)
                ),
                "use letters, digits, `-` and `_`, at most 200 of them",
            ));
        }
        let trials = raw.trials.unwrap_or(DEFAULT_TRIALS);
        check_trials(trials, "trials")?;

        let type_patterns = raw.instance_types.ok_or_else(|| {
            InputError::field(
                "instance_types",
                "no instance types are named",
                "add e.g. `instance_types = [\"m5.large\", \"c6i.*\"]`",
            )
        })?;
        let type_patterns = non_empty(type_patterns, "instance_types", "name at least one type or glob")?;
        let types: Vec<InstanceType> = catalog
            .select(&type_patterns, "instance_types")?
            .into_iter()
            .cloned()
            .collect();

        let settings = crate::input::node_settings::validate(
            &RawNodeSettings {
                sgp: raw.sgp,
                prefix_delegation: raw.prefix_delegation,
                custom_networking: raw.custom_networking,
                cni_version: raw.cni_version.clone(),
                ip_family: raw.ip_family.clone(),
                os: raw.os.clone(),
                pods_per_core: raw.pods_per_core,
            },
            Source::Scenario,
        )?;

        let formulas = match raw.formulas {
            None => Formula::builtins_for(&settings),
            Some(list) => non_empty(list, "formulas", "name at least one formula, e.g. `[\"aws-default\"]`")?
                .iter()
                .enumerate()
                .map(|(i, f)| Formula::parse(f).map_err(|e| InputError::from(e).under(&format!("formulas[{i}]"))))
                .collect::<Result<_, _>>()?,
        };
        let formulas = dedup(formulas);

        let orders = match raw.orders {
            None => Order::ALL.to_vec(),
            Some(list) => non_empty(
                list,
                "orders",
                "name at least one of sg-first, ip-first, random, interleaved",
            )?
            .iter()
            .map(|o| {
                short_word(o, "orders", "sg-first, ip-first, random, interleaved")?;
                o.parse::<Order>().map_err(|e| InputError::from(e).at("orders"))
            })
            .collect::<Result<Vec<_>, _>>()?,
        };
        let orders = dedup(orders);

        let policies = match (raw.policy, raw.policies) {
            (Some(_), Some(_)) => {
                return Err(InputError::field(
                    "policy",
                    "both `policy` and `policies` are given",
                    "keep one: `policy = \"most-allocated\"` or `policies = [...]`",
                ));
            }
            (Some(p), None) => {
                short_word(&p, "policy", POLICIES)?;
                vec![p.parse::<Policy>().map_err(InputError::from)?]
            }
            (None, Some(list)) => non_empty(list, "policies", "name at least one policy")?
                .iter()
                .map(|p| {
                    short_word(p, "policies", POLICIES)?;
                    p.parse::<Policy>().map_err(|e| InputError::from(e).at("policies"))
                })
                .collect::<Result<Vec<_>, _>>()?,
            (None, None) => vec![Policy::MostAllocated],
        };
        let policies = dedup(policies);

        let system = SystemPods {
            host: raw.system_pods.host,
            ip: raw.system_pods.ip,
        };
        check_system_pods(system.host, "system_pods.host")?;
        check_system_pods(system.ip, "system_pods.ip")?;
        let mut system_by_type = BTreeMap::new();
        for (ty, o) in &raw.system_pods.by_type {
            if catalog.get(ty).is_none() {
                return Err(catalog.unknown(
                    ty,
                    &format!("system_pods.by_type.\"{}\"", crate::model::formula::shown(ty)),
                ));
            }
            let field = format!("system_pods.by_type.\"{ty}\"");
            check_system_pods(o.host.unwrap_or(0), &format!("{field}.host"))?;
            check_system_pods(o.ip.unwrap_or(0), &format!("{field}.ip"))?;
            system_by_type.insert(
                ty.clone(),
                SystemPods {
                    host: o.host.unwrap_or(system.host),
                    ip: o.ip.unwrap_or(system.ip),
                },
            );
        }

        let (system_host, system_ip) = match &raw.system_pods.requests {
            Some(r) => crate::input::requests::system(r)?,
            None => {
                let none = PodReq::single(None, None);
                (none, none)
            }
        };

        let timed = raw
            .timed
            .map(|t| crate::input::timed::validate(t, catalog))
            .transpose()?;
        let nodes = validate_nodes(&raw.nodes)?;
        let (workload, pods, groups) = validate_workload(raw.workload, nodes, system_host, system_ip)?;
        let requests = Resources::new(crate::model::node::Res::ZERO, system_host, system_ip, &pods);

        let mut scenario = Scenario {
            name,
            description: raw.description,
            seed: raw.seed.unwrap_or(DEFAULT_SEED),
            trials,
            types,
            formulas,
            orders,
            policies,
            settings,
            system,
            system_by_type,
            requests,
            workload,
            groups,
            nodes,
            expects: Vec::new(),
            timed,
            max_work: MAX_WORK,
        };
        let axes = Axes {
            types: &scenario.types,
            formulas: &scenario.formulas,
            orders: &scenario.orders,
            policies: &scenario.policies,
        };
        let expects = raw
            .expect
            .into_iter()
            .enumerate()
            .map(|(i, e)| Expect::validate(e, &axes).map_err(|err| err.under(&format!("expect[{i}]"))))
            .collect::<Result<Vec<_>, _>>()?;
        scenario.expects = expects;
        // Every cell must be valid (formula defined, room for the workload).
        // The work is checked by `cells()`, once the flags that may raise
        // the limit (or the trials) are applied, before anything runs.
        scenario.all_cells()?;
        Ok(scenario)
    }

    /// System pods on a node of this type.
    pub fn system_for(&self, t: &InstanceType) -> SystemPods {
        self.system_by_type.get(&t.name).copied().unwrap_or(self.system)
    }

    /// The node of one type under one formula, checked for room.
    pub fn node_spec(&self, t: &InstanceType, f: &Formula) -> Result<(NodeSpec, Option<String>), InputError> {
        let system = self.system_for(t);
        let m = f.max_pods(t, &self.settings, system).map_err(|u| {
            if self.settings.pods_per_core.is_some() && t.vcpus.is_none() {
                return InputError::field(
                    "pods_per_core",
                    u.reason,
                    format!(
                        "drop {}, leave pods_per_core out, or add its vCPUs with --catalog FILE",
                        t.name
                    ),
                );
            }
            InputError::field(
                "formulas",
                u.reason,
                format!("drop {} or the formula, or add the figure with --catalog FILE", t.name),
            )
        })?;
        let spec = NodeSpec {
            max_pods: m.value,
            ip_capacity: ip_capacity(t, &self.settings),
            branch_capacity: branch_capacity(t, &self.settings),
            system,
            res: self.resources(t, f)?,
        };
        check_room(t, f, &spec)?;
        Ok((spec, m.note))
    }

    /// CPU and memory on a node of this type under this formula: the
    /// scenario's requests and Karpenter's allocatable
    /// ([`crate::model::node::allocatable`]); [`Resources::NONE`] when no
    /// pod requests either. Its kube-reserved memory counts Karpenter's
    /// ENI-limited pods, less `RESERVED_ENIS` under the
    /// `karpenter-reserved-enis:N` formula.
    pub fn resources(&self, t: &InstanceType, f: &Formula) -> Result<Resources, InputError> {
        if !self.requests.counted() {
            return Ok(Resources::NONE);
        }
        let (Some(vcpus), Some(memory_mib)) = (t.vcpus, t.memory_mib) else {
            return Err(InputError::field(
                "workload.requests",
                format!(
                    "pods request CPU or memory, but the catalog has no vCPUs or memory for {}",
                    t.name
                ),
                format!("drop {}, or add its vcpus and memory_mib with --catalog FILE", t.name),
            ));
        };
        let arm64 = crate::input::facts::Facts::bundled()
            .get(&t.name)
            .and_then(|x| x.arch.as_deref())
            == Some("arm64");
        let reserved = f.reserved_enis();
        Ok(self
            .requests
            .on(allocatable(vcpus, memory_mib, arm64, eni_limited_pods(t, reserved))))
    }

    /// Every (type, formula, order, policy) cell, in that nesting order;
    /// refused when their work is above [`Scenario::max_work`].
    pub fn cells(&self) -> Result<Vec<Cell>, InputError> {
        let cells = self.all_cells()?;
        self.check_work(&cells, self.timed.as_ref())?;
        Ok(cells)
    }

    /// The run's work, estimated: pod placements for the static replay; for
    /// a timed run, pod starts (replacements included) and timeline samples.
    pub fn check_work(&self, cells: &[Cell], timed: Option<&Timed>) -> Result<(), InputError> {
        let placements: u64 = cells
            .iter()
            .map(|c| u64::from(c.trials).saturating_mul(c.counts.total_wide()))
            .fold(0, u64::saturating_add);
        let Some(t) = timed else {
            return check_work(placements, self.max_work, "pod placements");
        };
        let trials = u64::from(t.trials.unwrap_or(self.trials));
        let horizon = t.horizon.map(|h| h.as_secs_f64());
        let mut starts = 0u64;
        let mut samples = 0u64;
        for c in cells {
            let pods = c.counts.total_wide();
            // A replaced pod starts again once per lifetime until the horizon.
            let lives = match (t.replace, t.lifetime, horizon) {
                (true, Some(l), Some(h)) => {
                    let mean = crate::input::delay::mean_secs(&l).max(1e-6);
                    (h / mean).min(1e15) as u64 + 1
                }
                _ => 1,
            };
            let per_trial = pods.saturating_mul(lives);
            let trials = if c.order.is_random() || t.is_stochastic() {
                trials
            } else {
                1
            };
            starts = starts.saturating_add(per_trial.saturating_mul(trials));
            // One timeline per cell, sampled until the horizon (or, without
            // one, an hour past the last arrival, as an estimate).
            let span = horizon.unwrap_or_else(|| arrival_span(&t.arrivals, pods) + 3600.0);
            let interval = t.timeline_interval.as_secs_f64().max(1e-6);
            samples = samples.saturating_add((span / interval).min(1e15) as u64 + 1);
        }
        if samples > MAX_TIMELINE_ROWS {
            return Err(InputError::field(
                "timed.timeline.interval",
                format!(
                    "the timeline would hold about {samples} rows ({} cells), more than {MAX_TIMELINE_ROWS}",
                    cells.len()
                ),
                "give a longer interval, e.g. `timeline = { interval = 10 }`, or fewer cells",
            ));
        }
        check_work(starts.saturating_add(samples), self.max_work, "pod starts and samples")
    }

    fn all_cells(&self) -> Result<Vec<Cell>, InputError> {
        let mut cells = Vec::new();
        for t in &self.types {
            for f in &self.formulas {
                let (spec, note) = self.node_spec(t, f)?;
                let counts = self.workload.counts(t.branch_enis, &spec);
                let mix = self.workload.mix(t.branch_enis, &spec);
                check_counts(counts, &t.name, &f.name())?;
                for &order in &self.orders {
                    for &policy in &self.policies {
                        cells.push(Cell {
                            instance_type: t.name.clone(),
                            formula: f.name(),
                            order,
                            policy,
                            settings: self.settings,
                            counts,
                            mix,
                            cluster: Cluster {
                                node: spec,
                                nodes: self.nodes,
                                policy,
                            },
                            trials: if order.is_random() { self.trials } else { 1 },
                            note: note.clone(),
                        });
                    }
                }
            }
        }
        Ok(cells)
    }
}

/// Expands a timed scenario into cells: the static cells, each with its node
/// types under the cell's formula (the cell's type first, then the NodePool's).
pub fn timed_cells(sc: &Scenario, timed: &Timed, trace: Option<&Trace>) -> Result<Vec<TimedCell>, InputError> {
    if trace.is_some() && sc.orders.len() > 1 {
        return Err(InputError::field(
            "orders",
            "a trace fixes the order of the pods, so several orders would repeat the same runs",
            "keep one order, e.g. `orders = [\"sg-first\"]`",
        ));
    }
    let mut out = Vec::new();
    for mut cell in sc.all_cells()? {
        let t = sc
            .types
            .iter()
            .find(|t| t.name == cell.instance_type)
            .expect("cells come from the scenario's types");
        let f = sc
            .formulas
            .iter()
            .find(|f| f.name() == cell.formula)
            .expect("cells come from the scenario's formulas");
        let make = |it: &InstanceType, price: Option<f64>| -> Result<NodeType, InputError> {
            let (spec, _) = sc.node_spec(it, f)?;
            let karpenter = match &timed.karpenter.max_pods {
                None => spec,
                Some(kf) => {
                    sc.node_spec(it, kf)
                        .map_err(|e| {
                            InputError::field(
                                "timed.karpenter.max_pods",
                                format!("Karpenter's view of {}: {}", it.name, e.problem),
                                "give a formula that leaves room on every type, e.g. \"aws-default\"",
                            )
                        })?
                        .0
                }
            };
            Ok(NodeType {
                name: it.name.clone(),
                spec,
                karpenter,
                enis: pod_ip_enis(it, &sc.settings),
                ips_per_eni: it.ipv4_per_eni.saturating_sub(1) * ips_per_slot(&sc.settings),
                // The trunk ENI's own address, unless it is one of the pod-IP
                // ENIs (its IPs went to pods before CNI v1.16.4).
                trunk_addresses: u64::from(branch_capacity(it, &sc.settings) > 0 && trunk_slot(it, &sc.settings) == 1),
                price,
            })
        };
        let pool_price = |name: &str| {
            timed
                .karpenter
                .nodepool
                .iter()
                .find(|e| e.instance_type.name == name)
                .and_then(|e| e.price)
        };
        let mut types = vec![make(t, pool_price(&t.name))?];
        let mut pool = Vec::new();
        if timed.karpenter.nodepool.is_empty() {
            pool.push(0);
        }
        for (i, e) in timed.karpenter.nodepool.iter().enumerate() {
            if e.instance_type.name == t.name {
                pool.push(0);
            } else {
                types.push(
                    make(&e.instance_type, e.price)
                        .map_err(|err| err.under(&format!("timed.karpenter.nodepool[{i}]")))?,
                );
                pool.push((types.len() - 1) as u16);
            }
        }
        check_subnets(
            &types[0],
            cell.cluster.nodes.initial(),
            sc.settings.custom_networking,
            timed,
        )?;
        if let Some(tr) = trace {
            cell.counts = tr.counts();
            cell.mix = tr.mix(&class_kinds(sc));
        }
        let random = cell.order.is_random() && trace.is_none();
        let trials = if random || timed.is_stochastic() {
            timed.trials.unwrap_or(sc.trials)
        } else {
            1
        };
        cell.trials = trials;
        out.push(TimedCell {
            world: World {
                types,
                initial_type: 0,
                pool,
                nodes: cell.cluster.nodes,
                policy: cell.policy,
                custom_networking: sc.settings.custom_networking,
                kinds: cell.mix.kinds().to_vec(),
            },
            cell,
            trials,
        });
    }
    let cells: Vec<Cell> = out.iter().map(|c| c.cell.clone()).collect();
    sc.check_work(&cells, Some(timed))?;
    Ok(out)
}

/// `[timed.subnet]` against the cluster: the ENIConfig's subnet exists only
/// with custom networking, and the nodes present at the start fit their
/// subnets (their primary and start ENIs, and their trunk).
fn check_subnets(ty: &NodeType, initial: u32, custom_networking: bool, timed: &Timed) -> Result<(), InputError> {
    let sub = &timed.subnet;
    if sub.eniconfig.is_some() && !custom_networking {
        return Err(InputError::field(
            "timed.subnet.eniconfig",
            "without custom networking every address comes from the node subnet",
            "add `custom_networking = true` to the node settings, or give the size as `node`",
        ));
    }
    let a = ty.launch_addresses(custom_networking);
    let pods = usize::from(custom_networking);
    let mut need = [a[0], a[1]];
    need[pods] += ty.trunk_addresses;
    for (i, (limit, field)) in [(sub.node, "node"), (sub.eniconfig, "eniconfig")]
        .into_iter()
        .enumerate()
    {
        let total = need[i] * u64::from(initial);
        if let Some(l) = limit.filter(|&l| total > l) {
            return Err(InputError::field(
                format!("timed.subnet.{field}"),
                format!(
                    "the {initial} {} nodes present at the start take {total} addresses, more than the subnet's {l}",
                    ty.name
                ),
                format!("give at least {total} usable addresses, or fewer nodes at the start"),
            ));
        }
    }
    Ok(())
}

/// A TOML error as line, column and the parser's message, quoting at most a
/// short excerpt of the line (the parser's own text repeats the whole line).
pub fn toml_error(text: &str, e: &toml::de::Error) -> InputError {
    let at = e.span().map_or(0, |s| s.start.min(text.len()));
    let before = text.get(..at).unwrap_or("");
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    let first = e.message().lines().next().unwrap_or("");
    let message: String = if first.contains("recursion limit") {
        "the keys or values nest too deeply (a dotted key or nested tables and arrays of dozens of levels)".into()
    } else {
        first.chars().take(300).map(crate::model::cel::printable).collect()
    };
    let near = crate::model::cel::excerpt(text, at);
    InputError {
        file: None,
        field: None,
        problem: format!("not a valid scenario: line {line}, column {column}: {message} (near `{near}`)"),
        fix: "see scenarios/default.toml for every field, and README.md for their meaning".into(),
    }
}

/// How long the arrivals of `pods` pods last, in seconds (0 for a trace: its
/// rows are checked on their own).
fn arrival_span(a: &crate::timed::settings::Arrivals, pods: u64) -> f64 {
    use crate::timed::settings::Arrivals;
    match *a {
        Arrivals::AtOnce | Arrivals::Trace { .. } => 0.0,
        Arrivals::Rate(r) | Arrivals::Poisson(r) => pods as f64 / r,
        Arrivals::Waves { step, every } => (pods / u64::from(step.max(1))) as f64 * every.as_secs_f64(),
    }
}

/// A formula that leaves no slot for the workload is an error (MODEL.md §4),
/// as are system pods that do not fit a node.
pub fn check_room(t: &InstanceType, f: &Formula, spec: &NodeSpec) -> Result<(), InputError> {
    let s = spec.system;
    if spec.max_pods > MAX_MAX_PODS {
        return Err(InputError::field(
            "formulas",
            format!(
                "{} gives maxPods {} on {}, more than {MAX_MAX_PODS}: no kubelet runs that many pods",
                f.name(),
                spec.max_pods,
                t.name
            ),
            "check the formula for a typo",
        ));
    }
    match spec.room() {
        Ok(()) => Ok(()),
        Err(NoRoom::HostPodsFill) => Err(InputError::field(
            "formulas",
            format!(
                "{} gives maxPods {} on {}, not above its {} host system pods: no room for the workload",
                f.name(),
                spec.max_pods,
                t.name,
                s.host
            ),
            "choose another formula for this type, or fewer system pods",
        )),
        Err(NoRoom::SystemPodsFill) => Err(InputError::field(
            "system_pods",
            format!(
                "{} gives maxPods {} on {}, which its {} system pods ({} host + {} IP) fill: no room for the workload",
                f.name(),
                spec.max_pods,
                t.name,
                s.total(),
                s.host,
                s.ip
            ),
            "choose another formula for this type, or fewer system pods",
        )),
        Err(NoRoom::SystemRequestsExceedAllocatable) => {
            let r = spec.res;
            let used = r.system(&s);
            Err(InputError::field(
                "system_pods.requests",
                format!(
                    "the system pods ({} host + {} IP) request {}m CPU and {} MiB memory, more than the {}m and {} MiB allocatable on {}",
                    s.host,
                    s.ip,
                    used.cpu,
                    used.memory / crate::model::node::MIB,
                    r.allocatable.cpu,
                    r.allocatable.memory / crate::model::node::MIB,
                    t.name
                ),
                "lower system_pods.requests or the system pods, or drop the type",
            ))
        }
        Err(NoRoom::SystemIpsExceedCapacity) => Err(InputError::field(
            "system_pods.ip",
            format!(
                "{} IP system pods exceed the {} pod IPs of {}",
                s.ip, spec.ip_capacity, t.name
            ),
            "lower system_pods.ip, or drop the type",
        )),
    }
}

fn validate_nodes(raw: &RawNodes) -> Result<Nodes, InputError> {
    let bound = |n: u32, field: &str, min: u32| -> Result<u32, InputError> {
        if n < min || n > MAX_NODES {
            Err(InputError::field(
                format!("nodes.{field}"),
                format!("{n} is outside {min}..={MAX_NODES}"),
                "give a node count such as 1 or 100",
            ))
        } else {
            Ok(n)
        }
    };
    if raw.autoscale {
        if raw.count.is_some() {
            return Err(InputError::field(
                "nodes.count",
                "`count` fixes the cluster, but `autoscale = true`",
                "use `initial` and `max` with autoscale, or drop `autoscale`",
            ));
        }
        let initial = bound(raw.initial.unwrap_or(0), "initial", 0)?;
        let max = bound(raw.max.unwrap_or(1000), "max", 1)?;
        if initial > max {
            return Err(InputError::field(
                "nodes.initial",
                format!("initial {initial} is above max {max}"),
                "make `initial` at most `max`",
            ));
        }
        Ok(Nodes::Autoscale { initial, max })
    } else {
        if raw.initial.is_some() || raw.max.is_some() {
            return Err(InputError::field(
                "nodes",
                "`initial` and `max` need `autoscale = true`",
                "add `autoscale = true`, or use `count` for a fixed cluster",
            ));
        }
        Ok(Nodes::Fixed(bound(raw.count.unwrap_or(1), "count", 1)?))
    }
}

/// The kinds of the scenario's pod classes: its groups', or sg, ip, host.
fn class_kinds(sc: &Scenario) -> Vec<Kind> {
    match sc.workload {
        Workload::Groups(m) => m.kinds().to_vec(),
        _ => Kind::ALL.to_vec(),
    }
}

/// A validated workload: the workload, its pods' requests per class, and
/// the groups' names, kinds and classes (empty without groups).
type ValidWorkload = (Workload, Vec<PodReq>, Vec<(String, Kind, u8)>);

/// The workload, its pods' requests per class, and the groups' names and
/// kinds. The system pods' requests decide whether any CPU or memory is
/// counted: where none is, or where each kind has at most one group, the
/// groups are the kinds' counts (one class per kind), so that the same
/// pods give the same figures and the same random orders however written.
fn validate_workload(
    raw: Option<RawWorkload>,
    nodes: Nodes,
    system_host: PodReq,
    system_ip: PodReq,
) -> Result<ValidWorkload, InputError> {
    let raw = raw.ok_or_else(|| {
        InputError::field(
            "workload",
            "no workload is given",
            "add `[workload]` with sg_pods/ip_pods/host_pods, `[[workload.groups]]`, or `fill = \"seed\"`",
        )
    })?;
    let per_kind = match &raw.requests {
        Some(r) => crate::input::requests::workload(r)?,
        None => [PodReq::single(None, None); 3],
    };
    let has_counts = raw.sg_pods.is_some() || raw.ip_pods.is_some() || raw.host_pods.is_some();
    if let Some(groups) = &raw.groups {
        if has_counts || raw.fill.is_some() || raw.nodes.is_some() {
            return Err(InputError::field(
                "workload.groups",
                "groups and counts (or `fill`) are both given",
                "give the workload as `[[workload.groups]]` or as sg_pods/ip_pods/host_pods, not both",
            ));
        }
        return validate_groups(groups, per_kind, system_host, system_ip);
    }
    let workload = match raw.fill.as_deref() {
        Some("seed") => {
            if has_counts {
                return Err(InputError::field(
                    "workload.fill",
                    "`fill` and pod counts are both given",
                    "keep `fill = \"seed\"` or the counts, not both",
                ));
            }
            let n = raw.nodes.unwrap_or(match nodes {
                Nodes::Fixed(n) => n,
                Nodes::Autoscale { .. } => 1,
            });
            if n == 0 || n > MAX_NODES {
                return Err(InputError::field(
                    "workload.nodes",
                    format!("{n} nodes' worth is outside 1..={MAX_NODES}"),
                    "give how many nodes the seed's fill should fill",
                ));
            }
            Workload::SeedFill { nodes: n }
        }
        Some(other) => {
            return Err(InputError::field(
                "workload.fill",
                format!("unknown fill `{}`", crate::model::formula::shown(other)),
                "use `fill = \"seed\"` (B SG pods and M - S IP pods per node, S the hostNetwork system pods), or give counts",
            ));
        }
        None => {
            if raw.nodes.is_some() {
                return Err(InputError::field(
                    "workload.nodes",
                    "`nodes` applies to `fill` only",
                    "drop it, or add `fill = \"seed\"`",
                ));
            }
            if !has_counts {
                return Err(InputError::field(
                    "workload",
                    "neither counts, groups nor a fill are given",
                    "add sg_pods, ip_pods, host_pods, `[[workload.groups]]`, or `fill = \"seed\"`",
                ));
            }
            Workload::Counts(Counts {
                sg: raw.sg_pods.unwrap_or(0),
                ip: raw.ip_pods.unwrap_or(0),
                host: raw.host_pods.unwrap_or(0),
            })
        }
    };
    Ok((workload, per_kind.to_vec(), Vec::new()))
}

/// `[[workload.groups]]` (see [`validate_workload`]).
fn validate_groups(
    raw: &[RawGroup],
    per_kind: [PodReq; 3],
    system_host: PodReq,
    system_ip: PodReq,
) -> Result<ValidWorkload, InputError> {
    if raw.is_empty() || raw.len() > MAX_CLASSES {
        return Err(InputError::field(
            "workload.groups",
            format!("{} groups; a workload has 1 to {MAX_CLASSES}", raw.len()),
            "merge groups that request the same, or give the counts per kind",
        ));
    }
    let mut groups: Vec<(String, Kind, u32, PodReq)> = Vec::with_capacity(raw.len());
    for (i, g) in raw.iter().enumerate() {
        let field = format!("workload.groups[{i}]");
        short_word(&g.kind, &format!("{field}.kind"), "sg, ip, host")?;
        let kind = match g.kind.as_str() {
            "sg" => Kind::Sg,
            "ip" => Kind::Ip,
            "host" => Kind::Host,
            other => {
                return Err(InputError::field(
                    format!("{field}.kind"),
                    format!("unknown kind `{}`", crate::model::formula::shown(other)),
                    "use sg (a SecurityGroupPolicy matches it), ip or host (hostNetwork)",
                ));
            }
        };
        let name = g.name.clone().unwrap_or_else(|| format!("{kind}-{}", i + 1));
        if name.is_empty() || name.chars().count() > 64 || name.contains(['\n', '\r', ',', '"']) {
            return Err(InputError::field(
                format!("{field}.name"),
                format!("`{}` cannot name a group", crate::model::formula::shown(&name)),
                "use up to 64 letters, digits, `-`, `_` or `.`",
            ));
        }
        if groups.iter().any(|x| x.0 == name) {
            return Err(InputError::field(
                format!("{field}.name"),
                format!("two groups are named `{name}`"),
                "give each group its own name",
            ));
        }
        let req = match &g.requests {
            Some(r) => crate::input::requests::pod(Some(r), &format!("{field}.requests"))?,
            None => per_kind[kind.index()],
        };
        groups.push((name, kind, g.pods, req));
    }
    let total: u64 = groups.iter().map(|g| u64::from(g.2)).sum();
    if total > u64::from(crate::input::bounds::MAX_PODS_PER_CELL) {
        return Err(InputError::field(
            "workload.groups",
            format!(
                "{total} pods in all, more than {}",
                crate::input::bounds::MAX_PODS_PER_CELL
            ),
            "give fewer pods; a cluster's rollout is far smaller",
        ));
    }
    // Classes in kind order, each kind's groups in the file's order.
    groups.sort_by_key(|g| g.1);
    let counted = !(system_host.requested.is_zero()
        && system_ip.requested.is_zero()
        && groups.iter().all(|g| g.3.requested.is_zero()));
    let one_per_kind = Kind::ALL
        .iter()
        .all(|&k| groups.iter().filter(|g| g.1 == k).count() <= 1);
    if !counted || one_per_kind {
        let mut counts = Counts::default();
        let mut pods = per_kind;
        for (_, k, n, req) in &groups {
            match k {
                Kind::Sg => counts.sg += n,
                Kind::Ip => counts.ip += n,
                Kind::Host => counts.host += n,
            }
            pods[k.index()] = *req;
        }
        // Each group's pods are its kind's class.
        let names = groups.into_iter().map(|g| (g.0, g.1, g.1 as u8)).collect();
        return Ok((Workload::Counts(counts), pods.to_vec(), names));
    }
    let classes: Vec<(Kind, u32)> = groups.iter().map(|g| (g.1, g.2)).collect();
    Ok((
        Workload::Groups(Mix::of_classes(&classes)),
        groups.iter().map(|g| g.3).collect(),
        groups
            .into_iter()
            .enumerate()
            .map(|(i, g)| (g.0, g.1, i as u8))
            .collect(),
    ))
}

const POLICIES: &str = "most-allocated, least-allocated, first-fit";

/// A name far longer than any the field takes is refused before parsing,
/// so that no message echoes it whole.
fn short_word(text: &str, field: &str, names: &str) -> Result<(), InputError> {
    if text.chars().count() > 64 {
        return Err(InputError::field(
            field,
            format!("`{}` is not one of {names}", crate::model::formula::shown(text)),
            format!("use one of {names}"),
        ));
    }
    Ok(())
}

fn dedup<T: PartialEq>(v: Vec<T>) -> Vec<T> {
    let mut out: Vec<T> = Vec::with_capacity(v.len());
    for x in v {
        if !out.contains(&x) {
            out.push(x);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Result<Scenario, InputError> {
        Scenario::from_toml(text, "t", &Catalog::bundled())
    }

    const MIN: &str = "instance_types = [\"m5.large\"]\n[workload]\nfill = \"seed\"\n";

    #[test]
    fn defaults() {
        let s = load(MIN).unwrap();
        assert_eq!(s.name, "t");
        assert_eq!(s.formulas.len(), 6);
        assert_eq!(s.orders, Order::ALL.to_vec());
        assert_eq!(s.nodes, Nodes::Fixed(1));
        assert_eq!(s.cells().unwrap().len(), 6 * 4);
    }

    #[test]
    fn errors_name_the_field() {
        let cases = [
            (
                "instance_types = [\"m5.larg\"]\n[workload]\nfill=\"seed\"",
                "instance_types",
            ),
            (&format!("formulas = [\"nope-formula\"]\n{MIN}"), "formulas[0].formula"),
            (&format!("trials = 0\n{MIN}"), "trials"),
            ("instance_types = [\"m5.large\"]\n[workload]\nsg_pods = 0", "workload"),
            (&format!("{MIN}[nodes]\ncount = 0"), "nodes.count"),
            (&format!("formulas = [\"fixed:2\"]\n{MIN}"), "formulas"),
        ];
        for (text, field) in cases {
            let e = load(text).unwrap_err();
            assert_eq!(e.field.as_deref(), Some(field), "{text}: {e}");
        }
    }

    #[test]
    fn unknown_keys_and_bad_toml_are_reported_with_position() {
        let e = load(&format!("triels = 3\n{MIN}")).unwrap_err().to_string();
        assert!(e.contains("triels") && e.contains("line 1"), "{e}");
        let e = load("instance_types = [\"m5.large\"\n").unwrap_err().to_string();
        assert!(e.contains("line"), "{e}");
    }

    /// `[workload.requests]` and `[system_pods.requests]` reach every node
    /// with Karpenter's allocatable for its type; without them nothing is counted.
    #[test]
    fn requests_and_allocatable_per_type() {
        let text = "instance_types = [\"m5.large\", \"m6g.large\"]\nformulas = [\"aws-default\"]\n\
            [workload]\nip_pods = 10\n[workload.requests]\nip = { cpu = \"250m\", memory = \"512Mi\" }\n\
            [system_pods.requests]\nhost = { cpu = \"100m\" }\n";
        let s = load(text).unwrap();
        let mib = crate::model::node::MIB;
        for (t, memory) in [(&s.types[0], 6903), (&s.types[1], 6844)] {
            let (spec, _) = s.node_spec(t, &s.formulas[0]).unwrap();
            assert_eq!(spec.res.allocatable.cpu, 1930, "{}", t.name);
            assert_eq!(spec.res.allocatable.memory, memory * mib, "{}", t.name);
            assert_eq!(spec.res.pod[1].requested.cpu, 250);
            assert_eq!(spec.res.pod[1].requested.memory, 512 * mib);
            assert_eq!(spec.res.system(&spec.system).cpu, 200, "2 host system pods of 100m");
        }
        let plain = load(MIN).unwrap();
        let (spec, _) = plain.node_spec(&plain.types[0], &plain.formulas[0]).unwrap();
        assert_eq!(spec.res, Resources::NONE);
    }

    /// A CPU-bound workload: 500m IP pods on m5.large (1930m) fill a node at
    /// 3 pods, far below its 27 free slots and its 18 pod IPs (SGP on:
    /// 2 ENIs x 9), so autoscaling adds nodes on CPU and no pod is left without
    /// an IP; without requests the first node takes 27 pods by slots, of
    /// which 9 find no IP, and the other 3 go to a second node.
    #[test]
    fn cpu_fills_nodes_before_max_pods() {
        let base = "instance_types = [\"m5.large\"]\nformulas = [\"aws-default\"]\norders = [\"ip-first\"]\n\
            [nodes]\nautoscale = true\nmax = 100\n[workload]\nip_pods = 30\n";
        let run = |text: &str| {
            let s = load(text).unwrap();
            let c = &s.cells().unwrap()[0];
            crate::model::replay::Replayer::new().run(
                &c.cluster,
                c.counts,
                std::iter::repeat_n(crate::model::workload::Kind::Ip, 30),
            )
        };
        let cpu = run(&format!("{base}[workload.requests]\nip = {{ cpu = \"500m\" }}\n"));
        assert_eq!((cpu.nodes, cpu.ip_failed, cpu.running[1]), (10, 0, 30));
        let slots = run(base);
        assert_eq!((slots.nodes, slots.ip_failed, slots.running[1]), (2, 9, 21));
        // A pod larger than any node stays pending, and launches nothing.
        let big = run(&format!("{base}[workload.requests]\nip = {{ cpu = \"2\" }}\n"));
        assert_eq!((big.nodes, big.pending[1]), (0, 30));
    }

    /// Workload groups, by hand on one m5.large (1930m allocatable, two
    /// host system pods of 100m: 1730m left; fixed:20 leaves 18 slots):
    /// listed web first, six 250m pods (1500m) then two 1500m pods, of
    /// which neither fits: 6 running, 2 pending. Listed batch first, one
    /// 1500m pod fits, the second does not, and then no 250m pod fits
    /// (1750m > 1730m): 1 running, 7 pending. The fixed orders take a
    /// kind's groups in the order they are listed.
    #[test]
    fn groups_request_their_own_and_keep_their_order() {
        let scenario = |first: &str, second: &str| {
            format!(
                "instance_types = [\"m5.large\"]\nformulas = [\"fixed:20\"]\norders = [\"ip-first\", \"random\"]\ntrials = 50\n\
                 [system_pods]\nhost = 2\n[system_pods.requests]\nhost = {{ cpu = \"100m\" }}\n\
                 [[workload.groups]]\n{first}\n[[workload.groups]]\n{second}\n"
            )
        };
        let web = "name = \"web\"\nkind = \"ip\"\npods = 6\nrequests = { cpu = \"250m\" }";
        let batch = "name = \"batch\"\nkind = \"ip\"\npods = 2\nrequests = { cpu = \"1500m\" }";
        let first_trial = |text: &str| {
            let s = load(text).unwrap();
            let cells = s.cells().unwrap();
            let mut buf = Vec::new();
            let mut r = crate::model::replay::Replayer::new();
            let fixed = cells[0].run_trial(s.seed, 0, &mut r, &mut buf);
            let random: Vec<u32> = (0..50)
                .map(|k| cells[1].run_trial(s.seed, k, &mut r, &mut buf).running[1])
                .collect();
            (s, fixed, random)
        };
        let (s, o, random_web_first) = first_trial(&scenario(web, batch));
        assert_eq!(
            s.groups,
            [("web".to_string(), Kind::Ip, 0), ("batch".to_string(), Kind::Ip, 1)]
        );
        assert!(matches!(s.workload, Workload::Groups(_)));
        assert_eq!((o.running[1], o.pending[1], o.ip_failed), (6, 2, 0));
        let (_, o, random_batch_first) = first_trial(&scenario(batch, web));
        assert_eq!((o.running[1], o.pending[1]), (1, 7));
        // A random order draws a kind's groups uniformly, whatever their
        // listing: a batch pod comes first (then 1 runs) with probability
        // 2/8, else 6 run; 50 trials see both, about 12 the first.
        for random in [random_web_first, random_batch_first] {
            assert!(random.iter().all(|&n| n == 1 || n == 6), "{random:?}");
            let ones = random.iter().filter(|&&n| n == 1).count();
            assert!((3..=25).contains(&ones), "{ones} of 50 trials had a batch pod first");
        }
        // One group per kind, or no requests: the kinds' counts, the same
        // figures and orders as `[workload]` counts with `[workload.requests]`.
        let one = load(&scenario(web, "name = \"pay\"\nkind = \"sg\"\npods = 3")).unwrap();
        assert_eq!(
            one.groups,
            [("pay".to_string(), Kind::Sg, 0), ("web".to_string(), Kind::Ip, 1)]
        );
        assert_eq!(one.workload, Workload::Counts(Counts { sg: 3, ip: 6, host: 0 }));
        let plain = load(
            &scenario(
                "name = \"a\"\nkind = \"ip\"\npods = 6",
                "name = \"b\"\nkind = \"ip\"\npods = 2",
            )
            .replace("[system_pods.requests]\nhost = { cpu = \"100m\" }\n", ""),
        )
        .unwrap();
        assert_eq!(plain.workload, Workload::Counts(Counts { sg: 0, ip: 8, host: 0 }));
        assert!(!plain.requests.counted());
    }

    /// Groups are checked: a kind, a unique name, not beside counts.
    #[test]
    fn bad_groups_are_refused() {
        let base = "instance_types = [\"m5.large\"]\n";
        let cases = [
            (
                "[[workload.groups]]\nkind = \"pod\"\npods = 1",
                "workload.groups[0].kind",
                "unknown kind",
            ),
            (
                "[[workload.groups]]\nname = \"a\"\nkind = \"ip\"\npods = 1\n[[workload.groups]]\nname = \"a\"\nkind = \"sg\"\npods = 1",
                "workload.groups[1].name",
                "two groups",
            ),
            (
                "[workload]\nip_pods = 3\n[[workload.groups]]\nkind = \"ip\"\npods = 1",
                "workload.groups",
                "both given",
            ),
            (
                "[[workload.groups]]\nkind = \"ip\"\npods = 1\nrequests = { cpu = \"x\" }",
                "workload.groups[0].requests.cpu",
                "not a CPU quantity",
            ),
            ("[workload]\ngroups = []", "workload.groups", "a workload has 1 to 32"),
        ];
        for (text, field, problem) in cases {
            let e = load(&format!("{base}{text}")).unwrap_err();
            assert_eq!(e.field.as_deref(), Some(field), "{text}: {e}");
            assert!(e.problem.contains(problem), "{text}: {e}");
        }
    }

    /// Bad requests name the file's field and the fix; unknown keys are refused.
    #[test]
    fn bad_requests_are_refused() {
        let base = "instance_types = [\"m5.large\"]\n[workload]\nip_pods = 3\n";
        let cases = [
            (
                "[workload.requests]\nip = { cpu = \"abc\" }",
                "workload.requests.ip.cpu",
            ),
            ("[workload.requests]\nip = { cpu = \"-1\" }", "workload.requests.ip.cpu"),
            (
                "[workload.requests]\nsg = { memory = \"1000000Ti\" }",
                "workload.requests.sg.memory",
            ),
            ("[system_pods.requests]\nhost = { cpu = \"2\" }", "system_pods.requests"),
        ];
        for (extra, field) in cases {
            let e = load(&format!("{base}{extra}")).unwrap_err();
            assert_eq!(e.field.as_deref(), Some(field), "{extra}: {e}");
        }
        for extra in [
            "[workload.requests]\nip = { cpus = \"1\" }",
            "[workload.requests]\ngpu = { cpu = \"1\" }",
            "[system_pods.requests]\nsg = { cpu = \"1\" }",
        ] {
            let e = load(&format!("{base}{extra}")).unwrap_err().to_string();
            assert!(e.contains("unknown field") && e.contains("line"), "{extra}: {e}");
        }
        // A type the catalog gives no vCPUs or memory for.
        let c = Catalog::bundled();
        let missing = c.iter().find(|t| t.vcpus.is_none() || t.memory_mib.is_none()).unwrap();
        let e = load(&format!(
            "instance_types = [\"{}\"]\nformulas = [\"fixed:20\"]\n[workload]\nip_pods = 3\n[workload.requests]\nip = {{ cpu = \"1\" }}",
            missing.name
        ))
        .unwrap_err();
        assert!(
            e.problem.contains("no vCPUs or memory") && e.fix.contains("--catalog"),
            "{e}"
        );
    }

    #[test]
    fn per_type_system_pods() {
        let s = load(&format!(
            "{MIN}[system_pods]\nhost = 3\nby_type = {{ \"m5.large\" = {{ host = 2 }} }}"
        ))
        .unwrap();
        let t = s.types[0].clone();
        assert_eq!(s.system_for(&t), SystemPods { host: 2, ip: 0 });
    }
}
