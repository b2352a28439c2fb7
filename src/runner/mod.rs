//! The runners: the only place with threads (rayon). Work is split into
//! (cell, block of trials) items and merged back in (cell, trial) order, so
//! results do not depend on the number of threads (MODEL.md §7).

pub mod pool;
pub mod recommend;
pub mod safe_region;
pub mod slice;
pub mod sweep;
pub mod timed;

pub use slice::Slice;
