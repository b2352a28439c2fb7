//! Kubernetes resource quantities (`"200"`, `"1500m"`, `"1000Gi"`, `29`), as
//! `k8s.io/apimachinery/pkg/api/resource` writes them: a decimal number, then
//! a binary suffix (`Ki` … `Ei`), a decimal one (`n`, `u`, `m`, `k`, `M` … `E`)
//! or an exponent (`e3`). One parser for every input: the manifest import
//! (re-exported as `manifest::quantity`), the cluster audit and scenario
//! requests ([`scaled`], exact).

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

/// Why a quantity is refused where an exact figure is needed ([`scaled`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// Not a Kubernetes quantity at all.
    NotAQuantity,
    Negative,
    /// Beyond `u64` in the unit asked for.
    TooLarge,
}

/// A quantity exactly, in `10^-unit_exp` base units (3: millicores; 0:
/// bytes), rounded up as `resource.Quantity`'s `MilliValue` and `Value` do:
/// no float rounding, so `"100m"` is 100 millicores, never 101.
pub fn scaled(s: &str, unit_exp: u32) -> Result<u64, Refused> {
    let s = s.trim();
    let split = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '+' || c == '-'))
        .unwrap_or(s.len());
    let (num, suffix) = s.split_at(split);
    let (negative, digits) = match num.as_bytes().first() {
        Some(b'-') => (true, &num[1..]),
        Some(b'+') => (false, &num[1..]),
        _ => (false, num),
    };
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    if int.is_empty() && frac.is_empty() || !(int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit())) {
        return Err(Refused::NotAQuantity);
    }
    // (power of two, power of ten) of the suffix.
    let (bin, dec): (u32, i32) = match suffix {
        "" => (0, 0),
        "Ki" => (10, 0),
        "Mi" => (20, 0),
        "Gi" => (30, 0),
        "Ti" => (40, 0),
        "Pi" => (50, 0),
        "Ei" => (60, 0),
        "n" => (0, -9),
        "u" => (0, -6),
        "m" => (0, -3),
        "k" => (0, 3),
        "M" => (0, 6),
        "G" => (0, 9),
        "T" => (0, 12),
        "P" => (0, 15),
        "E" => (0, 18),
        e if e.starts_with(['e', 'E']) && e.len() <= 5 => {
            (0, e[1..].parse::<i32>().map_err(|_| Refused::NotAQuantity)?)
        }
        _ => return Err(Refused::NotAQuantity),
    };
    // The digits as one integer: leading zeros dropped, at most 38 left.
    let all = format!("{int}{frac}");
    let all = all.trim_start_matches('0');
    if all.is_empty() {
        return Ok(0);
    }
    if negative {
        return Err(Refused::Negative);
    }
    if all.len() > 38 {
        return Err(Refused::TooLarge);
    }
    let mut n: u128 = all.parse().map_err(|_| Refused::NotAQuantity)?;
    let exp = dec + unit_exp as i32 - frac.len() as i32;
    if exp > 38 {
        return Err(Refused::TooLarge);
    }
    n = n.checked_mul(1u128 << bin).ok_or(Refused::TooLarge)?;
    let v = if exp >= 0 {
        n.checked_mul(10u128.pow(exp as u32)).ok_or(Refused::TooLarge)?
    } else if -exp > 38 {
        1 // a positive figure below one unit rounds up to one
    } else {
        n.div_ceil(10u128.pow((-exp) as u32))
    };
    u64::try_from(v).map_err(|_| Refused::TooLarge)
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

    /// Exact figures, rounded up as Kubernetes does; refusals say why.
    #[test]
    fn scaled_is_exact() {
        let milli = |s| scaled(s, 3);
        let bytes = |s| scaled(s, 0);
        assert_eq!(milli("100m"), Ok(100));
        assert_eq!(milli("0.1"), Ok(100));
        assert_eq!(milli("2"), Ok(2000));
        assert_eq!(milli("1.5"), Ok(1500));
        assert_eq!(milli("0.0001"), Ok(1), "rounded up, as MilliValue");
        assert_eq!(milli("250000u"), Ok(250));
        assert_eq!(bytes("512Mi"), Ok(512 << 20));
        assert_eq!(bytes("1.5Gi"), Ok(3 << 29));
        assert_eq!(bytes("1G"), Ok(1_000_000_000));
        assert_eq!(bytes("129e6"), Ok(129_000_000));
        assert_eq!(bytes("100m"), Ok(1), "a fraction of a byte rounds up");
        assert_eq!(bytes("0"), Ok(0));
        assert_eq!(bytes("-0"), Ok(0));
        assert_eq!(milli("abc"), Err(Refused::NotAQuantity));
        assert_eq!(milli("1.2.3"), Err(Refused::NotAQuantity));
        assert_eq!(milli("."), Err(Refused::NotAQuantity));
        assert_eq!(milli("5X"), Err(Refused::NotAQuantity));
        assert_eq!(milli("-1"), Err(Refused::Negative));
        assert_eq!(milli("1e300"), Err(Refused::TooLarge));
        assert_eq!(bytes("100000Ei"), Err(Refused::TooLarge));
        assert_eq!(milli(&"9".repeat(60)), Err(Refused::TooLarge));
    }
}
