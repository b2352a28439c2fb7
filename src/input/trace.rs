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
    let extra = names.get(2..).unwrap_or(&[]);
    let known = extra.iter().all(|n| ["lifetime", "group"].contains(n)) && !(extra.len() == 2 && extra[0] == extra[1]);
    if names.len() < 2 || names[0] != "time" || names[1] != "kind" || !known || names.len() > 4 {
        return Err(InputError::file(
            file,
            format!("the header is `{}`", crate::model::formula::shown(&names.join(","))),
            "start the trace with the header `time,kind`, then optionally `lifetime` and `group`, e.g. `time,kind,lifetime,group`",
        ));
    }
    let column = |name: &str| names.iter().position(|n| *n == name);
    let (lifetime_col, group_col) = (column("lifetime"), column("group"));
    let mut group_names: Vec<String> = Vec::new();
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
        let lifetime = match lifetime_col.and_then(|c| rec.get(c)) {
            None | Some("") => None,
            Some(_) => Some(secs(lifetime_col.expect("read from it"), "lifetime")?),
        };
        let group = match group_col.and_then(|c| rec.get(c)) {
            None | Some("") => 0,
            Some(name) => {
                let i = match group_names.iter().position(|g| g == name) {
                    Some(i) => i,
                    None => {
                        if group_names.len() >= crate::model::workload::MAX_CLASSES {
                            return Err(bad(
                                line,
                                "group",
                                format!("more than {} group names", crate::model::workload::MAX_CLASSES),
                                "name the scenario's [[workload.groups]], at most that many",
                            ));
                        }
                        group_names.push(name.to_string());
                        group_names.len() - 1
                    }
                };
                i as u16 + 1
            }
        };
        rows.push(TraceRow {
            time,
            kind,
            lifetime,
            class: kind as u8,
            group,
        });
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
    Ok(Trace { rows, group_names })
}

/// Gives every row of `trace` its class: without groups (`groups` empty)
/// its kind's; with `[[workload.groups]]` (each group's name, kind and
/// class) the class of the group its `group` column names, or, where the
/// column is empty, of its kind's only group, or its kind's own class where
/// the groups are the kinds' counts (`collapsed`) and the kind has none.
/// `file` names the trace in errors.
pub fn resolve_groups(
    trace: &mut Trace,
    groups: &[(String, Kind, u8)],
    collapsed: bool,
    file: &str,
) -> Result<(), InputError> {
    let bad = |problem: String, fix: String| InputError {
        file: Some(file.to_string()),
        field: Some("group".into()),
        problem,
        fix,
    };
    if groups.is_empty() {
        if let Some(name) = trace.group_names.first() {
            return Err(bad(
                format!(
                    "the trace names group `{}`, but the scenario has no [[workload.groups]]",
                    crate::model::formula::shown(name)
                ),
                "add the groups to the scenario's [workload], or drop the trace's group column".into(),
            ));
        }
        return Ok(());
    }
    let names: Vec<Option<usize>> = trace
        .group_names
        .iter()
        .map(|n| groups.iter().position(|(g, _, _)| g == n))
        .collect();
    for (i, r) in trace.rows.iter_mut().enumerate() {
        let class = if r.group == 0 {
            let of_kind: Vec<u8> = groups.iter().filter(|g| g.1 == r.kind).map(|g| g.2).collect();
            match of_kind[..] {
                [c] => c,
                [] if collapsed => r.kind as u8,
                _ => {
                    return Err(bad(
                        format!(
                            "the pod arriving at {} s (row {} by time) names no group, and the scenario has {} {} groups",
                            r.time.as_secs_f64(),
                            i + 1,
                            of_kind.len(),
                            r.kind
                        ),
                        "give every row its group in a `group` column".into(),
                    ));
                }
            }
        } else {
            let name = &trace.group_names[usize::from(r.group - 1)];
            let Some(g) = names[usize::from(r.group - 1)] else {
                let known: Vec<&str> = groups.iter().map(|(g, _, _)| g.as_str()).collect();
                return Err(bad(
                    format!(
                        "the trace names group `{}`, which the scenario does not have",
                        crate::model::formula::shown(name)
                    ),
                    format!("use one of {}", known.join(", ")),
                ));
            };
            if groups[g].1 != r.kind {
                return Err(bad(
                    format!(
                        "a {} pod names group `{}`, whose pods are {} pods",
                        r.kind,
                        crate::model::formula::shown(name),
                        groups[g].1
                    ),
                    "give the pod its group's kind, or the group of its kind".into(),
                ));
            }
            groups[g].2
        };
        r.class = class;
    }
    Ok(())
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

/// Loads the trace of a trace-driven scenario, beside the scenario file,
/// its rows' groups resolved against the scenario's `groups`
/// ([`resolve_groups`]).
pub fn for_scenario(
    timed: &Timed,
    sc: &crate::input::scenario::Scenario,
    scenario_path: &Path,
) -> Result<Option<Trace>, InputError> {
    let collapsed = !matches!(sc.workload, crate::model::workload::Workload::Groups(_));
    match path_for(timed, scenario_path) {
        Some(full) => {
            let mut trace = load(&full).map_err(|e| InputError {
                field: e.field.or(Some("timed.arrivals.file".into())),
                ..e
            })?;
            resolve_groups(&mut trace, &sc.groups, collapsed, &full.display().to_string())?;
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
                lifetime: Some(Time::secs(60)),
                class: 0,
                group: 0,
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
        assert!(parse("time,kind,group,group\n1,ip,a,a\n", "t.csv").is_err());
    }

    /// The `group` column gives each pod its group's class; a kind with one
    /// group needs no name; unknown names, a group of another kind, a
    /// missing name where a kind has several, and names without groups are
    /// refused, naming the trace.
    #[test]
    fn trace_rows_take_their_groups() {
        let groups = [
            ("pay".to_string(), Kind::Sg, 0),
            ("web".to_string(), Kind::Ip, 1),
            ("batch".to_string(), Kind::Ip, 2),
        ];
        let mut t = parse("time,kind,group\n0,ip,batch\n1,sg,\n2,ip,web\n3,ip,batch\n", "t.csv").unwrap();
        resolve_groups(&mut t, &groups, false, "t.csv").unwrap();
        let classes: Vec<u8> = t.rows.iter().map(|r| r.class).collect();
        assert_eq!(classes, [2, 0, 1, 2]);
        let mix = t.mix(&[Kind::Sg, Kind::Ip, Kind::Ip]);
        assert_eq!(mix.class_counts(), [1, 1, 2]);
        let cases = [
            ("time,kind,group\n0,ip,api\n", "which the scenario does not have"),
            ("time,kind,group\n0,sg,web\n", "whose pods are ip pods"),
            ("time,kind\n0,ip\n", "names no group"),
        ];
        for (text, problem) in cases {
            let mut t = parse(text, "t.csv").unwrap();
            let e = resolve_groups(&mut t, &groups, false, "t.csv").unwrap_err();
            assert!(e.problem.contains(problem), "{text}: {e}");
            assert_eq!(e.file.as_deref(), Some("t.csv"));
        }
        let mut t = parse("time,kind,lifetime,group\n0,ip,5,web\n", "t.csv").unwrap();
        assert_eq!(t.rows[0].lifetime, Some(Time::secs(5)));
        let e = resolve_groups(&mut t, &[], false, "t.csv").unwrap_err();
        assert!(e.problem.contains("no [[workload.groups]]"), "{e}");
        // Groups that are the kinds' counts (one per kind): a name gives its
        // kind's class, and a kind without a group its own.
        let one = [("pay".to_string(), Kind::Sg, 0), ("web".to_string(), Kind::Ip, 1)];
        let mut t = parse("time,kind,group\n0,ip,web\n1,host,\n2,sg,\n", "t.csv").unwrap();
        resolve_groups(&mut t, &one, true, "t.csv").unwrap();
        let classes: Vec<u8> = t.rows.iter().map(|r| r.class).collect();
        assert_eq!(classes, [1, 2, 0]);
    }
}
