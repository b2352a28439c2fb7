//! The report of a results directory: the charts (PNG and SVG), a
//! self-contained `report.html` and a `report.md` for pull requests, all
//! drawn from the directory's CSVs so that `sgpsim report DIR` redraws them
//! without re-running anything.
//!
//! The run adds two small CSVs the charts need beyond `summary.csv`:
//! `failure-spread.csv` (per random cell, quantiles of the failure rate over
//! its trials) and `safe-region.csv` (see `runner::safe_region`).
//! `timeline.csv`, when the timed engine wrote one, adds chart 6.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::chart::{self, Chart};
use crate::error::{Error, InputError};
use crate::output::directory::{CHARTS_DIR, Files};
use crate::output::records::{SafeCell, SpreadRow, TimelineSample};
use crate::output::{self, Row, read};

pub const SUMMARY_CSV: &str = "summary.csv";
pub const SCENARIO_TOML: &str = "scenario.toml";
pub const SPREAD_CSV: &str = "failure-spread.csv";
pub const SAFE_REGION_CSV: &str = "safe-region.csv";
pub const TIMELINE_CSV: &str = "timeline.csv";

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

impl Inputs {
    /// Reads a results directory's files (`dir` names it in errors).
    /// `summary.csv` and `scenario.toml` are required; so are
    /// `failure-spread.csv` and `safe-region.csv`, except in a timed run's
    /// directory (one with `timeline.csv`), which has neither.
    pub fn from_files(files: &Files, dir: &Path) -> Result<Inputs, InputError> {
        let shown = |n: &str| dir.join(n).display().to_string();
        let required = |n: &str| files.get(n).ok_or_else(|| missing(dir, n));
        let rows = read::summary(required(SUMMARY_CSV)?, &shown(SUMMARY_CSV))?;
        let scenario_text = String::from_utf8_lossy(required(SCENARIO_TOML)?).into_owned();
        let timeline = match files.get(TIMELINE_CSV) {
            Some(b) => Some(read::timeline(b, &shown(TIMELINE_CSV))?),
            None => None,
        };
        let timed = timeline.is_some();
        let spread = match files.get(SPREAD_CSV) {
            Some(b) => read::spread(b, &shown(SPREAD_CSV))?,
            None if timed => Vec::new(),
            None => return Err(missing(dir, SPREAD_CSV)),
        };
        let safe = match files.get(SAFE_REGION_CSV) {
            Some(b) => read::safe_region(b, &shown(SAFE_REGION_CSV))?,
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
}

/// The charts of a report, and the ones left out with the reason.
#[derive(Debug, Clone)]
pub struct Charts {
    pub charts: Vec<Chart>,
    pub skipped: Vec<(&'static str, String)>,
}

/// Draws every chart the inputs allow.
pub fn charts(inputs: &Inputs) -> Result<Charts, Error> {
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

/// Draws the report into `files` from the data files there: the charts
/// under `charts/`, `report.html` and `report.md`, replacing any drawn
/// before. `dir` names the directory in errors and captions.
pub fn render(files: &mut Files, dir: &Path) -> Result<Written, Error> {
    let inputs = Inputs::from_files(files, dir)?;
    let drawn = charts(&inputs)?;
    files.remove_where(|n| n.starts_with(&format!("{CHARTS_DIR}/")) || n == "report.html" || n == "report.md");
    let mut written = Vec::new();
    for c in &drawn.charts {
        for (ext, bytes) in [("png", c.png.clone()), ("svg", c.svg.clone().into_bytes())] {
            let name = format!("{CHARTS_DIR}/{}.{ext}", c.name);
            written.push(dir.join(&name));
            files.put(name, bytes);
        }
    }
    for (name, text) in [
        ("report.html", html(&inputs, &drawn)),
        ("report.md", markdown(&inputs, &drawn)),
    ] {
        written.push(dir.join(name));
        files.put(name, text.into_bytes());
    }
    Ok(Written {
        files: written,
        skipped: drawn.skipped,
    })
}

/// `sgpsim report DIR`: redraws a results directory's report from its data
/// files alone, and replaces the directory whole.
pub fn redraw(dir: &Path) -> Result<Written, Error> {
    let mut files = Files::read(dir)?;
    let written = render(&mut files, dir)?;
    files.replace(dir)?;
    Ok(written)
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
        let Err(Error::Input(e)) = redraw(dir.path()) else {
            panic!("an input error")
        };
        assert!(e.file.as_deref().unwrap().ends_with("summary.csv"), "{e}");
        assert!(e.fix.contains("run the scenario first"), "{e}");
        let e = redraw(&dir.path().join("nope")).unwrap_err();
        assert!(e.to_string().contains("not a directory"), "{e}");
    }
}
