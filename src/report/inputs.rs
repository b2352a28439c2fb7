//! A results directory's files read back into [`Inputs`], everything a
//! report is drawn from.

use std::path::Path;

use crate::error::InputError;
use crate::output::directory::Files;
use crate::output::records::{SafeCell, SpreadRow, TimelineSample};
use crate::output::{Row, read};

pub const SUMMARY_CSV: &str = "summary.csv";
pub const SCENARIO_TOML: &str = "scenario.toml";
pub const SPREAD_CSV: &str = "failure-spread.csv";
pub const SAFE_REGION_CSV: &str = "safe-region.csv";
pub const TIMELINE_CSV: &str = "timeline.csv";

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
        let rows = read::summary(required(SUMMARY_CSV)?, &shown(SUMMARY_CSV))?;
        let scenario_text = String::from_utf8_lossy(required(SCENARIO_TOML)?).into_owned();
        let timeline = match files.get(TIMELINE_CSV) {
            Some(b) => Some(read::timeline(b, &shown(TIMELINE_CSV))?),
            None => None,
        };
        let timed = timeline.is_some();
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
        })
    }
}
