//! The summary tables: one per instance type and policy.

use super::words::{distinct, pct};
use crate::output::{self, Row};

/// A summary table: header and rows of text, for one instance type and policy.
pub(super) struct Table {
    pub(super) caption: String,
    pub(super) header: Vec<String>,
    pub(super) rows: Vec<Vec<String>>,
}

/// One table per instance type (and policy): a row per formula with its
/// maxPods and capacities, the failure rate per order, the share of random
/// orders that fail, and the waste under the reference order.
pub(super) fn tables(rows: &[Row]) -> Vec<Table> {
    let mut out = Vec::new();
    let policies = distinct(rows.iter().map(|r| r.policy.as_str()));
    for policy in &policies {
        let rows: Vec<&Row> = rows.iter().filter(|r| &r.policy == policy).collect();
        let orders = distinct(rows.iter().map(|r| r.order.as_str()));
        let reference = if orders.iter().any(|o| o == "random") {
            "random".to_string()
        } else {
            orders[0].clone()
        };
        for ty in distinct(rows.iter().map(|r| r.instance_type.as_str())) {
            let of: Vec<&&Row> = rows.iter().filter(|r| r.instance_type == ty).collect();
            let first = of[0];
            let mut header: Vec<String> = ["formula", "maxPods", "SG / IP / host pods"].map(String::from).to_vec();
            header.extend(orders.iter().map(|o| format!("failure rate, {o}")));
            if orders.iter().any(|o| o == "random") {
                header.push("random orders that fail".into());
            }
            header.push(format!("wasted IPs ({reference})"));
            header.push(format!("stranded slots ({reference})"));
            let mut body = Vec::new();
            for f in distinct(of.iter().map(|r| r.formula.as_str())) {
                let get = |o: &str| of.iter().find(|r| r.formula == f && r.order == o);
                let any = get(&orders[0])
                    .or_else(|| of.iter().find(|r| r.formula == f))
                    .copied()
                    .copied();
                let Some(any) = any else { continue };
                let mut line = vec![
                    f.clone(),
                    any.max_pods.to_string(),
                    format!("{} / {} / {}", any.sg_pods, any.ip_pods, any.host_pods),
                ];
                for o in &orders {
                    line.push(get(o).map_or("".into(), |r| pct(r.failure_rate_mean)));
                }
                if let Some(r) = get("random") {
                    line.push(format!(
                        "{} of {}",
                        pct(r.trials_with_failure as f64 / r.trials.max(1) as f64),
                        r.trials
                    ));
                } else if orders.iter().any(|o| o == "random") {
                    line.push(String::new());
                }
                let reference_row = get(&reference);
                line.push(reference_row.map_or("".into(), |r| output::num((r.wasted_ips_mean * 10.0).round() / 10.0)));
                line.push(reference_row.map_or("".into(), |r| {
                    output::num((r.stranded_slots_mean * 10.0).round() / 10.0)
                }));
                body.push(line);
            }
            let caption = format!(
                "{ty}: {} IPs, {} branch ENIs, {} system pods per node{}",
                first.ip_capacity,
                first.branch_capacity,
                first.system_pods + first.system_ip_pods,
                if policies.len() > 1 {
                    format!(", policy {policy}")
                } else {
                    String::new()
                }
            );
            out.push(Table {
                caption,
                header,
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
    fn tables_have_a_row_per_formula_and_a_column_per_order() {
        let t = tables(&fixture_rows());
        assert_eq!(t.len(), 2);
        assert!(
            t[0].caption
                .starts_with("m5.large: 18 IPs, 9 branch ENIs, 2 system pods")
        );
        assert_eq!(
            t[0].header[3..6],
            [
                "failure rate, sg-first",
                "failure rate, ip-first",
                "failure rate, random"
            ]
        );
        assert_eq!(t[0].rows.len(), 2);
        assert!(t[0].rows.iter().all(|r| r.len() == t[0].header.len()));
        // aws-default on m5.large: 9 SG + 27 IP pods; ip-first leaves 27 - 18 = 9 without an IP.
        assert_eq!(t[0].rows[0][..3], ["aws-default", "29", "9 / 27 / 0"]);
        assert_eq!(t[0].rows[0][4], pct(9.0 / 36.0));
    }
}
