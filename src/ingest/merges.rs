//! The merge record: a node that several articles were merged into (an Event, Agreement
//! or Person) has a `MERGED_FROM` edge to each of those Document nodes, carrying the
//! identity rule that merged that document (`rule`; "first report" for the document that
//! created the node) and what the document contributed to the node's properties (`facts`,
//! a JSON object). The edge carries the document's evidence, so removing or replacing the
//! document removes its edge, and the node's properties are rebuilt from the others'.

use super::IngestError;
use crate::graph::{Evidence, Graph, Txn};
use crate::schema::{KeyId, LabelId};
use crate::value::{Value, ValueType};
use petgraph::visit::EdgeRef;
use petgraph::Direction;

/// The relationship type of the merge record.
pub const MERGED_FROM: &str = "MERGED_FROM";
/// The rule recorded for the document that created a merged node.
pub const FIRST_REPORT: &str = "first report";

/// The JSON object a `facts` property holds: property names to values (dates as
/// "YYYY-MM-DD", lists as arrays).
pub fn contribution_json(g: &Graph, props: &[(KeyId, Value)]) -> String {
    let mut m = serde_json::Map::new();
    for (k, v) in props {
        let j = match v {
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Int(i) => serde_json::Value::from(*i),
            Value::Float(f) => serde_json::Value::from(*f),
            Value::List(l) => serde_json::Value::Array(
                l.iter()
                    .map(|x| serde_json::Value::String(x.to_string()))
                    .collect(),
            ),
            other => serde_json::Value::String(other.to_string()),
        };
        m.insert(g.schema().key_name(*k).to_string(), j);
    }
    serde_json::Value::Object(m).to_string()
}

fn decode(g: &Graph, label: LabelId, text: &str) -> Vec<(KeyId, Value)> {
    let Ok(serde_json::Value::Object(m)) = serde_json::from_str::<serde_json::Value>(text) else {
        return Vec::new();
    };
    let s = g.schema();
    m.into_iter()
        .filter_map(|(k, v)| {
            let def = s.node_prop(label, &k).ok()?;
            let value = match (def.ty, v) {
                (ValueType::Date, serde_json::Value::String(t)) => {
                    Value::Date(chrono::NaiveDate::parse_from_str(&t, "%Y-%m-%d").ok()?)
                }
                (ValueType::StringList, serde_json::Value::Array(a)) => {
                    Value::str_list(a.iter().filter_map(|x| x.as_str()))
                }
                (ValueType::Bool, serde_json::Value::Bool(b)) => Value::Bool(b),
                (ValueType::Int, serde_json::Value::Number(n)) => Value::Int(n.as_i64()?),
                (ValueType::Float, serde_json::Value::Number(n)) => Value::Float(n.as_f64()?),
                (ValueType::String, serde_json::Value::String(t)) => Value::str(&t),
                _ => return None,
            };
            Some((def.key, value))
        })
        .collect()
}

/// One `MERGED_FROM` edge: the document it points to and what it records.
#[derive(Debug, Clone)]
pub struct MergeEntry {
    /// The edge's id number.
    pub edge: u32,
    /// The Document node's id number.
    pub doc: u32,
    /// The rule that merged the document.
    pub rule: String,
    /// What the document contributed (JSON).
    pub facts: String,
}

/// The merge record of node `id`, ordered by document (the order of ingest).
pub fn entries(g: &Graph, id: u32) -> Vec<MergeEntry> {
    let (Some(ix), Ok(ty)) = (g.node_index(id), g.schema().rel_type(MERGED_FROM)) else {
        return Vec::new();
    };
    let (rule_k, facts_k) = (g.schema().key("rule"), g.schema().key("facts"));
    let get = |props: &[(KeyId, Value)], k: Option<KeyId>| {
        k.and_then(|k| Graph::prop(props, k))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let mut v: Vec<MergeEntry> = g
        .edges(ix, Direction::Outgoing)
        .filter(|e| e.weight().rel_type() == ty)
        .filter_map(|e| {
            let a = g.edge_attrs(e.weight());
            let props = a.map(|a| &a.props[..]).unwrap_or(&[]);
            Some(MergeEntry {
                edge: e.weight().id,
                doc: g.node(e.target())?.id,
                rule: get(props, rule_k),
                facts: get(props, facts_k),
            })
        })
        .collect();
    v.sort_by_key(|m| m.doc);
    v
}

/// Whether node `id` has a merge record (without reading it).
fn has_entries(g: &Graph, id: u32) -> bool {
    let (Some(ix), Ok(ty)) = (g.node_index(id), g.schema().rel_type(MERGED_FROM)) else {
        return false;
    };
    g.edges(ix, Direction::Outgoing)
        .any(|e| e.weight().rel_type() == ty)
}

/// Document `doc`'s entry in node `id`'s merge record, found through the pair index.
fn entry_of(g: &Graph, id: u32, doc: u32) -> Option<MergeEntry> {
    let ty = g.schema().rel_type(MERGED_FROM).ok()?;
    let (a, b) = (g.node_index(id)?, g.node_index(doc)?);
    let e = g.edge_between(a, b, ty)?;
    let w = g.petgraph().edge_weight(e)?;
    let props = g.edge_attrs(w).map(|a| &a.props[..]).unwrap_or(&[]);
    let get = |k: Option<KeyId>| {
        k.and_then(|k| Graph::prop(props, k))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    Some(MergeEntry {
        edge: w.id,
        doc,
        rule: get(g.schema().key("rule")),
        facts: get(g.schema().key("facts")),
    })
}

fn add_edge(
    txn: &mut Txn<'_>,
    node: u32,
    doc: u32,
    rule: &str,
    facts: String,
    ev: &[Evidence],
) -> Result<(), IngestError> {
    let g = txn.graph();
    let ty = g.schema().rel_type(MERGED_FROM)?;
    let props = vec![
        (super::key(g, "rule")?, Value::str(rule)),
        (super::key(g, "facts")?, Value::str(&facts)),
    ];
    txn.upsert_edge(ty, node, doc, props, ev)?;
    Ok(())
}

/// Records, before the merge is written, that document `doc` is merged into node `node` by
/// `rule`, contributing `props` (with evidence `ev`). The node's first merge also records
/// the document that created it, with the node's properties as they are.
pub fn record(
    txn: &mut Txn<'_>,
    node: u32,
    doc: u32,
    rule: &str,
    props: &[(KeyId, Value)],
    ev: &[Evidence],
) -> Result<(), IngestError> {
    let g = txn.graph();
    if !has_entries(g, node) {
        if let Some(n) = g.node_by_id(node) {
            let first = n.prov.first().map(|e| e.doc);
            if let Some(base) = first.filter(|b| n.prov.iter().all(|e| e.doc == *b)) {
                let facts = contribution_json(g, &n.props);
                let base_ev: Vec<Evidence> = n.prov.to_vec();
                add_edge(txn, node, base, FIRST_REPORT, facts, &base_ev)?;
            }
        }
    }
    let facts = contribution_json(txn.graph(), props);
    add_edge(txn, node, doc, rule, facts, ev)
}

/// Adds `props` (with evidence `ev`) to what document `doc` contributed to node `node`,
/// when the document is in its merge record: another of the article's entities merged
/// into the node.
pub fn extend(
    txn: &mut Txn<'_>,
    node: u32,
    doc: u32,
    props: &[(KeyId, Value)],
    ev: &[Evidence],
) -> Result<(), IngestError> {
    txn.index_pairs();
    let g = txn.graph();
    let Some(entry) = entry_of(g, node, doc) else {
        return Ok(());
    };
    let Some(label) = g.node_by_id(node).map(|n| n.label) else {
        return Ok(());
    };
    let merged = txn.merged_props(label, vec![decode(g, label, &entry.facts), props.to_vec()])?;
    let facts = contribution_json(txn.graph(), &merged);
    let Some(mut e) = txn.graph().edge_by_id(entry.edge) else {
        return Ok(());
    };
    let fk = super::key(txn.graph(), "facts")?;
    let mut p: Vec<(KeyId, Value)> = e.attrs.props.to_vec();
    p.retain(|(k, _)| *k != fk);
    p.push((fk, Value::str(&facts)));
    p.sort_by_key(|(k, _)| *k);
    e.attrs.props = p.into();
    e.attrs.prov = crate::graph::merge_prov(&e.attrs.prov, ev);
    txn.put_edge(e)?;
    Ok(())
}

/// After a document's evidence was removed from `nodes`: each merged node among them gets
/// back the properties its remaining documents contributed (in ingest order), and a node
/// left with one document loses its merge record.
pub fn rebuild(txn: &mut Txn<'_>, nodes: &[u32]) -> Result<(), IngestError> {
    for &id in nodes {
        let g = txn.graph();
        let Some(n) = g.node_by_id(id) else {
            continue;
        };
        let entries = entries(g, id);
        if entries.is_empty() {
            continue;
        }
        let mut docs: Vec<u32> = n.prov.iter().map(|e| e.doc).collect();
        docs.dedup();
        let recorded: Vec<u32> = entries.iter().map(|e| e.doc).collect();
        if docs != recorded {
            continue; // written before merges were recorded: leave it as it is
        }
        let label = n.label;
        let contributions: Vec<Vec<(KeyId, Value)>> =
            entries.iter().map(|e| decode(g, label, &e.facts)).collect();
        if entries.len() == 1 {
            txn.remove_edge(entries[0].edge);
        }
        txn.rebuild_node(id, contributions)?;
    }
    Ok(())
}

/// A merged node as listed for review.
#[derive(Debug, Clone)]
pub struct Merged {
    /// The node's id number.
    pub node: u32,
    /// The documents' ids, in ingest order.
    pub docs: Vec<String>,
    /// For each document after the first: its id and the rule that merged it.
    pub rules: Vec<(String, String)>,
}

/// The merge of node `id`, if several documents were merged into it.
pub fn merged(g: &Graph, id: u32) -> Option<Merged> {
    let entries = entries(g, id);
    if entries.len() < 2 {
        return None;
    }
    let doc_id = |d: u32| {
        g.node_by_id(d)
            .and_then(|n| super::node_str(g, n, "id"))
            .unwrap_or("?")
            .to_string()
    };
    Some(Merged {
        node: id,
        docs: entries.iter().map(|e| doc_id(e.doc)).collect(),
        rules: entries[1..]
            .iter()
            .map(|e| (doc_id(e.doc), e.rule.clone()))
            .collect(),
    })
}

impl Merged {
    /// One line: "merged from 002 and 004: same name 'Border Security Summit', …".
    pub fn describe(&self) -> String {
        let docs = match &self.docs[..] {
            [init @ .., last] if !init.is_empty() => format!("{} and {last}", init.join(", ")),
            other => other.join(""),
        };
        let why = match &self.rules[..] {
            [(_, rule)] => rule.clone(),
            rules => rules
                .iter()
                .map(|(d, r)| format!("{d}: {r}"))
                .collect::<Vec<_>>()
                .join("; "),
        };
        format!("merged from {docs}: {why}")
    }
}
