//! The report of a results directory: the charts (PNG and SVG), a
//! self-contained `report.html` and a `report.md` for pull requests, all
//! drawn from the directory's CSVs so that `sgpsim report DIR` redraws them
//! without re-running anything.
//!
//! The run step adds two small CSVs the charts need beyond `summary.csv`:
//! `failure-spread.csv` (per random cell, quantiles of the failure rate over
//! its trials) and `safe-region.csv` (a grid of one-node simulations, see
//! [`safe_region`]). `timeline.csv`, when the timed engine wrote one, adds
//! chart 6.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::chart::{self, Chart};
use crate::error::InputError;
use crate::input::scenario::Scenario;
use crate::model::cell::Cell;
use crate::model::node::{NodeSpec, branch_capacity, ip_capacity};
use crate::model::order::Order;
use crate::model::replay::{Cluster, Nodes};
use crate::model::stats::percentile;
use crate::model::workload::Counts;
use crate::output::records::{SafeCell, SpreadRow, TimelineSample};
use crate::output::{self, Row, read};
use crate::runner::sweep;

pub const SUMMARY_CSV: &str = "summary.csv";
pub const SCENARIO_TOML: &str = "scenario.toml";
pub const SPREAD_CSV: &str = "failure-spread.csv";
pub const SAFE_REGION_CSV: &str = "safe-region.csv";
pub const TIMELINE_CSV: &str = "timeline.csv";
pub const CHARTS_DIR: &str = "charts";

/// SG shares on the safe-region map: 0%, 5%, …, 100%.
pub const SAFE_SHARES: u32 = 20;
/// maxPods rows on the safe-region map, at most.
pub const SAFE_ROWS: u32 = 40;
/// Random orders per safe-region point, at most (the scenario's trials if fewer).
pub const SAFE_TRIALS: u32 = 200;
/// The most pods the safe-region grid places in all (about a fifth of a
/// second on one core).
pub const SAFE_BUDGET: u64 = 50_000_000;
/// Trials kept in memory at once while measuring the spread.
const SPREAD_BATCH: u64 = 200_000;

/// Quantiles of the failure rate over each random-order cell's trials, from
/// the same random streams as the summary (so their means agree).
pub fn failure_spread(cells: &[Cell], seed: u64) -> Vec<SpreadRow> {
    let random: Vec<&Cell> = cells.iter().filter(|c| c.order == Order::Random).collect();
    let mut out = Vec::with_capacity(random.len());
    // Batches bound the per-trial records held at once.
    let mut start = 0;
    while start < random.len() {
        let mut end = start;
        let mut trials = 0u64;
        while end < random.len() && (end == start || trials + u64::from(random[end].trials) <= SPREAD_BATCH) {
            trials += u64::from(random[end].trials);
            end += 1;
        }
        let batch: Vec<Cell> = random[start..end].iter().map(|c| (*c).clone()).collect();
        let result = sweep::run(&batch, seed, true);
        let mut failed: Vec<Vec<u32>> = vec![Vec::new(); batch.len()];
        for t in &result.trials {
            failed[t.cell].push(t.outcome.ip_failed);
        }
        for (cell, mut f) in batch.iter().zip(failed) {
            f.sort_unstable();
            let w = f64::from(cell.counts.total().max(1));
            let q = |p: f64| f64::from(percentile(&f, p).unwrap_or(0)) / w;
            let n = f.len().max(1) as f64;
            out.push(SpreadRow {
                instance_type: cell.instance_type.clone(),
                formula: cell.formula.clone(),
                policy: cell.policy.to_string(),
                trials: f.len() as u64,
                seed,
                min: f.first().map_or(0.0, |&v| f64::from(v) / w),
                p05: q(0.05),
                p25: q(0.25),
                p50: q(0.50),
                p75: q(0.75),
                p95: q(0.95),
                max: f.last().map_or(0.0, |&v| f64::from(v) / w),
                mean: f.iter().map(|&v| f64::from(v)).sum::<f64>() / n / w,
                trials_with_failure: f.iter().filter(|&&v| v > 0).count() as u64,
            });
        }
        start = end;
    }
    out
}

/// The safe-region grid for the scenario's first instance type.
///
/// Each point is one node of that type with maxPods `M` and the scenario's
/// system pods `S` (host + IP), given the seed's fill size, `(M - S) + B`
/// pods (the node's free slots plus its branch ENIs, so that some pods must
/// wait and the order decides which), of which a share `x` are SG pods
/// (rounded) and the rest IP pods,
/// replayed in random orders under the scenario's first policy, seed and
/// node settings. `M` runs from `S + 1` to a quarter above the larger of the
/// scenario's formulas' values and `S` + IPs + branch ENIs, in at most
/// [`SAFE_ROWS`] steps; `x` from 0 to 1 in [`SAFE_SHARES`] steps.
pub fn safe_region(sc: &Scenario) -> Vec<SafeCell> {
    let Some(t) = sc.types.first() else {
        return Vec::new();
    };
    let system = sc.system_for(t);
    let policy = sc
        .policies
        .first()
        .copied()
        .unwrap_or(crate::model::placement::Policy::MostAllocated);
    let ip_cap = ip_capacity(t, &sc.settings);
    let branch = branch_capacity(t, &sc.settings);
    let lo = system.smallest_max_pods();
    let formulas_top = sc
        .formulas
        .iter()
        .filter_map(|f| f.max_pods(t, &sc.settings, system).ok())
        .map(|m| m.value)
        .max();
    let top = formulas_top.unwrap_or(0).max(system.host + ip_cap + branch);
    let hi = (top + top / 4).max(lo + 10);
    let step = (hi - lo).div_ceil(SAFE_ROWS).max(1);
    let trials = sc.trials.min(SAFE_TRIALS);
    let mut cells = Vec::new();
    let mut m = lo;
    while m <= hi {
        // More pods than slots, as in the seed's experiments: the order decides
        // which pods get the slots, hence the failure probability.
        let w = m - system.total() + branch;
        for k in 0..=SAFE_SHARES {
            let share = f64::from(k) / f64::from(SAFE_SHARES);
            let sg = (share * f64::from(w)).round() as u32;
            cells.push(Cell {
                instance_type: t.name.clone(),
                formula: format!("fixed:{m}"),
                order: Order::Random,
                policy,
                settings: sc.settings,
                counts: Counts {
                    sg,
                    ip: w - sg,
                    host: 0,
                },
                cluster: Cluster {
                    node: NodeSpec {
                        max_pods: m,
                        ip_capacity: ip_cap,
                        branch_capacity: branch,
                        system,
                    },
                    nodes: Nodes::Fixed(1),
                    policy,
                },
                trials,
                note: None,
            });
        }
        m += step;
    }
    // A work budget: at most SAFE_BUDGET pods placed over the whole grid, so
    // that a scenario with a very large maxPods still draws in seconds (fewer
    // trials per point, never fewer than one).
    let per_trial: u64 = cells.iter().map(|c| u64::from(c.counts.total())).sum();
    let budget_trials = (SAFE_BUDGET / per_trial.max(1)).clamp(1, u64::from(u32::MAX)) as u32;
    for c in &mut cells {
        c.trials = c.trials.min(budget_trials);
    }
    let result = sweep::run(&cells, sc.seed, false);
    cells
        .iter()
        .zip(&result.summaries)
        .enumerate()
        .map(|(i, (c, s))| SafeCell {
            instance_type: c.instance_type.clone(),
            policy: policy.to_string(),
            sg_share: f64::from(i as u32 % (SAFE_SHARES + 1)) / f64::from(SAFE_SHARES),
            max_pods: c.cluster.node.max_pods,
            sg_pods: c.counts.sg,
            ip_pods: c.counts.ip,
            trials: s.trials,
            seed: sc.seed,
            failure_probability: s.trials_with_failure as f64 / s.trials.max(1) as f64,
            failure_rate_mean: s.failure_rate_mean,
        })
        .collect()
}

/// Everything a report is drawn from, as read from a results directory.
#[derive(Debug, Clone)]
pub struct Inputs {
    pub name: String,
    pub description: String,
    pub scenario_text: String,
    pub rows: Vec<Row>,
    pub spread: Vec<SpreadRow>,
    pub safe: Vec<SafeCell>,
    pub timeline: Option<Vec<TimelineSample>>,
}

fn read_file(dir: &Path, name: &str) -> Result<Option<Vec<u8>>, InputError> {
    let path = dir.join(name);
    match std::fs::read(&path) {
        Ok(b) => Ok(Some(b)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(InputError::io(path.display().to_string(), "read", &e)),
    }
}

/// The error for a results directory without `name`.
fn missing(dir: &Path, name: &str) -> InputError {
    InputError::file(
        dir.join(name).display().to_string(),
        "is missing: this is not a complete results directory",
        format!(
            "run the scenario first: `sgpsim run SCENARIO --out {}` writes it (with this version of sgpsim)",
            dir.display()
        ),
    )
}

fn required(dir: &Path, name: &str) -> Result<Vec<u8>, InputError> {
    read_file(dir, name)?.ok_or_else(|| missing(dir, name))
}

/// Reads a results directory. `summary.csv` and `scenario.toml` are
/// required; so are `failure-spread.csv` and `safe-region.csv`, except in a
/// timed run's directory (one with `timeline.csv`), which has neither.
pub fn load(dir: &Path) -> Result<Inputs, InputError> {
    if !dir.is_dir() {
        return Err(InputError::file(
            dir.display().to_string(),
            "is not a directory",
            "give the results directory of a run (e.g. results/default), or run the scenario first",
        ));
    }
    let shown = |n: &str| dir.join(n).display().to_string();
    let rows = read::summary(&required(dir, SUMMARY_CSV)?, &shown(SUMMARY_CSV))?;
    let scenario_text = String::from_utf8_lossy(&required(dir, SCENARIO_TOML)?).into_owned();
    let timeline = match read_file(dir, TIMELINE_CSV)? {
        Some(b) => Some(read::timeline(&b, &shown(TIMELINE_CSV))?),
        None => None,
    };
    let timed = timeline.is_some();
    let spread = match read_file(dir, SPREAD_CSV)? {
        Some(b) => read::spread(&b, &shown(SPREAD_CSV))?,
        None if timed => Vec::new(),
        None => return Err(missing(dir, SPREAD_CSV)),
    };
    let safe = match read_file(dir, SAFE_REGION_CSV)? {
        Some(b) => read::safe_region(&b, &shown(SAFE_REGION_CSV))?,
        None if timed => Vec::new(),
        None => return Err(missing(dir, SAFE_REGION_CSV)),
    };
    let table: Option<toml::Table> = toml::from_str(&scenario_text).ok();
    let key = |k: &str| {
        table
            .as_ref()
            .and_then(|t| t.get(k))
            .and_then(|v| v.as_str())
            .map(str::to_string)
    };
    let fallback = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "results".into());
    Ok(Inputs {
        name: key("name").unwrap_or(fallback),
        description: key("description").unwrap_or_default(),
        scenario_text,
        rows,
        spread,
        safe,
        timeline,
    })
}

/// The charts of a report, and the ones left out with the reason.
#[derive(Debug, Clone)]
pub struct Charts {
    pub charts: Vec<Chart>,
    pub skipped: Vec<(&'static str, String)>,
}

/// Draws every chart the inputs allow.
pub fn charts(inputs: &Inputs) -> Result<Charts, InputError> {
    let mut charts = vec![
        chart::failure::failure_rate(&inputs.rows)?,
        chart::waste::waste(&inputs.rows)?,
    ];
    let mut skipped = Vec::new();
    let timed = inputs.timeline.is_some();
    if inputs.spread.is_empty() {
        let why = if timed {
            "a timed run has no failure-spread.csv"
        } else {
            "the scenario has no random order"
        };
        skipped.push(("failure-spread", why.to_string()));
    } else {
        charts.push(chart::spread::spread(&inputs.spread)?);
    }
    charts.push(chart::frontier::frontier(&inputs.rows)?);
    if inputs.safe.is_empty() {
        let why = if timed {
            format!("a timed run has no {SAFE_REGION_CSV}")
        } else {
            format!("{SAFE_REGION_CSV} has no rows")
        };
        skipped.push(("safe-region", why));
    } else {
        charts.push(chart::safe_region::safe_region(&inputs.safe, &inputs.rows)?);
    }
    match &inputs.timeline {
        Some(t) if !t.is_empty() => charts.push(chart::timeline::timeline(t)?),
        Some(_) => skipped.push(("timeline", format!("{TIMELINE_CSV} has no rows"))),
        None => skipped.push(("timeline", format!("no {TIMELINE_CSV} (not a timed scenario)"))),
    }
    Ok(Charts { charts, skipped })
}

/// A share as a percentage for prose and tables: `12%`, `0.5%`, `0%`.
fn pct(x: f64) -> String {
    let p = x * 100.0;
    if p == 0.0 {
        "0%".into()
    } else if p >= 10.0 {
        format!("{p:.0}%")
    } else if p >= 0.1 {
        let t = format!("{p:.1}");
        format!("{}%", t.strip_suffix(".0").unwrap_or(&t))
    } else {
        format!("{p:.2}%")
    }
}

fn distinct<'a>(it: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in it {
        if !out.iter().any(|o| o == s) {
            out.push(s.to_string());
        }
    }
    out
}

fn join_names(names: &[String]) -> String {
    match names.len() {
        0 => String::new(),
        1 => names[0].clone(),
        n => format!("{} and {}", names[..n - 1].join(", "), names[n - 1]),
    }
}

/// The plain-language reading of the result, one sentence per line,
/// computed from the rows.
pub fn reading(rows: &[Row]) -> Vec<String> {
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

/// A summary table: header and rows of text, for one instance type and policy.
pub struct Table {
    pub caption: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// One table per instance type (and policy): a row per formula with its
/// maxPods and capacities, the failure rate per order, the share of random
/// orders that fail, and the waste under the reference order.
pub fn tables(rows: &[Row]) -> Vec<Table> {
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

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The seed and trial count of the rows, for headers.
fn run_facts(rows: &[Row]) -> (u64, u64) {
    (
        rows.first().map_or(0, |r| r.seed),
        rows.iter().map(|r| r.trials).max().unwrap_or(0),
    )
}

/// `report.html`: one page with everything inline (no network access).
pub fn html(inputs: &Inputs, charts: &Charts) -> String {
    let (seed, trials) = run_facts(&inputs.rows);
    let mut h = String::new();
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>sgpsim report: {name}</title>\n<style>\n\
         body {{ font-family: 'DejaVu Sans', Verdana, sans-serif; margin: 2em auto; max-width: 1500px; padding: 0 1em; color: #222; }}\n\
         h1 {{ font-size: 1.8em; }} h2 {{ margin-top: 1.6em; border-bottom: 1px solid #ccc; }}\n\
         table {{ border-collapse: collapse; margin: 0.5em 0 1.5em; font-size: 0.92em; }}\n\
         caption {{ text-align: left; font-weight: bold; padding: 0.3em 0; }}\n\
         th, td {{ border: 1px solid #bbb; padding: 0.25em 0.6em; text-align: right; }}\n\
         th:first-child, td:first-child {{ text-align: left; }} th {{ background: #eef; }}\n\
         figure {{ margin: 1em 0 2em; }} figure svg {{ max-width: 100%; height: auto; border: 1px solid #ddd; }}\n\
         figcaption {{ color: #555; }} pre {{ background: #f6f6f6; padding: 1em; overflow-x: auto; }}\n\
         .reading li {{ margin: 0.3em 0; }}\n</style>\n</head>\n<body>\n",
        name = esc(&inputs.name)
    );
    let _ = writeln!(h, "<h1>sgpsim report: {}</h1>", esc(&inputs.name));
    if !inputs.description.is_empty() {
        let _ = writeln!(h, "<p>{}</p>", esc(&inputs.description));
    }
    let _ = writeln!(
        h,
        "<p>Seed <b>{seed}</b>; up to <b>{trials}</b> random orders per cell; {} cells.</p>",
        inputs.rows.len()
    );
    let _ = writeln!(h, "<h2>Reading</h2>\n<ul class=\"reading\">");
    for line in reading(&inputs.rows) {
        let _ = writeln!(h, "<li>{}</li>", esc(&line));
    }
    let _ = writeln!(h, "</ul>\n<h2>Summary</h2>");
    let _ = writeln!(
        h,
        "<p>Failure rate: workload pods left without an IP (ip-failed) / workload pods, mean over trials. \
         Wasted IPs: free IPs on nodes whose pod slots are full. Stranded slots: free slots on nodes with no IP \
         and no branch ENI left.</p>"
    );
    for t in tables(&inputs.rows) {
        let _ = writeln!(h, "<table>\n<caption>{}</caption>\n<tr>", esc(&t.caption));
        for c in &t.header {
            let _ = write!(h, "<th>{}</th>", esc(c));
        }
        let _ = writeln!(h, "</tr>");
        for r in &t.rows {
            let _ = write!(h, "<tr>");
            for c in r {
                let _ = write!(h, "<td>{}</td>", esc(c));
            }
            let _ = writeln!(h, "</tr>");
        }
        let _ = writeln!(h, "</table>");
    }
    let _ = writeln!(h, "<h2>Charts</h2>");
    for c in &charts.charts {
        let svg = c.svg.trim_start();
        let svg = if svg.starts_with("<?xml") {
            svg.split_once("?>").map_or(svg, |(_, rest)| rest)
        } else {
            svg
        };
        let _ = writeln!(
            h,
            "<figure id=\"{name}\">\n{svg}\n<figcaption>{title} (<a href=\"{dir}/{name}.png\">PNG</a>, \
             <a href=\"{dir}/{name}.svg\">SVG</a>)</figcaption>\n</figure>",
            name = c.name,
            svg = svg.trim(),
            title = esc(&c.title),
            dir = CHARTS_DIR
        );
    }
    for (name, why) in &charts.skipped {
        let _ = writeln!(h, "<p><i>Chart {name} not drawn: {}.</i></p>", esc(why));
    }
    let _ = writeln!(h, "<h2>Scenario</h2>\n<pre>{}</pre>", esc(&inputs.scenario_text));
    let _ = writeln!(h, "</body>\n</html>");
    h
}

fn md_cell(s: &str) -> String {
    s.replace('|', "\\|")
}

/// `report.md`: the same reading and tables, charts linked as PNG files.
pub fn markdown(inputs: &Inputs, charts: &Charts) -> String {
    let (seed, trials) = run_facts(&inputs.rows);
    let mut m = format!("# sgpsim report: {}\n\n", inputs.name);
    if !inputs.description.is_empty() {
        let _ = writeln!(m, "{}\n", inputs.description);
    }
    let _ = writeln!(
        m,
        "Seed {seed}; up to {trials} random orders per cell; {} cells.\n",
        inputs.rows.len()
    );
    let _ = writeln!(m, "## Reading\n");
    for line in reading(&inputs.rows) {
        let _ = writeln!(m, "- {line}");
    }
    let _ = writeln!(m, "\n## Summary\n");
    for t in tables(&inputs.rows) {
        let _ = writeln!(m, "**{}**\n", md_cell(&t.caption));
        let _ = writeln!(
            m,
            "| {} |",
            t.header.iter().map(|c| md_cell(c)).collect::<Vec<_>>().join(" | ")
        );
        let align: Vec<&str> = (0..t.header.len())
            .map(|i| if i == 0 { ":---" } else { "---:" })
            .collect();
        let _ = writeln!(m, "| {} |", align.join(" | "));
        for r in &t.rows {
            let _ = writeln!(
                m,
                "| {} |",
                r.iter().map(|c| md_cell(c)).collect::<Vec<_>>().join(" | ")
            );
        }
        m.push('\n');
    }
    let _ = writeln!(m, "## Charts\n");
    for c in &charts.charts {
        let _ = writeln!(m, "![{}]({CHARTS_DIR}/{}.png)\n", c.title, c.name);
    }
    for (name, why) in &charts.skipped {
        let _ = writeln!(m, "_Chart {name} not drawn: {why}._\n");
    }
    m
}

/// What a report wrote.
#[derive(Debug, Clone)]
pub struct Written {
    pub files: Vec<PathBuf>,
    pub skipped: Vec<(&'static str, String)>,
}

/// Draws the report of a results directory from its files alone: the charts
/// under `DIR/charts/`, `DIR/report.html` and `DIR/report.md`.
pub fn write_report(dir: &Path) -> Result<Written, InputError> {
    let inputs = load(dir)?;
    let drawn = charts(&inputs)?;
    let chart_dir = dir.join(CHARTS_DIR);
    output::ensure_dir(&chart_dir)?;
    let mut files = Vec::new();
    for c in &drawn.charts {
        for (ext, bytes) in [("png", c.png.as_slice()), ("svg", c.svg.as_bytes())] {
            let path = chart_dir.join(format!("{}.{ext}", c.name));
            output::write_atomic(&path, bytes)?;
            files.push(path);
        }
    }
    for (name, text) in [
        ("report.html", html(&inputs, &drawn)),
        ("report.md", markdown(&inputs, &drawn)),
    ] {
        let path = dir.join(name);
        output::write_atomic(&path, text.as_bytes())?;
        files.push(path);
    }
    Ok(Written {
        files,
        skipped: drawn.skipped,
    })
}

/// The run step's part: writes `failure-spread.csv` and `safe-region.csv`
/// for the scenario's cells, then draws the report from the directory (so a
/// later `sgpsim report DIR` gives the same bytes). `summary.csv` and
/// `scenario.toml` must already be in `dir`.
pub fn write_all(dir: &Path, sc: &Scenario, cells: &[Cell]) -> Result<Written, InputError> {
    let spread = failure_spread(cells, sc.seed);
    output::write_atomic(&dir.join(SPREAD_CSV), &crate::output::records::spread_csv(&spread))?;
    let safe = safe_region(sc);
    output::write_atomic(
        &dir.join(SAFE_REGION_CSV),
        &crate::output::records::safe_region_csv(&safe),
    )?;
    let mut written = write_report(dir)?;
    written
        .files
        .splice(0..0, [dir.join(SPREAD_CSV), dir.join(SAFE_REGION_CSV)]);
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::testing::{fixture_rows, fixture_scenario};

    #[test]
    fn spread_agrees_with_the_summary() {
        let sc = fixture_scenario();
        let cells = sc.cells().unwrap();
        let rows = fixture_rows();
        let spread = failure_spread(&cells, sc.seed);
        assert_eq!(spread.len(), 4);
        for s in &spread {
            let r = rows
                .iter()
                .find(|r| r.order == "random" && r.instance_type == s.instance_type && r.formula == s.formula)
                .unwrap();
            assert_eq!(s.trials, r.trials);
            assert!((s.mean - r.failure_rate_mean).abs() < 1e-12);
            assert_eq!(
                (s.p50, s.p95, s.max),
                (r.failure_rate_p50, r.failure_rate_p95, r.failure_rate_max)
            );
            assert_eq!(s.trials_with_failure, r.trials_with_failure);
            assert!(s.min <= s.p05 && s.p05 <= s.p25 && s.p25 <= s.p50 && s.p50 <= s.p75 && s.p75 <= s.p95);
        }
    }

    #[test]
    fn safe_region_is_safe_below_the_ip_capacity_and_unsafe_for_all_ip_workloads_above() {
        let sc = fixture_scenario();
        let grid = safe_region(&sc);
        // m5.large: S = 2, 18 pod IPs, 9 branch ENIs; M from 3 up.
        assert!(grid.iter().all(|c| c.instance_type == "m5.large" && c.trials == 200));
        assert_eq!(grid.len() % (SAFE_SHARES as usize + 1), 0);
        for c in &grid {
            assert_eq!(c.sg_pods + c.ip_pods, c.max_pods - 2 + 9);
            if c.max_pods <= 2 + 18 {
                // Never more IP pods than IPs.
                assert_eq!(c.failure_probability, 0.0, "{c:?}");
            }
            if c.sg_share == 0.0 && c.max_pods > 2 + 18 {
                assert_eq!(c.failure_probability, 1.0, "{c:?}");
            }
        }
        // Deterministic: same seed, same grid.
        assert_eq!(safe_region(&sc), grid);
    }

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

    #[test]
    fn a_directory_without_its_files_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let e = write_report(dir.path()).unwrap_err();
        assert!(e.file.as_deref().unwrap().ends_with("summary.csv"), "{e}");
        assert!(e.fix.contains("run the scenario first"), "{e}");
        let e = write_report(&dir.path().join("nope")).unwrap_err();
        assert!(e.to_string().contains("not a directory"), "{e}");
    }

    #[test]
    fn write_all_then_redraw_gives_the_same_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let sc = fixture_scenario();
        let cells = sc.cells().unwrap();
        let result = sweep::run(&cells, sc.seed, false);
        let rows = output::rows(&cells, &result.summaries, sc.seed);
        output::write_atomic(&dir.path().join(SUMMARY_CSV), &output::csv::summary(&rows)).unwrap();
        output::write_atomic(
            &dir.path().join(SCENARIO_TOML),
            crate::chart::testing::FIXTURE.as_bytes(),
        )
        .unwrap();
        let first = write_all(dir.path(), &sc, &cells).unwrap();
        assert_eq!(first.skipped.len(), 1, "{:?}", first.skipped);
        let read_all = |w: &Written| w.files.iter().map(|p| std::fs::read(p).unwrap()).collect::<Vec<_>>();
        let before = read_all(&first);
        let again = write_report(dir.path()).unwrap();
        assert_eq!(read_all(&again), before[2..]);
        let html = std::fs::read_to_string(dir.path().join("report.html")).unwrap();
        assert_eq!(html.matches("<svg").count(), 5);
        // Nothing is fetched: no scripts, links, images or remote URLs.
        for banned in [
            "<script",
            "<link",
            "<img",
            "src=\"http",
            "href=\"http",
            "url(http",
            "@import",
        ] {
            assert!(!html.contains(banned), "{banned}");
        }
        assert!(html.contains("Seed <b>7</b>"));
        let md = std::fs::read_to_string(dir.path().join("report.md")).unwrap();
        assert!(md.contains("| formula | maxPods |"));
        assert!(md.contains("![Where maxPods is safe on m5.large"));
    }
}
