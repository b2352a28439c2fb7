//! `scenario from-manifests`: Kubernetes objects to an [`Import`].

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::cni::{self, CniSettings};
use super::nodepool::{self, Requirement};
use super::read::{self, Doc};
use super::selector::{Labels, Selector, labels_of, scalar};
use super::sgp::{self, DEFAULT_SG_QUOTA, PodClass, PodView, ServiceAccounts, Sgp};
use super::{
    DEFAULT_MAX_NODES, DaemonLine, Import, ImportOptions, NODECLASS_API, NODEPOOL_API, SGP_API, WorkloadLine,
    class_kind, class_text, err, limits,
};
use crate::error::InputError;
use crate::input::bounds::{MAX_NODES, excerpt};
use crate::input::catalog::Catalog;
use crate::model::formula::Formula;
use crate::model::node::{CniVersion, NodeSettings, ip_capacity};

/// Kinds whose objects run pods through a pod template.
const TEMPLATE_KINDS: [&str; 5] = [
    "Deployment",
    "StatefulSet",
    "ReplicaSet",
    "ReplicationController",
    "Job",
];

/// Argo Rollouts' Rollout (argoproj.io/v1alpha1): a Deployment with update steps.
const ROLLOUT: &str = "Rollout";

/// The fields each API defines, for reporting the ones it does not.
const SGP_SPEC_FIELDS: [&str; 3] = ["podSelector", "serviceAccountSelector", "securityGroups"];
const SELECTOR_FIELDS: [&str; 2] = ["matchLabels", "matchExpressions"];
const NODEPOOL_SPEC_FIELDS: [&str; 5] = ["template", "disruption", "limits", "weight", "replicas"];
const NODEPOOL_TEMPLATE_FIELDS: [&str; 2] = ["metadata", "spec"];
const NODEPOOL_TEMPLATE_SPEC_FIELDS: [&str; 7] = [
    "nodeClassRef",
    "requirements",
    "taints",
    "startupTaints",
    "expireAfter",
    "terminationGracePeriod",
    "kubelet",
];
const REQUIREMENT_FIELDS: [&str; 4] = ["key", "operator", "values", "minValues"];
const KUBELET_FIELDS: [&str; 12] = [
    "maxPods",
    "podsPerCore",
    "systemReserved",
    "kubeReserved",
    "evictionHard",
    "evictionSoft",
    "evictionSoftGracePeriod",
    "evictionMaxPodGracePeriod",
    "imageGCHighThresholdPercent",
    "imageGCLowThresholdPercent",
    "cpuCFSQuota",
    "clusterDNS",
];
/// Top-level keys of a kustomization file (which may omit apiVersion and kind).
const KUSTOMIZATION_KEYS: [&str; 8] = [
    "resources",
    "bases",
    "patches",
    "patchesStrategicMerge",
    "patchesJson6902",
    "components",
    "configMapGenerator",
    "namePrefix",
];

/// The keys of `v` (a mapping) that are not in `known`.
fn unknown_fields<'v>(v: Option<&'v Value>, known: &[&str]) -> Vec<&'v str> {
    v.and_then(Value::as_object)
        .map(|m| m.keys().map(String::as_str).filter(|k| !known.contains(k)).collect())
        .unwrap_or_default()
}

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
    fn place(&self) -> String {
        format!("{} document {}", self.doc.file, self.doc.index)
    }
    /// What `kubectl apply` treats as the same object.
    fn key(&self) -> (String, String, String, String) {
        let group = self.api.split_once('/').map_or("", |g| g.0).to_string();
        (group, self.kind.clone(), self.ns().to_string(), self.name.clone())
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
                    format!("`{}` is not a pod count", excerpt(&v.to_string())),
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
    /// A Helm or Argo CD hook: runs around an install or a sync, not beside the workload.
    fn hook(&self) -> Option<String> {
        let ann = self.at(&["metadata", "annotations"])?;
        if let Some(h) = ann.get("helm.sh/hook").and_then(scalar) {
            let test = h.split(',').any(|x| x.trim().starts_with("test"));
            return Some(if test {
                format!("a Helm test (helm.sh/hook: {h}): runs only during `helm test`")
            } else {
                format!("a Helm hook (helm.sh/hook: {h}): runs around an install or upgrade, not beside the workload")
            });
        }
        ann.get("argocd.argoproj.io/hook").and_then(scalar).map(|h| {
            format!("an Argo CD hook (argocd.argoproj.io/hook: {h}): runs around a sync, not beside the workload")
        })
    }
}

/// A NodePool as read.
struct Pool {
    name: String,
    class: Option<String>,
    reqs: Vec<Requirement>,
    old_kubelet: Option<Value>,
    limits: Option<Value>,
}

/// A pod template as the webhook and the model need it.
struct PodTpl {
    labels: Labels,
    service_account: String,
    host_network: bool,
    node_selector: Labels,
    /// Node placement beyond the OS (affinity, other nodeSelector keys, tolerations).
    placement: bool,
    /// One pod's CPU and memory requests, as its spec writes them.
    requests: crate::model::requests::PodShape,
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
                format!("`{}` is not true or false", excerpt(&v.to_string())),
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
    let requests =
        super::requests::pod_requests(spec, spec_path).map_err(|(field, problem, fix)| o.err(&field, problem, fix))?;
    Ok(PodTpl {
        labels: labels_of(meta.and_then(|m| m.get("labels"))),
        service_account,
        host_network,
        node_selector,
        placement,
        requests,
    })
}

/// Resolves every document's kind, name and namespace; refuses what is not
/// a manifest yet (a Kustomization); keeps the last of duplicated objects.
fn resolve<'a>(docs: &'a [Doc], notes: &mut Vec<String>) -> Result<Vec<Obj<'a>>, InputError> {
    let mut objs = Vec::new();
    for d in docs {
        let kind = d.value.get("kind").and_then(scalar).unwrap_or_default();
        let api = d.value.get("apiVersion").and_then(scalar).unwrap_or_default();
        let dir = std::path::Path::new(&d.file)
            .parent()
            .map(|p| p.display().to_string())
            .filter(|p| !p.is_empty())
            .unwrap_or_else(|| "DIR".into());
        let kustomize_kind = matches!(kind.as_str(), "Kustomization" | "Component") && api.starts_with("kustomize.");
        let kustomize_keys = kind.is_empty() && KUSTOMIZATION_KEYS.iter().any(|k| d.value.get(k).is_some());
        if kustomize_kind || kustomize_keys {
            return Err(read::kustomization_error(&d.file, &dir));
        }
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
        super::names_within_limits(&d.file, d.index, &kind, &name, namespace.as_deref())?;
        objs.push(Obj {
            doc: d,
            kind,
            api,
            name,
            namespace,
        });
    }
    // `kubectl apply` applies the documents in turn: the last copy is what stays.
    let mut places: BTreeMap<(String, String, String, String), Vec<usize>> = BTreeMap::new();
    for (i, o) in objs.iter().enumerate() {
        if !o.name.is_empty() {
            places.entry(o.key()).or_default().push(i);
        }
    }
    let mut drop = BTreeSet::new();
    for at in places.values().filter(|v| v.len() > 1) {
        let last = &objs[*at.last().expect("non-empty")];
        notes.push(format!(
            "{} appears {} times ({}): the last is read, as `kubectl apply` would leave it",
            last.id(),
            at.len(),
            at.iter().map(|&i| objs[i].place()).collect::<Vec<_>>().join(", ")
        ));
        drop.extend(at[..at.len() - 1].iter().copied());
    }
    Ok(objs
        .into_iter()
        .enumerate()
        .filter(|(i, _)| !drop.contains(i))
        .map(|(_, o)| o)
        .collect())
}

/// Reads a SecurityGroupPolicy, noting fields its API does not have.
fn read_sgp(o: &Obj<'_>, notes: &mut Vec<String>) -> Sgp {
    if o.api != SGP_API {
        notes.push(format!(
            "{}: apiVersion `{}` is not {SGP_API}: read as {SGP_API}",
            o.id(),
            o.api
        ));
    }
    let spec = o.at(&["spec"]);
    for f in unknown_fields(spec, &SGP_SPEC_FIELDS) {
        notes.push(format!(
            "{}: spec.{f} is not a field of {SGP_API}: ignored (`kubectl apply` refuses it; other clients drop it)",
            o.id()
        ));
    }
    for what in ["podSelector", "serviceAccountSelector"] {
        let sel = spec.and_then(|s| s.get(what));
        for f in unknown_fields(sel, &SELECTOR_FIELDS) {
            if f == "matchNames" && what == "serviceAccountSelector" {
                let rest = sel.map(|s| unknown_fields(Some(s), &["matchNames"]).len()).unwrap_or(0);
                notes.push(format!(
                    "{}: serviceAccountSelector.matchNames is not in the current API ({SGP_API} takes matchLabels and matchExpressions): `kubectl apply` refuses it, other clients drop it, and the webhook never reads it; read without it{}",
                    o.id(),
                    if rest == 0 {
                        ": an empty selector, which matches every service account"
                    } else {
                        ""
                    }
                ));
            } else {
                notes.push(format!(
                    "{}: spec.{what}.{f} is not a label-selector field: ignored",
                    o.id()
                ));
            }
        }
    }
    for f in unknown_fields(spec.and_then(|s| s.get("securityGroups")), &["groupIds"]) {
        notes.push(format!(
            "{}: spec.securityGroups.{f} is not a field of {SGP_API}: ignored",
            o.id()
        ));
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
    if p.group_ids.len() > DEFAULT_SG_QUOTA {
        notes.push(format!(
            "{}: lists {} groupIds: resource controllers before PR #583 (2025-07) refuse a policy with more than {DEFAULT_SG_QUOTA} (CRD maxItems)",
            o.id(),
            p.group_ids.len()
        ));
    }
    for (what, s) in [
        ("podSelector", &p.pod_selector),
        ("serviceAccountSelector", &p.sa_selector),
    ] {
        if let Some(Some(why)) = s.as_ref().map(|s| s.invalid.clone()) {
            notes.push(format!(
                "{}: {what} is invalid ({why}): the webhook matches no pod with it",
                o.id()
            ));
        }
    }
    p
}

/// Reads a NodePool, noting fields its API does not have.
fn read_pool(o: &Obj<'_>, notes: &mut Vec<String>) -> Result<Pool, InputError> {
    if o.api != NODEPOOL_API {
        notes.push(format!(
            "{}: apiVersion `{}` is not {NODEPOOL_API}: read as {NODEPOOL_API}",
            o.id(),
            o.api
        ));
    }
    let mut unknown = Vec::new();
    for (path, known) in [
        (&["spec"][..], &NODEPOOL_SPEC_FIELDS[..]),
        (&["spec", "template"][..], &NODEPOOL_TEMPLATE_FIELDS[..]),
        (&["spec", "template", "spec"][..], &NODEPOOL_TEMPLATE_SPEC_FIELDS[..]),
    ] {
        for f in unknown_fields(o.at(path), known) {
            unknown.push(format!("{}.{f}", path.join(".")));
        }
    }
    if let Some(list) = o
        .at(&["spec", "template", "spec", "requirements"])
        .and_then(Value::as_array)
    {
        for (i, r) in list.iter().enumerate() {
            for f in unknown_fields(Some(r), &REQUIREMENT_FIELDS) {
                unknown.push(format!("spec.template.spec.requirements[{i}].{f}"));
            }
        }
    }
    for f in unknown {
        notes.push(format!(
            "{}: {f} is not a field of {NODEPOOL_API}: ignored (`kubectl apply` refuses it)",
            o.id()
        ));
    }
    if let Some(r) = o.at(&["spec", "replicas"]).filter(|v| !v.is_null()) {
        notes.push(format!(
            "{}: spec.replicas {r} makes a static pool of a fixed node count: the scenario still autoscales",
            o.id()
        ));
    }
    let reqs = nodepool::parse_requirements(
        o.at(&["spec", "template", "spec", "requirements"]),
        &o.doc.file,
        &o.id(),
    )?;
    Ok(Pool {
        name: o.name.clone(),
        class: o
            .at(&["spec", "template", "spec", "nodeClassRef", "name"])
            .and_then(scalar),
        reqs,
        old_kubelet: o.at(&["spec", "template", "spec", "kubelet"]).cloned(),
        limits: o.at(&["spec", "limits"]).filter(|v| !v.is_null()).cloned(),
    })
}

/// The pods a Rollout runs and the template they come from.
enum RolloutPods<'a> {
    Template,
    /// `spec.workloadRef` to a Deployment: its template, the Rollout's replicas.
    Ref {
        deployment: String,
        obj: Option<&'a Obj<'a>>,
    },
}

pub(super) fn import_docs(
    files: Vec<String>,
    docs: &[Doc],
    catalog: &Catalog,
    opts: &ImportOptions,
) -> Result<Import, InputError> {
    let mut notes: Vec<String> = Vec::new();
    let objs = resolve(docs, &mut notes)?;

    // Policies, service accounts, Karpenter objects, the CNI first: pods are classed against them.
    let mut sgps = Vec::new();
    let mut sas = ServiceAccounts::new();
    let mut pools: Vec<Pool> = Vec::new();
    let mut classes: BTreeMap<String, Value> = BTreeMap::new();
    let mut ignored: BTreeMap<String, u32> = BTreeMap::new();
    let mut cni_settings: Option<(CniSettings, &Obj<'_>)> = None;
    let mut no_ns = 0u32;
    for o in &objs {
        match o.kind.as_str() {
            "SecurityGroupPolicy" => {
                if o.namespace.is_none() {
                    no_ns += 1;
                }
                sgps.push(read_sgp(o, &mut notes));
            }
            "ServiceAccount" => {
                sas.insert((o.ns().to_string(), o.name.clone()), labels_of(o.at(&["metadata", "labels"])));
            }
            "NodePool" => pools.push(read_pool(o, &mut notes)?),
            "EC2NodeClass" => {
                if o.api != NODECLASS_API {
                    notes.push(format!(
                        "{}: apiVersion `{}` is not {NODECLASS_API}: read as {NODECLASS_API}",
                        o.id(),
                        o.api
                    ));
                }
                if o.at(&["spec", "userData"]).is_some() {
                    notes.push(format!(
                        "{}: has its own spec.userData: not read; if it sets maxPods (as the seed's script does), that value is not in this scenario",
                        o.id()
                    ));
                }
                for f in unknown_fields(o.at(&["spec", "kubelet"]), &KUBELET_FIELDS) {
                    notes.push(format!(
                        "{}: spec.kubelet.{f} is not a field of {NODECLASS_API}: ignored",
                        o.id()
                    ));
                }
                classes.insert(o.name.clone(), o.at(&["spec", "kubelet"]).cloned().unwrap_or(Value::Null));
            }
            "Provisioner" | "AWSNodeTemplate" | "NodeClaim" => {
                notes.push(format!(
                    "{}: Karpenter's {} API is not read (only NodePool {NODEPOOL_API} and EC2NodeClass {NODECLASS_API})",
                    o.id(),
                    o.api
                ));
            }
            k if TEMPLATE_KINDS.contains(&k) || k == "Pod" || k == "DaemonSet" || k == ROLLOUT => {
                if o.namespace.is_none() {
                    no_ns += 1;
                }
                if k == "DaemonSet" && o.name == cni::CONTAINER && cni_settings.is_none() {
                    let spec = o.at(&["spec", "template", "spec"]).cloned().unwrap_or(Value::Null);
                    cni_settings = Some((cni::from_pod_spec(&spec, &o.id()), o));
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

    // Rollouts that take their template from a Deployment.
    let mut rollout_refs: BTreeMap<(String, String), String> = BTreeMap::new();
    for o in objs.iter().filter(|o| o.kind == ROLLOUT) {
        if let Some(d) = o.at(&["spec", "workloadRef", "name"]).and_then(scalar) {
            rollout_refs.insert((o.ns().to_string(), d), o.id());
        }
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
        if !(TEMPLATE_KINDS.contains(&kind) || matches!(kind, "Pod" | "DaemonSet" | ROLLOUT)) {
            continue;
        }
        if let Some(h) = o.hook() {
            notes.push(format!("{}: {h}: not counted", o.id()));
            continue;
        }
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
            let pods = match rollout_refs.get(&(o.ns().to_string(), o.name.clone())) {
                Some(rollout) if kind == "Deployment" => {
                    let r = objs.iter().find(|x| x.id() == *rollout);
                    let scale = r
                        .and_then(|r| r.at(&["spec", "workloadRef", "scaleDown"]))
                        .and_then(scalar)
                        .unwrap_or_else(|| "never".into());
                    if scale == "never" {
                        notes.push(format!(
                            "{}: the template of {rollout}, which does not scale it down (workloadRef.scaleDown: never): its own {pods} pods are counted too",
                            o.id()
                        ));
                        pods
                    } else {
                        notes.push(format!(
                            "{}: the template of {rollout}, which scales it down (workloadRef.scaleDown: {scale}): counted as 0 pods",
                            o.id()
                        ));
                        0
                    }
                }
                _ => pods,
            };
            (tpl, pods)
        } else if kind == ROLLOUT {
            let how = match o.at(&["spec", "workloadRef"]).filter(|v| !v.is_null()) {
                None => RolloutPods::Template,
                Some(r) => {
                    let deployment = r.get("name").and_then(scalar).unwrap_or_default();
                    RolloutPods::Ref {
                        obj: objs
                            .iter()
                            .find(|x| x.kind == "Deployment" && x.ns() == o.ns() && x.name == deployment),
                        deployment,
                    }
                }
            };
            let pods = o.count(&["spec", "replicas"], 1)?;
            let tpl = match how {
                RolloutPods::Template => pod_tpl(
                    o,
                    o.at(&["spec", "template", "metadata"]),
                    o.at(&["spec", "template", "spec"]),
                    "spec.template.spec",
                )?,
                RolloutPods::Ref { obj: Some(d), .. } => pod_tpl(
                    d,
                    d.at(&["spec", "template", "metadata"]),
                    d.at(&["spec", "template", "spec"]),
                    "spec.template.spec",
                )?,
                RolloutPods::Ref {
                    obj: None, deployment, ..
                } => {
                    notes.push(format!(
                        "{}: spec.workloadRef names Deployment {}/{deployment}, which is not in the manifests: its {pods} pods are not counted",
                        o.id(),
                        o.ns()
                    ));
                    continue;
                }
            };
            notes.push(format!(
                "{}: an Argo Rollout, counted at spec.replicas ({pods}); during a canary or blue-green update it also runs the new ReplicaSet's pods, which are not counted",
                o.id()
            ));
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
        } else {
            // DaemonSet.
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
            let class = class_of(&tpl, o.ns());
            match &class {
                PodClass::Host | PodClass::Ip => daemons.push(DaemonLine {
                    origin: o.id(),
                    host: class == PodClass::Host,
                    assumed: false,
                    requests: tpl.requests.clone(),
                }),
                PodClass::Sg { policies, .. } | PodClass::OverQuota { policies, .. } => {
                    notes.push(format!(
                        "{}: its pods match {} and take a branch ENI{}; the model has no SG system pods: counted as an IP system pod",
                        o.id(),
                        policies.join(", "),
                        if matches!(class, PodClass::OverQuota { .. }) {
                            " that is never created (too many security groups)"
                        } else {
                            ""
                        }
                    ));
                    daemons.push(DaemonLine {
                        origin: o.id(),
                        host: false,
                        assumed: false,
                        requests: tpl.requests.clone(),
                    });
                }
                other => notes.push(format!(
                    "{}: {}: not on these nodes, not counted",
                    o.id(),
                    class_text(other)
                )),
            }
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
            PodClass::Fargate | PodClass::Windows => {
                notes.push(format!("{}: {}: not counted", o.id(), class_text(&class)));
            }
            PodClass::OverQuota { groups, .. } => notes.push(format!(
                "{}: its {pods} pods match {groups} security groups, above the quota of {DEFAULT_SG_QUOTA} per network interface (service quota L-2AFB9258): the webhook admits them with pod-eni and the branch ENI creation fails (\"exceeded limit {DEFAULT_SG_QUOTA} on the number of interface security group memberships\", resource controller PR #583): each holds a slot and a branch ENI and never starts; counted as SG pods, which the model runs",
                o.id()
            )),
            _ => {}
        }
        workloads.push(WorkloadLine {
            origin: o.id(),
            pods,
            kind: class_kind(&class),
            why: class_text(&class),
            requests: tpl.requests,
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
                    requests: crate::model::requests::PodShape {
                        containers: vec![Default::default()],
                        ..Default::default()
                    },
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

    // The CNI's settings.
    let cni = CniPart::read(cni_settings.as_ref().map(|(c, o)| (c, *o)), sgps.len(), &mut notes)?;

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
        let mut windows = Vec::new();
        for Pool { name, reqs, .. } in &pools {
            if let Some(os) = nodepool::windows_only(reqs) {
                windows.push(format!("{name}: {os}"));
                notes.push(format!(
                    "NodePool {name}: `{os}` admits only Windows nodes, which are out of scope (MODEL.md §3): its types are not in the scenario"
                ));
                continue;
            }
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
        if types.is_empty() && windows.len() == pools.len() {
            return Err(InputError::file(
                files.join(", "),
                format!(
                    "every NodePool admits only Windows nodes ({}): Windows nodes are out of scope of this model (MODEL.md §3), which is about the Linux VPC CNI's IPv4 pool",
                    windows.join(", ")
                ),
                "import the Linux NodePools, or name Linux types with --types",
            ));
        }
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

    // Node limit from the NodePools' limits.
    let (max_nodes, max_nodes_origin) = node_limit(&pools, &mut types, catalog, &mut notes);

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
            notes.push(format!(
                "NodePool {name}: spec.template.spec.kubelet is the v1beta1 place for kubelet settings (v1 moved it to the EC2NodeClass)"
            ));
            add_kubelet_formula(
                &mut formulas,
                &mut notes,
                k,
                &format!("NodePool {name} (v1beta1 kubelet)"),
            );
        }
    }
    add_candidates(&mut formulas);
    cni.type_notes(&types, catalog, &mut notes);
    let (custom_networking, cni_version, node_lines) = cni.node_lines(&mut notes);

    let mut imp = Import {
        command: "from-manifests",
        name: opts.name.clone(),
        files,
        types,
        types_origin,
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
        system_counted: None,
        system_by_type: BTreeMap::new(),
        workloads,
        max_nodes,
        max_nodes_origin,
        notes,
    };
    drop_unusable(&mut imp, catalog);
    Ok(imp)
}

/// The formulas every imported scenario compares, after the cluster's own.
pub(crate) fn add_candidates(formulas: &mut Vec<(String, String)>) {
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
}

/// The CNI's settings as the scenario records them.
pub(crate) struct CniPart {
    pub sgp: bool,
    pub sgp_origin: String,
    pub pd: bool,
    pub pd_origin: String,
    pub comments: Vec<String>,
    pub timed: Vec<(String, u32, String)>,
    pub settings: Option<CniSettings>,
}

impl CniPart {
    /// From the aws-node settings (with the object they came from, to name
    /// errors), or, without them, from whether policies exist.
    fn read(
        found: Option<(&CniSettings, &Obj<'_>)>,
        policies: usize,
        notes: &mut Vec<String>,
    ) -> Result<CniPart, InputError> {
        match found {
            Some((c, o)) => {
                if c.is_ipv6() {
                    return Err(o.err(
                        "spec.template.spec.containers[aws-node].env.ENABLE_IPv6",
                        cni::ipv6_problem(&c.origin),
                        "sgpsim models IPv4 clusters only: import an IPv4 cluster's manifests",
                    ));
                }
                Ok(CniPart::from_settings(c, policies, notes))
            }
            None => {
                let sgp = policies > 0;
                notes.push(format!(
                    "no aws-node DaemonSet in the manifests: ENABLE_POD_ENI taken as {sgp} ({policies} SecurityGroupPolicies), prefix delegation and custom networking as off (the CNI's defaults)"
                ));
                Ok(CniPart {
                    sgp,
                    sgp_origin: if sgp {
                        format!(
                            "{policies} SecurityGroupPolicies found and no aws-node DaemonSet: taken as ENABLE_POD_ENI=true"
                        )
                    } else {
                        "no SecurityGroupPolicy and no aws-node DaemonSet found: taken as ENABLE_POD_ENI=false".into()
                    },
                    pd: false,
                    pd_origin:
                        "no aws-node DaemonSet found: taken as ENABLE_PREFIX_DELEGATION=false, the CNI's default".into(),
                    comments: Vec::new(),
                    timed: Vec::new(),
                    settings: None,
                })
            }
        }
    }

    /// From settings already checked not to be IPv6.
    pub fn from_settings(c: &CniSettings, policies: usize, notes: &mut Vec<String>) -> CniPart {
        let shown = |v: Option<bool>, name: &str| match v {
            Some(b) => format!("{name}={b}"),
            None => format!("{name} unset (the CNI's default, false)"),
        };
        notes.extend(c.notes.iter().cloned());
        let sgp = c.sgp();
        if !sgp && policies > 0 {
            notes.push(format!(
                "{}: ENABLE_POD_ENI is not true, yet {policies} SecurityGroupPolicies exist: the webhook still gives matching pods a pod-eni request, no node advertises branch ENIs, and those pods stay Pending (so they do in the scenario: sgp = false)",
                c.origin
            ));
        }
        let mut comments = Vec::new();
        if let Some(m) = c.max_eni {
            comments.push(format!(
                "MAX_ENI={m} ({}): the CNI attaches at most {m} ENIs per node",
                c.origin
            ));
            notes.push(format!(
                "{}: MAX_ENI={m} caps the ENIs per node: not modelled by the engine (the scenario's pod IPs use every ENI of the type)",
                c.origin
            ));
        }
        if let Some(w) = c.warm_prefix_target {
            comments.push(format!(
                "WARM_PREFIX_TARGET={w} ({}): the prefix pool's warm target",
                c.origin
            ));
        }
        let mut timed = Vec::new();
        for (key, v, var) in [
            ("warm_eni_target", c.warm_eni_target, "WARM_ENI_TARGET"),
            ("warm_ip_target", c.warm_ip_target, "WARM_IP_TARGET"),
            ("minimum_ip_target", c.minimum_ip_target, "MINIMUM_IP_TARGET"),
        ] {
            if let Some(v) = v {
                timed.push((key.to_string(), v, var.to_string()));
            }
        }
        if !timed.is_empty() {
            notes.push(format!(
                "{} sets {}: IP pool targets, which only the timed model has: written as a commented [timed.cni] table",
                c.origin,
                timed
                    .iter()
                    .map(|(_, v, var)| format!("{var}={v}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        CniPart {
            sgp,
            sgp_origin: format!("{}: {}", c.origin, shown(c.pod_eni, "ENABLE_POD_ENI")),
            pd: c.pd(),
            pd_origin: format!(
                "{}: {}",
                c.origin,
                shown(c.prefix_delegation, "ENABLE_PREFIX_DELEGATION")
            ),
            comments,
            timed,
            settings: Some(c.clone()),
        }
    }

    /// The scenario's `custom_networking` and `cni_version` lines, with the
    /// comment naming where each came from: custom networking where it is
    /// on; the version where it changes the figures (SGP on and older than
    /// v1.20.4, MODEL.md §3) and a scenario takes it.
    pub fn node_lines(&self, notes: &mut Vec<String>) -> (bool, Option<CniVersion>, Vec<(String, String)>) {
        let Some(c) = &self.settings else {
            return (false, None, Vec::new());
        };
        let mut lines = Vec::new();
        if c.custom() {
            lines.push((
                format!(
                    "{}: AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG=true: pods take IPs from an ENIConfig's subnet, the primary ENI gives none (MODEL.md §3, c = 1)",
                    c.origin
                ),
                "custom_networking = true".to_string(),
            ));
        }
        let mut version = c
            .version
            .filter(|&v| self.sgp && v < crate::model::node::CNI_TRUNK_ONLY_WHERE_COMPATIBLE);
        if let Some((a, b, p)) = version {
            let raw = crate::input::node_settings::RawNodeSettings {
                sgp: Some(self.sgp),
                prefix_delegation: Some(self.pd),
                cni_version: Some(format!("{a}.{b}.{p}")),
                ..Default::default()
            };
            match crate::input::node_settings::validate(&raw, crate::input::node_settings::Source::Scenario) {
                Ok(_) => {
                    notes.push(format!(
                        "{}: the CNI is v{a}.{b}.{p}, older than v1.20.4: written as cni_version, so the trunk's ENI slot is held back as that version does (MODEL.md §3)",
                        c.origin
                    ));
                    lines.push((
                    format!(
                        "{}: image {}: before v1.20.4 the CNI holds a trunk slot back on every type with ENABLE_POD_ENI=true{}",
                        c.origin,
                        c.image.as_deref().unwrap_or("?"),
                        if (a, b, p) < crate::model::node::CNI_TRUNK_SLOT_RESERVED {
                            "; before v1.16.4 it gives the trunk's IPs to pods"
                        } else {
                            ""
                        }
                    ),
                    format!("cni_version = \"{a}.{b}.{p}\""),
                    ));
                }
                Err(e) => {
                    notes.push(format!(
                        "{}: the CNI's image names v{a}.{b}.{p}, which the scenario cannot take ({}): the current CNI's rules are used",
                        c.origin, e.problem
                    ));
                    version = None;
                }
            }
        }
        (c.custom(), version, lines)
    }

    /// Notes that depend on the instance types.
    pub fn type_notes(&self, types: &[String], catalog: &Catalog, notes: &mut Vec<String>) {
        let Some(c) = &self.settings else { return };
        if c.pd() {
            let xen: Vec<&str> = types
                .iter()
                .filter(|n| catalog.get(n).is_some_and(|t| t.hypervisor == "xen"))
                .map(String::as_str)
                .collect();
            if !xen.is_empty() {
                notes.push(format!(
                    "prefix delegation needs Nitro instances: {} are Xen types (the scenario still gives them 16 IPs per slot)",
                    xen.join(", ")
                ));
            }
        }
    }
}

/// `[nodes] max` from the NodePools' `limits`: per type, the nodes the pools
/// that allow it may launch (the sum over those pools; no limit in one of
/// them is no limit); the scenario takes the largest, since one figure
/// applies to every type. Types no pool can launch even once are dropped.
fn node_limit(
    pools: &[Pool],
    types: &mut Vec<String>,
    catalog: &Catalog,
    notes: &mut Vec<String>,
) -> (u32, Vec<String>) {
    if pools.iter().all(|p| p.limits.is_none()) {
        let origin = if pools.is_empty() {
            format!("no NodePool: {DEFAULT_MAX_NODES}, the scenario's default")
        } else {
            format!("the NodePools set no limits: {DEFAULT_MAX_NODES}, the scenario's default")
        };
        return (DEFAULT_MAX_NODES, vec![origin]);
    }
    let mut per_type: BTreeMap<String, Option<u64>> = BTreeMap::new();
    let mut pool_notes: BTreeSet<String> = BTreeSet::new();
    // The types each pool allows, computed once.
    let allows: Vec<BTreeSet<&str>> = pools
        .iter()
        .map(|p| {
            if nodepool::windows_only(&p.reqs).is_some() {
                BTreeSet::new()
            } else {
                nodepool::allowed(&p.reqs, catalog)
                    .0
                    .into_iter()
                    .map(|t| t.name.as_str())
                    .collect()
            }
        })
        .collect();
    for name in types.iter() {
        let Some(t) = catalog.get(name) else { continue };
        let mut total: Option<u64> = Some(0);
        let mut any = false;
        for (p, _) in pools.iter().zip(&allows).filter(|(_, a)| a.contains(name.as_str())) {
            any = true;
            let (n, ns) = limits::nodes_allowed(p.limits.as_ref(), t);
            pool_notes.extend(ns.into_iter().map(|x| format!("NodePool {}: {x}", p.name)));
            total = match (total, n) {
                (Some(a), Some(b)) => Some(a + b),
                _ => None,
            };
        }
        per_type.insert(name.clone(), if any { total } else { None });
    }
    notes.extend(pool_notes);
    let blocked: Vec<String> = per_type
        .iter()
        .filter(|(_, n)| **n == Some(0))
        .map(|(t, _)| t.clone())
        .collect();
    if !blocked.is_empty() && blocked.len() < types.len() {
        notes.push(format!(
            "dropped {} types that the NodePools' limits leave no room for (one node exceeds them): {}",
            blocked.len(),
            blocked.join(", ")
        ));
        types.retain(|t| !blocked.contains(t));
    }
    let mut by_figure: BTreeMap<Option<u64>, Vec<&str>> = BTreeMap::new();
    for (t, n) in &per_type {
        if types.contains(t) {
            by_figure.entry(*n).or_default().push(t);
        }
    }
    let figure = |n: Option<u64>| n.unwrap_or(u64::from(DEFAULT_MAX_NODES));
    let max = by_figure
        .keys()
        .map(|n| figure(*n))
        .max()
        .unwrap_or(u64::from(DEFAULT_MAX_NODES))
        .clamp(1, u64::from(MAX_NODES)) as u32;
    let mut origin = vec![
        "from the NodePools' limits, nodes per type (cpu over vCPUs, memory over Karpenter's memory capacity):"
            .to_string(),
    ];
    for (n, ts) in by_figure.iter().rev() {
        let what = match n {
            Some(n) => format!("{n} nodes"),
            None => format!("no limit ({DEFAULT_MAX_NODES}, the default)"),
        };
        origin.push(format!("  {what}: {}", ts.join(", ")));
    }
    if by_figure.len() > 1 {
        origin.push(format!(
            "one figure applies to every type: the largest, {max}; smaller limits are not enforced on their types"
        ));
        notes.push(format!(
            "[nodes] max = {max}, the largest of the NodePools' per-type limits; types with larger nodes hit their limit sooner in the cluster (see the comment)"
        ));
    }
    (max, origin)
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
                "{who}: kubelet.maxPods `{}` is neither a number nor an expression: ignored",
                crate::model::formula::shown(&other.to_string())
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
            "{who}: kubelet.maxPods `{}` is not a formula sgpsim reads: {}",
            crate::model::formula::shown(&text),
            e.problem
        )),
    }
}

/// Drops formulas that leave no room on some type, and types whose pod IPs
/// cannot hold the IP system pods, so that the scenario validates.
pub(crate) fn drop_unusable(imp: &mut Import, catalog: &Catalog) {
    let settings = NodeSettings {
        sgp: imp.sgp,
        prefix_delegation: imp.prefix_delegation,
        custom_networking: imp.custom_networking,
        cni_version: imp.cni_version,
        ..NodeSettings::default()
    };
    let system_of = |imp: &Import, n: &str| imp.system_by_type.get(n).copied().unwrap_or(imp.system());
    let before = imp.types.len();
    let mut dropped_types = Vec::new();
    let keep: Vec<bool> = imp
        .types
        .iter()
        .map(|n| {
            catalog
                .get(n)
                .is_some_and(|t| ip_capacity(t, &settings) >= system_of(imp, n).ip)
        })
        .collect();
    let mut kept = Vec::new();
    for (n, k) in imp.types.drain(..).zip(keep) {
        if k {
            kept.push(n);
        } else {
            dropped_types.push(n);
        }
    }
    imp.types = kept;
    if !dropped_types.is_empty() && dropped_types.len() < before {
        imp.notes.push(format!(
            "dropped {} types whose pod IPs cannot hold the {} IP system pods: {}",
            dropped_types.len(),
            imp.system().ip,
            dropped_types.join(", ")
        ));
    } else if !dropped_types.is_empty() {
        imp.types = dropped_types; // Keep them: validation will say why, naming the field.
    }
    // Pods that request CPU or memory need each type's vCPUs and memory.
    if imp.requests().counted() {
        let (with, without): (Vec<String>, Vec<String>) = imp.types.iter().cloned().partition(|n| {
            catalog
                .get(n)
                .is_some_and(|t| t.vcpus.is_some() && t.memory_mib.is_some())
        });
        if !without.is_empty() && !with.is_empty() {
            imp.notes.push(format!(
                "dropped {} types the catalog gives no vCPUs or memory for, which the pods' CPU and memory requests need: {}",
                without.len(),
                without.join(", ")
            ));
            imp.types = with;
        }
    }
    let mut notes = Vec::new();
    let types = imp.types.clone();
    let systems: Vec<_> = types.iter().map(|n| system_of(imp, n)).collect();
    imp.formulas.retain(|(f, _)| {
        let Ok(formula) = Formula::parse(f) else { return false };
        for (n, sys) in types.iter().zip(&systems) {
            let Some(t) = catalog.get(n) else { continue };
            match formula.max_pods(t, &settings, *sys) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::manifest::read::parse_docs;
    use crate::model::node::Res;

    fn import(yaml: &str) -> Result<Import, InputError> {
        let docs = parse_docs(yaml, "m.yaml")?;
        import_docs(
            vec!["m.yaml".into()],
            &docs,
            &Catalog::bundled(),
            &ImportOptions::default(),
        )
    }

    const DEPLOY: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api, namespace: a}\nspec:\n  replicas: 3\n  template:\n    metadata: {labels: {app: api}}\n    spec: {containers: [{name: c, image: i}]}\n";

    fn policy(groups: usize) -> String {
        let ids: Vec<String> = (0..groups).map(|i| format!("sg-{i}")).collect();
        format!(
            "apiVersion: vpcresources.k8s.aws/v1beta1\nkind: SecurityGroupPolicy\nmetadata: {{name: p, namespace: a}}\nspec:\n  podSelector: {{matchLabels: {{app: api}}}}\n  securityGroups: {{groupIds: [{}]}}\n",
            ids.join(", ")
        )
    }

    fn aws_node(env: &str) -> String {
        format!(
            "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {{name: aws-node, namespace: kube-system}}\nspec:\n  template:\n    spec:\n      hostNetwork: true\n      containers:\n      - name: aws-node\n        image: 602401143452.dkr.ecr.us-west-2.amazonaws.com/amazon-k8s-cni:v1.20.4-eksbuild.1\n        env: [{env}]\n"
        )
    }

    fn has(imp: &Import, needle: &str) -> bool {
        imp.notes.iter().any(|n| n.contains(needle))
    }

    /// Requests come from containers, init containers and overhead (a
    /// limit standing in for a request left out), one group per kind and
    /// request; the scenario written loads with the same requests; a bad
    /// quantity names the object, the container and the fix.
    #[test]
    fn requests_are_read_from_the_pod_specs() {
        let deploy = |name: &str, replicas: u32, cpu: &str, extra: &str| {
            format!(
                "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {name}, namespace: a}}\nspec:\n  replicas: {replicas}\n  template:\n    metadata: {{labels: {{app: {name}}}}}\n    spec:\n      containers: [{{name: c, image: i, resources: {{requests: {{cpu: \"{cpu}\", memory: 256Mi}}}}}}]\n{extra}"
            )
        };
        let init = "      initContainers: [{name: i, image: i, resources: {limits: {cpu: \"2\"}}}]\n      overhead: {memory: 64Mi}\n";
        let ds = "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: agent, namespace: kube-system}\nspec:\n  template:\n    spec:\n      hostNetwork: true\n      containers: [{name: c, image: i, resources: {requests: {cpu: 50m}}}]\n";
        let yaml = format!(
            "{}---\n{}---\n{}---\n{ds}",
            deploy("web", 3, "500m", ""),
            deploy("batch", 1, "250m", init),
            deploy("api", 2, "500m", ""),
        );
        let imp = import(&yaml).unwrap();
        let req = imp.requests();
        let mib = crate::model::node::MIB;
        // web and api ask the same: one group of 5; batch its own:
        // max(250m, 2 (its init container's limit)) = 2000m, 256Mi + 64Mi.
        assert_eq!(req.groups.len(), 2, "{:?}", req.groups);
        let (web, batch) = (&req.groups[0], &req.groups[1]);
        assert_eq!((web.name.as_str(), web.pods), ("a/web", 5));
        assert_eq!(web.origins, ["Deployment a/web", "Deployment a/api"]);
        assert_eq!(
            batch.requests.request().requested,
            Res {
                cpu: 2000,
                memory: 320 * mib
            }
        );
        // Host DaemonSets: agent (50m) and the assumed aws-node and kube-proxy (none): ceil(50 / 3).
        assert_eq!(req.system_host.cpu, Some(17));
        assert_eq!(req.system_host.memory, None);
        assert!(req.counted());
        let text = crate::input::manifest::write::scenario_toml(&imp);
        assert!(
            text.contains("[[workload.groups]]\n# Deployment a/web, Deployment a/api\nname = \"a/web\"\nkind = \"ip\"\npods = 5\nrequests = { cpu = \"500m\", memory = \"256Mi\" }"),
            "{text}"
        );
        assert!(
            text.contains("requests = { containers = [{ cpu = \"250m\", memory = \"256Mi\" }], init_containers = [{ cpu = \"2000m\" }], overhead = { memory = \"64Mi\" } }"),
            "{text}"
        );
        assert!(!text.contains("ip_pods"), "{text}");
        let sc = crate::input::scenario::Scenario::from_toml(&text, "t", &Catalog::bundled()).unwrap();
        assert_eq!(sc.groups.len(), 2);
        assert_eq!(sc.requests.pod[0], web.requests.request());
        assert_eq!(sc.requests.pod[1], batch.requests.request());
        assert_eq!(sc.requests.system_host.requested.cpu, 17);
        // Without requests, no tables: the scenario is as before.
        let plain = crate::input::manifest::write::scenario_toml(&import(DEPLOY).unwrap());
        assert!(!plain.contains("requests") && !plain.contains("groups"), "{plain}");
        // A bad quantity.
        let e = import(&deploy("web", 1, "fast", "")).unwrap_err();
        assert_eq!(
            e.field.as_deref(),
            Some("spec.template.spec.containers[0].resources.requests.cpu"),
            "{e}"
        );
        assert!(
            e.to_string().contains("Deployment a/web") && e.fix.contains("250m"),
            "{e}"
        );
    }

    /// Issue 10: more than 5 security groups was dropped as "denied".
    #[test]
    fn over_quota_pods_hold_a_slot_and_a_branch() {
        let imp = import(&format!("{DEPLOY}---\n{}", policy(6))).unwrap();
        assert_eq!(imp.counts(), (3, 0, 0));
        assert!(has(&imp, "never starts"), "{:?}", imp.notes);
        assert!(has(&imp, "PR #583"), "{:?}", imp.notes);
        let imp = import(&format!("{DEPLOY}---\n{}", policy(5))).unwrap();
        assert_eq!(imp.counts(), (3, 0, 0));
        assert!(!has(&imp, "never starts"));
    }

    #[test]
    fn the_aws_node_environment_sets_the_node_settings() {
        let off = aws_node("{name: ENABLE_POD_ENI, value: 'false'}");
        let imp = import(&format!("{DEPLOY}---\n{}---\n{off}", policy(1))).unwrap();
        assert!(!imp.sgp, "ENABLE_POD_ENI=false wins over the policies");
        assert!(has(&imp, "stay Pending"), "{:?}", imp.notes);
        let on = aws_node(
            "{name: ENABLE_POD_ENI, value: 'true'}, {name: ENABLE_PREFIX_DELEGATION, value: 'true'}, {name: AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG, value: 'true'}, {name: WARM_IP_TARGET, value: '5'}",
        );
        let imp = import(&format!("{DEPLOY}---\n{on}")).unwrap();
        assert!(imp.sgp && imp.prefix_delegation, "no policy, yet ENABLE_POD_ENI=true");
        // Custom networking is a scenario setting now, written with its origin.
        assert!(imp.custom_networking);
        assert_eq!(
            imp.node_lines.len(),
            1,
            "v1.20.4 needs no cni_version: {:?}",
            imp.node_lines
        );
        assert_eq!(imp.node_lines[0].1, "custom_networking = true");
        assert!(imp.node_lines[0].0.contains("aws-node"), "{:?}", imp.node_lines);
        assert_eq!(
            imp.timed_cni,
            [("warm_ip_target".to_string(), 5, "WARM_IP_TARGET".to_string())]
        );
        // An older CNI is written as cni_version, which the scenario follows.
        let old = aws_node("{name: ENABLE_POD_ENI, value: 'true'}").replace("v1.20.4", "v1.16.2");
        let imp = import(&format!("{DEPLOY}---\n{old}")).unwrap();
        assert_eq!(imp.cni_version, Some((1, 16, 2)));
        assert!(
            imp.node_lines
                .iter()
                .any(|(c, l)| l == "cni_version = \"1.16.2\"" && c.contains("trunk's IPs to pods"))
        );
        // One SGP cannot run on is left out, with a note.
        let ancient = aws_node("{name: ENABLE_POD_ENI, value: 'true'}").replace("v1.20.4", "v1.6.0");
        let imp = import(&format!("{DEPLOY}---\n{ancient}")).unwrap();
        assert_eq!(imp.cni_version, None);
        assert!(has(&imp, "cannot take"), "{:?}", imp.notes);
        let imp = import(DEPLOY).unwrap();
        assert!(!imp.sgp && has(&imp, "no aws-node DaemonSet"));
    }

    #[test]
    fn ipv6_is_refused() {
        let v6 = aws_node("{name: ENABLE_IPv6, value: 'true'}");
        let e = import(&format!("{DEPLOY}---\n{v6}")).unwrap_err();
        assert_eq!(e.file.as_deref(), Some("m.yaml"));
        assert!(e.field.as_deref().unwrap().contains("ENABLE_IPv6"), "{e}");
        assert!(e.problem.contains("IPv6") && e.problem.contains("MODEL.md"), "{e}");
    }

    #[test]
    fn match_names_and_unknown_fields_are_reported() {
        let p = "apiVersion: vpcresources.k8s.aws/v1beta1\nkind: SecurityGroupPolicy\nmetadata: {name: p, namespace: a}\nspec:\n  serviceAccountSelector: {matchNames: [api-sa]}\n  securityGroups: {groupIds: [sg-1], extra: 1}\n  podSelectr: {}\n";
        let imp = import(&format!("{DEPLOY}---\n{p}")).unwrap();
        assert!(has(&imp, "matchNames is not in the current API"), "{:?}", imp.notes);
        assert!(has(&imp, "matches every service account"), "{:?}", imp.notes);
        assert!(has(&imp, "spec.podSelectr is not a field"), "{:?}", imp.notes);
        assert!(has(&imp, "spec.securityGroups.extra"), "{:?}", imp.notes);
        // `{}` after the field is dropped: every pod of the namespace is an SG pod.
        assert_eq!(imp.counts(), (3, 0, 0));
    }

    #[test]
    fn hooks_rollouts_and_duplicates() {
        let hook = "apiVersion: batch/v1\nkind: Job\nmetadata: {name: migrate, namespace: a, annotations: {helm.sh/hook: pre-upgrade}}\nspec:\n  template:\n    spec: {containers: [{name: c, image: i}]}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: t, namespace: a, annotations: {helm.sh/hook: test}}\nspec: {containers: [{name: c, image: i}]}\n";
        let rollout = "apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata: {name: web, namespace: a}\nspec:\n  replicas: 4\n  template:\n    metadata: {labels: {app: web}}\n    spec: {containers: [{name: c, image: i}]}\n---\napiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata: {name: api-r, namespace: a}\nspec:\n  replicas: 5\n  workloadRef: {apiVersion: apps/v1, kind: Deployment, name: api, scaleDown: onsuccess}\n";
        let dup = DEPLOY.replace("replicas: 3", "replicas: 2");
        let imp = import(&format!("{DEPLOY}---\n{hook}---\n{rollout}---\n{dup}")).unwrap();
        // web 4 + api-r 5 (the api Deployment's template) + api 0 (scaled down).
        assert_eq!(imp.counts(), (0, 9, 0), "{:?}", imp.notes);
        assert!(has(&imp, "a Helm hook (helm.sh/hook: pre-upgrade)"));
        assert!(has(&imp, "a Helm test"));
        assert!(
            has(&imp, "appears 2 times (m.yaml document 1, m.yaml document 6)"),
            "{:?}",
            imp.notes
        );
        assert!(has(&imp, "an Argo Rollout"));
    }

    #[test]
    fn kustomizations_are_refused_with_the_command_that_renders_them() {
        let e = import("resources: [deploy.yaml]\npatches: []\n").unwrap_err();
        assert!(e.fix.contains("kubectl kustomize"), "{e}");
        let e = import("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [a.yaml]\n")
            .unwrap_err();
        assert!(e.problem.contains("Kustomization"), "{e}");
    }

    #[test]
    fn windows_pools_and_limits() {
        let pool = |name: &str, reqs: &str, limits: &str| {
            format!(
                "apiVersion: karpenter.sh/v1\nkind: NodePool\nmetadata: {{name: {name}}}\nspec:\n  template:\n    spec:\n      nodeClassRef: {{name: c}}\n      requirements: [{reqs}]\n{limits}"
            )
        };
        let win = pool("win", "{key: kubernetes.io/os, operator: In, values: [windows]}", "");
        let e = import(&format!("{DEPLOY}---\n{win}")).unwrap_err();
        assert!(e.problem.contains("Windows nodes are out of scope"), "{e}");
        let linux = pool(
            "linux",
            "{key: node.kubernetes.io/instance-type, operator: In, values: [m5.large, m5.xlarge]}",
            "  limits: {cpu: '40'}\n",
        );
        let imp = import(&format!("{DEPLOY}---\n{win}---\n{linux}")).unwrap();
        assert_eq!(imp.types, ["m5.large", "m5.xlarge"]);
        assert!(has(&imp, "NodePool win"), "{:?}", imp.notes);
        // 40 CPUs: 20 m5.large or 10 m5.xlarge; the scenario takes 20.
        assert_eq!(imp.max_nodes, 20);
        assert!(
            imp.max_nodes_origin.iter().any(|l| l.contains("10 nodes: m5.xlarge")),
            "{:?}",
            imp.max_nodes_origin
        );
    }
}
