//! Chart 4: risk against waste, one panel per instance type (the riskiest
//! types when there are many): for each formula the share of random orders
//! that leave a pod without an IP against its mean wasted IPs. Filled: no
//! other formula on the type is better on one measure and no worse on the
//! other, beyond sampling noise.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::figure::{Area, Chart, DrawResult, Figure, no_data, render};
use super::font::{LABEL, TICK, text_width};
use super::layout::{axis_max, legend_strip, panel_rows, panels, tick_label, titled};
use super::measures::{risk, wasted_ips};
use super::palette::{formula_color, legend_items};
use super::select::{MAX_TYPES, distinct, drawn_types, first_policy, fitting, left_out_note, reference_order};
use crate::error::Error;
use crate::output::Row;

const COLS: usize = 3;

struct Frontier<'a> {
    rows: Vec<&'a Row>,
    types: Vec<String>,
    formulas: Vec<String>,
    order: String,
    notes: Vec<String>,
}

/// Whether another row of `r`'s type dominates it: a risk no worse (its
/// interval at or below `r`'s) and waste no higher, one of them better (the
/// risk's interval wholly below, or less waste). Equal figures dominate
/// nothing, nor do figures that differ only within their intervals.
fn dominated(r: &Row, rows: &[&Row]) -> bool {
    let (rr, rw) = (risk(r), wasted_ips(r));
    rows.iter().any(|o| {
        let (or, ow) = (risk(o), wasted_ips(o));
        let no_worse = or.high <= rr.low;
        let better = or.differs(&rr) && or.value < rr.value;
        o.instance_type == r.instance_type && no_worse && ow <= rw && (better || ow < rw)
    })
}

/// Draws chart 4 from summary rows.
pub(crate) fn frontier(rows: &[Row]) -> Result<Chart, Error> {
    let (rows, policy) = first_policy(rows);
    if rows.is_empty() {
        return Err(Error::from(no_data("frontier", "summary.csv")));
    }
    let order = reference_order(&rows);
    let all_types = distinct(rows.iter().map(|r| r.instance_type.as_str())).len();
    let (rows, left_out) = fitting(rows);
    let types = drawn_types(&rows, MAX_TYPES);
    let rows: Vec<&Row> = rows
        .into_iter()
        .filter(|r| r.order == order && types.contains(&r.instance_type))
        .collect();
    let mut notes = vec![left_out_note(&left_out, types.len(), all_types), policy];
    notes.retain(|n| !n.is_empty());
    render(&Frontier {
        formulas: distinct(rows.iter().map(|r| r.formula.as_str())),
        types,
        rows,
        order,
        notes,
    })
}

impl Frontier<'_> {
    fn panel<DB: DrawingBackend>(&self, area: &Area<DB>, ty: &str) -> DrawResult<DB> {
        let rows: Vec<&Row> = self.rows.iter().copied().filter(|r| r.instance_type == ty).collect();
        let y_top = rows.iter().map(|r| wasted_ips(r)).fold(0.0, f64::max);
        let y_end = axis_max(y_top, 2.0);
        let (x_lo, x_end) = (-4.0, 108.0);
        let mut chart = ChartBuilder::on(area)
            .caption(ty, ("sans-serif", LABEL + 2))
            .margin(14)
            .x_label_area_size(44)
            .y_label_area_size(60)
            .build_cartesian_2d(x_lo..x_end, -y_end * 0.04..y_end)?;
        let fmt_x = tick_label(x_end - x_lo, 100.0, "%");
        let fmt_y = tick_label(y_end, y_end, "");
        chart
            .configure_mesh()
            .light_line_style(WHITE)
            .x_label_formatter(&fmt_x)
            .y_label_formatter(&fmt_y)
            .x_labels(6)
            .x_desc(format!("{} orders that leave a pod without an IP (%)", self.order))
            .y_desc("wasted IPs (mean)")
            .label_style(("sans-serif", TICK))
            .axis_desc_style(("sans-serif", TICK))
            .draw()?;
        // Formulas at the same point (the same maxPods, hence the same
        // figures) are nested rings, largest first, so that every colour shows.
        let mut points: Vec<((f64, f64), Vec<&Row>)> = Vec::new();
        for r in &rows {
            let at = (risk(r).value * 100.0, wasted_ips(r));
            match points.iter_mut().find(|(p, _)| *p == at) {
                Some((_, same)) => same.push(r),
                None => points.push((at, vec![r])),
            }
        }
        let label = ("sans-serif", TICK - 2)
            .into_font()
            .color(&BLACK)
            .pos(Pos::new(HPos::Left, VPos::Center));
        let mut placed: Vec<(i32, i32)> = Vec::new();
        for (at, same) in &points {
            let n = same.len() as i32;
            for (k, r) in same.iter().enumerate() {
                let radius = (6 + 4 * (n - k as i32)) as u32;
                let c = formula_color(&r.formula);
                let style = if dominated(r, &rows) {
                    c.stroke_width(3)
                } else {
                    c.filled()
                };
                chart.draw_series(std::iter::once(Circle::new(*at, radius, style)))?;
            }
            let mut ms: Vec<u32> = same.iter().map(|r| r.max_pods).collect();
            ms.dedup();
            let text = format!("M={}", ms.iter().map(u32::to_string).collect::<Vec<_>>().join(","));
            let (px, py) = chart.plotting_area().map_coordinate(at);
            let offset = 10 + 4 * n;
            let base = chart.plotting_area().get_base_pixel();
            // Right of the point, or left of it where the label would leave the plot.
            let plot_w = chart.plotting_area().dim_in_pixel().0 as i32;
            let right = px - base.0 + offset + text_width(&text, TICK - 2) < plot_w;
            let (lx, mut ly) = if right {
                (px - base.0 + offset, py - base.1 - offset)
            } else {
                (px - base.0 - offset, py - base.1 - offset)
            };
            // Labels of nearby points stack rather than overprint.
            while placed.iter().any(|&(x, y)| (x - lx).abs() < 60 && (y - ly).abs() < 14) {
                ly += 14;
            }
            placed.push((lx, ly));
            let style = if right {
                label.clone()
            } else {
                label.clone().pos(Pos::new(HPos::Right, VPos::Center))
            };
            chart
                .plotting_area()
                .strip_coord_spec()
                .draw(&Text::new(text, (lx, ly), style))?;
        }
        Ok(())
    }
}

impl Figure for Frontier<'_> {
    const NAME: &'static str = "frontier";

    fn title(&self) -> String {
        "Risk against waste: which maxPods formulas dominate".into()
    }

    fn size(&self) -> (u32, u32) {
        (1500, 180 + panel_rows(self.types.len(), COLS) * 420)
    }

    fn draw<DB: DrawingBackend>(&self, root: &Area<DB>) -> DrawResult<DB> {
        let mut sub = vec![format!(
            "one point per formula, {} order; filled: no other formula on that type is better on one measure and no worse on the other beyond sampling noise; M: its maxPods",
            self.order
        )];
        sub.extend(self.notes.iter().cloned());
        let area = titled(root, &self.title(), &sub.join("; "))?;
        let items = legend_items(&self.formulas, formula_color);
        let area = legend_strip(&area, "maxPods formula", &items)?;
        for (panel, ty) in panels(&area, self.types.len(), COLS).iter().zip(&self.types) {
            self.panel(panel, ty)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::measures::Estimate;
    use crate::chart::testing::{check_basics, fixture_rows, hex, svg_count_colour};

    #[test]
    fn one_panel_per_type_and_a_point_per_formula() {
        let rows = fixture_rows();
        let chart = frontier(&rows).unwrap();
        let texts = check_basics(&chart);
        for want in [
            "m5.large",
            "m5.xlarge",
            "aws-default",
            "conservative",
            "wasted IPs (mean)",
            "random orders that leave a pod without an IP (%)",
            "M=29",
            "M=20",
        ] {
            assert!(texts.iter().any(|t| t == want), "{want} missing from {texts:?}");
        }
        // A point per formula and type, plus each legend swatch (a rect).
        for f in ["aws-default", "conservative"] {
            assert_eq!(svg_count_colour(&chart, "circle", &hex(formula_color(f))), 2);
        }
        // No negative or repeated tick labels.
        assert!(!texts.iter().any(|t| t.starts_with('-')), "{texts:?}");
    }

    #[test]
    fn dominance_needs_both_measures_no_worse_and_one_better() {
        let base = fixture_rows().into_iter().find(|r| r.order == "random").unwrap();
        let mk = |ty: &str, rate: f64, waste: f64| Row {
            instance_type: ty.into(),
            exact_failure_probability: Some(rate),
            exact_wasted_ips_mean: Some(waste),
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

    #[test]
    fn a_risk_lower_only_within_the_noise_does_not_dominate() {
        let base = fixture_rows().into_iter().find(|r| r.order == "random").unwrap();
        let sampled = |k: u64, waste: f64| Row {
            method: "monte-carlo".into(),
            exact_failure_probability: None,
            exact_wasted_ips_mean: None,
            trials: 100,
            trials_with_failure: k,
            failure_probability_ci95_low: None,
            failure_probability_ci95_high: None,
            wasted_ips_mean: waste,
            ..base.clone()
        };
        // 10 and 12 failing trials of 100: the intervals overlap.
        let rows = [sampled(10, 3.0), sampled(12, 3.0)];
        let (a, b): (Estimate, Estimate) = (risk(&rows[0]), risk(&rows[1]));
        assert!(!a.differs(&b));
        let refs: Vec<&Row> = rows.iter().collect();
        assert!(!dominated(&rows[1], &refs));
        // 0 and 60 of 100 are apart: the first dominates.
        let rows = [sampled(0, 3.0), sampled(60, 3.0)];
        let refs: Vec<&Row> = rows.iter().collect();
        assert!(dominated(&rows[1], &refs) && !dominated(&rows[0], &refs));
    }
}
