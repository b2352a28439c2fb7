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
