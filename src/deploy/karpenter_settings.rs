//! `export karpenter-settings`: the Karpenter setting that gives a formula's
//! maxPods, where one exists: Helm `settings.reservedENIs` (every v1
//! release), or `spec.kubelet.maxPods` on the EC2NodeClass (an integer, or a
//! CEL expression on Karpenter's main branch only).

use super::expr::{self, Context, Target};
use super::karpenter::reserved_enis_setting;
use crate::error::InputError;
use crate::input::catalog::InstanceType;
use crate::model::formula::Formula;

/// The text to print for `f` on `types`: the `RESERVED_ENIS` setting where
/// it gives the formula's figure exactly, then (or else) the formula's own
/// setting; an error naming `--formula` when Karpenter has none.
pub fn render(f: &Formula, ctx: &Context, types: &[&InstanceType]) -> Result<String, InputError> {
    let reserved = reserved_enis_setting(f, ctx, types);
    match (reserved, setting(f, ctx, types)) {
        (Some(r), Ok(cel)) => Ok(format!(
            "{r}---\n# Alternative, for Karpenter's main branch only:\n{cel}"
        )),
        (Some(r), Err(_)) => Ok(r),
        (None, Ok(cel)) => Ok(cel),
        (None, Err(why)) => Err(InputError::field(
            "--formula",
            why,
            "use `sgpsim export karpenter` (one EC2NodeClass per maxPods value, every Karpenter v1 release), \
             or a formula such as karpenter-reserved-enis:1",
        )),
    }
}

/// Karpenter's own setting for a formula: the text to print, or why there is none.
pub fn setting(f: &Formula, ctx: &Context, types: &[&InstanceType]) -> Result<String, String> {
    let mut out = String::new();
    match f {
        Formula::KarpenterReservedEnis(n) => {
            out.push_str(&format!(
                "# {name}: Karpenter's RESERVED_ENIS, a controller setting (global to the controller, not per NodeClass).\n\
                 # It makes Karpenter compute maxPods = (E - {n}) * (I - 1) + 2 for every type (ENILimitedPods in\n\
                 # aws/karpenter-provider-aws pkg/providers/instancetype/types.go) and write it to the kubelet.\n\
                 # Available in every Karpenter v1 release (flag --reserved-enis, env RESERVED_ENIS,\n\
                 # pkg/operator/options/options.go); the v0.3x charts had it as settings.aws.reservedENIs.\n\
                 # Helm values:\n\
                 settings:\n  reservedENIs: \"{n}\"\n",
                name = f.name()
            ));
            Ok(out)
        }
        Formula::AwsDefault => Ok(format!(
            "# {}: what Karpenter computes when neither spec.kubelet.maxPods nor RESERVED_ENIS is set\n\
             # (E * (I - 1) + 2, RESERVED_ENIS=0): nothing to set.\nsettings:\n  reservedENIs: \"0\"\n",
            f.name()
        )),
        Formula::Fixed(n) => Ok(format!(
            "# {}: one maxPods for every type, a field of the EC2NodeClass in every Karpenter v1 release\n\
             # (spec.kubelet.maxPods, pkg/apis/v1/ec2nodeclass.go). Karpenter also uses it for scheduling.\n\
             apiVersion: karpenter.k8s.aws/v1\nkind: EC2NodeClass\nspec:\n  kubelet:\n    maxPods: {n}\n",
            f.name()
        )),
        _ => match expr::expression(f, Target::Karpenter, ctx, types) {
            Some(e) => Ok(format!(
                "# {}: as a Karpenter CEL maxPods, checked on the {} type(s) given.\n\
                 # spec.kubelet.maxPods as a CEL expression (variables vcpus, memory_mib, default_enis, ips_per_eni,\n\
                 # max_pods, instance_type) was added on Karpenter's main branch by commit 7695b3c49 (2026-08-20,\n\
                 # pkg/apis/v1/kubeletconfiguration.go): v1.14.1 takes an integer only. Check the release notes of\n\
                 # your version before applying. Karpenter then also schedules with this figure.\n\
                 apiVersion: karpenter.k8s.aws/v1\nkind: EC2NodeClass\nspec:\n  kubelet:\n    maxPods: {}\n",
                f.name(),
                types.len(),
                serde_json::Value::String(e)
            )),
            None => Err(format!(
                "`{}` has no Karpenter setting: it needs {} which Karpenter's maxPods variables \
                 (vcpus, memory_mib, default_enis, ips_per_eni, max_pods, instance_type) do not give",
                f.name(),
                match f {
                    Formula::SeedUserdata => "the published eni-max-pods figure by size and trunk compatibility",
                    Formula::Aggressive => "branch ENIs",
                    Formula::Conservative => "trunk compatibility (the types given do not all agree on it)",
                    Formula::PerType { .. } =>
                        "a maxPods chosen per instance type (and not Karpenter's own on every one)",
                    _ => "figures",
                }
            )),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::catalog::Catalog;

    #[test]
    fn karpenter_settings_per_formula() {
        let c = Catalog::bundled();
        let types = c.select(&["m5.*".into()], "t").unwrap();
        let ctx = Context::new(true, false, 2);
        let s = setting(&Formula::parse("karpenter-reserved-enis:1").unwrap(), &ctx, &types).unwrap();
        assert!(s.contains("reservedENIs: \"1\""), "{s}");
        let s = setting(&Formula::parse("conservative").unwrap(), &ctx, &types).unwrap();
        assert!(
            s.contains("maxPods: \"2 + (default_enis - 1) * (ips_per_eni - 1)\""),
            "{s}"
        );
        assert!(
            setting(&Formula::parse("aggressive").unwrap(), &ctx, &types)
                .unwrap_err()
                .contains("branch")
        );
    }

    #[test]
    fn reserved_enis_first_then_the_main_only_form() {
        let c = Catalog::bundled();
        let types = c.select(&["m5.*".into()], "t").unwrap();
        let ctx = Context::new(true, false, 2);
        let s = render(&Formula::parse("conservative").unwrap(), &ctx, &types).unwrap();
        let (reserved, cel) = s
            .split_once("---\n# Alternative, for Karpenter's main branch only:\n")
            .unwrap();
        assert!(reserved.contains("reservedENIs: \"1\""), "{s}");
        assert!(cel.contains("kind: EC2NodeClass"), "{s}");
        let e = render(&Formula::parse("aggressive").unwrap(), &ctx, &types).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("--formula"));
    }
}
