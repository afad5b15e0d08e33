//! The JSON dump (docs/dump-format.md): the whole graph with typed values and provenance,
//! one node or edge per line, read back by `import` with the same ids.

use super::ExportError;
use crate::graph::{Evidence, Graph, GraphError, NodeRec, Txn};
use crate::schema::{KeyId, Schema};
use crate::store::Store;
use crate::value::{Value, ValueType};
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use std::borrow::Cow;
use std::fmt;
use std::io::{self, Write};
use std::path::Path;

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

fn write_props(w: &mut dyn Write, schema: &Schema, props: &[(KeyId, Value)]) -> io::Result<()> {
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

/// What an import did.
#[derive(Debug, Default, Clone, Copy)]
pub struct ImportSummary {
    /// Nodes read.
    pub nodes: usize,
    /// Edges read.
    pub edges: usize,
}

/// Imports a JSON dump file into the store as one batch: all of it, or nothing.
pub fn import(store: &mut Store, path: &Path) -> Result<ImportSummary, ExportError> {
    let bytes = std::fs::read(path).map_err(super::io_at(path))?;
    import_bytes(store, &bytes, path)
}

/// Imports a JSON dump held in memory; `path` names it in errors.
pub fn import_bytes(
    store: &mut Store,
    bytes: &[u8],
    path: &Path,
) -> Result<ImportSummary, ExportError> {
    let bulk = store.graph().node_count() == 0;
    let malformed = |message: String| ExportError::Malformed {
        path: path.to_path_buf(),
        message,
    };
    store.write(bulk, |txn| {
        let mut de = serde_json::Deserializer::from_slice(bytes);
        let mut summary = ImportSummary::default();
        let seed = DumpSeed {
            txn,
            summary: &mut summary,
        };
        seed.deserialize(&mut de)
            .map_err(|e| malformed(e.to_string()))?;
        de.end().map_err(|e| malformed(e.to_string()))?;
        check_cited_documents(txn.graph()).map_err(malformed)?;
        Ok(summary)
    })
}

fn check_cited_documents(g: &Graph) -> Result<(), String> {
    let pg = g.petgraph();
    let missing = |e: &Evidence| g.node_by_id(e.doc).is_none();
    for ix in pg.node_indices() {
        if let Some(e) = pg[ix].prov.iter().find(|e| missing(e)) {
            return Err(format!(
                "node {}: provenance cites document {}, which is not in the dump",
                g.node_id_text(pg[ix].id),
                g.node_id_text(e.doc)
            ));
        }
    }
    for ix in pg.edge_indices() {
        if let Some(a) = g.edge_attrs(&pg[ix]) {
            if let Some(e) = a.prov.iter().find(|e| missing(e)) {
                return Err(format!(
                    "edge {}: provenance cites document {}, which is not in the dump",
                    g.edge_id_text(pg[ix].id),
                    g.node_id_text(e.doc)
                ));
            }
        }
    }
    Ok(())
}

struct DumpSeed<'a, 'g> {
    txn: &'a mut Txn<'g>,
    summary: &'a mut ImportSummary,
}

impl<'de> DeserializeSeed<'de> for DumpSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

#[derive(Deserialize)]
struct JEvidence<'a> {
    #[serde(borrow)]
    doc: Cow<'a, str>,
    start: u32,
    end: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JNode<'a> {
    #[serde(borrow)]
    id: Cow<'a, str>,
    #[serde(borrow)]
    labels: Vec<Cow<'a, str>>,
    #[serde(default, borrow)]
    properties: Pairs<'a>,
    #[serde(default, borrow)]
    provenance: Vec<JEvidence<'a>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JEdge<'a> {
    #[serde(borrow)]
    id: Cow<'a, str>,
    #[serde(rename = "type", borrow)]
    ty: Cow<'a, str>,
    #[serde(borrow)]
    source: Cow<'a, str>,
    #[serde(borrow)]
    target: Cow<'a, str>,
    #[serde(default, borrow)]
    properties: Pairs<'a>,
    #[serde(default, borrow)]
    provenance: Vec<JEvidence<'a>>,
}

/// Converts a JSON value to the declared type of a property.
pub fn typed_value(ty: ValueType, v: &serde_json::Value) -> Result<Value, String> {
    use serde_json::Value as J;
    let bad = || format!("expected {}, found {}", ty.name(), short(v));
    Ok(match (ty, v) {
        (ValueType::String, J::String(s)) => Value::str(s),
        (ValueType::Int, J::Number(n)) => Value::Int(n.as_i64().ok_or_else(bad)?),
        (ValueType::Float, J::Number(n)) => Value::Float(n.as_f64().ok_or_else(bad)?),
        (ValueType::Bool, J::Bool(b)) => Value::Bool(*b),
        (ValueType::Date, J::String(s)) => Value::Date(
            chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map_err(|_| format!("expected a date \"YYYY-MM-DD\", found {}", short(v)))?,
        ),
        (ValueType::StringList, J::Array(a)) => Value::List(
            a.iter()
                .map(|x| x.as_str().map(Value::str).ok_or_else(bad))
                .collect::<Result<Vec<_>, _>>()?
                .into(),
        ),
        _ => return Err(bad()),
    })
}

fn short(v: &serde_json::Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 40 {
        format!("{}…", s.chars().take(40).collect::<String>())
    } else {
        s
    }
}

/// A JSON object read as (key, value) pairs in document order.
#[derive(Default)]
struct Pairs<'a>(Vec<(Cow<'a, str>, serde_json::Value)>);

impl<'de: 'a, 'a> Deserialize<'de> for Pairs<'a> {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Pairs<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object of properties")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Pairs<'a>, A::Error> {
                let mut v = Vec::with_capacity(map.size_hint().unwrap_or(4));
                while let Some(k) = map.next_key::<Cow<'de, str>>()? {
                    if v.iter().any(|(x, _): &(Cow<str>, _)| *x == k) {
                        return Err(de::Error::custom(format!("property {k} given twice")));
                    }
                    v.push((k, map.next_value()?));
                }
                Ok(Pairs(v))
            }
        }
        d.deserialize_map(V(std::marker::PhantomData))
    }
}

impl DumpSeed<'_, '_> {
    fn evidence(&mut self, p: Vec<JEvidence<'_>>) -> Vec<Evidence> {
        p.into_iter()
            .map(|e| Evidence {
                doc: self.txn.assign_node_id(&e.doc),
                start: e.start,
                end: e.end,
            })
            .collect()
    }
}

impl<'de> Visitor<'de> for DumpSeed<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a coopgraph dump: {\"format\":\"coopgraph\",\"version\":1,\"nodes\":[…],\"edges\":[…]}")
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<(), A::Error> {
        let mut seen_nodes = false;
        let mut format_ok = false;
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            match &*key {
                "format" => {
                    let f: Cow<'de, str> = map.next_value()?;
                    if f != DUMP_FORMAT {
                        return Err(de::Error::custom(format!(
                            "format is {f:?}, expected \"{DUMP_FORMAT}\""
                        )));
                    }
                    format_ok = true;
                }
                "version" => {
                    let v: u64 = map.next_value()?;
                    if v != DUMP_VERSION {
                        return Err(de::Error::custom(format!(
                            "dump version {v} is not supported (this coopgraph reads version {DUMP_VERSION})"
                        )));
                    }
                }
                "nodes" => {
                    map.next_value_seed(NodesSeed { outer: &mut self })?;
                    seen_nodes = true;
                }
                "edges" => {
                    if !seen_nodes {
                        return Err(de::Error::custom("\"edges\" must come after \"nodes\""));
                    }
                    map.next_value_seed(EdgesSeed { outer: &mut self })?;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        if !format_ok {
            return Err(de::Error::custom("missing \"format\":\"coopgraph\""));
        }
        Ok(())
    }
}

struct NodesSeed<'s, 'a, 'g> {
    outer: &'s mut DumpSeed<'a, 'g>,
}

impl<'de> DeserializeSeed<'de> for NodesSeed<'_, '_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for NodesSeed<'_, '_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of nodes")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut i = 0usize;
        let at = |i: usize, m: &dyn fmt::Display| de::Error::custom(format!("nodes[{i}]: {m}"));
        while let Some(n) = seq.next_element::<JNode<'de>>()? {
            let schema = self.outer.txn.graph().schema().clone();
            if n.labels.len() != 1 {
                return Err(at(
                    i,
                    &format!(
                        "has {} labels; a coopgraph node has exactly one",
                        n.labels.len()
                    ),
                ));
            }
            let label = schema.label(&n.labels[0]).map_err(|e| at(i, &e))?;
            let mut props = Vec::with_capacity(n.properties.0.len());
            for (k, v) in &n.properties.0 {
                if v.is_null() {
                    continue;
                }
                let def = schema.node_prop(label, k).map_err(|e| at(i, &e))?;
                let val =
                    typed_value(def.ty, v).map_err(|e| at(i, &format!("properties.{k}: {e}")))?;
                props.push((def.key, val));
            }
            let prov = self.outer.evidence(n.provenance);
            self.outer
                .txn
                .import_node(&n.id, label, props, prov)
                .map_err(|e: GraphError| at(i, &e))?;
            i += 1;
        }
        self.outer.summary.nodes += i;
        Ok(())
    }
}

struct EdgesSeed<'s, 'a, 'g> {
    outer: &'s mut DumpSeed<'a, 'g>,
}

impl<'de> DeserializeSeed<'de> for EdgesSeed<'_, '_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for EdgesSeed<'_, '_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of edges")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut i = 0usize;
        let at = |i: usize, m: &dyn fmt::Display| de::Error::custom(format!("edges[{i}]: {m}"));
        let schema = self.outer.txn.graph().schema().clone();
        while let Some(e) = seq.next_element::<JEdge<'de>>()? {
            let ty = schema.rel_type(&e.ty).map_err(|x| at(i, &x))?;
            let g = self.outer.txn.graph();
            let src = g
                .node_ids()
                .lookup(&e.source)
                .filter(|&n| g.node_index(n).is_some());
            let src = src
                .ok_or_else(|| at(i, &format!("source {} is not a node of the dump", e.source)))?;
            let dst = g
                .node_ids()
                .lookup(&e.target)
                .filter(|&n| g.node_index(n).is_some());
            let dst = dst
                .ok_or_else(|| at(i, &format!("target {} is not a node of the dump", e.target)))?;
            let mut props = Vec::with_capacity(e.properties.0.len());
            for (k, v) in &e.properties.0 {
                if v.is_null() {
                    continue;
                }
                let def = schema.rel_prop(ty, k).map_err(|x| at(i, &x))?;
                let val =
                    typed_value(def.ty, v).map_err(|x| at(i, &format!("properties.{k}: {x}")))?;
                props.push((def.key, val));
            }
            let prov = self.outer.evidence(e.provenance);
            self.outer
                .txn
                .import_edge(&e.id, ty, src, dst, props, prov)
                .map_err(|x| at(i, &x))?;
            i += 1;
        }
        self.outer.summary.edges += i;
        Ok(())
    }
}
