//! CSV exporters: the summary (one row per cell) and per-trial rows.

use super::{Row, num};
use crate::model::cell::Cell;
use crate::model::replay::Outcome;
use crate::model::summary::TrialRecord;

/// The summary columns every consumer may rely on, in this order; more follow.
pub const SUMMARY_COLUMNS: [&str; 26] = [
    "instance_type",
    "formula",
    "order",
    "policy",
    "trials",
    "seed",
    "system_pods",
    "system_ip_pods",
    "sg_pods",
    "ip_pods",
    "max_pods",
    "ip_capacity",
    "branch_capacity",
    "running_mean",
    "ip_failed_mean",
    "pending_mean",
    "failure_rate_mean",
    "failure_rate_p50",
    "failure_rate_p95",
    "failure_rate_max",
    "trials_with_failure",
    "wasted_ips_mean",
    "wasted_ips_max",
    "stranded_slots_mean",
    "first_ip_failure_min",
    "nodes_mean",
];

/// The columns after the required ones.
pub const EXTRA_COLUMNS: [&str; 26] = [
    "host_pods",
    "failure_rate_ci95_low",
    "failure_rate_ci95_high",
    "running_sg_mean",
    "running_ip_mean",
    "running_host_mean",
    "pending_sg_mean",
    "pending_ip_mean",
    "pending_host_mean",
    "sgp",
    "prefix_delegation",
    "nodes",
    "note",
    "method",
    "failure_probability",
    "failure_probability_ci95_low",
    "failure_probability_ci95_high",
    "exact_failure_probability",
    "exact_failure_rate_mean",
    "exact_failure_rate_p50",
    "exact_failure_rate_p95",
    "exact_failure_rate_max",
    "exact_wasted_ips_mean",
    "exact_stranded_slots_mean",
    "exact_pending_mean",
    "exact_first_ip_failure_min",
];

fn opt<T: ToString>(x: Option<T>) -> String {
    x.map(|v| v.to_string()).unwrap_or_default()
}

/// A CSV writer into memory, `\n`-terminated: every CSV the project writes.
pub(crate) fn writer() -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new())
}

/// The bytes of a [`writer`].
pub(crate) fn finish(w: csv::Writer<Vec<u8>>) -> Vec<u8> {
    w.into_inner().expect("writing to memory cannot fail")
}

/// The [`SUMMARY_COLUMNS`] of one row, formatted: the part of the summary
/// every consumer (static or timed) shares.
pub fn required_fields(r: &Row) -> Vec<String> {
    vec![
        r.instance_type.clone(),
        r.formula.clone(),
        r.order.clone(),
        r.policy.clone(),
        r.trials.to_string(),
        r.seed.to_string(),
        r.system_pods.to_string(),
        r.system_ip_pods.to_string(),
        r.sg_pods.to_string(),
        r.ip_pods.to_string(),
        r.max_pods.to_string(),
        r.ip_capacity.to_string(),
        r.branch_capacity.to_string(),
        num(r.running_mean),
        num(r.ip_failed_mean),
        num(r.pending_mean),
        num(r.failure_rate_mean),
        num(r.failure_rate_p50),
        num(r.failure_rate_p95),
        num(r.failure_rate_max),
        r.trials_with_failure.to_string(),
        num(r.wasted_ips_mean),
        r.wasted_ips_max.to_string(),
        num(r.stranded_slots_mean),
        opt(r.first_ip_failure_min),
        num(r.nodes_mean),
    ]
}

/// Every column of one row of `summary.csv` ([`SUMMARY_COLUMNS`] then
/// [`EXTRA_COLUMNS`]), formatted: the part every summary, static or timed,
/// writes.
pub fn summary_fields(r: &Row) -> Vec<String> {
    let mut rec = required_fields(r);
    rec.extend([
        r.host_pods.to_string(),
        opt(r.failure_rate_ci95_low.map(num)),
        opt(r.failure_rate_ci95_high.map(num)),
        num(r.running_sg_mean),
        num(r.running_ip_mean),
        num(r.running_host_mean),
        num(r.pending_sg_mean),
        num(r.pending_ip_mean),
        num(r.pending_host_mean),
        r.sgp.to_string(),
        r.prefix_delegation.to_string(),
        r.nodes.clone(),
        r.note.clone(),
        r.method.clone(),
        num(r.failure_probability),
        opt(r.failure_probability_ci95_low.map(num)),
        opt(r.failure_probability_ci95_high.map(num)),
        opt(r.exact_failure_probability.map(num)),
        opt(r.exact_failure_rate_mean.map(num)),
        opt(r.exact_failure_rate_p50.map(num)),
        opt(r.exact_failure_rate_p95.map(num)),
        opt(r.exact_failure_rate_max.map(num)),
        opt(r.exact_wasted_ips_mean.map(num)),
        opt(r.exact_stranded_slots_mean.map(num)),
        opt(r.exact_pending_mean.map(num)),
        opt(r.exact_first_ip_failure_min),
    ]);
    debug_assert_eq!(rec.len(), SUMMARY_COLUMNS.len() + EXTRA_COLUMNS.len());
    rec
}

/// The header of `summary.csv`.
pub fn summary_header() -> Vec<&'static str> {
    SUMMARY_COLUMNS.iter().chain(EXTRA_COLUMNS.iter()).copied().collect()
}

/// `summary.csv`.
pub fn summary(rows: &[Row]) -> Vec<u8> {
    let mut w = writer();
    w.write_record(summary_header()).expect("memory");
    for r in rows {
        w.write_record(summary_fields(r)).expect("memory");
    }
    finish(w)
}

/// The leading columns of every `trials.csv` (static and timed): the cell,
/// the trial and the fate of the pods by kind.
pub const TRIAL_COLUMNS: [&str; 13] = [
    "instance_type",
    "formula",
    "order",
    "policy",
    "seed",
    "trial",
    "running_sg",
    "running_ip",
    "running_host",
    "ip_failed",
    "pending_sg",
    "pending_ip",
    "pending_host",
];

/// The [`TRIAL_COLUMNS`] of one trial, formatted.
pub fn trial_fields(c: &Cell, seed: u64, trial: u32, o: &Outcome) -> Vec<String> {
    vec![
        c.instance_type.clone(),
        c.formula.clone(),
        c.order.to_string(),
        c.policy.to_string(),
        seed.to_string(),
        trial.to_string(),
        o.running[0].to_string(),
        o.running[1].to_string(),
        o.running[2].to_string(),
        o.ip_failed.to_string(),
        o.pending[0].to_string(),
        o.pending[1].to_string(),
        o.pending[2].to_string(),
    ]
}

/// `trials.csv`: one row per trial.
pub fn trials(cells: &[Cell], records: &[TrialRecord], seed: u64) -> Vec<u8> {
    let mut w = writer();
    let header: Vec<&str> = TRIAL_COLUMNS
        .iter()
        .copied()
        .chain([
            "failure_rate",
            "wasted_ips",
            "stranded_slots",
            "first_ip_failure",
            "nodes",
        ])
        .collect();
    w.write_record(&header).expect("memory");
    for t in records {
        let o = &t.outcome;
        let mut rec = trial_fields(&cells[t.cell], seed, t.trial, o);
        rec.extend([
            num(o.failure_rate()),
            o.wasted_ips.to_string(),
            o.stranded_slots.to_string(),
            opt(o.first_ip_failure),
            o.nodes.to_string(),
        ]);
        w.write_record(&rec).expect("memory");
    }
    finish(w)
}

/// Any header and rows (catalog, formulas, the chart data files).
pub fn plain<R: AsRef<[String]>>(header: &[&str], rows: impl IntoIterator<Item = R>) -> Vec<u8> {
    let mut w = writer();
    w.write_record(header).expect("memory");
    for r in rows {
        w.write_record(r.as_ref()).expect("memory");
    }
    finish(w)
}
