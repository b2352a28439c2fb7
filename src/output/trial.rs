//! One trial re-run alone (`replay --trial K`) as JSON; as CSV it is a
//! `trials.csv` row (`csv::trials`).

use crate::model::cell::Cell;
use crate::model::replay::Outcome;

/// The trial's outcome as one JSON object, with its cell and seed.
pub fn json(cell: &Cell, seed: u64, trial: u32, o: &Outcome) -> Vec<u8> {
    crate::output::json(&serde_json::json!({
        "instance_type": cell.instance_type, "formula": cell.formula, "order": cell.order.name(),
        "seed": seed, "trial": trial, "running_sg": o.running[0], "running_ip": o.running[1],
        "running_host": o.running[2], "ip_failed": o.ip_failed,
        "pending_sg": o.pending[0], "pending_ip": o.pending[1],
        "pending_host": o.pending[2], "wasted_ips": o.wasted_ips,
        "stranded_slots": o.stranded_slots, "first_ip_failure": o.first_ip_failure,
        "nodes": o.nodes,
    }))
}
