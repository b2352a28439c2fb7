//! How figures become text: floats for CSV and tables, records as JSON.

use serde::Serialize;

/// Rows as pretty JSON.
pub fn json<T: Serialize>(rows: &T) -> Vec<u8> {
    let mut v = serde_json::to_vec_pretty(rows).expect("plain records serialize");
    v.push(b'\n');
    v
}

/// A float as CSV and tables show it: whole numbers bare, others to 6 places
/// with trailing zeros trimmed, and figures below 1e-4 in magnitude to 6
/// significant digits (`1.23457e-9`), so that a tiny exact probability is
/// never written as 0. Deterministic for identical inputs.
pub fn num(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        return format!("{}", x as i64);
    }
    if x.abs() < 1e-4 {
        let s = format!("{x:.5e}");
        let (mantissa, exp) = s.split_once('e').unwrap_or((&s, "0"));
        let mantissa = mantissa.trim_end_matches('0').trim_end_matches('.');
        return format!("{mantissa}e{exp}");
    }
    let s = format!("{x:.6}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.to_string() }
}

#[cfg(test)]
mod tests {
    use super::num;

    #[test]
    fn num_keeps_tiny_figures_and_trims_the_rest() {
        assert_eq!(num(3.0), "3");
        assert_eq!(num(-0.0), "0");
        assert_eq!(num(0.25), "0.25");
        assert_eq!(num(1.0 / 3.0), "0.333333");
        assert_eq!(num(0.0001), "0.0001");
        // Below 1e-4, six significant digits: an exact probability of
        // 2.7e-9 is not 0.
        assert_eq!(num(2.7e-9), "2.7e-9");
        assert_eq!(num(1.0 / 30_000.0), "3.33333e-5");
        assert_eq!(num(-5e-300), "-5e-300");
        assert_eq!(num(1e-5).parse::<f64>().unwrap(), 1e-5);
    }
}
