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
use crate::model::exact::{self, NodeCapacity, Risk};
use crate::model::formula::{BUILTIN_NAMES, Formula};
use crate::model::instance::InstanceType;
use crate::model::node::{NodeSettings, NodeSpec, SystemPods, branch_capacity, ip_capacity};
use crate::model::order::Order;
use crate::model::placement::Policy;
use crate::model::replay::{Cluster, Nodes};
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

/// The figures of one `M` on one type at SG share `p`.
fn figures(t: &InstanceType, cap: &NodeCapacity, p: f64, m: u32, q: &Question, price: Option<f64>) -> Figures {
    let base = cap.host_system_pods + cap.ip_system_pods;
    let l = m.saturating_sub(base);
    let c = cap.ip_capacity.saturating_sub(cap.ip_system_pods);
    let n = exact::cluster_node(l, c, cap.branches, p);
    let risk = match q.risk {
        Risk::AnyFailure => n.any_failure,
        Risk::FailureShare => n.failure_share,
    };
    let nodes = q
        .workload
        .and_then(|(pods, sg)| nodes_needed(pods, sg, l, cap.branches));
    let _ = t;
    Figures {
        max_pods: m,
        pods_per_node: l,
        risk,
        any_failure: n.any_failure,
        failure_share: n.failure_share,
        wasted_ips_mean: n.wasted_ips,
        stranded_branches_mean: n.stranded_branches,
        within_budget: risk <= q.budget,
        nodes,
        cost_per_hour: nodes.zip(price).map(|(n, usd)| n as f64 * usd),
    }
}

/// Nodes for `pods` workload pods, `sg` of them SG pods, at `l` pods and
/// `b` branch ENIs per node: enough slots for all and branches for the SG
/// pods. `None` when no number of nodes holds them (no slot, or SG pods
/// without a trunk).
pub fn nodes_needed(pods: u64, sg: u64, l: u32, b: u32) -> Option<u64> {
    if pods == 0 {
        return Some(0);
    }
    if l == 0 || (sg > 0 && b == 0) {
        return None;
    }
    let by_slots = pods.div_ceil(u64::from(l));
    let by_branches = if sg == 0 { 0 } else { sg.div_ceil(u64::from(b)) };
    Some(by_slots.max(by_branches))
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
    let rec = exact::recommend(&cap, p, q.risk, q.budget, type_cap);
    let recommended = rec.map(|r| figures(t, &cap, p, r.max_pods, q, price));
    let next = rec
        .filter(|r| r.max_pods < type_cap)
        .map(|r| figures(t, &cap, p, r.max_pods + 1, q, price));
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
    let mut known: Vec<Figures> = recommended.iter().chain(next.iter()).cloned().collect();
    let mut figures_at = |m: u32| -> Figures {
        if let Some(f) = known.iter().find(|f| f.max_pods == m) {
            return f.clone();
        }
        let f = figures(t, &cap, p, m, q, price);
        known.push(f.clone());
        f
    };
    let formulas = formulas
        .iter()
        .map(|f| {
            let name = f.name();
            match f.max_pods(t, &q.settings, q.system) {
                Ok(m) if m.value > q.system.total() => FormulaFigures {
                    formula: name.clone(),
                    figures: Some(figures_at(m.value)),
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
        notes,
    }
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
                    res: crate::model::node::Resources::NONE,
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

    #[test]
    fn nodes_and_cost_for_a_workload() {
        assert_eq!(nodes_needed(100, 30, 40, 18), Some(3));
        assert_eq!(nodes_needed(100, 90, 40, 18), Some(5), "branches decide");
        assert_eq!(nodes_needed(10, 1, 40, 0), None, "SG pods need a trunk");
        assert_eq!(nodes_needed(0, 0, 0, 0), Some(0));
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
