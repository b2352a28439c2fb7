//! `sgpsim replay`'s flags as a scenario: one instance type, formula and
//! order, a workload by counts or the seed's fill, and a fixed or autoscaled
//! cluster, validated exactly as a scenario file is, with every error naming
//! the flag to change instead of the scenario field.

use crate::error::InputError;
use crate::input::bounds::check_trials;
use crate::input::catalog::Catalog;
use crate::input::node_settings::{self, RawNodeSettings, Source};
use crate::input::scenario::{RawNodes, RawScenario, RawSystemPods, RawWorkload, Scenario};
use crate::model::cell::Cell;

/// The flags, as given (`None` where a flag is absent).
#[derive(Debug, Clone, Default)]
pub struct ReplayFlags {
    /// `--type`.
    pub instance_type: String,
    pub formula: String,
    pub order: String,
    pub sg_pods: Option<u32>,
    pub ip_pods: Option<u32>,
    pub host_pods: Option<u32>,
    /// `--fill`: only `seed` is known.
    pub fill: Option<String>,
    /// hostNetwork system pods per node.
    pub system_pods: u32,
    pub system_ip_pods: u32,
    /// A fixed cluster's nodes; with `autoscale`, the nodes at the start.
    pub nodes: Option<u32>,
    pub autoscale: bool,
    pub max_nodes: Option<u32>,
    pub policy: String,
    /// The node settings (`--no-sgp`, `--prefix-delegation`,
    /// `--custom-networking`, `--cni-version`, `--ipv6`, `--pods-per-core`).
    pub node: RawNodeSettings,
    pub trials: Option<u32>,
    pub seed: Option<u64>,
}

impl ReplayFlags {
    /// The validated scenario of these flags: one cell (`sc.cells()`).
    pub fn scenario(&self, catalog: &Catalog) -> Result<Scenario, InputError> {
        // Checked here first so that an error names the flag and a fix in flags.
        node_settings::validate(&self.node, Source::Flags)?;
        let fill = match self.fill.as_deref() {
            None => None,
            Some("seed") => Some("seed".to_string()),
            Some(other) => {
                return Err(InputError::field(
                    "--fill",
                    format!("unknown fill `{other}`"),
                    "use `--fill seed`",
                ));
            }
        };
        if fill.is_none() && self.sg_pods.is_none() && self.ip_pods.is_none() && self.host_pods.is_none() {
            return Err(InputError::field(
                "--sg-pods/--ip-pods",
                "no workload is given",
                "give --sg-pods N and --ip-pods N (and --host-pods N), or --fill seed",
            ));
        }
        let raw = RawScenario {
            name: Some("replay".into()),
            seed: self.seed,
            trials: self.trials,
            instance_types: Some(vec![self.instance_type.clone()]),
            formulas: Some(vec![self.formula.clone()]),
            orders: Some(vec![self.order.clone()]),
            policy: Some(self.policy.clone()),
            sgp: self.node.sgp,
            prefix_delegation: self.node.prefix_delegation,
            custom_networking: self.node.custom_networking,
            cni_version: self.node.cni_version.clone(),
            ip_family: self.node.ip_family.clone(),
            os: self.node.os.clone(),
            pods_per_core: self.node.pods_per_core,
            system_pods: RawSystemPods {
                host: self.system_pods,
                ip: self.system_ip_pods,
                by_type: Default::default(),
                requests: None,
            },
            workload: Some(RawWorkload {
                fill,
                nodes: None,
                sg_pods: self.sg_pods,
                ip_pods: self.ip_pods,
                host_pods: self.host_pods,
                requests: None,
                groups: None,
            }),
            nodes: if self.autoscale {
                RawNodes {
                    count: None,
                    autoscale: true,
                    initial: self.nodes,
                    max: self.max_nodes,
                }
            } else {
                RawNodes {
                    count: self.nodes,
                    ..Default::default()
                }
            },
            ..Default::default()
        };
        let sc = Scenario::validate(raw, "replay", catalog).map_err(|e| InputError {
            field: flag_for(e.field.as_deref()),
            ..e
        })?;
        if let Some(t) = self.trials {
            check_trials(t, "--trials")?;
        }
        Ok(sc)
    }
}

/// `--trial K`: a trial index of `cell`.
pub fn check_trial(cell: &Cell, k: u32) -> Result<(), InputError> {
    if k >= cell.trials {
        return Err(InputError::field(
            "--trial",
            format!("trial {k} is outside 0..{} of this cell", cell.trials),
            "give a trial index below --trials (deterministic orders have only trial 0)",
        ));
    }
    Ok(())
}

/// Maps a scenario field to the `replay` flag that sets it.
fn flag_for(field: Option<&str>) -> Option<String> {
    let f = field?;
    let flag = match f {
        "instance_types" => "--type",
        x if x.starts_with("formulas") => "--formula",
        "orders" => "--order",
        "policy" => "--policy",
        "trials" => "--trials",
        "system_pods" => "--system-pods",
        "system_pods.ip" => "--system-ip-pods",
        "nodes.count" | "nodes.initial" => "--nodes",
        "nodes.max" => "--max-nodes",
        "workload.fill" => "--fill",
        x if x.starts_with("workload") => "--sg-pods/--ip-pods/--host-pods",
        other => node_settings::flag(other),
    };
    Some(flag.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flags() -> ReplayFlags {
        ReplayFlags {
            instance_type: "m5.large".into(),
            formula: "aws-default".into(),
            order: "random".into(),
            fill: Some("seed".into()),
            system_pods: 2,
            policy: "most-allocated".into(),
            ..Default::default()
        }
    }

    #[test]
    fn flags_make_one_cell() {
        let sc = flags().scenario(&Catalog::bundled()).unwrap();
        let cells = sc.cells().unwrap();
        assert_eq!(cells.len(), 1);
        assert_eq!((cells[0].counts.sg, cells[0].counts.ip), (9, 27));
        assert!(check_trial(&cells[0], cells[0].trials - 1).is_ok());
        assert_eq!(
            check_trial(&cells[0], cells[0].trials).unwrap_err().field.as_deref(),
            Some("--trial")
        );
    }

    #[test]
    fn errors_name_the_flag() {
        let c = Catalog::bundled();
        let field = |f: ReplayFlags| f.scenario(&c).unwrap_err().field;
        let typo = ReplayFlags {
            instance_type: "m5.larg".into(),
            ..flags()
        };
        assert_eq!(field(typo).as_deref(), Some("--type"));
        let order = ReplayFlags {
            order: "sg-last".into(),
            ..flags()
        };
        assert_eq!(field(order).as_deref(), Some("--order"));
        let no_workload = ReplayFlags { fill: None, ..flags() };
        assert_eq!(field(no_workload).as_deref(), Some("--sg-pods/--ip-pods"));
        let fill = ReplayFlags {
            fill: Some("half".into()),
            ..flags()
        };
        assert_eq!(field(fill).as_deref(), Some("--fill"));
        let nodes = ReplayFlags {
            nodes: Some(10_000_000),
            ..flags()
        };
        assert_eq!(field(nodes).as_deref(), Some("--nodes"));
    }
}
