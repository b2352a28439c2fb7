//! Which rows a chart draws: the first policy's, the reference order's, and
//! the distinct names among them.

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
