//! Readers: a results directory's CSVs back into the plain records, so that
//! `sgpsim report DIR` redraws without re-running anything.
//!
//! Columns are found by name; extra columns are ignored. Errors name the
//! file, the column and the line.

use std::collections::HashMap;
use std::str::FromStr;

use super::Row;
use super::csv::{EXTRA_COLUMNS, SUMMARY_COLUMNS};
use crate::error::InputError;
use crate::output::records::{
    SAFE_REGION_COLUMNS, SPREAD_COLUMNS, SafeCell, SpreadRow, TIMELINE_COLUMNS, TimelineSample,
};

/// A CSV held in memory with its header's positions.
struct Table {
    file: String,
    index: HashMap<String, usize>,
    records: Vec<csv::StringRecord>,
}

/// One record of a [`Table`], with its 1-based line for errors.
struct Rec<'a> {
    table: &'a Table,
    rec: &'a csv::StringRecord,
    line: u64,
}

impl Table {
    fn parse(bytes: &[u8], file: &str, required: &[&str]) -> Result<Table, InputError> {
        let mut r = csv::ReaderBuilder::new().has_headers(true).from_reader(bytes);
        let bad = |e: csv::Error| {
            InputError::file(
                file,
                format!("not a readable CSV: {e}"),
                "run the scenario again to rewrite it",
            )
        };
        let header = r.headers().map_err(bad)?.clone();
        let index: HashMap<String, usize> = header
            .iter()
            .enumerate()
            .map(|(i, h)| (h.trim().to_string(), i))
            .collect();
        if let Some(missing) = required.iter().find(|c| !index.contains_key(**c)) {
            return Err(InputError {
                file: Some(file.into()),
                field: Some((*missing).into()),
                problem: "the column is missing".into(),
                fix: "run the scenario again with this version of sgpsim to rewrite the file".into(),
            });
        }
        let records = r.records().collect::<Result<Vec<_>, _>>().map_err(bad)?;
        Ok(Table {
            file: file.into(),
            index,
            records,
        })
    }

    fn rows(&self) -> impl Iterator<Item = Rec<'_>> {
        self.records.iter().map(move |rec| Rec {
            table: self,
            rec,
            line: rec.position().map_or(0, |p| p.line()),
        })
    }
}

impl Rec<'_> {
    /// The raw text of `col`; empty when the column is absent.
    fn text(&self, col: &str) -> &str {
        self.table
            .index
            .get(col)
            .and_then(|&i| self.rec.get(i))
            .unwrap_or("")
            .trim()
    }

    fn string(&self, col: &str) -> String {
        self.text(col).to_string()
    }

    fn error(&self, col: &str, problem: String) -> InputError {
        InputError {
            file: Some(self.table.file.clone()),
            field: Some(col.into()),
            problem: format!("line {}: {problem}", self.line),
            fix: "run the scenario again to rewrite the file".into(),
        }
    }

    /// A required value of type `T`.
    fn parse<T: FromStr>(&self, col: &str) -> Result<T, InputError> {
        let t = self.text(col);
        t.parse()
            .map_err(|_| self.error(col, format!("`{t}` is not a valid {col}")))
    }

    /// An optional value: empty (or an absent column) is `None`.
    fn opt<T: FromStr>(&self, col: &str) -> Result<Option<T>, InputError> {
        if self.text(col).is_empty() {
            Ok(None)
        } else {
            self.parse(col).map(Some)
        }
    }

    /// A value from a column after the required ones: absent or empty gives the default.
    fn or_default<T: FromStr + Default>(&self, col: &str) -> Result<T, InputError> {
        Ok(self.opt(col)?.unwrap_or_default())
    }

    /// A finite float.
    fn float(&self, col: &str) -> Result<f64, InputError> {
        let v: f64 = self.parse(col)?;
        if v.is_finite() {
            Ok(v)
        } else {
            Err(self.error(col, format!("`{v}` is not a finite number")))
        }
    }
}

/// `summary.csv` back into rows. The required columns must all be there; the
/// extra ones default when absent (an older file).
pub fn summary(bytes: &[u8], file: &str) -> Result<Vec<Row>, InputError> {
    let table = Table::parse(bytes, file, &SUMMARY_COLUMNS)?;
    debug_assert!(EXTRA_COLUMNS.iter().all(|c| !SUMMARY_COLUMNS.contains(c)));
    let rows = table
        .rows()
        .map(|r| {
            Ok(Row {
                instance_type: r.string("instance_type"),
                formula: r.string("formula"),
                order: r.string("order"),
                policy: r.string("policy"),
                trials: r.parse("trials")?,
                seed: r.parse("seed")?,
                system_pods: r.parse("system_pods")?,
                system_ip_pods: r.parse("system_ip_pods")?,
                sg_pods: r.parse("sg_pods")?,
                ip_pods: r.parse("ip_pods")?,
                max_pods: r.parse("max_pods")?,
                ip_capacity: r.parse("ip_capacity")?,
                branch_capacity: r.parse("branch_capacity")?,
                running_mean: r.float("running_mean")?,
                ip_failed_mean: r.float("ip_failed_mean")?,
                pending_mean: r.float("pending_mean")?,
                failure_rate_mean: r.float("failure_rate_mean")?,
                failure_rate_p50: r.float("failure_rate_p50")?,
                failure_rate_p95: r.float("failure_rate_p95")?,
                failure_rate_max: r.float("failure_rate_max")?,
                trials_with_failure: r.parse("trials_with_failure")?,
                wasted_ips_mean: r.float("wasted_ips_mean")?,
                wasted_ips_max: r.parse("wasted_ips_max")?,
                stranded_slots_mean: r.float("stranded_slots_mean")?,
                first_ip_failure_min: r.opt("first_ip_failure_min")?,
                nodes_mean: r.float("nodes_mean")?,
                host_pods: r.or_default("host_pods")?,
                failure_rate_ci95_low: r.opt("failure_rate_ci95_low")?,
                failure_rate_ci95_high: r.opt("failure_rate_ci95_high")?,
                running_sg_mean: r.or_default("running_sg_mean")?,
                running_ip_mean: r.or_default("running_ip_mean")?,
                running_host_mean: r.or_default("running_host_mean")?,
                pending_sg_mean: r.or_default("pending_sg_mean")?,
                pending_ip_mean: r.or_default("pending_ip_mean")?,
                pending_host_mean: r.or_default("pending_host_mean")?,
                sgp: r.opt("sgp")?.unwrap_or(true),
                prefix_delegation: r.or_default("prefix_delegation")?,
                nodes: r.string("nodes"),
                note: r.string("note"),
                method: r.string("method"),
                failure_probability: r.or_default("failure_probability")?,
                failure_probability_ci95_low: r.opt("failure_probability_ci95_low")?,
                failure_probability_ci95_high: r.opt("failure_probability_ci95_high")?,
                exact_failure_probability: r.opt("exact_failure_probability")?,
                exact_failure_rate_mean: r.opt("exact_failure_rate_mean")?,
                exact_failure_rate_p50: r.opt("exact_failure_rate_p50")?,
                exact_failure_rate_p95: r.opt("exact_failure_rate_p95")?,
                exact_failure_rate_max: r.opt("exact_failure_rate_max")?,
                exact_wasted_ips_mean: r.opt("exact_wasted_ips_mean")?,
                exact_stranded_slots_mean: r.opt("exact_stranded_slots_mean")?,
                exact_pending_mean: r.opt("exact_pending_mean")?,
                exact_first_ip_failure_min: r.opt("exact_first_ip_failure_min")?,
            })
        })
        .collect::<Result<Vec<_>, InputError>>()?;
    if rows.is_empty() {
        return Err(InputError::file(
            file,
            "has no rows",
            "run the scenario first: `sgpsim run SCENARIO --out DIR`",
        ));
    }
    Ok(rows)
}

/// `failure-spread.csv` back into rows.
pub fn spread(bytes: &[u8], file: &str) -> Result<Vec<SpreadRow>, InputError> {
    let table = Table::parse(bytes, file, &SPREAD_COLUMNS)?;
    table
        .rows()
        .map(|r| {
            Ok(SpreadRow {
                instance_type: r.string("instance_type"),
                formula: r.string("formula"),
                policy: r.string("policy"),
                trials: r.parse("trials")?,
                seed: r.parse("seed")?,
                min: r.float("failure_rate_min")?,
                p05: r.float("failure_rate_p05")?,
                p25: r.float("failure_rate_p25")?,
                p50: r.float("failure_rate_p50")?,
                p75: r.float("failure_rate_p75")?,
                p95: r.float("failure_rate_p95")?,
                max: r.float("failure_rate_max")?,
                mean: r.float("failure_rate_mean")?,
                trials_with_failure: r.parse("trials_with_failure")?,
            })
        })
        .collect()
}

/// `safe-region.csv` back into grid cells.
pub fn safe_region(bytes: &[u8], file: &str) -> Result<Vec<SafeCell>, InputError> {
    let table = Table::parse(bytes, file, &SAFE_REGION_COLUMNS)?;
    table
        .rows()
        .map(|r| {
            Ok(SafeCell {
                instance_type: r.string("instance_type"),
                policy: r.string("policy"),
                sg_share: r.float("sg_share")?,
                max_pods: r.parse("max_pods")?,
                sg_pods: r.parse("sg_pods")?,
                ip_pods: r.parse("ip_pods")?,
                method: r.string("method"),
                failure_probability: r.float("failure_probability")?,
                failure_rate_mean: r.float("failure_rate_mean")?,
            })
        })
        .collect()
}

/// `timeline.csv` (written by the timed run) back into samples.
pub fn timeline(bytes: &[u8], file: &str) -> Result<Vec<TimelineSample>, InputError> {
    let table = Table::parse(bytes, file, &TIMELINE_COLUMNS)?;
    table
        .rows()
        .map(|r| {
            Ok(TimelineSample {
                formula: r.string("formula"),
                instance_type: r.string("instance_type"),
                order: r.string("order"),
                policy: r.string("policy"),
                trial: r.parse("trial")?,
                time_s: r.float("time_s")?,
                running: r.float("running")?,
                pending: r.float("pending")?,
                starting: r.float("starting")?,
                waiting_ip: r.float("waiting_ip")?,
                ip_failed: r.float("ip_failed")?,
                completed: r.float("completed")?,
                nodes_launching: r.float("nodes_launching")?,
                nodes_ready: r.float("nodes_ready")?,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::testing::fixture_rows;
    use crate::output::csv::summary as summary_csv;
    use crate::output::records::{safe_region_csv, spread_csv};

    #[test]
    fn summary_round_trips_through_the_csv() {
        let rows = fixture_rows();
        let bytes = summary_csv(&rows);
        let back = summary(&bytes, "summary.csv").unwrap();
        assert_eq!(back.len(), rows.len());
        // Written again, the rows read back give the same bytes.
        assert_eq!(summary_csv(&back), bytes);
        let r = back.iter().find(|r| r.order == "random").unwrap();
        assert!(r.failure_rate_ci95_low.is_some());
        let d = back.iter().find(|r| r.order == "sg-first").unwrap();
        assert_eq!(d.failure_rate_ci95_low, None);
    }

    #[test]
    fn missing_column_and_bad_value_name_the_file_column_and_line() {
        let e = summary(b"instance_type,formula\nm5.large,aws-default\n", "d/summary.csv").unwrap_err();
        assert_eq!(e.file.as_deref(), Some("d/summary.csv"));
        assert_eq!(e.field.as_deref(), Some("order"));
        let bytes = String::from_utf8(summary_csv(&fixture_rows())).unwrap();
        let broken = bytes.replacen(",most-allocated,200,", ",most-allocated,lots,", 1);
        assert_ne!(broken, bytes);
        let e = summary(broken.as_bytes(), "s.csv").unwrap_err();
        assert_eq!(e.field.as_deref(), Some("trials"));
        assert!(e.problem.starts_with("line "), "{e}");
        let header_only = bytes.lines().next().unwrap().to_string() + "\n";
        let e = summary(header_only.as_bytes(), "s.csv").unwrap_err();
        assert!(e.fix.contains("run the scenario first"), "{e}");
    }

    #[test]
    fn own_csvs_round_trip() {
        let spread_rows = vec![SpreadRow {
            instance_type: "m5.large".into(),
            formula: "aws-default".into(),
            policy: "most-allocated".into(),
            trials: 10,
            seed: 3,
            min: 0.0,
            p05: 0.0,
            p25: 0.025,
            p50: 0.05,
            p75: 0.1,
            p95: 0.125,
            max: 0.25,
            mean: 0.0625,
            trials_with_failure: 7,
        }];
        assert_eq!(spread(&spread_csv(&spread_rows), "f").unwrap(), spread_rows);
        let cells = vec![SafeCell {
            instance_type: "m5.large".into(),
            policy: "most-allocated".into(),
            sg_share: 0.25,
            max_pods: 29,
            sg_pods: 7,
            ip_pods: 20,
            method: "exact".into(),
            failure_probability: 0.5,
            failure_rate_mean: 0.03125,
        }];
        assert_eq!(safe_region(&safe_region_csv(&cells), "f").unwrap(), cells);
    }

    #[test]
    fn timeline_needs_every_column() {
        let e = timeline(b"formula,trial\n", "timeline.csv").unwrap_err();
        assert_eq!(e.field.as_deref(), Some("instance_type"));
    }
}
