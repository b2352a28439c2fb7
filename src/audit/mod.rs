//! A live cluster's nodes against MODEL.md §12: per node the slots, IPs and
//! branch ENIs its pods use and leave, the slots the scheduler may still fill
//! with pods that can never start, the IPs no pod can reach, the pods stuck
//! in ContainerCreating; for the cluster, the nodes at risk.
//!
//! The input is parsed by [`dump`]; [`figures`] computes the audit, pure
//! (no I/O); [`render`] turns the result into a table, CSV or JSON;
//! [`scenario`] turns the same dump into a scenario to replay.
//!
//! A node's IP capacity is `(E - t - c)(I - 1)k` (MODEL.md §3), with the CNI
//! settings of the `aws-node` pod on that node: `t = 1` with
//! `ENABLE_POD_ENI=true` on a trunk-compatible type (on every type for CNI
//! v1.16.4 up to v1.20.4, which reserved the slot regardless), or wherever the
//! node advertises branch ENIs (a trunk is attached), but `t = 0` before CNI
//! v1.16.4, which gave the trunk's IPs to pods; `c = 1` with custom
//! networking; `k = 16` with prefix delegation; `E` capped by `MAX_ENI`.

pub mod dump;
pub mod figures;
pub mod render;
pub mod scenario;

pub use figures::{Audit, CniGroup, NodeAudit, Skipped, Stuck, Totals, audit};
pub(crate) use figures::{cni_view, skip_reason};
