//! Simulated time: integer microseconds since the start of a trial.
//!
//! Integers, not `f64`: equal times compare equal on every machine, sums are
//! exact, and the event queue's (time, sequence) order is total.

use std::fmt;
use std::ops::{Add, Sub};

/// An instant or a duration, in microseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Time(pub u64);

/// Microseconds per second.
pub const US_PER_S: u64 = 1_000_000;

/// The longest delay or horizon a scenario may give: 10 million seconds
/// (about 116 days), far beyond any study and far below overflow.
pub const MAX_SECONDS: f64 = 1e7;

impl Time {
    pub const ZERO: Time = Time(0);
    /// "Never": later than any reachable time.
    pub const NEVER: Time = Time(u64::MAX);

    /// Whole seconds.
    pub const fn secs(s: u64) -> Time {
        Time(s * US_PER_S)
    }

    /// Seconds as a float, rounded to the microsecond. Negative and NaN
    /// become zero; the caller validates ranges first.
    pub fn from_secs_f64(s: f64) -> Time {
        if s.is_nan() || s <= 0.0 {
            return Time::ZERO;
        }
        Time((s.min(MAX_SECONDS) * US_PER_S as f64).round() as u64)
    }

    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / US_PER_S as f64
    }

    pub fn micros(self) -> u64 {
        self.0
    }

    /// `self + d`, saturating at [`Time::NEVER`].
    pub fn after(self, d: Time) -> Time {
        Time(self.0.saturating_add(d.0))
    }

    /// The first instant `start + k * period` (k >= 0) at or after `self`;
    /// `self` when the period is zero. Models a loop that ticks every
    /// `period` from `start` (the IPAMD pool loop, the kubelet's retries).
    pub fn next_tick(self, start: Time, period: Time) -> Time {
        if period.0 == 0 || self <= start {
            return if self < start { start } else { self };
        }
        let k = (self.0 - start.0).div_ceil(period.0);
        Time(start.0 + k * period.0)
    }
}

impl Add for Time {
    type Output = Time;
    fn add(self, d: Time) -> Time {
        self.after(d)
    }
}

impl Sub for Time {
    type Output = Time;
    fn sub(self, o: Time) -> Time {
        Time(self.0.saturating_sub(o.0))
    }
}

impl fmt::Display for Time {
    /// Seconds with up to six decimals, trailing zeros trimmed.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let whole = self.0 / US_PER_S;
        let frac = self.0 % US_PER_S;
        if frac == 0 {
            write!(f, "{whole}")
        } else {
            let s = format!("{frac:06}");
            write!(f, "{whole}.{}", s.trim_end_matches('0'))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions_round_to_the_microsecond() {
        assert_eq!(Time::from_secs_f64(1.5), Time(1_500_000));
        assert_eq!(Time::from_secs_f64(-3.0), Time::ZERO);
        assert_eq!(Time::from_secs_f64(f64::NAN), Time::ZERO);
        assert_eq!(Time::from_secs_f64(0.0000004), Time::ZERO);
        assert_eq!(Time::secs(90).to_string(), "90");
        assert_eq!(Time(1_250_000).to_string(), "1.25");
    }

    #[test]
    fn ticks() {
        let s = Time::secs(10);
        let p = Time::secs(5);
        assert_eq!(Time::secs(10).next_tick(s, p), Time::secs(10));
        assert_eq!(Time::secs(11).next_tick(s, p), Time::secs(15));
        assert_eq!(Time::secs(15).next_tick(s, p), Time::secs(15));
        assert_eq!(Time::secs(3).next_tick(s, p), Time::secs(10));
        assert_eq!(Time::secs(12).next_tick(s, Time::ZERO), Time::secs(12));
    }
}
