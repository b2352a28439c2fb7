//! The Karpenter-native form of a formula: one EC2NodeClass per maxPods value
//! (`spec.kubelet.maxPods: M`) and NodePools narrowed to the instance types of
//! one value, so that the figure Karpenter plans with and the kubelet's limit
//! are the same number.
//!
//! Why not UserData (facts read in the sources, repository + path):
//!
//! - Karpenter writes an explicit `maxPods` into every node's kubelet
//!   configuration: `spec.kubelet.maxPods` when the EC2NodeClass sets it, else
//!   its own figure (aws/karpenter-provider-aws
//!   `pkg/providers/amifamily/resolver.go`, `resolveLaunchTemplates`: "if
//!   kubeletConfig.MaxPods == nil" it sets the group's `maxPods`; launch
//!   templates are grouped by `it.Capacity.Pods()`).
//! - On AL2023 its own NodeConfig part comes first and the EC2NodeClass's
//!   userData parts after it (`pkg/providers/amifamily/bootstrap/nodeadm.go`,
//!   `Script`); nodeadm merges parts in order, the last winning, and an
//!   explicit `kubelet.config.maxPods` wins over `maxPodsExpression`
//!   (awslabs/amazon-eks-ami `nodeadm/doc/examples.md`, "Merging multiple
//!   configuration objects" and "Defining a Max Pods Expression";
//!   `nodeadm/internal/api/merge.go`). A `maxPodsExpression` in userData
//!   therefore never takes effect on a Karpenter node, and an explicit
//!   `kubelet.config.maxPods` there overrides Karpenter's figure behind its back.
//! - On AL2 Karpenter appends its own `/etc/eks/bootstrap.sh ... --use-max-pods
//!   false --kubelet-extra-args '--max-pods=N'` part after the user's parts
//!   (`pkg/providers/amifamily/bootstrap/eksbootstrap.go`, `Script`;
//!   `bootstrap.go`, `kubeletExtraArgs`; `website/content/en/docs/concepts/nodeclasses.md`,
//!   "AL2/Ubuntu": "Karpenter will have full control over all the parameters
//!   being passed to the bootstrap script"). A userData that calls
//!   `bootstrap.sh` itself bootstraps the node twice. EKS publishes AL2 AMIs up
//!   to Kubernetes 1.32 only (EKS user guide, quoted in
//!   awsdocs/amazon-eks-user-guide issue #868).
//! - Karpenter plans launches with `pods()` (`pkg/providers/instancetype/types.go`):
//!   `kubelet.maxPods` if set, else `ENILimitedPods` = `(E - reservedENIs) *
//!   (I - 1) + 2` (0 when no ENI is left), then `min(podsPerCore * vCPUs, ·)`
//!   when `podsPerCore` is set (not on Bottlerocket).
//! - `reservedENIs` is a controller setting, global to all NodePools: Helm
//!   `settings.reservedENIs` (`charts/karpenter/values.yaml`, default `"0"`),
//!   env `RESERVED_ENIS` (`pkg/operator/options/options.go`).
//!
//! CRDs: `spec.kubelet.maxPods` is an integer on the EC2NodeClass in every
//! Karpenter v1 release (`pkg/apis/crds/karpenter.k8s.aws_ec2nodeclasses.yaml`);
//! main also takes a CEL string there. The tests validate every document
//! written here against copies of both (tests/data/karpenter/README.md).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use serde_json::{Value, json};

use super::{Ami, Context};
use crate::error::InputError;
use crate::input::catalog::{Catalog, InstanceType};
use crate::input::manifest::nodepool::{self, LABEL_INSTANCE_TYPE};
use crate::input::manifest::read::Doc;
use crate::model::formula::Formula;

/// Karpenter label values (NodePool names) are label values: at most 63 characters.
const MAX_NAME: usize = 63;

/// Karpenter's `ENILimitedPods` with `reserved` ENIs held back
/// (aws/karpenter-provider-aws `pkg/providers/instancetype/types.go`).
pub fn eni_limited_pods(t: &InstanceType, reserved: u32) -> u32 {
    match t.max_enis.saturating_sub(reserved) {
        0 => 0,
        usable => usable * t.ipv4_per_eni.saturating_sub(1) + 2,
    }
}

/// The `RESERVED_ENIS` value N for which Karpenter's own figure equals `m` on
/// every row, if there is one (the smallest).
pub fn exact_reserved_enis(rows: &[(&InstanceType, u32)]) -> Option<u32> {
    let max_e = rows.iter().map(|(t, _)| t.max_enis).max()?;
    (0..=max_e).find(|&n| rows.iter().all(|(t, m)| eni_limited_pods(t, n) == *m))
}

/// The formula's figure for every type that has one, and notes for the others.
pub fn figures<'c>(
    types: &[&'c InstanceType],
    f: &Formula,
    ctx: &Context,
) -> (Vec<(&'c InstanceType, u32)>, Vec<String>) {
    let mut rows = Vec::new();
    let mut notes = Vec::new();
    for t in types {
        match f.max_pods(t, &ctx.settings, ctx.system) {
            Ok(m) => {
                if let Some(n) = m.note {
                    notes.push(format!("{}: {n}", t.name));
                }
                rows.push((*t, m.value));
            }
            Err(u) => notes.push(format!(
                "{}: left out (no figure from the formula, so no NodePool allows it): {u}",
                t.name
            )),
        }
    }
    (rows, notes)
}

/// The text of the Helm setting for `N` reserved ENIs, as comment lines.
pub fn reserved_enis_comment(n: u32, count: usize) -> Vec<String> {
    vec![
        format!("Instead of the objects below, one controller setting gives the same figure on all {count} type(s):"),
        format!("RESERVED_ENIS={n}: Karpenter then computes (E - {n}) * (I - 1) + 2 itself (ENILimitedPods in"),
        "aws/karpenter-provider-aws pkg/providers/instancetype/types.go) and writes it to every kubelet.".into(),
        "Helm values (charts/karpenter/values.yaml; every Karpenter v1 release; settings.aws.reservedENIs in v0.3x):"
            .into(),
        "  settings:".into(),
        format!("    reservedENIs: \"{n}\""),
        "It is global to the controller: every NodePool and EC2NodeClass of the cluster gets it.".into(),
    ]
}

/// `export karpenter-settings`: the `RESERVED_ENIS` setting, where it gives
/// the formula's figure exactly on every type (formulas that are already a
/// Karpenter setting of their own are left to `karpenter_settings`).
pub fn reserved_enis_setting(f: &Formula, ctx: &Context, types: &[&InstanceType]) -> Option<String> {
    if matches!(
        f,
        Formula::KarpenterReservedEnis(_) | Formula::AwsDefault | Formula::Fixed(_)
    ) || types.is_empty()
    {
        return None;
    }
    let (rows, _) = figures(types, f, ctx);
    if rows.len() != types.len() {
        return None;
    }
    let n = exact_reserved_enis(&rows)?;
    let mut out = format!(
        "# {name}: equals Karpenter's own figure with RESERVED_ENIS={n}, (E - {n}) * (I - 1) + 2, on all {count} type(s)\n\
         # (ENILimitedPods in aws/karpenter-provider-aws pkg/providers/instancetype/types.go).\n",
        name = f.name(),
        count = rows.len()
    );
    if n == 0 {
        out.push_str("# That is Karpenter's default: nothing to set.\nsettings:\n  reservedENIs: \"0\"\n");
        return Some(out);
    }
    out.push_str(
        "# A controller setting, global to every NodePool; every Karpenter v1 release (flag --reserved-enis,\n\
         # env RESERVED_ENIS, pkg/operator/options/options.go; Helm settings.reservedENIs, charts/karpenter/values.yaml;\n\
         # settings.aws.reservedENIs in the v0.3x charts). Karpenter writes the figure to every kubelet and plans with it.\n\
         # Helm values:\n",
    );
    let _ = write!(out, "settings:\n  reservedENIs: \"{n}\"\n");
    Some(out)
}

/// Where the instance types come from.
pub enum Input<'c> {
    /// `--types`: the types, and how they were named.
    Types(Vec<&'c InstanceType>, String),
    /// `--nodepool`: the documents of the files, and the files as shown.
    Manifests(Vec<Doc>, String),
}

/// Everything the Karpenter export needs besides the catalog.
pub struct Options<'c> {
    pub formula: Formula,
    pub ctx: Context,
    pub input: Input<'c>,
    /// Base name of the objects written for `--types`.
    pub name: String,
    /// Cluster name (discovery tag) for EC2NodeClasses written from scratch;
    /// `None` when not given.
    pub cluster: Option<String>,
    pub role: Option<String>,
    pub ami: Ami,
    /// Write JSON merge patches for objects changed in place.
    pub merge_patch: bool,
    /// The command, for the header.
    pub command: String,
}

/// The export's text and the notes to print on stderr.
#[derive(Debug)]
pub struct Export {
    pub text: String,
    pub notes: Vec<String>,
}

/// One maxPods value and its types, sorted by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    pub max_pods: u32,
    pub types: Vec<String>,
}

/// Groups rows by maxPods (ascending), each group's types sorted.
pub fn groups(rows: &[(&InstanceType, u32)]) -> Vec<Group> {
    let mut by: BTreeMap<u32, BTreeSet<String>> = BTreeMap::new();
    for (t, m) in rows {
        by.entry(*m).or_default().insert(t.name.clone());
    }
    by.into_iter()
        .map(|(max_pods, types)| Group {
            max_pods,
            types: types.into_iter().collect(),
        })
        .collect()
}

/// The AMI family of an EC2NodeClass spec, as Karpenter resolves it: an
/// `amiFamily: Custom` wins, else the alias's family, else `amiFamily`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    Al2023,
    Al2,
    Bottlerocket,
    Custom,
    Windows,
}

fn family_of(spec: &Value) -> Option<Family> {
    let explicit = spec.get("amiFamily").and_then(Value::as_str);
    if explicit == Some("Custom") {
        return Some(Family::Custom);
    }
    let alias = spec
        .get("amiSelectorTerms")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .find_map(|t| t.get("alias").and_then(Value::as_str))
        .and_then(|a| a.split('@').next());
    match alias.or(explicit).map(str::to_ascii_lowercase).as_deref() {
        Some("al2023") => Some(Family::Al2023),
        Some("al2") => Some(Family::Al2),
        Some("bottlerocket") => Some(Family::Bottlerocket),
        Some("custom") => Some(Family::Custom),
        Some(w) if w.starts_with("windows") => Some(Family::Windows),
        _ => None,
    }
}

/// The parts of a userData as Karpenter reads it (`bootstrap/mime`): a MIME
/// multi-part archive, or one part whose type is detected (NodeConfig YAML or
/// a shell script). Returns (content type, body) pairs.
pub fn user_data_parts(ud: &str) -> Vec<(String, String)> {
    let trimmed = ud.trim_start();
    if !(trimmed.starts_with("MIME-Version:") || trimmed.starts_with("Content-Type:")) {
        let is_yaml_map = serde_saphyr::from_str::<Value>(ud).is_ok_and(|v| v.is_object());
        let ct = if is_yaml_map {
            "application/node.eks.aws"
        } else {
            "text/x-shellscript"
        };
        return vec![(ct.into(), ud.to_string())];
    }
    let (head, body) = trimmed.split_once("\n\n").unwrap_or((trimmed, ""));
    let boundary = head.lines().find_map(|l| {
        l.split_once("boundary=")
            .map(|(_, b)| b.trim().trim_matches('"').to_string())
    });
    let Some(boundary) = boundary else {
        return Vec::new();
    };
    let delim = format!("--{boundary}");
    let mut parts = Vec::new();
    for chunk in body.split(&delim).skip(1) {
        if chunk.starts_with("--") {
            break;
        }
        let chunk = chunk.trim_start_matches(['\r', '\n']);
        let (headers, content) = chunk.split_once("\n\n").unwrap_or((chunk, ""));
        let ct = headers
            .lines()
            .find_map(|l| l.strip_prefix("Content-Type:"))
            .unwrap_or("text/plain")
            .trim()
            .to_string();
        parts.push((ct, content.to_string()));
    }
    parts
}

/// What a class's userData does to maxPods, for checks: an explicit
/// `kubelet.config.maxPods` in a NodeConfig part (wins over Karpenter's on
/// AL2023), whether a `maxPodsExpression` is there (never takes effect on a
/// Karpenter node), and whether a script calls bootstrap.sh or sets --max-pods.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct UserDataFacts {
    pub explicit_max_pods: Option<String>,
    pub max_pods_expression: bool,
    pub calls_bootstrap_sh: bool,
    pub sets_max_pods_flag: bool,
}

pub fn user_data_facts(ud: &str) -> UserDataFacts {
    let mut f = UserDataFacts::default();
    for (ct, body) in user_data_parts(ud) {
        if ct.starts_with("application/node.eks.aws") {
            let docs: Vec<Value> = serde_saphyr::from_multiple(&body).unwrap_or_default();
            for d in docs {
                if let Some(m) = d.pointer("/spec/kubelet/config/maxPods") {
                    f.explicit_max_pods = Some(m.to_string());
                }
                if d.pointer("/spec/kubelet/maxPodsExpression").is_some() {
                    f.max_pods_expression = true;
                }
            }
        } else {
            f.calls_bootstrap_sh |= body.contains("bootstrap.sh");
            f.sets_max_pods_flag |= body.contains("--max-pods");
        }
    }
    f
}

/// A NodePool of the input, resolved.
struct Pool {
    name: String,
    file: String,
    /// The NodePool document (None for `--types`).
    doc: Option<Value>,
    class: String,
    groups: Vec<Group>,
}

/// An EC2NodeClass of the input (or to be written from scratch).
struct Class {
    file: Option<String>,
    doc: Option<Value>,
    pods_per_core: Option<u32>,
}

/// Removes what the API server and Karpenter add, so the object applies cleanly.
fn clean(mut v: Value) -> Value {
    if let Some(o) = v.as_object_mut() {
        o.remove("status");
    }
    if let Some(m) = v.get_mut("metadata").and_then(Value::as_object_mut) {
        for k in [
            "resourceVersion",
            "uid",
            "creationTimestamp",
            "generation",
            "managedFields",
            "selfLink",
            "finalizers",
            "namespace",
        ] {
            m.remove(k);
        }
        if let Some(a) = m.get_mut("annotations").and_then(Value::as_object_mut) {
            a.retain(|k, _| {
                k != "kubectl.kubernetes.io/last-applied-configuration"
                    && !((k.starts_with("karpenter.sh/") || k.starts_with("karpenter.k8s.aws/")) && k.contains("-hash"))
            });
            if a.is_empty() {
                m.remove("annotations");
            }
        }
    }
    v
}

fn str_at<'v>(v: &'v Value, ptr: &str) -> Option<&'v str> {
    v.pointer(ptr).and_then(Value::as_str)
}

fn check_name(name: &str, what: &str, fix: &str) -> Result<(), InputError> {
    if name.is_empty() || name.len() > MAX_NAME {
        return Err(InputError::field(
            "--name",
            format!(
                "{what} name `{name}` is {} characters; Karpenter puts NodePool names in labels (at most {MAX_NAME})",
                name.len()
            ),
            fix.to_string(),
        ));
    }
    Ok(())
}

/// The export: objects and comments.
pub fn export(catalog: &Catalog, o: &Options) -> Result<Export, InputError> {
    let mut notes: Vec<String> = Vec::new();
    let mut pools: Vec<Pool> = Vec::new();
    let mut classes: BTreeMap<String, Class> = BTreeMap::new();
    let mut all_rows: BTreeMap<String, (&InstanceType, u32)> = BTreeMap::new();
    let source;
    match &o.input {
        Input::Types(types, shown) => {
            source = shown.clone();
            let (rows, n) = figures(types, &o.formula, &o.ctx);
            notes.extend(n);
            for (t, m) in &rows {
                all_rows.insert(t.name.clone(), (*t, *m));
            }
            pools.push(Pool {
                name: o.name.clone(),
                file: String::new(),
                doc: None,
                class: o.name.clone(),
                groups: groups(&rows),
            });
            classes.insert(
                o.name.clone(),
                Class {
                    file: None,
                    doc: None,
                    pods_per_core: None,
                },
            );
        }
        Input::Manifests(docs, shown) => {
            source = shown.clone();
            for d in docs {
                if d.value.get("kind").and_then(Value::as_str) != Some("EC2NodeClass") {
                    continue;
                }
                let name = str_at(&d.value, "/metadata/name").unwrap_or_default().to_string();
                let ppc = d.value.pointer("/spec/kubelet/podsPerCore").and_then(Value::as_u64);
                let ppc = match ppc {
                    Some(p) => Some(u32::try_from(p).map_err(|_| {
                        crate::input::manifest::err(
                            &d.file,
                            "spec.kubelet.podsPerCore",
                            format!("EC2NodeClass {name}: podsPerCore {p} is out of range"),
                            "give a podsPerCore below 2^31, or remove it",
                        )
                    })?)
                    .filter(|&p| p > 0),
                    None => None,
                };
                classes.insert(
                    name,
                    Class {
                        file: Some(d.file.clone()),
                        doc: Some(d.value.clone()),
                        pods_per_core: ppc,
                    },
                );
            }
            for d in docs {
                if d.value.get("kind").and_then(Value::as_str) != Some("NodePool") {
                    continue;
                }
                let name = str_at(&d.value, "/metadata/name").unwrap_or_default().to_string();
                let what = format!("NodePool {name}");
                if d.value.get("apiVersion").and_then(Value::as_str) != Some("karpenter.sh/v1") {
                    return Err(crate::input::manifest::err(
                        &d.file,
                        "apiVersion",
                        format!(
                            "{what}: apiVersion {:?} is not karpenter.sh/v1",
                            d.value.get("apiVersion").and_then(Value::as_str).unwrap_or("")
                        ),
                        "convert the NodePool to karpenter.sh/v1 (Karpenter v1 releases); v1beta1 kept kubelet settings on the NodePool",
                    ));
                }
                let class = str_at(&d.value, "/spec/template/spec/nodeClassRef/name")
                    .filter(|c| !c.is_empty())
                    .ok_or_else(|| {
                        crate::input::manifest::err(
                            &d.file,
                            "spec.template.spec.nodeClassRef.name",
                            format!("{what}: no nodeClassRef name"),
                            "name the EC2NodeClass the NodePool uses (group karpenter.k8s.aws, kind EC2NodeClass)",
                        )
                    })?
                    .to_string();
                if let Some(k) = str_at(&d.value, "/spec/template/spec/nodeClassRef/kind")
                    && k != "EC2NodeClass"
                {
                    return Err(crate::input::manifest::err(
                        &d.file,
                        "spec.template.spec.nodeClassRef.kind",
                        format!("{what}: nodeClassRef kind {k} is not EC2NodeClass"),
                        "sgpsim writes EC2NodeClasses (karpenter.k8s.aws) only",
                    ));
                }
                let reqs =
                    nodepool::parse_requirements(d.value.pointer("/spec/template/spec/requirements"), &d.file, &what)?;
                let (allowed, n) = nodepool::allowed(&reqs, catalog);
                notes.extend(n.into_iter().map(|n| format!("{what}: {n}")));
                let ppc = match classes.get(&class) {
                    Some(c) => c.pods_per_core,
                    None => {
                        if o.cluster.is_none() {
                            return Err(crate::input::manifest::err(
                                &d.file,
                                "spec.template.spec.nodeClassRef.name",
                                format!("{what} uses EC2NodeClass {class}, which is not in the files given ({shown})"),
                                format!(
                                    "add the file that holds it (kubectl get ec2nodeclass {class} -o yaml > {class}.yaml), \
                                     or pass --cluster NAME [--role ROLE] to write new EC2NodeClasses from scratch"
                                ),
                            ));
                        }
                        classes.insert(
                            class.clone(),
                            Class {
                                file: None,
                                doc: None,
                                pods_per_core: None,
                            },
                        );
                        None
                    }
                };
                let (mut rows, n) = figures(&allowed, &o.formula, &o.ctx);
                notes.extend(n.into_iter().map(|n| format!("{what}: {n}")));
                if let Some(p) = ppc {
                    // Karpenter's pods() and the kubelet both cap at podsPerCore * vCPUs.
                    let mut kept = Vec::new();
                    for (t, m) in rows {
                        match t.vcpus {
                            Some(v) => kept.push((t, m.min(p.saturating_mul(v)))),
                            None => notes.push(format!(
                                "{what}: {}: left out: EC2NodeClass {class} sets podsPerCore {p} and the catalog has no vCPU count for it",
                                t.name
                            )),
                        }
                    }
                    rows = kept;
                }
                if rows.is_empty() {
                    return Err(crate::input::manifest::err(
                        &d.file,
                        "spec.template.spec.requirements",
                        format!(
                            "{what}: the formula `{}` gives a figure for none of the {} catalog types it allows",
                            o.formula.name(),
                            allowed.len()
                        ),
                        "check the requirements, or choose another formula",
                    ));
                }
                for (t, m) in &rows {
                    all_rows.insert(format!("{name}/{}", t.name), (*t, *m));
                }
                pools.push(Pool {
                    name,
                    file: d.file.clone(),
                    doc: Some(d.value.clone()),
                    class,
                    groups: groups(&rows),
                });
            }
            if pools.is_empty() {
                return Err(InputError {
                    field: Some("--nodepool".into()),
                    ..InputError::file(
                        shown.clone(),
                        "holds no NodePool",
                        "name a file with a karpenter.sh/v1 NodePool, or use --types",
                    )
                });
            }
        }
    }
    if all_rows.is_empty() {
        return Err(InputError::field(
            "--formula",
            format!("`{}` gives no figure for any of the types", o.formula.name()),
            "choose another formula, or types the catalog has the figures for",
        ));
    }

    // Which maxPods values each class needs, over every pool that uses it.
    let mut needed: BTreeMap<&str, BTreeSet<u32>> = BTreeMap::new();
    for p in &pools {
        needed
            .entry(p.class.as_str())
            .or_default()
            .extend(p.groups.iter().map(|g| g.max_pods));
    }
    let class_name = |class: &str, m: u32| -> String {
        let in_place = classes.get(class).is_some_and(|c| c.doc.is_some()) && needed[class].len() == 1;
        let single_new = matches!(o.input, Input::Types(..)) && needed[class].len() == 1;
        if in_place || single_new {
            class.to_string()
        } else {
            format!("{class}-mp{m}")
        }
    };

    let mut out_docs: Vec<(Vec<String>, Value)> = Vec::new();
    let mut replaced_classes: Vec<String> = Vec::new();
    let mut replaced_pools: Vec<(String, Vec<String>)> = Vec::new();

    // EC2NodeClasses.
    for (class, values) in &needed {
        let c = &classes[*class];
        for &m in values {
            let name = class_name(class, m);
            check_name(&name, "EC2NodeClass", "shorten the EC2NodeClass name (or --name)")?;
            let mut comments = Vec::new();
            let value = match &c.doc {
                Some(doc) => {
                    let file = c.file.as_deref().unwrap_or_default();
                    let spec = doc.get("spec").cloned().unwrap_or(Value::Null);
                    match family_of(&spec) {
                        Some(Family::Windows) => {
                            return Err(crate::input::manifest::err(
                                file,
                                "spec.amiSelectorTerms",
                                format!("EC2NodeClass {class} is for Windows nodes"),
                                "sgpsim models Linux nodes only: give a NodePool whose EC2NodeClass uses al2023, al2 or bottlerocket",
                            ));
                        }
                        None => {
                            return Err(crate::input::manifest::err(
                                file,
                                "spec.amiSelectorTerms",
                                format!(
                                    "EC2NodeClass {class}: no alias and no amiFamily, so its AMI family is unknown"
                                ),
                                "give an alias (e.g. al2023@latest) or amiFamily",
                            ));
                        }
                        Some(fam) => {
                            if let Some(ud) = spec.get("userData").and_then(Value::as_str) {
                                let facts = user_data_facts(ud);
                                if fam == Family::Al2023
                                    && let Some(v) = &facts.explicit_max_pods
                                {
                                    return Err(crate::input::manifest::err(
                                        file,
                                        "spec.userData",
                                        format!(
                                            "EC2NodeClass {class}: its userData sets kubelet.config.maxPods {v}, which nodeadm applies \
                                             after Karpenter's own NodeConfig, so spec.kubelet.maxPods would not reach the kubelet"
                                        ),
                                        "remove maxPods from the userData's NodeConfig (spec.kubelet.maxPods replaces it)",
                                    ));
                                }
                                if facts.max_pods_expression {
                                    comments.push("its userData has a kubelet.maxPodsExpression: it has no effect, spec.kubelet.maxPods wins (nodeadm/doc/examples.md)".to_string());
                                }
                                if fam == Family::Al2 && facts.calls_bootstrap_sh {
                                    let n = format!(
                                        "EC2NodeClass {class}: its userData calls bootstrap.sh; Karpenter appends its own bootstrap.sh \
                                         part after it (bootstrap/eksbootstrap.go), so the node bootstraps twice and Karpenter's maxPods wins: \
                                         remove the call"
                                    );
                                    notes.push(n.clone());
                                    comments.push(n);
                                }
                                if fam == Family::Al2 && facts.sets_max_pods_flag && !facts.calls_bootstrap_sh {
                                    comments.push("its userData passes --max-pods: Karpenter's bootstrap part runs later and sets its own".into());
                                }
                            }
                            if fam == Family::Custom {
                                notes.push(format!(
                                    "EC2NodeClass {class}: amiFamily Custom: Karpenter merges nothing into its userData, so spec.kubelet.maxPods \
                                     only sets Karpenter's view; the userData must give the kubelet the same maxPods"
                                ));
                            }
                            if fam == Family::Al2 {
                                comments.push("AL2: EKS publishes AL2 AMIs up to Kubernetes 1.32 only".into());
                            }
                        }
                    }
                    let mut v = clean(doc.clone());
                    let old = v.pointer("/spec/kubelet/maxPods").cloned();
                    v["metadata"]["name"] = json!(name);
                    if !v["spec"]["kubelet"].is_object() {
                        v["spec"]["kubelet"] = json!({});
                    }
                    v["spec"]["kubelet"]["maxPods"] = json!(m);
                    comments.insert(
                        0,
                        format!(
                            "EC2NodeClass {name}: {} {class} ({file}) with spec.kubelet.maxPods {m}{}.",
                            if name == **class { "is" } else { "a copy of" },
                            match old {
                                Some(o) => format!(" (was {o})"),
                                None => String::new(),
                            }
                        ),
                    );
                    if let Some(p) = c.pods_per_core {
                        comments.push(format!("podsPerCore {p} kept: the figures are capped at {p} x vCPUs, as Karpenter and the kubelet cap them"));
                    }
                    v
                }
                None => {
                    let cluster = o.cluster.clone().unwrap_or_else(|| "YOUR_CLUSTER_NAME".into());
                    let role = o.role.clone().unwrap_or_else(|| format!("KarpenterNodeRole-{cluster}"));
                    comments.push(format!(
                        "EC2NodeClass {name}: new, maxPods {m}; role {role}, subnets and security groups tagged karpenter.sh/discovery: {cluster} (check them)."
                    ));
                    if o.ami == Ami::Al2 {
                        comments
                            .push("AL2: EKS publishes AL2 AMIs up to Kubernetes 1.32 only; prefer --ami al2023".into());
                    }
                    json!({
                        "apiVersion": "karpenter.k8s.aws/v1",
                        "kind": "EC2NodeClass",
                        "metadata": {"name": name},
                        "spec": {
                            "role": role,
                            "amiSelectorTerms": [{"alias": o.ami.alias()}],
                            "subnetSelectorTerms": [{"tags": {"karpenter.sh/discovery": cluster}}],
                            "securityGroupSelectorTerms": [{"tags": {"karpenter.sh/discovery": cluster}}],
                            "kubelet": {"maxPods": m},
                        }
                    })
                }
            };
            out_docs.push((comments, value));
        }
        if classes[*class].doc.is_some() && class_name(class, *values.iter().next().unwrap_or(&0)) != **class {
            replaced_classes.push(class.to_string());
        }
    }

    // NodePools.
    for p in &pools {
        let split = p.groups.len() > 1;
        let mut names = Vec::new();
        for g in &p.groups {
            let name = if split {
                format!("{}-mp{}", p.name, g.max_pods)
            } else {
                p.name.clone()
            };
            check_name(
                &name,
                "NodePool",
                "shorten the NodePool's name (or --name): each maxPods group adds `-mp<N>`",
            )?;
            let class = class_name(&p.class, g.max_pods);
            let narrowing = json!({"key": LABEL_INSTANCE_TYPE, "operator": "In", "values": g.types});
            let mut comments = vec![format!(
                "NodePool {name}: maxPods {} on {} type(s), EC2NodeClass {class}.",
                g.max_pods,
                g.types.len()
            )];
            let value = match &p.doc {
                Some(doc) => {
                    let mut v = clean(doc.clone());
                    v["metadata"]["name"] = json!(name);
                    v["spec"]["template"]["spec"]["nodeClassRef"]["name"] = json!(class);
                    if !v["spec"]["template"]["spec"]["requirements"].is_array() {
                        v["spec"]["template"]["spec"]["requirements"] = json!([]);
                    }
                    if let Some(r) = v["spec"]["template"]["spec"]["requirements"].as_array_mut() {
                        r.push(narrowing);
                    }
                    comments.push(format!(
                        "{} {} ({}): requirements kept, narrowed to these types; weight, limits, disruption and template kept.",
                        if split { "From NodePool" } else { "Is NodePool" },
                        p.name,
                        p.file
                    ));
                    if split && v.pointer("/spec/limits").is_some() {
                        comments.push(format!(
                            "limits apply per NodePool: the {} NodePools from {} may together use {} times these limits",
                            p.groups.len(),
                            p.name,
                            p.groups.len()
                        ));
                    }
                    v
                }
                None => json!({
                    "apiVersion": "karpenter.sh/v1",
                    "kind": "NodePool",
                    "metadata": {"name": name},
                    "spec": {"template": {"spec": {
                        "nodeClassRef": {"group": "karpenter.k8s.aws", "kind": "EC2NodeClass", "name": class},
                        "requirements": [narrowing],
                    }}}
                }),
            };
            names.push(name);
            out_docs.push((comments, value));
        }
        if split && p.doc.is_some() {
            replaced_pools.push((p.name.clone(), names));
        }
    }

    // The single setting, where it is exact.
    let rows: Vec<(&InstanceType, u32)> = all_rows.values().copied().collect();
    let reserved = exact_reserved_enis(&rows);

    // Header.
    let mut header = vec![
        format!("Generated by sgpsim {}: {}", env!("CARGO_PKG_VERSION"), o.command),
        format!("Instance types from {source}; {}.", o.ctx.describe()),
        format!("Figures from the catalog: {}", crate::input::catalog::BUNDLED_SOURCE),
        "Karpenter writes an explicit maxPods into every node's kubelet config, its own figure unless the".into(),
        "EC2NodeClass sets spec.kubelet.maxPods (aws/karpenter-provider-aws pkg/providers/amifamily/resolver.go),"
            .into(),
        "and plans launches with the same figure (pkg/providers/instancetype/types.go, pods()). So the formula".into(),
        "goes into spec.kubelet.maxPods: one EC2NodeClass per maxPods value, each NodePool narrowed to one value's"
            .into(),
        "types. No userData sets maxPods: on AL2023 an explicit maxPods wins over maxPodsExpression".into(),
        "(awslabs/amazon-eks-ami nodeadm/doc/examples.md), and on AL2 Karpenter runs bootstrap.sh itself.".into(),
        "Accepted by: spec.kubelet.maxPods as an integer, every Karpenter v1 release (EC2NodeClass v1) and main;"
            .into(),
        "NodePool karpenter.sh/v1 with node.kubernetes.io/instance-type In, every v1 release.".into(),
    ];
    for p in &pools {
        for g in &p.groups {
            let shown: Vec<&str> = g.types.iter().take(6).map(String::as_str).collect();
            header.push(format!(
                "{}: maxPods {}: {} type(s): {}{}",
                if matches!(o.input, Input::Types(..)) {
                    "types".to_string()
                } else {
                    format!("NodePool {}", p.name)
                },
                g.max_pods,
                g.types.len(),
                shown.join(", "),
                if g.types.len() > shown.len() { ", ..." } else { "" }
            ));
        }
    }
    match reserved {
        Some(0) => header.push(
            "This is Karpenter's own figure on every type (RESERVED_ENIS=0, the default): nothing needs setting."
                .into(),
        ),
        Some(n) => header.extend(reserved_enis_comment(n, rows.len())),
        None => header.push(
            "No single RESERVED_ENIS value gives this figure on every type: the per-group objects are needed.".into(),
        ),
    }
    for c in &replaced_classes {
        header.push(format!(
            "EC2NodeClass {c} is replaced by the -mp<N> copies below: delete it once no NodeClaim uses it."
        ));
    }
    for (old, new) in &replaced_pools {
        header.push(format!(
            "NodePool {old} is replaced by {}: delete it after applying (kubectl delete nodepool {old}).",
            new.join(", ")
        ));
    }
    notes.sort();
    notes.dedup();
    for n in &notes {
        header.push(format!("note: {n}"));
    }

    // Merge patches: only for objects changed in place.
    let docs: Vec<(Vec<String>, Value, Option<String>)> = if o.merge_patch {
        if !replaced_pools.is_empty() || !replaced_classes.is_empty() || matches!(o.input, Input::Types(..)) {
            let why = if matches!(o.input, Input::Types(..)) {
                "--types writes new objects, not patches".to_string()
            } else {
                let mut w: Vec<String> = replaced_pools
                    .iter()
                    .map(|(p, n)| format!("NodePool {p} splits into {}", n.join(", ")))
                    .collect();
                w.extend(
                    replaced_classes
                        .iter()
                        .map(|c| format!("EC2NodeClass {c} splits into -mp<N> copies")),
                );
                w.join("; ")
            };
            return Err(InputError::field(
                "--merge-patch",
                format!("a merge patch changes an object in place, and here new objects are needed: {why}"),
                "drop --merge-patch to write the full objects (kubectl apply -f), or narrow the NodePool to types with one maxPods",
            ));
        }
        let mut patches = Vec::new();
        for (comments, v) in &out_docs {
            let kind = v["kind"].as_str().unwrap_or_default().to_string();
            let name = v["metadata"]["name"].as_str().unwrap_or_default().to_string();
            let body = if kind == "EC2NodeClass" {
                json!({"spec": {"kubelet": {"maxPods": v["spec"]["kubelet"]["maxPods"]}}})
            } else {
                json!({"spec": {"template": {"spec": {
                    "nodeClassRef": v["spec"]["template"]["spec"]["nodeClassRef"],
                    "requirements": v["spec"]["template"]["spec"]["requirements"],
                }}}})
            };
            let mut patch = json!({"apiVersion": v["apiVersion"], "kind": kind, "metadata": {"name": name}});
            patch["spec"] = body["spec"].clone();
            patches.push((
                comments.clone(),
                patch,
                Some(format!(
                    "kubectl patch {} {name} --type merge --patch-file FILE (this document alone; a JSON merge patch replaces lists whole)",
                    kind.to_ascii_lowercase()
                )),
            ));
        }
        patches
    } else {
        out_docs.into_iter().map(|(c, v)| (c, v, None)).collect()
    };

    let mut text = String::new();
    for h in &header {
        for line in h.lines() {
            let _ = writeln!(text, "# {line}");
        }
    }
    for (comments, v, cmd) in &docs {
        text.push_str("---\n");
        if let Some(c) = cmd {
            let _ = writeln!(text, "# {c}");
        }
        for c in comments {
            let _ = writeln!(text, "# {c}");
        }
        let y = serde_saphyr::to_string(v).expect("plain JSON values serialize");
        text.push_str(y.trim_start_matches("---\n"));
        if !text.ends_with('\n') {
            text.push('\n');
        }
    }
    Ok(Export { text, notes })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eni_limited_pods_matches_karpenter() {
        let c = Catalog::bundled();
        let m5 = c.get("m5.large").unwrap();
        assert_eq!(eni_limited_pods(m5, 0), 29);
        assert_eq!(eni_limited_pods(m5, 1), 20);
        assert_eq!(eni_limited_pods(m5, 3), 0);
        assert_eq!(eni_limited_pods(m5, 9), 0);
    }

    #[test]
    fn conservative_with_two_host_pods_is_reserved_enis_one_on_trunk_types() {
        let c = Catalog::bundled();
        let types = c.select(&["m5.*".into(), "c6i.*".into()], "t").unwrap();
        let f = Formula::parse("conservative").unwrap();
        let (rows, _) = figures(&types, &f, &Context::new(true, false, 2));
        assert_eq!(exact_reserved_enis(&rows), Some(1));
        let (rows, _) = figures(&types, &f, &Context::new(true, false, 3));
        assert_eq!(exact_reserved_enis(&rows), None);
        // A non-trunk type keeps all its ENIs: no single N.
        let mixed = c.select(&["m5.large".into(), "t3.large".into()], "t").unwrap();
        let (rows, _) = figures(&mixed, &f, &Context::new(true, false, 2));
        assert_eq!(exact_reserved_enis(&rows), None);
        // SGP off: conservative is the default.
        let (rows, _) = figures(&mixed, &f, &Context::new(false, false, 2));
        assert_eq!(exact_reserved_enis(&rows), Some(0));
    }

    #[test]
    fn groups_by_max_pods() {
        let c = Catalog::bundled();
        let types = c
            .select(&["m5.large".into(), "c6i.large".into(), "m5.xlarge".into()], "t")
            .unwrap();
        let (rows, _) = figures(
            &types,
            &Formula::parse("conservative").unwrap(),
            &Context::new(true, false, 2),
        );
        let g = groups(&rows);
        assert_eq!(g.len(), 2);
        assert_eq!(
            (g[0].max_pods, g[0].types.clone()),
            (20, vec!["c6i.large".into(), "m5.large".into()])
        );
        assert_eq!((g[1].max_pods, g[1].types.clone()), (44, vec!["m5.xlarge".into()]));
    }

    #[test]
    fn user_data_parts_and_facts() {
        let ud = "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"BOUNDARY\"\n\n--BOUNDARY\nContent-Type: application/node.eks.aws\n\n---\napiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\nspec:\n  kubelet:\n    maxPodsExpression: \"max_pods\"\n    config:\n      maxPods: 42\n--BOUNDARY\nContent-Type: text/x-shellscript; charset=\"us-ascii\"\n\n#!/bin/bash\n/etc/eks/bootstrap.sh demo\n--BOUNDARY--\n";
        let parts = user_data_parts(ud);
        assert_eq!(parts.len(), 2, "{parts:?}");
        let f = user_data_facts(ud);
        assert_eq!(f.explicit_max_pods.as_deref(), Some("42"));
        assert!(f.max_pods_expression && f.calls_bootstrap_sh);
        let f = user_data_facts("#!/bin/bash\necho hi\n");
        assert_eq!(f, UserDataFacts::default());
        let f = user_data_facts(
            "apiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\nspec:\n  kubelet:\n    config:\n      maxPods: 7\n",
        );
        assert_eq!(f.explicit_max_pods.as_deref(), Some("7"));
    }

    #[test]
    fn family_as_karpenter_resolves_it() {
        let f = |y: &str| family_of(&serde_saphyr::from_str::<Value>(y).unwrap());
        assert_eq!(f("amiSelectorTerms: [{alias: al2023@latest}]"), Some(Family::Al2023));
        assert_eq!(f("amiSelectorTerms: [{alias: al2@v1}]"), Some(Family::Al2));
        assert_eq!(
            f("amiFamily: Custom\namiSelectorTerms: [{alias: al2023@latest}]"),
            Some(Family::Custom)
        );
        assert_eq!(
            f("amiFamily: Bottlerocket\namiSelectorTerms: [{id: ami-1}]"),
            Some(Family::Bottlerocket)
        );
        assert_eq!(
            f("amiSelectorTerms: [{alias: windows2022@latest}]"),
            Some(Family::Windows)
        );
        assert_eq!(f("amiSelectorTerms: [{id: ami-1}]"), None);
    }
}
