//! The timed engine (MODEL.md §9): what happens over the first hour of a
//! real rollout, not only when every pod arrives at once.
//!
//! A discrete-event simulation of the kube-scheduler, Karpenter, the VPC
//! resource controller (trunk and branch ENIs) and the VPC CNI's IP pool.
//! Pods arrive over time (all at once, a fixed rate, Poisson, deployment
//! waves or a trace), may end and be replaced, and every delay of §9 is a
//! scenario setting (`[timed]`, see [`config`]) drawn from the trial's
//! seeded stream.
//!
//! The pieces, in the order data flows:
//! [`config`] (the `[timed]` table, validated) → [`run::cells`] (cells with
//! their node types) → [`arrivals`] (kinds and times) → [`engine::Sim`] (the
//! pure simulation, on [`queue`], [`index`], [`dist`] and [`time`]) →
//! [`run::run`] (trials in parallel, merged in (cell, trial) order) →
//! [`export`] (summary.csv, timeline.csv) ← [`cli`] (the `sgpsim run` edge).
//!
//! Invariants, each proven by a test in `engine_tests`:
//! - **With every delay zero and all pods arriving at once, the timed engine
//!   gives the static replay's outcomes** (the zero-delay rule is described
//!   in [`engine`]).
//! - **Same seed, same bytes, any number of threads.**
//! - An SG pod never runs before its node's trunk delay has passed; an IP pod
//!   never holds an IP its node does not have; no cool-down is cut short.
//! - Every workload pod is in exactly one [`engine::State`] at every instant.

pub mod arrivals;
pub mod cli;
pub mod config;
pub mod dist;
pub mod engine;
pub mod export;
pub mod index;
pub mod queue;
pub mod run;
pub mod time;
