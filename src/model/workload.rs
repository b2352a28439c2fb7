//! Workload pods: their kinds, classes and counts (MODEL.md §1, §6).

use std::fmt;
use std::ops::Range;

use crate::model::node::NodeSpec;

/// The three kinds of workload pod.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum Kind {
    /// Matched by a SecurityGroupPolicy: a slot and a branch ENI.
    Sg = 0,
    /// Ordinary pod networking: a slot and an IP from the node's pool.
    Ip = 1,
    /// `hostNetwork: true`: a slot only.
    Host = 2,
}

impl Kind {
    pub const ALL: [Kind; 3] = [Kind::Sg, Kind::Ip, Kind::Host];

    pub fn index(self) -> usize {
        self as usize
    }

    pub fn name(self) -> &'static str {
        match self {
            Kind::Sg => "sg",
            Kind::Ip => "ip",
            Kind::Host => "host",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

pub use super::requests::MAX_CLASSES;

/// A workload pod as the engines see it: its kind (what it needs of the
/// network) and its class (what it requests: an index into
/// `Resources::pod`; without groups the kind's index).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Pod {
    pub kind: Kind,
    pub class: u8,
}

impl Pod {
    /// A pod of a workload without groups: its class is its kind's index.
    #[inline]
    pub fn of_kind(kind: Kind) -> Pod {
        Pod {
            kind,
            class: kind as u8,
        }
    }
}

impl From<Kind> for Pod {
    #[inline]
    fn from(kind: Kind) -> Pod {
        Pod::of_kind(kind)
    }
}

/// The workload's pods by class: each class's kind and count, the classes
/// in kind order (SG classes, then IP, then host). Without groups there
/// are three classes, one per kind ([`Mix::of_kinds`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Mix {
    len: u8,
    kind: [Kind; MAX_CLASSES],
    count: [u32; MAX_CLASSES],
}

impl Mix {
    /// A workload without groups: classes sg, ip, host.
    pub fn of_kinds(c: Counts) -> Mix {
        Mix::of_classes(&[(Kind::Sg, c.sg), (Kind::Ip, c.ip), (Kind::Host, c.host)])
    }

    /// Classes in this order, which must be kind order and at most
    /// [`MAX_CLASSES`] (the scenario checks both).
    pub fn of_classes(classes: &[(Kind, u32)]) -> Mix {
        assert!(classes.len() <= MAX_CLASSES, "at most {MAX_CLASSES} classes");
        assert!(classes.windows(2).all(|w| w[0].0 <= w[1].0), "classes in kind order");
        let mut m = Mix {
            len: classes.len() as u8,
            kind: [Kind::Sg; MAX_CLASSES],
            count: [0; MAX_CLASSES],
        };
        for (i, &(k, n)) in classes.iter().enumerate() {
            m.kind[i] = k;
            m.count[i] = n;
        }
        m
    }

    /// The number of classes.
    pub fn len(&self) -> usize {
        usize::from(self.len)
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Whether this is a workload without groups (one class per kind, the
    /// class the kind's index): the engines' kind-only paths apply.
    pub fn is_kinds(&self) -> bool {
        self.len == 3 && self.kind[..3] == Kind::ALL
    }

    /// Class `i`'s kind.
    #[inline]
    pub fn kind(&self, i: usize) -> Kind {
        self.kind[i]
    }

    /// Class `i`'s pods.
    #[inline]
    pub fn count(&self, i: usize) -> u32 {
        self.count[i]
    }

    /// The classes' kinds, in class order.
    pub fn kinds(&self) -> &[Kind] {
        &self.kind[..self.len()]
    }

    /// The classes' pod counts, in class order.
    pub fn class_counts(&self) -> &[u32] {
        &self.count[..self.len()]
    }

    /// The classes of kind `k` (consecutive: classes are in kind order).
    pub fn classes_of(&self, k: Kind) -> Range<usize> {
        let kinds = self.kinds();
        let start = kinds.iter().position(|&x| x == k).unwrap_or(kinds.len());
        let end = start + kinds[start..].iter().take_while(|&&x| x == k).count();
        start..end
    }

    /// The pods per kind.
    pub fn counts(&self) -> Counts {
        let mut c = Counts::default();
        for (k, n) in self.kinds().iter().zip(self.class_counts()) {
            match k {
                Kind::Sg => c.sg += n,
                Kind::Ip => c.ip += n,
                Kind::Host => c.host += n,
            }
        }
        c
    }
}

/// How many workload pods of each kind arrive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Counts {
    pub sg: u32,
    pub ip: u32,
    pub host: u32,
}

impl Counts {
    /// All workload pods. Counts are validated to sum below
    /// `input::bounds::MAX_PODS_PER_CELL`; see [`Counts::total_wide`] before that.
    pub fn total(&self) -> u32 {
        self.sg + self.ip + self.host
    }

    /// The total without overflow, for validation.
    pub fn total_wide(&self) -> u64 {
        u64::from(self.sg) + u64::from(self.ip) + u64::from(self.host)
    }

    pub fn get(&self, k: Kind) -> u32 {
        match k {
            Kind::Sg => self.sg,
            Kind::Ip => self.ip,
            Kind::Host => self.host,
        }
    }
}

/// A workload as a scenario states it: fixed counts, groups, or the seed's fill.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Workload {
    /// The same counts for every cell: compares formulas on equal demand.
    Counts(Counts),
    /// Groups of pods, each of one kind with its own requests
    /// (`[[workload.groups]]`): the same for every cell.
    Groups(Mix),
    /// The seed's experiment (MODEL.md §6), per node: `B` SG pods (the
    /// type's branch ENIs) and `M - S` IP pods (`S` the hostNetwork system
    /// pods), times `nodes`. It depends on the formula through `M`.
    SeedFill { nodes: u32 },
}

impl Workload {
    /// The counts for one node type (`branch_enis`, its `B`) and formula.
    /// Saturating: an absurd product is caught by the scenario's count check.
    pub fn counts(&self, branch_enis: u32, node: &NodeSpec) -> Counts {
        match *self {
            Workload::Counts(c) => c,
            Workload::Groups(m) => m.counts(),
            Workload::SeedFill { nodes } => Counts {
                sg: branch_enis.saturating_mul(nodes),
                ip: node.max_pods.saturating_sub(node.system.host).saturating_mul(nodes),
                host: 0,
            },
        }
    }

    /// The pods by class for one node type and formula ([`Workload::counts`]
    /// by kind, or the groups).
    pub fn mix(&self, branch_enis: u32, node: &NodeSpec) -> Mix {
        match *self {
            Workload::Groups(m) => m,
            _ => Mix::of_kinds(self.counts(branch_enis, node)),
        }
    }
}
