//! Charts: plain records in, PNG and SVG bytes out (no paths, no I/O).
//!
//! Every chart is drawn twice from the same records, once on plotters'
//! bitmap backend (then PNG-encoded in memory with the `png` crate) and once
//! on its SVG backend. Text in the bitmap goes through a bundled font
//! (DejaVu Sans, `assets/fonts/`, Bitstream Vera licence) rasterised by
//! `ab_glyph`, so the build needs no system font library. Colours come from
//! the Okabe–Ito palette, which stays distinct under the common forms of
//! colour blindness; the safe-region map uses a viridis-like ramp.

pub mod failure;
pub mod frontier;
pub mod safe_region;
pub mod spread;
pub mod timeline;
pub mod waste;

use std::sync::Once;

use plotters::coord::Shift;
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint};
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::FontStyle;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters_backend::{BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingErrorKind};

use crate::error::{Error, InputError};
use crate::output::Row;

/// The bundled font, registered as plotters' `sans-serif` family.
static FONT: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");

/// Okabe–Ito, without black (kept for text and axes), yellow last: it is the
/// hardest to see on white.
pub const PALETTE: [RGBColor; 7] = [
    RGBColor(0xE6, 0x9F, 0x00), // orange
    RGBColor(0x56, 0xB4, 0xE9), // sky blue
    RGBColor(0x00, 0x9E, 0x73), // bluish green
    RGBColor(0x00, 0x72, 0xB2), // blue
    RGBColor(0xD5, 0x5E, 0x00), // vermillion
    RGBColor(0xCC, 0x79, 0xA7), // reddish purple
    RGBColor(0xF0, 0xE4, 0x42), // yellow
];

/// The `i`-th series colour; the palette repeats past seven series.
pub fn color(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// The smallest image any chart is drawn at (the issue asks for 1000×600).
pub const MIN_SIZE: (u32, u32) = (1000, 600);

/// Font sizes in pixels.
pub(crate) const TITLE: u32 = 26;
pub(crate) const SUBTITLE: u32 = 16;
pub(crate) const LABEL: u32 = 16;
pub(crate) const TICK: u32 = 14;

/// One chart in both formats.
#[derive(Debug, Clone)]
pub struct Chart {
    /// File stem, e.g. `failure-rate`.
    pub name: &'static str,
    /// The chart's title, as drawn.
    pub title: String,
    pub width: u32,
    pub height: u32,
    pub png: Vec<u8>,
    pub svg: String,
}

/// Registers the bundled font once per process.
pub fn register_font() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // The font is compiled in: failing to parse it is a broken build.
        assert!(
            plotters::style::register_font("sans-serif", FontStyle::Normal, FONT).is_ok(),
            "the bundled DejaVu Sans font does not parse"
        );
    });
}

pub(crate) type Area<DB> = DrawingArea<DB, Shift>;
pub(crate) type DrawResult<DB> = Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

/// A chart that can be drawn on any backend.
pub(crate) trait Figure {
    const NAME: &'static str;
    fn title(&self) -> String;
    fn size(&self) -> (u32, u32);
    fn draw<DB: DrawingBackend>(&self, root: &Area<DB>) -> DrawResult<DB>;
}

fn draw_error(name: &str, e: impl std::fmt::Debug) -> Error {
    Error::Internal(format!("the {name} chart cannot be drawn: {e:?}"))
}

/// Draws `fig` as PNG and SVG.
pub(crate) fn render<F: Figure>(fig: &F) -> Result<Chart, Error> {
    register_font();
    let (w, h) = fig.size();
    let (w, h) = (w.max(MIN_SIZE.0), h.max(MIN_SIZE.1));
    let mut rgb = vec![255u8; (w as usize) * (h as usize) * 3];
    {
        let raster = Raster {
            inner: BitMapBackend::with_buffer(&mut rgb, (w, h)),
            font: ab_glyph::FontRef::try_from_slice(FONT).expect("the bundled font parses (checked at registration)"),
        };
        let root = raster.into_drawing_area();
        root.fill(&WHITE).map_err(|e| draw_error(F::NAME, e))?;
        fig.draw(&root).map_err(|e| draw_error(F::NAME, e))?;
        root.present().map_err(|e| draw_error(F::NAME, e))?;
    }
    let png = encode_png(&rgb, w, h).map_err(|e| draw_error(F::NAME, e))?;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (w, h)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| draw_error(F::NAME, e))?;
        fig.draw(&root).map_err(|e| draw_error(F::NAME, e))?;
        root.present().map_err(|e| draw_error(F::NAME, e))?;
    }
    Ok(Chart {
        name: F::NAME,
        title: fig.title(),
        width: w,
        height: h,
        png,
        svg,
    })
}

/// The bitmap backend with text laid out by `ab_glyph` directly: plotters'
/// own ab_glyph path ignores each glyph's side bearing, which spaces letters
/// unevenly ("m ean"). Everything but text goes to the bitmap backend.
struct Raster<'a> {
    inner: BitMapBackend<'a>,
    font: ab_glyph::FontRef<'static>,
}

type RasterError<'a> = DrawingErrorKind<<BitMapBackend<'a> as DrawingBackend>::ErrorType>;

impl Raster<'_> {
    /// Advance width, ascent and height of `text` at `size` px.
    fn metrics(&self, text: &str, size: f64) -> (f32, f32, f32) {
        use ab_glyph::{Font, ScaleFont};
        let f = self.font.as_scaled(size as f32);
        let mut width = 0.0;
        let mut prev = None;
        for c in text.chars() {
            let id = f.glyph_id(c);
            if let Some(p) = prev {
                width += f.kern(p, id);
            }
            width += f.h_advance(id);
            prev = Some(id);
        }
        (width, f.ascent(), f.ascent() - f.descent())
    }
}

impl<'a> DrawingBackend for Raster<'a> {
    type ErrorType = <BitMapBackend<'a> as DrawingBackend>::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        self.inner.get_size()
    }
    fn ensure_prepared(&mut self) -> Result<(), RasterError<'a>> {
        self.inner.ensure_prepared()
    }
    fn present(&mut self) -> Result<(), RasterError<'a>> {
        self.inner.present()
    }
    fn draw_pixel(&mut self, point: BackendCoord, color: BackendColor) -> Result<(), RasterError<'a>> {
        self.inner.draw_pixel(point, color)
    }
    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), RasterError<'a>> {
        self.inner.draw_line(from, to, style)
    }
    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), RasterError<'a>> {
        self.inner.draw_rect(upper_left, bottom_right, style, fill)
    }
    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), RasterError<'a>> {
        self.inner.draw_path(path, style)
    }
    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), RasterError<'a>> {
        self.inner.draw_circle(center, radius, style, fill)
    }
    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<(), RasterError<'a>> {
        self.inner.fill_polygon(vert, style)
    }

    fn estimate_text_size<TStyle: BackendTextStyle>(
        &self,
        text: &str,
        style: &TStyle,
    ) -> Result<(u32, u32), RasterError<'a>> {
        let (w, _, h) = self.metrics(text, style.size());
        Ok((w.ceil() as u32, h.ceil() as u32))
    }

    fn draw_text<TStyle: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &TStyle,
        pos: BackendCoord,
    ) -> Result<(), RasterError<'a>> {
        use ab_glyph::{Font, ScaleFont, point};
        let colour = style.color();
        if colour.alpha == 0.0 {
            return Ok(());
        }
        let size = style.size();
        let (width, ascent, height) = self.metrics(text, size);
        let dx = match style.anchor().h_pos {
            HPos::Left => 0.0,
            HPos::Center => -width / 2.0,
            HPos::Right => -width,
        };
        let dy = match style.anchor().v_pos {
            VPos::Top => 0.0,
            VPos::Center => -height / 2.0,
            VPos::Bottom => -height,
        };
        let trans = style.transform();
        let f = self.font.as_scaled(size as f32);
        let mut pen = 0.0;
        let mut prev = None;
        let mut pixels: Vec<(i32, i32, f32)> = Vec::new();
        for c in text.chars() {
            let id = f.glyph_id(c);
            if let Some(p) = prev {
                pen += f.kern(p, id);
            }
            prev = Some(id);
            let glyph = id.with_scale_and_position(f.scale(), point(pen + dx, ascent + dy));
            pen += f.h_advance(id);
            if let Some(outline) = self.font.outline_glyph(glyph) {
                let b = outline.px_bounds();
                outline.draw(|x, y, cov| pixels.push((b.min.x as i32 + x as i32, b.min.y as i32 + y as i32, cov)));
            }
        }
        for (x, y, cov) in pixels {
            if cov <= 0.0 {
                continue;
            }
            let (x, y) = trans.transform(x, y);
            let c = BackendColor {
                alpha: colour.alpha * f64::from(cov.min(1.0)),
                rgb: colour.rgb,
            };
            self.inner.draw_pixel((pos.0 + x, pos.1 + y), c)?;
        }
        Ok(())
    }
}

/// An RGB buffer as a PNG file's bytes.
fn encode_png(rgb: &[u8], w: u32, h: u32) -> Result<Vec<u8>, png::EncodingError> {
    let mut out = Vec::with_capacity(rgb.len() / 8);
    {
        let mut enc = png::Encoder::new(&mut out, w, h);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        enc.set_compression(png::Compression::Fast);
        let mut writer = enc.write_header()?;
        writer.write_image_data(rgb)?;
        writer.finish()?;
    }
    Ok(out)
}

/// Draws the title (and an optional subtitle) at the top of `root` and
/// returns the area below them.
pub(crate) fn titled<DB: DrawingBackend>(
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
/// top of `area`; returns the area below it. `marker` draws a swatch centred
/// at a point.
pub(crate) fn legend_strip<DB: DrawingBackend>(
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

/// A rough width of `text` at `size` px (DejaVu Sans averages ~0.6 em).
pub(crate) fn text_width(text: &str, size: u32) -> i32 {
    (text.chars().count() as f64 * f64::from(size) * 0.6).ceil() as i32
}

/// The upper end of an axis holding `max`: a little headroom, never zero.
pub(crate) fn axis_max(max: f64, floor: f64) -> f64 {
    if max.is_finite() && max > 0.0 {
        (max * 1.12).max(floor)
    } else {
        floor
    }
}

/// A tick label for a count: whole numbers only (ticks between stay bare).
pub(crate) fn count_label(v: &f64) -> String {
    if v.fract().abs() < 1e-9 {
        format!("{v:.0}")
    } else {
        String::new()
    }
}

/// Distinct values in first-seen order.
pub(crate) fn distinct<'a>(it: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in it {
        if !out.iter().any(|o| o == s) {
            out.push(s.to_string());
        }
    }
    out
}

/// Splits `area` into a grid of `n` panels, up to `cols` per row.
pub(crate) fn panels<DB: DrawingBackend>(area: &Area<DB>, n: usize, cols: usize) -> Vec<Area<DB>> {
    let cols = cols.min(n).max(1);
    let rows = n.div_ceil(cols).max(1);
    area.split_evenly((rows, cols)).into_iter().take(n).collect()
}

/// The rows charts draw: those of the first policy in the file (a scenario
/// with several policies gets its charts for the first; the tables show all),
/// and a note saying so when rows were left out.
pub(crate) fn first_policy(rows: &[Row]) -> (Vec<&Row>, String) {
    let Some(first) = rows.first().map(|r| r.policy.as_str()) else {
        return (Vec::new(), String::new());
    };
    let kept: Vec<&Row> = rows.iter().filter(|r| r.policy == first).collect();
    let note = if kept.len() < rows.len() {
        format!("policy {first} only")
    } else {
        format!("policy {first}")
    };
    (kept, note)
}

/// An error for a chart given no records.
pub(crate) fn no_data(chart: &str, what: &str) -> InputError {
    InputError::field(
        what,
        format!("the {chart} chart has nothing to draw"),
        "run the scenario first",
    )
}

/// A category axis: `n` categories at 0, 1, …, n-1, ticked and labelled
/// only there (plotters would pick "nice" numbers instead).
#[derive(Clone)]
pub(crate) struct Categories {
    n: usize,
    inner: RangedCoordf64,
}

impl Ranged for Categories {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        self.inner.map(value, limit)
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            (0..self.n).map(|i| i as f64).collect()
        }
    }

    fn range(&self) -> std::ops::Range<f64> {
        self.inner.range()
    }
}

/// A category axis for `n` categories.
pub(crate) fn categories(n: usize) -> Categories {
    let n = n.max(1);
    Categories {
        n,
        inner: (-0.5..n as f64 - 0.5).into(),
    }
}

/// Legend items: each name with its palette colour, in order.
pub(crate) fn palette_items(names: &[String]) -> Vec<(String, RGBColor)> {
    names.iter().enumerate().map(|(i, n)| (n.clone(), color(i))).collect()
}

/// A panel of [`formula_panel`]: percent across, formulas down.
pub(crate) type FormulaPanel<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, Categories>>;

/// One panel with the formulas as categories down the y axis (the first at
/// the top) and a percentage across: the layout of the failure-rate and
/// spread charts. Returns the chart to draw the series on.
pub(crate) fn formula_panel<'a, DB: DrawingBackend>(
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

/// The name of category `v` on a [`categories`] axis (`names[0]` at 0).
pub(crate) fn category_name(names: &[String], v: f64) -> String {
    let i = v.round();
    if i < 0.0 || (v - i).abs() > 1e-6 {
        return String::new();
    }
    names.get(i as usize).cloned().unwrap_or_default()
}

/// Rows of panels for `n` panels at up to `cols` per row.
pub(crate) fn panel_rows(n: usize, cols: usize) -> u32 {
    n.div_ceil(cols.max(1)).max(1) as u32
}

#[cfg(test)]
pub(crate) mod testing {
    //! Decoding helpers shared by the chart tests.

    use super::Chart;

    use crate::input::catalog::Catalog;
    use crate::input::scenario::Scenario;
    use crate::output::Row;

    /// The small fixed scenario every chart test draws.
    pub const FIXTURE: &str = r#"
        name = "fixture"
        seed = 7
        trials = 200
        instance_types = ["m5.large", "m5.xlarge"]
        formulas = ["aws-default", "conservative"]
        orders = ["sg-first", "ip-first", "random"]
        system_pods = { host = 2 }
        workload = { fill = "seed" }
    "#;

    pub fn fixture_scenario() -> Scenario {
        Scenario::from_toml(FIXTURE, "fixture", &Catalog::bundled()).expect("the fixture is valid")
    }

    /// Summary rows of the fixture, from a real sweep.
    pub fn fixture_rows() -> Vec<Row> {
        let sc = fixture_scenario();
        let cells = sc.cells().unwrap();
        let result = crate::runner::sweep::run(&cells, sc.seed, false);
        crate::output::rows(&cells, &result.summaries, sc.seed)
    }

    /// The fixture's failure spread, from a real sweep.
    pub fn fixture_spread() -> Vec<crate::output::records::SpreadRow> {
        let sc = fixture_scenario();
        let cells = sc.cells().unwrap();
        let result = crate::runner::sweep::run(&cells, sc.seed, false);
        crate::output::records::SpreadRow::from_sweep(&cells, &result.summaries, sc.seed)
    }

    /// The fixture's safe-region grid (m5.large), from a real sweep.
    pub fn fixture_safe() -> Vec<crate::output::records::SafeCell> {
        crate::runner::safe_region::safe_region(&fixture_scenario())
    }

    /// Decodes the PNG and returns its (width, height).
    pub fn png_size(chart: &Chart) -> (u32, u32) {
        let decoder = png::Decoder::new(std::io::Cursor::new(&chart.png));
        let reader = decoder.read_info().expect("a valid PNG");
        let info = reader.info();
        (info.width, info.height)
    }

    /// Parses the SVG and returns every text element's content.
    pub fn svg_texts(chart: &Chart) -> Vec<String> {
        let doc = roxmltree::Document::parse(&chart.svg).expect("the SVG parses as XML");
        assert_eq!(doc.root_element().tag_name().name(), "svg");
        doc.descendants()
            .filter(|n| n.tag_name().name() == "text")
            .map(|n| {
                n.descendants()
                    .filter(|d| d.is_text())
                    .filter_map(|d| d.text())
                    .collect::<String>()
                    .trim()
                    .to_string()
            })
            .collect()
    }

    /// Counts SVG elements with this tag whose `fill` or `stroke` is `colour` (`#RRGGBB`).
    pub fn svg_count_colour(chart: &Chart, tag: &str, colour: &str) -> usize {
        let doc = roxmltree::Document::parse(&chart.svg).expect("the SVG parses as XML");
        doc.descendants()
            .filter(|n| n.tag_name().name() == tag)
            .filter(|n| {
                [n.attribute("fill"), n.attribute("stroke")]
                    .iter()
                    .flatten()
                    .any(|c| c.eq_ignore_ascii_case(colour))
            })
            .count()
    }

    /// Asserts the chart is at least the minimum size in both formats and
    /// returns its texts.
    pub fn check_basics(chart: &Chart) -> Vec<String> {
        let (w, h) = png_size(chart);
        assert_eq!((w, h), (chart.width, chart.height));
        assert!(w >= super::MIN_SIZE.0 && h >= super::MIN_SIZE.1, "{w}x{h}");
        let doc = roxmltree::Document::parse(&chart.svg).expect("SVG parses");
        let root = doc.root_element();
        assert_eq!(root.attribute("width"), Some(w.to_string().as_str()));
        assert_eq!(root.attribute("height"), Some(h.to_string().as_str()));
        let texts = svg_texts(chart);
        assert!(
            texts.iter().any(|t| t == &chart.title),
            "title {:?} missing from {texts:?}",
            chart.title
        );
        texts
    }

    /// The hex form plotters writes for a colour.
    pub fn hex(c: plotters::style::RGBColor) -> String {
        format!("#{:02X}{:02X}{:02X}", c.0, c.1, c.2)
    }
}
