//! A cluster's state as `kubectl get nodes,pods -A -o json` prints it: the
//! nodes and pods the audit needs, read into plain records.

use crate::input::bounds::excerpt;
use serde_json::Value;

use crate::error::InputError;
use crate::input::manifest::cni::{self, CniSettings};
use crate::input::manifest::read::Doc;
use crate::input::manifest::selector::scalar;
use crate::input::manifest::{PodKind, quantity};

/// The label that names a node's instance type, and its deprecated twin.
pub const LABEL_INSTANCE_TYPE: &str = "node.kubernetes.io/instance-type";
pub const LABEL_INSTANCE_TYPE_BETA: &str = "beta.kubernetes.io/instance-type";
/// The extended resource of branch ENIs.
pub const POD_ENI: &str = "vpc.amazonaws.com/pod-eni";
/// The waiting reason of a pod whose sandbox is not up yet.
pub const CONTAINER_CREATING: &str = "ContainerCreating";

/// One Node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeObj {
    pub name: String,
    pub file: String,
    pub instance_type: Option<String>,
    /// `kubernetes.io/os`.
    pub os: Option<String>,
    /// `eks.amazonaws.com/compute-type: fargate`.
    pub fargate: bool,
    /// `M`: `status.allocatable.pods`.
    pub max_pods: u32,
    /// `status.allocatable["vpc.amazonaws.com/pod-eni"]`, 0 when absent.
    pub branch_capacity: u32,
    /// Whether the node advertises `vpc.amazonaws.com/pod-eni` at all.
    pub advertises_pod_eni: bool,
}

/// One Pod.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PodObj {
    pub namespace: String,
    pub name: String,
    /// `spec.nodeName`: bound when set.
    pub node: Option<String>,
    pub phase: String,
    pub kind: PodKind,
    /// `status.podIP` is set.
    pub has_ip: bool,
    /// The first waiting reason of its containers (init containers first), and its message.
    pub waiting: Option<(String, Option<String>)>,
    /// The controller owner: (kind, name).
    pub owner: Option<(String, String)>,
    /// A static pod's mirror (annotation `kubernetes.io/config.mirror`).
    pub mirror: bool,
    /// `pod-template-hash`, to name a ReplicaSet's Deployment.
    pub template_hash: Option<String>,
    /// `eks.amazonaws.com/fargate-profile`.
    pub fargate: bool,
    /// The VPC CNI's settings, on an aws-node pod.
    pub cni: Option<CniSettings>,
    /// Its containers' CPU and memory requests, as its spec writes them.
    pub requests: crate::model::requests::PodShape,
    /// Why its requests could not be read, where they could not.
    pub requests_note: Option<String>,
}

impl PodObj {
    /// `Succeeded` or `Failed`: the kubelet counts it no more.
    pub fn terminal(&self) -> bool {
        matches!(self.phase.as_str(), "Succeeded" | "Failed")
    }
    /// Bound, not running, waiting in ContainerCreating (MODEL.md §12).
    pub fn stuck(&self) -> bool {
        self.node.is_some()
            && self.phase == "Pending"
            && self.waiting.as_ref().is_some_and(|(r, _)| r == CONTAINER_CREATING)
    }
    /// A DaemonSet's pod or a static pod: a system pod (MODEL.md §1).
    pub fn system(&self) -> bool {
        self.mirror || matches!(self.owner.as_ref().map(|o| o.0.as_str()), Some("DaemonSet" | "Node"))
    }
    pub fn id(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }
    /// The object that runs it, for grouping: a ReplicaSet named after its
    /// Deployment's pod-template-hash is shown as the Deployment.
    pub fn workload(&self) -> String {
        match &self.owner {
            Some((k, n)) if k == "ReplicaSet" => match self
                .template_hash
                .as_deref()
                .and_then(|h| n.strip_suffix(h))
                .and_then(|d| d.strip_suffix('-'))
            {
                Some(d) => format!("Deployment {}/{d}", self.namespace),
                None => format!("ReplicaSet {}/{n}", self.namespace),
            },
            Some((k, n)) if k == "Job" => format!("Job {}/{n}", self.namespace),
            Some((k, n)) => format!("{k} {}/{n}", self.namespace),
            None => format!("Pod {}/{}", self.namespace, self.name),
        }
    }
}

/// The nodes and pods of a dump, and notes on what was not read.
#[derive(Debug, Clone, Default)]
pub struct Dump {
    pub files: Vec<String>,
    pub nodes: Vec<NodeObj>,
    pub pods: Vec<PodObj>,
    pub notes: Vec<String>,
}

fn bad(file: &str, field: &str, problem: String, fix: &str) -> InputError {
    InputError {
        file: Some(file.to_string()),
        field: Some(field.to_string()),
        problem,
        fix: fix.to_string(),
    }
}

const DUMP_FIX: &str = "give the unchanged output of `kubectl get nodes,pods -A -o json` (or -o yaml)";

fn text_at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a Value> {
    let mut v = v;
    for p in path {
        v = v.get(p)?;
    }
    Some(v)
}

fn read_node(d: &Doc) -> Result<NodeObj, InputError> {
    let v = &d.value;
    let name = text_at(v, &["metadata", "name"]).and_then(scalar).unwrap_or_default();
    crate::input::manifest::names_within_limits(&d.file, d.index, "Node", &name, None)?;
    if name.is_empty() {
        return Err(bad(
            &d.file,
            "metadata.name",
            format!("a Node of document {} has no name", d.index),
            DUMP_FIX,
        ));
    }
    let label = |k: &str| text_at(v, &["metadata", "labels", k]).and_then(scalar);
    let alloc = text_at(v, &["status", "allocatable"]);
    let pods = alloc.and_then(|a| a.get("pods"));
    let max_pods = match pods {
        None => {
            return Err(bad(
                &d.file,
                "status.allocatable.pods",
                format!("Node {name} has no status.allocatable.pods, the kubelet's maxPods"),
                DUMP_FIX,
            ));
        }
        Some(p) => quantity::count(p).ok_or_else(|| {
            bad(
                &d.file,
                "status.allocatable.pods",
                format!("Node {name}: `{p}` is not a pod count"),
                DUMP_FIX,
            )
        })?,
    };
    let eni = alloc.and_then(|a| a.get(POD_ENI));
    let branch_capacity = match eni {
        None => 0,
        Some(b) => quantity::count(b).ok_or_else(|| {
            bad(
                &d.file,
                "status.allocatable.vpc.amazonaws.com/pod-eni",
                format!("Node {name}: `{b}` is not a count of branch ENIs"),
                DUMP_FIX,
            )
        })?,
    };
    Ok(NodeObj {
        instance_type: label(LABEL_INSTANCE_TYPE).or_else(|| label(LABEL_INSTANCE_TYPE_BETA)),
        os: label("kubernetes.io/os").or_else(|| label("beta.kubernetes.io/os")),
        fargate: label("eks.amazonaws.com/compute-type").as_deref() == Some("fargate"),
        name,
        file: d.file.clone(),
        max_pods,
        branch_capacity,
        advertises_pod_eni: eni.is_some(),
    })
}

/// Whether a container's requests or limits name `vpc.amazonaws.com/pod-eni`.
fn requests_pod_eni(c: &Value) -> bool {
    ["requests", "limits"].iter().any(|k| {
        c.get("resources")
            .and_then(|r| r.get(k))
            .and_then(|m| m.get(POD_ENI))
            .is_some()
    })
}

fn read_pod(d: &Doc) -> Result<PodObj, InputError> {
    let v = &d.value;
    let name = text_at(v, &["metadata", "name"]).and_then(scalar).unwrap_or_default();
    let namespace = text_at(v, &["metadata", "namespace"])
        .and_then(scalar)
        .unwrap_or_else(|| "default".into());
    crate::input::manifest::names_within_limits(&d.file, d.index, "Pod", &name, Some(&namespace))?;
    let spec = v
        .get("spec")
        .filter(|s| s.is_object())
        .ok_or_else(|| bad(&d.file, "spec", format!("Pod {namespace}/{name} has no spec"), DUMP_FIX))?;
    let host_network = match spec.get("hostNetwork") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(other) => {
            return Err(bad(
                &d.file,
                "spec.hostNetwork",
                format!(
                    "Pod {namespace}/{name}: `{}` is not true or false",
                    excerpt(&other.to_string())
                ),
                DUMP_FIX,
            ));
        }
    };
    let containers = |k: &str| spec.get(k).and_then(Value::as_array).cloned().unwrap_or_default();
    let pod_eni = containers("containers")
        .iter()
        .chain(containers("initContainers").iter())
        .any(requests_pod_eni);
    let kind = if host_network {
        PodKind::Host
    } else if pod_eni {
        PodKind::Sg
    } else {
        PodKind::Ip
    };
    let status = v.get("status");
    let has_ip = status
        .and_then(|s| s.get("podIP"))
        .and_then(scalar)
        .is_some_and(|ip| !ip.is_empty());
    let waiting = ["initContainerStatuses", "containerStatuses"].iter().find_map(|k| {
        status?.get(k)?.as_array()?.iter().find_map(|c| {
            let w = c.get("state")?.get("waiting")?;
            Some((
                w.get("reason").and_then(scalar).unwrap_or_else(|| "Waiting".into()),
                w.get("message").and_then(scalar),
            ))
        })
    });
    let owner = text_at(v, &["metadata", "ownerReferences"])
        .and_then(Value::as_array)
        .and_then(|refs| {
            refs.iter()
                .find(|r| r.get("controller").and_then(Value::as_bool) == Some(true))
        })
        .map(|r| {
            (
                r.get("kind").and_then(scalar).unwrap_or_default(),
                r.get("name").and_then(scalar).unwrap_or_default(),
            )
        });
    let label = |k: &str| text_at(v, &["metadata", "labels", k]).and_then(scalar);
    // A pod whose requests cannot be read is audited all the same (§12 does
    // not need them): it counts as requesting nothing, with a note.
    let (requests, requests_note) = match crate::input::manifest::requests::pod_requests(spec, "spec") {
        Ok(shape) => (shape, None),
        Err((field, problem, _)) => (
            crate::model::requests::PodShape {
                containers: vec![Default::default()],
                ..Default::default()
            },
            Some(format!(
                "Pod {namespace}/{name}: {field}: {problem}; counted as requesting no CPU or memory"
            )),
        ),
    };
    let is_aws_node = owner
        .as_ref()
        .is_some_and(|(k, n)| k == "DaemonSet" && n == cni::CONTAINER)
        || (namespace == "kube-system" && label("k8s-app").as_deref() == Some(cni::CONTAINER));
    Ok(PodObj {
        node: spec.get("nodeName").and_then(scalar).filter(|n| !n.is_empty()),
        phase: status
            .and_then(|s| s.get("phase"))
            .and_then(scalar)
            .unwrap_or_else(|| "Unknown".into()),
        kind,
        has_ip,
        waiting,
        mirror: text_at(v, &["metadata", "annotations", "kubernetes.io/config.mirror"]).is_some(),
        template_hash: label("pod-template-hash"),
        fargate: label("eks.amazonaws.com/fargate-profile").is_some(),
        cni: is_aws_node.then(|| cni::from_pod_spec(spec, &format!("Pod {namespace}/{name}"))),
        requests,
        requests_note,
        owner,
        namespace,
        name,
    })
}

/// Reads the nodes and pods of parsed documents (other kinds are counted in a note).
pub fn read(files: Vec<String>, docs: &[Doc]) -> Result<Dump, InputError> {
    let mut dump = Dump {
        files,
        ..Default::default()
    };
    let mut other: std::collections::BTreeMap<String, u32> = Default::default();
    for d in docs {
        match d.value.get("kind").and_then(Value::as_str) {
            Some("Node") => dump.nodes.push(read_node(d)?),
            Some("Pod") => {
                let pod = read_pod(d)?;
                if let Some(n) = &pod.requests_note {
                    dump.notes.push(n.clone());
                }
                dump.pods.push(pod);
            }
            Some(k) => *other.entry(k.to_string()).or_default() += 1,
            None => {
                return Err(bad(
                    &d.file,
                    "kind",
                    format!("document {} has no kind", d.index),
                    DUMP_FIX,
                ));
            }
        }
    }
    if !other.is_empty() {
        dump.notes.push(format!(
            "not read (the audit needs nodes and pods only): {}",
            other
                .iter()
                .map(|(k, n)| format!("{k} x{n}"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if dump.nodes.is_empty() {
        return Err(InputError::file(
            dump.files.join(", "),
            "holds no Node",
            "dump nodes and pods together (`kubectl get nodes,pods -A -o json > cluster.json`), or name both files",
        ));
    }
    let mut seen = std::collections::BTreeSet::new();
    for n in &dump.nodes {
        if !seen.insert(n.name.clone()) {
            return Err(InputError::file(
                n.file.clone(),
                format!("Node {} appears twice", n.name),
                "give each dump once",
            ));
        }
    }
    Ok(dump)
}
