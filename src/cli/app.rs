//! The `sgpsim` command: the global `--catalog`, the subcommands, the
//! dispatch to each one's `run`, and `main_with`, which maps errors to exit
//! codes.

use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{CommandFactory, Parser, Subcommand};

use super::{
    audit_cmd, catalog_cmd, check_cmd, completions_cmd, export_cmd, formulas_cmd, man_cmd, merge_cmd, recommend_cmd,
    replay_cmd, report_cmd, run_cmd, scenario_cmd,
};
use crate::error::Error;
use crate::input::catalog::Catalog;
use crate::input::source;

/// sgpsim: which kubelet maxPods keeps every pod starting when Security
/// Groups for Pods share nodes with ordinary pods, and what it wastes.
#[derive(Debug, Parser)]
#[command(name = "sgpsim", version, about, long_about = None)]
pub(crate) struct Cli {
    /// A CSV with the catalog's columns, or `aws ec2 describe-instance-types` output (JSON, YAML, or
    /// pages concatenated), whose rows add or replace instance types; `-` reads standard input.
    #[arg(long, global = true, value_name = "FILE")]
    catalog: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// List instance types and their limits.
    Catalog(catalog_cmd::CatalogArgs),
    /// Print maxPods per formula for instance types.
    Formulas(formulas_cmd::FormulasArgs),
    /// Run a scenario file and write its summary.
    Run(run_cmd::RunArgs),
    /// Merge the parts of a sharded run (`run --shard I/N`) into the results one run writes.
    Merge(merge_cmd::MergeArgs),
    /// Replay one cell from flags alone, for quick what-ifs.
    Replay(replay_cmd::ReplayArgs),
    /// The largest maxPods within a risk budget for an SG share (MODEL.md §11), beside every formula.
    Recommend(recommend_cmd::RecommendArgs),
    /// Run a scenario and compare its `expect` entries with the model.
    Check(check_cmd::CheckArgs),
    /// Write scenario files from other inputs (Kubernetes manifests, a cluster dump).
    Scenario(scenario_cmd::ScenarioArgs),
    /// Export deployable configuration (EC2NodeClass UserData, Karpenter settings) for a formula.
    Export(export_cmd::ExportArgs),
    /// Redraw the charts, report.html and report.md of a results directory (no re-run).
    Report(report_cmd::ReportArgs),
    /// Audit a live cluster (`kubectl get nodes,pods -A -o json`): per node the slots, IPs and
    /// branch ENIs left, the pods that could be bound and never start; exit 1 when a node is at risk.
    Audit(audit_cmd::AuditArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions(completions_cmd::CompletionsArgs),
    /// Print the man page (roff), or write one page per command into a directory.
    Man(man_cmd::ManArgs),
}

/// Runs the CLI on `args`, writing to `out` and `err`; returns the exit code.
pub fn main_with<I, T>(args: I, out: &mut dyn Write, err: &mut dyn Write) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let text = e.render().to_string();
            let _ = if code == 0 {
                out.write_all(text.as_bytes())
            } else {
                err.write_all(text.as_bytes())
            };
            return code;
        }
    };
    match run(cli, out, err) {
        Ok(()) => 0,
        Err(e) => {
            // A failed check or an audit at risk has printed its report already.
            if !matches!(e, Error::CheckFailed { .. } | Error::AtRisk { .. }) {
                let _ = writeln!(err, "error: {e}");
            }
            e.exit_code()
        }
    }
}

/// Dispatches one parsed command.
fn run(cli: Cli, out: &mut dyn Write, err: &mut dyn Write) -> Result<(), Error> {
    let catalog = load_catalog(cli.catalog.as_deref(), err)?;
    match cli.command {
        Command::Catalog(a) => catalog_cmd::run(&catalog, a, out),
        Command::Formulas(a) => formulas_cmd::run(&catalog, a, out, err),
        Command::Run(a) => run_cmd::run(&catalog, a, out),
        Command::Merge(a) => merge_cmd::run(&catalog, a, out),
        Command::Replay(a) => replay_cmd::run(&catalog, a, out),
        Command::Recommend(a) => recommend_cmd::run(&catalog, a, out, err),
        Command::Check(a) => check_cmd::run(&catalog, a, out),
        Command::Scenario(a) => scenario_cmd::run(&catalog, a, out, err),
        Command::Export(a) => export_cmd::run(&catalog, a, out, err),
        Command::Report(a) => report_cmd::run(a, out),
        Command::Audit(a) => audit_cmd::run(&catalog, a, out, err),
        Command::Completions(a) => completions_cmd::run(a, Cli::command(), out),
        Command::Man(a) => man_cmd::run(a, Cli::command(), out, err),
    }
}

/// The bundled catalog, with `--catalog`'s rows when given (notes on `err`).
fn load_catalog(path: Option<&Path>, err: &mut dyn Write) -> Result<Catalog, Error> {
    let Some(p) = path else {
        return Ok(Catalog::bundled());
    };
    let (catalog, notes) = source::catalog(p).map_err(|e| e.at("--catalog"))?;
    for n in notes {
        let _ = writeln!(err, "note: --catalog {}: {n}", p.display());
    }
    Ok(catalog)
}
