//! What the report answers beyond the rows themselves: the largest maxPods
//! no arrival order can break for a type and mix (MODEL.md §11), the formula
//! a reading starts from, and which types get a table of their own.

use std::collections::BTreeMap;

use crate::chart::measures::{mismatch, types_by_risk};
use crate::model::exact::{NodeCapacity, NodeRoom, Risk, cluster_nodes_with_room, recommend, room_limit};
use crate::output::Row;
use crate::output::records::RoomRow;

/// What the report knows of the pods' CPU and memory requests.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Cpu {
    /// No pod requests any: slots and IPs alone.
    NotRequested,
    /// Per kind, with each type's room (allocatable less the system pods'
    /// requests) under Karpenter's default kube-reserved (no
    /// `RESERVED_ENIS`, which the formulas other than
    /// `karpenter-reserved-enis:N` share): the largest safe maxPods counts
    /// it (MODEL.md §5's filter).
    Rooms(BTreeMap<String, NodeRoom>),
    /// Requested, but the run recorded no room (workload groups, whose
    /// classes are not the kinds, or a results directory written before
    /// `node-room.csv`): the safe maxPods counts slots and IPs alone, and
    /// says so.
    Unknown,
}

impl Cpu {
    fn room(&self, ty: &str) -> Option<&NodeRoom> {
        match self {
            Cpu::Rooms(m) => m.get(ty),
            _ => None,
        }
    }

    /// What the run requests: `requested` (any quantity above zero,
    /// [`super::reading::requests_given`]) and, where the run recorded them
    /// (`node-room.csv`, written from the catalog it read, one room per row
    /// type: [`super::inputs::Inputs`] checks), each type's room with the
    /// fewest reserved ENIs.
    pub(super) fn of(requested: bool, recorded: Option<&[RoomRow]>) -> Cpu {
        if !requested {
            return Cpu::NotRequested;
        }
        let Some(recorded) = recorded else {
            return Cpu::Unknown;
        };
        let mut rooms: BTreeMap<String, (u32, NodeRoom)> = BTreeMap::new();
        for r in recorded {
            let e = rooms
                .entry(r.instance_type.clone())
                .or_insert((r.reserved_enis, r.room));
            if r.reserved_enis < e.0 {
                *e = (r.reserved_enis, r.room);
            }
        }
        Cpu::Rooms(rooms.into_iter().map(|(t, (_, room))| (t, room)).collect())
    }
}

/// The most maxPods a recommendation goes to (MODEL.md §11's default cap,
/// the EKS guidance for large nodes).
pub(super) const CAP: u32 = 250;

/// Instance types with a table and a reading of their own at most; the
/// table of every type holds the rest.
pub(super) const DETAILED_TYPES: usize = 12;

/// The largest maxPods at which no arrival order leaves a pod without an IP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct SafeMaxPods {
    pub max_pods: u32,
    /// System pods (host and IP) on the node.
    pub system: u32,
    /// IPs the workload can have, `C`.
    pub ips: u32,
    /// Branch ENIs counted in (a workload of SG pods only), else 0.
    pub branches: u32,
    /// Whether [`CAP`] bounds it rather than the IPs.
    pub capped: bool,
    /// Where CPU and memory are counted and stop a node before any maxPods
    /// could leave a pod without an IP: what holds it.
    pub held: Option<Held>,
}

/// A node that its CPU and memory (with its branch ENIs, for SG pods) stop
/// before its slots could matter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Held {
    /// The most workload pods a node takes (0: no pod fits at all).
    pub pods: u32,
    /// Whether the branch ENIs stop SG pods there too (without them the
    /// node would take more).
    pub branches: bool,
}

/// The largest safe maxPods for a type's capacities and its workload's mix,
/// from the node-in-a-cluster model with no risk allowed
/// (`model::exact::recommend`): `S + S_ip + C` while any pod is an IP pod,
/// `S + S_ip + B + C` when all are SG pods. `None` when even the smallest
/// maxPods risks a failure.
///
/// Where CPU and memory are counted ([`Cpu::Rooms`]) the same model with
/// them (`exact::cluster_nodes_with_room`): the largest `M` up to [`CAP`]
/// at which no node can end with a pod without an IP.
pub(super) fn largest_safe(r: &Row, cpu: &Cpu) -> Option<SafeMaxPods> {
    if let Some(room) = cpu.room(&r.instance_type) {
        return largest_safe_with_room(r, room);
    }
    let node = NodeCapacity {
        host_system_pods: r.system_pods,
        ip_system_pods: r.system_ip_pods,
        ip_capacity: r.ip_capacity,
        branches: r.branch_capacity,
    };
    let pods = u64::from(r.sg_pods) + u64::from(r.ip_pods);
    let p = if pods == 0 { 0.0 } else { r.sg_pods as f64 / pods as f64 };
    let rec = recommend(&node, p, Risk::AnyFailure, 0.0, CAP)?;
    let ips = r.ip_capacity.saturating_sub(r.system_ip_pods);
    let room = if p >= 1.0 { ips + r.branch_capacity } else { ips };
    Some(SafeMaxPods {
        max_pods: rec.max_pods,
        system: r.system_pods + r.system_ip_pods,
        ips,
        branches: rec.slots.saturating_sub(ips).min(r.branch_capacity),
        capped: rec.slots < room,
        held: None,
    })
}

fn largest_safe_with_room(r: &Row, room: &NodeRoom) -> Option<SafeMaxPods> {
    let system = r.system_pods + r.system_ip_pods;
    let l_max = CAP.checked_sub(system).filter(|&l| l > 0)?;
    let ips = r.ip_capacity.saturating_sub(r.system_ip_pods);
    let pods = u64::from(r.sg_pods) + u64::from(r.ip_pods);
    let p = if pods == 0 { 0.0 } else { r.sg_pods as f64 / pods as f64 };
    let levels = cluster_nodes_with_room(l_max, ips, r.branch_capacity, p, room);
    let l = (1..=l_max)
        .rev()
        .find(|&l| levels[l as usize].node.any_failure <= 0.0)?;
    let held = room_limit(room, r.branch_capacity, p)
        .filter(|&k| k <= l)
        .map(|pods| Held {
            pods,
            // Branch ENIs stop it too where, with more of them, the node takes
            // more. Room for `pods + 1` branch ENIs is enough to tell: a node
            // that would hold more SG pods than that also holds `pods + 1`
            // SG pods alone.
            branches: room_limit(room, r.branch_capacity.max(pods.saturating_add(1)), p) != Some(pods),
        });
    Some(SafeMaxPods {
        max_pods: system + l,
        system,
        ips,
        branches: 0,
        capped: l == l_max,
        held,
    })
}

/// What holds a node: `CPU and memory`, or `branch ENIs, CPU and memory`.
pub(super) fn held_by(h: Held) -> &'static str {
    if h.branches {
        "branch ENIs, CPU and memory"
    } else {
        "CPU and memory"
    }
}

/// A row of this run that contradicts `safe` (a formula that fits its
/// nodes and left a pod without an IP, by `failed`, at a maxPods the node
/// model calls safe, or at any maxPods where it says the node is held), the
/// smallest such maxPods first. A static run never should; a timed one
/// can, where pods end and their IPs cool down after their slots free
/// (MODEL.md §9).
pub(super) fn contradiction<'a>(safe: &SafeMaxPods, of: &[&'a Row], failed: impl Fn(&Row) -> bool) -> Option<&'a Row> {
    of.iter()
        .copied()
        .filter(|r| mismatch(r).is_none() && failed(r))
        .filter(|r| safe.held.is_some() || r.max_pods <= safe.max_pods)
        .min_by_key(|r| r.max_pods)
}

/// The formula a type's reading starts from: `aws-default` (what Karpenter
/// and the EKS AMIs use unless told otherwise) where the scenario has it,
/// else the first formula that fits its nodes.
pub(super) fn baseline(rows: &[&Row]) -> Option<String> {
    let fits = || rows.iter().filter(|r| mismatch(r).is_none());
    fits()
        .find(|r| r.formula == "aws-default")
        .or_else(|| fits().next())
        .or_else(|| rows.first())
        .map(|r| r.formula.clone())
}

/// The types that get a table and a reading of their own, in the rows'
/// order: all of them when there are few, else the first (the scenario's
/// own) and the riskiest up to [`DETAILED_TYPES`].
pub(super) fn detailed_types(rows: &[&Row]) -> Vec<String> {
    let mut all: Vec<String> = Vec::new();
    for r in rows {
        if !all.contains(&r.instance_type) {
            all.push(r.instance_type.clone());
        }
    }
    if all.len() <= DETAILED_TYPES {
        return all;
    }
    let mut keep = vec![all[0].clone()];
    for t in types_by_risk(rows) {
        if keep.len() == DETAILED_TYPES {
            break;
        }
        if !keep.contains(&t) {
            keep.push(t);
        }
    }
    all.retain(|t| keep.contains(t));
    all
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::testing::fixture_rows;

    #[test]
    fn the_largest_safe_max_pods_is_the_system_pods_and_the_ips() {
        let rows = fixture_rows();
        // m5.large: 2 system pods + 18 IPs (conservative's 20), whatever the mix.
        let large = rows.iter().find(|r| r.instance_type == "m5.large").unwrap();
        let safe = largest_safe(large, &Cpu::NotRequested).unwrap();
        assert_eq!((safe.max_pods, safe.system, safe.ips, safe.branches), (20, 2, 18, 0));
        assert!(!safe.capped);
        // SG pods only: the branch ENIs count too.
        let sg_only = Row {
            ip_pods: 0,
            ..large.clone()
        };
        let safe = largest_safe(&sg_only, &Cpu::NotRequested).unwrap();
        assert_eq!((safe.max_pods, safe.branches), (2 + 18 + 9, 9));
        // IPs beyond the cap: the cap bounds it, and says so.
        let roomy = Row {
            ip_capacity: 400,
            ..large.clone()
        };
        let safe = largest_safe(&roomy, &Cpu::NotRequested).unwrap();
        assert_eq!(safe.max_pods, CAP);
        assert!(safe.capped);
    }

    /// Counting CPU and memory: with room to spare, the slot model's 20 on
    /// m5.large; with 1730m for pods of 500m, a node holds 3 and no maxPods
    /// risks a pod without an IP (the cap, held at 3).
    #[test]
    fn the_largest_safe_max_pods_counts_cpu_and_memory() {
        use crate::model::requests::Res;
        let rows = fixture_rows();
        let large = rows.iter().find(|r| r.instance_type == "m5.large").unwrap();
        let room = |free: u64, sg: u64, ip: u64| {
            let r = |cpu| Res { cpu, memory: 0 };
            NodeRoom {
                free: r(free),
                sg: r(sg),
                ip: r(ip),
            }
        };
        let of = |room: NodeRoom| Cpu::Rooms(BTreeMap::from([("m5.large".to_string(), room)]));
        let rooms = |free: u64, pod: u64| of(room(free, pod, pod));
        let roomy = largest_safe(large, &rooms(1 << 30, 1)).unwrap();
        assert_eq!((roomy.max_pods, roomy.held, roomy.capped), (20, None, false));
        let tight = largest_safe(large, &rooms(1730, 500)).unwrap();
        let three = Held {
            pods: 3,
            branches: false,
        };
        assert_eq!((tight.max_pods, tight.held, tight.capped), (CAP, Some(three), true));
        // SG pods of 10m stop at the 9 branch ENIs, IP pods of 1000m at one
        // (1930m less 10 SG pods' 90m): branch ENIs hold the node too.
        let branchy = largest_safe(large, &of(room(1930, 10, 1000))).unwrap();
        assert_eq!(
            branchy.held,
            Some(Held {
                pods: 10,
                branches: true
            })
        );
        // Pods larger than the node: none fits.
        let huge = largest_safe(large, &rooms(1730, 4000)).unwrap();
        assert_eq!(huge.held.map(|h| h.pods), Some(0));
        // A type without a room (not counted) keeps the slot model.
        let other = rows.iter().find(|r| r.instance_type != "m5.large").unwrap();
        assert_eq!(
            largest_safe(other, &rooms(1730, 500)),
            largest_safe(other, &Cpu::NotRequested)
        );
    }

    #[test]
    fn the_reading_starts_from_aws_default_unless_it_is_absent() {
        let rows = fixture_rows();
        let refs: Vec<&Row> = rows.iter().collect();
        assert_eq!(baseline(&refs).as_deref(), Some("aws-default"));
        let refs: Vec<&Row> = rows.iter().filter(|r| r.formula != "aws-default").collect();
        assert_eq!(baseline(&refs).as_deref(), Some("conservative"));
    }

    #[test]
    fn many_types_keep_the_first_and_the_riskiest() {
        let base = fixture_rows();
        let mut rows = Vec::new();
        for i in 0..20 {
            for r in &base {
                let mut r = r.clone();
                r.instance_type = format!("t{i}");
                if r.order == "random" {
                    r.exact_failure_probability = Some(if i == 0 { 0.0 } else { f64::from(i) / 100.0 });
                }
                rows.push(r);
            }
        }
        let refs: Vec<&Row> = rows.iter().collect();
        let kept = detailed_types(&refs);
        assert_eq!(kept.len(), DETAILED_TYPES);
        assert_eq!(kept[0], "t0");
        assert!(
            kept.contains(&"t19".to_string()) && !kept.contains(&"t5".to_string()),
            "{kept:?}"
        );
    }
}
