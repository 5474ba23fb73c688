//! A small SVG writer: a document of elements with escaped text, and a viewport that maps world
//! coordinates (metres, `y` up) onto the page (pixels, `y` down).
//!
//! The pictures are schematic drawings (rods, discs, grid cells) rather than charts with axes, so
//! writing the few SVG elements they need directly is shorter and clearer than going through a
//! plotting library, and it keeps the markup predictable: every pose, path and cell is one group or
//! element with a `class`, which a reader (or a test) can count.

use std::fmt::Write as _;

/// An SVG document under construction.
pub struct Document {
    width: f64,
    height: f64,
    body: String,
}

impl Document {
    /// An empty page of `width × height` pixels with a white background.
    pub fn new(width: f64, height: f64) -> Self {
        let mut doc = Self {
            width,
            height,
            body: String::new(),
        };
        doc.raw(&format!(
            r#"<rect x="0" y="0" width="{}" height="{}" fill="white"/>"#,
            num(width),
            num(height)
        ));
        doc
    }

    /// Width of the page in pixels.
    pub fn width(&self) -> f64 {
        self.width
    }

    /// Appends markup as is (callers build it with [`element`] or the helpers below).
    pub fn raw(&mut self, markup: &str) {
        self.body.push_str(markup);
        self.body.push('\n');
    }

    /// Opens a group `<g>` with the given attributes; close it with [`Document::close_group`].
    pub fn open_group(&mut self, attrs: &[(&str, String)]) {
        let mut tag = String::from("<g");
        push_attrs(&mut tag, attrs);
        tag.push('>');
        self.raw(&tag);
    }

    /// Closes the innermost open group.
    pub fn close_group(&mut self) {
        self.raw("</g>");
    }

    /// A line of text at `(x, y)` pixels; `anchor` is `start`, `middle` or `end`.
    pub fn text(&mut self, x: f64, y: f64, size: f64, anchor: &str, content: &str) {
        self.raw(&format!(
            r##"<text x="{}" y="{}" font-family="sans-serif" font-size="{}" text-anchor="{anchor}" fill="#222">{}</text>"##,
            num(x),
            num(y),
            num(size),
            escape(content)
        ));
    }

    /// The finished document.
    pub fn finish(self) -> String {
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\">\n{}</svg>\n",
            self.body,
            w = num(self.width),
            h = num(self.height),
        )
    }
}

/// A self-closing element `<name a="v" …/>` with escaped attribute values.
pub fn element(name: &str, attrs: &[(&str, String)]) -> String {
    let mut out = format!("<{name}");
    push_attrs(&mut out, attrs);
    out.push_str("/>");
    out
}

/// An element with escaped text content, e.g. a `<title>` tooltip.
pub fn element_with_text(name: &str, attrs: &[(&str, String)], content: &str) -> String {
    let mut out = format!("<{name}");
    push_attrs(&mut out, attrs);
    let _ = write!(out, ">{}</{name}>", escape(content));
    out
}

fn push_attrs(out: &mut String, attrs: &[(&str, String)]) {
    for (key, value) in attrs {
        let _ = write!(out, r#" {key}="{}""#, escape(value));
    }
}

/// A number as short SVG text: two decimals, trailing zeros dropped.
pub fn num(x: f64) -> String {
    let s = format!("{x:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".into()
    } else {
        s.into()
    }
}

/// `points="…"` text of a polyline through pixel points.
pub fn points(pts: &[(f64, f64)]) -> String {
    pts.iter()
        .map(|&(x, y)| format!("{},{}", num(x), num(y)))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Escapes the five XML special characters.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// Maps a world rectangle `[x0, x1] × [y0, y1]` (`y` up) onto a pixel rectangle with equal scale on
/// both axes, centred in the pixel rectangle.
#[derive(Clone, Copy, Debug)]
pub struct Viewport {
    scale: f64,
    ox: f64,
    oy: f64,
}

impl Viewport {
    /// Fits `world = (x0, y0, x1, y1)` into the pixel box `(left, top, width, height)`.
    pub fn fit(world: (f64, f64, f64, f64), pixels: (f64, f64, f64, f64)) -> Self {
        let (x0, y0, x1, y1) = world;
        let (left, top, w, h) = pixels;
        let (ww, wh) = ((x1 - x0).max(1e-9), (y1 - y0).max(1e-9));
        let scale = (w / ww).min(h / wh);
        let ox = left + (w - ww * scale) / 2.0 - x0 * scale;
        let oy = top + (h - wh * scale) / 2.0 + y1 * scale;
        Self { scale, ox, oy }
    }

    /// Pixel position of the world point `(x, y)`.
    pub fn map(&self, x: f64, y: f64) -> (f64, f64) {
        (self.ox + x * self.scale, self.oy - y * self.scale)
    }

    /// Pixels per world unit.
    pub fn scale(&self) -> f64 {
        self.scale
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_attributes_are_escaped() {
        assert_eq!(
            escape(r#"a<b & "c">'"#),
            "a&lt;b &amp; &quot;c&quot;&gt;&apos;"
        );
        let e = element("rect", &[("class", "a\"b".into())]);
        assert_eq!(e, r#"<rect class="a&quot;b"/>"#);
    }

    #[test]
    fn numbers_are_short() {
        assert_eq!(num(1.0), "1");
        assert_eq!(num(1.256), "1.26");
        assert_eq!(num(-0.001), "0");
        assert_eq!(num(2.5), "2.5");
    }

    #[test]
    fn viewport_flips_y_and_keeps_the_aspect_ratio() {
        let v = Viewport::fit((-1.0, -1.0, 1.0, 1.0), (0.0, 0.0, 200.0, 100.0));
        assert_eq!(v.scale(), 50.0);
        assert_eq!(v.map(0.0, 0.0), (100.0, 50.0));
        assert_eq!(v.map(-1.0, 1.0), (50.0, 0.0));
        assert_eq!(v.map(1.0, -1.0), (150.0, 100.0));
    }

    #[test]
    fn a_document_is_one_svg_element() {
        let mut doc = Document::new(10.0, 20.0);
        doc.text(1.0, 2.0, 12.0, "start", "x & y");
        let svg = doc.finish();
        assert!(svg.starts_with("<?xml"));
        assert!(svg.contains(r#"<svg xmlns="http://www.w3.org/2000/svg" width="10" height="20""#));
        assert!(svg.contains("x &amp; y"));
        assert!(svg.trim_end().ends_with("</svg>"));
    }
}
