//! Benchmarks of the report (issue: charts and a report).
//!
//! The default scenario (6 types x 6 formulas x 4 orders, 1000 random
//! trials), swept once in the setup; then:
//! 1. `charts`: drawing every chart (PNG + SVG) from records in memory;
//! 2. `report_dir`: what `sgpsim report DIR` does: read the CSVs, draw,
//!    and replace the directory with the charts, report.html and report.md;
//! 3. `run_step`: what `sgpsim run` adds after the main sweep: the
//!    safe-region sweep, the spread from the sweep's own trials, and the
//!    report drawn in memory.
//!
//! Fixed seed (the scenario's). Medians go to results/bench-report.md.

use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use sgpsim::input::catalog::Catalog;
use sgpsim::input::scenario::Scenario;
use sgpsim::output::directory::Files;
use sgpsim::output::records::SpreadRow;
use sgpsim::report;
use sgpsim::results;
use sgpsim::runner::pool::Pool;
use sgpsim::runner::sweep;

fn bench(c: &mut Criterion) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let scenario_path = root.join("scenarios/default.toml");
    let sc = Scenario::load(&scenario_path, &Catalog::bundled()).expect("the default scenario loads");
    let cells = sc.cells().expect("cells");
    let pool = Pool::new(None).expect("a pool");
    let text = std::fs::read(&scenario_path).expect("read");
    let dir = tempfile::tempdir().expect("a temporary directory");
    let d = dir.path().join("default");
    let results = results::static_run(&sc, &text, &pool, false, &d, &Default::default()).expect("the scenario runs");
    results.files.replace(&d).expect("the directory writes");
    let files = Files::read(&d).expect("the directory reads back");
    let inputs = report::Inputs::from_files(&files, &d).expect("the directory reads back");
    let result = sweep::run(&cells, sc.seed, false);

    let mut g = c.benchmark_group("report");
    g.sample_size(10)
        .measurement_time(Duration::from_secs(8))
        .warm_up_time(Duration::from_secs(1));
    g.bench_function("charts", |b| {
        b.iter(|| black_box(report::charts(&inputs).expect("draws")))
    });
    g.bench_function("report_dir", |b| {
        b.iter(|| black_box(report::redraw(&d).expect("draws")))
    });
    g.bench_function("run_step", |b| {
        b.iter(|| {
            let safe = sgpsim::runner::safe_region::safe_region(&sc);
            let spread = SpreadRow::from_sweep(&cells, &result.summaries, sc.seed);
            let mut f = files.clone();
            f.put(report::SPREAD_CSV, sgpsim::output::records::spread_csv(&spread));
            f.put(report::SAFE_REGION_CSV, sgpsim::output::records::safe_region_csv(&safe));
            black_box(report::render(&mut f, &d).expect("draws"))
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
