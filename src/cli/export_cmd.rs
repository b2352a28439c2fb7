//! `sgpsim export karpenter`, `sgpsim export ec2nodeclass` and
//! `sgpsim export karpenter-settings`: a simulated formula as configuration
//! to apply. The Karpenter form is in `deploy::karpenter`.

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};

use crate::deploy::karpenter as karpenter_export;
use crate::deploy::{self, Ami, Context, ScriptParams, Target};
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
    /// Karpenter-native: one EC2NodeClass per maxPods value (spec.kubelet.maxPods) and NodePools narrowed to match.
    Karpenter(KarpenterArgs),
    /// For nodes Karpenter does not manage (--target nodeadm|al2): UserData that sets maxPods per instance type.
    Ec2nodeclass(NodeClassArgs),
    /// The Karpenter setting that gives the formula's maxPods, where one exists.
    KarpenterSettings(SettingsArgs),
}

#[derive(Debug, Args)]
pub struct FormulaFlags {
    /// The maxPods formula: a name such as `conservative`, a CEL expression, or
    /// `recommended:FILE` (the CSV of `sgpsim recommend --format csv`).
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

/// Who starts the node's kubelet.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum NodeTarget {
    /// Karpenter nodes: the same objects as `export karpenter` (no UserData script).
    Karpenter,
    /// AL2023 nodes Karpenter does not manage (managed node groups, self-managed): nodeadm UserData.
    Nodeadm,
    /// AL2 self-managed nodes (or managed node groups with a custom AMI): a script that runs bootstrap.sh.
    Al2,
}

#[derive(Debug, Args)]
pub struct KarpenterArgs {
    #[command(flatten)]
    pub common: FormulaFlags,
    /// metadata.name of the objects written for --types (suffixed -mp<N> per maxPods value when several).
    #[arg(long, default_value = "sgp-maxpods", value_name = "NAME")]
    pub name: String,
    /// Cluster name (karpenter.sh/discovery tag) of EC2NodeClasses written from scratch; with --nodepool,
    /// needed only when a NodePool's EC2NodeClass is not in the files.
    #[arg(long, value_name = "NAME")]
    pub cluster: Option<String>,
    /// Node IAM role of EC2NodeClasses written from scratch (default: KarpenterNodeRole-<cluster>).
    #[arg(long, value_name = "ROLE")]
    pub role: Option<String>,
    /// AMI alias family of EC2NodeClasses written from scratch: al2023 or al2.
    #[arg(long, default_value = "al2023", value_name = "FAMILY")]
    pub ami: String,
    /// With --nodepool: write JSON merge patches for the objects changed in place.
    #[arg(long)]
    pub merge_patch: bool,
}

#[derive(Debug, Args)]
pub struct NodeClassArgs {
    #[command(flatten)]
    pub common: FormulaFlags,
    /// Who starts the kubelet: karpenter (the `export karpenter` objects), nodeadm or al2 (a UserData for a launch template).
    #[arg(long, value_enum, default_value_t = NodeTarget::Karpenter)]
    pub target: NodeTarget,
    /// AMI family: al2023 (nodeadm) or al2 (bootstrap.sh); follows --target when not given.
    #[arg(long, value_name = "FAMILY")]
    pub ami: Option<String>,
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
    #[arg(long, value_name = "NAME")]
    pub cluster: Option<String>,
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
        ExportCommand::Karpenter(a) => {
            let ami = Ami::parse(&a.ami)?;
            karpenter(
                catalog,
                &a.common,
                &a.name,
                a.cluster,
                a.role,
                ami,
                a.merge_patch,
                out,
                err,
            )
        }
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
    // A name, a CEL expression, or `recommended:FILE` (a recommend CSV).
    crate::input::recommended::parse_formula(&f.formula)
        .map_err(|e| if e.file.is_some() { e } else { e.at("--formula") })
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

/// `export karpenter` (and `export ec2nodeclass --target karpenter`).
#[allow(clippy::too_many_arguments)]
fn karpenter(
    catalog: &Catalog,
    f: &FormulaFlags,
    name: &str,
    cluster: Option<String>,
    role: Option<String>,
    ami: Ami,
    merge_patch: bool,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<(), Error> {
    let formula = parse_formula(f)?;
    let input = if !f.types.is_empty() {
        let t = catalog.select(&f.types, "--types")?;
        karpenter_export::Input::Types(t, format!("--types {}", f.types.join(" ")))
    } else if !f.nodepool.is_empty() {
        let (files, docs) = read::read_docs(&f.nodepool)?;
        let shown = files
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", ");
        karpenter_export::Input::Manifests(docs, shown)
    } else {
        return Err(InputError::field(
            "--nodepool/--types",
            "no instance types are named",
            "give --nodepool FILE (NodePool and EC2NodeClass manifests) or --types PATTERN... (e.g. --types 'm5.*' c6i.large)",
        )
        .into());
    };
    let opts = karpenter_export::Options {
        command: format!("export karpenter --formula {}", formula.name()),
        formula,
        ctx: context(f),
        input,
        name: name.to_string(),
        cluster,
        role,
        ami,
        merge_patch,
    };
    let e = karpenter_export::export(catalog, &opts)?;
    for n in &e.notes {
        let _ = writeln!(err, "note: {n}");
    }
    emit(&f.out, &e.text, out, err)?;
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
            return karpenter(
                catalog,
                &a.common,
                &a.name,
                a.cluster,
                a.role,
                ami.unwrap_or(Ami::Al2023),
                false,
                out,
                err,
            );
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
    let cluster = a.cluster.clone().unwrap_or_else(|| "YOUR_CLUSTER_NAME".into());
    let formula = parse_formula(&a.common)?;
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
            "Generated by sgpsim {}: export ec2nodeclass --target {} --formula {}",
            env!("CARGO_PKG_VERSION"),
            if ami == Ami::Al2 { "al2" } else { "nodeadm" },
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
                "Precedence: an explicit kubelet maxPods wins over maxPodsExpression (awslabs/amazon-eks-ami\n\
                 nodeadm/doc/examples.md): for nodes where nothing else sets maxPods. Karpenter sets one on\n\
                 every node it launches: there, use `sgpsim export karpenter`."
                    .into(),
            );
            let mut body = String::new();
            for c in &comments {
                for line in c.lines() {
                    body.push_str("# ");
                    body.push_str(line);
                    body.push('\n');
                }
            }
            body.push_str(&deploy::nodeconfig_expression(&e));
            deploy::mime("application/node.eks.aws", &body)
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
            let mut header = vec![
                format!(
                    "sgpsim UserData for {} nodes Karpenter does not manage: maxPods per instance type, formula {}.",
                    ami.alias(),
                    formula.name()
                ),
                format!("{} types from {source}.", rows.len()),
                format!(
                    "Logs one line per boot to {}, in the seed's format.",
                    deploy::script::LOG_FILE
                ),
            ];
            comments.push(format!(
                "UserData: a bash script with an exact table of {} types; others get {default}.",
                rows.len()
            ));
            comments.push(match ami {
                Ami::Al2023 => "It writes a NodeConfig with kubelet.config.maxPods and runs nodeadm with it as the last config source.".into(),
                Ami::Al2 => "It runs /etc/eks/bootstrap.sh --use-max-pods false --kubelet-extra-args --max-pods=N: for self-managed\n\
                             nodes or managed node groups with a custom AMI (without one, EKS appends its own bootstrap and caps\n\
                             maxPods at 110 or 250: EKS user guide, \"How maxPods is determined\"). EKS publishes AL2 AMIs up to\n\
                             Kubernetes 1.32 only.".into(),
            });
            comments.push(
                "Not for Karpenter nodes: Karpenter sets maxPods itself and plans with it; use `sgpsim export karpenter`.".into(),
            );
            header.extend(
                comments
                    .iter()
                    .flat_map(|c| c.lines().map(String::from))
                    .collect::<Vec<_>>(),
            );
            let params = ScriptParams {
                ami,
                logic,
                sg: ctx.settings.sgp,
                default_max_pods: default,
                default_why,
                cluster_name: cluster.clone(),
                header,
            };
            deploy::mime(
                "text/x-shellscript; charset=\"us-ascii\"",
                &deploy::script::render(&rows, &params),
            )
        }
    };
    for n in &notes {
        let _ = writeln!(err, "note: {n}");
    }
    if user_data.len() > karpenter_export::USER_DATA_LIMIT {
        return Err(InputError::field(
            "--types/--nodepool",
            format!(
                "the UserData is {} bytes (a table of {} types), over EC2's user data limit of 16 KB ({} bytes, \
                 before base64): EC2 would reject the launch template",
                user_data.len(),
                types.len(),
                karpenter_export::USER_DATA_LIMIT
            ),
            "give fewer types (--types, or a narrower NodePool); for Karpenter nodes use `sgpsim export karpenter` \
             (spec.kubelet.maxPods per EC2NodeClass, no script)",
        )
        .into());
    }
    emit(&a.common.out, &user_data, out, err)?;
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
    let reserved = karpenter_export::reserved_enis_setting(&formula, &ctx, &types);
    let text = match (reserved, deploy::karpenter_settings(&formula, &ctx, &types)) {
        (Some(r), Ok(cel)) => format!("{r}---\n# Alternative, for Karpenter's main branch only:\n{cel}"),
        (Some(r), Err(_)) => r,
        (None, Ok(cel)) => cel,
        (None, Err(why)) => {
            return Err(InputError::field(
                "--formula",
                why,
                "use `sgpsim export karpenter` (one EC2NodeClass per maxPods value, every Karpenter v1 release), \
                 or a formula such as karpenter-reserved-enis:1",
            )
            .into());
        }
    };
    emit(&a.common.out, &text, out, err)?;
    Ok(())
}
