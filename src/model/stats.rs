//! Summary statistics over trials: exact integer sums, so that the result is
//! the same whatever order the trials were merged in.

/// Nearest-rank percentile of sorted values: the smallest value with at least
/// `p` of the values at or below it. `None` when empty.
pub fn percentile<T: Copy>(sorted: &[T], p: f64) -> Option<T> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (p * sorted.len() as f64).ceil().max(1.0) as usize;
    Some(sorted[rank.min(sorted.len()) - 1])
}

/// Student's t 97.5% quantiles for 1..=30 degrees of freedom (standard tables).
const T975: [f64; 30] = [
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131, 2.120,
    2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
];

/// The 97.5% quantile of Student's t with `df` degrees of freedom: the table
/// up to 30, then the Cornish–Fisher expansion (within 0.001 of the tables).
pub fn t975(df: u64) -> f64 {
    if df == 0 {
        return f64::NAN;
    }
    if df <= 30 {
        return T975[df as usize - 1];
    }
    let z: f64 = 1.959_963_985;
    let n = df as f64;
    let (z3, z5, z7) = (z.powi(3), z.powi(5), z.powi(7));
    z + (z3 + z) / (4.0 * n)
        + (5.0 * z5 + 16.0 * z3 + 3.0 * z) / (96.0 * n * n)
        + (3.0 * z7 + 19.0 * z5 + 17.0 * z3 - 15.0 * z) / (384.0 * n * n * n)
}

/// The 95% confidence interval of the mean of `n` values with exact sums
/// `sum` and `sum_sq`, each value scaled by `1 / scale` (Student's t).
/// Clamped to `[0, 1]` when `unit` is set. `None` for fewer than 2 values.
pub fn mean_ci95(n: u64, sum: u128, sum_sq: u128, scale: f64, unit: bool) -> Option<(f64, f64)> {
    if n < 2 {
        return None;
    }
    let nf = n as f64;
    let mean = sum as f64 / nf;
    // Sample variance from exact integer moments: (n*sum_sq - sum^2) / (n(n-1)).
    let num = (n as u128 * sum_sq).saturating_sub(sum * sum) as f64;
    let var = num / (nf * (nf - 1.0));
    let half = t975(n - 1) * (var / nf).sqrt();
    let (mut lo, mut hi) = ((mean - half) / scale, (mean + half) / scale);
    if unit {
        lo = lo.clamp(0.0, 1.0);
        hi = hi.clamp(0.0, 1.0);
    }
    Some((lo, hi))
}

/// The Wilson score 95% interval of a proportion: `k` successes in `n`
/// trials. Unlike the normal approximation it stays inside `[0, 1]` and is
/// not empty at `k = 0` or `k = n`. `None` for no trials.
pub fn wilson95(k: u64, n: u64) -> Option<(f64, f64)> {
    if n == 0 {
        return None;
    }
    let z = 1.959_963_985_f64;
    let (k, n) = (k.min(n) as f64, n as f64);
    let p = k / n;
    let denom = 1.0 + z * z / n;
    let centre = (p + z * z / (2.0 * n)) / denom;
    let half = z * (p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt() / denom;
    Some(((centre - half).max(0.0), (centre + half).min(1.0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wilson_interval_matches_the_published_formula() {
        // 12 of 100: Wilson 95% is about (0.0699, 0.1984) (Newcombe 1998, method 3).
        let (lo, hi) = wilson95(12, 100).unwrap();
        assert!((lo - 0.0699).abs() < 5e-4 && (hi - 0.1984).abs() < 5e-4, "{lo} {hi}");
        let (lo, hi) = wilson95(0, 50).unwrap();
        assert_eq!(lo, 0.0);
        assert!(hi > 0.05 && hi < 0.08, "{hi}");
        assert_eq!(wilson95(0, 0), None);
    }

    #[test]
    fn nearest_rank() {
        let v = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
        assert_eq!(percentile(&v, 0.5), Some(5));
        assert_eq!(percentile(&v, 0.95), Some(10));
        assert_eq!(percentile(&v, 0.0), Some(1));
        assert_eq!(percentile::<u32>(&[], 0.5), None);
    }

    #[test]
    fn t_quantiles_match_tables() {
        for (df, table) in [
            (3, 3.182),
            (10, 2.228),
            (31, 2.040),
            (40, 2.021),
            (120, 1.980),
            (1000, 1.962),
        ] {
            assert!((t975(df) - table).abs() < 0.001, "df {df}: {}", t975(df));
        }
    }

    #[test]
    fn ci_of_constant_values_is_a_point() {
        let (lo, hi) = mean_ci95(4, 8, 16, 1.0, false).unwrap();
        assert_eq!((lo, hi), (2.0, 2.0));
        let (lo, hi) = mean_ci95(4, 2, 2, 1.0, false).unwrap(); // values 0,0,1,1
        assert!(lo < 0.5 && hi > 0.5);
        assert!(mean_ci95(1, 1, 1, 1.0, false).is_none());
    }
}
