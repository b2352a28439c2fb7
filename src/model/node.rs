//! A node's three capacities (MODEL.md §3) and the node-level settings behind them.

use super::instance::InstanceType;
pub use super::requests::{DEFAULT_CPU_REQUEST_MILLI, DEFAULT_MEMORY_REQUEST, MIB, Res};
use super::requests::{MAX_CLASSES, PodReq};

/// IPs per slot with prefix delegation: each slot holds a /28 prefix.
pub const IPS_PER_PREFIX: u32 = 16;

/// A VPC CNI version, `(major, minor, patch)`, as its image tag names it.
pub type CniVersion = (u32, u32, u32);

/// The first CNI version that gives the trunk ENI no pod IPs (v1.16.4, CNI PR
/// #2801 "skip adding IPs to trunk ENI"): before it, the trunk's IPs went to pods.
pub const CNI_TRUNK_SLOT_RESERVED: CniVersion = (1, 16, 4);
/// The first CNI version that holds the trunk's slot back only on types that
/// can take a trunk (v1.20.4, CNI PR #3250): from v1.16.4 up to it, every
/// node with SGP on lost one ENI's IPs, trunk-compatible or not.
pub const CNI_TRUNK_ONLY_WHERE_COMPATIBLE: CniVersion = (1, 20, 4);

/// Cluster-wide CNI and kubelet settings that change a node's capacities or
/// its maxPods (MODEL.md §3, §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct NodeSettings {
    /// `ENABLE_POD_ENI=true`: a trunk-compatible node gets a trunk ENI.
    pub sgp: bool,
    /// `ENABLE_PREFIX_DELEGATION=true`: every IP slot holds 16 addresses.
    pub prefix_delegation: bool,
    /// `AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG=true` (ENIConfig): the primary ENI
    /// takes no pod IPs (`c = 1`).
    pub custom_networking: bool,
    /// The CNI's version; `None` is the current CNI (v1.20.4 or later).
    pub cni_version: Option<CniVersion>,
    /// The kubelet's `podsPerCore`: caps every formula at `podsPerCore * vCPUs`.
    pub pods_per_core: Option<u32>,
}

impl Default for NodeSettings {
    fn default() -> Self {
        NodeSettings {
            sgp: true,
            prefix_delegation: false,
            custom_networking: false,
            cni_version: None,
            pods_per_core: None,
        }
    }
}

impl NodeSettings {
    /// Whether every setting beyond SGP and prefix delegation is at its
    /// default (what every output looked like before they existed).
    pub fn networking_is_default(&self) -> bool {
        !self.custom_networking && self.cni_version.is_none() && self.pods_per_core.is_none()
    }

    /// The settings beyond SGP and prefix delegation that differ from the
    /// default, in words (`custom networking on`, `CNI v1.19.0`,
    /// `podsPerCore 10`); empty when none does.
    pub fn describe_networking(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.custom_networking {
            out.push("custom networking on (the primary ENI takes no pod IPs)".to_string());
        }
        if let Some((a, b, c)) = self.cni_version {
            out.push(format!("CNI v{a}.{b}.{c}"));
        }
        if let Some(n) = self.pods_per_core {
            out.push(format!("podsPerCore {n}"));
        }
        out
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
    /// The system pods request more CPU or memory than the node can hold.
    SystemRequestsExceedAllocatable,
}

/// `t`: 1 when SGP is on and the type can take a trunk ENI (the trunk the
/// resource controller attaches, and so its branch ENIs).
pub fn trunk(t: &InstanceType, s: &NodeSettings) -> u32 {
    u32::from(s.sgp && t.trunk_compatible)
}

/// The ENI slots the CNI keeps from pod IPs for the trunk (the `t` of the
/// pod IPs in MODEL.md §3), by CNI version: none before v1.16.4 (the trunk's
/// IPs went to pods), one on every type from v1.16.4 up to v1.20.4 (CNI PR
/// #3250), one on trunk-compatible types from v1.20.4 on.
pub fn trunk_slot(t: &InstanceType, s: &NodeSettings) -> u32 {
    if !s.sgp {
        return 0;
    }
    match s.cni_version {
        Some(v) if v < CNI_TRUNK_SLOT_RESERVED => 0,
        Some(v) if v < CNI_TRUNK_ONLY_WHERE_COMPATIBLE => 1,
        _ => trunk(t, s),
    }
}

/// `c`: 1 with custom networking (the primary ENI takes no pod IPs).
pub fn custom(s: &NodeSettings) -> u32 {
    u32::from(s.custom_networking)
}

/// `k`: IPs per ENI slot (16 with prefix delegation).
pub fn ips_per_slot(s: &NodeSettings) -> u32 {
    if s.prefix_delegation { IPS_PER_PREFIX } else { 1 }
}

/// The ENIs that hold pod IPs: `E - t - c` (`t` the trunk's slot as the
/// CNI's version holds it back, [`trunk_slot`]). Only the default network
/// card's ENIs count (`E`), as the CNI and Karpenter count them.
pub fn pod_ip_enis(t: &InstanceType, s: &NodeSettings) -> u32 {
    t.max_enis.saturating_sub(trunk_slot(t, s) + custom(s))
}

/// Pod IPs: `(E - t - c) * (I - 1) * k`. The primary address of every ENI is
/// not given to pods; the trunk ENI gets no pod IPs (CNI v1.16.4 on), nor,
/// with custom networking, the primary ENI.
pub fn ip_capacity(t: &InstanceType, s: &NodeSettings) -> u32 {
    pod_ip_enis(t, s)
        .saturating_mul(t.ipv4_per_eni.saturating_sub(1))
        .saturating_mul(ips_per_slot(s))
}

/// Pod IPs as if no trunk were attached: `(E - c) * (I - 1) * k`.
pub fn ip_capacity_without_trunk(t: &InstanceType, s: &NodeSettings) -> u32 {
    t.max_enis
        .saturating_sub(custom(s))
        .saturating_mul(t.ipv4_per_eni.saturating_sub(1))
        .saturating_mul(ips_per_slot(s))
}

/// Branch ENIs the scheduler may count: `B` with a trunk, else 0.
pub fn branch_capacity(t: &InstanceType, s: &NodeSettings) -> u32 {
    if trunk(t, s) == 1 { t.branch_enis } else { 0 }
}

/// CPU and memory on one node (MODEL.md §3, §5): what it can hold for pods
/// and what each pod asks, per pod class ([`crate::model::workload::Pod`]).
/// When no pod requests any CPU or memory the model counts neither (filter
/// and scores by slots alone): [`Resources::counted`] is false.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Resources {
    /// Allocatable CPU and memory ([`allocatable`]).
    pub allocatable: Res,
    /// The requests of one host system pod and of one IP system pod.
    pub system_host: PodReq,
    pub system_ip: PodReq,
    /// One workload pod's requests per class (`Pod::class`; without groups
    /// the class is the kind's index: sg, ip, host).
    pub pod: [PodReq; MAX_CLASSES],
    counted: bool,
}

impl Default for Resources {
    fn default() -> Self {
        Resources::NONE
    }
}

impl Resources {
    /// No requests anywhere: CPU and memory are not counted.
    pub const NONE: Resources = Resources {
        allocatable: Res::ZERO,
        system_host: PodReq::ZERO,
        system_ip: PodReq::ZERO,
        pod: [PodReq::ZERO; MAX_CLASSES],
        counted: false,
    };

    /// The requests of system pods (host, IP) and workload pods (per class,
    /// at most [`MAX_CLASSES`]), on a node of `allocatable`.
    /// [`Resources::NONE`] when no pod requests any CPU or memory (explicit
    /// zeros alone leave the model by slots, as kube-scheduler's scores then
    /// tell nodes apart by their pods alone).
    pub fn new(allocatable: Res, system_host: PodReq, system_ip: PodReq, pods: &[PodReq]) -> Resources {
        assert!(pods.len() <= MAX_CLASSES, "at most {MAX_CLASSES} pod classes");
        let any = !(system_host.requested.is_zero()
            && system_ip.requested.is_zero()
            && pods.iter().all(|p| p.requested.is_zero()));
        if !any {
            return Resources::NONE;
        }
        let mut pod = [PodReq::ZERO; MAX_CLASSES];
        pod[..pods.len()].copy_from_slice(pods);
        Resources {
            allocatable,
            system_host,
            system_ip,
            pod,
            counted: true,
        }
    }

    /// The same requests on a node of `allocatable`.
    pub fn on(self, allocatable: Res) -> Resources {
        Resources { allocatable, ..self }
    }

    /// Whether any pod, system or workload, requests CPU or memory: only
    /// then do the filter and the scores look at them.
    #[inline]
    pub fn counted(&self) -> bool {
        self.counted
    }

    /// One workload pod's request for the filter.
    #[inline]
    pub fn requested(&self, class: usize) -> Res {
        self.pod[class].requested
    }

    /// One workload pod's request as the scores count it.
    #[inline]
    pub fn scored_pod(&self, class: usize) -> Res {
        self.pod[class].scored
    }

    /// The system pods' requests on one node.
    pub fn system(&self, s: &SystemPods) -> Res {
        self.system_both(s).requested
    }

    /// The system pods' requests as the scores count them.
    pub fn system_scored(&self, s: &SystemPods) -> Res {
        self.system_both(s).scored
    }

    fn system_both(&self, s: &SystemPods) -> PodReq {
        self.system_host.times(s.host).plus(self.system_ip.times(s.ip))
    }
}

/// Karpenter's VM memory overhead estimate, `VM_MEMORY_OVERHEAD_PERCENT`
/// (default 0.075, karpenter-provider-aws `pkg/operator/options/options.go`),
/// here in thousandths.
pub const VM_MEMORY_OVERHEAD_PERMILLE: u64 = 75;
/// The kubelet's hard eviction threshold Karpenter subtracts,
/// `memory.available` 100Mi (`evictionThreshold` in `types.go`).
pub const EVICTION_THRESHOLD_MIB: u64 = 100;
/// Memory Graviton (arm64) types reserve for CMA, which Karpenter subtracts
/// from the catalog's figure (`memory()` in `types.go`).
pub const ARM64_CMA_MIB: u64 = 64;

/// kube-reserved CPU in millicores for a node of `vcpus` (Karpenter
/// `kubeReservedResources` in `types.go`, from Bottlerocket): 6% of the first
/// core, 1% of the second, 0.5% of the third and fourth, 0.25% of the rest,
/// each range's share truncated to whole millicores.
pub fn kube_reserved_cpu_milli(vcpus: u32) -> u64 {
    let cpu = u64::from(vcpus) * 1000;
    // (start, end, per ten thousand): the ranges of types.go.
    const RANGES: [(u64, u64, u64); 4] = [(0, 1000, 600), (1000, 2000, 100), (2000, 4000, 50), (4000, 1 << 31, 25)];
    RANGES
        .iter()
        .filter(|(start, _, _)| cpu >= *start)
        .map(|&(start, end, bp)| (cpu.min(end) - start) * bp / 10_000)
        .sum()
}

/// kube-reserved memory in MiB: `11 * pods + 255` (`kubeReservedResources`).
/// For the AL2 and AL2023 families Karpenter counts `pods` as the
/// ENI-limited pods, `E * (I - 1) + 2`, whatever maxPods is
/// (`UsesENILimitedMemoryOverhead` of `amifamily.DefaultFamily`); the caller
/// passes that figure.
pub fn kube_reserved_memory_mib(pods: u32) -> u64 {
    11 * u64::from(pods) + 255
}

/// The memory capacity Karpenter assumes in MiB: the catalog's figure, less
/// 64 MiB on arm64, less `ceil(7.5%)` of that for the VM's overhead
/// (`memory()` in `types.go`).
pub fn memory_capacity_mib(memory_mib: u64, arm64: bool) -> u64 {
    let mib = if arm64 {
        memory_mib.saturating_sub(ARM64_CMA_MIB)
    } else {
        memory_mib
    };
    mib - (mib * VM_MEMORY_OVERHEAD_PERMILLE).div_ceil(1000)
}

/// A node's allocatable CPU and memory by Karpenter's rule (MODEL.md §5):
/// capacity minus kube-reserved minus the eviction threshold, with no
/// system-reserved (Karpenter's default), in the node and in Karpenter's view
/// alike. `eni_limited_pods` is `E * (I - 1) + 2` (see
/// [`kube_reserved_memory_mib`]). Saturates at zero.
///
/// Every figure is from karpenter-provider-aws
/// `pkg/providers/instancetype/types.go` (`computeCapacity`, `cpu`, `memory`,
/// `kubeReservedResources`, `evictionThreshold`).
pub fn allocatable(vcpus: u32, memory_mib: u64, arm64: bool, eni_limited_pods: u32) -> Res {
    let cpu = (u64::from(vcpus) * 1000).saturating_sub(kube_reserved_cpu_milli(vcpus));
    let mem_mib = memory_capacity_mib(memory_mib, arm64)
        .saturating_sub(kube_reserved_memory_mib(eni_limited_pods))
        .saturating_sub(EVICTION_THRESHOLD_MIB);
    Res {
        cpu,
        memory: mem_mib * MIB,
    }
}

/// The pods Karpenter's AL2/AL2023 kube-reserved memory counts:
/// `(E - reserved) * (I - 1) + 2`, 0 when `reserved >= E` (`ENILimitedPods`
/// in `types.go`; `reserved` is its `RESERVED_ENIS` option, 0 by default).
pub fn eni_limited_pods(t: &InstanceType, reserved_enis: u32) -> u32 {
    let usable = t.max_enis.saturating_sub(reserved_enis);
    if usable == 0 {
        return 0;
    }
    usable
        .saturating_mul(t.ipv4_per_eni.saturating_sub(1))
        .saturating_add(2)
}

/// Everything the placement engine needs to know about one node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct NodeSpec {
    /// `M`, the kubelet's pod limit.
    pub max_pods: u32,
    pub ip_capacity: u32,
    pub branch_capacity: u32,
    pub system: SystemPods,
    /// CPU and memory: allocatable and requests ([`Resources::NONE`] when no
    /// pod requests either).
    pub res: Resources,
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
    /// fit (the one statement of MODEL.md §4's `M <= S` rule), their CPU and
    /// memory requests included.
    pub fn room(&self) -> Result<(), NoRoom> {
        if self.res.counted() && !self.res.system(&self.system).within(&self.res.allocatable) {
            Err(NoRoom::SystemRequestsExceedAllocatable)
        } else if self.max_pods <= self.system.host {
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

    /// Karpenter's allocatable by hand, every figure from types.go, checked
    /// against what Karpenter logs for m5.large (`allocatable: cpu 1930m,
    /// memory 6903Mi, pods 29`):
    /// - m5.large, 2 vCPUs, 8192 MiB, 3 ENIs x 10 IPs: CPU 2000 - (60 + 10)
    ///   = 1930m; memory 8192 - ceil(614.4) = 7577, less kube-reserved
    ///   11 * 29 + 255 = 574 and eviction 100: 6903 MiB.
    /// - m6g.large (arm64), same sizes: 8192 - 64 = 8128, - ceil(609.6) =
    ///   7518, - 574 - 100 = 6844 MiB; CPU 1930m.
    /// - m5.4xlarge, 16 vCPUs, 65536 MiB, 8 x 30: CPU 60 + 10 + 10 + 30 =
    ///   110m reserved, 15890m; memory 65536 - 4916 - (11 * 234 + 255) - 100
    ///   = 57691 MiB.
    #[test]
    fn allocatable_by_karpenters_rule() {
        let c = Catalog::bundled();
        let alloc = |name: &str, reserved: u32| {
            let t = c.get(name).unwrap();
            let arm = name == "m6g.large";
            allocatable(
                t.vcpus.unwrap(),
                t.memory_mib.unwrap(),
                arm,
                eni_limited_pods(t, reserved),
            )
        };
        assert_eq!(
            alloc("m5.large", 0),
            Res {
                cpu: 1930,
                memory: 6903 * MIB
            }
        );
        assert_eq!(
            alloc("m6g.large", 0),
            Res {
                cpu: 1930,
                memory: 6844 * MIB
            }
        );
        assert_eq!(
            alloc("m5.4xlarge", 0),
            Res {
                cpu: 15890,
                memory: 57691 * MIB
            }
        );
        // RESERVED_ENIS=1: (3 - 1) * 9 + 2 = 20 pods, 11 * 20 + 255 = 475 MiB reserved.
        assert_eq!(alloc("m5.large", 1).memory, (7577 - 475 - 100) * MIB);
        // All ENIs reserved: 0 pods, 255 MiB.
        assert_eq!(alloc("m5.large", 3).memory, (7577 - 255 - 100) * MIB);
        assert_eq!(kube_reserved_cpu_milli(1), 60);
        assert_eq!(kube_reserved_cpu_milli(4), 80);
        assert_eq!(kube_reserved_cpu_milli(96), 80 + 92_000 * 25 / 10_000);
        // Saturates at zero rather than wrapping.
        assert_eq!(allocatable(1, 100, false, 29), Res { cpu: 940, memory: 0 });
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
            ..NodeSettings::default()
        };
        assert_eq!(caps("m5.large", off), (27, 0));
        // t3 is not trunk compatible: no slot reserved (CNI >= v1.20.4), no branches.
        assert_eq!(caps("t3.medium", NodeSettings::default()), (15, 0));
    }

    #[test]
    fn prefix_delegation_multiplies_slots() {
        let pd = NodeSettings {
            prefix_delegation: true,
            ..NodeSettings::default()
        };
        assert_eq!(caps("m5.large", pd), (18 * 16, 9));
    }

    fn custom_on() -> NodeSettings {
        NodeSettings {
            custom_networking: true,
            ..NodeSettings::default()
        }
    }

    /// MODEL.md §3, by hand: m5.xlarge has E = 4, I = 15, B = 18. With the
    /// trunk and custom networking (4 - 1 - 1) * 14 = 28 pod IPs; without
    /// SGP (4 - 1) * 14 = 42; with prefix delegation 28 * 16 = 448.
    #[test]
    fn custom_networking_takes_the_primary_eni_from_pods() {
        assert_eq!(caps("m5.xlarge", custom_on()), (28, 18));
        assert_eq!(caps("m5.large", custom_on()), (9, 9)); // (3 - 1 - 1) * 9
        let no_sgp = NodeSettings {
            sgp: false,
            ..custom_on()
        };
        assert_eq!(caps("m5.xlarge", no_sgp), (42, 0));
        let pd = NodeSettings {
            prefix_delegation: true,
            ..custom_on()
        };
        assert_eq!(caps("m5.xlarge", pd), (448, 18));
        // t3.medium: E = 3, I = 6, no trunk: (3 - 0 - 1) * 5 = 10.
        assert_eq!(caps("t3.medium", custom_on()), (10, 0));
        let c = Catalog::bundled();
        assert_eq!(ip_capacity_without_trunk(c.get("m5.xlarge").unwrap(), &custom_on()), 42);
        // c6g.medium: E = 2, trunk and primary leave no ENI for pods.
        assert_eq!(caps("c6g.medium", custom_on()).0, 0);
    }

    /// CNI versions (notes/sgp-behaviour.md R5.1-R5.2), by hand on m5.large
    /// (E = 3, I = 10, trunk) and t3.medium (E = 3, I = 6, no trunk).
    #[test]
    fn the_cni_version_decides_the_trunk_slot() {
        let v = |a, b, c| NodeSettings {
            cni_version: Some((a, b, c)),
            ..NodeSettings::default()
        };
        // Before v1.16.4 the trunk ENI's IPs go to pods: 3 * 9 = 27; branches stay 9.
        assert_eq!(caps("m5.large", v(1, 16, 3)), (27, 9));
        assert_eq!(caps("m5.large", v(1, 12, 0)), (27, 9));
        assert_eq!(caps("t3.medium", v(1, 16, 3)), (15, 0));
        // v1.16.4 up to v1.20.4: a slot is held back on every type.
        assert_eq!(caps("m5.large", v(1, 16, 4)), (18, 9));
        assert_eq!(caps("t3.medium", v(1, 19, 0)), (10, 0));
        assert_eq!(caps("t3.medium", v(1, 20, 3)), (10, 0));
        // v1.20.4 on: only where a trunk can be attached.
        assert_eq!(caps("t3.medium", v(1, 20, 4)), (15, 0));
        assert_eq!(caps("m5.large", v(1, 21, 0)), (18, 9));
        // Without SGP no version holds a slot back.
        let off = NodeSettings {
            sgp: false,
            ..v(1, 19, 0)
        };
        assert_eq!(caps("t3.medium", off), (15, 0));
        // With custom networking too: (3 - 1 - 1) * 5 = 5 on t3.medium at v1.19.0.
        let both = NodeSettings {
            custom_networking: true,
            ..v(1, 19, 0)
        };
        assert_eq!(caps("t3.medium", both), (5, 0));
        // Before v1.16.4, custom networking alone: (3 - 1) * 9 = 18 on m5.large.
        let old = NodeSettings {
            custom_networking: true,
            ..v(1, 16, 3)
        };
        assert_eq!(caps("m5.large", old), (18, 9));
    }
}
