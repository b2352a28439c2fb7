//! `scenario from-cluster`: a cluster dump turned into a scenario, to replay
//! the cluster or compare formulas on its workload.
//!
//! The node types are the audited nodes' types; the system pods are the
//! DaemonSet and static pods as most nodes run them (per type where a type
//! differs); the workload is every other pod that is not finished, bound or
//! pending, by kind and by the object that runs it; the first formula
//! reproduces the `maxPods` every node advertises; SGP and prefix
//! delegation come from the aws-node pods' environment.

use std::collections::BTreeMap;

use super::dump::{Dump, PodObj};
use super::{cni_view, skip_reason};
use crate::error::InputError;
use crate::input::catalog::Catalog;
use crate::input::manifest::{
    CniPart, DEFAULT_MAX_NODES, DaemonLine, Import, PodKind, WorkloadLine, add_candidates, drop_unusable,
};
use crate::model::formula::Formula;
use crate::model::node::{NodeSettings, SystemPods};
use crate::model::requests::PodShape;

/// The most common value, ties to the smallest (for a stable output).
fn mode<T: Ord + Copy>(values: impl IntoIterator<Item = T>) -> Option<T> {
    let mut count: BTreeMap<T, usize> = BTreeMap::new();
    for v in values {
        *count.entry(v).or_default() += 1;
    }
    let best = count.values().copied().max()?;
    count.into_iter().find(|(_, n)| *n == best).map(|(v, _)| v)
}

fn why(kind: PodKind) -> String {
    match kind {
        PodKind::Sg => "SG pod (requests vpc.amazonaws.com/pod-eni)".into(),
        PodKind::Ip => "IP pod".into(),
        PodKind::Host => "hostNetwork: host pod".into(),
    }
}

/// Builds the scenario's figures from a dump.
pub fn from_cluster(dump: &Dump, catalog: &Catalog, name: &str) -> Result<Import, InputError> {
    let mut notes = dump.notes.clone();
    let view = cni_view(dump, &mut notes)?;
    let audited: Vec<_> = dump
        .nodes
        .iter()
        .filter(|n| match skip_reason(n, catalog) {
            Some(why) => {
                notes.push(format!("node {}: {why}: not modelled, nor its pods", n.name));
                false
            }
            None => true,
        })
        .collect();
    if audited.is_empty() {
        return Err(InputError::file(
            dump.files.join(", "),
            "no node of the dump can be modelled (Fargate, Windows or unknown types only)",
            "dump a cluster with EC2 Linux nodes, or add their types with --catalog FILE",
        ));
    }
    let type_of: BTreeMap<&str, &str> = audited
        .iter()
        .map(|n| (n.name.as_str(), n.instance_type.as_deref().unwrap_or_default()))
        .collect();

    // System pods per node, then per type and overall.
    let mut system: BTreeMap<&str, SystemPods> = audited
        .iter()
        .map(|n| (n.name.as_str(), SystemPods::default()))
        .collect();
    let mut daemon_names: BTreeMap<(String, bool), usize> = BTreeMap::new();
    let mut sg_daemons = std::collections::BTreeSet::new();
    let mut daemon_requests: BTreeMap<(String, bool), PodShape> = BTreeMap::new();
    // Per object and kind, its pods by request (a rollout or a resize can
    // leave pods of one object asking differently).
    let mut workload: BTreeMap<(String, PodKind), Vec<(PodShape, u32)>> = BTreeMap::new();
    let mut on_skipped = 0u32;
    for p in dump.pods.iter().filter(|p| !p.terminal()) {
        let bound = p.node.as_deref();
        if bound.is_some_and(|n| !type_of.contains_key(n)) {
            on_skipped += 1;
            continue;
        }
        if p.system() {
            let Some(s) = bound.and_then(|n| system.get_mut(n)) else {
                continue;
            };
            if p.kind == PodKind::Host {
                s.host += 1;
            } else {
                s.ip += 1;
            }
            if p.kind == PodKind::Sg {
                sg_daemons.insert(system_origin(p));
            }
            let key = (system_origin(p), p.kind == PodKind::Host);
            daemon_requests.entry(key.clone()).or_insert_with(|| p.requests.clone());
            *daemon_names.entry(key).or_default() += 1;
            continue;
        }
        if p.fargate {
            on_skipped += 1;
            continue;
        }
        let shapes = workload.entry((p.workload(), p.kind)).or_default();
        match shapes.iter_mut().find(|(s, _)| *s == p.requests) {
            Some((_, n)) => *n += 1,
            None => shapes.push((p.requests.clone(), 1)),
        }
    }
    if on_skipped > 0 {
        notes.push(format!(
            "pods on nodes that are not modelled (Fargate, Windows, unknown types, or not in the dump): {on_skipped}; not counted"
        ));
    }
    for d in &sg_daemons {
        notes.push(format!(
            "{d}: its pods request vpc.amazonaws.com/pod-eni; the model has no SG system pods: counted as IP system pods"
        ));
    }
    let default_sys = mode(system.values().map(|s| (s.host, s.ip))).expect("at least one node");
    let mut types: Vec<String> = type_of.values().map(|t| t.to_string()).collect();
    types.sort();
    types.dedup();
    let mut system_by_type = BTreeMap::new();
    for t in &types {
        let of_type: Vec<(u32, u32)> = system
            .iter()
            .filter(|(n, _)| type_of[*n] == t)
            .map(|(_, s)| (s.host, s.ip))
            .collect();
        let m = mode(of_type.iter().copied()).expect("a node of the type");
        if of_type.iter().any(|x| *x != m) {
            notes.push(format!(
                "{t}: its nodes run different numbers of system pods ({}): the most common, {} host + {} IP, is used",
                of_type
                    .iter()
                    .map(|(h, i)| format!("{h}+{i}"))
                    .collect::<Vec<_>>()
                    .join(", "),
                m.0,
                m.1
            ));
        }
        if m != default_sys {
            system_by_type.insert(t.clone(), SystemPods { host: m.0, ip: m.1 });
        }
    }
    let system_counted = SystemPods {
        host: default_sys.0,
        ip: default_sys.1,
    };
    let nodes_of = |t: &str| type_of.values().filter(|x| **x == t).count();
    let daemons: Vec<DaemonLine> = daemon_names
        .iter()
        .map(|((origin, host), pods)| DaemonLine {
            origin: format!("{origin} ({pods} pods)"),
            host: *host,
            assumed: false,
            requests: daemon_requests[&(origin.clone(), *host)].clone(),
        })
        .collect();

    // The CNI's settings: the most common among the aws-node pods.
    let cni = match view.common {
        Some(c) => {
            let mut c = c.clone();
            c.origin = format!("aws-node ({} pods)", view.groups.iter().map(|g| g.pods).sum::<usize>());
            c.notes.clear(); // Already noted, once for all pods, by cni_view.
            CniPart::from_settings(&c, 0, &mut notes)
        }
        None => {
            let sgp = audited.iter().any(|n| n.branch_capacity > 0);
            notes.push(format!(
                "no aws-node pod in the dump: ENABLE_POD_ENI taken as {sgp} (nodes {} vpc.amazonaws.com/pod-eni), prefix delegation as off",
                if sgp { "advertise" } else { "advertise no" }
            ));
            CniPart {
                sgp,
                sgp_origin: format!("no aws-node pod: taken as ENABLE_POD_ENI={sgp} from the nodes' pod-eni"),
                pd: false,
                pd_origin: "no aws-node pod: taken as ENABLE_PREFIX_DELEGATION=false, the CNI's default".into(),
                comments: Vec::new(),
                timed: Vec::new(),
                settings: None,
            }
        }
    };

    let (custom_networking, cni_version, node_lines) = cni.node_lines(&mut notes);

    // The maxPods the nodes advertise, per type, as one formula.
    let settings = NodeSettings {
        sgp: cni.sgp,
        prefix_delegation: cni.pd,
        custom_networking,
        cni_version,
        ..NodeSettings::default()
    };
    let mut observed: BTreeMap<&str, u32> = BTreeMap::new();
    for t in &types {
        let ms: Vec<u32> = audited
            .iter()
            .filter(|n| n.instance_type.as_deref() == Some(t.as_str()))
            .map(|n| n.max_pods)
            .collect();
        let m = mode(ms.iter().copied()).expect("a node of the type");
        if ms.iter().any(|x| *x != m) {
            notes.push(format!(
                "{t}: its nodes advertise different maxPods ({}): the most common, {m}, is used",
                ms.iter().map(u32::to_string).collect::<Vec<_>>().join(", ")
            ));
        }
        observed.insert(t.as_str(), m);
    }
    let sys_of = |t: &str| system_by_type.get(t).copied().unwrap_or(system_counted);
    let matches = |f: &Formula| {
        observed.iter().all(|(t, m)| {
            catalog
                .get(t)
                .and_then(|it| f.max_pods(it, &settings, sys_of(t)).ok())
                .is_some_and(|x| x.value == *m)
        })
    };
    let listing = observed
        .iter()
        .map(|(t, m)| format!("{t} {m}"))
        .collect::<Vec<_>>()
        .join(", ");
    let mut formulas = Vec::new();
    let named = Formula::builtins().into_iter().find(|f| matches(f));
    match named {
        Some(f) => formulas.push((
            f.name(),
            format!("the nodes' maxPods ({listing}): this formula gives every one"),
        )),
        None => {
            let base = Formula::AwsDefault;
            let mut expr = String::new();
            for (t, m) in &observed {
                let it = catalog.get(t).expect("audited types are in the catalog");
                if base.max_pods(it, &settings, sys_of(t)).ok().map(|x| x.value) != Some(*m) {
                    expr.push_str(&format!("instance_type == \"{t}\" ? {m} : "));
                }
            }
            expr.push_str("max_pods");
            formulas.push((
                expr,
                format!("the nodes' maxPods ({listing}): aws-default except where a node advertises another"),
            ));
        }
    }
    add_candidates(&mut formulas);
    cni.type_notes(&types, catalog, &mut notes);

    let mut lines: Vec<WorkloadLine> = workload
        .into_iter()
        .flat_map(|((origin, kind), shapes)| {
            shapes.into_iter().map(move |(requests, pods)| WorkloadLine {
                origin: origin.clone(),
                pods,
                kind: Some(kind),
                why: why(kind),
                requests,
            })
        })
        .collect();
    lines.sort_by(|a, b| a.origin.cmp(&b.origin).then(a.kind.cmp(&b.kind)));
    let by_type = types
        .iter()
        .map(|t| format!("{t} x{}", nodes_of(t)))
        .collect::<Vec<_>>()
        .join(", ");
    let mut imp = Import {
        command: "from-cluster",
        name: name.to_string(),
        files: dump.files.clone(),
        types_origin: vec![format!("the dump's nodes: {by_type} ({} nodes)", audited.len())],
        types,
        formulas,
        sgp: cni.sgp,
        sgp_origin: cni.sgp_origin,
        prefix_delegation: cni.pd,
        prefix_delegation_origin: cni.pd_origin,
        custom_networking,
        cni_version,
        node_lines,
        cni_comments: cni.comments,
        timed_cni: cni.timed,
        daemons,
        system_counted: Some(system_counted),
        system_by_type,
        workloads: lines,
        max_nodes: DEFAULT_MAX_NODES,
        max_nodes_origin: vec![format!(
            "a dump has no NodePool limits: {DEFAULT_MAX_NODES}, the scenario's default (the cluster runs {by_type})"
        )],
        notes,
    };
    drop_unusable(&mut imp, catalog);
    Ok(imp)
}

/// A system pod's origin: its DaemonSet, or the static pod's name without the node.
fn system_origin(p: &PodObj) -> String {
    match &p.owner {
        Some((k, n)) if k == "DaemonSet" => format!("DaemonSet {}/{n}", p.namespace),
        _ => {
            let base = p
                .node
                .as_deref()
                .and_then(|n| p.name.strip_suffix(n))
                .and_then(|b| b.strip_suffix('-'))
                .unwrap_or(&p.name);
            format!("static pod {}/{base}", p.namespace)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mode_ties_go_to_the_smallest() {
        assert_eq!(mode([3, 1, 3, 1, 2]), Some(1));
        assert_eq!(mode([(2, 2), (2, 2), (3, 2)]), Some((2, 2)));
        assert_eq!(mode(Vec::<u32>::new()), None);
    }
}
