//! Sweeps larger than one machine: `sgpsim run --shard I/N` runs the I-th
//! of N parts of a sweep and writes its exact partial totals (`part`);
//! `sgpsim merge` checks that the parts belong together and cover the sweep
//! exactly once, adds them up in (cell, trial) order and writes the results
//! directory through the same writer as `run` (`crate::results`), so the
//! files are byte for byte one run's.
//!
//! How the sweep is cut is [`plan`]: pure, so every part and the merge
//! compute the same plan from the scenario alone. Trials keep their random
//! streams (keyed by seed, cell and trial index, MODEL.md §7) wherever
//! they run.

pub mod merge;
pub mod part;
pub mod plan;
pub mod run;
pub mod setup;
pub mod spec;

pub use merge::{MergeReport, merge, part_dirs, parts_present, scenario_name};
pub use run::{PartReport, estimate, run_part};
pub use setup::{Setup, catalog_hash};
pub use spec::{JOB_INDEX_VAR, MAX_PARTS, Shard};
