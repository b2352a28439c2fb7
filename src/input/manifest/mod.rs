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
    /// One pod's CPU and memory requests ([`requests::pod_requests`]).
    pub requests: Res,
}

/// One system (DaemonSet) pod per node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DaemonLine {
    pub origin: String,
    pub host: bool,
    /// Not in the manifests: EKS installs it.
    pub assumed: bool,
    /// One pod's CPU and memory requests (zero where assumed: not known).
    pub requests: Res,
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

    /// The requests the scenario gives one pod of each kind: per workload
    /// kind (sg, ip, host) and per system kind (host, ip), the mean over
    /// the pods of that kind, rounded up (the scenario has one request per
    /// kind; the mean keeps their sum), and notes where the pods differ.
    pub fn requests(&self) -> (Res, Res, [Res; 3], Vec<String>) {
        let mut notes = Vec::new();
        let mut mean = |what: String, items: Vec<(Res, u32)>| -> Res {
            let n: u64 = items.iter().map(|(_, c)| u64::from(*c)).sum();
            if n == 0 {
                return Res::ZERO;
            }
            let sum = items.iter().fold(Res::ZERO, |a, (r, c)| a.plus_times(*r, *c));
            let m = Res {
                cpu: sum.cpu.div_ceil(n),
                memory: sum.memory.div_ceil(n),
            };
            if items.iter().any(|(r, c)| *c > 0 && *r != items[0].0) {
                notes.push(format!(
                    "{what} request different CPU or memory: the scenario gives each the mean over their pods ({}m CPU, {} bytes)",
                    m.cpu, m.memory
                ));
            }
            m
        };
        let daemon = |host: bool| -> Vec<(Res, u32)> {
            self.daemons
                .iter()
                .filter(|d| d.host == host)
                .map(|d| (d.requests, 1))
                .collect()
        };
        let system_host = mean("the host system pods".into(), daemon(true));
        let system_ip = mean("the IP system pods".into(), daemon(false));
        let mut pod = [Res::ZERO; 3];
        for k in [PodKind::Sg, PodKind::Ip, PodKind::Host] {
            let items = self
                .workloads
                .iter()
                .filter(|w| w.kind == Some(k))
                .map(|w| (w.requests, w.pods))
                .collect();
            pod[k as usize] = mean(format!("the {} workload pods", k.name()), items);
        }
        (system_host, system_ip, pod, notes)
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
