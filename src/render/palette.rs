//! Colours: a perceptually ordered ramp for time and counts, and distinct colours for categories.

/// Stops of the viridis colour map (matplotlib's default), evenly spaced over `[0, 1]`.
const VIRIDIS: [(u8, u8, u8); 9] = [
    (68, 1, 84),
    (71, 44, 122),
    (59, 81, 139),
    (44, 113, 142),
    (33, 144, 141),
    (39, 173, 129),
    (92, 200, 99),
    (170, 220, 50),
    (253, 231, 37),
];

/// The viridis colour at `u ∈ [0, 1]` (clamped) as `#rrggbb`, interpolated linearly between stops.
pub fn viridis(u: f64) -> String {
    let u = if u.is_finite() {
        u.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let pos = u * (VIRIDIS.len() - 1) as f64;
    let i = (pos.floor() as usize).min(VIRIDIS.len() - 2);
    let f = pos - i as f64;
    let (a, b) = (VIRIDIS[i], VIRIDIS[i + 1]);
    let mix = |x: u8, y: u8| (x as f64 + (y as f64 - x as f64) * f).round() as u8;
    hex(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// A white-to-dark-blue ramp for counts: `u = 0` is white, `u = 1` the darkest blue.
pub fn heat(u: f64) -> String {
    let u = if u.is_finite() {
        u.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let (lo, hi) = ((255.0, 255.0, 255.0), (8.0, 48.0, 107.0));
    let mix = |a: f64, b: f64| (a + (b - a) * u).round() as u8;
    hex(mix(lo.0, hi.0), mix(lo.1, hi.1), mix(lo.2, hi.2))
}

/// Distinct colours (Okabe–Ito, readable with colour-blindness) for categories `0, 1, 2, …`,
/// repeating after eight.
pub fn category(i: usize) -> &'static str {
    const COLOURS: [&str; 8] = [
        "#E69F00", "#0072B2", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#F0E442", "#000000",
    ];
    COLOURS[i % COLOURS.len()]
}

fn hex(r: u8, g: u8, b: u8) -> String {
    format!("#{r:02x}{g:02x}{b:02x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ramps_hit_their_ends_and_clamp() {
        assert_eq!(viridis(0.0), "#440154");
        assert_eq!(viridis(1.0), "#fde725");
        assert_eq!(viridis(7.0), "#fde725");
        assert_eq!(viridis(f64::NAN), "#440154");
        assert_eq!(heat(0.0), "#ffffff");
        assert_eq!(heat(1.0), "#08306b");
    }

    #[test]
    fn categories_differ_and_wrap() {
        assert_ne!(category(0), category(1));
        assert_eq!(category(0), category(8));
    }
}
