//! The evidence behind a node or relationship as query values: what `sources(n)` and
//! `sources(r)` return, one map per cited span.

use super::QValue;
use crate::graph::{quote, Evidence, Graph};
use petgraph::stable_graph::{EdgeIndex, NodeIndex};
use std::sync::Arc;

/// The keys of each map `sources()` returns, in order.
pub const SOURCE_KEYS: [&str; 6] = ["document", "title", "published", "start", "end", "sentence"];

/// The evidence of the node at graph index `ix`, as `sources(n)` returns it.
pub fn of_node(g: &Graph, ix: u32) -> QValue {
    of(g, &g.petgraph()[NodeIndex::from(ix)].prov)
}

/// The evidence of the relationship at graph index `ix`, as `sources(r)` returns it.
pub fn of_relationship(g: &Graph, ix: u32) -> QValue {
    let e = &g.petgraph()[EdgeIndex::from(ix)];
    of(g, g.edge_attrs(e).map(|a| &a.prov[..]).unwrap_or(&[]))
}

/// A list of maps {document, title, published, start, end, sentence}: the document's
/// `id`, its title and publication date (null when unknown), the span in characters,
/// and the sentence that holds it (null when the document's text is not stored).
pub fn of(g: &Graph, prov: &[Evidence]) -> QValue {
    let doc_prop = |ev: &Evidence, key: &str| -> QValue {
        g.node_by_id(ev.doc)
            .zip(g.schema().key(key))
            .and_then(|(d, k)| Graph::prop(&d.props, k))
            .map_or(QValue::Null, QValue::from_value)
    };
    let list: Vec<QValue> = prov
        .iter()
        .map(|ev| {
            let document = match doc_prop(ev, "id") {
                QValue::Null => QValue::str(&g.node_id_text(ev.doc)),
                id => id,
            };
            let sentence = quote(g, ev).map_or(QValue::Null, |q| {
                QValue::str(format!("{}{}{}", q.before, q.span, q.after).trim())
            });
            let values = [
                document,
                doc_prop(ev, "title"),
                doc_prop(ev, "published"),
                QValue::Int(i64::from(ev.start)),
                QValue::Int(i64::from(ev.end)),
                sentence,
            ];
            QValue::Map(
                SOURCE_KEYS
                    .iter()
                    .map(|k| Arc::<str>::from(*k))
                    .zip(values)
                    .collect(),
            )
        })
        .collect();
    QValue::List(list.into())
}
