//! Result values of queries: the property value types plus null, maps, nodes,
//! relationships and paths, with Cypher's equality, ordering and JSON forms.

use crate::graph::Graph;
use crate::value::Value;
use chrono::NaiveDate;
use petgraph::stable_graph::{EdgeIndex, NodeIndex};
use std::cmp::Ordering;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

/// A path: its nodes (one more than its relationships) and relationships, as graph indexes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PathValue {
    /// Node indexes, in path order.
    pub nodes: Vec<u32>,
    /// Edge indexes, in path order.
    pub rels: Vec<u32>,
}

/// A value produced by a query.
#[derive(Debug, Clone, Default)]
pub enum QValue {
    /// The absent value.
    #[default]
    Null,
    /// A boolean.
    Bool(bool),
    /// A 64-bit integer.
    Int(i64),
    /// A 64-bit float.
    Float(f64),
    /// A string.
    String(Arc<str>),
    /// A calendar date.
    Date(NaiveDate),
    /// A list.
    List(Arc<[QValue]>),
    /// A map, keys in insertion order.
    Map(Arc<[(Arc<str>, QValue)]>),
    /// A node, by its graph index.
    Node(u32),
    /// A relationship, by its graph index.
    Relationship(u32),
    /// A path.
    Path(Arc<PathValue>),
}

impl QValue {
    /// A string value.
    pub fn str(s: &str) -> QValue {
        QValue::String(Arc::from(s))
    }

    /// Whether this is null.
    pub fn is_null(&self) -> bool {
        matches!(self, QValue::Null)
    }

    /// The Cypher type name of this value, for error messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            QValue::Null => "null",
            QValue::Bool(_) => "boolean",
            QValue::Int(_) => "integer",
            QValue::Float(_) => "float",
            QValue::String(_) => "string",
            QValue::Date(_) => "date",
            QValue::List(_) => "list",
            QValue::Map(_) => "map",
            QValue::Node(_) => "node",
            QValue::Relationship(_) => "relationship",
            QValue::Path(_) => "path",
        }
    }

    /// Adds the id numbers of the nodes and relationships in this value (inside lists,
    /// maps and paths too) to `nodes` and `edges`, e.g. to export a result's subgraph.
    pub fn collect_ids(&self, g: &Graph, nodes: &mut Vec<u32>, edges: &mut Vec<u32>) {
        let node = |ix: u32| g.node(NodeIndex::from(ix)).map(|n| n.id);
        let edge = |ix: u32| g.petgraph().edge_weight(EdgeIndex::from(ix)).map(|e| e.id);
        match self {
            QValue::Node(ix) => nodes.extend(node(*ix)),
            QValue::Relationship(ix) => edges.extend(edge(*ix)),
            QValue::Path(p) => {
                nodes.extend(p.nodes.iter().filter_map(|&ix| node(ix)));
                edges.extend(p.rels.iter().filter_map(|&ix| edge(ix)));
            }
            QValue::List(l) => l.iter().for_each(|v| v.collect_ids(g, nodes, edges)),
            QValue::Map(m) => m.iter().for_each(|(_, v)| v.collect_ids(g, nodes, edges)),
            _ => {}
        }
    }

    /// The string inside, if a string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            QValue::String(s) => Some(s),
            _ => None,
        }
    }

    /// Converts a stored property value.
    pub fn from_value(v: &Value) -> QValue {
        match v {
            Value::Bool(b) => QValue::Bool(*b),
            Value::Int(i) => QValue::Int(*i),
            Value::Float(f) => QValue::Float(*f),
            Value::Str(s) => QValue::String(s.clone()),
            Value::Date(d) => QValue::Date(*d),
            Value::List(l) => QValue::List(l.iter().map(QValue::from_value).collect()),
        }
    }

    /// Converts a JSON value (parameters): numbers become Int or Float, objects maps.
    pub fn from_json(v: &serde_json::Value) -> QValue {
        match v {
            serde_json::Value::Null => QValue::Null,
            serde_json::Value::Bool(b) => QValue::Bool(*b),
            serde_json::Value::Number(n) => match n.as_i64() {
                Some(i) => QValue::Int(i),
                None => QValue::Float(n.as_f64().unwrap_or(f64::NAN)),
            },
            serde_json::Value::String(s) => QValue::str(s),
            serde_json::Value::Array(a) => QValue::List(a.iter().map(QValue::from_json).collect()),
            serde_json::Value::Object(o) => QValue::Map(
                o.iter()
                    .map(|(k, v)| (Arc::from(k.as_str()), QValue::from_json(v)))
                    .collect(),
            ),
        }
    }

    /// Cypher equality: `None` when the answer is null (a null inside, or incomparable nulls).
    pub fn cypher_eq(&self, other: &QValue) -> Option<bool> {
        use QValue::*;
        match (self, other) {
            (Null, _) | (_, Null) => None,
            (Int(a), Int(b)) => Some(a == b),
            (Int(a), Float(b)) => Some((*a as f64) == *b),
            (Float(a), Int(b)) => Some(*a == (*b as f64)),
            (Float(a), Float(b)) => Some(a == b),
            (Bool(a), Bool(b)) => Some(a == b),
            (String(a), String(b)) => Some(a == b),
            (Date(a), Date(b)) => Some(a == b),
            (Node(a), Node(b)) => Some(a == b),
            (Relationship(a), Relationship(b)) => Some(a == b),
            (Path(a), Path(b)) => Some(a == b),
            (List(a), List(b)) => {
                if a.len() != b.len() {
                    return Some(false);
                }
                let mut unknown = false;
                for (x, y) in a.iter().zip(b.iter()) {
                    match x.cypher_eq(y) {
                        Some(false) => return Some(false),
                        None => unknown = true,
                        Some(true) => {}
                    }
                }
                if unknown {
                    None
                } else {
                    Some(true)
                }
            }
            (Map(a), Map(b)) => {
                if a.len() != b.len() {
                    return Some(false);
                }
                let mut unknown = false;
                for (k, x) in a.iter() {
                    match b.iter().find(|(k2, _)| k2 == k) {
                        None => return Some(false),
                        Some((_, y)) => match x.cypher_eq(y) {
                            Some(false) => return Some(false),
                            None => unknown = true,
                            Some(true) => {}
                        },
                    }
                }
                if unknown {
                    None
                } else {
                    Some(true)
                }
            }
            _ => Some(false),
        }
    }

    /// Cypher comparison for `<`, `>`, `<=`, `>=`: `None` when the values are not comparable.
    pub fn cypher_cmp(&self, other: &QValue) -> Option<Ordering> {
        use QValue::*;
        match (self, other) {
            (Int(a), Int(b)) => Some(a.cmp(b)),
            (Int(a), Float(b)) => (*a as f64).partial_cmp(b),
            (Float(a), Int(b)) => a.partial_cmp(&(*b as f64)),
            (Float(a), Float(b)) => a.partial_cmp(b),
            (String(a), String(b)) => Some(a.cmp(b)),
            (Bool(a), Bool(b)) => Some(a.cmp(b)),
            (Date(a), Date(b)) => Some(a.cmp(b)),
            (List(a), List(b)) => {
                for (x, y) in a.iter().zip(b.iter()) {
                    match x.cypher_cmp(y)? {
                        Ordering::Equal => {}
                        o => return Some(o),
                    }
                }
                Some(a.len().cmp(&b.len()))
            }
            _ => None,
        }
    }

    fn order_rank(&self) -> u8 {
        // Neo4j's global sort order (ascending): map, node, relationship, list, path,
        // date, string, boolean, number, null.
        match self {
            QValue::Map(_) => 0,
            QValue::Node(_) => 1,
            QValue::Relationship(_) => 2,
            QValue::List(_) => 3,
            QValue::Path(_) => 4,
            QValue::Date(_) => 5,
            QValue::String(_) => 6,
            QValue::Bool(_) => 7,
            QValue::Int(_) | QValue::Float(_) => 8,
            QValue::Null => 9,
        }
    }

    /// The total order of ORDER BY: values of different types by type, nulls last.
    pub fn order_cmp(&self, other: &QValue) -> Ordering {
        use QValue::*;
        let (ra, rb) = (self.order_rank(), other.order_rank());
        if ra != rb {
            return ra.cmp(&rb);
        }
        match (self, other) {
            (Float(a), Float(b)) => a.total_cmp(b),
            (Int(a), Float(b)) => (*a as f64).total_cmp(b),
            (Float(a), Int(b)) => a.total_cmp(&(*b as f64)),
            (Node(a), Node(b)) | (Relationship(a), Relationship(b)) => a.cmp(b),
            (List(a), List(b)) => {
                for (x, y) in a.iter().zip(b.iter()) {
                    match x.order_cmp(y) {
                        Ordering::Equal => {}
                        o => return o,
                    }
                }
                a.len().cmp(&b.len())
            }
            (Path(a), Path(b)) => a.nodes.cmp(&b.nodes).then(a.rels.cmp(&b.rels)),
            (Map(a), Map(b)) => a.len().cmp(&b.len()),
            _ => self.cypher_cmp(other).unwrap_or(Ordering::Equal),
        }
    }

    /// The value as JSON: dates "YYYY-MM-DD", nodes `{id, labels, properties}`,
    /// relationships `{id, type, start, end, properties}`, paths `{nodes, relationships}`.
    pub fn to_json(&self, g: &Graph) -> serde_json::Value {
        use serde_json::{json, Value as J};
        match self {
            QValue::Null => J::Null,
            QValue::Bool(b) => J::Bool(*b),
            QValue::Int(i) => json!(i),
            QValue::Float(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
            QValue::String(s) => J::String(s.to_string()),
            QValue::Date(d) => J::String(d.format("%Y-%m-%d").to_string()),
            QValue::List(l) => J::Array(l.iter().map(|v| v.to_json(g)).collect()),
            QValue::Map(m) => J::Object(
                m.iter()
                    .map(|(k, v)| (k.to_string(), v.to_json(g)))
                    .collect(),
            ),
            QValue::Node(ix) => node_json(g, *ix),
            QValue::Relationship(ix) => rel_json(g, *ix),
            QValue::Path(p) => json!({
                "nodes": p.nodes.iter().map(|&n| node_json(g, n)).collect::<Vec<_>>(),
                "relationships": p.rels.iter().map(|&r| rel_json(g, r)).collect::<Vec<_>>(),
            }),
        }
    }

    /// The value as text for tables and CSV: strings bare, others in Cypher-like notation.
    pub fn to_text(&self, g: &Graph) -> String {
        match self {
            QValue::Null => String::new(),
            QValue::String(s) => s.to_string(),
            QValue::Date(d) => d.format("%Y-%m-%d").to_string(),
            QValue::Bool(b) => b.to_string(),
            QValue::Int(i) => i.to_string(),
            QValue::Float(f) => format_float(*f),
            QValue::Node(ix) => {
                let n = &g.petgraph()[NodeIndex::from(*ix)];
                let label = &g.schema().labels()[n.label as usize].name;
                format!(
                    "({}:{} {})",
                    g.node_id_text(n.id),
                    label,
                    props_text(g, &n.props)
                )
            }
            QValue::Relationship(ix) => {
                let e = &g.petgraph()[EdgeIndex::from(*ix)];
                let ty = &g.schema().rel_types()[e.rel_type() as usize].name;
                let props = g.edge_attrs(e).map(|a| &a.props[..]).unwrap_or(&[]);
                format!("[{}:{} {}]", g.edge_id_text(e.id), ty, props_text(g, props))
            }
            QValue::Path(p) => path_text(g, p),
            _ => self.to_json(g).to_string(),
        }
    }
}

/// A path as Cypher draws it, with names: `(Ana Torres:Person)-[:PARTICIPATED_IN]->
/// (Meeting of …:Event)`; a node without a name shows its id.
fn path_text(g: &Graph, p: &PathValue) -> String {
    let pg = g.petgraph();
    let node = |ix: u32| {
        let n = &pg[NodeIndex::from(ix)];
        let label = &g.schema().labels()[n.label as usize].name;
        let id = g.node_id_text(n.id);
        let name = g.names_of(n).next().map(str::to_string).unwrap_or(id);
        format!("({name}:{label})")
    };
    let mut out = String::new();
    let Some(&first) = p.nodes.first() else {
        return out;
    };
    out.push_str(&node(first));
    for (i, &r) in p.rels.iter().enumerate() {
        let ix = EdgeIndex::from(r);
        let ty = &g.schema().rel_types()[pg[ix].rel_type() as usize].name;
        let from = NodeIndex::from(p.nodes[i]);
        let forward = pg.edge_endpoints(ix).is_none_or(|(a, _)| a == from);
        if forward {
            out.push_str(&format!("-[:{ty}]->"));
        } else {
            out.push_str(&format!("<-[:{ty}]-"));
        }
        if let Some(&next) = p.nodes.get(i + 1) {
            out.push_str(&node(next));
        }
    }
    out
}

fn format_float(f: f64) -> String {
    if f.is_finite() && f == f.trunc() && f.abs() < 1e15 {
        format!("{f:.1}")
    } else {
        f.to_string()
    }
}

fn props_text(g: &Graph, props: &[(u16, Value)]) -> String {
    let mut m = serde_json::Map::new();
    for (k, v) in props {
        m.insert(
            g.schema().key_name(*k).to_string(),
            QValue::from_value(v).to_json(g),
        );
    }
    serde_json::Value::Object(m).to_string()
}

fn props_json(g: &Graph, props: &[(u16, Value)]) -> serde_json::Value {
    let mut m = serde_json::Map::new();
    for (k, v) in props {
        m.insert(
            g.schema().key_name(*k).to_string(),
            QValue::from_value(v).to_json(g),
        );
    }
    serde_json::Value::Object(m)
}

fn node_json(g: &Graph, ix: u32) -> serde_json::Value {
    let n = &g.petgraph()[NodeIndex::from(ix)];
    serde_json::json!({
        "id": g.node_id_text(n.id),
        "labels": [g.schema().labels()[n.label as usize].name],
        "properties": props_json(g, &n.props),
    })
}

fn rel_json(g: &Graph, ix: u32) -> serde_json::Value {
    let eix = EdgeIndex::from(ix);
    let e = &g.petgraph()[eix];
    let (a, b) = g.petgraph().edge_endpoints(eix).expect("edge exists");
    let props = g.edge_attrs(e).map(|x| &x.props[..]).unwrap_or(&[]);
    serde_json::json!({
        "id": g.edge_id_text(e.id),
        "type": g.schema().rel_types()[e.rel_type() as usize].name,
        "start": g.node_id_text(g.petgraph()[a].id),
        "end": g.node_id_text(g.petgraph()[b].id),
        "properties": props_json(g, props),
    })
}

/// Equality for grouping and DISTINCT: null equals null, 1 equals 1.0.
impl PartialEq for QValue {
    fn eq(&self, other: &QValue) -> bool {
        use QValue::*;
        match (self, other) {
            (Null, Null) => true,
            (Int(a), Float(b)) | (Float(b), Int(a)) => (*a as f64) == *b,
            (Float(a), Float(b)) => a.to_bits() == b.to_bits() || a == b,
            (List(a), List(b)) => a == b,
            (Map(a), Map(b)) => a == b,
            _ => self.cypher_eq(other) == Some(true),
        }
    }
}

impl Eq for QValue {}

impl Hash for QValue {
    fn hash<H: Hasher>(&self, h: &mut H) {
        use QValue::*;
        match self {
            Int(i) => {
                8u8.hash(h);
                (*i as f64).to_bits().hash(h)
            }
            Float(f) => {
                8u8.hash(h);
                (if *f == 0.0 { 0.0f64 } else { *f }).to_bits().hash(h)
            }
            _ => std::mem::discriminant(self).hash(h),
        }
        match self {
            Null | Int(_) | Float(_) => {}
            Bool(b) => b.hash(h),
            String(s) => s.hash(h),
            Date(d) => d.hash(h),
            List(l) => l.hash(h),
            Map(m) => m.hash(h),
            Node(n) => n.hash(h),
            Relationship(r) => r.hash(h),
            Path(p) => p.hash(h),
        }
    }
}
