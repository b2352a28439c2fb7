//! Benchmarks of the static replay (issue: the simulator's core).
//!
//! 1. one random-order trial on one node (m5.xlarge, the seed's fill);
//! 2. one 100-node autoscaling trial (m5.xlarge, a hundred nodes' worth);
//!    the same with CPU and memory requests in three workload groups;
//! 3. the sweep: every trunk-compatible type x 4 formulas x 1000 random trials.
//!
//! Fixed seeds throughout. Results go to results/BENCHMARKS.md.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use sgpsim::input::catalog::Catalog;
use sgpsim::input::scenario::{Scenario, check_room};
use sgpsim::model::cell::Cell;
use sgpsim::model::formula::Formula;
use sgpsim::model::node::{NodeSettings, NodeSpec, Resources, SystemPods, branch_capacity, ip_capacity};
use sgpsim::model::order::Order;
use sgpsim::model::placement::Policy;
use sgpsim::model::replay::{Cluster, Nodes, Replayer};
use sgpsim::model::workload::{Counts, Workload};
use sgpsim::runner::sweep;

const SEED: u64 = 20250910;
const SYSTEM: SystemPods = SystemPods { host: 3, ip: 0 };

fn cell(catalog: &Catalog, ty: &str, formula: &Formula, nodes: Nodes, fill_nodes: u32, trials: u32) -> Option<Cell> {
    let t = catalog.get(ty)?;
    let s = NodeSettings::default();
    let m = formula.max_pods(t, &s, SYSTEM).ok()?;
    let spec = NodeSpec {
        max_pods: m.value,
        ip_capacity: ip_capacity(t, &s),
        branch_capacity: branch_capacity(t, &s),
        system: SYSTEM,
        res: Resources::NONE,
    };
    check_room(t, formula, &spec).ok()?;
    let counts: Counts = Workload::SeedFill { nodes: fill_nodes }.counts(t.branch_enis, &spec);
    Some(Cell {
        instance_type: ty.to_string(),
        formula: formula.name(),
        order: Order::Random,
        policy: Policy::MostAllocated,
        settings: s,
        counts,
        mix: sgpsim::model::workload::Mix::of_kinds(counts),
        cluster: Cluster {
            node: spec,
            nodes,
            policy: Policy::MostAllocated,
        },
        trials,
        note: None,
    })
}

fn single_trials(c: &mut Criterion) {
    let catalog = Catalog::bundled();
    let mut g = c.benchmark_group("trial");
    let one = cell(&catalog, "m5.xlarge", &Formula::AwsDefault, Nodes::Fixed(1), 1, 1).unwrap();
    g.throughput(Throughput::Elements(u64::from(one.counts.total())));
    let mut r = Replayer::new();
    let mut buf = Vec::new();
    let mut k = 0u32;
    g.bench_function("one_node_m5.xlarge_random", |b| {
        b.iter(|| {
            k = k.wrapping_add(1);
            black_box(one.run_trial(SEED, k, &mut r, &mut buf))
        })
    });
    let auto = cell(
        &catalog,
        "m5.xlarge",
        &Formula::AwsDefault,
        Nodes::Autoscale { initial: 0, max: 100 },
        100,
        1,
    )
    .unwrap();
    g.throughput(Throughput::Elements(u64::from(auto.counts.total())));
    g.bench_function("autoscale_100_nodes_m5.xlarge_random", |b| {
        b.iter(|| {
            k = k.wrapping_add(1);
            black_box(auto.run_trial(SEED, k, &mut r, &mut buf))
        })
    });
    // The same pods in three groups with CPU and memory requests: the
    // class path (groups drawn from their own stream, requests per class).
    let groups = Scenario::from_toml(
        &format!(
            "instance_types = [\"m5.xlarge\"]\nformulas = [\"aws-default\"]\norders = [\"random\"]\n\
             system_pods = {{ host = 3 }}\n[nodes]\nautoscale = true\ninitial = 0\nmax = 100\n\
             [[workload.groups]]\nkind = \"sg\"\npods = {sg}\nrequests = {{ cpu = \"20m\", memory = \"64Mi\" }}\n\
             [[workload.groups]]\nkind = \"ip\"\npods = {light}\nrequests = {{ cpu = \"10m\", memory = \"32Mi\" }}\n\
             [[workload.groups]]\nkind = \"ip\"\npods = {heavy}\nrequests = {{ cpu = \"100m\", memory = \"256Mi\" }}\n",
            sg = auto.counts.sg,
            light = auto.counts.ip - auto.counts.ip / 4,
            heavy = auto.counts.ip / 4,
        ),
        "bench",
        &catalog,
    )
    .expect("the bench's scenario is valid");
    let grouped = groups.cells().expect("its cells are valid").remove(0);
    g.throughput(Throughput::Elements(u64::from(grouped.counts.total())));
    g.bench_function("autoscale_100_nodes_m5.xlarge_random_3_groups_requests", |b| {
        b.iter(|| {
            k = k.wrapping_add(1);
            black_box(grouped.run_trial(SEED, k, &mut r, &mut buf))
        })
    });
    g.finish();
}

fn sweep_all_trunk_types(c: &mut Criterion) {
    let catalog = Catalog::bundled();
    let formulas =
        ["aws-default", "conservative", "aggressive", "karpenter-reserved-enis:1"].map(|f| Formula::parse(f).unwrap());
    let cells: Vec<Cell> = catalog
        .iter()
        .filter(|t| t.trunk_compatible)
        .flat_map(|t| {
            formulas
                .iter()
                .filter_map(|f| cell(&catalog, &t.name, f, Nodes::Fixed(1), 1, 1000))
        })
        .collect();
    let pods: u64 = cells
        .iter()
        .map(|c| u64::from(c.counts.total()) * u64::from(c.trials))
        .sum();
    eprintln!(
        "sweep: {} cells, {} trials, {} pods placed per run",
        cells.len(),
        cells.len() * 1000,
        pods
    );
    let mut g = c.benchmark_group("sweep");
    g.sample_size(10)
        .measurement_time(Duration::from_secs(60))
        .warm_up_time(Duration::from_secs(1));
    g.throughput(Throughput::Elements(pods));
    g.bench_function("trunk_types_x4_formulas_x1000_trials", |b| {
        b.iter(|| black_box(sweep::run(&cells, SEED, false)))
    });
    g.finish();
}

criterion_group!(benches, single_trials, sweep_all_trunk_types);
criterion_main!(benches);
