//! The bitmap backend with text drawn glyph by glyph, and PNG encoding.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};
use plotters_backend::{BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingErrorKind};

use super::font::FONT;

/// The bitmap backend with text laid out by `ab_glyph` directly: plotters'
/// own ab_glyph path ignores each glyph's side bearing, which spaces letters
/// unevenly ("m ean"). Everything but text goes to the bitmap backend.
pub(super) struct Raster<'a> {
    inner: BitMapBackend<'a>,
    font: ab_glyph::FontRef<'static>,
}

type RasterError<'a> = DrawingErrorKind<<BitMapBackend<'a> as DrawingBackend>::ErrorType>;

impl<'a> Raster<'a> {
    /// A backend drawing into `rgb` (`size.0 * size.1 * 3` bytes).
    pub(super) fn with_buffer(rgb: &'a mut [u8], size: (u32, u32)) -> Raster<'a> {
        Raster {
            inner: BitMapBackend::with_buffer(rgb, size),
            font: ab_glyph::FontRef::try_from_slice(FONT).expect("the bundled font parses (checked at registration)"),
        }
    }

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
pub(super) fn encode_png(rgb: &[u8], w: u32, h: u32) -> Result<Vec<u8>, png::EncodingError> {
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
