//! `sgpsim replay`: one cell from flags alone (a type, a formula, an order,
//! a workload, a cluster), for quick what-ifs; `--trial K` re-runs one trial.

use std::io::Write;

use clap::Args;

use super::flags::{NodeFlags, SweepFlags};
use super::{Format, emit};
use crate::error::Error;
use crate::input::catalog::Catalog;
use crate::input::replay_flags::{self, ReplayFlags};
use crate::model::replay::Replayer;
use crate::model::summary::TrialRecord;
use crate::output::{self, csv, table, trial};
use crate::runner::pool::Pool;
use crate::runner::sweep;

#[derive(Debug, Args)]
pub(crate) struct ReplayArgs {
    /// Instance type.
    #[arg(long = "type", value_name = "T")]
    instance_type: String,
    /// maxPods formula (a name or a CEL expression).
    #[arg(long, value_name = "F")]
    formula: String,
    /// sg-first, ip-first, random or interleaved.
    #[arg(long, value_name = "O")]
    order: String,
    /// SG pods in the workload.
    #[arg(long, value_name = "N")]
    sg_pods: Option<u32>,
    /// IP pods in the workload.
    #[arg(long, value_name = "N")]
    ip_pods: Option<u32>,
    /// hostNetwork pods in the workload.
    #[arg(long, value_name = "N")]
    host_pods: Option<u32>,
    /// Instead of counts: the seed's fill (B SG pods and M - S IP pods per node, S the hostNetwork system pods).
    #[arg(long, value_name = "seed", conflicts_with_all = ["sg_pods", "ip_pods", "host_pods"])]
    fill: Option<String>,
    /// hostNetwork system pods per node (`S`).
    #[arg(long, default_value_t = 2, value_name = "S")]
    system_pods: u32,
    /// System pods with pod networking per node (an IP each).
    #[arg(long, default_value_t = 0, value_name = "N")]
    system_ip_pods: u32,
    /// A fixed cluster of N nodes (default 1); with --autoscale, the nodes at the start (default 0).
    #[arg(long, value_name = "N")]
    nodes: Option<u32>,
    /// Add a node when a pod fits nowhere.
    #[arg(long)]
    autoscale: bool,
    /// The autoscaler's node limit (default 1000).
    #[arg(long, value_name = "N", requires = "autoscale")]
    max_nodes: Option<u32>,
    /// most-allocated, least-allocated or first-fit.
    #[arg(long, default_value = "most-allocated", value_name = "P")]
    policy: String,
    /// Re-run only this trial (0-based) and print its outcome.
    #[arg(long, value_name = "K")]
    trial: Option<u32>,
    #[arg(long, value_enum, default_value = "table")]
    format: Format,
    #[command(flatten)]
    node: NodeFlags,
    #[command(flatten)]
    sweep: SweepFlags,
}

impl ReplayArgs {
    fn flags(&self) -> ReplayFlags {
        ReplayFlags {
            instance_type: self.instance_type.clone(),
            formula: self.formula.clone(),
            order: self.order.clone(),
            sg_pods: self.sg_pods,
            ip_pods: self.ip_pods,
            host_pods: self.host_pods,
            fill: self.fill.clone(),
            system_pods: self.system_pods,
            system_ip_pods: self.system_ip_pods,
            nodes: self.nodes,
            autoscale: self.autoscale,
            max_nodes: self.max_nodes,
            policy: self.policy.clone(),
            node: self.node.raw(),
            trials: self.sweep.trials,
            seed: self.sweep.seed,
        }
    }
}

pub(crate) fn run(catalog: &Catalog, a: ReplayArgs, out: &mut dyn Write) -> Result<(), Error> {
    let mut sc = a.flags().scenario(catalog)?;
    sc.max_work = a.sweep.max_work.unwrap_or(sc.max_work);
    let cells = sc.cells()?;
    if let Some(k) = a.trial {
        let cell = &cells[0];
        replay_flags::check_trial(cell, k)?;
        let outcome = cell.run_trial(sc.seed, k, &mut Replayer::new(), &mut Vec::new());
        match a.format {
            Format::Csv | Format::Table => {
                let record = TrialRecord {
                    cell: 0,
                    trial: k,
                    outcome,
                };
                emit(out, &csv::trials(&cells, &[record], sc.seed));
            }
            Format::Json => emit(out, &trial::json(cell, sc.seed, k, &outcome)),
        }
        return Ok(());
    }
    let result = Pool::new(a.sweep.threads)?.install(|| sweep::run(&cells, sc.seed, false));
    let rows = output::rows(&cells, &result.summaries, sc.seed);
    match a.format {
        Format::Csv => emit(out, &csv::summary(&rows)),
        Format::Json => emit(out, &output::json(&rows)),
        Format::Table => emit(out, table::summary(&rows).as_bytes()),
    }
    Ok(())
}
