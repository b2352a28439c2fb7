//! The safe-region grid of the report: for the scenario's first instance
//! type, the exact probability that a random arrival order leaves a pod
//! without an IP, at every integer maxPods and SG share (MODEL.md §7: one
//! node, computed over every order, nothing sampled). Points are computed in
//! parallel on the run's pool.

use rayon::prelude::*;

use crate::input::scenario::Scenario;
use crate::model::exact::{self, OneNode};
use crate::model::node::{branch_capacity, ip_capacity};
use crate::output::records::SafeCell;

/// SG shares on the safe-region map: 0%, 5%, …, 100%.
pub const SAFE_SHARES: u32 = 20;
/// The most one-node states the whole grid may visit (about a second on one
/// core); beyond it, rows of `M` are thinned evenly.
pub const SAFE_BUDGET: u64 = 1_000_000_000;

/// The safe-region grid for the scenario's first instance type.
///
/// Each point is one node of that type with maxPods `M` and the scenario's
/// system pods `S` (host + IP), given the seed's fill size, `(M - S) + B`
/// pods (the node's free slots plus its branch ENIs, so that some pods must
/// wait and the order decides which), of which a share `x` are SG pods
/// (rounded) and the rest IP pods, in a uniformly random order. `M` runs over
/// every integer from `S + 1` to a quarter above the larger of the
/// scenario's formulas' values and `S` + IPs + branch ENIs; `x` from 0 to 1
/// in [`SAFE_SHARES`] steps.
///
/// Empty where workload pods request CPU or memory: the map counts slots
/// and IPs alone, and a node that fills on CPU or memory first would read
/// as failing where it cannot (the report says why the chart is left out).
pub fn safe_region(sc: &Scenario) -> Vec<SafeCell> {
    let Some(t) = sc.types.first() else {
        return Vec::new();
    };
    // System pods alone requesting CPU leave the workload's slots and IPs
    // as they are: the map holds there.
    let workload_requests = (0..crate::model::requests::MAX_CLASSES).any(|c| !sc.requests.requested(c).is_zero());
    if workload_requests {
        return Vec::new();
    }
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
    // The states of one point grow with the square of its pods: thin the rows
    // only if the whole grid would exceed the budget.
    let states = |m: u32| -> u64 {
        let w = u64::from(m - system.total() + branch);
        (w / 2 + 1) * (w / 2 + 1) * u64::from(SAFE_SHARES + 1)
    };
    let total: u64 = (lo..=hi).map(states).sum();
    let step = total.div_ceil(SAFE_BUDGET).max(1) as u32;
    let points: Vec<(u32, u32)> = (lo..=hi)
        .step_by(step as usize)
        .flat_map(|m| (0..=SAFE_SHARES).map(move |k| (m, k)))
        .collect();
    points
        .par_iter()
        .filter_map(|&(m, k)| {
            let w = m - system.total() + branch;
            let share = f64::from(k) / f64::from(SAFE_SHARES);
            let sg = (share * f64::from(w)).round() as u32;
            let d = exact::one_node(&OneNode {
                slots: m - system.total(),
                ips: ip_cap.saturating_sub(system.ip),
                branches: branch,
                sg,
                ip: w - sg,
                host: 0,
            })?;
            Some(SafeCell {
                instance_type: t.name.clone(),
                policy: policy.to_string(),
                sg_share: share,
                max_pods: m,
                sg_pods: sg,
                ip_pods: w - sg,
                method: "exact".into(),
                failure_probability: d.any_failure(),
                failure_rate_mean: d.mean_failed() / f64::from(w.max(1)),
            })
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
        assert!(
            grid.iter()
                .all(|c| c.instance_type == "m5.large" && c.method == "exact")
        );
        assert_eq!(grid.len() % (SAFE_SHARES as usize + 1), 0);
        // Every integer M, from S + 1 = 3 up: 20 and 29 (conservative and aws-default) included.
        let ms: std::collections::BTreeSet<u32> = grid.iter().map(|c| c.max_pods).collect();
        assert_eq!(
            ms.iter().copied().collect::<Vec<_>>(),
            (3..=*ms.last().unwrap()).collect::<Vec<_>>()
        );
        assert!(ms.contains(&20) && ms.contains(&29));
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

    /// Pods that request CPU or memory: no map, rather than one that
    /// ignores them.
    #[test]
    fn no_safe_region_where_pods_request_cpu_or_memory() {
        let mut sc = fixture_scenario();
        assert!(!safe_region(&sc).is_empty());
        let text = "instance_types = [\"m5.large\"]\n[workload]\nsg_pods = 1\nip_pods = 1\n[workload.requests]\nip = { cpu = \"500m\" }\n";
        sc.requests =
            crate::input::scenario::Scenario::from_toml(text, "s", &crate::input::catalog::Catalog::bundled())
                .unwrap()
                .requests;
        assert!(safe_region(&sc).is_empty());
    }
}
