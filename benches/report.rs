//! Benchmarks of the report (issue: charts and a report).
//!
//! The default scenario (6 types x 6 formulas x 4 orders, 1000 random
//! trials), swept once in the setup; then:
//! 1. `charts`: drawing every chart (PNG + SVG) from records in memory;
//! 2. `report_dir`: what `sgpsim report DIR` does: read the CSVs, draw,
//!    write the charts, report.html and report.md;
//! 3. `run_step`: what `sgpsim run` adds after summary.csv: the failure
//!    spread and safe-region sweeps, then (2).
//!
//! Fixed seed (the scenario's). Medians go to results/bench-report.md.

use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use sgpsim::input::catalog::Catalog;
use sgpsim::input::scenario::Scenario;
use sgpsim::output::{self, csv};
use sgpsim::report;
use sgpsim::runner::sweep;

fn bench(c: &mut Criterion) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let scenario_path = root.join("scenarios/default.toml");
    let sc = Scenario::load(&scenario_path, &Catalog::bundled()).expect("the default scenario loads");
    let cells = sc.cells().expect("cells");
    let result = sweep::run(&cells, sc.seed, false);
    let rows = output::rows(&cells, &result.summaries, sc.seed);
    let dir = tempfile::tempdir().expect("a temporary directory");
    let d = dir.path();
    output::write_atomic(&d.join(report::SUMMARY_CSV), &csv::summary(&rows)).expect("write");
    output::write_atomic(
        &d.join(report::SCENARIO_TOML),
        &std::fs::read(&scenario_path).expect("read"),
    )
    .expect("write");
    report::write_all(d, &sc, &cells).expect("the report draws");
    let inputs = report::load(d).expect("the directory reads back");

    let mut g = c.benchmark_group("report");
    g.sample_size(10)
        .measurement_time(Duration::from_secs(8))
        .warm_up_time(Duration::from_secs(1));
    g.bench_function("charts", |b| {
        b.iter(|| black_box(report::charts(&inputs).expect("draws")))
    });
    g.bench_function("report_dir", |b| {
        b.iter(|| black_box(report::write_report(d).expect("draws")))
    });
    g.bench_function("run_step", |b| {
        b.iter(|| black_box(report::write_all(d, &sc, &cells).expect("draws")))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
