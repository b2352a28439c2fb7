//! A pod's CPU and memory requests as kube-scheduler counts them (MODEL.md
//! §5), stated once for the scenario's request tables, the manifest import
//! and the cluster dump.
//!
//! The scheduler sums a pod twice (k8s.io/component-helpers
//! `resource/helpers.go` `PodRequests`, called by NodeResourcesFit):
//!
//! - for the **filter**, the containers' requests added up; each init
//!   container counted with the sidecars (init containers with
//!   `restartPolicy: Always`) started before it, the largest of those the
//!   floor; sidecars also added to the sum; then `max(sum, floor)` plus
//!   `spec.overhead`. A request left out counts 0;
//! - for the **scores** (`NonZeroRequested`), the same sum where each
//!   container, init containers included, that leaves a resource out counts
//!   `DefaultMilliCPURequest` (100m) or `DefaultMemoryRequest` (200 MiB) for
//!   it (`PodResourcesOptions.NonMissingContainerRequests`, applied by
//!   `applyNonMissing`: "If the requests for those resources are explicitly
//!   set, even if zero, they will not be modified"). An explicit `0` stays 0.

/// The most pod classes a workload has: without groups three (one per
/// kind), with `[[workload.groups]]` one per group.
pub const MAX_CLASSES: usize = 32;

/// CPU in millicores and memory in bytes: a request, a sum of requests, or
/// what a node can hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Res {
    pub cpu: u64,
    pub memory: u64,
}

impl Res {
    pub const ZERO: Res = Res { cpu: 0, memory: 0 };

    pub fn is_zero(&self) -> bool {
        self.cpu == 0 && self.memory == 0
    }

    /// `self + n * other`, saturating (inputs are bounded far below overflow).
    pub fn plus_times(self, other: Res, n: u32) -> Res {
        Res {
            cpu: self.cpu.saturating_add(other.cpu.saturating_mul(u64::from(n))),
            memory: self.memory.saturating_add(other.memory.saturating_mul(u64::from(n))),
        }
    }

    /// Whether `self` fits within `cap` on both resources.
    pub fn within(&self, cap: &Res) -> bool {
        (self.cpu <= cap.cpu) & (self.memory <= cap.memory)
    }

    /// The larger of each resource.
    pub fn max(self, other: Res) -> Res {
        Res {
            cpu: self.cpu.max(other.cpu),
            memory: self.memory.max(other.memory),
        }
    }

    /// `self - other` on each resource, at least zero.
    pub fn saturating_sub(self, other: Res) -> Res {
        Res {
            cpu: self.cpu.saturating_sub(other.cpu),
            memory: self.memory.saturating_sub(other.memory),
        }
    }

    /// How many of `each` fit within `self` on both resources; `None` where
    /// `each` asks for nothing (any number fits).
    pub fn fits_times(&self, each: Res) -> Option<u64> {
        let on = |have: u64, per: u64| have.checked_div(per);
        match (on(self.cpu, each.cpu), on(self.memory, each.memory)) {
            (None, None) => None,
            (a, b) => a.into_iter().chain(b).min(),
        }
    }

    /// As the request flags take it, exactly: `cpu=500m,memory=512Mi`.
    pub fn flag_text(&self) -> String {
        format!("cpu={}m,memory={}", self.cpu, memory_quantity(self.memory))
    }
}

/// Memory as a Kubernetes quantity, exactly: `512Mi` where it is whole
/// mebibytes, else the bytes (`512000000` for `512M`), never rounded.
pub fn memory_quantity(bytes: u64) -> String {
    if bytes.is_multiple_of(MIB) {
        format!("{}Mi", bytes / MIB)
    } else {
        bytes.to_string()
    }
}

/// kube-scheduler's CPU request for scoring a container without one: 100m.
pub const DEFAULT_CPU_REQUEST_MILLI: u64 = 100;
/// kube-scheduler's memory request for scoring a container without one: 200 MiB.
pub const DEFAULT_MEMORY_REQUEST: u64 = 200 * MIB;
/// One mebibyte.
pub const MIB: u64 = 1024 * 1024;

/// One container's requests as written: `None` where the key is left out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Container {
    /// Millicores.
    pub cpu: Option<u64>,
    /// Bytes.
    pub memory: Option<u64>,
    /// An init container with `restartPolicy: Always` (a sidecar): it runs
    /// beside the containers, so it adds to their sum. Ignored for a
    /// regular container.
    pub sidecar: bool,
}

impl Container {
    /// What the filter counts: a key left out is 0.
    fn requested(&self) -> Res {
        Res {
            cpu: self.cpu.unwrap_or(0),
            memory: self.memory.unwrap_or(0),
        }
    }

    /// What the scores count: a key left out is the scheduler's default.
    fn scored(&self) -> Res {
        Res {
            cpu: self.cpu.unwrap_or(DEFAULT_CPU_REQUEST_MILLI),
            memory: self.memory.unwrap_or(DEFAULT_MEMORY_REQUEST),
        }
    }
}

/// A pod's requests as its spec writes them: containers, init containers
/// and overhead (what the import reads and the scenario can write back).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct PodShape {
    pub containers: Vec<Container>,
    pub init: Vec<Container>,
    pub overhead: Res,
}

impl PodShape {
    /// The pod's requests ([`PodReq::of_pod`]).
    pub fn request(&self) -> PodReq {
        PodReq::of_pod(&self.containers, &self.init, self.overhead)
    }

    /// Whether it writes down any request at all (a key in some container,
    /// or an overhead).
    pub fn any_written(&self) -> bool {
        !self.overhead.is_zero()
            || self
                .containers
                .iter()
                .chain(&self.init)
                .any(|c| c.cpu.is_some() || c.memory.is_some())
    }
}

/// One pod's requests as the filter and as the scores count them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct PodReq {
    /// NodeResourcesFit's filter: `used + requested <= allocatable`.
    pub requested: Res,
    /// The scores' figure, with the defaults for what a container leaves out.
    pub scored: Res,
}

impl PodReq {
    /// A pod that requests nothing and is not counted (no containers): what
    /// a kind without a request table contributes where nothing is counted.
    pub const ZERO: PodReq = PodReq {
        requested: Res::ZERO,
        scored: Res::ZERO,
    };

    /// A pod of one container with these requests (`None`: left out).
    pub fn single(cpu: Option<u64>, memory: Option<u64>) -> PodReq {
        PodReq::of_pod(
            &[Container {
                cpu,
                memory,
                sidecar: false,
            }],
            &[],
            Res::ZERO,
        )
    }

    /// A pod of one container that requests `r`, a zero figure meaning the
    /// key is left out (the scores then count the default for it): the
    /// form of the tests and of hand-built specs.
    pub fn unset_if_zero(r: Res) -> PodReq {
        PodReq::single((r.cpu > 0).then_some(r.cpu), (r.memory > 0).then_some(r.memory))
    }

    /// A pod's requests from its containers, init containers and overhead,
    /// summed as `PodRequests` does (module doc).
    pub fn of_pod(containers: &[Container], init: &[Container], overhead: Res) -> PodReq {
        let sum = |part: fn(&Container) -> Res| -> Res {
            let mut total = containers.iter().fold(Res::ZERO, |a, c| a.plus_times(part(c), 1));
            let mut sidecars = Res::ZERO;
            let mut floor = Res::ZERO;
            for c in init {
                let r = part(c);
                let at_start = if c.sidecar {
                    total = total.plus_times(r, 1);
                    sidecars = sidecars.plus_times(r, 1);
                    sidecars
                } else {
                    r.plus_times(sidecars, 1)
                };
                floor = floor.max(at_start);
            }
            total.max(floor).plus_times(overhead, 1)
        };
        PodReq {
            requested: sum(Container::requested),
            scored: sum(Container::scored),
        }
    }

    /// `n` pods of this request: both figures times `n` (saturating).
    pub fn times(self, n: u32) -> PodReq {
        PodReq {
            requested: Res::ZERO.plus_times(self.requested, n),
            scored: Res::ZERO.plus_times(self.scored, n),
        }
    }

    /// `self + other`, both figures (saturating).
    pub fn plus(self, other: PodReq) -> PodReq {
        PodReq {
            requested: self.requested.plus_times(other.requested, 1),
            scored: self.scored.plus_times(other.scored, 1),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::node::MIB;

    fn c(cpu: u64, memory_mib: u64) -> Container {
        Container {
            cpu: Some(cpu),
            memory: Some(memory_mib * MIB),
            sidecar: false,
        }
    }

    fn res(cpu: u64, memory_mib: u64) -> Res {
        Res {
            cpu,
            memory: memory_mib * MIB,
        }
    }

    /// By hand: containers 250m + 500m = 750m, 256 + 256 MiB; an init
    /// container of 1 CPU raises CPU to 1000m (the max), not memory; a
    /// sidecar of 100m / 64 MiB adds to the sum (850m) and to the later init
    /// container's start (1 CPU + 100m = 1100m, the floor); overhead 10m, 8 MiB.
    #[test]
    fn summed_as_the_scheduler_does() {
        let both = |r: Res| PodReq {
            requested: r,
            scored: r,
        };
        assert_eq!(
            PodReq::of_pod(&[c(250, 256), c(500, 256)], &[], Res::ZERO),
            both(res(750, 512))
        );
        assert_eq!(
            PodReq::of_pod(&[c(250, 256), c(500, 256)], &[c(1000, 128)], Res::ZERO),
            both(res(1000, 512))
        );
        let sidecar = Container {
            sidecar: true,
            ..c(100, 64)
        };
        assert_eq!(
            PodReq::of_pod(&[c(250, 256), c(500, 256)], &[sidecar, c(1000, 128)], res(10, 8)),
            both(res(1110, 584))
        );
    }

    /// The scores count 100m and 200 MiB for each container that leaves a
    /// resource out, init containers included; an explicit 0 stays 0
    /// (`applyNonMissing`). The filter counts what is written.
    #[test]
    fn the_scores_default_each_missing_request() {
        let none = PodReq::single(None, None);
        assert_eq!(none.requested, Res::ZERO);
        assert_eq!(none.scored, res(100, 200));
        let zero = PodReq::single(Some(0), Some(0));
        assert_eq!(zero, PodReq::ZERO, "explicit zeros are kept");
        let cpu_only = PodReq::single(Some(250), None);
        assert_eq!((cpu_only.requested, cpu_only.scored), (res(250, 0), res(250, 200)));
        // Two containers, one with 250m and one with nothing: 250m + 100m
        // scored, and 200 MiB for each container's missing memory.
        let two = PodReq::of_pod(
            &[
                Container {
                    cpu: Some(250),
                    ..Container::default()
                },
                Container::default(),
            ],
            &[],
            Res::ZERO,
        );
        assert_eq!((two.requested, two.scored), (res(250, 0), res(350, 400)));
        // An init container without requests: 100m / 200 MiB at start,
        // below the containers' 350m / 400 MiB, so the sum stands.
        let with_init = PodReq::of_pod(&[c(250, 0), Container::default()], &[Container::default()], Res::ZERO);
        assert_eq!(with_init.scored, res(350, 200));
        // Overhead is added to both figures.
        assert_eq!(PodReq::of_pod(&[], &[], res(10, 8)).scored, res(10, 8));
    }
}
