//! Charts: plain records in, PNG and SVG bytes out (no paths, no I/O).
//!
//! Every chart is drawn twice from the same records, once on plotters'
//! bitmap backend (then PNG-encoded in memory with the `png` crate) and once
//! on its SVG backend. Text in the bitmap goes through a bundled font
//! (DejaVu Sans, `assets/fonts/`, Bitstream Vera licence) rasterised by
//! `ab_glyph`, so the build needs no system font library. Colours come from
//! the Okabe–Ito palette, which stays distinct under the common forms of
//! colour blindness; the safe-region map uses a viridis-like ramp.
//!
//! One file per chart (`failure`, `waste`, `spread`, `frontier`,
//! `safe_region`, `timeline`); what they share: `figure` (the `Figure`
//! trait and `render`, to both formats), `raster` (the bitmap backend with
//! its own text layout), `font`, `palette`, `layout` (titles, legends,
//! panels), `categories` (a category axis) and `select` (which rows a chart
//! draws). `measures` gives the figures of a row as charts and report show
//! them: exact where computed, else with their 95% interval.

mod categories;
mod figure;
mod font;
mod layout;
pub(crate) mod measures;
mod palette;
mod raster;
mod select;
#[cfg(test)]
pub(crate) mod testing;

pub(crate) mod failure;
pub(crate) mod frontier;
pub(crate) mod safe_region;
pub(crate) mod spread;
pub(crate) mod timeline;
pub(crate) mod waste;

pub use figure::Chart;
