//! GraphML (<http://graphml.graphdrawing.org/>) with typed keys, for Gephi, yEd,
//! NetworkX and igraph. Every node has `labels` (its coopgraph label) and `label` (a
//! readable caption); every edge has `type` and `label`. Properties become typed keys:
//! `string`, `long`, `double`, `boolean`; dates are `YYYY-MM-DD` strings and lists JSON
//! arrays in a string. Provenance is not included (use json or html for it).

use super::xml::{prop_keys, text_value, write_escaped};
use super::{caption, label_name, type_name, Selection};
use crate::graph::Graph;
use crate::value::ValueType;
use std::io::{self, Write};

/// The GraphML `attr.type` of a schema type.
fn attr_type(ty: ValueType) -> &'static str {
    match ty {
        ValueType::Int => "long",
        ValueType::Float => "double",
        ValueType::Bool => "boolean",
        ValueType::String | ValueType::Date | ValueType::StringList => "string",
    }
}

/// Writes the selection as a GraphML document.
pub fn write(w: &mut dyn Write, g: &Graph, sel: &Selection) -> io::Result<()> {
    w.write_all(
        b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\" \
xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" \
xsi:schemaLocation=\"http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd\">\n",
    )?;
    w.write_all(b"<key id=\"labels\" for=\"node\" attr.name=\"labels\" attr.type=\"string\"/>\n")?;
    w.write_all(b"<key id=\"label\" for=\"node\" attr.name=\"label\" attr.type=\"string\"/>\n")?;
    w.write_all(b"<key id=\"type\" for=\"edge\" attr.name=\"type\" attr.type=\"string\"/>\n")?;
    w.write_all(b"<key id=\"elabel\" for=\"edge\" attr.name=\"label\" attr.type=\"string\"/>\n")?;
    let nkeys = prop_keys(g, sel, true);
    let ekeys = prop_keys(g, sel, false);
    for (k, name, ty) in &nkeys {
        write!(w, "<key id=\"n{k}\" for=\"node\" attr.name=\"")?;
        write_escaped(w, name)?;
        writeln!(w, "\" attr.type=\"{}\"/>", attr_type(*ty))?;
    }
    for (k, name, ty) in &ekeys {
        write!(w, "<key id=\"e{k}\" for=\"edge\" attr.name=\"")?;
        write_escaped(w, name)?;
        writeln!(w, "\" attr.type=\"{}\"/>", attr_type(*ty))?;
    }
    w.write_all(b"<graph id=\"coopgraph\" edgedefault=\"directed\">\n")?;
    let data = |w: &mut dyn Write, key: &str, text: &str| -> io::Result<()> {
        write!(w, "  <data key=\"{key}\">")?;
        write_escaped(w, text)?;
        w.write_all(b"</data>\n")
    };
    for n in sel.node_recs(g) {
        w.write_all(b"<node id=\"")?;
        write_escaped(w, &g.node_id_text(n.id))?;
        w.write_all(b"\">\n")?;
        data(w, "labels", label_name(g, n))?;
        data(w, "label", &caption(g, n))?;
        for (k, v) in n.props.iter() {
            data(w, &format!("n{k}"), &text_value(v))?;
        }
        w.write_all(b"</node>\n")?;
    }
    for e in sel.edge_recs(g) {
        w.write_all(b"<edge id=\"")?;
        write_escaped(w, &g.edge_id_text(e.id))?;
        w.write_all(b"\" source=\"")?;
        write_escaped(w, &g.node_id_text(e.src))?;
        w.write_all(b"\" target=\"")?;
        write_escaped(w, &g.node_id_text(e.dst))?;
        w.write_all(b"\">\n")?;
        data(w, "type", type_name(g, e.ty))?;
        data(w, "elabel", type_name(g, e.ty))?;
        for (k, v) in e.attrs.props.iter() {
            data(w, &format!("e{k}"), &text_value(v))?;
        }
        w.write_all(b"</edge>\n")?;
    }
    w.write_all(b"</graph>\n</graphml>\n")
}
