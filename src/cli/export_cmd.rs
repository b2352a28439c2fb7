//! `sgpsim export ec2nodeclass` and `sgpsim export karpenter-settings`:
//! a simulated formula as configuration to apply.

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, Subcommand};

use crate::deploy::{self, Ami, Context, NodeClassParams, ScriptParams, Target};
use crate::error::{Error, InputError};
use crate::input::catalog::{Catalog, InstanceType};
use crate::manifest::{nodepool, read};
use crate::model::formula::Formula;
use crate::output;

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(subcommand)]
    pub command: ExportCommand,
}

#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// An EC2NodeClass (karpenter.k8s.aws/v1) whose UserData sets maxPods per instance type.
    Ec2nodeclass(NodeClassArgs),
    /// The Karpenter setting that gives the formula's maxPods, where one exists.
    KarpenterSettings(SettingsArgs),
}

#[derive(Debug, Args)]
pub struct FormulaFlags {
    /// The maxPods formula (a name such as `conservative`, or a CEL expression).
    #[arg(long, value_name = "F")]
    pub formula: String,
    /// NodePool manifest(s): the instance types they allow.
    #[arg(long, value_name = "FILE", conflicts_with = "types")]
    pub nodepool: Vec<PathBuf>,
    /// Instance types (names or globs).
    #[arg(long = "types", value_name = "PATTERN", num_args = 1..)]
    pub types: Vec<String>,
    /// hostNetwork system pods per node (`S` of conservative and aggressive).
    #[arg(long, default_value_t = 2, value_name = "S")]
    pub system_pods: u32,
    /// SGP off (`ENABLE_POD_ENI=false`): no trunk ENI.
    #[arg(long)]
    pub no_sgp: bool,
    /// Prefix delegation on.
    #[arg(long)]
    pub prefix_delegation: bool,
    /// Write here (default: standard output).
    #[arg(long, short, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct NodeClassArgs {
    #[command(flatten)]
    pub common: FormulaFlags,
    /// AMI family of the UserData: al2023 (nodeadm) or al2 (bootstrap.sh).
    #[arg(long, default_value = "al2023", value_name = "FAMILY")]
    pub ami: String,
    /// AL2023: always write the per-type table script, even where nodeadm's maxPodsExpression could say it.
    #[arg(long)]
    pub table: bool,
    /// maxPods for a type outside the table (default: the table's smallest).
    #[arg(long, value_name = "N")]
    pub default_max_pods: Option<u32>,
    /// metadata.name of the EC2NodeClass.
    #[arg(long, default_value = "sgp-maxpods", value_name = "NAME")]
    pub name: String,
    /// Cluster name: the karpenter.sh/discovery tag value, and bootstrap.sh's argument (AL2).
    #[arg(long, default_value = "YOUR_CLUSTER_NAME", value_name = "NAME")]
    pub cluster: String,
    /// Node IAM role (default: KarpenterNodeRole-<cluster>).
    #[arg(long, value_name = "ROLE")]
    pub role: Option<String>,
}

#[derive(Debug, Args)]
pub struct SettingsArgs {
    #[command(flatten)]
    pub common: FormulaFlags,
}

pub fn run(catalog: &Catalog, a: ExportArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<(), Error> {
    match a.command {
        ExportCommand::Ec2nodeclass(a) => ec2nodeclass(catalog, a, out, err),
        ExportCommand::KarpenterSettings(a) => settings(catalog, a, out, err),
    }
}

/// The instance types named by --nodepool or --types, a line saying where
/// they came from, and notes.
fn types<'c>(
    catalog: &'c Catalog,
    f: &FormulaFlags,
) -> Result<(Vec<&'c InstanceType>, String, Vec<String>), InputError> {
    if !f.types.is_empty() {
        let t = catalog.select(&f.types, "--types")?;
        return Ok((t, format!("--types {}", f.types.join(" ")), Vec::new()));
    }
    if f.nodepool.is_empty() {
        return Ok((Vec::new(), String::new(), Vec::new()));
    }
    let (files, docs) = read::read_docs(&f.nodepool)?;
    let mut names = std::collections::BTreeSet::new();
    let mut notes = Vec::new();
    let mut pools = Vec::new();
    for d in docs
        .iter()
        .filter(|d| d.value.get("kind").and_then(|k| k.as_str()) == Some("NodePool"))
    {
        let name = d
            .value
            .pointer("/metadata/name")
            .and_then(|n| n.as_str())
            .unwrap_or("")
            .to_string();
        let what = format!("NodePool {name}");
        let reqs = nodepool::parse_requirements(d.value.pointer("/spec/template/spec/requirements"), &d.file, &what)?;
        let (allowed, n) = nodepool::allowed(&reqs, catalog);
        notes.extend(n.into_iter().map(|n| format!("{what}: {n}")));
        names.extend(allowed.into_iter().map(|t| t.name.clone()));
        pools.push(name);
    }
    let shown = files
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ");
    if pools.is_empty() {
        return Err(InputError {
            field: Some("--nodepool".into()),
            ..InputError::file(
                shown,
                "holds no NodePool",
                "name a file with a karpenter.sh/v1 NodePool, or use --types",
            )
        });
    }
    let types: Vec<&InstanceType> = names.iter().filter_map(|n| catalog.get(n)).collect();
    if types.is_empty() {
        return Err(InputError {
            field: Some("--nodepool".into()),
            ..InputError::file(
                shown,
                "the NodePools allow no type of the catalog",
                "check their requirements",
            )
        });
    }
    Ok((types, format!("NodePool {} ({shown})", pools.join(", ")), notes))
}

fn parse_formula(f: &FormulaFlags) -> Result<Formula, InputError> {
    Formula::parse(&f.formula).map_err(|e| InputError::from(e).at("--formula"))
}

fn context(f: &FormulaFlags) -> Context {
    deploy::context(!f.no_sgp, f.prefix_delegation, f.system_pods)
}

fn emit(path: &Option<PathBuf>, text: &str, out: &mut dyn Write, err: &mut dyn Write) -> Result<(), InputError> {
    match path {
        Some(p) => {
            output::write_atomic(p, text.as_bytes()).map_err(|e| e.at("--out"))?;
            let _ = writeln!(err, "wrote {}", p.display());
        }
        None => {
            let _ = out.write_all(text.as_bytes());
        }
    }
    Ok(())
}

fn ec2nodeclass(catalog: &Catalog, a: NodeClassArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<(), Error> {
    let formula = parse_formula(&a.common)?;
    let ami = Ami::parse(&a.ami)?;
    let (types, source, mut notes) = types(catalog, &a.common)?;
    if types.is_empty() {
        return Err(InputError::field(
            "--nodepool/--types",
            "no instance types are named",
            "give --nodepool FILE (a NodePool manifest) or --types PATTERN... (e.g. --types 'm5.*' c6i.large)",
        )
        .into());
    }
    let ctx = context(&a.common);
    let mut comments = vec![
        format!(
            "Generated by sgpsim {}: export ec2nodeclass --formula {}",
            env!("CARGO_PKG_VERSION"),
            formula.name()
        ),
        format!(
            "Instance types: {} from {source}; S = {} system pods; SGP {}; prefix delegation {}.",
            types.len(),
            ctx.system.host,
            if ctx.settings.sgp { "on" } else { "off" },
            if ctx.settings.prefix_delegation { "on" } else { "off" }
        ),
        format!("Figures from the catalog: {}", crate::input::catalog::BUNDLED_SOURCE),
    ];
    let expression =
        (ami == Ami::Al2023 && !a.table).then(|| deploy::expr::expression(&formula, Target::Nodeadm, &ctx, &types));
    let user_data = match expression.flatten() {
        Some(e) => {
            comments.push(format!(
                "UserData: a nodeadm NodeConfig with kubelet.maxPodsExpression `{e}`, equal to the formula on every type listed."
            ));
            comments.push(
                "Precedence: an explicit kubelet maxPods wins over maxPodsExpression (EKS user guide, \"max pods precedence\");\n\
                 Karpenter's own NodeConfig sets one, so on Karpenter nodes prefer `sgpsim export karpenter-settings`,\n\
                 or pass --table for a script that overrides it."
                    .into(),
            );
            deploy::mime("application/node.eks.aws", &deploy::nodeconfig_expression(&e))
        }
        None => {
            let (rows, table_notes) = deploy::table(&types, &formula, &ctx);
            notes.extend(table_notes);
            if rows.is_empty() {
                return Err(InputError::field(
                    "--formula",
                    format!(
                        "`{}` gives no figure for any of the {} types",
                        formula.name(),
                        types.len()
                    ),
                    "choose another formula, or types the catalog has the figures for",
                )
                .into());
            }
            let (default, default_why) = match a.default_max_pods {
                Some(0) => {
                    return Err(
                        InputError::field("--default-max-pods", "0 pod slots", "give a positive maxPods").into(),
                    );
                }
                Some(n) => (n, format!("DEFAULT_MAX_PODS: --default-max-pods {n}")),
                None => deploy::default_max_pods(&rows),
            };
            let name = formula.name();
            let logic = if name.chars().any(char::is_whitespace) {
                "cel".to_string()
            } else {
                name
            };
            let header = vec![
                format!(
                    "sgpsim UserData for {}: maxPods per instance type, formula {}.",
                    ami.alias(),
                    formula.name()
                ),
                format!("{} types from {source}.", rows.len()),
                format!(
                    "Logs one line per boot to {}, in the seed's format.",
                    deploy::script::LOG_FILE
                ),
            ];
            let params = ScriptParams {
                ami,
                logic,
                sg: ctx.settings.sgp,
                default_max_pods: default,
                default_why,
                cluster_name: a.cluster.clone(),
                header,
            };
            comments.push(format!(
                "UserData: a bash script with an exact table of {} types; others get {default}.",
                rows.len()
            ));
            comments.push(match ami {
                Ami::Al2023 => "It writes a NodeConfig with kubelet.config.maxPods and runs nodeadm with it as the last config source.".into(),
                Ami::Al2 => "It runs /etc/eks/bootstrap.sh --use-max-pods false --kubelet-extra-args --max-pods=N.".into(),
            });
            comments.push(
                "Karpenter still schedules with its own pods figure; `sgpsim export karpenter-settings` says whether it can use this one.".into(),
            );
            deploy::mime(
                "text/x-shellscript; charset=\"us-ascii\"",
                &deploy::script::render(&rows, &params),
            )
        }
    };
    for n in &notes {
        comments.push(format!("note: {n}"));
        let _ = writeln!(err, "note: {n}");
    }
    let params = NodeClassParams {
        name: a.name.clone(),
        role: a
            .role
            .clone()
            .unwrap_or_else(|| format!("KarpenterNodeRole-{}", a.cluster)),
        discovery: a.cluster.clone(),
        ami,
        kubelet_max_pods: None,
    };
    let yaml = deploy::ec2nodeclass_yaml(&params, &user_data, &comments);
    emit(&a.common.out, &yaml, out, err)?;
    Ok(())
}

fn settings(catalog: &Catalog, a: SettingsArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<(), Error> {
    let formula = parse_formula(&a.common)?;
    let (mut types, _, notes) = types(catalog, &a.common)?;
    for n in &notes {
        let _ = writeln!(err, "note: {n}");
    }
    if types.is_empty() {
        types = catalog.iter().collect();
    }
    let ctx = context(&a.common);
    let text = deploy::karpenter_settings(&formula, &ctx, &types).map_err(|why| {
        InputError::field(
            "--formula",
            why,
            "use `sgpsim export ec2nodeclass` (a per-type UserData table), or a formula such as karpenter-reserved-enis:1",
        )
    })?;
    emit(&a.common.out, &text, out, err)?;
    Ok(())
}
