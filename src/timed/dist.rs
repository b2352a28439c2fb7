//! Delays: fixed values or distributions (uniform, exponential, lognormal),
//! drawn from the trial's seeded stream (MODEL.md §9: "Distributions are
//! seeded like section 7").
//!
//! In a scenario (read by `input::delay`) a delay is a number of seconds (`launch = 90`) or a table:
//! `{ dist = "uniform", min = 2, max = 10 }`, `{ dist = "exponential",
//! mean = 4 }`, `{ dist = "lognormal", median = 1.5, sigma = 0.5 }`,
//! `{ dist = "fixed", value = 5 }`. A fixed delay draws nothing from the
//! stream, so adding one never shifts the other draws.

use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use super::time::Time;

/// A validated delay.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Delay {
    Fixed(Time),
    /// Uniform on `[lo, hi]`.
    Uniform {
        lo: Time,
        hi: Time,
    },
    /// Exponential with this mean, in seconds.
    Exponential {
        mean: f64,
    },
    /// Lognormal: `exp(mu + sigma * N(0, 1))` seconds; `exp(mu)` is the median.
    LogNormal {
        mu: f64,
        sigma: f64,
    },
}

impl Delay {
    pub const ZERO: Delay = Delay::Fixed(Time::ZERO);

    pub fn secs(s: u64) -> Delay {
        Delay::Fixed(Time::secs(s))
    }

    /// Draws one delay. Fixed delays draw nothing.
    pub fn sample(&self, rng: &mut ChaCha8Rng) -> Time {
        match *self {
            Delay::Fixed(t) => t,
            Delay::Uniform { lo, hi } => {
                if hi.0 <= lo.0 {
                    lo
                } else {
                    Time(rng.random_range(lo.0..=hi.0))
                }
            }
            Delay::Exponential { mean } => {
                // 1 - u is in (0, 1]: its logarithm is finite.
                let u: f64 = rng.random();
                Time::from_secs_f64(-mean * (1.0 - u).ln())
            }
            Delay::LogNormal { mu, sigma } => Time::from_secs_f64((mu + sigma * standard_normal(rng)).exp()),
        }
    }

    /// True when every draw is zero.
    pub fn is_zero(&self) -> bool {
        *self == Delay::ZERO
    }

    /// True when the delay draws from the stream.
    pub fn is_random(&self) -> bool {
        !matches!(self, Delay::Fixed(_))
    }

    /// The delay's typical value in seconds (the fixed value, midpoint, mean or median), for reports.
    pub fn typical_secs(&self) -> f64 {
        match *self {
            Delay::Fixed(t) => t.as_secs_f64(),
            Delay::Uniform { lo, hi } => (lo.as_secs_f64() + hi.as_secs_f64()) / 2.0,
            Delay::Exponential { mean } => mean,
            Delay::LogNormal { mu, .. } => mu.exp(),
        }
    }
}

/// One draw of N(0, 1) by Box–Muller (two uniforms, one of them shifted off zero).
fn standard_normal(rng: &mut ChaCha8Rng) -> f64 {
    let u1: f64 = 1.0 - rng.random::<f64>();
    let u2: f64 = rng.random();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn draws_are_seeded_and_in_range() {
        let d = Delay::Uniform {
            lo: Time::secs(2),
            hi: Time::secs(10),
        };
        let mut a = ChaCha8Rng::seed_from_u64(3);
        let mut b = ChaCha8Rng::seed_from_u64(3);
        for _ in 0..1000 {
            let x = d.sample(&mut a);
            assert_eq!(x, d.sample(&mut b));
            assert!(Time::secs(2) <= x && x <= Time::secs(10));
        }
    }

    #[test]
    fn sample_means_match() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let n = 20_000;
        let mean = |d: Delay, rng: &mut ChaCha8Rng| (0..n).map(|_| d.sample(rng).as_secs_f64()).sum::<f64>() / n as f64;
        let e = mean(Delay::Exponential { mean: 4.0 }, &mut rng);
        assert!((e - 4.0).abs() < 0.15, "{e}");
        // Lognormal median 1.5: half the draws below 1.5.
        let d = Delay::LogNormal {
            mu: 1.5f64.ln(),
            sigma: 0.5,
        };
        let below = (0..n).filter(|_| d.sample(&mut rng) < Time(1_500_000)).count();
        assert!((below as f64 / n as f64 - 0.5).abs() < 0.02, "{below}");
    }
}
