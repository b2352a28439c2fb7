//! Flags several subcommands share: node settings, sweep overrides and the
//! output format.

use clap::{Args, ValueEnum};

use crate::error::InputError;
use crate::input::bounds::check_trials;
use crate::input::node_settings::{self, RawNodeSettings, Source};
use crate::input::scenario::Scenario;
use crate::model::node::NodeSettings;

/// `--format` of the listings and `replay`.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub(crate) enum Format {
    Table,
    Csv,
    Json,
}

/// `--format` of `run` and `check`: the report for a person, or JSON.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub(crate) enum TableOrJson {
    Table,
    Json,
}

#[derive(Debug, Args)]
pub(crate) struct NodeFlags {
    /// SGP off (`ENABLE_POD_ENI=false`): no trunk ENI, no branch ENIs.
    #[arg(long)]
    pub(crate) no_sgp: bool,
    /// Prefix delegation on: 16 IPs per ENI slot.
    #[arg(long)]
    pub(crate) prefix_delegation: bool,
    /// Custom networking on (ENIConfig): the primary ENI takes no pod IPs.
    #[arg(long)]
    pub(crate) custom_networking: bool,
    /// The VPC CNI's version, e.g. 1.19.0 (default: the current CNI). Before
    /// v1.16.4 the trunk ENI's IPs go to pods; before v1.20.4 a trunk slot
    /// is held back on every type.
    #[arg(long, value_name = "V")]
    pub(crate) cni_version: Option<String>,
    /// An IPv6 cluster: refused, the model is IPv4's (no per-ENI pool).
    #[arg(long)]
    pub(crate) ipv6: bool,
    /// The kubelet's podsPerCore: maxPods at most N × vCPUs.
    #[arg(long, value_name = "N")]
    pub(crate) pods_per_core: Option<u32>,
}

impl NodeFlags {
    /// The flags as a scenario's settings, before validation.
    pub(crate) fn raw(&self) -> RawNodeSettings {
        RawNodeSettings {
            sgp: Some(!self.no_sgp),
            prefix_delegation: Some(self.prefix_delegation),
            custom_networking: Some(self.custom_networking),
            cni_version: self.cni_version.clone(),
            ip_family: self.ipv6.then(|| "ipv6".to_string()),
            os: None,
            pods_per_core: self.pods_per_core,
        }
    }

    /// The validated settings; an error names the flag.
    pub(crate) fn settings(&self) -> Result<NodeSettings, InputError> {
        node_settings::validate(&self.raw(), Source::Flags)
    }
}

#[derive(Debug, Args)]
pub(crate) struct SweepFlags {
    /// Random trials per cell (overrides the scenario).
    #[arg(long, value_name = "N")]
    pub(crate) trials: Option<u32>,
    /// Master seed (overrides the scenario).
    #[arg(long, value_name = "S")]
    pub(crate) seed: Option<u64>,
    /// Worker threads (default: one per core). Results do not depend on it.
    #[arg(long, value_name = "T")]
    pub(crate) threads: Option<usize>,
    /// Raises the limit on a run's estimated work (pod placements, pod starts, samples).
    #[arg(long, value_name = "N")]
    pub(crate) max_work: Option<u64>,
}

impl SweepFlags {
    /// Sets the scenario's trials and seed where the flags give them.
    pub(crate) fn apply(&self, sc: &mut Scenario) -> Result<(), InputError> {
        if let Some(t) = self.trials {
            check_trials(t, "--trials")?;
            sc.trials = t;
        }
        if let Some(s) = self.seed {
            sc.seed = s;
        }
        if let Some(w) = self.max_work {
            sc.max_work = w;
        }
        Ok(())
    }
}
