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
