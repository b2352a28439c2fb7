//! maxPods formulas (MODEL.md §4): the built-in ones by name, and CEL expressions.

use super::invalid::Invalid;
use std::fmt;
use std::sync::Arc;

use super::cel::{self, Type, Value};
use super::instance::InstanceType;
use super::node::{NodeSettings, SystemPods, branch_capacity, ip_capacity};

/// max-pods-calculator.sh's ceiling up to and including 30 vCPUs.
pub const PD_CAP_LOW_CPU: u32 = 110;
/// max-pods-calculator.sh's ceiling above 30 vCPUs.
pub const PD_CAP_HIGH_CPU: u32 = 250;
/// The vCPU count up to which the low ceiling applies (inclusive).
pub const PD_CAP_CPU_THRESHOLD: u32 = 30;

/// The variables a CEL formula may use. The first six are the names of
/// nodeadm's `maxPodsExpression` and Karpenter's CEL maxPods; the last two are ours.
pub const CEL_VARIABLES: [&str; 8] = [
    "default_enis",
    "ips_per_eni",
    "max_pods",
    "vcpus",
    "memory_mib",
    "instance_type",
    "branch_enis",
    "system_pods",
];

/// The CEL environment of a formula: [`CEL_VARIABLES`] with their types, as
/// nodeadm and Karpenter declare them (every one an `int` but `instance_type`).
const CEL_ENV: cel::Env = cel::Env {
    variables: &[
        ("default_enis", Type::Int),
        ("ips_per_eni", Type::Int),
        ("max_pods", Type::Int),
        ("vcpus", Type::Int),
        ("memory_mib", Type::Int),
        ("instance_type", Type::String),
        ("branch_enis", Type::Int),
        ("system_pods", Type::Int),
    ],
};

/// The variables of nodeadm's `kubelet.maxPodsExpression`.
pub const NODEADM_VARIABLES: &[&str] = CEL_VARIABLES.split_at(3).0;
/// The variables of Karpenter's CEL `spec.kubelet.maxPods`.
pub const KARPENTER_VARIABLES: &[&str] = CEL_VARIABLES.split_at(6).0;

/// The names every command lists when no formula is given.
pub const BUILTIN_NAMES: [&str; 6] = [
    "aws-default",
    "conservative",
    "aggressive",
    "seed-userdata",
    "karpenter-reserved-enis:1",
    "prefix-delegation",
];

/// The formula for custom networking, listed beside [`BUILTIN_NAMES`] when
/// custom networking is on.
pub const CUSTOM_NETWORKING_NAME: &str = "aws-custom-networking";

/// A maxPods formula.
#[derive(Clone)]
pub enum Formula {
    /// `E * (I - 1) + 2`, amazon-eks-ami's eni-max-pods.txt and nodeadm.
    AwsDefault,
    /// `(E - 1) * (I - 1) + 2`, max-pods-calculator.sh with
    /// `--cni-custom-networking-enabled`.
    AwsCustomNetworking,
    /// `S + pod IPs`: the seed's recommendation.
    Conservative,
    /// `S + pod IPs + branch ENIs`: the seed's alternative.
    Aggressive,
    /// `D - R(size)` on trunk types, the seed's UserData script.
    SeedUserdata,
    /// `(E - N) * (I - 1) + 2`, Karpenter's `RESERVED_ENIS=N`.
    KarpenterReservedEnis(u32),
    /// `min(cap, E * (I - 1) * 16 + 2)`, max-pods-calculator.sh with prefix delegation.
    PrefixDelegation,
    /// A fixed kubelet `maxPods`.
    Fixed(u32),
    /// A researcher's own CEL expression.
    Cel(CelFormula),
    /// A maxPods per instance type, from a table (`recommended:FILE`, read by
    /// the input layer): what was simulated is what gets applied.
    PerType {
        name: String,
        table: Arc<std::collections::BTreeMap<String, u32>>,
    },
}

/// A compiled CEL expression and its source text.
#[derive(Clone)]
pub struct CelFormula {
    source: String,
    program: Arc<cel::Program>,
}

/// A formula's value for one type, with a note where it is flagged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MaxPods {
    pub value: u32,
    /// Set where the result stands outside what the formula's origin covers.
    pub note: Option<String>,
}

/// A formula that cannot be evaluated for a type: the catalog lacks a figure,
/// or a CEL expression fails.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unavailable {
    pub reason: String,
}

impl fmt::Display for Unavailable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.reason)
    }
}

impl fmt::Debug for Formula {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Formula({})", self.name())
    }
}

impl PartialEq for Formula {
    fn eq(&self, other: &Self) -> bool {
        self.name() == other.name()
    }
}

/// `R(size)`: what the seed's UserData subtracts on trunk types.
pub fn seed_reserved(size: &str) -> Option<u32> {
    match size {
        "large" => Some(9),
        "xlarge" => Some(18),
        "2xlarge" => Some(38),
        "4xlarge" => Some(54),
        _ => None,
    }
}

/// `E * (I - 1) + 2`. The catalog's bounds keep it far below `u32::MAX`;
/// saturating arithmetic keeps an unchecked type from wrapping round.
pub fn aws_default(t: &InstanceType) -> u32 {
    t.max_enis
        .saturating_mul(t.ipv4_per_eni.saturating_sub(1))
        .saturating_add(2)
}

/// `(E - 1) * (I - 1) + 2`: the primary ENI's IPs left out (max-pods-calculator.sh
/// with custom networking). Like [`aws_default`], it knows nothing of a trunk.
pub fn aws_custom_networking(t: &InstanceType) -> u32 {
    t.max_enis
        .saturating_sub(1)
        .saturating_mul(t.ipv4_per_eni.saturating_sub(1))
        .saturating_add(2)
}

/// At most `max` characters of a formula's text, for messages: a CEL
/// formula may be up to [`cel::MAX_LEN`] bytes, and an error quotes a short excerpt.
pub fn shown(text: &str) -> String {
    const MAX: usize = 60;
    let mut out: String = text.chars().take(MAX).map(cel::printable).collect();
    if text.chars().count() > MAX {
        out.push('…');
    }
    out
}

impl Formula {
    /// Parses a formula name (`aws-default`, `karpenter-reserved-enis:1`,
    /// `fixed:58`, ...) or a CEL expression (optionally prefixed `cel:`).
    pub fn parse(text: &str) -> Result<Formula, Invalid> {
        let s = text.trim();
        let number = |rest: &str, what: &str| -> Result<u32, Invalid> {
            rest.trim().parse::<u32>().map_err(|_| {
                Invalid::new(
                    "formula",
                    format!("`{}`: `{}` is not a whole number", shown(s), shown(rest)),
                    format!("write it as `{what}:N`, e.g. `{what}:1`"),
                )
            })
        };
        Ok(match s {
            "aws-default" => Formula::AwsDefault,
            CUSTOM_NETWORKING_NAME => Formula::AwsCustomNetworking,
            "conservative" => Formula::Conservative,
            "aggressive" => Formula::Aggressive,
            "seed-userdata" => Formula::SeedUserdata,
            "prefix-delegation" => Formula::PrefixDelegation,
            "" => {
                return Err(Invalid::new(
                    "formula",
                    "the formula is empty",
                    format!("name one of {} or give a CEL expression", BUILTIN_NAMES.join(", ")),
                ));
            }
            _ => {
                if let Some(rest) = s.strip_prefix("karpenter-reserved-enis:") {
                    Formula::KarpenterReservedEnis(number(rest, "karpenter-reserved-enis")?)
                } else if let Some(rest) = s.strip_prefix("fixed:") {
                    let n = number(rest, "fixed")?;
                    if n == 0 {
                        return Err(Invalid::new(
                            "formula",
                            "`fixed:0` gives no pod slots",
                            "give a positive maxPods, e.g. `fixed:58`",
                        ));
                    }
                    Formula::Fixed(n)
                } else {
                    Formula::Cel(CelFormula::compile(s.strip_prefix("cel:").unwrap_or(s))?)
                }
            }
        })
    }

    /// Every built-in formula, as listed when none is named.
    pub fn builtins() -> Vec<Formula> {
        BUILTIN_NAMES
            .iter()
            .map(|n| Formula::parse(n).expect("built-in names parse"))
            .collect()
    }

    /// The built-in formulas for these settings: [`Formula::builtins`], and
    /// `aws-custom-networking` after them when custom networking is on.
    pub fn builtins_for(s: &NodeSettings) -> Vec<Formula> {
        let mut out = Formula::builtins();
        if s.custom_networking {
            out.push(Formula::AwsCustomNetworking);
        }
        out
    }

    /// The name, as accepted by [`Formula::parse`].
    pub fn name(&self) -> String {
        match self {
            Formula::AwsDefault => "aws-default".into(),
            Formula::AwsCustomNetworking => CUSTOM_NETWORKING_NAME.into(),
            Formula::Conservative => "conservative".into(),
            Formula::Aggressive => "aggressive".into(),
            Formula::SeedUserdata => "seed-userdata".into(),
            Formula::KarpenterReservedEnis(n) => format!("karpenter-reserved-enis:{n}"),
            Formula::PrefixDelegation => "prefix-delegation".into(),
            Formula::Fixed(n) => format!("fixed:{n}"),
            Formula::Cel(c) => c.source.clone(),
            Formula::PerType { name, .. } => name.clone(),
        }
    }

    /// Karpenter's `RESERVED_ENIS` the formula stands for: N under
    /// `karpenter-reserved-enis:N`, else 0 (its kube-reserved memory counts
    /// the ENI-limited pods less these ENIs).
    pub fn reserved_enis(&self) -> u32 {
        match self {
            Formula::KarpenterReservedEnis(n) => *n,
            _ => 0,
        }
    }

    /// `M` for one instance type under the node settings and system pods,
    /// capped by the kubelet's `podsPerCore` where it is set (MODEL.md §4:
    /// `min(M, podsPerCore * vCPUs)`, Karpenter `types.go` `pods()`).
    pub fn max_pods(&self, t: &InstanceType, s: &NodeSettings, sys: SystemPods) -> Result<MaxPods, Unavailable> {
        let m = self.uncapped(t, s, sys)?;
        let Some(per_core) = s.pods_per_core else {
            return Ok(m);
        };
        let vcpus = t.vcpus.ok_or_else(|| Unavailable {
            reason: format!(
                "podsPerCore {per_core} caps maxPods at podsPerCore × vCPUs, and the catalog lacks the vCPU count of {}",
                t.name
            ),
        })?;
        let cap = per_core.saturating_mul(vcpus);
        if cap >= m.value {
            return Ok(m);
        }
        let capped = format!(
            "capped by podsPerCore: {per_core} × {vcpus} vCPUs = {cap} (the formula gives {})",
            m.value
        );
        Ok(MaxPods {
            value: cap,
            note: Some(match m.note {
                Some(n) => format!("{n}; {capped}"),
                None => capped,
            }),
        })
    }

    /// `M` before the `podsPerCore` cap.
    fn uncapped(&self, t: &InstanceType, s: &NodeSettings, sys: SystemPods) -> Result<MaxPods, Unavailable> {
        let plain = |value| Ok(MaxPods { value, note: None });
        match self {
            Formula::AwsDefault => plain(aws_default(t)),
            Formula::AwsCustomNetworking => plain(aws_custom_networking(t)),
            Formula::Conservative => plain(sum(self, t, &[sys.host, ip_capacity(t, s)])?),
            Formula::Aggressive => plain(sum(self, t, &[sys.host, ip_capacity(t, s), branch_capacity(t, s)])?),
            Formula::SeedUserdata => {
                let d = t.eni_max_pods.ok_or_else(|| Unavailable {
                    reason: format!(
                        "seed-userdata needs D (eni-max-pods.txt), which the catalog lacks for {}",
                        t.name
                    ),
                })?;
                if !t.trunk_compatible {
                    return plain(d);
                }
                match seed_reserved(t.size()) {
                    Some(r) => plain(d.saturating_sub(r)),
                    None => Ok(MaxPods {
                        value: d,
                        note: Some(format!(
                            "size `{}` is outside the seed's table (large, xlarge, 2xlarge, 4xlarge): D used",
                            t.size()
                        )),
                    }),
                }
            }
            Formula::KarpenterReservedEnis(n) => {
                let usable = t.max_enis.saturating_sub(*n);
                plain(if usable == 0 {
                    0
                } else {
                    usable
                        .saturating_mul(t.ipv4_per_eni.saturating_sub(1))
                        .saturating_add(2)
                })
            }
            Formula::PrefixDelegation => {
                let vcpus = t.vcpus.ok_or_else(|| Unavailable {
                    reason: format!(
                        "prefix-delegation needs the vCPU count for its 110/250 cap, which the catalog lacks for {}",
                        t.name
                    ),
                })?;
                let cap = if vcpus <= PD_CAP_CPU_THRESHOLD {
                    PD_CAP_LOW_CPU
                } else {
                    PD_CAP_HIGH_CPU
                };
                let uncapped = u64::from(t.max_enis) * u64::from(t.ipv4_per_eni.saturating_sub(1)) * 16 + 2;
                plain(uncapped.min(u64::from(cap)) as u32)
            }
            Formula::Fixed(n) => plain(*n),
            Formula::Cel(c) => c.evaluate(t, sys).map(|value| MaxPods { value, note: None }),
            Formula::PerType { name, table } => match table.get(&t.name) {
                Some(&v) => plain(v),
                None => Err(Unavailable {
                    reason: format!("{name} has no row for {}", t.name),
                }),
            },
        }
    }
}

/// `S` plus capacities, or an error where the sum leaves `u32` (a system-pod
/// count far beyond any node; the input layer bounds it, this keeps any
/// other caller from a wrapped figure).
fn sum(f: &Formula, t: &InstanceType, parts: &[u32]) -> Result<u32, Unavailable> {
    parts
        .iter()
        .try_fold(0u32, |acc, x| acc.checked_add(*x))
        .ok_or_else(|| Unavailable {
            reason: format!(
                "{} on {} adds up to more than {}: check the system pod count",
                f.name(),
                t.name,
                u32::MAX
            ),
        })
}

impl CelFormula {
    fn compile(source: &str) -> Result<CelFormula, Invalid> {
        let fix = || {
            format!(
                "name one of {}, `fixed:N`, or write CEL over {}",
                BUILTIN_NAMES.join(", "),
                CEL_VARIABLES.join(", ")
            )
        };
        let program = cel::Program::compile(source, CEL_ENV).map_err(|e| {
            Invalid::new(
                "formula",
                format!(
                    "`{}` is neither a formula name nor a valid CEL expression: {}",
                    shown(source),
                    e.describe(source)
                ),
                fix(),
            )
        })?;
        if !matches!(program.result_type(), Type::Int | Type::Uint | Type::Double) {
            return Err(Invalid::new(
                "formula",
                format!(
                    "`{}` gives a {}, not a number of pods",
                    shown(source),
                    program.result_type()
                ),
                "make the expression give an int, e.g. `cond ? 20 : max_pods`",
            ));
        }
        Ok(CelFormula {
            source: source.to_string(),
            program: Arc::new(program),
        })
    }

    /// The variables the expression reads.
    pub fn uses(&self) -> &[&'static str] {
        self.program.variables()
    }

    /// Whether the expression uses only the names nodeadm's
    /// `kubelet.maxPodsExpression` knows (`default_enis`, `ips_per_eni`,
    /// `max_pods`) and no function outside CEL's standard library.
    pub fn nodeadm_compatible(&self) -> bool {
        self.uses().iter().all(|v| NODEADM_VARIABLES.contains(v)) && self.program.extensions().is_empty()
    }

    fn evaluate(&self, t: &InstanceType, sys: SystemPods) -> Result<u32, Unavailable> {
        let shown = shown(&self.source);
        let missing = |what: &str| Unavailable {
            reason: format!("`{shown}` uses {what}, which the catalog lacks for {}", t.name),
        };
        let uses = |name: &str| self.uses().contains(&name);
        let int = |v: u32| Some(Value::Int(i64::from(v)));
        let vcpus = match t.vcpus {
            Some(v) => int(v),
            None if uses("vcpus") => return Err(missing("vcpus")),
            None => None,
        };
        let memory = match t.memory_mib {
            Some(m) => Some(Value::Int(i64::try_from(m).map_err(|_| Unavailable {
                reason: format!("the memory of {} ({m} MiB) is out of range for CEL", t.name),
            })?)),
            None if uses("memory_mib") => return Err(missing("memory_mib")),
            None => None,
        };
        let vars = [
            int(t.max_enis),
            int(t.ipv4_per_eni),
            int(aws_default(t)),
            vcpus,
            memory,
            Some(Value::String(t.name.clone())),
            int(t.branch_enis),
            int(sys.host),
        ];
        let value = self.program.evaluate(&vars).map_err(|e| Unavailable {
            reason: format!("`{shown}` failed for {}: {e}", t.name),
        })?;
        let n: i128 = match value {
            Value::Int(i) => i128::from(i),
            Value::Uint(u) => i128::from(u),
            // nodeadm and Karpenter truncate a double toward zero.
            Value::Double(d) if d.is_finite() && d.abs() < 1e30 => d.trunc() as i128,
            other => {
                return Err(Unavailable {
                    reason: format!("`{shown}` gave {other} for {}, not a whole number", t.name),
                });
            }
        };
        u32::try_from(n).map_err(|_| Unavailable {
            reason: format!("`{shown}` gave {n} for {}, outside 0..=4294967295", t.name),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::catalog::Catalog;

    fn m(formula: &str, ty: &str, s: u32) -> u32 {
        let c = Catalog::bundled();
        Formula::parse(formula)
            .unwrap()
            .max_pods(
                c.get(ty).unwrap(),
                &NodeSettings::default(),
                SystemPods { host: s, ip: 0 },
            )
            .unwrap()
            .value
    }

    /// MODEL.md §10, first table, every row.
    #[test]
    fn model_section_10_table() {
        let rows = [
            ("m5.large", 2, 29, 20, 29),
            ("m5.xlarge", 3, 58, 45, 63),
            ("m5.2xlarge", 3, 58, 45, 83),
            ("c6i.large", 3, 29, 21, 30),
            ("c6i.xlarge", 3, 58, 45, 63),
            ("c6i.2xlarge", 3, 58, 45, 83),
        ];
        for (ty, s, def, cons, aggr) in rows {
            assert_eq!(m("aws-default", ty, s), def, "{ty} aws-default");
            assert_eq!(m("conservative", ty, s), cons, "{ty} conservative");
            assert_eq!(m("aggressive", ty, s), aggr, "{ty} aggressive");
        }
    }

    fn with(formula: &str, ty: &str, s: u32, settings: NodeSettings) -> MaxPods {
        let c = Catalog::bundled();
        Formula::parse(formula)
            .unwrap()
            .max_pods(c.get(ty).unwrap(), &settings, SystemPods { host: s, ip: 0 })
            .unwrap()
    }

    /// MODEL.md §3-§4 by hand, custom networking on the seed's six types
    /// (E, I, B: m5.large 3, 10, 9; m5.xlarge and m5.2xlarge 4, 15, 18/38;
    /// c6i likewise): pod IPs `(E - 2)(I - 1)` with the trunk, so
    /// conservative `S + (E - 2)(I - 1)`, aggressive that plus `B`, and
    /// aws-custom-networking `(E - 1)(I - 1) + 2`, which knows nothing of the trunk.
    #[test]
    fn custom_networking_on_the_seed_types() {
        let cn = NodeSettings {
            custom_networking: true,
            ..NodeSettings::default()
        };
        let rows = [
            ("m5.large", 2, 11, 20, 20),
            ("m5.xlarge", 3, 31, 49, 44),
            ("m5.2xlarge", 3, 31, 69, 44),
            ("c6i.large", 3, 12, 21, 20),
            ("c6i.xlarge", 3, 31, 49, 44),
            ("c6i.2xlarge", 3, 31, 69, 44),
        ];
        for (ty, s, cons, aggr, acn) in rows {
            assert_eq!(with("conservative", ty, s, cn).value, cons, "{ty} conservative");
            assert_eq!(with("aggressive", ty, s, cn).value, aggr, "{ty} aggressive");
            assert_eq!(
                with("aws-custom-networking", ty, s, cn).value,
                acn,
                "{ty} aws-custom-networking"
            );
            // Formulas that do not count pod IPs do not follow the setting.
            assert_eq!(
                with("aws-default", ty, s, cn).value,
                with("aws-default", ty, s, NodeSettings::default()).value
            );
        }
        assert_eq!(
            Formula::builtins_for(&cn).last().map(Formula::name).as_deref(),
            Some("aws-custom-networking")
        );
        assert_eq!(Formula::builtins_for(&NodeSettings::default()).len(), 6);
    }

    /// podsPerCore caps every formula (MODEL.md §4): m5.xlarge has 4 vCPUs.
    #[test]
    fn pods_per_core_caps_every_formula() {
        let ppc = |n| NodeSettings {
            pods_per_core: Some(n),
            ..NodeSettings::default()
        };
        let m = with("aws-default", "m5.xlarge", 3, ppc(10));
        assert_eq!(m.value, 40);
        assert!(m.note.unwrap().contains("10 × 4 vCPUs = 40"));
        // Above the formula, the cap changes nothing and says nothing.
        assert_eq!(
            with("aws-default", "m5.xlarge", 3, ppc(20)),
            MaxPods { value: 58, note: None }
        );
        assert_eq!(with("conservative", "m5.xlarge", 3, ppc(10)).value, 40);
        assert_eq!(with("fixed:100", "m5.large", 3, ppc(5)).value, 10);
        assert_eq!(with("max_pods", "m5.large", 3, ppc(5)).value, 10);
        // A type without a vCPU count has no figure under the cap.
        let c = Catalog::bundled();
        let mut t = c.get("m5.large").unwrap().clone();
        t.vcpus = None;
        let e = Formula::AwsDefault
            .max_pods(&t, &ppc(5), SystemPods::default())
            .unwrap_err();
        assert!(e.reason.contains("vCPU"), "{e}");
        assert!(
            Formula::AwsDefault
                .max_pods(&t, &NodeSettings::default(), SystemPods::default())
                .is_ok()
        );
    }

    #[test]
    fn aws_default_equals_published_d_everywhere() {
        let c = Catalog::bundled();
        for t in c.iter().filter(|t| t.eni_max_pods.is_some()) {
            let v = Formula::AwsDefault
                .max_pods(t, &NodeSettings::default(), SystemPods::default())
                .unwrap();
            assert_eq!(Some(v.value), t.eni_max_pods, "{}", t.name);
        }
    }

    #[test]
    fn seed_userdata_by_size_and_trunk() {
        assert_eq!(m("seed-userdata", "r5.large", 2), 20); // the seed's own log line
        assert_eq!(m("seed-userdata", "m5.xlarge", 3), 40);
        assert_eq!(m("seed-userdata", "m5.2xlarge", 3), 20);
        assert_eq!(m("seed-userdata", "m5.4xlarge", 3), 234 - 54);
        assert_eq!(m("seed-userdata", "t3.large", 2), 35); // not trunk compatible: D
        let c = Catalog::bundled();
        let big = Formula::SeedUserdata
            .max_pods(
                c.get("m5.8xlarge").unwrap(),
                &NodeSettings::default(),
                SystemPods::default(),
            )
            .unwrap();
        assert_eq!(big.value, 234);
        assert!(big.note.unwrap().contains("outside the seed's table"));
        let none = Formula::SeedUserdata.max_pods(
            c.get("c7i.32xlarge").unwrap(),
            &NodeSettings::default(),
            SystemPods::default(),
        );
        assert!(none.unwrap_err().reason.contains("lacks"));
    }

    #[test]
    fn karpenter_reserved_enis() {
        assert_eq!(m("karpenter-reserved-enis:1", "m5.large", 2), 20);
        assert_eq!(m("karpenter-reserved-enis:1", "m5.4xlarge", 2), 205);
        assert_eq!(m("karpenter-reserved-enis:0", "m5.large", 2), 29);
        assert_eq!(m("karpenter-reserved-enis:3", "m5.large", 2), 0);
    }

    #[test]
    fn prefix_delegation_caps_at_30_vcpus() {
        assert_eq!(m("prefix-delegation", "m5.large", 2), 110);
        let c = Catalog::bundled();
        let with_vcpus = |v| {
            let mut t = c.get("m5.8xlarge").unwrap().clone();
            t.vcpus = Some(v);
            Formula::PrefixDelegation
                .max_pods(&t, &NodeSettings::default(), SystemPods::default())
                .unwrap()
                .value
        };
        assert_eq!(with_vcpus(30), 110);
        assert_eq!(with_vcpus(31), 250);
        // Uncapped below the cap: a1.medium has 2 ENIs of 4 IPs: 2*3*16+2 = 98.
        assert_eq!(m("prefix-delegation", "a1.medium", 0), 98);
    }

    #[test]
    fn cel_with_nodeadm_names_and_ours() {
        assert_eq!(m("((default_enis - 1) * (ips_per_eni - 1)) + 2", "m5.large", 2), 20);
        assert_eq!(
            m(
                "system_pods + (default_enis - 1) * (ips_per_eni - 1) + branch_enis",
                "m5.xlarge",
                3
            ),
            63
        );
        assert_eq!(m("cel:max_pods", "m5.xlarge", 3), 58);
        assert_eq!(m("instance_type == 'm5.large' ? 17 : max_pods", "m5.large", 3), 17);
        assert_eq!(m("vcpus * 10", "m5.xlarge", 3), 40);
        let f = Formula::parse("((default_enis - 1) * (ips_per_eni - 1)) + 2").unwrap();
        match f {
            Formula::Cel(c) => assert!(c.nodeadm_compatible()),
            _ => panic!("not CEL"),
        }
    }

    #[test]
    fn bad_formulas_are_input_errors() {
        for bad in [
            "conservativ",
            "fixed:x",
            "fixed:0",
            "max_pods +",
            "karpenter-reserved-enis:",
        ] {
            let e = Formula::parse(bad).unwrap_err();
            assert_eq!(e.field, "formula", "{bad}: {e}");
        }
        let e = Formula::parse("conservativ").unwrap_err().to_string();
        assert!(e.contains("aws-default"), "{e}");
        // A type error is found before anything runs, as cel-go's checker finds it.
        let e = Formula::parse("max_pods / 2.0").unwrap_err();
        assert!(e.problem.contains("int and double"), "{e}");
        let c = Catalog::bundled();
        let t = c.get("m5.large").unwrap();
        // A double is truncated toward zero, as nodeadm and Karpenter do.
        assert_eq!(m("double(max_pods) / 2.0", "m5.large", 2), 14);
        let neg = Formula::parse("max_pods - 100").unwrap();
        assert!(
            neg.max_pods(t, &NodeSettings::default(), SystemPods::default())
                .is_err()
        );
    }
}
