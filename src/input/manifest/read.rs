//! Reading Kubernetes objects: files, directories and standard input (`-`)
//! of multi-document YAML or JSON (`kubectl get -o json`), each document
//! turned into a plain JSON-like value.
//!
//! YAML parsing uses `serde-saphyr` (see ARCHITECTURE.md): pure Rust, no
//! `unsafe`, panic-free parsing with budgets against alias bombs. JSON goes
//! through `serde_json`. Inputs that are not manifests yet (a Kustomization,
//! a Helm chart or template) are refused with the command that renders them.

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

/// The path that names standard input.
pub const STDIN: &str = "-";

/// How a path is named in messages and comments (`-` is standard input).
pub fn shown(p: &Path) -> String {
    if p == Path::new(STDIN) {
        "<stdin>".into()
    } else {
        p.display().to_string()
    }
}

/// Kustomize's file names (kustomize `konfig.RecognizedKustomizationFileNames`).
const KUSTOMIZATION_FILES: [&str; 3] = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// The error for a Kustomization: its files are not the objects it builds.
pub fn kustomization_error(file: &str, dir: &str) -> InputError {
    InputError::file(
        file,
        "is a Kustomization: the objects it builds (patches, overlays, replica counts, name prefixes) are not the files beside it",
        format!("render it first: `kubectl kustomize {dir} | sgpsim scenario from-manifests -`"),
    )
}

/// Files named by `paths`: files as given, `-` for standard input,
/// directories searched recursively for `*.yaml`, `*.yml` and `*.json`, in
/// sorted order so the output is stable.
pub fn collect_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, InputError> {
    let mut out = Vec::new();
    if paths.iter().filter(|p| p.as_path() == Path::new(STDIN)).count() > 1 {
        return Err(InputError::field(
            "FILE",
            "`-` (standard input) is named more than once",
            "name `-` once: standard input can be read only once",
        ));
    }
    for p in paths {
        if p.as_path() == Path::new(STDIN) {
            out.push(p.clone());
            continue;
        }
        let meta = std::fs::metadata(p).map_err(|e| InputError::io(p.display().to_string(), "read", &e))?;
        if meta.is_dir() {
            let mut found = Vec::new();
            walk(p, &mut found)?;
            found.sort();
            if found.is_empty() {
                return Err(InputError::file(
                    p.display().to_string(),
                    "the directory holds no *.yaml, *.yml or *.json file",
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
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        if path.is_dir() {
            walk(&path, out)?;
        } else if KUSTOMIZATION_FILES.contains(&name) {
            return Err(kustomization_error(
                &path.display().to_string(),
                &dir.display().to_string(),
            ));
        } else if name == "Chart.yaml" {
            return Err(InputError::file(
                path.display().to_string(),
                "is a Helm chart: its templates are not manifests until Helm renders them",
                format!(
                    "render it first: `helm template RELEASE {} -f values.yaml | sgpsim scenario from-manifests -`",
                    dir.display()
                ),
            ));
        } else if matches!(path.extension().and_then(|e| e.to_str()), Some("yaml" | "yml" | "json")) {
            out.push(path);
        }
    }
    Ok(())
}

/// Whether `text` from `file` is JSON rather than YAML.
fn is_json(text: &str, file: &str) -> bool {
    file.ends_with(".json") || text.trim_start().starts_with(['{', '['])
}

/// Parses JSON `text` (one object, a `List`, or an array of objects).
pub fn parse_json(text: &str, file: &str) -> Result<Vec<Doc>, InputError> {
    let value: Value = serde_json::from_str(text).map_err(|e| {
        InputError::file(
            file,
            format!("not valid JSON: {e}"),
            "give the output of `kubectl get ... -o json` unchanged, or YAML",
        )
    })?;
    let values = match value {
        Value::Array(items) => items,
        v => vec![v],
    };
    let mut out = Vec::new();
    for (i, value) in values.into_iter().enumerate() {
        push_doc(&mut out, value, file, i + 1)?;
    }
    Ok(out)
}

/// A document, flattened when it is a `kind: List`.
fn push_doc(out: &mut Vec<Doc>, value: Value, file: &str, index: usize) -> Result<(), InputError> {
    if value.is_null() {
        return Ok(());
    }
    if !value.is_object() {
        return Err(InputError::file(
            file,
            format!("document {index} is not a mapping (a Kubernetes object)"),
            "each document must be an object with apiVersion, kind and metadata",
        ));
    }
    let is_list = value.get("kind").and_then(Value::as_str) == Some("List")
        || value
            .get("kind")
            .and_then(Value::as_str)
            .is_some_and(|k| k.ends_with("List"))
            && value.get("items").is_some_and(Value::is_array);
    match (is_list, value.get("items").and_then(Value::as_array)) {
        (true, Some(items)) => {
            for item in items {
                out.push(Doc {
                    file: file.to_string(),
                    index,
                    value: item.clone(),
                });
            }
        }
        _ => out.push(Doc {
            file: file.to_string(),
            index,
            value,
        }),
    }
    Ok(())
}

/// Parses every document of YAML `text`; `file` names it in errors.
/// `kind: List` documents (as `kubectl get -o yaml` prints) are flattened.
pub fn parse_docs(text: &str, file: &str) -> Result<Vec<Doc>, InputError> {
    let values: Vec<Value> = serde_saphyr::from_multiple(text).map_err(|e| {
        let fix = if text.contains("{{") {
            "this looks like an unrendered Helm template: `helm template RELEASE CHART | sgpsim scenario from-manifests -`"
        } else {
            "fix the YAML syntax (`kubectl apply --dry-run=client -f FILE` shows the same problem)"
        };
        InputError::file(file, format!("not valid YAML: {}", crate::input::yaml_message(&e.to_string())), fix)
    })?;
    let mut out = Vec::new();
    for (i, value) in values.into_iter().enumerate() {
        push_doc(&mut out, value, file, i + 1)?;
    }
    Ok(out)
}

/// Parses `text` as JSON or YAML, whichever it is.
pub fn parse_any(text: &str, file: &str) -> Result<Vec<Doc>, InputError> {
    if is_json(text, file) {
        parse_json(text, file)
    } else {
        parse_docs(text, file)
    }
}

/// The text of one input: a file, or standard input for `-`.
pub fn read_text(p: &Path) -> Result<String, InputError> {
    let name = shown(p);
    if p == Path::new(STDIN) {
        // Through input::source, so that standard input is read once per command.
        crate::input::source::read(p, "this input")
    } else {
        std::fs::read_to_string(p).map_err(|e| InputError::io(&name, "read the file", &e))
    }
}

/// Reads and parses every file named by `paths` (see [`collect_files`]).
pub fn read_docs(paths: &[PathBuf]) -> Result<(Vec<PathBuf>, Vec<Doc>), InputError> {
    let files = collect_files(paths)?;
    let mut docs = Vec::new();
    for f in &files {
        let text = read_text(f)?;
        docs.extend(parse_any(&text, &shown(f))?);
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
        let e = parse_docs("replicas: {{ .Values.replicas }}\n", "t.yaml").unwrap_err();
        assert!(e.fix.contains("helm template"), "{e}");
    }

    #[test]
    fn json_lists_as_kubectl_prints_them() {
        let text = r#"{"apiVersion": "v1", "kind": "List", "items": [{"kind": "Node"}, {"kind": "Pod"}]}"#;
        let docs = parse_any(text, "dump").unwrap();
        assert_eq!(docs.len(), 2);
        let docs = parse_any(r#"{"kind": "PodList", "items": [{"kind": "Pod"}]}"#, "pods.json").unwrap();
        assert_eq!(docs[0].value["kind"], "Pod");
        let e = parse_any("{\"kind\": ", "x.json").unwrap_err();
        assert!(
            e.problem.contains("not valid JSON") && e.file.as_deref() == Some("x.json"),
            "{e}"
        );
    }

    #[test]
    fn directories_take_json_and_refuse_kustomizations() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.yaml"), "kind: A\n").unwrap();
        std::fs::write(dir.path().join("b.json"), r#"{"kind": "B"}"#).unwrap();
        std::fs::write(dir.path().join("notes.txt"), "not read").unwrap();
        let (files, docs) = read_docs(&[dir.path().to_path_buf()]).unwrap();
        assert_eq!(files.len(), 2);
        assert_eq!(docs.len(), 2);
        std::fs::write(dir.path().join("kustomization.yaml"), "resources: [a.yaml]\n").unwrap();
        let e = read_docs(&[dir.path().to_path_buf()]).unwrap_err();
        assert!(e.fix.contains("kubectl kustomize"), "{e}");
        let e = collect_files(&["-".into(), "-".into()]).unwrap_err();
        assert!(e.problem.contains("more than once"), "{e}");
    }
}
