//! `report.html`: the reading, tables and charts on one self-contained page.

use std::fmt::Write as _;

use super::charts::Charts;
use super::document::document;
use super::inputs::Inputs;
use crate::output::directory::CHARTS_DIR;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// `report.html`: one page with everything inline (no network access).
pub(super) fn html(inputs: &Inputs, charts: &Charts) -> String {
    let doc = document(inputs);
    let mut h = String::new();
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>sgpsim report: {name}</title>\n<style>\n\
         body {{ font-family: 'DejaVu Sans', Verdana, sans-serif; margin: 2em auto; max-width: 1500px; padding: 0 1em; color: #222; }}\n\
         h1 {{ font-size: 1.8em; }} h2 {{ margin-top: 1.6em; border-bottom: 1px solid #ccc; }}\n\
         table {{ border-collapse: collapse; margin: 0.5em 0 1.5em; font-size: 0.92em; }}\n\
         caption {{ text-align: left; font-weight: bold; padding: 0.3em 0; }}\n\
         th, td {{ border: 1px solid #bbb; padding: 0.25em 0.6em; text-align: right; }} td {{ white-space: nowrap; }}\n\
         th:first-child, td:first-child {{ text-align: left; }} th {{ background: #eef; }}\n\
         figure {{ margin: 1em 0 2em; }} figure svg {{ max-width: 100%; height: auto; border: 1px solid #ddd; }}\n\
         figcaption {{ color: #555; }} pre {{ background: #f6f6f6; padding: 1em; overflow-x: auto; }}\n\
         .reading li {{ margin: 0.5em 0; line-height: 1.4; max-width: 75em; }} .wide {{ overflow-x: auto; margin-bottom: 1.2em; }} .wide table {{ margin-bottom: 0.3em; }} .note {{ color: #555; font-size: 0.92em; margin-top: -0.8em; }}\n</style>\n</head>\n<body>\n",
        name = esc(&inputs.name)
    );
    let _ = writeln!(h, "<h1>sgpsim report: {}</h1>", esc(&inputs.name));
    if !inputs.description.is_empty() {
        let _ = writeln!(h, "<p>{}</p>", esc(&inputs.description));
    }
    let seed = inputs.rows.first().map_or(0, |r| r.seed);
    let _ = writeln!(
        h,
        "<p>{}</p>",
        esc(&doc.scope).replacen(&format!("Seed {seed}."), &format!("Seed <b>{seed}</b>."), 1)
    );
    let _ = writeln!(h, "<h2>Reading</h2>\n<ul class=\"reading\">");
    for line in &doc.reading {
        let _ = writeln!(h, "<li>{}</li>", esc(line));
    }
    let _ = writeln!(h, "</ul>");
    for s in &doc.sections {
        let _ = writeln!(h, "<h2>{}</h2>", esc(s.heading));
        for p in &s.paragraphs {
            let _ = writeln!(h, "<p>{}</p>", esc(p));
        }
        for t in &s.tables {
            let _ = writeln!(
                h,
                "<div class=\"wide\"><table>\n<caption>{}</caption>\n<tr>",
                esc(&t.caption)
            );
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
            let _ = writeln!(h, "</table></div>");
            for n in &t.notes {
                let _ = writeln!(h, "<p class=\"note\">{}</p>", esc(n));
            }
        }
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
