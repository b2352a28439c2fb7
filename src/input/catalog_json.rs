//! Catalog rows from the JSON that `aws ec2 describe-instance-types` prints.
//!
//! Taken from EC2 (field names of the `DescribeInstanceTypes` response, as
//! Karpenter reads them in aws/karpenter-provider-aws
//! `pkg/providers/instancetype/types.go`): `E` is
//! `NetworkInfo.NetworkCards[DefaultNetworkCardIndex].MaximumNetworkInterfaces`
//! (the default card, as `ENILimitedPods` and the VPC CNI use), `I` is
//! `NetworkInfo.Ipv4AddressesPerInterface`, vCPUs `VCpuInfo.DefaultVCpus`,
//! memory `MemoryInfo.SizeInMiB`, `Hypervisor`.
//!
//! EC2 does not publish branch-ENI counts or trunk compatibility (the
//! resource controller's `pkg/aws/vpc/limits.go` says they are "not publicly
//! available"), so they stay from the bundled table. A type the bundled table
//! lacks is reported and left out, never guessed.

use serde_json::Value;

use crate::error::InputError;
use crate::model::instance::{InstanceType, MAX_ENIS, MAX_IPV4_PER_ENI};

/// Whether a catalog file is describe-instance-types JSON rather than CSV:
/// a `.json` name, or a first non-blank character `{` or `[`.
pub fn is_json(path: &std::path::Path, text: &str) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
        || matches!(text.trim_start().chars().next(), Some('{' | '['))
}

/// Rows parsed from the JSON, and notes on what was left out or changed.
#[derive(Debug, Clone, Default)]
pub struct AwsRows {
    pub rows: Vec<InstanceType>,
    pub notes: Vec<String>,
}

fn bad(origin: &str, field: String, problem: String) -> InputError {
    InputError {
        file: Some(origin.to_string()),
        // The field is also in the text: the CLI names `--catalog` as the field.
        problem: format!("{field}: {problem}"),
        field: Some(field),
        fix: "give the unedited output of `aws ec2 describe-instance-types --output json`".into(),
    }
}

/// Parses `{"InstanceTypes": [...]}` (or the bare list, as `--query InstanceTypes`
/// prints it) against the bundled table `base`.
pub fn parse<'b>(
    text: &str,
    origin: &str,
    base: impl Fn(&str) -> Option<&'b InstanceType>,
) -> Result<AwsRows, InputError> {
    let v: Value = serde_json::from_str(text).map_err(|e| {
        InputError::file(
            origin,
            format!("not valid JSON: {e}"),
            "give the output of `aws ec2 describe-instance-types --output json`, or a catalog CSV",
        )
    })?;
    let list = match &v {
        Value::Array(a) => a,
        Value::Object(o) => o.get("InstanceTypes").and_then(Value::as_array).ok_or_else(|| {
            bad(
                origin,
                "InstanceTypes".into(),
                "the object has no `InstanceTypes` list".into(),
            )
        })?,
        _ => {
            return Err(bad(
                origin,
                "InstanceTypes".into(),
                "neither an object nor a list".into(),
            ));
        }
    };
    let mut out = AwsRows::default();
    let mut unknown = Vec::new();
    for (i, it) in list.iter().enumerate() {
        let at = |f: &str| format!("InstanceTypes[{i}].{f}");
        let name = it
            .get("InstanceType")
            .and_then(Value::as_str)
            .ok_or_else(|| bad(origin, at("InstanceType"), "missing".into()))?;
        if name.is_empty() || name.len() > crate::input::bounds::MAX_NAME {
            return Err(bad(
                origin,
                at("InstanceType"),
                format!(
                    "`{}` is not an instance type name (at most {} characters)",
                    crate::model::formula::shown(name),
                    crate::input::bounds::MAX_NAME
                ),
            ));
        }
        let uint = |path: &[&str], field: &str| -> Result<Option<u64>, InputError> {
            let mut x = it;
            for p in path {
                match x.get(p) {
                    Some(y) => x = y,
                    None => return Ok(None),
                }
            }
            x.as_u64().map(Some).ok_or_else(|| {
                bad(
                    origin,
                    at(field),
                    format!(
                        "`{}` is not a whole number ({name})",
                        crate::model::formula::shown(&x.to_string())
                    ),
                )
            })
        };
        let net = it.get("NetworkInfo");
        let default_card = uint(
            &["NetworkInfo", "DefaultNetworkCardIndex"],
            "NetworkInfo.DefaultNetworkCardIndex",
        )?;
        let card_enis = net
            .and_then(|n| n.get("NetworkCards"))
            .and_then(Value::as_array)
            .and_then(|cards| {
                cards
                    .iter()
                    .find(|c| c.get("NetworkCardIndex").and_then(Value::as_u64) == Some(default_card.unwrap_or(0)))
            })
            .and_then(|c| c.get("MaximumNetworkInterfaces"))
            .and_then(Value::as_u64);
        let max_enis = match card_enis {
            Some(e) => e,
            None => {
                let total = uint(
                    &["NetworkInfo", "MaximumNetworkInterfaces"],
                    "NetworkInfo.MaximumNetworkInterfaces",
                )?
                .ok_or_else(|| {
                    bad(
                        origin,
                        at("NetworkInfo.NetworkCards"),
                        format!("no ENI count for {name}"),
                    )
                })?;
                out.notes.push(format!(
                    "{name}: no NetworkCards entry for the default card: MaximumNetworkInterfaces ({total}, all cards) used"
                ));
                total
            }
        };
        let ipv4 = uint(
            &["NetworkInfo", "Ipv4AddressesPerInterface"],
            "NetworkInfo.Ipv4AddressesPerInterface",
        )?
        .ok_or_else(|| {
            bad(
                origin,
                at("NetworkInfo.Ipv4AddressesPerInterface"),
                format!("missing for {name}"),
            )
        })?;
        let vcpus = uint(&["VCpuInfo", "DefaultVCpus"], "VCpuInfo.DefaultVCpus")?;
        let memory = uint(&["MemoryInfo", "SizeInMiB"], "MemoryInfo.SizeInMiB")?;
        let max_mem = crate::input::bounds::MAX_MEMORY_MIB;
        if memory.is_some_and(|m| m == 0 || m > max_mem) {
            return Err(bad(
                origin,
                at("MemoryInfo.SizeInMiB"),
                format!("{} is out of range (1 to {max_mem}) for {name}", memory.unwrap_or(0)),
            ));
        }
        let small = |x: u64, f: &str, max: u32| {
            u32::try_from(x)
                .ok()
                .filter(|v| (1..=max).contains(v))
                .ok_or_else(|| bad(origin, at(f), format!("{x} is out of range (1 to {max}) for {name}")))
        };
        let max_enis = small(max_enis, "NetworkInfo.NetworkCards", MAX_ENIS)?;
        let ipv4_per_eni = small(ipv4, "NetworkInfo.Ipv4AddressesPerInterface", MAX_IPV4_PER_ENI)?;
        let Some(known) = base(name) else {
            unknown.push(name.to_string());
            continue;
        };
        // D is the published eni-max-pods.txt figure: kept only where EC2's E and I still give it.
        let eni_max_pods = known.eni_max_pods.filter(|d| *d == max_enis * (ipv4_per_eni - 1) + 2);
        if known.eni_max_pods.is_some() && eni_max_pods.is_none() {
            out.notes.push(format!(
                "{name}: EC2 gives E={max_enis}, I={ipv4_per_eni}, which no longer give the published eni-max-pods figure: D dropped"
            ));
        }
        out.rows.push(InstanceType {
            name: name.to_string(),
            max_enis,
            ipv4_per_eni,
            branch_enis: known.branch_enis,
            trunk_compatible: known.trunk_compatible,
            hypervisor: it
                .get("Hypervisor")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            eni_max_pods,
            vcpus: match vcpus {
                Some(v) => Some(small(v, "VCpuInfo.DefaultVCpus", 100_000)?),
                None => known.vcpus,
            },
            memory_mib: memory.or(known.memory_mib),
        });
    }
    if !unknown.is_empty() {
        unknown.sort();
        out.notes.push(format!(
            "{} type(s) left out: the bundled table has no branch-ENI count or trunk compatibility for them \
             (add them with a catalog CSV): {}",
            unknown.len(),
            unknown.join(", ")
        ));
    }
    if out.rows.is_empty() {
        return Err(InputError::file(
            origin,
            "no instance type of this file is in the bundled table",
            "add the types with a catalog CSV (columns as `sgpsim catalog --format csv` prints them)",
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::catalog::Catalog;

    const SAMPLE: &str = r#"{"InstanceTypes": [
      {"InstanceType": "m5.large", "Hypervisor": "nitro",
       "VCpuInfo": {"DefaultVCpus": 2}, "MemoryInfo": {"SizeInMiB": 8192},
       "NetworkInfo": {"MaximumNetworkInterfaces": 3, "Ipv4AddressesPerInterface": 10,
         "DefaultNetworkCardIndex": 0, "NetworkCards": [{"NetworkCardIndex": 0, "MaximumNetworkInterfaces": 3}]}},
      {"InstanceType": "c6in.32xlarge", "Hypervisor": "nitro",
       "VCpuInfo": {"DefaultVCpus": 128}, "MemoryInfo": {"SizeInMiB": 262144},
       "NetworkInfo": {"MaximumNetworkInterfaces": 16, "Ipv4AddressesPerInterface": 50,
         "DefaultNetworkCardIndex": 0, "NetworkCards": [
           {"NetworkCardIndex": 0, "MaximumNetworkInterfaces": 8},
           {"NetworkCardIndex": 1, "MaximumNetworkInterfaces": 8}]}},
      {"InstanceType": "zz9.future", "VCpuInfo": {"DefaultVCpus": 4}, "MemoryInfo": {"SizeInMiB": 4096},
       "NetworkInfo": {"Ipv4AddressesPerInterface": 15, "DefaultNetworkCardIndex": 0,
         "NetworkCards": [{"NetworkCardIndex": 0, "MaximumNetworkInterfaces": 4}]}}
    ]}"#;

    #[test]
    fn default_card_enis_and_bundled_branches() {
        let base = Catalog::bundled();
        let got = parse(SAMPLE, "it.json", |n| base.get(n)).unwrap();
        assert_eq!(got.rows.len(), 2);
        let m5 = &got.rows[0];
        assert_eq!(m5, base.get("m5.large").unwrap(), "identical to the bundled row");
        let c6in = &got.rows[1];
        assert_eq!(c6in.max_enis, 8, "the default card, not all 16");
        assert_eq!(c6in.branch_enis, base.get("c6in.32xlarge").unwrap().branch_enis);
        assert!(got.notes.iter().any(|n| n.contains("zz9.future")), "{:?}", got.notes);
    }

    #[test]
    fn changed_figures_drop_d_and_bad_json_is_an_input_error() {
        let base = Catalog::bundled();
        let text = SAMPLE.replace("\"Ipv4AddressesPerInterface\": 10", "\"Ipv4AddressesPerInterface\": 12");
        let got = parse(&text, "it.json", |n| base.get(n)).unwrap();
        assert_eq!(got.rows[0].ipv4_per_eni, 12);
        assert_eq!(got.rows[0].eni_max_pods, None);
        let e = parse(
            "{\"InstanceTypes\": [{\"InstanceType\": \"m5.large\"}]}",
            "x.json",
            |n| base.get(n),
        )
        .unwrap_err();
        assert_eq!(e.file.as_deref(), Some("x.json"));
        assert!(e.field.unwrap().starts_with("InstanceTypes[0]"));
        let e = parse("{\"InstanceTypes\": [{\"InstanceType\": \"zz.large\", \"NetworkInfo\": {\"Ipv4AddressesPerInterface\": 2, \"MaximumNetworkInterfaces\": 2}}]}", "x.json", |n| base.get(n)).unwrap_err();
        assert!(e.problem.contains("bundled table"), "{e}");
        assert!(parse("not json", "x.json", |n| base.get(n)).is_err());
        assert!(is_json(std::path::Path::new("a.txt"), "  {\"a\":1}"));
        assert!(!is_json(std::path::Path::new("a.csv"), "instance_type,max_enis"));
    }
}
