//! The series colours: Okabe–Ito, which stays distinct under the common
//! forms of colour blindness, given by name so that a formula or an order
//! has the same colour in every chart of every report.

use plotters::style::RGBColor;

pub(super) const ORANGE: RGBColor = RGBColor(0xE6, 0x9F, 0x00);
pub(super) const SKY_BLUE: RGBColor = RGBColor(0x56, 0xB4, 0xE9);
pub(super) const BLUISH_GREEN: RGBColor = RGBColor(0x00, 0x9E, 0x73);
pub(super) const BLUE: RGBColor = RGBColor(0x00, 0x72, 0xB2);
pub(super) const VERMILLION: RGBColor = RGBColor(0xD5, 0x5E, 0x00);
pub(super) const REDDISH_PURPLE: RGBColor = RGBColor(0xCC, 0x79, 0xA7);

/// Colours for names the palette does not know (fixed:N, CEL expressions),
/// picked by a hash of the name: Paul Tol's muted wine, indigo and teal, a
/// grey, a brown, and Okabe–Ito's yellow last (hard to see on white).
const OTHERS: [RGBColor; 6] = [
    RGBColor(0x88, 0x22, 0x55),
    RGBColor(0x33, 0x22, 0x88),
    RGBColor(0x44, 0xAA, 0x99),
    RGBColor(0x99, 0x99, 0x99),
    RGBColor(0x8C, 0x51, 0x0A),
    RGBColor(0xF0, 0xE4, 0x42),
];

/// A colour for a name no rule covers: the same name, the same colour.
fn hashed(name: &str) -> RGBColor {
    // FNV-1a: stable across runs, platforms and versions, unlike std's hasher.
    let h = name.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    });
    OTHERS[(h % OTHERS.len() as u64) as usize]
}

/// The colour of a maxPods formula.
pub(super) fn formula_color(name: &str) -> RGBColor {
    match name {
        "aws-default" => ORANGE,
        "conservative" => BLUISH_GREEN,
        "aggressive" => VERMILLION,
        "seed-userdata" => BLUE,
        "prefix-delegation" => REDDISH_PURPLE,
        n if n.starts_with("karpenter-reserved-enis:") => SKY_BLUE,
        n => hashed(n),
    }
}

/// The colour of an arrival order.
pub(super) fn order_color(name: &str) -> RGBColor {
    match name {
        "sg-first" => BLUE,
        "ip-first" => VERMILLION,
        "random" => ORANGE,
        "interleaved" => BLUISH_GREEN,
        n => hashed(n),
    }
}

/// Legend items: each name with its colour, in order.
pub(super) fn legend_items(names: &[String], colour: fn(&str) -> RGBColor) -> Vec<(String, RGBColor)> {
    names.iter().map(|n| (n.clone(), colour(n))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_follow_names_not_positions() {
        assert_eq!(order_color("random"), ORANGE);
        assert_eq!(formula_color("karpenter-reserved-enis:2"), SKY_BLUE);
        assert_eq!(formula_color("fixed:40"), formula_color("fixed:40"));
        // The built-ins are all distinct.
        let built_in = [
            "aws-default",
            "conservative",
            "aggressive",
            "seed-userdata",
            "prefix-delegation",
            "karpenter-reserved-enis:1",
        ]
        .map(formula_color);
        for (i, a) in built_in.iter().enumerate() {
            assert!(built_in[i + 1..].iter().all(|b| b != a), "{a:?} repeats");
        }
        let orders = ["sg-first", "ip-first", "random", "interleaved"].map(order_color);
        for (i, a) in orders.iter().enumerate() {
            assert!(orders[i + 1..].iter().all(|b| b != a), "{a:?} repeats");
        }
    }
}
