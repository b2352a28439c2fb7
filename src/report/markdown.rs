//! `report.md`: the reading and tables in Markdown, charts linked as PNG.

use std::fmt::Write as _;

use super::charts::Charts;
use super::inputs::Inputs;
use super::reading::reading;
use super::tables::tables;
use super::words::run_facts;
use crate::output::directory::CHARTS_DIR;

fn md_cell(s: &str) -> String {
    s.replace('|', "\\|")
}

/// `report.md`: the same reading and tables, charts linked as PNG files.
pub(super) fn markdown(inputs: &Inputs, charts: &Charts) -> String {
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
