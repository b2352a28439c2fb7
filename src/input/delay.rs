//! Delays as a scenario writes them: a number of seconds or a table naming a
//! distribution (see `timed::dist` for the forms), validated into [`Delay`].

use serde::Deserialize;

use crate::error::InputError;
use crate::timed::dist::Delay;
use crate::timed::time::{MAX_SECONDS, Time};

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
                        format!("unknown distribution `{}`", crate::model::formula::shown(other)),
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
                    format!(
                        "`{name}` does not apply to a {} delay",
                        crate::model::formula::shown(&d.dist)
                    ),
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
                            format!("min {lo:?} is above max {hi:?}"),
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
                            format!("sigma {sigma:?} is outside 0..=5"),
                            "give the spread of log-seconds, e.g. 0.5",
                        ));
                    }
                    Ok(Delay::LogNormal { mu: median.ln(), sigma })
                }
            }
        }
    }
}

/// The mean of a delay, in seconds.
pub fn mean_secs(d: &Delay) -> f64 {
    match *d {
        Delay::Fixed(t) => t.as_secs_f64(),
        Delay::Uniform { lo, hi } => (lo.as_secs_f64() + hi.as_secs_f64()) / 2.0,
        Delay::Exponential { mean } => mean,
        Delay::LogNormal { mu, sigma } => (mu + sigma * sigma / 2.0).exp(),
    }
}

/// A count of seconds between 0 and [`MAX_SECONDS`].
pub fn check_secs(v: f64, field: &str) -> Result<f64, InputError> {
    if v.is_finite() && (0.0..=MAX_SECONDS).contains(&v) {
        Ok(v)
    } else {
        Err(InputError::field(
            field,
            format!("{v:?} seconds is outside 0..={MAX_SECONDS}"),
            "give a number of seconds, e.g. 5 or 1.5",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Delay, InputError> {
        #[derive(Deserialize)]
        struct W {
            d: RawDelay,
        }
        let w: W = toml::from_str(&format!("d = {text}")).unwrap();
        validate(&w.d, "x")
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
}
