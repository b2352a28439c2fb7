//! Instance facts beyond the limits: architecture, GPUs, network cards and
//! Karpenter's name labels, per type (`data/instance-facts.csv`, a copy of
//! `shared/reference/instance-facts.csv`; sources in `data/README.md`).
//!
//! The catalog ([`crate::input::catalog`]) holds what the model computes with; this
//! table holds what NodePool requirements select on. It is compiled in and
//! read once. Empty cells stay `None`: no source publishes the figure.

use std::collections::BTreeMap;
use std::sync::OnceLock;

/// The bundled table, compiled in.
const BUNDLED_CSV: &str = include_str!("../../data/instance-facts.csv");

/// The columns of `instance-facts.csv`, in order.
pub const COLUMNS: [&str; 13] = [
    "instance_type",
    "arch",
    "gpu_count",
    "gpu_manufacturer",
    "gpu_name",
    "network_cards",
    "default_network_card",
    "default_card_max_enis",
    "efa_only_enis",
    "category",
    "family",
    "generation",
    "size",
];

/// Published facts of one instance type.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct InstanceFacts {
    /// `kubernetes.io/arch`: `amd64` or `arm64`.
    pub arch: Option<String>,
    /// `karpenter.k8s.aws/instance-gpu-count`; 0 where the type has no GPU
    /// (and on the fractional-GPU g6f types, which still name their GPU).
    pub gpu_count: Option<u32>,
    pub gpu_manufacturer: Option<String>,
    pub gpu_name: Option<String>,
    pub network_cards: Option<u32>,
    pub default_network_card: Option<u32>,
    pub default_card_max_enis: Option<u32>,
    /// Published by no source: always `None` in the bundled table.
    pub efa_only_enis: Option<u32>,
    pub category: Option<String>,
    pub family: Option<String>,
    pub generation: Option<String>,
    pub size: Option<String>,
}

impl InstanceFacts {
    /// Whether the architecture and GPU columns are known (17 types have none).
    pub fn listed(&self) -> bool {
        self.arch.is_some()
    }

    /// Whether Karpenter puts the `instance-gpu-*` labels on the type: only
    /// when EC2 describes a GPU (`GpuInfo.Gpus` has one entry), which the
    /// table records as a GPU name.
    pub fn has_gpu_labels(&self) -> bool {
        self.gpu_name.is_some() || self.gpu_count.is_some_and(|n| n > 0)
    }
}

/// Facts by instance type.
#[derive(Debug, Clone)]
pub struct Facts {
    types: BTreeMap<String, InstanceFacts>,
}

impl Facts {
    /// The table compiled into the binary, parsed once.
    pub fn bundled() -> &'static Facts {
        static FACTS: OnceLock<Facts> = OnceLock::new();
        FACTS.get_or_init(|| parse(BUNDLED_CSV).expect("the bundled facts are valid: checked by the tests"))
    }

    pub fn get(&self, name: &str) -> Option<&InstanceFacts> {
        self.types.get(name)
    }

    pub fn len(&self) -> usize {
        self.types.len()
    }

    pub fn is_empty(&self) -> bool {
        self.types.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&String, &InstanceFacts)> {
        self.types.iter()
    }
}

fn parse(text: &str) -> Result<Facts, String> {
    let mut rdr = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let header: Vec<String> = rdr
        .headers()
        .map_err(|e| e.to_string())?
        .iter()
        .map(String::from)
        .collect();
    if header != COLUMNS {
        return Err(format!("header {header:?} is not {COLUMNS:?}"));
    }
    let mut types = BTreeMap::new();
    for (i, rec) in rdr.records().enumerate() {
        let rec = rec.map_err(|e| e.to_string())?;
        let text = |k: usize| Some(rec[k].to_string()).filter(|s| !s.is_empty());
        let num = |k: usize| -> Result<Option<u32>, String> {
            text(k)
                .map(|s| {
                    s.parse::<u32>()
                        .map_err(|_| format!("line {}: `{s}` is not a count", i + 2))
                })
                .transpose()
        };
        types.insert(
            rec[0].to_string(),
            InstanceFacts {
                arch: text(1),
                gpu_count: num(2)?,
                gpu_manufacturer: text(3),
                gpu_name: text(4),
                network_cards: num(5)?,
                default_network_card: num(6)?,
                default_card_max_enis: num(7)?,
                efa_only_enis: num(8)?,
                category: text(9),
                family: text(10),
                generation: text(11),
                size: text(12),
            },
        );
    }
    Ok(Facts { types })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::catalog::Catalog;

    #[test]
    fn one_row_per_catalog_type_with_the_published_counts() {
        let f = Facts::bundled();
        let c = Catalog::bundled();
        assert_eq!(f.len(), 1401);
        assert!(c.iter().all(|t| f.get(&t.name).is_some()), "same types as the catalog");
        // The counts data/README.md states (shared/reference/README.md, build checks).
        let arch = |a: &str| f.iter().filter(|(_, x)| x.arch.as_deref() == Some(a)).count();
        assert_eq!((arch("amd64"), arch("arm64")), (968, 416));
        assert_eq!(f.iter().filter(|(_, x)| !x.listed()).count(), 17);
        assert_eq!(f.iter().filter(|(_, x)| x.gpu_count.is_some_and(|n| n > 0)).count(), 69);
        assert_eq!(f.iter().filter(|(_, x)| x.gpu_name.is_some()).count(), 74);
        assert_eq!(f.iter().filter(|(_, x)| x.network_cards > Some(1)).count(), 60);
        assert!(f.iter().all(|(_, x)| x.efa_only_enis.is_none()));
    }

    #[test]
    fn default_card_enis_are_the_catalogs_e() {
        let f = Facts::bundled();
        for t in Catalog::bundled().iter() {
            assert_eq!(
                f.get(&t.name).unwrap().default_card_max_enis,
                Some(t.max_enis),
                "{}",
                t.name
            );
        }
    }

    #[test]
    fn examples() {
        let f = Facts::bundled();
        let m7g = f.get("m7g.large").unwrap();
        assert_eq!(m7g.arch.as_deref(), Some("arm64"));
        assert!(!m7g.has_gpu_labels());
        let p4 = f.get("p4d.24xlarge").unwrap();
        assert_eq!((p4.gpu_count, p4.gpu_name.as_deref()), (Some(8), Some("a100")));
        assert_eq!(p4.network_cards, Some(4));
        // Fractional GPU: count 0, yet labelled with its GPU.
        let g6f = f.get("g6f.large").unwrap();
        assert_eq!(g6f.gpu_count, Some(0));
        assert!(g6f.has_gpu_labels());
        assert_eq!(f.get("c8g-flex.large").unwrap().arch, None);
    }
}
