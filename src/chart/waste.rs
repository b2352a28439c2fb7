//! Chart 2: wasted IPs and stranded pod slots by formula and instance type.

use plotters::prelude::*;

use super::categories::{categories, category_name};
use super::figure::{Area, Chart, DrawResult, Figure, no_data, render};
use super::font::{LABEL, TICK};
use super::layout::{axis_max, legend_strip, titled};
use super::palette::{color, palette_items};
use super::select::{distinct, first_policy, reference_order};
use crate::error::Error;
use crate::output::Row;

struct Waste<'a> {
    rows: Vec<&'a Row>,
    types: Vec<String>,
    formulas: Vec<String>,
    order: String,
    note: String,
}

/// Draws chart 2 from summary rows.
pub(crate) fn waste(rows: &[Row]) -> Result<Chart, Error> {
    let (rows, note) = first_policy(rows);
    if rows.is_empty() {
        return Err(Error::from(no_data("waste", "summary.csv")));
    }
    let order = reference_order(&rows);
    let rows: Vec<&Row> = rows.into_iter().filter(|r| r.order == order).collect();
    render(&Waste {
        types: distinct(rows.iter().map(|r| r.instance_type.as_str())),
        formulas: distinct(rows.iter().map(|r| r.formula.as_str())),
        rows,
        order,
        note,
    })
}

impl Waste<'_> {
    fn panel<DB: DrawingBackend>(
        &self,
        area: &Area<DB>,
        caption: &str,
        y_desc: &str,
        value: impl Fn(&Row) -> f64,
    ) -> DrawResult<DB> {
        let top = self.rows.iter().map(|r| value(r)).fold(0.0, f64::max);
        let mut chart = ChartBuilder::on(area)
            .caption(caption, ("sans-serif", LABEL + 2))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(70)
            .build_cartesian_2d(categories(self.types.len()), 0.0..axis_max(top, 1.0))?;
        let fmt_x = |v: &f64| category_name(&self.types, *v);
        let fmt_y = |v: &f64| {
            if top >= 10.0 {
                format!("{v:.0}")
            } else {
                format!("{v:.1}")
            }
        };
        chart
            .configure_mesh()
            .disable_x_mesh()
            .light_line_style(WHITE)
            .x_label_formatter(&fmt_x)
            .y_label_formatter(&fmt_y)
            .y_desc(y_desc)
            .label_style(("sans-serif", TICK))
            .axis_desc_style(("sans-serif", TICK))
            .draw()?;
        if top == 0.0 {
            // An empty panel would look like a drawing failure: say it.
            let (w, h) = chart.plotting_area().dim_in_pixel();
            chart.plotting_area().strip_coord_spec().draw(&Text::new(
                "zero in every cell",
                (w as i32 / 2 - 70, h as i32 / 2),
                ("sans-serif", LABEL).into_font().color(&BLACK),
            ))?;
        }
        let band = 0.8 / self.formulas.len().max(1) as f64;
        for (ti, ty) in self.types.iter().enumerate() {
            for (fi, formula) in self.formulas.iter().enumerate() {
                let Some(r) = self
                    .rows
                    .iter()
                    .find(|r| &r.instance_type == ty && &r.formula == formula)
                else {
                    continue;
                };
                let x0 = ti as f64 - 0.4 + fi as f64 * band;
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(x0, 0.0), (x0 + band, value(r))],
                    color(fi).filled(),
                )))?;
            }
        }
        Ok(())
    }
}

impl Figure for Waste<'_> {
    const NAME: &'static str = "waste";

    fn title(&self) -> String {
        "Wasted IPs and stranded pod slots, by maxPods formula and instance type".into()
    }

    fn size(&self) -> (u32, u32) {
        (1400, 900)
    }

    fn draw<DB: DrawingBackend>(&self, root: &Area<DB>) -> DrawResult<DB> {
        let sub = format!(
            "means over the {} order's trials; wasted IPs: free IPs on full nodes; stranded slots: free slots on nodes with no IP or branch ENI left; {}",
            self.order, self.note
        );
        let area = titled(root, &self.title(), &sub)?;
        let items = palette_items(&self.formulas);
        let area = legend_strip(&area, "maxPods formula", &items)?;
        let (upper, lower) = area.split_vertically(area.dim_in_pixel().1 / 2);
        self.panel(&upper, "Wasted IPs per run", "wasted IPs (mean, IPs)", |r| {
            r.wasted_ips_mean
        })?;
        self.panel(
            &lower,
            "Stranded pod slots per run",
            "stranded slots (mean, pods)",
            |r| r.stranded_slots_mean,
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::testing::{check_basics, fixture_rows, hex, svg_count_colour};

    #[test]
    fn draws_both_measures_for_every_formula_and_type() {
        let rows = fixture_rows();
        let chart = waste(&rows).unwrap();
        let texts = check_basics(&chart);
        for want in [
            "m5.large",
            "m5.xlarge",
            "aws-default",
            "conservative",
            "Wasted IPs per run",
            "Stranded pod slots per run",
            "wasted IPs (mean, IPs)",
            "stranded slots (mean, pods)",
        ] {
            assert!(texts.iter().any(|t| t == want), "{want} missing from {texts:?}");
        }
        assert!(texts.iter().any(|t| t.contains("random order")));
        // Two panels × two types, plus the legend swatch, per formula.
        for i in 0..2 {
            assert_eq!(svg_count_colour(&chart, "rect", &hex(color(i))), 2 * 2 + 1);
        }
    }

    #[test]
    fn without_random_orders_the_first_order_is_used() {
        let rows: Vec<Row> = fixture_rows().into_iter().filter(|r| r.order != "random").collect();
        let chart = waste(&rows).unwrap();
        assert!(
            crate::chart::testing::svg_texts(&chart)
                .iter()
                .any(|t| t.contains("sg-first order"))
        );
    }
}
