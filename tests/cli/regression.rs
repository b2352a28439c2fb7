//! Regression tests, each named after the defect it pins (found by review).

use super::*;

/// The seed's fill is `B` SG pods and `M - S` IP pods with `S` the host
/// system pods (MODEL.md §6): IP system pods and SGP being off change
/// neither count. It used to take free slots and branch capacity instead.
#[test]
fn seed_fill_counts_follow_model_section_6() {
    let fill = |extra: &[&str]| {
        let mut args = vec![
            "replay",
            "--type",
            "m5.xlarge",
            "--formula",
            "aws-default",
            "--order",
            "sg-first",
            "--fill",
            "seed",
            "--system-pods",
            "3",
            "--format",
            "csv",
        ];
        args.extend_from_slice(extra);
        let o = sgpsim(&args);
        assert!(o.status.success(), "{}", stderr(&o));
        let (h, rows) = csv_rows(&stdout(&o));
        (
            field(&h, &rows[0], "sg_pods").to_string(),
            field(&h, &rows[0], "ip_pods").to_string(),
        )
    };
    assert_eq!(fill(&[]), ("18".into(), "55".into()));
    assert_eq!(fill(&["--system-ip-pods", "2"]), ("18".into(), "55".into()));
    assert_eq!(fill(&["--no-sgp"]), ("18".into(), "55".into()));
}

/// A maxPods no kubelet runs is an input error, not a sweep that never ends.
#[test]
fn absurd_max_pods_is_rejected() {
    let (_d, p) =
        scenario_file("instance_types = [\"m5.large\"]\nformulas = [\"fixed:4294967295\"]\n[workload]\nip_pods = 3\n");
    let o = sgpsim(&["run", p.to_str().unwrap(), "-q"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("more than 100000"), "{}", stderr(&o));
}

/// A large but allowed maxPods draws its safe-region map within a work
/// budget (fewer trials per point) rather than for hours.
#[test]
fn large_max_pods_still_draws_its_report() {
    let tmp = tempfile::tempdir().unwrap();
    let s = tmp.path().join("s.toml");
    std::fs::write(
        &s,
        "instance_types = [\"m5.large\"]\nformulas = [\"fixed:20000\"]\n[workload]\nip_pods = 3\n",
    )
    .unwrap();
    let out = tmp.path().join("out");
    let o = sgpsim(&["run", s.to_str().unwrap(), "--out", out.to_str().unwrap(), "-q"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(out.join("report.html").exists() && out.join("safe-region.csv").exists());
}

/// Pod counts whose sum overflows 32 bits are reported as too many, not as
/// "no pods" (the sum used to wrap to zero).
#[test]
fn pod_counts_do_not_wrap() {
    let o = sgpsim(&[
        "replay",
        "--type",
        "m5.large",
        "--formula",
        "aws-default",
        "--order",
        "ip-first",
        "--sg-pods",
        "4294967295",
        "--ip-pods",
        "1",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("4294967296 pods") && stderr(&o).contains("more than"),
        "{}",
        stderr(&o)
    );
}

/// Catalog figures beyond any instance type are rejected before they can
/// overflow a capacity.
#[test]
fn absurd_catalog_figures_are_rejected() {
    let tmp = tempfile::tempdir().unwrap();
    let f = tmp.path().join("c.csv");
    std::fs::write(
        &f,
        "instance_type,max_enis,ipv4_per_eni,branch_enis,trunk_compatible\nx9.large,100000,100000,0,true\n",
    )
    .unwrap();
    let o = sgpsim(&["--catalog", f.to_str().unwrap(), "formulas", "x9.large"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("max_enis") && stderr(&o).contains("c.csv"),
        "{}",
        stderr(&o)
    );
}

/// A small static scenario for the output-directory tests.
fn small_scenario(dir: &std::path::Path) -> std::path::PathBuf {
    let p = dir.join("small.toml");
    std::fs::write(
        &p,
        "instance_types = [\"m5.large\"]\nformulas = [\"aws-default\"]\norders = [\"random\"]\ntrials = 20\nworkload = { fill = \"seed\" }\n",
    )
    .unwrap();
    p
}

/// A run without `--trials-csv` used to leave an earlier run's `trials.csv`
/// beside its new `summary.csv`: a run now replaces its directory whole.
#[test]
fn a_stale_trials_csv_does_not_survive_a_later_run() {
    let tmp = tempfile::tempdir().unwrap();
    let sc = small_scenario(tmp.path());
    let out = tmp.path().join("out");
    let (s, o) = (sc.to_str().unwrap(), out.to_str().unwrap());
    assert!(sgpsim(&["run", s, "--out", o, "--trials-csv", "-q"]).status.success());
    assert!(out.join("trials.csv").exists());
    assert!(sgpsim(&["run", s, "--out", o, "-q"]).status.success());
    assert!(!out.join("trials.csv").exists(), "the earlier run's trials.csv is gone");
    assert!(out.join("summary.csv").exists() && out.join("report.html").exists());
    let beside: Vec<String> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(beside.is_empty(), "no temporary or lock left: {beside:?}");
}

/// An error found after the output directory was created used to leave it
/// empty (`--threads 0`); now nothing is written until everything is ready.
#[test]
fn a_failed_run_writes_nothing_and_keeps_the_previous_results() {
    let tmp = tempfile::tempdir().unwrap();
    let sc = small_scenario(tmp.path());
    let out = tmp.path().join("out");
    let (s, o) = (sc.to_str().unwrap(), out.to_str().unwrap());
    let bad = sgpsim(&["run", s, "--out", o, "--threads", "0"]);
    assert_eq!(bad.status.code(), Some(2), "{}", stderr(&bad));
    assert!(!out.exists(), "no directory for a run that did not happen");
    assert!(sgpsim(&["run", s, "--out", o, "-q"]).status.success());
    let before = std::fs::read(out.join("summary.csv")).unwrap();
    let bad = sgpsim(&["run", s, "--out", o, "--threads", "0"]);
    assert_eq!(bad.status.code(), Some(2));
    assert_eq!(std::fs::read(out.join("summary.csv")).unwrap(), before);
}

/// The directory is replaced whole, so one holding files sgpsim did not
/// write is refused (and left as it was) rather than emptied.
#[test]
fn an_output_directory_with_other_files_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let sc = small_scenario(tmp.path());
    let o = sgpsim(&["run", sc.to_str().unwrap(), "--out", tmp.path().to_str().unwrap(), "-q"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("small.toml") && stderr(&o).contains("--out"),
        "{}",
        stderr(&o)
    );
    assert!(sc.exists());
}

/// `sgpsim check` used to ignore a scenario's `[timed]` table and check the
/// static replay: a timed scenario is checked with the timed engine. Here
/// the horizon ends before the first node is Ready (90 s launch): in time,
/// no pod runs; the static replay would run all ten.
#[test]
fn check_uses_the_timed_engine_for_a_timed_scenario() {
    let text = r#"
instance_types = ["m5.large"]
formulas = ["aws-default"]
orders = ["sg-first"]
workload = { sg_pods = 5, ip_pods = 5 }
nodes = { autoscale = true, initial = 0, max = 10 }

[timed]
horizon = 30

[[expect]]
table = "regression"
instance_type = "m5.large"
formula = "aws-default"
order = "sg-first"
metric = "running"
value = 0
"#;
    let (_dir, path) = scenario_file(text);
    let o = sgpsim(&["check", path.to_str().unwrap()]);
    assert!(o.status.success(), "{}\n{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("1 passed, 0 failed"), "{}", stdout(&o));
    // Without [timed], the same expectation differs: the static replay runs them all.
    let static_text = text.replace("[timed]\nhorizon = 30\n", "");
    let (_dir, path) = scenario_file(&static_text);
    let o = sgpsim(&["check", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
}

/// `sgpsim report .` inside a results directory used to redo the whole
/// report and then fail on its own lock ("holds `.results.lock`, which sgpsim
/// did not write"). The swap would move the working directory away, so it
/// is refused before any work with the way round; `out/.` from above works.
#[test]
fn report_of_the_working_directory_is_refused_up_front_and_out_dot_works() {
    let tmp = tempfile::tempdir().unwrap();
    let s = tmp.path().join("s.toml");
    std::fs::write(
        &s,
        "instance_types = [\"m5.large\"]\nformulas = [\"fixed:20\"]\n[workload]\nip_pods = 3\n",
    )
    .unwrap();
    let out = tmp.path().join("out");
    let o = sgpsim(&["run", s.to_str().unwrap(), "--out", out.to_str().unwrap(), "-q"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let before = std::fs::read(out.join("summary.csv")).unwrap();

    let o = sgpsim_in(&out, &["report", "."]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("working directory") && stderr(&o).contains("cd .."),
        "{}",
        stderr(&o)
    );
    assert_eq!(
        std::fs::read(out.join("summary.csv")).unwrap(),
        before,
        "left as it was"
    );

    let o = sgpsim_in(tmp.path(), &["report", "out/."]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(out.join("report.md").exists());
    let left: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left.len(), 2, "only s.toml and out: {left:?}");
}
