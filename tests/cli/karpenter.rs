//! Issue 10: the Karpenter-native export. Every document it writes validates
//! against the CRD schemas kept in tests/data/karpenter; a reimplementation
//! of Karpenter's AL2023 user-data merge (and of nodeadm's) gives the
//! formula's maxPods on the node; a reimplementation of Karpenter's `pods()`
//! gives it in Karpenter's plan.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Output;

use serde_json::{Value, json};
use sgpsim::input::catalog::{Catalog, InstanceType};
use sgpsim::model::formula::Formula;
use sgpsim::model::node::{NodeSettings, SystemPods};

use super::{root, sgpsim, stderr, stdout};

const CLUSTER: &str = "tests/manifests/cluster";
const KARPENTER: &str = "tests/manifests/cluster/40-karpenter.yaml";

fn ok(o: &Output) -> String {
    assert!(o.status.success(), "exit {:?}\nstderr:\n{}", o.status.code(), stderr(o));
    stdout(o)
}

fn fails(o: &Output, needles: &[&str]) {
    assert_eq!(
        o.status.code(),
        Some(2),
        "stdout:\n{}\nstderr:\n{}",
        stdout(o),
        stderr(o)
    );
    let e = stderr(o);
    for n in needles {
        assert!(e.contains(n), "`{n}` not in:\n{e}");
    }
}

/// The YAML documents of a stream (comment-only documents dropped).
fn docs(text: &str) -> Vec<Value> {
    let v: Vec<Value> = serde_saphyr::from_multiple(text).unwrap_or_else(|e| panic!("not YAML: {e}\n{text}"));
    v.into_iter().filter(|d| !d.is_null()).collect()
}

// ---------------------------------------------------------------- the CRD schemas

/// `additionalProperties: false` wherever the API server would prune unknown
/// fields (an object schema with properties, not marked to preserve them).
fn close_objects(s: &mut Value) {
    if let Some(o) = s.as_object_mut() {
        let preserve = o.get("x-kubernetes-preserve-unknown-fields") == Some(&json!(true));
        if o.contains_key("properties") && !o.contains_key("additionalProperties") && !preserve {
            o.insert("additionalProperties".into(), json!(false));
        }
        for (k, v) in o.iter_mut() {
            if k == "properties" {
                if let Some(p) = v.as_object_mut() {
                    p.values_mut().for_each(close_objects);
                }
            } else if matches!(k.as_str(), "items" | "additionalProperties") {
                close_objects(v);
            } else if matches!(k.as_str(), "anyOf" | "allOf" | "oneOf")
                && let Some(a) = v.as_array_mut()
            {
                a.iter_mut().for_each(close_objects);
            }
        }
    }
}

fn crd_validator(path: &str) -> jsonschema::Validator {
    let text = std::fs::read_to_string(root().join(path)).unwrap();
    let crd: Value = serde_saphyr::from_str(&text).unwrap();
    let version = crd["spec"]["versions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == "v1")
        .unwrap_or_else(|| panic!("{path}: no v1"));
    let mut schema = version["schema"]["openAPIV3Schema"].clone();
    close_objects(&mut schema);
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .should_validate_formats(false)
        .build(&schema)
        .unwrap_or_else(|e| panic!("{path}: schema does not compile: {e}"))
}

/// The schemas of both versions, by (version, kind).
struct Crds(Vec<(&'static str, &'static str, jsonschema::Validator)>);

impl Crds {
    fn load() -> Crds {
        let nodepool = "tests/data/karpenter/v1-int-maxpods/karpenter.sh_nodepools.yaml";
        Crds(vec![
            (
                "v1-int-maxpods",
                "EC2NodeClass",
                crd_validator("tests/data/karpenter/v1-int-maxpods/karpenter.k8s.aws_ec2nodeclasses.yaml"),
            ),
            ("v1-int-maxpods", "NodePool", crd_validator(nodepool)),
            (
                "main",
                "EC2NodeClass",
                crd_validator("tests/data/karpenter/main/karpenter.k8s.aws_ec2nodeclasses.yaml"),
            ),
            ("main", "NodePool", crd_validator(nodepool)),
        ])
    }

    /// Validates `doc` against both versions of its kind's schema.
    fn check(&self, doc: &Value, context: &str) {
        let kind = doc["kind"].as_str().unwrap_or_default();
        let api = doc["apiVersion"].as_str().unwrap_or_default();
        match kind {
            "EC2NodeClass" => assert_eq!(api, "karpenter.k8s.aws/v1", "{context}"),
            "NodePool" => assert_eq!(api, "karpenter.sh/v1", "{context}"),
            other => panic!("{context}: unexpected kind {other:?}"),
        }
        let mut checked = 0;
        for (version, k, v) in &self.0 {
            if *k != kind {
                continue;
            }
            let errors: Vec<String> = v
                .iter_errors(doc)
                .map(|e| format!("{} at {}", e, e.instance_path()))
                .collect();
            assert!(
                errors.is_empty(),
                "{context}: {kind} {} does not validate against the {version} CRD:\n{}\n{}",
                doc["metadata"]["name"],
                errors.join("\n"),
                serde_json::to_string_pretty(doc).unwrap()
            );
            checked += 1;
        }
        assert_eq!(checked, 2, "both versions");
    }
}

/// The schemas are strict enough to catch what matters.
#[test]
fn crd_schemas_reject_bad_documents() {
    let crds = Crds::load();
    let class = json!({
        "apiVersion": "karpenter.k8s.aws/v1", "kind": "EC2NodeClass", "metadata": {"name": "x"},
        "spec": {"role": "r", "amiSelectorTerms": [{"alias": "al2023@latest"}],
                 "subnetSelectorTerms": [{"tags": {"a": "b"}}], "securityGroupSelectorTerms": [{"tags": {"a": "b"}}],
                 "kubelet": {"maxPods": 20}}
    });
    crds.check(&class, "a good class");
    let (_, _, v1) = &crds.0[0];
    let mut bad = class.clone();
    bad["spec"]["kubelet"]["maxPods"] = json!(-1);
    assert!(!v1.is_valid(&bad), "negative maxPods");
    bad["spec"]["kubelet"]["maxPods"] = json!("2 + max_pods");
    assert!(!v1.is_valid(&bad), "v1.x: maxPods is an integer");
    let mut bad = class.clone();
    bad["spec"]["kubelet"]["maxPodz"] = json!(3);
    assert!(!v1.is_valid(&bad), "unknown fields would be pruned");
    let mut bad = class.clone();
    bad["spec"].as_object_mut().unwrap().remove("subnetSelectorTerms");
    assert!(!v1.is_valid(&bad), "required");
    let (_, _, pools) = &crds.0[1];
    let pool = json!({
        "apiVersion": "karpenter.sh/v1", "kind": "NodePool", "metadata": {"name": "p"},
        "spec": {"template": {"spec": {"nodeClassRef": {"group": "karpenter.k8s.aws", "kind": "EC2NodeClass", "name": "x"},
                 "requirements": [{"key": "node.kubernetes.io/instance-type", "operator": "In", "values": ["m5.large"]}]}}}
    });
    crds.check(&pool, "a good pool");
    let mut bad = pool.clone();
    bad["spec"]["template"]["spec"]["requirements"][0]["operator"] = json!("Gte");
    assert!(!pools.is_valid(&bad), "enum");
    let mut bad = pool.clone();
    bad["spec"]["weight"] = json!(101);
    assert!(!pools.is_valid(&bad), "maximum");
    let mut bad = pool;
    bad["spec"]["template"]["spec"]["nodeClassRef"]
        .as_object_mut()
        .unwrap()
        .remove("group");
    assert!(!pools.is_valid(&bad), "nodeClassRef.group is required in v1");
}

// ---------------------------------------------------------------- exports

fn export(args: &[&str]) -> (String, Vec<Value>, String) {
    let mut full = vec!["export", "karpenter"];
    full.extend_from_slice(args);
    let o = sgpsim(&full);
    let text = ok(&o);
    let d = docs(&text);
    assert!(!d.is_empty(), "{text}");
    (text, d, stderr(&o))
}

/// The inputs the validation runs over: formulas x inputs.
fn cases() -> Vec<Vec<&'static str>> {
    let formulas = [
        "conservative",
        "aggressive",
        "aws-default",
        "fixed:40",
        "karpenter-reserved-enis:1",
        "seed-userdata",
        "prefix-delegation",
        "(default_enis - 1) * (ips_per_eni - 1) + 2",
    ];
    let inputs: [&[&str]; 8] = [
        &["--types", "m5.large", "m5.xlarge", "c6i.large", "t3.large"],
        &["--types", "m5.*", "--system-pods", "3"],
        &["--types", "c6i.large", "r5.large", "--ami", "al2", "--cluster", "demo"],
        &["--nodepool", CLUSTER],
        &["--nodepool", KARPENTER, "--no-sgp"],
        &["--nodepool", KARPENTER, "--prefix-delegation"],
        &[
            "--types",
            "m5.large",
            "m5.xlarge",
            "c6i.large",
            "t3.large",
            "--custom-networking",
        ],
        &["--nodepool", CLUSTER, "--custom-networking", "--cni-version", "1.19.0"],
    ];
    let mut out = Vec::new();
    for f in formulas {
        for i in inputs {
            let mut a = vec!["--formula", f];
            a.extend_from_slice(i);
            out.push(a);
        }
    }
    out
}

#[test]
fn every_exported_document_validates_against_both_crds() {
    let crds = Crds::load();
    let mut n = 0;
    for args in cases() {
        let (_, d, _) = export(&args);
        for doc in &d {
            crds.check(doc, &args.join(" "));
            n += 1;
        }
    }
    assert!(n > 100, "{n} documents checked");
}

/// `export ec2nodeclass` defaults to the Karpenter form and writes the same objects.
#[test]
fn ec2nodeclass_target_karpenter_is_export_karpenter() {
    let args = ["--formula", "conservative", "--nodepool", KARPENTER];
    let (text, _, _) = export(&args);
    let mut full = vec!["export", "ec2nodeclass"];
    full.extend_from_slice(&args);
    assert_eq!(ok(&sgpsim(&full)), text);
    full.extend(["--target", "karpenter"]);
    assert_eq!(ok(&sgpsim(&full)), text);
    fails(
        &sgpsim(&[
            "export",
            "ec2nodeclass",
            "--formula",
            "conservative",
            "--types",
            "m5.large",
            "--table",
        ]),
        &["--table", "--target nodeadm"],
    );
    fails(
        &sgpsim(&[
            "export",
            "ec2nodeclass",
            "--target",
            "al2",
            "--ami",
            "al2023",
            "--formula",
            "conservative",
            "--types",
            "m5.large",
        ]),
        &["--ami", "--target"],
    );
}

/// The fixture cluster: one EC2NodeClass per maxPods value, copies of the
/// user's class (role, selectors kept), NodePools narrowed; the shared class
/// and the split pool are named for deletion.
#[test]
fn fixture_cluster_groups_and_keeps_the_users_objects() {
    let (text, d, err) = export(&["--formula", "conservative", "--nodepool", CLUSTER]);
    let by_name: BTreeMap<String, &Value> = d
        .iter()
        .map(|v| {
            (
                format!(
                    "{}/{}",
                    v["kind"].as_str().unwrap(),
                    v["metadata"]["name"].as_str().unwrap()
                ),
                v,
            )
        })
        .collect();
    let names: Vec<&String> = by_name.keys().collect();
    assert_eq!(
        names,
        [
            "EC2NodeClass/sgp-nodes-mp20",
            "EC2NodeClass/sgp-nodes-mp44",
            "NodePool/batch",
            "NodePool/general-mp20",
            "NodePool/general-mp44"
        ]
    );
    let c = by_name["EC2NodeClass/sgp-nodes-mp20"];
    assert_eq!(c["spec"]["role"], "KarpenterNodeRole-demo");
    assert_eq!(
        c["spec"]["subnetSelectorTerms"][0]["tags"]["karpenter.sh/discovery"],
        "demo"
    );
    assert_eq!(c["spec"]["kubelet"]["maxPods"], 20);
    let g = by_name["NodePool/general-mp44"];
    assert_eq!(g["spec"]["limits"]["cpu"], "200", "limits kept");
    let reqs = g["spec"]["template"]["spec"]["requirements"].as_array().unwrap();
    assert_eq!(reqs.len(), 9, "the 8 of the user, and the narrowing");
    assert_eq!(reqs[8]["key"], "node.kubernetes.io/instance-type");
    assert_eq!(g["spec"]["template"]["spec"]["nodeClassRef"]["name"], "sgp-nodes-mp44");
    assert_eq!(
        by_name["NodePool/batch"]["spec"]["template"]["spec"]["nodeClassRef"]["name"],
        "sgp-nodes-mp44"
    );
    assert!(text.contains("kubectl delete nodepool general"), "{text}");
    assert!(text.contains("EC2NodeClass sgp-nodes is replaced"), "{text}");
    assert!(
        text.contains("reservedENIs: \"1\""),
        "conservative, S = 2: RESERVED_ENIS=1 is exact\n{text}"
    );
    assert!(text.contains("limits apply per NodePool"), "{text}");
    assert!(err.contains("kubernetes.io/arch"), "{err}");
    // S = 3: no single RESERVED_ENIS.
    let (text, _, _) = export(&["--formula", "conservative", "--nodepool", CLUSTER, "--system-pods", "3"]);
    assert!(text.contains("No single RESERVED_ENIS"), "{text}");
}

// ---------------------------------------------------------------- Karpenter's pods()

/// Karpenter's `pods()` (aws/karpenter-provider-aws
/// pkg/providers/instancetype/types.go), reimplemented: `kubelet.maxPods` if
/// set, else ENILimitedPods with `reserved` ENIs, then the podsPerCore cap.
fn karpenter_pods(t: &InstanceType, max_pods: Option<u64>, pods_per_core: Option<u64>, reserved: u64) -> u64 {
    let count = match max_pods {
        Some(m) => m,
        None => {
            let usable = u64::from(t.max_enis).saturating_sub(reserved);
            if usable == 0 {
                0
            } else {
                usable * (u64::from(t.ipv4_per_eni) - 1) + 2
            }
        }
    };
    match (pods_per_core, t.vcpus) {
        (Some(p), Some(v)) if p > 0 => count.min(p * u64::from(v)),
        _ => count,
    }
}

/// For every NodePool of an export: its EC2NodeClass and its types.
fn pools(d: &[Value]) -> Vec<(&Value, &Value, Vec<String>)> {
    let classes: BTreeMap<&str, &Value> = d
        .iter()
        .filter(|v| v["kind"] == "EC2NodeClass")
        .map(|v| (v["metadata"]["name"].as_str().unwrap(), v))
        .collect();
    d.iter()
        .filter(|v| v["kind"] == "NodePool")
        .map(|p| {
            let class = classes[p["spec"]["template"]["spec"]["nodeClassRef"]["name"].as_str().unwrap()];
            let types = p["spec"]["template"]["spec"]["requirements"]
                .as_array()
                .unwrap()
                .iter()
                .rfind(|r| r["key"] == "node.kubernetes.io/instance-type" && r["operator"] == "In")
                .unwrap()["values"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap().to_string())
                .collect();
            (p, class, types)
        })
        .collect()
}

fn settings_of(args: &[&str]) -> (NodeSettings, SystemPods) {
    let s = args
        .iter()
        .position(|a| *a == "--system-pods")
        .map_or(2, |i| args[i + 1].parse().unwrap());
    (
        NodeSettings {
            sgp: !args.contains(&"--no-sgp"),
            prefix_delegation: args.contains(&"--prefix-delegation"),
            custom_networking: args.contains(&"--custom-networking"),
            cni_version: args.iter().position(|a| *a == "--cni-version").map(|i| {
                sgpsim::input::node_settings::parse_cni_version(
                    args[i + 1],
                    "--cni-version",
                    sgpsim::input::node_settings::Source::Flags,
                )
                .unwrap()
            }),
            ..NodeSettings::default()
        },
        SystemPods { host: s, ip: 0 },
    )
}

#[test]
fn karpenter_computes_the_formula_for_every_group() {
    let c = Catalog::bundled();
    let mut checked = 0;
    for args in cases() {
        let (text, d, _) = export(&args);
        let f = Formula::parse(args[1]).unwrap();
        let (s, sys) = settings_of(&args);
        let reserved: Option<u64> = text
            .lines()
            .find_map(|l| l.strip_prefix("#     reservedENIs: \""))
            .map(|n| n.trim_end_matches('"').parse().unwrap())
            .or_else(|| text.contains("(RESERVED_ENIS=0, the default)").then_some(0));
        for (pool, class, types) in pools(&d) {
            let max_pods = class["spec"]["kubelet"]["maxPods"].as_u64();
            assert!(max_pods.is_some(), "{args:?}: every class sets maxPods");
            let ppc = class["spec"]["kubelet"]["podsPerCore"].as_u64();
            for name in &types {
                let t = c.get(name).unwrap();
                let want = u64::from(f.max_pods(t, &s, sys).unwrap().value);
                let got = karpenter_pods(t, max_pods, ppc, 0);
                assert_eq!(got, want, "{args:?}: NodePool {} type {name}", pool["metadata"]["name"]);
                if let Some(n) = reserved {
                    // The offered alternative: no maxPods, RESERVED_ENIS=n.
                    assert_eq!(
                        karpenter_pods(t, None, ppc, n),
                        want,
                        "{args:?}: RESERVED_ENIS={n} on {name}"
                    );
                }
                checked += 1;
            }
        }
    }
    assert!(checked > 500, "{checked}");
}

/// podsPerCore on the user's class caps both views: the groups follow the cap.
#[test]
fn pods_per_core_caps_the_groups() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("np.yaml");
    let text = std::fs::read_to_string(root().join(KARPENTER)).unwrap().replace(
        "  kubelet:\n    maxPods: 40",
        "  kubelet:\n    maxPods: 40\n    podsPerCore: 6",
    );
    std::fs::write(&path, text).unwrap();
    let (_, d, _) = export(&["--formula", "conservative", "--nodepool", path.to_str().unwrap()]);
    let c = Catalog::bundled();
    for (_, class, types) in pools(&d) {
        assert_eq!(class["spec"]["kubelet"]["podsPerCore"], 6);
        let m = class["spec"]["kubelet"]["maxPods"].as_u64().unwrap();
        for name in types {
            let t = c.get(&name).unwrap();
            // 2 vCPUs x 6 = 12 < 20; 4 x 6 = 24 < 44; 8 x 6 = 48 > 44.
            assert_eq!(karpenter_pods(t, Some(m), Some(6), 0), m, "{name}");
            assert_eq!(
                m,
                (6 * u64::from(t.vcpus.unwrap())).min(if t.max_enis == 3 { 20 } else { 44 })
            );
        }
    }
}

// ---------------------------------------------------------------- the AL2023 merge, played

/// MIME parts as Karpenter's `bootstrap/mime` reads a userData: a multipart
/// archive, or one part typed by content (NodeConfig YAML or shell).
fn parts(ud: &str) -> Vec<(String, String)> {
    let t = ud.trim_start();
    if !t.starts_with("MIME-Version:") && !t.starts_with("Content-Type:") {
        let yaml = serde_saphyr::from_str::<Value>(ud)
            .map(|v| v.is_object())
            .unwrap_or(false);
        return vec![(
            if yaml {
                "application/node.eks.aws"
            } else {
                "text/x-shellscript"
            }
            .into(),
            ud.into(),
        )];
    }
    let boundary = t
        .lines()
        .take_while(|l| !l.is_empty())
        .find_map(|l| l.split("boundary=").nth(1))
        .unwrap()
        .trim_matches('"')
        .to_string();
    let mut out = Vec::new();
    let mut current: Option<(String, String, bool)> = None;
    for line in t.lines() {
        if line == format!("--{boundary}") || line == format!("--{boundary}--") {
            if let Some((ct, body, _)) = current.take() {
                out.push((ct, body));
            }
            if line.ends_with("--") && line != format!("--{boundary}") {
                break;
            }
            current = Some((String::new(), String::new(), true));
            continue;
        }
        if let Some((ct, body, in_headers)) = current.as_mut() {
            if *in_headers {
                if line.is_empty() {
                    *in_headers = false;
                } else if let Some(v) = line.strip_prefix("Content-Type:") {
                    *ct = v.trim().to_string();
                }
            } else {
                body.push_str(line);
                body.push('\n');
            }
        }
    }
    out
}

/// What Karpenter gives nodeadm on AL2023 (`bootstrap/nodeadm.go`): its own
/// NodeConfig with `kubelet.config.maxPods`, then the class's userData parts.
fn karpenter_user_data(class: &Value, computed: u64) -> Vec<(String, String)> {
    let max_pods = class["spec"]["kubelet"]["maxPods"].as_u64().unwrap_or(computed);
    let own = format!(
        "apiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\nspec:\n  cluster:\n    name: demo\n  kubelet:\n    config:\n      maxPods: {max_pods}\n"
    );
    let mut all = vec![("application/node.eks.aws".to_string(), own)];
    if let Some(ud) = class["spec"]["userData"].as_str() {
        all.extend(parts(ud));
    }
    all
}

/// nodeadm's effective kubelet maxPods: NodeConfigs merged in order (later
/// wins, `kubelet.config` merged key by key: `nodeadm/internal/api/merge.go`),
/// then an explicit `kubelet.config.maxPods` over `maxPodsExpression` over
/// the default `E * (I - 1) + 2` (`nodeadm/doc/examples.md`).
fn nodeadm_max_pods(parts: &[(String, String)], t: &InstanceType) -> u64 {
    let mut config: serde_json::Map<String, Value> = serde_json::Map::new();
    let mut expression: Option<String> = None;
    for (ct, body) in parts {
        if !ct.starts_with("application/node.eks.aws") {
            continue;
        }
        let docs: Vec<Value> = serde_saphyr::from_multiple(body).unwrap();
        for d in docs.into_iter().filter(|d| d["kind"] == "NodeConfig") {
            if let Some(c) = d["spec"]["kubelet"]["config"].as_object() {
                for (k, v) in c {
                    config.insert(k.clone(), v.clone());
                }
            }
            if let Some(e) = d["spec"]["kubelet"]["maxPodsExpression"]
                .as_str()
                .filter(|e| !e.is_empty())
            {
                expression = Some(e.to_string());
            }
        }
    }
    if let Some(m) = config.get("maxPods").and_then(Value::as_u64) {
        return m;
    }
    let settings = NodeSettings {
        sgp: false,
        ..NodeSettings::default()
    };
    let sys = SystemPods { host: 0, ip: 0 };
    match expression {
        Some(e) => u64::from(
            Formula::parse(&format!("cel:{e}"))
                .unwrap()
                .max_pods(t, &settings, sys)
                .unwrap()
                .value,
        ),
        None => u64::from(t.max_enis * (t.ipv4_per_eni - 1) + 2),
    }
}

#[test]
fn karpenters_user_data_merge_gives_the_formula_on_the_node() {
    let c = Catalog::bundled();
    // A class whose userData has a shell part and a NodeConfig with a
    // maxPodsExpression (the old sgpsim export): the expression must lose.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("np.yaml");
    let ud = "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"BOUNDARY\"\n\n--BOUNDARY\nContent-Type: text/x-shellscript; charset=\"us-ascii\"\n\n#!/bin/bash\necho hello\n\n--BOUNDARY\nContent-Type: application/node.eks.aws\n\n---\napiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\nspec:\n  kubelet:\n    maxPodsExpression: \"max_pods\"\n    config:\n      shutdownGracePeriod: 30s\n\n--BOUNDARY--\n";
    let text = std::fs::read_to_string(root().join(KARPENTER)).unwrap().replace(
        "  kubelet:\n    maxPods: 40",
        &format!(
            "  kubelet:\n    maxPods: 40\n  userData: |\n{}",
            ud.lines().map(|l| format!("    {l}\n")).collect::<String>()
        ),
    );
    std::fs::write(&path, &text).unwrap();
    let custom = path.to_str().unwrap().to_string();
    let mut checked = 0;
    for (formula, input) in [
        ("conservative", CLUSTER),
        ("aggressive", KARPENTER),
        ("seed-userdata", KARPENTER),
        ("conservative", custom.as_str()),
        ("fixed:35", custom.as_str()),
    ] {
        let (out, d, _) = export(&["--formula", formula, "--nodepool", input]);
        if input == custom {
            assert!(out.contains("no effect"), "the expression is reported as inert\n{out}");
        }
        let f = Formula::parse(formula).unwrap();
        let (s, sys) = settings_of(&[]);
        for (pool, class, types) in pools(&d) {
            assert_eq!(class["spec"]["amiSelectorTerms"][0]["alias"], "al2023@latest");
            if input == custom {
                assert_eq!(class["spec"]["userData"].as_str(), Some(ud), "userData kept");
            }
            for name in types {
                let t = c.get(&name).unwrap();
                let want = u64::from(f.max_pods(t, &s, sys).unwrap().value);
                let parts = karpenter_user_data(class, karpenter_pods(t, None, None, 0));
                assert_eq!(parts.len(), if input == custom { 3 } else { 1 }, "{parts:?}");
                assert_eq!(
                    nodeadm_max_pods(&parts, t),
                    want,
                    "{formula} {input}: NodePool {} on {name}",
                    pool["metadata"]["name"]
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 50, "{checked}");
    // Without the export, the old maxPodsExpression userData changes nothing:
    // Karpenter's own figure (40 from the class, here) reaches the kubelet.
    let original: Vec<Value> = docs(&text);
    let class = original.iter().find(|v| v["kind"] == "EC2NodeClass").unwrap();
    let t = c.get("m5.large").unwrap();
    assert_eq!(nodeadm_max_pods(&karpenter_user_data(class, 29), t), 40);
}

/// A userData that sets `kubelet.config.maxPods` would override Karpenter's
/// NodeConfig on the node: the export refuses it, naming the field.
#[test]
fn user_data_max_pods_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("np.yaml");
    let text = std::fs::read_to_string(root().join(KARPENTER)).unwrap().replace(
        "  kubelet:\n    maxPods: 40",
        "  userData: |\n    apiVersion: node.eks.aws/v1alpha1\n    kind: NodeConfig\n    spec:\n      kubelet:\n        config:\n          maxPods: 58\n",
    );
    std::fs::write(&path, text).unwrap();
    let o = sgpsim(&[
        "export",
        "karpenter",
        "--formula",
        "conservative",
        "--nodepool",
        path.to_str().unwrap(),
    ]);
    fails(&o, &["np.yaml", "spec.userData", "maxPods 58", "fix:"]);
    assert!(stdout(&o).is_empty());
}

/// AL2: Karpenter runs bootstrap.sh itself; a class whose userData calls it is reported.
#[test]
fn al2_class_calling_bootstrap_sh_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("np.yaml");
    let text = std::fs::read_to_string(root().join(KARPENTER))
        .unwrap()
        .replace("alias: al2023@latest", "alias: al2@latest")
        .replace(
            "  kubelet:\n    maxPods: 40",
            "  userData: |\n    #!/bin/bash\n    /etc/eks/bootstrap.sh demo --kubelet-extra-args '--max-pods=40'\n",
        );
    std::fs::write(&path, text).unwrap();
    let (out, d, err) = export(&["--formula", "conservative", "--nodepool", path.to_str().unwrap()]);
    assert!(err.contains("bootstraps twice"), "{err}");
    assert!(out.contains("Kubernetes 1.32"), "{out}");
    Crds::load().check(&d[0], "al2 class");
    // New classes (--types) carry no userData at all.
    let (_, d, _) = export(&["--formula", "conservative", "--types", "m5.large", "--ami", "al2"]);
    assert!(d.iter().all(|v| v["spec"]["userData"].is_null()));
}

// ---------------------------------------------------------------- merge patches and errors

/// RFC 7386 JSON merge patch, as `kubectl patch --type merge` applies it.
fn merge_patch(target: &mut Value, patch: &Value) {
    match patch.as_object() {
        Some(p) => {
            if !target.is_object() {
                *target = json!({});
            }
            let t = target.as_object_mut().unwrap();
            for (k, v) in p {
                if v.is_null() {
                    t.remove(k);
                } else {
                    merge_patch(t.entry(k.clone()).or_insert(Value::Null), v);
                }
            }
        }
        None => *target = patch.clone(),
    }
}

#[test]
fn merge_patches_apply_to_the_users_objects_and_validate() {
    let crds = Crds::load();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("batch.yaml");
    let all = std::fs::read_to_string(root().join(KARPENTER)).unwrap();
    let batch = &all[all
        .find("apiVersion: karpenter.sh/v1\nkind: NodePool\nmetadata:\n  name: batch")
        .unwrap()..];
    std::fs::write(&path, batch).unwrap();
    let p = path.to_str().unwrap();
    let (text, patches, _) = export(&["--formula", "conservative", "--nodepool", p, "--merge-patch"]);
    assert!(
        text.contains("kubectl patch ec2nodeclass sgp-nodes --type merge"),
        "{text}"
    );
    let originals = docs(batch);
    assert_eq!(patches.len(), 2);
    for patch in &patches {
        let mut target = originals
            .iter()
            .find(|o| o["kind"] == patch["kind"] && o["metadata"]["name"] == patch["metadata"]["name"])
            .unwrap()
            .clone();
        merge_patch(&mut target, patch);
        crds.check(&target, "patched");
        if target["kind"] == "EC2NodeClass" {
            assert_eq!(target["spec"]["kubelet"]["maxPods"], 44);
            assert_eq!(target["spec"]["role"], "KarpenterNodeRole-demo", "the rest is kept");
        } else {
            let reqs = target["spec"]["template"]["spec"]["requirements"].as_array().unwrap();
            assert_eq!(reqs.last().unwrap()["values"], json!(["m5.2xlarge"]));
        }
    }
    // The full cluster splits a pool: no patch can say that.
    fails(
        &sgpsim(&[
            "export",
            "karpenter",
            "--formula",
            "conservative",
            "--nodepool",
            KARPENTER,
            "--merge-patch",
        ]),
        &["--merge-patch", "general", "drop --merge-patch"],
    );
}

#[test]
fn bad_input_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p.to_str().unwrap().to_string()
    };
    let all = std::fs::read_to_string(root().join(KARPENTER)).unwrap();
    let pools_only = write(
        "pools.yaml",
        &all[..all.find("apiVersion: karpenter.k8s.aws/v1").unwrap()],
    );
    fails(
        &sgpsim(&[
            "export",
            "karpenter",
            "--formula",
            "conservative",
            "--nodepool",
            &pools_only,
        ]),
        &["pools.yaml", "nodeClassRef.name", "sgp-nodes", "--cluster"],
    );
    // With --cluster: new classes, never named like the missing one.
    let (_, d, _) = export(&[
        "--formula",
        "conservative",
        "--nodepool",
        &pools_only,
        "--cluster",
        "prod",
    ]);
    assert!(d.iter().any(|v| v["metadata"]["name"] == "sgp-nodes-mp44"));
    assert!(!d.iter().any(|v| v["metadata"]["name"] == "sgp-nodes"));
    let beta = write("beta.yaml", &all.replace("karpenter.sh/v1\n", "karpenter.sh/v1beta1\n"));
    fails(
        &sgpsim(&["export", "karpenter", "--formula", "conservative", "--nodepool", &beta]),
        &["beta.yaml", "apiVersion", "v1beta1"],
    );
    let win = write("win.yaml", &all.replace("al2023@latest", "windows2022@latest"));
    fails(
        &sgpsim(&["export", "karpenter", "--formula", "conservative", "--nodepool", &win]),
        &["win.yaml", "Windows"],
    );
    fails(
        &sgpsim(&["export", "karpenter", "--formula", "conservative"]),
        &["--nodepool/--types"],
    );
    fails(
        &sgpsim(&[
            "export",
            "karpenter",
            "--formula",
            "conservative",
            "--types",
            "m5.large",
            "--merge-patch",
        ]),
        &["--merge-patch"],
    );
    let long = "x".repeat(60);
    fails(
        &sgpsim(&[
            "export",
            "karpenter",
            "--formula",
            "conservative",
            "--types",
            "m5.large",
            "m5.xlarge",
            "--name",
            &long,
        ]),
        &["--name", "63"],
    );
}

// ---------------------------------------------------------------- non-Karpenter scripts, settings

/// EC2 takes at most 16 KB of user data: a per-type table over many types is refused.
#[test]
fn user_data_over_16_kb_is_refused() {
    let o = sgpsim(&[
        "export",
        "ec2nodeclass",
        "--target",
        "nodeadm",
        "--table",
        "--formula",
        "conservative",
        "--types",
        "m*",
        "c*",
        "r*",
    ]);
    fails(&o, &["16 KB", "16384", "--types/--nodepool", "export karpenter"]);
    assert!(stdout(&o).is_empty());
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("ud.txt");
    let o = sgpsim(&[
        "export",
        "ec2nodeclass",
        "--target",
        "al2",
        "--formula",
        "conservative",
        "--types",
        "m*",
        "c*",
        "r*",
        "-o",
        out.to_str().unwrap(),
    ]);
    fails(&o, &["16 KB"]);
    assert!(!out.exists(), "no half-written file");
    // A small table fits, and its script is for non-Karpenter nodes.
    let ud = ok(&sgpsim(&[
        "export",
        "ec2nodeclass",
        "--target",
        "al2",
        "--formula",
        "conservative",
        "--types",
        "m5.large",
    ]));
    assert!(ud.len() < 16384 && ud.contains("Not for Karpenter nodes"), "{ud}");
}

/// `karpenter-settings`: conservative with two host pods is RESERVED_ENIS=1
/// exactly, offered before the main-only CEL form.
#[test]
fn settings_offer_reserved_enis_first() {
    let out = ok(&sgpsim(&[
        "export",
        "karpenter-settings",
        "--formula",
        "conservative",
        "--types",
        "m5.*",
        "c6i.*",
    ]));
    let d = docs(&out);
    assert_eq!(d[0]["settings"]["reservedENIs"], "1", "{out}");
    assert_eq!(
        d[1]["spec"]["kubelet"]["maxPods"],
        "2 + (default_enis - 1) * (ips_per_eni - 1)"
    );
    assert!(out.find("reservedENIs").unwrap() < out.find("7695b3c49").unwrap());
    // Where CEL cannot say it (t3 has no trunk) the setting may still: SGP off.
    let out = ok(&sgpsim(&[
        "export",
        "karpenter-settings",
        "--formula",
        "conservative",
        "--types",
        "m5.large",
        "t3.large",
        "--no-sgp",
    ]));
    assert!(out.contains("nothing to set"), "{out}");
}

/// Custom networking and an older CNI reach every export form: the
/// groups' maxPods, the RESERVED_ENIS setting (`t + c` ENIs kept from pod
/// IPs: 2 with a trunk and custom networking) and nodeadm's expression.
#[test]
fn exports_follow_custom_networking_and_the_cni_version() {
    let (_, d, _) = export(&[
        "--formula",
        "conservative",
        "--types",
        "m5.xlarge",
        "--custom-networking",
    ]);
    let (_, class, _) = pools(&d).into_iter().next().unwrap();
    // m5.xlarge: E = 4, I = 15; (4 - 1 - 1) * 14 + 2 = 30.
    assert_eq!(class["spec"]["kubelet"]["maxPods"], 30);
    let out = ok(&sgpsim(&[
        "export",
        "karpenter-settings",
        "--formula",
        "conservative",
        "--types",
        "m5.*",
        "--custom-networking",
    ]));
    assert_eq!(docs(&out)[0]["settings"]["reservedENIs"], "2", "{out}");
    // t3.large takes no trunk; CNI v1.19.0 holds a slot back on it anyway.
    let o = sgpsim(&[
        "export",
        "ec2nodeclass",
        "--target",
        "nodeadm",
        "--formula",
        "conservative",
        "--types",
        "m5.large",
        "t3.large",
        "--cni-version",
        "1.19.0",
    ]);
    assert!(
        ok(&o).contains("maxPodsExpression: 2 + (default_enis - 1) * (ips_per_eni - 1)"),
        "{}",
        stdout(&o)
    );
    fails(
        &sgpsim(&[
            "export",
            "karpenter",
            "--formula",
            "conservative",
            "--types",
            "m5.large",
            "--ipv6",
        ]),
        &["--ipv6", "IPv6"],
    );
}

/// The schemas and their README are kept together.
#[test]
fn crd_copies_name_their_source() {
    let readme = std::fs::read_to_string(root().join("tests/data/karpenter/README.md")).unwrap();
    for f in [
        "v1-int-maxpods/karpenter.k8s.aws_ec2nodeclasses.yaml",
        "v1-int-maxpods/karpenter.sh_nodepools.yaml",
        "main/karpenter.k8s.aws_ec2nodeclasses.yaml",
    ] {
        let text = std::fs::read_to_string(Path::new(&root()).join("tests/data/karpenter").join(f)).unwrap();
        let commit = text
            .lines()
            .find_map(|l| l.split("commit ").nth(1))
            .and_then(|r| r.split_whitespace().next())
            .unwrap_or_else(|| panic!("{f} names no commit"));
        assert!(readme.contains(commit), "{f}: commit {commit} not in the README");
    }
}
