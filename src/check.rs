//! Published figures as expectations (`[[expect]]` in a scenario), and the
//! comparison `sgpsim check` reports.
//!
//! An entry the model disputes records the model's own figure and the reason;
//! it is reported apart and fails only if the model's figure changes.

use std::fmt;

use serde::Deserialize;

use crate::error::InputError;
use crate::input::scenario::Scenario;
use crate::model::formula::Formula;
use crate::model::node::ip_capacity_without_trunk;
use crate::model::order::Order;
use crate::model::replay::Policy;
use crate::runner::sweep::{Cell, Summary, SweepResult};

/// `[[expect]]` as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawExpect {
    /// The published table the figure comes from.
    pub table: String,
    pub row: Option<String>,
    pub column: Option<String>,
    pub instance_type: String,
    pub formula: Option<String>,
    pub order: Option<String>,
    pub policy: Option<String>,
    pub metric: String,
    /// A number, or `"none"` (no IP failure).
    pub value: toml::Value,
    /// `eq` (default), `le`, `ge`, `lt` or `gt`.
    pub op: Option<String>,
    pub tolerance: Option<f64>,
    /// For the `*_reduction` metrics: the formula compared against.
    pub baseline: Option<String>,
    pub disputed: Option<RawDispute>,
}

/// `disputed = { model = 18, reason = "..." }`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDispute {
    pub model: toml::Value,
    pub reason: String,
}

/// What an expectation measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    // Per (type, formula): no replay needed.
    MaxPods,
    MaxPodsReduction,
    IpCapacity,
    IpCapacityWithoutTrunk,
    BranchCapacity,
    EniMaxPods,
    SystemPods,
    // Per cell: from the replay.
    FirstIpFailure,
    IpFailed,
    Running,
    RunningSg,
    RunningIp,
    Pending,
    PendingSg,
    PendingIp,
    WastedIps,
    WastedIpsMax,
    WastedIpsReduction,
    StrandedSlots,
    FailureRate,
    FailureRateMax,
    TrialsWithFailure,
    Nodes,
}

const METRICS: [(&str, Metric); 23] = [
    ("max_pods", Metric::MaxPods),
    ("max_pods_reduction", Metric::MaxPodsReduction),
    ("ip_capacity", Metric::IpCapacity),
    ("ip_capacity_without_trunk", Metric::IpCapacityWithoutTrunk),
    ("branch_capacity", Metric::BranchCapacity),
    ("eni_max_pods", Metric::EniMaxPods),
    ("system_pods", Metric::SystemPods),
    ("first_ip_failure", Metric::FirstIpFailure),
    ("ip_failed", Metric::IpFailed),
    ("running", Metric::Running),
    ("running_sg", Metric::RunningSg),
    ("running_ip", Metric::RunningIp),
    ("pending", Metric::Pending),
    ("pending_sg", Metric::PendingSg),
    ("pending_ip", Metric::PendingIp),
    ("wasted_ips", Metric::WastedIps),
    ("wasted_ips_max", Metric::WastedIpsMax),
    ("wasted_ips_reduction", Metric::WastedIpsReduction),
    ("stranded_slots", Metric::StrandedSlots),
    ("failure_rate", Metric::FailureRate),
    ("failure_rate_max", Metric::FailureRateMax),
    ("trials_with_failure", Metric::TrialsWithFailure),
    ("nodes", Metric::Nodes),
];

impl Metric {
    pub fn name(self) -> &'static str {
        METRICS.iter().find(|(_, m)| *m == self).map(|(n, _)| *n).unwrap_or("?")
    }

    fn needs_formula(self) -> bool {
        !matches!(
            self,
            Metric::IpCapacity
                | Metric::IpCapacityWithoutTrunk
                | Metric::BranchCapacity
                | Metric::EniMaxPods
                | Metric::SystemPods
        )
    }

    fn needs_order(self) -> bool {
        !matches!(
            self,
            Metric::MaxPods
                | Metric::MaxPodsReduction
                | Metric::IpCapacity
                | Metric::IpCapacityWithoutTrunk
                | Metric::BranchCapacity
                | Metric::EniMaxPods
                | Metric::SystemPods
        )
    }

    fn needs_baseline(self) -> bool {
        matches!(self, Metric::MaxPodsReduction | Metric::WastedIpsReduction)
    }
}

/// How the simulated figure must relate to the published one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Le,
    Ge,
    Lt,
    Gt,
}

impl Op {
    fn symbol(self) -> &'static str {
        match self {
            Op::Eq => "=",
            Op::Le => "<=",
            Op::Ge => ">=",
            Op::Lt => "<",
            Op::Gt => ">",
        }
    }
}

/// A figure: a number, or none (no IP failure happened).
pub type Figure = Option<f64>;

fn show(f: Figure) -> String {
    match f {
        None => "none".into(),
        Some(v) if v.fract() == 0.0 && v.abs() < 1e15 => format!("{}", v as i64),
        Some(v) => format!("{v:.4}"),
    }
}

/// A validated expectation.
#[derive(Debug, Clone)]
pub struct Expect {
    pub table: String,
    pub row: Option<String>,
    pub column: Option<String>,
    pub instance_type: String,
    pub formula: Option<String>,
    pub order: Option<Order>,
    pub policy: Option<Policy>,
    pub metric: Metric,
    pub value: Figure,
    pub op: Op,
    pub tolerance: f64,
    pub baseline: Option<String>,
    /// The model's own figure and why it differs from the published one.
    pub disputed: Option<(Figure, String)>,
}

fn figure(v: &toml::Value, field: &str) -> Result<Figure, InputError> {
    match v {
        toml::Value::Integer(i) => Ok(Some(*i as f64)),
        toml::Value::Float(f) if f.is_finite() => Ok(Some(*f)),
        toml::Value::String(s) if s == "none" => Ok(None),
        other => Err(InputError::field(
            field,
            format!("`{other}` is not a figure"),
            "give a number, or \"none\" for no IP failure",
        )),
    }
}

impl Expect {
    /// Checks an entry against the scenario it belongs to: its type, formula,
    /// order and policy must be among the scenario's cells.
    pub fn validate(raw: RawExpect, sc: &Scenario) -> Result<Expect, InputError> {
        let metric = METRICS
            .iter()
            .find(|(n, _)| *n == raw.metric)
            .map(|(_, m)| *m)
            .ok_or_else(|| {
                InputError::field(
                    "metric",
                    format!("unknown metric `{}`", raw.metric),
                    format!("use one of {}", METRICS.map(|(n, _)| n).join(", ")),
                )
            })?;
        if !sc.types.iter().any(|t| t.name == raw.instance_type) {
            return Err(InputError::field(
                "instance_type",
                format!("`{}` is not among the scenario's instance types", raw.instance_type),
                "add it to `instance_types`",
            ));
        }
        let in_scenario = |name: &str, field: &str| -> Result<String, InputError> {
            let f = Formula::parse(name).map_err(|e| InputError {
                field: Some(field.into()),
                ..e
            })?;
            if sc.formulas.contains(&f) {
                Ok(f.name())
            } else {
                Err(InputError::field(
                    field,
                    format!("`{name}` is not among the scenario's formulas"),
                    "add it to `formulas`",
                ))
            }
        };
        let formula = match (&raw.formula, metric.needs_formula()) {
            (Some(f), _) => Some(in_scenario(f, "formula")?),
            (None, true) => {
                return Err(InputError::field(
                    "formula",
                    format!("metric `{}` needs a formula", raw.metric),
                    "add `formula = \"...\"`",
                ));
            }
            (None, false) => None,
        };
        let baseline = match (&raw.baseline, metric.needs_baseline()) {
            (Some(b), true) => Some(in_scenario(b, "baseline")?),
            (None, true) => {
                return Err(InputError::field(
                    "baseline",
                    format!("metric `{}` compares against a baseline formula", raw.metric),
                    "add `baseline = \"aws-default\"` (or another formula of the scenario)",
                ));
            }
            (Some(_), false) => {
                return Err(InputError::field(
                    "baseline",
                    format!("metric `{}` takes no baseline", raw.metric),
                    "drop `baseline`",
                ));
            }
            (None, false) => None,
        };
        let order = match (&raw.order, metric.needs_order()) {
            (Some(o), _) => {
                let o: Order = o.parse().map_err(|e| InputError {
                    field: Some("order".into()),
                    ..e
                })?;
                if !sc.orders.contains(&o) {
                    return Err(InputError::field(
                        "order",
                        format!("order `{o}` is not among the scenario's orders"),
                        "add it to `orders`",
                    ));
                }
                Some(o)
            }
            (None, true) => {
                return Err(InputError::field(
                    "order",
                    format!("metric `{}` comes from a replay and needs an order", raw.metric),
                    "add `order = \"sg-first\"` (or ip-first, random, interleaved)",
                ));
            }
            (None, false) => None,
        };
        let policy = match &raw.policy {
            Some(p) => {
                let p: Policy = p.parse().map_err(|e| InputError {
                    field: Some("policy".into()),
                    ..e
                })?;
                if !sc.policies.contains(&p) {
                    return Err(InputError::field(
                        "policy",
                        format!("policy `{p}` is not among the scenario's policies"),
                        "add it to `policies`",
                    ));
                }
                Some(p)
            }
            None if metric.needs_order() && sc.policies.len() > 1 => {
                return Err(InputError::field(
                    "policy",
                    "the scenario runs several policies",
                    "say which with `policy = \"...\"`",
                ));
            }
            None => None,
        };
        let op = match raw.op.as_deref().unwrap_or("eq") {
            "eq" => Op::Eq,
            "le" => Op::Le,
            "ge" => Op::Ge,
            "lt" => Op::Lt,
            "gt" => Op::Gt,
            other => {
                return Err(InputError::field(
                    "op",
                    format!("unknown comparison `{other}`"),
                    "use eq, le, ge, lt or gt",
                ));
            }
        };
        let tolerance = raw.tolerance.unwrap_or(0.0);
        if !(tolerance.is_finite() && tolerance >= 0.0) {
            return Err(InputError::field(
                "tolerance",
                "must be a number >= 0",
                "e.g. `tolerance = 0.01`",
            ));
        }
        let disputed = match raw.disputed {
            Some(d) => {
                if d.reason.trim().is_empty() {
                    return Err(InputError::field(
                        "disputed.reason",
                        "a disputed entry needs its reason",
                        "say why the model differs from the published figure",
                    ));
                }
                Some((figure(&d.model, "disputed.model")?, d.reason))
            }
            None => None,
        };
        Ok(Expect {
            table: raw.table,
            row: raw.row,
            column: raw.column,
            instance_type: raw.instance_type,
            formula,
            order,
            policy,
            metric,
            value: figure(&raw.value, "value")?,
            op,
            tolerance,
            baseline,
            disputed,
        })
    }

    /// "table / row / column".
    pub fn source(&self) -> String {
        let mut s = self.table.clone();
        for part in [&self.row, &self.column].into_iter().flatten() {
            s.push_str(" / ");
            s.push_str(part);
        }
        s
    }

    /// "m5.xlarge aws-default sg-first wasted_ips".
    pub fn subject(&self) -> String {
        let mut parts = vec![self.instance_type.clone()];
        parts.extend(self.formula.clone());
        if let Some(b) = &self.baseline {
            parts.push(format!("vs {b}"));
        }
        parts.extend(self.order.map(|o| o.to_string()));
        parts.extend(self.policy.map(|p| p.to_string()));
        parts.push(self.metric.name().to_string());
        parts.join(" ")
    }

    fn holds(&self, sim: Figure, target: Figure) -> bool {
        match (sim, target) {
            (None, None) => self.op == Op::Eq || self.op == Op::Le || self.op == Op::Ge,
            (Some(s), Some(t)) => {
                let tol = self.tolerance + 1e-9;
                match self.op {
                    Op::Eq => (s - t).abs() <= tol,
                    Op::Le => s <= t + tol,
                    Op::Ge => s >= t - tol,
                    Op::Lt => s < t,
                    Op::Gt => s > t,
                }
            }
            _ => false,
        }
    }
}

/// How one expectation came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// The model gives the published figure.
    Holds,
    /// The model differs from the published figure: a regression, or a
    /// dispute to record.
    Differs,
    /// Disputed, and the model still gives its recorded figure.
    Disputed,
    /// Disputed, but the model's figure is no longer the recorded one.
    DisputeStale,
}

/// One line of the check report.
#[derive(Debug, Clone)]
pub struct Line {
    pub expect: Expect,
    pub simulated: Figure,
    pub status: Status,
}

impl fmt::Display for Line {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let e = &self.expect;
        let tag = match self.status {
            Status::Holds => "ok",
            Status::Differs => "DIFFERS",
            Status::Disputed => "disputed",
            Status::DisputeStale => "DISPUTE STALE",
        };
        write!(
            f,
            "{tag:<13} {}: {}: published {}{}, simulated {}",
            e.source(),
            e.subject(),
            if e.op == Op::Eq { "" } else { e.op.symbol() },
            show(e.value),
            show(self.simulated)
        )?;
        if let Some((model, reason)) = &e.disputed {
            match self.status {
                Status::DisputeStale if e.holds(self.simulated, e.value) => write!(
                    f,
                    "\n              the model now agrees with the published figure: drop the dispute"
                )?,
                Status::DisputeStale => write!(
                    f,
                    "\n              the dispute records the model's figure as {}",
                    show(*model)
                )?,
                _ => write!(f, "\n              why: {reason}")?,
            }
        }
        Ok(())
    }
}

/// Compares every expectation of `sc` with the sweep of its cells.
pub fn evaluate(sc: &Scenario, cells: &[Cell], result: &SweepResult) -> Vec<Line> {
    sc.expects
        .iter()
        .map(|e| {
            let simulated = simulated(e, sc, cells, result);
            let status = match &e.disputed {
                None if e.holds(simulated, e.value) => Status::Holds,
                None => Status::Differs,
                Some(_) if e.holds(simulated, e.value) => Status::DisputeStale,
                Some((model, _)) => {
                    let same = match (simulated, model) {
                        (None, None) => true,
                        (Some(s), Some(m)) => (s - m).abs() <= e.tolerance + 1e-9,
                        _ => false,
                    };
                    if same { Status::Disputed } else { Status::DisputeStale }
                }
            };
            Line {
                expect: e.clone(),
                simulated,
                status,
            }
        })
        .collect()
}

fn find<'a>(cells: &'a [Cell], result: &'a SweepResult, e: &Expect, formula: &str) -> Option<(&'a Cell, &'a Summary)> {
    cells.iter().zip(&result.summaries).find(|(c, _)| {
        c.instance_type == e.instance_type
            && c.formula == formula
            && e.order.is_none_or(|o| c.order == o)
            && e.policy.is_none_or(|p| c.policy == p)
    })
}

fn simulated(e: &Expect, sc: &Scenario, cells: &[Cell], result: &SweepResult) -> Figure {
    let t = sc
        .types
        .iter()
        .find(|t| t.name == e.instance_type)
        .expect("validated: the type is in the scenario");
    let cell_of = |formula: &str| find(cells, result, e, formula);
    let here = e.formula.as_deref().and_then(cell_of);
    let num = |x: f64| Some(x);
    match e.metric {
        Metric::IpCapacity => cells
            .iter()
            .find(|c| c.instance_type == t.name)
            .map(|c| c.cluster.node.ip_capacity as f64),
        Metric::IpCapacityWithoutTrunk => num(ip_capacity_without_trunk(t, &sc.settings) as f64),
        Metric::BranchCapacity => cells
            .iter()
            .find(|c| c.instance_type == t.name)
            .map(|c| c.cluster.node.branch_capacity as f64),
        Metric::EniMaxPods => t.eni_max_pods.map(f64::from),
        Metric::SystemPods => num(sc.system_for(t).host as f64),
        Metric::MaxPods => here.map(|(c, _)| c.cluster.node.max_pods as f64),
        Metric::MaxPodsReduction => {
            let base = cell_of(e.baseline.as_deref()?)?.0.cluster.node.max_pods as f64;
            here.map(|(c, _)| base - c.cluster.node.max_pods as f64)
        }
        Metric::WastedIpsReduction => {
            let base = cell_of(e.baseline.as_deref()?)?.1.wasted_ips_mean;
            here.map(|(_, s)| base - s.wasted_ips_mean)
        }
        m => {
            let s = here?.1;
            match m {
                Metric::FirstIpFailure => s.first_ip_failure_min.map(f64::from),
                Metric::IpFailed => num(s.ip_failed_mean),
                Metric::Running => num(s.running_total()),
                Metric::RunningSg => num(s.running_mean[0]),
                Metric::RunningIp => num(s.running_mean[1]),
                Metric::Pending => num(s.pending_total()),
                Metric::PendingSg => num(s.pending_mean[0]),
                Metric::PendingIp => num(s.pending_mean[1]),
                Metric::WastedIps => num(s.wasted_ips_mean),
                Metric::WastedIpsMax => num(s.wasted_ips_max as f64),
                Metric::StrandedSlots => num(s.stranded_slots_mean),
                Metric::FailureRate => num(s.failure_rate_mean),
                Metric::FailureRateMax => num(s.failure_rate_max),
                Metric::TrialsWithFailure => num(s.trials_with_failure as f64),
                Metric::Nodes => num(s.nodes_mean),
                _ => unreachable!("static metrics handled above"),
            }
        }
    }
}

/// Counts by status: (holds, differs, disputed, stale).
pub fn tally(lines: &[Line]) -> (usize, usize, usize, usize) {
    let n = |s| lines.iter().filter(|l| l.status == s).count();
    (
        n(Status::Holds),
        n(Status::Differs),
        n(Status::Disputed),
        n(Status::DisputeStale),
    )
}
