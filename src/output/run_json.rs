//! What `sgpsim run --format json` prints: the scenario, its seed, the
//! results directory, the files written and the charts left out, and the
//! rows of `summary.csv` as objects with the same columns and the same
//! figures (static and timed runs alike).

use std::path::Path;

use serde_json::{Map, Value};

/// Columns that hold text even where every value looks like a number.
const TEXT_COLUMNS: [&str; 8] = [
    "instance_type",
    "formula",
    "order",
    "policy",
    "nodes",
    "nodepool",
    "arrivals",
    "note",
];

/// The run's JSON. `files` are relative to `dir`; `skipped` are (chart, why).
pub fn render(
    scenario: &str,
    seed: u64,
    dir: &Path,
    files: &[String],
    skipped: &[(&str, String)],
    summary_csv: &[u8],
) -> Vec<u8> {
    let skipped: Vec<Value> = skipped
        .iter()
        .map(|(chart, why)| serde_json::json!({"chart": chart, "reason": why}))
        .collect();
    crate::output::json(&serde_json::json!({
        "scenario": scenario,
        "seed": seed,
        "directory": dir.display().to_string(),
        "files": files,
        "skipped": skipped,
        "summary": rows(summary_csv),
    }))
}

/// CSV rows as objects: a column is numbers (empty: `null`) when every value
/// in it parses as one, booleans when every value is `true` or `false`, else
/// text.
fn rows(csv_bytes: &[u8]) -> Vec<Value> {
    let mut reader = csv::Reader::from_reader(csv_bytes);
    let header: Vec<String> = reader
        .headers()
        .expect("our own CSV has a header")
        .iter()
        .map(String::from)
        .collect();
    let records: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.expect("our own CSV parses").iter().map(String::from).collect())
        .collect();
    let kinds: Vec<Kind> = (0..header.len())
        .map(|i| Kind::of(&header[i], records.iter().map(|r| r[i].as_str())))
        .collect();
    records
        .iter()
        .map(|r| {
            let mut obj = Map::new();
            for ((name, kind), v) in header.iter().zip(&kinds).zip(r) {
                obj.insert(name.clone(), kind.value(v));
            }
            Value::Object(obj)
        })
        .collect()
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Number,
    Bool,
    Text,
}

impl Kind {
    fn of<'a>(column: &str, mut values: impl Iterator<Item = &'a str> + Clone) -> Kind {
        if TEXT_COLUMNS.contains(&column) {
            Kind::Text
        } else if values.clone().all(|v| v == "true" || v == "false") {
            Kind::Bool
        } else if values.all(|v| v.is_empty() || v.parse::<f64>().is_ok_and(f64::is_finite)) {
            Kind::Number
        } else {
            Kind::Text
        }
    }

    fn value(self, v: &str) -> Value {
        match self {
            Kind::Text => Value::String(v.to_string()),
            Kind::Bool => Value::Bool(v == "true"),
            Kind::Number if v.is_empty() => Value::Null,
            Kind::Number => match v.parse::<i64>() {
                Ok(i) => Value::from(i),
                Err(_) => v.parse::<f64>().map(Value::from).unwrap_or(Value::Null),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_keep_their_figures_and_types() {
        let csv = b"instance_type,formula,trials,failure_rate_mean,first_ip_failure_min,sgp,note\n\
                    m5.large,40,1,0.5,,true,\nm5.large,aws-default,1000,0.123457,19,false,flagged\n";
        let out: Value = serde_json::from_slice(&render("s", 7, Path::new("d"), &[], &[], csv)).unwrap();
        let rows = out["summary"].as_array().unwrap();
        assert_eq!(
            rows[0]["formula"], "40",
            "a formula column is text even when it looks like a number"
        );
        assert_eq!(rows[0]["trials"], 1);
        assert_eq!(rows[0]["failure_rate_mean"], 0.5);
        assert_eq!(rows[0]["first_ip_failure_min"], Value::Null);
        assert_eq!(rows[1]["first_ip_failure_min"], 19);
        assert_eq!(rows[0]["sgp"], true);
        assert_eq!(rows[0]["note"], "");
        assert_eq!(rows[1]["failure_rate_mean"], 0.123457);
        assert_eq!(out["seed"], 7);
    }
}
