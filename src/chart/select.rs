//! Which rows a chart draws: the first policy's, the reference order's, and
//! the distinct names among them.

use super::measures::{mismatch, types_by_risk};
use crate::output::Row;

/// Distinct values in first-seen order.
pub(super) fn distinct<'a>(it: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in it {
        if !out.iter().any(|o| o == s) {
            out.push(s.to_string());
        }
    }
    out
}

/// The rows charts draw: those of the first policy in the file (a scenario
/// with several policies gets its charts for the first; the tables show all),
/// and a note saying so when rows were left out.
pub(super) fn first_policy(rows: &[Row]) -> (Vec<&Row>, String) {
    let Some(first) = rows.first().map(|r| r.policy.as_str()) else {
        return (Vec::new(), String::new());
    };
    let kept: Vec<&Row> = rows.iter().filter(|r| r.policy == first).collect();
    let note = if kept.len() < rows.len() {
        format!("policy {first} only")
    } else {
        format!("policy {first}")
    };
    (kept, note)
}

/// The order whose rows the waste and frontier charts use: random if the
/// scenario has it (the mean over its trials), else the first order.
pub(super) fn reference_order(rows: &[&Row]) -> String {
    if rows.iter().any(|r| r.order == "random") {
        "random".into()
    } else {
        rows.first().map(|r| r.order.clone()).unwrap_or_default()
    }
}

/// Instance types drawn at most in a chart of one panel or column group per
/// type: the riskiest (see `measures::types_by_risk`); the report's tables
/// hold every type.
pub(super) const MAX_TYPES: usize = 12;

/// The rows whose formula fits their nodes, and the formulas left out
/// because they do not (see `measures::mismatch`). When every row is such a
/// row, all are kept: a chart of nothing would say less.
pub(super) fn fitting(rows: Vec<&Row>) -> (Vec<&Row>, Vec<String>) {
    let (fit, misfit): (Vec<&Row>, Vec<&Row>) = rows.into_iter().partition(|r| mismatch(r).is_none());
    if fit.is_empty() {
        return (misfit, Vec::new());
    }
    (fit, distinct(misfit.iter().map(|r| r.formula.as_str())))
}

/// The types a chart draws: the riskiest `max` of those in `rows`, in the
/// rows' order when all fit.
pub(super) fn drawn_types(rows: &[&Row], max: usize) -> Vec<String> {
    let all = distinct(rows.iter().map(|r| r.instance_type.as_str()));
    if all.len() <= max {
        return all;
    }
    let mut ranked = types_by_risk(rows);
    ranked.truncate(max);
    ranked
}

/// The subtitle's notes on what a chart leaves out: formulas that do not
/// fit their nodes, and types past the riskiest `shown`.
pub(super) fn left_out_note(left_out: &[String], shown: usize, types: usize) -> String {
    let mut notes = Vec::new();
    if !left_out.is_empty() {
        notes.push(format!(
            "{} left out (maxPods for prefix delegation on nodes without it; see the tables)",
            left_out.join(", ")
        ));
    }
    if shown < types {
        notes.push(format!(
            "the {shown} riskiest of {types} instance types, by the share of random orders that fail with aws-default, then with every formula (every type is in the report's tables)"
        ));
    }
    notes.join("; ")
}
