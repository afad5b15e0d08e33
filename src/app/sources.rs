//! Where a fact came from: the nodes or relationship an id or a name names, each with
//! its evidence as `sources()` returns it. The shell's `:sources` prints it; the
//! server's `GET /explain/{id}` sends it as JSON.

use crate::graph::Graph;
use crate::query::{sources, QValue};
use anyhow::{bail, Result};
use petgraph::stable_graph::{EdgeIndex, NodeIndex};
use std::io::Write;

/// A node or relationship with its evidence.
#[derive(Debug, Clone)]
pub struct Sourced {
    /// Its id text ("n12", "e7").
    pub id: String,
    /// Its label or relationship type.
    pub kind: String,
    /// How to show it in one line: `(n12:Person "Name")` or `(a)-[e7:TYPE]->(b)`.
    pub caption: String,
    /// The evidence: a list of maps {document, title, published, start, end, sentence}.
    pub sources: QValue,
}

/// The relationship whose id is `target`, else the node with that id, else every node
/// named `target` (names and aliases, folded: "Luong" finds "Lương"). An error says
/// what was looked for when nothing matches.
pub fn lookup(g: &Graph, target: &str) -> Result<Vec<Sourced>> {
    let target = target.trim();
    if let Some(ix) = g.edge_ids().lookup(target).and_then(|n| g.edge_index(n)) {
        return Ok(vec![relationship(g, ix)]);
    }
    let mut nodes: Vec<NodeIndex> = Vec::new();
    if let Some(ix) = g.node_ids().lookup(target).and_then(|n| g.node_index(n)) {
        nodes.push(ix);
    } else {
        for l in 0..g.schema().labels().len() {
            nodes.extend(g.find_by_name(l as u16, target));
        }
    }
    if nodes.is_empty() {
        bail!("no node or relationship {target:?}; give an id such as n12 or e7, or a name");
    }
    Ok(nodes.into_iter().map(|ix| node(g, ix)).collect())
}

fn node_caption(g: &Graph, ix: NodeIndex) -> String {
    let n = &g.petgraph()[ix];
    let label = &g.schema().labels()[n.label as usize].name;
    let name = g.names_of(n).next().unwrap_or("");
    format!("({}:{label} {name:?})", g.node_id_text(n.id))
}

fn node(g: &Graph, ix: NodeIndex) -> Sourced {
    let n = &g.petgraph()[ix];
    Sourced {
        id: g.node_id_text(n.id),
        kind: g.schema().labels()[n.label as usize].name.clone(),
        caption: node_caption(g, ix),
        sources: sources::of_node(g, ix.index() as u32),
    }
}

fn relationship(g: &Graph, ix: EdgeIndex) -> Sourced {
    let e = &g.petgraph()[ix];
    let ty = g.schema().rel_types()[e.rel_type() as usize].name.clone();
    let (a, b) = g
        .petgraph()
        .edge_endpoints(ix)
        .expect("an edge has endpoints");
    let id = g.edge_id_text(e.id);
    Sourced {
        caption: format!("{}-[{id}:{ty}]->{}", node_caption(g, a), node_caption(g, b)),
        id,
        kind: ty,
        sources: sources::of_relationship(g, ix.index() as u32),
    }
}

/// Writes items as text: the caption, then one line per source
/// (`[document, published] title (start..end)`) and its sentence indented below.
pub fn write_text(w: &mut dyn Write, g: &Graph, items: &[Sourced]) -> std::io::Result<()> {
    for item in items {
        writeln!(w, "{}", item.caption)?;
        let list = match &item.sources {
            QValue::List(l) => &l[..],
            _ => &[],
        };
        if list.is_empty() {
            writeln!(w, "  (no evidence recorded)")?;
        }
        for s in list {
            let field = |k: &str| match s {
                QValue::Map(m) => m
                    .iter()
                    .find(|(n, _)| &**n == k)
                    .map(|(_, v)| v.to_text(g))
                    .unwrap_or_default(),
                _ => String::new(),
            };
            let published = field("published");
            let date = if published.is_empty() {
                String::new()
            } else {
                format!(", {published}")
            };
            writeln!(
                w,
                "  [{}{date}] {} ({}..{})",
                field("document"),
                field("title"),
                field("start"),
                field("end")
            )?;
            let sentence = field("sentence");
            if !sentence.is_empty() {
                writeln!(w, "    {}", sentence.replace(['\n', '\r'], " "))?;
            }
        }
    }
    Ok(())
}

/// The items as JSON: `[{id, kind, caption, sources: [...]}]`.
pub fn to_json(g: &Graph, items: &[Sourced]) -> serde_json::Value {
    serde_json::Value::Array(
        items
            .iter()
            .map(|i| {
                serde_json::json!({
                    "id": i.id,
                    "kind": i.kind,
                    "caption": i.caption,
                    "sources": i.sources.to_json(g),
                })
            })
            .collect(),
    )
}
