//! `--formula recommended:FILE`: a recommend CSV (`sgpsim recommend
//! --format csv`) read back as a maxPods per instance type, so that what was
//! simulated is what gets applied.

use super::bounds::excerpt;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use crate::error::InputError;
use crate::model::formula::Formula;

/// The prefix that names a recommend CSV where a formula is taken.
pub const PREFIX: &str = "recommended:";

/// A formula as a flag or a scenario gives it: a name or CEL expression, or
/// `recommended:FILE`.
pub fn parse_formula(text: &str) -> Result<Formula, InputError> {
    match text.trim().strip_prefix(PREFIX) {
        Some(path) => {
            let shown = path.to_string();
            let bytes =
                std::fs::read(Path::new(path)).map_err(|e| InputError::io(&shown, "read the recommendation", &e))?;
            let table = read_table(&bytes, &shown)?;
            Ok(Formula::PerType {
                name: format!("{PREFIX}{path}"),
                table: Arc::new(table),
            })
        }
        None => Formula::parse(text).map_err(InputError::from),
    }
}

/// Reads a recommend CSV back as a maxPods per instance type (its
/// `recommended_max_pods`). A type given twice with two different answers
/// (several SG shares) is an error: which one to apply is the planner's call.
pub fn read_table(bytes: &[u8], file: &str) -> Result<BTreeMap<String, u32>, InputError> {
    let mut rd = csv::ReaderBuilder::new().from_reader(bytes);
    let header = rd
        .headers()
        .map_err(|e| {
            InputError::file(
                file,
                format!("not a CSV: {e}"),
                "give the CSV that `sgpsim recommend --format csv` writes",
            )
        })?
        .clone();
    let col = |name: &str| {
        header.iter().position(|h| h == name).ok_or_else(|| {
            InputError::file(
                file,
                format!("has no `{name}` column: not a recommend CSV"),
                "write it with `sgpsim recommend ... --format csv -o FILE`",
            )
        })
    };
    let (ty, m) = (col("instance_type")?, col("recommended_max_pods")?);
    let mut out = BTreeMap::new();
    for (i, rec) in rd.records().enumerate() {
        let line = i + 2;
        let rec = rec.map_err(|e| InputError::file(file, format!("line {line}: {e}"), "fix the row"))?;
        let name = rec.get(ty).unwrap_or("").to_string();
        let value = rec.get(m).unwrap_or("");
        if value.is_empty() {
            return Err(InputError {
                file: Some(file.into()),
                field: Some(format!("line {line}, column recommended_max_pods")),
                problem: format!("{name} has no recommendation (no maxPods met the budget)"),
                fix: "drop the row, or recommend with a larger --budget".into(),
            });
        }
        let v: u32 = value.parse().map_err(|_| InputError {
            file: Some(file.into()),
            field: Some(format!("line {line}, column recommended_max_pods")),
            problem: format!("`{}` is not a whole number", excerpt(value)),
            fix: "give the CSV that `sgpsim recommend --format csv` writes".into(),
        })?;
        if let Some(prev) = out.insert(name.clone(), v).filter(|&p| p != v) {
            return Err(InputError {
                file: Some(file.into()),
                field: Some(format!("line {line}")),
                problem: format!("{name} is recommended both {prev} and {v} (several SG shares or budgets)"),
                fix: "keep one row per instance type: the answer for the mix you run".into(),
            });
        }
    }
    if out.is_empty() {
        return Err(InputError::file(
            file,
            "has no rows",
            "write it with `sgpsim recommend ... --format csv -o FILE`",
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_csv_reads_back_as_a_table() {
        let text = "instance_type,sg_share,recommended_max_pods\nm5.large,0.3,24\nm5.xlarge,0.3,52\n";
        let t = read_table(text.as_bytes(), "r.csv").unwrap();
        assert_eq!(t.get("m5.large"), Some(&24));
        assert_eq!(t.get("m5.xlarge"), Some(&52));
        let e = read_table(
            b"instance_type,sg_share,recommended_max_pods\nm5.large,0.3,24\nm5.large,0.5,22\n",
            "r.csv",
        )
        .unwrap_err();
        assert!(e.problem.contains("both 24 and 22"), "{e}");
        assert!(read_table(b"a,b\n1,2\n", "r.csv").is_err());
    }
}
