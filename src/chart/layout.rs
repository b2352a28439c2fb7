//! Layout helpers shared by the charts: title, legend strip, panel grids,
//! the formula panel, axis ends and tick labels.

use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::categories::{Categories, categories, category_name};
use super::figure::Area;
use super::font::{LABEL, SUBTITLE, TICK, TITLE, text_width};

/// `text` in lines of at most `width` pixels at `size`, broken after a
/// `sep` (kept at the line's end) where it can be; no lines for no text.
pub(super) fn wrap(text: &str, sep: &str, width: i32, size: u32) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut parts = text.split_inclusive(sep).peekable();
    let mut line = String::new();
    while let Some(part) = parts.next() {
        let joined = format!("{line}{part}");
        if !line.is_empty() && text_width(joined.trim_end(), size) > width {
            lines.push(line.trim_end().to_string());
            line = part.to_string();
        } else {
            line = joined;
        }
        if parts.peek().is_none() && !line.trim().is_empty() {
            lines.push(line.trim_end().to_string());
        }
    }
    lines
}

/// Draws the title (and an optional subtitle, wrapped to the width) at the
/// top of `root` and returns the area below them.
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
    for line in wrap(subtitle, "; ", w as i32 - 40, SUBTITLE) {
        root.draw(&Text::new(
            line,
            (w as i32 / 2, top),
            ("sans-serif", SUBTITLE)
                .into_font()
                .color(&RGBColor(0x44, 0x44, 0x44))
                .pos(centre),
        ))?;
        top += SUBTITLE as i32 + 6;
    }
    if !subtitle.is_empty() {
        top += 4;
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
/// spread charts, the axis running to `x_end` and ticked up to `x_top`.
/// Returns the chart to draw the series on.
pub(super) fn formula_panel<'a, DB: DrawingBackend>(
    panel: &'a Area<DB>,
    title: &str,
    formulas: &[String],
    (x_end, x_top): (f64, f64),
    x_desc: &str,
) -> Result<FormulaPanel<'a, DB>, DrawingAreaErrorKind<DB::ErrorType>> {
    let shown: Vec<String> = formulas.iter().rev().cloned().collect();
    let label_w = formulas.iter().map(|f| text_width(f, TICK)).max().unwrap_or(40) + 16;
    let mut chart = ChartBuilder::on(panel)
        .caption(title, ("sans-serif", LABEL + 2))
        .margin(12)
        .x_label_area_size(44)
        .y_label_area_size(label_w)
        .build_cartesian_2d(0.0..x_end, categories(formulas.len()))?;
    let fmt_y = |v: &f64| category_name(&shown, *v);
    let fmt_x = tick_label(x_end, x_top, "%");
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

/// Tick labels for an axis spanning `span` (upper end minus lower end): as
/// many decimals as the span needs to tell neighbouring ticks apart,
/// trailing zeros trimmed, then `unit`. Ticks below zero (the margin that
/// keeps points at zero off the axis line) and above `top` stay bare.
pub(super) fn tick_label(span: f64, top: f64, unit: &'static str) -> impl Fn(&f64) -> String {
    let decimals = if span.is_finite() && span > 0.0 {
        (2.0 - span.log10().floor()).clamp(0.0, 6.0) as usize
    } else {
        0
    };
    let eps = span.abs() * 1e-9;
    move |v: &f64| {
        if *v < -eps || *v > top + eps {
            return String::new();
        }
        // Zero, not "-0", for anything at or a hair below it.
        let s = format!("{:.*}", decimals, if *v > 0.0 { *v } else { 0.0 });
        let s = if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.')
        } else {
            &s
        };
        format!("{s}{unit}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tick_labels_tell_ticks_apart_and_never_go_negative() {
        // The burst frontier's wasted-IP axis, -1 to 2.24 in steps of 0.5.
        let f = tick_label(3.24, 2.24, "");
        let got: Vec<String> = [-1.0, -0.5, 0.0, 0.5, 1.0, 1.5, 2.0].iter().map(&f).collect();
        assert_eq!(got, ["", "", "0", "0.5", "1", "1.5", "2"]);
        // A failure axis of 0 to 1.12%, steps of 0.2.
        let f = tick_label(1.12, 1.12, "%");
        let got: Vec<String> = [0.0, 0.2, 0.4, 0.6000000000000001, 1.0].iter().map(&f).collect();
        assert_eq!(got, ["0%", "0.2%", "0.4%", "0.6%", "1%"]);
        // Whole numbers on a wide axis, nothing past its top.
        let f = tick_label(112.0, 100.0, "%");
        assert_eq!([f(&20.0), f(&100.0), f(&110.0)], ["20%", "100%", ""]);
        assert_eq!(f(&-0.0), "0%");
    }

    #[test]
    fn subtitles_wrap_after_their_separators() {
        let text = "one thing; another thing; a third thing";
        assert_eq!(wrap(text, "; ", 10_000, 16), [text]);
        let lines = wrap(text, "; ", text_width("one thing; another thing;", 16), 16);
        assert_eq!(lines, ["one thing; another thing;", "a third thing"]);
        assert!(wrap("", "; ", 100, 16).is_empty());
    }
}
