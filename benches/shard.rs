//! The overhead of sharding (issue 12): a sweep run as 2 parts, each its own
//! process on 1 thread, at once on the 2 cores, then `sgpsim merge`; against
//! one `sgpsim run` process on 2 threads. Both are the release binary, as a
//! user runs it, and both write the same results directory (tested in
//! tests/cli/shard.rs), report included.
//!
//! The sweep: 68 types (m5, m6i, c5, c6i, r5, r6i and m7i, every size) × 4
//! formulas × random orders × 10,000 trials (2.7 M trials, 272 cells), the
//! seed's fill on one node.
//! Results go to results/BENCHMARKS.md.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};

const SCENARIO: &str = r#"
name = "shard-bench"
seed = 20250910
trials = 10000
instance_types = ["m5.*", "m6i.*", "c5.*", "c6i.*", "r5.*", "r6i.*", "m7i.*"]
formulas = ["aws-default", "conservative", "aggressive", "karpenter-reserved-enis:1"]
orders = ["random"]
system_pods = { host = 3 }
workload = { fill = "seed" }
"#;

fn sgpsim(args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_sgpsim"));
    c.args(args).stdout(Stdio::null()).stderr(Stdio::inherit());
    c
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn check(status: std::process::ExitStatus) {
    assert!(status.success(), "sgpsim failed: {status}");
}

fn shards(c: &mut Criterion) {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = tmp.path().join("shard-bench.toml");
    std::fs::write(&scenario, SCENARIO).unwrap();
    let one = tmp.path().join("one/shard-bench");
    let parts = tmp.path().join("parts");
    let merged = tmp.path().join("merged/shard-bench");
    let mut g = c.benchmark_group("shard");
    g.sample_size(10).measurement_time(Duration::from_secs(30));
    g.bench_function("one_process_2_threads", |b| {
        b.iter(|| {
            check(
                sgpsim(&["run", s(&scenario), "--threads", "2", "-q", "--out", s(&one)])
                    .status()
                    .unwrap(),
            )
        })
    });
    g.bench_function("two_parts_1_thread_each_then_merge", |b| {
        b.iter(|| {
            let children: Vec<_> = (0..2)
                .map(|i| {
                    let shard = format!("{i}/2");
                    let out = parts.join(i.to_string());
                    sgpsim(&[
                        "run",
                        s(&scenario),
                        "--shard",
                        &shard,
                        "--threads",
                        "1",
                        "-q",
                        "--out",
                        s(&out),
                    ])
                    .spawn()
                    .unwrap()
                })
                .collect();
            for mut child in children {
                check(child.wait().unwrap());
            }
            check(
                sgpsim(&["merge", s(&parts), "--threads", "2", "-q", "--out", s(&merged)])
                    .status()
                    .unwrap(),
            );
        })
    });
    g.finish();
    // The two ways wrote the same files.
    for f in ["summary.csv", "report.md", "failure-spread.csv"] {
        assert_eq!(
            std::fs::read(one.join(f)).unwrap(),
            std::fs::read(merged.join(f)).unwrap(),
            "{f}"
        );
    }
}

criterion_group!(benches, shards);
criterion_main!(benches);
