//! The sweep runner: cells × trials, in parallel, with results that do not
//! depend on the number of threads (MODEL.md §7).
//!
//! Rayon lives in `runner/` and nowhere else. Work is split into (cell, block of
//! trials) items; each item's result is merged back in (cell, trial) order
//! and every sum is an exact integer, so 1 thread and N threads give the
//! same bytes.

use std::sync::atomic::{AtomicU64, Ordering};

use rayon::prelude::*;

use super::Slice;
use crate::model::cell::Cell;
use crate::model::replay::Replayer;
use crate::model::summary::{Summary, Totals, TrialRecord};

/// Trials per work item: big enough to amortise scheduling, small enough to
/// balance a sweep with few cells over the cores.
const BLOCK: u32 = 64;

/// The result of a sweep, in cell order.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepResult {
    pub seed: u64,
    pub summaries: Vec<Summary>,
    /// Per-trial outcomes, in (cell, trial) order; empty unless asked for.
    pub trials: Vec<TrialRecord>,
}

/// Runs every trial of every cell on the current rayon pool.
pub fn run(cells: &[Cell], seed: u64, keep_trials: bool) -> SweepResult {
    run_counted(cells, seed, keep_trials, &AtomicU64::new(0))
}

/// [`run`], adding to `trials_done` as blocks of trials finish (for a
/// progress bar; the results do not depend on it).
pub fn run_counted(cells: &[Cell], seed: u64, keep_trials: bool, trials_done: &AtomicU64) -> SweepResult {
    let slices = Slice::whole(cells.iter().map(|c| c.trials));
    let mut accs: Vec<Totals> = vec![Totals::default(); cells.len()];
    let mut trials = Vec::new();
    for part in run_slices(cells, seed, &slices, keep_trials, trials_done) {
        accs[part.slice.cell].merge(part.totals);
        trials.extend(part.trials);
    }
    finish(cells, seed, accs, trials)
}

/// What one slice of trials adds up to.
#[derive(Debug, Clone)]
pub struct SliceResult {
    pub slice: Slice,
    pub(crate) totals: Totals,
    /// The slice's trials, in trial order; empty unless asked for.
    pub trials: Vec<TrialRecord>,
}

/// Runs the trials of `slices` (each a range of one cell's trials) on the
/// current rayon pool; one result per slice, in the order given.
pub fn run_slices(
    cells: &[Cell],
    seed: u64,
    slices: &[Slice],
    keep_trials: bool,
    trials_done: &AtomicU64,
) -> Vec<SliceResult> {
    let items: Vec<(usize, u32, u32)> = slices
        .iter()
        .enumerate()
        .flat_map(|(i, s)| {
            (s.start..s.end)
                .step_by(BLOCK as usize)
                .map(move |b| (i, b, (b + BLOCK).min(s.end)))
        })
        .collect();
    let parts: Vec<(usize, Totals, Vec<TrialRecord>)> = items
        .par_iter()
        .map_init(
            || (Replayer::new(), Vec::new()),
            |(replayer, buf), &(i, start, end)| {
                let c = slices[i].cell;
                let cell = &cells[c];
                let mut acc = Totals::default();
                let mut kept = Vec::new();
                let key = cell.stream_key();
                for trial in start..end {
                    let outcome = cell.run_keyed_trial(key, seed, trial, replayer, buf);
                    acc.add(&outcome);
                    if keep_trials {
                        kept.push(TrialRecord {
                            cell: c,
                            trial,
                            outcome,
                        });
                    }
                }
                trials_done.fetch_add(u64::from(end - start), Ordering::Relaxed);
                (i, acc, kept)
            },
        )
        .collect();
    let mut out: Vec<SliceResult> = slices
        .iter()
        .map(|&slice| SliceResult {
            slice,
            totals: Totals::default(),
            trials: Vec::new(),
        })
        .collect();
    for (i, acc, kept) in parts {
        out[i].totals.merge(acc);
        out[i].trials.extend(kept);
    }
    out
}

/// The sweep's result from every cell's totals (and the kept trials, in
/// (cell, trial) order): the summaries, with the exact figures where the
/// mathematics allows, computed on the current pool.
pub(crate) fn finish(cells: &[Cell], seed: u64, accs: Vec<Totals>, trials: Vec<TrialRecord>) -> SweepResult {
    let summaries = accs
        .into_iter()
        .zip(cells)
        .map(|(acc, cell)| acc.summarize(cell.counts.total()))
        .collect::<Vec<_>>();
    // Exact figures where the mathematics allows (one node, random orders):
    // cheap beside the trials, and computed on the same pool.
    let exact: Vec<_> = cells.par_iter().map(|c| c.exact()).collect();
    let summaries = summaries
        .into_iter()
        .zip(exact)
        .map(|(s, exact)| Summary { exact, ..s })
        .collect();
    SweepResult {
        seed,
        summaries,
        trials,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::node::NodeSettings;
    use crate::model::node::{NodeSpec, SystemPods};
    use crate::model::order::Order;
    use crate::model::placement::Policy;
    use crate::model::replay::{Cluster, Nodes};
    use crate::model::workload::Counts;

    fn cell(order: Order, trials: u32) -> Cell {
        Cell {
            instance_type: "m5.xlarge".into(),
            formula: "aws-default".into(),
            order,
            policy: Policy::MostAllocated,
            settings: NodeSettings::default(),
            counts: Counts {
                sg: 18,
                ip: 55,
                host: 0,
            },
            mix: crate::model::workload::Mix::of_kinds(Counts {
                sg: 18,
                ip: 55,
                host: 0,
            }),
            cluster: Cluster {
                node: NodeSpec {
                    max_pods: 58,
                    ip_capacity: 42,
                    branch_capacity: 18,
                    system: SystemPods { host: 3, ip: 0 },
                    res: crate::model::node::Resources::NONE,
                },
                nodes: Nodes::Fixed(1),
                policy: Policy::MostAllocated,
            },
            trials,
            note: None,
        }
    }

    #[test]
    fn same_bytes_on_one_and_many_threads() {
        let cells = vec![
            cell(Order::Random, 300),
            cell(Order::IpFirst, 1),
            cell(Order::Random, 7),
        ];
        let one = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
        let many = rayon::ThreadPoolBuilder::new().num_threads(4).build().unwrap();
        let a = one.install(|| run(&cells, 9, true));
        let b = many.install(|| run(&cells, 9, true));
        assert_eq!(a, b);
        assert_eq!(a.trials.len(), 308);
    }

    #[test]
    fn a_trial_reruns_alone() {
        let cells = vec![cell(Order::Random, 100)];
        let all = run(&cells, 5, true);
        let mut r = Replayer::new();
        let mut buf = Vec::new();
        assert_eq!(cells[0].run_trial(5, 77, &mut r, &mut buf), all.trials[77].outcome);
    }

    #[test]
    fn random_orders_fail_sometimes_on_aws_default() {
        let s = &run(&[cell(Order::Random, 200)], 1, false).summaries[0];
        assert_eq!(s.trials, 200);
        assert!(s.trials_with_failure > 0 && s.failure_rate_mean > 0.0);
        let (lo, hi) = s.failure_rate_ci95.unwrap();
        assert!(lo <= s.failure_rate_mean && s.failure_rate_mean <= hi);
        assert!(s.failure_rate_p50 <= s.failure_rate_p95 && s.failure_rate_p95 <= s.failure_rate_max);
    }

    /// MODEL.md §7: cells that differ only in the formula replay the same
    /// orders, so formulas with the same `M` give the same figures.
    #[test]
    fn formulas_with_the_same_max_pods_give_the_same_figures() {
        let toml = r#"
            instance_types = ["m5.large", "m5.xlarge"]
            formulas = ["conservative", "seed-userdata", "karpenter-reserved-enis:1", "fixed:20", "fixed:58", "aws-default"]
            orders = ["random"]
            trials = 300
            workload = { sg_pods = 9, ip_pods = 50 }
        "#;
        let sc = crate::input::scenario::Scenario::from_toml(toml, "crn", &crate::input::catalog::Catalog::bundled())
            .unwrap();
        let cells = sc.cells().unwrap();
        let r = run(&cells, sc.seed, false);
        let by = |ty: &str, m: u32| -> Vec<&Summary> {
            cells
                .iter()
                .zip(&r.summaries)
                .filter(|(c, _)| c.instance_type == ty && c.cluster.node.max_pods == m)
                .map(|(_, s)| s)
                .collect()
        };
        // m5.large with S = 2: conservative, seed-userdata, reserved-enis:1 and fixed:20 are all 20.
        let twenty = by("m5.large", 20);
        assert_eq!(twenty.len(), 4);
        assert!(twenty.windows(2).all(|w| w[0] == w[1]), "{twenty:?}");
        // m5.xlarge: aws-default is 58, as is fixed:58.
        let fifty_eight = by("m5.xlarge", 58);
        assert_eq!(fifty_eight.len(), 2);
        assert_eq!(fifty_eight[0], fifty_eight[1]);
        assert!(fifty_eight[0].trials_with_failure > 0, "a real, failing cell");
    }

    /// MODEL.md §7: on one node, Monte Carlo over random orders agrees with
    /// the exact distribution within its interval, on random cells.
    #[test]
    fn monte_carlo_agrees_with_the_exact_figures_on_random_cells() {
        use rand::{RngExt, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(2026);
        let (mut checked, mut failing) = (0, 0);
        for _ in 0..60 {
            let host = rng.random_range(0..4u32);
            let ip_sys = rng.random_range(0..3u32);
            let ip_capacity = rng.random_range(ip_sys + 1..60u32);
            let branch_capacity = rng.random_range(0..30u32);
            let max_pods = rng.random_range(host + ip_sys + 1..100u32);
            let counts = Counts {
                sg: rng.random_range(0..40),
                ip: rng.random_range(1..80),
                host: rng.random_range(0..5),
            };
            let mut c = cell(Order::Random, 2000);
            c.counts = counts;
            c.cluster.node = NodeSpec {
                max_pods,
                ip_capacity,
                branch_capacity,
                system: SystemPods { host, ip: ip_sys },
                res: crate::model::node::Resources::NONE,
            };
            let s = &run(std::slice::from_ref(&c), 11, false).summaries[0];
            let e = s.exact.expect("one node, random order: exact");
            let n = s.trials as f64;
            // The share of orders with a failure: within 4 binomial standard errors.
            let p = e.failure_probability;
            let se = (p * (1.0 - p) / n).sqrt().max(1.0 / n);
            assert!((s.failure_probability() - p).abs() <= 4.0 * se, "{c:?}: {s:?} vs {e:?}");
            // The mean failure rate: within the 95% interval widened to 4 standard errors.
            // (A sample with no failure has a zero-width interval: the exact
            // variance bound `max^2 * p` covers that case.)
            let (lo, hi) = s.failure_rate_ci95.unwrap();
            let half = (hi - lo) / 2.0 * 4.0 / 1.96 + 4.0 * e.failure_rate_max * (p / n).sqrt() + 1e-12;
            assert!(
                (s.failure_rate_mean - e.failure_rate_mean).abs() <= half,
                "{c:?}: {s:?} vs {e:?}"
            );
            // Wasted IPs and pending pods: means within 4 standard errors (bounded by the capacities).
            let tol = |scale: f64| 4.0 * scale / n.sqrt() + 1e-9;
            assert!(
                (s.wasted_ips_mean - e.wasted_ips_mean).abs() <= tol(f64::from(ip_capacity)),
                "{c:?}"
            );
            assert!(
                (s.pending_total() - e.pending_mean).abs() <= tol(f64::from(counts.total())),
                "{c:?}"
            );
            checked += 1;
            failing += usize::from(p > 0.0 && p < 1.0);
        }
        assert_eq!(checked, 60);
        assert!(failing >= 5, "the cells exercise orders that sometimes fail: {failing}");
    }
}
