//! Deployable configuration from a simulated formula: for Karpenter, one
//! EC2NodeClass with `spec.kubelet.maxPods` per maxPods value and NodePools
//! narrowed to match (`karpenter`), or the controller setting that gives the
//! same figures (`karpenter_settings`); for nodes Karpenter does not manage,
//! a launch template's UserData (`user_data`: a nodeadm NodeConfig, or the
//! `script` with an exact per-type `table`).
//!
//! Field names follow aws/karpenter-provider-aws `pkg/apis/v1/ec2nodeclass.go`
//! and nodeadm's `NodeConfig` (awslabs/amazon-eks-ami `nodeadm/doc/examples.md`).

pub mod ami;
pub mod expr;
pub mod instance_types;
pub mod job;
pub mod karpenter;
pub mod karpenter_settings;
pub mod script;
pub mod table;
pub mod user_data;

pub use self::ami::Ami;
pub use self::expr::{Context, Target};
pub use self::table::Entry;
