//! `report.md`: the reading and tables in Markdown, charts linked as PNG.

use std::fmt::Write as _;

use super::charts::Charts;
use super::document::document;
use super::inputs::Inputs;
use crate::output::directory::CHARTS_DIR;

fn md_cell(s: &str) -> String {
    s.replace('|', "\\|")
}

/// `report.md`: the same reading and tables, charts linked as PNG files.
pub(super) fn markdown(inputs: &Inputs, charts: &Charts) -> String {
    let doc = document(inputs);
    let mut m = format!("# sgpsim report: {}\n\n", inputs.name);
    if !inputs.description.is_empty() {
        let _ = writeln!(m, "{}\n", inputs.description);
    }
    let _ = writeln!(m, "{}\n", doc.scope);
    let _ = writeln!(m, "## Reading\n");
    for line in &doc.reading {
        let _ = writeln!(m, "- {line}");
    }
    for s in &doc.sections {
        let _ = writeln!(m, "\n## {}\n", s.heading);
        for p in &s.paragraphs {
            let _ = writeln!(m, "{p}\n");
        }
        for t in &s.tables {
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
            for n in &t.notes {
                let _ = writeln!(m, "{}\n", md_cell(n));
            }
        }
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
