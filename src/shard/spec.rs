//! Which part of a sweep a process runs: `I/N`, or `auto/N` from the
//! index a Kubernetes Indexed Job (or a Slurm array) gives.

use crate::error::InputError;

/// The most parts a sweep may be cut into.
pub const MAX_PARTS: u32 = 100_000;

/// Which part: `I/N`, `0 <= I < N`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: u32,
    pub count: u32,
}

/// The environment variable a Kubernetes Indexed Job sets in each pod.
pub const JOB_INDEX_VAR: &str = "JOB_COMPLETION_INDEX";

impl Shard {
    /// Reads `I/N`, or `auto/N` with `I` from `index_var` (the value of
    /// [`JOB_INDEX_VAR`], if set).
    pub fn parse(text: &str, index_var: Option<&str>) -> Result<Shard, InputError> {
        let bad = |problem: String| {
            InputError::field(
                "--shard",
                problem,
                "give I/N with 0 <= I < N (0-based, as Kubernetes numbers an Indexed Job's pods), or auto/N",
            )
        };
        let Some((i, n)) = text.split_once('/') else {
            return Err(bad(format!("`{text}` is not I/N")));
        };
        let count: u32 = n
            .trim()
            .parse()
            .map_err(|_| bad(format!("`{n}` is not a number of parts")))?;
        if count == 0 || count > MAX_PARTS {
            return Err(bad(format!("{count} parts: give 1 to {MAX_PARTS}")));
        }
        let (shown, from_env) = if i.trim() == "auto" {
            match index_var {
                Some(v) => (v.trim().to_string(), true),
                None => {
                    return Err(InputError::field(
                        "--shard",
                        format!("auto/{count} reads the part's index from {JOB_INDEX_VAR}, which is not set"),
                        format!(
                            "run it in a Kubernetes Indexed Job (which sets {JOB_INDEX_VAR}), or give the index: \
                             --shard I/{count}, e.g. --shard $SLURM_ARRAY_TASK_ID/{count} in a Slurm array"
                        ),
                    ));
                }
            }
        } else {
            (i.trim().to_string(), false)
        };
        let index: u32 = shown.parse().map_err(|_| {
            let src = if from_env {
                format!("{JOB_INDEX_VAR}=`{shown}`")
            } else {
                format!("`{shown}`")
            };
            bad(format!("{src} is not a part index"))
        })?;
        if index >= count {
            return Err(bad(format!(
                "part {index} of {count} does not exist: parts are numbered 0 to {}",
                count - 1
            )));
        }
        Ok(Shard { index, count })
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_parse_as_index_over_count() {
        assert_eq!(Shard::parse("2/7", None).unwrap(), Shard { index: 2, count: 7 });
        assert_eq!(Shard::parse("auto/4", Some("3")).unwrap(), Shard { index: 3, count: 4 });
        let e = Shard::parse("auto/4", None).unwrap_err();
        assert!(e.problem.contains("JOB_COMPLETION_INDEX, which is not set"), "{e}");
        assert!(e.fix.contains("SLURM_ARRAY_TASK_ID"), "{e}");
        let e = Shard::parse("auto/4", Some("4")).unwrap_err();
        assert!(e.problem.contains("numbered 0 to 3"), "{e}");
        assert!(
            Shard::parse("auto/4", Some("x"))
                .unwrap_err()
                .problem
                .contains("JOB_COMPLETION_INDEX=`x`")
        );
        for bad in ["7/7", "1/0", "-1/3", "1", "a/b", "1/100001"] {
            assert!(Shard::parse(bad, None).is_err(), "{bad}");
        }
    }
}
