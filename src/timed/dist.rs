//! Delays: fixed values or distributions (uniform, exponential, lognormal),
//! drawn from the trial's seeded stream (MODEL.md §9: "Distributions are
//! seeded like section 7").
//!
//! In a scenario a delay is a number of seconds (`launch = 90`) or a table:
//! `{ dist = "uniform", min = 2, max = 10 }`, `{ dist = "exponential",
//! mean = 4 }`, `{ dist = "lognormal", median = 1.5, sigma = 0.5 }`,
//! `{ dist = "fixed", value = 5 }`. A fixed delay draws nothing from the
//! stream, so adding one never shifts the other draws.

use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use serde::Deserialize;

use super::time::{MAX_SECONDS, Time};
use crate::error::InputError;

/// A delay as a scenario writes it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum RawDelay {
    Seconds(f64),
    Dist(RawDist),
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDist {
    pub dist: String,
    pub value: Option<f64>,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub mean: Option<f64>,
    pub median: Option<f64>,
    pub sigma: Option<f64>,
}

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

    /// Validates a raw delay; `field` names it in errors (e.g. `timed.karpenter.launch`).
    pub fn validate(raw: &RawDelay, field: &str) -> Result<Delay, InputError> {
        let secs = |v: Option<f64>, name: &str| -> Result<f64, InputError> {
            let v = v.ok_or_else(|| {
                InputError::field(
                    field,
                    format!("this distribution needs `{name}`"),
                    format!("add `{name} = <seconds>` to the table"),
                )
            })?;
            check_secs(v, &format!("{field}.{name}"))
        };
        match raw {
            RawDelay::Seconds(s) => Ok(Delay::Fixed(Time::from_secs_f64(check_secs(*s, field)?))),
            RawDelay::Dist(d) => {
                let allowed: &[&str] = match d.dist.as_str() {
                    "fixed" => &["value"],
                    "uniform" => &["min", "max"],
                    "exponential" => &["mean"],
                    "lognormal" => &["median", "sigma"],
                    other => {
                        return Err(InputError::field(
                            format!("{field}.dist"),
                            format!("unknown distribution `{other}`"),
                            "use fixed, uniform, exponential or lognormal",
                        ));
                    }
                };
                let given = [
                    ("value", d.value),
                    ("min", d.min),
                    ("max", d.max),
                    ("mean", d.mean),
                    ("median", d.median),
                    ("sigma", d.sigma),
                ];
                if let Some((name, _)) = given.iter().find(|(n, v)| v.is_some() && !allowed.contains(n)) {
                    return Err(InputError::field(
                        format!("{field}.{name}"),
                        format!("`{name}` does not apply to a {} delay", d.dist),
                        format!("give only {}", allowed.join(" and ")),
                    ));
                }
                match d.dist.as_str() {
                    "fixed" => Ok(Delay::Fixed(Time::from_secs_f64(secs(d.value, "value")?))),
                    "uniform" => {
                        let (lo, hi) = (secs(d.min, "min")?, secs(d.max, "max")?);
                        if lo > hi {
                            return Err(InputError::field(
                                format!("{field}.min"),
                                format!("min {lo} is above max {hi}"),
                                "make min at most max",
                            ));
                        }
                        Ok(Delay::Uniform {
                            lo: Time::from_secs_f64(lo),
                            hi: Time::from_secs_f64(hi),
                        })
                    }
                    "exponential" => Ok(Delay::Exponential {
                        mean: secs(d.mean, "mean")?,
                    }),
                    _ => {
                        let median = secs(d.median, "median")?;
                        let sigma = d.sigma.ok_or_else(|| {
                            InputError::field(field, "a lognormal delay needs `sigma`", "add e.g. `sigma = 0.5`")
                        })?;
                        if median <= 0.0 {
                            return Err(InputError::field(
                                format!("{field}.median"),
                                "a lognormal median must be above zero",
                                "give a median in seconds such as 1.5, or use a fixed delay of 0",
                            ));
                        }
                        if !(sigma.is_finite() && (0.0..=5.0).contains(&sigma)) {
                            return Err(InputError::field(
                                format!("{field}.sigma"),
                                format!("sigma {sigma} is outside 0..=5"),
                                "give the spread of log-seconds, e.g. 0.5",
                            ));
                        }
                        Ok(Delay::LogNormal { mu: median.ln(), sigma })
                    }
                }
            }
        }
    }
}

/// A count of seconds between 0 and [`MAX_SECONDS`].
pub fn check_secs(v: f64, field: &str) -> Result<f64, InputError> {
    if v.is_finite() && (0.0..=MAX_SECONDS).contains(&v) {
        Ok(v)
    } else {
        Err(InputError::field(
            field,
            format!("{v} seconds is outside 0..={MAX_SECONDS}"),
            "give a number of seconds, e.g. 5 or 1.5",
        ))
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

    fn parse(text: &str) -> Result<Delay, InputError> {
        #[derive(Deserialize)]
        struct W {
            d: RawDelay,
        }
        let w: W = toml::from_str(&format!("d = {text}")).unwrap();
        Delay::validate(&w.d, "x")
    }

    #[test]
    fn forms() {
        assert_eq!(parse("90").unwrap(), Delay::secs(90));
        assert_eq!(parse("1.5").unwrap(), Delay::Fixed(Time(1_500_000)));
        assert_eq!(parse("{ dist = \"fixed\", value = 2 }").unwrap(), Delay::secs(2));
        assert_eq!(
            parse("{ dist = \"uniform\", min = 2, max = 10 }").unwrap(),
            Delay::Uniform {
                lo: Time::secs(2),
                hi: Time::secs(10)
            }
        );
        assert!(matches!(
            parse("{ dist = \"lognormal\", median = 1.5, sigma = 0.5 }").unwrap(),
            Delay::LogNormal { .. }
        ));
    }

    #[test]
    fn errors_name_the_field() {
        let cases = [
            ("-1", "x"),
            ("{ dist = \"gamma\", mean = 1 }", "x.dist"),
            ("{ dist = \"uniform\", min = 3, max = 1 }", "x.min"),
            ("{ dist = \"uniform\", min = 3 }", "x"),
            ("{ dist = \"exponential\", mean = 3, sigma = 1 }", "x.sigma"),
            ("{ dist = \"lognormal\", median = 0, sigma = 1 }", "x.median"),
        ];
        for (text, field) in cases {
            let e = parse(text).unwrap_err();
            assert_eq!(e.field.as_deref(), Some(field), "{text}: {e}");
        }
    }

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
