//! `sgpsim scenario from-manifests` and `from-cluster`: a cluster's manifests,
//! or its live state, to a scenario file.

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, Subcommand};

use crate::error::{Error, InputError};
use crate::input::catalog::Catalog;
use crate::input::manifest::{self, ImportOptions};
use crate::input::scenario::Scenario;
use crate::input::source;
use crate::output;

#[derive(Debug, Args)]
pub(crate) struct ScenarioArgs {
    #[command(subcommand)]
    command: ScenarioCommand,
}

#[derive(Debug, Subcommand)]
pub(crate) enum ScenarioCommand {
    /// Read Kubernetes manifests (workloads, DaemonSets, SecurityGroupPolicies,
    /// Karpenter NodePools and EC2NodeClasses) and write a scenario.
    FromManifests(FromManifestsArgs),
    /// Read a cluster dump (`kubectl get nodes,pods -A -o json`) and write a scenario of its node
    /// types, system pods and workload, to replay the cluster.
    FromCluster(FromClusterArgs),
}

#[derive(Debug, Args)]
pub(crate) struct FromClusterArgs {
    /// The dump (JSON or YAML), or the nodes and the pods in separate files; `-` reads standard input.
    #[arg(required = true, value_name = "FILE|-")]
    paths: Vec<PathBuf>,
    /// Write the scenario here (default, or `-`: standard output).
    #[arg(long, short, value_name = "FILE")]
    out: Option<PathBuf>,
    /// The scenario's name.
    #[arg(long, default_value = "cluster")]
    name: String,
}

#[derive(Debug, Args)]
pub(crate) struct FromManifestsArgs {
    /// YAML or JSON files, directories searched for *.yaml, *.yml and *.json, or `-` for standard input.
    #[arg(required = true, value_name = "FILE|DIR|-")]
    paths: Vec<PathBuf>,
    /// Write the scenario here (default, or `-`: standard output).
    #[arg(long, short, value_name = "FILE")]
    out: Option<PathBuf>,
    /// The scenario's name.
    #[arg(long, default_value = "imported")]
    name: String,
    /// Instance types (names or globs, comma-separated or repeated) instead of the NodePools' types.
    #[arg(long = "types", value_name = "PATTERN", value_delimiter = ',')]
    types: Vec<String>,
    /// Do not add aws-node and kube-proxy (EKS's hostNetwork DaemonSets) when the manifests lack them.
    #[arg(long)]
    no_eks_daemonsets: bool,
}

pub(crate) fn run(catalog: &Catalog, a: ScenarioArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<(), Error> {
    match a.command {
        ScenarioCommand::FromManifests(a) => from_manifests(catalog, a, out, err),
        ScenarioCommand::FromCluster(a) => {
            let dump = super::audit_cmd::read_dump(&a.paths)?;
            let imp = crate::audit::scenario::from_cluster(&dump, catalog, &a.name)?;
            write_scenario(catalog, &imp, a.out.as_deref(), out, err)
        }
    }
}

fn from_manifests(
    catalog: &Catalog,
    a: FromManifestsArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<(), Error> {
    let opts = ImportOptions {
        name: a.name.clone(),
        types: a.types.clone(),
        eks_daemonsets: !a.no_eks_daemonsets,
    };
    let imp = manifest::import(&a.paths, catalog, &opts)?;
    write_scenario(catalog, &imp, a.out.as_deref(), out, err)
}

/// Validates the scenario text, then writes it whole (to `path` or `out`),
/// with the notes and a summary on `err`.
fn write_scenario(
    catalog: &Catalog,
    imp: &manifest::Import,
    path: Option<&std::path::Path>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<(), Error> {
    let text = manifest::write::scenario_toml(imp);
    // The file must load as it is written: validate before writing anything.
    Scenario::from_toml(&text, &imp.name, catalog).map_err(|e| InputError {
        problem: format!(
            "the scenario built from the {} does not validate: {}",
            if imp.command == "from-cluster" {
                "cluster dump"
            } else {
                "manifests"
            },
            e.problem
        ),
        ..e
    })?;
    for n in &imp.notes {
        let _ = writeln!(err, "note: {n}");
    }
    let (sg, ip, host) = imp.counts();
    let sys = imp.system();
    let summary = format!(
        "{sg} SG pods, {ip} IP pods, {host} host pods; system pods {} host + {} IP; {} instance type(s); {} formula(s)",
        sys.host,
        sys.ip,
        imp.types.len(),
        imp.formulas.len()
    );
    match path.filter(|p| !source::is_stdin(p)) {
        Some(path) => {
            output::write_atomic(path, text.as_bytes()).map_err(|e| InputError {
                field: Some("--out".into()),
                ..e
            })?;
            let _ = writeln!(err, "wrote {} ({summary})", path.display());
        }
        None => {
            let _ = out.write_all(text.as_bytes());
            let _ = writeln!(err, "{summary}");
        }
    }
    Ok(())
}
