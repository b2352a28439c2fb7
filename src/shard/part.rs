//! A part's file, `part.json`: what was run (the scenario's bytes, its
//! seed and overrides, the catalog's and sgpsim's identity, which part of
//! how many) and each slice's exact partial totals. Integers stay integers
//! (128-bit sums as decimal strings), floats travel as their IEEE bits, the
//! percentiles as a histogram: nothing is rounded, so the merge adds up to
//! one run's figures to the last bit.

use serde::{Deserialize, Serialize};

use crate::model::replay::Outcome;
use crate::model::summary::{TotalsFigures, TrialRecord};
use crate::runner::Slice;
use crate::timed::sim::{Latency, Sample, TrialOutcome};
use crate::timed::summary::TimedFigures;
use crate::timed::time::Time;

/// The file name of a part inside its directory.
pub const PART_FILE: &str = "part.json";
/// The format this sgpsim writes and reads.
pub const FORMAT: &str = "sgpsim-part/1";

/// `part.json`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PartFile {
    pub format: String,
    /// The version of the sgpsim that wrote it.
    pub sgpsim: String,
    /// This part's index, `0 <= part < parts`.
    pub part: u32,
    pub parts: u32,
    pub scenario: ScenarioId,
    /// A hash of the instance catalog the part ran with.
    pub catalog: String,
    pub trials_csv: bool,
    /// Cells in the whole sweep.
    pub cells: usize,
    /// This part's estimated work and the whole sweep's.
    pub work: u64,
    pub total_work: u64,
    /// Wall-clock seconds the part's trials took, and on how many threads.
    pub elapsed_s: f64,
    pub threads: usize,
    pub slices: Vec<SliceFile>,
}

/// What identifies the run a part belongs to.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ScenarioId {
    pub name: String,
    /// The file's stem, which names a scenario without `name`.
    pub stem: String,
    /// FNV-1a of the scenario's bytes, in hex.
    pub hash: String,
    /// The scenario as written.
    pub text: String,
    /// The seed the part ran with (the scenario's, or `--seed`).
    pub seed: u64,
    /// `--trials`, if given.
    pub trials: Option<u32>,
    /// The work limit the part ran with (`--max-work`).
    pub max_work: u64,
    pub trace: Option<TraceId>,
}

/// A trace-driven scenario's trace: its name in the scenario and its bytes.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct TraceId {
    pub file: String,
    pub hash: String,
    pub text: String,
}

/// One slice's partial result.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SliceFile {
    pub cell: usize,
    pub start: u32,
    pub end: u32,
    pub data: SliceData,
}

impl SliceFile {
    pub fn slice(&self) -> Slice {
        Slice {
            cell: self.cell,
            start: self.start,
            end: self.end,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "snake_case")]
pub enum SliceData {
    Static {
        totals: TotalsJson,
        /// Each trial's outcome, in trial order, when `trials.csv` is asked for.
        trials: Vec<OutcomeJson>,
    },
    Timed {
        totals: Box<TimedJson>,
        timeline: Option<Vec<SampleJson>>,
        trials: Vec<TimedTrialJson>,
    },
}

/// A 128-bit integer as a decimal string (JSON numbers lose precision past 2^53 in many readers).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Wide(pub u128);

impl Serialize for Wide {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0.to_string())
    }
}

impl<'de> Deserialize<'de> for Wide {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map(Wide).map_err(serde::de::Error::custom)
    }
}

/// A float as its IEEE-754 bits: read back exactly.
fn bits(x: f64) -> u64 {
    x.to_bits()
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct TotalsJson {
    pub n: u64,
    pub running: [u64; 3],
    pub ip_failed: u64,
    pub ip_failed_sq: Wide,
    pub pending: [u64; 3],
    pub wasted: u64,
    pub wasted_max: u32,
    pub stranded: u64,
    pub first_fail_min: Option<u32>,
    pub nodes: u64,
    pub with_failure: u64,
    /// (ip-failed pods in a trial, trials), ascending.
    pub failed_histogram: Vec<(u32, u64)>,
}

impl From<&TotalsFigures> for TotalsJson {
    fn from(f: &TotalsFigures) -> TotalsJson {
        TotalsJson {
            n: f.n,
            running: f.running,
            ip_failed: f.ip_failed,
            ip_failed_sq: Wide(f.ip_failed_sq),
            pending: f.pending,
            wasted: f.wasted,
            wasted_max: f.wasted_max,
            stranded: f.stranded,
            first_fail_min: f.first_fail_min,
            nodes: f.nodes,
            with_failure: f.with_failure,
            failed_histogram: f.failed_histogram.clone(),
        }
    }
}

impl From<&TotalsJson> for TotalsFigures {
    fn from(j: &TotalsJson) -> TotalsFigures {
        TotalsFigures {
            n: j.n,
            running: j.running,
            ip_failed: j.ip_failed,
            ip_failed_sq: j.ip_failed_sq.0,
            pending: j.pending,
            wasted: j.wasted,
            wasted_max: j.wasted_max,
            stranded: j.stranded,
            first_fail_min: j.first_fail_min,
            nodes: j.nodes,
            with_failure: j.with_failure,
            failed_histogram: j.failed_histogram.clone(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct TimedJson {
    pub base: TotalsJson,
    pub starting: u64,
    pub completed: u64,
    pub not_arrived: u64,
    pub arrivals: u64,
    pub ttr_p50: [(u64, Wide); 3],
    pub ttr_p95: [(u64, Wide); 3],
    pub ttr_max_us: [Option<u64>; 3],
    pub ip_failed_us: Wide,
    pub launched: u64,
    pub node_us: Wide,
    /// Each trial's cost as IEEE-754 bits, in trial order.
    pub cost_bits: Vec<Option<u64>>,
    pub wasted_ip_us: Wide,
    #[serde(default)]
    pub subnet_peak_max: [u64; 2],
    #[serde(default)]
    pub subnet_waited: u64,
    pub events: u64,
    pub end_max_us: u64,
}

impl From<&TimedFigures> for TimedJson {
    fn from(f: &TimedFigures) -> TimedJson {
        let pair = |(k, s): (u64, u128)| (k, Wide(s));
        TimedJson {
            base: (&f.base).into(),
            starting: f.starting,
            completed: f.completed,
            not_arrived: f.not_arrived,
            arrivals: f.arrivals,
            ttr_p50: f.ttr_p50.map(pair),
            ttr_p95: f.ttr_p95.map(pair),
            ttr_max_us: f.ttr_max,
            ip_failed_us: Wide(f.ip_failed_us),
            launched: f.launched,
            node_us: Wide(f.node_us),
            cost_bits: f.costs.iter().map(|c| c.map(bits)).collect(),
            wasted_ip_us: Wide(f.wasted_ip_us),
            subnet_peak_max: f.subnet_peak_max,
            subnet_waited: f.subnet_waited,
            events: f.events,
            end_max_us: f.end_max,
        }
    }
}

impl From<&TimedJson> for TimedFigures {
    fn from(j: &TimedJson) -> TimedFigures {
        let pair = |(k, s): (u64, Wide)| (k, s.0);
        TimedFigures {
            base: (&j.base).into(),
            starting: j.starting,
            completed: j.completed,
            not_arrived: j.not_arrived,
            arrivals: j.arrivals,
            ttr_p50: j.ttr_p50.map(pair),
            ttr_p95: j.ttr_p95.map(pair),
            ttr_max: j.ttr_max_us,
            ip_failed_us: j.ip_failed_us.0,
            launched: j.launched,
            node_us: j.node_us.0,
            costs: j.cost_bits.iter().map(|c| c.map(f64::from_bits)).collect(),
            wasted_ip_us: j.wasted_ip_us.0,
            subnet_peak_max: j.subnet_peak_max,
            subnet_waited: j.subnet_waited,
            events: j.events,
            end_max: j.end_max_us,
        }
    }
}

/// A static trial's outcome: running (3), ip-failed, pending (3), wasted
/// IPs, stranded slots, first IP failure, nodes.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub struct OutcomeJson(
    pub [u32; 3],
    pub u32,
    pub [u32; 3],
    pub u32,
    pub u32,
    pub Option<u32>,
    pub u32,
);

impl From<&Outcome> for OutcomeJson {
    fn from(o: &Outcome) -> OutcomeJson {
        OutcomeJson(
            o.running,
            o.ip_failed,
            o.pending,
            o.wasted_ips,
            o.stranded_slots,
            o.first_ip_failure,
            o.nodes,
        )
    }
}

impl From<&OutcomeJson> for Outcome {
    fn from(j: &OutcomeJson) -> Outcome {
        Outcome {
            running: j.0,
            ip_failed: j.1,
            pending: j.2,
            wasted_ips: j.3,
            stranded_slots: j.4,
            first_ip_failure: j.5,
            nodes: j.6,
        }
    }
}

/// A timeline sample: time (µs), running, pending, starting, waiting for
/// an IP, ip-failed, completed, nodes launching, nodes ready.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub struct SampleJson(
    pub u64,
    pub u32,
    pub u32,
    pub u32,
    pub u32,
    pub u32,
    pub u64,
    pub u32,
    pub u32,
);

impl From<&Sample> for SampleJson {
    fn from(s: &Sample) -> SampleJson {
        SampleJson(
            s.t.0,
            s.running,
            s.pending,
            s.starting,
            s.waiting_ip,
            s.ip_failed,
            s.completed,
            s.nodes_launching,
            s.nodes_ready,
        )
    }
}

impl From<&SampleJson> for Sample {
    fn from(j: &SampleJson) -> Sample {
        Sample {
            t: Time(j.0),
            running: j.1,
            pending: j.2,
            starting: j.3,
            waiting_ip: j.4,
            ip_failed: j.5,
            completed: j.6,
            nodes_launching: j.7,
            nodes_ready: j.8,
        }
    }
}

/// One kind's time to running: pods that ran, and p50, p95 and max (µs).
pub type LatencyJson = (u64, Option<u64>, Option<u64>, Option<u64>);

/// A timed trial's outcome (its timeline left out).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct TimedTrialJson {
    pub outcome: OutcomeJson,
    pub starting: [u32; 3],
    pub completed: [u64; 3],
    pub not_arrived: u32,
    pub arrivals: u64,
    /// Per kind: pods that ran, and p50, p95 and max time to running (µs).
    pub latency: [LatencyJson; 3],
    pub ip_failed_us: u64,
    pub nodes_launched: u32,
    pub node_us: u64,
    pub cost_bits: Option<u64>,
    pub wasted_ip_us: Wide,
    #[serde(default)]
    pub subnet_peak: [u64; 2],
    #[serde(default)]
    pub subnet_waited: u32,
    pub events: u64,
    pub end_us: u64,
}

impl From<&TrialOutcome> for TimedTrialJson {
    fn from(t: &TrialOutcome) -> TimedTrialJson {
        let us = |x: Option<Time>| x.map(|t| t.0);
        TimedTrialJson {
            outcome: (&t.outcome).into(),
            starting: t.starting,
            completed: t.completed,
            not_arrived: t.not_arrived,
            arrivals: t.arrivals,
            latency: t.latency.map(|l| (l.n, us(l.p50), us(l.p95), us(l.max))),
            ip_failed_us: t.ip_failed_time.0,
            nodes_launched: t.nodes_launched,
            node_us: t.node_time.0,
            cost_bits: t.cost.map(bits),
            wasted_ip_us: Wide(t.wasted_ip_us),
            subnet_peak: t.subnet_peak,
            subnet_waited: t.subnet_waited,
            events: t.events,
            end_us: t.end.0,
        }
    }
}

impl From<&TimedTrialJson> for TrialOutcome {
    fn from(j: &TimedTrialJson) -> TrialOutcome {
        let t = |x: Option<u64>| x.map(Time);
        TrialOutcome {
            outcome: (&j.outcome).into(),
            starting: j.starting,
            completed: j.completed,
            not_arrived: j.not_arrived,
            arrivals: j.arrivals,
            latency: j.latency.map(|(n, p50, p95, max)| Latency {
                n,
                p50: t(p50),
                p95: t(p95),
                max: t(max),
            }),
            ip_failed_time: Time(j.ip_failed_us),
            nodes_launched: j.nodes_launched,
            node_time: Time(j.node_us),
            cost: j.cost_bits.map(f64::from_bits),
            wasted_ip_us: j.wasted_ip_us.0,
            subnet_peak: j.subnet_peak,
            subnet_waited: j.subnet_waited,
            events: j.events,
            end: Time(j.end_us),
            timeline: Vec::new(),
        }
    }
}

/// The kept trials of a static slice, for `part.json`.
pub fn static_trials(records: &[TrialRecord]) -> Vec<OutcomeJson> {
    records.iter().map(|r| (&r.outcome).into()).collect()
}

/// The kept trials of a timed slice, for `part.json`.
pub fn timed_trials(records: &[TrialRecord<TrialOutcome>]) -> Vec<TimedTrialJson> {
    records.iter().map(|r| (&r.outcome).into()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timed_figures_cross_json_bit_for_bit() {
        use crate::timed::summary::TimedFigures;
        let f = TimedFigures {
            ip_failed_us: u128::MAX - 3,
            node_us: 1 << 100,
            costs: vec![Some(0.1 + 0.2), None, Some(-0.0), Some(f64::MIN_POSITIVE), Some(1e308)],
            ttr_p50: [(3, u128::MAX), (0, 0), (1, 7)],
            ..TimedFigures::default()
        };
        let json = serde_json::to_string(&TimedJson::from(&f)).unwrap();
        let back: TimedJson = serde_json::from_str(&json).unwrap();
        let g = TimedFigures::from(&back);
        assert_eq!(g.ip_failed_us, f.ip_failed_us);
        assert_eq!(g.node_us, f.node_us);
        assert_eq!(g.ttr_p50, f.ttr_p50);
        let bits = |c: &[Option<f64>]| c.iter().map(|x| x.map(f64::to_bits)).collect::<Vec<_>>();
        assert_eq!(bits(&g.costs), bits(&f.costs));
    }
}
