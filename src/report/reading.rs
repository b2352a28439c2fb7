//! The plain-language reading of a result, computed from its rows.

use super::words::{distinct, join_names, pct};
use crate::output::{self, Row};

/// The plain-language reading of the result, one sentence per line,
/// computed from the rows.
pub(super) fn reading(rows: &[Row]) -> Vec<String> {
    let mut out = Vec::new();
    let policies = distinct(rows.iter().map(|r| r.policy.as_str()));
    for policy in &policies {
        let rows: Vec<&Row> = rows.iter().filter(|r| &r.policy == policy).collect();
        let suffix = if policies.len() > 1 {
            format!(" (policy {policy})")
        } else {
            String::new()
        };
        for ty in distinct(rows.iter().map(|r| r.instance_type.as_str())) {
            let of: Vec<&Row> = rows.iter().copied().filter(|r| r.instance_type == ty).collect();
            let random: Vec<&Row> = of.iter().copied().filter(|r| r.order == "random").collect();
            let share = |r: &Row| r.trials_with_failure as f64 / r.trials.max(1) as f64;
            let worst = random.iter().max_by(|a, b| {
                share(a)
                    .total_cmp(&share(b))
                    .then(a.failure_rate_mean.total_cmp(&b.failure_rate_mean))
            });
            let mut s = match worst {
                Some(w) if w.trials_with_failure > 0 => format!(
                    "With {} on {ty}, {} of random orders leave pods without an IP ({} of workload pods on average, {} at worst).",
                    w.formula,
                    pct(share(w)),
                    pct(w.failure_rate_mean),
                    pct(w.failure_rate_max)
                ),
                Some(w) => format!(
                    "On {ty}, no formula left a pod without an IP in any of {} random orders.",
                    w.trials
                ),
                None => String::new(),
            };
            // The other formulas that fail in random orders, worst first.
            if let Some(w) = worst {
                let mut others: Vec<&Row> = random
                    .iter()
                    .copied()
                    .filter(|r| r.trials_with_failure > 0 && r.formula != w.formula)
                    .collect();
                others.sort_by(|a, b| share(b).total_cmp(&share(a)));
                let others: Vec<String> = others
                    .iter()
                    .map(|r| format!("{} {}", r.formula, pct(share(r))))
                    .collect();
                if !others.is_empty() {
                    s.push_str(&format!(" Others that fail: {}.", join_names(&others)));
                }
            }
            // Fixed orders that fail, grouped by order.
            let mut fixed: Vec<String> = Vec::new();
            for order in distinct(of.iter().filter(|r| r.order != "random").map(|r| r.order.as_str())) {
                let failing: Vec<String> = of
                    .iter()
                    .filter(|r| r.order == order && r.ip_failed_mean > 0.0)
                    .map(|r| r.formula.clone())
                    .collect();
                if !failing.is_empty() {
                    fixed.push(format!("{order} with {}", join_names(&failing)));
                }
            }
            if !fixed.is_empty() {
                s.push_str(&format!(" Fixed orders that fail: {}.", fixed.join("; ")));
            }
            // The safe formula that wastes least.
            let formulas = distinct(of.iter().map(|r| r.formula.as_str()));
            let safe: Vec<&String> = formulas
                .iter()
                .filter(|f| of.iter().filter(|r| &&r.formula == f).all(|r| r.ip_failed_mean == 0.0))
                .collect();
            let reference = |f: &str| {
                of.iter()
                    .find(|r| r.formula == f && r.order == "random")
                    .or_else(|| of.iter().find(|r| r.formula == f))
                    .map(|r| r.wasted_ips_mean)
                    .unwrap_or(0.0)
            };
            if let Some(best) = safe.iter().min_by(|a, b| reference(a).total_cmp(&reference(b))) {
                s.push_str(&format!(
                    " Of the formulas that never fail here, {best} wastes the fewest IPs ({} on average).",
                    output::num((reference(best) * 10.0).round() / 10.0)
                ));
            } else {
                s.push_str(&format!(
                    " Every formula tried leaves pods without an IP on {ty} in some order."
                ));
            }
            out.push(format!("{}{suffix}", s.trim()));
        }
        let formulas = distinct(rows.iter().map(|r| r.formula.as_str()));
        let never: Vec<String> = formulas
            .iter()
            .filter(|f| {
                rows.iter()
                    .filter(|r| &&r.formula == f)
                    .all(|r| r.ip_failed_mean == 0.0)
            })
            .cloned()
            .collect();
        let types = distinct(rows.iter().map(|r| r.instance_type.as_str())).len();
        out.push(if never.is_empty() {
            format!("No formula kept every pod with an IP on all {types} instance types and orders{suffix}.")
        } else {
            format!(
                "{} never left a pod without an IP, on any of the {types} instance types and in any order{suffix}.",
                join_names(&never)
            )
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::testing::fixture_rows;

    fn row(ty: &str, formula: &str, order: &str, failed: u64, trials: u64) -> Row {
        let base = fixture_rows().remove(0);
        Row {
            instance_type: ty.into(),
            formula: formula.into(),
            order: order.into(),
            trials,
            trials_with_failure: failed,
            ip_failed_mean: failed as f64,
            failure_rate_mean: failed as f64 / 1000.0,
            failure_rate_max: failed as f64 / 500.0,
            wasted_ips_mean: 10.0 - failed as f64,
            ..base
        }
    }

    #[test]
    fn reading_is_computed_from_the_rows() {
        let rows = vec![
            row("m5.xlarge", "aws-default", "random", 62, 100),
            row("m5.xlarge", "aws-default", "ip-first", 1, 1),
            row("m5.xlarge", "conservative", "random", 0, 100),
            row("m5.xlarge", "conservative", "ip-first", 0, 1),
            row("m5.xlarge", "aggressive", "random", 3, 100),
        ];
        let lines = reading(&rows);
        assert_eq!(lines.len(), 2);
        assert!(
            lines[0].starts_with("With aws-default on m5.xlarge, 62% of random orders leave pods without an IP"),
            "{}",
            lines[0]
        );
        assert!(lines[0].contains("Others that fail: aggressive 3%."), "{}", lines[0]);
        assert!(
            lines[0].contains("Fixed orders that fail: ip-first with aws-default."),
            "{}",
            lines[0]
        );
        assert!(
            lines[0].contains("conservative wastes the fewest IPs (10 on average)"),
            "{}",
            lines[0]
        );
        assert_eq!(
            lines[1],
            "conservative never left a pod without an IP, on any of the 1 instance types and in any order."
        );
        let none = reading(&[row("c6i.large", "aws-default", "random", 0, 50)]);
        assert!(none[0].starts_with("On c6i.large, no formula left a pod without an IP in any of 50 random orders."));
    }
}
