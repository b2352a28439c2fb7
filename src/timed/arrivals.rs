//! Arrival times (MODEL.md §9, first rule): all at once, a fixed rate, a
//! Poisson process, deployment waves, or a trace file.
//!
//! The kinds come from the cell's order (§7) exactly as in the static
//! replay, drawn first from the trial's stream; the times are drawn after.
//! A trace (read by `input::trace`) gives both, and optional lifetimes.

use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use super::settings::Arrivals;
use super::time::Time;
use crate::model::workload::{Counts, Kind, MAX_CLASSES, Mix};

/// One row of a trace: when a pod arrives, its kind, and how long it runs once started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TraceRow {
    pub time: Time,
    pub kind: Kind,
    pub lifetime: Option<Time>,
    /// The pod's class (`workload::Pod::class`): its kind's index, or with
    /// `[[workload.groups]]` its group's, from the trace's `group` column.
    pub class: u8,
    /// The `group` column: 0 when empty, else 1 + an index into
    /// [`Trace::group_names`].
    pub group: u16,
}

/// A trace, sorted by time (rows at equal times keep their file order).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Trace {
    pub rows: Vec<TraceRow>,
    /// The names the `group` column gives, in the order first seen.
    pub group_names: Vec<String>,
}

impl Trace {
    /// The pods per class, for classes of these kinds.
    pub fn mix(&self, kinds: &[Kind]) -> Mix {
        let mut n = [0u32; MAX_CLASSES];
        for r in &self.rows {
            n[usize::from(r.class)] += 1;
        }
        let classes: Vec<(Kind, u32)> = kinds.iter().zip(n).map(|(&k, c)| (k, c)).collect();
        Mix::of_classes(&classes)
    }

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
}
