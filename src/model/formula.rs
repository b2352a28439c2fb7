//! maxPods formulas (MODEL.md §4): the built-in ones by name, and CEL expressions.

use super::invalid::Invalid;
use std::fmt;
use std::sync::Arc;

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

/// A maxPods formula.
#[derive(Clone)]
pub enum Formula {
    /// `E * (I - 1) + 2`, amazon-eks-ami's eni-max-pods.txt and nodeadm.
    AwsDefault,
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
    uses: Vec<&'static str>,
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

/// `E * (I - 1) + 2`.
pub fn aws_default(t: &InstanceType) -> u32 {
    t.max_enis * t.ipv4_per_eni.saturating_sub(1) + 2
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
                    format!("`{s}`: `{rest}` is not a whole number"),
                    format!("write it as `{what}:N`, e.g. `{what}:1`"),
                )
            })
        };
        Ok(match s {
            "aws-default" => Formula::AwsDefault,
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

    /// The name, as accepted by [`Formula::parse`].
    pub fn name(&self) -> String {
        match self {
            Formula::AwsDefault => "aws-default".into(),
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

    /// `M` for one instance type under the node settings and system pods.
    pub fn max_pods(&self, t: &InstanceType, s: &NodeSettings, sys: SystemPods) -> Result<MaxPods, Unavailable> {
        let plain = |value| Ok(MaxPods { value, note: None });
        match self {
            Formula::AwsDefault => plain(aws_default(t)),
            Formula::Conservative => plain(sys.host + ip_capacity(t, s)),
            Formula::Aggressive => plain(sys.host + ip_capacity(t, s) + branch_capacity(t, s)),
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
                    usable * t.ipv4_per_eni.saturating_sub(1) + 2
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
                let uncapped = t.max_enis as u64 * t.ipv4_per_eni.saturating_sub(1) as u64 * 16 + 2;
                plain(uncapped.min(cap as u64) as u32)
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

impl CelFormula {
    fn compile(source: &str) -> Result<CelFormula, Invalid> {
        let program = cel::Program::compile(source).map_err(|e| {
            Invalid::new(
                "formula",
                format!("`{source}` is neither a formula name nor a valid CEL expression: {e}"),
                format!(
                    "name one of {}, `fixed:N`, or write CEL over {}",
                    BUILTIN_NAMES.join(", "),
                    CEL_VARIABLES.join(", ")
                ),
            )
        })?;
        let refs = program.references();
        let mut unknown: Vec<&str> = refs
            .variables()
            .into_iter()
            .filter(|v| !CEL_VARIABLES.contains(v))
            .collect();
        unknown.sort();
        if !unknown.is_empty() {
            return Err(Invalid::new(
                "formula",
                format!(
                    "`{source}` is not a formula name, and as CEL it uses unknown variable(s) {}",
                    unknown.join(", ")
                ),
                format!(
                    "name one of {}, `fixed:N`, or use only the variables {}",
                    BUILTIN_NAMES.join(", "),
                    CEL_VARIABLES.join(", ")
                ),
            ));
        }
        let uses = CEL_VARIABLES.iter().copied().filter(|v| refs.has_variable(v)).collect();
        Ok(CelFormula {
            source: source.to_string(),
            program: Arc::new(program),
            uses,
        })
    }

    /// Whether the expression uses only the names nodeadm's
    /// `kubelet.maxPodsExpression` knows (`default_enis`, `ips_per_eni`, `max_pods`).
    pub fn nodeadm_compatible(&self) -> bool {
        self.uses.iter().all(|v| NODEADM_VARIABLES.contains(v))
    }

    fn evaluate(&self, t: &InstanceType, sys: SystemPods) -> Result<u32, Unavailable> {
        let missing = |what: &str| Unavailable {
            reason: format!("`{}` uses {what}, which the catalog lacks for {}", self.source, t.name),
        };
        let mut ctx = cel::Context::default();
        let mut int = |name: &str, v: i64| {
            if self.uses.contains(&name) {
                ctx.add_variable_from_value(name, v);
            }
        };
        int("default_enis", t.max_enis as i64);
        int("ips_per_eni", t.ipv4_per_eni as i64);
        int("max_pods", aws_default(t) as i64);
        int("branch_enis", t.branch_enis as i64);
        int("system_pods", sys.host as i64);
        if self.uses.contains(&"vcpus") {
            int("vcpus", t.vcpus.ok_or_else(|| missing("vcpus"))? as i64);
        }
        if self.uses.contains(&"memory_mib") {
            int("memory_mib", t.memory_mib.ok_or_else(|| missing("memory_mib"))? as i64);
        }
        if self.uses.contains(&"instance_type") {
            ctx.add_variable_from_value("instance_type", t.name.clone());
        }
        let value = self.program.execute(&ctx).map_err(|e| Unavailable {
            reason: format!("`{}` failed for {}: {e}", self.source, t.name),
        })?;
        let n: i128 = match value {
            cel::Value::Int(i) => i as i128,
            cel::Value::UInt(u) => u as i128,
            other => {
                return Err(Unavailable {
                    reason: format!(
                        "`{}` gave {other:?} for {}, not a whole number (wrap it in int(...))",
                        self.source, t.name
                    ),
                });
            }
        };
        u32::try_from(n).map_err(|_| Unavailable {
            reason: format!("`{}` gave {n} for {}, outside 0..=4294967295", self.source, t.name),
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
        let c = Catalog::bundled();
        let t = c.get("m5.large").unwrap();
        let f = Formula::parse("max_pods / 2.0").unwrap();
        assert!(f.max_pods(t, &NodeSettings::default(), SystemPods::default()).is_err());
        let neg = Formula::parse("max_pods - 100").unwrap();
        assert!(
            neg.max_pods(t, &NodeSettings::default(), SystemPods::default())
                .is_err()
        );
    }
}
