//! `sgpsim recommend` as text, CSV and JSON (the CSV is read back by
//! `input::recommended` for `--formula recommended:FILE`).

use std::fmt::Write as _;

use serde::Serialize;

use crate::output::csv::{finish, writer};
use crate::output::num;
use crate::recommend::{Answer, ClusterCheck, Figures};

/// The columns of the recommend CSV, in order. The first twelve are the
/// contract (issue 9); the rest follow. `pods_bound_mean` is `E[G + I]`
/// (the slots, or fewer where CPU and memory stop a node first), and
/// `pods_by_resources` the most pods a node's CPU, memory and branch ENIs
/// hold (empty without requests).
pub const RECOMMEND_COLUMNS: [&str; 33] = [
    "instance_type",
    "sg_share",
    "risk_measure",
    "budget",
    "recommended_max_pods",
    "risk_at_recommended",
    "pods_per_node",
    "wasted_ips_mean",
    "stranded_branches_mean",
    "conservative",
    "aws_default",
    "aggressive",
    "seed_userdata",
    "karpenter_reserved_enis_1",
    "prefix_delegation",
    "conservative_risk",
    "aws_default_risk",
    "aggressive_risk",
    "seed_userdata_risk",
    "karpenter_reserved_enis_1_risk",
    "prefix_delegation_risk",
    "within_budget",
    "next_max_pods",
    "risk_at_next",
    "nodes",
    "cost_per_hour",
    "system_pods",
    "system_ip_pods",
    "ip_capacity",
    "branch_capacity",
    "note",
    "pods_bound_mean",
    "pods_by_resources",
];

/// The named formulas in the column order above.
const FORMULA_COLUMNS: [&str; 6] = [
    "conservative",
    "aws-default",
    "aggressive",
    "seed-userdata",
    "karpenter-reserved-enis:1",
    "prefix-delegation",
];

fn opt<T: ToString>(x: Option<T>) -> String {
    x.map(|v| v.to_string()).unwrap_or_default()
}

fn formula<'a>(a: &'a Answer, name: &str) -> Option<&'a Figures> {
    a.formulas
        .iter()
        .find(|f| f.formula == name)
        .and_then(|f| f.figures.as_ref())
}

/// The recommend CSV.
pub fn csv(answers: &[Answer]) -> Vec<u8> {
    let mut w = writer();
    w.write_record(RECOMMEND_COLUMNS).expect("memory");
    for a in answers {
        let r = a.recommended.as_ref();
        let mut rec = vec![
            a.instance_type.clone(),
            num(a.sg_share),
            a.risk_measure.to_string(),
            num(a.budget),
            opt(r.map(|r| r.max_pods)),
            opt(r.map(|r| num(r.risk))),
            opt(r.map(|r| r.pods_per_node)),
            opt(r.map(|r| num(r.wasted_ips_mean))),
            opt(r.map(|r| num(r.stranded_branches_mean))),
        ];
        rec.extend(FORMULA_COLUMNS.iter().map(|f| opt(formula(a, f).map(|x| x.max_pods))));
        rec.extend(FORMULA_COLUMNS.iter().map(|f| opt(formula(a, f).map(|x| num(x.risk)))));
        let within: Vec<&str> = a
            .formulas
            .iter()
            .filter(|f| f.figures.as_ref().is_some_and(|x| x.within_budget))
            .map(|f| f.formula.as_str())
            .collect();
        rec.push(within.join(" "));
        rec.push(opt(a.next.as_ref().map(|n| n.max_pods)));
        rec.push(opt(a.next.as_ref().map(|n| num(n.risk))));
        rec.push(opt(r.and_then(|r| r.nodes)));
        rec.push(opt(r.and_then(|r| r.cost_per_hour).map(num)));
        rec.push(a.system_pods.to_string());
        rec.push(a.system_ip_pods.to_string());
        rec.push(a.ip_capacity.to_string());
        rec.push(a.branch_capacity.to_string());
        rec.push(a.notes.join("; "));
        rec.push(opt(r.map(|r| num(r.pods_bound_mean))));
        rec.push(opt(a.pods_by_resources));
        debug_assert_eq!(rec.len(), RECOMMEND_COLUMNS.len());
        w.write_record(&rec).expect("memory");
    }
    finish(w)
}

/// A probability for people: `0%`, `<0.01%`, `0.41%`, `23%`, `100%`.
pub fn pct(x: f64) -> String {
    let p = x * 100.0;
    if x <= 0.0 {
        "0%".into()
    } else if x >= 1.0 {
        "100%".into()
    } else if p < 0.01 {
        "<0.01%".into()
    } else if p > 99.9 {
        ">99.9%".into()
    } else {
        let s = if p < 10.0 { format!("{p:.2}") } else { format!("{p:.1}") };
        format!("{}%", s.trim_end_matches('0').trim_end_matches('.'))
    }
}

fn interval(ci: Option<(f64, f64)>) -> String {
    ci.map_or_else(|| "-".into(), |(lo, hi)| format!("[{}, {}]", pct(lo), pct(hi)))
}

/// The answers as a person reads them: the answer first, its reasoning,
/// then every named formula on the same mix.
pub fn text(answers: &[Answer], checks: &[Vec<ClusterCheck>]) -> String {
    let mut out = String::new();
    for (i, a) in answers.iter().enumerate() {
        let measure = match a.risk_measure {
            "any-failure" => "the probability that a node ends with a pod that can never start",
            _ => "the expected share of pods that get no IP",
        };
        let _ = writeln!(
            out,
            "{}: {} SG pods, risk = {} ({measure}), budget {}",
            a.instance_type,
            pct(a.sg_share),
            a.risk_measure,
            pct(a.budget)
        );
        match &a.recommended {
            Some(r) => {
                let pods = if a.resources.is_some() {
                    format!(
                        "{} workload slots per node ({} pods bound on average)",
                        r.pods_per_node,
                        num(round2(r.pods_bound_mean))
                    )
                } else {
                    format!("{} workload pods per node", r.pods_per_node)
                };
                let _ = writeln!(
                    out,
                    "  recommended maxPods {}: risk {}, {pods}, {} IPs and {} branch ENIs unused on average",
                    r.max_pods,
                    pct(r.risk),
                    num(round2(r.wasted_ips_mean)),
                    num(round2(r.stranded_branches_mean))
                );
                if let Some(n) = &a.next {
                    let _ = writeln!(
                        out,
                        "  why not {}: its risk is {}, above the budget",
                        n.max_pods,
                        pct(n.risk)
                    );
                }
                if let (Some(n), Some(c)) = (r.nodes, r.cost_per_hour) {
                    let _ = writeln!(
                        out,
                        "  for the workload: {n} nodes, {} USD per hour on demand",
                        num(round2(c))
                    );
                } else if let Some(n) = r.nodes {
                    let _ = writeln!(out, "  for the workload: {n} nodes");
                }
            }
            None => {
                let _ = writeln!(out, "  no maxPods meets the budget");
            }
        }
        let _ = writeln!(
            out,
            "  model: one node in a large cluster ({} host + {} IP system pods, {} pod IPs, {} branch ENIs); each pod an SG pod with probability {}, independently (MODEL.md §11, exact)",
            a.system_pods,
            a.system_ip_pods,
            a.ip_capacity,
            a.branch_capacity,
            num(a.sg_share)
        );
        if let Some(res) = &a.resources {
            let _ = writeln!(
                out,
                "  CPU and memory: {res}; a pod that does not fit passes the node by"
            );
        }
        if let Some(k) = a.pods_by_resources {
            let _ = writeln!(
                out,
                "  a node's CPU, memory and branch ENIs hold at most {k} workload pods: any maxPods from {} on gives the same node",
                a.system_pods + a.system_ip_pods + k
            );
        }
        let _ = writeln!(
            out,
            "  {:<27} {:>7} {:>9} {:>11} {:>13} {:>10} {:>15} {:>6}",
            "maxPods from",
            "maxPods",
            "pods/node",
            "any-failure",
            "failure-share",
            "wasted IPs",
            "unused branches",
            "within"
        );
        let row = |out: &mut String, name: &str, f: &Figures| {
            let _ = writeln!(
                out,
                "  {:<27} {:>7} {:>9} {:>11} {:>13} {:>10} {:>15} {:>6}",
                name,
                f.max_pods,
                f.pods_per_node,
                pct(f.any_failure),
                pct(f.failure_share),
                num(round2(f.wasted_ips_mean)),
                num(round2(f.stranded_branches_mean)),
                if f.within_budget { "yes" } else { "no" }
            );
        };
        if let Some(r) = &a.recommended {
            row(&mut out, "recommended", r);
        }
        for f in &a.formulas {
            match &f.figures {
                Some(x) => row(&mut out, &f.formula, x),
                None => {
                    let _ = writeln!(out, "  {:<27} {}", f.formula, f.note.as_deref().unwrap_or("n/a"));
                }
            }
        }
        for f in &a.formulas {
            if let (Some(_), Some(n)) = (&f.figures, &f.note) {
                let _ = writeln!(out, "  note: {}: {n}", f.formula);
            }
        }
        for n in &a.notes {
            let _ = writeln!(out, "  note: {n}");
        }
        if let Some(cs) = checks.get(i).filter(|c| !c.is_empty()) {
            let c0 = &cs[0];
            let _ = writeln!(
                out,
                "  on a cluster ({}: {} pods, {} SG, {} orders each, Monte Carlo with 95% intervals):",
                c0.model, c0.pods, c0.sg_pods, c0.trials
            );
            let _ = writeln!(
                out,
                "  {:<27} {:>7} {:>6} {:>26} {:>26} {:>12}",
                "maxPods from", "maxPods", "nodes", "P(any pod gets no IP)", "share of pods with no IP", "node model"
            );
            for c in cs {
                let _ = writeln!(
                    out,
                    "  {:<27} {:>7} {:>6} {:>26} {:>26} {:>12}",
                    c.formula,
                    c.max_pods,
                    num(round2(c.nodes_mean)),
                    format!("{} {}", pct(c.any_failure), interval(c.any_failure_ci95)),
                    format!("{} {}", pct(c.failure_share), interval(c.failure_share_ci95)),
                    pct(c.node_model_prediction)
                );
            }
            let differ: Vec<&str> = cs
                .iter()
                .filter(|c| c.disagrees())
                .map(|c| c.formula.as_str())
                .collect();
            let _ = writeln!(
                out,
                "  the cluster's figure is a risk per rollout, the node model's per node: \"node model\" is 1 - (1 - r)^nodes, the node figure carried to the rollout's nodes."
            );
            if differ.is_empty() {
                let _ = writeln!(
                    out,
                    "  it lies within the cluster's interval for every maxPods checked: the two models agree."
                );
            } else {
                let _ = writeln!(
                    out,
                    "  they differ for {}: the rollout is one fixed mix placed by the scheduler (it spreads pods and fills nodes unevenly, and its last node is partly full), where the node model takes an endless independent stream per node.",
                    differ.join(", ")
                );
            }
        }
        out.push('\n');
    }
    out
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// The answers (and cluster checks) as JSON.
pub fn json(answers: &[Answer], checks: &[Vec<ClusterCheck>]) -> Vec<u8> {
    #[derive(Serialize)]
    struct Item<'a> {
        #[serde(flatten)]
        answer: &'a Answer,
        cluster: &'a [ClusterCheck],
    }
    let items: Vec<Item> = answers
        .iter()
        .enumerate()
        .map(|(i, a)| Item {
            answer: a,
            cluster: checks.get(i).map_or(&[][..], |c| c.as_slice()),
        })
        .collect();
    crate::output::json(&items)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_for_people() {
        assert_eq!(pct(0.0), "0%");
        assert_eq!(pct(0.0041), "0.41%");
        assert_eq!(pct(0.234), "23.4%");
        assert_eq!(pct(0.3), "30%");
        assert_eq!(pct(0.01), "1%");
        assert_eq!(pct(1e-9), "<0.01%");
        assert_eq!(pct(1.0), "100%");
    }
}
