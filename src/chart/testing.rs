//! Fixtures (a small scenario swept for real) and decoding helpers shared
//! by the chart and report tests.

use super::figure::{Chart, MIN_SIZE};

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
    assert!(w >= MIN_SIZE.0 && h >= MIN_SIZE.1, "{w}x{h}");
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
