//! A category axis: ticks and labels at whole positions only.

use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint};
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

/// A category axis: `n` categories at 0, 1, …, n-1, ticked and labelled
/// only there (plotters would pick "nice" numbers instead).
#[derive(Clone)]
pub(super) struct Categories {
    n: usize,
    inner: RangedCoordf64,
}

impl Ranged for Categories {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        self.inner.map(value, limit)
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            (0..self.n).map(|i| i as f64).collect()
        }
    }

    fn range(&self) -> std::ops::Range<f64> {
        self.inner.range()
    }
}

/// A category axis for `n` categories.
pub(super) fn categories(n: usize) -> Categories {
    let n = n.max(1);
    Categories {
        n,
        inner: (-0.5..n as f64 - 0.5).into(),
    }
}

/// The name of category `v` on a [`categories`] axis (`names[0]` at 0).
pub(super) fn category_name(names: &[String], v: f64) -> String {
    let i = v.round();
    if i < 0.0 || (v - i).abs() > 1e-6 {
        return String::new();
    }
    names.get(i as usize).cloned().unwrap_or_default()
}
