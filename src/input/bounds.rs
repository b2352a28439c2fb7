//! Bounds every input is checked against, and the defaults a scenario may
//! leave out: far above any real study, low enough to catch a typo.

use crate::error::InputError;
use crate::model::workload::Counts;

/// Upper bounds that catch typos (an extra zero or three), not real studies.
pub const MAX_TRIALS: u32 = 1_000_000;
pub const MAX_PODS_PER_CELL: u32 = 10_000_000;
pub const MAX_NODES: u32 = 100_000;
/// The largest maxPods a formula may give: far above any real kubelet
/// setting (the largest published default is 737; prefix delegation caps at
/// 250), low enough that sweeps over it stay bounded.
pub const MAX_MAX_PODS: u32 = 100_000;

/// The most system pods of one kind on a node: no node holds more pods than
/// the largest maxPods.
pub const MAX_SYSTEM_PODS: u32 = MAX_MAX_PODS;

/// The most work a run may do unless raised (`--max-work`): pod placements
/// (trials × workload pods, summed over cells), pod starts in the timed model
/// (replacements included) and timeline samples. About an hour on two cores
/// for the static replay; far beyond every shipped scenario (the largest does
/// about 10 million).
pub const MAX_WORK: u64 = 10_000_000_000;

/// The most timeline rows a timed run may write (cells × samples per cell):
/// about 100 MB of CSV.
pub const MAX_TIMELINE_ROWS: u64 = 1_000_000;

/// The longest instance type name accepted (the longest published is 25).
pub const MAX_NAME: usize = 64;
/// The largest memory figure accepted, in MiB (1 EiB: far above any type,
/// and within CEL's int).
pub const MAX_MEMORY_MIB: u64 = 1 << 40;

/// The largest CPU request of one pod, in millicores: 1000 cores, more than
/// any instance type has (the largest have 896 vCPUs).
pub const MAX_CPU_REQUEST_MILLI: u64 = 1_000_000;
/// The largest memory request of one pod, in bytes: 32 TiB, the memory of
/// the largest instance types. With at most [`MAX_MAX_PODS`] pods and as
/// many system pods of each kind per node, a node's sum stays below `u64`.
pub const MAX_MEMORY_REQUEST: u64 = 1 << 45;

/// The default seed when a scenario names none.
pub const DEFAULT_SEED: u64 = 1;
/// The default number of random trials per cell.
pub const DEFAULT_TRIALS: u32 = 1000;

/// Zero or absurd pod counts are errors.
pub fn check_counts(c: Counts, ty: &str, formula: &str) -> Result<(), InputError> {
    if c.total_wide() == 0 {
        return Err(InputError::field(
            "workload",
            format!("the workload on {ty} with {formula} has no pods"),
            "give sg_pods, ip_pods or host_pods above zero, or `fill = \"seed\"`",
        ));
    }
    if c.total_wide() > u64::from(MAX_PODS_PER_CELL) {
        return Err(InputError::field(
            "workload",
            format!(
                "{} pods on {ty} with {formula} is more than {MAX_PODS_PER_CELL}",
                c.total_wide()
            ),
            "check the counts for a typo",
        ));
    }
    Ok(())
}

/// Trials between 1 and [`MAX_TRIALS`].
pub fn check_trials(trials: u32, field: &str) -> Result<(), InputError> {
    if trials == 0 || trials > MAX_TRIALS {
        return Err(InputError::field(
            field,
            format!("{trials} trials is outside 1..={MAX_TRIALS}"),
            "give a number of random trials such as 1000",
        ));
    }
    Ok(())
}

/// System pods of one kind within 0..=[`MAX_SYSTEM_PODS`].
pub fn check_system_pods(n: u32, field: &str) -> Result<(), InputError> {
    if n > MAX_SYSTEM_PODS {
        return Err(InputError::field(
            field,
            format!("{n} system pods is more than {MAX_SYSTEM_PODS}, more pods than any node runs"),
            "give the DaemonSet pods on one node, e.g. 3",
        ));
    }
    Ok(())
}

/// An estimate of a run's work against its limit: refused above it, with
/// the estimate, the limit and how to raise it.
pub fn check_work(estimate: u64, limit: u64, what: &str) -> Result<(), InputError> {
    if estimate > limit {
        return Err(InputError::field(
            "trials",
            format!("the run would take about {estimate} {what}, more than the limit of {limit}"),
            "lower trials, the pod counts or the types, or raise the limit with --max-work N if the run is meant",
        ));
    }
    Ok(())
}

/// At most a short excerpt of a user's text for an error message: errors
/// fit on a screen whatever was typed.
pub fn excerpt(text: &str) -> String {
    const MAX: usize = 60;
    if text.chars().count() <= MAX {
        text.to_string()
    } else {
        format!("{}…", text.chars().take(MAX).collect::<String>())
    }
}
