//! One instance type's published limits (MODEL.md §2), as the core sees them.

/// Upper bounds a catalog row must respect: far above any published figure,
/// and low enough that `E * (I - 1) * 16 + 2` cannot overflow.
pub const MAX_ENIS: u32 = 1000;
pub const MAX_IPV4_PER_ENI: u32 = 1000;
pub const MAX_BRANCH_ENIS: u32 = 10_000;

/// Published limits of one instance type (MODEL.md §2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstanceType {
    pub name: String,
    /// `E`: ENIs of the default network card.
    pub max_enis: u32,
    /// `I`: IPv4 addresses per ENI, the primary included.
    pub ipv4_per_eni: u32,
    /// `B`: branch ENIs, the `vpc.amazonaws.com/pod-eni` quota.
    pub branch_enis: u32,
    /// Whether the resource controller can attach a trunk ENI.
    pub trunk_compatible: bool,
    pub hypervisor: String,
    /// `D`: amazon-eks-ami's eni-max-pods.txt value, where published.
    pub eni_max_pods: Option<u32>,
    pub vcpus: Option<u32>,
    pub memory_mib: Option<u64>,
}

impl InstanceType {
    /// The size part of the name (`xlarge` in `m5.xlarge`).
    pub fn size(&self) -> &str {
        self.name.split_once('.').map(|(_, s)| s).unwrap_or("")
    }
}
