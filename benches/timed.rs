//! Benchmarks of the timed engine (issue 3).
//!
//! 1. `churn_1h_1000_nodes`: an hour of churn on 1,000 fixed m5.xlarge nodes,
//!    10,000 replicas replaced as they end (about 50,000 arrivals);
//! 2. `rollout_500k_pods`: 500,000 pods rolled out at 1,000 per second onto
//!    an empty cluster that Karpenter grows to about 9,100 m5.xlarge nodes
//!    (limit 10,000).
//!
//! One trial each, fixed seeds, one core (the engine is single-threaded).
//! Results go to results/bench-timed.md.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use sgpsim::input::catalog::Catalog;
use sgpsim::input::scenario::Scenario;
use sgpsim::input::scenario::timed_cells as cells;
use sgpsim::timed::cell::{TimedCell, run_trial};
use sgpsim::timed::settings::Timed;
use sgpsim::timed::sim::Sim;

pub const CHURN: &str = r#"
    seed = 20250910
    instance_types = ["m5.xlarge"]
    formulas = ["aws-default"]
    orders = ["random"]
    system_pods = { host = 3 }
    workload = { sg_pods = 3000, ip_pods = 6000, host_pods = 1000 }
    nodes = { count = 1000 }
    [timed]
    horizon = 3600
    arrivals = { process = "rate", rate = 100 }
    lifetime = { dist = "exponential", mean = 900 }
    replace = true
"#;

pub const ROLLOUT: &str = r#"
    seed = 20250910
    instance_types = ["m5.xlarge"]
    formulas = ["aws-default"]
    orders = ["random"]
    system_pods = { host = 3 }
    workload = { sg_pods = 100000, ip_pods = 350000, host_pods = 50000 }
    nodes = { autoscale = true, initial = 0, max = 10000 }
    [timed]
    arrivals = { process = "rate", rate = 1000 }
"#;

/// Splits a scenario's `[timed]` table off and validates both parts.
pub fn load(text: &str) -> (Scenario, Timed) {
    let mut raw: toml::Table = toml::from_str(text).expect("bench scenario is TOML");
    let timed = raw.remove("timed").expect("a [timed] table");
    let catalog = Catalog::bundled();
    let sc = Scenario::from_toml(&toml::to_string(&raw).unwrap(), "bench", &catalog).expect("valid");
    let timed =
        sgpsim::input::timed::validate(timed.try_into().expect("[timed] shape"), &catalog).expect("valid [timed]");
    (sc, timed)
}

fn one(c: &mut Criterion, name: &str, text: &str, samples: usize) {
    let (sc, timed) = load(text);
    let cells: Vec<TimedCell> = cells(&sc, &timed, None).expect("cells");
    let mut sim = Sim::new();
    let probe = run_trial(&cells[0], &timed, sc.seed, 0, None, &mut sim, false);
    eprintln!(
        "{name}: {} events, {} arrivals, {} nodes launched, running {:?}, ip-failed {}, end {} s",
        probe.events, probe.arrivals, probe.nodes_launched, probe.outcome.running, probe.outcome.ip_failed, probe.end
    );
    let mut g = c.benchmark_group("timed");
    g.sample_size(samples).measurement_time(Duration::from_secs(20));
    g.bench_function(name, |b| {
        b.iter(|| black_box(run_trial(&cells[0], &timed, sc.seed, 0, None, &mut sim, false).events))
    });
    g.finish();
}

fn benches(c: &mut Criterion) {
    one(c, "churn_1h_1000_nodes", CHURN, 10);
    one(c, "rollout_500k_pods", ROLLOUT, 10);
}

criterion_group!(timed, benches);
criterion_main!(timed);
