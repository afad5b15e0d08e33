//! One self-contained HTML page that draws the graph with cytoscape.js (embedded, MIT,
//! assets/cytoscape/), works offline, and lets a reader pan, zoom, search a name, and
//! click a node or edge to see its properties and the source sentences behind it.
//!
//! Article text is untrusted. The graph goes into the page as JSON inside a
//! `<script type="application/json">` element with `<`, `>`, `&`, U+2028 and U+2029
//! written as `\uXXXX`, so no text can close the element; the page's script puts text
//! into the document only through `textContent` and canvas labels; and a Content
//! Security Policy forbids every network request and any script but the page's own.

use super::{caption, label_name, named_props, quote, type_name, Selection};
use crate::graph::{Evidence, Graph};
use serde_json::{json, Value as J};
use std::io::{self, Write};

/// cytoscape.js (MIT), which draws the graph here and on the server's live page.
pub const CYTOSCAPE: &str = include_str!("../../assets/cytoscape/cytoscape.min.js");
const VIEW_JS: &str = include_str!("../../assets/view.js");
/// The info panel (properties and source sentences), shared with the server's live page.
pub const INFO_JS: &str = include_str!("../../assets/info.js");
const VIEW_CSS: &str = include_str!("../../assets/view.css");

/// Shapes (cytoscape names) and colours of the labels.
fn style(label: &str) -> (&'static str, &'static str) {
    let (dot_shape, color) = super::dot::style(label);
    let shape = match dot_shape {
        "box" if label == "Organization" => "round-rectangle",
        "box" | "folder" => "rectangle",
        "note" => "tag",
        "house" => "triangle",
        "hexagon" => "hexagon",
        _ => "ellipse",
    };
    (shape, color)
}

fn evidence(g: &Graph, prov: &[Evidence]) -> J {
    J::Array(
        prov.iter()
            .filter_map(|e| quote(g, e))
            .map(|q| {
                json!({"doc": q.doc, "title": q.title, "before": q.before, "span": q.span,
                       "after": q.after.trim_end()})
            })
            .collect(),
    )
}

fn props<'a>(g: &'a Graph, p: &'a [(crate::schema::KeyId, crate::value::Value)]) -> J {
    J::Array(
        named_props(g, p)
            .map(|(k, v)| {
                if super::is_bulky(k) {
                    let s = v.to_string();
                    json!([
                        k,
                        format!(
                            "({} characters; quoted below where cited)",
                            s.chars().count()
                        )
                    ])
                } else {
                    json!([k, v.to_string()])
                }
            })
            .collect(),
    )
}

/// The graph data the page draws, as JSON.
pub fn graph_json(g: &Graph, sel: &Selection) -> J {
    let mut styles = serde_json::Map::new();
    let nodes: Vec<J> = sel
        .node_recs(g)
        .map(|n| {
            let label = label_name(g, n);
            let (shape, color) = style(label);
            styles.insert(label.to_string(), json!([shape, color]));
            json!({
                "id": g.node_id_text(n.id),
                "label": label,
                "caption": caption(g, n),
                "names": g.names_of(n).collect::<Vec<_>>(),
                "props": props(g, &n.props),
                "ev": evidence(g, &n.prov),
            })
        })
        .collect();
    let edges: Vec<J> = sel
        .edge_recs(g)
        .map(|e| {
            json!({
                "id": g.edge_id_text(e.id),
                "source": g.node_id_text(e.src),
                "target": g.node_id_text(e.dst),
                "type": type_name(g, e.ty),
                "props": props(g, &e.attrs.props),
                "ev": evidence(g, &e.attrs.prov),
            })
        })
        .collect();
    json!({"nodes": nodes, "edges": edges, "styles": styles})
}

/// JSON text made safe inside a `<script>` element: `<`, `>`, `&`, U+2028 and U+2029
/// as `\uXXXX` escapes (which are only ever inside JSON strings).
pub fn script_safe_json(v: &J) -> String {
    let s = v.to_string();
    let mut out = String::with_capacity(s.len() + 64);
    for c in s.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

/// Writes the page.
pub fn write(w: &mut dyn Write, g: &Graph, sel: &Selection) -> io::Result<()> {
    let data = graph_json(g, sel);
    let mut legend = String::new();
    if let Some(styles) = data["styles"].as_object() {
        for (label, s) in styles {
            legend.push_str(&format!(
                "<span style=\"background:{}\">{label}</span>",
                s[1].as_str().unwrap_or("#fff")
            ));
        }
    }
    write!(
        w,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:\">\n\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
<title>coopgraph</title>\n<style>\n{VIEW_CSS}</style>\n</head>\n<body>\n\
<div id=\"bar\"><h1>coopgraph</h1><input id=\"search\" type=\"search\" placeholder=\"Search a name (Enter to zoom)\" autocomplete=\"off\">\
<span id=\"count\"></span><span id=\"legend\">{legend}</span></div>\n\
<div id=\"cy\"></div>\n<aside id=\"info\"><p>Click a node or an edge to see its properties and sources.</p></aside>\n\
<script id=\"graph-data\" type=\"application/json\">"
    )?;
    w.write_all(script_safe_json(&data).as_bytes())?;
    w.write_all(b"</script>\n<script>\n")?;
    w.write_all(CYTOSCAPE.as_bytes())?;
    w.write_all(b"\n</script>\n<script>\n")?;
    // The viewer and its info panel, in one script element.
    w.write_all(INFO_JS.as_bytes())?;
    w.write_all(b"\n")?;
    w.write_all(VIEW_JS.as_bytes())?;
    w.write_all(b"</script>\n</body>\n</html>\n")
}

#[cfg(test)]
mod tests {
    use super::script_safe_json;

    #[test]
    fn json_cannot_close_the_script_element() {
        let v = serde_json::json!({"name": "</script><script>alert(1)</script>\u{2028}&"});
        let s = script_safe_json(&v);
        assert!(
            !s.contains('<') && !s.contains('>') && !s.contains('&'),
            "{s}"
        );
        let back: serde_json::Value = serde_json::from_str(&s).unwrap();
        assert_eq!(back, v);
    }
}
