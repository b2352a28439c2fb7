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
    NODE_ROOM_COLUMNS, RoomRow, SAFE_REGION_COLUMNS, SPREAD_COLUMNS, SafeCell, SpreadRow, TIMELINE_COLUMNS,
    TimelineSample,
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
        t.parse().map_err(|_| {
            self.error(
                col,
                format!("`{}` is not a valid {col}", crate::model::formula::shown(t)),
            )
        })
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

    /// A float within `lo..=hi`: a figure sgpsim could have written. Values
    /// near the float maximum pass the finiteness check but would make a
    /// chart's axis infinite.
    fn within(&self, col: &str, lo: f64, hi: f64) -> Result<f64, InputError> {
        let v = self.float(col)?;
        if (lo..=hi).contains(&v) {
            Ok(v)
        } else {
            Err(self.error(col, format!("{v:?} is outside {lo}..={hi}")))
        }
    }

    /// A share or probability, in 0..=1.
    fn share(&self, col: &str) -> Result<f64, InputError> {
        self.within(col, 0.0, 1.0)
    }

    /// A mean or count of pods, nodes or IPs: at most [`MAX_COUNT`].
    fn count(&self, col: &str) -> Result<f64, InputError> {
        self.within(col, 0.0, MAX_COUNT)
    }

    /// An optional share.
    fn opt_share(&self, col: &str) -> Result<Option<f64>, InputError> {
        if self.text(col).is_empty() {
            Ok(None)
        } else {
            self.share(col).map(Some)
        }
    }

    /// An optional count.
    fn opt_count(&self, col: &str) -> Result<Option<f64>, InputError> {
        if self.text(col).is_empty() {
            Ok(None)
        } else {
            self.count(col).map(Some)
        }
    }

    /// A share from a column after the required ones: absent or empty is 0.
    fn share_or_zero(&self, col: &str) -> Result<f64, InputError> {
        if self.text(col).is_empty() {
            Ok(0.0)
        } else {
            self.share(col)
        }
    }

    /// A mean from a column after the required ones: absent or empty is 0.
    fn count_or_zero(&self, col: &str) -> Result<f64, InputError> {
        if self.text(col).is_empty() {
            Ok(0.0)
        } else {
            self.count(col)
        }
    }

    /// A whole number within `0..=max`.
    fn int<T: FromStr + Into<u64> + Copy>(&self, col: &str, max: u64) -> Result<T, InputError> {
        let v: T = self.parse(col)?;
        if v.into() <= max {
            Ok(v)
        } else {
            Err(self.error(col, format!("{} is more than {max}", v.into())))
        }
    }

    /// Text of at most [`MAX_TEXT`] bytes.
    fn label(&self, col: &str) -> Result<String, InputError> {
        let t = self.text(col);
        if t.len() > MAX_TEXT {
            return Err(self.error(col, format!("a value of {} bytes is longer than {MAX_TEXT}", t.len())));
        }
        Ok(t.to_string())
    }
}

/// The largest count a results file may hold (pods, nodes, IPs, their means):
/// far above what any validated run writes (10 million pods per cell).
const MAX_COUNT: f64 = 1e9;
/// The longest text value (a CEL formula is at most 1024 bytes).
const MAX_TEXT: usize = 2048;
/// The largest count of trials or pods as a whole number.
const MAX_INT: u64 = 1_000_000_000;
/// The most CPU a node-room figure may hold: the catalog's most vCPUs
/// (a `u32`) in millicores.
const MAX_MILLICORES: u64 = u32::MAX as u64 * 1000;
/// The most memory a node-room figure may hold: 2^62 bytes, above the
/// catalog's most memory (2^40 MiB, 2^60 bytes).
const MAX_BYTES: u64 = 1 << 62;
/// The longest time a timeline may reach, in seconds.
const MAX_TIME_S: f64 = crate::timed::time::MAX_SECONDS;

/// `summary.csv` back into rows. The required columns must all be there; the
/// extra ones default when absent (an older file).
pub fn summary(bytes: &[u8], file: &str) -> Result<Vec<Row>, InputError> {
    let table = Table::parse(bytes, file, &SUMMARY_COLUMNS)?;
    debug_assert!(EXTRA_COLUMNS.iter().all(|c| !SUMMARY_COLUMNS.contains(c)));
    let rows = table
        .rows()
        .map(|r| {
            Ok(Row {
                instance_type: r.label("instance_type")?,
                formula: r.label("formula")?,
                order: r.label("order")?,
                policy: r.label("policy")?,
                trials: r.int("trials", MAX_INT)?,
                seed: r.parse("seed")?,
                system_pods: r.int("system_pods", MAX_INT)?,
                system_ip_pods: r.int("system_ip_pods", MAX_INT)?,
                sg_pods: r.int("sg_pods", MAX_INT)?,
                ip_pods: r.int("ip_pods", MAX_INT)?,
                max_pods: r.int("max_pods", MAX_INT)?,
                ip_capacity: r.int("ip_capacity", MAX_INT)?,
                branch_capacity: r.int("branch_capacity", MAX_INT)?,
                running_mean: r.count("running_mean")?,
                ip_failed_mean: r.count("ip_failed_mean")?,
                pending_mean: r.count("pending_mean")?,
                failure_rate_mean: r.share("failure_rate_mean")?,
                failure_rate_p50: r.share("failure_rate_p50")?,
                failure_rate_p95: r.share("failure_rate_p95")?,
                failure_rate_max: r.share("failure_rate_max")?,
                trials_with_failure: r.int("trials_with_failure", MAX_INT)?,
                wasted_ips_mean: r.count("wasted_ips_mean")?,
                wasted_ips_max: r.int("wasted_ips_max", MAX_INT)?,
                stranded_slots_mean: r.count("stranded_slots_mean")?,
                first_ip_failure_min: r.opt("first_ip_failure_min")?,
                nodes_mean: r.count("nodes_mean")?,
                host_pods: r.or_default("host_pods")?,
                failure_rate_ci95_low: r.opt_share("failure_rate_ci95_low")?,
                failure_rate_ci95_high: r.opt_share("failure_rate_ci95_high")?,
                running_sg_mean: r.count_or_zero("running_sg_mean")?,
                running_ip_mean: r.count_or_zero("running_ip_mean")?,
                running_host_mean: r.count_or_zero("running_host_mean")?,
                pending_sg_mean: r.count_or_zero("pending_sg_mean")?,
                pending_ip_mean: r.count_or_zero("pending_ip_mean")?,
                pending_host_mean: r.count_or_zero("pending_host_mean")?,
                sgp: r.opt("sgp")?.unwrap_or(true),
                prefix_delegation: r.or_default("prefix_delegation")?,
                nodes: r.label("nodes")?,
                note: r.label("note")?,
                method: r.label("method")?,
                failure_probability: r.share_or_zero("failure_probability")?,
                failure_probability_ci95_low: r.opt_share("failure_probability_ci95_low")?,
                failure_probability_ci95_high: r.opt_share("failure_probability_ci95_high")?,
                exact_failure_probability: r.opt_share("exact_failure_probability")?,
                exact_failure_rate_mean: r.opt_share("exact_failure_rate_mean")?,
                exact_failure_rate_p50: r.opt_share("exact_failure_rate_p50")?,
                exact_failure_rate_p95: r.opt_share("exact_failure_rate_p95")?,
                exact_failure_rate_max: r.opt_share("exact_failure_rate_max")?,
                exact_wasted_ips_mean: r.opt_count("exact_wasted_ips_mean")?,
                exact_stranded_slots_mean: r.opt_count("exact_stranded_slots_mean")?,
                exact_pending_mean: r.opt_count("exact_pending_mean")?,
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
                instance_type: r.label("instance_type")?,
                formula: r.label("formula")?,
                policy: r.label("policy")?,
                trials: r.int("trials", MAX_INT)?,
                seed: r.parse("seed")?,
                min: r.share("failure_rate_min")?,
                p05: r.share("failure_rate_p05")?,
                p25: r.share("failure_rate_p25")?,
                p50: r.share("failure_rate_p50")?,
                p75: r.share("failure_rate_p75")?,
                p95: r.share("failure_rate_p95")?,
                max: r.share("failure_rate_max")?,
                mean: r.share("failure_rate_mean")?,
                trials_with_failure: r.int("trials_with_failure", MAX_INT)?,
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
                instance_type: r.label("instance_type")?,
                policy: r.label("policy")?,
                sg_share: r.share("sg_share")?,
                max_pods: r.int("max_pods", MAX_INT)?,
                sg_pods: r.int("sg_pods", MAX_INT)?,
                ip_pods: r.int("ip_pods", MAX_INT)?,
                method: r.label("method")?,
                failure_probability: r.share("failure_probability")?,
                failure_rate_mean: r.share("failure_rate_mean")?,
            })
        })
        .collect()
}

/// `node-room.csv` back into rows.
pub fn node_room(bytes: &[u8], file: &str) -> Result<Vec<RoomRow>, InputError> {
    use crate::model::exact::NodeRoom;
    use crate::model::requests::Res;
    let table = Table::parse(bytes, file, &NODE_ROOM_COLUMNS)?;
    table
        .rows()
        .map(|r| {
            let res = |what: &str| -> Result<Res, InputError> {
                Ok(Res {
                    cpu: r.int(&format!("{what}_cpu_millicores"), MAX_MILLICORES)?,
                    memory: r.int(&format!("{what}_memory_bytes"), MAX_BYTES)?,
                })
            };
            Ok(RoomRow {
                instance_type: r.label("instance_type")?,
                formula: r.label("formula")?,
                reserved_enis: r.int("reserved_enis", MAX_INT)?,
                room: NodeRoom {
                    free: res("free")?,
                    sg: res("sg")?,
                    ip: res("ip")?,
                },
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
                formula: r.label("formula")?,
                instance_type: r.label("instance_type")?,
                order: r.label("order")?,
                policy: r.label("policy")?,
                trial: r.int("trial", MAX_INT)?,
                time_s: r.within("time_s", 0.0, MAX_TIME_S)?,
                running: r.count("running")?,
                pending: r.count("pending")?,
                starting: r.count("starting")?,
                waiting_ip: r.count("waiting_ip")?,
                ip_failed: r.count("ip_failed")?,
                completed: r.count("completed")?,
                nodes_launching: r.count("nodes_launching")?,
                nodes_ready: r.count("nodes_ready")?,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::testing::fixture_rows;
    use crate::model::requests::Res;
    use crate::output::csv::summary as summary_csv;
    use crate::output::records::{node_room_csv, safe_region_csv, spread_csv};

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
        let rooms = vec![RoomRow {
            instance_type: "m5.large".into(),
            formula: "aws-default".into(),
            reserved_enis: 0,
            room: crate::model::exact::NodeRoom {
                free: Res {
                    cpu: 1730,
                    memory: 7_238_320_128,
                },
                sg: Res { cpu: 500, memory: 0 },
                ip: Res {
                    cpu: 0,
                    memory: 512_000_000,
                },
            },
        }];
        assert_eq!(node_room(&node_room_csv(&rooms), "f").unwrap(), rooms);
        let e = node_room(b"instance_type,formula\n", "node-room.csv").unwrap_err();
        assert_eq!(e.field.as_deref(), Some("reserved_enis"));
    }

    #[test]
    fn timeline_needs_every_column() {
        let e = timeline(b"formula,trial\n", "timeline.csv").unwrap_err();
        assert_eq!(e.field.as_deref(), Some("instance_type"));
    }
}
