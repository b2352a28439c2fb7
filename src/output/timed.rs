//! Timed output adapters: `summary.csv` (the static summary's columns, then
//! the timed ones), `timeline.csv` and `trials.csv`. Bytes only: the
//! caller owns the paths.

use crate::model::workload::Kind;
use crate::output::csv::{TRIAL_COLUMNS, finish, summary_fields, summary_header, trial_fields, writer};
use crate::output::records::{TimelineSample, timeline_csv};
use crate::output::{Row, num};
use crate::timed::cell::TimedCell;
use crate::timed::settings::{Arrivals, Timed};
use crate::timed::summary::TimedResult;

/// The columns of a timed run's `summary.csv` after the static summary's
/// (the same [`crate::output::csv::SUMMARY_COLUMNS`] and `EXTRA_COLUMNS`, so one reader reads
/// both): the timed measures of MODEL.md §9.
pub const TIMED_COLUMNS: [&str; 24] = [
    "nodepool",
    "arrivals",
    "horizon_s",
    "starting_mean",
    "completed_mean",
    "not_arrived_mean",
    "arrivals_mean",
    "ttr_sg_p50_s",
    "ttr_sg_p95_s",
    "ttr_sg_max_s",
    "ttr_ip_p50_s",
    "ttr_ip_p95_s",
    "ttr_ip_max_s",
    "ttr_host_p50_s",
    "ttr_host_p95_s",
    "ttr_host_max_s",
    "ip_failed_pod_seconds_mean",
    "nodes_launched_mean",
    "node_hours_mean",
    "cost_mean",
    "ip_hours_wasted_mean",
    "node_subnet_peak",
    "eniconfig_subnet_peak",
    "subnet_waited_mean",
];

fn opt(x: Option<f64>) -> String {
    x.map(num).unwrap_or_default()
}

/// How the scenario's arrivals read in the summary.
pub fn arrivals_label(a: &Arrivals) -> String {
    match a {
        Arrivals::AtOnce => "at-once".into(),
        Arrivals::Rate(r) => format!("rate:{}", num(*r)),
        Arrivals::Poisson(r) => format!("poisson:{}", num(*r)),
        Arrivals::Waves { step, every } => format!("waves:{step}/{every}s"),
        Arrivals::Trace { file } => format!("trace:{file}"),
    }
}

/// `summary.csv` of a timed run.
pub fn summary(cells: &[TimedCell], result: &TimedResult, timed: &Timed) -> Vec<u8> {
    let mut w = writer();
    let header: Vec<&str> = summary_header().into_iter().chain(TIMED_COLUMNS).collect();
    w.write_record(&header).expect("memory");
    for (tc, cr) in cells.iter().zip(&result.cells) {
        let r = Row::new(&tc.cell, &cr.summary, result.seed);
        let t = &cr.timed;
        let mut rec = summary_fields(&r);
        rec.push(nodepool_label(tc));
        rec.push(arrivals_label(&timed.arrivals));
        rec.push(num(t.end_max.as_secs_f64()));
        rec.push(num(t.starting_mean));
        rec.push(num(t.completed_mean));
        rec.push(num(t.not_arrived_mean));
        rec.push(num(t.arrivals_mean));
        for k in Kind::ALL {
            let i = k.index();
            rec.push(opt(t.ttr_p50_mean[i]));
            rec.push(opt(t.ttr_p95_mean[i]));
            rec.push(opt(t.ttr_max[i]));
        }
        rec.push(num(t.ip_failed_pod_seconds_mean));
        rec.push(num(t.nodes_launched_mean));
        rec.push(num(t.node_hours_mean));
        rec.push(opt(t.cost_mean));
        rec.push(num(t.ip_hours_wasted_mean));
        rec.push(t.subnet_peak_max[0].to_string());
        rec.push(t.subnet_peak_max[1].to_string());
        rec.push(num(t.subnet_waited_mean));
        debug_assert_eq!(rec.len(), header.len());
        w.write_record(&rec).expect("memory");
    }
    finish(w)
}

/// `timeline.csv`: the chosen trial of every cell, one row per sample.
pub fn timeline(cells: &[TimedCell], result: &TimedResult, timed: &Timed) -> Vec<u8> {
    timeline_csv(&timeline_samples(cells, result, timed))
}

/// The rows of `timeline.csv`.
pub fn timeline_samples(cells: &[TimedCell], result: &TimedResult, timed: &Timed) -> Vec<TimelineSample> {
    let mut out = Vec::new();
    for (tc, cr) in cells.iter().zip(&result.cells) {
        let c = &tc.cell;
        for s in &cr.timeline {
            out.push(TimelineSample {
                instance_type: c.instance_type.clone(),
                formula: c.formula.clone(),
                order: c.order.to_string(),
                policy: c.policy.to_string(),
                trial: u64::from(timed.timeline_trial),
                time_s: s.t.as_secs_f64(),
                running: f64::from(s.running),
                pending: f64::from(s.pending),
                starting: f64::from(s.starting),
                waiting_ip: f64::from(s.waiting_ip),
                ip_failed: f64::from(s.ip_failed),
                completed: s.completed as f64,
                nodes_launching: f64::from(s.nodes_launching),
                nodes_ready: f64::from(s.nodes_ready),
            });
        }
    }
    out
}

/// `trials.csv` of a timed run: one row per trial.
pub fn trials(cells: &[TimedCell], result: &TimedResult) -> Vec<u8> {
    let mut w = writer();
    let header: Vec<&str> = TRIAL_COLUMNS
        .iter()
        .copied()
        .chain([
            "starting",
            "completed",
            "wasted_ips",
            "stranded_slots",
            "first_ip_failure",
            "nodes",
            "nodes_launched",
            "ttr_sg_p95_s",
            "ttr_ip_p95_s",
            "ip_failed_pod_seconds",
            "node_hours",
            "node_subnet_peak",
            "eniconfig_subnet_peak",
            "subnet_waited",
            "events",
        ])
        .collect();
    w.write_record(&header).expect("memory");
    for tr in &result.trials {
        let c = &cells[tr.cell].cell;
        let t = &tr.outcome;
        let o = &t.outcome;
        let mut rec = trial_fields(c, result.seed, tr.trial, o);
        rec.extend([
            t.starting.iter().sum::<u32>().to_string(),
            t.completed.iter().sum::<u64>().to_string(),
            o.wasted_ips.to_string(),
            o.stranded_slots.to_string(),
            o.first_ip_failure.map(|v| v.to_string()).unwrap_or_default(),
            o.nodes.to_string(),
            t.nodes_launched.to_string(),
            t.latency[0].p95.map(|v| v.to_string()).unwrap_or_default(),
            t.latency[1].p95.map(|v| v.to_string()).unwrap_or_default(),
            t.ip_failed_time.to_string(),
            num(t.node_time.as_secs_f64() / 3600.0),
            t.subnet_peak[0].to_string(),
            t.subnet_peak[1].to_string(),
            t.subnet_waited.to_string(),
            t.events.to_string(),
        ]);
        w.write_record(&rec).expect("memory");
    }
    finish(w)
}

/// A short text table for the terminal.
pub fn table(cells: &[TimedCell], result: &TimedResult) -> String {
    let mut s = format!(
        "{:<14} {:<26} {:<12} {:<16} {:>9} {:>9} {:>8} {:>8} {:>9} {:>9} {:>8} {:>9} {:>11} {:>9}\n",
        "type",
        "formula",
        "order",
        "policy",
        "running",
        "ip-failed",
        "pending",
        "nodes",
        "sg p95 s",
        "ip p95 s",
        "ipf pod-s",
        "node-h",
        "subnet peak",
        "subnet wait"
    );
    for (tc, cr) in cells.iter().zip(&result.cells) {
        let c = &tc.cell;
        let (sm, t) = (&cr.summary, &cr.timed);
        s.push_str(&format!(
            "{:<14} {:<26} {:<12} {:<16} {:>9} {:>9} {:>8} {:>8} {:>9} {:>9} {:>8} {:>9} {:>11} {:>9}\n",
            c.instance_type,
            c.formula,
            c.order.to_string(),
            c.policy.to_string(),
            num(sm.running_total()),
            num(sm.ip_failed_mean),
            num(sm.pending_total()),
            num(sm.nodes_mean),
            t.ttr_p95_mean[0].map(|v| format!("{v:.1}")).unwrap_or_default(),
            t.ttr_p95_mean[1].map(|v| format!("{v:.1}")).unwrap_or_default(),
            format!("{:.0}", t.ip_failed_pod_seconds_mean),
            format!("{:.2}", t.node_hours_mean),
            // Node subnet, and the ENIConfig's after it with custom networking.
            if tc.world.custom_networking {
                format!("{}/{}", t.subnet_peak_max[0], t.subnet_peak_max[1])
            } else {
                t.subnet_peak_max[0].to_string()
            },
            num(t.subnet_waited_mean),
        ));
    }
    s
}

/// The NodePool as the summary shows it: `type` or `type@price|...`.
pub fn nodepool_label(tc: &TimedCell) -> String {
    tc.world
        .pool
        .iter()
        .map(|&t| {
            let ty = &tc.world.types[t as usize];
            match ty.price {
                Some(p) => format!("{}@{}", ty.name, num(p)),
                None => ty.name.clone(),
            }
        })
        .collect::<Vec<_>>()
        .join("|")
}
