//! Benchmark of `sgpsim recommend`'s node model (MODEL.md §11, exact): every
//! type of the bundled catalog (1401) × 101 SG shares (0, 0.01, …, 1), the
//! recommendation and the six named formulas' figures for each, on rayon's
//! pool (one worker per core), as `sgpsim recommend '*' --sg-share 0..1:0.01`
//! computes them. Target: under 1 s on 2 cores.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use rayon::prelude::*;
use sgpsim::input::catalog::Catalog;
use sgpsim::input::prices::Prices;
use sgpsim::model::exact::Risk;
use sgpsim::model::node::{NodeSettings, SystemPods};
use sgpsim::recommend::{self, Question};

fn bench(c: &mut Criterion) {
    let catalog = Catalog::bundled();
    let types: Vec<_> = catalog.iter().collect();
    let prices = Prices::bundled();
    let q = Question {
        sg_shares: (0..=100).map(|i| f64::from(i) / 100.0).collect(),
        risk: Risk::AnyFailure,
        budget: 0.01,
        system: SystemPods { host: 2, ip: 0 },
        settings: NodeSettings::default(),
        cap: 250,
        workload: None,
        region: "us-east-1".into(),
        requests: None,
    };
    let mut g = c.benchmark_group("recommend");
    g.sample_size(10)
        .measurement_time(Duration::from_secs(15))
        .warm_up_time(Duration::from_secs(2));
    g.bench_function("all_types_x_101_shares", |b| {
        b.iter(|| {
            let answers: Vec<_> = types
                .par_iter()
                .flat_map_iter(|t| recommend::answer(&[t], &q, &prices))
                .collect();
            assert_eq!(answers.len(), 1401 * 101);
            black_box(answers)
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
