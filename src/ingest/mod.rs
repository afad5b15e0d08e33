//! Ingest: applies an article's [`Extraction`] to the store, one durable batch per
//! document, with its Document node (id, sha256, text) and evidence on every node and
//! edge. Re-ingesting an identical article changes nothing; a changed article first
//! loses the evidence only it gave, nodes and edges left without evidence go, and merged
//! nodes get back what their other documents contributed ([`merges`]).

use crate::extract::{self, Article, ExtractError, Extraction, Kind, Prop};
use crate::fold::fold;
use crate::graph::Txn;
use crate::graph::{normalize_props, Evidence, Graph, GraphError, NodeRec};
use crate::schema::{KeyId, SchemaError};
use crate::store::{StorageError, Store};
use crate::value::Value;
use petgraph::visit::IntoEdgeReferences;
use sha2::{Digest, Sha256};

pub mod explain;
pub mod identity;
pub mod merges;
pub mod title;

/// Errors of ingesting one article.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IngestError {
    /// The article cannot be extracted (empty, too large).
    #[error(transparent)]
    Extract(#[from] ExtractError),
    /// The store failed; the batch was not applied.
    #[error(transparent)]
    Storage(#[from] StorageError),
    /// A graph write was refused.
    #[error(transparent)]
    Graph(#[from] GraphError),
    /// The schema lacks a label, type or property ingest needs.
    #[error(transparent)]
    Schema(#[from] SchemaError),
}

/// What ingesting one article did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// A new document.
    Added,
    /// The same id and text were already there: nothing changed.
    Unchanged,
    /// The same id with new text: its old facts were replaced.
    Replaced,
}

/// The hex sha256 of a text.
pub fn sha256_hex(text: &str) -> String {
    let d = Sha256::digest(text.as_bytes());
    d.iter().map(|b| format!("{b:02x}")).collect()
}

pub(crate) fn key(g: &Graph, name: &str) -> Result<KeyId, IngestError> {
    g.schema().key(name).ok_or_else(|| {
        IngestError::Schema(SchemaError::Invalid(format!(
            "no property {name} in the schema"
        )))
    })
}

/// The Document node with this id, if any.
pub fn find_document(g: &Graph, id: &str) -> Option<u32> {
    let label = g.schema().label("Document").ok()?;
    g.find_by_name(label, id)
        .first()
        .and_then(|ix| g.node(*ix))
        .map(|n| n.id)
}

/// A string property of a node.
pub fn node_str<'a>(g: &Graph, n: &'a NodeRec, name: &str) -> Option<&'a str> {
    let k = g.schema().key(name)?;
    Graph::prop(&n.props, k).and_then(Value::as_str)
}

/// Ingests one article as one batch.
pub fn ingest_article(
    store: &mut Store,
    art: &Article,
    source: Option<&str>,
) -> Result<Outcome, IngestError> {
    ingest_prepared(store, art, &sha256_hex(&art.text), None, source)
}

/// Ingests one article as one batch, given its text's [`sha256_hex`] and, when it was made
/// beforehand (on another thread), its extraction; `None` extracts here when needed.
pub fn ingest_prepared(
    store: &mut Store,
    art: &Article,
    sha: &str,
    extraction: Option<Result<Extraction, ExtractError>>,
    source: Option<&str>,
) -> Result<Outcome, IngestError> {
    let existing = find_document(store.graph(), &art.id);
    if let Some(d) = existing {
        let g = store.graph();
        if g.node_by_id(d).and_then(|n| node_str(g, n, "sha256")) == Some(sha) {
            return Ok(Outcome::Unchanged);
        }
    }
    let x = match extraction {
        Some(x) => x?,
        None => extract::extract(art)?,
    };
    store.write(false, |txn| -> Result<(), IngestError> {
        let doc = write_document(txn, existing, art, sha, source)?;
        if existing.is_some() {
            remove_evidence(txn, doc)?;
        }
        apply(txn, doc, &x)?;
        Ok(())
    })?;
    Ok(if existing.is_some() {
        Outcome::Replaced
    } else {
        Outcome::Added
    })
}

/// Removes document `id` and everything only it supported; merged nodes keep what their
/// other documents contributed. Returns whether the document was there.
pub fn remove_article(store: &mut Store, id: &str) -> Result<bool, IngestError> {
    let Some(doc) = find_document(store.graph(), id) else {
        return Ok(false);
    };
    store.write(false, |txn| -> Result<(), IngestError> {
        remove_evidence(txn, doc)?;
        txn.remove_node(doc);
        Ok(())
    })?;
    Ok(true)
}

fn write_document(
    txn: &mut Txn<'_>,
    existing: Option<u32>,
    art: &Article,
    sha: &str,
    source: Option<&str>,
) -> Result<u32, IngestError> {
    let g = txn.graph();
    let label = g.schema().label("Document")?;
    let mut props = vec![
        (key(g, "id")?, Value::str(&art.id)),
        (key(g, "sha256")?, Value::str(sha)),
        (key(g, "text")?, Value::str(&art.text)),
    ];
    if let Some(t) = &art.title {
        props.push((key(g, "title")?, Value::str(t)));
    }
    if let Some(u) = &art.url {
        props.push((key(g, "url")?, Value::str(u)));
    }
    if let Some(p) = art.published {
        props.push((key(g, "published")?, Value::Date(p)));
    }
    // The article's own outlet (a page's site name) first, then `--source`.
    if let Some(s) = art.source.as_deref().or(source) {
        props.push((key(g, "source")?, Value::str(s)));
    }
    if let Some(a) = &art.author {
        props.push((key(g, "author")?, Value::str(a)));
    }
    props.push((
        key(g, "length")?,
        Value::Int(art.text.chars().count() as i64),
    ));
    match existing {
        Some(id) => {
            let props = normalize_props(props).map_err(|k| {
                SchemaError::Invalid(format!(
                    "duplicate property {}",
                    txn.graph().schema().key_name(k)
                ))
            })?;
            txn.put_node(NodeRec {
                id,
                label,
                props,
                prov: Vec::new(),
            })?;
            Ok(id)
        }
        None => Ok(txn.upsert_node(label, props, &[])?),
    }
}

/// Drops document `doc`'s evidence everywhere; removes what is left without evidence, and
/// rebuilds the merged nodes it contributed to.
pub fn remove_evidence(txn: &mut Txn<'_>, doc: u32) -> Result<(), IngestError> {
    let g = txn.graph();
    let pg = g.petgraph();
    let mut edges: Vec<u32> = Vec::new();
    for e in pg.edge_references() {
        if let Some(a) = g.edge_attrs(e.weight()) {
            if a.prov.iter().any(|ev| ev.doc == doc) {
                edges.push(e.weight().id);
            }
        }
    }
    let nodes: Vec<u32> = pg
        .node_weights()
        .filter(|n| n.prov.iter().any(|ev| ev.doc == doc))
        .map(|n| n.id)
        .collect();
    for id in edges {
        let Some(mut e) = txn.graph().edge_by_id(id) else {
            continue;
        };
        let kept: Vec<Evidence> = e
            .attrs
            .prov
            .iter()
            .copied()
            .filter(|ev| ev.doc != doc)
            .collect();
        if kept.is_empty() {
            txn.remove_edge(id);
        } else {
            e.attrs.prov = kept;
            let _ = txn.put_edge(e);
        }
    }
    for &id in &nodes {
        let Some(mut n) = txn.graph().node_by_id(id).cloned() else {
            continue;
        };
        let kept: Vec<Evidence> = n.prov.iter().copied().filter(|ev| ev.doc != doc).collect();
        if kept.is_empty() && !is_vocabulary_topic(txn.graph(), &n) {
            txn.remove_node(id);
        } else {
            n.prov = kept;
            let _ = txn.put_node(n);
        }
    }
    merges::rebuild(txn, &nodes)
}

/// Whether a node is a topic of the vocabulary, which stays without evidence.
fn is_vocabulary_topic(g: &Graph, n: &crate::graph::NodeRec) -> bool {
    g.schema().labels()[n.label as usize].name == "Topic"
        && g.name_of(n).is_some_and(|name| {
            crate::gazetteer::Gazetteer::builtin()
                .topic_by_name(name)
                .is_some()
        })
}

fn evidence(doc: u32, spans: &[extract::Span]) -> Vec<Evidence> {
    spans
        .iter()
        .map(|s| Evidence {
            doc,
            start: s.start.min(u32::MAX as usize) as u32,
            end: s.end.min(u32::MAX as usize) as u32,
        })
        .collect()
}

fn value(p: &Prop) -> Value {
    match p {
        Prop::Str(s) => Value::str(s),
        Prop::Date(d) => Value::Date(*d),
    }
}

/// Adds the topic vocabulary (graph-schema/topics.toml) that the graph lacks: every topic
/// with its aliases, and its BROADER edges, so that queries over the hierarchy work. These
/// are reference data, with no document evidence; existing topics are left untouched.
pub fn ensure_vocabulary(txn: &mut Txn<'_>) -> Result<(), IngestError> {
    let schema = txn.graph().schema().clone();
    let topic = schema.label("Topic")?;
    // Complete when last checked, and no topic removed or renamed since (nor an edge at
    // one removed): nothing to add.
    let g = txn.graph();
    if g.reference_mark(topic) == Some(g.shrinks(topic)) {
        return Ok(());
    }
    let broader = schema.rel_type("BROADER")?;
    let (name_key, aliases_key) = (key(txn.graph(), "name")?, key(txn.graph(), "aliases")?);
    let vocab = crate::gazetteer::Gazetteer::builtin().topics();
    let find = |g: &Graph, name: &str| {
        g.find_by_name(topic, name)
            .first()
            .and_then(|&ix| g.node(ix))
            .map(|n| n.id)
    };
    for t in vocab {
        if find(txn.graph(), &t.name).is_none() {
            let mut props = vec![(name_key, Value::str(&t.name))];
            let aliases: Vec<&String> = t
                .aliases
                .iter()
                .filter(|a| fold(a) != fold(&t.name))
                .collect();
            if !aliases.is_empty() {
                props.push((aliases_key, Value::str_list(aliases)));
            }
            txn.upsert_node(topic, props, &[])?;
        }
    }
    for t in vocab {
        for b in &t.broader {
            let (Some(a), Some(c)) = (find(txn.graph(), &t.name), find(txn.graph(), b)) else {
                continue;
            };
            let g = txn.graph();
            let (ai, ci) = (
                g.node_index(a).expect("found"),
                g.node_index(c).expect("found"),
            );
            if g.edges_between(ai, ci, broader).next().is_none() {
                txn.upsert_edge(broader, a, c, vec![], &[])?;
            }
        }
    }
    txn.mark_reference(topic);
    Ok(())
}

/// Writes an extraction's entities and relations with evidence from document `doc`.
/// Events, agreements and persons are merged with an existing node only when the
/// identity rules ([`identity`]) give a reason, which the merge record keeps ([`merges`]);
/// other entities merge by name (organisations within their country).
pub fn apply(txn: &mut Txn<'_>, doc: u32, x: &Extraction) -> Result<(), IngestError> {
    // The pair and scope indexes serve the look-ups below (built once per process).
    txn.index_pairs();
    ensure_vocabulary(txn)?;
    let schema = txn.graph().schema().clone();
    let of = schema.rel_type("OF")?;
    let mut ids: Vec<Option<u32>> = vec![None; x.entities.len()];
    let mut placed: Vec<(u32, usize)> = Vec::new();
    // Countries first: organisations are scoped by them; persons before the events
    // whose participants they are.
    let order = [
        Kind::Country,
        Kind::Place,
        Kind::Topic,
        Kind::Organization,
        Kind::Person,
        Kind::Agreement,
        Kind::Event,
    ];
    for kind in order {
        for (i, e) in x.of_kind(kind) {
            let label = schema.label(kind.label())?;
            let key_name = if matches!(kind, Kind::Event | Kind::Agreement) {
                "title"
            } else {
                "name"
            };
            let (name, mut aliases, proper) = if kind == Kind::Event {
                let f = identity::EventFacts::of_extraction(x, i);
                (
                    title::event_title(&f),
                    f.names.clone(),
                    f.names.into_iter().next(),
                )
            } else {
                (e.name.clone(), e.aliases.clone(), None)
            };
            let mut props = vec![(key(txn.graph(), key_name)?, Value::str(&name))];
            aliases.retain(|a| fold(a) != fold(&name));
            aliases.dedup();
            if !aliases.is_empty()
                && schema.labels()[label as usize]
                    .prop(key(txn.graph(), "aliases")?)
                    .is_some()
            {
                props.push((key(txn.graph(), "aliases")?, Value::str_list(&aliases)));
            }
            for (k, v) in &e.props {
                props.push((key(txn.graph(), k)?, value(v)));
            }
            if let (Kind::Event, Some(n)) = (kind, proper.as_ref()) {
                props.push((key(txn.graph(), "name")?, Value::str(n)));
            }
            if kind == Kind::Country {
                if let Some(c) = crate::gazetteer::Gazetteer::builtin().country_by_name(&e.name) {
                    props.push((key(txn.graph(), "iso2")?, Value::str(&c.iso2)));
                    props.push((key(txn.graph(), "iso3")?, Value::str(&c.iso3)));
                }
            }
            let ev = evidence(doc, &e.spans);
            ids[i] = Some(match kind {
                Kind::Event | Kind::Agreement | Kind::Person => {
                    let found = identity::find_existing(txn.graph(), doc, x, i, &placed);
                    match &found {
                        Some(f) if f.cross => {
                            merges::record(txn, f.node, doc, &f.reason, &props, &ev)?
                        }
                        Some(f) => merges::extend(txn, f.node, doc, &props, &ev)?,
                        None => {}
                    }
                    let node = txn.add_or_merge_node(label, props, &ev, found.map(|f| f.node))?;
                    placed.push((node, i));
                    node
                }
                _ => {
                    let scope = e.scope.and_then(|s| ids[s]).map(|c| (of, c));
                    txn.upsert_node_scoped(label, props, &ev, scope)?
                }
            });
        }
    }
    for r in &x.relations {
        let (Some(src), Some(dst)) = (ids[r.src], ids[r.dst]) else {
            continue;
        };
        let ty = schema.rel_type(r.ty)?;
        let mut props = Vec::new();
        for (k, v) in &r.props {
            props.push((key(txn.graph(), k)?, Value::str(v)));
        }
        txn.upsert_edge(ty, src, dst, props, &evidence(doc, &r.spans))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn art(id: &str, text: &str) -> Article {
        Article {
            id: id.into(),
            text: text.into(),
            published: chrono::NaiveDate::from_ymd_opt(2025, 10, 27),
            ..Article::default()
        }
    }

    const A: &str = "HÀ NỘI – Minister of Public Security General Lương Tam Quang held talks with Mozambican Minister of Interior Paulo Chachine on Sunday. They agreed to fight drug trafficking.";
    const B: &str = "HÀ NỘI – Deputy Minister Nguyen Van Long received Iranian Deputy Foreign Minister Vahid Jalalzadeh on Sunday.";

    #[test]
    fn reingest_identical_is_a_no_op_and_replacement_leaves_no_orphans() {
        let mut s = Store::in_memory();
        assert_eq!(
            ingest_article(&mut s, &art("a", A), None).unwrap(),
            Outcome::Added
        );
        let counts = (s.graph().node_count(), s.graph().edge_count());
        assert_eq!(
            ingest_article(&mut s, &art("a", A), None).unwrap(),
            Outcome::Unchanged
        );
        assert_eq!(counts, (s.graph().node_count(), s.graph().edge_count()));
        assert_eq!(
            ingest_article(&mut s, &art("a", B), None).unwrap(),
            Outcome::Replaced
        );
        let g = s.graph();
        let person = g.schema().label("Person").unwrap();
        assert!(g.find_by_name(person, "Paulo Chachine").is_empty());
        assert!(!g.find_by_name(person, "Vahid Jalalzadeh").is_empty());
        // Ingesting A again under its id restores exactly the first graph.
        ingest_article(&mut s, &art("a", A), None).unwrap();
        assert_eq!(counts, (s.graph().node_count(), s.graph().edge_count()));
    }

    #[test]
    fn the_vocabulary_is_checked_again_after_a_topic_is_removed_or_renamed() {
        let mut s = Store::in_memory();
        ingest_article(&mut s, &art("a", A), None).unwrap();
        let g = s.graph();
        let topic = g.schema().label("Topic").unwrap();
        let vocab = crate::gazetteer::Gazetteer::builtin().topics();
        let (first, second) = (&vocab[0].name, &vocab[1].name);
        let count = g.label_count(topic);
        assert_eq!(g.reference_mark(topic), Some(g.shrinks(topic)));
        // A removed topic comes back with the next article.
        let id = g.node(g.find_by_name(topic, first)[0]).unwrap().id;
        s.write(false, |t| -> Result<(), IngestError> {
            t.remove_node(id);
            Ok(())
        })
        .unwrap();
        assert!(s.graph().find_by_name(topic, first).is_empty());
        ingest_article(&mut s, &art("b", B), None).unwrap();
        assert_eq!(s.graph().find_by_name(topic, first).len(), 1);
        assert_eq!(s.graph().label_count(topic), count);
        // So does a topic renamed away from its name.
        let g = s.graph();
        let mut rec = g.node(g.find_by_name(topic, second)[0]).unwrap().clone();
        let name = g.schema().key("name").unwrap();
        rec.props =
            crate::graph::normalize_props(vec![(name, Value::str("no such topic"))]).unwrap();
        s.write(false, |t| -> Result<(), IngestError> {
            t.put_node(rec)?;
            Ok(())
        })
        .unwrap();
        ingest_article(&mut s, &art("c", A), None).unwrap();
        assert_eq!(s.graph().find_by_name(topic, second).len(), 1);
        assert_eq!(s.graph().label_count(topic), count + 1);
    }
}
