//! How the report writes figures and lists in prose and tables.

use crate::output::Row;

/// A share as a percentage for prose and tables: `12%`, `0.5%`, `0%`.
pub(super) fn pct(x: f64) -> String {
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

pub(super) fn distinct<'a>(it: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in it {
        if !out.iter().any(|o| o == s) {
            out.push(s.to_string());
        }
    }
    out
}

pub(super) fn join_names(names: &[String]) -> String {
    match names.len() {
        0 => String::new(),
        1 => names[0].clone(),
        n => format!("{} and {}", names[..n - 1].join(", "), names[n - 1]),
    }
}

/// The seed and trial count of the rows, for headers.
pub(super) fn run_facts(rows: &[Row]) -> (u64, u64) {
    (
        rows.first().map_or(0, |r| r.seed),
        rows.iter().map(|r| r.trials).max().unwrap_or(0),
    )
}
