//! Each command, as a user runs it.

use super::*;

#[test]
fn catalog_lists_globs_in_each_format() {
    let o = sgpsim(&["catalog", "m5.*large", "--format", "csv"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let (h, rows) = csv_rows(&stdout(&o));
    assert_eq!(
        h[..5],
        [
            "instance_type",
            "max_enis",
            "ipv4_per_eni",
            "branch_enis",
            "trunk_compatible"
        ]
    );
    let large = rows.iter().find(|r| r[0] == "m5.large").expect("m5.large listed");
    assert_eq!(&large[1..5], ["3", "10", "9", "true"]);
    assert!(rows.iter().all(|r| r[0].starts_with("m5.") && r[0].ends_with("large")));

    let o = sgpsim(&["catalog", "t3.medium", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v[0]["trunk_compatible"], false);
    assert_eq!(v[0]["branch_enis"], 0);

    let o = sgpsim(&["catalog"]);
    assert_eq!(stdout(&o).lines().count(), 1401 + 2, "every type, a header and a rule");
}

#[test]
fn catalog_file_adds_and_overrides_types() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("new.csv");
    std::fs::write(
        &f,
        "instance_type,max_enis,ipv4_per_eni,branch_enis,trunk_compatible,hypervisor,eni_max_pods,vcpus,memory_mib\n\
         z9.large,3,10,7,true,nitro,29,2,4096\nm5.large,3,10,5,true,nitro,29,2,8192\n",
    )
    .unwrap();
    let fs = f.to_str().unwrap();
    let o = sgpsim(&[
        "--catalog",
        fs,
        "formulas",
        "z9.large",
        "m5.large",
        "--formula",
        "aggressive",
        "--format",
        "csv",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let (_, rows) = csv_rows(&stdout(&o));
    assert_eq!(rows[0], ["z9.large", "aggressive", "27", "18", "7", "2"]);
    assert_eq!(rows[1], ["m5.large", "aggressive", "25", "18", "5", "2"]);
}

#[test]
fn formulas_csv_has_the_promised_columns_and_values() {
    let o = sgpsim(&["formulas", "m5.xlarge", "--system-pods", "3", "--format", "csv"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(text.starts_with("instance_type,formula,max_pods,ip_capacity,branch_capacity,system_pods\n"));
    let (_, rows) = csv_rows(&text);
    let m: Vec<(&str, &str)> = rows.iter().map(|r| (r[1].as_str(), r[2].as_str())).collect();
    assert_eq!(
        m,
        [
            ("aws-default", "58"),
            ("conservative", "45"),
            ("aggressive", "63"),
            ("seed-userdata", "40"),
            ("karpenter-reserved-enis:1", "44"),
            ("prefix-delegation", "110"),
        ]
    );
    assert!(rows.iter().all(|r| r[3] == "42" && r[4] == "18" && r[5] == "3"));
}

#[test]
fn formulas_say_when_a_figure_is_missing() {
    // c7i.32xlarge has no published D and no vCPU count.
    let o = sgpsim(&["formulas", "c7i.32xlarge"]);
    assert!(o.status.success());
    let out = stdout(&o);
    let seed = out.lines().find(|l| l.contains("seed-userdata")).unwrap();
    assert!(seed.contains("n/a") && seed.contains("lacks"), "{seed}");
    let pd = out.lines().find(|l| l.contains("prefix-delegation")).unwrap();
    assert!(pd.contains("vCPU"), "{pd}");
    let o = sgpsim(&["formulas", "c7i.32xlarge", "--format", "csv"]);
    let (_, rows) = csv_rows(&stdout(&o));
    assert_eq!(rows.iter().find(|r| r[1] == "seed-userdata").unwrap()[2], "");
    assert!(stderr(&o).contains("seed-userdata"));
}

#[test]
fn formulas_accept_cel_and_flag_seed_sizes() {
    let o = sgpsim(&[
        "formulas",
        "m5.large",
        "--formula",
        "((default_enis - 1) * (ips_per_eni - 1)) + 2",
        "--formula",
        "seed-userdata",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v[0]["max_pods"], 20);
    assert_eq!(v[1]["max_pods"], 20);
    let o = sgpsim(&["formulas", "m5.8xlarge", "--formula", "seed-userdata"]);
    assert!(stdout(&o).contains("outside the seed's table"));
}

#[test]
fn run_writes_the_summary_with_the_promised_columns() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("res");
    let o = sgpsim(&[
        "run",
        "scenarios/default.toml",
        "--out",
        dir.to_str().unwrap(),
        "--trials",
        "50",
        "--trials-csv",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("wrote"));
    let text = std::fs::read_to_string(dir.join("summary.csv")).unwrap();
    let first = text.lines().next().unwrap();
    assert!(first.starts_with(
        "instance_type,formula,order,policy,trials,seed,system_pods,system_ip_pods,sg_pods,ip_pods,max_pods,\
         ip_capacity,branch_capacity,running_mean,ip_failed_mean,pending_mean,failure_rate_mean,failure_rate_p50,\
         failure_rate_p95,failure_rate_max,trials_with_failure,wasted_ips_mean,wasted_ips_max,stranded_slots_mean,\
         first_ip_failure_min,nodes_mean"
    ));
    let (h, rows) = csv_rows(&text);
    assert_eq!(rows.len(), 6 * 6 * 4);
    // The seed's m5.xlarge, aws-default, SG first: 5 wasted IPs, no failure.
    let r = rows
        .iter()
        .find(|r| r[0] == "m5.xlarge" && r[1] == "aws-default" && r[2] == "sg-first")
        .unwrap();
    assert_eq!(field(&h, r, "wasted_ips_mean"), "5");
    assert_eq!(field(&h, r, "first_ip_failure_min"), "");
    assert_eq!(field(&h, r, "seed"), "20250910");
    let r = rows
        .iter()
        .find(|r| r[0] == "m5.xlarge" && r[1] == "aws-default" && r[2] == "random")
        .unwrap();
    assert_eq!(field(&h, r, "trials"), "50");
    let trials = std::fs::read_to_string(dir.join("trials.csv")).unwrap();
    assert_eq!(trials.lines().count(), 1 + 6 * 6 * (3 + 50));
    assert!(dir.join("scenario.toml").exists());
}

#[test]
fn run_defaults_to_results_slash_name() {
    let tmp = tempfile::tempdir().unwrap();
    let s = tmp.path().join("mine.toml");
    std::fs::write(
        &s,
        "instance_types = [\"m5.large\"]\norders = [\"ip-first\"]\n[workload]\nfill = \"seed\"\n",
    )
    .unwrap();
    let o = sgpsim_in(tmp.path(), &["run", "mine.toml", "-q"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(tmp.path().join("results/mine/summary.csv").exists());
}

#[test]
fn replay_reproduces_the_seed_experiment() {
    let o = sgpsim(&[
        "replay",
        "--type",
        "m5.large",
        "--formula",
        "aws-default",
        "--order",
        "ip-first",
        "--sg-pods",
        "9",
        "--ip-pods",
        "27",
        "--system-pods",
        "2",
        "--format",
        "csv",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let (h, rows) = csv_rows(&stdout(&o));
    assert_eq!(field(&h, &rows[0], "first_ip_failure_min"), "19");
    assert_eq!(field(&h, &rows[0], "ip_failed_mean"), "9");
    assert_eq!(field(&h, &rows[0], "pending_mean"), "9");

    let o = sgpsim(&[
        "replay",
        "--type",
        "m5.2xlarge",
        "--formula",
        "aws-default",
        "--order",
        "sg-first",
        "--fill",
        "seed",
        "--system-pods",
        "3",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v[0]["wasted_ips_mean"], 25.0);
    assert_eq!(v[0]["sg_pods"], 38);
    assert_eq!(v[0]["ip_pods"], 55);
}

#[test]
fn replay_autoscales_and_reruns_one_trial() {
    let args = [
        "replay",
        "--type",
        "m5.large",
        "--formula",
        "conservative",
        "--order",
        "random",
        "--sg-pods",
        "30",
        "--ip-pods",
        "100",
        "--autoscale",
        "--max-nodes",
        "20",
        "--trials",
        "40",
        "--seed",
        "7",
        "--format",
        "csv",
    ];
    let o = sgpsim(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    let (h, rows) = csv_rows(&stdout(&o));
    assert_eq!(field(&h, &rows[0], "failure_rate_max"), "0", "conservative never fails");
    assert_eq!(field(&h, &rows[0], "pending_mean"), "0");
    let nodes: f64 = field(&h, &rows[0], "nodes_mean").parse().unwrap();
    assert!(nodes >= 6.0, "100 IP pods need at least 6 nodes of 18 IPs: {nodes}");
    // A single trial re-runs alone, and agrees with itself.
    let mut one = args.to_vec();
    one.extend(["--trial", "13"]);
    let a = sgpsim(&one);
    let b = sgpsim(&one);
    assert!(a.status.success(), "{}", stderr(&a));
    assert_eq!(a.stdout, b.stdout);
    let (h, rows) = csv_rows(&stdout(&a));
    assert_eq!(field(&h, &rows[0], "trial"), "13");
}

#[test]
fn check_passes_on_the_seed_tables_and_reports_disputes_apart() {
    let o = sgpsim(&["check", "scenarios/seed-tables.toml"]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{out}{}", stderr(&o));
    assert!(out.contains("Disputed"), "{out}");
    assert!(out.contains("0 differ"), "{out}");
    assert!(out.trim_end().ends_with("check: 151 passed, 0 failed"), "{out}");
    let disputed = out.lines().filter(|l| l.trim_start().starts_with("disputed")).count();
    assert!(disputed >= 2, "{out}");
}

const CHECKED: &str = r#"
instance_types = ["m5.xlarge"]
formulas = ["aws-default"]
orders = ["sg-first"]
system_pods = { host = 3 }
workload = { fill = "seed" }
"#;

#[test]
fn check_exits_1_when_a_figure_differs() {
    let (_d, p) = scenario_file(&format!(
        "{CHECKED}\n[[expect]]\ntable = \"t\"\ninstance_type = \"m5.xlarge\"\nformula = \"aws-default\"\n\
         order = \"sg-first\"\nmetric = \"wasted_ips\"\nvalue = 6\n"
    ));
    let o = sgpsim(&["check", p.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("published 6, simulated 5"), "{}", stdout(&o));
    assert!(
        stdout(&o).trim_end().ends_with("check: 0 passed, 1 failed"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn check_fails_a_stale_dispute() {
    let (_d, p) = scenario_file(&format!(
        "{CHECKED}\n[[expect]]\ntable = \"t\"\ninstance_type = \"m5.xlarge\"\nformula = \"aws-default\"\n\
         order = \"sg-first\"\nmetric = \"wasted_ips\"\nvalue = 9\ndisputed = {{ model = 4, reason = \"r\" }}\n"
    ));
    let o = sgpsim(&["check", p.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(stdout(&o).contains("DISPUTE STALE"));
    let (_d, p) = scenario_file(&format!(
        "{CHECKED}\n[[expect]]\ntable = \"t\"\ninstance_type = \"m5.xlarge\"\nformula = \"aws-default\"\n\
         order = \"sg-first\"\nmetric = \"wasted_ips\"\nvalue = 9\ndisputed = {{ model = 5, reason = \"r\" }}\n"
    ));
    let o = sgpsim(&["check", p.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
}

/// Runs the built `sgpsim` binary in the repository root with `input` on its standard input.
pub fn sgpsim_with_stdin(args: &[&str], input: &[u8]) -> Output {
    use std::io::Write as _;
    use std::process::Stdio;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_sgpsim"))
        .args(args)
        .current_dir(root())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the sgpsim binary runs");
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}

const SMALL: &str = "instance_types = [\"m5.large\"]\norders = [\"ip-first\", \"random\"]\ntrials = 30\n\
                     [workload]\nfill = \"seed\"\n";

#[test]
fn run_reads_a_scenario_from_standard_input_into_the_same_files() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("small.toml");
    std::fs::write(&file, format!("name = \"small\"\n{SMALL}")).unwrap();
    let from_file = tmp.path().join("from-file");
    let from_stdin = tmp.path().join("from-stdin");
    let o = sgpsim(&[
        "run",
        file.to_str().unwrap(),
        "--out",
        from_file.to_str().unwrap(),
        "-q",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = sgpsim_with_stdin(
        &["run", "-", "--out", from_stdin.to_str().unwrap(), "-q"],
        format!("name = \"small\"\n{SMALL}").as_bytes(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(o.stdout.is_empty() && o.stderr.is_empty(), "-q prints nothing");
    for name in [
        "summary.csv",
        "scenario.toml",
        "failure-spread.csv",
        "safe-region.csv",
        "report.md",
    ] {
        assert_eq!(
            std::fs::read(from_file.join(name)).unwrap(),
            std::fs::read(from_stdin.join(name)).unwrap(),
            "{name}"
        );
    }
    // Without a name, a scenario from standard input is called `stdin`.
    let unnamed = tmp.path().join("unnamed");
    let o = sgpsim_with_stdin(&["run", "-", "--out", unnamed.to_str().unwrap()], SMALL.as_bytes());
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).starts_with("scenario stdin (seed "), "{}", stdout(&o));
}

#[test]
fn check_reads_the_scenario_from_standard_input() {
    let text = std::fs::read(root().join("scenarios/seed-tables.toml")).unwrap();
    let o = sgpsim_with_stdin(&["check", "-"], &text);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.starts_with("check <stdin> (seed "), "{out}");
    assert!(out.trim_end().ends_with("check: 151 passed, 0 failed"), "{out}");
}

#[test]
fn catalog_rows_come_from_standard_input_with_catalog_dash() {
    let csv = "instance_type,max_enis,ipv4_per_eni,branch_enis,trunk_compatible,hypervisor,eni_max_pods,vcpus,memory_mib\n\
               z9.large,3,10,7,true,nitro,29,2,4096\n";
    let o = sgpsim_with_stdin(
        &[
            "--catalog",
            "-",
            "formulas",
            "z9.large",
            "--formula",
            "aggressive",
            "--format",
            "csv",
        ],
        csv.as_bytes(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let (_, rows) = csv_rows(&stdout(&o));
    assert_eq!(rows[0], ["z9.large", "aggressive", "27", "18", "7", "2"]);
    // The catalog's own CSV reads back through `--catalog -`.
    let listing = sgpsim(&["catalog", "m5.*", "--format", "csv"]);
    let o = sgpsim_with_stdin(
        &["--catalog", "-", "catalog", "m5.*", "--format", "csv"],
        &listing.stdout,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(o.stdout, listing.stdout);
}

#[test]
fn outputs_named_dash_go_to_standard_output() {
    let tmp = tempfile::tempdir().unwrap();
    let cases: [&[&str]; 4] = [
        &["export", "karpenter-settings", "--formula", "karpenter-reserved-enis:1"],
        &["recommend", "m6i.xlarge", "--sg-share", "0.3", "--format", "csv"],
        &[
            "export",
            "karpenter",
            "--formula",
            "conservative",
            "--types",
            "m5.large",
            "c6i.large",
        ],
        &["scenario", "from-manifests", "tests/manifests/cluster"],
    ];
    for args in cases {
        let plain = sgpsim(args);
        assert!(plain.status.success(), "{args:?}: {}", stderr(&plain));
        let mut dash = args.to_vec();
        dash.extend(["-o", "-"]);
        let o = sgpsim(&dash);
        assert!(o.status.success(), "{dash:?}: {}", stderr(&o));
        assert_eq!(o.stdout, plain.stdout, "{dash:?}");
        assert!(!stderr(&o).contains("wrote"), "{dash:?}: {}", stderr(&o));
        // And to a file: the same bytes, whole.
        let file = tmp.path().join("out.txt");
        let mut to_file = args.to_vec();
        to_file.extend(["-o", file.to_str().unwrap()]);
        let o = sgpsim(&to_file);
        assert!(o.status.success(), "{to_file:?}: {}", stderr(&o));
        assert!(
            stderr(&o).contains(&format!("wrote {}", file.display())),
            "{}",
            stderr(&o)
        );
        assert_eq!(std::fs::read(&file).unwrap(), plain.stdout, "{to_file:?}");
    }
}

#[test]
fn run_format_json_gives_the_summary_and_the_files_written() {
    let (dir, p) = scenario_file(SMALL);
    let out = dir.path().join("res");
    let o = sgpsim(&[
        "run",
        p.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        o.stderr.is_empty(),
        "no progress bar when standard error is not a terminal: {}",
        stderr(&o)
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["scenario"], "s");
    assert_eq!(v["seed"], 1);
    assert_eq!(v["directory"], out.display().to_string());
    for f in v["files"].as_array().unwrap() {
        assert!(out.join(f.as_str().unwrap()).is_file(), "{f}");
    }
    let (h, rows) = csv_rows(&std::fs::read_to_string(out.join("summary.csv")).unwrap());
    let summary = v["summary"].as_array().unwrap();
    assert_eq!(summary.len(), rows.len());
    for (json_row, csv_row) in summary.iter().zip(&rows) {
        assert_eq!(json_row.as_object().unwrap().len(), h.len());
        assert_eq!(json_row["instance_type"], field(&h, csv_row, "instance_type"));
        assert_eq!(json_row["formula"], field(&h, csv_row, "formula"));
        assert_eq!(json_row["trials"].to_string(), field(&h, csv_row, "trials"));
        let rate: f64 = field(&h, csv_row, "failure_rate_mean").parse().unwrap();
        assert_eq!(json_row["failure_rate_mean"].as_f64(), Some(rate));
    }
    // m5.large, aws-default, IP pods first: the 19th IP pod is the first without an IP.
    let ip_first = summary
        .iter()
        .find(|r| r["formula"] == "aws-default" && r["order"] == "ip-first")
        .unwrap();
    assert_eq!(ip_first["first_ip_failure_min"], 19);
    assert_eq!(ip_first["sgp"], true);
    let never = summary
        .iter()
        .find(|r| r["formula"] == "conservative" && r["order"] == "ip-first")
        .unwrap();
    assert_eq!(never["first_ip_failure_min"], serde_json::Value::Null);
}

#[test]
fn a_timed_run_prints_its_summary_as_json_too() {
    let (dir, p) = scenario_file(
        "instance_types = [\"m5.large\"]\nformulas = [\"aws-default\"]\norders = [\"sg-first\"]\n\
         workload = { sg_pods = 1, ip_pods = 20 }\n[timed]\nhorizon = 60\n",
    );
    let out = dir.path().join("res");
    let o = sgpsim(&[
        "run",
        p.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let row = &v["summary"][0];
    assert_eq!(row["instance_type"], "m5.large");
    assert_eq!(row["horizon_s"], 60);
    assert!(row["ip_failed_pod_seconds_mean"].is_number(), "{row}");
    assert!(v["files"].as_array().unwrap().iter().any(|f| f == "timeline.csv"));
}

#[test]
fn check_format_json_gives_every_expectation_and_the_tallies() {
    let o = sgpsim(&["check", "scenarios/seed-tables.toml", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!((v["passed"].as_u64(), v["failed"].as_u64()), (Some(151), Some(0)));
    assert_eq!((v["holds"].as_u64(), v["disputed"].as_u64()), (Some(144), Some(7)));
    let lines = v["expectations"].as_array().unwrap();
    assert_eq!(lines.len(), 151);
    let disputed: Vec<_> = lines.iter().filter(|l| l["status"] == "disputed").collect();
    assert_eq!(disputed.len(), 7);
    assert!(disputed.iter().all(|l| l["disputed"]["reason"].is_string()));

    // A figure that differs: exit 1, and the line says so.
    let (_d, p) = scenario_file(&format!(
        "{CHECKED}\n[[expect]]\ntable = \"t\"\ninstance_type = \"m5.xlarge\"\nformula = \"aws-default\"\n\
         order = \"sg-first\"\nmetric = \"wasted_ips\"\nvalue = 6\n"
    ));
    let o = sgpsim(&["check", p.to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let line = &v["expectations"][0];
    assert_eq!(line["status"], "differs");
    assert_eq!(
        (line["published"].as_f64(), line["simulated"].as_f64()),
        (Some(6.0), Some(5.0))
    );
    assert_eq!(line["metric"], "wasted_ips");
    assert_eq!(v["failed"], 1);
}

#[test]
fn completions_for_every_shell_name_the_subcommands() {
    for (shell, marker) in [
        ("bash", "complete -F _sgpsim"),
        ("zsh", "#compdef sgpsim"),
        ("fish", "complete -c sgpsim"),
        ("elvish", "edit:completion:arg-completer[sgpsim]"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let o = sgpsim(&["completions", shell]);
        assert!(o.status.success(), "{shell}: {}", stderr(&o));
        let script = stdout(&o);
        assert!(script.contains(marker), "{shell}: no {marker:?}");
        for sub in ["replay", "formulas", "karpenter-settings", "trials-csv"] {
            assert!(script.contains(sub), "{shell}: no {sub}");
        }
    }
    // bash parses the script, and completing `sgpsim rep` offers `replay` and `report`.
    if std::path::Path::new("/bin/bash").exists() {
        let script = sgpsim(&["completions", "bash"]).stdout;
        let tmp = tempfile::tempdir().unwrap();
        let f = tmp.path().join("sgpsim.bash");
        std::fs::write(&f, script).unwrap();
        let o = std::process::Command::new("/bin/bash")
            .arg("-c")
            .arg(format!(
                "source {}; COMP_WORDS=(sgpsim rep); COMP_CWORD=1; _sgpsim sgpsim rep sgpsim; echo \"${{COMPREPLY[@]}}\"",
                f.display()
            ))
            .output()
            .unwrap();
        assert_eq!(stdout(&o).trim(), "replay report", "{}", stderr(&o));
    }
    assert_eq!(sgpsim(&["completions", "tcsh"]).status.code(), Some(2));
}

#[test]
fn man_pages_for_the_command_and_each_subcommand() {
    let o = sgpsim(&["man"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let page = stdout(&o);
    assert!(
        page.starts_with(".ie \\n(.g .ds Aq \\(aq"),
        "{}",
        &page[..80.min(page.len())]
    );
    assert!(page.contains(".TH sgpsim 1"), "{page}");
    assert!(page.contains("sgpsim\\-replay(1)"), "{page}");
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("man1");
    let o = sgpsim(&["man", "--dir", dir.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    for name in [
        "sgpsim.1",
        "sgpsim-run.1",
        "sgpsim-export.1",
        "sgpsim-export-karpenter.1",
        "sgpsim-man.1",
    ] {
        let text = std::fs::read_to_string(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(text.contains(".TH "), "{name}");
        assert!(
            stderr(&o).contains(&format!("wrote {}", dir.join(name).display())),
            "{name}"
        );
    }
    let run = std::fs::read_to_string(dir.join("sgpsim-run.1")).unwrap();
    assert!(run.contains("trials\\-csv"), "{run}");
    assert!(o.stdout.is_empty(), "with --dir, nothing on standard output");
    assert_eq!(
        std::fs::read(dir.join("sgpsim.1")).unwrap(),
        sgpsim(&["man"]).stdout,
        "the directory's sgpsim.1 is the page `man` prints"
    );
}

/// Runs `sgpsim ARGS` with a pseudo-terminal as its standard output and
/// error (util-linux `script`), and returns what the terminal showed; `None`
/// where `script` is not installed.
fn in_terminal(args: &str) -> Option<(i32, String)> {
    let script = ["/usr/bin/script", "/bin/script"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())?;
    let o = std::process::Command::new(script)
        .args([
            "-q",
            "-e",
            "-c",
            &format!("{} {args}", env!("CARGO_BIN_EXE_sgpsim")),
            "/dev/null",
        ])
        .current_dir(root())
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    Some((o.status.code().unwrap_or(-1), stdout(&o)))
}

#[test]
fn the_progress_bar_shows_on_a_terminal_only_and_not_with_q() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("res");
    let args = format!("run scenarios/default.toml --trials 200 --out {}", out.display());
    let Some((code, screen)) = in_terminal(&args) else {
        eprintln!("skipped: util-linux `script` is not installed, so no pseudo-terminal");
        return;
    };
    assert_eq!(code, 0, "{screen}");
    // 108 deterministic cells of 1 trial, 36 random cells of 200.
    assert!(screen.contains("/7,308 trials"), "the bar counts the trials: {screen}");
    assert!(screen.contains("wrote "), "{screen}");
    let (code, screen) = in_terminal(&format!("{args} -q")).unwrap();
    assert_eq!(code, 0, "{screen}");
    assert!(
        screen.trim().is_empty(),
        "-q prints nothing, not even the bar: {screen:?}"
    );
    // Piped, the bar stays off: standard error is empty.
    let o = sgpsim(&[
        "run",
        "scenarios/default.toml",
        "--trials",
        "20",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(o.stderr.is_empty(), "{}", stderr(&o));
}

#[test]
fn nodepools_come_from_standard_input() {
    let pools = std::fs::read(root().join("tests/manifests/cluster/40-karpenter.yaml")).unwrap();
    let args = ["export", "karpenter", "--formula", "conservative", "--nodepool"];
    let from_file = sgpsim(&[&args[..], &["tests/manifests/cluster/40-karpenter.yaml"]].concat());
    assert!(from_file.status.success(), "{}", stderr(&from_file));
    let o = sgpsim_with_stdin(&[&args[..], &["-"]].concat(), &pools);
    assert!(o.status.success(), "{}", stderr(&o));
    // The same objects; only the header names the input differently.
    let body = |text: &str| {
        text.lines()
            .filter(|l| !l.starts_with('#'))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(body(&stdout(&o)), body(&stdout(&from_file)));
    assert!(stdout(&o).contains("<stdin>"), "{}", stdout(&o));
}
