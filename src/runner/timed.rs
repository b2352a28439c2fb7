//! The timed runner: cells × trials in parallel, merged in (cell, trial)
//! order with exact integer sums, so 1 thread and N threads give the same
//! bytes. Rayon is used here and nowhere else in `timed`.

use rayon::prelude::*;

use crate::error::InputError;
use crate::input::scenario::Scenario;
use crate::model::node::{ips_per_slot, trunk};
use crate::model::rng::trial_rng;
use crate::model::workload::Kind;
use crate::runner::sweep::{Cell, Summary, Totals};
use crate::timed::arrivals::{self, Trace};
use crate::timed::settings::{Arrivals, Timed};
use crate::timed::sim::{NodeType, Sample, Sim, TrialOutcome, World};
use crate::timed::time::Time;

/// A static cell with the cluster the timed engine needs.
#[derive(Debug, Clone, PartialEq)]
pub struct TimedCell {
    pub cell: Cell,
    pub world: World,
    pub trials: u32,
}

impl TimedCell {
    /// The NodePool as the summary shows it: `type` or `type@price|...`.
    pub fn nodepool_label(&self) -> String {
        self.world
            .pool
            .iter()
            .map(|&t| {
                let ty = &self.world.types[t as usize];
                match ty.price {
                    Some(p) => format!("{}@{}", ty.name, crate::output::num(p)),
                    None => ty.name.clone(),
                }
            })
            .collect::<Vec<_>>()
            .join("|")
    }
}

/// Expands a timed scenario into cells: the static cells, each with its node
/// types under the cell's formula (the cell's type first, then the NodePool's).
pub fn cells(sc: &Scenario, timed: &Timed, trace: Option<&Trace>) -> Result<Vec<TimedCell>, InputError> {
    if trace.is_some() && sc.orders.len() > 1 {
        return Err(InputError::field(
            "orders",
            "a trace fixes the order of the pods, so several orders would repeat the same runs",
            "keep one order, e.g. `orders = [\"sg-first\"]`",
        ));
    }
    let mut out = Vec::new();
    for mut cell in sc.cells()? {
        let t = sc
            .types
            .iter()
            .find(|t| t.name == cell.instance_type)
            .expect("cells come from the scenario's types");
        let f = sc
            .formulas
            .iter()
            .find(|f| f.name() == cell.formula)
            .expect("cells come from the scenario's formulas");
        let make = |it: &crate::input::catalog::InstanceType, price: Option<f64>| -> Result<NodeType, InputError> {
            let (spec, _) = sc.node_spec(it, f)?;
            Ok(NodeType {
                name: it.name.clone(),
                spec,
                enis: it.max_enis.saturating_sub(trunk(it, &sc.settings)),
                ips_per_eni: it.ipv4_per_eni.saturating_sub(1) * ips_per_slot(&sc.settings),
                price,
            })
        };
        let pool_price = |name: &str| {
            timed
                .karpenter
                .nodepool
                .iter()
                .find(|e| e.instance_type.name == name)
                .and_then(|e| e.price)
        };
        let mut types = vec![make(t, pool_price(&t.name))?];
        let mut pool = Vec::new();
        if timed.karpenter.nodepool.is_empty() {
            pool.push(0);
        }
        for (i, e) in timed.karpenter.nodepool.iter().enumerate() {
            if e.instance_type.name == t.name {
                pool.push(0);
            } else {
                types.push(
                    make(&e.instance_type, e.price)
                        .map_err(|err| err.under(&format!("timed.karpenter.nodepool[{i}]")))?,
                );
                pool.push((types.len() - 1) as u16);
            }
        }
        if let Some(tr) = trace {
            cell.counts = tr.counts();
        }
        let random = cell.order.is_random() && trace.is_none();
        let trials = if random || timed.is_stochastic() {
            timed.trials.unwrap_or(sc.trials)
        } else {
            1
        };
        cell.trials = trials;
        out.push(TimedCell {
            world: World {
                types,
                initial_type: 0,
                pool,
                nodes: cell.cluster.nodes,
                policy: cell.policy,
            },
            cell,
            trials,
        });
    }
    Ok(out)
}

/// Buffers one thread reuses from trial to trial.
#[derive(Default)]
struct Bufs {
    kinds: Vec<Kind>,
    times: Vec<Time>,
    lifetimes: Vec<Option<Time>>,
}

/// Runs trial `trial` of one cell. Its stream is the static replay's
/// (`trial_rng(seed, cell.stream_key(), trial)`): the order is drawn first,
/// exactly as the static sweep draws it, then the times, then the delays.
pub fn run_trial<'a>(
    tc: &'a TimedCell,
    timed: &'a Timed,
    seed: u64,
    trial: u32,
    trace: Option<&Trace>,
    sim: &mut Sim<'a>,
    record_timeline: bool,
) -> TrialOutcome {
    let mut b = Bufs::default();
    run_trial_with(tc, timed, seed, trial, trace, sim, &mut b, record_timeline)
}

#[allow(clippy::too_many_arguments)]
fn run_trial_with<'a>(
    tc: &'a TimedCell,
    timed: &'a Timed,
    seed: u64,
    trial: u32,
    trace: Option<&Trace>,
    sim: &mut Sim<'a>,
    b: &mut Bufs,
    record_timeline: bool,
) -> TrialOutcome {
    let mut rng = trial_rng(seed, tc.cell.stream_key(), u64::from(trial));
    let lifetimes = match (trace, &timed.arrivals) {
        (Some(tr), Arrivals::Trace { .. }) => {
            b.kinds.clear();
            b.kinds.extend(tr.rows.iter().map(|r| r.kind));
            b.times.clear();
            b.times.extend(tr.rows.iter().map(|r| r.time));
            b.lifetimes.clear();
            b.lifetimes.extend(tr.rows.iter().map(|r| r.lifetime));
            Some(&b.lifetimes[..])
        }
        _ => {
            arrivals::arrange(tc.cell.order, tc.cell.counts, &mut rng, &mut b.kinds);
            arrivals::times(&timed.arrivals, b.kinds.len(), &mut rng, &mut b.times);
            None
        }
    };
    sim.run(&tc.world, timed, &b.kinds, &b.times, lifetimes, rng, record_timeline)
}

/// What a cell's trials add up to: the static summary (same definitions as
/// the static sweep) and the timed measures.
#[derive(Debug, Clone, PartialEq)]
pub struct CellResult {
    pub summary: Summary,
    pub timed: TimedSummary,
    /// The timeline of the scenario's chosen trial (empty if the cell has fewer trials).
    pub timeline: Vec<Sample>,
}

/// Timed measures, as means over the trials unless named otherwise.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TimedSummary {
    pub starting_mean: f64,
    pub completed_mean: f64,
    pub not_arrived_mean: f64,
    pub arrivals_mean: f64,
    /// Per kind: mean over trials of the trial's p50 and p95 time to
    /// running (trials where some pod of the kind ran), and the largest max.
    pub ttr_p50_mean: [Option<f64>; 3],
    pub ttr_p95_mean: [Option<f64>; 3],
    pub ttr_max: [Option<f64>; 3],
    pub ip_failed_pod_seconds_mean: f64,
    pub nodes_launched_mean: f64,
    pub node_hours_mean: f64,
    pub cost_mean: Option<f64>,
    pub ip_hours_wasted_mean: f64,
    pub events_mean: f64,
    pub end_max: Time,
}

/// One trial's outcome, for `trials.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct TrialRecord {
    pub cell: usize,
    pub trial: u32,
    pub outcome: TrialOutcome,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TimedResult {
    pub seed: u64,
    pub cells: Vec<CellResult>,
    /// Every trial's outcome (timelines removed), in (cell, trial) order; empty unless asked for.
    pub trials: Vec<TrialRecord>,
}

/// Exact running totals over a cell's trials: the static summary's, then the timed ones.
#[derive(Default)]
struct Acc {
    base: Totals,
    starting: u64,
    completed: u64,
    not_arrived: u64,
    arrivals: u64,
    ttr_p50: [(u64, u128); 3],
    ttr_p95: [(u64, u128); 3],
    ttr_max: [Option<Time>; 3],
    ip_failed_us: u128,
    launched: u64,
    node_us: u128,
    cost: Option<f64>,
    costed: bool,
    wasted_ip_us: u128,
    events: u64,
    end_max: Time,
}

impl Acc {
    fn add(&mut self, t: &TrialOutcome) {
        self.base.add(&t.outcome);
        for k in 0..3 {
            self.starting += u64::from(t.starting[k]);
            self.completed += t.completed[k];
            let l = &t.latency[k];
            if let (Some(p50), Some(p95)) = (l.p50, l.p95) {
                self.ttr_p50[k].0 += 1;
                self.ttr_p50[k].1 += u128::from(p50.0);
                self.ttr_p95[k].0 += 1;
                self.ttr_p95[k].1 += u128::from(p95.0);
            }
            self.ttr_max[k] = self.ttr_max[k].max(l.max);
        }
        self.not_arrived += u64::from(t.not_arrived);
        self.arrivals += t.arrivals;
        self.ip_failed_us += u128::from(t.ip_failed_time.0);
        self.launched += u64::from(t.nodes_launched);
        self.node_us += u128::from(t.node_time.0);
        // Trials are added in trial order: the float sum is the same on any thread count.
        self.cost = match (self.costed, self.cost, t.cost) {
            (false, _, c) => c,
            (true, Some(a), Some(c)) => Some(a + c),
            _ => None,
        };
        self.costed = true;
        self.wasted_ip_us += t.wasted_ip_us;
        self.events += t.events;
        self.end_max = self.end_max.max(t.end);
    }

    fn finish(self, workload: u32) -> (Summary, TimedSummary) {
        let n = self.base.n.max(1) as f64;
        let summary = self.base.summarize(workload);
        let secs = |(k, sum): (u64, u128)| (k > 0).then(|| sum as f64 / k as f64 / 1e6);
        let timed = TimedSummary {
            starting_mean: self.starting as f64 / n,
            completed_mean: self.completed as f64 / n,
            not_arrived_mean: self.not_arrived as f64 / n,
            arrivals_mean: self.arrivals as f64 / n,
            ttr_p50_mean: self.ttr_p50.map(secs),
            ttr_p95_mean: self.ttr_p95.map(secs),
            ttr_max: self.ttr_max.map(|m| m.map(Time::as_secs_f64)),
            ip_failed_pod_seconds_mean: self.ip_failed_us as f64 / 1e6 / n,
            nodes_launched_mean: self.launched as f64 / n,
            node_hours_mean: self.node_us as f64 / 3.6e9 / n,
            cost_mean: self.cost.map(|c| c / n),
            ip_hours_wasted_mean: self.wasted_ip_us as f64 / 3.6e9 / n,
            events_mean: self.events as f64 / n,
            end_max: self.end_max,
        };
        (summary, timed)
    }
}

/// Runs every trial of every cell on the current rayon pool.
pub fn run(cells: &[TimedCell], timed: &Timed, seed: u64, trace: Option<&Trace>, keep_trials: bool) -> TimedResult {
    let items: Vec<(usize, u32)> = cells
        .iter()
        .enumerate()
        .flat_map(|(c, tc)| (0..tc.trials).map(move |t| (c, t)))
        .collect();
    let outcomes: Vec<TrialOutcome> = items
        .par_iter()
        .map_init(
            || (Sim::new(), Bufs::default()),
            |(sim, bufs), &(c, trial)| {
                let record = trial == timed.timeline_trial;
                run_trial_with(&cells[c], timed, seed, trial, trace, sim, bufs, record)
            },
        )
        .collect();
    let mut accs: Vec<Acc> = cells.iter().map(|_| Acc::default()).collect();
    let mut timelines: Vec<Vec<Sample>> = vec![Vec::new(); cells.len()];
    let mut trials = Vec::new();
    for (&(c, trial), mut o) in items.iter().zip(outcomes) {
        accs[c].add(&o);
        if trial == timed.timeline_trial {
            timelines[c] = std::mem::take(&mut o.timeline);
        }
        if keep_trials {
            o.timeline = Vec::new();
            trials.push(TrialRecord {
                cell: c,
                trial,
                outcome: o,
            });
        }
    }
    let cells_out = accs
        .into_iter()
        .zip(cells)
        .zip(timelines)
        .map(|((acc, tc), timeline)| {
            let (summary, timed) = acc.finish(tc.cell.counts.total());
            CellResult {
                summary,
                timed,
                timeline,
            }
        })
        .collect();
    TimedResult {
        seed,
        cells: cells_out,
        trials,
    }
}
