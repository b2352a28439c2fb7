//! Sharded runs (issue 12): `run --shard I/N` parts merged by `sgpsim merge`
//! give one run's files byte for byte, static and timed, however many parts;
//! parts that do not belong together are a clear error with nothing
//! written; parts run as separate processes the way an Indexed Job runs
//! them (`JOB_COMPLETION_INDEX`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::{scenario_file, sgpsim, stderr, stdout};

/// A static sweep: 2 types × 2 formulas × 4 orders, 16 cells, 4 of them random.
const STATIC: &str = r#"
name = "shard-static"
seed = 11
trials = 150
instance_types = ["m5.large", "m5.xlarge"]
formulas = ["aws-default", "conservative"]
system_pods = { host = 3 }
workload = { fill = "seed" }
"#;

/// A timed sweep: 2 formulas × 2 orders on a growing cluster, a price (the
/// cost is a float sum), a timeline of trial 1.
const TIMED: &str = r#"
name = "shard-timed"
seed = 5
trials = 5
instance_types = ["m5.large"]
formulas = ["aws-default", "conservative"]
orders = ["random", "ip-first"]
system_pods = { host = 3 }
workload = { sg_pods = 20, ip_pods = 60 }
nodes = { autoscale = true, initial = 0, max = 10 }

[timed]
arrivals = { process = "poisson", rate = 5 }
timeline = { interval = 20, trial = 1 }

[timed.karpenter]
nodepool = [{ type = "m5.large", price = 0.096 }]
"#;

/// Every file under `dir`, by relative path.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display())) {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

fn ok(args: &[&str]) -> String {
    let o = sgpsim(args);
    assert!(o.status.success(), "{args:?}: {}{}", stdout(&o), stderr(&o));
    stdout(&o)
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Runs the N parts of `scenario` into `work/parts-N/I`.
fn parts(scenario: &Path, work: &Path, n: u32, extra: &[&str]) -> Vec<PathBuf> {
    (0..n)
        .map(|i| {
            let dir = work.join(format!("parts-{n}/{i}"));
            let shard = format!("{i}/{n}");
            let mut args = vec!["run", s(scenario), "--shard", &shard, "--out", s(&dir), "-q"];
            args.extend_from_slice(extra);
            ok(&args);
            dir
        })
        .collect()
}

/// One run's files against the merge of N parts, for each N.
fn merges_to_one_run(text: &str, name: &str, counts: &[u32]) {
    let (work, scenario) = scenario_file(text);
    let one = work.path().join("one").join(name);
    ok(&["run", s(&scenario), "--out", s(&one), "-q", "--trials-csv"]);
    let expected = tree(&one);
    assert!(expected.contains_key("trials.csv") && expected.contains_key("report.md"));
    for &n in counts {
        let dirs = parts(&scenario, work.path(), n, &["--trials-csv"]);
        let merged = work.path().join(format!("merged-{n}")).join(name);
        // Parts in reverse order: the order given does not matter.
        let mut args = vec!["merge".to_string()];
        args.extend(dirs.iter().rev().map(|d| s(d).to_string()));
        args.extend(["--out".into(), s(&merged).into(), "-q".into()]);
        ok(&args.iter().map(String::as_str).collect::<Vec<_>>());
        let got = tree(&merged);
        assert_eq!(
            got.keys().collect::<Vec<_>>(),
            expected.keys().collect::<Vec<_>>(),
            "{name}, {n} parts: the same files"
        );
        for (file, bytes) in &expected {
            assert!(got[file] == *bytes, "{name}, {n} parts: {file} differs");
        }
    }
}

#[test]
fn static_parts_merge_to_one_runs_bytes() {
    // 16 cells: 40 parts is more parts than cells (some parts are empty).
    merges_to_one_run(STATIC, "shard-static", &[1, 2, 3, 7, 40]);
}

#[test]
fn timed_parts_merge_to_one_runs_bytes() {
    // 4 cells, 12 trials in all: 20 parts leaves some empty.
    merges_to_one_run(TIMED, "shard-timed", &[1, 2, 3, 7, 20]);
}

/// Runs `merge` expecting exit 2, and checks that nothing was written.
fn refused(args: &[&str], out: &Path) -> String {
    let o = sgpsim(args);
    assert_eq!(o.status.code(), Some(2), "{args:?}: {}{}", stdout(&o), stderr(&o));
    assert!(!out.exists(), "nothing written at {}", out.display());
    stderr(&o)
}

#[test]
fn parts_that_do_not_cover_the_sweep_once_are_refused() {
    let (work, scenario) = scenario_file(STATIC);
    let dirs = parts(&scenario, work.path(), 3, &[]);
    let out = work.path().join("out");
    // A missing part.
    let e = refused(&["merge", s(&dirs[0]), s(&dirs[2]), "--out", s(&out)], &out);
    assert!(e.contains("1 of the 3 parts of `shard-static` is missing: 1/3"), "{e}");
    assert!(e.contains("--shard 1/3"), "{e}");
    // A part given twice (a copy of part 2 under another name).
    let copy = work.path().join("copy");
    std::fs::create_dir(&copy).unwrap();
    std::fs::copy(dirs[2].join("part.json"), copy.join("part.json")).unwrap();
    let e = refused(
        &[
            "merge",
            s(&dirs[0]),
            s(&dirs[1]),
            s(&dirs[2]),
            s(&copy),
            "--out",
            s(&out),
        ],
        &out,
    );
    assert!(e.contains("part 2/3 is given twice"), "{e}");
    assert!(e.contains(s(&copy)), "{e}");
    // Parts of two different scenarios.
    let other_text = STATIC.replace("trials = 150", "trials = 151");
    let (other_dir, other) = scenario_file(&other_text);
    let others = parts(&other, other_dir.path(), 3, &[]);
    let e = refused(
        &["merge", s(&dirs[0]), s(&dirs[1]), s(&others[2]), "--out", s(&out)],
        &out,
    );
    assert!(e.contains("is a part of another run: scenario"), "{e}");
    assert!(e.contains(s(&others[2])), "{e}");
    // The same scenario with another seed, and with another number of parts.
    let reseeded = parts(&scenario, &work.path().join("seed"), 3, &["--seed", "12"]);
    let e = refused(
        &["merge", s(&dirs[0]), s(&dirs[1]), s(&reseeded[2]), "--out", s(&out)],
        &out,
    );
    assert!(e.contains("seed 12 where"), "{e}");
    let halves = parts(&scenario, work.path(), 2, &[]);
    let e = refused(
        &["merge", s(&dirs[0]), s(&dirs[1]), s(&halves[1]), "--out", s(&out)],
        &out,
    );
    assert!(e.contains("parts 2 where"), "{e}");
    // Not a part at all.
    let e = refused(
        &["merge", s(work.path().join("nothing").as_path()), "--out", s(&out)],
        &out,
    );
    assert!(e.contains("is not a directory"), "{e}");
    // And a bad --shard.
    for (bad, says) in [("3/3", "does not exist"), ("1/0", "0 parts"), ("x", "is not I/N")] {
        let o = sgpsim(&["run", s(&scenario), "--shard", bad, "--out", s(&out)]);
        assert_eq!(o.status.code(), Some(2));
        assert!(stderr(&o).contains(says), "{bad}: {}", stderr(&o));
    }
}

/// The Indexed Job's way: N processes at once, each told its index by
/// `JOB_COMPLETION_INDEX` alone, all writing under one folder; then one
/// merge of that folder.
#[test]
fn parts_run_as_separate_processes_like_an_indexed_job() {
    let (work, scenario) = scenario_file(STATIC);
    let one = work.path().join("one/shard-static");
    ok(&["run", s(&scenario), "--out", s(&one), "-q"]);
    let n = 4;
    let children: Vec<_> = (0..n)
        .map(|i| {
            Command::new(env!("CARGO_BIN_EXE_sgpsim"))
                .args([
                    "run",
                    s(&scenario),
                    "--shard",
                    &format!("auto/{n}"),
                    "--threads",
                    "1",
                    "--out",
                ])
                .arg(work.path().join(format!("parts/{i}")))
                .env("JOB_COMPLETION_INDEX", i.to_string())
                .output()
        })
        .collect();
    for c in children {
        let o = c.unwrap();
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(stdout(&o).contains(&format!("/{n} of the sweep")), "{}", stdout(&o));
    }
    let merged = work.path().join("merged/shard-static");
    let report = ok(&["merge", s(&work.path().join("parts")), "--out", s(&merged)]);
    assert!(report.contains("merged 4 parts"), "{report}");
    assert_eq!(tree(&merged), tree(&one));
    // auto/N outside a Job says what it needs.
    let o = Command::new(env!("CARGO_BIN_EXE_sgpsim"))
        .args(["run", s(&scenario), "--shard", "auto/4", "--out"])
        .arg(work.path().join("x"))
        .env_remove("JOB_COMPLETION_INDEX")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("JOB_COMPLETION_INDEX, which is not set"),
        "{}",
        stderr(&o)
    );
}
