//! Trace files (`time,kind[,lifetime]` CSV) read into a [`Trace`] for the
//! timed model's trace-driven arrivals (MODEL.md §9, first rule).

use std::path::Path;

use crate::error::InputError;
use crate::input::bounds::MAX_PODS_PER_CELL;
use crate::model::workload::Kind;
use crate::timed::arrivals::{Trace, TraceRow};
use crate::timed::settings::{Arrivals, Timed};
use crate::timed::time::{MAX_SECONDS, Time};

/// Parses `time,kind[,lifetime]` CSV (a header row is required; times in
/// seconds; kinds `sg`, `ip`, `host`). `file` names it in errors.
pub fn parse(text: &str, file: &str) -> Result<Trace, InputError> {
    let mut rd = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(text.as_bytes());
    let bad = |line: u64, col: &str, problem: String, fix: &str| InputError {
        file: Some(file.to_string()),
        field: Some(format!("line {line}, column {col}")),
        problem,
        fix: fix.to_string(),
    };
    let header = rd
        .headers()
        .map_err(|e| InputError::file(file, format!("not CSV: {e}"), "write `time,kind,lifetime` rows"))?
        .clone();
    let names: Vec<&str> = header.iter().collect();
    if names.len() < 2
        || names[0] != "time"
        || names[1] != "kind"
        || (names.len() == 3 && names[2] != "lifetime")
        || names.len() > 3
    {
        return Err(InputError::file(
            file,
            format!("the header is `{}`", crate::model::formula::shown(&names.join(","))),
            "start the trace with the header `time,kind` or `time,kind,lifetime`",
        ));
    }
    let mut rows = Vec::new();
    for (i, rec) in rd.records().enumerate() {
        let line = i as u64 + 2;
        let rec = rec.map_err(|e| bad(line, "-", format!("unreadable row: {e}"), "fix the row"))?;
        let secs = |col: usize, name: &str| -> Result<Time, InputError> {
            let s = rec.get(col).unwrap_or("");
            let v: f64 = s.parse().map_err(|_| {
                bad(
                    line,
                    name,
                    format!("`{}` is not a number of seconds", crate::model::formula::shown(s)),
                    "give seconds, e.g. 12.5",
                )
            })?;
            if !(v.is_finite() && (0.0..=MAX_SECONDS).contains(&v)) {
                return Err(bad(
                    line,
                    name,
                    format!("{v:?} is outside 0..={MAX_SECONDS}"),
                    "give seconds from the start of the rollout",
                ));
            }
            Ok(Time::from_secs_f64(v))
        };
        let time = secs(0, "time")?;
        let kind = match rec.get(1).unwrap_or("") {
            "sg" => Kind::Sg,
            "ip" => Kind::Ip,
            "host" => Kind::Host,
            other => {
                return Err(bad(
                    line,
                    "kind",
                    format!("unknown kind `{}`", crate::model::formula::shown(other)),
                    "use sg, ip or host",
                ));
            }
        };
        let lifetime = match rec.get(2) {
            None | Some("") => None,
            Some(_) => Some(secs(2, "lifetime")?),
        };
        rows.push(TraceRow { time, kind, lifetime });
        if rows.len() > MAX_PODS_PER_CELL as usize {
            return Err(bad(
                line,
                "-",
                format!("the trace has more than {MAX_PODS_PER_CELL} pods, the most one cell may have"),
                "split the rollout into several traces, or sample it",
            ));
        }
    }
    if rows.is_empty() {
        return Err(InputError::file(
            file,
            "the trace has no pods",
            "add one row per pod: time,kind[,lifetime]",
        ));
    }
    rows.sort_by_key(|r| r.time);
    Ok(Trace { rows })
}

/// Reads and parses a trace file.
pub fn load(path: &Path) -> Result<Trace, InputError> {
    let shown = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| InputError::io(&shown, "read the trace", &e))?;
    parse(crate::input::utf8(&bytes, &shown)?, &shown)
}

/// Where the trace of a trace-driven scenario is: its `file`, relative to
/// the scenario file's folder unless absolute.
pub fn path_for(timed: &Timed, scenario_path: &Path) -> Option<std::path::PathBuf> {
    match &timed.arrivals {
        Arrivals::Trace { file } => {
            let p = Path::new(file);
            Some(if p.is_absolute() {
                p.to_path_buf()
            } else {
                scenario_path.parent().unwrap_or(Path::new(".")).join(p)
            })
        }
        _ => None,
    }
}

/// Loads the trace of a trace-driven scenario, beside the scenario file.
pub fn for_scenario(timed: &Timed, scenario_path: &Path) -> Result<Option<Trace>, InputError> {
    match path_for(timed, scenario_path) {
        Some(full) => {
            let trace = load(&full).map_err(|e| InputError {
                field: e.field.or(Some("timed.arrivals.file".into())),
                ..e
            })?;
            if timed.replace
                && let Some(r) = trace.rows.iter().find(|r| r.lifetime == Some(Time::ZERO))
            {
                return Err(InputError {
                    file: Some(full.display().to_string()),
                    field: Some("lifetime".into()),
                    problem: format!(
                        "the pod arriving at {} s has a lifetime of 0 s: with `replace = true` it would end and be replaced at one instant, for ever",
                        r.time.as_secs_f64()
                    ),
                    fix: "give every lifetime above zero, or leave it empty (the pod then never ends)".into(),
                });
            }
            Ok(Some(trace))
        }
        _ => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::workload::Counts;

    #[test]
    fn traces_parse_and_errors_name_line_and_column() {
        let t = parse("time,kind,lifetime\n5,ip,\n1.5,sg,60\n1.5,host\n", "t.csv").unwrap();
        assert_eq!(t.rows.len(), 3);
        assert_eq!(
            t.rows[0],
            TraceRow {
                time: Time(1_500_000),
                kind: Kind::Sg,
                lifetime: Some(Time::secs(60))
            }
        );
        assert_eq!(t.rows[1].kind, Kind::Host);
        assert_eq!(t.counts(), Counts { sg: 1, ip: 1, host: 1 });
        let e = parse("time,kind\n1,pod\n", "t.csv").unwrap_err();
        assert_eq!(e.field.as_deref(), Some("line 2, column kind"));
        assert_eq!(e.file.as_deref(), Some("t.csv"));
        let e = parse("time,kind\n-1,ip\n", "t.csv").unwrap_err();
        assert_eq!(e.field.as_deref(), Some("line 2, column time"));
        assert!(parse("when,what\n1,ip\n", "t.csv").is_err());
        assert!(parse("time,kind\n", "t.csv").is_err());
    }
}
