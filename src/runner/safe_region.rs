//! The safe-region grid of the report: one-node replays of the scenario's
//! first instance type over `M` and the SG share, run on the run's pool.

use crate::input::scenario::Scenario;
use crate::model::cell::Cell;
use crate::model::node::{NodeSpec, branch_capacity, ip_capacity};
use crate::model::order::Order;
use crate::model::replay::{Cluster, Nodes};
use crate::model::workload::Counts;
use crate::output::records::SafeCell;
use crate::runner::sweep;

/// SG shares on the safe-region map: 0%, 5%, …, 100%.
pub const SAFE_SHARES: u32 = 20;
/// maxPods rows on the safe-region map, at most.
pub const SAFE_ROWS: u32 = 40;
/// Random orders per safe-region point, at most (the scenario's trials if fewer).
pub const SAFE_TRIALS: u32 = 200;
/// The most pods the safe-region grid places in all (about a fifth of a
/// second on one core).
pub const SAFE_BUDGET: u64 = 50_000_000;

/// The safe-region grid for the scenario's first instance type.
///
/// Each point is one node of that type with maxPods `M` and the scenario's
/// system pods `S` (host + IP), given the seed's fill size, `(M - S) + B`
/// pods (the node's free slots plus its branch ENIs, so that some pods must
/// wait and the order decides which), of which a share `x` are SG pods
/// (rounded) and the rest IP pods,
/// replayed in random orders under the scenario's first policy, seed and
/// node settings. `M` runs from `S + 1` to a quarter above the larger of the
/// scenario's formulas' values and `S` + IPs + branch ENIs, in at most
/// [`SAFE_ROWS`] steps; `x` from 0 to 1 in [`SAFE_SHARES`] steps.
pub fn safe_region(sc: &Scenario) -> Vec<SafeCell> {
    let Some(t) = sc.types.first() else {
        return Vec::new();
    };
    let system = sc.system_for(t);
    let policy = sc
        .policies
        .first()
        .copied()
        .unwrap_or(crate::model::placement::Policy::MostAllocated);
    let ip_cap = ip_capacity(t, &sc.settings);
    let branch = branch_capacity(t, &sc.settings);
    let lo = system.smallest_max_pods();
    let formulas_top = sc
        .formulas
        .iter()
        .filter_map(|f| f.max_pods(t, &sc.settings, system).ok())
        .map(|m| m.value)
        .max();
    let top = formulas_top.unwrap_or(0).max(system.host + ip_cap + branch);
    let hi = (top + top / 4).max(lo + 10);
    let step = (hi - lo).div_ceil(SAFE_ROWS).max(1);
    let trials = sc.trials.min(SAFE_TRIALS);
    let mut cells = Vec::new();
    let mut m = lo;
    while m <= hi {
        // More pods than slots, as in the seed's experiments: the order decides
        // which pods get the slots, hence the failure probability.
        let w = m - system.total() + branch;
        for k in 0..=SAFE_SHARES {
            let share = f64::from(k) / f64::from(SAFE_SHARES);
            let sg = (share * f64::from(w)).round() as u32;
            cells.push(Cell {
                instance_type: t.name.clone(),
                formula: format!("fixed:{m}"),
                order: Order::Random,
                policy,
                settings: sc.settings,
                counts: Counts {
                    sg,
                    ip: w - sg,
                    host: 0,
                },
                cluster: Cluster {
                    node: NodeSpec {
                        max_pods: m,
                        ip_capacity: ip_cap,
                        branch_capacity: branch,
                        system,
                    },
                    nodes: Nodes::Fixed(1),
                    policy,
                },
                trials,
                note: None,
            });
        }
        m += step;
    }
    // A work budget: at most SAFE_BUDGET pods placed over the whole grid, so
    // that a scenario with a very large maxPods still draws in seconds (fewer
    // trials per point, never fewer than one).
    let per_trial: u64 = cells.iter().map(|c| u64::from(c.counts.total())).sum();
    let budget_trials = (SAFE_BUDGET / per_trial.max(1)).clamp(1, u64::from(u32::MAX)) as u32;
    for c in &mut cells {
        c.trials = c.trials.min(budget_trials);
    }
    let result = sweep::run(&cells, sc.seed, false);
    cells
        .iter()
        .zip(&result.summaries)
        .enumerate()
        .map(|(i, (c, s))| SafeCell {
            instance_type: c.instance_type.clone(),
            policy: policy.to_string(),
            sg_share: f64::from(i as u32 % (SAFE_SHARES + 1)) / f64::from(SAFE_SHARES),
            max_pods: c.cluster.node.max_pods,
            sg_pods: c.counts.sg,
            ip_pods: c.counts.ip,
            trials: s.trials,
            seed: sc.seed,
            failure_probability: s.trials_with_failure as f64 / s.trials.max(1) as f64,
            failure_rate_mean: s.failure_rate_mean,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::testing::fixture_scenario;

    #[test]
    fn safe_region_is_safe_below_the_ip_capacity_and_unsafe_for_all_ip_workloads_above() {
        let sc = fixture_scenario();
        let grid = safe_region(&sc);
        // m5.large: S = 2, 18 pod IPs, 9 branch ENIs; M from 3 up.
        assert!(grid.iter().all(|c| c.instance_type == "m5.large" && c.trials == 200));
        assert_eq!(grid.len() % (SAFE_SHARES as usize + 1), 0);
        for c in &grid {
            assert_eq!(c.sg_pods + c.ip_pods, c.max_pods - 2 + 9);
            if c.max_pods <= 2 + 18 {
                // Never more IP pods than IPs.
                assert_eq!(c.failure_probability, 0.0, "{c:?}");
            }
            if c.sg_share == 0.0 && c.max_pods > 2 + 18 {
                assert_eq!(c.failure_probability, 1.0, "{c:?}");
            }
        }
        // Deterministic: same seed, same grid.
        assert_eq!(safe_region(&sc), grid);
    }
}
