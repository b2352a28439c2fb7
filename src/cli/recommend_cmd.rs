//! `sgpsim recommend PATTERN... --sg-share P`: the largest maxPods within a
//! risk budget (MODEL.md §11), beside every named formula, optionally checked
//! on a whole cluster.

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::Format;
use super::flags::NodeFlags;
use crate::error::{Error, InputError};
use crate::input::catalog::Catalog;
use crate::input::prices::{DEFAULT_REGION, Prices};
use crate::input::scenario::Scenario;
use crate::model::exact::Risk;
use crate::model::node::Res;
use crate::model::node::SystemPods;
use crate::output::recommend as render;
use crate::recommend::{self, KindRequests, Question};
use crate::runner::pool::Pool;

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum RiskArg {
    /// The probability that a node ends with a pod that can never start.
    AnyFailure,
    /// The expected share of pods that get no IP.
    FailureShare,
}

#[derive(Debug, Args)]
pub struct RecommendArgs {
    /// Instance types: names or shell-style globs (`m6i.*`).
    #[arg(required = true)]
    pub patterns: Vec<String>,
    /// The share of SG pods in the workload: `0.3`, `30%`, a list `0.1,0.3`
    /// or a range `0..1:0.01`.
    #[arg(long, value_name = "P")]
    pub sg_share: String,
    /// Which risk the budget bounds.
    #[arg(long, value_enum, default_value = "any-failure")]
    pub risk: RiskArg,
    /// The highest risk accepted: `0.01` or `1%`.
    #[arg(long, default_value = "1%", value_name = "B")]
    pub budget: String,
    /// hostNetwork system pods per node (`S`).
    #[arg(long, default_value_t = 2, value_name = "S")]
    pub system_pods: u32,
    /// System pods per node that take an IP (DaemonSets without hostNetwork).
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub system_ip_pods: u32,
    #[command(flatten)]
    pub node: NodeFlags,
    /// CPU and memory one SG pod requests: `cpu=500m,memory=1Gi` (a node
    /// may then fill on them before its slots).
    #[arg(long, value_name = "REQ")]
    pub sg_request: Option<String>,
    /// CPU and memory one IP pod requests: `cpu=250m,memory=512Mi`.
    #[arg(long, value_name = "REQ")]
    pub ip_request: Option<String>,
    /// CPU and memory one hostNetwork system pod requests.
    #[arg(long, value_name = "REQ")]
    pub system_request: Option<String>,
    /// CPU and memory one IP system pod requests.
    #[arg(long, value_name = "REQ")]
    pub system_ip_request: Option<String>,
    /// `node` (exact, MODEL.md §11), `rollout` (whole rollouts of the static
    /// replay, Monte Carlo), or a scenario file (static or timed) to check
    /// the answer in.
    #[arg(long, default_value = "node", value_name = "MODEL")]
    pub model: String,
    /// A total workload, for nodes needed and cost per hour (with --sg-pods).
    #[arg(long, value_name = "N", requires = "sg_pods")]
    pub pods: Option<u64>,
    /// SG pods of that workload.
    #[arg(long, value_name = "N", requires = "pods")]
    pub sg_pods: Option<u64>,
    /// The region whose on-demand prices give the cost.
    #[arg(long, default_value = DEFAULT_REGION, value_name = "R")]
    pub region: String,
    /// The largest maxPods to recommend (EKS guidance for large nodes: 250).
    #[arg(long, default_value_t = 250, value_name = "N")]
    pub max_pods_cap: u32,
    /// Random rollouts per maxPods checked with --model rollout.
    #[arg(long, default_value_t = 200, value_name = "N")]
    pub trials: u32,
    /// Seed of the rollouts.
    #[arg(long, default_value_t = 1, value_name = "S")]
    pub seed: u64,
    /// Worker threads for --model rollout or a scenario (default: one per core).
    #[arg(long, value_name = "T")]
    pub threads: Option<usize>,
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
    /// Write here instead of standard output (`-`: standard output).
    #[arg(long, short, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// A fraction written as `0.01` or `1%`.
fn fraction(text: &str, flag: &str) -> Result<f64, InputError> {
    let t = text.trim();
    let (num, scale) = match t.strip_suffix('%') {
        Some(n) => (n.trim(), 100.0),
        None => (t, 1.0),
    };
    num.parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .map(|v| v / scale)
        .ok_or_else(|| {
            InputError::field(
                flag,
                format!("`{}` is not a fraction", crate::input::bounds::excerpt(t)),
                "give a number such as 0.3 or a percentage such as 30%",
            )
        })
}

/// `0.3`, `30%`, `0.1,0.3` or `0..1:0.01`.
fn shares(text: &str) -> Result<Vec<f64>, InputError> {
    if let Some((range, step)) = text.split_once(':') {
        let (a, b) = range.split_once("..").ok_or_else(|| {
            InputError::field(
                "--sg-share",
                "a range is written `FROM..TO:STEP`",
                "e.g. --sg-share 0..1:0.01",
            )
        })?;
        let (a, b, step) = (
            fraction(a, "--sg-share")?,
            fraction(b, "--sg-share")?,
            fraction(step, "--sg-share")?,
        );
        if step <= 0.0 || b < a {
            return Err(InputError::field(
                "--sg-share",
                "the range is empty or its step is not positive",
                "e.g. --sg-share 0..1:0.01",
            ));
        }
        let n = ((b - a) / step + 1e-9).floor() as u64;
        if n > 10_000 {
            return Err(InputError::field(
                "--sg-share",
                format!("{} shares is too many", n + 1),
                "use a step of at least 0.0001",
            ));
        }
        return Ok((0..=n)
            .map(|i| (a + i as f64 * step).min(b))
            .map(|x| (x * 1e9).round() / 1e9)
            .collect());
    }
    text.split(',').map(|s| fraction(s, "--sg-share")).collect()
}

/// The four request flags, where any is given.
fn requests(a: &RecommendArgs) -> Result<Option<KindRequests>, InputError> {
    let read = |v: &Option<String>, name: &str| -> Result<Res, InputError> {
        v.as_deref()
            .map_or(Ok(Res::ZERO), |t| crate::input::requests::flag(t, name))
    };
    let given = [&a.sg_request, &a.ip_request, &a.system_request, &a.system_ip_request]
        .iter()
        .any(|v| v.is_some());
    if !given {
        return Ok(None);
    }
    Ok(Some(KindRequests {
        sg: read(&a.sg_request, "--sg-request")?,
        ip: read(&a.ip_request, "--ip-request")?,
        system_host: read(&a.system_request, "--system-request")?,
        system_ip: read(&a.system_ip_request, "--system-ip-request")?,
    }))
}

pub fn run(catalog: &Catalog, a: RecommendArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<(), Error> {
    let types = catalog.select(&a.patterns, "PATTERN")?;
    let prices = Prices::bundled();
    prices.check_region(&a.region)?;
    let q = Question {
        sg_shares: shares(&a.sg_share)?,
        risk: match a.risk {
            RiskArg::AnyFailure => Risk::AnyFailure,
            RiskArg::FailureShare => Risk::FailureShare,
        },
        budget: fraction(&a.budget, "--budget")?,
        system: SystemPods {
            host: a.system_pods,
            ip: a.system_ip_pods,
        },
        settings: a.node.settings()?,
        cap: a.max_pods_cap,
        workload: a.pods.zip(a.sg_pods),
        region: a.region.clone(),
        requests: requests(&a)?,
    };
    q.validate()?;
    crate::input::bounds::check_trials(a.trials, "--trials")?;
    let pool = Pool::new(a.threads)?;
    let answers = pool.install(|| crate::runner::recommend::answers(&types, &q, &prices));
    let checks = match a.model.as_str() {
        "node" => Vec::new(),
        "rollout" => pool.install(|| crate::runner::recommend::rollouts(&types, &answers, &q, a.trials, a.seed)),
        path => {
            let sc = Scenario::load(std::path::Path::new(path), catalog).map_err(|e| e.at("--model"))?;
            recommend::check_settings(&q, &sc).map_err(|e| e.in_file(path))?;
            pool.install(|| crate::runner::recommend::in_scenario(&types, &answers, &sc))
                .map_err(|e| e.in_file(path))?
        }
    };
    let bytes = match a.format {
        Format::Table => {
            let mut text = render::text(&answers, &checks);
            if let Some(c) = recommend::cheapest(&answers) {
                text.push_str(&c);
            }
            text.into_bytes()
        }
        Format::Csv => render::csv(&answers),
        Format::Json => render::json(&answers, &checks),
    };
    crate::cli::io::write_output(a.out.as_deref(), &bytes, out, err)?;
    Ok(())
}
