//! The listings of `sgpsim catalog` (instance types and their limits) and
//! `sgpsim formulas` (each formula's maxPods per type, with the capacities
//! it is compared with), as a table, CSV or JSON.

use crate::input::catalog::{COLUMNS, InstanceType};
use crate::input::facts::Facts;
use crate::model::formula::Formula;
use crate::model::node::{NodeSettings, SystemPods, branch_capacity, ip_capacity, ip_capacity_without_trunk, trunk};
use crate::output::{csv, json, table};

fn opt_str<T: ToString>(x: Option<T>) -> String {
    x.map(|v| v.to_string()).unwrap_or_default()
}

fn catalog_fields(t: &InstanceType) -> Vec<String> {
    vec![
        t.name.clone(),
        t.max_enis.to_string(),
        t.ipv4_per_eni.to_string(),
        t.branch_enis.to_string(),
        t.trunk_compatible.to_string(),
        t.hypervisor.clone(),
        opt_str(t.eni_max_pods),
        opt_str(t.vcpus),
        opt_str(t.memory_mib),
    ]
}

/// The catalog's rows as a CSV with the catalog's own columns (`--catalog` takes it back).
pub fn catalog_csv(types: &[&InstanceType]) -> Vec<u8> {
    csv::plain(&COLUMNS, types.iter().map(|t| catalog_fields(t)))
}

/// The catalog's rows as an aligned table.
pub fn catalog_table(types: &[&InstanceType]) -> String {
    let rows: Vec<Vec<String>> = types.iter().map(|t| catalog_fields(t)).collect();
    table::render(&COLUMNS, &rows, &[0, 5])
}

/// The catalog's rows as a JSON array, a figure the catalog lacks as `null`.
pub fn catalog_json(types: &[&InstanceType]) -> Vec<u8> {
    let objs: Vec<serde_json::Value> = types
        .iter()
        .map(|t| {
            serde_json::json!({
                "instance_type": t.name, "max_enis": t.max_enis, "ipv4_per_eni": t.ipv4_per_eni,
                "branch_enis": t.branch_enis, "trunk_compatible": t.trunk_compatible,
                "hypervisor": t.hypervisor, "eni_max_pods": t.eni_max_pods,
                "vcpus": t.vcpus, "memory_mib": t.memory_mib,
            })
        })
        .collect();
    json(&objs)
}

/// The network cards of a type that has more than one (from the bundled facts).
fn network_cards(t: &InstanceType) -> Option<u32> {
    Facts::bundled()
        .get(&t.name)
        .and_then(|f| f.network_cards)
        .filter(|&n| n > 1)
}

fn card_note(t: &InstanceType, cards: u32) -> String {
    format!(
        "{} has {cards} network cards: its IPs and maxPods count the default card's {} ENIs only, as the VPC CNI and Karpenter do (the other cards' ENIs hold no pod IPs here)",
        t.name, t.max_enis
    )
}

/// One formula on one instance type.
#[derive(Debug, Clone)]
pub struct FormulaRow<'c> {
    pub instance_type: &'c InstanceType,
    pub formula: String,
    /// `None` when the catalog lacks a figure the formula needs.
    pub max_pods: Option<u32>,
    /// The formula's own note, why there is no figure, or that the figure
    /// leaves no room above the system pods; empty if none.
    pub note: String,
}

/// The `formulas` listing: every formula on every type, with `system`
/// hostNetwork system pods and `settings`.
#[derive(Debug, Clone)]
pub struct Formulas<'c> {
    pub rows: Vec<FormulaRow<'c>>,
    pub settings: NodeSettings,
    pub system: SystemPods,
}

impl<'c> Formulas<'c> {
    /// Each formula's maxPods on each type, in type then formula order.
    pub fn new(types: &[&'c InstanceType], formulas: &[Formula], settings: NodeSettings, system: SystemPods) -> Self {
        let mut rows = Vec::new();
        for t in types {
            for f in formulas {
                let (max_pods, note) = match f.max_pods(t, &settings, system) {
                    Ok(m) => {
                        let mut note = m.note.unwrap_or_default();
                        if m.value <= system.host {
                            note = format!("maxPods {} leaves no room above {} system pods", m.value, system.host);
                        }
                        (Some(m.value), note)
                    }
                    Err(u) => (None, format!("n/a: {u}")),
                };
                rows.push(FormulaRow {
                    instance_type: t,
                    formula: f.name(),
                    max_pods,
                    note,
                });
            }
        }
        Formulas { rows, settings, system }
    }

    /// `type formula: note` for every row with a note (CSV has no column
    /// for them), then one line per type with more than one network card.
    pub fn notes(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .rows
            .iter()
            .filter(|r| !r.note.is_empty())
            .map(|r| format!("{} {}: {}", r.instance_type.name, r.formula, r.note))
            .collect();
        out.extend(self.card_notes());
        out
    }

    /// One line per listed type with more than one network card: its pod
    /// IPs count the default card's ENIs only.
    pub fn card_notes(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut seen = std::collections::BTreeSet::new();
        for r in &self.rows {
            let t = r.instance_type;
            if seen.insert(t.name.as_str())
                && let Some(n) = network_cards(t)
            {
                out.push(card_note(t, n));
            }
        }
        out
    }

    /// CSV: type, formula, maxPods (empty without a figure) and the capacities.
    pub fn csv(&self) -> Vec<u8> {
        let header = [
            "instance_type",
            "formula",
            "max_pods",
            "ip_capacity",
            "branch_capacity",
            "system_pods",
        ];
        let s = &self.settings;
        let body = self.rows.iter().map(|r| {
            vec![
                r.instance_type.name.clone(),
                r.formula.clone(),
                opt_str(r.max_pods),
                ip_capacity(r.instance_type, s).to_string(),
                branch_capacity(r.instance_type, s).to_string(),
                self.system.host.to_string(),
            ]
        });
        csv::plain(&header, body)
    }

    /// JSON: one object per row, with the type's limits and the note.
    pub fn json(&self) -> Vec<u8> {
        let s = &self.settings;
        let objs: Vec<serde_json::Value> = self
            .rows
            .iter()
            .map(|r| {
                let t = r.instance_type;
                serde_json::json!({
                    "instance_type": t.name, "formula": r.formula, "max_pods": r.max_pods,
                    "ip_capacity": ip_capacity(t, s),
                    "ip_capacity_without_trunk": ip_capacity_without_trunk(t, s),
                    "branch_capacity": branch_capacity(t, s),
                    "system_pods": self.system.host, "max_enis": t.max_enis, "ipv4_per_eni": t.ipv4_per_eni,
                    "branch_enis": t.branch_enis, "trunk_compatible": t.trunk_compatible,
                    "network_cards": Facts::bundled().get(&t.name).and_then(|f| f.network_cards),
                    "note": if r.note.is_empty() { None } else { Some(&r.note) },
                    "network_card_note": network_cards(t).map(|n| card_note(t, n)),
                })
            })
            .collect();
        json(&objs)
    }

    /// The table, then a line with `S` and the settings.
    pub fn table(&self) -> String {
        let header = [
            "type",
            "formula",
            "maxPods",
            "E",
            "I",
            "B",
            "trunk",
            "IPs (trunk)",
            "IPs (no trunk)",
            "branches",
            "note",
        ];
        let s = self.settings;
        let body: Vec<Vec<String>> = self
            .rows
            .iter()
            .map(|r| {
                let t = r.instance_type;
                vec![
                    t.name.clone(),
                    r.formula.clone(),
                    r.max_pods.map_or("n/a".into(), |m| m.to_string()),
                    t.max_enis.to_string(),
                    t.ipv4_per_eni.to_string(),
                    t.branch_enis.to_string(),
                    if trunk(t, &s) == 1 { "yes" } else { "no" }.to_string(),
                    ip_capacity(t, &NodeSettings { sgp: true, ..s }).to_string(),
                    ip_capacity_without_trunk(t, &s).to_string(),
                    branch_capacity(t, &s).to_string(),
                    r.note.clone(),
                ]
            })
            .collect();
        let mut text = table::render(&header, &body, &[0, 1, 10]);
        let more: String = s.describe_networking().iter().map(|d| format!("; {d}")).collect();
        text.push_str(&format!(
            "\nS = {} system pods (hostNetwork); SGP {}; prefix delegation {}{more}.\n",
            self.system.host,
            if s.sgp { "on" } else { "off" },
            if s.prefix_delegation { "on" } else { "off" }
        ));
        for n in self.card_notes() {
            text.push_str(&format!("{n}\n"));
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::catalog::Catalog;

    #[test]
    fn formulas_flag_what_the_catalog_lacks_and_what_leaves_no_room() {
        let c = Catalog::bundled();
        let types = c.select(&["m5.large".into(), "c7i.32xlarge".into()], "t").unwrap();
        let formulas = [Formula::parse("fixed:2").unwrap(), Formula::SeedUserdata];
        let f = Formulas::new(
            &types,
            &formulas,
            NodeSettings::default(),
            SystemPods { host: 2, ip: 0 },
        );
        assert_eq!(f.rows.len(), 4);
        assert!(
            f.rows[0].note.contains("leaves no room above 2 system pods"),
            "{:?}",
            f.rows[0]
        );
        assert_eq!(f.rows[1].max_pods, Some(20));
        assert_eq!(f.rows[3].max_pods, None);
        assert!(f.rows[3].note.starts_with("n/a: "), "{:?}", f.rows[3]);
        assert_eq!(f.notes().len(), 3);
        let csv = String::from_utf8(f.csv()).unwrap();
        assert!(csv.contains("\nc7i.32xlarge,seed-userdata,,"), "{csv}");
    }

    #[test]
    fn the_catalog_csv_reads_back_as_a_catalog() {
        let c = Catalog::bundled();
        let types = c.select(&["m5.*".into()], "t").unwrap();
        let text = String::from_utf8(catalog_csv(&types)).unwrap();
        let (back, notes) = Catalog::bundled_with_text(&text, "listing.csv").unwrap();
        assert!(notes.is_empty());
        for t in &types {
            assert_eq!(back.get(&t.name), Some(*t));
        }
    }
}
