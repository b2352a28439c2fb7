//! How a sweep is cut into `N` parts (`sgpsim run --shard I/N`): the cells'
//! trials laid end to end, each trial as long as its estimated work, and the
//! line cut into `N` equal lengths. A trial goes to the part that holds its
//! midpoint, so each part is a run of whole trials, in (cell, trial) order,
//! and a cell with many trials spreads over several parts. Pure and
//! deterministic: every part, and `merge`, computes the same plan.

use crate::runner::Slice;

/// One cell as the plan sees it: its trials and the estimated work of one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CellWork {
    pub trials: u32,
    /// Estimated work of one trial (at least 1): the pods it places.
    pub per_trial: u64,
}

/// The `N` parts of a sweep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// Each part's slices, in (cell, trial) order.
    pub parts: Vec<Vec<Slice>>,
    /// Each part's estimated work.
    pub work: Vec<u64>,
}

impl Plan {
    /// Cuts `cells` into `n` parts (`n >= 1`).
    pub fn new(cells: &[CellWork], n: u32) -> Plan {
        assert!(n >= 1, "a plan has at least one part");
        let n_parts = n as usize;
        let mut parts = vec![Vec::new(); n_parts];
        let mut work = vec![0u64; n_parts];
        let total: u128 = cells
            .iter()
            .map(|c| u128::from(c.trials) * u128::from(c.per_trial.max(1)))
            .sum();
        if total == 0 {
            return Plan { parts, work };
        }
        // Positions in half-units, so that a trial's midpoint is an integer.
        let mut offset: u128 = 0;
        for (cell, c) in cells.iter().enumerate() {
            let u = u128::from(c.per_trial.max(1));
            let part_of = |t: u32| -> usize {
                let mid = 2 * offset + (2 * u128::from(t) + 1) * u;
                ((mid * u128::from(n)) / (2 * total)).min(u128::from(n - 1)) as usize
            };
            if c.trials > 0 {
                let first = part_of(0);
                let last = part_of(c.trials - 1);
                // The first trial of each part from `first` on, by bisection
                // (the part grows with the trial).
                let start_of = |k: usize| -> u32 {
                    let (mut lo, mut hi) = (0u32, c.trials);
                    while lo < hi {
                        let mid = lo + (hi - lo) / 2;
                        if part_of(mid) < k {
                            lo = mid + 1;
                        } else {
                            hi = mid;
                        }
                    }
                    lo
                };
                for k in first..=last {
                    let start = if k == first { 0 } else { start_of(k) };
                    let end = if k == last { c.trials } else { start_of(k + 1) };
                    if start < end {
                        parts[k].push(Slice { cell, start, end });
                        work[k] += u64::from(end - start) * c.per_trial.max(1);
                    }
                }
            }
            offset += u128::from(c.trials) * u;
        }
        Plan { parts, work }
    }

    /// The largest part's estimated work over the mean part's: 1 is a
    /// perfect split.
    pub fn imbalance(&self) -> f64 {
        let total: u64 = self.work.iter().sum();
        if total == 0 {
            return 1.0;
        }
        let mean = total as f64 / self.work.len() as f64;
        *self.work.iter().max().unwrap_or(&0) as f64 / mean
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn covered(plan: &Plan, cells: &[CellWork]) {
        // Every trial of every cell exactly once, parts in (cell, trial) order.
        let mut next: Vec<u32> = vec![0; cells.len()];
        let mut last = (0usize, 0u32);
        for part in &plan.parts {
            for s in part {
                assert!(s.start < s.end, "{s:?}");
                assert_eq!(next[s.cell], s.start, "{s:?}");
                assert!((s.cell, s.start) >= last, "{s:?} after {last:?}");
                last = (s.cell, s.end);
                next[s.cell] = s.end;
            }
        }
        assert_eq!(next, cells.iter().map(|c| c.trials).collect::<Vec<_>>());
    }

    #[test]
    fn every_trial_goes_to_exactly_one_part() {
        let cells = [
            CellWork {
                trials: 1,
                per_trial: 73,
            },
            CellWork {
                trials: 1000,
                per_trial: 73,
            },
            CellWork {
                trials: 1,
                per_trial: 10,
            },
            CellWork {
                trials: 7,
                per_trial: 7300,
            },
            CellWork {
                trials: 0,
                per_trial: 5,
            },
        ];
        for n in [1, 2, 3, 7, 50, 2000] {
            let plan = Plan::new(&cells, n);
            assert_eq!(plan.parts.len(), n as usize);
            covered(&plan, &cells);
        }
    }

    #[test]
    fn big_cells_spread_and_parts_are_balanced() {
        // One cell of 10,000 trials over 7 parts: each gets 1428 or 1429.
        let plan = Plan::new(
            &[CellWork {
                trials: 10_000,
                per_trial: 73,
            }],
            7,
        );
        assert!(plan.parts.iter().all(|p| p.len() == 1));
        assert!(plan.imbalance() < 1.001, "{}", plan.imbalance());
        // Many equal cells: within one trial of the mean.
        let cells = vec![
            CellWork {
                trials: 1000,
                per_trial: 73
            };
            24
        ];
        let plan = Plan::new(&cells, 5);
        assert!(plan.imbalance() < 1.0 + 1.0 / 4800.0 * 5.0, "{}", plan.imbalance());
        // More parts than trials: some parts are empty, none has two trials.
        let plan = Plan::new(
            &[CellWork {
                trials: 3,
                per_trial: 1,
            }],
            7,
        );
        assert_eq!(plan.parts.iter().filter(|p| !p.is_empty()).count(), 3);
        assert_eq!(plan.work.iter().max(), Some(&1));
    }
}
