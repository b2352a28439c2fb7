//! Snapshots (insta) of what a reader sees: `summary.csv`, the terminal
//! tables and the `check` text. When one changes, review the diff whole
//! (`INSTA_UPDATE=always cargo test --test cli golden`, then `git diff`);
//! never edit a snapshot by hand.

use crate::{sgpsim, stderr, stdout};

/// Runs the CLI and returns its standard output, failing on a non-zero exit.
fn text(args: &[&str]) -> String {
    let o = sgpsim(args);
    assert!(o.status.success(), "{args:?}: {}", stderr(&o));
    stdout(&o)
}

/// The default scenario at 50 random trials: its summary.csv and the table
/// `run` prints.
#[test]
fn default_scenario_summary_csv_and_table() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let table = text(&[
        "run",
        "scenarios/default.toml",
        "--out",
        out.to_str().unwrap(),
        "--trials",
        "50",
    ]);
    // The files written name the temporary directory: keep the names only.
    let table = table.replace(&out.display().to_string(), "OUT");
    insta::assert_snapshot!("default_run_table", table);
    let csv = std::fs::read_to_string(out.join("summary.csv")).unwrap();
    insta::assert_snapshot!("default_summary_csv", csv);
}

/// `replay`: a fixed order, and random orders where the figures are exact.
#[test]
fn replay_tables() {
    let fixed = text(&[
        "replay",
        "--type",
        "m5.xlarge",
        "--formula",
        "aws-default",
        "--order",
        "ip-first",
        "--fill",
        "seed",
        "--system-pods",
        "3",
    ]);
    let random = text(&[
        "replay",
        "--type",
        "m5.large",
        "--formula",
        "aws-default",
        "--order",
        "random",
        "--fill",
        "seed",
        "--trials",
        "200",
    ]);
    insta::assert_snapshot!("replay_tables", format!("{fixed}\n{random}"));
}

/// `formulas` for the seed's types, and `recommend` for the planner's
/// question of the README.
#[test]
fn formulas_and_recommend_tables() {
    let formulas = text(&["formulas", "m5.large", "m5.xlarge", "m5.2xlarge", "c6i.*"]);
    let recommend = text(&["recommend", "m6i.xlarge", "--sg-share", "0.3", "--budget", "0.01"]);
    insta::assert_snapshot!("formulas_and_recommend", format!("{formulas}\n{recommend}"));
}

/// The text `check` writes for the seed document's tables.
#[test]
fn check_text_of_the_seed_tables() {
    insta::assert_snapshot!("check_seed_tables", text(&["check", "scenarios/seed-tables.toml"]));
}
