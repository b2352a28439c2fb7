//! `sgpsim export karpenter`, `sgpsim export ec2nodeclass` and
//! `sgpsim export karpenter-settings`: a simulated formula as configuration
//! to apply. The configurations are built in `deploy`.

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};

use super::write_output;
use crate::deploy::instance_types::{self, Selection};
use crate::deploy::{Ami, Context, karpenter, karpenter_settings, user_data};
use crate::error::{Error, InputError};
use crate::input::catalog::Catalog;
use crate::input::manifest::read::{self, Doc};
use crate::model::formula::Formula;

#[derive(Debug, Args)]
pub(crate) struct ExportArgs {
    #[command(subcommand)]
    command: ExportCommand,
}

#[derive(Debug, Subcommand)]
pub(crate) enum ExportCommand {
    /// Karpenter-native: one EC2NodeClass per maxPods value (spec.kubelet.maxPods) and NodePools narrowed to match.
    Karpenter(KarpenterArgs),
    /// For nodes Karpenter does not manage (--target nodeadm|al2): UserData that sets maxPods per instance type.
    Ec2nodeclass(NodeClassArgs),
    /// The Karpenter setting that gives the formula's maxPods, where one exists.
    KarpenterSettings(SettingsArgs),
    /// A sweep as a Kubernetes Indexed Job: the scenario in a ConfigMap, N parts, then a merge Job.
    Job(JobArgs),
}

#[derive(Debug, Args)]
pub(crate) struct JobArgs {
    /// The scenario file.
    scenario: PathBuf,
    /// Parts to cut the sweep into (the Job's completions).
    #[arg(long, value_name = "N")]
    shards: u32,
    /// Parts running at once (default: all of them).
    #[arg(long, value_name = "P")]
    parallelism: Option<u32>,
    /// The container image holding sgpsim (see the Dockerfile).
    #[arg(long, value_name = "IMAGE")]
    image: String,
    /// The PersistentVolumeClaim (ReadWriteMany) for the parts and the results.
    #[arg(long, default_value = "sgpsim-data", value_name = "NAME")]
    pvc: String,
    /// The prefix of the objects' names (default: the scenario's name as a DNS label).
    #[arg(long, value_name = "NAME")]
    name: Option<String>,
    /// CPUs requested by each part, and its threads.
    #[arg(long, default_value_t = 1, value_name = "C")]
    cpus: u32,
    /// Write here (default, or `-`: standard output).
    #[arg(long, short, value_name = "FILE")]
    out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct FormulaFlags {
    /// The maxPods formula: a name such as `conservative`, a CEL expression, or
    /// `recommended:FILE` (the CSV of `sgpsim recommend --format csv`).
    #[arg(long, value_name = "F")]
    formula: String,
    /// NodePool manifest(s): the instance types they allow.
    #[arg(long, value_name = "FILE", conflicts_with = "types")]
    nodepool: Vec<PathBuf>,
    /// Instance types (names or globs).
    #[arg(long = "types", value_name = "PATTERN", num_args = 1..)]
    types: Vec<String>,
    /// hostNetwork system pods per node (`S` of conservative and aggressive).
    #[arg(long, default_value_t = 2, value_name = "S")]
    system_pods: u32,
    #[command(flatten)]
    node: crate::cli::flags::NodeFlags,
    /// Write here (default, or `-`: standard output).
    #[arg(long, short, value_name = "FILE")]
    out: Option<PathBuf>,
}

/// Who starts the node's kubelet.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub(crate) enum NodeTarget {
    /// Karpenter nodes: the same objects as `export karpenter` (no UserData script).
    Karpenter,
    /// AL2023 nodes Karpenter does not manage (managed node groups, self-managed): nodeadm UserData.
    Nodeadm,
    /// AL2 self-managed nodes (or managed node groups with a custom AMI): a script that runs bootstrap.sh.
    Al2,
}

#[derive(Debug, Args)]
pub(crate) struct KarpenterArgs {
    #[command(flatten)]
    common: FormulaFlags,
    /// metadata.name of the objects written for --types (suffixed -mp<N> per maxPods value when several).
    #[arg(long, default_value = "sgp-maxpods", value_name = "NAME")]
    name: String,
    /// Cluster name (karpenter.sh/discovery tag) of EC2NodeClasses written from scratch; with --nodepool,
    /// needed only when a NodePool's EC2NodeClass is not in the files.
    #[arg(long, value_name = "NAME")]
    cluster: Option<String>,
    /// Node IAM role of EC2NodeClasses written from scratch (default: KarpenterNodeRole-<cluster>).
    #[arg(long, value_name = "ROLE")]
    role: Option<String>,
    /// AMI alias family of EC2NodeClasses written from scratch: al2023 or al2.
    #[arg(long, default_value = "al2023", value_name = "FAMILY")]
    ami: String,
    /// With --nodepool: write JSON merge patches for the objects changed in place.
    #[arg(long)]
    merge_patch: bool,
}

#[derive(Debug, Args)]
pub(crate) struct NodeClassArgs {
    #[command(flatten)]
    common: FormulaFlags,
    /// Who starts the kubelet: karpenter (the `export karpenter` objects), nodeadm or al2 (a UserData for a launch template).
    #[arg(long, value_enum, default_value_t = NodeTarget::Karpenter)]
    target: NodeTarget,
    /// AMI family: al2023 (nodeadm) or al2 (bootstrap.sh); follows --target when not given.
    #[arg(long, value_name = "FAMILY")]
    ami: Option<String>,
    /// AL2023: always write the per-type table script, even where nodeadm's maxPodsExpression could say it.
    #[arg(long)]
    table: bool,
    /// maxPods for a type outside the table (default: the table's smallest).
    #[arg(long, value_name = "N")]
    default_max_pods: Option<u32>,
    /// metadata.name of the EC2NodeClass.
    #[arg(long, default_value = "sgp-maxpods", value_name = "NAME")]
    name: String,
    /// Cluster name: the karpenter.sh/discovery tag value, and bootstrap.sh's argument (AL2).
    #[arg(long, value_name = "NAME")]
    cluster: Option<String>,
    /// Node IAM role (default: KarpenterNodeRole-<cluster>).
    #[arg(long, value_name = "ROLE")]
    role: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct SettingsArgs {
    #[command(flatten)]
    common: FormulaFlags,
}

pub(crate) fn run(catalog: &Catalog, a: ExportArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<(), Error> {
    match a.command {
        ExportCommand::Karpenter(a) => {
            let ami = Ami::parse(&a.ami)?;
            let objects = KarpenterObjects {
                name: a.name,
                cluster: a.cluster,
                role: a.role,
                ami,
                merge_patch: a.merge_patch,
            };
            export_karpenter(catalog, &a.common, objects, out, err)
        }
        ExportCommand::Ec2nodeclass(a) => ec2nodeclass(catalog, a, out, err),
        ExportCommand::KarpenterSettings(a) => settings(catalog, a, out, err),
        ExportCommand::Job(a) => job(catalog, a, out, err),
    }
}

/// `export job`: the ConfigMap, the parts' Indexed Job and the merge Job.
fn job(catalog: &Catalog, a: JobArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<(), Error> {
    use crate::deploy::job::{JobSpec, render};
    use crate::shard::{MAX_PARTS, Setup, estimate};
    if a.shards == 0 || a.shards > MAX_PARTS {
        return Err(InputError::field(
            "--shards",
            format!("{} parts", a.shards),
            format!("give 1 to {MAX_PARTS}"),
        )
        .into());
    }
    let parallelism = a.parallelism.unwrap_or(a.shards);
    if parallelism == 0 {
        return Err(InputError::field("--parallelism", "0 parts at once runs nothing", "give 1 or more").into());
    }
    if a.cpus == 0 || a.cpus > crate::runner::pool::MAX_THREADS as u32 {
        return Err(InputError::field("--cpus", format!("{} CPUs", a.cpus), "give 1 or more").into());
    }
    if a.image.trim().is_empty() {
        return Err(InputError::field("--image", "is empty", "give the image built from the Dockerfile").into());
    }
    dns_label(&a.pvc, "--pvc", 253)?;
    let (sc, text) = crate::input::source::scenario(&a.scenario, catalog)?;
    let name = match &a.name {
        Some(n) => {
            dns_label(n, "--name", 50)?;
            n.clone()
        }
        None => as_label(&sc.name),
    };
    let timed = sc.timed.clone();
    let trace = match &timed {
        Some(t) => Setup::load_trace(t, &sc, &a.scenario)?,
        None => None,
    };
    if let Some((id, _)) = &trace {
        let p = std::path::Path::new(&id.file);
        if p.is_absolute() || p.components().any(|c| matches!(c, std::path::Component::ParentDir)) {
            return Err(InputError::field(
                "timed.arrivals.file",
                format!(
                    "`{}` is outside the scenario's folder: the Job mounts the trace beside the scenario",
                    id.file
                ),
                "give the trace as a path below the scenario's folder",
            )
            .in_file(crate::input::source::shown(&a.scenario))
            .into());
        }
    }
    let setup = Setup {
        stem: crate::input::source::stem(&a.scenario),
        trials: None,
        sc,
        text,
        timed,
        trace,
    };
    let estimate = estimate(&setup, a.shards)?;
    let spec = JobSpec {
        name,
        scenario_name: setup.sc.name.clone(),
        scenario_text: setup.text.clone(),
        trace: setup.trace.as_ref().map(|(id, _)| (id.file.clone(), id.text.clone())),
        shards: a.shards,
        parallelism: parallelism.min(a.shards),
        image: a.image.clone(),
        pvc: a.pvc.clone(),
        cpus: a.cpus,
        estimate,
    };
    write_output(a.out.as_deref(), render(&spec).as_bytes(), out, err)?;
    Ok(())
}

/// Checks a Kubernetes name (RFC 1123 label: lower case letters, digits, `-`).
fn dns_label(n: &str, flag: &str, max: usize) -> Result<(), InputError> {
    let ok = !n.is_empty()
        && n.len() <= max
        && n.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !n.starts_with('-')
        && !n.ends_with('-');
    if ok {
        Ok(())
    } else {
        Err(InputError::field(
            flag,
            format!("`{}` is not a Kubernetes name", crate::model::formula::shown(n)),
            format!(
                "use lower-case letters, digits and `-`, at most {max}, starting and ending with a letter or digit"
            ),
        ))
    }
}

/// A scenario name as a Kubernetes name: lower case, other characters as `-`.
fn as_label(name: &str) -> String {
    let mut s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    s.truncate(50);
    let s = s.trim_matches('-').to_string();
    if s.is_empty() { "sgpsim".into() } else { s }
}

impl FormulaFlags {
    /// A name, a CEL expression, or `recommended:FILE` (a recommend CSV).
    fn formula(&self) -> Result<Formula, InputError> {
        crate::input::recommended::parse_formula(&self.formula)
            .map_err(|e| if e.file.is_some() { e } else { e.at("--formula") })
    }

    /// The node settings of the flags (validated: `--ipv6` is refused) and `S`.
    fn context(&self) -> Result<Context, InputError> {
        Ok(Context::with(self.node.settings()?, self.system_pods))
    }

    /// The documents of the --nodepool files, and the files as shown.
    fn nodepool_docs(&self) -> Result<(Vec<Doc>, String), InputError> {
        let (files, docs) = read::read_docs(&self.nodepool)?;
        let shown = files
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", ");
        Ok((docs, shown))
    }

    /// The types of --types or --nodepool; `None` when neither is given.
    fn selection<'c>(&self, catalog: &'c Catalog) -> Result<Option<Selection<'c>>, InputError> {
        if !self.types.is_empty() {
            return instance_types::named(catalog, &self.types).map(Some);
        }
        if self.nodepool.is_empty() {
            return Ok(None);
        }
        let (docs, shown) = self.nodepool_docs()?;
        instance_types::from_nodepools(catalog, &docs, &shown).map(Some)
    }
}

/// What `export karpenter` writes besides the formula's figures.
struct KarpenterObjects {
    name: String,
    cluster: Option<String>,
    role: Option<String>,
    ami: Ami,
    merge_patch: bool,
}

/// `export karpenter` (and `export ec2nodeclass --target karpenter`).
fn export_karpenter(
    catalog: &Catalog,
    f: &FormulaFlags,
    objects: KarpenterObjects,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<(), Error> {
    let formula = f.formula()?;
    let input = if !f.types.is_empty() {
        let s = instance_types::named(catalog, &f.types)?;
        karpenter::Input::Types(s.types, s.source)
    } else if !f.nodepool.is_empty() {
        let (docs, shown) = f.nodepool_docs()?;
        karpenter::Input::Manifests(docs, shown)
    } else {
        return Err(InputError::field(
            "--nodepool/--types",
            "no instance types are named",
            "give --nodepool FILE (NodePool and EC2NodeClass manifests) or --types PATTERN... (e.g. --types 'm5.*' c6i.large)",
        )
        .into());
    };
    let opts = karpenter::Options {
        command: format!("export karpenter --formula {}", formula.name()),
        formula,
        ctx: f.context()?,
        input,
        name: objects.name,
        cluster: objects.cluster,
        role: objects.role,
        ami: objects.ami,
        merge_patch: objects.merge_patch,
    };
    let e = karpenter::export(catalog, &opts)?;
    for n in &e.notes {
        let _ = writeln!(err, "note: {n}");
    }
    write_output(f.out.as_deref(), e.text.as_bytes(), out, err)?;
    Ok(())
}

fn ec2nodeclass(catalog: &Catalog, a: NodeClassArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<(), Error> {
    let ami = match (a.target, a.ami.as_deref().map(Ami::parse).transpose()?) {
        (NodeTarget::Karpenter, ami) => {
            for (given, flag) in [
                (a.table, "--table"),
                (a.default_max_pods.is_some(), "--default-max-pods"),
            ] {
                if given {
                    return Err(InputError::field(
                        flag,
                        "the per-type boot script is only for nodes Karpenter does not manage",
                        "add --target nodeadm (AL2023) or --target al2 for managed node groups or self-managed nodes; \
                         Karpenter nodes take spec.kubelet.maxPods (the default --target karpenter)",
                    )
                    .into());
                }
            }
            let objects = KarpenterObjects {
                name: a.name,
                cluster: a.cluster,
                role: a.role,
                ami: ami.unwrap_or(Ami::Al2023),
                merge_patch: false,
            };
            return export_karpenter(catalog, &a.common, objects, out, err);
        }
        (NodeTarget::Nodeadm, None | Some(Ami::Al2023)) => Ami::Al2023,
        (NodeTarget::Al2, None | Some(Ami::Al2)) => Ami::Al2,
        (t, Some(ami)) => {
            return Err(InputError::field(
                "--ami",
                format!("--ami {} does not go with --target {t:?}", ami.alias()),
                "--target nodeadm is AL2023, --target al2 is AL2: drop --ami",
            )
            .into());
        }
    };
    let formula = a.common.formula()?;
    let selection = a.common.selection(catalog)?.unwrap_or(Selection {
        types: Vec::new(),
        source: String::new(),
        notes: Vec::new(),
    });
    let opts = user_data::Options {
        formula,
        ctx: a.common.context()?,
        ami,
        types: selection.types,
        source: selection.source,
        table: a.table,
        default_max_pods: a.default_max_pods,
        cluster: a.cluster.unwrap_or_else(|| "YOUR_CLUSTER_NAME".into()),
    };
    let ud = user_data::build(&opts)?;
    for n in selection.notes.iter().chain(&ud.notes) {
        let _ = writeln!(err, "note: {n}");
    }
    ud.check_size()?;
    write_output(a.common.out.as_deref(), ud.text.as_bytes(), out, err)?;
    Ok(())
}

fn settings(catalog: &Catalog, a: SettingsArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<(), Error> {
    let formula = a.common.formula()?;
    let selection = a.common.selection(catalog)?;
    let types = match selection {
        Some(s) => {
            for n in &s.notes {
                let _ = writeln!(err, "note: {n}");
            }
            s.types
        }
        None => catalog.iter().collect(),
    };
    let text = karpenter_settings::render(&formula, &a.common.context()?, &types)?;
    write_output(a.common.out.as_deref(), text.as_bytes(), out, err)?;
    Ok(())
}
