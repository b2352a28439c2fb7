//! What a report says, in order, before it is laid out as HTML or
//! Markdown: the opening facts, the reading, and sections of tables.

use super::advice::{Cpu, detailed_types};
use super::inputs::Inputs;
use super::reading::{CPU_NOTE, ROOM_NOTE, reading, requests_given, timed_reading};
use super::tables::{Table, details, glance, timed};
use super::words::{distinct, scope};
use crate::output::Row;

/// A section: a heading, paragraphs, then tables.
pub(super) struct Section {
    pub(super) heading: &'static str,
    pub(super) paragraphs: Vec<String>,
    pub(super) tables: Vec<Table>,
}

/// The report's content.
pub(super) struct Document {
    pub(super) scope: String,
    pub(super) reading: Vec<String>,
    pub(super) sections: Vec<Section>,
}

const NO_IP: &str = "No IP: workload pods left without an IP (ip-failed: bound, holding a slot, stuck in ContainerCreating) / workload pods, mean over orders.";
const PENDING: &str = "Pending: workload pods never bound (no node had room; the autoscaler's cue, not an IP failure) / workload pods; shown wherever a table has any.";

/// The content of the report of `inputs`.
pub(super) fn document(inputs: &Inputs) -> Document {
    let rows = &inputs.rows;
    let timed_run = !inputs.timed.is_empty();
    let cpu = Cpu::of(requests_given(&inputs.scenario_text), inputs.rooms.as_deref());
    let mut sections = Vec::new();
    if timed_run {
        sections.push(Section {
            heading: "Timed measures",
            paragraphs: vec![
                NO_IP.replace("mean over orders.", "at the end of the run (the horizon), mean over trials."),
                PENDING.replace("; shown wherever a table has any", ", at the end"),
                "Trials that fail: the share of trials with a pod without an IP at the end. Time to running: from a pod's arrival to running, per kind; p50 and p95 are means over trials, max the largest over trials; `-` where no pod of the kind ran. ip-failed pod-seconds: time pods spent without an IP, summed. Node-hours and cost: nodes from launch to the end, at on-demand prices where the catalog has them. Subnet addresses at peak: the most addresses the nodes held at once (every attached ENI's, every trunk's and branch ENI's), the largest over trials; in a run with no subnet size set, a subnet of that many usable addresses would have refused none. Pods that waited on the subnet (shown when any did): pods held up by a refused ENI attach, branch ENI, trunk or node launch, mean over trials.".into(),
            ],
            tables: timed(rows, &inputs.timed),
        });
        return Document {
            scope: scope(rows, true),
            reading: timed_reading(rows, &inputs.timed, &cpu),
            sections,
        };
    }
    sections.push(Section {
        heading: "Every instance type",
        paragraphs: vec![format!(
            "Largest safe maxPods: the most pods a node can be given while no arrival order can leave a pod without an IP, its system pods plus its IPs (MODEL.md §11, no risk allowed).{} Each formula's cell: its maxPods, then the share of random orders that leave a pod without an IP, exact unless an interval is shown.",
            match cpu {
                Cpu::NotRequested => "",
                Cpu::Rooms(_) => ROOM_NOTE,
                Cpu::Unknown => CPU_NOTE,
            }
        )],
        tables: glance(rows, &cpu),
    });
    let refs: Vec<&Row> = rows.iter().collect();
    let types = detailed_types(&refs);
    let all = distinct(rows.iter().map(|r| r.instance_type.as_str())).len();
    let mut paragraphs = vec![
        NO_IP.to_string(),
        PENDING.to_string(),
        "Random orders that fail: the share of random orders with at least one pod without an IP, exact over every order unless an interval and the number of sampled orders are shown. Wasted IPs: free IPs on nodes whose pod slots are full. Stranded slots: free slots on nodes with no IP and no branch ENI left.".into(),
    ];
    if types.len() < all {
        paragraphs.push(format!(
            "Tables for {} of the {all} instance types: the scenario's first and the riskiest; the table above has every type.",
            types.len()
        ));
    }
    sections.push(Section {
        heading: "Per instance type",
        paragraphs,
        tables: details(rows, &types),
    });
    Document {
        scope: scope(rows, false),
        reading: reading(rows, &cpu),
        sections,
    }
}
