//! The bundled font and the sizes text is drawn at.

use std::sync::Once;

use plotters::style::FontStyle;

/// The bundled font, registered as plotters' `sans-serif` family.
pub(super) static FONT: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");

/// Font sizes in pixels.
pub(super) const TITLE: u32 = 26;
pub(super) const SUBTITLE: u32 = 16;
pub(super) const LABEL: u32 = 16;
pub(super) const TICK: u32 = 14;

/// Registers the bundled font once per process.
pub(super) fn register_font() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // The font is compiled in: failing to parse it is a broken build.
        assert!(
            plotters::style::register_font("sans-serif", FontStyle::Normal, FONT).is_ok(),
            "the bundled DejaVu Sans font does not parse"
        );
    });
}

/// A rough width of `text` at `size` px (DejaVu Sans averages ~0.6 em).
pub(super) fn text_width(text: &str, size: u32) -> i32 {
    (text.chars().count() as f64 * f64::from(size) * 0.6).ceil() as i32
}
