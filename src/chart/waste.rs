//! Chart 2: wasted IPs and stranded pod slots by formula and instance type
//! (the riskiest types when there are many), every bar labelled.

use plotters::prelude::*;
use plotters::style::FontTransform;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::categories::{categories, category_name};
use super::figure::{Area, Chart, DrawResult, Figure, no_data, render};
use super::font::{LABEL, TICK, text_width};
use super::layout::{axis_max, legend_strip, tick_label, titled};
use super::measures::{stranded_slots, wasted_ips};
use super::palette::{formula_color, legend_items};
use super::select::{MAX_TYPES, distinct, drawn_types, first_policy, fitting, left_out_note, reference_order};
use crate::error::Error;
use crate::output::Row;

struct Waste<'a> {
    rows: Vec<&'a Row>,
    types: Vec<String>,
    formulas: Vec<String>,
    order: String,
    /// Subtitle notes: what the bars compare, what is left out, the policy.
    notes: Vec<String>,
}

/// Whether the formulas of some type were given different workloads (the
/// seed's fill, which fills each formula's node to its own maxPods).
fn workloads_differ(rows: &[&Row]) -> bool {
    rows.iter().any(|a| {
        rows.iter().any(|b| {
            a.instance_type == b.instance_type
                && (a.sg_pods, a.ip_pods, a.host_pods) != (b.sg_pods, b.ip_pods, b.host_pods)
        })
    })
}

/// Draws chart 2 from summary rows.
pub(crate) fn waste(rows: &[Row]) -> Result<Chart, Error> {
    let (rows, policy) = first_policy(rows);
    if rows.is_empty() {
        return Err(Error::from(no_data("waste", "summary.csv")));
    }
    let order = reference_order(&rows);
    let all_types = distinct(rows.iter().map(|r| r.instance_type.as_str())).len();
    let (rows, left_out) = fitting(rows);
    let types = drawn_types(&rows, MAX_TYPES);
    let rows: Vec<&Row> = rows
        .into_iter()
        .filter(|r| r.order == order && types.contains(&r.instance_type))
        .collect();
    let compare = if workloads_differ(&rows) {
        "each formula's workload fills its own node (the seed's fill): the bars compare full nodes, not equal demand"
    } else {
        "every formula of a type has the same workload"
    };
    let mut notes = vec![
        compare.to_string(),
        left_out_note(&left_out, types.len(), all_types),
        policy,
    ];
    notes.retain(|n| !n.is_empty());
    render(&Waste {
        formulas: distinct(rows.iter().map(|r| r.formula.as_str())),
        types,
        rows,
        order,
        notes,
    })
}

/// A bar's value as its label: whole numbers bare, else one decimal.
fn value_label(v: f64) -> String {
    let r = (v * 10.0).round() / 10.0;
    if r.fract() == 0.0 {
        format!("{r:.0}")
    } else {
        format!("{r:.1}")
    }
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
        let y_end = axis_max(top, 1.0) * 1.08;
        let mut chart = ChartBuilder::on(area)
            .caption(caption, ("sans-serif", LABEL + 2))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(70)
            .build_cartesian_2d(categories(self.types.len()), 0.0..y_end)?;
        let fmt_x = |v: &f64| category_name(&self.types, *v);
        let fmt_y = tick_label(y_end, y_end, "");
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
        // Labels go flat above their bar where they fit its width, else upright.
        let bar_px = {
            let plot = chart.plotting_area();
            (plot.map_coordinate(&(band, 0.0)).0 - plot.map_coordinate(&(0.0, 0.0)).0).abs()
        };
        let widest = self
            .rows
            .iter()
            .map(|r| text_width(&value_label(value(r)), TICK - 2))
            .max()
            .unwrap_or(0);
        let font = ("sans-serif", TICK - 2).into_font().color(&BLACK);
        let font = if widest <= bar_px + 4 {
            font.pos(Pos::new(HPos::Center, VPos::Bottom))
        } else {
            font.transform(FontTransform::Rotate270)
                .pos(Pos::new(HPos::Left, VPos::Center))
        };
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
                let v = value(r);
                let c = formula_color(formula);
                chart.draw_series(std::iter::once(Rectangle::new([(x0, 0.0), (x0 + band, v)], c.filled())))?;
                // A zero bar keeps a sliver of its colour and its "0".
                chart.draw_series(std::iter::once(PathElement::new(
                    vec![(x0, 0.0), (x0 + band, 0.0)],
                    c.stroke_width(4),
                )))?;
                chart.draw_series(std::iter::once(Text::new(
                    value_label(v),
                    (x0 + band / 2.0, v + y_end * 0.01),
                    font.clone(),
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
        let bars = (self.types.len() * self.formulas.len()) as u32;
        ((300 + bars * 22).clamp(1400, 2400), 940)
    }

    fn draw<DB: DrawingBackend>(&self, root: &Area<DB>) -> DrawResult<DB> {
        let mut sub = vec![format!(
            "means over the {} order's trials; wasted IPs: free IPs on full nodes; stranded slots: free slots on nodes with no IP or branch ENI left",
            self.order
        )];
        sub.extend(self.notes.iter().cloned());
        let area = titled(root, &self.title(), &sub.join("; "))?;
        let items = legend_items(&self.formulas, formula_color);
        let area = legend_strip(&area, "maxPods formula", &items)?;
        if self.rows.iter().all(|r| stranded_slots(r) == 0.0) {
            // A panel of zeros says less than a line does.
            self.panel(
                &area,
                "Wasted IPs per run (stranded pod slots: 0 in every cell)",
                "wasted IPs (mean, IPs)",
                wasted_ips,
            )?;
            return Ok(());
        }
        let (upper, lower) = area.split_vertically(area.dim_in_pixel().1 / 2);
        self.panel(&upper, "Wasted IPs per run", "wasted IPs (mean, IPs)", wasted_ips)?;
        self.panel(
            &lower,
            "Stranded pod slots per run",
            "stranded slots (mean, pods)",
            stranded_slots,
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
            "wasted IPs (mean, IPs)",
        ] {
            assert!(texts.iter().any(|t| t == want), "{want} missing from {texts:?}");
        }
        // The fixture strands no slot: one panel, and the title says why.
        assert!(rows.iter().all(|r| stranded_slots(r) == 0.0));
        assert!(
            texts
                .iter()
                .any(|t| t == "Wasted IPs per run (stranded pod slots: 0 in every cell)")
        );
        assert!(texts.iter().any(|t| t.contains("random order")));
        // The fixture fills each formula's node: the subtitle says the bars are full nodes.
        assert!(texts.iter().any(|t| t.contains("not equal demand")), "{texts:?}");
        // A bar per type, plus the legend swatch, per formula.
        for f in ["aws-default", "conservative"] {
            assert_eq!(svg_count_colour(&chart, "rect", &hex(formula_color(f))), 2 + 1);
        }
        // Every bar has its value, zeros included (aws-default wastes none on m5.large).
        let random: Vec<&Row> = rows.iter().filter(|r| r.order == "random").collect();
        for r in &random {
            let want = value_label(wasted_ips(r));
            assert!(texts.contains(&want), "{want} missing from {texts:?}");
        }
        assert!(texts.iter().filter(|t| *t == "0").count() >= 2, "{texts:?}");
    }

    #[test]
    fn stranded_slots_get_their_panel_when_any_is_stranded() {
        let mut rows = fixture_rows();
        rows[2].stranded_slots_mean = 3.0;
        rows[2].exact_stranded_slots_mean = Some(3.0);
        let texts = check_basics(&waste(&rows).unwrap());
        assert!(texts.iter().any(|t| t == "Stranded pod slots per run"), "{texts:?}");
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
