//! A report as a list of blocks (headings, paragraphs, lists, tables, figures), written once and
//! rendered both as Markdown (figures linked from `plots/`) and as self-contained HTML (figures
//! inline).

use std::fmt::Write as _;

/// One block of a document. Text may hold `code` spans in backticks.
#[derive(Clone, Debug)]
pub enum Block {
    /// A section heading.
    Heading(String),
    /// A paragraph.
    Paragraph(String),
    /// A bulleted list.
    List(Vec<String>),
    /// A table: its column names and its rows.
    Table(Vec<String>, Vec<Vec<String>>),
    /// A figure: its file (relative to the document) and its SVG text.
    Figure(String, String),
}

/// The document titled `title` as Markdown.
pub fn markdown(title: &str, blocks: &[Block]) -> String {
    let mut md = format!("# {title}\n");
    for block in blocks {
        md.push('\n');
        match block {
            Block::Heading(text) => {
                let _ = writeln!(md, "## {text}");
            }
            Block::Paragraph(text) => {
                let _ = writeln!(md, "{text}");
            }
            Block::List(items) => {
                for item in items {
                    let _ = writeln!(md, "- {item}");
                }
            }
            Block::Table(columns, rows) => {
                let _ = writeln!(md, "| {} |", columns.join(" | "));
                let _ = writeln!(md, "|{}", "---|".repeat(columns.len()));
                for row in rows {
                    let _ = writeln!(md, "| {} |", row.join(" | "));
                }
            }
            Block::Figure(path, _) => {
                let _ = writeln!(md, "![{path}]({path})");
            }
        }
    }
    md
}

/// The document titled `title` as one HTML page, its figures inline.
pub fn html(title: &str, blocks: &[Block]) -> String {
    let mut html = format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{0}</title>\
         <style>body{{font-family:sans-serif;margin:2em;max-width:1200px}}\
         table{{border-collapse:collapse;margin:1em 0}}\
         td,th{{border:1px solid #ccc;padding:4px 8px;text-align:right}}\
         td:first-child,th:first-child{{text-align:left}}\
         figure{{margin:1em 0}}figure svg{{max-width:100%;height:auto}}</style></head><body>\n\
         <h1>{0}</h1>\n",
        escape(title)
    );
    for block in blocks {
        match block {
            Block::Heading(text) => {
                let _ = writeln!(html, "<h2>{}</h2>", inline(text));
            }
            Block::Paragraph(text) => {
                let _ = writeln!(html, "<p>{}</p>", inline(text));
            }
            Block::List(items) => {
                html.push_str("<ul>\n");
                for item in items {
                    let _ = writeln!(html, "<li>{}</li>", inline(item));
                }
                html.push_str("</ul>\n");
            }
            Block::Table(columns, rows) => {
                html.push_str("<table>\n<tr>");
                for c in columns {
                    let _ = write!(html, "<th>{}</th>", escape(c));
                }
                html.push_str("</tr>\n");
                for row in rows {
                    html.push_str("<tr>");
                    for cell in row {
                        let _ = write!(html, "<td>{}</td>", escape(cell));
                    }
                    html.push_str("</tr>\n");
                }
                html.push_str("</table>\n");
            }
            Block::Figure(_, svg) => {
                let _ = writeln!(html, "<figure>{}</figure>", strip_xml_declaration(svg));
            }
        }
    }
    html.push_str("</body></html>\n");
    html
}

/// `text` escaped, its `code` spans as `<code>`.
fn inline(text: &str) -> String {
    escape(text)
        .split('`')
        .enumerate()
        .map(|(k, part)| {
            if k % 2 == 1 {
                format!("<code>{part}</code>")
            } else {
                part.to_string()
            }
        })
        .collect()
}

/// The SVG element of a document, without any `<?xml …?>` line before it.
fn strip_xml_declaration(svg: &str) -> &str {
    svg.find("<svg").map_or(svg, |k| &svg[k..])
}

/// `text` with the HTML special characters escaped.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_document_renders_as_markdown_and_as_html() {
        let blocks = [
            Block::Heading("Results".into()),
            Block::Paragraph("see `results.csv` & <more>".into()),
            Block::List(vec!["one".into()]),
            Block::Table(
                vec!["task".into(), "score".into()],
                vec![vec!["pendulum".into(), "0.9".into()]],
            ),
            Block::Figure(
                "plots/a.svg".into(),
                "<?xml version=\"1.0\"?>\n<svg></svg>".into(),
            ),
        ];
        let md = markdown("bench", &blocks);
        assert!(md.starts_with("# bench\n"));
        assert!(md.contains("## Results") && md.contains("see `results.csv` & <more>"));
        assert!(md.contains("| task | score |\n|---|---|\n| pendulum | 0.9 |"));
        assert!(md.contains("![plots/a.svg](plots/a.svg)"));
        let page = html("bench", &blocks);
        assert!(page.contains("<p>see <code>results.csv</code> &amp; &lt;more&gt;</p>"));
        assert!(page.contains("<td>pendulum</td><td>0.9</td>"));
        assert!(page.contains("<figure><svg></svg></figure>") && !page.contains("<?xml"));
    }
}
