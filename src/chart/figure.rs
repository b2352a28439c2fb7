//! A chart as a [`Figure`] drawn on any backend, and [`render`], which draws
//! it as PNG and SVG bytes.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::font::register_font;
use super::raster::{Raster, encode_png};
use crate::error::{Error, InputError};

/// The smallest image any chart is drawn at (the issue asks for 1000×600).
pub(super) const MIN_SIZE: (u32, u32) = (1000, 600);

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

pub(super) type Area<DB> = DrawingArea<DB, Shift>;
pub(super) type DrawResult<DB> = Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

/// A chart that can be drawn on any backend.
pub(super) trait Figure {
    const NAME: &'static str;
    fn title(&self) -> String;
    fn size(&self) -> (u32, u32);
    fn draw<DB: DrawingBackend>(&self, root: &Area<DB>) -> DrawResult<DB>;
}

fn draw_error(name: &str, e: impl std::fmt::Debug) -> Error {
    Error::Internal(format!("the {name} chart cannot be drawn: {e:?}"))
}

/// Draws `fig` as PNG and SVG.
pub(super) fn render<F: Figure>(fig: &F) -> Result<Chart, Error> {
    register_font();
    let (w, h) = fig.size();
    let (w, h) = (w.max(MIN_SIZE.0), h.max(MIN_SIZE.1));
    let mut rgb = vec![255u8; (w as usize) * (h as usize) * 3];
    {
        let raster = Raster::with_buffer(&mut rgb, (w, h));
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

/// An error for a chart given no records.
pub(super) fn no_data(chart: &str, what: &str) -> InputError {
    InputError::field(
        what,
        format!("the {chart} chart has nothing to draw"),
        "run the scenario first",
    )
}
