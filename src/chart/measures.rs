//! The figures a reader sees for a summary row, shared by the charts and the
//! report: the exact value where the row carries one (one node, random
//! orders; or a deterministic order), else the Monte Carlo estimate with its
//! 95% interval; whether two figures differ beyond sampling noise; and the
//! rows that pair a formula with nodes it was not made for.

use crate::model::stats::wilson95;
use crate::output::Row;

/// A figure and its 95% interval; `low == high == value` when it is exact.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Estimate {
    pub value: f64,
    pub low: f64,
    pub high: f64,
}

impl Estimate {
    pub fn exact(value: f64) -> Estimate {
        Estimate {
            value,
            low: value,
            high: value,
        }
    }

    pub fn is_exact(&self) -> bool {
        self.low == self.value && self.high == self.value
    }

    /// Whether the two differ beyond sampling noise: their intervals do not
    /// overlap (two exact figures differ when they are not equal).
    pub fn differs(&self, other: &Estimate) -> bool {
        self.high < other.low || other.high < self.low
    }
}

/// Whether the row's random-order figures are exact, or its order is
/// deterministic and ran once. Files without a `method` column: fixed orders.
pub(crate) fn is_exact(r: &Row) -> bool {
    match r.method.as_str() {
        "exact" => true,
        "" => r.order != "random",
        _ => false,
    }
}

/// The share of arrival orders that leave at least one pod without an IP:
/// a deterministic order's 0 or 1, a random order's exact probability, or
/// the share of trials with its Wilson interval.
pub(crate) fn risk(r: &Row) -> Estimate {
    if let Some(p) = r.exact_failure_probability {
        return Estimate::exact(p);
    }
    let trials = r.trials.max(1);
    let share = r.trials_with_failure as f64 / trials as f64;
    if is_exact(r) {
        return Estimate::exact(share);
    }
    let (low, high) = match (r.failure_probability_ci95_low, r.failure_probability_ci95_high) {
        (Some(l), Some(h)) => (l, h),
        _ => wilson95(r.trials_with_failure, trials).unwrap_or((0.0, 1.0)),
    };
    Estimate {
        value: share,
        low,
        high,
    }
}

/// Workload pods without an IP / workload pods, mean over orders: exact
/// where computed, else the trials' mean and its Student-t interval (the
/// whole of 0..=1 when the row has none, so that it differs from nothing).
pub(crate) fn failure_rate(r: &Row) -> Estimate {
    if let Some(v) = r.exact_failure_rate_mean {
        return Estimate::exact(v);
    }
    if is_exact(r) {
        return Estimate::exact(r.failure_rate_mean);
    }
    let (low, high) = match (r.failure_rate_ci95_low, r.failure_rate_ci95_high) {
        (Some(l), Some(h)) => (l, h),
        _ => (0.0, 1.0),
    };
    Estimate {
        value: r.failure_rate_mean,
        low,
        high,
    }
}

/// Mean wasted IPs (free IPs on nodes whose slots are all used).
pub(crate) fn wasted_ips(r: &Row) -> f64 {
    r.exact_wasted_ips_mean.unwrap_or(r.wasted_ips_mean)
}

/// Mean stranded slots (free slots on nodes with no IP and no branch left).
pub(crate) fn stranded_slots(r: &Row) -> f64 {
    r.exact_stranded_slots_mean.unwrap_or(r.stranded_slots_mean)
}

/// Mean workload pods never bound (pending): the scheduler found no node.
pub(crate) fn pending(r: &Row) -> f64 {
    r.exact_pending_mean.unwrap_or(r.pending_mean)
}

/// Workload pods of the row (SG, IP and host).
pub(crate) fn workload(r: &Row) -> u64 {
    u64::from(r.sg_pods) + u64::from(r.ip_pods) + u64::from(r.host_pods)
}

/// Pending pods as a share of the workload.
pub(crate) fn pending_share(r: &Row) -> f64 {
    match workload(r) {
        0 => 0.0,
        n => pending(r) / n as f64,
    }
}

/// Why the row's formula does not describe its nodes, if it does not: the
/// `prefix-delegation` formula (maxPods for 16 IPs per ENI slot) on nodes
/// without prefix delegation.
pub(crate) fn mismatch(r: &Row) -> Option<String> {
    (r.formula == "prefix-delegation" && !r.prefix_delegation).then(|| {
        format!(
            "maxPods {} assumes prefix delegation (16 IPs per ENI slot), which these nodes do not have (prefix_delegation = false)",
            r.max_pods
        )
    })
}

/// What ranks an instance type by risk, highest first: the random-order
/// risk of `aws-default` (the maxPods a cluster gets unless told otherwise;
/// else the first formula that fits the nodes), then the mean random-order
/// risk over the formulas that fit, then the highest risk of any order.
fn type_risk(rows: &[&Row], ty: &str) -> [f64; 3] {
    let fits: Vec<&&Row> = rows
        .iter()
        .filter(|r| r.instance_type == ty && mismatch(r).is_none())
        .collect();
    let random: Vec<&&&Row> = fits.iter().filter(|r| r.order == "random").collect();
    let base = fits
        .iter()
        .find(|r| r.formula == "aws-default")
        .or_else(|| fits.first())
        .map(|r| r.formula.as_str());
    let baseline = random
        .iter()
        .filter(|r| Some(r.formula.as_str()) == base)
        .map(|r| risk(r).value)
        .fold(0.0, f64::max);
    let mean = if random.is_empty() {
        0.0
    } else {
        random.iter().map(|r| risk(r).value).sum::<f64>() / random.len() as f64
    };
    let any = fits.iter().map(|r| risk(r).value).fold(0.0, f64::max);
    [baseline, mean, any]
}

/// The instance types in `rows`, the riskiest first (see `type_risk`; ties
/// keep their order in the rows): a chart of many types draws the first few.
pub(crate) fn types_by_risk(rows: &[&Row]) -> Vec<String> {
    let mut types: Vec<String> = Vec::new();
    for r in rows {
        if !types.contains(&r.instance_type) {
            types.push(r.instance_type.clone());
        }
    }
    let mut ranked: Vec<(usize, [f64; 3], String)> = types
        .into_iter()
        .enumerate()
        .map(|(i, t)| (i, type_risk(rows, &t), t))
        .collect();
    ranked.sort_by(|a, b| {
        (b.1[0].total_cmp(&a.1[0]))
            .then(b.1[1].total_cmp(&a.1[1]))
            .then(b.1[2].total_cmp(&a.1[2]))
            .then(a.0.cmp(&b.0))
    });
    ranked.into_iter().map(|(_, _, t)| t).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::testing::fixture_rows;

    #[test]
    fn exact_rows_have_no_interval_and_monte_carlo_rows_do() {
        let rows = fixture_rows();
        let exact = rows.iter().find(|r| r.order == "random").unwrap();
        // The fixture's random cells are one node: computed exactly.
        assert_eq!(exact.method, "exact");
        assert!(risk(exact).is_exact());
        assert_eq!(risk(exact).value, exact.exact_failure_probability.unwrap());
        let mut mc = exact.clone();
        mc.method = "monte-carlo".into();
        mc.exact_failure_probability = None;
        mc.exact_failure_rate_mean = None;
        mc.trials = 100;
        mc.trials_with_failure = 12;
        mc.failure_probability_ci95_low = None;
        mc.failure_probability_ci95_high = None;
        let e = risk(&mc);
        assert!(!e.is_exact());
        assert_eq!(e.value, 0.12);
        assert!(e.low < 0.12 && e.high > 0.12, "{e:?}");
        // A rate with no interval differs from nothing.
        mc.failure_rate_ci95_low = None;
        assert!(!failure_rate(&mc).differs(&Estimate::exact(0.9)));
    }

    #[test]
    fn differences_need_intervals_apart() {
        let a = Estimate {
            value: 0.2,
            low: 0.15,
            high: 0.25,
        };
        let b = Estimate {
            value: 0.3,
            low: 0.24,
            high: 0.36,
        };
        assert!(!a.differs(&b));
        assert!(a.differs(&Estimate::exact(0.3)));
        assert!(Estimate::exact(0.1).differs(&Estimate::exact(0.2)));
        assert!(!Estimate::exact(0.1).differs(&Estimate::exact(0.1)));
    }

    #[test]
    fn prefix_delegation_without_it_is_a_mismatch() {
        let mut r = fixture_rows().remove(0);
        r.formula = "prefix-delegation".into();
        r.prefix_delegation = false;
        assert!(mismatch(&r).unwrap().contains("prefix_delegation = false"));
        r.prefix_delegation = true;
        assert_eq!(mismatch(&r), None);
        r.formula = "aws-default".into();
        r.prefix_delegation = false;
        assert_eq!(mismatch(&r), None);
    }
}
