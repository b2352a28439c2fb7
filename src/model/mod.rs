//! The pure core of the static model (MODEL.md §2–7): no file system, no
//! threads, no serde, no printing, and no import from outside this folder
//! (a test in `tests/cli/tidy.rs` reads these sources to keep it so).

pub mod cel;
pub mod cell;
pub mod exact;
pub mod formula;
pub mod instance;
pub mod invalid;
pub mod node;
pub mod order;
pub mod placement;
pub mod replay;
pub mod requests;
pub mod rng;
pub mod stats;
pub mod summary;
pub mod workload;
