//! The audit as a table, CSV or JSON: each a function from an [`Audit`] to bytes.

use serde_json::json;

use super::{Audit, NodeAudit};
use crate::output::{self, table};

/// The CSV columns every consumer may rely on, in this order (issue 10); more follow.
pub const COLUMNS: [&str; 15] = [
    "node",
    "instance_type",
    "max_pods",
    "branch_capacity",
    "ip_capacity",
    "sg_pods",
    "ip_pods",
    "host_pods",
    "free_slots",
    "free_ips",
    "free_branches",
    "unsafe_slots",
    "unsafe_slots_ip",
    "stranded_ips",
    "stuck_pods",
];

/// The columns after the required ones.
pub const EXTRA_COLUMNS: [&str; 9] = [
    "at_risk",
    "ip_pods_without_ip",
    "enis",
    "ips_per_eni",
    "trunk",
    "custom_networking",
    "ips_per_slot",
    "cni_from",
    "stuck",
];

fn fields(n: &NodeAudit) -> Vec<String> {
    let stuck: Vec<String> = n.stuck.iter().map(|s| format!("{} ({})", s.pod, s.reason)).collect();
    vec![
        n.node.clone(),
        n.instance_type.clone(),
        n.max_pods.to_string(),
        n.branch_capacity.to_string(),
        n.ip_capacity.to_string(),
        n.sg_pods.to_string(),
        n.ip_pods.to_string(),
        n.host_pods.to_string(),
        n.free_slots.to_string(),
        n.free_ips.to_string(),
        n.free_branches.to_string(),
        n.unsafe_slots.to_string(),
        n.unsafe_slots_ip.to_string(),
        n.stranded_ips.to_string(),
        n.stuck.len().to_string(),
        n.at_risk.to_string(),
        n.ip_pods_without_ip.to_string(),
        n.enis.to_string(),
        n.ips_per_eni.to_string(),
        n.trunk.to_string(),
        n.custom_networking.to_string(),
        n.ips_per_slot.to_string(),
        n.cni_from.clone(),
        stuck.join("; "),
    ]
}

/// One row per audited node.
pub fn csv(a: &Audit) -> Vec<u8> {
    let header: Vec<&str> = COLUMNS.iter().chain(EXTRA_COLUMNS.iter()).copied().collect();
    output::csv::plain(&header, a.nodes.iter().map(fields))
}

/// The cluster's figures in one paragraph, as the table and stderr show them.
pub fn summary(a: &Audit) -> String {
    let t = &a.totals;
    let mut s = format!(
        "cluster: {} of {} nodes at risk; up to {} pods could be bound and never start ({} even if SG pods take every free branch first); {} IPs stranded; {} pods stuck in ContainerCreating",
        t.nodes_at_risk, t.nodes, t.unsafe_slots_ip, t.unsafe_slots, t.stranded_ips, t.stuck_pods
    );
    let pending: u32 = t.pending.iter().sum();
    if pending > 0 {
        s.push_str(&format!(
            "; {pending} pending, bound to no node ({} SG, {} IP, {} host)",
            t.pending[0], t.pending[1], t.pending[2]
        ));
    }
    s.push('\n');
    s
}

fn version(v: Option<(u32, u32, u32)>) -> String {
    v.map_or_else(|| "version unknown".into(), |(a, b, c)| format!("v{a}.{b}.{c}"))
}

/// A table per node, the stuck pods, the CNI settings and the cluster's sums.
pub fn table(a: &Audit) -> String {
    let header = [
        "node",
        "type",
        "maxPods",
        "branches",
        "IPs",
        "SG",
        "IP",
        "host",
        "free slots",
        "free IPs",
        "free branches",
        "unsafe",
        "unsafe (IP pods)",
        "stranded IPs",
        "stuck",
        "risk",
    ];
    let rows: Vec<Vec<String>> = a
        .nodes
        .iter()
        .map(|n| {
            let mut f = fields(n);
            f.truncate(COLUMNS.len());
            f.push(if n.at_risk { "AT RISK".into() } else { "ok".into() });
            f
        })
        .collect();
    let mut out = table::render(&header, &rows, &[0, 1, 15]);
    let stuck: Vec<String> = a
        .nodes
        .iter()
        .flat_map(|n| {
            n.stuck.iter().map(move |s| {
                format!(
                    "  {}  {} ({} pod): {}{}",
                    n.node,
                    s.pod,
                    s.kind.name().to_uppercase(),
                    s.reason,
                    s.message.as_deref().map(|m| format!(": {m}")).unwrap_or_default()
                )
            })
        })
        .collect();
    if !stuck.is_empty() {
        out.push_str("\nStuck in ContainerCreating (`kubectl describe pod` shows why):\n");
        for s in stuck {
            out.push_str(&s);
            out.push('\n');
        }
    }
    if !a.skipped.is_empty() {
        out.push_str("\nNot audited:\n");
        for s in &a.skipped {
            out.push_str(&format!("  {}: {}\n", s.node, s.why));
        }
    }
    out.push('\n');
    for g in &a.cni {
        out.push_str(&format!(
            "CNI ({} aws-node pods, {}): {}\n",
            g.pods,
            version(g.version),
            if g.settings.is_empty() {
                "the defaults".into()
            } else {
                g.settings.join(", ")
            }
        ));
    }
    out.push_str(
        "IPs = (E - t - c)(I - 1)k (MODEL.md §3); unsafe = free slots - free IPs - free branches; unsafe (IP pods) = free slots - free IPs; stranded = free IPs - free slots.\n",
    );
    out.push_str(&summary(a));
    out
}

/// Everything, as one JSON object.
pub fn json(a: &Audit) -> Vec<u8> {
    let nodes: Vec<serde_json::Value> = a
        .nodes
        .iter()
        .map(|n| {
            json!({
                "node": n.node, "instance_type": n.instance_type, "max_pods": n.max_pods,
                "branch_capacity": n.branch_capacity, "ip_capacity": n.ip_capacity,
                "sg_pods": n.sg_pods, "ip_pods": n.ip_pods, "host_pods": n.host_pods,
                "free_slots": n.free_slots, "free_ips": n.free_ips, "free_branches": n.free_branches,
                "unsafe_slots": n.unsafe_slots, "unsafe_slots_ip": n.unsafe_slots_ip,
                "stranded_ips": n.stranded_ips, "stuck_pods": n.stuck.len(), "at_risk": n.at_risk,
                "ip_pods_without_ip": n.ip_pods_without_ip,
                "ip_capacity_terms": {
                    "enis": n.enis, "ips_per_eni": n.ips_per_eni, "trunk": n.trunk,
                    "custom_networking": n.custom_networking, "ips_per_slot": n.ips_per_slot,
                },
                "cni_from": n.cni_from,
                "stuck": n.stuck.iter().map(|s| json!({
                    "pod": s.pod, "kind": s.kind.name(), "reason": s.reason, "message": s.message,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let t = &a.totals;
    output::json(&json!({
        "files": a.files,
        "nodes": nodes,
        "cluster": {
            "nodes": t.nodes, "nodes_at_risk": t.nodes_at_risk,
            "pods_that_could_never_start": t.unsafe_slots_ip,
            "unsafe_slots": t.unsafe_slots, "unsafe_slots_ip": t.unsafe_slots_ip,
            "stranded_ips": t.stranded_ips, "stuck_pods": t.stuck_pods,
            "free_slots": t.free_slots, "free_ips": t.free_ips, "free_branches": t.free_branches,
            "pending": {"sg": t.pending[0], "ip": t.pending[1], "host": t.pending[2]},
        },
        "skipped": a.skipped.iter().map(|s| json!({"node": s.node, "why": s.why})).collect::<Vec<_>>(),
        "cni": a.cni.iter().map(|g| json!({
            "aws_node_pods": g.pods, "settings": g.settings, "version": g.version.map(|(a, b, c)| format!("{a}.{b}.{c}")),
        })).collect::<Vec<_>>(),
        "notes": a.notes,
    }))
}
