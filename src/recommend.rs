//! `sgpsim recommend`: which maxPods for this type, this SG share and this
//! risk (MODEL.md §11), with what it buys and what it wastes, beside every
//! named formula of §4 on the same mix, and optionally checked on a whole
//! cluster rollout.
//!
//! The default model is the node-in-a-cluster model of §11, computed exactly
//! (`model::exact`). `--model rollout` replays whole rollouts (the static
//! replay of §5: random orders, autoscaling) and `--model SCENARIO` runs a
//! scenario file (static or timed) at the recommended `M`: both Monte Carlo,
//! with their confidence intervals.

use serde::Serialize;

use crate::error::InputError;
use crate::input::prices::Prices;
use crate::input::scenario::Scenario;
use crate::model::cell::Cell;
use crate::model::exact::{self, ClusterNode, NodeCapacity, NodeRoom, Risk, RoomNode};
use crate::model::formula::{BUILTIN_NAMES, Formula};
use crate::model::instance::InstanceType;
use crate::model::node::{
    NodeSettings, NodeSpec, Res, Resources, SystemPods, allocatable, branch_capacity, eni_limited_pods, ip_capacity,
};
use crate::model::order::Order;
use crate::model::placement::Policy;
use crate::model::replay::{Cluster, Nodes};
use crate::model::requests::PodReq;
use crate::model::summary::Summary;
use crate::model::workload::Counts;

/// The planner's question for one or more types.
#[derive(Debug, Clone)]
pub struct Question {
    /// SG shares `p` of the workload, each in `[0, 1]`.
    pub sg_shares: Vec<f64>,
    pub risk: Risk,
    /// The highest risk accepted, in `[0, 1]`.
    pub budget: f64,
    pub system: SystemPods,
    pub settings: NodeSettings,
    /// The largest `M` to recommend (default 250, the EKS guidance for large nodes).
    pub cap: u32,
    /// A total workload (pods, of which SG pods), for nodes and cost.
    pub workload: Option<(u64, u64)>,
    pub region: String,
    /// CPU and memory the pods request, where given (MODEL.md §5): a node
    /// may then fill on them before its slots.
    pub requests: Option<KindRequests>,
}

/// One pod's CPU and memory requests per kind (the filter's figures):
/// workload SG and IP pods, host and IP system pods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct KindRequests {
    pub sg: Res,
    pub ip: Res,
    pub system_host: Res,
    pub system_ip: Res,
}

impl KindRequests {
    /// Whether any pod requests anything (else nothing is counted).
    pub fn any(&self) -> bool {
        ![self.sg, self.ip, self.system_host, self.system_ip]
            .iter()
            .all(Res::is_zero)
    }
}

/// The name of a risk measure as the CSV and flags write it.
pub fn risk_name(r: Risk) -> &'static str {
    match r {
        Risk::AnyFailure => "any-failure",
        Risk::FailureShare => "failure-share",
    }
}

/// What one `M` buys and risks on one type, in the node-in-a-cluster model.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Figures {
    pub max_pods: u32,
    /// `L = M - S - S_ip`: workload pods per node.
    pub pods_per_node: u32,
    /// The chosen risk measure at this `M`.
    pub risk: f64,
    /// `P(F > 0)` and `E[F] / L`, both, whatever the chosen measure.
    pub any_failure: f64,
    pub failure_share: f64,
    pub wasted_ips_mean: f64,
    pub stranded_branches_mean: f64,
    /// `E[G + I]`, the workload pods a node binds: `L`, or fewer where CPU
    /// or memory stop it first.
    pub pods_bound_mean: f64,
    pub within_budget: bool,
    /// For a given workload: nodes needed and their on-demand cost per hour.
    pub nodes: Option<u64>,
    pub cost_per_hour: Option<f64>,
}

/// A named formula's figures on the same mix, or why it has none.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FormulaFigures {
    pub formula: String,
    /// `None` when the formula has no value here (no room, a figure the
    /// catalog lacks), with the reason in `note`.
    pub figures: Option<Figures>,
    pub note: Option<String>,
}

/// The answer for one type and one SG share.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Answer {
    pub instance_type: String,
    pub sg_share: f64,
    pub risk_measure: &'static str,
    pub budget: f64,
    /// The recommendation: the largest `M` within the budget, `None` when
    /// even the smallest `M` exceeds it.
    pub recommended: Option<Figures>,
    /// `M + 1` (when within the cap): the first `M` past the budget, to show
    /// why the answer stops where it does.
    pub next: Option<Figures>,
    pub formulas: Vec<FormulaFigures>,
    /// The node's capacities: host and IP system pods, pod IPs, branch ENIs.
    pub system_pods: u32,
    pub system_ip_pods: u32,
    pub ip_capacity: u32,
    pub branch_capacity: u32,
    pub price_per_hour: Option<f64>,
    /// Where pods request CPU or memory, in words: the requests and what a
    /// node has for them.
    pub resources: Option<String>,
    /// Where pods request CPU or memory: the most workload pods a node's CPU
    /// and memory hold with its branch ENIs (`None`: not counted, or not
    /// below the largest maxPods considered).
    pub pods_by_resources: Option<u32>,
    pub notes: Vec<String>,
}

impl Question {
    /// Checks the figures a person typed, naming the flag and the fix.
    pub fn validate(&self) -> Result<(), InputError> {
        for &p in &self.sg_shares {
            if !(0.0..=1.0).contains(&p) {
                return Err(InputError::field(
                    "--sg-share",
                    format!("{p} is outside 0..=1"),
                    "give the share of SG pods in the workload, e.g. 0.3 for 30%",
                ));
            }
        }
        if self.sg_shares.is_empty() {
            return Err(InputError::field(
                "--sg-share",
                "no SG share given",
                "give e.g. --sg-share 0.3",
            ));
        }
        if self.budget > 0.0 && self.budget < 1e-9 {
            return Err(InputError::field(
                "--budget",
                format!("{} is below one in a billion", self.budget),
                "give 0 for no risk at all, or a budget of at least 1e-9",
            ));
        }
        if !(0.0..=1.0).contains(&self.budget) {
            return Err(InputError::field(
                "--budget",
                format!("{} is outside 0..=1", self.budget),
                "give the risk you accept as a fraction, e.g. 0.01 for 1%",
            ));
        }
        if self.cap == 0 || self.cap > crate::input::bounds::MAX_MAX_PODS {
            return Err(InputError::field(
                "--max-pods-cap",
                format!("{} is outside 1..={}", self.cap, crate::input::bounds::MAX_MAX_PODS),
                "give the largest maxPods you would run, e.g. 250",
            ));
        }
        if let Some((pods, sg)) = self.workload
            && sg > pods
        {
            return Err(InputError::field(
                "--sg-pods",
                format!("{sg} SG pods are more than the {pods} pods in all"),
                "give --pods as the total, SG pods included",
            ));
        }
        Ok(())
    }
}

/// Answers the question for every type and every SG share, in that order.
pub fn answer(types: &[&InstanceType], q: &Question, prices: &Prices) -> Vec<Answer> {
    let formulas = Formula::builtins_for(&q.settings);
    let mut out = Vec::with_capacity(types.len() * q.sg_shares.len());
    for t in types {
        for &p in &q.sg_shares {
            out.push(answer_one(t, p, q, &formulas, prices));
        }
    }
    out
}

/// The node's capacities under the question's settings.
pub fn capacity(t: &InstanceType, q: &Question) -> NodeCapacity {
    NodeCapacity {
        host_system_pods: q.system.host,
        ip_system_pods: q.system.ip,
        ip_capacity: ip_capacity(t, &q.settings),
        branches: branch_capacity(t, &q.settings),
    }
}

/// The CPU and memory of a node of this type as the question has them:
/// Karpenter's allocatable ([`allocatable`], its kube-reserved memory
/// counting `RESERVED_ENIS = reserved`) and the pods' requests; `None`
/// when no pod requests any, or the catalog lacks the type's vCPUs or memory.
pub fn resources(t: &InstanceType, q: &Question, reserved: u32) -> Option<Resources> {
    let r = q.requests.filter(KindRequests::any)?;
    let (vcpus, memory_mib) = (t.vcpus?, t.memory_mib?);
    let arm64 = crate::input::facts::Facts::bundled()
        .get(&t.name)
        .and_then(|x| x.arch.as_deref())
        == Some("arm64");
    let one = PodReq::unset_if_zero;
    Some(Resources::new(
        allocatable(vcpus, memory_mib, arm64, eni_limited_pods(t, reserved)),
        one(r.system_host),
        one(r.system_ip),
        &[one(r.sg), one(r.ip), one(Res::ZERO)],
    ))
}

/// The node-in-a-cluster model of one type at one SG share: by slots
/// (`exact::cluster_node`), or, where pods request CPU or memory, every
/// `L` at once (`exact::cluster_nodes_with_room`), per `RESERVED_ENIS`
/// value (its kube-reserved memory differs).
struct NodeModel {
    c: u32,
    b: u32,
    p: f64,
    /// (reserved ENIs, the node at every `L` from 0), where counted.
    levels: Vec<(u32, Vec<RoomNode>)>,
    counted: bool,
}

impl NodeModel {
    fn new(t: &InstanceType, cap: &NodeCapacity, p: f64, q: &Question, l_max: u32) -> NodeModel {
        let mut m = NodeModel {
            c: cap.ip_capacity.saturating_sub(cap.ip_system_pods),
            b: cap.branches,
            p,
            levels: Vec::new(),
            counted: resources(t, q, 0).is_some(),
        };
        if m.counted {
            m.levels_for(t, q, 0, l_max);
        }
        m
    }

    /// The node at every `L` with no reserved ENIs (counted only).
    fn levels0(&self) -> &[RoomNode] {
        self.levels
            .iter()
            .find(|(r, _)| *r == 0)
            .map(|(_, v)| v.as_slice())
            .expect("computed when counted")
    }

    fn levels_for(&mut self, t: &InstanceType, q: &Question, reserved: u32, l_max: u32) -> &[RoomNode] {
        let have = self
            .levels
            .iter()
            .position(|(r, v)| *r == reserved && v.len() > l_max as usize);
        let i = match have {
            Some(i) => i,
            None => {
                let res = resources(t, q, reserved).expect("counted");
                let room = NodeRoom::of(&res, &q.system);
                let v = exact::cluster_nodes_with_room(l_max, self.c, self.b, self.p, &room);
                self.levels.retain(|(r, _)| *r != reserved);
                self.levels.push((reserved, v));
                self.levels.len() - 1
            }
        };
        &self.levels[i].1
    }

    /// The node with `l` slots (reserved ENIs `reserved` in the allocatable),
    /// and the pods it binds on average.
    fn at(&mut self, t: &InstanceType, q: &Question, l: u32, reserved: u32) -> (ClusterNode, f64) {
        if !self.counted {
            return (exact::cluster_node(l, self.c, self.b, self.p), f64::from(l));
        }
        let v = self.levels_for(t, q, reserved, l);
        (v[l as usize].node, v[l as usize].pods)
    }
}

/// The figures of one `M` on one type at SG share `p`.
fn figures(
    t: &InstanceType,
    cap: &NodeCapacity,
    model: &mut NodeModel,
    m: u32,
    reserved: u32,
    q: &Question,
    price: Option<f64>,
) -> Figures {
    let base = cap.host_system_pods + cap.ip_system_pods;
    let l = m.saturating_sub(base);
    let (n, pods) = model.at(t, q, l, reserved);
    let risk = match q.risk {
        Risk::AnyFailure => n.any_failure,
        Risk::FailureShare => n.failure_share,
    };
    let room = resources(t, q, reserved).map(|r| NodeRoom::of(&r, &q.system));
    // At most the pods a node's CPU and memory hold, where they stop it first.
    let most = match &room {
        Some(r) if model.counted => exact::room_limit(r, model.b, model.p).map_or(l, |k| k.min(l)),
        _ => l,
    };
    let nodes = q
        .workload
        .and_then(|(pods, sg)| nodes_needed(pods, sg, most, cap.branches, room.as_ref()));
    Figures {
        max_pods: m,
        pods_per_node: l,
        risk,
        any_failure: n.any_failure,
        failure_share: n.failure_share,
        wasted_ips_mean: n.wasted_ips,
        stranded_branches_mean: n.stranded_branches,
        pods_bound_mean: pods,
        within_budget: risk <= q.budget,
        nodes,
        cost_per_hour: nodes.zip(price).map(|(n, usd)| n as f64 * usd),
    }
}

/// Nodes for `pods` workload pods, `sg` of them SG pods, at `l` pods (at
/// most: the slots, or fewer where CPU and memory stop a node first) and
/// `b` branch ENIs per node: enough slots for all and branches for the SG
/// pods, and, where pods request CPU or memory (`room`), enough of each for
/// their sum (a lower bound: what no packing can beat). `None` when no
/// number of nodes holds them (no slot, SG pods without a trunk, a request
/// above what a node leaves).
pub fn nodes_needed(pods: u64, sg: u64, l: u32, b: u32, room: Option<&NodeRoom>) -> Option<u64> {
    if pods == 0 {
        return Some(0);
    }
    if l == 0 || (sg > 0 && b == 0) {
        return None;
    }
    let by_slots = pods.div_ceil(u64::from(l));
    let by_branches = if sg == 0 { 0 } else { sg.div_ceil(u64::from(b)) };
    let mut need = by_slots.max(by_branches);
    if let Some(r) = room {
        let ip = pods - sg;
        let by = |sg_ask: u64, ip_ask: u64, free: u64| -> Option<u64> {
            let wanted = u128::from(sg) * u128::from(sg_ask) + u128::from(ip) * u128::from(ip_ask);
            if wanted == 0 {
                return Some(0);
            }
            let one_too_big = (sg > 0 && sg_ask > free) || (ip > 0 && ip_ask > free);
            if free == 0 || one_too_big {
                return None;
            }
            u64::try_from(wanted.div_ceil(u128::from(free))).ok()
        };
        need = need
            .max(by(r.sg.cpu, r.ip.cpu, r.free.cpu)?)
            .max(by(r.sg.memory, r.ip.memory, r.free.memory)?);
    }
    Some(need)
}

fn answer_one(t: &InstanceType, p: f64, q: &Question, formulas: &[Formula], prices: &Prices) -> Answer {
    let cap = capacity(t, q);
    let price = prices.get(&q.region, &t.name);
    let mut notes = Vec::new();
    // The kubelet's podsPerCore caps any maxPods (MODEL.md §4): no answer above it.
    let per_core = q
        .settings
        .pods_per_core
        .and_then(|n| t.vcpus.map(|v| n.saturating_mul(v)));
    if q.settings.pods_per_core.is_some() && t.vcpus.is_none() {
        notes.push(format!(
            "the catalog lacks the vCPU count of {}: the podsPerCore cap is not applied to the recommendation",
            t.name
        ));
    }
    let type_cap = per_core.map_or(q.cap, |c| c.min(q.cap));
    let base = q.system.total();
    // The node model reaches every maxPods a named formula gives, too.
    let formula_values: Vec<u32> = formulas
        .iter()
        .filter_map(|f| f.max_pods(t, &q.settings, q.system).ok())
        .map(|m| m.value)
        .collect();
    let l_max = formula_values
        .iter()
        .copied()
        .chain([type_cap])
        .max()
        .unwrap_or(type_cap)
        .saturating_sub(base);
    let mut model = NodeModel::new(t, &cap, p, q, l_max);
    if q.requests.is_some_and(|r| r.any()) && !model.counted {
        notes.push(format!(
            "the catalog lacks the vCPUs or memory of {}: its CPU and memory are not counted (add them with --catalog FILE)",
            t.name
        ));
    }
    let rec = if model.counted {
        recommend_by_levels(model.levels0(), base, q, type_cap)
    } else {
        exact::recommend(&cap, p, q.risk, q.budget, type_cap)
    };
    let recommended = rec.map(|r| figures(t, &cap, &mut model, r.max_pods, 0, q, price));
    let next = rec
        .filter(|r| r.max_pods < type_cap)
        .map(|r| figures(t, &cap, &mut model, r.max_pods + 1, 0, q, price));
    let pods_by_resources = if model.counted {
        let below = model.levels0().len().saturating_sub(1);
        resources(t, q, 0)
            .and_then(|r| exact::room_limit(&NodeRoom::of(&r, &q.system), model.b, model.p))
            .filter(|&k| (k as usize) < below)
    } else {
        None
    };
    if rec.is_none() {
        notes.push(format!(
            "no maxPods up to {} keeps the {} at or below {}: even one workload pod per node exceeds it",
            type_cap,
            risk_name(q.risk),
            q.budget
        ));
    }
    if let (Some(r), Some(c)) = (&rec, per_core)
        && r.max_pods == c
        && c < q.cap
    {
        notes.push(format!(
            "the answer is the kubelet's cap, podsPerCore {} × {} vCPUs = {c}: a larger maxPods would stay within the budget, but the kubelet runs no more",
            q.settings.pods_per_core.unwrap_or_default(),
            t.vcpus.unwrap_or_default()
        ));
    }
    if let Some(r) = &rec
        && r.max_pods == q.cap
    {
        {
            notes.push(format!(
                "the answer is the cap (--max-pods-cap {}): a larger maxPods would stay within the budget too",
                q.cap
            ));
        }
    }
    if cap.branches == 0 && p > 0.0 {
        notes.push(format!(
            "{} has no branch ENIs here ({}): SG pods cannot run on it at all",
            t.name,
            if q.settings.sgp {
                "not trunk compatible"
            } else {
                "SGP is off"
            }
        ));
    }
    if q.workload.is_some() && price.is_none() {
        notes.push(format!("no on-demand price for {} in {}: no cost", t.name, q.region));
    }
    // Formulas often share a value (conservative and reserved-enis:1, the
    // recommendation and a formula): each value's figures are computed once.
    let mut known: Vec<(u32, Figures)> = recommended.iter().chain(next.iter()).map(|f| (0, f.clone())).collect();
    let mut figures_at = |m: u32, reserved: u32| -> Figures {
        // Without requests the reserved ENIs change nothing but `M`.
        let reserved = if model.counted { reserved } else { 0 };
        if let Some((_, f)) = known.iter().find(|(r, f)| f.max_pods == m && *r == reserved) {
            return f.clone();
        }
        let f = figures(t, &cap, &mut model, m, reserved, q, price);
        known.push((reserved, f.clone()));
        f
    };
    let formulas = formulas
        .iter()
        .map(|f| {
            let name = f.name();
            match f.max_pods(t, &q.settings, q.system) {
                Ok(m) if m.value > q.system.total() => FormulaFigures {
                    formula: name.clone(),
                    figures: Some(figures_at(m.value, f.reserved_enis())),
                    note: mismatch(&name, q).or(m.note),
                },
                Ok(m) => FormulaFigures {
                    formula: name,
                    figures: None,
                    note: Some(format!(
                        "maxPods {} leaves no slot above {} system pods",
                        m.value,
                        q.system.total()
                    )),
                },
                Err(u) => FormulaFigures {
                    formula: name,
                    figures: None,
                    note: Some(u.reason),
                },
            }
        })
        .collect();
    Answer {
        instance_type: t.name.clone(),
        sg_share: p,
        risk_measure: risk_name(q.risk),
        budget: q.budget,
        recommended,
        next,
        formulas,
        system_pods: q.system.host,
        system_ip_pods: q.system.ip,
        ip_capacity: cap.ip_capacity,
        branch_capacity: cap.branches,
        price_per_hour: price,
        resources: resources(t, q, 0).map(|r| describe_resources(&r, q)),
        pods_by_resources,
        notes,
    }
}

/// The requests and a node's CPU and memory, for people: `pods request
/// SG 500m / 1024Mi, IP 250m / 512Mi; a node has 1930m / 6903Mi
/// allocatable, 1730m / 6647Mi after its system pods`.
fn describe_resources(res: &Resources, q: &Question) -> String {
    let mib = crate::model::node::MIB;
    let pair = |r: Res| format!("{}m / {}Mi", r.cpu, r.memory / mib);
    let left = NodeRoom::of(res, &q.system).free;
    format!(
        "pods request SG {}, IP {}; a node has {} allocatable (Karpenter's rule), {} after its system pods",
        pair(res.requested(0)),
        pair(res.requested(1)),
        pair(res.allocatable),
        pair(left)
    )
}

/// The recommendation from the node at every `L` (CPU and memory counted):
/// the largest `M` up to `cap` whose risk stays within the budget (MODEL.md
/// §11). `P(F > 0)` never falls as `M` grows; the failure share can, where
/// CPU stops nodes and the SG pods that still fit dilute it, and the rule
/// then still takes the largest `M` within the budget.
fn recommend_by_levels(levels: &[RoomNode], base: u32, q: &Question, cap: u32) -> Option<exact::Recommendation> {
    if q.budget.is_nan() || q.budget < 0.0 {
        return None;
    }
    let l_max = cap.checked_sub(base).filter(|&l| l > 0)?;
    let risk = |n: &RoomNode| match q.risk {
        Risk::AnyFailure => n.node.any_failure,
        Risk::FailureShare => n.node.failure_share,
    };
    (1..=l_max.min(levels.len().saturating_sub(1) as u32))
        .rev()
        .find(|&l| risk(&levels[l as usize]) <= q.budget)
        .map(|l| exact::Recommendation {
            max_pods: base + l,
            slots: l,
            risk: risk(&levels[l as usize]),
        })
}

/// A formula made for settings the question does not have.
fn mismatch(name: &str, q: &Question) -> Option<String> {
    if name == "prefix-delegation" && !q.settings.prefix_delegation {
        return Some(
            "made for prefix delegation, which is off here: its maxPods counts 16 IPs per slot the node does not have"
                .to_string(),
        );
    }
    (name == crate::model::formula::CUSTOM_NETWORKING_NAME && !q.settings.custom_networking).then(|| {
        "made for custom networking, which is off here: its maxPods leaves out the primary ENI's IPs, which this node gives to pods"
            .to_string()
    })
}

/// The names of the formulas every answer lists, in order.
pub fn formula_names() -> Vec<String> {
    BUILTIN_NAMES.iter().map(|s| s.to_string()).collect()
}

/// With a workload and several types: the cheapest type whose
/// recommendation meets the budget, as a line for people.
pub fn cheapest(answers: &[Answer]) -> Option<String> {
    let priced: Vec<(&Answer, u64, f64)> = answers
        .iter()
        .filter_map(|a| {
            let r = a.recommended.as_ref()?;
            Some((a, r.nodes?, r.cost_per_hour?))
        })
        .collect();
    if priced.len() < 2 {
        return None;
    }
    let (a, nodes, cost) = priced.iter().min_by(|x, y| {
        x.2.total_cmp(&y.2)
            .then_with(|| x.0.instance_type.cmp(&y.0.instance_type))
    })?;
    let m = a.recommended.as_ref().map_or(0, |r| r.max_pods);
    Some(format!(
        "cheapest within the budget: {} at maxPods {m}, {nodes} nodes, {:.2} USD per hour on demand (of {} priced answers)\n",
        a.instance_type,
        cost,
        priced.len()
    ))
}

/// A maxPods checked on a whole cluster (Monte Carlo, MODEL.md §11
/// "cluster models"): the probability that any pod of the rollout gets no
/// IP, the share of pods that get none, each with its 95% interval.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ClusterCheck {
    /// `rollout` or the scenario's name.
    pub model: String,
    pub formula: String,
    pub max_pods: u32,
    pub trials: u64,
    pub pods: u64,
    pub sg_pods: u64,
    pub nodes_mean: f64,
    pub any_failure: f64,
    pub any_failure_ci95: Option<(f64, f64)>,
    pub failure_share: f64,
    pub failure_share_ci95: Option<(f64, f64)>,
    /// The node model's any-failure risk raised to the rollout's node count,
    /// `1 - (1 - r)^nodes`: what the node model predicts for the rollout.
    pub node_model_prediction: f64,
}

impl ClusterCheck {
    fn new(model: &str, formula: &str, m: u32, s: &Summary, counts: Counts, node_risk: f64) -> ClusterCheck {
        ClusterCheck {
            model: model.to_string(),
            formula: formula.to_string(),
            max_pods: m,
            trials: s.trials,
            pods: u64::from(counts.total()),
            sg_pods: u64::from(counts.sg),
            nodes_mean: s.nodes_mean,
            any_failure: s.failure_probability(),
            any_failure_ci95: s.failure_probability_ci95,
            failure_share: s.failure_rate_mean,
            failure_share_ci95: s.failure_rate_ci95,
            node_model_prediction: 1.0 - (1.0 - node_risk).powf(s.nodes_mean),
        }
    }

    /// Whether the node model's prediction lies outside this interval.
    pub fn disagrees(&self) -> bool {
        self.any_failure_ci95
            .is_some_and(|(lo, hi)| self.node_model_prediction < lo || self.node_model_prediction > hi)
    }
}

/// A maxPods checked on a cluster: the formula (or `recommended`), the
/// value, and the node model's any-failure risk at it.
pub type Checked = (String, u32, f64);

/// The maxPods values an answer is checked at on a cluster: the
/// recommendation, then every named formula with a value.
fn checked_values(a: &Answer) -> Vec<Checked> {
    let mut out = Vec::new();
    if let Some(r) = &a.recommended {
        out.push(("recommended".to_string(), r.max_pods, r.any_failure));
    }
    for f in &a.formulas {
        if let Some(fig) = &f.figures {
            out.push((f.formula.clone(), fig.max_pods, fig.any_failure));
        }
    }
    out
}

/// The rollout's pods: the question's workload, or twenty nodes' worth at
/// the recommendation with the answer's SG share.
fn rollout_counts(a: &Answer, q: &Question) -> Counts {
    let (pods, sg) = q.workload.unwrap_or_else(|| {
        let l = a.recommended.as_ref().map_or(10, |r| r.pods_per_node.max(1));
        let pods = u64::from(l) * 20;
        (pods, (a.sg_share * pods as f64).round() as u64)
    });
    Counts {
        sg: sg as u32,
        ip: (pods - sg) as u32,
        host: 0,
    }
}

/// `--model rollout`: the cells that check each maxPods on a whole rollout
/// of the static replay (random orders, autoscaling from no node, the
/// scheduler's default least-allocated policy), `trials` orders each, with
/// what each cell checks: (formula, maxPods, the node model's any-failure risk).
pub fn rollout_cells(t: &InstanceType, a: &Answer, q: &Question, trials: u32) -> (Vec<Cell>, Vec<Checked>) {
    let counts = rollout_counts(a, q);
    let values = checked_values(a);
    let cells = values
        .iter()
        .map(|(name, m, _)| Cell {
            instance_type: t.name.clone(),
            formula: name.clone(),
            order: Order::Random,
            policy: Policy::LeastAllocated,
            settings: q.settings,
            counts,
            mix: crate::model::workload::Mix::of_kinds(counts),
            cluster: Cluster {
                node: NodeSpec {
                    max_pods: *m,
                    ip_capacity: ip_capacity(t, &q.settings),
                    branch_capacity: branch_capacity(t, &q.settings),
                    system: q.system,
                    res: {
                        let reserved = match Formula::parse(name) {
                            Ok(Formula::KarpenterReservedEnis(n)) => n,
                            _ => 0,
                        };
                        resources(t, q, reserved).unwrap_or(Resources::NONE)
                    },
                },
                nodes: Nodes::Autoscale {
                    initial: 0,
                    max: crate::input::bounds::MAX_NODES,
                },
                policy: Policy::LeastAllocated,
            },
            trials,
            note: None,
        })
        .collect();
    (cells, values)
}

/// `--model SCENARIO`: the scenario with its instance types replaced by `t`,
/// its formulas by the checked maxPods values and its orders by `random`
/// (its workload, cluster and delays kept), and what each value checks.
/// A scenario checks an answer only under the question's node settings:
/// otherwise its nodes have other capacities than the ones the answer is
/// for, and the two figures would differ for that reason alone.
pub fn check_settings(q: &Question, sc: &Scenario) -> Result<(), InputError> {
    check_requests(q, sc)?;
    if q.settings == sc.settings {
        return Ok(());
    }
    let words = |s: &NodeSettings| {
        let mut w = vec![
            format!("SGP {}", if s.sgp { "on" } else { "off" }),
            format!("prefix delegation {}", if s.prefix_delegation { "on" } else { "off" }),
        ];
        if !s.custom_networking {
            w.push("custom networking off".into());
        }
        w.extend(s.describe_networking());
        w.join(", ")
    };
    Err(InputError::field(
        "--model",
        format!(
            "the scenario's node settings ({}) are not the flags' ({}): its nodes have other capacities than the answer's",
            words(&sc.settings),
            words(&q.settings)
        ),
        "give recommend the scenario's settings as flags (--no-sgp, --prefix-delegation, --custom-networking, --cni-version V, --pods-per-core N), or set them in the scenario",
    ))
}

/// The same for CPU and memory: a scenario checks an answer only where its
/// pods request what the flags say (one request per kind; groups have no
/// flags), or, with no flags, nothing at all.
fn check_requests(q: &Question, sc: &Scenario) -> Result<(), InputError> {
    let flags = q.requests.filter(KindRequests::any).unwrap_or_default();
    let r = &sc.requests;
    let given = if r.counted() {
        KindRequests {
            sg: r.requested(0),
            ip: r.requested(1),
            system_host: r.system_host.requested,
            system_ip: r.system_ip.requested,
        }
    } else {
        KindRequests::default()
    };
    if matches!(sc.workload, crate::model::workload::Workload::Groups(_)) {
        return Err(InputError::field(
            "--model",
            "the scenario's workload groups request their own CPU and memory, which the node model's one request per kind cannot follow",
            "check the answer with --model rollout and the request flags, or in a scenario with [workload] counts and one request per kind",
        ));
    }
    if flags == given {
        return Ok(());
    }
    let said = |r: Res| if r.is_zero() { "none".to_string() } else { r.flag_text() };
    let differ: Vec<String> = [
        ("SG pods", given.sg, flags.sg),
        ("IP pods", given.ip, flags.ip),
        ("hostNetwork system pods", given.system_host, flags.system_host),
        ("IP system pods", given.system_ip, flags.system_ip),
    ]
    .iter()
    .filter(|(_, s, f)| s != f)
    .map(|(who, s, f)| format!("{who}: scenario {}, flags {}", said(*s), said(*f)))
    .collect();
    let fix = if given.any() {
        let flags: Vec<String> = [
            ("--sg-request", given.sg),
            ("--ip-request", given.ip),
            ("--system-request", given.system_host),
            ("--system-ip-request", given.system_ip),
        ]
        .iter()
        .filter(|(_, r)| !r.is_zero())
        .map(|(f, r)| format!("{f} {}", r.flag_text()))
        .collect();
        format!("give recommend the scenario's requests: {}", flags.join(" "))
    } else {
        "drop the request flags: the scenario's pods request no CPU or memory".to_string()
    };
    Err(InputError::field(
        "--model",
        format!(
            "the scenario's pods request other CPU and memory than the flags say ({}): its nodes fill otherwise than the answer's",
            differ.join("; ")
        ),
        fix,
    ))
}

pub fn scenario_for(t: &InstanceType, a: &Answer, sc: &Scenario) -> Result<(Scenario, Vec<Checked>), InputError> {
    let values = checked_values(a);
    let mut sc = sc.clone();
    sc.types = vec![t.clone()];
    sc.formulas = values.iter().map(|(_, m, _)| Formula::Fixed(*m)).collect();
    sc.orders = vec![Order::Random];
    sc.expects.clear();
    if let Some(timed) = &sc.timed
        && matches!(timed.arrivals, crate::timed::settings::Arrivals::Trace { .. })
    {
        return Err(InputError::field(
            "--model",
            "a trace-driven scenario cannot be rerun here (its trace path is relative to the scenario)",
            "give a scenario with rate, Poisson, waves or at-once arrivals",
        ));
    }
    Ok((sc, values))
}

/// The checks of one answer from the summaries of its cells: each cell's
/// maxPods gives the line of every value checked at that maxPods.
pub fn checks(
    model: &str,
    values: &[Checked],
    cells: impl IntoIterator<Item = (u32, Counts, Summary)>,
) -> Vec<ClusterCheck> {
    let mut out = Vec::new();
    for (m, counts, s) in cells {
        for (f, v, r) in values.iter().filter(|(_, v, _)| *v == m) {
            out.push(ClusterCheck::new(model, f, *v, &s, counts, *r));
        }
    }
    out.sort_by_key(|c| values.iter().position(|(f, _, _)| *f == c.formula));
    out.dedup_by(|a, b| {
        a.formula == b.formula
            && a.max_pods == b.max_pods
            && a.trials == b.trials
            && a.pods == b.pods
            && a.any_failure == b.any_failure
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::catalog::Catalog;

    fn question(p: f64, budget: f64) -> Question {
        Question {
            sg_shares: vec![p],
            risk: Risk::AnyFailure,
            budget,
            system: SystemPods { host: 2, ip: 0 },
            settings: NodeSettings::default(),
            cap: 250,
            workload: None,
            region: "us-east-1".into(),
            requests: None,
        }
    }

    fn one(name: &str, q: &Question) -> Answer {
        let c = Catalog::bundled();
        answer(&[c.get(name).unwrap()], q, &Prices::bundled()).remove(0)
    }

    #[test]
    fn the_checks_of_model_section_11() {
        // p = 0 (and any p < 1) with budget 0: conservative, S + pod IPs.
        for p in [0.0, 0.3, 0.9] {
            assert_eq!(one("m5.large", &question(p, 0.0)).recommended.unwrap().max_pods, 20);
        }
        // p = 1: aggressive, S + pod IPs + branches.
        assert_eq!(one("m5.large", &question(1.0, 0.0)).recommended.unwrap().max_pods, 29);
        let a = one("m5.xlarge", &question(1.0, 0.0));
        assert_eq!(a.recommended.unwrap().max_pods, 2 + 42 + 18);
    }

    #[test]
    fn formulas_are_listed_with_the_same_measures() {
        let q = question(0.3, 0.01);
        let a = one("m6i.xlarge", &q);
        let rec = a.recommended.clone().unwrap();
        assert!(rec.within_budget && rec.risk <= 0.01);
        let next = a.next.clone().unwrap();
        assert_eq!(next.max_pods, rec.max_pods + 1);
        assert!(!next.within_budget, "the first M past the answer exceeds the budget");
        let by = |n: &str| {
            a.formulas
                .iter()
                .find(|f| f.formula == n)
                .unwrap()
                .figures
                .clone()
                .unwrap()
        };
        assert_eq!(by("conservative").max_pods, 44);
        assert_eq!(by("conservative").risk, 0.0);
        assert_eq!(by("aws-default").max_pods, 58);
        assert!(!by("aws-default").within_budget);
        // The recommendation lies between conservative and aws-default here.
        assert!(44 < rec.max_pods && rec.max_pods < 58, "{rec:?}");
        let pd = a.formulas.iter().find(|f| f.formula == "prefix-delegation").unwrap();
        assert!(pd.note.as_deref().unwrap().contains("prefix delegation, which is off"));
    }

    /// Pods that request CPU: on m5.large (1930m allocatable by Karpenter's
    /// rule, 1730m after two 100m system pods) 500m pods bind three a node,
    /// far below any formula's slots and the 18 pod IPs: every maxPods is
    /// safe, the answer is the cap, and the node is the same from M = 5 on.
    /// With 100m pods the node binds 17, from M = 19 on: aws-default (29)
    /// is safe there, where by slots alone it risks a pod without an IP.
    #[test]
    fn cpu_and_memory_stop_a_node_first() {
        let mut q = question(0.3, 0.01);
        let cpu = |m: u64| Res { cpu: m, memory: 0 };
        // SG and IP pods of `pod` millicores, host system pods of 100m.
        let pods_of = |pod: u64| {
            Some(KindRequests {
                sg: cpu(pod),
                ip: cpu(pod),
                system_host: cpu(100),
                system_ip: Res::ZERO,
            })
        };
        q.requests = pods_of(500);
        let a = one("m5.large", &q);
        let r = a.recommended.as_ref().unwrap();
        assert_eq!((r.max_pods, r.risk, r.pods_bound_mean), (250, 0.0, 3.0));
        assert_eq!(a.pods_by_resources, Some(3));
        assert!(
            a.resources.as_deref().unwrap().contains("1930m / 6903Mi allocatable"),
            "{:?}",
            a.resources
        );
        q.requests = pods_of(100);
        let a = one("m5.large", &q);
        assert_eq!(a.pods_by_resources, Some(17));
        let d = a.formulas.iter().find(|f| f.formula == "aws-default").unwrap();
        let d = d.figures.as_ref().unwrap();
        assert_eq!((d.max_pods, d.any_failure), (29, 0.0));
        assert!((d.pods_bound_mean - 17.0).abs() < 1e-9);
        let plain = one("m5.large", &question(0.3, 0.01));
        let d = plain.formulas.iter().find(|f| f.formula == "aws-default").unwrap();
        assert!(d.figures.as_ref().unwrap().any_failure > 0.5);
        // Nodes for 100 pods of 500m: a node holds 3, so 34 nodes; the
        // CPU sum alone (50000m over 1730m) would give 29.
        let cpu500 = NodeRoom {
            free: cpu(1730),
            sg: cpu(500),
            ip: cpu(500),
        };
        assert_eq!(nodes_needed(100, 30, 3, 9, Some(&cpu500)), Some(34));
        assert_eq!(nodes_needed(100, 30, 27, 9, Some(&cpu500)), Some(29));
        assert_eq!(nodes_needed(100, 30, 27, 9, None), Some(4));
        q.requests = pods_of(500);
        q.workload = Some((100, 30));
        assert_eq!(one("m5.large", &q).recommended.unwrap().nodes, Some(34));
    }

    /// Where CPU stops a node, the failure share can fall as `M` grows (SG
    /// pods that still fit dilute it): with 3800m left, SG pods of 100m and
    /// IP pods of 1000m, `C = 2`, `B = 9`, `p = 0.3`, it rises to about 17%
    /// at `L = 5` and falls below 15% from `L = 7` on. The answer is still
    /// the largest `M` within a 15% budget, not the last before the bump.
    #[test]
    fn the_largest_m_within_the_budget_even_past_a_bump() {
        let room = NodeRoom {
            free: Res { cpu: 3800, memory: 0 },
            sg: Res { cpu: 100, memory: 0 },
            ip: Res { cpu: 1000, memory: 0 },
        };
        let levels = exact::cluster_nodes_with_room(20, 2, 9, 0.3, &room);
        let share = |l: usize| levels[l].node.failure_share;
        assert!(
            share(5) > 0.15 && share(5) > share(7) && share(7) < 0.15,
            "{:?}",
            levels
        );
        let mut q = question(0.3, 0.15);
        q.risk = Risk::FailureShare;
        let r = recommend_by_levels(&levels, 2, &q, 22).unwrap();
        assert_eq!((r.slots, r.max_pods), (20, 22));
    }

    /// `--model SCENARIO` checks an answer only where the scenario's pods
    /// request what the flags say: the fix names the flags to give.
    #[test]
    fn a_scenario_checks_only_the_same_requests() {
        let c = Catalog::bundled();
        let text = "instance_types = [\"m5.large\"]\n[system_pods]\nhost = 2\n[system_pods.requests]\nhost = { cpu = \"100m\" }\n\
                    [workload]\nsg_pods = 10\nip_pods = 60\n[workload.requests]\nip = { cpu = \"500m\", memory = \"512Mi\" }\n";
        let sc = Scenario::from_toml(text, "s", &c).unwrap();
        let mut q = question(0.14, 0.01);
        let e = check_settings(&q, &sc).unwrap_err();
        assert!(
            e.problem.contains(
                "(IP pods: scenario cpu=500m,memory=512Mi, flags none; hostNetwork system pods: scenario cpu=100m,memory=0Mi, flags none)"
            ),
            "{e}"
        );
        assert_eq!(
            e.fix,
            "give recommend the scenario's requests: --ip-request cpu=500m,memory=512Mi --system-request cpu=100m,memory=0Mi"
        );
        let cpu = |c: u64, m: u64| Res {
            cpu: c,
            memory: m * crate::model::node::MIB,
        };
        q.requests = Some(KindRequests {
            sg: Res::ZERO,
            ip: cpu(500, 512),
            system_host: cpu(100, 0),
            system_ip: Res::ZERO,
        });
        assert!(check_settings(&q, &sc).is_ok());
        let plain = Scenario::from_toml(
            &text
                .replace("[workload.requests]\nip = { cpu = \"500m\", memory = \"512Mi\" }\n", "")
                .replace("[system_pods.requests]\nhost = { cpu = \"100m\" }\n", ""),
            "s",
            &c,
        )
        .unwrap();
        assert!(
            check_settings(&q, &plain)
                .unwrap_err()
                .fix
                .contains("drop the request flags")
        );
        // Only the system pods' request differs: the problem names them alone.
        q.requests = Some(KindRequests {
            system_host: Res::ZERO,
            ..q.requests.unwrap()
        });
        let e = check_settings(&q, &sc).unwrap_err();
        assert!(
            e.problem
                .contains("(hostNetwork system pods: scenario cpu=100m,memory=0Mi, flags none)"),
            "{e}"
        );
    }

    /// Memory that is not whole mebibytes is said exactly, so that the fix's
    /// flags, given as written, make the check pass (512M is 512,000,000
    /// bytes; rounding it to 489Mi never matched).
    #[test]
    fn the_fix_gives_flags_that_match_exactly() {
        let c = Catalog::bundled();
        let text = "instance_types = [\"m5.large\"]\n[workload]\nsg_pods = 10\nip_pods = 60\n\
                    [workload.requests]\nip = { cpu = \"0.25\", memory = \"512M\" }\n";
        let sc = Scenario::from_toml(text, "s", &c).unwrap();
        let mut q = question(0.14, 0.01);
        let e = check_settings(&q, &sc).unwrap_err();
        let given = "--ip-request cpu=250m,memory=512000000";
        assert!(e.fix.ends_with(given), "{e}");
        let flag = given.trim_start_matches("--ip-request ");
        q.requests = Some(KindRequests {
            ip: crate::input::requests::flag(flag, "--ip-request").unwrap(),
            ..KindRequests::default()
        });
        assert!(check_settings(&q, &sc).is_ok());
    }

    #[test]
    fn nodes_and_cost_for_a_workload() {
        assert_eq!(nodes_needed(100, 30, 40, 18, None), Some(3));
        assert_eq!(nodes_needed(100, 90, 40, 18, None), Some(5), "branches decide");
        assert_eq!(nodes_needed(10, 1, 40, 0, None), None, "SG pods need a trunk");
        assert_eq!(nodes_needed(0, 0, 0, 0, None), Some(0));
        let mut q = question(0.3, 0.01);
        q.workload = Some((1000, 300));
        let a = one("m5.xlarge", &q);
        let rec = a.recommended.unwrap();
        let nodes = rec.nodes.unwrap();
        assert_eq!(
            nodes,
            1000u64.div_ceil(u64::from(rec.pods_per_node)).max(300u64.div_ceil(18))
        );
        assert!((rec.cost_per_hour.unwrap() - nodes as f64 * 0.192).abs() < 1e-9);
    }

    #[test]
    fn bad_questions_name_the_flag() {
        let mut q = question(1.5, 0.01);
        assert_eq!(q.validate().unwrap_err().field.as_deref(), Some("--sg-share"));
        q.sg_shares = vec![0.3];
        q.budget = 2.0;
        assert_eq!(q.validate().unwrap_err().field.as_deref(), Some("--budget"));
        q.budget = 0.0;
        q.workload = Some((10, 20));
        assert_eq!(q.validate().unwrap_err().field.as_deref(), Some("--sg-pods"));
    }
}
