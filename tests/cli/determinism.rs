//! Same seed, same scenario: the same bytes on any number of threads.

use super::*;

#[test]
fn one_thread_and_two_give_identical_files() {
    let tmp = tempfile::tempdir().unwrap();
    let mut outs = Vec::new();
    for threads in ["1", "2", "3"] {
        let dir = tmp.path().join(threads);
        let o = sgpsim(&[
            "run",
            "scenarios/default.toml",
            "--out",
            dir.to_str().unwrap(),
            "--trials",
            "200",
            "--threads",
            threads,
            "--trials-csv",
            "-q",
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        outs.push((
            std::fs::read(dir.join("summary.csv")).unwrap(),
            std::fs::read(dir.join("trials.csv")).unwrap(),
        ));
    }
    assert!(outs.windows(2).all(|w| w[0] == w[1]));
}

#[test]
fn the_seed_changes_random_cells_only() {
    let run = |seed: &str| {
        let o = sgpsim(&[
            "replay",
            "--type",
            "m5.xlarge",
            "--formula",
            "aws-default",
            "--order",
            "random",
            "--fill",
            "seed",
            "--system-pods",
            "3",
            "--trials",
            "100",
            "--seed",
            seed,
            "--format",
            "csv",
        ]);
        stdout(&o)
    };
    assert_eq!(run("1"), run("1"));
    assert_ne!(run("1"), run("2"));
}
