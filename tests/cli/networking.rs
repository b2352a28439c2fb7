//! Node networking settings (issue 11 §1, MODEL.md §3-§4) end to end:
//! custom networking, the CNI's version, podsPerCore, IPv6 and Windows
//! refused, in `formulas`, `replay`, `recommend` and scenario files, each
//! figure computed by hand.

use super::*;

/// `replay --format csv`'s one row.
fn replay_row(args: &[&str]) -> (Vec<String>, Vec<String>) {
    let mut all = vec!["replay", "--format", "csv"];
    all.extend_from_slice(args);
    let o = sgpsim(&all);
    assert!(o.status.success(), "{}", stderr(&o));
    let (h, mut rows) = csv_rows(&stdout(&o));
    assert_eq!(rows.len(), 1);
    (h, rows.remove(0))
}

fn refused(o: &Output, needles: &[&str]) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(2), "stdout: {}\nstderr: {err}", stdout(o));
    assert!(!err.contains("panicked"), "{err}");
    for n in needles {
        assert!(err.contains(n), "expected {n:?} in:\n{err}");
    }
    assert!(err.contains("fix:"), "{err}");
    assert!(stdout(o).is_empty(), "no figures: {}", stdout(o));
}

/// Issue 11: a planner with custom networking who sets conservative's 45 on
/// m5.xlarge (S = 3). The node has (4 - 1 - 1) * 14 = 28 pod IPs, so of the
/// 42 workload slots 14 go to IP pods that never start, the first at the
/// 29th. Without the setting the tool said it never fails; with it,
/// conservative is 3 + 28 = 31 and never fails.
#[test]
fn custom_networking_at_45_on_m5_xlarge_fails_14_pods() {
    let base = [
        "--type",
        "m5.xlarge",
        "--order",
        "ip-first",
        "--sg-pods",
        "0",
        "--ip-pods",
        "42",
        "--system-pods",
        "3",
    ];
    let with = |formula: &str, extra: &[&str]| {
        let mut a = base.to_vec();
        a.extend(["--formula", formula]);
        a.extend_from_slice(extra);
        replay_row(&a)
    };
    let (h, r) = with("fixed:45", &[]);
    assert_eq!(field(&h, &r, "ip_capacity"), "42");
    assert_eq!(field(&h, &r, "trials_with_failure"), "0");
    let (h, r) = with("fixed:45", &["--custom-networking"]);
    assert_eq!(field(&h, &r, "ip_capacity"), "28");
    assert_eq!(field(&h, &r, "ip_failed_mean"), "14");
    assert_eq!(field(&h, &r, "first_ip_failure_min"), "29");
    let (h, r) = with("conservative", &["--custom-networking"]);
    assert_eq!(field(&h, &r, "max_pods"), "31");
    assert_eq!(field(&h, &r, "trials_with_failure"), "0");
    let (h, r) = with("aws-custom-networking", &["--custom-networking"]);
    // (4 - 1) * 14 + 2 = 44: 41 workload slots, 28 IPs: 13 fail.
    assert_eq!(field(&h, &r, "max_pods"), "44");
    assert_eq!(field(&h, &r, "ip_failed_mean"), "13");
}

/// The CNI's version in the static replay: m5.large, the seed's fill (9 SG
/// pods, 27 IP pods), IP pods first. Today the 19th IP pod finds no IP (18
/// with the trunk); before v1.16.4 the trunk ENI's 9 IPs go to pods, 27 in
/// all, and none fail.
#[test]
fn an_old_cni_gives_the_trunks_ips_to_pods() {
    let args = |v: &'static str| {
        let mut a = vec![
            "--type",
            "m5.large",
            "--formula",
            "aws-default",
            "--order",
            "ip-first",
            "--fill",
            "seed",
        ];
        if !v.is_empty() {
            a.extend(["--cni-version", v]);
        }
        a
    };
    let (h, r) = replay_row(&args(""));
    assert_eq!(field(&h, &r, "first_ip_failure_min"), "19");
    let (h, r) = replay_row(&args("1.16.3"));
    assert_eq!(field(&h, &r, "ip_capacity"), "27");
    assert_eq!(field(&h, &r, "trials_with_failure"), "0");
    let (h, r) = replay_row(&args("v1.16.4"));
    assert_eq!(field(&h, &r, "first_ip_failure_min"), "19");
    // t3.medium cannot take a trunk; v1.19.0 holds a slot back anyway:
    // (3 - 1) * 5 = 10 pod IPs, aws-default 17, S = 2: the 11th IP pod fails.
    let t3 = |v: &'static str| {
        replay_row(&[
            "--type",
            "t3.medium",
            "--formula",
            "aws-default",
            "--order",
            "ip-first",
            "--sg-pods",
            "0",
            "--ip-pods",
            "15",
            "--cni-version",
            v,
        ])
    };
    let (h, r) = t3("1.19.0");
    assert_eq!(
        (field(&h, &r, "ip_capacity"), field(&h, &r, "first_ip_failure_min")),
        ("10", "11")
    );
    let (h, r) = t3("1.20.4");
    assert_eq!(
        (field(&h, &r, "ip_capacity"), field(&h, &r, "trials_with_failure")),
        ("15", "0")
    );
}

/// podsPerCore: m5.large has 2 vCPUs; 5 per core caps aws-default's 29 at 10.
#[test]
fn pods_per_core_caps_formulas_and_the_recommendation() {
    let o = sgpsim(&["formulas", "m5.large", "--pods-per-core", "5", "--format", "csv"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let (h, rows) = csv_rows(&stdout(&o));
    assert!(rows.iter().all(|r| field(&h, r, "max_pods") == "10"), "{rows:?}");
    assert!(stderr(&o).contains("podsPerCore: 5 × 2 vCPUs = 10"), "{}", stderr(&o));
    let (h, r) = replay_row(&[
        "--type",
        "m5.large",
        "--formula",
        "aws-default",
        "--order",
        "ip-first",
        "--sg-pods",
        "0",
        "--ip-pods",
        "27",
        "--pods-per-core",
        "5",
    ]);
    assert_eq!(field(&h, &r, "max_pods"), "10");
    assert_eq!(field(&h, &r, "pending_mean"), "19");
    // With no SG pods, any M up to S + 18 IPs is safe; the kubelet's cap is 10.
    let o = sgpsim(&[
        "recommend",
        "m5.large",
        "--sg-share",
        "0",
        "--pods-per-core",
        "5",
        "--format",
        "csv",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let (h, rows) = csv_rows(&stdout(&o));
    assert_eq!(field(&h, &rows[0], "recommended_max_pods"), "10");
    assert!(field(&h, &rows[0], "note").contains("podsPerCore"), "{rows:?}");
    // c7i.32xlarge has no vCPU count in the catalog: no cap can be computed.
    let (_d, p) = scenario_file(
        "pods_per_core = 10\ninstance_types = [\"c7i.32xlarge\"]\nformulas = [\"aws-default\"]\n[workload]\nip_pods = 3\n",
    );
    refused(
        &sgpsim(&["run", p.to_str().unwrap()]),
        &["s.toml", "pods_per_core", "vCPU", "--catalog"],
    );
}

/// `recommend --custom-networking`: the budget-0 answer with p < 1 is
/// conservative (MODEL §11), which follows the setting: m5.xlarge, S = 2,
/// 2 + 28 = 30 (32 + 14 = 44 without it); aws-custom-networking is listed.
#[test]
fn recommend_follows_custom_networking() {
    let run = |extra: &[&str]| {
        let mut a = vec![
            "recommend",
            "m5.xlarge",
            "--sg-share",
            "0.3",
            "--budget",
            "0",
            "--format",
            "json",
        ];
        a.extend_from_slice(extra);
        let o = sgpsim(&a);
        assert!(o.status.success(), "{}", stderr(&o));
        serde_json::from_str::<serde_json::Value>(&stdout(&o)).unwrap()
    };
    let v = run(&["--custom-networking"]);
    let a = &v[0];
    assert_eq!(a["recommended"]["max_pods"], 30, "{a}");
    assert_eq!(a["ip_capacity"], 28);
    let names: Vec<&str> = a["formulas"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["formula"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"aws-custom-networking"), "{names:?}");
    let v = run(&[]);
    assert_eq!(v[0]["recommended"]["max_pods"], 44);
}

#[test]
fn ipv6_is_refused_with_no_figures() {
    for cmd in [
        vec!["formulas", "m5.large", "--ipv6"],
        vec!["recommend", "m5.large", "--sg-share", "0.3", "--ipv6"],
        vec![
            "replay",
            "--type",
            "m5.large",
            "--formula",
            "aws-default",
            "--order",
            "random",
            "--fill",
            "seed",
            "--ipv6",
        ],
    ] {
        refused(&sgpsim(&cmd), &["--ipv6", "IPv6", "no figures"]);
    }
    let (_d, p) = scenario_file("ip_family = \"ipv6\"\ninstance_types = [\"m5.large\"]\n[workload]\nfill = \"seed\"\n");
    refused(&sgpsim(&["run", p.to_str().unwrap()]), &["s.toml", "ip_family", "IPv6"]);
    let (_d, p) = scenario_file("os = \"windows\"\ninstance_types = [\"m5.large\"]\n[workload]\nfill = \"seed\"\n");
    refused(&sgpsim(&["run", p.to_str().unwrap()]), &["s.toml", "os", "Windows"]);
}

#[test]
fn bad_settings_name_the_file_field_and_fix() {
    let ok = "instance_types = [\"m5.large\"]\n[workload]\nfill = \"seed\"\n";
    for (setting, needles) in [
        (
            "cni_version = \"1.19\"",
            vec!["cni_version", "`1.19`", "cni_version = \"1.19.0\""],
        ),
        ("cni_version = \"latest\"", vec!["cni_version", "latest"]),
        ("cni_version = \"1.7.0\"", vec!["cni_version", "v1.7.7", "sgp = false"]),
        ("pods_per_core = 0", vec!["pods_per_core", "leave it out"]),
        ("pods_per_core = 99999999", vec!["pods_per_core"]),
        ("ip_family = \"ipv5\"", vec!["ip_family", "ipv5"]),
        ("custom_networking = \"yes\"", vec!["line 1", "expected a boolean"]),
    ] {
        let (_d, p) = scenario_file(&format!("{setting}\n{ok}"));
        refused(&sgpsim(&["run", p.to_str().unwrap()]), &needles);
    }
    refused(
        &sgpsim(&["formulas", "m5.large", "--cni-version", "one"]),
        &["--cni-version", "`--cni-version 1.19.0`"],
    );
    refused(
        &sgpsim(&["formulas", "m5.large", "--pods-per-core", "0"]),
        &["--pods-per-core"],
    );
    refused(
        &sgpsim(&[
            "replay",
            "--type",
            "m5.large",
            "--formula",
            "aws-default",
            "--order",
            "random",
            "--fill",
            "seed",
            "--cni-version",
            "1.6.0",
        ]),
        &["--cni-version", "--no-sgp"],
    );
}

/// `formulas` says when a type has more than one network card.
#[test]
fn formulas_name_multi_card_types() {
    let o = sgpsim(&["formulas", "c6in.32xlarge", "m5.large"]);
    let out = stdout(&o);
    assert!(
        out.contains("c6in.32xlarge has 2 network cards") && out.contains("default card's 8 ENIs only"),
        "{out}"
    );
    assert!(!out.contains("m5.large has"), "{out}");
    let o = sgpsim(&["formulas", "c6in.32xlarge", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v[0]["network_cards"], 2);
    assert!(v[0]["network_card_note"].as_str().unwrap().contains("default card"));
}

/// The table says which settings apply; custom networking adds its formula.
#[test]
fn formulas_list_the_settings() {
    let o = sgpsim(&[
        "formulas",
        "m5.xlarge",
        "--system-pods",
        "3",
        "--custom-networking",
        "--cni-version",
        "1.19.0",
        "--format",
        "csv",
    ]);
    let (h, rows) = csv_rows(&stdout(&o));
    let m = |f: &str| {
        let r = rows.iter().find(|r| field(&h, r, "formula") == f).unwrap();
        (
            field(&h, r, "max_pods").to_string(),
            field(&h, r, "ip_capacity").to_string(),
        )
    };
    assert_eq!(m("conservative"), ("31".into(), "28".into()));
    assert_eq!(m("aggressive"), ("49".into(), "28".into()));
    assert_eq!(m("aws-custom-networking"), ("44".into(), "28".into()));
    assert_eq!(m("aws-default"), ("58".into(), "28".into()));
    let o = sgpsim(&[
        "formulas",
        "m5.xlarge",
        "--custom-networking",
        "--cni-version",
        "1.19.0",
    ]);
    assert!(
        stdout(&o).contains("custom networking on") && stdout(&o).contains("CNI v1.19.0"),
        "{}",
        stdout(&o)
    );
}

/// The shipped scenario, by hand: m5.xlarge (S = 3), 28 pod IPs. The seed's
/// conservative as published gives 45; the seed's fill is B = 18 SG pods and
/// 42 IP pods; IP pods first: 28 run, 14 never start (the 29th first), and
/// the 18 SG pods find every slot taken (pending). Conservative under the
/// setting, 31, fails no order.
#[test]
fn the_shipped_custom_networking_scenario() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = sgpsim(&[
        "run",
        root().join("scenarios/custom-networking.toml").to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "-q",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let (h, rows) = csv_rows(&std::fs::read_to_string(out.join("summary.csv")).unwrap());
    let row = |formula: &str, order: &str| {
        rows.iter()
            .find(|r| {
                field(&h, r, "instance_type") == "m5.xlarge"
                    && field(&h, r, "formula") == formula
                    && field(&h, r, "order") == order
            })
            .unwrap_or_else(|| panic!("no row {formula} {order}"))
    };
    let r = row("system_pods + (default_enis - 1) * (ips_per_eni - 1)", "ip-first");
    let got: Vec<&str> = [
        "max_pods",
        "ip_capacity",
        "ip_failed_mean",
        "pending_mean",
        "first_ip_failure_min",
    ]
    .iter()
    .map(|c| field(&h, r, c))
    .collect();
    assert_eq!(got, ["45", "28", "14", "18", "29"]);
    for order in ["sg-first", "ip-first", "random", "interleaved"] {
        let r = row("conservative", order);
        assert_eq!((field(&h, r, "max_pods"), field(&h, r, "ip_failed_mean")), ("31", "0"));
    }
    assert_eq!(field(&h, row("aws-custom-networking", "ip-first"), "max_pods"), "44");
}

/// `recommend --model SCENARIO` checks the answer only on nodes with the
/// same settings: the shipped custom-networking scenario needs the flag.
#[test]
fn a_scenario_check_needs_the_same_settings() {
    let sc = root().join("scenarios/custom-networking.toml");
    let sc = sc.to_str().unwrap();
    let base = ["recommend", "m5.xlarge", "--sg-share", "0.3", "--model", sc];
    refused(
        &sgpsim(&base),
        &[
            "custom-networking.toml",
            "--model",
            "custom networking on",
            "--custom-networking",
        ],
    );
    let mut with = base.to_vec();
    with.push("--custom-networking");
    let o = sgpsim(&with);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("on a cluster (custom-networking"), "{}", stdout(&o));
}
