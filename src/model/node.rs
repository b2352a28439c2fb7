//! A node's three capacities (MODEL.md §3) and the node-level settings behind them.

use super::instance::InstanceType;

/// IPs per slot with prefix delegation: each slot holds a /28 prefix.
pub const IPS_PER_PREFIX: u32 = 16;

/// Cluster-wide CNI settings that change a node's capacities.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct NodeSettings {
    /// `ENABLE_POD_ENI=true`: a trunk-compatible node gets a trunk ENI.
    pub sgp: bool,
    /// `ENABLE_PREFIX_DELEGATION=true`: every IP slot holds 16 addresses.
    pub prefix_delegation: bool,
}

impl Default for NodeSettings {
    fn default() -> Self {
        NodeSettings {
            sgp: true,
            prefix_delegation: false,
        }
    }
}

/// System (DaemonSet) pods present on every node before the workload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct SystemPods {
    /// `S`: hostNetwork system pods (aws-node, kube-proxy, ...): a slot each.
    pub host: u32,
    /// System pods with pod networking: a slot and an IP each.
    pub ip: u32,
}

impl SystemPods {
    pub fn total(&self) -> u32 {
        self.host + self.ip
    }

    /// The smallest `M` that leaves a slot for the workload (MODEL.md §4).
    pub fn smallest_max_pods(&self) -> u32 {
        self.total() + 1
    }
}

/// Why a node leaves no room for the workload (MODEL.md §4: `M <= S`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoRoom {
    /// `M` is not above the hostNetwork system pods: the formula leaves nothing.
    HostPodsFill,
    /// `M` is above the host pods but the IP system pods fill the rest.
    SystemPodsFill,
    /// The IP system pods need more IPs than the node has.
    SystemIpsExceedCapacity,
}

/// `t`: 1 when SGP is on and the type can take a trunk ENI.
pub fn trunk(t: &InstanceType, s: &NodeSettings) -> u32 {
    u32::from(s.sgp && t.trunk_compatible)
}

/// `k`: IPs per ENI slot (16 with prefix delegation).
pub fn ips_per_slot(s: &NodeSettings) -> u32 {
    if s.prefix_delegation { IPS_PER_PREFIX } else { 1 }
}

/// Pod IPs: `(E - t) * (I - 1) * k`. The primary address of every ENI is not
/// given to pods; the trunk ENI gets no pod IPs.
pub fn ip_capacity(t: &InstanceType, s: &NodeSettings) -> u32 {
    t.max_enis.saturating_sub(trunk(t, s)) * t.ipv4_per_eni.saturating_sub(1) * ips_per_slot(s)
}

/// Pod IPs as if no trunk were attached: `E * (I - 1) * k`.
pub fn ip_capacity_without_trunk(t: &InstanceType, s: &NodeSettings) -> u32 {
    t.max_enis * t.ipv4_per_eni.saturating_sub(1) * ips_per_slot(s)
}

/// Branch ENIs the scheduler may count: `B` with a trunk, else 0.
pub fn branch_capacity(t: &InstanceType, s: &NodeSettings) -> u32 {
    if trunk(t, s) == 1 { t.branch_enis } else { 0 }
}

/// Everything the placement engine needs to know about one node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct NodeSpec {
    /// `M`, the kubelet's pod limit.
    pub max_pods: u32,
    pub ip_capacity: u32,
    pub branch_capacity: u32,
    pub system: SystemPods,
}

impl NodeSpec {
    /// Slots left for the workload on an empty node.
    pub fn free_slots(&self) -> u32 {
        self.max_pods.saturating_sub(self.system.total())
    }

    /// IPs left for the workload on an empty node.
    pub fn free_ips(&self) -> u32 {
        self.ip_capacity.saturating_sub(self.system.ip)
    }

    /// Whether an empty node has a slot for the workload and its system pods
    /// fit (the one statement of MODEL.md §4's `M <= S` rule).
    pub fn room(&self) -> Result<(), NoRoom> {
        if self.max_pods <= self.system.host {
            Err(NoRoom::HostPodsFill)
        } else if self.max_pods < self.system.smallest_max_pods() {
            Err(NoRoom::SystemPodsFill)
        } else if self.system.ip > self.ip_capacity {
            Err(NoRoom::SystemIpsExceedCapacity)
        } else {
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::catalog::Catalog;

    fn caps(name: &str, s: NodeSettings) -> (u32, u32) {
        let c = Catalog::bundled();
        let t = c.get(name).unwrap();
        (ip_capacity(t, &s), branch_capacity(t, &s))
    }

    #[test]
    fn model_section_10_ip_capacity_with_trunk() {
        let on = NodeSettings::default();
        assert_eq!(caps("m5.large", on), (18, 9));
        assert_eq!(caps("m5.xlarge", on), (42, 18));
        assert_eq!(caps("m5.2xlarge", on), (42, 38));
        assert_eq!(caps("c6i.large", on), (18, 9));
        assert_eq!(caps("m5.4xlarge", on), (203, 54));
    }

    #[test]
    fn no_trunk_without_sgp_or_on_t3() {
        let off = NodeSettings {
            sgp: false,
            prefix_delegation: false,
        };
        assert_eq!(caps("m5.large", off), (27, 0));
        // t3 is not trunk compatible: no slot reserved (CNI >= v1.20.4), no branches.
        assert_eq!(caps("t3.medium", NodeSettings::default()), (15, 0));
    }

    #[test]
    fn prefix_delegation_multiplies_slots() {
        let pd = NodeSettings {
            sgp: true,
            prefix_delegation: true,
        };
        assert_eq!(caps("m5.large", pd), (18 * 16, 9));
    }
}
