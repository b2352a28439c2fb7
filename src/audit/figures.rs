//! What the audit finds (MODEL.md §12), pure: per node the slots, IPs and
//! branch ENIs used and left, the unsafe slots and stranded IPs, the pods
//! stuck in ContainerCreating; for the cluster, the totals and the nodes at
//! risk; and the CNI settings each node runs with.

use std::collections::BTreeMap;

use super::dump::{self, Dump, NodeObj, PodObj};
use crate::error::InputError;
use crate::input::catalog::Catalog;
use crate::input::manifest::PodKind;
use crate::input::manifest::cni::{self, CniSettings};
use crate::model::node::IPS_PER_PREFIX;

/// A pod bound to a node and waiting in ContainerCreating.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stuck {
    /// `namespace/name`.
    pub pod: String,
    pub kind: PodKind,
    pub reason: String,
    pub message: Option<String>,
}

/// One node's figures (MODEL.md §12).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeAudit {
    pub node: String,
    pub instance_type: String,
    /// `M`: allocatable pods.
    pub max_pods: u32,
    pub branch_capacity: u32,
    pub ip_capacity: u32,
    pub sg_pods: u32,
    pub ip_pods: u32,
    pub host_pods: u32,
    pub free_slots: u32,
    pub free_ips: u32,
    pub free_branches: u32,
    /// `max(0, free slots - free IPs - free branches)`.
    pub unsafe_slots: u32,
    /// `max(0, free slots - free IPs)`: for IP pods alone.
    pub unsafe_slots_ip: u32,
    /// `max(0, free IPs - free slots)`.
    pub stranded_ips: u32,
    pub stuck: Vec<Stuck>,
    /// IP pods bound without an address (`status.podIP` empty).
    pub ip_pods_without_ip: u32,
    /// Unsafe slots for IP pods, or pods already stuck.
    pub at_risk: bool,
    /// The terms of the IP capacity: `E` (after `MAX_ENI`), `I`, `t`, `c`, `k`.
    pub enis: u32,
    pub ips_per_eni: u32,
    pub trunk: u32,
    pub custom_networking: u32,
    pub ips_per_slot: u32,
    /// Where the CNI settings came from.
    pub cni_from: String,
}

/// A node not audited, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub node: String,
    pub why: String,
}

/// The cluster's sums.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Totals {
    pub nodes: usize,
    pub nodes_at_risk: usize,
    /// Sum of unsafe slots for IP pods: pods that could be bound and never start.
    pub unsafe_slots_ip: u32,
    /// Sum of unsafe slots: as many, even if SG pods take every free branch first.
    pub unsafe_slots: u32,
    pub stranded_ips: u32,
    pub stuck_pods: u32,
    /// Pods no node is bound to (the scheduler's "no"), by kind: sg, ip, host.
    pub pending: [u32; 3],
    pub free_slots: u32,
    pub free_ips: u32,
    pub free_branches: u32,
}

/// A CNI version, as its image tag names it.
pub type Version = (u32, u32, u32);

/// One CNI configuration and the aws-node pods that run it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CniGroup {
    pub pods: usize,
    pub settings: Vec<String>,
    pub version: Option<Version>,
}

/// The audit of a dump.
#[derive(Debug, Clone, Default)]
pub struct Audit {
    pub files: Vec<String>,
    pub nodes: Vec<NodeAudit>,
    pub skipped: Vec<Skipped>,
    pub totals: Totals,
    pub cni: Vec<CniGroup>,
    pub notes: Vec<String>,
}

impl Audit {
    pub fn at_risk(&self) -> bool {
        self.totals.nodes_at_risk > 0
    }
}

/// The settings of the aws-node pods, by node, and the cluster's most common.
pub(crate) struct CniView<'d> {
    pub by_node: BTreeMap<&'d str, &'d CniSettings>,
    pub common: Option<&'d CniSettings>,
    pub groups: Vec<CniGroup>,
}

/// Reads the aws-node pods' settings; an IPv6 cluster is refused.
pub(crate) fn cni_view<'d>(dump: &'d Dump, notes: &mut Vec<String>) -> Result<CniView<'d>, InputError> {
    let mut by_node = BTreeMap::new();
    let mut count: BTreeMap<_, (usize, &CniSettings)> = BTreeMap::new();
    let mut groups: BTreeMap<(Vec<String>, Option<Version>), usize> = BTreeMap::new();
    let mut unread = std::collections::BTreeSet::new();
    for p in &dump.pods {
        let Some(c) = &p.cni else { continue };
        if p.terminal() {
            continue;
        }
        if c.is_ipv6() {
            return Err(InputError {
                file: Some(dump.files.join(", ")),
                field: Some(format!("Pod {}: containers[aws-node].env.ENABLE_IPv6", p.id())),
                problem: cni::ipv6_problem(&c.origin),
                fix: "sgpsim models IPv4 clusters only: audit an IPv4 cluster".into(),
            });
        }
        unread.extend(
            c.notes
                .iter()
                .map(|n| n.split_once(": ").map_or(n.clone(), |x| format!("aws-node: {}", x.1))),
        );
        if let Some(n) = &p.node {
            by_node.insert(n.as_str(), c);
        }
        count.entry(c.capacity_key()).or_insert((0, c)).0 += 1;
        *groups.entry((c.describe(), c.version)).or_default() += 1;
    }
    notes.extend(unread);
    let common = count.values().max_by_key(|(n, _)| *n).map(|(_, c)| *c);
    if count.len() > 1 {
        notes.push(format!(
            "the aws-node pods run {} different CNI configurations (a rollout in progress?): each node is audited with its own pod's",
            count.len()
        ));
    }
    let groups = groups
        .into_iter()
        .map(|((settings, version), pods)| CniGroup {
            pods,
            settings,
            version,
        })
        .collect();
    Ok(CniView {
        by_node,
        common,
        groups,
    })
}

/// Why a node is not audited, if it is not.
pub(crate) fn skip_reason(n: &NodeObj, catalog: &Catalog) -> Option<String> {
    if n.fargate {
        return Some("a Fargate node (one pod, with its own ENI)".into());
    }
    if n.os.as_deref() == Some("windows") {
        return Some("a Windows node: out of scope (MODEL.md §3)".into());
    }
    match &n.instance_type {
        None => Some(format!(
            "no {} label: its instance type is unknown",
            dump::LABEL_INSTANCE_TYPE
        )),
        Some(t) if catalog.get(t).is_none() => Some(format!(
            "instance type {t} is not in the catalog: add it with --catalog FILE"
        )),
        Some(_) => None,
    }
}

/// Audits every node of `dump` (MODEL.md §12).
pub fn audit(dump: &Dump, catalog: &Catalog) -> Result<Audit, InputError> {
    let mut notes = dump.notes.clone();
    let view = cni_view(dump, &mut notes)?;
    if view.common.is_none() {
        notes.push(
            "no aws-node pod in the dump: the CNI's settings are unknown; SGP is taken as on where a node advertises vpc.amazonaws.com/pod-eni, prefix delegation and custom networking as off"
                .into(),
        );
    }
    let mut by_node: BTreeMap<&str, Vec<&PodObj>> = BTreeMap::new();
    let mut totals = Totals::default();
    let names: std::collections::BTreeSet<&str> = dump.nodes.iter().map(|n| n.name.as_str()).collect();
    let mut elsewhere = 0u32;
    let mut terminal = 0u32;
    for p in &dump.pods {
        if p.terminal() {
            terminal += 1;
            continue;
        }
        match &p.node {
            None => totals.pending[p.kind as usize] += 1,
            Some(n) if names.contains(n.as_str()) => by_node.entry(n.as_str()).or_default().push(p),
            Some(_) => elsewhere += 1,
        }
    }
    if terminal > 0 {
        notes.push(format!(
            "finished pods (Succeeded or Failed): {terminal}; they hold no slot and no IP, and are not counted"
        ));
    }
    if elsewhere > 0 {
        notes.push(format!(
            "pods bound to nodes that are not in the dump: {elsewhere}; not counted (dump nodes and pods together)"
        ));
    }
    let mut nodes = Vec::new();
    let mut skipped = Vec::new();
    for n in &dump.nodes {
        if let Some(why) = skip_reason(n, catalog) {
            skipped.push(Skipped {
                node: n.name.clone(),
                why,
            });
            continue;
        }
        let pods = by_node.get(n.name.as_str()).map(Vec::as_slice).unwrap_or_default();
        let own = view.by_node.get(n.name.as_str()).copied();
        if own.is_none() && view.common.is_some() {
            notes.push(format!(
                "node {}: no aws-node pod on it: the cluster's most common CNI settings are used",
                n.name
            ));
        }
        nodes.push(audit_node(n, pods, own.or(view.common), catalog, &mut notes));
    }
    if nodes.is_empty() {
        return Err(InputError::file(
            dump.files.join(", "),
            format!(
                "no node can be audited: {}",
                skipped
                    .iter()
                    .map(|s| format!("{} ({})", s.node, s.why))
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
            "dump a cluster with EC2 Linux nodes, or add their types with --catalog FILE",
        ));
    }
    for a in &nodes {
        totals.nodes += 1;
        totals.nodes_at_risk += usize::from(a.at_risk);
        totals.unsafe_slots += a.unsafe_slots;
        totals.unsafe_slots_ip += a.unsafe_slots_ip;
        totals.stranded_ips += a.stranded_ips;
        totals.stuck_pods += a.stuck.len() as u32;
        totals.free_slots += a.free_slots;
        totals.free_ips += a.free_ips;
        totals.free_branches += a.free_branches;
    }
    Ok(Audit {
        files: dump.files.clone(),
        nodes,
        skipped,
        totals,
        cni: view.groups,
        notes,
    })
}

/// One node's figures; `cni` is the settings that apply to it, if known.
fn audit_node(
    n: &NodeObj,
    pods: &[&PodObj],
    cni: Option<&CniSettings>,
    catalog: &Catalog,
    notes: &mut Vec<String>,
) -> NodeAudit {
    let ty = n.instance_type.clone().unwrap_or_default();
    let t = catalog.get(&ty).expect("skip_reason keeps only catalog types");
    let sgp_env = cni.map_or(n.branch_capacity > 0, CniSettings::sgp);
    let reserve = sgp_env && (t.trunk_compatible || cni.is_some_and(CniSettings::reserves_slot_on_every_type));
    let trunk = u32::from(reserve || n.branch_capacity > 0);
    if n.branch_capacity > 0 && !sgp_env {
        notes.push(format!(
            "node {}: advertises {} branch ENIs, so a trunk is attached, though aws-node does not set ENABLE_POD_ENI=true: counted with the trunk",
            n.name, n.branch_capacity
        ));
    }
    if sgp_env && t.trunk_compatible && n.branch_capacity == 0 {
        notes.push(format!(
            "node {} ({ty}): ENABLE_POD_ENI=true, but it advertises no vpc.amazonaws.com/pod-eni (is the trunk ENI attached?): the CNI reserves its slot; no branch ENIs",
            n.name
        ));
    }
    if reserve && !t.trunk_compatible {
        let (a, b, c) = cni.and_then(|c| c.version).unwrap_or_default();
        notes.push(format!(
            "node {} ({ty}): the CNI is v{a}.{b}.{c}: before v1.20.4 it reserves an ENI slot for a trunk even on types that cannot take one (CNI PR #3250), so {ty} loses one ENI's IPs",
            n.name
        ));
    }
    // Before v1.16.4 the CNI gave the trunk ENI's IPs to pods (CNI PR #2801).
    let version = cni.and_then(|c| c.version);
    let trunk = match version {
        Some(v) if v < cni::TRUNK_SLOT_RESERVED && trunk == 1 => {
            let (a, b, c) = v;
            notes.push(format!(
                "node {} ({ty}): the CNI is v{a}.{b}.{c}: before v1.16.4 it gives the trunk ENI's IPs to pods, so no ENI slot is held back for it",
                n.name
            ));
            0
        }
        _ => trunk,
    };
    let custom = u32::from(cni.is_some_and(CniSettings::custom));
    let k = if cni.is_some_and(CniSettings::pd) {
        IPS_PER_PREFIX
    } else {
        1
    };
    let enis = cni.and_then(|c| c.max_eni).map_or(t.max_enis, |m| m.min(t.max_enis));
    let ip_capacity = enis.saturating_sub(trunk + custom) * t.ipv4_per_eni.saturating_sub(1) * k;
    let mut count = [0u32; 3];
    let mut without_ip = 0;
    let mut stuck = Vec::new();
    for p in pods {
        count[p.kind as usize] += 1;
        if p.kind == PodKind::Ip && !p.has_ip {
            without_ip += 1;
        }
        if p.stuck() {
            let (reason, message) = p.waiting.clone().unwrap_or_default();
            stuck.push(Stuck {
                pod: p.id(),
                kind: p.kind,
                reason,
                message,
            });
        }
    }
    stuck.sort_by(|a, b| a.pod.cmp(&b.pod));
    let [sg, ip, host] = count;
    let free_slots = n.max_pods.saturating_sub(sg + ip + host);
    let free_ips = ip_capacity.saturating_sub(ip);
    let free_branches = n.branch_capacity.saturating_sub(sg);
    let unsafe_slots_ip = free_slots.saturating_sub(free_ips);
    NodeAudit {
        node: n.name.clone(),
        instance_type: ty,
        max_pods: n.max_pods,
        branch_capacity: n.branch_capacity,
        ip_capacity,
        sg_pods: sg,
        ip_pods: ip,
        host_pods: host,
        free_slots,
        free_ips,
        free_branches,
        unsafe_slots: unsafe_slots_ip.saturating_sub(free_branches),
        unsafe_slots_ip,
        stranded_ips: free_ips.saturating_sub(free_slots),
        at_risk: unsafe_slots_ip > 0 || !stuck.is_empty(),
        stuck,
        ip_pods_without_ip: without_ip,
        enis,
        ips_per_eni: t.ipv4_per_eni,
        trunk,
        custom_networking: custom,
        ips_per_slot: k,
        cni_from: cni.map_or_else(|| "unknown (no aws-node pod)".into(), |c| c.origin.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::manifest::read::parse_any;

    fn node(name: &str, ty: &str, pods: u32, eni: Option<u32>) -> String {
        let eni = eni
            .map(|e| format!(", \"vpc.amazonaws.com/pod-eni\": \"{e}\""))
            .unwrap_or_default();
        format!(
            r#"{{"kind": "Node", "metadata": {{"name": "{name}", "labels": {{"node.kubernetes.io/instance-type": "{ty}", "kubernetes.io/os": "linux"}}}},
                "status": {{"allocatable": {{"pods": "{pods}"{eni}}}}}}}"#
        )
    }

    fn pod(name: &str, node: &str, kind: &str, ip: bool, waiting: Option<&str>) -> String {
        let host = kind == "host";
        let eni = if kind == "sg" {
            r#", "resources": {"requests": {"vpc.amazonaws.com/pod-eni": "1"}}"#
        } else {
            ""
        };
        let ip = if ip { r#", "podIP": "10.0.0.9""# } else { "" };
        let (phase, statuses) = match waiting {
            Some(r) => (
                "Pending",
                format!(r#", "containerStatuses": [{{"name": "c", "state": {{"waiting": {{"reason": "{r}"}}}}}}]"#),
            ),
            None => ("Running", String::new()),
        };
        format!(
            r#"{{"kind": "Pod", "metadata": {{"name": "{name}", "namespace": "a"}},
                "spec": {{"nodeName": "{node}", "hostNetwork": {host}, "containers": [{{"name": "c"{eni}}}]}},
                "status": {{"phase": "{phase}"{ip}{statuses}}}}}"#
        )
    }

    fn aws_node(node: &str, env: &str, image: &str) -> String {
        format!(
            r#"{{"kind": "Pod", "metadata": {{"name": "aws-node-{node}", "namespace": "kube-system",
                  "ownerReferences": [{{"kind": "DaemonSet", "name": "aws-node", "controller": true}}]}},
                "spec": {{"nodeName": "{node}", "hostNetwork": true,
                  "containers": [{{"name": "aws-node", "image": "amazon-k8s-cni:{image}", "env": [{env}]}}]}},
                "status": {{"phase": "Running", "podIP": "10.0.0.1"}}}}"#
        )
    }

    fn run(items: &[String]) -> Result<Audit, InputError> {
        let text = format!(r#"{{"kind": "List", "items": [{}]}}"#, items.join(","));
        let docs = parse_any(&text, "dump.json")?;
        let d = dump::read(vec!["dump.json".into()], &docs)?;
        audit(&d, &Catalog::bundled())
    }

    const SGP_ON: &str = r#"{"name": "ENABLE_POD_ENI", "value": "true"}"#;

    /// The seed's m5.large with aws-default: 29 slots, 18 IPs with the trunk.
    #[test]
    fn model_section_12_on_one_node() {
        let mut items = vec![node("n1", "m5.large", 29, Some(9)), aws_node("n1", SGP_ON, "v1.20.4")];
        items.push(pod("kp", "n1", "host", true, None));
        for i in 0..3 {
            items.push(pod(&format!("sg{i}"), "n1", "sg", true, None));
        }
        for i in 0..10 {
            items.push(pod(&format!("ip{i}"), "n1", "ip", true, None));
        }
        let a = run(&items).unwrap();
        let n = &a.nodes[0];
        assert_eq!((n.ip_capacity, n.branch_capacity, n.trunk), (18, 9, 1));
        assert_eq!((n.sg_pods, n.ip_pods, n.host_pods), (3, 10, 2));
        // 29 - 15 = 14 free slots, 8 free IPs, 6 free branches.
        assert_eq!((n.free_slots, n.free_ips, n.free_branches), (14, 8, 6));
        assert_eq!((n.unsafe_slots, n.unsafe_slots_ip, n.stranded_ips), (0, 6, 0));
        assert!(n.at_risk && a.at_risk());
    }

    #[test]
    fn custom_networking_prefix_delegation_and_max_eni() {
        let env = r#"{"name": "ENABLE_POD_ENI", "value": "true"}, {"name": "AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG", "value": "true"}"#;
        let a = run(&[node("n1", "m5.xlarge", 58, Some(18)), aws_node("n1", env, "v1.20.4")]).unwrap();
        // (4 - 1 - 1) * 14.
        assert_eq!(a.nodes[0].ip_capacity, 28);
        let env = r#"{"name": "ENABLE_PREFIX_DELEGATION", "value": "true"}, {"name": "MAX_ENI", "value": "2"}"#;
        let a = run(&[node("n1", "m5.xlarge", 110, None), aws_node("n1", env, "v1.20.4")]).unwrap();
        // SGP off: (2 - 0 - 0) * 14 * 16.
        assert_eq!(a.nodes[0].ip_capacity, 448);
        assert_eq!(a.nodes[0].stranded_ips, 448 - 109);
        assert!(!a.at_risk());
    }

    #[test]
    fn old_cni_reserves_a_slot_on_t3() {
        let a = run(&[
            node("n1", "t3.large", 35, None),
            aws_node("n1", SGP_ON, "v1.19.2-eksbuild.1"),
        ])
        .unwrap();
        assert_eq!((a.nodes[0].trunk, a.nodes[0].ip_capacity), (1, 22));
        let a = run(&[node("n1", "t3.large", 35, None), aws_node("n1", SGP_ON, "v1.20.4")]).unwrap();
        assert_eq!((a.nodes[0].trunk, a.nodes[0].ip_capacity), (0, 33));
    }

    #[test]
    fn stuck_pods_and_pending() {
        let mut items = vec![node("n1", "m5.large", 20, Some(9)), aws_node("n1", SGP_ON, "v1.20.4")];
        for i in 0..17 {
            items.push(pod(&format!("ip{i}"), "n1", "ip", true, None));
        }
        items.push(pod("late", "n1", "ip", false, Some("ContainerCreating")));
        items.push(pod("pull", "n1", "ip", true, Some("ImagePullBackOff")));
        items.push(r#"{"kind": "Pod", "metadata": {"name": "p", "namespace": "a"}, "spec": {"containers": [{"name": "c"}]}, "status": {"phase": "Pending"}}"#.into());
        let a = run(&items).unwrap();
        let n = &a.nodes[0];
        // 1 host + 19 IP pods on 20 slots; 18 IPs, 19 wanted.
        assert_eq!((n.free_slots, n.free_ips, n.ip_pods_without_ip), (0, 0, 1));
        assert_eq!(n.stuck.len(), 1, "ImagePullBackOff is not ContainerCreating");
        assert_eq!(n.stuck[0].pod, "a/late");
        assert!(n.at_risk);
        assert_eq!(a.totals.pending, [0, 1, 0]);
    }

    #[test]
    fn ipv6_and_nothing_to_audit_are_input_errors() {
        let env = r#"{"name": "ENABLE_IPv6", "value": "true"}"#;
        let e = run(&[node("n1", "m5.large", 29, None), aws_node("n1", env, "v1.20.4")]).unwrap_err();
        assert!(
            e.problem.contains("IPv6") && e.field.as_deref().unwrap().contains("ENABLE_IPv6"),
            "{e}"
        );
        let e = run(&[node("n1", "zz9.future", 29, None)]).unwrap_err();
        assert!(e.problem.contains("zz9.future") && e.fix.contains("--catalog"), "{e}");
        let e = run(&[pod("p", "n1", "ip", true, None)]).unwrap_err();
        assert!(e.problem.contains("holds no Node"), "{e}");
        let e = run(&[r#"{"kind": "Node", "metadata": {"name": "n"}, "status": {}}"#.into()]).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("status.allocatable.pods"));
    }

    /// Before CNI v1.16.4 the trunk ENI's IPs go to pods: m5.large with a
    /// trunk has 3 * 9 = 27 pod IPs, as MODEL.md §3 and `model::node` count them.
    #[test]
    fn an_old_cni_gives_the_trunks_ips_to_pods() {
        let a = run(&[node("n1", "m5.large", 29, Some(9)), aws_node("n1", SGP_ON, "v1.16.2")]).unwrap();
        assert_eq!((a.nodes[0].trunk, a.nodes[0].ip_capacity), (0, 27));
        assert!(a.notes.iter().any(|n| n.contains("before v1.16.4")), "{:?}", a.notes);
    }

    #[test]
    fn without_aws_node_the_trunk_is_inferred_from_the_node() {
        let a = run(&[node("n1", "m5.large", 29, Some(9)), node("n2", "m5.large", 29, None)]).unwrap();
        assert_eq!((a.nodes[0].trunk, a.nodes[0].ip_capacity), (1, 18));
        assert_eq!((a.nodes[1].trunk, a.nodes[1].ip_capacity), (0, 27));
        assert!(a.notes.iter().any(|n| n.contains("no aws-node pod")));
    }
}
