//! The series colours: Okabe–Ito, which stays distinct under the common
//! forms of colour blindness.

use plotters::style::RGBColor;

/// Okabe–Ito, without black (kept for text and axes), yellow last: it is the
/// hardest to see on white.
pub(super) const PALETTE: [RGBColor; 7] = [
    RGBColor(0xE6, 0x9F, 0x00), // orange
    RGBColor(0x56, 0xB4, 0xE9), // sky blue
    RGBColor(0x00, 0x9E, 0x73), // bluish green
    RGBColor(0x00, 0x72, 0xB2), // blue
    RGBColor(0xD5, 0x5E, 0x00), // vermillion
    RGBColor(0xCC, 0x79, 0xA7), // reddish purple
    RGBColor(0xF0, 0xE4, 0x42), // yellow
];

/// The `i`-th series colour; the palette repeats past seven series.
pub(super) fn color(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// Legend items: each name with its palette colour, in order.
pub(super) fn palette_items(names: &[String]) -> Vec<(String, RGBColor)> {
    names.iter().enumerate().map(|(i, n)| (n.clone(), color(i))).collect()
}
