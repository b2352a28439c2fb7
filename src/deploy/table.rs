//! The exact per-type table of a formula that the UserData script carries:
//! the AWS default, trunk compatibility and maxPods of every instance type,
//! and the stated default for a type outside it.

use super::Context;
use crate::input::catalog::InstanceType;
use crate::model::formula::{Formula, aws_default};

/// One row of the UserData table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub instance_type: String,
    /// `E*(I-1)+2`, the AWS default.
    pub aws: u32,
    pub trunk: bool,
    pub max_pods: u32,
}

/// The exact table of a formula over `types`, and notes for types left out.
pub fn table(types: &[&InstanceType], f: &Formula, ctx: &Context) -> (Vec<Entry>, Vec<String>) {
    let mut rows = Vec::new();
    let mut notes = Vec::new();
    for t in types {
        // The name goes into a bash `case` pattern: only the characters of real type names.
        if t.name.is_empty()
            || !t
                .name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-')
        {
            notes.push(format!(
                "{:?}: left out of the table: not a valid instance-type name for the script",
                t.name
            ));
            continue;
        }
        match f.max_pods(t, &ctx.settings, ctx.system) {
            Ok(m) => {
                if let Some(n) = m.note {
                    notes.push(format!("{}: {n}", t.name));
                }
                if m.value < ctx.system.smallest_max_pods() {
                    notes.push(format!(
                        "{}: maxPods {} leaves no room above {} system pods (kept: it is what the formula gives)",
                        t.name,
                        m.value,
                        ctx.system.total()
                    ));
                }
                rows.push(Entry {
                    instance_type: t.name.clone(),
                    aws: aws_default(t),
                    trunk: t.trunk_compatible,
                    max_pods: m.value,
                });
            }
            Err(u) => notes.push(format!(
                "{}: left out of the table, falls back to the default: {u}",
                t.name
            )),
        }
    }
    (rows, notes)
}

/// The default for a type outside the table: the smallest maxPods of the
/// table (safe on every listed type), or 110 (nodeadm's `defaultMaxPods`) for
/// an empty table; and why, for the script's comment.
pub fn default_max_pods(rows: &[Entry]) -> (u32, String) {
    match rows.iter().map(|e| e.max_pods).min() {
        Some(m) => (
            m,
            format!("DEFAULT_MAX_PODS: the smallest maxPods of the table ({m}), safe for every type listed"),
        ),
        None => (
            110,
            "DEFAULT_MAX_PODS: nodeadm's defaultMaxPods (110), the table is empty".into(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::catalog::Catalog;

    #[test]
    fn table_matches_the_formula_and_notes_gaps() {
        let c = Catalog::bundled();
        let types = c
            .select(&["m5.large".into(), "m5.xlarge".into(), "c7i.32xlarge".into()], "t")
            .unwrap();
        let f = Formula::parse("seed-userdata").unwrap();
        let (rows, notes) = table(&types, &f, &Context::new(true, false, 2));
        assert_eq!(rows.len(), 2);
        assert_eq!((rows[0].aws, rows[0].max_pods), (29, 20));
        assert_eq!((rows[1].aws, rows[1].max_pods), (58, 40));
        assert!(notes.iter().any(|n| n.starts_with("c7i.32xlarge")), "{notes:?}");
        assert_eq!(default_max_pods(&rows).0, 20);
        assert_eq!(default_max_pods(&[]).0, 110);
    }

    #[test]
    fn names_unsafe_for_bash_are_left_out() {
        let mut t = Catalog::bundled().get("m5.large").unwrap().clone();
        t.name = "m5.large)$(touch x)".into();
        let (rows, notes) = table(&[&t], &Formula::AwsDefault, &Context::new(true, false, 2));
        assert!(rows.is_empty());
        assert!(notes[0].contains("not a valid instance-type name"), "{notes:?}");
    }
}
