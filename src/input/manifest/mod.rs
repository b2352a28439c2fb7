//! From a cluster's manifests to a scenario: reads Kubernetes YAML and JSON
//! (workloads, DaemonSets, SecurityGroupPolicies, ServiceAccounts, Karpenter
//! NodePools and EC2NodeClasses, Argo Rollouts), decides which pods are SG
//! pods as the resource controller's webhook does ([`sgp`]), which instance
//! types a NodePool allows ([`nodepool`]) and how many nodes its limits allow
//! ([`limits`]), reads the VPC CNI's settings from the `aws-node`
//! environment ([`cni`]), and writes a scenario TOML with its provenance in
//! comments ([`write`]). Everything not understood becomes a note, never a
//! silent drop.

pub mod cni;
mod import;
pub mod limits;
pub mod nodepool;

pub use crate::input::quantity;
pub mod read;
pub mod requests;
pub mod selector;
pub mod sgp;
pub mod write;

use std::collections::BTreeMap;
use std::path::PathBuf;

pub(crate) use self::import::{CniPart, add_candidates, drop_unusable};
use self::read::Doc;
use self::sgp::{DEFAULT_SG_QUOTA, PodClass};
use crate::error::InputError;
use crate::input::catalog::Catalog;
use crate::model::node::{Res, SystemPods};
use crate::model::requests::{Container, PodReq, PodShape};
use crate::model::workload::MAX_CLASSES;

/// An input error at a field of a file.
pub(crate) fn err(file: &str, field: &str, problem: impl Into<String>, fix: impl Into<String>) -> InputError {
    InputError {
        file: Some(file.to_string()),
        field: Some(field.to_string()),
        problem: problem.into(),
        fix: fix.into(),
    }
}

/// The longest object name (and kind) the API server accepts: a DNS subdomain.
const NAME_MAX: usize = 253;
/// The longest namespace: a DNS label.
const NAMESPACE_MAX: usize = 63;

/// Refuses a kind, name or namespace longer than the API server allows, so
/// that no later message echoes a page of text (document `doc` of `file`).
pub(crate) fn names_within_limits(
    file: &str,
    doc: usize,
    kind: &str,
    name: &str,
    namespace: Option<&str>,
) -> Result<(), InputError> {
    for (field, text, max, what) in [
        ("kind", Some(kind), NAME_MAX, "a kind"),
        ("metadata.name", Some(name), NAME_MAX, "a DNS subdomain"),
        ("metadata.namespace", namespace, NAMESPACE_MAX, "a DNS label"),
    ] {
        if let Some(t) = text.filter(|t| t.chars().count() > max) {
            return Err(err(
                file,
                field,
                format!(
                    "document {doc} has {field} `{}` of {} characters",
                    crate::input::bounds::excerpt(t),
                    t.chars().count()
                ),
                format!("Kubernetes allows at most {max} characters in {what}: shorten it"),
            ));
        }
    }
    Ok(())
}

/// The API group of SecurityGroupPolicy.
pub const SGP_API: &str = "vpcresources.k8s.aws/v1beta1";
pub const NODEPOOL_API: &str = "karpenter.sh/v1";
pub const NODECLASS_API: &str = "karpenter.k8s.aws/v1";
/// The scenario's node limit when nothing sets one.
pub const DEFAULT_MAX_NODES: u32 = 1000;

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

/// The three kinds of pod of the model (MODEL.md §1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PodKind {
    Sg = 0,
    Ip = 1,
    Host = 2,
}

impl PodKind {
    pub fn name(self) -> &'static str {
        match self {
            PodKind::Sg => "sg",
            PodKind::Ip => "ip",
            PodKind::Host => "host",
        }
    }
}

/// One workload's pods: how many, what they count as (`None`: not counted), and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkloadLine {
    /// `Deployment team-a/api`.
    pub origin: String,
    pub pods: u32,
    pub kind: Option<PodKind>,
    /// For the comment: how the webhook classes them, or why they are left out.
    pub why: String,
    /// One pod's CPU and memory requests as its spec writes them
    /// ([`requests::pod_requests`]).
    pub requests: PodShape,
}

/// One system (DaemonSet) pod per node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DaemonLine {
    pub origin: String,
    pub host: bool,
    /// Not in the manifests: EKS installs it.
    pub assumed: bool,
    /// One pod's CPU and memory requests (one container requesting nothing
    /// where assumed: not known).
    pub requests: PodShape,
}

/// The result of reading the manifests (or a cluster dump): every figure of
/// the scenario and where it came from.
#[derive(Debug, Clone)]
pub struct Import {
    /// The subcommand that wrote it (`from-manifests`, `from-cluster`).
    pub command: &'static str,
    pub name: String,
    pub files: Vec<String>,
    pub types: Vec<String>,
    /// Comment lines explaining the type list.
    pub types_origin: Vec<String>,
    /// (formula, why).
    pub formulas: Vec<(String, String)>,
    pub sgp: bool,
    pub sgp_origin: String,
    pub prefix_delegation: bool,
    pub prefix_delegation_origin: String,
    /// `AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG=true`: `custom_networking = true`.
    pub custom_networking: bool,
    /// The CNI's version where it changes the figures (before v1.20.4, SGP on).
    pub cni_version: Option<crate::model::node::CniVersion>,
    /// (comment, `key = value`) for the two above, as written.
    pub node_lines: Vec<(String, String)>,
    /// CNI settings the scenario format has no field for, as comment lines.
    pub cni_comments: Vec<String>,
    /// `[timed.cni]` keys the CNI's environment sets: (key, value, variable).
    pub timed_cni: Vec<(String, u32, String)>,
    pub daemons: Vec<DaemonLine>,
    /// System pods per node when they are counted, not listed (a cluster
    /// dump): replaces the count of `daemons`.
    pub system_counted: Option<SystemPods>,
    /// Per-type system pods where they differ from [`Import::system`].
    pub system_by_type: BTreeMap<String, SystemPods>,
    pub workloads: Vec<WorkloadLine>,
    /// `[nodes] max`, and comment lines saying where it came from.
    pub max_nodes: u32,
    pub max_nodes_origin: Vec<String>,
    /// Not understood, not modelled, or assumed.
    pub notes: Vec<String>,
}

impl Import {
    pub fn system(&self) -> SystemPods {
        self.system_counted.unwrap_or(SystemPods {
            host: self.daemons.iter().filter(|d| d.host).count() as u32,
            ip: self.daemons.iter().filter(|d| !d.host).count() as u32,
        })
    }

    /// The requests the scenario gives its pods ([`Requests`]).
    pub fn requests(&self) -> Requests {
        let mut notes = Vec::new();
        let system = |host: bool, notes: &mut Vec<String>| -> SystemRequest {
            let shapes: Vec<&PodShape> = self
                .daemons
                .iter()
                .filter(|d| d.host == host)
                .map(|d| &d.requests)
                .collect();
            SystemRequest::mean(&shapes, if host { "host" } else { "IP" }, notes)
        };
        let system_host = system(true, &mut notes);
        let system_ip = system(false, &mut notes);
        // One group per kind and request, named after its first object.
        let mut groups: Vec<Group> = Vec::new();
        for w in &self.workloads {
            let Some(kind) = w.kind else { continue };
            if w.pods == 0 {
                continue;
            }
            let req = w.requests.request();
            match groups
                .iter_mut()
                .find(|g| g.kind == kind && g.requests.request() == req)
            {
                Some(g) => {
                    g.pods = g.pods.saturating_add(w.pods);
                    g.origins.push(w.origin.clone());
                }
                None => groups.push(Group {
                    name: String::new(),
                    kind,
                    pods: w.pods,
                    requests: w.requests.clone(),
                    origins: vec![w.origin.clone()],
                }),
            }
        }
        groups.sort_by_key(|g| g.kind);
        merge_small_groups(&mut groups, &mut notes);
        for i in 0..groups.len() {
            let base = group_name(&groups[i].origins[0]);
            let mut name = base.clone();
            let mut n = 2;
            while groups[..i].iter().any(|g| g.name == name) {
                name = format!("{base}-{n}");
                n += 1;
            }
            groups[i].name = name;
        }
        Requests {
            system_host,
            system_ip,
            groups,
            notes,
        }
    }

    /// (sg, ip, host) workload pods.
    pub fn counts(&self) -> (u32, u32, u32) {
        let mut c = (0u32, 0u32, 0u32);
        for w in &self.workloads {
            match w.kind {
                Some(PodKind::Sg) => c.0 = c.0.saturating_add(w.pods),
                Some(PodKind::Ip) => c.1 = c.1.saturating_add(w.pods),
                Some(PodKind::Host) => c.2 = c.2.saturating_add(w.pods),
                None => {}
            }
        }
        c
    }
}

/// Reads the manifests named by `paths` (`-` is standard input) and builds
/// the scenario's figures.
pub fn import(paths: &[PathBuf], catalog: &Catalog, opts: &ImportOptions) -> Result<Import, InputError> {
    let (files, docs) = read::read_docs(paths)?;
    import_docs(files.iter().map(|f| read::shown(f)).collect(), &docs, catalog, opts)
}

/// [`import`] on documents already read.
pub fn import_docs(
    files: Vec<String>,
    docs: &[Doc],
    catalog: &Catalog,
    opts: &ImportOptions,
) -> Result<Import, InputError> {
    import::import_docs(files, docs, catalog, opts)
}

/// How a class reads in notes and comments.
pub fn class_text(c: &PodClass) -> String {
    match c {
        PodClass::Host => "hostNetwork: host pod".into(),
        PodClass::Sg { policies, groups } => format!("SG pod ({}; security groups: {groups})", policies.join(", ")),
        PodClass::Ip => "IP pod (no SecurityGroupPolicy matches)".into(),
        PodClass::OverQuota { policies, groups } => format!(
            "SG pod that never starts ({}: {groups} security groups, above the default quota of {DEFAULT_SG_QUOTA} per network interface; the branch ENI is never created)",
            policies.join(", ")
        ),
        PodClass::Fargate => "a Fargate pod (label eks.amazonaws.com/fargate-profile)".into(),
        PodClass::Windows => "a Windows pod (nodeSelector kubernetes.io/os: windows)".into(),
    }
}

/// What a class counts as in the model, if anything.
pub fn class_kind(c: &PodClass) -> Option<PodKind> {
    match c {
        PodClass::Host => Some(PodKind::Host),
        PodClass::Sg { .. } | PodClass::OverQuota { .. } => Some(PodKind::Sg),
        PodClass::Ip => Some(PodKind::Ip),
        PodClass::Fargate | PodClass::Windows => None,
    }
}

/// The requests a scenario written from an import gives its pods.
#[derive(Debug, Clone, PartialEq)]
pub struct Requests {
    pub system_host: SystemRequest,
    pub system_ip: SystemRequest,
    /// The workload's pods by kind and request, in kind order.
    pub groups: Vec<Group>,
    /// Where requests were averaged or groups merged.
    pub notes: Vec<String>,
}

impl Requests {
    /// Whether any pod requests any CPU or memory (the scenario then counts them).
    pub fn counted(&self) -> bool {
        !(self.system_host.request().requested.is_zero()
            && self.system_ip.request().requested.is_zero()
            && self.groups.iter().all(|g| g.requests.request().requested.is_zero()))
    }
}

/// One system pod's request per kind: the mean over the kind's DaemonSets
/// of what the filter counts, rounded up (every node runs them all, so the
/// mean keeps their sum); a key none of them writes is left out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SystemRequest {
    pub cpu: Option<u64>,
    pub memory: Option<u64>,
}

impl SystemRequest {
    fn mean(shapes: &[&PodShape], what: &str, notes: &mut Vec<String>) -> SystemRequest {
        let n = shapes.len() as u64;
        let written = |f: fn(&Container) -> Option<u64>| {
            shapes
                .iter()
                .any(|s| s.containers.iter().chain(&s.init).any(|c| f(c).is_some()))
        };
        let sum = shapes
            .iter()
            .fold(Res::ZERO, |a, s| a.plus_times(s.request().requested, 1));
        let m = SystemRequest {
            cpu: (n > 0 && written(|c| c.cpu)).then(|| sum.cpu.div_ceil(n)),
            memory: (n > 0 && written(|c| c.memory)).then(|| sum.memory.div_ceil(n)),
        };
        let reqs: Vec<PodReq> = shapes.iter().map(|s| s.request()).collect();
        if reqs.windows(2).any(|w| w[0] != w[1]) {
            notes.push(format!(
                "the {what} system pods request different CPU or memory: the scenario gives each the mean over their DaemonSets ({}m CPU, {} of memory)",
                m.cpu.unwrap_or(0),
                bytes(m.memory.unwrap_or(0))
            ));
        }
        m
    }

    /// As one container's request.
    pub fn request(&self) -> PodReq {
        PodReq::single(self.cpu, self.memory)
    }
}

/// Workload pods of one kind that request the same: a `[[workload.groups]]` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    pub name: String,
    pub kind: PodKind,
    pub pods: u32,
    /// One pod's requests, as the first object of the group writes them.
    pub requests: PodShape,
    /// The objects whose pods it holds.
    pub origins: Vec<String>,
}

/// A group's name from its first object (`Deployment team-a/api` gives
/// `team-a/api`), at most 64 characters.
fn group_name(origin: &str) -> String {
    let name = origin.split_once(' ').map_or(origin, |(_, n)| n);
    let clean: String = name
        .chars()
        .map(|c| if c.is_control() || c == ',' || c == '"' { '_' } else { c })
        .collect();
    let short: String = clean.chars().take(64).collect();
    if short.is_empty() { "group".into() } else { short }
}

/// At most [`MAX_CLASSES`] groups: beyond that, each kind's smallest groups
/// (by pods) are merged into one, whose pods request the mean of theirs.
fn merge_small_groups(groups: &mut Vec<Group>, notes: &mut Vec<String>) {
    while groups.len() > MAX_CLASSES {
        // The kind with most groups gives up its two smallest.
        let kind = [PodKind::Sg, PodKind::Ip, PodKind::Host]
            .into_iter()
            .max_by_key(|k| groups.iter().filter(|g| g.kind == *k).count())
            .expect("three kinds");
        let mut of_kind: Vec<usize> = (0..groups.len()).filter(|&i| groups[i].kind == kind).collect();
        of_kind.sort_by_key(|&i| (groups[i].pods, i));
        let (a, b) = (of_kind[0].min(of_kind[1]), of_kind[0].max(of_kind[1]));
        let gb = groups.remove(b);
        let ga = &mut groups[a];
        let n = u64::from(ga.pods) + u64::from(gb.pods);
        let sum = Res::ZERO
            .plus_times(ga.requests.request().requested, ga.pods)
            .plus_times(gb.requests.request().requested, gb.pods);
        let written =
            |g: &Group, f: fn(&Container) -> Option<u64>| g.requests.containers.iter().any(|c| f(c).is_some());
        ga.requests = PodShape {
            containers: vec![Container {
                cpu: (written(ga, |c| c.cpu) || written(&gb, |c| c.cpu)).then(|| sum.cpu.div_ceil(n.max(1))),
                memory: (written(ga, |c| c.memory) || written(&gb, |c| c.memory))
                    .then(|| sum.memory.div_ceil(n.max(1))),
                sidecar: false,
            }],
            init: Vec::new(),
            overhead: Res::ZERO,
        };
        ga.pods = ga.pods.saturating_add(gb.pods);
        ga.origins.extend(gb.origins);
        notes.push(format!(
            "more than {MAX_CLASSES} groups of pods request different CPU or memory: {} {} pods of {} are given the mean of their requests ({}m CPU, {} of memory)",
            ga.pods,
            kind.name(),
            ga.origins.join(", "),
            sum.cpu.div_ceil(n.max(1)),
            bytes(sum.memory.div_ceil(n.max(1)))
        ));
    }
}

/// Memory for people: `128Mi`, or bytes where not whole mebibytes.
fn bytes(b: u64) -> String {
    let mib = crate::model::node::MIB;
    if b.is_multiple_of(mib) {
        format!("{}Mi", b / mib)
    } else {
        format!("{b} bytes")
    }
}
