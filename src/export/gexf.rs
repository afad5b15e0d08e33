//! GEXF 1.2 (<https://gexf.net/>) for Gephi. The graph is dynamic with
//! `timeformat="date"`: an Event with a `date`, and every edge to or from it, carries
//! `start` and `end` set to that date, so Gephi's timeline shows events appearing over
//! time; undated nodes and edges are always present. Attributes as in GraphML: `labels`
//! plus every property, typed `long`, `double`, `boolean` or `string` (dates as
//! `YYYY-MM-DD`, lists as JSON arrays).

use super::xml::{prop_keys, text_value, write_escaped};
use super::{caption, label_name, type_name, Selection};
use crate::graph::{Graph, NodeRec};
use crate::value::{Value, ValueType};
use std::io::{self, Write};

fn attr_type(ty: ValueType) -> &'static str {
    match ty {
        ValueType::Int => "long",
        ValueType::Float => "double",
        ValueType::Bool => "boolean",
        ValueType::String | ValueType::Date | ValueType::StringList => "string",
    }
}

/// The date an Event happened, for the timeline.
fn event_date(g: &Graph, n: &NodeRec) -> Option<String> {
    if label_name(g, n) != "Event" {
        return None;
    }
    match g
        .schema()
        .key("date")
        .and_then(|k| Graph::prop(&n.props, k))
    {
        Some(Value::Date(d)) => Some(d.format("%Y-%m-%d").to_string()),
        _ => None,
    }
}

/// Writes the selection as a GEXF 1.2 document.
pub fn write(w: &mut dyn Write, g: &Graph, sel: &Selection) -> io::Result<()> {
    w.write_all(
        b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
<gexf xmlns=\"http://www.gexf.net/1.2draft\" version=\"1.2\">\n\
<meta><creator>coopgraph</creator><description>bilateral security cooperation</description></meta>\n\
<graph defaultedgetype=\"directed\" mode=\"dynamic\" timeformat=\"date\">\n",
    )?;
    let nkeys = prop_keys(g, sel, true);
    let ekeys = prop_keys(g, sel, false);
    w.write_all(b"<attributes class=\"node\" mode=\"static\">\n")?;
    w.write_all(b"  <attribute id=\"labels\" title=\"labels\" type=\"string\"/>\n")?;
    for (k, name, ty) in &nkeys {
        write!(w, "  <attribute id=\"n{k}\" title=\"")?;
        write_escaped(w, name)?;
        writeln!(w, "\" type=\"{}\"/>", attr_type(*ty))?;
    }
    w.write_all(b"</attributes>\n<attributes class=\"edge\" mode=\"static\">\n")?;
    w.write_all(b"  <attribute id=\"type\" title=\"type\" type=\"string\"/>\n")?;
    for (k, name, ty) in &ekeys {
        write!(w, "  <attribute id=\"e{k}\" title=\"")?;
        write_escaped(w, name)?;
        writeln!(w, "\" type=\"{}\"/>", attr_type(*ty))?;
    }
    w.write_all(b"</attributes>\n<nodes>\n")?;
    let attvalue = |w: &mut dyn Write, key: &str, text: &str| -> io::Result<()> {
        write!(w, "    <attvalue for=\"{key}\" value=\"")?;
        write_escaped(w, text)?;
        w.write_all(b"\"/>\n")
    };
    let span = |w: &mut dyn Write, d: &Option<String>| -> io::Result<()> {
        match d {
            Some(d) => write!(w, " start=\"{d}\" end=\"{d}\""),
            None => Ok(()),
        }
    };
    for n in sel.node_recs(g) {
        w.write_all(b"<node id=\"")?;
        write_escaped(w, &g.node_id_text(n.id))?;
        w.write_all(b"\" label=\"")?;
        write_escaped(w, &caption(g, n))?;
        w.write_all(b"\"")?;
        span(w, &event_date(g, n))?;
        w.write_all(b">\n  <attvalues>\n")?;
        attvalue(w, "labels", label_name(g, n))?;
        for (k, v) in n.props.iter() {
            attvalue(w, &format!("n{k}"), &text_value(v))?;
        }
        w.write_all(b"  </attvalues>\n</node>\n")?;
    }
    w.write_all(b"</nodes>\n<edges>\n")?;
    for e in sel.edge_recs(g) {
        let date = [e.src, e.dst]
            .iter()
            .filter_map(|&id| g.node_by_id(id))
            .find_map(|n| event_date(g, n));
        w.write_all(b"<edge id=\"")?;
        write_escaped(w, &g.edge_id_text(e.id))?;
        w.write_all(b"\" source=\"")?;
        write_escaped(w, &g.node_id_text(e.src))?;
        w.write_all(b"\" target=\"")?;
        write_escaped(w, &g.node_id_text(e.dst))?;
        write!(w, "\" label=\"{}\"", type_name(g, e.ty))?;
        span(w, &date)?;
        w.write_all(b">\n  <attvalues>\n")?;
        attvalue(w, "type", type_name(g, e.ty))?;
        for (k, v) in e.attrs.props.iter() {
            attvalue(w, &format!("e{k}"), &text_value(v))?;
        }
        w.write_all(b"  </attvalues>\n</edge>\n")?;
    }
    w.write_all(b"</edges>\n</graph>\n</gexf>\n")
}
