//! How the report writes figures, lists and counts in prose and tables.

use crate::chart::measures::Estimate;
use crate::output::Row;

/// A share as a percentage for prose and tables: `12%`, `0.5%`, `0.04%`,
/// `0%`; a share that is positive but below 0.01% is `<0.01%`, never `0%`.
pub(super) fn pct(x: f64) -> String {
    let p = x * 100.0;
    if p == 0.0 {
        "0%".into()
    } else if p >= 10.0 {
        format!("{p:.0}%")
    } else if p >= 0.1 {
        let t = format!("{p:.1}");
        format!("{}%", t.strip_suffix(".0").unwrap_or(&t))
    } else if p >= 0.01 {
        format!("{p:.2}%")
    } else {
        "<0.01%".into()
    }
}

/// A share with its 95% interval when it is sampled: `23% (95% interval
/// 20–26%)`; an exact share bare.
pub(super) fn pct_with_interval(e: &Estimate) -> String {
    if e.is_exact() {
        pct(e.value)
    } else {
        format!("{} (95% interval {}–{})", pct(e.value), pct(e.low), pct(e.high))
    }
}

/// A mean count of pods or IPs: one decimal, whole numbers bare.
pub(super) fn count(x: f64) -> String {
    crate::output::num((x * 10.0).round() / 10.0)
}

/// `n` and the noun, in the plural unless `n` is 1: `1 cell`, `6 cells`.
pub(super) fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
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

/// The report's opening facts: the seed, the cells and what they cover, and
/// how each kind of order was computed.
pub(super) fn scope(rows: &[Row], timed: bool) -> String {
    let seed = rows.first().map_or(0, |r| r.seed);
    let n = |f: fn(&Row) -> &str| distinct(rows.iter().map(f)).len();
    let (types, formulas, orders, policies) = (
        n(|r| &r.instance_type),
        n(|r| &r.formula),
        n(|r| &r.order),
        n(|r| &r.policy),
    );
    let mut cover = vec![
        plural(types, "instance type"),
        plural(formulas, "formula"),
        plural(orders, "order"),
    ];
    if policies > 1 {
        cover.push(format!("{policies} policies"));
    }
    let mut s = format!("Seed {seed}. {}: {}.", plural(rows.len(), "cell"), cover.join(" × "));
    if timed {
        let trials = rows.iter().map(|r| r.trials).max().unwrap_or(0);
        s.push_str(&format!(
            " Timed engine, {} per cell.",
            plural(trials as usize, "trial")
        ));
        return s;
    }
    let fixed = rows.iter().filter(|r| r.order != "random").count();
    let random: Vec<&Row> = rows.iter().filter(|r| r.order == "random").collect();
    let exact = random.iter().filter(|r| r.exact_failure_probability.is_some()).count();
    let sampled: Vec<&&Row> = random
        .iter()
        .filter(|r| r.exact_failure_probability.is_none())
        .collect();
    let mut how = Vec::new();
    if fixed > 0 {
        how.push("fixed orders run once".to_string());
    }
    if exact > 0 {
        how.push(format!(
            "random orders are computed exactly, over every order, in {}",
            plural(exact, "cell")
        ));
    }
    if !sampled.is_empty() {
        let trials = sampled.iter().map(|r| r.trials).max().unwrap_or(0);
        how.push(format!(
            "sampled in {} in {}",
            plural(trials as usize, "random trial"),
            plural(sampled.len(), "cell")
        ));
    }
    if !how.is_empty() {
        let text = how.join("; ");
        s.push_str(&format!(" {}{}.", text[..1].to_uppercase(), &text[1..]));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::testing::fixture_rows;

    #[test]
    fn counts_agree_with_their_nouns() {
        assert_eq!(plural(1, "cell"), "1 cell");
        assert_eq!(plural(144, "cell"), "144 cells");
        assert_eq!(pct(0.00001), "<0.01%");
        assert_eq!(pct(0.246), "25%");
        assert_eq!(count(12.64), "12.6");
        let one = &fixture_rows()[..1];
        let s = scope(one, true);
        assert!(
            s.contains("1 cell: 1 instance type × 1 formula × 1 order. Timed engine, 1 trial per cell."),
            "{s}"
        );
        let s = scope(&fixture_rows(), false);
        assert!(
            s.starts_with("Seed 7. 12 cells: 2 instance types × 2 formulas × 3 orders."),
            "{s}"
        );
        assert!(
            s.contains("Fixed orders run once; random orders are computed exactly, over every order, in 4 cells."),
            "{s}"
        );
    }
}
