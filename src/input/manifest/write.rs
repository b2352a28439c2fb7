//! Writes an [`Import`] as scenario TOML (the format of [`crate::input::scenario::RawScenario`]),
//! every figure with a comment naming the manifests it came from.

use std::fmt::Write as _;

use super::{Import, PodKind};
use crate::model::order::Order;
use crate::model::requests::{Container, PodShape};

/// A TOML string literal.
fn q(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// The scenario file's text.
pub fn scenario_toml(imp: &Import) -> String {
    let mut s = String::new();
    let w = &mut s;
    let _ = writeln!(w, "# Scenario written by `sgpsim scenario {}` from:", imp.command);
    for f in &imp.files {
        let _ = writeln!(w, "#   {}", one_line(f));
    }
    let _ = writeln!(w, "# Edit freely, then: sgpsim run <this file>");
    let _ = writeln!(w);
    let _ = writeln!(w, "name = {}", q(&imp.name));
    let (sg, ip, host) = imp.counts();
    let _ = writeln!(
        w,
        "description = {}",
        q(&format!(
            "Imported from {} {} file(s): {sg} SG pods, {ip} IP pods, {host} host pods on {} instance type(s).",
            imp.files.len(),
            if imp.command == "from-cluster" {
                "cluster dump"
            } else {
                "manifest"
            },
            imp.types.len()
        ))
    );
    let _ = writeln!(w);

    let _ = writeln!(w, "# Instance types:");
    for line in &imp.types_origin {
        let _ = writeln!(w, "#   {}", one_line(line));
    }
    let _ = writeln!(w, "instance_types = [");
    for t in &imp.types {
        let _ = writeln!(w, "  {},", q(t));
    }
    let _ = writeln!(w, "]");
    let _ = writeln!(w);

    let _ = writeln!(w, "# maxPods formulas:");
    for (f, why) in &imp.formulas {
        let _ = writeln!(w, "#   {}: {}", one_line(f), one_line(why));
    }
    let _ = writeln!(w, "formulas = [");
    for (f, _) in &imp.formulas {
        let _ = writeln!(w, "  {},", q(f));
    }
    let _ = writeln!(w, "]");
    let orders: Vec<String> = Order::ALL.iter().map(|o| q(o.name())).collect();
    let _ = writeln!(w, "orders = [{}]", orders.join(", "));
    let _ = writeln!(
        w,
        "# kube-scheduler's default scoring (NodeResourcesFit) is LeastAllocated."
    );
    let _ = writeln!(w, "policy = \"least-allocated\"");
    let _ = writeln!(w, "# {}", one_line(&imp.sgp_origin));
    let _ = writeln!(w, "sgp = {}", imp.sgp);
    let _ = writeln!(w, "# {}", one_line(&imp.prefix_delegation_origin));
    let _ = writeln!(w, "prefix_delegation = {}", imp.prefix_delegation);
    for (comment, line) in &imp.node_lines {
        let _ = writeln!(w, "# {}", one_line(comment));
        let _ = writeln!(w, "{line}");
    }
    if !imp.cni_comments.is_empty() {
        let _ = writeln!(
            w,
            "# CNI settings this scenario has no field for (the engine does not model them yet):"
        );
        for c in &imp.cni_comments {
            let _ = writeln!(w, "#   {}", one_line(c));
        }
    }
    let _ = writeln!(w);

    let sys = imp.system();
    if imp.system_counted.is_some() {
        let _ = writeln!(w, "# System pods: DaemonSet and static pods, as most nodes run them.");
    } else {
        let _ = writeln!(w, "# System pods: one per DaemonSet on every node.");
    }
    let _ = writeln!(w, "[system_pods]");
    let list = |host: bool| {
        imp.daemons
            .iter()
            .filter(|d| d.host == host)
            .map(|d| {
                if d.assumed {
                    format!("{} (assumed: EKS installs it)", d.origin)
                } else {
                    d.origin.clone()
                }
            })
            .collect::<Vec<_>>()
    };
    let _ = writeln!(w, "# host: {}", one_line(&join_or_none(&list(true))));
    let _ = writeln!(w, "host = {}", sys.host);
    let _ = writeln!(w, "# ip: {}", one_line(&join_or_none(&list(false))));
    let _ = writeln!(w, "ip = {}", sys.ip);
    if !imp.system_by_type.is_empty() {
        let _ = writeln!(w, "# Types whose nodes run other system pods:");
        let entries: Vec<String> = imp
            .system_by_type
            .iter()
            .map(|(t, s)| format!("{} = {{ host = {}, ip = {} }}", q(t), s.host, s.ip))
            .collect();
        let _ = writeln!(w, "by_type = {{ {} }}", entries.join(", "));
    }
    let req = imp.requests();
    let counted = req.counted();
    if counted {
        let _ = writeln!(w);
        let _ = writeln!(
            w,
            "# One system pod's requests, as the scheduler sums its containers, init containers and"
        );
        let _ = writeln!(
            w,
            "# overhead: the mean over the DaemonSets of each kind (EKS's assumed ones count none)."
        );
        let _ = writeln!(w, "[system_pods.requests]");
        let one = |r: &crate::input::manifest::SystemRequest| {
            let c = Container {
                cpu: r.cpu,
                memory: r.memory,
                sidecar: false,
            };
            container(&c)
        };
        for n in &req.notes {
            let _ = writeln!(w, "#   {}", one_line(n));
        }
        let _ = writeln!(w, "host = {}", one(&req.system_host));
        let _ = writeln!(w, "ip = {}", one(&req.system_ip));
    }
    let _ = writeln!(w);

    if imp.command == "from-cluster" {
        let _ = writeln!(
            w,
            "# Workload pods that are not finished, by what they request (vpc.amazonaws.com/pod-eni: an SG pod)."
        );
    } else {
        let _ = writeln!(
            w,
            "# Workload pods, classed as the VPC resource controller's webhook does."
        );
    }
    for wl in &imp.workloads {
        let _ = writeln!(w, "#   {} x{}: {}", one_line(&wl.origin), wl.pods, one_line(&wl.why));
    }
    let one_per_kind = [PodKind::Sg, PodKind::Ip, PodKind::Host]
        .iter()
        .all(|k| req.groups.iter().filter(|g| g.kind == *k).count() <= 1);
    if counted && !one_per_kind {
        let _ = writeln!(
            w,
            "# The pods request CPU or memory: one group per kind and request, each pod's requests as"
        );
        let _ = writeln!(
            w,
            "# its spec writes them (a limit standing in for a request left out, as the API server does)."
        );
        for g in &req.groups {
            let _ = writeln!(w);
            let _ = writeln!(w, "[[workload.groups]]");
            let _ = writeln!(w, "# {}", one_line(&g.origins.join(", ")));
            let _ = writeln!(w, "name = {}", q(&g.name));
            let _ = writeln!(w, "kind = \"{}\"", g.kind.name());
            let _ = writeln!(w, "pods = {}", g.pods);
            let _ = writeln!(w, "requests = {}", request(&g.requests));
        }
    } else {
        let _ = writeln!(w, "[workload]");
        if u64::from(sg) + u64::from(ip) + u64::from(host) == 0 {
            let _ = writeln!(
                w,
                "# No workload pods were found: the seed's fill stands in (B SG pods + every free slot's IP pods)."
            );
            let _ = writeln!(w, "fill = \"seed\"");
        } else {
            let _ = writeln!(w, "sg_pods = {sg}");
            let _ = writeln!(w, "ip_pods = {ip}");
            let _ = writeln!(w, "host_pods = {host}");
        }
        if counted {
            let _ = writeln!(w);
            let _ = writeln!(
                w,
                "# One workload pod's requests per kind, as its spec writes them (a limit standing in for a"
            );
            let _ = writeln!(
                w,
                "# request left out, as the API server does); every pod of a kind asks the same."
            );
            let _ = writeln!(w, "[workload.requests]");
            for g in &req.groups {
                let _ = writeln!(w, "{} = {}", g.kind.name(), request(&g.requests));
            }
        }
    }
    let _ = writeln!(w);
    let _ = writeln!(
        w,
        "# Nodes are added as pods need them (Karpenter); set `count` instead for a fixed cluster."
    );
    let _ = writeln!(w, "[nodes]");
    let _ = writeln!(w, "autoscale = true");
    let _ = writeln!(w, "initial = 0");
    let _ = writeln!(w, "# Node limit:");
    for line in &imp.max_nodes_origin {
        let _ = writeln!(w, "#   {}", one_line(line));
    }
    let _ = writeln!(w, "max = {}", imp.max_nodes);
    if !imp.timed_cni.is_empty() {
        let _ = writeln!(w);
        let _ = writeln!(
            w,
            "# The CNI's IP pool targets, which only the timed model uses. To run it, add a [timed]"
        );
        let _ = writeln!(w, "# table (README, \"Timed scenarios\") and uncomment:");
        let _ = writeln!(w, "# [timed.cni]");
        for (key, v, var) in &imp.timed_cni {
            let _ = writeln!(w, "# {key} = {v}  # {var}");
        }
    }
    if !imp.notes.is_empty() {
        let _ = writeln!(w);
        let _ = writeln!(
            w,
            "# Not understood, not modelled, or assumed (also printed on stderr):"
        );
        for n in &imp.notes {
            let _ = writeln!(w, "#   - {}", one_line(n));
        }
    }
    s
}

/// A pod's requests as a scenario request table: one container's keys
/// (`{ cpu = "250m", memory = "512Mi" }`), or its containers, init
/// containers and overhead.
fn request(shape: &PodShape) -> String {
    if shape.containers.len() == 1 && shape.init.is_empty() && shape.overhead.is_zero() {
        return container(&shape.containers[0]);
    }
    let list = |cs: &[Container]| cs.iter().map(container).collect::<Vec<_>>().join(", ");
    let mut parts = vec![format!("containers = [{}]", list(&shape.containers))];
    if !shape.init.is_empty() {
        parts.push(format!("init_containers = [{}]", list(&shape.init)));
    }
    if !shape.overhead.is_zero() {
        parts.push(format!(
            "overhead = {}",
            container(&Container {
                cpu: (shape.overhead.cpu > 0).then_some(shape.overhead.cpu),
                memory: (shape.overhead.memory > 0).then_some(shape.overhead.memory),
                sidecar: false,
            })
        ));
    }
    format!("{{ {} }}", parts.join(", "))
}

/// One container's requests as an inline table; keys left out stay out.
fn container(c: &Container) -> String {
    let mut keys = Vec::new();
    if let Some(cpu) = c.cpu {
        keys.push(format!("cpu = \"{cpu}m\""));
    }
    if let Some(m) = c.memory {
        keys.push(format!("memory = \"{}\"", crate::model::requests::memory_quantity(m)));
    }
    if c.sidecar {
        keys.push("sidecar = true".into());
    }
    if keys.is_empty() {
        "{}".into()
    } else {
        format!("{{ {} }}", keys.join(", "))
    }
}

/// Text made safe for a one-line comment: names in manifests may hold line breaks.
fn one_line(s: &str) -> String {
    s.replace(['\n', '\r'], " ")
}

fn join_or_none(v: &[String]) -> String {
    if v.is_empty() { "none".into() } else { v.join(", ") }
}
