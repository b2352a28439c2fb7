//! The instance catalog: per-type ENI, IP and branch-ENI limits (MODEL.md §2).
//!
//! The bundled table is `data/instance-limits.csv`, a copy of
//! `shared/reference/instance-limits.csv` (sources in `data/README.md`). It is
//! compiled into the binary, so no file is needed at run time. A user CSV with
//! the same columns overrides or adds types (`--catalog FILE`).

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::error::InputError;
pub use crate::input::bounds::{MAX_MEMORY_MIB, MAX_NAME};
pub use crate::model::instance::{InstanceType, MAX_BRANCH_ENIS, MAX_ENIS, MAX_IPV4_PER_ENI};

/// The bundled table, compiled in.
const BUNDLED_CSV: &str = include_str!("../../data/instance-limits.csv");

/// Where the bundled figures come from, for outputs that name their source.
pub const BUNDLED_SOURCE: &str = "aws/karpenter-provider-aws zz_generated.vpclimits.go (generated 2026-08-06) \
     + awslabs/amazon-eks-ami eni-max-pods.txt (2026-02-27); see data/README.md";

/// The columns every catalog CSV carries, in order.
pub const COLUMNS: [&str; 9] = [
    "instance_type",
    "max_enis",
    "ipv4_per_eni",
    "branch_enis",
    "trunk_compatible",
    "hypervisor",
    "eni_max_pods",
    "vcpus",
    "memory_mib",
];

/// One CSV row as written; validated into [`InstanceType`].
#[derive(Debug, Deserialize)]
struct RawRow {
    instance_type: String,
    max_enis: String,
    ipv4_per_eni: String,
    branch_enis: String,
    trunk_compatible: String,
    #[serde(default)]
    hypervisor: String,
    #[serde(default)]
    eni_max_pods: String,
    #[serde(default)]
    vcpus: String,
    #[serde(default)]
    memory_mib: String,
}

/// Every known instance type, sorted by name.
#[derive(Debug, Clone)]
pub struct Catalog {
    types: BTreeMap<String, InstanceType>,
}

impl Catalog {
    /// The table compiled into the binary.
    pub fn bundled() -> Catalog {
        // Parsed once per process: every command and test starts from it.
        static BUNDLED: std::sync::OnceLock<Catalog> = std::sync::OnceLock::new();
        BUNDLED
            .get_or_init(|| {
                let types = parse_csv(BUNDLED_CSV, "<bundled catalog>")
                    .expect("the bundled catalog is valid: checked by the tests");
                Catalog {
                    types: types.into_iter().map(|t| (t.name.clone(), t)).collect(),
                }
            })
            .clone()
    }

    /// The bundled table with the rows of `path` added or replacing theirs,
    /// and notes on rows left out (for the caller to show).
    pub fn bundled_with_overrides(path: &Path) -> Result<(Catalog, Vec<String>), InputError> {
        let shown = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|e| InputError::io(&shown, "read the catalog", &e))?;
        let text = crate::input::utf8(&bytes, &shown)?;
        Catalog::bundled_with_text(text, &shown)
    }

    /// [`Catalog::bundled_with_overrides`] on text already read (standard
    /// input); `shown` names it in errors, and a `.json` name marks JSON.
    pub fn bundled_with_text(text: &str, shown: &str) -> Result<(Catalog, Vec<String>), InputError> {
        let mut cat = Catalog::bundled();
        let mut notes = Vec::new();
        let rows = if crate::input::catalog_json::is_aws(Path::new(shown), text) {
            // describe-instance-types JSON or YAML: E, I, vCPUs, memory from EC2, branches from the bundled table.
            let aws = crate::input::catalog_json::parse(text, shown, |n| cat.get(n))?;
            notes = aws.notes;
            aws.rows
        } else {
            parse_csv(text, shown)?
        };
        for t in rows {
            cat.types.insert(t.name.clone(), t);
        }
        Ok((cat, notes))
    }

    pub fn get(&self, name: &str) -> Option<&InstanceType> {
        self.types.get(name)
    }

    pub fn len(&self) -> usize {
        self.types.len()
    }

    pub fn is_empty(&self) -> bool {
        self.types.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &InstanceType> {
        self.types.values()
    }

    /// Resolves shell-style globs (`m5.*`, `*.large`) and plain names, in the
    /// order given (a glob's matches in catalog order), without duplicates.
    /// A plain name that is unknown, or a glob that matches nothing, is an
    /// error suggesting the nearest names.
    pub fn select(&self, patterns: &[String], field: &str) -> Result<Vec<&InstanceType>, InputError> {
        let mut picked: Vec<&InstanceType> = Vec::new();
        let mut seen = std::collections::BTreeSet::new();
        for pat in patterns {
            // A glob's match can backtrack over every `*`: a pattern far longer
            // than any name is refused before matching.
            if pat.len() > 2 * MAX_NAME {
                return Err(InputError::field(
                    field,
                    format!(
                        "`{}` is {} characters long, longer than any instance type or pattern",
                        crate::model::formula::shown(pat),
                        pat.len()
                    ),
                    format!(
                        "give a name or glob of at most {} characters, such as `m5.*`",
                        2 * MAX_NAME
                    ),
                ));
            }
            let matches: Vec<&InstanceType> = if pat.contains(['*', '?', '[']) {
                let g = glob::Pattern::new(pat).map_err(|e| {
                    InputError::field(
                        field,
                        format!("`{}` is not a valid glob: {e}", crate::model::formula::shown(pat)),
                        "use `*`, `?` and `[...]`, as in `m5.*` or `*.large`",
                    )
                })?;
                self.types.values().filter(|t| g.matches(&t.name)).collect()
            } else {
                self.types.get(pat.as_str()).into_iter().collect()
            };
            if matches.is_empty() {
                return Err(self.unknown(pat, field));
            }
            for t in matches {
                if seen.insert(t.name.as_str()) {
                    picked.push(t);
                }
            }
        }
        Ok(picked)
    }

    /// An "unknown instance type" error naming the nearest known names.
    pub fn unknown(&self, name: &str, field: &str) -> InputError {
        let near = self.nearest(name, 3);
        InputError::field(
            field,
            format!("unknown instance type `{}`", crate::model::formula::shown(name)),
            format!(
                "did you mean {}? (`sgpsim catalog` lists every type; --catalog FILE adds new ones)",
                near.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
            ),
        )
    }

    /// The `n` known names closest to `name` (Damerau–Levenshtein).
    pub fn nearest(&self, name: &str, n: usize) -> Vec<String> {
        // The distance costs time in the product of the lengths: a name far
        // longer than any type is compared by its first characters only.
        let name: String = name.chars().take(MAX_NAME).collect();
        let name = name.as_str();
        let mut scored: Vec<(usize, &str)> = self
            .types
            .keys()
            .map(|k| (strsim::damerau_levenshtein(name, k), k.as_str()))
            .collect();
        scored.sort();
        scored.into_iter().take(n).map(|(_, k)| k.to_string()).collect()
    }
}

/// Parses catalog CSV text; `origin` names the file in errors.
fn parse_csv(text: &str, origin: &str) -> Result<Vec<InstanceType>, InputError> {
    let mut rdr = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = rdr.headers().map_err(|e| csv_error(origin, e))?.clone();
    for required in &COLUMNS[..5] {
        if !headers.iter().any(|h| h == *required) {
            return Err(InputError::file(
                origin,
                format!("the header lacks the column `{required}`"),
                format!("start the file with the header `{}`", COLUMNS.join(",")),
            ));
        }
    }
    let mut out = Vec::new();
    for (i, rec) in rdr.deserialize::<RawRow>().enumerate() {
        let line = i + 2;
        let raw = rec.map_err(|e| csv_error(origin, e))?;
        out.push(validate_row(raw, origin, line)?);
    }
    Ok(out)
}

fn csv_error(origin: &str, e: csv::Error) -> InputError {
    InputError::file(
        origin,
        format!("not a readable catalog CSV: {e}"),
        format!("use the columns {}", COLUMNS.join(",")),
    )
}

fn validate_row(raw: RawRow, origin: &str, line: usize) -> Result<InstanceType, InputError> {
    let bad = |column: &str, value: &str, fix: &str| {
        InputError::file(
            origin,
            format!(
                "line {line}, column `{column}`: `{}` is not valid",
                crate::model::formula::shown(value)
            ),
            fix,
        )
    };
    let name = raw.instance_type.trim().to_string();
    if name.is_empty() || name.contains(char::is_whitespace) || name.len() > MAX_NAME {
        return Err(bad(
            "instance_type",
            &crate::model::formula::shown(&name),
            &format!("give a name such as `m5.large`, at most {MAX_NAME} characters"),
        ));
    }
    // Bounds far above any published figure (the largest types have 15 ENIs
    // on their default card, 50 IPs per ENI, 120 branches), so that the
    // capacities and formulas cannot overflow.
    let int = |column: &str, v: &str, min: u32, max: u32| -> Result<u32, InputError> {
        v.parse::<u32>()
            .ok()
            .filter(|x| (min..=max).contains(x))
            .ok_or_else(|| bad(column, v, &format!("give a whole number from {min} to {max}")))
    };
    let opt = |column: &str, v: &str, max: u32| -> Result<Option<u32>, InputError> {
        if v.is_empty() {
            Ok(None)
        } else {
            int(column, v, 1, max).map(Some)
        }
    };
    let max_enis = int("max_enis", &raw.max_enis, 1, MAX_ENIS)?;
    let ipv4_per_eni = int("ipv4_per_eni", &raw.ipv4_per_eni, 1, MAX_IPV4_PER_ENI)?;
    let branch_enis = int("branch_enis", &raw.branch_enis, 0, MAX_BRANCH_ENIS)?;
    let trunk_compatible = match raw.trunk_compatible.to_ascii_lowercase().as_str() {
        "true" => true,
        "false" => false,
        v => return Err(bad("trunk_compatible", v, "write `true` or `false`")),
    };
    let memory_mib = if raw.memory_mib.is_empty() {
        None
    } else {
        Some(
            raw.memory_mib
                .parse::<u64>()
                .ok()
                .filter(|m| (1..=MAX_MEMORY_MIB).contains(m))
                .ok_or_else(|| {
                    bad(
                        "memory_mib",
                        &crate::model::formula::shown(&raw.memory_mib),
                        &format!("give the memory in MiB, a whole number from 1 to {MAX_MEMORY_MIB}"),
                    )
                })?,
        )
    };
    Ok(InstanceType {
        name,
        max_enis,
        ipv4_per_eni,
        branch_enis,
        trunk_compatible,
        hypervisor: raw.hypervisor,
        eni_max_pods: opt("eni_max_pods", &raw.eni_max_pods, 1_000_000)?,
        vcpus: opt("vcpus", &raw.vcpus, 100_000)?,
        memory_mib,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_has_every_reference_row() {
        let c = Catalog::bundled();
        assert_eq!(c.len(), 1401);
        let m5 = c.get("m5.xlarge").unwrap();
        assert_eq!((m5.max_enis, m5.ipv4_per_eni, m5.branch_enis), (4, 15, 18));
        assert_eq!(m5.eni_max_pods, Some(58));
        assert!(m5.trunk_compatible);
        assert!(!c.get("t3.medium").unwrap().trunk_compatible);
        // Irregular branch counts are read, not computed (MODEL.md §2).
        assert_eq!(c.get("m7i-flex.large").unwrap().branch_enis, 3);
        assert_eq!(c.get("m5.24xlarge").unwrap().branch_enis, 107);
    }

    #[test]
    fn aws_identity_holds_on_every_published_row() {
        for t in Catalog::bundled().iter() {
            if let Some(d) = t.eni_max_pods {
                assert_eq!(t.max_enis * (t.ipv4_per_eni - 1) + 2, d, "{}", t.name);
            }
        }
    }

    #[test]
    fn non_trunk_rows_have_no_branches() {
        let c = Catalog::bundled();
        let non: Vec<_> = c.iter().filter(|t| !t.trunk_compatible).collect();
        assert_eq!(non.len(), 103);
        assert!(non.iter().all(|t| t.branch_enis == 0));
    }

    #[test]
    fn globs_and_suggestions() {
        let c = Catalog::bundled();
        let sel = c.select(&["m5.*large".into()], "types").unwrap();
        assert!(sel.iter().any(|t| t.name == "m5.large"));
        assert!(sel.iter().all(|t| t.name.starts_with("m5.")));
        let err = c.select(&["m5.xlarg".into()], "types").unwrap_err();
        assert!(err.to_string().contains("m5.xlarge"), "{err}");
        assert!(c.select(&["zz*".into()], "types").is_err());
        let order = c
            .select(&["m5.xlarge".into(), "m5.large".into(), "m5.x*".into()], "types")
            .unwrap();
        assert_eq!(order[0].name, "m5.xlarge");
        assert_eq!(order[1].name, "m5.large");
        assert_eq!(order.len(), 2, "duplicates dropped");
    }

    #[test]
    fn overrides_reject_bad_rows_with_line_and_column() {
        let err = parse_csv(
            "instance_type,max_enis,ipv4_per_eni,branch_enis,trunk_compatible\nx.large,3,ten,9,true\n",
            "mine.csv",
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("mine.csv") && err.contains("line 2") && err.contains("ipv4_per_eni"),
            "{err}"
        );
    }
}
