//! A formula as a CEL expression for nodeadm's `kubelet.maxPodsExpression`
//! or Karpenter's CEL `spec.kubelet.maxPods`, where one exists.
//!
//! Variables: nodeadm has `default_enis`, `ips_per_eni`, `max_pods`
//! (awslabs/amazon-eks-ami `nodeadm/doc/examples.md`, "Defining a Max Pods
//! Expression"); Karpenter adds `vcpus`, `memory_mib`, `instance_type`
//! (aws/karpenter-provider-aws `pkg/cel/environment.go`, main after v1.14.1).
//! Neither knows branch ENIs or trunk compatibility, so a formula that needs
//! them is expressible only when every type in question agrees on the trunk.
//!
//! Every translation is checked: the expression is evaluated with sgpsim's
//! own CEL on every type given and must give the formula's figure on each,
//! or it is not used.

use crate::input::catalog::InstanceType;
use crate::model::formula::{Formula, PD_CAP_CPU_THRESHOLD, PD_CAP_HIGH_CPU, PD_CAP_LOW_CPU};
use crate::model::node::{NodeSettings, SystemPods, custom, trunk, trunk_slot};

/// Which CEL environment the expression is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Nodeadm,
    Karpenter,
}

impl Target {
    pub fn variables(self) -> &'static [&'static str] {
        match self {
            Target::Nodeadm => crate::model::formula::NODEADM_VARIABLES,
            Target::Karpenter => crate::model::formula::KARPENTER_VARIABLES,
        }
    }
}

/// What the formula's figures depend on beyond the instance type.
#[derive(Debug, Clone, Copy)]
pub struct Context {
    pub settings: NodeSettings,
    pub system: SystemPods,
}

impl Context {
    /// SGP and prefix delegation on or off, and `system_pods` hostNetwork
    /// system pods per node (the `S` of conservative and aggressive).
    pub fn new(sgp: bool, prefix_delegation: bool, system_pods: u32) -> Context {
        Context::with(
            NodeSettings {
                sgp,
                prefix_delegation,
                ..NodeSettings::default()
            },
            system_pods,
        )
    }

    /// Any validated node settings (custom networking, CNI version,
    /// podsPerCore too) and `system_pods` hostNetwork system pods.
    pub fn with(settings: NodeSettings, system_pods: u32) -> Context {
        Context {
            settings,
            system: SystemPods {
                host: system_pods,
                ip: 0,
            },
        }
    }

    /// The header line's settings: S, SGP, prefix delegation, and any other
    /// setting that is not the default.
    pub fn describe(&self) -> String {
        let mut parts = vec![
            format!("S = {} system pods", self.system.host),
            format!("SGP {}", if self.settings.sgp { "on" } else { "off" }),
            format!(
                "prefix delegation {}",
                if self.settings.prefix_delegation { "on" } else { "off" }
            ),
        ];
        parts.extend(self.settings.describe_networking());
        parts.join("; ")
    }
}

/// `f(type)` shared by all `types`, if they agree.
fn common(types: &[&InstanceType], f: impl Fn(&InstanceType) -> u32) -> Option<u32> {
    let first = f(types.first()?);
    types.iter().all(|t| f(t) == first).then_some(first)
}

/// The CEL text for `f`, before checking.
fn candidate(f: &Formula, target: Target, ctx: &Context, types: &[&InstanceType]) -> Option<String> {
    let k = if ctx.settings.prefix_delegation { 16 } else { 1 };
    let s = ctx.system.host;
    // The ENIs that hold no pod IPs (`t + c` of MODEL.md §3: the trunk's
    // slot as the CNI's version holds it back, and the primary ENI with
    // custom networking), where every type agrees.
    let held = || common(types, |t| trunk_slot(t, &ctx.settings) + custom(&ctx.settings));
    let pod_ips = |held: u32| {
        let enis = if held > 0 {
            format!("(default_enis - {held})")
        } else {
            "default_enis".to_string()
        };
        if k == 1 {
            format!("{enis} * (ips_per_eni - 1)")
        } else {
            format!("{enis} * (ips_per_eni - 1) * {k}")
        }
    };
    match f {
        Formula::AwsDefault => Some("max_pods".into()),
        Formula::Fixed(n) => Some(n.to_string()),
        Formula::KarpenterReservedEnis(n) => Some(format!(
            "default_enis > {n} ? (default_enis - {n}) * (ips_per_eni - 1) + 2 : 0"
        )),
        Formula::Conservative => Some(format!("{s} + {}", pod_ips(held()?))),
        // Branch ENIs are 0 without a trunk: then aggressive is conservative.
        Formula::Aggressive => match common(types, |t| trunk(t, &ctx.settings))? {
            0 => Some(format!("{s} + {}", pod_ips(held()?))),
            _ => None,
        },
        Formula::PrefixDelegation if target == Target::Karpenter => {
            let x = "(default_enis * (ips_per_eni - 1) * 16 + 2)";
            Some(format!(
                "vcpus <= {PD_CAP_CPU_THRESHOLD} ? ({x} < {PD_CAP_LOW_CPU} ? {x} : {PD_CAP_LOW_CPU}) : ({x} < {PD_CAP_HIGH_CPU} ? {x} : {PD_CAP_HIGH_CPU})"
            ))
        }
        Formula::Cel(_) => {
            let src = f.name();
            // `system_pods` is a constant of the export: written in as a number.
            // Only when no string literal could contain the name.
            let text = if src.contains('\'') || src.contains('"') {
                src
            } else {
                replace_word(&src, "system_pods", &s.to_string())
            };
            let Ok(Formula::Cel(c)) = Formula::parse(&format!("cel:{text}")) else {
                return None;
            };
            let fits = c.uses().iter().all(|v| target.variables().contains(v))
                && (target == Target::Karpenter || c.nodeadm_compatible());
            fits.then_some(text)
        }
        _ => None,
    }
}

/// Replaces whole-word occurrences of `word`.
fn replace_word(text: &str, word: &str, with: &str) -> String {
    let is_id = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(word) {
        let before = rest[..i].chars().next_back();
        let after = rest[i + word.len()..].chars().next();
        out.push_str(&rest[..i]);
        if before.is_some_and(is_id) || after.is_some_and(is_id) {
            out.push_str(word);
        } else {
            out.push_str(with);
        }
        rest = &rest[i + word.len()..];
    }
    out.push_str(rest);
    out
}

/// The expression for `f` in `target`'s environment, checked on every type
/// of `types` (which must not be empty), or `None` when there is none.
pub fn expression(f: &Formula, target: Target, ctx: &Context, types: &[&InstanceType]) -> Option<String> {
    if types.is_empty() {
        return None;
    }
    let text = candidate(f, target, ctx, types)?;
    let translated = Formula::parse(&format!("cel:{text}")).ok()?;
    let same = types.iter().all(|t| {
        let want = f.max_pods(t, &ctx.settings, ctx.system).map(|m| m.value);
        let got = translated.max_pods(t, &ctx.settings, ctx.system).map(|m| m.value);
        want.is_ok() && want == got
    });
    same.then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::catalog::Catalog;

    fn ctx(host: u32, sgp: bool) -> Context {
        Context {
            settings: NodeSettings {
                sgp,
                ..NodeSettings::default()
            },
            system: SystemPods { host, ip: 0 },
        }
    }

    #[test]
    fn translations_hold_on_every_type() {
        let c = Catalog::bundled();
        let trunk_types: Vec<&InstanceType> = c.select(&["m5.*".into(), "c6i.*".into()], "t").unwrap();
        let f = |s: &str| Formula::parse(s).unwrap();
        let e = expression(&f("conservative"), Target::Nodeadm, &ctx(3, true), &trunk_types).unwrap();
        assert_eq!(e, "3 + (default_enis - 1) * (ips_per_eni - 1)");
        assert_eq!(
            expression(
                &f("karpenter-reserved-enis:1"),
                Target::Nodeadm,
                &ctx(3, true),
                &trunk_types
            )
            .unwrap(),
            "default_enis > 1 ? (default_enis - 1) * (ips_per_eni - 1) + 2 : 0"
        );
        assert!(expression(&f("aggressive"), Target::Karpenter, &ctx(3, true), &trunk_types).is_none());
        assert!(expression(&f("seed-userdata"), Target::Karpenter, &ctx(3, true), &trunk_types).is_none());
        // With a non-trunk type in the set, conservative has no single expression.
        let mixed = c.select(&["m5.large".into(), "t3.large".into()], "t").unwrap();
        assert!(expression(&f("conservative"), Target::Nodeadm, &ctx(3, true), &mixed).is_none());
        // Prefix delegation needs vcpus: Karpenter only.
        let pd_types: Vec<&InstanceType> = c.select(&["m5.*".into()], "t").unwrap();
        assert!(expression(&f("prefix-delegation"), Target::Karpenter, &ctx(2, true), &pd_types).is_some());
        assert!(expression(&f("prefix-delegation"), Target::Nodeadm, &ctx(2, true), &pd_types).is_none());
        // CEL: system_pods written in; branch_enis is nowhere.
        let own = f("system_pods + (default_enis - 1) * (ips_per_eni - 1)");
        assert_eq!(
            expression(&own, Target::Nodeadm, &ctx(4, true), &trunk_types).unwrap(),
            "4 + (default_enis - 1) * (ips_per_eni - 1)"
        );
        assert!(
            expression(
                &f("max_pods - branch_enis"),
                Target::Karpenter,
                &ctx(4, true),
                &trunk_types
            )
            .is_none()
        );
        assert_eq!(
            replace_word("system_pods + my_system_pods", "system_pods", "3"),
            "3 + my_system_pods"
        );
    }
}
