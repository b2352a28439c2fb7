//! Kubernetes label selectors (`matchLabels` + `matchExpressions`), matched
//! as `metav1.LabelSelectorAsSelector` + `labels.Selector.Matches` do
//! (kubernetes/apimachinery `pkg/apis/meta/v1/helpers.go`, `pkg/labels/selector.go`):
//! every term must hold; an empty selector (`{}`) matches every label set;
//! `In`/`NotIn` need values, `Exists`/`DoesNotExist` take none, and any
//! other operator makes the selector invalid.

use crate::input::bounds::excerpt;
use std::collections::BTreeMap;

use serde_json::Value;

/// A label set (a pod's or a service account's labels).
pub type Labels = BTreeMap<String, String>;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SelOp {
    In,
    NotIn,
    Exists,
    DoesNotExist,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SelExpr {
    pub key: String,
    pub op: SelOp,
    pub values: Vec<String>,
}

/// A parsed selector, or why it is invalid (then it matches nothing, as in
/// the resource controller, which logs the conversion error and moves on).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selector {
    pub match_labels: Labels,
    pub exprs: Vec<SelExpr>,
    pub invalid: Option<String>,
}

/// A scalar as Kubernetes would read it into a string field.
pub fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// `metadata.labels`-style maps: string values only.
pub fn labels_of(v: Option<&Value>) -> Labels {
    v.and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| scalar(v).map(|s| (k.clone(), s)))
                .collect()
        })
        .unwrap_or_default()
}

impl Selector {
    /// Parses a `LabelSelector` object. A malformed one is returned with
    /// `invalid` set, not rejected: the webhook tolerates it too.
    pub fn parse(v: &Value) -> Selector {
        let mut sel = Selector {
            match_labels: labels_of(v.get("matchLabels")),
            exprs: Vec::new(),
            invalid: None,
        };
        if !v.is_object() {
            sel.invalid = Some("the selector is not a mapping".into());
            return sel;
        }
        let Some(list) = v.get("matchExpressions") else {
            return sel;
        };
        let Some(list) = list.as_array() else {
            sel.invalid = Some("matchExpressions is not a list".into());
            return sel;
        };
        for (i, e) in list.iter().enumerate() {
            let key = e.get("key").and_then(scalar).unwrap_or_default();
            let op_text = e.get("operator").and_then(scalar).unwrap_or_default();
            let values: Vec<String> = e
                .get("values")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(scalar).collect())
                .unwrap_or_default();
            let op = match op_text.as_str() {
                "In" => SelOp::In,
                "NotIn" => SelOp::NotIn,
                "Exists" => SelOp::Exists,
                "DoesNotExist" => SelOp::DoesNotExist,
                other => {
                    sel.invalid = Some(format!(
                        "matchExpressions[{i}]: operator `{}` is not a selector operator",
                        excerpt(other)
                    ));
                    return sel;
                }
            };
            if key.is_empty() {
                sel.invalid = Some(format!("matchExpressions[{i}]: no key"));
                return sel;
            }
            let needs_values = matches!(op, SelOp::In | SelOp::NotIn);
            if needs_values == values.is_empty() {
                sel.invalid = Some(format!(
                    "matchExpressions[{i}]: `{op_text}` {} values",
                    if needs_values { "needs" } else { "takes no" }
                ));
                return sel;
            }
            sel.exprs.push(SelExpr { key, op, values });
        }
        sel
    }

    /// Whether `labels` satisfy every term. An invalid selector matches nothing.
    pub fn matches(&self, labels: &Labels) -> bool {
        if self.invalid.is_some() {
            return false;
        }
        self.match_labels.iter().all(|(k, v)| labels.get(k) == Some(v))
            && self.exprs.iter().all(|e| {
                let got = labels.get(&e.key);
                match e.op {
                    SelOp::In => got.is_some_and(|g| e.values.contains(g)),
                    SelOp::NotIn => got.is_none_or(|g| !e.values.contains(g)),
                    SelOp::Exists => got.is_some(),
                    SelOp::DoesNotExist => got.is_none(),
                }
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sel(yaml: &str) -> Selector {
        Selector::parse(&serde_saphyr::from_str::<Value>(yaml).unwrap())
    }

    fn l(pairs: &[(&str, &str)]) -> Labels {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn empty_selector_matches_everything() {
        assert!(sel("{}").matches(&Labels::new()));
        assert!(sel("{}").matches(&l(&[("a", "b")])));
    }

    #[test]
    fn labels_and_expressions_are_anded() {
        let s = sel(
            "matchLabels: {app: api}\nmatchExpressions:\n- {key: tier, operator: In, values: [db, cache]}\n- {key: legacy, operator: DoesNotExist}\n",
        );
        assert!(s.matches(&l(&[("app", "api"), ("tier", "db")])));
        assert!(!s.matches(&l(&[("app", "api"), ("tier", "web")])));
        assert!(!s.matches(&l(&[("app", "api"), ("tier", "db"), ("legacy", "x")])));
        assert!(!s.matches(&l(&[("tier", "db")])));
    }

    #[test]
    fn not_in_accepts_a_missing_key() {
        let s = sel("matchExpressions:\n- {key: env, operator: NotIn, values: [dev]}\n");
        assert!(s.matches(&Labels::new()));
        assert!(s.matches(&l(&[("env", "prod")])));
        assert!(!s.matches(&l(&[("env", "dev")])));
    }

    #[test]
    fn invalid_selectors_match_nothing() {
        for y in [
            "matchExpressions:\n- {key: a, operator: Gt, values: ['1']}\n",
            "matchExpressions:\n- {key: a, operator: In}\n",
            "matchExpressions:\n- {key: a, operator: Exists, values: [x]}\n",
        ] {
            let s = sel(y);
            assert!(s.invalid.is_some(), "{y}");
            assert!(!s.matches(&l(&[("a", "1")])), "{y}");
        }
    }
}
