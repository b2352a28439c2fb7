//! Chart 3: the spread of the failure rate over random trials, a box plot
//! per formula, one panel per instance type (the riskiest when there are many).

use plotters::prelude::*;

use super::figure::{Area, Chart, DrawResult, Figure, no_data, render};
use super::layout::{axis_max, formula_panel, legend_strip, panel_rows, panels, titled};
use super::palette::{formula_color, legend_items};
use super::select::{MAX_TYPES, distinct, drawn_types, fitting, left_out_note};
use crate::error::Error;
use crate::output::Row;
use crate::output::records::SpreadRow;

const COLS: usize = 3;

struct Spread<'a> {
    rows: Vec<&'a SpreadRow>,
    types: Vec<String>,
    formulas: Vec<String>,
    policy: String,
    /// What is left out, for the subtitle.
    note: String,
    trials: u64,
    x_max: f64,
}

/// Draws chart 3 from the per-cell quantiles of `failure-spread.csv`; the
/// summary rows say which formulas fit their nodes and which types are the
/// riskiest.
pub(crate) fn spread(rows: &[SpreadRow], summary: &[Row]) -> Result<Chart, Error> {
    let Some(first) = rows.first() else {
        return Err(Error::from(no_data("failure-spread", "failure-spread.csv")));
    };
    let rows: Vec<&SpreadRow> = rows.iter().filter(|r| r.policy == first.policy).collect();
    let all_types = distinct(rows.iter().map(|r| r.instance_type.as_str())).len();
    let summary: Vec<&Row> = summary.iter().filter(|r| r.policy == first.policy).collect();
    let (fit, left_out) = fitting(summary.clone());
    let fits = |r: &SpreadRow| {
        summary.is_empty()
            || fit
                .iter()
                .any(|s| s.instance_type == r.instance_type && s.formula == r.formula)
    };
    let kept: Vec<&SpreadRow> = rows.iter().copied().filter(|r| fits(r)).collect();
    let rows = if kept.is_empty() { rows } else { kept };
    let mut types = drawn_types(&fit, MAX_TYPES);
    types.retain(|t| rows.iter().any(|r| &r.instance_type == t));
    if types.is_empty() {
        types = distinct(rows.iter().map(|r| r.instance_type.as_str()));
        types.truncate(MAX_TYPES);
    }
    let rows: Vec<&SpreadRow> = rows.into_iter().filter(|r| types.contains(&r.instance_type)).collect();
    let top = rows.iter().map(|r| r.max).fold(0.0, f64::max);
    render(&Spread {
        note: left_out_note(&left_out, types.len(), all_types),
        types,
        formulas: distinct(rows.iter().map(|r| r.formula.as_str())),
        policy: first.policy.clone(),
        trials: rows.iter().map(|r| r.trials).max().unwrap_or(0),
        x_max: axis_max(top * 100.0, 1.0),
        rows,
    })
}

impl Figure for Spread<'_> {
    const NAME: &'static str = "failure-spread";

    fn title(&self) -> String {
        "How the failure rate varies between random arrival orders".into()
    }

    fn size(&self) -> (u32, u32) {
        (1500, 150 + panel_rows(self.types.len(), COLS) * 360)
    }

    fn draw<DB: DrawingBackend>(&self, root: &Area<DB>) -> DrawResult<DB> {
        let mut sub = format!(
            "{} sampled random orders per cell; box: 25th–75th percentile; thick line: median; whiskers: 5th–95th; dots: min and max; ◆ mean; policy {}",
            self.trials, self.policy
        );
        if !self.note.is_empty() {
            sub.push_str(&format!("; {}", self.note));
        }
        let area = titled(root, &self.title(), &sub)?;
        let items = legend_items(&self.formulas, formula_color);
        let area = legend_strip(&area, "maxPods formula", &items)?;
        let n = self.formulas.len();
        for (panel, ty) in panels(&area, self.types.len(), COLS).iter().zip(&self.types) {
            let mut chart = formula_panel(
                panel,
                ty,
                &self.formulas,
                (self.x_max, self.x_max),
                "failure rate per trial (% of workload pods)",
            )?;
            for (fi, formula) in self.formulas.iter().enumerate() {
                let Some(r) = self
                    .rows
                    .iter()
                    .find(|r| &r.instance_type == ty && &r.formula == formula)
                else {
                    continue;
                };
                let y = (n - 1 - fi) as f64;
                let c = formula_color(formula);
                let p = |v: f64| v * 100.0;
                let line = BLACK.stroke_width(2);
                chart.draw_series([
                    PathElement::new(vec![(p(r.p05), y), (p(r.p25), y)], line),
                    PathElement::new(vec![(p(r.p75), y), (p(r.p95), y)], line),
                    PathElement::new(vec![(p(r.p05), y - 0.12), (p(r.p05), y + 0.12)], line),
                    PathElement::new(vec![(p(r.p95), y - 0.12), (p(r.p95), y + 0.12)], line),
                ])?;
                chart.draw_series([
                    Rectangle::new([(p(r.p25), y - 0.3), (p(r.p75), y + 0.3)], c.filled()),
                    Rectangle::new([(p(r.p25), y - 0.3), (p(r.p75), y + 0.3)], BLACK.stroke_width(1)),
                ])?;
                chart.draw_series(std::iter::once(PathElement::new(
                    vec![(p(r.p50), y - 0.3), (p(r.p50), y + 0.3)],
                    BLACK.stroke_width(4),
                )))?;
                chart.draw_series([p(r.min), p(r.max)].map(|x| Circle::new((x, y), 3, BLACK.filled())))?;
                let (mx, my) = (p(r.mean), y);
                let d = 0.18;
                let dx = self.x_max / 150.0;
                chart.draw_series(std::iter::once(Polygon::new(
                    vec![(mx - dx, my), (mx, my + d), (mx + dx, my), (mx, my - d)],
                    BLACK.filled(),
                )))?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::testing::{check_basics, fixture_rows, fixture_spread, hex, svg_count_colour};

    #[test]
    fn one_box_per_type_and_formula() {
        let rows = fixture_spread();
        assert_eq!(rows.len(), 4);
        let chart = spread(&rows, &fixture_rows()).unwrap();
        let texts = check_basics(&chart);
        for want in ["m5.large", "m5.xlarge", "aws-default", "conservative"] {
            assert!(texts.iter().any(|t| t == want), "{want} missing from {texts:?}");
        }
        assert!(
            texts
                .iter()
                .any(|t| t.starts_with("200 sampled random orders per cell")),
            "{texts:?}"
        );
        for f in ["aws-default", "conservative"] {
            // A box per type plus the legend swatch.
            assert_eq!(svg_count_colour(&chart, "rect", &hex(formula_color(f))), 2 + 1);
        }
        // The mean diamonds.
        assert_eq!(svg_count_colour(&chart, "polygon", "#000000"), 4);
    }

    #[test]
    fn no_rows_is_an_error() {
        assert!(spread(&[], &[]).is_err());
    }
}
