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
    // 16 cells: 40 parts is more parts than cells (the random cells spread
    // over several parts each).
    merges_to_one_run(STATIC, "shard-static", &[1, 2, 3, 7, 40]);
}

#[test]
fn timed_parts_merge_to_one_runs_bytes() {
    // 4 cells of 5 trials: 30 parts is more parts than trials, so some
    // parts hold no trial at all (and still count as parts).
    merges_to_one_run(TIMED, "shard-timed", &[1, 2, 3, 7, 30]);
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
    // A damaged part: its totals count one trial too many.
    let damaged = work.path().join("damaged");
    std::fs::create_dir(&damaged).unwrap();
    let mut part: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dirs[1].join("part.json")).unwrap()).unwrap();
    let n = &mut part["slices"][0]["data"]["static"]["totals"]["n"];
    *n = (n.as_u64().unwrap() + 1).into();
    std::fs::write(damaged.join("part.json"), serde_json::to_vec(&part).unwrap()).unwrap();
    let e = refused(
        &["merge", s(&dirs[0]), s(&damaged), s(&dirs[2]), "--out", s(&out)],
        &out,
    );
    assert!(e.contains("is damaged"), "{e}");
    std::fs::write(damaged.join("part.json"), "{\"format\": \"sgpsim-part/1\"").unwrap();
    let e = refused(
        &["merge", s(&dirs[0]), s(&damaged), s(&dirs[2]), "--out", s(&out)],
        &out,
    );
    assert!(e.contains("is not a part sgpsim wrote"), "{e}");
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

/// Kubernetes' schemas of a current release (tests/data/kubernetes/README.md):
/// the Job and the ConfigMap, strict (no unknown field), their definitions
/// resolved from the file beside them.
fn kubernetes_validator(file: &str) -> jsonschema::Validator {
    struct Definitions(serde_json::Value);
    impl jsonschema::Retrieve for Definitions {
        fn retrieve(
            &self,
            uri: &jsonschema::Uri<String>,
        ) -> Result<serde_json::Value, Box<dyn std::error::Error + Send + Sync>> {
            if uri.as_str() == "https://kubernetes.io/api/_definitions.json" {
                Ok(self.0.clone())
            } else {
                Err(format!("no {uri} in the test data").into())
            }
        }
    }
    let dir = super::root().join("tests/data/kubernetes/v1.37.0-local-strict");
    let read = |f: &str| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(dir.join(f)).unwrap()).unwrap()
    };
    jsonschema::options()
        .with_retriever(Definitions(read("_definitions.json")))
        .should_validate_formats(false)
        .build(&read(file))
        .unwrap_or_else(|e| panic!("{file}: {e}"))
}

#[test]
fn the_exported_job_validates_against_the_kubernetes_schema() {
    let job = kubernetes_validator("job-batch-v1.json");
    let config_map = kubernetes_validator("configmap-v1.json");
    let check = |doc: &serde_json::Value| -> Vec<String> {
        let v = match doc["kind"].as_str() {
            Some("Job") => &job,
            Some("ConfigMap") => &config_map,
            other => panic!("unexpected kind {other:?}"),
        };
        v.iter_errors(doc)
            .map(|e| format!("{}: {e}", e.instance_path()))
            .collect()
    };
    let (work, scenario) = scenario_file(TIMED);
    let yaml = ok(&[
        "export",
        "job",
        s(&scenario),
        "--shards",
        "7",
        "--parallelism",
        "3",
        "--image",
        "registry.example/sgpsim:0.1.0",
        "--pvc",
        "sweeps",
        "--cpus",
        "2",
    ]);
    let docs: Vec<serde_json::Value> = serde_saphyr::from_multiple(&yaml).unwrap();
    assert_eq!(docs.len(), 3, "{yaml}");
    for d in &docs {
        let errors = check(d);
        assert!(errors.is_empty(), "{}:\n{}", d["kind"], errors.join("\n"));
    }
    let (cm, parts, merge) = (&docs[0], &docs[1], &docs[2]);
    assert_eq!(cm["data"]["scenario.toml"].as_str().unwrap(), TIMED);
    assert_eq!(parts["spec"]["completionMode"], "Indexed");
    assert_eq!(parts["spec"]["completions"], 7);
    assert_eq!(parts["spec"]["parallelism"], 3);
    let c = &parts["spec"]["template"]["spec"]["containers"][0];
    let args: Vec<&str> = c["args"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    assert_eq!(
        args,
        [
            "run",
            "/scenario/scenario.toml",
            "--shard",
            "auto/7",
            "--threads",
            "2",
            "--out",
            "/data/shard-timed/parts/$(JOB_COMPLETION_INDEX)"
        ]
    );
    assert_eq!(c["resources"]["requests"]["cpu"], "2");
    assert!(c["resources"]["requests"]["memory"].as_str().unwrap().ends_with("Mi"));
    let m = &merge["spec"]["template"]["spec"]["containers"][0]["args"];
    assert_eq!(m[0], "merge");
    assert_eq!(m[1], "/data/shard-timed/parts");
    assert_eq!(m[2], "--wait");
    assert_eq!(m[5], "/data/shard-timed/results/shard-timed");
    assert_eq!(
        parts["spec"]["template"]["spec"]["volumes"][1]["persistentVolumeClaim"]["claimName"],
        "sweeps"
    );
    // The schema is strict: a misspelt field is caught.
    let mut bad = parts.clone();
    bad["spec"]["completionsMode"] = "Indexed".into();
    assert!(!check(&bad).is_empty());
    // What the Job runs, run here: the parts as the pods run them (the
    // index from JOB_COMPLETION_INDEX) and the merge with --wait, from the
    // scenario as the ConfigMap holds it.
    let mounted = work.path().join("scenario/scenario.toml");
    std::fs::create_dir_all(mounted.parent().unwrap()).unwrap();
    std::fs::write(&mounted, cm["data"]["scenario.toml"].as_str().unwrap()).unwrap();
    let data = work.path().join("data/shard-timed");
    for i in 0..7 {
        let o = Command::new(env!("CARGO_BIN_EXE_sgpsim"))
            .args(["run", s(&mounted), "--shard", "auto/7", "--threads", "2", "--out"])
            .arg(data.join(format!("parts/{i}")))
            .env("JOB_COMPLETION_INDEX", i.to_string())
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let results = data.join("results/shard-timed");
    ok(&[
        "merge",
        s(&data.join("parts")),
        "--wait",
        "5",
        "--out",
        s(&results),
        "-q",
    ]);
    let one = work.path().join("one/shard-timed");
    ok(&["run", s(&scenario), "--out", s(&one), "-q"]);
    assert_eq!(tree(&results), tree(&one));
    // Bad flags are named.
    for (flag, value, says) in [
        ("--shards", "0", "--shards"),
        ("--pvc", "Not_A_Name", "--pvc"),
        ("--name", "x-", "--name"),
    ] {
        let mut args = vec!["export", "job", s(&scenario), "--image", "i"];
        if flag != "--shards" {
            args.extend(["--shards", "2"]);
        }
        args.extend([flag, value]);
        let o = sgpsim(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(stderr(&o).contains(says), "{}", stderr(&o));
    }
}
