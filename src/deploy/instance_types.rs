//! The instance types a configuration covers: named by patterns (`--types`),
//! or allowed by Karpenter NodePools (`--nodepool`), with a line saying where
//! they came from for the output's header.

use std::collections::BTreeSet;

use crate::error::InputError;
use crate::input::catalog::{Catalog, InstanceType};
use crate::input::manifest::nodepool;
use crate::input::manifest::read::Doc;

/// Instance types, where they came from, and notes on what was not evaluated.
#[derive(Debug)]
pub struct Selection<'c> {
    pub types: Vec<&'c InstanceType>,
    /// `--types m5.* c6i.large`, or `NodePool a, b (files)`.
    pub source: String,
    pub notes: Vec<String>,
}

/// The types `patterns` name (globs or names; `--types`).
pub fn named<'c>(catalog: &'c Catalog, patterns: &[String]) -> Result<Selection<'c>, InputError> {
    Ok(Selection {
        types: catalog.select(patterns, "--types")?,
        source: format!("--types {}", patterns.join(" ")),
        notes: Vec::new(),
    })
}

/// The union of the types the NodePools among `docs` allow. `files` names
/// the files the documents came from, as shown to the user.
pub fn from_nodepools<'c>(catalog: &'c Catalog, docs: &[Doc], files: &str) -> Result<Selection<'c>, InputError> {
    let mut names = BTreeSet::new();
    let mut notes = Vec::new();
    let mut pools = Vec::new();
    for d in docs
        .iter()
        .filter(|d| d.value.get("kind").and_then(|k| k.as_str()) == Some("NodePool"))
    {
        let name = d
            .value
            .pointer("/metadata/name")
            .and_then(|n| n.as_str())
            .unwrap_or("")
            .to_string();
        let what = format!("NodePool {name}");
        let reqs = nodepool::parse_requirements(d.value.pointer("/spec/template/spec/requirements"), &d.file, &what)?;
        let (allowed, n) = nodepool::allowed(&reqs, catalog);
        notes.extend(n.into_iter().map(|n| format!("{what}: {n}")));
        names.extend(allowed.into_iter().map(|t| t.name.clone()));
        pools.push(name);
    }
    if pools.is_empty() {
        return Err(InputError::file(
            files,
            "holds no NodePool",
            "name a file with a karpenter.sh/v1 NodePool, or use --types",
        )
        .at("--nodepool"));
    }
    let types: Vec<&InstanceType> = names.iter().filter_map(|n| catalog.get(n)).collect();
    if types.is_empty() {
        return Err(InputError::file(
            files,
            "the NodePools allow no type of the catalog",
            "check their requirements",
        )
        .at("--nodepool"));
    }
    Ok(Selection {
        types,
        source: format!("NodePool {} ({files})", pools.join(", ")),
        notes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::manifest::read::parse_docs;

    #[test]
    fn nodepools_allow_the_union_of_their_types() {
        let c = Catalog::bundled();
        let docs = parse_docs(
            "apiVersion: karpenter.sh/v1\nkind: NodePool\nmetadata: {name: a}\nspec:\n  template:\n    spec:\n      \
             requirements:\n        - {key: node.kubernetes.io/instance-type, operator: In, values: [m5.large]}\n\
             ---\napiVersion: karpenter.sh/v1\nkind: NodePool\nmetadata: {name: b}\nspec:\n  template:\n    spec:\n      \
             requirements:\n        - {key: node.kubernetes.io/instance-type, operator: In, values: [c6i.large, m5.large]}\n",
            "np.yaml",
        )
        .unwrap();
        let s = from_nodepools(&c, &docs, "np.yaml").unwrap();
        let names: Vec<&str> = s.types.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["c6i.large", "m5.large"]);
        assert_eq!(s.source, "NodePool a, b (np.yaml)");
    }

    #[test]
    fn files_without_a_nodepool_are_an_error_naming_them() {
        let c = Catalog::bundled();
        let docs = parse_docs("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n", "cm.yaml").unwrap();
        let e = from_nodepools(&c, &docs, "cm.yaml").unwrap_err();
        assert_eq!(e.file.as_deref(), Some("cm.yaml"));
        assert_eq!(e.field.as_deref(), Some("--nodepool"));
        assert_eq!(named(&c, &["m5.large".into()]).unwrap().source, "--types m5.large");
    }
}
