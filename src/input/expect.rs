//! `[[expect]]` entries of a scenario: published figures as written
//! ([`RawExpect`]) and validated against the scenario's axes ([`Expect`]).
//! `check` compares them with the model.

use serde::Deserialize;

use crate::error::InputError;
use crate::model::formula::Formula;
use crate::model::instance::InstanceType;
use crate::model::order::Order;
use crate::model::placement::Policy;

/// The scenario's axes an expectation must fall within.
#[derive(Debug, Clone, Copy)]
pub struct Axes<'a> {
    pub types: &'a [InstanceType],
    pub formulas: &'a [Formula],
    pub orders: &'a [Order],
    pub policies: &'a [Policy],
}

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
    pub(crate) fn symbol(self) -> &'static str {
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

/// A figure as the check report prints it.
pub fn show(f: Figure) -> String {
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

/// A name far longer than any order or policy is refused before parsing,
/// so that no message echoes it whole.
fn short<'a>(text: &'a str, field: &str) -> Result<&'a str, InputError> {
    if text.chars().count() > 64 {
        return Err(InputError::field(
            field,
            format!("`{}` is not a {field} name", crate::model::formula::shown(text)),
            format!("name one of the scenario's {field} values"),
        ));
    }
    Ok(text)
}

fn figure(v: &toml::Value, field: &str) -> Result<Figure, InputError> {
    match v {
        toml::Value::Integer(i) => Ok(Some(*i as f64)),
        toml::Value::Float(f) if f.is_finite() => Ok(Some(*f)),
        toml::Value::String(s) if s == "none" => Ok(None),
        other => Err(InputError::field(
            field,
            format!("`{}` is not a figure", crate::model::formula::shown(&other.to_string())),
            "give a number, or \"none\" for no IP failure",
        )),
    }
}

impl Expect {
    /// Checks an entry against the scenario it belongs to: its type, formula,
    /// order and policy must be among the scenario's cells.
    pub fn validate(raw: RawExpect, sc: &Axes<'_>) -> Result<Expect, InputError> {
        let metric = METRICS
            .iter()
            .find(|(n, _)| *n == raw.metric)
            .map(|(_, m)| *m)
            .ok_or_else(|| {
                InputError::field(
                    "metric",
                    format!("unknown metric `{}`", crate::model::formula::shown(&raw.metric)),
                    format!("use one of {}", METRICS.map(|(n, _)| n).join(", ")),
                )
            })?;
        if !sc.types.iter().any(|t| t.name == raw.instance_type) {
            return Err(InputError::field(
                "instance_type",
                format!(
                    "`{}` is not among the scenario's instance types",
                    crate::model::formula::shown(&raw.instance_type)
                ),
                "add it to `instance_types`",
            ));
        }
        let in_scenario = |name: &str, field: &str| -> Result<String, InputError> {
            let f = Formula::parse(name).map_err(|e| InputError::from(e).at(field))?;
            if sc.formulas.contains(&f) {
                Ok(f.name())
            } else {
                Err(InputError::field(
                    field,
                    format!(
                        "`{}` is not among the scenario's formulas",
                        crate::model::formula::shown(name)
                    ),
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
                let o: Order = short(o, "order")?
                    .parse()
                    .map_err(|e| InputError::from(e).at("order"))?;
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
                let p: Policy = short(p, "policy")?
                    .parse()
                    .map_err(|e| InputError::from(e).at("policy"))?;
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
                    format!("unknown comparison `{}`", crate::model::formula::shown(other)),
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

    pub(crate) fn holds(&self, sim: Figure, target: Figure) -> bool {
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
