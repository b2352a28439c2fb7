//! Chart 1: failure rate by formula and order, one panel per instance type,
//! with the 95% interval of the mean for random orders.

use plotters::prelude::*;

use super::figure::{Area, Chart, DrawResult, Figure, no_data, render};
use super::layout::{axis_max, formula_panel, legend_strip, panel_rows, panels, titled};
use super::palette::{color, palette_items};
use super::select::{distinct, first_policy};
use crate::error::Error;
use crate::output::Row;

const COLS: usize = 3;

struct FailureRate<'a> {
    rows: Vec<&'a Row>,
    types: Vec<String>,
    formulas: Vec<String>,
    orders: Vec<String>,
    note: String,
    /// The x axis' upper end, in percent, shared by all panels.
    x_max: f64,
}

/// Draws chart 1 from summary rows.
pub(crate) fn failure_rate(rows: &[Row]) -> Result<Chart, Error> {
    let (rows, note) = first_policy(rows);
    if rows.is_empty() {
        return Err(Error::from(no_data("failure-rate", "summary.csv")));
    }
    let top = rows
        .iter()
        .map(|r| r.failure_rate_mean.max(r.failure_rate_ci95_high.unwrap_or(0.0)))
        .fold(0.0, f64::max);
    render(&FailureRate {
        types: distinct(rows.iter().map(|r| r.instance_type.as_str())),
        formulas: distinct(rows.iter().map(|r| r.formula.as_str())),
        orders: distinct(rows.iter().map(|r| r.order.as_str())),
        x_max: axis_max(top * 100.0, 1.0),
        rows,
        note,
    })
}

impl Figure for FailureRate<'_> {
    const NAME: &'static str = "failure-rate";

    fn title(&self) -> String {
        "Workload pods left without an IP, by maxPods formula and arrival order".into()
    }

    fn size(&self) -> (u32, u32) {
        (1500, 150 + panel_rows(self.types.len(), COLS) * 380)
    }

    fn draw<DB: DrawingBackend>(&self, root: &Area<DB>) -> DrawResult<DB> {
        let sub = format!(
            "bars: mean failure rate (ip-failed / workload pods); black whiskers: 95% interval of the mean over random orders; {}",
            self.note
        );
        let area = titled(root, &self.title(), &sub)?;
        let items = palette_items(&self.orders);
        let area = legend_strip(&area, "arrival order", &items)?;
        // Formulas top to bottom: the first at the highest category.
        let n = self.formulas.len();
        let band = 0.8 / self.orders.len().max(1) as f64;
        for (panel, ty) in panels(&area, self.types.len(), COLS).iter().zip(&self.types) {
            let mut chart = formula_panel(panel, ty, &self.formulas, self.x_max, "workload pods without an IP (%)")?;
            for (fi, formula) in self.formulas.iter().enumerate() {
                let centre = (n - 1 - fi) as f64;
                for (oi, order) in self.orders.iter().enumerate() {
                    let Some(r) = self
                        .rows
                        .iter()
                        .find(|r| &r.instance_type == ty && &r.formula == formula && &r.order == order)
                    else {
                        continue;
                    };
                    let y1 = centre + 0.4 - oi as f64 * band;
                    let y0 = y1 - band;
                    let v = r.failure_rate_mean * 100.0;
                    chart.draw_series(std::iter::once(Rectangle::new(
                        [(0.0, y0), (v, y1)],
                        color(oi).filled(),
                    )))?;
                    if let (Some(lo), Some(hi)) = (r.failure_rate_ci95_low, r.failure_rate_ci95_high) {
                        let (lo, hi, ym) = (lo.max(0.0) * 100.0, hi * 100.0, (y0 + y1) / 2.0);
                        let cap = band * 0.35;
                        let stroke = BLACK.stroke_width(2);
                        chart.draw_series([
                            PathElement::new(vec![(lo, ym), (hi, ym)], stroke),
                            PathElement::new(vec![(lo, ym - cap), (lo, ym + cap)], stroke),
                            PathElement::new(vec![(hi, ym - cap), (hi, ym + cap)], stroke),
                        ])?;
                    }
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::testing::{check_basics, fixture_rows, hex, svg_count_colour};

    #[test]
    fn draws_every_type_formula_and_order() {
        let rows = fixture_rows();
        let chart = failure_rate(&rows).unwrap();
        let texts = check_basics(&chart);
        for want in [
            "m5.large",
            "m5.xlarge",
            "aws-default",
            "conservative",
            "sg-first",
            "ip-first",
            "random",
        ] {
            assert!(texts.iter().any(|t| t == want), "{want} missing from {texts:?}");
        }
        assert!(texts.iter().any(|t| t == "workload pods without an IP (%)"));
        // One bar per row: each order's colour fills one bar per (type, formula),
        // plus its legend swatch.
        for (i, _) in ["sg-first", "ip-first", "random"].iter().enumerate() {
            assert_eq!(svg_count_colour(&chart, "rect", &hex(color(i))), 2 * 2 + 1);
        }
        // Random orders carry a whisker (three strokes) per (type, formula).
        let random_with_ci = rows.iter().filter(|r| r.failure_rate_ci95_high.is_some()).count();
        assert_eq!(random_with_ci, 4);
        assert!(svg_count_colour(&chart, "polyline", "#000000") >= 3 * random_with_ci);
    }

    #[test]
    fn empty_rows_are_an_error_not_a_panic() {
        let e = failure_rate(&[]).unwrap_err();
        assert!(e.to_string().contains("run the scenario first"), "{e}");
    }
}
