//! The JSON dump (docs/dump-format.md): the whole graph with typed values and provenance,
//! one node or edge per line, read back by `import` with the same ids.

use super::ExportError;
use crate::graph::{Evidence, Graph, NodeRec};
use crate::schema::{KeyId, Schema};
use crate::value::Value;
use std::io::{self, Write};
use std::path::Path;

pub use super::json_import::{import, import_bytes, read_dump, ImportSummary, MAX_DUMP_BYTES};

/// The dump's `format` field.
pub const DUMP_FORMAT: &str = "coopgraph";
/// The dump's `version` field.
pub const DUMP_VERSION: u64 = 1;

fn write_str(w: &mut dyn Write, s: &str) -> io::Result<()> {
    serde_json::to_writer(&mut *w, s).map_err(io::Error::other)
}

/// Writes a value as JSON: dates as "YYYY-MM-DD", lists as arrays.
pub fn write_value(w: &mut dyn Write, v: &Value) -> io::Result<()> {
    match v {
        Value::Bool(b) => write!(w, "{b}"),
        Value::Int(i) => write!(w, "{i}"),
        Value::Float(f) if f.is_finite() => {
            serde_json::to_writer(&mut *w, f).map_err(io::Error::other)
        }
        Value::Float(_) => w.write_all(b"null"),
        Value::Str(s) => write_str(w, s),
        Value::Date(d) => write!(w, "\"{}\"", d.format("%Y-%m-%d")),
        Value::List(l) => {
            w.write_all(b"[")?;
            for (i, x) in l.iter().enumerate() {
                if i > 0 {
                    w.write_all(b",")?;
                }
                write_value(w, x)?;
            }
            w.write_all(b"]")
        }
    }
}

/// Writes properties as a JSON object, by key name, in key order.
pub(crate) fn write_props(
    w: &mut dyn Write,
    schema: &Schema,
    props: &[(KeyId, Value)],
) -> io::Result<()> {
    w.write_all(b"{")?;
    for (i, (k, v)) in props.iter().enumerate() {
        if i > 0 {
            w.write_all(b",")?;
        }
        write_str(w, schema.key_name(*k))?;
        w.write_all(b":")?;
        write_value(w, v)?;
    }
    w.write_all(b"}")
}

fn write_prov(w: &mut dyn Write, g: &Graph, prov: &[Evidence]) -> io::Result<()> {
    if prov.is_empty() {
        return Ok(());
    }
    w.write_all(b",\"provenance\":[")?;
    for (i, e) in prov.iter().enumerate() {
        if i > 0 {
            w.write_all(b",")?;
        }
        w.write_all(b"{\"doc\":")?;
        write_str(w, &g.node_id_text(e.doc))?;
        write!(w, ",\"start\":{},\"end\":{}}}", e.start, e.end)?;
    }
    w.write_all(b"]")
}

/// Writes one node as a JSON object (no trailing newline).
pub fn write_node(w: &mut dyn Write, g: &Graph, n: &NodeRec) -> io::Result<()> {
    let schema = g.schema();
    w.write_all(b"{\"id\":")?;
    write_str(w, &g.node_id_text(n.id))?;
    w.write_all(b",\"labels\":[")?;
    write_str(w, &schema.labels()[n.label as usize].name)?;
    w.write_all(b"],\"properties\":")?;
    write_props(w, schema, &n.props)?;
    write_prov(w, g, &n.prov)?;
    w.write_all(b"}")
}

/// Writes one edge (by id number) as a JSON object (no trailing newline).
pub fn write_edge(w: &mut dyn Write, g: &Graph, id: u32) -> io::Result<()> {
    let Some(ix) = g.edge_index(id) else {
        return Ok(());
    };
    let pg = g.petgraph();
    let e = pg[ix];
    let (a, b) = pg.edge_endpoints(ix).expect("edge from the id index");
    let schema = g.schema();
    w.write_all(b"{\"id\":")?;
    write_str(w, &g.edge_id_text(id))?;
    w.write_all(b",\"type\":")?;
    write_str(w, &schema.rel_types()[e.rel_type() as usize].name)?;
    w.write_all(b",\"source\":")?;
    write_str(w, &g.node_id_text(pg[a].id))?;
    w.write_all(b",\"target\":")?;
    write_str(w, &g.node_id_text(pg[b].id))?;
    w.write_all(b",\"properties\":")?;
    let attrs = g.edge_attrs(&e);
    write_props(w, schema, attrs.map(|a| &a.props[..]).unwrap_or(&[]))?;
    write_prov(w, g, attrs.map(|a| &a.prov[..]).unwrap_or(&[]))?;
    w.write_all(b"}")
}

/// Writes the graph (or the nodes and edges selected) as a JSON dump, in id order.
pub fn write_dump(
    w: &mut dyn Write,
    g: &Graph,
    select: Option<(&[u32], &[u32])>,
) -> io::Result<()> {
    write!(
        w,
        "{{\"format\":\"{DUMP_FORMAT}\",\"version\":{DUMP_VERSION},\"nodes\":["
    )?;
    let all_nodes: Vec<u32>;
    let all_edges: Vec<u32>;
    let (nodes, edges) = match select {
        Some(s) => s,
        None => {
            all_nodes = (0..g.node_ids().next_number())
                .filter(|&n| g.node_index(n).is_some())
                .collect();
            all_edges = (0..g.edge_ids().next_number())
                .filter(|&n| g.edge_index(n).is_some())
                .collect();
            (&all_nodes[..], &all_edges[..])
        }
    };
    for (i, &id) in nodes.iter().enumerate() {
        w.write_all(if i == 0 { b"\n" } else { b",\n" })?;
        if let Some(n) = g.node_by_id(id) {
            write_node(w, g, n)?;
        }
    }
    w.write_all(b"\n],\"edges\":[")?;
    for (i, &id) in edges.iter().enumerate() {
        w.write_all(if i == 0 { b"\n" } else { b",\n" })?;
        write_edge(w, g, id)?;
    }
    w.write_all(b"\n]}\n")
}

/// Exports the whole graph as a JSON dump to `path` (atomically) or standard output.
pub fn export(g: &Graph, path: Option<&Path>) -> Result<(), ExportError> {
    super::write_output(path, |w| write_dump(w, g, None))
}
