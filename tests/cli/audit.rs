//! Issue 10: `sgpsim audit` and `sgpsim scenario from-cluster` on a cluster
//! dump written for the purpose (`tests/cluster/dump.json`, made by
//! `tests/cluster/make_dump.py`, which describes every node).
//!
//! The figures, by MODEL.md §3 and §12. Every EC2 node runs 2 host system
//! pods (aws-node, kube-proxy) and 2 IP system pods (ebs-csi-node,
//! fluent-bit); the CNI is v1.19.2 with ENABLE_POD_ENI=true, so `t = 1` on
//! the trunk types and, as that version reserved the slot on every type, on
//! t3.large too; `c = 0`, `k = 1`.
//!
//! | node | type | M | B | IPs `(E-t)(I-1)` | SG | IP | host | free slots | free IPs | free branches | unsafe | unsafe (IP) | stranded | stuck |
//! | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
//! | A | m5.large | 29 | 9 | (3-1)·9 = 18 | 4+1 | 2+9 | 2 | 29-18 = 11 | 18-11 = 7 | 9-5 = 4 | 0 | 4 | 0 | 1 (the 6-SG pod) |
//! | B | m5.xlarge | 58 | 18 | (4-1)·14 = 42 | 6 | 2+44 | 2 | 58-54 = 4 | 0 | 12 | 0 | 4 | 0 | 4 (IP pods 43-46) |
//! | C | c6i.2xlarge | 44 | 38 | (4-1)·14 = 42 | 10 | 2+20 | 2+1 | 44-35 = 9 | 20 | 28 | 0 | 0 | 11 | 0 |
//! | D | t3.large | 35 | 0 | (3-1)·11 = 22 | 0 | 2+15 | 2 | 35-19 = 16 | 5 | 0 | 11 | 11 | 0 | 0 |
//! | E | m7g.large | 20 | 9 | (3-1)·9 = 18 | 3 | 2+8 | 2 | 20-15 = 5 | 8 | 6 | 0 | 0 | 3 | 0 |
//!
//! Cluster: A, B and D at risk (3 of 5); up to 4+4+11 = 19 pods could be
//! bound and never start, 11 even when SG pods take the free branches first;
//! 11+3 = 14 IPs stranded; 5 pods stuck; 1 pod pending; the Fargate node and
//! the finished Job pod are left out.

use std::process::Output;

use serde_json::Value;
use sgpsim::input::catalog::Catalog;
use sgpsim::input::scenario::Scenario;
use sgpsim::model::formula::Formula;
use sgpsim::model::node::{NodeSettings, SystemPods};

use super::{csv_rows, field, root, sgpsim, sgpsim_stdin, stderr, stdout};

const DUMP: &str = "tests/cluster/dump.json";

fn dump() -> Value {
    serde_json::from_str(&std::fs::read_to_string(root().join(DUMP)).unwrap()).unwrap()
}

fn code(o: &Output) -> Option<i32> {
    o.status.code()
}

/// (node prefix, type, then the 13 figures of the CSV's required columns after the type).
const WANT: [(&str, &str, [u32; 13]); 5] = [
    ("ip-10-0-1-17", "m5.large", [29, 9, 18, 5, 11, 2, 11, 7, 4, 0, 4, 0, 1]),
    (
        "ip-10-0-2-33",
        "m5.xlarge",
        [58, 18, 42, 6, 46, 2, 4, 0, 12, 0, 4, 0, 4],
    ),
    (
        "ip-10-0-3-51",
        "c6i.2xlarge",
        [44, 38, 42, 10, 22, 3, 9, 20, 28, 0, 0, 11, 0],
    ),
    (
        "ip-10-0-4-68",
        "t3.large",
        [35, 0, 22, 0, 17, 2, 16, 5, 0, 11, 11, 0, 0],
    ),
    ("ip-10-0-5-90", "m7g.large", [20, 9, 18, 3, 10, 2, 5, 8, 6, 0, 0, 3, 0]),
];

const REQUIRED: [&str; 15] = [
    "node",
    "instance_type",
    "max_pods",
    "branch_capacity",
    "ip_capacity",
    "sg_pods",
    "ip_pods",
    "host_pods",
    "free_slots",
    "free_ips",
    "free_branches",
    "unsafe_slots",
    "unsafe_slots_ip",
    "stranded_ips",
    "stuck_pods",
];

fn check_csv(text: &str) {
    let (header, rows) = csv_rows(text);
    assert_eq!(header[..15], REQUIRED, "the issue's columns, in its order");
    assert_eq!(rows.len(), 5, "the Fargate node is not audited");
    for ((node, ty, figures), row) in WANT.iter().zip(&rows) {
        assert!(row[0].starts_with(node), "{row:?}");
        assert_eq!(row[1], *ty);
        let got: Vec<u32> = row[2..15].iter().map(|f| f.parse().unwrap()).collect();
        assert_eq!(got, figures, "{node} {ty}: {:?}", &header[2..15]);
    }
    let risk: Vec<&str> = rows.iter().map(|r| field(&header, r, "at_risk")).collect();
    assert_eq!(risk, ["true", "true", "false", "true", "false"]);
    assert_eq!(field(&header, &rows[1], "ip_pods_without_ip"), "4");
    assert_eq!(
        field(&header, &rows[3], "trunk"),
        "1",
        "CNI v1.19.2 reserves the slot on t3"
    );
}

#[test]
fn audit_gives_the_figures_of_model_section_12() {
    let o = sgpsim(&["audit", DUMP, "--format", "csv"]);
    assert_eq!(code(&o), Some(1), "nodes at risk: exit 1\n{}", stderr(&o));
    check_csv(&stdout(&o));
    let e = stderr(&o);
    for want in [
        "cluster: 3 of 5 nodes at risk; up to 19 pods could be bound and never start (11 even if SG pods take every free branch first); 14 IPs stranded; 5 pods stuck in ContainerCreating; 1 pending",
        "finished pods (Succeeded or Failed): 1",
        "t3.large loses one ENI's IPs",
    ] {
        assert!(e.contains(want), "`{want}` not in:\n{e}");
    }
    assert!(!e.contains("error:"), "being at risk is a finding, not an error:\n{e}");
}

/// Nodes and pods in separate files, and the dump on standard input, give the same rows.
#[test]
fn separate_files_and_standard_input() {
    let d = dump();
    let items = d["items"].as_array().unwrap();
    let of = |kind: &str| {
        serde_json::json!({"apiVersion": "v1", "kind": "List",
            "items": items.iter().filter(|i| i["kind"] == kind).cloned().collect::<Vec<_>>()})
    };
    let dir = tempfile::tempdir().unwrap();
    let nodes = dir.path().join("nodes.json");
    let pods = dir.path().join("pods.json");
    std::fs::write(&nodes, of("Node").to_string()).unwrap();
    std::fs::write(&pods, of("Pod").to_string()).unwrap();
    let o = sgpsim(&[
        "audit",
        nodes.to_str().unwrap(),
        pods.to_str().unwrap(),
        "--format",
        "csv",
    ]);
    assert_eq!(code(&o), Some(1));
    check_csv(&stdout(&o));
    let text = std::fs::read_to_string(root().join(DUMP)).unwrap();
    let o = sgpsim_stdin(&["audit", "-", "--format", "csv"], &text);
    assert_eq!(code(&o), Some(1), "{}", stderr(&o));
    check_csv(&stdout(&o));
}

#[test]
fn json_and_table() {
    let o = sgpsim(&["audit", DUMP, "--format", "json"]);
    assert_eq!(code(&o), Some(1));
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let c = &v["cluster"];
    assert_eq!(
        (&c["nodes"], &c["nodes_at_risk"], &c["pods_that_could_never_start"]),
        (&5.into(), &3.into(), &19.into())
    );
    assert_eq!(
        (&c["stranded_ips"], &c["stuck_pods"], &c["pending"]["sg"]),
        (&14.into(), &5.into(), &1.into())
    );
    let b = &v["nodes"][1];
    assert_eq!(b["stuck"].as_array().unwrap().len(), 4);
    assert!(
        b["stuck"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["reason"] == "ContainerCreating" && s["kind"] == "ip")
    );
    assert_eq!(
        v["nodes"][0]["stuck"][0]["kind"], "sg",
        "the pod with 6 security groups"
    );
    assert_eq!(
        v["skipped"][0]["node"],
        "fargate-ip-10-0-9-12.us-west-2.compute.internal"
    );
    assert_eq!(v["cni"][0]["version"], "1.19.2");

    let o = sgpsim(&["audit", DUMP]);
    assert_eq!(code(&o), Some(1));
    let t = stdout(&o);
    assert_eq!(t.matches("AT RISK").count(), 3, "{t}");
    assert!(
        t.contains("payments/ledger-sync-") && t.contains("(SG pod): ContainerCreating"),
        "{t}"
    );
    assert!(t.contains("Not audited:\n  fargate-ip-10-0-9-12"), "{t}");
    assert!(t.contains("CNI (5 aws-node pods, v1.19.2): ENABLE_POD_ENI=true"), "{t}");
}

/// A cluster whose nodes are all safe exits 0: the two nodes with room to spare.
#[test]
fn a_safe_cluster_exits_zero() {
    let mut d = dump();
    let keep = |i: &Value| {
        let n = if i["kind"] == "Node" {
            i["metadata"]["name"].as_str()
        } else {
            i["spec"]["nodeName"].as_str()
        };
        n.is_some_and(|n| n.starts_with("ip-10-0-3-51") || n.starts_with("ip-10-0-5-90"))
    };
    let items: Vec<Value> = d["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| keep(i))
        .cloned()
        .collect();
    d["items"] = Value::Array(items);
    let o = sgpsim_stdin(&["audit", "-", "--format", "csv"], &d.to_string());
    assert_eq!(code(&o), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("cluster: 0 of 2 nodes at risk"), "{}", stderr(&o));
}

/// One pod whose requests cannot be read does not stop the audit, nor the
/// import: it counts as requesting nothing, with a note naming it. With
/// two versions of one Deployment's pods (a rollout half done), the import
/// writes a group for each request.
#[test]
fn a_pod_with_unreadable_requests_is_a_note() {
    let mut d = dump();
    let mut rolled = 0;
    for item in d["items"].as_array_mut().unwrap() {
        let name = item["metadata"]["name"].as_str().unwrap_or("").to_string();
        if item["kind"] == "Pod" && name.starts_with("worker-") {
            let c = &mut item["spec"]["containers"][0]["resources"]["requests"];
            if rolled == 0 {
                c["cpu"] = "lots".into();
            } else if rolled <= 10 {
                c["cpu"] = "500m".into();
            }
            rolled += 1;
        }
    }
    let text = d.to_string();
    let o = sgpsim_stdin(&["audit", "-", "--format", "csv"], &text);
    assert!(matches!(code(&o), Some(0 | 1)), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("resources.requests.cpu") && stderr(&o).contains("counted as requesting no CPU or memory"),
        "{}",
        stderr(&o)
    );
    let o = sgpsim_stdin(&["scenario", "from-cluster", "-"], &text);
    assert_eq!(code(&o), Some(0), "{}", stderr(&o));
    let scenario = stdout(&o);
    assert!(scenario.contains("[[workload.groups]]"), "{scenario}");
    assert!(
        scenario.contains("name = \"team-b/worker\"") && scenario.contains("name = \"team-b/worker-2\""),
        "{scenario}"
    );
    Scenario::from_toml(&scenario, "cluster", &Catalog::bundled()).unwrap();
}

#[test]
fn bad_dumps_are_input_errors() {
    let fails = |o: &Output, needles: &[&str]| {
        assert_eq!(code(o), Some(2), "stdout:\n{}\nstderr:\n{}", stdout(o), stderr(o));
        let e = stderr(o);
        assert!(!e.contains("panicked") && !e.contains("Some("), "{e}");
        assert!(e.contains("fix:"), "{e}");
        for n in needles {
            assert!(e.contains(n), "`{n}` not in:\n{e}");
        }
    };
    fails(
        &sgpsim_stdin(&["audit", "-"], "{\"kind\": \"List\", \"items\": ["),
        &["<stdin>", "not valid JSON"],
    );
    fails(
        &sgpsim_stdin(
            &["audit", "-"],
            r#"{"kind": "List", "items": [{"kind": "Pod", "metadata": {"name": "p"}, "spec": {}}]}"#,
        ),
        &["holds no Node", "kubectl get nodes,pods"],
    );
    fails(
        &sgpsim_stdin(
            &["audit", "-"],
            r#"{"kind": "Node", "metadata": {"name": "n1"}, "status": {"allocatable": {}}}"#,
        ),
        &["status.allocatable.pods", "Node n1"],
    );
    fails(&sgpsim(&["audit", "no/such/dump.json"]), &["no/such/dump.json"]);
    let mut v6 = dump();
    for item in v6["items"].as_array_mut().unwrap() {
        for c in item["spec"]["containers"].as_array_mut().into_iter().flatten() {
            for e in c["env"].as_array_mut().into_iter().flatten() {
                if e["name"] == "ENABLE_IPv6" {
                    e["value"] = "true".into();
                }
            }
        }
    }
    let v6 = v6.to_string();
    fails(&sgpsim_stdin(&["audit", "-"], &v6), &["ENABLE_IPv6=true", "MODEL.md"]);
    fails(
        &sgpsim_stdin(&["scenario", "from-cluster", "-"], &v6),
        &["ENABLE_IPv6=true"],
    );
}

/// The same dump as a scenario: its types, system pods and workload, and a
/// first formula that gives every node's maxPods.
#[test]
fn from_cluster_replays_the_cluster() {
    let o = sgpsim(&["scenario", "from-cluster", DUMP]);
    assert_eq!(code(&o), Some(0), "{}", stderr(&o));
    let text = stdout(&o);
    let catalog = Catalog::bundled();
    let sc = Scenario::from_toml(&text, "cluster", &catalog).unwrap();
    let types: Vec<&str> = sc.types.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(types, ["c6i.2xlarge", "m5.large", "m5.xlarge", "m7g.large", "t3.large"]);
    assert_eq!(sc.system, SystemPods { host: 2, ip: 2 });
    assert!(sc.settings.sgp && !sc.settings.prefix_delegation);
    // The dump's aws-node runs v1.19.2: the trunk's slot is held back on every type.
    assert_eq!(sc.settings.cni_version, Some((1, 19, 2)));
    assert!(text.contains("cni_version = \"1.19.2\"\n"), "{text}");
    // SG: payments-api 4 + 1 pending, ledger-sync 1, api 6 + 3, ledger 10; IP: web 9 + 8,
    // worker 44 + 20 + 15; host: netperf 1. The Fargate pod and the finished Job are left out.
    assert!(text.contains("sg_pods = 25\nip_pods = 96\nhost_pods = 1\n"), "{text}");
    assert!(text.contains("Deployment team-b/worker x79: IP pod"), "{text}");
    let observed = [
        ("c6i.2xlarge", 44),
        ("m5.large", 29),
        ("m5.xlarge", 58),
        ("m7g.large", 20),
        ("t3.large", 35),
    ];
    let f = &sc.formulas[0];
    let settings = NodeSettings::default();
    for (t, m) in observed {
        let got = f.max_pods(catalog.get(t).unwrap(), &settings, sc.system).unwrap().value;
        assert_eq!(got, m, "{t}: {}", f.name());
    }
    assert!(sc.formulas.contains(&Formula::AwsDefault));
    let e = stderr(&o);
    assert!(e.contains("fargate-ip-10-0-9-12") && e.contains("v1.19.2"), "{e}");
    assert!(text.contains("# warm_eni_target = 1  # WARM_ENI_TARGET"), "{text}");

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cluster.toml");
    let o = sgpsim(&["scenario", "from-cluster", DUMP, "-o", path.to_str().unwrap()]);
    assert_eq!(code(&o), Some(0));
    let out = dir.path().join("results");
    let run = sgpsim(&[
        "run",
        path.to_str().unwrap(),
        "--trials",
        "2",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code(&run), Some(0), "{}", stderr(&run));
}
