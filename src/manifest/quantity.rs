//! Kubernetes resource quantities (`"200"`, `"1500m"`, `"1000Gi"`, `29`), as
//! `k8s.io/apimachinery/pkg/api/resource` writes them: a decimal number, then
//! a binary suffix (`Ki` … `Ei`), a decimal one (`n`, `u`, `m`, `k`, `M` … `E`)
//! or an exponent (`e3`).

use serde_json::Value;

/// The quantity's value in base units (cores, bytes, pods), or `None` when
/// it is not a quantity.
pub fn parse(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => parse_str(s),
        _ => None,
    }
}

/// [`parse`] on text.
pub fn parse_str(s: &str) -> Option<f64> {
    let s = s.trim();
    let split = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '+' || c == '-'))
        .unwrap_or(s.len());
    let (num, suffix) = s.split_at(split);
    if num.is_empty() || num == "+" || num == "-" {
        return None;
    }
    let x: f64 = num.parse().ok()?;
    let scale = match suffix {
        "" => 1.0,
        "Ki" => 1024f64,
        "Mi" => 1024f64.powi(2),
        "Gi" => 1024f64.powi(3),
        "Ti" => 1024f64.powi(4),
        "Pi" => 1024f64.powi(5),
        "Ei" => 1024f64.powi(6),
        "n" => 1e-9,
        "u" => 1e-6,
        "m" => 1e-3,
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "P" => 1e15,
        "E" => 1e18,
        e if e.starts_with(['e', 'E']) => 10f64.powi(e[1..].parse::<i32>().ok()?),
        _ => return None,
    };
    let v = x * scale;
    v.is_finite().then_some(v)
}

/// A quantity that must be a whole, non-negative count (pods, branch ENIs).
pub fn count(v: &Value) -> Option<u32> {
    let x = parse(v)?;
    (x >= 0.0 && x.fract() == 0.0 && x <= f64::from(u32::MAX)).then_some(x as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suffixes() {
        assert_eq!(parse_str("200"), Some(200.0));
        assert_eq!(parse_str("1500m"), Some(1.5));
        assert_eq!(parse_str("1000Gi"), Some(1000.0 * 1024f64.powi(3)));
        assert_eq!(parse_str("16G"), Some(16e9));
        assert_eq!(parse_str("1e3"), Some(1000.0));
        assert_eq!(parse_str("lots"), None);
        assert_eq!(parse_str("12Q"), None);
        assert_eq!(count(&serde_json::json!("29")), Some(29));
        assert_eq!(count(&serde_json::json!(9)), Some(9));
        assert_eq!(count(&serde_json::json!("1500m")), None);
        assert_eq!(count(&serde_json::json!("-1")), None);
    }
}
