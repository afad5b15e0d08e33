//! The in-memory property graph: a petgraph `StableGraph` of typed records with
//! stable ids, provenance, and indexes by label, by folded name or alias, and by date
//! (the identity look-ups of ingest).
//!
//! Every change goes through four primitives (`put_node`, `remove_node`,
//! `put_edge`, `remove_edge`), so that indexes stay right whether the change comes
//! from an upsert, an import, the replay of a logged batch, or an undo.

mod dated;
mod ids;
mod journal;
mod quote;
mod scope;
mod txn;

pub use ids::IdMap;
pub use journal::Journal;
pub use quote::{quote, sentence_around, Quote};
pub use txn::{Change, Txn, Undo};

use crate::fold::{name_key, name_key_eq};
use crate::schema::{KeyId, LabelId, RelTypeId, Schema, SchemaError};
use crate::value::Value;
use petgraph::stable_graph::{EdgeIndex, NodeIndex, StableGraph};
use petgraph::Direction;
use rustc_hash::{FxHashMap, FxHasher};
use serde::{Deserialize, Serialize};
use std::hash::{Hash, Hasher};
use std::num::NonZeroU16;
use std::sync::Arc;

/// Properties of a node or edge, sorted by key id, each key once.
pub type Props = Box<[(KeyId, Value)]>;

/// One piece of evidence: a character span of a source document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Evidence {
    /// The id number of the Document node.
    pub doc: u32,
    /// Start of the span, in characters from the start of the document text.
    pub start: u32,
    /// End of the span (exclusive), in characters.
    pub end: u32,
}

/// The provenance of a node or edge: its evidence, sorted, without duplicates. A `Vec`, so
/// that evidence of a new document (which sorts last) is appended in place: a node cited by
/// thousands of documents is not copied for each new one.
pub type Provenance = Vec<Evidence>;

/// A node as stored in the graph.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeRec {
    /// The stable id number.
    pub id: u32,
    /// The label.
    pub label: LabelId,
    /// The properties.
    pub props: Props,
    /// The evidence supporting the node.
    pub prov: Provenance,
}

/// The compact per-edge weight kept inside petgraph.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EdgeRec {
    /// The stable id number.
    pub id: u32,
    attr: u32,
    ty: NonZeroU16,
}

impl EdgeRec {
    /// The relationship type.
    pub fn rel_type(&self) -> RelTypeId {
        self.ty.get() - 1
    }
}

/// The properties and provenance of an edge, kept beside the graph for the edges that have any.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct EdgeAttrs {
    /// The properties.
    pub props: Props,
    /// The evidence.
    pub prov: Provenance,
}

/// A full edge record, endpoints given by node id numbers.
#[derive(Debug, Clone, PartialEq)]
pub struct EdgeData {
    /// The stable id number.
    pub id: u32,
    /// The relationship type.
    pub ty: RelTypeId,
    /// Source node id number.
    pub src: u32,
    /// Target node id number.
    pub dst: u32,
    /// Properties and provenance.
    pub attrs: EdgeAttrs,
}

/// Errors of graph writes.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum GraphError {
    /// The write breaks the schema.
    #[error("{0}")]
    Schema(#[from] SchemaError),
    /// A node id that does not exist.
    #[error("no node with id {0}")]
    NoSuchNode(String),
    /// A node with this id exists with another label.
    #[error("node {id} is a {existing}, not a {given}")]
    LabelConflict {
        /// The node id.
        id: String,
        /// Its stored label.
        existing: String,
        /// The label given.
        given: String,
    },
    /// An edge with this id exists with other endpoints or type.
    #[error("edge {0} already exists with another type or other endpoints")]
    EdgeConflict(String),
    /// A limit of the store was reached.
    #[error("limit reached: {0}")]
    Limit(String),
}

#[derive(Debug, Clone)]
enum Slots {
    One(u32),
    Many(Box<[u32]>),
}

/// The in-memory graph with its indexes.
#[derive(Debug, Clone)]
pub struct Graph {
    schema: Arc<Schema>,
    g: StableGraph<NodeRec, EdgeRec, petgraph::Directed, u32>,
    attrs: Vec<EdgeAttrs>,
    free_attrs: Vec<u32>,
    node_ids: IdMap,
    edge_ids: IdMap,
    by_label: Vec<Vec<u32>>,
    by_name: FxHashMap<u64, Slots>,
    by_date: FxHashMap<u64, Slots>,
    /// Edges by (source, target, type), built on the first upsert that needs it
    /// ([`Graph::index_pairs`]): loads and queries never pay for it.
    by_pair: Option<FxHashMap<u64, Slots>>,
    /// Organisations and persons by name and `OF` target, built with `by_pair`
    /// ([`scope`]).
    by_scope: Option<FxHashMap<u64, Slots>>,
    /// The scope relationship (`OF`), if the schema has it.
    scope_rel: Option<RelTypeId>,
    /// Dated nodes by participant and date, and named dated nodes by date, built with
    /// `by_pair` ([`dated`]).
    by_part: Option<FxHashMap<u64, Slots>>,
    /// The participation relationship (`PARTICIPATED_IN`), if the schema has it.
    part_rel: Option<RelTypeId>,
    /// Per label, writes so far that removed or renamed a node of it, or removed or
    /// retyped an edge at one ([`Graph::shrinks`]).
    shrinks: Vec<u64>,
    /// [`Graph::reference_mark`]: a label and its count.
    reference_mark: Option<(LabelId, u64)>,
    names_key: KeyId,
    date_key: Option<KeyId>,
    aliases_key: Option<KeyId>,
    /// Structural changes since [`Graph::track_changes`] or the last
    /// [`Graph::take_changes`]; `None` when nobody asked.
    journal: Option<Journal>,
}

const NO_ATTR: u32 = u32::MAX;

/// The name-index key of a folded name under a label.
fn name_hash(label: LabelId, folded: &str) -> u64 {
    let mut h = FxHasher::default();
    label.hash(&mut h);
    folded.hash(&mut h);
    h.finish()
}

/// The date-index key of a date under a label.
fn date_hash(label: LabelId, date: chrono::NaiveDate) -> u64 {
    let mut h = FxHasher::default();
    (label, u8::MAX).hash(&mut h);
    date.hash(&mut h);
    h.finish()
}

/// The pair-index key of an edge's endpoints (node indexes) and type.
fn pair_hash(a: NodeIndex, b: NodeIndex, ty: RelTypeId) -> u64 {
    let mut h = FxHasher::default();
    (a.index() as u32, b.index() as u32, ty).hash(&mut h);
    h.finish()
}

/// The node slots an index holds under a key.
fn slots_of(map: &FxHashMap<u64, Slots>, h: u64) -> &[u32] {
    match map.get(&h) {
        None => &[],
        Some(Slots::One(i)) => std::slice::from_ref(i),
        Some(Slots::Many(v)) => v,
    }
}

/// Adds slot `ix` under key `h`, or removes it.
fn index_slot(map: &mut FxHashMap<u64, Slots>, h: u64, ix: u32, add: bool) {
    if add {
        // One probe of the map: most keys are new.
        match map.entry(h) {
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert(Slots::One(ix));
            }
            std::collections::hash_map::Entry::Occupied(mut o) => {
                let slots = o.get_mut();
                *slots = match slots {
                    Slots::One(j) => Slots::Many(vec![*j, ix].into()),
                    Slots::Many(v) => {
                        let mut w = Vec::with_capacity(v.len() + 1);
                        w.extend_from_slice(v);
                        w.push(ix);
                        Slots::Many(w.into())
                    }
                };
            }
        }
    } else {
        match map.get_mut(&h) {
            Some(Slots::One(j)) if *j == ix => {
                map.remove(&h);
            }
            Some(Slots::Many(v)) => {
                let w: Vec<u32> = v.iter().copied().filter(|&j| j != ix).collect();
                if w.len() == 1 {
                    map.insert(h, Slots::One(w[0]));
                } else {
                    *v = w.into();
                }
            }
            _ => {}
        }
    }
}

impl Graph {
    /// An empty graph under `schema`.
    pub fn new(schema: Arc<Schema>) -> Graph {
        let by_label = vec![Vec::new(); schema.labels().len()];
        let aliases_key = schema.key("aliases");
        Graph {
            g: StableGraph::default(),
            attrs: Vec::new(),
            free_attrs: Vec::new(),
            node_ids: IdMap::new('n'),
            edge_ids: IdMap::new('e'),
            by_label,
            by_name: FxHashMap::default(),
            by_date: FxHashMap::default(),
            by_pair: None,
            by_scope: None,
            scope_rel: schema.rel_type("OF").ok(),
            by_part: None,
            part_rel: schema.rel_type("PARTICIPATED_IN").ok(),
            shrinks: vec![0; schema.labels().len()],
            reference_mark: None,
            names_key: schema.key("name").unwrap_or(KeyId::MAX),
            date_key: schema.key("date"),
            aliases_key,
            schema,
            journal: None,
        }
    }

    /// Starts recording structural changes ([`Journal`]) for [`Graph::take_changes`].
    pub fn track_changes(&mut self) {
        self.journal.get_or_insert_with(Journal::default);
    }

    /// The changes recorded since [`Graph::track_changes`] or the last call, and a fresh
    /// journal started; `None` if none was being kept (this graph was built anew since:
    /// whoever indexed the old one must rebuild).
    pub fn take_changes(&mut self) -> Option<Journal> {
        self.journal.replace(Journal::default())
    }

    /// Reserves room for `nodes` more nodes and `edges` more edges (bulk loads).
    pub fn reserve(&mut self, nodes: usize, edges: usize) {
        self.g.reserve_exact_nodes(nodes);
        self.g.reserve_exact_edges(edges);
        self.node_ids.reserve(nodes);
        self.edge_ids.reserve(edges);
    }

    /// The schema this graph obeys.
    pub fn schema(&self) -> &Arc<Schema> {
        &self.schema
    }

    /// The number of nodes.
    pub fn node_count(&self) -> usize {
        self.g.node_count()
    }

    /// The number of edges.
    pub fn edge_count(&self) -> usize {
        self.g.edge_count()
    }

    /// The underlying petgraph graph, for traversals.
    pub fn petgraph(&self) -> &StableGraph<NodeRec, EdgeRec, petgraph::Directed, u32> {
        &self.g
    }

    /// The node id map.
    pub fn node_ids(&self) -> &IdMap {
        &self.node_ids
    }

    /// The edge id map.
    pub fn edge_ids(&self) -> &IdMap {
        &self.edge_ids
    }

    /// The index of node id number `id`.
    pub fn node_index(&self, id: u32) -> Option<NodeIndex> {
        self.node_ids.get(id).map(NodeIndex::from)
    }

    /// The index of edge id number `id`.
    pub fn edge_index(&self, id: u32) -> Option<EdgeIndex> {
        self.edge_ids.get(id).map(EdgeIndex::from)
    }

    /// The node at an index.
    pub fn node(&self, ix: NodeIndex) -> Option<&NodeRec> {
        self.g.node_weight(ix)
    }

    /// The node with id number `id`.
    pub fn node_by_id(&self, id: u32) -> Option<&NodeRec> {
        self.node_index(id).and_then(|ix| self.g.node_weight(ix))
    }

    /// The node with this id text (`n42` or a dump's own id).
    pub fn node_by_text_id(&self, text: &str) -> Option<&NodeRec> {
        self.node_ids.lookup(text).and_then(|n| self.node_by_id(n))
    }

    /// The text of a node's id.
    pub fn node_id_text(&self, id: u32) -> String {
        self.node_ids.text(id)
    }

    /// The text of an edge's id.
    pub fn edge_id_text(&self, id: u32) -> String {
        self.edge_ids.text(id)
    }

    /// The attributes (properties and provenance) of an edge.
    pub fn edge_attrs(&self, e: &EdgeRec) -> Option<&EdgeAttrs> {
        (e.attr != NO_ATTR).then(|| &self.attrs[e.attr as usize])
    }

    /// The full record of the edge with id number `id`.
    pub fn edge_by_id(&self, id: u32) -> Option<EdgeData> {
        let ix = self.edge_index(id)?;
        self.edge_data(ix)
    }

    /// The record of edge `id` with its evidence apart and unset, borrowed: for writers
    /// that store evidence on their own terms.
    pub fn edge_by_id_without_prov(&self, id: u32) -> Option<(EdgeData, &[Evidence])> {
        let ix = self.edge_index(id)?;
        let e = self.g.edge_weight(ix)?;
        let (a, b) = self.g.edge_endpoints(ix)?;
        let attrs = self.edge_attrs(e);
        Some((
            EdgeData {
                id: e.id,
                ty: e.rel_type(),
                src: self.g[a].id,
                dst: self.g[b].id,
                attrs: EdgeAttrs {
                    props: attrs.map(|x| x.props.clone()).unwrap_or_default(),
                    prov: Vec::new(),
                },
            },
            attrs.map_or(&[][..], |x| &x.prov[..]),
        ))
    }

    /// The full record of the edge at an index.
    pub fn edge_data(&self, ix: EdgeIndex) -> Option<EdgeData> {
        let e = self.g.edge_weight(ix)?;
        let (a, b) = self.g.edge_endpoints(ix)?;
        Some(EdgeData {
            id: e.id,
            ty: e.rel_type(),
            src: self.g[a].id,
            dst: self.g[b].id,
            attrs: self.edge_attrs(e).cloned().unwrap_or_default(),
        })
    }

    /// Node indexes with a label, in insertion order.
    pub fn nodes_with_label(&self, label: LabelId) -> impl Iterator<Item = NodeIndex> + '_ {
        self.by_label[label as usize]
            .iter()
            .map(|&i| NodeIndex::from(i))
    }

    /// Number of nodes with a label.
    pub fn label_count(&self, label: LabelId) -> usize {
        self.by_label[label as usize].len()
    }

    /// Nodes with `label` whose name or an alias has the same [`name_key`] as `name`
    /// (case, diacritics, spacing and punctuation aside).
    pub fn find_by_name(&self, label: LabelId, name: &str) -> Vec<NodeIndex> {
        self.find_by_name_where(label, name, |_| true)
    }

    /// [`Graph::find_by_name`] among the nodes that `keep` accepts, which is asked first
    /// (a cheap test, such as an indexed edge, spares comparing the others' names).
    pub fn find_by_name_where(
        &self,
        label: LabelId,
        name: &str,
        keep: impl Fn(NodeIndex) -> bool,
    ) -> Vec<NodeIndex> {
        let folded = name_key(name);
        slots_of(&self.by_name, name_hash(label, &folded))
            .iter()
            .map(|&i| NodeIndex::from(i))
            .filter(|&ix| {
                keep(ix)
                    && self.g[ix].label == label
                    && self.names_of(&self.g[ix]).any(|n| name_key_eq(n, &folded))
            })
            .collect()
    }

    /// The name and aliases of a node (its label's key property, then `aliases`).
    pub fn names_of<'a>(&'a self, n: &'a NodeRec) -> impl Iterator<Item = &'a str> + 'a {
        let key = self.schema.labels()[n.label as usize].key;
        let name = key
            .and_then(|k| Graph::prop(&n.props, k))
            .and_then(Value::as_str);
        let aliases = self
            .aliases_key
            .and_then(|k| Graph::prop(&n.props, k))
            .and_then(Value::as_list)
            .unwrap_or(&[]);
        name.into_iter()
            .chain(aliases.iter().filter_map(Value::as_str))
    }

    /// A property of a node.
    pub fn prop(props: &[(KeyId, Value)], key: KeyId) -> Option<&Value> {
        props
            .binary_search_by_key(&key, |(k, _)| *k)
            .ok()
            .map(|i| &props[i].1)
    }

    /// The `name` property, if the node has one.
    pub fn name_of<'a>(&self, n: &'a NodeRec) -> Option<&'a str> {
        Graph::prop(&n.props, self.names_key).and_then(Value::as_str)
    }

    /// Edges leaving or entering a node.
    pub fn edges(
        &self,
        ix: NodeIndex,
        dir: Direction,
    ) -> petgraph::stable_graph::Edges<'_, EdgeRec, petgraph::Directed, u32> {
        self.g.edges_directed(ix, dir)
    }

    /// The name-index and date-index keys of a node, and whether it carries a proper name
    /// (the participation index's named entry).
    fn index_keys(&self, n: &NodeRec) -> (Vec<u64>, Option<u64>, bool) {
        let date = self
            .date_key
            .and_then(|k| Graph::prop(&n.props, k))
            .and_then(|v| match v {
                Value::Date(d) => Some(date_hash(n.label, *d)),
                _ => None,
            });
        (self.name_hashes(n), date, self.is_named(n))
    }

    fn index_node(&mut self, ix: u32, add: bool) {
        if !add {
            self.shrink(self.g[NodeIndex::from(ix)].label);
        }
        let (hashes, date, _) = self.index_keys(&self.g[NodeIndex::from(ix)]);
        for h in hashes {
            index_slot(&mut self.by_name, h, ix, add);
        }
        if let Some(h) = date {
            index_slot(&mut self.by_date, h, ix, add);
        }
        self.index_scopes(ix, add);
        self.index_participations(ix, add);
    }

    /// A count that grows with every write that removes or renames a node of `label`
    /// (its name, an alias or its date) or removes or retypes an edge at one: the nodes of
    /// the label and their edges that a reader found at one count are all still there, as
    /// found, while the count stays.
    pub fn shrinks(&self, label: LabelId) -> u64 {
        self.shrinks.get(label as usize).copied().unwrap_or(0)
    }

    fn shrink(&mut self, label: LabelId) {
        if let Some(c) = self.shrinks.get_mut(label as usize) {
            *c += 1;
        }
    }

    /// Counts the removal or retyping of live edge `ix` at both its endpoints' labels.
    fn shrink_at(&mut self, ix: EdgeIndex) {
        if let Some((a, b)) = self.g.edge_endpoints(ix) {
            let (la, lb) = (self.g[a].label, self.g[b].label);
            self.shrink(la);
            if lb != la {
                self.shrink(lb);
            }
        }
    }

    /// The [`Graph::shrinks`] count of `label` at which a writer last found its reference
    /// data of that label (the topic vocabulary of ingest) complete, if it did: while the
    /// count has not moved, the data is still complete and need not be looked up again.
    pub fn reference_mark(&self, label: LabelId) -> Option<u64> {
        self.reference_mark
            .filter(|&(l, _)| l == label)
            .map(|(_, c)| c)
    }

    /// Records that the reference data of `label` is complete now
    /// ([`Graph::reference_mark`]).
    pub(crate) fn mark_reference(&mut self, label: LabelId) {
        self.reference_mark = Some((label, self.shrinks(label)));
    }

    /// The nodes under a name's index key, without comparing their names: a superset of
    /// [`Graph::find_by_name`] (any label, and a hash collision may add a node), for callers
    /// that judge every node they are given anyway.
    pub fn name_slots(&self, label: LabelId, name: &str) -> impl Iterator<Item = NodeIndex> + '_ {
        slots_of(&self.by_name, name_hash(label, &name_key(name)))
            .iter()
            .map(|&i| NodeIndex::from(i))
    }

    /// Nodes with `label` whose `date` property is `date`.
    pub fn find_by_date(&self, label: LabelId, date: chrono::NaiveDate) -> Vec<NodeIndex> {
        let k = self.date_key;
        slots_of(&self.by_date, date_hash(label, date))
            .iter()
            .map(|&i| NodeIndex::from(i))
            .filter(|&ix| {
                let n = &self.g[ix];
                n.label == label
                    && k.and_then(|k| Graph::prop(&n.props, k)) == Some(&Value::Date(date))
            })
            .collect()
    }

    /// Inserts a node, or replaces the node with the same id; returns the previous record.
    pub fn put_node(&mut self, rec: NodeRec) -> Option<NodeRec> {
        match self.node_index(rec.id) {
            Some(ix) => {
                // A node whose names, date and label stay (evidence or other properties
                // changed) keeps its index entries.
                let same = self.g[ix].label == rec.label
                    && self.index_keys(&self.g[ix]) == self.index_keys(&rec);
                if !same {
                    self.index_node(ix.index() as u32, false);
                }
                let old_label = self.g[ix].label;
                if old_label != rec.label {
                    if let Some(j) = &mut self.journal {
                        j.relabel(ix.index() as u32);
                    }
                    let v = &mut self.by_label[old_label as usize];
                    if let Some(p) = v.iter().position(|&i| i as usize == ix.index()) {
                        v.remove(p);
                    }
                    self.by_label[rec.label as usize].push(ix.index() as u32);
                }
                let old = std::mem::replace(&mut self.g[ix], rec);
                if !same {
                    self.index_node(ix.index() as u32, true);
                }
                Some(old)
            }
            None => {
                let (id, label) = (rec.id, rec.label);
                let ix = self.g.add_node(rec).index() as u32;
                if let Some(j) = &mut self.journal {
                    j.node(ix);
                }
                self.node_ids.set(id, ix);
                self.by_label[label as usize].push(ix);
                self.index_node(ix, true);
                None
            }
        }
    }

    /// Removes a node with its edges; returns its record and the removed edges.
    pub fn remove_node(&mut self, id: u32) -> Option<(NodeRec, Vec<EdgeData>)> {
        let ix = self.node_index(id)?;
        let incident: Vec<u32> = self
            .g
            .edges_directed(ix, Direction::Outgoing)
            .chain(self.g.edges_directed(ix, Direction::Incoming))
            .map(|e| e.weight().id)
            .collect();
        let edges = incident
            .into_iter()
            .filter_map(|e| self.remove_edge(e))
            .collect();
        self.index_node(ix.index() as u32, false);
        let rec = self.g.remove_node(ix)?;
        if let Some(j) = &mut self.journal {
            j.node(ix.index() as u32);
        }
        let v = &mut self.by_label[rec.label as usize];
        if let Some(p) = v.iter().rposition(|&i| i as usize == ix.index()) {
            v.remove(p);
        }
        self.node_ids.remove(id);
        Some((rec, edges))
    }

    /// Inserts an edge, or replaces the edge with the same id; returns the previous record.
    /// Both endpoints must exist.
    pub fn put_edge(&mut self, e: EdgeData) -> Result<Option<EdgeData>, GraphError> {
        let a = self
            .node_index(e.src)
            .ok_or_else(|| GraphError::NoSuchNode(self.node_ids.text(e.src)))?;
        let b = self
            .node_index(e.dst)
            .ok_or_else(|| GraphError::NoSuchNode(self.node_ids.text(e.dst)))?;
        let old = match self.edge_index(e.id) {
            Some(ix) if self.g.edge_endpoints(ix) == Some((a, b)) => {
                let w = self.g[ix];
                let old = self.edge_data(ix);
                let attr = self.store_attrs(w.attr, e.attrs);
                let retyped = w.rel_type() != e.ty;
                if retyped {
                    self.shrink_at(ix);
                    self.index_pair(ix, false);
                    self.note_edge(ix);
                }
                self.g[ix] = EdgeRec {
                    id: e.id,
                    attr,
                    ty: ty_code(e.ty),
                };
                if retyped {
                    self.index_pair(ix, true);
                }
                return Ok(old);
            }
            Some(_) => self.remove_edge(e.id),
            None => None,
        };
        let attr = self.store_attrs(NO_ATTR, e.attrs);
        let ix = self.g.add_edge(
            a,
            b,
            EdgeRec {
                id: e.id,
                attr,
                ty: ty_code(e.ty),
            },
        );
        self.edge_ids.set(e.id, ix.index() as u32);
        self.index_pair(ix, true);
        self.note_edge(ix);
        Ok(old)
    }

    /// Adds an edge known to be new (bulk loads): no id check, endpoints given as indexes.
    pub(crate) fn push_edge(
        &mut self,
        id: u32,
        ty: RelTypeId,
        a: NodeIndex,
        b: NodeIndex,
        attrs: EdgeAttrs,
    ) {
        let attr = self.store_attrs(NO_ATTR, attrs);
        let ix = self.g.add_edge(
            a,
            b,
            EdgeRec {
                id,
                attr,
                ty: ty_code(ty),
            },
        );
        self.edge_ids.set(id, ix.index() as u32);
        self.index_pair(ix, true);
        self.note_edge(ix);
    }

    /// Records live edge `ix` in the journal, if one is kept.
    fn note_edge(&mut self, ix: EdgeIndex) {
        if let Some(j) = &mut self.journal {
            let (a, b) = self.g.edge_endpoints(ix).expect("a live edge");
            j.edge(ix.index() as u32, a.index() as u32, b.index() as u32);
        }
    }

    fn store_attrs(&mut self, slot: u32, attrs: EdgeAttrs) -> u32 {
        let empty = attrs.props.is_empty() && attrs.prov.is_empty();
        match (slot, empty) {
            (NO_ATTR, true) => NO_ATTR,
            (s, true) => {
                self.attrs[s as usize] = EdgeAttrs::default();
                self.free_attrs.push(s);
                NO_ATTR
            }
            (NO_ATTR, false) => match self.free_attrs.pop() {
                Some(s) => {
                    self.attrs[s as usize] = attrs;
                    s
                }
                None => {
                    self.attrs.push(attrs);
                    (self.attrs.len() - 1) as u32
                }
            },
            (s, false) => {
                self.attrs[s as usize] = attrs;
                s
            }
        }
    }

    /// Removes an edge; returns its record.
    pub fn remove_edge(&mut self, id: u32) -> Option<EdgeData> {
        let ix = self.edge_index(id)?;
        let data = self.edge_data(ix)?;
        self.shrink_at(ix);
        self.index_pair(ix, false);
        self.note_edge(ix);
        let w = self.g.remove_edge(ix)?;
        self.store_attrs(w.attr, EdgeAttrs::default());
        self.edge_ids.remove(id);
        Some(data)
    }

    /// Edges of type `ty` from `a` to `b`.
    pub fn edges_between(
        &self,
        a: NodeIndex,
        b: NodeIndex,
        ty: RelTypeId,
    ) -> impl Iterator<Item = EdgeIndex> + '_ {
        self.g
            .edges_connecting(a, b)
            .filter(move |e| e.weight().rel_type() == ty)
            .map(|e| {
                use petgraph::visit::EdgeRef;
                e.id()
            })
    }

    /// Builds the index of edges by (source, target, type) if it is not there, so that
    /// [`Graph::edge_between`] costs O(1) instead of a walk over a node's edges.
    pub fn index_pairs(&mut self) {
        if self.by_pair.is_some() {
            return;
        }
        // Sized for every edge at once: no rehash while millions of keys go in.
        let mut m = FxHashMap::with_capacity_and_hasher(self.g.edge_count(), Default::default());
        for ix in self.g.edge_indices() {
            let (a, b) = self
                .g
                .edge_endpoints(ix)
                .expect("edge index from edge_indices");
            let h = pair_hash(a, b, self.g[ix].rel_type());
            index_slot(&mut m, h, ix.index() as u32, true);
        }
        self.by_pair = Some(m);
        self.build_scopes();
        self.build_participations();
    }

    /// The edge of type `ty` from `a` to `b` with the lowest id number, if any (through the
    /// pair index when it is built).
    pub fn edge_between(&self, a: NodeIndex, b: NodeIndex, ty: RelTypeId) -> Option<EdgeIndex> {
        let ok = |ix: EdgeIndex| {
            self.g.edge_endpoints(ix) == Some((a, b)) && self.g[ix].rel_type() == ty
        };
        let best = |it: &mut dyn Iterator<Item = EdgeIndex>| it.min_by_key(|&ix| self.g[ix].id);
        match &self.by_pair {
            Some(m) => best(
                &mut slots_of(m, pair_hash(a, b, ty))
                    .iter()
                    .map(|&i| EdgeIndex::from(i))
                    .filter(|&ix| ok(ix)),
            ),
            None => best(&mut self.edges_between(a, b, ty)),
        }
    }

    fn index_pair(&mut self, ix: EdgeIndex, add: bool) {
        if let Some(m) = &mut self.by_pair {
            let (a, b) = self.g.edge_endpoints(ix).expect("a live edge");
            let h = pair_hash(a, b, self.g[ix].rel_type());
            index_slot(m, h, ix.index() as u32, add);
        }
        self.rescope_edge(ix, add);
        self.reparticipate_edge(ix, add);
    }

    /// Replaces node `ix`'s properties and appends evidence that sorts after all it has
    /// (the caller checks both): the in-place form of a merge, without copying the node.
    pub(crate) fn merge_in_place(&mut self, ix: NodeIndex, props: Props, more: &[Evidence]) {
        debug_assert!(match (self.g[ix].prov.last(), more.first()) {
            (Some(l), Some(f)) => l < f,
            _ => true,
        });
        if self.g[ix].props != props {
            let probe = NodeRec {
                id: self.g[ix].id,
                label: self.g[ix].label,
                props,
                prov: Vec::new(),
            };
            let same = self.index_keys(&self.g[ix]) == self.index_keys(&probe);
            let props = probe.props;
            if !same {
                self.index_node(ix.index() as u32, false);
            }
            self.g[ix].props = props;
            if !same {
                self.index_node(ix.index() as u32, true);
            }
        }
        self.g[ix].prov.extend_from_slice(more);
    }

    /// Replaces edge `ix`'s properties and appends evidence that sorts after all it has: the
    /// in-place form of an edge merge.
    pub(crate) fn merge_edge_in_place(&mut self, ix: EdgeIndex, props: Props, more: &[Evidence]) {
        let w = self.g[ix];
        if w.attr == NO_ATTR {
            let attr = self.store_attrs(
                NO_ATTR,
                EdgeAttrs {
                    props,
                    prov: more.to_vec(),
                },
            );
            self.g[ix].attr = attr;
            return;
        }
        let a = &mut self.attrs[w.attr as usize];
        a.props = props;
        a.prov.extend_from_slice(more);
    }

    /// Cuts the evidence of node `id` back to its first `len` entries (undo of appends).
    pub(crate) fn truncate_node_prov(&mut self, id: u32, len: usize) -> Provenance {
        let Some(ix) = self.node_index(id) else {
            return Vec::new();
        };
        let mut p = std::mem::take(&mut self.g[ix].prov);
        p.truncate(len);
        p
    }

    /// Cuts the evidence of edge `id` back to its first `len` entries (undo of appends).
    pub(crate) fn truncate_edge_prov(&mut self, id: u32, len: usize) -> Provenance {
        let Some(ix) = self.edge_index(id) else {
            return Vec::new();
        };
        let w = self.g[ix];
        if w.attr == NO_ATTR {
            return Vec::new();
        }
        let mut p = std::mem::take(&mut self.attrs[w.attr as usize].prov);
        p.truncate(len);
        p
    }

    /// Allocates a fresh node id number.
    pub fn allocate_node_id(&mut self) -> u32 {
        self.node_ids.allocate()
    }

    /// Allocates a fresh edge id number.
    pub fn allocate_edge_id(&mut self) -> u32 {
        self.edge_ids.allocate()
    }

    /// Mutable access to the id maps, for loaders that restore external ids.
    pub(crate) fn id_maps_mut(&mut self) -> (&mut IdMap, &mut IdMap) {
        (&mut self.node_ids, &mut self.edge_ids)
    }

    /// Approximate memory held by the graph, in bytes.
    pub fn approx_bytes(&self) -> usize {
        self.g.node_count() * std::mem::size_of::<NodeRec>()
            + self.g.edge_count() * (std::mem::size_of::<EdgeRec>() + 16)
            + self.attrs.capacity() * std::mem::size_of::<EdgeAttrs>()
            + self.node_ids.heap_bytes()
            + self.edge_ids.heap_bytes()
            + (self.by_name.len() + self.by_date.len()) * 24
    }

    /// Every structural invariant of the graph and its indexes, checked from scratch;
    /// returns one message per problem found.
    pub fn verify(&self) -> Vec<String> {
        let mut problems = Vec::new();
        let s = &self.schema;
        let mut label_counts = vec![0usize; s.labels().len()];
        for ix in self.g.node_indices() {
            let n = &self.g[ix];
            let idt = self.node_ids.text(n.id);
            if self.node_index(n.id) != Some(ix) {
                problems.push(format!("node {idt}: id index points elsewhere"));
            }
            if (n.label as usize) >= s.labels().len() {
                problems.push(format!("node {idt}: unknown label #{}", n.label));
                continue;
            }
            label_counts[n.label as usize] += 1;
            if !n.props.windows(2).all(|w| w[0].0 < w[1].0) {
                problems.push(format!("node {idt}: properties not sorted"));
            }
            if let Err(e) = s.check_node(n.label, &n.props) {
                problems.push(format!("node {idt}: {e}"));
            }
            for name in self.names_of(n) {
                if !self.find_by_name(n.label, name).contains(&ix) {
                    problems.push(format!(
                        "node {idt}: name {name:?} missing from the name index"
                    ));
                }
            }
            if let Some(Value::Date(d)) = self.date_key.and_then(|k| Graph::prop(&n.props, k)) {
                if !self.find_by_date(n.label, *d).contains(&ix) {
                    problems.push(format!("node {idt}: date {d} missing from the date index"));
                }
            }
            for ev in n.prov.iter() {
                if self.node_by_id(ev.doc).is_none() {
                    problems.push(format!(
                        "node {idt}: evidence cites missing document n{}",
                        ev.doc
                    ));
                }
            }
        }
        for (l, &c) in label_counts.iter().enumerate() {
            if self.by_label[l].len() != c {
                problems.push(format!(
                    "label index of :{} holds {} nodes, expected {c}",
                    s.labels()[l].name,
                    self.by_label[l].len()
                ));
            }
        }
        for ix in self.g.edge_indices() {
            let e = self.g[ix];
            let idt = self.edge_ids.text(e.id);
            if self.edge_index(e.id) != Some(ix) {
                problems.push(format!("edge {idt}: id index points elsewhere"));
            }
            let (a, b) = self
                .g
                .edge_endpoints(ix)
                .expect("edge index from edge_indices");
            let props = self.edge_attrs(&e).map(|x| &x.props[..]).unwrap_or(&[]);
            if (e.rel_type() as usize) >= s.rel_types().len() {
                problems.push(format!("edge {idt}: unknown type #{}", e.rel_type()));
                continue;
            }
            if let Err(err) = s.check_edge(e.rel_type(), self.g[a].label, self.g[b].label, props) {
                problems.push(format!("edge {idt}: {err}"));
            }
        }
        problems.extend(self.verify_scopes());
        problems.extend(self.verify_participations());
        problems
    }
}

fn ty_code(ty: RelTypeId) -> NonZeroU16 {
    NonZeroU16::new(ty.wrapping_add(1)).unwrap_or(NonZeroU16::MAX)
}

/// Sorts properties by key and checks there is no duplicate key.
pub fn normalize_props(mut props: Vec<(KeyId, Value)>) -> Result<Props, KeyId> {
    props.sort_by_key(|(k, _)| *k);
    if let Some(w) = props.windows(2).find(|w| w[0].0 == w[1].0) {
        return Err(w[0].0);
    }
    Ok(props.into_boxed_slice())
}

/// Merges two provenance lists into one sorted list without duplicates.
pub fn merge_prov(a: &[Evidence], b: &[Evidence]) -> Provenance {
    let mut v: Vec<Evidence> = a.iter().chain(b).copied().collect();
    v.sort_unstable();
    v.dedup();
    v
}

#[cfg(test)]
mod tests;
