//! Chart 5: the safe-region map of one instance type: SG share of the
//! workload (x) against maxPods (y), coloured by the probability that a
//! random order leaves a pod without an IP, with each formula's `M` marked.

use plotters::prelude::*;

use super::figure::{Area, Chart, DrawResult, Figure, no_data, render};
use super::font::{LABEL, SUBTITLE, TICK, text_width};
use super::layout::{count_label, titled};
use super::measures::mismatch;
use super::select::distinct;
use crate::error::Error;
use crate::output::Row;
use crate::output::records::SafeCell;

/// Reversed viridis anchors: light yellow for 0 (safe) to dark purple for 1.
const RAMP: [(f64, (u8, u8, u8)); 5] = [
    (0.0, (0xFD, 0xE7, 0x25)),
    (0.25, (0x5D, 0xC8, 0x63)),
    (0.5, (0x21, 0x90, 0x8C)),
    (0.75, (0x3B, 0x52, 0x8B)),
    (1.0, (0x44, 0x01, 0x54)),
];

/// The map's colour for a probability in 0..=1 (clamped).
fn ramp(p: f64) -> RGBColor {
    let p = if p.is_finite() { p.clamp(0.0, 1.0) } else { 0.0 };
    let i = RAMP.iter().rposition(|(x, _)| *x <= p).unwrap_or(0).min(RAMP.len() - 2);
    let ((x0, a), (x1, b)) = (RAMP[i], RAMP[i + 1]);
    let t = (p - x0) / (x1 - x0);
    let mix = |u: u8, v: u8| (f64::from(u) + (f64::from(v) - f64::from(u)) * t).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// A formula's maxPods on the mapped type, and the SG share of its workload.
struct Mark {
    label: String,
    max_pods: u32,
    shares: Vec<f64>,
}

struct SafeRegion<'a> {
    cells: Vec<&'a SafeCell>,
    instance_type: String,
    marks: Vec<Mark>,
    shares: Vec<f64>,
    max_pods: Vec<u32>,
    /// What the map leaves out, for the subtitle.
    notes: Vec<String>,
}

/// Draws chart 5 from the grid of `safe-region.csv`, marking the maxPods of
/// each formula in `rows` for the mapped type.
pub(crate) fn safe_region(cells: &[SafeCell], rows: &[Row]) -> Result<Chart, Error> {
    let Some(first) = cells.first() else {
        return Err(Error::from(no_data("safe-region", "safe-region.csv")));
    };
    let cells: Vec<&SafeCell> = cells
        .iter()
        .filter(|c| c.instance_type == first.instance_type)
        .collect();
    let mut shares: Vec<f64> = cells.iter().map(|c| c.sg_share).collect();
    shares.sort_by(f64::total_cmp);
    shares.dedup();
    let mut max_pods: Vec<u32> = cells.iter().map(|c| c.max_pods).collect();
    max_pods.sort_unstable();
    max_pods.dedup();
    let (mine, misfit): (Vec<&Row>, Vec<&Row>) = rows
        .iter()
        .filter(|r| r.instance_type == first.instance_type)
        .partition(|r| mismatch(r).is_none());
    let mut notes: Vec<String> = distinct(misfit.iter().map(|r| r.formula.as_str()))
        .into_iter()
        .map(|f| {
            let m = misfit.iter().find(|r| r.formula == f).map_or(0, |r| r.max_pods);
            format!("{f} (M = {m}, maxPods for prefix delegation on nodes without it) not marked")
        })
        .collect();
    let mut marks: Vec<Mark> = Vec::new();
    for formula in distinct(mine.iter().map(|r| r.formula.as_str())) {
        let of: Vec<&&Row> = mine.iter().filter(|r| r.formula == formula).collect();
        let m = of[0].max_pods;
        let mut shares: Vec<f64> = of
            .iter()
            .map(|r| {
                let total = r.sg_pods + r.ip_pods + r.host_pods;
                if total == 0 {
                    0.0
                } else {
                    f64::from(r.sg_pods) / f64::from(total)
                }
            })
            .collect();
        shares.dedup();
        // Formulas with the same M share one line.
        if let Some(same) = marks.iter_mut().find(|k| k.max_pods == m) {
            same.label.push_str(&format!(", {formula}"));
            same.shares.extend(shares);
        } else {
            marks.push(Mark {
                label: formula,
                max_pods: m,
                shares,
            });
        }
    }
    marks.sort_by_key(|k| std::cmp::Reverse(k.max_pods));
    // The map ends a little above the highest mark: above it every share
    // that fails at the mark fails too, and the marks' region stays legible.
    let grid_top = max_pods.last().copied().unwrap_or(0);
    if let Some(top) = marks.first().map(|k| k.max_pods) {
        let shown = (top + top / 2).max(top + 10);
        if grid_top > shown {
            max_pods.retain(|&m| m <= shown);
            notes.push(format!("maxPods up to {shown} of the {grid_top} computed"));
        }
    }
    let cells: Vec<&SafeCell> = cells.into_iter().filter(|c| max_pods.contains(&c.max_pods)).collect();
    render(&SafeRegion {
        notes,
        instance_type: first.instance_type.clone(),
        cells,
        marks,
        shares,
        max_pods,
    })
}

/// Pixels right of the map for the formulas' labels.
const LABEL_W: u32 = 340;

/// A formula mark's label, `names: M = m`, wrapped to fit [`LABEL_W`].
fn label_lines(names: &str, m: u32) -> Vec<String> {
    let full = format!("{names}: M = {m}");
    let fits = |s: &str| text_width(s, SUBTITLE) <= LABEL_W as i32 - 30;
    if fits(&full) {
        return vec![full];
    }
    let mut lines = vec![format!("M = {m}:")];
    for name in names.split(", ") {
        let n = lines.len();
        let joined = format!("{}, {name}", lines[n - 1]);
        if n > 1 && fits(&joined) {
            lines[n - 1] = joined;
        } else {
            lines.push(name.to_string());
        }
    }
    lines
}

/// Half the smallest gap between neighbours in sorted `all` (for cell edges).
fn half_step(all: &[f64]) -> f64 {
    all.windows(2).map(|w| w[1] - w[0]).fold(f64::INFINITY, f64::min) / 2.0
}

impl Figure for SafeRegion<'_> {
    const NAME: &'static str = "safe-region";

    fn title(&self) -> String {
        format!(
            "Where maxPods is safe on {}: SG share of the workload against maxPods",
            self.instance_type
        )
    }

    fn size(&self) -> (u32, u32) {
        (1300, 900)
    }

    fn draw<DB: DrawingBackend>(&self, root: &Area<DB>) -> DrawResult<DB> {
        let c0 = self.cells[0];
        let mut sub = format!(
            "one node; workload = its free slots + its branch ENIs (the seed's fill size), x% SG pods, the rest IP pods; {} over every arrival order, at every maxPods",
            c0.method
        );
        for n in &self.notes {
            sub.push_str(&format!("; {n}"));
        }
        let area = titled(root, &self.title(), &sub)?;
        // The colour scale, as a strip along the top.
        let (w, _) = area.dim_in_pixel();
        let (strip, area) = area.split_vertically(48);
        let font = ("sans-serif", LABEL).into_font().color(&BLACK);
        let heading = "share of random orders that leave a pod without an IP:";
        strip.draw(&Text::new(heading, (20, 12), font.clone()))?;
        let x0 = 20 + text_width(heading, LABEL) + 20;
        let bar_w = (w as i32 - x0 - 220).clamp(100, 400);
        // Twenty steps: enough to read a colour off, each step distinct.
        let steps = 20;
        for k in 0..steps {
            let c = ramp(f64::from(k) / f64::from(steps - 1));
            let (a, b) = (x0 + bar_w * k / steps, x0 + bar_w * (k + 1) / steps);
            strip.draw(&Rectangle::new([(a, 8), (b, 32)], c.filled()))?;
        }
        strip.draw(&Rectangle::new([(x0, 8), (x0 + bar_w, 32)], BLACK.stroke_width(1)))?;
        let small = ("sans-serif", TICK).into_font().color(&BLACK);
        strip.draw(&Text::new("0%", (x0 - 6, 34), small.clone()))?;
        strip.draw(&Text::new("100%", (x0 + bar_w - 20, 34), small.clone()))?;
        strip.draw(&Text::new("● scenario's workload", (x0 + bar_w + 30, 12), font.clone()))?;

        let sx: Vec<f64> = self.shares.iter().map(|s| s * 100.0).collect();
        let ym: Vec<f64> = self.max_pods.iter().map(|&m| f64::from(m)).collect();
        let hx = if sx.len() > 1 { half_step(&sx) } else { 0.5 };
        let hy = if ym.len() > 1 { half_step(&ym) } else { 0.5 };
        let x_range = (sx[0] - hx)..(sx[sx.len() - 1] + hx);
        let y_lo = ym[0] - hy;
        let y_hi = (ym[ym.len() - 1] + hy).max(
            self.marks
                .iter()
                .map(|m| f64::from(m.max_pods) + 1.0)
                .fold(0.0, f64::max),
        );
        let (plot_area, label_area) = area.split_horizontally(w - LABEL_W);
        let mut chart = ChartBuilder::on(&plot_area)
            .margin(16)
            .x_label_area_size(50)
            .y_label_area_size(70)
            .build_cartesian_2d(x_range, y_lo..y_hi)?;
        let fmt_x = |v: &f64| format!("{v:.0}%");
        chart
            .configure_mesh()
            .disable_mesh()
            .x_label_formatter(&fmt_x)
            .y_label_formatter(&count_label)
            .x_desc("SG pods as a share of the workload (%)")
            .y_desc("maxPods (pods per node)")
            .label_style(("sans-serif", TICK))
            .axis_desc_style(("sans-serif", LABEL))
            .draw()?;
        chart.draw_series(self.cells.iter().map(|c| {
            let (x, y) = (c.sg_share * 100.0, f64::from(c.max_pods));
            Rectangle::new(
                [(x - hx, y - hy), (x + hx, y + hy)],
                ramp(c.failure_probability).filled(),
            )
        }))?;
        // The formulas' maxPods: a line across the map, a label to its right,
        // and a dot at the share of the scenario's own workload.
        let right = chart.plotting_area().get_pixel_range().0.end;
        let label_x0 = label_area.get_base_pixel().0 - root.get_base_pixel().0;
        let mut last_y = i32::MIN;
        for m in &self.marks {
            let y = f64::from(m.max_pods);
            chart.draw_series([
                PathElement::new(vec![(sx[0] - hx, y), (sx[sx.len() - 1] + hx, y)], WHITE.stroke_width(5)),
                PathElement::new(vec![(sx[0] - hx, y), (sx[sx.len() - 1] + hx, y)], BLACK.stroke_width(2)),
            ])?;
            for s in &m.shares {
                chart.draw_series(std::iter::once(Circle::new((s * 100.0, y), 7, BLACK.filled())))?;
                chart.draw_series(std::iter::once(Circle::new((s * 100.0, y), 7, WHITE.stroke_width(2))))?;
            }
            let py = chart.plotting_area().map_coordinate(&(sx[0], y)).1;
            let lines = label_lines(&m.label, m.max_pods);
            let line_h = SUBTITLE as i32 + 4;
            let ty = if last_y != i32::MIN && py < last_y { last_y } else { py };
            last_y = ty + line_h * lines.len() as i32 + 4;
            root.draw(&PathElement::new(
                vec![(right, py), (label_x0 + 6, ty)],
                BLACK.stroke_width(1),
            ))?;
            for (k, line) in lines.into_iter().enumerate() {
                root.draw(&Text::new(
                    line,
                    (label_x0 + 10, ty - SUBTITLE as i32 / 2 + k as i32 * line_h),
                    ("sans-serif", SUBTITLE).into_font().color(&BLACK),
                ))?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::testing::{check_basics, fixture_rows, fixture_safe, hex, svg_count_colour};

    #[test]
    fn long_labels_wrap_by_name() {
        assert_eq!(label_lines("aws-default", 29), ["aws-default: M = 29"]);
        let lines = label_lines("conservative, seed-userdata, karpenter-reserved-enis:1, fixed:20", 20);
        assert_eq!(lines[0], "M = 20:");
        assert_eq!(
            lines[1..].join(", "),
            "conservative, seed-userdata, karpenter-reserved-enis:1, fixed:20"
        );
        assert!(lines.iter().all(|l| text_width(l, SUBTITLE) <= LABEL_W as i32 - 30));
    }

    #[test]
    fn ramp_ends_and_middle() {
        assert_eq!(ramp(0.0), RGBColor(0xFD, 0xE7, 0x25));
        assert_eq!(ramp(1.0), RGBColor(0x44, 0x01, 0x54));
        assert_eq!(ramp(0.5), RGBColor(0x21, 0x90, 0x8C));
        assert_eq!(ramp(f64::NAN), ramp(0.0));
        assert_eq!(ramp(7.0), ramp(1.0));
    }

    #[test]
    fn every_grid_point_is_a_cell_and_every_formula_is_marked() {
        let rows = fixture_rows();
        let cells = fixture_safe();
        let chart = safe_region(&cells, &rows).unwrap();
        let texts = check_basics(&chart);
        assert!(chart.title.contains("m5.large"));
        // m5.large: aws-default 29, conservative S + 18 IPs = 20.
        for want in ["aws-default: M = 29", "conservative: M = 20", "maxPods (pods per node)"] {
            assert!(texts.iter().any(|t| t == want), "{want} missing from {texts:?}");
        }
        // Cells that never fail and cells that always fail are both on the map.
        let safe = cells.iter().filter(|c| c.failure_probability == 0.0).count();
        let doomed = cells.iter().filter(|c| c.failure_probability == 1.0).count();
        assert!(safe > 0 && doomed > 0, "{safe} safe, {doomed} doomed");
        // The colour bar uses each end colour once; the cells of that colour too
        // (exact figures a hair from 0 or 1 round to the end colours).
        let coloured = |end: f64| {
            cells
                .iter()
                .filter(|c| ramp(c.failure_probability) == ramp(end))
                .count()
        };
        assert_eq!(svg_count_colour(&chart, "rect", &hex(ramp(0.0))), coloured(0.0) + 1);
        assert_eq!(svg_count_colour(&chart, "rect", &hex(ramp(1.0))), coloured(1.0) + 1);
    }
}
