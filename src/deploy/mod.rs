//! Deployable configuration from a simulated formula: an EC2NodeClass
//! (`karpenter.k8s.aws/v1`) whose UserData sets maxPods per instance type,
//! for AL2023 (nodeadm) and AL2 (bootstrap.sh), and the Karpenter setting
//! that does the same where one exists.
//!
//! Field names follow aws/karpenter-provider-aws `pkg/apis/v1/ec2nodeclass.go`
//! (`role`, `amiSelectorTerms[].alias`, `subnetSelectorTerms[].tags`,
//! `securityGroupSelectorTerms[].tags`, `userData`, `kubelet.maxPods`) and
//! nodeadm's `NodeConfig` (`apiVersion: node.eks.aws/v1alpha1`,
//! `spec.kubelet.config.maxPods`, `spec.kubelet.maxPodsExpression`;
//! awslabs/amazon-eks-ami `nodeadm/doc/examples.md`).

pub mod expr;
pub mod karpenter;
pub mod script;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::error::InputError;
use crate::input::catalog::InstanceType;
use crate::model::formula::{Formula, aws_default};
use crate::model::node::{NodeSettings, SystemPods};

pub use self::expr::{Context, Target};
pub use self::script::ScriptParams;

/// The AMI family the UserData is written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ami {
    Al2023,
    Al2,
}

impl Ami {
    pub fn parse(s: &str) -> Result<Ami, InputError> {
        match s.to_ascii_lowercase().as_str() {
            "al2023" => Ok(Ami::Al2023),
            "al2" => Ok(Ami::Al2),
            other => Err(InputError::field(
                "--ami",
                format!("unknown AMI family `{other}`"),
                "use al2023 or al2",
            )),
        }
    }
    /// The `amiSelectorTerms` alias.
    pub fn alias(self) -> &'static str {
        match self {
            Ami::Al2023 => "al2023@latest",
            Ami::Al2 => "al2@latest",
        }
    }
}

/// One row of the UserData table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub instance_type: String,
    /// `E*(I-1)+2`, the AWS default.
    pub aws: u32,
    pub trunk: bool,
    pub max_pods: u32,
}

/// The exact table of a formula over `types`, and notes for types left out.
pub fn table(types: &[&InstanceType], f: &Formula, ctx: &Context) -> (Vec<Entry>, Vec<String>) {
    let mut rows = Vec::new();
    let mut notes = Vec::new();
    for t in types {
        // The name goes into a bash `case` pattern: only the characters of real type names.
        if t.name.is_empty()
            || !t
                .name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-')
        {
            notes.push(format!(
                "{:?}: left out of the table: not a valid instance-type name for the script",
                t.name
            ));
            continue;
        }
        match f.max_pods(t, &ctx.settings, ctx.system) {
            Ok(m) => {
                if let Some(n) = m.note {
                    notes.push(format!("{}: {n}", t.name));
                }
                if m.value < ctx.system.smallest_max_pods() {
                    notes.push(format!(
                        "{}: maxPods {} leaves no room above {} system pods (kept: it is what the formula gives)",
                        t.name,
                        m.value,
                        ctx.system.total()
                    ));
                }
                rows.push(Entry {
                    instance_type: t.name.clone(),
                    aws: aws_default(t),
                    trunk: t.trunk_compatible,
                    max_pods: m.value,
                });
            }
            Err(u) => notes.push(format!(
                "{}: left out of the table, falls back to the default: {u}",
                t.name
            )),
        }
    }
    (rows, notes)
}

/// A MIME multi-part document with one part, as Karpenter and cloud-init take it.
pub fn mime(content_type: &str, body: &str) -> String {
    let mut s = format!(
        "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"//\"\n\n--//\nContent-Type: {content_type}\n\n{body}"
    );
    if !s.ends_with('\n') {
        s.push('\n');
    }
    s.push_str("--//--\n");
    s
}

/// An AL2023 NodeConfig part with `kubelet.maxPodsExpression`.
pub fn nodeconfig_expression(expression: &str) -> String {
    #[derive(Serialize)]
    struct Kubelet<'a> {
        #[serde(rename = "maxPodsExpression")]
        max_pods_expression: &'a str,
    }
    #[derive(Serialize)]
    struct Spec<'a> {
        kubelet: Kubelet<'a>,
    }
    #[derive(Serialize)]
    struct NodeConfig<'a> {
        #[serde(rename = "apiVersion")]
        api_version: &'a str,
        kind: &'a str,
        spec: Spec<'a>,
    }
    let doc = NodeConfig {
        api_version: "node.eks.aws/v1alpha1",
        kind: "NodeConfig",
        spec: Spec {
            kubelet: Kubelet {
                max_pods_expression: expression,
            },
        },
    };
    format!(
        "---\n{}",
        serde_saphyr::to_string(&doc).expect("plain records serialize")
    )
}

/// What to put in the EC2NodeClass besides the UserData.
#[derive(Debug, Clone)]
pub struct NodeClassParams {
    pub name: String,
    pub role: String,
    /// The `karpenter.sh/discovery` tag value of subnets and security groups.
    pub discovery: String,
    pub ami: Ami,
    /// `spec.kubelet.maxPods`, where a Karpenter setting goes with the UserData.
    pub kubelet_max_pods: Option<u32>,
}

#[derive(Serialize)]
struct Meta<'a> {
    name: &'a str,
}

#[derive(Serialize)]
struct AliasTerm<'a> {
    alias: &'a str,
}

#[derive(Serialize)]
struct TagTerm<'a> {
    tags: BTreeMap<&'a str, &'a str>,
}

#[derive(Serialize)]
struct KubeletSpec {
    #[serde(rename = "maxPods")]
    max_pods: u32,
}

#[derive(Serialize)]
struct NodeClassSpec<'a> {
    role: &'a str,
    #[serde(rename = "amiSelectorTerms")]
    ami_selector_terms: Vec<AliasTerm<'a>>,
    #[serde(rename = "subnetSelectorTerms")]
    subnet_selector_terms: Vec<TagTerm<'a>>,
    #[serde(rename = "securityGroupSelectorTerms")]
    security_group_selector_terms: Vec<TagTerm<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    kubelet: Option<KubeletSpec>,
    #[serde(rename = "userData")]
    user_data: serde_saphyr::LitString,
}

#[derive(Serialize)]
struct NodeClass<'a> {
    #[serde(rename = "apiVersion")]
    api_version: &'a str,
    kind: &'a str,
    metadata: Meta<'a>,
    spec: NodeClassSpec<'a>,
}

/// The EC2NodeClass YAML with `comments` (one per line) on top.
pub fn ec2nodeclass_yaml(p: &NodeClassParams, user_data: &str, comments: &[String]) -> String {
    let tags = || TagTerm {
        tags: BTreeMap::from([("karpenter.sh/discovery", p.discovery.as_str())]),
    };
    let doc = NodeClass {
        api_version: "karpenter.k8s.aws/v1",
        kind: "EC2NodeClass",
        metadata: Meta { name: &p.name },
        spec: NodeClassSpec {
            role: &p.role,
            ami_selector_terms: vec![AliasTerm { alias: p.ami.alias() }],
            subnet_selector_terms: vec![tags()],
            security_group_selector_terms: vec![tags()],
            kubelet: p.kubelet_max_pods.map(|max_pods| KubeletSpec { max_pods }),
            user_data: serde_saphyr::LitString(user_data.to_string()),
        },
    };
    let mut out = String::new();
    for c in comments {
        for line in c.lines() {
            out.push_str("# ");
            out.push_str(line);
            out.push('\n');
        }
    }
    out.push_str(&serde_saphyr::to_string(&doc).expect("plain records serialize"));
    out
}

/// Karpenter's own setting for a formula: the text to print, or why there is none.
pub fn karpenter_settings(f: &Formula, ctx: &Context, types: &[&InstanceType]) -> Result<String, String> {
    let mut out = String::new();
    match f {
        Formula::KarpenterReservedEnis(n) => {
            out.push_str(&format!(
                "# {name}: Karpenter's RESERVED_ENIS, a controller setting (global to the controller, not per NodeClass).\n\
                 # It makes Karpenter compute maxPods = (E - {n}) * (I - 1) + 2 for every type (ENILimitedPods in\n\
                 # aws/karpenter-provider-aws pkg/providers/instancetype/types.go) and write it to the kubelet.\n\
                 # Available in every Karpenter v1 release (flag --reserved-enis, env RESERVED_ENIS,\n\
                 # pkg/operator/options/options.go); the v0.3x charts had it as settings.aws.reservedENIs.\n\
                 # Helm values:\n\
                 settings:\n  reservedENIs: \"{n}\"\n",
                name = f.name()
            ));
            Ok(out)
        }
        Formula::AwsDefault => Ok(format!(
            "# {}: what Karpenter computes when neither spec.kubelet.maxPods nor RESERVED_ENIS is set\n\
             # (E * (I - 1) + 2, RESERVED_ENIS=0): nothing to set.\nsettings:\n  reservedENIs: \"0\"\n",
            f.name()
        )),
        Formula::Fixed(n) => Ok(format!(
            "# {}: one maxPods for every type, a field of the EC2NodeClass in every Karpenter v1 release\n\
             # (spec.kubelet.maxPods, pkg/apis/v1/ec2nodeclass.go). Karpenter also uses it for scheduling.\n\
             apiVersion: karpenter.k8s.aws/v1\nkind: EC2NodeClass\nspec:\n  kubelet:\n    maxPods: {n}\n",
            f.name()
        )),
        _ => match expr::expression(f, Target::Karpenter, ctx, types) {
            Some(e) => Ok(format!(
                "# {}: as a Karpenter CEL maxPods, checked on the {} type(s) given.\n\
                 # spec.kubelet.maxPods as a CEL expression (variables vcpus, memory_mib, default_enis, ips_per_eni,\n\
                 # max_pods, instance_type) was added on Karpenter's main branch by commit 7695b3c49 (2026-08-20,\n\
                 # pkg/apis/v1/kubeletconfiguration.go): v1.14.1 takes an integer only. Check the release notes of\n\
                 # your version before applying. Karpenter then also schedules with this figure.\n\
                 apiVersion: karpenter.k8s.aws/v1\nkind: EC2NodeClass\nspec:\n  kubelet:\n    maxPods: {}\n",
                f.name(),
                types.len(),
                serde_json::Value::String(e)
            )),
            None => Err(format!(
                "`{}` has no Karpenter setting: it needs {} which Karpenter's maxPods variables \
                 (vcpus, memory_mib, default_enis, ips_per_eni, max_pods, instance_type) do not give",
                f.name(),
                match f {
                    Formula::SeedUserdata => "the published eni-max-pods figure by size and trunk compatibility",
                    Formula::Aggressive => "branch ENIs",
                    Formula::Conservative => "trunk compatibility (the types given do not all agree on it)",
                    Formula::PerType { .. } =>
                        "a maxPods chosen per instance type (and not Karpenter's own on every one)",
                    _ => "figures",
                }
            )),
        },
    }
}

/// The default for a type outside the table: the smallest maxPods of the
/// table (safe on every listed type), or 110 (nodeadm's `defaultMaxPods`) for
/// an empty table.
pub fn default_max_pods(rows: &[Entry]) -> (u32, String) {
    match rows.iter().map(|e| e.max_pods).min() {
        Some(m) => (
            m,
            format!("DEFAULT_MAX_PODS: the smallest maxPods of the table ({m}), safe for every type listed"),
        ),
        None => (
            110,
            "DEFAULT_MAX_PODS: nodeadm's defaultMaxPods (110), the table is empty".into(),
        ),
    }
}

/// Settings for a formula's figures.
pub fn context(sgp: bool, prefix_delegation: bool, system_pods: u32) -> Context {
    Context {
        settings: NodeSettings { sgp, prefix_delegation },
        system: SystemPods {
            host: system_pods,
            ip: 0,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::catalog::Catalog;

    #[test]
    fn table_matches_the_formula_and_notes_gaps() {
        let c = Catalog::bundled();
        let types = c
            .select(&["m5.large".into(), "m5.xlarge".into(), "c7i.32xlarge".into()], "t")
            .unwrap();
        let f = Formula::parse("seed-userdata").unwrap();
        let (rows, notes) = table(&types, &f, &context(true, false, 2));
        assert_eq!(rows.len(), 2);
        assert_eq!((rows[0].aws, rows[0].max_pods), (29, 20));
        assert_eq!((rows[1].aws, rows[1].max_pods), (58, 40));
        assert!(notes.iter().any(|n| n.starts_with("c7i.32xlarge")), "{notes:?}");
        assert_eq!(default_max_pods(&rows).0, 20);
    }

    #[test]
    fn names_unsafe_for_bash_are_left_out() {
        let mut t = Catalog::bundled().get("m5.large").unwrap().clone();
        t.name = "m5.large)$(touch x)".into();
        let (rows, notes) = table(&[&t], &Formula::AwsDefault, &context(true, false, 2));
        assert!(rows.is_empty());
        assert!(notes[0].contains("not a valid instance-type name"), "{notes:?}");
    }

    #[test]
    fn nodeclass_yaml_parses_back_with_v1_fields() {
        let p = NodeClassParams {
            name: "sgp".into(),
            role: "KarpenterNodeRole-demo".into(),
            discovery: "demo".into(),
            ami: Ami::Al2023,
            kubelet_max_pods: None,
        };
        let ud = mime("text/x-shellscript; charset=\"us-ascii\"", "#!/bin/bash\necho 'a: b'\n");
        let y = ec2nodeclass_yaml(&p, &ud, &["made by a test".into()]);
        assert!(y.starts_with("# made by a test\n"));
        let v: serde_json::Value = serde_saphyr::from_str(&y).unwrap();
        assert_eq!(v["apiVersion"], "karpenter.k8s.aws/v1");
        assert_eq!(v["spec"]["amiSelectorTerms"][0]["alias"], "al2023@latest");
        assert_eq!(
            v["spec"]["subnetSelectorTerms"][0]["tags"]["karpenter.sh/discovery"],
            "demo"
        );
        assert_eq!(v["spec"]["userData"].as_str().unwrap(), ud);
        let nc: serde_json::Value = serde_saphyr::from_str(
            nodeconfig_expression("(default_enis - 1) * (ips_per_eni - 1) + 2").trim_start_matches("---\n"),
        )
        .unwrap();
        assert_eq!(
            nc["spec"]["kubelet"]["maxPodsExpression"],
            "(default_enis - 1) * (ips_per_eni - 1) + 2"
        );
    }

    #[test]
    fn karpenter_settings_per_formula() {
        let c = Catalog::bundled();
        let types = c.select(&["m5.*".into()], "t").unwrap();
        let ctx = context(true, false, 2);
        let s = karpenter_settings(&Formula::parse("karpenter-reserved-enis:1").unwrap(), &ctx, &types).unwrap();
        assert!(s.contains("reservedENIs: \"1\""), "{s}");
        let s = karpenter_settings(&Formula::parse("conservative").unwrap(), &ctx, &types).unwrap();
        assert!(
            s.contains("maxPods: \"2 + (default_enis - 1) * (ips_per_eni - 1)\""),
            "{s}"
        );
        assert!(
            karpenter_settings(&Formula::parse("aggressive").unwrap(), &ctx, &types)
                .unwrap_err()
                .contains("branch")
        );
    }
}
