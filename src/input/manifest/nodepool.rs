//! Karpenter NodePool requirements, evaluated against the catalog and the
//! instance facts.
//!
//! Labels are derived as Karpenter does (aws/karpenter-provider-aws
//! `pkg/providers/instancetype/types.go`, `computeRequirements`; the
//! well-known keys are in `pkg/apis/v1/labels.go`): `instance-family` and
//! `instance-size` are the two halves of the name split at its one `.`;
//! `instance-category` and `instance-generation` are groups 1 and 3 of the
//! regular expression `(^[a-z]+)(\-[0-9]+tb)?([0-9]+).*\.` (so
//! `u-6tb1.56xlarge` is category `u`, generation `1`); `instance-cpu` and
//! `instance-memory` are EC2's `DefaultVCpus` and `SizeInMiB`, here the
//! catalog's `vcpus` and `memory_mib`; `kubernetes.io/arch` and the
//! `instance-gpu-count`, `-manufacturer` and `-name` labels come from the
//! facts table ([`crate::input::facts`]), the GPU labels only on types with a GPU
//! (Karpenter sets them only when EC2 describes one); `kubernetes.io/os` is
//! `linux` (Windows nodes are outside the model: a pool that admits no Linux
//! node is reported as such). A type whose figure no source publishes is
//! left out of a pool that asks for that label, and named in a note.
//! Operators follow kubernetes-sigs/karpenter `pkg/scheduling/requirement.go`:
//! `In`, `NotIn` (a missing label passes), `Exists`, `DoesNotExist`, and
//! `Gt`/`Lt` with one integer value (a missing or non-integer label fails).
//! Requirements are ANDed.

use crate::input::bounds::excerpt;
use serde_json::Value;

use super::selector::scalar;
use crate::error::InputError;
use crate::input::catalog::{Catalog, InstanceType};
use crate::input::facts::Facts;

pub const LABEL_INSTANCE_TYPE: &str = "node.kubernetes.io/instance-type";
pub const LABEL_FAMILY: &str = "karpenter.k8s.aws/instance-family";
pub const LABEL_CATEGORY: &str = "karpenter.k8s.aws/instance-category";
pub const LABEL_GENERATION: &str = "karpenter.k8s.aws/instance-generation";
pub const LABEL_SIZE: &str = "karpenter.k8s.aws/instance-size";
pub const LABEL_CPU: &str = "karpenter.k8s.aws/instance-cpu";
pub const LABEL_MEMORY: &str = "karpenter.k8s.aws/instance-memory";
pub const LABEL_HYPERVISOR: &str = "karpenter.k8s.aws/instance-hypervisor";
pub const LABEL_OS: &str = "kubernetes.io/os";
pub const LABEL_ARCH: &str = "kubernetes.io/arch";
pub const LABEL_GPU_COUNT: &str = "karpenter.k8s.aws/instance-gpu-count";
pub const LABEL_GPU_MANUFACTURER: &str = "karpenter.k8s.aws/instance-gpu-manufacturer";
pub const LABEL_GPU_NAME: &str = "karpenter.k8s.aws/instance-gpu-name";

/// Keys that choose where or how a node is bought, not which type it is.
const PLACEMENT_KEYS: [&str; 5] = [
    "karpenter.sh/capacity-type",
    "topology.kubernetes.io/zone",
    "topology.kubernetes.io/region",
    "topology.k8s.aws/zone-id",
    "karpenter.k8s.aws/capacity-reservation-id",
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReqOp {
    In,
    NotIn,
    Exists,
    DoesNotExist,
    Gt(i64),
    Lt(i64),
}

/// One `spec.template.spec.requirements` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    pub key: String,
    pub op: ReqOp,
    pub values: Vec<String>,
    pub min_values: Option<u64>,
}

/// What the catalog and the facts know of a label on one type.
enum LabelValue {
    Known(Option<String>),
    /// No source publishes this type's figure (e.g. the architecture of the c8g-flex types).
    Unpublished,
    /// Neither table has the label (bandwidth, local NVMe, custom labels...).
    Unmodelled,
    /// Does not depend on the instance type (zone, capacity type).
    Placement,
}

/// Category and generation as Karpenter's `instanceTypeScheme` reads them.
pub fn category_generation(name: &str) -> Option<(String, String)> {
    let dot = name.find('.')?;
    let b = name.as_bytes();
    let mut i = 0;
    while i < b.len() && b[i].is_ascii_lowercase() {
        i += 1;
    }
    if i == 0 {
        return None;
    }
    let category = &name[..i];
    // Optional `-<digits>tb`.
    let mut j = i;
    if j < b.len() && b[j] == b'-' {
        let mut k = j + 1;
        while k < b.len() && b[k].is_ascii_digit() {
            k += 1;
        }
        if k > j + 1 && name[k..].starts_with("tb") {
            j = k + 2;
        }
    }
    let g0 = j;
    while j < b.len() && b[j].is_ascii_digit() {
        j += 1;
    }
    if j == g0 || j > dot {
        return None;
    }
    Some((category.to_string(), name[g0..j].to_string()))
}

fn label_of(t: &InstanceType, key: &str) -> LabelValue {
    let halves = t.name.split_once('.').filter(|(_, s)| !s.contains('.'));
    let cg = category_generation(&t.name);
    let facts = Facts::bundled().get(&t.name);
    let listed = facts.filter(|f| f.listed());
    let gpu = |pick: fn(&crate::input::facts::InstanceFacts) -> Option<String>| match listed {
        None => LabelValue::Unpublished,
        Some(f) if f.has_gpu_labels() => LabelValue::Known(pick(f)),
        Some(_) => LabelValue::Known(None),
    };
    let published = |v: Option<String>| match v {
        Some(v) => LabelValue::Known(Some(v)),
        None => LabelValue::Unpublished,
    };
    match key {
        LABEL_INSTANCE_TYPE | "beta.kubernetes.io/instance-type" => LabelValue::Known(Some(t.name.clone())),
        LABEL_FAMILY => LabelValue::Known(halves.map(|h| h.0.to_string())),
        LABEL_SIZE => LabelValue::Known(halves.map(|h| h.1.to_string())),
        LABEL_CATEGORY => LabelValue::Known(cg.map(|c| c.0)),
        LABEL_GENERATION => LabelValue::Known(cg.map(|c| c.1)),
        LABEL_CPU => published(t.vcpus.map(|v| v.to_string())),
        LABEL_MEMORY => published(t.memory_mib.map(|v| v.to_string())),
        LABEL_HYPERVISOR => LabelValue::Known(Some(t.hypervisor.clone()).filter(|h| !h.is_empty())),
        LABEL_OS | "beta.kubernetes.io/os" => LabelValue::Known(Some("linux".into())),
        LABEL_ARCH | "beta.kubernetes.io/arch" => published(listed.and_then(|f| f.arch.clone())),
        LABEL_GPU_COUNT => gpu(|f| f.gpu_count.map(|n| n.to_string())),
        LABEL_GPU_MANUFACTURER => gpu(|f| f.gpu_manufacturer.clone()),
        LABEL_GPU_NAME => gpu(|f| f.gpu_name.clone()),
        k if PLACEMENT_KEYS.contains(&k) => LabelValue::Placement,
        _ => LabelValue::Unmodelled,
    }
}

impl Requirement {
    /// Whether a label value (absent: `None`) satisfies this requirement.
    pub fn admits(&self, value: Option<&str>) -> bool {
        match (&self.op, value) {
            (ReqOp::In, Some(v)) => self.values.iter().any(|x| x == v),
            (ReqOp::In, None) => false,
            (ReqOp::NotIn, Some(v)) => !self.values.iter().any(|x| x == v),
            (ReqOp::NotIn, None) => true,
            (ReqOp::Exists, v) => v.is_some(),
            (ReqOp::DoesNotExist, v) => v.is_none(),
            (ReqOp::Gt(n), Some(v)) => v.parse::<i64>().is_ok_and(|x| x > *n),
            (ReqOp::Lt(n), Some(v)) => v.parse::<i64>().is_ok_and(|x| x < *n),
            (ReqOp::Gt(_) | ReqOp::Lt(_), None) => false,
        }
    }

    /// As written in the NodePool, for comments.
    pub fn describe(&self) -> String {
        let op = match self.op {
            ReqOp::In => "In",
            ReqOp::NotIn => "NotIn",
            ReqOp::Exists => "Exists",
            ReqOp::DoesNotExist => "DoesNotExist",
            ReqOp::Gt(_) => "Gt",
            ReqOp::Lt(_) => "Lt",
        };
        if self.values.is_empty() {
            format!("{} {op}", self.key)
        } else {
            format!("{} {op} [{}]", self.key, self.values.join(", "))
        }
    }
}

/// Parses a `requirements` list; `file` and `what` (e.g. `NodePool default`) name errors.
pub fn parse_requirements(v: Option<&Value>, file: &str, what: &str) -> Result<Vec<Requirement>, InputError> {
    let Some(v) = v else { return Ok(Vec::new()) };
    let list = v.as_array().ok_or_else(|| {
        super::err(
            file,
            "spec.template.spec.requirements",
            format!("{what}: requirements is not a list"),
            "write a list of {key, operator, values}",
        )
    })?;
    let mut out = Vec::new();
    for (i, r) in list.iter().enumerate() {
        let field = format!("spec.template.spec.requirements[{i}]");
        let bad = |problem: String, fix: &str| super::err(file, &field, format!("{what}: {problem}"), fix);
        let key = r.get("key").and_then(scalar).filter(|k| !k.is_empty());
        let key = key.ok_or_else(|| {
            bad(
                "no key".into(),
                "give the label key, e.g. karpenter.k8s.aws/instance-family",
            )
        })?;
        let values: Vec<String> = r
            .get("values")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(scalar).collect())
            .unwrap_or_default();
        let op_text = r.get("operator").and_then(scalar).unwrap_or_default();
        let int = |values: &[String]| -> Result<i64, InputError> {
            match values {
                [one] => one.parse::<i64>().map_err(|_| {
                    bad(
                        format!("`{op_text}` needs an integer, not `{}`", excerpt(one)),
                        "give one whole number, e.g. values: [\"4\"]",
                    )
                }),
                _ => Err(bad(
                    format!("`{op_text}` takes exactly one value, not {}", values.len()),
                    "give one whole number, e.g. values: [\"4\"]",
                )),
            }
        };
        let op = match op_text.as_str() {
            "In" => ReqOp::In,
            "NotIn" => ReqOp::NotIn,
            "Exists" => ReqOp::Exists,
            "DoesNotExist" => ReqOp::DoesNotExist,
            "Gt" => ReqOp::Gt(int(&values)?),
            "Lt" => ReqOp::Lt(int(&values)?),
            other => {
                return Err(bad(
                    format!("operator `{}` is not one Karpenter accepts", excerpt(other)),
                    "use In, NotIn, Exists, DoesNotExist, Gt or Lt",
                ));
            }
        };
        if matches!(op, ReqOp::In | ReqOp::NotIn) && values.is_empty() {
            return Err(bad(format!("`{op_text}` without values"), "list the values"));
        }
        let min_values = r.get("minValues").and_then(Value::as_u64);
        out.push(Requirement {
            key,
            op,
            values,
            min_values,
        });
    }
    Ok(out)
}

/// Whether the requirements admit a Linux node at all; `None` when they do,
/// else the requirements that exclude it (a Windows pool).
pub fn windows_only(reqs: &[Requirement]) -> Option<String> {
    let os: Vec<&Requirement> = reqs
        .iter()
        .filter(|r| r.key == LABEL_OS || r.key == "beta.kubernetes.io/os")
        .collect();
    if os.iter().all(|r| r.admits(Some("linux"))) {
        None
    } else {
        Some(excerpt(&os.iter().map(|r| r.describe()).collect::<Vec<_>>().join("; ")))
    }
}

/// The catalog types every requirement admits, and notes on requirements
/// that could not be evaluated (they are then not applied) and on types left
/// out because no source publishes the label asked for.
pub fn allowed<'c>(reqs: &[Requirement], catalog: &'c Catalog) -> (Vec<&'c InstanceType>, Vec<String>) {
    let mut notes = Vec::new();
    if let Some(os) = windows_only(reqs) {
        notes.push(format!(
            "`{os}` admits no Linux node: Windows nodes are out of scope (MODEL.md §3), so this pool adds no instance type"
        ));
        return (Vec::new(), notes);
    }
    let mut applied = Vec::new();
    let probe = catalog.get("m5.large").or_else(|| catalog.iter().next());
    for r in reqs {
        match probe.map(|t| label_of(t, &r.key)) {
            Some(LabelValue::Unmodelled) => notes.push(format!(
                "requirement `{}` not evaluated: neither the catalog nor the instance facts have a `{}` label (check the instance types listed)",
                excerpt(&r.describe()),
                excerpt(&r.key)
            )),
            Some(LabelValue::Placement) => notes.push(format!(
                "requirement `{}` does not choose the instance type: not applied (the model has no zones or prices)",
                excerpt(&r.describe())
            )),
            _ => applied.push(r),
        }
        if let Some(m) = r.min_values {
            notes.push(format!(
                "minValues {m} on `{}` is a flexibility floor for launches, not a type filter: not applied",
                excerpt(&r.key)
            ));
        }
    }
    let mut types = Vec::new();
    // Types that meet every requirement whose label is published, but lack one asked for.
    let mut unpublished: Vec<(String, Vec<&str>)> = Vec::new();
    for t in catalog.iter() {
        let mut missing = Vec::new();
        let fits = applied.iter().all(|r| match label_of(t, &r.key) {
            LabelValue::Known(v) => r.admits(v.as_deref()),
            LabelValue::Unpublished => {
                missing.push(r.key.as_str());
                true
            }
            _ => true,
        });
        match (fits, missing.is_empty()) {
            (true, true) => types.push(t),
            (true, false) => unpublished.push((t.name.clone(), missing)),
            _ => {}
        }
    }
    if !unpublished.is_empty() {
        let mut keys: Vec<&str> = unpublished.iter().flat_map(|(_, k)| k.iter().copied()).collect();
        keys.sort_unstable();
        keys.dedup();
        notes.push(format!(
            "{} types left out: no source publishes their {} (Karpenter reads it from EC2; add them with --types if they qualify): {}",
            unpublished.len(),
            keys.join(", "),
            unpublished.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>().join(", ")
        ));
    }
    (types, notes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn category_and_generation_as_karpenter_reads_them() {
        let cg = |n: &str| category_generation(n).unwrap();
        assert_eq!(cg("m5.large"), ("m".into(), "5".into()));
        assert_eq!(cg("m7i-flex.large"), ("m".into(), "7".into()));
        assert_eq!(cg("u-6tb1.56xlarge"), ("u".into(), "1".into()));
        assert_eq!(cg("x2iedn.xlarge"), ("x".into(), "2".into()));
        assert_eq!(cg("mac2-m2pro.metal"), ("mac".into(), "2".into()));
        assert_eq!(category_generation("weird"), None);
    }

    fn reqs(yaml: &str) -> Vec<Requirement> {
        let v: Value = serde_saphyr::from_str(yaml).unwrap();
        parse_requirements(Some(&v), "np.yaml", "NodePool t").unwrap()
    }

    fn names(yaml: &str) -> Vec<String> {
        let c = Catalog::bundled();
        allowed(&reqs(yaml), &c).0.iter().map(|t| t.name.clone()).collect()
    }

    #[test]
    fn mixed_requirements() {
        let got = names(
            "- {key: karpenter.k8s.aws/instance-category, operator: In, values: [m, c]}\n\
             - {key: karpenter.k8s.aws/instance-generation, operator: Gt, values: ['5']}\n\
             - {key: karpenter.k8s.aws/instance-size, operator: In, values: [large, xlarge]}\n\
             - {key: karpenter.k8s.aws/instance-family, operator: NotIn, values: [m7i-flex, c7i-flex]}\n\
             - {key: karpenter.k8s.aws/instance-cpu, operator: Lt, values: ['3']}\n",
        );
        assert!(got.contains(&"m6i.large".to_string()), "{got:?}");
        assert!(got.contains(&"c7g.large".to_string()), "{got:?}");
        assert!(
            !got.iter().any(|n| n.starts_with("m5.") || n.ends_with(".xlarge")),
            "{got:?}"
        );
        assert!(
            !got.iter()
                .any(|n| n.starts_with("m7i-flex.") || n.starts_with("c7i-flex.")),
            "{got:?}"
        );
        assert!(
            got.contains(&"c7g-flex.large".to_string()),
            "only the named flex families are excluded"
        );
        assert!(got.iter().all(|n| n.starts_with('m') || n.starts_with('c')), "{got:?}");
    }

    #[test]
    fn exists_does_not_exist_and_instance_type() {
        assert_eq!(
            names(
                "- {key: node.kubernetes.io/instance-type, operator: In, values: [m5.large, c6i.xlarge, nope.large]}"
            ),
            ["c6i.xlarge", "m5.large"]
        );
        // Types without published vCPUs are left out of a pool that asks for the label.
        let c = Catalog::bundled();
        let (types, notes) = allowed(
            &reqs("- {key: karpenter.k8s.aws/instance-cpu, operator: Gt, values: ['90']}"),
            &c,
        );
        assert!(!types.iter().any(|t| t.name == "c7i.32xlarge"));
        assert!(types.iter().any(|t| t.name == "m5.24xlarge"));
        assert!(
            notes
                .iter()
                .any(|n| n.contains("17 types left out") && n.contains("c7i.32xlarge")),
            "{notes:?}"
        );
    }

    #[test]
    fn unmodelled_keys_are_reported_not_applied() {
        let c = Catalog::bundled();
        let r = reqs(
            "- {key: karpenter.k8s.aws/instance-local-nvme, operator: Gt, values: ['100']}\n- {key: karpenter.sh/capacity-type, operator: In, values: [spot]}\n- {key: karpenter.k8s.aws/instance-family, operator: In, values: [m5]}",
        );
        let (types, notes) = allowed(&r, &c);
        assert!(types.iter().all(|t| t.name.starts_with("m5.")));
        assert_eq!(types.len(), c.iter().filter(|t| t.name.starts_with("m5.")).count());
        assert_eq!(notes.len(), 2, "{notes:?}");
        assert!(notes[0].contains("instance-local-nvme"));
    }

    /// Issue 10: an amd64 pool let every Graviton type through.
    #[test]
    fn architecture_is_evaluated_from_the_facts() {
        let amd = names("- {key: kubernetes.io/arch, operator: In, values: [amd64]}");
        let arm = names("- {key: kubernetes.io/arch, operator: In, values: [arm64]}");
        assert_eq!((amd.len(), arm.len()), (968, 416));
        assert!(amd.contains(&"m5.large".to_string()) && !amd.contains(&"m7g.large".to_string()));
        assert!(arm.contains(&"m7g.large".to_string()) && !arm.contains(&"c8g-flex.large".to_string()));
        let not_arm = names("- {key: kubernetes.io/arch, operator: NotIn, values: [arm64]}");
        assert_eq!(not_arm.len(), 968, "unpublished types are left out, not let through");
    }

    #[test]
    fn gpu_labels_only_on_types_with_a_gpu() {
        assert_eq!(
            names("- {key: karpenter.k8s.aws/instance-gpu-count, operator: Gt, values: ['0']}").len(),
            69
        );
        let none = names("- {key: karpenter.k8s.aws/instance-gpu-count, operator: DoesNotExist}");
        assert_eq!(none.len(), 1384 - 74);
        assert!(none.contains(&"m5.large".to_string()) && !none.contains(&"g6f.large".to_string()));
        let a100 = names(
            "- {key: karpenter.k8s.aws/instance-gpu-name, operator: In, values: [a100]}\n- {key: karpenter.k8s.aws/instance-gpu-manufacturer, operator: In, values: [nvidia]}",
        );
        assert!(a100.contains(&"p4d.24xlarge".to_string()), "{a100:?}");
        assert!(a100.iter().all(|n| n.starts_with("p4")), "{a100:?}");
    }

    #[test]
    fn a_windows_pool_is_out_of_scope_not_empty() {
        let c = Catalog::bundled();
        let (types, notes) = allowed(&reqs("- {key: kubernetes.io/os, operator: In, values: [windows]}"), &c);
        assert!(types.is_empty());
        assert!(notes[0].contains("Windows nodes are out of scope"), "{notes:?}");
        assert!(
            windows_only(&reqs(
                "- {key: kubernetes.io/os, operator: In, values: [linux, windows]}"
            ))
            .is_none()
        );
        assert!(windows_only(&reqs("- {key: kubernetes.io/os, operator: NotIn, values: [linux]}")).is_some());
    }

    /// The name rule gives the facts' category, family, generation and size on every row.
    #[test]
    fn name_rule_agrees_with_the_facts() {
        let facts = Facts::bundled();
        for t in Catalog::bundled().iter() {
            let f = facts.get(&t.name).unwrap();
            let (fam, size) = t.name.split_once('.').unwrap();
            assert_eq!(f.family.as_deref(), Some(fam), "{}", t.name);
            assert_eq!(f.size.as_deref(), Some(size), "{}", t.name);
            let cg = category_generation(&t.name);
            assert_eq!(f.category, cg.as_ref().map(|c| c.0.clone()), "{}", t.name);
            assert_eq!(f.generation, cg.map(|c| c.1), "{}", t.name);
        }
    }

    #[test]
    fn bad_requirements_are_input_errors() {
        for y in [
            "- {key: karpenter.k8s.aws/instance-cpu, operator: Gt, values: ['a']}",
            "- {key: karpenter.k8s.aws/instance-cpu, operator: Gt, values: ['1', '2']}",
            "- {key: karpenter.k8s.aws/instance-cpu, operator: Gte, values: ['1']}",
            "- {key: karpenter.k8s.aws/instance-cpu, operator: In}",
        ] {
            let v: Value = serde_saphyr::from_str(y).unwrap();
            let e = parse_requirements(Some(&v), "np.yaml", "NodePool t").unwrap_err();
            assert_eq!(e.file.as_deref(), Some("np.yaml"));
            assert_eq!(e.field.as_deref(), Some("spec.template.spec.requirements[0]"), "{y}");
        }
    }
}
