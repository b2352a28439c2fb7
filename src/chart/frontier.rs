//! Chart 4: the risk/waste frontier, mean wasted IPs against failure rate,
//! one point per formula per instance type; the points no other formula on
//! the same type beats on both measures are filled.

use plotters::prelude::*;

use super::figure::{Area, Chart, DrawResult, Figure, no_data, render};
use super::font::{LABEL, TICK, text_width};
use super::layout::{axis_max, legend_strip, titled};
use super::palette::{color, palette_items};
use super::select::{distinct, first_policy, reference_order};
use crate::error::Error;
use crate::output::Row;

struct Frontier<'a> {
    rows: Vec<&'a Row>,
    types: Vec<String>,
    formulas: Vec<String>,
    order: String,
    note: String,
}

/// Whether `r` is Pareto-optimal among `rows` of its type: no other row has
/// a failure rate and waste both at most its own, one of them lower.
fn dominated(r: &Row, rows: &[&Row]) -> bool {
    rows.iter().any(|o| {
        o.instance_type == r.instance_type
            && o.failure_rate_mean <= r.failure_rate_mean
            && o.wasted_ips_mean <= r.wasted_ips_mean
            && (o.failure_rate_mean < r.failure_rate_mean || o.wasted_ips_mean < r.wasted_ips_mean)
    })
}

/// Draws chart 4 from summary rows.
pub(crate) fn frontier(rows: &[Row]) -> Result<Chart, Error> {
    let (rows, note) = first_policy(rows);
    if rows.is_empty() {
        return Err(Error::from(no_data("frontier", "summary.csv")));
    }
    let order = reference_order(&rows);
    let rows: Vec<&Row> = rows.into_iter().filter(|r| r.order == order).collect();
    render(&Frontier {
        types: distinct(rows.iter().map(|r| r.instance_type.as_str())),
        formulas: distinct(rows.iter().map(|r| r.formula.as_str())),
        rows,
        order,
        note,
    })
}

/// The marker of instance type `i`, centred on `at` (pixels in `area`),
/// filled or outlined. Six shapes, then they repeat.
fn marker<DB: DrawingBackend>(area: &Area<DB>, i: usize, at: (i32, i32), c: RGBColor, filled: bool) -> DrawResult<DB> {
    let (x, y) = at;
    let r = 9;
    if i.is_multiple_of(6) {
        let style = if filled { c.filled() } else { c.stroke_width(3) };
        return area.draw(&Circle::new(at, r, style));
    }
    let pts: Vec<(i32, i32)> = match i % 6 {
        1 => vec![
            (x - r + 1, y - r + 1),
            (x + r - 1, y - r + 1),
            (x + r - 1, y + r - 1),
            (x - r + 1, y + r - 1),
        ],
        2 => vec![(x, y - r - 1), (x + r + 1, y + r - 2), (x - r - 1, y + r - 2)],
        3 => vec![(x, y - r - 1), (x + r + 1, y), (x, y + r + 1), (x - r - 1, y)],
        4 => vec![(x, y + r + 1), (x + r + 1, y - r + 2), (x - r - 1, y - r + 2)],
        // A plus sign.
        _ => {
            let (a, b) = (3, r);
            vec![
                (x - a, y - b),
                (x + a, y - b),
                (x + a, y - a),
                (x + b, y - a),
                (x + b, y + a),
                (x + a, y + a),
                (x + a, y + b),
                (x - a, y + b),
                (x - a, y + a),
                (x - b, y + a),
                (x - b, y - a),
                (x - a, y - a),
            ]
        }
    };
    if filled {
        area.draw(&Polygon::new(pts, c.filled()))
    } else {
        // plotters' polygons are always filled: an outline is a closed path.
        let mut closed = pts.clone();
        closed.push(pts[0]);
        area.draw(&PathElement::new(closed, c.stroke_width(3)))
    }
}

impl Figure for Frontier<'_> {
    const NAME: &'static str = "frontier";

    fn title(&self) -> String {
        "Risk against waste: which maxPods formulas dominate".into()
    }

    fn size(&self) -> (u32, u32) {
        (1300, 860)
    }

    fn draw<DB: DrawingBackend>(&self, root: &Area<DB>) -> DrawResult<DB> {
        let sub = format!(
            "one point per formula and instance type, {} order; filled: no other formula on that type is better on both; {}",
            self.order, self.note
        );
        let area = titled(root, &self.title(), &sub)?;
        let items = palette_items(&self.formulas);
        let area = legend_strip(&area, "colour: formula", &items)?;
        // The marker legend: shapes for types, drawn as outlines in black.
        let (w, _) = area.dim_in_pixel();
        let (strip, area) = area.split_vertically(36);
        let font = ("sans-serif", LABEL).into_font().color(&BLACK);
        strip.draw(&Text::new("shape: instance type:", (20, 6), font.clone()))?;
        let mut x = 20 + text_width("shape: instance type:", LABEL) + 30;
        for (i, ty) in self.types.iter().enumerate() {
            if x > w as i32 - 120 {
                break;
            }
            marker(&strip, i, (x, 14), RGBColor(0x33, 0x33, 0x33), false)?;
            strip.draw(&Text::new(ty.clone(), (x + 16, 6), font.clone()))?;
            x += 16 + text_width(ty, LABEL) + 34;
        }
        let x_top = self
            .rows
            .iter()
            .map(|r| r.failure_rate_mean * 100.0)
            .fold(0.0, f64::max);
        let y_top = self.rows.iter().map(|r| r.wasted_ips_mean).fold(0.0, f64::max);
        let mut chart = ChartBuilder::on(&area)
            .margin(20)
            .x_label_area_size(50)
            .y_label_area_size(80)
            .build_cartesian_2d(
                -axis_max(x_top, 1.0) * 0.03..axis_max(x_top, 1.0),
                -1.0..axis_max(y_top, 2.0),
            )?;
        let fmt_x = |v: &f64| format!("{v:.0}%");
        let fmt_y = |v: &f64| format!("{v:.0}");
        chart
            .configure_mesh()
            .light_line_style(WHITE)
            .x_label_formatter(&fmt_x)
            .y_label_formatter(&fmt_y)
            .x_desc("failure rate: workload pods without an IP (%, mean)")
            .y_desc("wasted IPs (mean, IPs)")
            .label_style(("sans-serif", TICK))
            .axis_desc_style(("sans-serif", LABEL))
            .draw()?;
        let plot = chart.plotting_area();
        for r in &self.rows {
            let ti = self.types.iter().position(|t| t == &r.instance_type).unwrap_or(0);
            let fi = self.formulas.iter().position(|f| f == &r.formula).unwrap_or(0);
            let at = plot.map_coordinate(&(r.failure_rate_mean * 100.0, r.wasted_ips_mean));
            let on_frontier = !dominated(r, &self.rows);
            // `at` is in the backend's pixels, which the root area uses as is.
            marker(root, ti, at, color(fi), on_frontier)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::testing::{check_basics, fixture_rows};

    #[test]
    fn one_point_per_formula_and_type_and_frontier_marked() {
        let rows = fixture_rows();
        let chart = frontier(&rows).unwrap();
        let texts = check_basics(&chart);
        for want in [
            "m5.large",
            "m5.xlarge",
            "aws-default",
            "conservative",
            "wasted IPs (mean, IPs)",
            "failure rate: workload pods without an IP (%, mean)",
        ] {
            assert!(texts.iter().any(|t| t == want), "{want} missing from {texts:?}");
        }
    }

    #[test]
    fn dominance_needs_both_measures_no_worse_and_one_better() {
        let base = fixture_rows().remove(0);
        let mk = |ty: &str, rate: f64, waste: f64| Row {
            instance_type: ty.into(),
            failure_rate_mean: rate,
            wasted_ips_mean: waste,
            ..base.clone()
        };
        let rows = [
            mk("a", 0.1, 5.0),
            mk("a", 0.0, 5.0),
            mk("a", 0.2, 1.0),
            mk("a", 0.2, 1.0),
            mk("b", 0.0, 0.5),
        ];
        let refs: Vec<&Row> = rows.iter().collect();
        let got: Vec<bool> = rows.iter().map(|r| dominated(r, &refs)).collect();
        // Equal points do not dominate each other; another type never does.
        assert_eq!(got, [true, false, false, false, false]);
    }
}
