//! From a cluster's manifests to a scenario: reads Kubernetes YAML (workloads,
//! DaemonSets, SecurityGroupPolicies, ServiceAccounts, Karpenter NodePools and
//! EC2NodeClasses), decides which pods are SG pods as the resource
//! controller's webhook does ([`sgp`]), which instance types a NodePool allows
//! ([`nodepool`]), and writes a scenario TOML with its provenance in comments
//! ([`write`]). Everything not understood becomes a note, never a silent drop.

pub mod nodepool;
pub mod read;
pub mod selector;
pub mod sgp;
pub mod write;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use serde_json::Value;

use self::nodepool::Requirement;
use self::read::Doc;
use self::selector::{Labels, Selector, labels_of, scalar};
use self::sgp::{DEFAULT_SG_QUOTA, PodClass, PodView, ServiceAccounts, Sgp};
use crate::error::InputError;
use crate::input::catalog::Catalog;
use crate::model::formula::Formula;
use crate::model::node::{NodeSettings, SystemPods, ip_capacity};

/// An input error at a field of a file.
pub(crate) fn err(file: &str, field: &str, problem: impl Into<String>, fix: impl Into<String>) -> InputError {
    InputError {
        file: Some(file.to_string()),
        field: Some(field.to_string()),
        problem: problem.into(),
        fix: fix.into(),
    }
}

/// The API group of SecurityGroupPolicy.
pub const SGP_API: &str = "vpcresources.k8s.aws/v1beta1";
pub const NODEPOOL_API: &str = "karpenter.sh/v1";
pub const NODECLASS_API: &str = "karpenter.k8s.aws/v1";

/// Options of `scenario from-manifests`.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// The scenario's `name`.
    pub name: String,
    /// Instance-type patterns that replace the NodePools' types.
    pub types: Vec<String>,
    /// Count EKS's own hostNetwork DaemonSets (aws-node, kube-proxy) when the
    /// manifests do not define them.
    pub eks_daemonsets: bool,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            name: "imported".into(),
            types: Vec::new(),
            eks_daemonsets: true,
        }
    }
}

/// One workload's pods and how the webhook classes them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkloadLine {
    /// `Deployment team-a/api`.
    pub origin: String,
    pub pods: u32,
    pub class: PodClass,
}

/// One system (DaemonSet) pod per node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DaemonLine {
    pub origin: String,
    pub host: bool,
    /// Not in the manifests: EKS installs it.
    pub assumed: bool,
}

/// The result of reading the manifests: every figure of the scenario and
/// where it came from.
#[derive(Debug, Clone)]
pub struct Import {
    pub name: String,
    pub files: Vec<String>,
    pub types: Vec<String>,
    /// Comment lines explaining the type list.
    pub types_origin: Vec<String>,
    /// (formula, why).
    pub formulas: Vec<(String, String)>,
    pub sgp: bool,
    pub sgp_origin: String,
    pub daemons: Vec<DaemonLine>,
    pub workloads: Vec<WorkloadLine>,
    /// Not understood, not modelled, or assumed.
    pub notes: Vec<String>,
}

impl Import {
    pub fn system(&self) -> SystemPods {
        SystemPods {
            host: self.daemons.iter().filter(|d| d.host).count() as u32,
            ip: self.daemons.iter().filter(|d| !d.host).count() as u32,
        }
    }

    /// (sg, ip, host) workload pods.
    pub fn counts(&self) -> (u32, u32, u32) {
        let mut c = (0u32, 0u32, 0u32);
        for w in &self.workloads {
            match w.class {
                PodClass::Sg { .. } => c.0 = c.0.saturating_add(w.pods),
                PodClass::Ip => c.1 = c.1.saturating_add(w.pods),
                PodClass::Host => c.2 = c.2.saturating_add(w.pods),
                _ => {}
            }
        }
        c
    }
}

/// Kinds whose objects run pods through a pod template.
const TEMPLATE_KINDS: [&str; 5] = [
    "Deployment",
    "StatefulSet",
    "ReplicaSet",
    "ReplicationController",
    "Job",
];

/// A document with its kind, name and namespace resolved.
struct Obj<'a> {
    doc: &'a Doc,
    kind: String,
    api: String,
    name: String,
    namespace: Option<String>,
}

impl Obj<'_> {
    fn ns(&self) -> &str {
        self.namespace.as_deref().unwrap_or("default")
    }
    fn id(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("{} {ns}/{}", self.kind, self.name),
            None => format!("{} {}", self.kind, self.name),
        }
    }
    fn v(&self) -> &Value {
        &self.doc.value
    }
    fn at(&self, path: &[&str]) -> Option<&Value> {
        let mut v = self.v();
        for p in path {
            v = v.get(p)?;
        }
        Some(v)
    }
    fn err(&self, field: &str, problem: impl Into<String>, fix: impl Into<String>) -> InputError {
        err(
            &self.doc.file,
            field,
            format!("{} (document {}): {}", self.id(), self.doc.index, problem.into()),
            fix,
        )
    }
    /// A non-negative integer field, `default` when absent.
    fn count(&self, path: &[&str], default: u32) -> Result<u32, InputError> {
        match self.at(path) {
            None | Some(Value::Null) => Ok(default),
            Some(v) => v.as_u64().and_then(|n| u32::try_from(n).ok()).ok_or_else(|| {
                self.err(
                    &path.join("."),
                    format!("`{v}` is not a pod count"),
                    "give a whole number such as 3",
                )
            }),
        }
    }
    fn owned(&self) -> Option<String> {
        let refs = self.at(&["metadata", "ownerReferences"])?.as_array()?;
        refs.iter()
            .find(|r| r.get("controller").and_then(Value::as_bool) != Some(false))
            .map(|r| {
                format!(
                    "{} {}",
                    r.get("kind").and_then(scalar).unwrap_or_default(),
                    r.get("name").and_then(scalar).unwrap_or_default()
                )
            })
    }
}

/// A NodePool as read: its name, EC2NodeClass, requirements and (v1beta1) kubelet block.
struct Pool {
    name: String,
    class: Option<String>,
    reqs: Vec<Requirement>,
    old_kubelet: Option<Value>,
}

/// A pod template as the webhook and the model need it.
struct PodTpl {
    labels: Labels,
    service_account: String,
    host_network: bool,
    node_selector: Labels,
    /// Node placement beyond the OS (affinity, other nodeSelector keys, tolerations).
    placement: bool,
}

fn pod_tpl(o: &Obj<'_>, meta: Option<&Value>, spec: Option<&Value>, spec_path: &str) -> Result<PodTpl, InputError> {
    let spec = spec.filter(|s| s.is_object()).ok_or_else(|| {
        o.err(
            spec_path,
            "no pod spec",
            "give the pod template's spec with its containers",
        )
    })?;
    let containers = spec.get("containers").and_then(Value::as_array).map_or(0, Vec::len);
    if containers == 0 {
        return Err(o.err(
            &format!("{spec_path}.containers"),
            "no containers",
            "a pod needs at least one container (the webhook adds pod-eni to the first)",
        ));
    }
    let host_network = match spec.get("hostNetwork") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(v) => {
            return Err(o.err(
                &format!("{spec_path}.hostNetwork"),
                format!("`{v}` is not true or false"),
                "write true or false",
            ));
        }
    };
    let service_account = spec
        .get("serviceAccountName")
        .or_else(|| spec.get("serviceAccount"))
        .and_then(scalar)
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "default".into());
    let node_selector = labels_of(spec.get("nodeSelector"));
    let placement = spec.get("affinity").is_some()
        || node_selector
            .keys()
            .any(|k| k != "kubernetes.io/os" && k != "beta.kubernetes.io/os");
    Ok(PodTpl {
        labels: labels_of(meta.and_then(|m| m.get("labels"))),
        service_account,
        host_network,
        node_selector,
        placement,
    })
}

/// Reads the manifests named by `paths` and builds the scenario's figures.
pub fn import(paths: &[PathBuf], catalog: &Catalog, opts: &ImportOptions) -> Result<Import, InputError> {
    let (files, docs) = read::read_docs(paths)?;
    import_docs(
        files.iter().map(|f| f.display().to_string()).collect(),
        &docs,
        catalog,
        opts,
    )
}

/// [`import`] on documents already read.
pub fn import_docs(
    files: Vec<String>,
    docs: &[Doc],
    catalog: &Catalog,
    opts: &ImportOptions,
) -> Result<Import, InputError> {
    let mut notes: Vec<String> = Vec::new();
    let mut objs = Vec::new();
    for d in docs {
        let kind = d.value.get("kind").and_then(scalar).unwrap_or_default();
        let api = d.value.get("apiVersion").and_then(scalar).unwrap_or_default();
        let name = d
            .value
            .get("metadata")
            .and_then(|m| m.get("name"))
            .and_then(scalar)
            .unwrap_or_default();
        if kind.is_empty() {
            return Err(err(
                &d.file,
                "kind",
                format!("document {} has no kind", d.index),
                "every Kubernetes object names its kind and apiVersion",
            ));
        }
        let namespace = d
            .value
            .get("metadata")
            .and_then(|m| m.get("namespace"))
            .and_then(scalar);
        objs.push(Obj {
            doc: d,
            kind,
            api,
            name,
            namespace,
        });
    }

    // Policies, service accounts, Karpenter objects first: pods are classed against them.
    let mut sgps = Vec::new();
    let mut sas = ServiceAccounts::new();
    let mut pools: Vec<Pool> = Vec::new();
    let mut classes: BTreeMap<String, Value> = BTreeMap::new();
    let mut ignored: BTreeMap<String, u32> = BTreeMap::new();
    let mut no_ns = 0u32;
    for o in &objs {
        match o.kind.as_str() {
            "SecurityGroupPolicy" => {
                if o.api != SGP_API {
                    notes.push(format!("{}: apiVersion `{}` is not {SGP_API}: read as {SGP_API}", o.id(), o.api));
                }
                let sel = |k: &str| o.at(&["spec", k]).filter(|v| !v.is_null()).map(Selector::parse);
                let p = Sgp {
                    namespace: o.ns().to_string(),
                    name: o.name.clone(),
                    pod_selector: sel("podSelector"),
                    sa_selector: sel("serviceAccountSelector"),
                    group_ids: o
                        .at(&["spec", "securityGroups", "groupIds"])
                        .and_then(Value::as_array)
                        .map(|a| a.iter().filter_map(scalar).collect())
                        .unwrap_or_default(),
                };
                if let Some(why) = p.is_inert() {
                    notes.push(format!("{}: the webhook skips this policy: {why}", o.id()));
                }
                for (what, s) in [("podSelector", &p.pod_selector), ("serviceAccountSelector", &p.sa_selector)] {
                    if let Some(Some(why)) = s.as_ref().map(|s| s.invalid.clone()) {
                        notes.push(format!("{}: {what} is invalid ({why}): the webhook matches no pod with it", o.id()));
                    }
                }
                if o.namespace.is_none() {
                    no_ns += 1;
                }
                sgps.push(p);
            }
            "ServiceAccount" => {
                sas.insert((o.ns().to_string(), o.name.clone()), labels_of(o.at(&["metadata", "labels"])));
            }
            "NodePool" => {
                if o.api != NODEPOOL_API {
                    notes.push(format!("{}: apiVersion `{}` is not {NODEPOOL_API}: read as {NODEPOOL_API}", o.id(), o.api));
                }
                let reqs = nodepool::parse_requirements(
                    o.at(&["spec", "template", "spec", "requirements"]),
                    &o.doc.file,
                    &o.id(),
                )?;
                let class = o.at(&["spec", "template", "spec", "nodeClassRef", "name"]).and_then(scalar);
                let old_kubelet = o.at(&["spec", "template", "spec", "kubelet"]).cloned();
                pools.push(Pool {
                    name: o.name.clone(),
                    class,
                    reqs,
                    old_kubelet,
                });
            }
            "EC2NodeClass" => {
                if o.api != NODECLASS_API {
                    notes.push(format!("{}: apiVersion `{}` is not {NODECLASS_API}: read as {NODECLASS_API}", o.id(), o.api));
                }
                if o.at(&["spec", "userData"]).is_some() {
                    notes.push(format!(
                        "{}: has its own spec.userData: not read; if it sets maxPods (as the seed's script does), that value is not in this scenario",
                        o.id()
                    ));
                }
                classes.insert(o.name.clone(), o.at(&["spec", "kubelet"]).cloned().unwrap_or(Value::Null));
            }
            "Provisioner" | "AWSNodeTemplate" | "NodeClaim" => {
                notes.push(format!("{}: Karpenter's {} API is not read (only NodePool {NODEPOOL_API} and EC2NodeClass {NODECLASS_API})", o.id(), o.api));
            }
            k if TEMPLATE_KINDS.contains(&k) || k == "Pod" || k == "DaemonSet" => {
                if o.namespace.is_none() {
                    no_ns += 1;
                }
            }
            "CronJob" => notes.push(format!(
                "{}: CronJob pods come and go on a schedule: not counted (add them to workload.ip_pods or sg_pods if they overlap the rest)",
                o.id()
            )),
            "HorizontalPodAutoscaler" => notes.push(format!(
                "{}: replicas are taken from the workloads' spec.replicas; the autoscaler's min/max are not applied",
                o.id()
            )),
            other => *ignored.entry(other.to_string()).or_default() += 1,
        }
    }
    if no_ns > 0 {
        notes.push(format!(
            "{no_ns} pod-running objects or policies have no metadata.namespace: taken as `default` (as `kubectl apply` without -n)"
        ));
    }

    // Pods.
    let mut workloads = Vec::new();
    let mut daemons = Vec::new();
    let mut missing_sa: BTreeSet<String> = BTreeSet::new();
    let mut class_of = |tpl: &PodTpl, ns: &str| {
        let view = PodView {
            namespace: ns,
            labels: &tpl.labels,
            service_account: &tpl.service_account,
            host_network: tpl.host_network,
            node_selector: &tpl.node_selector,
        };
        sgp::classify(&view, &sgps, &sas, DEFAULT_SG_QUOTA, &mut |ns, sa| {
            missing_sa.insert(format!("{ns}/{sa}"));
        })
    };
    for o in &objs {
        let kind = o.kind.as_str();
        let (tpl, pods) = if TEMPLATE_KINDS.contains(&kind) {
            if let Some(owner) = o.owned().filter(|_| matches!(kind, "ReplicaSet" | "Job")) {
                notes.push(format!("{}: owned by {owner}: its pods are counted there", o.id()));
                continue;
            }
            let tpl = pod_tpl(
                o,
                o.at(&["spec", "template", "metadata"]),
                o.at(&["spec", "template", "spec"]),
                "spec.template.spec",
            )?;
            let pods = if kind == "Job" {
                let par = o.count(&["spec", "parallelism"], 1)?;
                match o.at(&["spec", "completions"]) {
                    None | Some(Value::Null) => par,
                    Some(_) => par.min(o.count(&["spec", "completions"], 1)?),
                }
            } else {
                o.count(&["spec", "replicas"], 1)?
            };
            (tpl, pods)
        } else if kind == "Pod" {
            if let Some(owner) = o.owned() {
                notes.push(format!(
                    "{}: owned by {owner}: counted there if its controller is in the manifests",
                    o.id()
                ));
                continue;
            }
            (pod_tpl(o, o.at(&["metadata"]), o.at(&["spec"]), "spec")?, 1)
        } else if kind == "DaemonSet" {
            let tpl = pod_tpl(
                o,
                o.at(&["spec", "template", "metadata"]),
                o.at(&["spec", "template", "spec"]),
                "spec.template.spec",
            )?;
            if tpl.placement {
                notes.push(format!(
                    "{}: has a nodeSelector or affinity: assumed to run on every node",
                    o.id()
                ));
            }
            match class_of(&tpl, o.ns()) {
                PodClass::Host => daemons.push(DaemonLine {
                    origin: o.id(),
                    host: true,
                    assumed: false,
                }),
                PodClass::Ip => daemons.push(DaemonLine {
                    origin: o.id(),
                    host: false,
                    assumed: false,
                }),
                PodClass::Sg { policies, .. } => {
                    notes.push(format!(
                        "{}: its pods match {} and take a branch ENI; the model has no SG system pods: counted as an IP system pod",
                        o.id(),
                        policies.join(", ")
                    ));
                    daemons.push(DaemonLine {
                        origin: o.id(),
                        host: false,
                        assumed: false,
                    });
                }
                other => notes.push(format!(
                    "{}: {}: not on these nodes, not counted",
                    o.id(),
                    class_text(&other)
                )),
            }
            continue;
        } else {
            continue;
        };
        if tpl.placement {
            notes.push(format!(
                "{}: has a nodeSelector or affinity: placed like any pod (the model does not restrict placement)",
                o.id()
            ));
        }
        let class = class_of(&tpl, o.ns());
        match &class {
            PodClass::Fargate | PodClass::Windows | PodClass::Denied { .. } => {
                notes.push(format!("{}: {}: not counted", o.id(), class_text(&class)));
            }
            _ => {}
        }
        workloads.push(WorkloadLine {
            origin: o.id(),
            pods,
            class,
        });
    }
    for sa in &missing_sa {
        notes.push(format!(
            "ServiceAccount {sa} is not in the manifests: taken to have no labels for serviceAccountSelector (the webhook denies pods whose service account does not exist)"
        ));
    }
    if opts.eks_daemonsets {
        for (name, ns) in [("aws-node", "kube-system"), ("kube-proxy", "kube-system")] {
            if !daemons
                .iter()
                .any(|d| d.origin.ends_with(&format!("/{name}")) || d.origin.ends_with(&format!(" {name}")))
            {
                daemons.push(DaemonLine {
                    origin: format!("DaemonSet {ns}/{name}"),
                    host: true,
                    assumed: true,
                });
            }
        }
    }
    if !ignored.is_empty() {
        notes.push(format!(
            "ignored, as they run no pods: {}",
            ignored
                .iter()
                .map(|(k, n)| format!("{k} x{n}"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }

    // Instance types.
    let mut types_origin = Vec::new();
    let mut types: Vec<String> = Vec::new();
    if !opts.types.is_empty() {
        for t in catalog.select(&opts.types, "--types")? {
            types.push(t.name.clone());
        }
        types_origin.push(format!("from --types {}", opts.types.join(" ")));
    } else if !pools.is_empty() {
        let mut set = BTreeSet::new();
        for Pool { name, reqs, .. } in &pools {
            let (allowed, pool_notes) = nodepool::allowed(reqs, catalog);
            notes.extend(pool_notes.into_iter().map(|n| format!("NodePool {name}: {n}")));
            types_origin.push(format!(
                "NodePool {name}: {} types in the catalog meet {}",
                allowed.len(),
                if reqs.is_empty() {
                    "no requirements (every type)".to_string()
                } else {
                    reqs.iter().map(Requirement::describe).collect::<Vec<_>>().join("; ")
                }
            ));
            set.extend(allowed.into_iter().map(|t| t.name.clone()));
        }
        types = set.into_iter().collect();
        if types.is_empty() {
            return Err(InputError::file(
                files.join(", "),
                "the NodePools allow no instance type of the catalog",
                "check their requirements, or name the types with --types",
            ));
        }
    } else {
        types.push("m5.large".into());
        types_origin.push("no NodePool in the manifests: m5.large as a placeholder (use --types, or edit)".into());
        notes.push("no Karpenter NodePool found: instance_types is a placeholder (m5.large)".into());
    }

    // Formulas: the kubelet maxPods the NodeClasses set, then the usual candidates.
    let mut formulas: Vec<(String, String)> = Vec::new();
    let used_classes: Vec<&String> = if pools.is_empty() {
        classes.keys().collect()
    } else {
        pools.iter().filter_map(|p| p.class.as_ref()).collect()
    };
    for name in used_classes {
        let Some(kubelet) = classes.get(name) else {
            notes.push(format!(
                "EC2NodeClass {name} is referenced by a NodePool but not in the manifests"
            ));
            continue;
        };
        add_kubelet_formula(&mut formulas, &mut notes, kubelet, &format!("EC2NodeClass {name}"));
    }
    for Pool { name, old_kubelet, .. } in &pools {
        if let Some(k) = old_kubelet {
            notes.push(format!("NodePool {name}: spec.template.spec.kubelet is the v1beta1 place for kubelet settings (v1 moved it to the EC2NodeClass)"));
            add_kubelet_formula(
                &mut formulas,
                &mut notes,
                k,
                &format!("NodePool {name} (v1beta1 kubelet)"),
            );
        }
    }
    for (f, why) in [
        (
            "aws-default",
            "Karpenter's pods when maxPods is unset and RESERVED_ENIS=0: E*(I-1)+2",
        ),
        (
            "karpenter-reserved-enis:1",
            "Karpenter with RESERVED_ENIS=1, as its docs advise with SGP",
        ),
        ("conservative", "the seed's recommendation: system pods + pod IPs"),
        (
            "aggressive",
            "the seed's alternative: system pods + pod IPs + branch ENIs",
        ),
    ] {
        if !formulas.iter().any(|(g, _)| g == f) {
            formulas.push((f.into(), why.into()));
        }
    }

    let sgp_on = !sgps.is_empty();
    let sgp_origin = if sgp_on {
        format!("{} SecurityGroupPolicies found: ENABLE_POD_ENI=true", sgps.len())
    } else {
        "no SecurityGroupPolicy found: taken as ENABLE_POD_ENI=false".into()
    };

    let mut imp = Import {
        name: opts.name.clone(),
        files,
        types,
        types_origin,
        formulas,
        sgp: sgp_on,
        sgp_origin,
        daemons,
        workloads,
        notes,
    };
    drop_unusable(&mut imp, catalog);
    Ok(imp)
}

fn add_kubelet_formula(formulas: &mut Vec<(String, String)>, notes: &mut Vec<String>, kubelet: &Value, who: &str) {
    if let Some(ppc) = kubelet.get("podsPerCore").filter(|v| !v.is_null()) {
        notes.push(format!(
            "{who}: kubelet.podsPerCore {ppc} caps maxPods at podsPerCore x vCPUs: not modelled"
        ));
    }
    let Some(m) = kubelet.get("maxPods").filter(|v| !v.is_null()) else {
        return;
    };
    let text = match m {
        Value::Number(n) => format!("fixed:{n}"),
        Value::String(s) if s.trim().parse::<u32>().is_ok() => format!("fixed:{}", s.trim()),
        Value::String(s) => s.clone(),
        other => {
            notes.push(format!(
                "{who}: kubelet.maxPods `{other}` is neither a number nor an expression: ignored"
            ));
            return;
        }
    };
    match Formula::parse(&text) {
        Ok(f) => {
            let name = f.name();
            if !formulas.iter().any(|(g, _)| *g == name) {
                formulas.push((
                    name,
                    format!("{who} sets spec.kubelet.maxPods = {}", m.to_string().trim_matches('"')),
                ));
            }
        }
        Err(e) => notes.push(format!(
            "{who}: kubelet.maxPods `{text}` is not a formula sgpsim reads: {}",
            e.problem
        )),
    }
}

/// Drops formulas that leave no room on some type, and types whose pod IPs
/// cannot hold the IP system pods, so that the scenario validates.
fn drop_unusable(imp: &mut Import, catalog: &Catalog) {
    let settings = NodeSettings {
        sgp: imp.sgp,
        prefix_delegation: false,
    };
    let sys = imp.system();
    let before = imp.types.len();
    let mut dropped_types = Vec::new();
    imp.types.retain(|n| {
        let keep = catalog.get(n).is_some_and(|t| ip_capacity(t, &settings) >= sys.ip);
        if !keep {
            dropped_types.push(n.clone());
        }
        keep
    });
    if !dropped_types.is_empty() && dropped_types.len() < before {
        imp.notes.push(format!(
            "dropped {} types whose pod IPs cannot hold the {} IP system pods: {}",
            dropped_types.len(),
            sys.ip,
            dropped_types.join(", ")
        ));
    } else if !dropped_types.is_empty() {
        imp.types = dropped_types; // Keep them: validation will say why, naming the field.
    }
    let mut notes = Vec::new();
    imp.formulas.retain(|(f, _)| {
        let Ok(formula) = Formula::parse(f) else { return false };
        for n in &imp.types {
            let Some(t) = catalog.get(n) else { continue };
            match formula.max_pods(t, &settings, sys) {
                Ok(m) if m.value > sys.total() => {}
                Ok(m) => {
                    notes.push(format!(
                        "formula {f} dropped: maxPods {} on {n} leaves no room above {} system pods",
                        m.value,
                        sys.total()
                    ));
                    return false;
                }
                Err(u) => {
                    notes.push(format!("formula {f} dropped: {u}"));
                    return false;
                }
            }
        }
        true
    });
    imp.notes.extend(notes);
}

/// How a class reads in notes and comments.
pub fn class_text(c: &PodClass) -> String {
    match c {
        PodClass::Host => "hostNetwork: host pod".into(),
        PodClass::Sg { policies, groups } => format!("SG pod ({}; security groups: {groups})", policies.join(", ")),
        PodClass::Ip => "IP pod (no SecurityGroupPolicy matches)".into(),
        PodClass::Denied { policies, groups } => format!(
            "matches {} with {groups} security groups, above the default quota of {DEFAULT_SG_QUOTA}: the webhook denies these pods",
            policies.join(", ")
        ),
        PodClass::Fargate => "a Fargate pod (label eks.amazonaws.com/fargate-profile)".into(),
        PodClass::Windows => "a Windows pod (nodeSelector kubernetes.io/os: windows)".into(),
    }
}
