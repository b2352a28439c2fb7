//! Which charts a report draws from its inputs, and why any is left out.

use super::inputs::{Inputs, SAFE_REGION_CSV, TIMELINE_CSV};
use crate::chart::{self, Chart};
use crate::error::Error;

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
        charts.push(chart::spread::spread(&inputs.spread, &inputs.rows)?);
    }
    charts.push(chart::frontier::frontier(&inputs.rows)?);
    if inputs.safe.is_empty() {
        let why = if timed {
            format!("a timed run has no {SAFE_REGION_CSV}")
        } else if super::reading::requests_given(&inputs.scenario_text) {
            "the pods request CPU or memory, which the map (slots and IPs on one node) does not count".to_string()
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
