//! On-demand prices per region and instance type, compiled in from
//! `data/prices.csv` (Karpenter's generated price tables; sources in
//! `data/README.md`), for the cost figures of `sgpsim recommend`.

use std::collections::BTreeMap;

use crate::error::InputError;

const BUNDLED_CSV: &str = include_str!("../../data/prices.csv");

/// Where the bundled prices come from, for outputs that name their source.
pub const PRICES_SOURCE: &str = "Karpenter's initial on-demand prices (aws/karpenter-provider-aws \
     pkg/providers/pricing/zz_generated.pricing_aws*.go, generated 2026-07-20); see data/README.md";

/// The region prices are quoted for unless one is chosen (MODEL.md §11).
pub const DEFAULT_REGION: &str = "us-east-1";

/// USD per hour by (region, instance type).
#[derive(Debug, Clone)]
pub struct Prices {
    by: BTreeMap<(String, String), f64>,
}

impl Prices {
    /// The bundled table.
    pub fn bundled() -> Prices {
        let mut by = BTreeMap::new();
        for line in BUNDLED_CSV.lines().skip(1) {
            let mut f = line.split(',');
            let (Some(region), Some(ty), Some(usd)) = (f.next(), f.next(), f.next()) else {
                continue;
            };
            if let Ok(usd) = usd.trim().parse::<f64>() {
                by.insert((region.to_string(), ty.to_string()), usd);
            }
        }
        Prices { by }
    }

    /// The regions the table has.
    pub fn regions(&self) -> Vec<&str> {
        let mut r: Vec<&str> = self.by.keys().map(|(r, _)| r.as_str()).collect();
        r.dedup();
        r
    }

    /// Checks that the table has `region`, naming the ones it has.
    pub fn check_region(&self, region: &str) -> Result<(), InputError> {
        if self.regions().contains(&region) {
            Ok(())
        } else {
            Err(InputError::field(
                "--region",
                format!("no prices for region `{region}`"),
                format!("use one of {}", self.regions().join(", ")),
            ))
        }
    }

    /// USD per hour of one type in one region, if published.
    pub fn get(&self, region: &str, instance_type: &str) -> Option<f64> {
        self.by.get(&(region.to_string(), instance_type.to_string())).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_table_reads_every_region() {
        let p = Prices::bundled();
        assert_eq!(p.regions(), vec!["us-east-1", "us-gov-east-1", "us-gov-west-1"]);
        assert_eq!(p.get("us-east-1", "m5.large"), Some(0.096));
        assert_eq!(p.get("us-east-1", "no.such"), None);
        assert!(p.check_region("eu-west-1").unwrap_err().fix.contains("us-east-1"));
    }
}
