//! The report's tables: every instance type at a glance; a table per type
//! (for a static run) with each formula's figures per order; and for a
//! timed run, the timed measures.

use super::advice::{Cpu, contradiction, held_by, largest_safe};
use super::inputs::{TimeToRunning, TimedMeasures};
use super::words::{count, distinct, pct, pct_with_interval};
use crate::chart::measures::{
    failure_rate, mismatch, pending, pending_share, risk, stranded_slots, wasted_ips, workload,
};
use crate::output::Row;

/// A table: caption, header, rows of text, and notes printed below it.
pub(super) struct Table {
    pub(super) caption: String,
    pub(super) header: Vec<String>,
    pub(super) rows: Vec<Vec<String>>,
    pub(super) notes: Vec<String>,
}

/// The mark beside a formula that does not fit its nodes.
const MISFIT: &str = "†";

/// A formula's name as a table shows it, marked when it does not fit.
fn formula_cell(r: &Row) -> String {
    if mismatch(r).is_some() {
        format!("{} {MISFIT}", r.formula)
    } else {
        r.formula.clone()
    }
}

/// The note below a table for each formula in it that does not fit.
fn misfit_notes(rows: &[&Row]) -> Vec<String> {
    let mut notes: Vec<String> = Vec::new();
    for r in rows {
        if let Some(why) = mismatch(r) {
            let note = format!("{MISFIT} {}: {why}; the row shows what such a node does.", r.formula);
            if !notes.contains(&note) {
                notes.push(note);
            }
        }
    }
    notes
}

/// The policies of the rows, and a suffix naming the policy where there
/// are several.
fn by_policy(rows: &[Row]) -> Vec<(Vec<&Row>, String)> {
    let policies = distinct(rows.iter().map(|r| r.policy.as_str()));
    policies
        .iter()
        .map(|p| {
            let suffix = if policies.len() > 1 {
                format!(", policy {p}")
            } else {
                String::new()
            };
            (rows.iter().filter(|r| &r.policy == p).collect(), suffix)
        })
        .collect()
}

/// What a formula's random-order (or, without one, fixed-order) risk reads
/// as in a table: `25%`, `23% (95% interval 20–26%)`, `fails in 1 of 3 orders`.
fn risk_cell(of: &[&&Row]) -> String {
    if let Some(r) = of.iter().find(|r| r.order == "random") {
        return pct_with_interval(&risk(r));
    }
    let failing = of.iter().filter(|r| risk(r).value > 0.0).count();
    format!("fails in {failing} of {} orders", of.len())
}

/// The glance table's largest safe maxPods for a type: the node model's
/// (MODEL.md §11), or where this run's rows contradict it, that.
fn safe_cell(first: &Row, of: &[&&Row], cpu: &Cpu) -> String {
    let Some(s) = largest_safe(first, cpu) else {
        return "none".into();
    };
    let of: Vec<&Row> = of.iter().map(|r| **r).collect();
    if let Some(r) = contradiction(&s, &of, |r| risk(r).value > 0.0) {
        return format!("{} by MODEL.md §11, but {} fails here", s.max_pods, r.max_pods);
    }
    match s.held {
        Some(h) if h.pods == 0 => format!("none (no pod fits a node by {})", held_by(h)),
        Some(h) => format!("any ({} pods a node by {})", h.pods, held_by(h)),
        None => s.max_pods.to_string(),
    }
}

/// One table per policy with a row per instance type: its capacities, the
/// largest maxPods no order can break, and each formula's maxPods with the
/// share of random orders that leave a pod without an IP.
pub(super) fn glance(rows: &[Row], cpu: &Cpu) -> Vec<Table> {
    let mut out = Vec::new();
    for (rows, suffix) in by_policy(rows) {
        let formulas = distinct(rows.iter().map(|r| r.formula.as_str()));
        let random = rows.iter().any(|r| r.order == "random");
        let mut header: Vec<String> = [
            "instance type",
            "IPs",
            "branch ENIs",
            "system pods",
            "largest safe maxPods",
        ]
        .map(String::from)
        .to_vec();
        header.extend(formulas.iter().cloned());
        let mut body = Vec::new();
        for ty in distinct(rows.iter().map(|r| r.instance_type.as_str())) {
            let of: Vec<&&Row> = rows.iter().filter(|r| r.instance_type == ty).collect();
            let first = of[0];
            let mut line = vec![
                ty.clone(),
                first.ip_capacity.to_string(),
                first.branch_capacity.to_string(),
                (first.system_pods + first.system_ip_pods).to_string(),
                safe_cell(first, &of, cpu),
            ];
            for f in &formulas {
                let mine: Vec<&&Row> = of.iter().copied().filter(|r| &r.formula == f).collect();
                line.push(match mine.first() {
                    Some(r) => {
                        let mark = if mismatch(r).is_some() {
                            format!(" {MISFIT}")
                        } else {
                            String::new()
                        };
                        format!("{}{mark}: {}", r.max_pods, risk_cell(&mine))
                    }
                    None => String::new(),
                });
            }
            body.push(line);
        }
        let measure = if random {
            "the share of random orders that leave a pod without an IP"
        } else {
            "how many of the orders tried leave a pod without an IP"
        };
        out.push(Table {
            caption: format!("Every instance type: per formula, maxPods: {measure}{suffix}"),
            header,
            notes: misfit_notes(&rows),
            rows: body,
        });
    }
    out
}

/// The order whose waste a table shows: random if present, else the first.
fn reference_order(orders: &[String]) -> String {
    if orders.iter().any(|o| o == "random") {
        "random".into()
    } else {
        orders.first().cloned().unwrap_or_default()
    }
}

/// A table per instance type in `types` (and policy): a row per formula with
/// its maxPods and workload, per order the share of workload pods left
/// without an IP and, where any pod is pending, the share pending; the
/// share of random orders that fail; and the waste under the reference order.
pub(super) fn details(rows: &[Row], types: &[String]) -> Vec<Table> {
    let mut out = Vec::new();
    for (rows, suffix) in by_policy(rows) {
        let orders = distinct(rows.iter().map(|r| r.order.as_str()));
        let reference = reference_order(&orders);
        for ty in types {
            let of: Vec<&Row> = rows.iter().copied().filter(|r| &r.instance_type == ty).collect();
            let Some(first) = of.first() else { continue };
            let any_pending = of.iter().any(|r| pending(r) > 0.0);
            let mut header: Vec<String> = ["formula", "maxPods", "SG / IP / host pods"].map(String::from).to_vec();
            for o in &orders {
                header.push(format!("no IP, {o}"));
                if any_pending {
                    header.push(format!("pending, {o}"));
                }
            }
            if orders.iter().any(|o| o == "random") {
                header.push("random orders that fail".into());
            }
            header.push(format!("wasted IPs ({reference})"));
            header.push(format!("stranded slots ({reference})"));
            let mut body = Vec::new();
            for f in distinct(of.iter().map(|r| r.formula.as_str())) {
                let get = |o: &str| of.iter().copied().find(|r| r.formula == f && r.order == o);
                let Some(any) = of.iter().copied().find(|r| r.formula == f) else {
                    continue;
                };
                let mut line = vec![
                    formula_cell(any),
                    any.max_pods.to_string(),
                    format!("{} / {} / {}", any.sg_pods, any.ip_pods, any.host_pods),
                ];
                for o in &orders {
                    line.push(get(o).map_or("".into(), |r| pct(failure_rate(r).value)));
                    if any_pending {
                        line.push(get(o).map_or("".into(), |r| pct(pending_share(r))));
                    }
                }
                if orders.iter().any(|o| o == "random") {
                    line.push(get("random").map_or("".into(), |r| {
                        let e = risk(r);
                        if e.is_exact() {
                            pct(e.value)
                        } else {
                            format!("{} of {}", pct_with_interval(&e), r.trials)
                        }
                    }));
                }
                let reference_row = get(&reference);
                line.push(reference_row.map_or("".into(), |r| count(wasted_ips(r))));
                line.push(reference_row.map_or("".into(), |r| count(stranded_slots(r))));
                body.push(line);
            }
            let mut caption = format!(
                "{ty}: {} IPs, {} branch ENIs, {} system pods per node{suffix}",
                first.ip_capacity,
                first.branch_capacity,
                first.system_pods + first.system_ip_pods,
            );
            if !any_pending {
                caption.push_str("; no pod pending in any order");
            }
            out.push(Table {
                caption,
                header,
                notes: misfit_notes(&of),
                rows: body,
            });
        }
    }
    out
}

/// `p50 / p95 / max` seconds, `-` for a figure no pod gave.
fn times(t: &TimeToRunning) -> String {
    let f = |v: Option<f64>| v.map_or("-".into(), |s| format!("{s:.0}"));
    format!("{} / {} / {}", f(t.p50), f(t.p95), f(t.max))
}

/// A timed run's table per instance type (and policy): a row per formula
/// and order with what the workload ended as (no IP, pending, running), the
/// time to running per kind, ip-failed pod-seconds, nodes and their cost.
pub(super) fn timed(rows: &[Row], measures: &[TimedMeasures]) -> Vec<Table> {
    let mut out = Vec::new();
    let paired: Vec<(&Row, &TimedMeasures)> = rows.iter().zip(measures).collect();
    let policies = distinct(rows.iter().map(|r| r.policy.as_str()));
    for policy in &policies {
        for ty in distinct(
            rows.iter()
                .filter(|r| &r.policy == policy)
                .map(|r| r.instance_type.as_str()),
        ) {
            let of: Vec<&(&Row, &TimedMeasures)> = paired
                .iter()
                .filter(|(r, _)| &r.policy == policy && r.instance_type == ty)
                .collect();
            let Some((first, m0)) = of.first() else { continue };
            let priced = of.iter().any(|(_, m)| m.cost.is_some());
            let eniconfig = of.iter().any(|(_, m)| m.subnet_peak[1] > 0.0);
            let waited = of.iter().any(|(_, m)| m.subnet_waited > 0.0);
            let mut header: Vec<String> = [
                "formula",
                "order",
                "maxPods",
                "SG / IP / host pods",
                "trials that fail",
                "no IP at the end",
                "pending at the end",
                "running",
                "SG pods to running, s (p50 / p95 / max)",
                "IP pods to running, s (p50 / p95 / max)",
                "ip-failed pod-seconds",
                "nodes launched",
                "node-hours",
            ]
            .map(String::from)
            .to_vec();
            if priced {
                header.push("cost, $".into());
            }
            header.push(if eniconfig {
                "subnet addresses at peak (node / ENIConfig)".into()
            } else {
                "subnet addresses at peak".into()
            });
            if waited {
                header.push("pods that waited on the subnet".into());
            }
            let mut body = Vec::new();
            for (r, m) in &of {
                let n = workload(r) as f64;
                let share = |x: f64| if n > 0.0 { pct(x / n) } else { "0%".into() };
                let e = risk(r);
                let mut line = vec![
                    formula_cell(r),
                    r.order.clone(),
                    r.max_pods.to_string(),
                    format!("{} / {} / {}", r.sg_pods, r.ip_pods, r.host_pods),
                    format!(
                        "{} of {}",
                        if e.is_exact() {
                            pct(e.value)
                        } else {
                            pct_with_interval(&e)
                        },
                        r.trials
                    ),
                    format!("{} ({})", count(r.ip_failed_mean), share(r.ip_failed_mean)),
                    format!("{} ({})", count(pending(r)), share(pending(r))),
                    format!("{} ({})", count(r.running_mean), share(r.running_mean)),
                    times(&m.sg),
                    times(&m.ip),
                    format!("{:.0}", m.ip_failed_pod_seconds),
                    count(m.nodes_launched),
                    format!("{:.2}", m.node_hours),
                ];
                if priced {
                    line.push(m.cost.map_or("-".into(), |c| format!("{c:.2}")));
                }
                line.push(if eniconfig {
                    format!("{} / {}", count(m.subnet_peak[0]), count(m.subnet_peak[1]))
                } else {
                    count(m.subnet_peak[0])
                });
                if waited {
                    line.push(count(m.subnet_waited));
                }
                body.push(line);
            }
            let suffix = if policies.len() > 1 {
                format!(", policy {policy}")
            } else {
                String::new()
            };
            let refs: Vec<&Row> = of.iter().map(|(r, _)| *r).collect();
            out.push(Table {
                caption: format!(
                    "{ty}: {} IPs, {} branch ENIs, {} system pods per node; arrivals {}, horizon {} s; means over trials{suffix}",
                    first.ip_capacity,
                    first.branch_capacity,
                    first.system_pods + first.system_ip_pods,
                    m0.arrivals,
                    m0.horizon_s.round(),
                ),
                header,
                notes: misfit_notes(&refs),
                rows: body,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::testing::fixture_rows;

    #[test]
    fn details_have_a_row_per_formula_and_a_column_per_order() {
        let rows = fixture_rows();
        let types = distinct(rows.iter().map(|r| r.instance_type.as_str()));
        let t = details(&rows, &types);
        assert_eq!(t.len(), 2);
        assert!(
            t[0].caption
                .starts_with("m5.large: 18 IPs, 9 branch ENIs, 2 system pods")
        );
        // The seed's fill gives one node more pods than slots: the B pods that
        // find no slot are pending, in a column beside each order's failures.
        assert!(!t[0].caption.contains("no pod pending"), "{}", t[0].caption);
        assert_eq!(
            t[0].header[3..7],
            [
                "no IP, sg-first",
                "pending, sg-first",
                "no IP, ip-first",
                "pending, ip-first"
            ]
        );
        assert_eq!(t[0].rows.len(), 2);
        assert!(t[0].rows.iter().all(|r| r.len() == t[0].header.len()));
        // aws-default on m5.large: 9 SG + 27 IP pods on 27 free slots; ip-first
        // binds 27 IP pods, 27 - 18 = 9 without an IP, and leaves the 9 SG pods pending.
        assert_eq!(t[0].rows[0][..3], ["aws-default", "29", "9 / 27 / 0"]);
        assert_eq!(t[0].rows[0][5], pct(9.0 / 36.0));
        assert_eq!(t[0].rows[0][6], pct(9.0 / 36.0));
    }

    #[test]
    fn without_pending_pods_the_caption_says_so() {
        let mut rows = fixture_rows();
        for r in rows.iter_mut() {
            r.pending_mean = 0.0;
            r.exact_pending_mean = r.exact_pending_mean.map(|_| 0.0);
        }
        let t = details(&rows, &["m5.large".to_string()]);
        assert_eq!(
            t[0].header[3..6],
            ["no IP, sg-first", "no IP, ip-first", "no IP, random"]
        );
        assert!(
            t[0].caption.ends_with("; no pod pending in any order"),
            "{}",
            t[0].caption
        );
    }

    #[test]
    fn glance_has_a_row_per_type_with_the_safe_max_pods() {
        let rows = fixture_rows();
        let t = glance(&rows, &Cpu::NotRequested);
        assert_eq!(t.len(), 1);
        assert_eq!(t[0].rows.len(), 2);
        // m5.large: 2 system pods + 18 IPs; aws-default's 29 fails in some random orders.
        assert_eq!(t[0].rows[0][..5], ["m5.large", "18", "9", "2", "20"]);
        let aws = risk(rows.iter().find(|r| r.order == "random").unwrap());
        assert_eq!(t[0].rows[0][5], format!("29: {}", pct(aws.value)));
        assert_eq!(t[0].rows[0][6], "20: 0%");
    }

    #[test]
    fn a_formula_that_does_not_fit_its_nodes_is_marked_and_explained() {
        let mut rows = fixture_rows();
        for r in rows.iter_mut().filter(|r| r.formula == "aws-default") {
            r.formula = "prefix-delegation".into();
        }
        let t = details(&rows, &["m5.large".to_string()]);
        assert_eq!(t[0].rows[0][0], "prefix-delegation †");
        assert!(
            t[0].notes[0].starts_with("† prefix-delegation: maxPods 29 assumes prefix delegation"),
            "{:?}",
            t[0].notes
        );
    }
}
