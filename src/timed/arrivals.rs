//! Arrival times (MODEL.md §9, first rule): all at once, a fixed rate, a
//! Poisson process, deployment waves, or a trace file.
//!
//! The kinds come from the cell's order (§7) exactly as in the static
//! replay, drawn first from the trial's stream; the times are drawn after.
//! A trace gives both, and optional lifetimes.

use std::path::Path;

use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use super::settings::Arrivals;
use super::time::{MAX_SECONDS, Time};
use crate::error::InputError;
use crate::model::order::{Order, RandomArrivals};
use crate::model::workload::{Counts, Kind};

/// One row of a trace: when a pod arrives, its kind, and how long it runs once started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TraceRow {
    pub time: Time,
    pub kind: Kind,
    pub lifetime: Option<Time>,
}

/// A trace, sorted by time (rows at equal times keep their file order).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Trace {
    pub rows: Vec<TraceRow>,
}

impl Trace {
    pub fn counts(&self) -> Counts {
        let mut c = Counts::default();
        for r in &self.rows {
            match r.kind {
                Kind::Sg => c.sg += 1,
                Kind::Ip => c.ip += 1,
                Kind::Host => c.host += 1,
            }
        }
        c
    }

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
                format!("the header is `{}`", names.join(",")),
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
                        format!("`{s}` is not a number of seconds"),
                        "give seconds, e.g. 12.5",
                    )
                })?;
                if !(v.is_finite() && (0.0..=MAX_SECONDS).contains(&v)) {
                    return Err(bad(
                        line,
                        name,
                        format!("{v} is outside 0..={MAX_SECONDS}"),
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
                        format!("unknown kind `{other}`"),
                        "use sg, ip or host",
                    ));
                }
            };
            let lifetime = match rec.get(2) {
                None | Some("") => None,
                Some(_) => Some(secs(2, "lifetime")?),
            };
            rows.push(TraceRow { time, kind, lifetime });
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
        let text = std::fs::read_to_string(path).map_err(|e| InputError::io(&shown, "read the trace", &e))?;
        Trace::parse(&text, &shown)
    }
}

/// The cell's order of kinds, as the static replay draws it: a random order
/// is drawn lazily pod by pod ([`RandomArrivals`]), the others arranged.
pub fn arrange(order: Order, counts: Counts, rng: &mut ChaCha8Rng, out: &mut Vec<Kind>) {
    if order.is_random() {
        out.clear();
        out.extend(RandomArrivals::new(rng, counts));
    } else {
        order.arrange(counts, rng, out);
    }
}

/// Writes the arrival time of pod `i` into `times[i]` (cleared first),
/// non-decreasing, for `n` pods.
pub fn times(process: &Arrivals, n: usize, rng: &mut ChaCha8Rng, out: &mut Vec<Time>) {
    out.clear();
    match *process {
        Arrivals::AtOnce | Arrivals::Trace { .. } => out.resize(n, Time::ZERO),
        Arrivals::Rate(r) => out.extend((0..n).map(|i| Time::from_secs_f64(i as f64 / r))),
        Arrivals::Poisson(r) => {
            let mut t = 0.0f64;
            for i in 0..n {
                if i > 0 {
                    let u: f64 = rng.random();
                    t += -(1.0 - u).ln() / r;
                }
                out.push(Time::from_secs_f64(t));
            }
        }
        Arrivals::Waves { step, every } => {
            out.extend((0..n).map(|i| Time(every.0.saturating_mul((i / step as usize) as u64))));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn processes() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let mut t = Vec::new();
        times(&Arrivals::Rate(4.0), 5, &mut rng, &mut t);
        assert_eq!(
            t,
            vec![Time(0), Time(250_000), Time(500_000), Time(750_000), Time(1_000_000)]
        );
        times(
            &Arrivals::Waves {
                step: 2,
                every: Time::secs(30),
            },
            5,
            &mut rng,
            &mut t,
        );
        assert_eq!(
            t,
            vec![Time(0), Time(0), Time::secs(30), Time::secs(30), Time::secs(60)]
        );
        times(&Arrivals::Poisson(10.0), 10_000, &mut rng, &mut t);
        assert!(t.windows(2).all(|w| w[0] <= w[1]));
        let rate = 9_999.0 / t[9_999].as_secs_f64();
        assert!((rate - 10.0).abs() < 0.5, "{rate}");
    }

    #[test]
    fn random_order_matches_the_static_draw() {
        let c = Counts { sg: 5, ip: 9, host: 2 };
        let mut a = Vec::new();
        arrange(Order::Random, c, &mut ChaCha8Rng::seed_from_u64(4), &mut a);
        let b: Vec<Kind> = RandomArrivals::new(&mut ChaCha8Rng::seed_from_u64(4), c).collect();
        assert_eq!(a, b);
    }

    #[test]
    fn traces_parse_and_errors_name_line_and_column() {
        let t = Trace::parse("time,kind,lifetime\n5,ip,\n1.5,sg,60\n1.5,host\n", "t.csv").unwrap();
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
        let e = Trace::parse("time,kind\n1,pod\n", "t.csv").unwrap_err();
        assert_eq!(e.field.as_deref(), Some("line 2, column kind"));
        assert_eq!(e.file.as_deref(), Some("t.csv"));
        let e = Trace::parse("time,kind\n-1,ip\n", "t.csv").unwrap_err();
        assert_eq!(e.field.as_deref(), Some("line 2, column time"));
        assert!(Trace::parse("when,what\n1,ip\n", "t.csv").is_err());
        assert!(Trace::parse("time,kind\n", "t.csv").is_err());
    }
}
