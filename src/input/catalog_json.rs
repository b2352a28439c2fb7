//! Catalog rows from what `aws ec2 describe-instance-types` prints: JSON
//! (`--output json`), YAML (`--output yaml`, and `yaml-stream`'s list of
//! pages), and pages fetched one by one with `--max-items`/`--starting-token`
//! and concatenated (`cat page1.json page2.json`).
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

/// Whether a catalog file is describe-instance-types output rather than
/// CSV: a `.json`, `.yaml` or `.yml` name, or text that opens as JSON
/// (`{`, `[`) or as the AWS CLI's YAML (`InstanceTypes:`, `- InstanceType`).
pub fn is_aws(path: &std::path::Path, text: &str) -> bool {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    if ["json", "yaml", "yml"].iter().any(|x| ext.eq_ignore_ascii_case(x)) {
        return true;
    }
    let first = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#') && l != &"---")
        .unwrap_or("");
    first.starts_with(['{', '['])
        || first.starts_with("InstanceTypes:")
        || first.starts_with("- InstanceType")
        || first.starts_with("- InstanceTypes:")
}

/// Whether the text is JSON (one value or several concatenated), not YAML.
fn is_json_text(text: &str) -> bool {
    text.trim_start().starts_with(['{', '['])
}

/// The instance-type entries of every page, each with the name of its place
/// for messages (`InstanceTypes[3]`, or `page 2: InstanceTypes[3]` when
/// there are several pages).
fn entries(text: &str, origin: &str) -> Result<Vec<(String, Value)>, InputError> {
    let docs: Vec<Value> = if is_json_text(text) {
        serde_json::Deserializer::from_str(text)
            .into_iter::<Value>()
            .collect::<Result<_, _>>()
            .map_err(|e| {
                InputError::file(
                    origin,
                    format!("not valid JSON: {e}"),
                    "give the output of `aws ec2 describe-instance-types --output json` (pages may follow one another), or a catalog CSV",
                )
            })?
    } else {
        serde_saphyr::from_multiple(text).map_err(|e| {
            InputError::file(
                origin,
                format!("not valid YAML: {}", crate::input::yaml_message(&e.to_string())),
                "give the output of `aws ec2 describe-instance-types --output yaml`, or a catalog CSV",
            )
        })?
    };
    // A page is `{"InstanceTypes": [...], "NextToken": ...}`; a list of pages
    // (yaml-stream) or the bare list of types (`--query InstanceTypes`) too.
    let mut pages = Vec::new();
    for doc in docs {
        match doc {
            Value::Array(items) if items.iter().any(|i| i.get("InstanceTypes").is_some()) => pages.extend(items),
            Value::Array(items) => pages.push(Value::Object(
                [("InstanceTypes".to_string(), Value::Array(items))]
                    .into_iter()
                    .collect(),
            )),
            other => pages.push(other),
        }
    }
    let several = pages.len() > 1;
    let mut out = Vec::new();
    for (p, page) in pages.into_iter().enumerate() {
        let place = if several {
            format!("page {}: InstanceTypes", p + 1)
        } else {
            "InstanceTypes".into()
        };
        let list = match page {
            Value::Object(mut o) => match o.remove("InstanceTypes") {
                Some(Value::Array(a)) => a,
                _ => return Err(bad(origin, place, "the object has no `InstanceTypes` list".into())),
            },
            _ => return Err(bad(origin, place, "neither an object nor a list".into())),
        };
        out.extend(list.into_iter().enumerate().map(|(i, v)| (format!("{place}[{i}]"), v)));
    }
    Ok(out)
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
    let list = entries(text, origin)?;
    let mut out = AwsRows::default();
    let mut unknown = Vec::new();
    let mut seen = std::collections::BTreeMap::new();
    for (place, it) in &list {
        let at = |f: &str| format!("{place}.{f}");
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
        if let Some(first) = seen.insert(name.to_string(), place.clone()) {
            out.notes.push(format!(
                "{name}: given at {first} and again at {place}; the later figures are used"
            ));
            out.rows.retain(|r| r.name != name);
        }
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
        unknown.dedup();
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
        assert!(is_aws(std::path::Path::new("a.txt"), "  {\"a\":1}"));
        assert!(!is_aws(std::path::Path::new("a.csv"), "instance_type,max_enis"));
    }

    const M5_YAML: &str = "InstanceTypes:
- InstanceType: m5.large
  Hypervisor: nitro
  VCpuInfo:
    DefaultVCpus: 2
  MemoryInfo:
    SizeInMiB: 8192
  NetworkInfo:
    MaximumNetworkInterfaces: 3
    Ipv4AddressesPerInterface: 10
    DefaultNetworkCardIndex: 0
    NetworkCards:
    - NetworkCardIndex: 0
      MaximumNetworkInterfaces: 3
NextToken: abc
";

    #[test]
    fn the_aws_cli_yaml_gives_the_same_rows_as_its_json() {
        let base = Catalog::bundled();
        let json = parse(SAMPLE, "it.json", |n| base.get(n)).unwrap();
        let yaml = parse(M5_YAML, "it.yaml", |n| base.get(n)).unwrap();
        assert_eq!(yaml.rows, vec![json.rows[0].clone()]);
        assert!(is_aws(std::path::Path::new("-"), M5_YAML), "known by its first line");
        // yaml-stream: a list of pages.
        let stream = format!("- {}", M5_YAML.replace('\n', "\n  ").trim_end());
        let got = parse(&stream, "it.yaml", |n| base.get(n)).unwrap();
        assert_eq!(got.rows, yaml.rows, "{stream}");
        let e = parse("InstanceTypes: [", "it.yaml", |n| base.get(n)).unwrap_err();
        assert!(e.problem.contains("not valid YAML"), "{e}");
    }

    #[test]
    fn concatenated_pages_are_read_in_order_and_a_repeat_is_named() {
        let base = Catalog::bundled();
        let one = parse(SAMPLE, "it.json", |n| base.get(n)).unwrap();
        let m5_again = SAMPLE
            .split_once("{\"InstanceType\": \"c6in.32xlarge\"")
            .map(|(a, _)| format!("{}]}}", a.trim_end().trim_end_matches(',')))
            .unwrap()
            .replace("\"Ipv4AddressesPerInterface\": 10", "\"Ipv4AddressesPerInterface\": 12");
        let text = format!("{SAMPLE}\n{m5_again}");
        let got = parse(&text, "pages.json", |n| base.get(n)).unwrap();
        assert_eq!(got.rows.len(), 2);
        let m5 = got.rows.iter().find(|r| r.name == "m5.large").unwrap();
        assert_eq!(m5.ipv4_per_eni, 12, "the later page wins");
        assert!(
            got.notes
                .iter()
                .any(|n| n.contains("page 1: InstanceTypes[0]") && n.contains("page 2: InstanceTypes[0]")),
            "{:?}",
            got.notes
        );
        assert_eq!(got.rows.iter().find(|r| r.name == "c6in.32xlarge"), one.rows.get(1));
        let e = parse(
            &format!("{SAMPLE} {{\"InstanceTypes\": [{{\"InstanceType\": \"m5.large\"}}]}}"),
            "p.json",
            |n| base.get(n),
        )
        .unwrap_err();
        assert!(
            e.field.as_deref().unwrap().starts_with("page 2: InstanceTypes[0]"),
            "{e}"
        );
    }
}
