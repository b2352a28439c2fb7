//! Reading Kubernetes YAML: files and directories of multi-document YAML,
//! each document turned into a plain JSON-like value.
//!
//! Parsing uses `serde-saphyr` (see `docs/yaml-crate.md`): pure Rust, no
//! `unsafe`, panic-free parsing with budgets against alias bombs.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::error::InputError;

/// One YAML document and where it came from.
#[derive(Debug, Clone)]
pub struct Doc {
    /// The file, as given (or found under a given directory).
    pub file: String,
    /// 1-based position among the file's non-empty documents.
    pub index: usize,
    pub value: Value,
}

/// Files named by `paths`: files as given, directories searched recursively
/// for `*.yaml` and `*.yml`, in sorted order so the output is stable.
pub fn collect_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, InputError> {
    let mut out = Vec::new();
    for p in paths {
        let meta = std::fs::metadata(p).map_err(|e| InputError::io(p.display().to_string(), "read", &e))?;
        if meta.is_dir() {
            let mut found = Vec::new();
            walk(p, &mut found)?;
            found.sort();
            if found.is_empty() {
                return Err(InputError::file(
                    p.display().to_string(),
                    "the directory holds no *.yaml or *.yml file",
                    "name the manifest files, or a directory that holds them",
                ));
            }
            out.extend(found);
        } else {
            out.push(p.clone());
        }
    }
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), InputError> {
    let entries = std::fs::read_dir(dir).map_err(|e| InputError::io(dir.display().to_string(), "list", &e))?;
    for entry in entries {
        let entry = entry.map_err(|e| InputError::io(dir.display().to_string(), "list", &e))?;
        let path = entry.path();
        if path.is_dir() {
            walk(&path, out)?;
        } else if matches!(path.extension().and_then(|e| e.to_str()), Some("yaml" | "yml")) {
            out.push(path);
        }
    }
    Ok(())
}

/// Parses every document of YAML `text`; `file` names it in errors.
/// `kind: List` documents (as `kubectl get -o yaml` prints) are flattened.
pub fn parse_docs(text: &str, file: &str) -> Result<Vec<Doc>, InputError> {
    let values: Vec<Value> = serde_saphyr::from_multiple(text).map_err(|e| {
        InputError::file(
            file,
            format!("not valid YAML: {}", crate::input::yaml_message(&e.to_string())),
            "fix the YAML syntax (`kubectl apply --dry-run=client -f FILE` shows the same problem)",
        )
    })?;
    let mut out = Vec::new();
    for (i, value) in values.into_iter().enumerate() {
        if value.is_null() {
            continue;
        }
        if !value.is_object() {
            return Err(InputError::file(
                file,
                format!("document {} is not a mapping (a Kubernetes object)", i + 1),
                "each document must be an object with apiVersion, kind and metadata",
            ));
        }
        let is_list = value.get("kind").and_then(Value::as_str) == Some("List");
        match (is_list, value.get("items").and_then(Value::as_array)) {
            (true, Some(items)) => {
                for item in items {
                    out.push(Doc {
                        file: file.to_string(),
                        index: i + 1,
                        value: item.clone(),
                    });
                }
            }
            _ => out.push(Doc {
                file: file.to_string(),
                index: i + 1,
                value,
            }),
        }
    }
    Ok(out)
}

/// Reads and parses every file named by `paths` (see [`collect_files`]).
pub fn read_docs(paths: &[PathBuf]) -> Result<(Vec<PathBuf>, Vec<Doc>), InputError> {
    let files = collect_files(paths)?;
    let mut docs = Vec::new();
    for f in &files {
        let shown = f.display().to_string();
        let text = std::fs::read_to_string(f).map_err(|e| InputError::io(&shown, "read the manifest", &e))?;
        docs.extend(parse_docs(&text, &shown)?);
    }
    Ok((files, docs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multi_document_and_lists() {
        let text = "---\nkind: A\n---\n# only a comment\n---\nkind: List\nitems:\n- kind: B\n- kind: C\n";
        let docs = parse_docs(text, "x.yaml").unwrap();
        let kinds: Vec<&str> = docs.iter().map(|d| d.value["kind"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["A", "B", "C"]);
    }

    #[test]
    fn bad_yaml_names_the_file() {
        let e = parse_docs("kind: [unclosed\n", "bad.yaml").unwrap_err();
        assert_eq!(e.file.as_deref(), Some("bad.yaml"));
        let e = parse_docs("- just\n- a list\n", "list.yaml").unwrap_err();
        assert!(e.problem.contains("not a mapping"), "{e}");
    }
}
