//! Layout helpers shared by the charts: title, legend strip, panel grids,
//! the formula panel, axis ends and tick labels.

use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::categories::{Categories, categories, category_name};
use super::figure::Area;
use super::font::{LABEL, SUBTITLE, TICK, TITLE, text_width};

/// Draws the title (and an optional subtitle) at the top of `root` and
/// returns the area below them.
pub(super) fn titled<DB: DrawingBackend>(
    root: &Area<DB>,
    title: &str,
    subtitle: &str,
) -> Result<Area<DB>, DrawingAreaErrorKind<DB::ErrorType>> {
    let (w, _) = root.dim_in_pixel();
    let centre = Pos::new(HPos::Center, VPos::Top);
    root.draw(&Text::new(
        title.to_string(),
        (w as i32 / 2, 10),
        ("sans-serif", TITLE).into_font().color(&BLACK).pos(centre),
    ))?;
    let mut top = 10 + TITLE as i32 + 8;
    if !subtitle.is_empty() {
        root.draw(&Text::new(
            subtitle.to_string(),
            (w as i32 / 2, top),
            ("sans-serif", SUBTITLE)
                .into_font()
                .color(&RGBColor(0x44, 0x44, 0x44))
                .pos(centre),
        ))?;
        top += SUBTITLE as i32 + 10;
    }
    Ok(root.split_vertically(top as u32).1)
}

/// A legend as one or more rows of coloured swatches and labels along the
/// top of `area`, wrapping where the width runs out; returns the area below it.
pub(super) fn legend_strip<DB: DrawingBackend>(
    area: &Area<DB>,
    heading: &str,
    items: &[(String, RGBColor)],
) -> Result<Area<DB>, DrawingAreaErrorKind<DB::ErrorType>> {
    let (w, _) = area.dim_in_pixel();
    let font = ("sans-serif", LABEL).into_font();
    let row_h = LABEL as i32 + 12;
    let mut x = 20;
    let mut y = 6;
    if !heading.is_empty() {
        area.draw(&Text::new(format!("{heading}:"), (x, y), font.clone().color(&BLACK)))?;
        x += text_width(heading, LABEL) + 24;
    }
    let start_x = x;
    for (label, colour) in items {
        let item_w = 22 + text_width(label, LABEL) + 26;
        if x + item_w > w as i32 - 10 && x > start_x {
            x = start_x;
            y += row_h;
        }
        area.draw(&Rectangle::new([(x, y + 1), (x + 16, y + 15)], colour.filled()))?;
        area.draw(&Text::new(label.clone(), (x + 22, y), font.clone().color(&BLACK)))?;
        x += item_w;
    }
    Ok(area.split_vertically((y + row_h + 4) as u32).1)
}

/// The upper end of an axis holding `max`: a little headroom, never zero.
pub(super) fn axis_max(max: f64, floor: f64) -> f64 {
    if max.is_finite() && max > 0.0 {
        (max * 1.12).max(floor)
    } else {
        floor
    }
}

/// A tick label for a count: whole numbers only (ticks between stay bare).
pub(super) fn count_label(v: &f64) -> String {
    if v.fract().abs() < 1e-9 {
        format!("{v:.0}")
    } else {
        String::new()
    }
}

/// Splits `area` into a grid of `n` panels, up to `cols` per row.
pub(super) fn panels<DB: DrawingBackend>(area: &Area<DB>, n: usize, cols: usize) -> Vec<Area<DB>> {
    let cols = cols.min(n).max(1);
    let rows = n.div_ceil(cols).max(1);
    area.split_evenly((rows, cols)).into_iter().take(n).collect()
}

/// A panel of [`formula_panel`]: percent across, formulas down.
pub(super) type FormulaPanel<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, Categories>>;

/// One panel with the formulas as categories down the y axis (the first at
/// the top) and a percentage across: the layout of the failure-rate and
/// spread charts. Returns the chart to draw the series on.
pub(super) fn formula_panel<'a, DB: DrawingBackend>(
    panel: &'a Area<DB>,
    title: &str,
    formulas: &[String],
    x_max: f64,
    x_desc: &str,
) -> Result<FormulaPanel<'a, DB>, DrawingAreaErrorKind<DB::ErrorType>> {
    let shown: Vec<String> = formulas.iter().rev().cloned().collect();
    let label_w = formulas.iter().map(|f| text_width(f, TICK)).max().unwrap_or(40) + 16;
    let mut chart = ChartBuilder::on(panel)
        .caption(title, ("sans-serif", LABEL + 2))
        .margin(12)
        .x_label_area_size(44)
        .y_label_area_size(label_w)
        .build_cartesian_2d(0.0..x_max, categories(formulas.len()))?;
    let fmt_y = |v: &f64| category_name(&shown, *v);
    let fmt_x = |v: &f64| format!("{v:.0}%");
    chart
        .configure_mesh()
        .disable_y_mesh()
        .light_line_style(WHITE)
        .y_label_formatter(&fmt_y)
        .x_label_formatter(&fmt_x)
        .x_labels(6)
        .x_desc(x_desc)
        .label_style(("sans-serif", TICK))
        .axis_desc_style(("sans-serif", TICK))
        .draw()?;
    Ok(chart)
}

/// Rows of panels for `n` panels at up to `cols` per row.
pub(super) fn panel_rows(n: usize, cols: usize) -> u32 {
    n.div_ceil(cols.max(1)).max(1) as u32
}
