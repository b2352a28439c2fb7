//! The timed model (MODEL.md §8–9), pure: a discrete-event simulation of the
//! kube-scheduler, Karpenter, the VPC resource controller (trunk and branch
//! ENIs) and the VPC CNI's IP pool. Like [`crate::model`], it reads no file,
//! spawns no thread and imports nothing outside the core.
//!
//! The pieces, in the order data flows: [`settings`] (the validated
//! `[timed]` table) → [`arrivals`] (kinds and times) → [`sim::Sim`] (the
//! simulation, on [`queue`], [`index`], [`dist`] and [`time`]).
//!
//! Invariants, each proven by a test in `sim_tests`:
//! - **With every delay zero and all pods arriving at once, the timed engine
//!   gives the static replay's outcomes** (the zero-delay rule is described
//!   in [`sim`]).
//! - **Same seed, same bytes, any number of threads.**
//! - An SG pod never runs before its node's trunk delay has passed; an IP pod
//!   never holds an IP its node does not have; no cool-down is cut short.
//! - Every workload pod is in exactly one [`sim::State`] at every instant.

pub mod arrivals;
pub mod cell;
pub mod dist;
pub mod index;
pub mod queue;
pub mod settings;
pub mod sim;
pub mod summary;
pub mod time;
