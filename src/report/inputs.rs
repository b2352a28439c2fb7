//! A results directory's files read back into [`Inputs`], everything a
//! report is drawn from.

use std::path::Path;

use crate::error::InputError;
use crate::output::directory::Files;
use crate::output::records::{RoomRow, SafeCell, SpreadRow, TimelineSample};
use crate::output::{Row, read};

pub const SUMMARY_CSV: &str = "summary.csv";
pub const SCENARIO_TOML: &str = "scenario.toml";
pub const SPREAD_CSV: &str = "failure-spread.csv";
pub const SAFE_REGION_CSV: &str = "safe-region.csv";
pub const TIMELINE_CSV: &str = "timeline.csv";
pub const NODE_ROOM_CSV: &str = "node-room.csv";

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
    /// A timed run's measures, one per row of `rows` (empty for a static run).
    pub timed: Vec<TimedMeasures>,
    /// `node-room.csv`: each type's CPU and memory room as the run had it,
    /// where its pods request them with one request per kind; `None` where
    /// the run wrote none (no requests, workload groups, or an older run).
    pub rooms: Option<Vec<RoomRow>>,
}

/// Time to running of one kind of pod, in seconds: the 50th and 95th
/// percentiles (means over trials) and the maximum over trials; `None` where
/// no pod of the kind ran.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct TimeToRunning {
    pub p50: Option<f64>,
    pub p95: Option<f64>,
    pub max: Option<f64>,
}

/// The columns a timed run adds to a summary row (MODEL.md §9's measures).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TimedMeasures {
    pub arrivals: String,
    pub horizon_s: f64,
    pub sg: TimeToRunning,
    pub ip: TimeToRunning,
    /// Seconds pods spent ip-failed, summed over pods, mean over trials.
    pub ip_failed_pod_seconds: f64,
    pub nodes_launched: f64,
    pub node_hours: f64,
    /// On-demand cost of the node-hours, where the catalog has prices.
    pub cost: Option<f64>,
    /// Pods still starting (bound, waiting for their network) at the end.
    pub starting: f64,
    /// Pods whose arrival time lies past the horizon.
    pub not_arrived: f64,
    /// Pods that ended within the horizon, mean over trials.
    pub completed: f64,
    /// The most addresses in use at once in the node subnet and the
    /// ENIConfig's, over the trials.
    pub subnet_peak: [f64; 2],
    /// Pods that waited on a subnet's addresses, mean over trials.
    pub subnet_waited: f64,
}

/// The timed columns of `summary.csv`, one per record, found by name.
fn timed_measures(bytes: &[u8], file: &str) -> Result<Vec<TimedMeasures>, InputError> {
    let mut reader = csv::Reader::from_reader(bytes);
    let bad = |problem: String| {
        InputError::file(
            file,
            problem,
            "run the scenario again with this version of sgpsim to rewrite it",
        )
    };
    let header = reader
        .headers()
        .map_err(|e| bad(format!("not a readable CSV: {e}")))?
        .clone();
    let at = |name: &str| header.iter().position(|h| h.trim() == name);
    let mut out = Vec::new();
    for (i, rec) in reader.records().enumerate() {
        let rec = rec.map_err(|e| bad(format!("not a readable CSV: {e}")))?;
        let text = |name: &str| at(name).and_then(|j| rec.get(j)).unwrap_or("").trim().to_string();
        let number = |name: &str| -> Result<Option<f64>, InputError> {
            let t = text(name);
            if t.is_empty() {
                return Ok(None);
            }
            match t.parse::<f64>() {
                Ok(v) if v.is_finite() => Ok(Some(v)),
                _ => Err(InputError {
                    field: Some(name.into()),
                    ..bad(format!("line {}: `{t}` is not a number", i + 2))
                }),
            }
        };
        let ttr = |kind: &str| -> Result<TimeToRunning, InputError> {
            Ok(TimeToRunning {
                p50: number(&format!("ttr_{kind}_p50_s"))?,
                p95: number(&format!("ttr_{kind}_p95_s"))?,
                max: number(&format!("ttr_{kind}_max_s"))?,
            })
        };
        out.push(TimedMeasures {
            arrivals: text("arrivals"),
            horizon_s: number("horizon_s")?.unwrap_or(0.0),
            sg: ttr("sg")?,
            ip: ttr("ip")?,
            ip_failed_pod_seconds: number("ip_failed_pod_seconds_mean")?.unwrap_or(0.0),
            nodes_launched: number("nodes_launched_mean")?.unwrap_or(0.0),
            node_hours: number("node_hours_mean")?.unwrap_or(0.0),
            cost: number("cost_mean")?,
            starting: number("starting_mean")?.unwrap_or(0.0),
            not_arrived: number("not_arrived_mean")?.unwrap_or(0.0),
            completed: number("completed_mean")?.unwrap_or(0.0),
            subnet_peak: [
                number("node_subnet_peak")?.unwrap_or(0.0),
                number("eniconfig_subnet_peak")?.unwrap_or(0.0),
            ],
            subnet_waited: number("subnet_waited_mean")?.unwrap_or(0.0),
        });
    }
    Ok(out)
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
        let summary = required(SUMMARY_CSV)?;
        let rows = read::summary(summary, &shown(SUMMARY_CSV))?;
        let scenario_text = String::from_utf8_lossy(required(SCENARIO_TOML)?).into_owned();
        let timeline = match files.get(TIMELINE_CSV) {
            Some(b) => Some(read::timeline(b, &shown(TIMELINE_CSV))?),
            None => None,
        };
        let timed = timeline.is_some();
        let measures = if timed {
            timed_measures(summary, &shown(SUMMARY_CSV))?
        } else {
            Vec::new()
        };
        if !measures.is_empty() && measures.len() != rows.len() {
            return Err(InputError::file(
                shown(SUMMARY_CSV),
                "has rows the timed columns do not match",
                "run the scenario again to rewrite it",
            ));
        }
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
        let rooms = match files.get(NODE_ROOM_CSV) {
            Some(b) => Some(read::node_room(b, &shown(NODE_ROOM_CSV))?),
            None => None,
        };
        // A room for every type the rows have, or the report would count
        // some types' CPU and memory and not others'.
        if let Some(rooms) = &rooms
            && let Some(r) = rows
                .iter()
                .find(|r| !rooms.iter().any(|x| x.instance_type == r.instance_type))
        {
            return Err(InputError::file(
                shown(NODE_ROOM_CSV),
                format!("has no row for {}, a type of {SUMMARY_CSV}", r.instance_type),
                "run the scenario again to rewrite it",
            ));
        }
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
            timed: measures,
            rooms,
        })
    }
}
