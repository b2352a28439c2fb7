//! Every class of bad input: a clear message naming the file, the field and
//! the fix, exit code 2, no panic, no half-written output.

use super::*;

fn fails_with(o: &Output, needles: &[&str]) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(2), "stdout: {}\nstderr: {err}", stdout(o));
    assert!(!err.contains("panicked"), "{err}");
    for n in needles {
        assert!(err.contains(n), "expected {n:?} in:\n{err}");
    }
    assert!(err.contains("fix:") || err.contains("Usage"), "{err}");
}

const OK: &str = "instance_types = [\"m5.large\"]\n[workload]\nfill = \"seed\"\n";

#[test]
fn unknown_type_suggests_names() {
    fails_with(&sgpsim(&["catalog", "m5.larg"]), &["m5.larg", "m5.large"]);
    let (_d, p) = scenario_file("instance_types = [\"c6i.xlrge\"]\n[workload]\nfill = \"seed\"\n");
    fails_with(
        &sgpsim(&["run", p.to_str().unwrap()]),
        &["s.toml", "instance_types", "c6i.xlarge"],
    );
}

/// CPU and memory requests that are not quantities, negative, absurd or
/// misnamed: each names the file, the field and the fix.
#[test]
fn bad_cpu_and_memory_requests() {
    let base = "instance_types = [\"m5.large\"]\n[workload]\nip_pods = 5\n";
    for (extra, want) in [
        (
            "[workload.requests]\nip = { cpu = \"abc\" }",
            ["workload.requests.ip.cpu", "not a CPU quantity", "250m"],
        ),
        (
            "[workload.requests]\nip = { cpu = \"-2\" }",
            ["workload.requests.ip.cpu", "negative", "250m"],
        ),
        (
            "[workload.requests]\nip = { memory = \"9Ei\" }",
            ["workload.requests.ip.memory", "more memory than any node", "512Mi"],
        ),
        (
            "[workload.requests]\nip = { cpu = 1e300 }",
            ["workload.requests.ip.cpu", "far larger than any node", "250m"],
        ),
        (
            "[system_pods.requests]\nhost = { cpu = \"3\" }",
            ["system_pods.requests", "more than the 1930m", "lower"],
        ),
        (
            "[workload.requests]\nip = { cpus = \"1\" }",
            ["unknown field `cpus`", "line", "README"],
        ),
    ] {
        let (_d, p) = scenario_file(&format!("{base}{extra}"));
        let mut needles = vec!["s.toml"];
        needles.extend(want);
        fails_with(&sgpsim(&["run", p.to_str().unwrap()]), &needles);
    }
}

#[test]
fn unknown_formula_and_order() {
    let (_d, p) = scenario_file(&format!("formulas = [\"agressive\"]\n{OK}"));
    fails_with(
        &sgpsim(&["run", p.to_str().unwrap()]),
        &["s.toml", "formulas[0]", "aggressive"],
    );
    let (_d, p) = scenario_file(&format!("orders = [\"sg-last\"]\n{OK}"));
    fails_with(&sgpsim(&["run", p.to_str().unwrap()]), &["orders", "sg-first"]);
    fails_with(
        &sgpsim(&[
            "replay",
            "--type",
            "m5.large",
            "--formula",
            "nope",
            "--order",
            "random",
            "--fill",
            "seed",
        ]),
        &["--formula"],
    );
}

#[test]
fn malformed_toml_names_line_and_column() {
    let (_d, p) = scenario_file("instance_types = [\"m5.large\"\n[workload]\n");
    fails_with(&sgpsim(&["run", p.to_str().unwrap()]), &["s.toml", "line"]);
    let (_d, p) = scenario_file(&format!("trails = 5\n{OK}"));
    fails_with(&sgpsim(&["check", p.to_str().unwrap()]), &["trails", "line 1"]);
}

#[test]
fn formula_leaving_no_room_names_type_and_figures() {
    let (_d, p) = scenario_file(&format!("formulas = [\"fixed:3\"]\nsystem_pods = {{ host = 3 }}\n{OK}"));
    fails_with(
        &sgpsim(&["run", p.to_str().unwrap()]),
        &["m5.large", "maxPods 3", "3 host system pods"],
    );
    fails_with(
        &sgpsim(&[
            "replay",
            "--type",
            "t3.nano",
            "--formula",
            "karpenter-reserved-enis:1",
            "--order",
            "sg-first",
            "--ip-pods",
            "3",
            "--system-pods",
            "4",
        ]),
        &["t3.nano", "--formula"],
    );
}

#[test]
fn zero_and_absurd_counts() {
    let (_d, p) = scenario_file("instance_types = [\"m5.large\"]\n[workload]\nsg_pods = 0\nip_pods = 0\n");
    fails_with(&sgpsim(&["run", p.to_str().unwrap()]), &["workload", "no pods"]);
    let (_d, p) = scenario_file("instance_types = [\"m5.large\"]\n[workload]\nip_pods = 4000000000\n");
    fails_with(&sgpsim(&["run", p.to_str().unwrap()]), &["workload"]);
    let (_d, p) = scenario_file(&format!("trials = 0\n{OK}"));
    fails_with(&sgpsim(&["run", p.to_str().unwrap()]), &["trials"]);
    fails_with(
        &sgpsim(&["run", "scenarios/default.toml", "--trials", "99999999"]),
        &["--trials"],
    );
    fails_with(
        &sgpsim(&["run", "scenarios/default.toml", "--threads", "0"]),
        &["--threads"],
    );
    let (_d, p) = scenario_file(&format!("{OK}[nodes]\ncount = 1000000\n"));
    fails_with(&sgpsim(&["run", p.to_str().unwrap()]), &["nodes.count"]);
}

#[test]
fn unwritable_output_directory_leaves_nothing_behind() {
    let tmp = tempfile::tempdir().unwrap();
    let blocker = tmp.path().join("file");
    std::fs::write(&blocker, "not a directory").unwrap();
    let out = blocker.join("results");
    fails_with(
        &sgpsim(&["run", "scenarios/default.toml", "--out", out.to_str().unwrap()]),
        &["--out"],
    );
    assert!(!out.exists());

    // A directory that exists but refuses writes (skipped when running as root,
    // which ignores permissions).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let ro = tmp.path().join("ro");
        std::fs::create_dir(&ro).unwrap();
        std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o500)).unwrap();
        if std::fs::write(ro.join("probe"), "x").is_err() {
            let o = sgpsim(&[
                "run",
                "scenarios/default.toml",
                "--out",
                ro.to_str().unwrap(),
                "--trials",
                "5",
            ]);
            fails_with(&o, &["summary.csv"]);
            assert_eq!(std::fs::read_dir(&ro).unwrap().count(), 0, "no half-written file");
        }
    }
}

#[test]
fn bad_catalog_file_names_line_and_column() {
    let tmp = tempfile::tempdir().unwrap();
    let f = tmp.path().join("cat.csv");
    std::fs::write(
        &f,
        "instance_type,max_enis,ipv4_per_eni,branch_enis,trunk_compatible\nx.large,3,10,9,maybe\n",
    )
    .unwrap();
    fails_with(
        &sgpsim(&["--catalog", f.to_str().unwrap(), "catalog"]),
        &["cat.csv", "line 2", "trunk_compatible"],
    );
    fails_with(
        &sgpsim(&["--catalog", "/nonexistent.csv", "catalog"]),
        &["/nonexistent.csv"],
    );
}

#[test]
fn missing_scenario_and_usage_errors() {
    fails_with(&sgpsim(&["run", "nope.toml"]), &["nope.toml"]);
    let o = sgpsim(&["replay", "--type", "m5.large"]);
    assert_eq!(o.status.code(), Some(2));
    fails_with(
        &sgpsim(&[
            "replay",
            "--type",
            "m5.large",
            "--formula",
            "aws-default",
            "--order",
            "random",
        ]),
        &["--sg-pods"],
    );
    let (_d, p) = scenario_file(OK);
    fails_with(&sgpsim(&["check", p.to_str().unwrap()]), &["expect"]);
}

#[test]
fn expectations_are_validated() {
    let bad = [
        (
            "metric = \"wasted\"\nvalue = 1\norder = \"sg-first\"\nformula = \"aws-default\"",
            "metric",
        ),
        ("metric = \"wasted_ips\"\nvalue = 1\nformula = \"aws-default\"", "order"),
        (
            "metric = \"wasted_ips\"\nvalue = 1\norder = \"sg-first\"\nformula = \"conservative\"",
            "formula",
        ),
        (
            "metric = \"wasted_ips\"\nvalue = \"lots\"\norder = \"sg-first\"\nformula = \"aws-default\"",
            "value",
        ),
    ];
    for (body, field) in bad {
        let (_d, p) = scenario_file(&format!(
            "formulas = [\"aws-default\"]\n{OK}\n[[expect]]\ntable = \"t\"\ninstance_type = \"m5.large\"\n{body}\n"
        ));
        fails_with(
            &sgpsim(&["check", p.to_str().unwrap()]),
            &[&format!("expect[0].{field}")],
        );
    }
}

#[test]
fn standard_input_is_read_once_and_a_run_from_it_needs_out() {
    use crate::commands::sgpsim_with_stdin;
    let o = sgpsim_with_stdin(&["run", "-"], OK.as_bytes());
    fails_with(&o, &["--out", "standard input", "give --out DIR"]);
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("res");
    // `--catalog -` takes standard input first: the scenario cannot be `-` too.
    let catalog = sgpsim(&["catalog", "m5.large", "--format", "csv"]).stdout;
    let o = sgpsim_with_stdin(
        &["--catalog", "-", "run", "-", "--out", out.to_str().unwrap()],
        &catalog,
    );
    fails_with(&o, &["<stdin>", "already read", "the scenario cannot be `-` too"]);
    assert!(!out.exists());
    // A scenario on standard input that does not validate names `<stdin>` and the field.
    let o = sgpsim_with_stdin(&["check", "-"], b"trails = 5\ninstance_types = [\"m5.large\"]\n");
    fails_with(&o, &["<stdin>", "trails"]);
    let o = sgpsim_with_stdin(&["--catalog", "-", "catalog"], b"instance_type,max_enis\nx.large,3\n");
    fails_with(&o, &["<stdin>", "--catalog"]);
}

#[test]
fn man_pages_need_a_directory_they_can_be_written_into() {
    let tmp = tempfile::tempdir().unwrap();
    let blocker = tmp.path().join("file");
    std::fs::write(&blocker, "x").unwrap();
    fails_with(
        &sgpsim(&["man", "--dir", blocker.join("man1").to_str().unwrap()]),
        &["--dir", "man1"],
    );
}

#[test]
fn a_run_cannot_write_its_directory_to_standard_output() {
    fails_with(
        &sgpsim(&["run", "scenarios/default.toml", "--out", "-"]),
        &["--out", "a directory of files", "--format json"],
    );
}

#[test]
fn an_export_that_cannot_be_written_leaves_no_file() {
    let tmp = tempfile::tempdir().unwrap();
    let target = tmp.path().join("missing-dir").join("ud.txt");
    fails_with(
        &sgpsim(&[
            "export",
            "ec2nodeclass",
            "--target",
            "nodeadm",
            "--formula",
            "conservative",
            "--types",
            "m5.large",
            "-o",
            target.to_str().unwrap(),
        ]),
        &["--out", "ud.txt"],
    );
    assert!(!target.exists());
    // Too large a UserData: refused with its size, nothing written.
    let file = tmp.path().join("big.txt");
    let o = sgpsim(&[
        "export",
        "ec2nodeclass",
        "--target",
        "al2",
        "--formula",
        "conservative",
        "--types",
        "*",
        "-o",
        file.to_str().unwrap(),
    ]);
    fails_with(&o, &["--types/--nodepool", "16 KB"]);
    assert!(!file.exists());
}

#[test]
fn standard_input_is_read_once_whichever_inputs_name_it() {
    use crate::commands::sgpsim_with_stdin;
    let catalog = sgpsim(&["catalog", "m5.large", "--format", "csv"]).stdout;
    let o = sgpsim_with_stdin(
        &[
            "--catalog",
            "-",
            "export",
            "karpenter",
            "--formula",
            "conservative",
            "--nodepool",
            "-",
        ],
        &catalog,
    );
    fails_with(&o, &["<stdin>", "already read"]);
}
