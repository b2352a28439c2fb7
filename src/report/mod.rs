//! The report of a results directory: the charts (PNG and SVG), a
//! self-contained `report.html` and a `report.md` for pull requests, all
//! drawn from the directory's CSVs so that `sgpsim report DIR` redraws them
//! without re-running anything.
//!
//! The run adds two small CSVs the charts need beyond `summary.csv`:
//! `failure-spread.csv` (per random cell, quantiles of the failure rate over
//! its trials) and `safe-region.csv` (see `runner::safe_region`).
//! `timeline.csv`, when the timed engine wrote one, adds chart 6;
//! `node-room.csv`, where pods request CPU or memory, each type's room for
//! them, which the largest safe maxPods counts.
//!
//! `inputs` reads the directory's files into [`Inputs`]; `charts` draws the
//! charts they allow; `reading` (the plain-language reading) and `tables`
//! compute the prose and the tables from the rows, `advice` the answers
//! beyond them (the largest safe maxPods, which types to read out), `words`
//! how figures are written; `document` orders it all, `html` and `markdown`
//! lay it out; `render` puts it in the directory's files.

mod advice;
mod charts;
mod document;
mod html;
mod inputs;
mod markdown;
mod reading;
mod render;
mod tables;
mod words;

pub use charts::{Charts, charts};
pub use inputs::{
    Inputs, NODE_ROOM_CSV, SAFE_REGION_CSV, SCENARIO_TOML, SPREAD_CSV, SUMMARY_CSV, TIMELINE_CSV, TimeToRunning,
    TimedMeasures,
};
pub use render::{Written, redraw, render};
