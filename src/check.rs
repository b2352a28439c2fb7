//! Published figures as expectations (`[[expect]]` in a scenario), and the
//! comparison `sgpsim check` reports.
//!
//! An entry the model disputes records the model's own figure and the reason;
//! it is reported apart and fails only if the model's figure changes.

use std::fmt;

use crate::error::InputError;
use crate::input::expect::{Expect, Figure, Metric, Op, show};
use crate::input::scenario::Scenario;
use crate::model::cell::Cell;
use crate::model::node::ip_capacity_without_trunk;
use crate::model::summary::Summary;
use crate::runner::pool::Pool;
use crate::timed::arrivals::Trace;

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

/// Runs the model a scenario's expectations are checked against: the timed
/// engine for a scenario with `[timed]` (its trace, if any, as `trace`),
/// else the static replay; on the current pool. Returns the cells and their
/// summaries, in cell order.
pub fn simulate(sc: &Scenario, trace: Option<&Trace>) -> Result<(Vec<Cell>, Vec<Summary>), InputError> {
    match &sc.timed {
        Some(timed) => {
            let cells = crate::input::scenario::timed_cells(sc, timed, trace)?;
            let result = crate::runner::timed::run(&cells, timed, sc.seed, trace, false);
            let summaries = result.cells.into_iter().map(|c| c.summary).collect();
            Ok((cells.into_iter().map(|tc| tc.cell).collect(), summaries))
        }
        None => {
            let cells = sc.cells()?;
            let result = crate::runner::sweep::run(&cells, sc.seed, false);
            Ok((cells, result.summaries))
        }
    }
}

/// Runs the model on `pool` (see [`simulate`]) and compares every
/// expectation of `sc` with it.
pub fn run(sc: &Scenario, trace: Option<&Trace>, pool: &Pool) -> Result<Vec<Line>, InputError> {
    let (cells, summaries) = pool.install(|| simulate(sc, trace))?;
    Ok(evaluate(sc, &cells, &summaries))
}

/// Compares every expectation of `sc` with the summaries of its cells.
pub fn evaluate(sc: &Scenario, cells: &[Cell], summaries: &[Summary]) -> Vec<Line> {
    sc.expects
        .iter()
        .map(|e| {
            let simulated = simulated(e, sc, cells, summaries);
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

fn find<'a>(cells: &'a [Cell], summaries: &'a [Summary], e: &Expect, formula: &str) -> Option<(&'a Cell, &'a Summary)> {
    cells.iter().zip(summaries).find(|(c, _)| {
        c.instance_type == e.instance_type
            && c.formula == formula
            && e.order.is_none_or(|o| c.order == o)
            && e.policy.is_none_or(|p| c.policy == p)
    })
}

fn simulated(e: &Expect, sc: &Scenario, cells: &[Cell], summaries: &[Summary]) -> Figure {
    let t = sc
        .types
        .iter()
        .find(|t| t.name == e.instance_type)
        .expect("validated: the type is in the scenario");
    let cell_of = |formula: &str| find(cells, summaries, e, formula);
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

/// Expectations that fail the check: figures that differ and stale disputes.
/// A recorded dispute whose model figure still holds passes.
pub fn failed(lines: &[Line]) -> usize {
    let (_, differs, _, stale) = tally(lines);
    differs + stale
}

impl Status {
    fn name(self) -> &'static str {
        match self {
            Status::Holds => "holds",
            Status::Differs => "differs",
            Status::Disputed => "disputed",
            Status::DisputeStale => "dispute-stale",
        }
    }
}

/// The check report as text: the scenario (`file` as shown) and its seed,
/// the lines grouped by status (failures first), the tallies, and a closing
/// `check: N passed, N failed` line in the plain form test harnesses read.
pub fn report(file: &str, seed: u64, lines: &[Line]) -> String {
    let (holds, differs, disputed, stale) = tally(lines);
    let mut text = format!("check {file} (seed {seed}): {} expectations\n\n", lines.len());
    for status in [Status::Differs, Status::DisputeStale, Status::Holds, Status::Disputed] {
        let group: Vec<_> = lines.iter().filter(|l| l.status == status).collect();
        if group.is_empty() {
            continue;
        }
        let title = match status {
            Status::Differs => "Differ from the published figure:",
            Status::DisputeStale => "Disputes whose recorded model figure no longer holds:",
            Status::Holds => "Hold:",
            Status::Disputed => "Disputed (the model and the publication disagree, reason recorded):",
        };
        text.push_str(title);
        text.push('\n');
        for l in group {
            text.push_str(&format!("  {l}\n"));
        }
        text.push('\n');
    }
    text.push_str(&format!(
        "{holds} hold, {differs} differ, {disputed} disputed, {stale} stale disputes\n"
    ));
    let failed = differs + stale;
    text.push_str(&format!("check: {} passed, {failed} failed\n", holds + disputed));
    text
}

/// The check report as one JSON object: the scenario, its seed, one object
/// per expectation in the scenario's order (a figure of `none`, no IP
/// failure, is `null`) and the tallies.
pub fn report_json(file: &str, seed: u64, lines: &[Line]) -> Vec<u8> {
    let (holds, differs, disputed, stale) = tally(lines);
    let expectations: Vec<serde_json::Value> = lines
        .iter()
        .map(|l| {
            let e = &l.expect;
            serde_json::json!({
                "status": l.status.name(),
                "table": e.table,
                "row": e.row,
                "column": e.column,
                "instance_type": e.instance_type,
                "formula": e.formula,
                "baseline": e.baseline,
                "order": e.order.map(|o| o.to_string()),
                "policy": e.policy.map(|p| p.to_string()),
                "metric": e.metric.name(),
                "op": e.op.symbol(),
                "tolerance": e.tolerance,
                "published": e.value,
                "simulated": l.simulated,
                "disputed": e.disputed.as_ref().map(|(model, reason)| serde_json::json!({
                    "model": model,
                    "reason": reason,
                })),
            })
        })
        .collect();
    crate::output::json(&serde_json::json!({
        "scenario": file,
        "seed": seed,
        "expectations": expectations,
        "holds": holds,
        "differs": differs,
        "disputed": disputed,
        "stale_disputes": stale,
        "passed": holds + disputed,
        "failed": differs + stale,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::catalog::Catalog;

    /// m5.large, aws-default, IP pods first, the seed's fill: the first IP
    /// failure is at IP pod 19 and 9 pods fail (MODEL.md §10).
    fn statuses(expects: &str) -> Vec<Status> {
        let toml = format!(
            "instance_types = [\"m5.large\"]\nformulas = [\"aws-default\"]\norders = [\"ip-first\"]\nworkload = {{ fill = \"seed\" }}\n{expects}"
        );
        let sc = Scenario::from_toml(&toml, "t", &Catalog::bundled()).unwrap();
        let (cells, summaries) = simulate(&sc, None).unwrap();
        evaluate(&sc, &cells, &summaries)
            .into_iter()
            .map(|l| l.status)
            .collect()
    }

    fn entry(metric: &str, rest: &str) -> String {
        format!(
            "[[expect]]\ntable = \"t\"\ninstance_type = \"m5.large\"\nformula = \"aws-default\"\norder = \"ip-first\"\nmetric = \"{metric}\"\n{rest}\n"
        )
    }

    #[test]
    fn figures_hold_or_differ_within_their_tolerance() {
        assert_eq!(statuses(&entry("first_ip_failure", "value = 19")), [Status::Holds]);
        assert_eq!(statuses(&entry("first_ip_failure", "value = 20")), [Status::Differs]);
        assert_eq!(
            statuses(&entry("first_ip_failure", "value = 20\ntolerance = 1")),
            [Status::Holds]
        );
        assert_eq!(
            statuses(&entry("ip_failed", "value = 10\nop = \"le\"")),
            [Status::Holds]
        );
        assert_eq!(
            statuses(&entry("ip_failed", "value = 9\nop = \"lt\"")),
            [Status::Differs]
        );
    }

    #[test]
    fn disputes_hold_while_the_model_keeps_its_recorded_figure() {
        // Published 24, the model says 19: a dispute recording 19 is disputed.
        let disputed = entry(
            "first_ip_failure",
            "value = 24\ndisputed = { model = 19, reason = \"r\" }",
        );
        assert_eq!(statuses(&disputed), [Status::Disputed]);
        // The recorded model figure no longer holds: stale.
        let moved = entry(
            "first_ip_failure",
            "value = 24\ndisputed = { model = 18, reason = \"r\" }",
        );
        assert_eq!(statuses(&moved), [Status::DisputeStale]);
        // The model now agrees with the publication: the dispute is stale too.
        let agreed = entry(
            "first_ip_failure",
            "value = 19\ndisputed = { model = 18, reason = \"r\" }",
        );
        assert_eq!(statuses(&agreed), [Status::DisputeStale]);
    }
}
