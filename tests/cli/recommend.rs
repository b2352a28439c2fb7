//! `sgpsim recommend`: one command answers the planner's question (MODEL.md
//! §11), and its CSV feeds the exports.

use super::*;

/// "Which maxPods on m6i.xlarge if 30% of my pods are SG pods and I accept
/// at most 1% risk?": one command, one answer, with its reasoning.
#[test]
fn the_planners_question_has_one_answer_with_its_reasoning() {
    let o = sgpsim(&["recommend", "m6i.xlarge", "--sg-share", "30%", "--budget", "1%"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(text.contains("recommended maxPods 52"), "{text}");
    assert!(text.contains("why not 53"), "{text}");
    assert!(text.contains("MODEL.md §11"), "{text}");
    // Every named formula on the same mix, with whether it is within budget.
    for f in [
        "aws-default",
        "conservative",
        "aggressive",
        "seed-userdata",
        "karpenter-reserved-enis:1",
        "prefix-delegation",
    ] {
        assert!(
            text.lines().any(|l| l.trim_start().starts_with(f)),
            "{f} missing:\n{text}"
        );
    }
}

#[test]
fn the_csv_has_the_contract_columns_in_order() {
    let o = sgpsim(&[
        "recommend",
        "m5.large",
        "m5.xlarge",
        "--sg-share",
        "0,1",
        "--budget",
        "0",
        "--format",
        "csv",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let (h, rows) = csv_rows(&stdout(&o));
    let want = "instance_type,sg_share,risk_measure,budget,recommended_max_pods,risk_at_recommended,pods_per_node,wasted_ips_mean,stranded_branches_mean,conservative,aws_default,aggressive";
    assert_eq!(h[..12].join(","), want);
    assert_eq!(rows.len(), 4, "two types x two shares");
    // Budget 0: conservative whatever p < 1; p = 1: aggressive (MODEL.md §11).
    let rec = |ty: &str, p: &str| {
        let r = rows
            .iter()
            .find(|r| field(&h, r, "instance_type") == ty && field(&h, r, "sg_share") == p)
            .unwrap();
        (
            field(&h, r, "recommended_max_pods").to_string(),
            field(&h, r, "conservative").to_string(),
            field(&h, r, "aggressive").to_string(),
        )
    };
    let (m, c, _) = rec("m5.large", "0");
    assert_eq!((m.as_str(), c.as_str()), ("20", "20"));
    let (m, _, a) = rec("m5.large", "1");
    assert_eq!((m.as_str(), a.as_str()), ("29", "29"));
    let (m, c, _) = rec("m5.xlarge", "0");
    assert_eq!(m, c);
}

/// What was simulated is what gets applied: the recommend CSV is a formula
/// for the exports, and the Karpenter export writes its figures.
#[test]
fn a_recommendation_feeds_the_karpenter_export() {
    let tmp = tempfile::tempdir().unwrap();
    let csv = tmp.path().join("rec.csv");
    let o = sgpsim(&[
        "recommend",
        "m5.large",
        "m6i.xlarge",
        "--sg-share",
        "0.3",
        "--format",
        "csv",
        "-o",
        csv.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let formula = format!("recommended:{}", csv.display());
    let o = sgpsim(&[
        "export",
        "karpenter",
        "--formula",
        &formula,
        "--types",
        "m5.large",
        "m6i.xlarge",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let yaml = stdout(&o);
    assert!(yaml.contains("maxPods: 52") && yaml.contains("maxPods: 22"), "{yaml}");
    // A type the table lacks is named, not guessed.
    let o = sgpsim(&["export", "karpenter", "--formula", &formula, "--types", "c5.large"]);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    assert!(stderr(&o).contains("gives no figure"), "{}", stderr(&o));
}

#[test]
fn a_rollout_checks_the_answer_on_a_cluster() {
    let o = sgpsim(&[
        "recommend",
        "m6i.xlarge",
        "--sg-share",
        "0.3",
        "--model",
        "rollout",
        "--trials",
        "100",
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let cluster = v[0]["cluster"].as_array().unwrap();
    let rec = cluster.iter().find(|c| c["formula"] == "recommended").unwrap();
    assert_eq!(rec["max_pods"], 52);
    assert_eq!(rec["trials"], 100);
    // conservative never fails, on a cluster as on a node.
    let cons = cluster.iter().find(|c| c["formula"] == "conservative").unwrap();
    assert_eq!(cons["any_failure"], 0.0);
}

#[test]
fn bad_questions_are_clear_errors() {
    for (args, flag) in [
        (vec!["recommend", "m5.large", "--sg-share", "1.5"], "--sg-share"),
        (
            vec!["recommend", "m5.large", "--sg-share", "0.3", "--budget", "lots"],
            "--budget",
        ),
        (
            vec!["recommend", "m5.large", "--sg-share", "0.3", "--region", "mars-1"],
            "--region",
        ),
        (
            vec![
                "recommend",
                "m5.large",
                "--sg-share",
                "0.3",
                "--pods",
                "10",
                "--sg-pods",
                "20",
            ],
            "--sg-pods",
        ),
    ] {
        let o = sgpsim(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(
            stderr(&o).contains(flag) && stderr(&o).contains("fix:"),
            "{args:?}: {}",
            stderr(&o)
        );
    }
}
