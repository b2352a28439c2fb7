//! A NodePool's `spec.limits` as a node count per instance type.
//!
//! Karpenter launches a node only while the pool's resources stay within its
//! limits: kubernetes-sigs/karpenter filters the instance types whose
//! capacity does not fit what the limits leave (`filterByRemainingResources`),
//! so a pool of one type holds `floor(limit / capacity)` nodes, the least
//! over the limited resources. The capacity is Karpenter's view
//! (aws/karpenter-provider-aws `pkg/providers/instancetype/types.go`): CPU
//! is the type's vCPUs; memory is `memory_mib - ceil(memory_mib * 0.075)` MiB
//! (`VM_MEMORY_OVERHEAD_PERCENT`, default 7.5%); `nodes` counts nodes.

use crate::input::bounds::excerpt;
use serde_json::Value;

use super::quantity;
use crate::input::catalog::InstanceType;

/// Karpenter's default `VM_MEMORY_OVERHEAD_PERCENT`.
pub const VM_MEMORY_OVERHEAD: f64 = 0.075;

/// Memory capacity in MiB as Karpenter sees it.
pub fn memory_capacity_mib(memory_mib: u64) -> u64 {
    memory_mib - (memory_mib as f64 * VM_MEMORY_OVERHEAD).ceil() as u64
}

/// The nodes of type `t` that `limits` allow (`None`: no limit applies), and
/// notes on resources that cannot be applied.
pub fn nodes_allowed(limits: Option<&Value>, t: &InstanceType) -> (Option<u64>, Vec<String>) {
    let mut notes = Vec::new();
    let Some(map) = limits.and_then(Value::as_object) else {
        return (None, notes);
    };
    let mut allowed: Option<u64> = None;
    let mut take = |n: u64| allowed = Some(allowed.map_or(n, |a| a.min(n)));
    for (resource, v) in map {
        let Some(limit) = quantity::parse(v) else {
            notes.push(format!(
                "limits.{} `{}` is not a quantity: not applied",
                excerpt(resource),
                excerpt(&v.to_string())
            ));
            continue;
        };
        let per_node = match resource.as_str() {
            "cpu" => t.vcpus.map(f64::from),
            "memory" => t.memory_mib.map(|m| memory_capacity_mib(m) as f64 * 1024.0 * 1024.0),
            "nodes" => Some(1.0),
            other => {
                notes.push(format!("limits.{other} is not a resource the model has: not applied"));
                continue;
            }
        };
        match per_node {
            // A tiny epsilon so that 200 / 2 is 100, not 99.999...
            Some(p) if p > 0.0 => take(((limit / p) + 1e-9).floor().max(0.0) as u64),
            _ => notes.push(format!(
                "limits.{resource}: the catalog lacks {}'s {resource}: not applied to it",
                t.name
            )),
        }
    }
    (allowed, notes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::catalog::Catalog;

    #[test]
    fn cpu_memory_and_nodes() {
        let c = Catalog::bundled();
        let m5l = c.get("m5.large").unwrap();
        let m52 = c.get("m5.2xlarge").unwrap();
        let l = serde_json::json!({"cpu": "200"});
        assert_eq!(nodes_allowed(Some(&l), m5l).0, Some(100));
        // 32768 MiB less ceil(2457.6) = 30310 MiB; 256Gi / 30310 MiB = 8.6.
        assert_eq!(memory_capacity_mib(32768), 30310);
        let l = serde_json::json!({"cpu": "64", "memory": "256Gi"});
        assert_eq!(nodes_allowed(Some(&l), m52).0, Some(8));
        let l = serde_json::json!({"cpu": 1000, "nodes": 3});
        assert_eq!(nodes_allowed(Some(&l), m5l).0, Some(3));
        let l = serde_json::json!({"cpu": "1"});
        assert_eq!(nodes_allowed(Some(&l), m5l).0, Some(0), "one m5.large exceeds 1 CPU");
        let l = serde_json::json!({"nvidia.com/gpu": 2, "cpu": "lots"});
        let (n, notes) = nodes_allowed(Some(&l), m5l);
        assert_eq!((n, notes.len()), (None, 2));
        assert_eq!(nodes_allowed(None, m5l).0, None);
    }
}
