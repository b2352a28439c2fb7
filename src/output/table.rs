//! Plain-text tables for the terminal.

use super::{Row, num};

/// Left-aligns the columns listed in `left`, right-aligns the rest.
pub fn render(header: &[&str], rows: &[Vec<String>], left: &[usize]) -> String {
    let mut width: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            if i < width.len() {
                width[i] = width[i].max(c.chars().count());
            }
        }
    }
    let line = |cells: &mut dyn Iterator<Item = &str>| {
        let mut s = String::new();
        for (i, c) in cells.enumerate() {
            if i > 0 {
                s.push_str("  ");
            }
            let pad = width[i].saturating_sub(c.chars().count());
            if left.contains(&i) {
                s.push_str(c);
                s.push_str(&" ".repeat(pad));
            } else {
                s.push_str(&" ".repeat(pad));
                s.push_str(c);
            }
        }
        s.trim_end().to_string() + "\n"
    };
    let mut out = line(&mut header.iter().copied());
    out.push_str(&line(
        &mut width
            .iter()
            .map(|w| "-".repeat(*w))
            .collect::<Vec<_>>()
            .iter()
            .map(|s| s.as_str()),
    ));
    for r in rows {
        out.push_str(&line(&mut r.iter().map(|s| s.as_str())));
    }
    out
}

fn pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

/// A probability as a percentage that shows a tiny figure as tiny, not 0.0%.
fn pct_fine(x: f64) -> String {
    if x > 0.0 && x < 0.0005 {
        format!("{}%", num(x * 100.0))
    } else {
        pct(x)
    }
}

/// The summary as a readable table. Pending pods (the scheduler said no)
/// sit beside the ip-failed ones; where a cell's figures are exact
/// (`method = exact`), its probability of any IP failure is shown too.
pub fn summary(rows: &[Row]) -> String {
    let exact = rows.iter().any(|r| r.exact_failure_probability.is_some());
    let mut header = vec![
        "type",
        "formula",
        "order",
        "policy",
        "trials",
        "M",
        "IPs",
        "B",
        "SG",
        "IP",
        "fail mean",
        "95% CI",
        "p95",
        "failed trials",
        "P(fail) exact",
        "pending",
        "wasted IPs",
        "stranded",
        "1st fail",
        "nodes",
    ];
    if !exact {
        header.retain(|h| *h != "P(fail) exact");
    }
    let body: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let mut row = vec![
                r.instance_type.clone(),
                r.formula.clone(),
                r.order.clone(),
                r.policy.clone(),
                r.trials.to_string(),
                r.max_pods.to_string(),
                r.ip_capacity.to_string(),
                r.branch_capacity.to_string(),
                r.sg_pods.to_string(),
                r.ip_pods.to_string(),
                pct(r.failure_rate_mean),
                match (r.failure_rate_ci95_low, r.failure_rate_ci95_high) {
                    (Some(l), Some(h)) => format!("{}-{}", pct(l), pct(h)),
                    _ => "-".into(),
                },
                pct(r.failure_rate_p95),
                format!("{}/{}", r.trials_with_failure, r.trials),
            ];
            if exact {
                row.push(r.exact_failure_probability.map_or("-".into(), pct_fine));
            }
            row.extend([
                num(r.pending_mean),
                num(r.wasted_ips_mean),
                num(r.stranded_slots_mean),
                r.first_ip_failure_min.map_or("-".into(), |v| v.to_string()),
                num(r.nodes_mean),
            ]);
            row
        })
        .collect();
    render(&header, &body, &[0, 1, 2, 3])
}
