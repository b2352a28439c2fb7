//! Chart 1: how often an arrival order leaves a pod without an IP, by
//! maxPods formula and order, one panel per instance type (the riskiest
//! types when there are many), with the 95% interval where it is sampled.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::figure::{Area, Chart, DrawResult, Figure, no_data, render};
use super::font::TICK;
use super::layout::{formula_panel, legend_strip, panel_rows, panels, titled};
use super::measures::risk;
use super::palette::{legend_items, order_color};
use super::select::{MAX_TYPES, distinct, drawn_types, first_policy, fitting, left_out_note};
use crate::error::Error;
use crate::output::Row;

const COLS: usize = 3;
/// The x axis runs to 100% and a little past, for the labels of full bars.
const X_END: f64 = 116.0;

struct FailureRate<'a> {
    rows: Vec<&'a Row>,
    types: Vec<String>,
    formulas: Vec<String>,
    orders: Vec<String>,
    /// What the subtitle says beyond the measure: left-out rows, policy.
    notes: Vec<String>,
    /// Whether any bar carries a sampled interval.
    whiskers: bool,
    /// Whether any random-order bar is exact.
    exact_random: bool,
}

/// A share as a bar label: `23%`, `0.5%`, `0%`, `<0.1%`.
fn share_label(x: f64) -> String {
    let p = x * 100.0;
    if p == 0.0 {
        "0%".into()
    } else if p < 0.1 {
        "<0.1%".into()
    } else if p < 10.0 {
        let t = format!("{p:.1}");
        format!("{}%", t.strip_suffix(".0").unwrap_or(&t))
    } else {
        format!("{p:.0}%")
    }
}

/// Draws chart 1 from summary rows.
pub(crate) fn failure_rate(rows: &[Row]) -> Result<Chart, Error> {
    let (rows, policy) = first_policy(rows);
    if rows.is_empty() {
        return Err(Error::from(no_data("failure-rate", "summary.csv")));
    }
    let all_types = distinct(rows.iter().map(|r| r.instance_type.as_str())).len();
    let (rows, left_out) = fitting(rows);
    let types = drawn_types(&rows, MAX_TYPES);
    let rows: Vec<&Row> = rows.into_iter().filter(|r| types.contains(&r.instance_type)).collect();
    let random: Vec<&&Row> = rows.iter().filter(|r| r.order == "random").collect();
    let mut notes = vec![left_out_note(&left_out, types.len(), all_types), policy];
    notes.retain(|n| !n.is_empty());
    render(&FailureRate {
        formulas: distinct(rows.iter().map(|r| r.formula.as_str())),
        orders: distinct(rows.iter().map(|r| r.order.as_str())),
        whiskers: rows.iter().any(|r| !risk(r).is_exact()),
        exact_random: random.iter().any(|r| risk(r).is_exact()),
        types,
        notes,
        rows,
    })
}

impl Figure for FailureRate<'_> {
    const NAME: &'static str = "failure-rate";

    fn title(&self) -> String {
        "How often an arrival order leaves a pod without an IP, by maxPods formula".into()
    }

    fn size(&self) -> (u32, u32) {
        let bars = self.formulas.len() * self.orders.len();
        let panel_h = (120 + bars as u32 * 16).clamp(300, 720);
        (1500, 170 + panel_rows(self.types.len(), COLS) * panel_h)
    }

    fn draw<DB: DrawingBackend>(&self, root: &Area<DB>) -> DrawResult<DB> {
        let mut measure = vec!["bars: share of orders with at least one pod that never gets an IP".to_string()];
        if self.orders.iter().any(|o| o != "random") {
            measure.push("a fixed order is one order: 0% or 100%".into());
        }
        match (self.exact_random, self.whiskers) {
            (true, false) => measure.push("random: exact, over every order".into()),
            (true, true) => {
                measure.push("random: exact where computed, else sampled with its 95% interval (whiskers)".into())
            }
            (false, true) => measure.push("random: share of sampled orders, whiskers: its 95% interval".into()),
            (false, false) => {}
        }
        let sub = measure
            .into_iter()
            .chain(self.notes.iter().cloned())
            .collect::<Vec<_>>()
            .join("; ");
        let area = titled(root, &self.title(), &sub)?;
        let items = legend_items(&self.orders, order_color);
        let area = legend_strip(&area, "arrival order", &items)?;
        // Formulas top to bottom: the first at the highest category.
        let n = self.formulas.len();
        let band = 0.8 / self.orders.len().max(1) as f64;
        let label_font = ("sans-serif", TICK - 2)
            .into_font()
            .color(&BLACK)
            .pos(Pos::new(HPos::Left, VPos::Center));
        for (panel, ty) in panels(&area, self.types.len(), COLS).iter().zip(&self.types) {
            let mut chart = formula_panel(
                panel,
                ty,
                &self.formulas,
                (X_END, 100.0),
                "orders that leave a pod without an IP (%)",
            )?;
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
                    let ym = (y0 + y1) / 2.0;
                    let e = risk(r);
                    let v = e.value * 100.0;
                    chart.draw_series(std::iter::once(Rectangle::new(
                        [(0.0, y0), (v, y1)],
                        order_color(order).filled(),
                    )))?;
                    let mut label_x = v;
                    if !e.is_exact() {
                        let (lo, hi) = (e.low * 100.0, e.high * 100.0);
                        let cap = band * 0.35;
                        let stroke = BLACK.stroke_width(2);
                        chart.draw_series([
                            PathElement::new(vec![(lo, ym), (hi, ym)], stroke),
                            PathElement::new(vec![(lo, ym - cap), (lo, ym + cap)], stroke),
                            PathElement::new(vec![(hi, ym - cap), (hi, ym + cap)], stroke),
                        ])?;
                        label_x = label_x.max(hi);
                    }
                    // The value beside every bar: a zero bar is a "0%", not a gap.
                    chart.draw_series(std::iter::once(Text::new(
                        share_label(e.value),
                        (label_x + 1.2, ym),
                        label_font.clone(),
                    )))?;
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
    fn draws_every_type_formula_and_order_with_its_value() {
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
            "orders that leave a pod without an IP (%)",
        ] {
            assert!(texts.iter().any(|t| t == want), "{want} missing from {texts:?}");
        }
        // One bar per row, coloured by its order's name, plus the legend swatch.
        for order in ["sg-first", "ip-first", "random"] {
            assert_eq!(svg_count_colour(&chart, "rect", &hex(order_color(order))), 2 * 2 + 1);
        }
        // Every bar is labelled with its value; ip-first with aws-default always fails.
        let labels = texts.iter().filter(|t| t.ends_with('%') && !t.contains(' ')).count();
        assert!(labels >= rows.len(), "{texts:?}");
        assert!(texts.iter().any(|t| t == "100%"));
        // The fixture's random orders are exact: no whiskers, and no promise of them.
        assert!(rows.iter().all(|r| r.order != "random" || r.method == "exact"));
        assert!(!texts.iter().any(|t| t.contains("whisker")), "{texts:?}");
    }

    #[test]
    fn sampled_rows_get_whiskers_and_the_subtitle_says_so() {
        let mut rows = fixture_rows();
        for r in rows.iter_mut().filter(|r| r.order == "random") {
            r.method = "monte-carlo".into();
            r.exact_failure_probability = None;
        }
        let chart = failure_rate(&rows).unwrap();
        let texts = check_basics(&chart);
        assert!(
            texts.iter().any(|t| t.contains("whiskers: its 95% interval")),
            "{texts:?}"
        );
        // Three black strokes per sampled bar, beyond the axes the exact chart has.
        let axes = svg_count_colour(&failure_rate(&fixture_rows()).unwrap(), "polyline", "#000000");
        assert_eq!(svg_count_colour(&chart, "polyline", "#000000"), axes + 3 * 4);
    }

    #[test]
    fn many_types_draw_the_riskiest_and_say_so() {
        let base = fixture_rows();
        let mut rows = Vec::new();
        for i in 0..30 {
            for r in &base {
                let mut r = r.clone();
                r.instance_type = format!("t{i}.{}", r.instance_type);
                if i == 29 && r.order == "random" {
                    // The last type is the riskiest: it must be drawn.
                    r.exact_failure_probability = Some(1.0);
                }
                rows.push(r);
            }
        }
        let chart = failure_rate(&rows).unwrap();
        let texts = check_basics(&chart);
        assert!(
            texts.iter().any(|t| t.contains("the 12 riskiest of 60 instance types")),
            "{texts:?}"
        );
        assert!(texts.iter().any(|t| t == "t29.m5.large"), "{texts:?}");
        assert!(chart.height <= 170 + 4 * 720, "{}", chart.height);
    }

    #[test]
    fn prefix_delegation_without_it_is_left_out_and_named() {
        let mut rows = fixture_rows();
        let mut pd: Vec<Row> = rows
            .iter()
            .filter(|r| r.formula == "aws-default")
            .cloned()
            .map(|mut r| {
                r.formula = "prefix-delegation".into();
                r.max_pods = 110;
                r
            })
            .collect();
        rows.append(&mut pd);
        let texts = check_basics(&failure_rate(&rows).unwrap());
        assert!(!texts.iter().any(|t| t == "prefix-delegation"), "{texts:?}");
        assert!(
            texts.iter().any(|t| t.contains("prefix-delegation left out")),
            "{texts:?}"
        );
    }

    #[test]
    fn empty_rows_are_an_error_not_a_panic() {
        let e = failure_rate(&[]).unwrap_err();
        assert!(e.to_string().contains("run the scenario first"), "{e}");
    }
}
